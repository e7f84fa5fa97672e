//! `hyperfocus undo`: the last change this client made, kept in the state
//! directory as the way back, and reverted through the API. The API has no
//! "reopen", so reopening a session or an interruption makes it again with
//! the same times (under a new id, which the message gives).

use std::process::ExitCode;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::output::say;
use super::{
    Context,
    change::{Done, rfc3339},
    config::{read_optional, remove_optional, write_private},
    model::{Interruption, Session, the_kind},
    output::{clock, count, day_and_clock},
};

/// How to revert the last change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
pub enum Undo {
    /// A start or a logged session: delete it.
    DeleteSession {
        /// The session.
        id: i64,
        /// What made it: "start" or "log".
        made_by: String,
    },
    /// An end: the session runs again, with the interruption its end
    /// closed open again.
    ReopenSession {
        /// The session.
        id: i64,
        /// The interruption that was open at the end.
        reopen: Option<i64>,
    },
    /// A logged interruption: delete it.
    DeleteInterruption {
        /// The interruption.
        id: i64,
    },
    /// A resume: the interruption is open again.
    ReopenInterruption {
        /// The interruption.
        id: i64,
    },
    /// A deleted or cancelled session: make it again with its
    /// interruptions.
    Restore {
        /// The session as it was.
        session: Session,
        /// Its interruptions.
        interruptions: Vec<Interruption>,
    },
    /// A deleted interruption: make it again.
    RestoreInterruption {
        /// The interruption as it was.
        interruption: Interruption,
    },
    /// An edited session or interruption: send the old values back.
    Patch {
        /// `/sessions/7` or `/interruptions/9`.
        resource: String,
        /// The fields as they were.
        before: Value,
    },
}

/// Keeps the way back from what a focus command did.
pub fn remember(context: &Context, done: &Done) -> anyhow::Result<()> {
    let undo = match done {
        Done::Started(session) => Undo::DeleteSession {
            id: session.id,
            made_by: "start".into(),
        },
        Done::Logged(session) => Undo::DeleteSession {
            id: session.id,
            made_by: "log".into(),
        },
        Done::Ended { session, closed } => Undo::ReopenSession {
            id: session.id,
            reopen: *closed,
        },
        Done::Interrupted(interruption) => Undo::DeleteInterruption {
            id: interruption.id,
        },
        Done::Resumed(interruption) => Undo::ReopenInterruption {
            id: interruption.id,
        },
    };
    keep(context, &undo)
}

/// Keeps `undo` as the way back from the last change.
pub fn keep(context: &Context, undo: &Undo) -> anyhow::Result<()> {
    write_private(&path(context), serde_json::to_string(undo)?.as_bytes())
}

fn path(context: &Context) -> std::path::PathBuf {
    context.dirs.state_file(&context.profile_name, "undo.json")
}

/// Reverts the last change and forgets it.
pub async fn undo(context: &mut Context) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    let Some(text) = read_optional(&path(context))? else {
        anyhow::bail!(
            "there is nothing to undo: this client has made no change since the last undo"
        );
    };
    let undo: Undo = serde_json::from_str(&text)?;
    let said = revert(context, &undo).await?;
    remove_optional(&path(context))?;
    say!("Undone: {said}");
    Ok(ExitCode::SUCCESS)
}

async fn revert(context: &mut Context, undo: &Undo) -> anyhow::Result<String> {
    context.refresh_zone().await?;
    let zone = context.zone();
    let api = context.api.clone();
    Ok(match undo {
        Undo::DeleteSession { id, made_by } => {
            let session: Session = api.get(&format!("/sessions/{id}")).await?;
            api.delete(&format!("/sessions/{id}")).await?;
            format!(
                "the {made_by} of session {id} ({}); it is deleted",
                day_and_clock(session.start_time, &zone)
            )
        }
        Undo::ReopenSession { id, reopen } => {
            let session: Session = api.get(&format!("/sessions/{id}")).await?;
            let interruptions: Vec<Interruption> =
                api.get(&format!("/interruptions/session/{id}")).await?;
            api.delete(&format!("/sessions/{id}")).await?;
            let again = remake_running(context, &session, &interruptions, *reopen).await?;
            format!(
                "the end of session {id} at {}; it runs again as session {again}",
                clock(session.end_time.unwrap_or(context.now), &zone)
            )
        }
        Undo::DeleteInterruption { id } => {
            let interruption: Interruption = api.get(&format!("/interruptions/{id}")).await?;
            api.delete(&format!("/interruptions/{id}")).await?;
            format!(
                "{} at {}; it is deleted",
                the_kind(&interruption.kind),
                clock(interruption.start_time, &zone)
            )
        }
        Undo::ReopenInterruption { id } => {
            let interruption: Interruption = api.get(&format!("/interruptions/{id}")).await?;
            api.delete(&format!("/interruptions/{id}")).await?;
            let again =
                post_interruption(context, &interruption, interruption.session_id, false).await?;
            format!(
                "back to focus at {}; {} is open again (interruption {again})",
                clock(interruption.end_time.unwrap_or(context.now), &zone),
                the_kind(&interruption.kind)
            )
        }
        Undo::Restore {
            session,
            interruptions,
        } => {
            let again = restore(context, session, interruptions).await?;
            format!(
                "the deletion of session {} ({}); it is back as session {again} with {}",
                session.id,
                day_and_clock(session.start_time, &zone),
                count(interruptions.len() as i64, "interruption")
            )
        }
        Undo::RestoreInterruption { interruption } => {
            let session: Session = api
                .get(&format!("/sessions/{}", interruption.session_id))
                .await?;
            if session.end_time.is_none() {
                post_interruption(context, interruption, session.id, true).await?;
            } else {
                let mut all: Vec<Interruption> = api
                    .get(&format!("/interruptions/session/{}", session.id))
                    .await?;
                all.push(interruption.clone());
                api.delete(&format!("/sessions/{}", session.id)).await?;
                restore(context, &session, &all).await?;
            }
            format!(
                "the deletion of {} at {}",
                the_kind(&interruption.kind),
                clock(interruption.start_time, &zone)
            )
        }
        Undo::Patch { resource, before } => {
            api.json::<Value>(Method::PATCH, resource, Some(before), None)
                .await?;
            format!(
                "the edit of {}; it is as it was",
                super::records::named(resource)
            )
        }
    })
}

/// Makes a running session again: the same start, its interruptions,
/// the one `reopen` names left open. Answers the new session's id.
async fn remake_running(
    context: &Context,
    session: &Session,
    interruptions: &[Interruption],
    reopen: Option<i64>,
) -> anyhow::Result<i64> {
    let body = json!({"start_time": rfc3339(session.start_time), "note": session.note});
    let again: Session = context
        .api
        .json(Method::POST, "/sessions/start", Some(&body), None)
        .await?;
    for interruption in interruptions {
        let closed = Some(interruption.id) != reopen;
        post_interruption(context, interruption, again.id, closed).await?;
    }
    Ok(again.id)
}

async fn post_interruption(
    context: &Context,
    interruption: &Interruption,
    session_id: i64,
    closed: bool,
) -> anyhow::Result<i64> {
    let mut body = json!({
        "session_id": session_id,
        "type": interruption.kind,
        "description": interruption.description,
        "start_time": rfc3339(interruption.start_time),
    });
    if let (true, Some(end)) = (closed, interruption.end_time) {
        body["end_time"] = Value::String(rfc3339(end));
    }
    let made: Interruption = context
        .api
        .json(Method::POST, "/interruptions/", Some(&body), None)
        .await?;
    Ok(made.id)
}

/// Makes a deleted session again: a running one through the API's
/// creates, a finished one through the import (which alone can put
/// interruptions into a finished session). Answers the new id.
async fn restore(
    context: &mut Context,
    session: &Session,
    interruptions: &[Interruption],
) -> anyhow::Result<i64> {
    if session.end_time.is_none() {
        return remake_running(
            context,
            session,
            interruptions,
            interruptions
                .iter()
                .find(|i| i.end_time.is_none())
                .map(|i| i.id),
        )
        .await;
    }
    let user = context.user_id().await?;
    let document = json!({"format": "hyperfocus-export", "version": 1, "sessions": [{
        "start_time": rfc3339(session.start_time),
        "end_time": session.end_time.map(rfc3339),
        "note": session.note,
        "interruptions": interruptions.iter().map(|i| json!({
            "type": i.kind,
            "description": i.description,
            "start_time": rfc3339(i.start_time),
            "end_time": i.end_time.map(rfc3339),
        })).collect::<Vec<_>>(),
    }]});
    context
        .api
        .json::<Value>(
            Method::POST,
            &format!("/users/{user}/import"),
            Some(&document),
            None,
        )
        .await?;
    let listed: Vec<Session> = context
        .api
        .get(&format!(
            "/sessions/user/{user}?day={}",
            super::output::local_date(session.start_time, &context.zone())
        ))
        .await?;
    listed
        .iter()
        .find(|s| s.start_time == session.start_time && s.end_time == session.end_time)
        .map(|s| s.id)
        .ok_or_else(|| anyhow::anyhow!("the session was imported but is not listed on its day"))
}
