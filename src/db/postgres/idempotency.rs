//! SQL for `idempotency_keys` and `registration_keys`.

use deadpool_postgres::GenericClient;

use super::sql;
use crate::{
    db::{ReplayedRegistration, StoreResult},
    domain::idempotency::{self, Idempotency, RegistrationKey, StoredKey, expiry_cutoff},
};

/// The id created by an earlier use of the key, if it is a replay.
pub async fn replayed<C: GenericClient>(
    c: &C,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
    now: i64,
) -> StoreResult<Option<i64>> {
    let Some(key) = key else { return Ok(None) };
    let stored = sql::row(
        c,
        "SELECT request_hash, resource, resource_id, created_at FROM idempotency_keys
         WHERE user_id = $1 AND key = $2",
        &[&user_id, &key.key],
    )
    .await?
    .map(|row| StoredKey {
        request_hash: row.get(0),
        resource: row.get(1),
        resource_id: row.get(2),
        created_at: row.get(3),
    });
    Ok(idempotency::replay(
        stored.as_ref(),
        &key.request_hash,
        resource,
        now,
    )?)
}

/// Remembers what the key created, in the same transaction. A row already
/// there under the key has expired (a live one is replayed or refused
/// first), so it is overwritten.
pub async fn record<C: GenericClient>(
    c: &C,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
    id: i64,
    now: i64,
) -> StoreResult<()> {
    let Some(key) = key else { return Ok(()) };
    sql::execute(
        c,
        "INSERT INTO idempotency_keys (user_id, key, request_hash, resource, resource_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
             resource = excluded.resource, resource_id = excluded.resource_id,
             created_at = excluded.created_at",
        &[&user_id, &key.key, &key.request_hash.as_slice(), &resource, &id, &now],
    )
    .await?;
    Ok(())
}

/// The user and sealed secret of an earlier registration with the key, if
/// this is a replay of it. Takes a transaction-long lock on the key first,
/// so that two registrations with one key are decided one after the other
/// (the second then sees the first and replays it).
pub async fn replayed_registration<C: GenericClient>(
    c: &C,
    key: &RegistrationKey,
    now: i64,
) -> StoreResult<Option<ReplayedRegistration>> {
    let mut lock = [0; 8];
    lock.copy_from_slice(&key.lookup[..8]);
    sql::execute(
        c,
        "SELECT pg_advisory_xact_lock($1)",
        &[&i64::from_be_bytes(lock)],
    )
    .await?;
    let Some(row) = sql::row(
        c,
        "SELECT request_hash, user_id, created_at, sealed_secret, token_id FROM registration_keys
         WHERE lookup = $1",
        &[&key.lookup.as_slice()],
    )
    .await?
    else {
        return Ok(None);
    };
    let stored = StoredKey {
        request_hash: row.get(0),
        resource: "user".into(),
        resource_id: row.get(1),
        created_at: row.get(2),
    };
    let user = idempotency::replay(Some(&stored), &key.request_hash, "user", now)?;
    Ok(user.map(|user_id| ReplayedRegistration {
        user_id,
        token_id: row.get(4),
        sealed_secret: row.get(3),
    }))
}

/// Remembers the registration, in its transaction, over an expired one
/// with the same key.
pub async fn record_registration<C: GenericClient>(
    c: &C,
    key: &RegistrationKey,
    user_id: i64,
    token_id: i64,
    now: i64,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO registration_keys (lookup, request_hash, user_id, token_id, sealed_secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lookup) DO UPDATE SET request_hash = excluded.request_hash,
             user_id = excluded.user_id, token_id = excluded.token_id,
             sealed_secret = excluded.sealed_secret, created_at = excluded.created_at",
        &[
            &key.lookup.as_slice(),
            &key.request_hash.as_slice(),
            &user_id,
            &token_id,
            &key.sealed_secret,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// Forgets a registration's key once its token is rotated: the sealed
/// secret no longer works and must not be handed out. (Revoking the token
/// deletes the key by cascade.)
pub async fn forget_registration<C: GenericClient>(c: &C, token_id: i64) -> StoreResult<()> {
    sql::execute(
        c,
        "DELETE FROM registration_keys WHERE token_id = $1",
        &[&token_id],
    )
    .await?;
    Ok(())
}

/// Deletes up to `batch` expired keys of each kind, oldest first; returns
/// how many went. Processes purging at once skip each other's rows.
pub async fn purge_expired<C: GenericClient>(c: &C, now: i64, batch: i64) -> StoreResult<u64> {
    let cutoff = expiry_cutoff(now);
    let keys = sql::execute(
        c,
        "DELETE FROM idempotency_keys WHERE (user_id, key) IN (
             SELECT user_id, key FROM idempotency_keys WHERE created_at <= $1
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&cutoff, &batch],
    )
    .await?;
    let registrations = sql::execute(
        c,
        "DELETE FROM registration_keys WHERE lookup IN (
             SELECT lookup FROM registration_keys WHERE created_at <= $1
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&cutoff, &batch],
    )
    .await?;
    Ok(keys + registrations)
}
