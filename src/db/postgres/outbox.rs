//! SQL for the webhook outbox: events written with the changes that cause
//! them, and their deliveries' attempts. Processes share the deliveries:
//! each claims due rows with `FOR UPDATE SKIP LOCKED`, leasing them, and a
//! committed event NOTIFYs every process so that one starts on it at once.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::{
    sql,
    webhooks::{WEBHOOK_COLUMNS, webhook},
};
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

/// The channel a committed event wakes the processes' deliveries on.
pub const CHANNEL: &str = "hyperfocus_outbox";

/// Writes `event_type` for every enabled endpoint of the user that takes
/// it, in the caller's transaction: one statement, which inserts nothing
/// for a user without such an endpoint.
pub async fn record<C: GenericClient>(
    c: &C,
    user_id: i64,
    event_type: &str,
    at: Timestamp,
    data: serde_json::Value,
) -> StoreResult<()> {
    let id = events::new_id().map_err(|e| StoreError::Internal(e.into()))?;
    let body = events::webhook_body(&id, event_type, at, &data);
    let written = sql::execute(
        c,
        "INSERT INTO webhook_deliveries
             (webhook_id, event_id, event_type, body, created_at, next_attempt_at)
         SELECT id, $3, $4, $5, $6, $6 FROM webhooks
         WHERE user_id = $1 AND enabled AND (',' || events || ',') LIKE $2",
        &[
            &user_id,
            &format!("%,{event_type},%"),
            &id,
            &event_type,
            &body,
            &wall_ms(),
        ],
    )
    .await?;
    if written > 0 {
        wake(c).await?;
    }
    Ok(())
}

/// Tells every process, once the transaction commits, that deliveries
/// are due.
async fn wake<C: GenericClient>(c: &C) -> StoreResult<()> {
    sql::execute(c, "SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
    Ok(())
}

/// Writes a change of `session` as `kind` (a finished session's start
/// also as its end: [`EventKind::for_change`]).
pub async fn session<C: GenericClient>(
    c: &C,
    kind: EventKind,
    session: &Session,
    at: Timestamp,
) -> StoreResult<()> {
    let data = json(SessionOut::from(session.clone()));
    for &kind in kind.for_change(session.end) {
        record(c, session.user_id, kind.name(), at, data.clone()).await?;
    }
    Ok(())
}

/// Writes a change of `interruption` as `kind`.
pub async fn interruption<C: GenericClient>(
    c: &C,
    kind: EventKind,
    interruption: &Interruption,
    at: Timestamp,
) -> StoreResult<()> {
    let data = json(InterruptionOut::from(interruption.clone()));
    record(c, interruption.user_id, kind.name(), at, data).await
}

/// Writes that resource `id` of the user is gone.
pub async fn deleted<C: GenericClient>(
    c: &C,
    kind: EventKind,
    user_id: i64,
    id: i64,
    at: Timestamp,
) -> StoreResult<()> {
    record(c, user_id, kind.name(), at, serde_json::json!({ "id": id })).await
}

/// Claims due deliveries of enabled endpoints, leasing them; rows another
/// process is claiming are skipped, not waited for.
pub async fn claim<C: GenericClient>(
    c: &C,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> StoreResult<Vec<DueDelivery>> {
    let columns = qualified(WEBHOOK_COLUMNS, "w");
    let rows = sql::rows(
        c,
        &format!(
            "WITH due AS (
                 SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND w.enabled
                   AND (d.lease_until IS NULL OR d.lease_until <= $1)
                 ORDER BY d.next_attempt_at LIMIT $3
                 FOR UPDATE OF d SKIP LOCKED)
             UPDATE webhook_deliveries d SET lease_until = $2
             FROM due, webhooks w
             WHERE d.id = due.id AND w.id = d.webhook_id
             RETURNING {columns}, w.last_success_at, d.id, d.event_id, d.body, d.attempts"
        ),
        &[&now_ms, &lease_until_ms, &i64::from(limit)],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|row| DueDelivery {
            webhook: webhook(row),
            last_success_at: row.get(11),
            id: row.get(12),
            event_id: row.get(13),
            body: row.get(14),
            attempts: row.get(15),
        })
        .collect())
}

/// Records attempts and their consequences, in the caller's transaction,
/// and ends their claims.
pub async fn record_attempts<C: GenericClient>(
    c: &C,
    attempts: &[AttemptRecord],
) -> StoreResult<()> {
    for attempt in attempts {
        sql::execute(
            c,
            "UPDATE webhook_deliveries
             SET state = $2, attempts = attempts + 1,
                 next_attempt_at = COALESCE($3, next_attempt_at), lease_until = NULL,
                 attempt_log = attempt_log || $4
             WHERE id = $1",
            &[
                &attempt.delivery_id,
                &attempt.state.name(),
                &attempt.next_attempt_at_ms,
                &attempt.row().log_line(),
            ],
        )
        .await?;
        if let Some(at) = attempt.success_at {
            sql::execute(
                c,
                "UPDATE webhooks SET last_success_at = $2 WHERE id = $1",
                &[&attempt.webhook_id, &at],
            )
            .await?;
        }
        if let Some(reason) = &attempt.disable {
            sql::execute(
                c,
                "UPDATE webhooks SET enabled = FALSE, disabled_reason = $2 WHERE id = $1",
                &[&attempt.webhook_id, reason],
            )
            .await?;
        }
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.webhook_id, d.event_id, d.event_type, d.state, d.created_at,
    d.next_attempt_at, d.attempt_log";

fn delivery(row: &Row) -> DeliveryRecord {
    let state = DeliveryState::parse(row.get(4));
    DeliveryRecord {
        id: row.get(0),
        webhook_id: row.get(1),
        event_id: row.get(2),
        event_type: row.get(3),
        state,
        created_at_ms: row.get(5),
        next_attempt_at_ms: (state == DeliveryState::Pending).then(|| row.get(6)),
        attempts: AttemptRow::parse_log(row.get(7)),
    }
}

/// The endpoint's recent deliveries, newest first, with their attempts.
pub async fn list<C: GenericClient>(
    c: &C,
    user_id: i64,
    webhook_id: i64,
    since_ms: i64,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<DeliveryRecord>> {
    super::webhooks::get(c, user_id, webhook_id).await?;
    let rows = sql::rows(
        c,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             WHERE d.webhook_id = $1 AND d.created_at >= $2 AND d.id < $3
             ORDER BY d.id DESC LIMIT $4"
        ),
        &[
            &webhook_id,
            &since_ms,
            &before.unwrap_or(i64::MAX),
            &i64::from(limit),
        ],
    )
    .await?;
    Ok(rows.iter().map(delivery).collect())
}

/// One delivery of the user's endpoint, with its attempts.
pub async fn get<C: GenericClient>(
    c: &C,
    user_id: i64,
    webhook_id: i64,
    id: i64,
) -> StoreResult<DeliveryRecord> {
    let row = sql::row(
        c,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.id = $1 AND d.webhook_id = $2 AND w.user_id = $3"
        ),
        &[&id, &webhook_id, &user_id],
    )
    .await?
    .ok_or(StoreError::NotFound("delivery"))?;
    Ok(delivery(&row))
}

/// Makes a delivery due now, in the caller's transaction.
pub async fn retry<C: GenericClient>(
    c: &C,
    user_id: i64,
    webhook_id: i64,
    id: i64,
    now_ms: i64,
) -> StoreResult<DeliveryRecord> {
    get(c, user_id, webhook_id, id).await?;
    sql::execute(
        c,
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2, lease_until = NULL
         WHERE id = $1",
        &[&id, &now_ms],
    )
    .await?;
    wake(c).await?;
    get(c, user_id, webhook_id, id).await
}

/// Deletes settled deliveries written before `before_ms`, oldest first.
/// Ids grow with time: the scan stops at the first row that is kept by
/// age, so it reads the old rows only.
pub async fn purge<C: GenericClient>(c: &C, before_ms: i64, batch: u32) -> StoreResult<u64> {
    Ok(sql::execute(
        c,
        "DELETE FROM webhook_deliveries WHERE id IN (
             SELECT id FROM webhook_deliveries
             WHERE id < COALESCE(
                       (SELECT id FROM webhook_deliveries WHERE created_at >= $1 ORDER BY id LIMIT 1),
                       9223372036854775807)
               AND state <> 'pending'
             ORDER BY id LIMIT $2)",
        &[&before_ms, &i64::from(batch)],
    )
    .await?)
}

/// The users with an enabled endpoint for goal events.
pub async fn goal_watchers<C: GenericClient>(c: &C) -> StoreResult<Vec<i64>> {
    let rows = sql::rows(
        c,
        "SELECT DISTINCT user_id FROM webhooks
         WHERE enabled AND ((',' || events || ',') LIKE '%,goal.met,%'
                         OR (',' || events || ',') LIKE '%,goal.missed,%')
         ORDER BY user_id",
        &[],
    )
    .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Records a goal's period once, with its event, in the caller's
/// transaction.
pub async fn record_goal_outcome<C: GenericClient>(
    c: &C,
    user_id: i64,
    goal_id: i64,
    period_start: &str,
    met: bool,
    data: serde_json::Value,
    now: Timestamp,
) -> StoreResult<bool> {
    let inserted = sql::execute(
        c,
        "INSERT INTO goal_outcomes (goal_id, period_start, met, decided_at)
         SELECT id, $2, $3, $4 FROM goals WHERE id = $1 AND user_id = $5
         ON CONFLICT DO NOTHING",
        &[&goal_id, &period_start, &met, &now.as_second(), &user_id],
    )
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let event = if met { "goal.met" } else { "goal.missed" };
    record(c, user_id, event, now, data).await?;
    Ok(true)
}
