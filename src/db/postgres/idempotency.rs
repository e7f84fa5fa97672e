//! SQL for `idempotency_keys`.

use deadpool_postgres::GenericClient;

use super::sql;
use crate::{
    db::StoreResult,
    domain::idempotency::{self, Idempotency, StoredKey},
};

/// The id created by an earlier use of the key, if it is a replay.
pub async fn replayed<C: GenericClient>(
    c: &C,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
) -> StoreResult<Option<i64>> {
    let Some(key) = key else { return Ok(None) };
    let stored = sql::row(
        c,
        "SELECT request_hash, resource, resource_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        &[&user_id, &key.key],
    )
    .await?
    .map(|row| StoredKey {
        request_hash: row.get(0),
        resource: row.get(1),
        resource_id: row.get(2),
    });
    Ok(idempotency::replay(stored.as_ref(), key, resource)?)
}

/// Remembers what the key created, in the same transaction.
pub async fn record<C: GenericClient>(
    c: &C,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
    id: i64,
    now: i64,
) -> StoreResult<()> {
    if let Some(key) = key {
        sql::execute(
            c,
            "INSERT INTO idempotency_keys (user_id, key, request_hash, resource, resource_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&user_id, &key.key, &key.request_hash.as_slice(), &resource, &id, &now],
        )
        .await?;
    }
    Ok(())
}
