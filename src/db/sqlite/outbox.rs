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

/// Writes a change of `session` as `kind`.
pub fn session(
    conn: &Connection,
    kind: EventKind,
    session: &Session,
    at: Timestamp,
) -> StoreResult<()> {
    record(conn, session.user_id, kind, at, || {
        json(SessionOut::from(session.clone()))
    })
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

/// Claims due deliveries of enabled endpoints, leasing them.
pub fn claim(
    conn: &Connection,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> StoreResult<Vec<DueDelivery>> {
    let columns = qualified(WEBHOOK_COLUMNS, "w");
    let mut due = conn.prepare_cached(&format!(
        "SELECT {columns}, w.last_success_at, d.id, d.event_id, d.body, d.attempts
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 AND w.enabled
           AND (d.lease_until IS NULL OR d.lease_until <= ?1)
         ORDER BY d.next_attempt_at LIMIT ?2"
    ))?;
    let claimed: Vec<DueDelivery> = due
        .query_map(params![now_ms, limit], |row| {
            Ok(DueDelivery {
                webhook: webhook(row)?,
                last_success_at: row.get(11)?,
                id: row.get(12)?,
                event_id: row.get(13)?,
                body: row.get(14)?,
                attempts: row.get(15)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut lease =
        conn.prepare_cached("UPDATE webhook_deliveries SET lease_until = ?2 WHERE id = ?1")?;
    for delivery in &claimed {
        lease.execute([delivery.id, lease_until_ms])?;
    }
    Ok(claimed)
}

/// Records an attempt and its consequences.
pub fn record_attempt(conn: &Connection, attempt: &AttemptRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at, status, latency_ms, error)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        attempt.delivery_id,
        attempt.attempted_at_ms,
        attempt.status,
        attempt.latency_ms,
        attempt.error,
    ])?;
    conn.prepare_cached(
        "UPDATE webhook_deliveries
         SET state = ?2, attempts = attempts + 1,
             next_attempt_at = COALESCE(?3, next_attempt_at), lease_until = NULL
         WHERE id = ?1",
    )?
    .execute(params![
        attempt.delivery_id,
        attempt.state.name(),
        attempt.next_attempt_at_ms,
    ])?;
    if attempt.state == DeliveryState::Delivered {
        conn.prepare_cached("UPDATE webhooks SET last_success_at = ?2 WHERE id = ?1")?
            .execute([attempt.webhook_id, attempt.now])?;
    }
    if let Some(reason) = &attempt.disable {
        conn.prepare_cached("UPDATE webhooks SET enabled = 0, disabled_reason = ?2 WHERE id = ?1")?
            .execute(params![attempt.webhook_id, reason])?;
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.webhook_id, d.event_id, d.event_type, d.state, d.created_at, d.next_attempt_at";

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
        attempts: Vec::new(),
    })
}

fn attempts_of(conn: &Connection, record: &mut DeliveryRecord) -> StoreResult<()> {
    record.attempts = conn
        .prepare_cached(
            "SELECT attempted_at, status, latency_ms, error FROM webhook_attempts
             WHERE delivery_id = ?1 ORDER BY id",
        )?
        .query_map([record.id], |row| {
            Ok(AttemptRow {
                attempted_at_ms: row.get(0)?,
                status: row.get(1)?,
                latency_ms: row.get(2)?,
                error: row.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
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
    let mut records: Vec<DeliveryRecord> = conn
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
    for record in &mut records {
        attempts_of(conn, record)?;
    }
    Ok(records)
}

/// One delivery of the user's endpoint, with its attempts.
pub fn get(
    conn: &Connection,
    user_id: i64,
    webhook_id: i64,
    id: i64,
) -> StoreResult<DeliveryRecord> {
    let mut record = conn
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.id = ?1 AND d.webhook_id = ?2 AND w.user_id = ?3"
        ))?
        .query_row([id, webhook_id, user_id], delivery)
        .optional()?
        .ok_or(StoreError::NotFound("delivery"))?;
    attempts_of(conn, &mut record)?;
    Ok(record)
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
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2, lease_until = NULL
         WHERE id = ?1",
    )?
    .execute([id, now_ms])?;
    WRITTEN.with(|written| written.set(true));
    get(conn, user_id, webhook_id, id)
}

/// Deletes settled deliveries written before `before_ms`.
pub fn purge(conn: &Connection, before_ms: i64, batch: u32) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM webhook_deliveries WHERE id IN (
                 SELECT id FROM webhook_deliveries
                 WHERE created_at < ?1 AND state <> 'pending' ORDER BY created_at LIMIT ?2)",
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

/// Frees every claim: at start-up, the one process a SQLite file has can
/// hold none, so a claim left is a killed process's, due again at once.
pub fn release_claims(conn: &Connection) -> StoreResult<u64> {
    let released = conn.execute(
        "UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL",
        [],
    )?;
    Ok(u64::try_from(released).unwrap_or(0))
}
