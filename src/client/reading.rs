//! `sessions`: a table of sessions, newest first.

use std::process::ExitCode;

use clap::Args;
use comfy_table::{Attribute, Cell, CellAlignment, Color, LineStyle, Table, TableStyle};
use jiff::{Timestamp, tz::TimeZone};
use serde_json::Value;

use super::output::say;
use super::{
    Context,
    model::{Interruption, Session},
    output::clock,
    when::human_duration,
};

/// `hyperfocus sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Only the sessions of this day: today, yesterday or YYYY-MM-DD.
    #[arg(long)]
    pub day: Option<String>,
    /// How many, newest first (1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Each session's interruptions under it, with the ids that
    /// `edit --interruption` and `delete --interruption` take.
    #[arg(long, short)]
    pub interruptions: bool,
}

/// Lists sessions as a table.
pub async fn sessions(context: &mut Context, args: SessionsArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let mut path = format!("/sessions/user/{user}?limit={}", args.limit);
    if let Some(day) = &args.day {
        // "today" is a day in the account's zone as it is now.
        context.refresh_zone().await?;
        path.push_str(&format!(
            "&day={}",
            day_of(day, context.now, &context.zone())?
        ));
    }
    let api = context.api.clone();
    let user = context.user_request();
    let (listed, user) = tokio::join!(api.get::<Vec<Session>>(&path), user);
    context.absorb(user)?;
    let listed = listed?;
    let zone = context.zone();
    let interruptions = match args.interruptions {
        true => interruptions_of(context, &listed).await?,
        false => Vec::new(),
    };
    if context.out.json {
        return print_json(context, &listed, &interruptions, args.interruptions);
    }
    if listed.is_empty() {
        say!(
            "No sessions{}.",
            args.day
                .as_ref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    say!("{}", table(context, &listed, &interruptions, &zone));
    if args.interruptions {
        say!(
            "{}",
            context.out.dim(
                "↳ an interruption, by its own id: `hyperfocus edit --interruption ID`, `delete --interruption ID`."
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Each listed session's interruptions (none asked for a session without
/// any), read side by side.
async fn interruptions_of(
    context: &Context,
    listed: &[Session],
) -> anyhow::Result<Vec<Vec<Interruption>>> {
    let reads = listed.iter().map(|session| {
        let api = context.api.clone();
        let (id, any) = (session.id, session.interruption_count > 0);
        async move {
            match any {
                true => {
                    api.get::<Vec<Interruption>>(&format!("/interruptions/session/{id}"))
                        .await
                }
                false => Ok(Vec::new()),
            }
        }
    });
    let read = futures_util::future::join_all(reads).await;
    Ok(read.into_iter().collect::<Result<_, _>>()?)
}

/// The server's sessions; with `--interruptions`, each with the server's
/// interruptions in an `interruptions` array.
fn print_json(
    context: &Context,
    listed: &[Session],
    interruptions: &[Vec<Interruption>],
    nested: bool,
) -> anyhow::Result<ExitCode> {
    let mut value = serde_json::to_value(listed)?;
    if nested && let Value::Array(sessions) = &mut value {
        for (session, its) in sessions.iter_mut().zip(interruptions) {
            session["interruptions"] = serde_json::to_value(its)?;
        }
    }
    context.out.print_json(&value)?;
    Ok(ExitCode::SUCCESS)
}

fn table(
    context: &Context,
    listed: &[Session],
    interruptions: &[Vec<Interruption>],
    zone: &TimeZone,
) -> Table {
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
    for (at, session) in listed.iter().enumerate() {
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
                    .strftime("%a %-d %b %Y"),
            ),
            Cell::new(clock(session.start_time, zone)),
            end,
            Cell::new(human_duration(worked)).set_alignment(CellAlignment::Right),
            Cell::new(session.interruption_count).set_alignment(CellAlignment::Right),
            lost_cell(session.time_lost_seconds),
            Cell::new(human_duration(worked - session.time_lost_seconds))
                .set_alignment(CellAlignment::Right),
            Cell::new(shortened(&session.note, 40)),
        ]);
        for interruption in interruptions.get(at).into_iter().flatten() {
            table.add_row(interruption_row(context, interruption, zone));
        }
    }
    table
}

/// A time lost: red when there is any.
fn lost_cell(seconds: i64) -> Cell {
    let cell = Cell::new(human_duration(seconds)).set_alignment(CellAlignment::Right);
    if seconds > 0 {
        cell.fg(Color::Red)
    } else {
        cell
    }
}

/// An interruption under its session: its id, `↳ type`, its times, the
/// time it took as lost, its note.
fn interruption_row(context: &Context, interruption: &Interruption, zone: &TimeZone) -> [Cell; 9] {
    let lost = interruption.duration.unwrap_or_else(|| {
        context
            .now
            .duration_since(interruption.start_time)
            .as_secs()
    });
    let end = match interruption.end_time {
        Some(end) => Cell::new(clock(end, zone)),
        None => Cell::new("now").fg(Color::Yellow),
    };
    [
        Cell::new(interruption.id).set_alignment(CellAlignment::Right),
        Cell::new(format!("↳ {}", interruption.kind)),
        Cell::new(clock(interruption.start_time, zone)),
        end,
        Cell::new(""),
        Cell::new(""),
        lost_cell(lost),
        Cell::new(""),
        Cell::new(shortened(&interruption.description, 40)),
    ]
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
