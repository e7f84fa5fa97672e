//! SQL for `webhooks`.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::sql;
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

pub(super) fn webhook(row: &Row) -> Webhook {
    let events: String = row.get(3);
    let previous: Option<Vec<u8>> = row.get(8);
    let expires: Option<i64> = row.get(9);
    Webhook {
        id: row.get(0),
        user_id: row.get(1),
        url: row.get(2),
        events: events.split(',').map(str::to_owned).collect(),
        description: row.get(4),
        enabled: row.get(5),
        disabled_reason: row.get(6),
        sealed_secret: row.get(7),
        previous: previous.zip(expires),
        created_at: from_unix_seconds(row.get(10)),
    }
}

fn found(row: Option<Row>) -> StoreResult<Webhook> {
    row.as_ref()
        .map(webhook)
        .ok_or(StoreError::NotFound("webhook"))
}

/// Runs in a transaction that locks the user's row first, so two adds
/// cannot both take the last place under the cap.
pub async fn create<C: GenericClient>(
    c: &C,
    user_id: i64,
    new: &NewWebhook,
    sealed_secret: &[u8],
    now: Timestamp,
) -> StoreResult<Webhook> {
    super::sessions::lock_user(c, user_id).await?;
    let held: i64 = sql::row(
        c,
        "SELECT COUNT(*) FROM webhooks WHERE user_id = $1",
        &[&user_id],
    )
    .await?
    .map_or(0, |row| row.get(0));
    webhooks::check_room(held)?;
    let row = sql::returning(
        c,
        &format!(
            "INSERT INTO webhooks (user_id, url, events, description, secret, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {WEBHOOK_COLUMNS}"
        ),
        &[
            &user_id,
            &new.url.as_str(),
            &new.events.join(","),
            &new.description,
            &sealed_secret,
            &now.as_second(),
        ],
    )
    .await?;
    Ok(webhook(&row))
}

pub async fn list<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<Vec<Webhook>> {
    Ok(sql::rows(
        c,
        &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE user_id = $1 ORDER BY id"),
        &[&user_id],
    )
    .await?
    .iter()
    .map(webhook)
    .collect())
}

pub async fn get<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<Webhook> {
    found(
        sql::row(
            c,
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 AND user_id = $2"),
            &[&id, &user_id],
        )
        .await?,
    )
}

pub async fn update<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    patch: &WebhookPatch,
) -> StoreResult<Webhook> {
    found(
        sql::row(
            c,
            &format!(
                "UPDATE webhooks SET url = COALESCE($3, url), events = COALESCE($4, events),
                     description = COALESCE($5, description), enabled = COALESCE($6, enabled),
                     disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END
                 WHERE id = $1 AND user_id = $2 RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[
                &id,
                &user_id,
                &patch.url.as_ref().map(|u| u.as_str()),
                &patch.events.as_ref().map(|e| e.join(",")),
                &patch.description,
                &patch.enabled,
            ],
        )
        .await?,
    )
}

pub async fn rotate<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    sealed_secret: &[u8],
    old_until: i64,
) -> StoreResult<Webhook> {
    found(
        sql::row(
            c,
            &format!(
                "UPDATE webhooks SET previous_secret = secret, previous_expires_at = $4, secret = $3
                 WHERE id = $1 AND user_id = $2 RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[&id, &user_id, &sealed_secret, &old_until],
        )
        .await?,
    )
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<()> {
    match sql::execute(
        c,
        "DELETE FROM webhooks WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
    )
    .await?
    {
        0 => Err(StoreError::NotFound("webhook")),
        _ => Ok(()),
    }
}
