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

/// Sessions overlapping `[?2, ?3)` with their interruptions overlapping it.
///
/// Sessions never overlap, so those overlapping the window are the ones
/// starting inside it plus, at most, the one that started last before it:
/// two range reads of `sessions_user_start`. Each session's interruptions
/// are a range read of `interruptions_session_start`. A 7-day report costs
/// the same whether the user has a month or ten years of history.
const WINDOW_SPANS: &str = "
    WITH chosen AS (
        SELECT id, start_time, end_time FROM sessions
        WHERE user_id = ?1 AND start_time >= ?2 AND start_time < ?3
        UNION ALL
        SELECT * FROM (
            SELECT id, start_time, end_time FROM sessions
            WHERE user_id = ?1 AND start_time < ?2
            ORDER BY start_time DESC LIMIT 1)
        WHERE end_time IS NULL OR end_time > ?2)
    SELECT c.id, c.start_time, c.end_time, i.kind, i.start_time, i.end_time
    FROM chosen c
    LEFT JOIN interruptions i
        ON i.session_id = c.id AND i.start_time < ?3 AND (i.end_time IS NULL OR i.end_time > ?2)
    ORDER BY c.start_time, c.id, i.start_time";

pub fn window_spans(
    conn: &Connection,
    user_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<SessionSpan>> {
    let mut statement = conn.prepare_cached(WINDOW_SPANS)?;
    let mut rows = statement.query([user_id, from.as_second(), to.as_second()])?;
    let mut sessions: Vec<SessionSpan> = Vec::new();
    let mut last_id = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if last_id != Some(id) {
            last_id = Some(id);
            sessions.push(SessionSpan {
                start: row.get(1)?,
                end: row.get(2)?,
                interruptions: Vec::new(),
            });
        }
        let kind: Option<String> = row.get(3)?;
        if let (Some(kind), Some(session)) = (kind, sessions.last_mut()) {
            session.interruptions.push(InterruptionSpan {
                kind: InterruptionKind::from_name(&kind).unwrap_or(InterruptionKind::Unknown),
                start: row.get(4)?,
                end: row.get(5)?,
            });
        }
    }
    Ok(sessions)
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
