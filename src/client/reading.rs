//! `status` (for a prompt, a bar, or a look) and `sessions` (a table).

use std::{process::ExitCode, time::Duration};

use clap::Args;
use comfy_table::{Attribute, Cell, CellAlignment, Color, LineStyle, Table, TableStyle};
use futures_util::StreamExt;
use jiff::{Timestamp, tz::TimeZone};
use reqwest::Method;

use super::{
    Context,
    change::current,
    model::{Current, Session},
    output::{clock, count, day_and_clock},
    when::human_duration,
};

/// `hyperfocus status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One line from a template, for a prompt or a status bar. Fields:
    /// {state} (focusing, interrupted, idle), {icon}, {elapsed} (h:mm),
    /// {elapsed_seconds}, {since}, {session}, {interruptions}, {lost},
    /// {type} and {note} (of an open interruption), {interrupted_for},
    /// {session_note} (what the session is for).
    #[arg(long, value_name = "TEMPLATE")]
    pub format: Option<String>,
    /// Keep going: a new line whenever it changes, following the server's
    /// live event stream (and the clock).
    #[arg(long)]
    pub watch: bool,
}

/// `hyperfocus sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Only the sessions of this day: today, yesterday or YYYY-MM-DD.
    #[arg(long)]
    pub day: Option<String>,
    /// How many, newest first (1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

/// Prints the state once, or follows it with `--watch`.
pub async fn status(context: &mut Context, args: StatusArgs) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    if args.watch {
        return watch(context, &args).await;
    }
    let state = current(&context.api).await?;
    let zone = context.zone();
    let now = context.now;
    if context.out.json {
        context.out.print_json(&state)?;
    } else if let Some(template) = &args.format {
        println!("{}", fill(template, &state, now, now, &zone));
    } else {
        describe(context, &state, now, &zone).await?;
    }
    Ok(if state.session.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn describe(
    context: &mut Context,
    state: &Current,
    now: Timestamp,
    zone: &TimeZone,
) -> anyhow::Result<()> {
    let out = context.out;
    let Some(session) = &state.session else {
        println!("{}", out.bold("Not focusing."));
        let user = context.user_id().await?;
        let latest: Vec<Session> = context
            .api
            .get(&format!("/sessions/user/{user}?limit=1"))
            .await?;
        if let Some(last) = latest.first().filter(|s| s.end_time.is_some()) {
            println!(
                "Last session ended {} ({}). `hyperfocus start` to begin.",
                day_and_clock(last.end_time.unwrap_or(now), zone),
                human_duration(last.duration_seconds.unwrap_or(0))
            );
        }
        return super::goals::print_status_lines(context).await;
    };
    println!(
        "{}{} for {} (since {}, session {})",
        out.green(&out.bold("Focusing")),
        super::focus::on_note(&session.note),
        out.bold(&human_duration(
            now.duration_since(session.start_time).as_secs()
        )),
        clock(session.start_time, zone),
        session.id
    );
    println!(
        "  {}, {} lost",
        count(session.interruption_count, "interruption"),
        out.red(&human_duration(lost(state, now, now)))
    );
    if let Some(open) = &state.open_interruption {
        let note = if open.description.is_empty() {
            String::new()
        } else {
            format!(" ({:?})", open.description)
        };
        println!(
            "  {} by {} for {}{note}; `hyperfocus resume` when you are back",
            out.yellow("Interrupted"),
            open.kind,
            human_duration(now.duration_since(open.start_time).as_secs())
        );
    }
    super::goals::print_status_lines(context).await
}

/// Time lost so far: the server's figure (which counts an open
/// interruption up to when it was read), plus the time since while one is
/// open.
fn lost(state: &Current, read_at: Timestamp, now: Timestamp) -> i64 {
    let Some(session) = &state.session else {
        return 0;
    };
    match &state.open_interruption {
        Some(_) => session.time_lost_seconds + now.duration_since(read_at).as_secs().max(0),
        None => session.time_lost_seconds,
    }
}

/// Fills a `--format` template.
fn fill(
    template: &str,
    state: &Current,
    read_at: Timestamp,
    now: Timestamp,
    zone: &TimeZone,
) -> String {
    let session = state.session.as_ref();
    let open = state.open_interruption.as_ref();
    let elapsed = session.map(|s| now.duration_since(s.start_time).as_secs());
    let (state_name, icon) = match (session, open) {
        (None, _) => ("idle", "○"),
        (Some(_), None) => ("focusing", "●"),
        (Some(_), Some(_)) => ("interrupted", "◐"),
    };
    let short = |seconds: i64| format!("{}:{:02}", seconds / 3600, seconds % 3600 / 60);
    let fields: [(&str, String); 12] = [
        ("state", state_name.into()),
        ("icon", icon.into()),
        ("elapsed", elapsed.map(short).unwrap_or_default()),
        (
            "elapsed_seconds",
            elapsed.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (
            "since",
            session
                .map(|s| clock(s.start_time, zone))
                .unwrap_or_default(),
        ),
        (
            "session",
            session.map(|s| s.id.to_string()).unwrap_or_default(),
        ),
        (
            "interruptions",
            session
                .map(|s| s.interruption_count.to_string())
                .unwrap_or_default(),
        ),
        (
            "lost",
            session
                .map(|_| human_duration(lost(state, read_at, now)))
                .unwrap_or_default(),
        ),
        ("type", open.map(|o| o.kind.clone()).unwrap_or_default()),
        (
            "note",
            open.map(|o| o.description.clone()).unwrap_or_default(),
        ),
        (
            "interrupted_for",
            open.map(|o| short(now.duration_since(o.start_time).as_secs()))
                .unwrap_or_default(),
        ),
        (
            "session_note",
            session.map(|s| s.note.clone()).unwrap_or_default(),
        ),
    ];
    let mut line = template.replace("\\n", "\n");
    for (name, value) in fields {
        line = line.replace(&format!("{{{name}}}"), &value);
    }
    line
}

/// Prints a line whenever it changes: on each live event (the state is
/// read again) and as the clock moves. Reconnects when the stream drops.
async fn watch(context: &mut Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let template = args
        .format
        .clone()
        .unwrap_or_else(|| "{icon} {state} {elapsed}".into());
    let zone = context.zone();
    let mut state = current(&context.api).await?;
    let mut read_at = Timestamp::now();
    let mut last_line = String::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let request = context
            .api
            .request(Method::GET, &format!("/users/{user}/events"))
            .header("Accept", "text/event-stream");
        let mut events = match context.api.send(request).await {
            Ok(response) => Some(response.bytes_stream()),
            Err(_) => None,
        };
        let mut pending = String::new();
        loop {
            let line = fill(&template, &state, read_at, Timestamp::now(), &zone);
            if line != last_line {
                print_line(&line);
                last_line = line;
            }
            let Some(stream) = events.as_mut() else {
                tokio::time::sleep(Duration::from_secs(5)).await;
                break;
            };
            tokio::select! {
                _ = tick.tick() => {}
                chunk = stream.next() => match chunk {
                    Some(Ok(bytes)) => {
                        pending.push_str(&String::from_utf8_lossy(&bytes));
                        if take_events(&mut pending)
                            && let Ok(fresh) = current(&context.api).await
                        {
                            (state, read_at) = (fresh, Timestamp::now());
                        }
                    }
                    _ => break,
                },
            }
        }
        if let Ok(fresh) = current(&context.api).await {
            (state, read_at) = (fresh, Timestamp::now());
        }
    }
}

fn print_line(line: &str) {
    use std::io::Write;
    println!("{line}");
    let _ = std::io::stdout().flush();
}

/// Drops the whole events in `pending` (an event ends at a blank line);
/// whether one of them named a change (not a comment or keep-alive).
fn take_events(pending: &mut String) -> bool {
    let mut changed = false;
    while let Some(end) = pending.find("\n\n") {
        let event: String = pending.drain(..end + 2).collect();
        changed |= event.lines().any(|line| line.starts_with("event:"));
    }
    changed
}

/// Lists sessions as a table.
pub async fn sessions(context: &mut Context, args: SessionsArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let zone = context.zone();
    let mut path = format!("/sessions/user/{user}?limit={}", args.limit);
    if let Some(day) = &args.day {
        path.push_str(&format!("&day={}", day_of(day, context.now, &zone)?));
    }
    let listed: Vec<Session> = context.api.get(&path).await?;
    if context.out.json {
        context.out.print_json(&listed)?;
        return Ok(ExitCode::SUCCESS);
    }
    if listed.is_empty() {
        println!(
            "No sessions{}.",
            args.day
                .as_ref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", table(context, &listed, &zone));
    Ok(ExitCode::SUCCESS)
}

fn table(context: &Context, listed: &[Session], zone: &TimeZone) -> Table {
    let mut table = Table::new();
    // A rule under the header and none between rows: a list to scan.
    table.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─')));
    if context.out.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let headings = [
        "id",
        "day",
        "start",
        "end",
        "worked",
        "interruptions",
        "lost",
        "effective",
        "note",
    ];
    table.set_header(headings.map(|name| Cell::new(name).add_attribute(Attribute::Bold)));
    for session in listed {
        let worked = session
            .duration_seconds
            .unwrap_or_else(|| context.now.duration_since(session.start_time).as_secs());
        let end = match session.end_time {
            Some(end) => Cell::new(clock(end, zone)),
            None => Cell::new("now").fg(Color::Green),
        };
        table.add_row([
            Cell::new(session.id).set_alignment(CellAlignment::Right),
            Cell::new(
                session
                    .start_time
                    .to_zoned_datetime(zone.clone())
                    .strftime("%a %d %b %Y"),
            ),
            Cell::new(clock(session.start_time, zone)),
            end,
            Cell::new(human_duration(worked)).set_alignment(CellAlignment::Right),
            Cell::new(session.interruption_count).set_alignment(CellAlignment::Right),
            Cell::new(human_duration(session.time_lost_seconds))
                .fg(Color::Red)
                .set_alignment(CellAlignment::Right),
            Cell::new(human_duration(worked - session.time_lost_seconds))
                .set_alignment(CellAlignment::Right),
            Cell::new(shortened(&session.note, 40)),
        ]);
    }
    table
}

/// `text` cut to `chars` characters, the cut marked with `…`: a long note
/// must not push the table's figures off the screen.
fn shortened(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars.saturating_sub(1)) {
        Some((cut, _)) if text.chars().count() > chars => format!("{}…", &text[..cut]),
        _ => text.to_owned(),
    }
}

/// `today`, `yesterday` or a date, as the API's `day`.
fn day_of(raw: &str, now: Timestamp, zone: &TimeZone) -> anyhow::Result<jiff::civil::Date> {
    let today = now.to_zoned_datetime(zone.clone()).date();
    match raw.trim().to_ascii_lowercase().as_str() {
        "today" => Ok(today),
        "yesterday" => Ok(today.yesterday()?),
        other => other.parse().map_err(|_| {
            anyhow::anyhow!("--day {raw:?} is not a day; write today, yesterday or YYYY-MM-DD")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn a_long_note_is_cut_to_its_width_with_a_mark() {
        assert_eq!(shortened("chapter 3", 9), "chapter 3");
        assert_eq!(shortened("chapter 3!", 9), "chapter …");
        assert_eq!(shortened("ééééé", 4), "ééé…");
        assert_eq!(shortened("", 4), "");
    }
}
