//! SQL for the webhook outbox: events written with the changes that cause
//! them, and their deliveries' attempts.

use std::cell::Cell;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::webhooks::{WEBHOOK_COLUMNS, webhook};
use crate::{
    db::{
        AttemptRecord, AttemptRow, DeliveryRecord, DueDelivery, StoreError, StoreResult, qualified,
        wall_ms,
    },
    domain::{
        delivery::DeliveryState,
        events::{self, EventKind, json},
        interruption::Interruption,
        session::Session,
        views::{InterruptionOut, SessionOut},
    },
};

thread_local! {
    /// Set on the writer thread when a job wrote an event for an endpoint;
    /// the writer reads and clears it after each commit.
    static WRITTEN: Cell<bool> = const { Cell::new(false) };
}

/// Whether an event was written since the last call.
pub fn take_written() -> bool {
    WRITTEN.with(|written| written.replace(false))
}

/// Writes `kind` for every enabled endpoint of the user that takes it, in
/// the caller's transaction; `data` is built only when one does.
pub fn record(
    conn: &Connection,
    user_id: i64,
    kind: EventKind,
    at: Timestamp,
    data: impl FnOnce() -> serde_json::Value,
) -> StoreResult<()> {
    record_named(conn, user_id, kind.name(), at, data)
}

/// Writes a change of `session` as `kind` (a finished session's start
/// also as its end: [`EventKind::for_change`]).
pub fn session(
    conn: &Connection,
    kind: EventKind,
    session: &Session,
    at: Timestamp,
) -> StoreResult<()> {
    for &kind in kind.for_change(session.end) {
        record(conn, session.user_id, kind, at, || {
            json(SessionOut::from(session.clone()))
        })?;
    }
    Ok(())
}

/// Writes a change of `interruption` as `kind`.
pub fn interruption(
    conn: &Connection,
    kind: EventKind,
    interruption: &Interruption,
    at: Timestamp,
) -> StoreResult<()> {
    record(conn, interruption.user_id, kind, at, || {
        json(InterruptionOut::from(interruption.clone()))
    })
}

/// Writes that resource `id` of the user is gone.
pub fn deleted(
    conn: &Connection,
    kind: EventKind,
    user_id: i64,
    id: i64,
    at: Timestamp,
) -> StoreResult<()> {
    record(conn, user_id, kind, at, || serde_json::json!({ "id": id }))
}

/// [`record`] for any event type, `goal.met` and `goal.missed` included.
pub fn record_named(
    conn: &Connection,
    user_id: i64,
    event_type: &str,
    at: Timestamp,
    data: impl FnOnce() -> serde_json::Value,
) -> StoreResult<()> {
    let endpoints: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM webhooks
             WHERE user_id = ?1 AND enabled AND (',' || events || ',') LIKE ?2",
        )?
        .query_map(params![user_id, format!("%,{event_type},%")], |row| {
            row.get(0)
        })?
        .collect::<Result<_, _>>()?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let id = events::new_id().map_err(|e| StoreError::Internal(e.into()))?;
    let body = events::webhook_body(&id, event_type, at, &data());
    let now_ms = wall_ms();
    let mut insert = conn.prepare_cached(
        "INSERT INTO webhook_deliveries
             (webhook_id, event_id, event_type, body, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    for endpoint in endpoints {
        insert.execute(params![endpoint, id, event_type, body, now_ms])?;
    }
    WRITTEN.with(|written| written.set(true));
    Ok(())
}

/// Due deliveries of enabled endpoints, oldest due first, at most `limit`
/// that `claimed` does not hold: a read, since the one process keeps its
/// claims in memory.
pub fn due(
    conn: &Connection,
    now_ms: i64,
    limit: usize,
    claimed: &std::collections::HashMap<i64, i64>,
) -> StoreResult<Vec<DueDelivery>> {
    let columns = qualified(WEBHOOK_COLUMNS, "w");
    let mut due = conn.prepare_cached(&format!(
        "SELECT {columns}, w.last_success_at, d.id, d.event_id, d.body, d.attempts
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 AND w.enabled
         ORDER BY d.next_attempt_at LIMIT ?2"
    ))?;
    let wanted = i64::try_from(limit + claimed.len()).unwrap_or(i64::MAX);
    let rows = due.query_map(params![now_ms, wanted], |row| {
        Ok(DueDelivery {
            webhook: webhook(row)?,
            last_success_at: row.get(11)?,
            id: row.get(12)?,
            event_id: row.get(13)?,
            body: row.get(14)?,
            attempts: row.get(15)?,
        })
    })?;
    let mut found = Vec::with_capacity(limit);
    for delivery in rows {
        let delivery = delivery?;
        if !claimed.contains_key(&delivery.id) {
            found.push(delivery);
        }
        if found.len() == limit {
            break;
        }
    }
    Ok(found)
}

/// Records attempts and their consequences.
pub fn record_attempts(conn: &Connection, attempts: &[AttemptRecord]) -> StoreResult<()> {
    let mut delivery = conn.prepare_cached(
        "UPDATE webhook_deliveries
         SET state = ?2, attempts = attempts + 1,
             next_attempt_at = COALESCE(?3, next_attempt_at), attempt_log = attempt_log || ?4
         WHERE id = ?1",
    )?;
    for attempt in attempts {
        delivery.execute(params![
            attempt.delivery_id,
            attempt.state.name(),
            attempt.next_attempt_at_ms,
            attempt.row().log_line(),
        ])?;
        if let Some(at) = attempt.success_at {
            conn.prepare_cached("UPDATE webhooks SET last_success_at = ?2 WHERE id = ?1")?
                .execute([attempt.webhook_id, at])?;
        }
        if let Some(reason) = &attempt.disable {
            conn.prepare_cached(
                "UPDATE webhooks SET enabled = 0, disabled_reason = ?2 WHERE id = ?1",
            )?
            .execute(params![attempt.webhook_id, reason])?;
        }
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.webhook_id, d.event_id, d.event_type, d.state, d.created_at,
    d.next_attempt_at, d.attempt_log";

fn delivery(row: &Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    let state = DeliveryState::parse(&row.get::<_, String>(4)?);
    Ok(DeliveryRecord {
        id: row.get(0)?,
        webhook_id: row.get(1)?,
        event_id: row.get(2)?,
        event_type: row.get(3)?,
        state,
        created_at_ms: row.get(5)?,
        next_attempt_at_ms: (state == DeliveryState::Pending)
            .then(|| row.get(6))
            .transpose()?,
        attempts: AttemptRow::parse_log(&row.get::<_, String>(7)?),
    })
}

/// The endpoint's recent deliveries, newest first, with their attempts.
pub fn list(
    conn: &Connection,
    user_id: i64,
    webhook_id: i64,
    since_ms: i64,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<DeliveryRecord>> {
    super::webhooks::get(conn, user_id, webhook_id)?;
    let records: Vec<DeliveryRecord> = conn
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             WHERE d.webhook_id = ?1 AND d.created_at >= ?2 AND d.id < ?3
             ORDER BY d.id DESC LIMIT ?4"
        ))?
        .query_map(
            params![webhook_id, since_ms, before.unwrap_or(i64::MAX), limit],
            delivery,
        )?
        .collect::<Result<_, _>>()?;
    Ok(records)
}

/// One delivery of the user's endpoint, with its attempts.
pub fn get(
    conn: &Connection,
    user_id: i64,
    webhook_id: i64,
    id: i64,
) -> StoreResult<DeliveryRecord> {
    conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.id = ?1 AND d.webhook_id = ?2 AND w.user_id = ?3"
    ))?
    .query_row([id, webhook_id, user_id], delivery)
    .optional()?
    .ok_or(StoreError::NotFound("delivery"))
}

/// Makes a delivery due now.
pub fn retry(
    conn: &Connection,
    user_id: i64,
    webhook_id: i64,
    id: i64,
    now_ms: i64,
) -> StoreResult<DeliveryRecord> {
    get(conn, user_id, webhook_id, id)?;
    conn.prepare_cached(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1",
    )?
    .execute([id, now_ms])?;
    WRITTEN.with(|written| written.set(true));
    get(conn, user_id, webhook_id, id)
}

/// Deletes settled deliveries written before `before_ms`, oldest first.
/// Ids grow with time: the scan stops at the first row that is kept by
/// age, so it reads the old rows only.
pub fn purge(conn: &Connection, before_ms: i64, batch: u32) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM webhook_deliveries WHERE id IN (
                 SELECT id FROM webhook_deliveries
                 WHERE id < COALESCE(
                           (SELECT id FROM webhook_deliveries WHERE created_at >= ?1 ORDER BY id LIMIT 1),
                           9223372036854775807)
                   AND state <> 'pending'
                 ORDER BY id LIMIT ?2)",
        )?
        .execute(params![before_ms, batch])?;
    Ok(u64::try_from(deleted).unwrap_or(0))
}

/// The users with an enabled endpoint for goal events.
pub fn goal_watchers(conn: &Connection) -> StoreResult<Vec<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT user_id FROM webhooks
             WHERE enabled AND ((',' || events || ',') LIKE '%,goal.met,%'
                             OR (',' || events || ',') LIKE '%,goal.missed,%')
             ORDER BY user_id",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Records a goal's period once, with its event.
pub fn record_goal_outcome(
    conn: &Connection,
    user_id: i64,
    goal_id: i64,
    period_start: &str,
    met: bool,
    data: serde_json::Value,
    now: Timestamp,
) -> StoreResult<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO goal_outcomes (goal_id, period_start, met, decided_at)
             SELECT id, ?2, ?3, ?4 FROM goals WHERE id = ?1 AND user_id = ?5
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            goal_id,
            period_start,
            met,
            now.as_second(),
            user_id
        ])?;
    if inserted == 0 {
        return Ok(false);
    }
    let event = if met { "goal.met" } else { "goal.missed" };
    record_named(conn, user_id, event, now, || data)?;
    Ok(true)
}
