//! `edit`, `delete` and `cancel`: corrections to the record, each keeping
//! the way back for `hyperfocus undo`.

use std::{io::IsTerminal, process::ExitCode};

use clap::Args;
use reqwest::Method;
use serde_json::{Map, Value};

use super::output::say;
use super::{
    Context,
    change::{current, rfc3339},
    explain,
    http::ApiError,
    model::{Interruption, Session, interruption_kind, the_kind},
    output::{count, day_and_clock},
    undo::{self, Undo},
    when::human_duration,
};

/// `hyperfocus edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The session; default the latest.
    #[arg(conflicts_with = "interruption")]
    pub session: Option<i64>,
    /// Edit this interruption instead.
    #[arg(long, value_name = "ID")]
    pub interruption: Option<i64>,
    /// A new start.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// A new end.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub end: Option<String>,
    /// A new type (interruptions only).
    #[arg(long = "type", value_name = "TYPE", requires = "interruption")]
    pub kind: Option<String>,
    /// A new note ("" clears it).
    #[arg(long)]
    pub note: Option<String>,
}

/// `hyperfocus delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The session; default the latest.
    #[arg(conflicts_with = "interruption")]
    pub session: Option<i64>,
    /// Delete this interruption instead.
    #[arg(long, value_name = "ID")]
    pub interruption: Option<i64>,
    /// Do not ask first.
    #[arg(long, short)]
    pub yes: bool,
}

/// Changes a session's or an interruption's fields.
pub async fn edit(context: &mut Context, args: EditArgs) -> anyhow::Result<ExitCode> {
    let mut changes = Map::new();
    if let Some(start) = &args.start {
        changes.insert(
            "start_time".into(),
            rfc3339(context.time(start).await?).into(),
        );
    }
    if let Some(end) = &args.end {
        changes.insert("end_time".into(), rfc3339(context.time(end).await?).into());
    }
    if let Some(kind) = &args.kind {
        changes.insert(
            "type".into(),
            interruption_kind(kind)
                .map_err(anyhow::Error::msg)?
                .as_str()
                .into(),
        );
    }
    if let Some(note) = &args.note {
        // A session's note and an interruption's description are one flag.
        let field = match args.interruption {
            Some(_) => "description",
            None => "note",
        };
        changes.insert(field.into(), note.clone().into());
    }
    if changes.is_empty() {
        anyhow::bail!(
            "say what to change: --start, --end{}",
            if args.interruption.is_some() {
                ", --type or --note"
            } else {
                " or --note"
            }
        );
    }
    let resource = match args.interruption {
        Some(id) => format!("/interruptions/{id}"),
        None => format!(
            "/sessions/{}",
            pick_session(context, args.session).await?.id
        ),
    };
    let stored: Value = context.api.get(&resource).await?;
    let before: Map<String, Value> = changes
        .keys()
        .filter_map(|field| {
            Some((
                field.clone(),
                stored.get(field).filter(|v| !v.is_null())?.clone(),
            ))
        })
        .collect();
    let patch = Value::Object(changes);
    let after: Value = match context
        .api
        .json(Method::PATCH, &resource, Some(&patch), None)
        .await
    {
        Ok(after) => after,
        Err(error) => return Err(edit_refused(context, &resource, &stored, &patch, error).await),
    };
    undo::keep(
        context,
        &Undo::Patch {
            resource: resource.clone(),
            before: Value::Object(before),
        },
    )?;
    if context.out.json {
        return context.out.print_json(&after).map(|()| ExitCode::SUCCESS);
    }
    context.refresh_zone().await?;
    let zone = context.zone();
    let field = |name: &str| {
        after
            .get(name)
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok())
            .map(|t| day_and_clock(t, &zone))
    };
    let note = ["note", "description"]
        .iter()
        .find_map(|name| after.get(*name).and_then(Value::as_str))
        .unwrap_or_default();
    say!(
        "Changed {}{}: {} → {}.",
        named(&resource),
        super::focus::on_note(note),
        field("start_time").unwrap_or_default(),
        field("end_time").unwrap_or_else(|| "still going".into())
    );
    Ok(ExitCode::SUCCESS)
}

/// Why a correction was refused: an overlap names the session it would
/// overlap by its times; the rest is said by `words`.
async fn edit_refused(
    context: &mut Context,
    resource: &str,
    stored: &Value,
    patch: &Value,
    error: ApiError,
) -> anyhow::Error {
    let time = |field: &str| {
        patch
            .get(field)
            .or_else(|| stored.get(field))
            .and_then(Value::as_str)
            .and_then(|raw| raw.parse::<jiff::Timestamp>().ok())
    };
    let session = resource
        .strip_prefix("/sessions/")
        .and_then(|id| id.parse::<i64>().ok());
    if let (Some(id), Some(409), Some(start)) = (session, error.status(), time("start_time"))
        && let Some(said) = explain::overlap(context, start, time("end_time"), Some(id)).await
    {
        return anyhow::anyhow!(said);
    }
    error.into()
}

/// Deletes a session or an interruption after asking.
pub async fn delete(context: &mut Context, args: DeleteArgs) -> anyhow::Result<ExitCode> {
    context.refresh_zone().await?;
    let zone = context.zone();
    if let Some(id) = args.interruption {
        let interruption: Interruption = context.api.get(&format!("/interruptions/{id}")).await?;
        let what = format!(
            "{} of {}",
            the_kind(&interruption.kind),
            day_and_clock(interruption.start_time, &zone)
        );
        if !confirm(&format!("Delete {what}?"), args.yes)? {
            return Ok(ExitCode::from(2));
        }
        context.api.delete(&format!("/interruptions/{id}")).await?;
        undo::keep(context, &Undo::RestoreInterruption { interruption })?;
        say!("Deleted {what}. `hyperfocus undo` brings it back.");
        return Ok(ExitCode::SUCCESS);
    }
    let session = pick_session(context, args.session).await?;
    delete_session(context, session, args.yes, "Deleted").await
}

/// Deletes the running session after asking.
pub async fn cancel(context: &mut Context, yes: bool) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    let Some(session) = current(&context.api).await?.session else {
        anyhow::bail!("you are not focusing; there is nothing to cancel");
    };
    delete_session(context, session, yes, "Cancelled").await
}

async fn delete_session(
    context: &mut Context,
    session: Session,
    yes: bool,
    verb: &str,
) -> anyhow::Result<ExitCode> {
    context.refresh_zone().await?;
    let zone = context.zone();
    let length = session
        .duration_seconds
        .unwrap_or_else(|| context.now.duration_since(session.start_time).as_secs());
    let what = format!(
        "session {} ({}, {}, {})",
        session.id,
        day_and_clock(session.start_time, &zone),
        human_duration(length),
        count(session.interruption_count, "interruption")
    );
    if !confirm(
        &format!(
            "{} {what}?",
            if verb == "Cancelled" {
                "Cancel"
            } else {
                "Delete"
            }
        ),
        yes,
    )? {
        return Ok(ExitCode::from(2));
    }
    let interruptions: Vec<Interruption> = context
        .api
        .get(&format!("/interruptions/session/{}", session.id))
        .await?;
    context
        .api
        .delete(&format!("/sessions/{}", session.id))
        .await?;
    undo::keep(
        context,
        &Undo::Restore {
            session,
            interruptions,
        },
    )?;
    say!("{verb} {what}. `hyperfocus undo` brings it back.");
    Ok(ExitCode::SUCCESS)
}

/// `/sessions/7` as "session 7".
pub fn named(resource: &str) -> String {
    resource.trim_start_matches('/').replacen("s/", " ", 1)
}

/// The session `id`, or the latest one.
async fn pick_session(context: &mut Context, id: Option<i64>) -> anyhow::Result<Session> {
    if let Some(id) = id {
        return Ok(context.api.get(&format!("/sessions/{id}")).await?);
    }
    let user = context.user_id().await?;
    let latest: Vec<Session> = context
        .api
        .get(&format!("/sessions/user/{user}?limit=1"))
        .await?;
    latest
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("you have no sessions yet"))
}

/// Asks on the terminal; without one, only `--yes` goes ahead.
fn confirm(question: &str, yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{question} Pass --yes to go ahead without a terminal to ask on.");
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    let agreed = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !agreed {
        eprintln!("Nothing changed.");
    }
    Ok(agreed)
}
