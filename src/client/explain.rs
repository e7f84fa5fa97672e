//! Why the server refused a change, said knowing the change: the session
//! it would overlap by its times, the interruption still open, the start
//! an end would come before — what the person can act on, in their zone,
//! learned with a read or two on the way out (only when something failed).
//! What cannot be told better falls back to `words`.

use jiff::{SignedDuration, Timestamp};

use super::{
    Context,
    change::{Change, Failure, current},
    focus::on_note,
    http::{ApiError, Problem},
    model::{Interruption, Session, a_kind_capitalised, the_kind},
    words,
};

/// The sentence for a change that failed.
pub async fn refusal(context: &mut Context, change: &Change, failure: Failure) -> String {
    match failure {
        Failure::Said(text) => text,
        Failure::Refused(ApiError::Problem(problem)) => explain(context, change, &problem)
            .await
            .unwrap_or_else(|| words::problem(&problem)),
        Failure::Refused(error) | Failure::Offline(error) => error.to_string(),
    }
}

async fn explain(context: &mut Context, change: &Change, problem: &Problem) -> Option<String> {
    match (change, problem.status) {
        (Change::Start { .. }, 400) => {
            let session = current(&context.api).await.ok()?.session?;
            Some(format!(
                "You are already focusing{}, since {}. End that session first: `hyperfocus end`.",
                on_note(&session.note),
                when(context, session.start_time)
            ))
        }
        (Change::Start { at, .. }, 409) => {
            let theirs = overlapping(context, *at, None, None).await?;
            Some(format!(
                "Starting at {} would overlap {}. Start after it ended, or correct or delete it first (`hyperfocus sessions` lists it).",
                when(context, *at),
                your_session(context, &theirs)
            ))
        }
        (Change::Log { start, end, .. }, 409) => overlap(context, *start, Some(*end), None).await,
        (Change::End { at, session_id, .. }, status) => {
            end_refused(context, (*session_id)?, *at, status).await
        }
        (
            Change::Interrupt {
                at,
                until,
                session_id,
                ..
            },
            status,
        ) => interrupt_refused(context, (*session_id)?, *at, *until, status).await,
        (
            Change::Resume {
                at,
                interruption_id,
            },
            status,
        ) => {
            let open: Interruption = context
                .api
                .get(&format!("/interruptions/{}", (*interruption_id)?))
                .await
                .ok()?;
            match (status, open.end_time) {
                (400, Some(ended)) => Some(format!(
                    "{} already ended, at {}.",
                    capital(&the_kind(&open.kind)),
                    when(context, ended)
                )),
                (422, None) if *at <= open.start_time => Some(format!(
                    "Back to focus at {} would be before {} began ({}).",
                    when(context, *at),
                    the_kind(&open.kind),
                    when(context, open.start_time)
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

/// "A session from 09:00 to 10:00 would overlap your session from 09:30
/// to 10:30 …", for a session from `start` to `end` (or running), other
/// than `except` (itself, when it is corrected).
pub async fn overlap(
    context: &mut Context,
    start: Timestamp,
    end: Option<Timestamp>,
    except: Option<i64>,
) -> Option<String> {
    let theirs = overlapping(context, start, end, except).await?;
    let listed = super::output::local_date(theirs.start_time, &context.zone());
    let ours = match end {
        Some(end) => format!("from {} to {}", when(context, start), when(context, end)),
        None => format!("running since {}", when(context, start)),
    };
    Some(format!(
        "A session {ours} would overlap {}. Change the times, or correct or delete that one first (`hyperfocus sessions --day {listed}` lists it).",
        your_session(context, &theirs)
    ))
}

/// The user's session (other than `except`) that overlaps `start` to
/// `end` (or on, for a running one): looked for on the days of both ends,
/// or among the latest sessions for a running one.
async fn overlapping(
    context: &mut Context,
    start: Timestamp,
    end: Option<Timestamp>,
    except: Option<i64>,
) -> Option<Session> {
    let user = context.user_id().await.ok()?;
    let zone = context.zone();
    let mut lists = Vec::new();
    match end {
        None => lists.push(format!("/sessions/user/{user}?limit=20")),
        Some(end) => {
            let last = end.checked_sub(SignedDuration::from_secs(1)).unwrap_or(end);
            for at in [start, last] {
                let day = super::output::local_date(at, &zone);
                let path = format!("/sessions/user/{user}?day={day}");
                if !lists.contains(&path) {
                    lists.push(path);
                }
            }
        }
    }
    let until = end.unwrap_or(Timestamp::MAX);
    for path in lists {
        let listed: Vec<Session> = context.api.get(&path).await.ok()?;
        let found = listed.into_iter().find(|s| {
            Some(s.id) != except
                && s.start_time < until
                && s.end_time.unwrap_or(context.now.max(s.start_time)) > start
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// "your session from 09:00 to 10:30" (or "… since 09:00, still running").
fn your_session(context: &Context, session: &Session) -> String {
    match session.end_time {
        Some(end) => format!(
            "your session from {} to {}{}",
            when(context, session.start_time),
            when(context, end),
            on_note(&session.note)
        ),
        None => format!(
            "your session running since {}{}",
            when(context, session.start_time),
            on_note(&session.note)
        ),
    }
}

/// Why an end at `at` was refused, from the session and its interruptions.
async fn end_refused(
    context: &mut Context,
    session: i64,
    at: Timestamp,
    status: u16,
) -> Option<String> {
    let api = context.api.clone();
    let session: Session = api.get(&format!("/sessions/{session}")).await.ok()?;
    if let (400, Some(ended)) = (status, session.end_time) {
        return Some(format!(
            "That session already ended, at {}.",
            when(context, ended)
        ));
    }
    if status != 422 {
        return None;
    }
    if at <= session.start_time {
        return Some(format!(
            "The end, {}, would come before the session began ({}); an end comes after its start.",
            when(context, at),
            when(context, session.start_time)
        ));
    }
    let interruptions: Vec<Interruption> = api
        .get(&format!("/interruptions/session/{}", session.id))
        .await
        .ok()?;
    if let Some(open) = interruptions
        .iter()
        .find(|i| i.end_time.is_none() && i.start_time >= at)
    {
        return Some(format!(
            "Ending at {} would come before {} still open began ({}). End after it, or delete it if it was a mistake (`hyperfocus delete --interruption {}`).",
            when(context, at),
            the_kind(&open.kind),
            when(context, open.start_time),
            open.id
        ));
    }
    let cut = interruptions
        .iter()
        .filter(|i| i.end_time.is_some_and(|end| end > at))
        .max_by_key(|i| i.end_time)?;
    Some(format!(
        "Ending at {} would cut {} that went on until {}. End after it, or correct it first (`hyperfocus sessions --interruptions` lists it).",
        when(context, at),
        the_kind(&cut.kind),
        when(context, cut.end_time.unwrap_or(at))
    ))
}

/// Why an interruption from `at` (to `until`) was refused.
async fn interrupt_refused(
    context: &mut Context,
    session: i64,
    at: Timestamp,
    until: Option<Timestamp>,
    status: u16,
) -> Option<String> {
    let api = context.api.clone();
    match status {
        400 => Some(
            "That session has ended; an interruption goes into the session running now (`hyperfocus start` begins one).".to_owned(),
        ),
        409 => {
            if until.is_none()
                && let Some(open) = current(&api).await.ok()?.open_interruption
            {
                return Some(format!(
                    "{} is still open, since {}. `hyperfocus resume` closes it before another begins.",
                    a_kind_capitalised(&open.kind),
                    when(context, open.start_time)
                ));
            }
            let all: Vec<Interruption> = api
                .get(&format!("/interruptions/session/{session}"))
                .await
                .ok()?;
            let end = until.unwrap_or(context.now.max(at + SignedDuration::from_secs(1)));
            let clash = all.iter().find(|i| {
                i.start_time < end && i.end_time.unwrap_or(context.now.max(i.start_time)) > at
            })?;
            Some(format!(
                "It would overlap {} from {} to {}; the interruptions of a session do not overlap.",
                the_kind(&clash.kind),
                when(context, clash.start_time),
                clash
                    .end_time
                    .map_or_else(|| "now".to_owned(), |end| when(context, end))
            ))
        }
        422 => {
            let running: Session = api.get(&format!("/sessions/{session}")).await.ok()?;
            if at < running.start_time {
                return Some(format!(
                    "It would begin at {}, before this session began ({}); an interruption lies inside its session.",
                    when(context, at),
                    when(context, running.start_time)
                ));
            }
            match until {
                Some(until) if until <= at => Some(format!(
                    "It would end ({}) before it began ({}).",
                    when(context, until),
                    when(context, at)
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

fn when(context: &Context, at: Timestamp) -> String {
    words::moment(at, &context.zone(), context.now)
}

fn capital(text: &str) -> String {
    let mut letters = text.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}
