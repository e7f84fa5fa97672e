//! A single day drawn as a timeline (sessions as bars, interruptions as
//! coloured marks) with its table twin: today on Now, and a day's report
//! on Reports (instead of one bar as wide as the chart).

use jiff::{Timestamp, tz::TimeZone};

use super::{
    charts::{self, Frame, Mark},
    kind_label,
    time_input::{clock, duration},
};
use crate::{
    db::SessionListQuery,
    domain::{interruption::Interruption, session::Session},
    error::AppError,
    services::state::AppState,
};

/// A line of the day's table: what, from, to, how long.
pub struct DayRow {
    /// "Focus session", "Interruption: Phone (WhatsApp)".
    pub what: String,
    /// Its start, on the clock.
    pub from: String,
    /// Its end on the clock, or "now".
    pub to: String,
    /// How long it lasted.
    pub length: String,
}

/// How a page shows a day: the chart's frame, and the fewest hours its
/// view spans (the working part of the day, not the night).
pub struct Shown<'a> {
    /// The chart's id, title and description.
    pub frame: Frame<'a>,
    /// At least this many hours are in view.
    pub least_hours: i64,
}

/// The day `[from, to)`: its timeline and its rows, in time order.
pub async fn day(
    state: &AppState,
    user_id: i64,
    (from, to): (Timestamp, Timestamp),
    (tz, now): (&TimeZone, Timestamp),
    shown: &Shown<'_>,
) -> Result<(String, Vec<DayRow>), AppError> {
    let query = SessionListQuery {
        overlapping: Some((from, to)),
        after: None,
        limit: 500,
    };
    let sessions = state.store.list_sessions(user_id, query, now).await?;
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let interruptions = state.store.interruptions_of_sessions(user_id, ids).await?;
    Ok((
        timeline(&sessions, &interruptions, (from, to), now, shown),
        rows(&sessions, &interruptions, tz, now),
    ))
}

fn timeline(
    sessions: &[Session],
    interruptions: &[Interruption],
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    shown: &Shown<'_>,
) -> String {
    let length = to.as_second() - from.as_second();
    let offset = |t: Timestamp| (t.as_second() - from.as_second()).clamp(0, length);
    let mark = |start: Timestamp, end: Option<Timestamp>, class, what: &str| Mark {
        start: offset(start),
        end: offset(end.unwrap_or(now)),
        class,
        tooltip: format!(
            "{what}, {}",
            duration(end.unwrap_or(now).as_second() - start.as_second())
        ),
    };
    let session_marks: Vec<Mark> = sessions
        .iter()
        .map(|s| mark(s.start, s.end, "session", "Focus"))
        .collect();
    let interruption_marks: Vec<Mark> = interruptions
        .iter()
        .map(|i| mark(i.start, i.end, i.kind.as_str(), kind_label(i.kind)))
        .collect();
    let showing_now = (from..to).contains(&now).then(|| offset(now));
    // The working part of the day: an hour before the first thing logged to
    // half an hour after the last, at least the hours asked for; a day with
    // nothing logged shows 08:00 to 18:00.
    let marks = session_marks.iter().flat_map(|m| [m.start, m.end]);
    let earliest = marks.clone().chain(showing_now).min().unwrap_or(8 * 3600);
    let latest = marks.chain(showing_now).max().unwrap_or(18 * 3600);
    let view_from = (earliest - 3600).max(0);
    let least = shown.least_hours * 3600;
    let view_to = (latest + 1800).max(view_from + least).min(length);
    // Late in the day, those hours reach back instead.
    let view_from = view_from.min((view_to - least).max(0));
    charts::timeline(
        &shown.frame,
        &session_marks,
        &interruption_marks,
        showing_now,
        (view_from, view_to),
    )
}

fn rows(
    sessions: &[Session],
    interruptions: &[Interruption],
    tz: &TimeZone,
    now: Timestamp,
) -> Vec<DayRow> {
    let row = |what: String, start: Timestamp, end: Option<Timestamp>| DayRow {
        what,
        from: clock(start, tz),
        to: end.map_or_else(|| "now".to_owned(), |e| clock(e, tz)),
        length: duration(end.unwrap_or(now).as_second() - start.as_second()),
    };
    let mut rows: Vec<(Timestamp, DayRow)> = sessions
        .iter()
        .map(|s| (s.start, row("Focus session".into(), s.start, s.end)))
        .collect();
    for i in interruptions {
        let what = match i.description.as_str() {
            "" => format!("Interruption: {}", kind_label(i.kind)),
            note => format!("Interruption: {} ({note})", kind_label(i.kind)),
        };
        rows.push((i.start, row(what, i.start, i.end)));
    }
    rows.sort_by_key(|(start, _)| *start);
    rows.into_iter().map(|(_, row)| row).collect()
}
