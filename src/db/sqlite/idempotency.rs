//! SQL for `idempotency_keys` and `registration_keys`.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    db::{ReplayedRegistration, StoreResult},
    domain::idempotency::{self, Idempotency, RegistrationKey, StoredKey, expiry_cutoff},
};

/// The id created by an earlier use of the key, if it is a replay.
pub fn replayed(
    conn: &Connection,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
    now: i64,
) -> StoreResult<Option<i64>> {
    let Some(key) = key else { return Ok(None) };
    let stored = conn
        .prepare_cached(
            "SELECT request_hash, resource, resource_id, created_at FROM idempotency_keys
             WHERE user_id = ?1 AND key = ?2",
        )?
        .query_row(params![user_id, key.key], |row| {
            Ok(StoredKey {
                request_hash: row.get(0)?,
                resource: row.get(1)?,
                resource_id: row.get(2)?,
                created_at: row.get(3)?,
            })
        })
        .optional()?;
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
pub fn record(
    conn: &Connection,
    user_id: i64,
    key: Option<&Idempotency>,
    resource: &str,
    id: i64,
    now: i64,
) -> StoreResult<()> {
    let Some(key) = key else { return Ok(()) };
    conn.prepare_cached(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, resource, resource_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
             resource = excluded.resource, resource_id = excluded.resource_id,
             created_at = excluded.created_at",
    )?
    .execute(params![user_id, key.key, key.request_hash.as_slice(), resource, id, now])?;
    Ok(())
}

/// The user, registration token and sealed secret of an earlier
/// registration with the key, if this is a replay of it.
pub fn replayed_registration(
    conn: &Connection,
    key: &RegistrationKey,
    now: i64,
) -> StoreResult<Option<ReplayedRegistration>> {
    let stored = conn
        .prepare_cached(
            "SELECT request_hash, user_id, created_at, sealed_secret, token_id FROM registration_keys
             WHERE lookup = ?1",
        )?
        .query_row([key.lookup.as_slice()], |row| {
            let stored = StoredKey {
                request_hash: row.get(0)?,
                resource: "user".into(),
                resource_id: row.get(1)?,
                created_at: row.get(2)?,
            };
            Ok((stored, row.get::<_, Vec<u8>>(3)?, row.get::<_, i64>(4)?))
        })
        .optional()?;
    let Some((stored, sealed_secret, token_id)) = stored else {
        return Ok(None);
    };
    let user = idempotency::replay(Some(&stored), &key.request_hash, "user", now)?;
    Ok(user.map(|user_id| ReplayedRegistration {
        user_id,
        token_id,
        sealed_secret,
    }))
}

/// Remembers the registration, in its transaction, over an expired one
/// with the same key.
pub fn record_registration(
    conn: &Connection,
    key: &RegistrationKey,
    user_id: i64,
    token_id: i64,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO registration_keys (lookup, request_hash, user_id, token_id, sealed_secret, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (lookup) DO UPDATE SET request_hash = excluded.request_hash,
             user_id = excluded.user_id, token_id = excluded.token_id,
             sealed_secret = excluded.sealed_secret, created_at = excluded.created_at",
    )?
    .execute(params![
        key.lookup.as_slice(),
        key.request_hash.as_slice(),
        user_id,
        token_id,
        key.sealed_secret,
        now
    ])?;
    Ok(())
}

/// Forgets a registration's key once its token is rotated: the sealed
/// secret no longer works and must not be handed out. (Revoking the token
/// deletes the key by cascade.)
pub fn forget_registration(conn: &Connection, token_id: i64) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM registration_keys WHERE token_id = ?1")?
        .execute([token_id])?;
    Ok(())
}

/// Deletes up to `batch` expired keys of each kind, oldest first; returns
/// how many went. Batches keep each transaction short however many expired.
pub fn purge_expired(conn: &Connection, now: i64, batch: i64) -> StoreResult<u64> {
    let cutoff = expiry_cutoff(now);
    let keys = conn
        .prepare_cached(
            "DELETE FROM idempotency_keys WHERE (user_id, key) IN (
                 SELECT user_id, key FROM idempotency_keys WHERE created_at <= ?1
                 ORDER BY created_at LIMIT ?2)",
        )?
        .execute(params![cutoff, batch])?;
    let registrations = conn
        .prepare_cached(
            "DELETE FROM registration_keys WHERE lookup IN (
                 SELECT lookup FROM registration_keys WHERE created_at <= ?1
                 ORDER BY created_at LIMIT ?2)",
        )?
        .execute(params![cutoff, batch])?;
    Ok((keys + registrations) as u64)
}
