//! `status`: whether you are focusing, for a look, a prompt or a bar —
//! from the server, or offline from what this device last saw and the
//! changes it has queued.

use std::process::ExitCode;

use clap::Args;
use jiff::{Timestamp, tz::TimeZone};

use super::{
    Context,
    change::current,
    http::ApiError,
    known::{self, Known},
    model::{Current, Session, a_kind_capitalised},
    output::{clock, count, say},
    when::human_duration,
};

/// `hyperfocus status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One line from a template, for a prompt or a status bar. Fields:
    /// {state} (focusing, interrupted, idle; disconnected under --watch),
    /// {icon}, {elapsed} (h:mm), {elapsed_seconds}, {since}, {session},
    /// {interruptions}, {lost}, {type} and {note} (of an open
    /// interruption), {interrupted_for}, {session_note} (what the session
    /// is for), {offline} ("offline" when the server cannot be reached).
    #[arg(long, value_name = "TEMPLATE")]
    pub format: Option<String>,
    /// Keep going: a new line whenever it changes, following the server's
    /// live event stream (and the clock); through a server restart it says
    /// "disconnected" and reconnects.
    #[arg(long)]
    pub watch: bool,
}

/// The fields of `--format`, in the order the help lists them.
pub const FIELDS: [&str; 13] = [
    "state",
    "icon",
    "elapsed",
    "elapsed_seconds",
    "since",
    "session",
    "interruptions",
    "lost",
    "type",
    "note",
    "interrupted_for",
    "session_note",
    "offline",
];

/// A `--format` template whose every `{field}` is known.
#[derive(Debug, Clone)]
pub struct Template(String);

impl Template {
    /// Checks the template: a `{name}` that is not a field is a typo,
    /// refused with the fields there are (never printed back as typed).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let unknown: Vec<&str> = placeholders(raw)
            .filter(|name| !FIELDS.contains(name))
            .collect();
        if let Some(first) = unknown.first() {
            let fields: Vec<String> = FIELDS.iter().map(|f| format!("{{{f}}}")).collect();
            return Err(format!(
                "--format: {{{first}}} is not a field; the fields are {}",
                fields.join(", ")
            ));
        }
        Ok(Self(raw.replace("\\n", "\n")))
    }

    /// Whether the template shows the field `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.0.contains(&format!("{{{name}}}"))
    }

    /// The template of `--watch` without `--format`.
    pub fn watch_default() -> Self {
        Self("{icon} {state} {elapsed}".into())
    }
}

/// The `{name}`s of a template: a brace, letters and underscores, a brace.
fn placeholders(raw: &str) -> impl Iterator<Item = &str> {
    raw.match_indices('{').filter_map(|(at, _)| {
        let rest = &raw[at + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .then_some(name)
    })
}

/// What a status line shows.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'a> {
    /// The server's state, read at `read_at`.
    Live {
        /// The state.
        state: &'a Current,
        /// When it was read: an open interruption's loss grows since.
        read_at: Timestamp,
    },
    /// What the queue implies, the server being out of reach.
    Offline(&'a Current),
    /// Nothing known: the live stream is gone and not back yet.
    Disconnected,
}

/// Fills a template.
pub fn fill(template: &Template, shown: Shown<'_>, now: Timestamp, zone: &TimeZone) -> String {
    let (state, read_at) = match shown {
        Shown::Live { state, read_at } => (Some(state), read_at),
        Shown::Offline(state) => (Some(state), now),
        Shown::Disconnected => (None, now),
    };
    let session = state.and_then(|s| s.session.as_ref());
    let open = state.and_then(|s| s.open_interruption.as_ref());
    let elapsed = session.map(|s| now.duration_since(s.start_time).as_secs().max(0));
    let (state_name, icon) = match (state, session, open) {
        (None, _, _) => ("disconnected", "◌"),
        (Some(_), None, _) => ("idle", "○"),
        (Some(_), Some(_), None) => ("focusing", "●"),
        (Some(_), Some(_), Some(_)) => ("interrupted", "◐"),
    };
    let short = |seconds: i64| format!("{}:{:02}", seconds / 3600, seconds % 3600 / 60);
    let value = |name: &str| -> String {
        match name {
            "state" => state_name.into(),
            "icon" => icon.into(),
            "elapsed" => elapsed.map(short).unwrap_or_default(),
            "elapsed_seconds" => elapsed.map(|s| s.to_string()).unwrap_or_default(),
            "since" => session
                .map(|s| clock(s.start_time, zone))
                .unwrap_or_default(),
            // A session only queued has no id yet.
            "session" => session
                .filter(|s| s.id > 0)
                .map(|s| s.id.to_string())
                .unwrap_or_default(),
            "interruptions" => session
                .map(|s| s.interruption_count.to_string())
                .unwrap_or_default(),
            "lost" => state
                .filter(|s| s.session.is_some())
                .map(|s| human_duration(lost(s, read_at, now)))
                .unwrap_or_default(),
            "type" => open.map(|o| o.kind.clone()).unwrap_or_default(),
            "note" => open.map(|o| o.description.clone()).unwrap_or_default(),
            "interrupted_for" => open
                .map(|o| short(now.duration_since(o.start_time).as_secs().max(0)))
                .unwrap_or_default(),
            "session_note" => session.map(|s| s.note.clone()).unwrap_or_default(),
            "offline" => match shown {
                Shown::Live { .. } => String::new(),
                _ => "offline".into(),
            },
            _ => String::new(),
        }
    };
    let mut line = template.0.clone();
    for name in FIELDS {
        let placeholder = format!("{{{name}}}");
        if line.contains(&placeholder) {
            line = line.replace(&placeholder, &value(name));
        }
    }
    line
}

/// Time lost so far: the server's figure (which counts an open
/// interruption up to when it was read), plus the time since while one is
/// open.
pub fn lost(state: &Current, read_at: Timestamp, now: Timestamp) -> i64 {
    let Some(session) = &state.session else {
        return 0;
    };
    match &state.open_interruption {
        Some(_) => session.time_lost_seconds + now.duration_since(read_at).as_secs().max(0),
        None => session.time_lost_seconds,
    }
}

/// Prints the state once, or follows it with `--watch`. Exit status 0
/// while focusing, 1 when not, offline as online.
pub async fn status(context: &mut Context, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let template = args
        .format
        .as_deref()
        .map(Template::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    context.require_login()?;
    if args.watch {
        return super::watch::watch(context, template.unwrap_or_else(Template::watch_default))
            .await;
    }
    let api = context.api.clone();
    // Only a time needs the zone: a prompt's `{state} {elapsed}`, run on
    // every line, makes one request, not two.
    let shows_time = !context.out.json && template.as_ref().is_none_or(|t| t.uses("since"));
    let user = context.user_request();
    let (state, user) = match shows_time {
        true => tokio::join!(current(&api), user),
        false => (current(&api).await, None),
    };
    context.absorb(user)?;
    let state = match state {
        Ok(state) => state,
        Err(error @ ApiError::Unreachable { .. }) => {
            return offline(context, template.as_ref(), error);
        }
        Err(error) => return Err(error.into()),
    };
    known::keep(&context.known_file(), &state, context.now);
    let zone = context.zone();
    let now = context.now;
    if context.out.json {
        context.out.print_json(&state)?;
    } else if let Some(template) = &template {
        let shown = Shown::Live {
            state: &state,
            read_at: now,
        };
        say!("{}", fill(template, shown, now, &zone));
    } else {
        describe(context, &state, now, &zone).await?;
    }
    Ok(exit_for(&state))
}

fn exit_for(state: &Current) -> ExitCode {
    if state.session.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn describe(
    context: &mut Context,
    state: &Current,
    now: Timestamp,
    zone: &TimeZone,
) -> anyhow::Result<()> {
    let out = context.out;
    let Some(session) = &state.session else {
        say!("{}", out.bold("Not focusing."));
        let user = context.user_id().await?;
        let latest: Vec<Session> = context
            .api
            .get(&format!("/sessions/user/{user}?limit=1"))
            .await?;
        if let Some(last) = latest.first().filter(|s| s.end_time.is_some()) {
            let ended = last.end_time.unwrap_or(now);
            let today = ended.to_zoned_datetime(zone.clone()).date()
                == now.to_zoned_datetime(zone.clone()).date();
            say!(
                "Last session ended {}{} ({}). `hyperfocus start` to begin.",
                if today { "at " } else { "" },
                context.moment(ended),
                human_duration(last.duration_seconds.unwrap_or(0))
            );
        }
        return super::goals::print_status_lines(context).await;
    };
    say!(
        "{}{} for {} (since {}, session {})",
        out.green(&out.bold("Focusing")),
        super::focus::on_note(&session.note),
        out.bold(&human_duration(
            now.duration_since(session.start_time).as_secs()
        )),
        clock(session.start_time, zone),
        session.id
    );
    say!(
        "  {}, {} lost",
        count(session.interruption_count, "interruption"),
        out.lost(lost(state, now, now))
    );
    if let Some(open) = &state.open_interruption {
        let note = if open.description.is_empty() {
            String::new()
        } else {
            format!(" ({:?})", open.description)
        };
        say!(
            "  {} for {}{note}; `hyperfocus resume` when you are back",
            out.yellow(&a_kind_capitalised(&open.kind)),
            human_duration(now.duration_since(open.start_time).as_secs())
        );
    }
    super::goals::print_status_lines(context).await
}

/// The server is out of reach: what this device last saw, moved on by the
/// changes it has queued, said as such — with the exit status it implies.
/// When nothing can be known, the error stands.
fn offline(
    context: &Context,
    template: Option<&Template>,
    error: ApiError,
) -> anyhow::Result<ExitCode> {
    let queue = context.queue()?;
    let last_seen: Option<Known> = known::load(&context.known_file());
    if queue.is_empty() && last_seen.is_none() {
        return Err(error.into());
    }
    let seen_at = last_seen.as_ref().map(|k| k.seen_at);
    let Some(state) = known::implied(last_seen.map(|k| k.current), queue.items()) else {
        anyhow::bail!(
            "{error}\nWhether you are focusing is not known on this device: {} queued, and the server was not reached before.",
            count(queue.len() as i64, "change")
        );
    };
    let zone = context.zone();
    let now = context.now;
    let queued = match queue.len() {
        0 => "nothing queued".to_owned(),
        n => format!("{} queued", count(n as i64, "change")),
    };
    if context.out.json {
        context.out.print_json(&OfflineJson {
            state: &state,
            offline: true,
            queued_changes: queue.len(),
            last_seen_at: seen_at,
        })?;
    } else if let Some(template) = template {
        say!("{}", fill(template, Shown::Offline(&state), now, &zone));
    } else {
        say!("{} — offline, {queued}.", offline_line(context, &state));
        let heard = seen_at
            .map(|at| format!(" The server was last reached at {}.", context.moment(at)))
            .unwrap_or_default();
        eprintln!(
            "{} cannot be reached: this is what this device knows.{heard}{}",
            context.api.server(),
            if queue.is_empty() {
                ""
            } else {
                " Queued changes are sent by the next command, or `hyperfocus sync`."
            }
        );
    }
    Ok(exit_for(&state))
}

/// `status --json` offline: the state the server would answer, as far as
/// this device knows, and how it knows.
#[derive(serde::Serialize)]
struct OfflineJson<'a> {
    #[serde(flatten)]
    state: &'a Current,
    offline: bool,
    queued_changes: usize,
    last_seen_at: Option<Timestamp>,
}

/// "Focusing since 21:55 (1h 05m)", "A phone interruption since 22:10 …".
fn offline_line(context: &Context, state: &Current) -> String {
    let out = context.out;
    let zone = context.zone();
    let now = context.now;
    let Some(session) = &state.session else {
        return out.bold("Not focusing");
    };
    let focusing = format!(
        "{}{} since {} ({})",
        out.green(&out.bold("Focusing")),
        super::focus::on_note(&session.note),
        clock(session.start_time, &zone),
        human_duration(now.duration_since(session.start_time).as_secs())
    );
    match &state.open_interruption {
        None => focusing,
        Some(open) => format!(
            "{} since {}, in a session since {}",
            out.yellow(&a_kind_capitalised(&open.kind)),
            clock(open.start_time, &zone),
            clock(session.start_time, &zone)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_an_unknown_field_names_the_fields() {
        assert!(Template::parse("{icon} {state} {elapsed}").is_ok());
        assert!(Template::parse("{ not a field } {}").is_ok());
        let error = Template::parse("{state} {elpased}").unwrap_err();
        assert!(
            error.starts_with(
                "--format: {elpased} is not a field; the fields are {state}, {icon}, {elapsed}, "
            ),
            "{error}"
        );
        assert!(error.ends_with("{session_note}, {offline}"), "{error}");
    }

    #[test]
    fn a_disconnected_line_says_so_and_nothing_stale() {
        let template = Template::parse("{icon} {state} {elapsed}|{since}|{offline}").unwrap();
        let now: Timestamp = "2026-12-02T21:00:00Z".parse().unwrap();
        assert_eq!(
            fill(&template, Shown::Disconnected, now, &TimeZone::UTC),
            "◌ disconnected ||offline"
        );
    }
}
