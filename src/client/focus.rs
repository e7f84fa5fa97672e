//! `start`, `end`, `interrupt`, `resume`, `log` and `sync`: the changes a
//! person makes while working, each sent at once or queued offline.

use std::process::ExitCode;

use clap::Args;

use super::output::say;
use super::{
    Context,
    change::{Change, Done},
    model::{a_kind, a_kind_capitalised, interruption_kind, the_kind},
    output::{clock, count},
    when::{human_duration, parse_duration},
};

/// `hyperfocus interrupt`.
#[derive(Debug, Args)]
pub struct InterruptArgs {
    /// family, phone, noise, self, urgent_task, unknown, or a unique start
    /// of one (`ph`).
    #[arg(value_name = "TYPE")]
    pub kind: String,
    /// What it was, such as "WhatsApp" (at most 500 characters).
    pub note: Option<String>,
    /// When it began; default now (with --for: that long ago).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// How long it took (90s, 5m, 1h30m): logs it closed. Without --at it
    /// is the one just over: it ends now and began that long ago.
    #[arg(long = "for", value_name = "DURATION", conflicts_with = "until")]
    pub length: Option<String>,
    /// When it ended (with --at): logs it closed.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, requires = "at")]
    pub until: Option<String>,
}

/// `hyperfocus log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// When it began.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub start: String,
    /// When it ended.
    #[arg(
        long,
        value_name = "TIME",
        allow_hyphen_values = true,
        required_unless_present = "length"
    )]
    pub end: Option<String>,
    /// How long it lasted, instead of --end.
    #[arg(long = "for", value_name = "DURATION", conflicts_with = "end")]
    pub length: Option<String>,
    /// What it was for, such as "chapter 3" (at most 500 characters).
    #[arg(long)]
    pub note: Option<String>,
}

/// Starts a session.
pub async fn start(
    context: &mut Context,
    at: Option<String>,
    note: Option<String>,
) -> anyhow::Result<ExitCode> {
    let at = context.time_or_now(at.as_deref()).await?;
    let note = note.unwrap_or_default();
    context.make(Change::Start { at, note }).await?;
    Ok(ExitCode::SUCCESS)
}

/// Ends the running session.
pub async fn end(context: &mut Context, at: Option<String>) -> anyhow::Result<ExitCode> {
    let at = context.end_time_or_now(at.as_deref()).await?;
    context
        .make(Change::End {
            at,
            session_id: None,
            closes: None,
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// Logs an interruption, open or closed.
pub async fn interrupt(context: &mut Context, args: InterruptArgs) -> anyhow::Result<ExitCode> {
    let kind = interruption_kind(&args.kind).map_err(anyhow::Error::msg)?;
    let length = args
        .length
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let (at, until) = match (&args.at, length, &args.until) {
        // "I just lost 3 minutes": it is over now.
        (None, Some(length), _) => (context.now.checked_sub(length)?, Some(context.now)),
        (at, Some(length), _) => {
            let at = context.time_or_now(at.as_deref()).await?;
            (at, Some(at.checked_add(length)?))
        }
        (at, None, Some(until)) => {
            let (at, until) = (
                context.time_or_now(at.as_deref()).await?,
                context.time(until).await?,
            );
            if until <= at {
                anyhow::bail!(
                    "It would end ({}) before it began ({}); --until comes after --at.",
                    context.moment(until),
                    context.moment(at)
                );
            }
            (at, Some(until))
        }
        (at, None, None) => (context.time_or_now(at.as_deref()).await?, None),
    };
    let change = Change::Interrupt {
        kind: kind.as_str().to_owned(),
        description: args.note.unwrap_or_default(),
        at,
        until,
        session_id: None,
    };
    context.make(change).await?;
    Ok(ExitCode::SUCCESS)
}

/// Closes the open interruption.
pub async fn resume(context: &mut Context, at: Option<String>) -> anyhow::Result<ExitCode> {
    let at = context.end_time_or_now(at.as_deref()).await?;
    context
        .make(Change::Resume {
            at,
            interruption_id: None,
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// Logs a finished session.
pub async fn log(context: &mut Context, args: LogArgs) -> anyhow::Result<ExitCode> {
    let start = context.time(&args.start).await?;
    let end = match (&args.end, &args.length) {
        (Some(end), _) => context.time(end).await?,
        (None, Some(length)) => {
            start.checked_add(parse_duration(length).map_err(anyhow::Error::msg)?)?
        }
        (None, None) => anyhow::bail!("say when it ended with --end TIME or --for DURATION"),
    };
    if end <= start {
        anyhow::bail!(
            "It would end ({}) before it began ({}); an end comes after its start.",
            context.moment(end),
            context.moment(start)
        );
    }
    let note = args.note.unwrap_or_default();
    context.make(Change::Log { start, end, note }).await?;
    Ok(ExitCode::SUCCESS)
}

/// Sends the queue and says what is left.
pub async fn sync(context: &mut Context) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    let left = context.send_queue().await?;
    if left == 0 {
        eprintln!("nothing is queued");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} cannot be reached; {} still queued",
            context.api.server(),
            count(left as i64, "change")
        );
        Ok(ExitCode::from(2))
    }
}

/// Says what a change did (or prints the resource under `--json`).
pub fn report_done(context: &Context, done: &Done) -> anyhow::Result<()> {
    let out = context.out;
    if out.json {
        return match done {
            Done::Started(session) | Done::Logged(session) | Done::Ended { session, .. } => {
                out.print_json(session)
            }
            Done::Interrupted(interruption) | Done::Resumed(interruption) => {
                out.print_json(interruption)
            }
        };
    }
    let zone = context.zone();
    let line = match done {
        Done::Started(session) => format!(
            "Focusing{} since {} (session {}). Interrupted? `hyperfocus i TYPE`.",
            on_note(&session.note),
            out.bold(&clock(session.start_time, &zone)),
            session.id
        ),
        Done::Ended { session, .. } => {
            let worked = session.duration_seconds.unwrap_or(0);
            let lost = session.time_lost_seconds;
            format!(
                "Session {} ended at {}: worked {}, lost {} to {}, {} effective.",
                session.id,
                clock(session.end_time.unwrap_or(context.now), &zone),
                out.bold(&human_duration(worked)),
                out.lost(lost),
                count(session.interruption_count, "interruption"),
                out.green(&human_duration(worked - lost)),
            )
        }
        Done::Interrupted(interruption) => match interruption.duration {
            None => format!(
                "{} since {} (interruption {}). `hyperfocus resume` when you are back.",
                out.yellow(&a_kind_capitalised(&interruption.kind)),
                clock(interruption.start_time, &zone),
                interruption.id
            ),
            Some(seconds) => format!(
                "Logged {} at {}: {} lost.",
                a_kind(&interruption.kind),
                clock(interruption.start_time, &zone),
                out.lost(seconds)
            ),
        },
        Done::Resumed(interruption) => format!(
            "Back to focus at {}: {} took {}.",
            clock(interruption.end_time.unwrap_or(context.now), &zone),
            the_kind(&interruption.kind),
            out.lost(interruption.duration.unwrap_or(0))
        ),
        Done::Logged(session) => format!(
            "Logged session {}{}: {}–{} ({}).",
            session.id,
            on_note(&session.note),
            clock(session.start_time, &zone),
            clock(session.end_time.unwrap_or(context.now), &zone),
            human_duration(session.duration_seconds.unwrap_or(0))
        ),
    };
    say!("{line}");
    Ok(())
}

/// ` on “NOTE”`, or nothing for a session without a note.
pub fn on_note(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(" on “{note}”")
    }
}
