//! SQL for the reports: the spans overlapping a window, through indexes.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::sql;
use crate::{
    db::StoreResult,
    domain::{
        interruption::InterruptionKind,
        stats::{InterruptionSpan, SessionSpan},
        time::from_unix_seconds,
    },
};

/// Sessions overlapping `[$2, $3)`: those starting inside it plus, at most,
/// the one that started last before it (two range reads of
/// `sessions_user_start`).
const WINDOW_SESSIONS: &str = "
    (SELECT id, start_time, end_time FROM sessions
     WHERE user_id = $1 AND start_time < $2 AND (end_time IS NULL OR end_time > $2)
       AND start_time = (SELECT max(start_time) FROM sessions WHERE user_id = $1 AND start_time < $2))
    UNION ALL
    (SELECT id, start_time, end_time FROM sessions
     WHERE user_id = $1 AND start_time >= $2 AND start_time < $3)";

/// Those sessions' interruptions overlapping the window, by start: one index
/// range read of `interruptions_session_start` per session.
///
/// Plans on PostgreSQL 15 with 60,000 sessions and 600,000 interruptions
/// (`EXPLAIN`, costs left out):
///
/// ```text
/// Append
///   ->  Index Scan using sessions_user_start on sessions
///         Index Cond: ((user_id = 5) AND (start_time < $from) AND (start_time = $1))
///         InitPlan 1: Index Only Scan using sessions_user_start (user_id = 5 AND start_time < $from)
///   ->  Index Scan using sessions_user_start on sessions
///         Index Cond: ((user_id = 5) AND (start_time >= $from) AND (start_time < $to))
/// Sort
///   ->  Index Only Scan using interruptions_session_start on interruptions
///         Index Cond: ((session_id = ANY ($ids)) AND (start_time < $to))
/// ```
const WINDOW_INTERRUPTIONS: &str = "
    SELECT session_id, kind, start_time, end_time FROM interruptions
    WHERE session_id = ANY($1) AND start_time < $3 AND (end_time IS NULL OR end_time > $2)
    ORDER BY start_time";

pub async fn window_spans<C: GenericClient>(
    c: &C,
    user_id: i64,
    from: i64,
    to: i64,
) -> StoreResult<Vec<SessionSpan>> {
    let sessions = sql::rows(c, WINDOW_SESSIONS, &[&user_id, &from, &to]).await?;
    let ids: Vec<i64> = sessions.iter().map(|r| r.get(0)).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut spans: Vec<SessionSpan> = sessions
        .iter()
        .map(|r| SessionSpan {
            start: r.get(1),
            end: r.get(2),
            interruptions: Vec::new(),
        })
        .collect();
    if ids.is_empty() {
        return Ok(spans);
    }
    for row in sql::rows(c, WINDOW_INTERRUPTIONS, &[&ids, &from, &to]).await? {
        if let Some(&at) = index.get(&row.get::<_, i64>(0)) {
            spans[at].interruptions.push(InterruptionSpan {
                kind: InterruptionKind::from_name(row.get(1)).unwrap_or(InterruptionKind::Unknown),
                start: row.get(2),
                end: row.get(3),
            });
        }
    }
    Ok(spans)
}

pub async fn first_session_start<C: GenericClient>(
    c: &C,
    user_id: i64,
) -> StoreResult<Option<Timestamp>> {
    let row = sql::row(
        c,
        "SELECT min(start_time) FROM sessions WHERE user_id = $1",
        &[&user_id],
    )
    .await?;
    Ok(row
        .and_then(|r| r.get::<_, Option<i64>>(0))
        .map(from_unix_seconds))
}
