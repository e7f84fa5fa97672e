//! SQL for the reports: the spans overlapping a window, and nothing else.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use crate::{
    db::StoreResult,
    domain::{
        interruption::InterruptionKind,
        stats::{InterruptionSpan, SessionSpan},
        time::from_unix_seconds,
    },
};

/// Sessions overlapping `[?2, ?3)`, by start.
///
/// Sessions never overlap, so those overlapping the window are the ones
/// starting inside it plus, at most, the one that started last before it:
/// two range reads of `sessions_user_start`, which covers the columns read.
/// A 7-day report costs the same whether the user has a month or ten years
/// of history.
const WINDOW_SESSIONS: &str = "
    SELECT * FROM (
        SELECT id, start_time, end_time FROM sessions
        WHERE user_id = ?1 AND start_time < ?2
        ORDER BY start_time DESC LIMIT 1)
    WHERE end_time IS NULL OR end_time > ?2
    UNION ALL
    SELECT * FROM (
        SELECT id, start_time, end_time FROM sessions
        WHERE user_id = ?1 AND start_time >= ?2 AND start_time < ?3
        ORDER BY start_time)";

/// One session's interruptions overlapping `[?2, ?3)`, by start: a range
/// read of `interruptions_session_start`, which covers the columns read.
/// Embedded SQLite answers a cached statement per session faster than a
/// join that must be re-sorted.
const SESSION_INTERRUPTIONS: &str = "
    SELECT kind, start_time, end_time FROM interruptions
    WHERE session_id = ?1 AND start_time < ?3 AND (end_time IS NULL OR end_time > ?2)
    ORDER BY start_time";

pub fn window_spans(
    conn: &Connection,
    user_id: i64,
    from: i64,
    to: i64,
) -> StoreResult<Vec<SessionSpan>> {
    let mut sessions = conn.prepare_cached(WINDOW_SESSIONS)?;
    let mut interruptions = conn.prepare_cached(SESSION_INTERRUPTIONS)?;
    let mut rows = sessions.query([user_id, from, to])?;
    let mut spans = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let mut found = interruptions.query([id, from, to])?;
        let mut list = Vec::new();
        while let Some(i) = found.next()? {
            // Read in place: no allocation per row.
            let kind = i.get_ref(0)?.as_bytes().map_err(rusqlite::Error::from)?;
            list.push(InterruptionSpan {
                kind: InterruptionKind::from_bytes(kind).unwrap_or(InterruptionKind::Unknown),
                start: i.get(1)?,
                end: i.get(2)?,
            });
        }
        spans.push(SessionSpan {
            start: row.get(1)?,
            end: row.get(2)?,
            interruptions: list,
        });
    }
    Ok(spans)
}

pub fn first_session_start(conn: &Connection, user_id: i64) -> StoreResult<Option<Timestamp>> {
    let first: Option<i64> = conn
        .prepare_cached(
            "SELECT start_time FROM sessions WHERE user_id = ?1 ORDER BY start_time LIMIT 1",
        )?
        .query_row([user_id], |row| row.get(0))
        .optional()?;
    Ok(first.map(from_unix_seconds))
}
