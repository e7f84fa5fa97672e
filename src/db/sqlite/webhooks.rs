//! SQL for `webhooks`.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::{
    db::{StoreError, StoreResult},
    domain::{
        time::from_unix_seconds,
        webhooks::{self, NewWebhook, Webhook, WebhookPatch},
    },
};

pub(super) const WEBHOOK_COLUMNS: &str =
    "id, user_id, url, events, description, enabled, disabled_reason,
    secret, previous_secret, previous_expires_at, created_at";

pub(super) fn webhook(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    let events: String = row.get(3)?;
    let previous: Option<Vec<u8>> = row.get(8)?;
    let expires: Option<i64> = row.get(9)?;
    Ok(Webhook {
        id: row.get(0)?,
        user_id: row.get(1)?,
        url: row.get(2)?,
        events: events.split(',').map(str::to_owned).collect(),
        description: row.get(4)?,
        enabled: row.get(5)?,
        disabled_reason: row.get(6)?,
        sealed_secret: row.get(7)?,
        previous: previous.zip(expires),
        created_at: from_unix_seconds(row.get(10)?),
    })
}

/// Adds an endpoint within the per-user cap, in the writer's transaction.
pub fn create(
    conn: &Connection,
    user_id: i64,
    new: &NewWebhook,
    sealed_secret: &[u8],
    now: Timestamp,
) -> StoreResult<Webhook> {
    let held: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM webhooks WHERE user_id = ?1")?
        .query_row([user_id], |row| row.get(0))?;
    webhooks::check_room(held)?;
    conn.prepare_cached(
        "INSERT INTO webhooks (user_id, url, events, description, secret, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        user_id,
        new.url.as_str(),
        new.events.join(","),
        new.description,
        sealed_secret,
        now.as_second()
    ])?;
    get(conn, user_id, conn.last_insert_rowid())
}

pub fn list(conn: &Connection, user_id: i64) -> StoreResult<Vec<Webhook>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE user_id = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([user_id], webhook)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, user_id: i64, id: i64) -> StoreResult<Webhook> {
    conn.prepare_cached(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1 AND user_id = ?2"
    ))?
    .query_row([id, user_id], webhook)
    .optional()?
    .ok_or(StoreError::NotFound("webhook"))
}

pub fn update(
    conn: &Connection,
    user_id: i64,
    id: i64,
    patch: &WebhookPatch,
) -> StoreResult<Webhook> {
    let changed = conn
        .prepare_cached(
            "UPDATE webhooks SET url = COALESCE(?3, url), events = COALESCE(?4, events),
                 description = COALESCE(?5, description), enabled = COALESCE(?6, enabled),
                 disabled_reason = CASE WHEN ?6 = 1 THEN NULL ELSE disabled_reason END
             WHERE id = ?1 AND user_id = ?2",
        )?
        .execute(params![
            id,
            user_id,
            patch.url.as_ref().map(|u| u.as_str()),
            patch.events.as_ref().map(|e| e.join(",")),
            patch.description,
            patch.enabled
        ])?;
    match changed {
        0 => Err(StoreError::NotFound("webhook")),
        _ => get(conn, user_id, id),
    }
}

/// Makes `sealed_secret` the secret, the current one signing on until
/// `old_until`.
pub fn rotate(
    conn: &Connection,
    user_id: i64,
    id: i64,
    sealed_secret: &[u8],
    old_until: i64,
) -> StoreResult<Webhook> {
    let changed = conn
        .prepare_cached(
            "UPDATE webhooks SET previous_secret = secret, previous_expires_at = ?4, secret = ?3
             WHERE id = ?1 AND user_id = ?2",
        )?
        .execute(params![id, user_id, sealed_secret, old_until])?;
    match changed {
        0 => Err(StoreError::NotFound("webhook")),
        _ => get(conn, user_id, id),
    }
}

pub fn delete(conn: &Connection, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM webhooks WHERE id = ?1 AND user_id = ?2")?
        .execute([id, user_id])?;
    match deleted {
        0 => Err(StoreError::NotFound("webhook")),
        _ => Ok(()),
    }
}
