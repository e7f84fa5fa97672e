//! SQL for the `users` table.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    idempotency,
    rows::{self, is_unique_violation},
};
use crate::{
    db::{Credentials, Registration, StoreError, StoreResult},
    domain::{
        RuleViolation,
        idempotency::RegistrationKey,
        time::from_unix_seconds,
        user::{NewUser, User, UserPatch},
    },
};

/// Inserts the user, or with the key of an earlier registration answers
/// with that one.
pub fn register(
    conn: &Connection,
    new: &NewUser,
    token_hash: &[u8],
    now: Timestamp,
    key: Option<&RegistrationKey>,
) -> StoreResult<Registration> {
    let Some(key) = key else {
        return insert(conn, new, token_hash, now).map(Registration::Created);
    };
    if let Some((id, sealed_secret)) =
        idempotency::replayed_registration(conn, key, now.as_second())?
    {
        let user = get(conn, id)?;
        return Ok(Registration::Replayed {
            user,
            sealed_secret,
        });
    }
    let user = insert(conn, new, token_hash, now)?;
    idempotency::record_registration(conn, key, user.id, now.as_second())?;
    Ok(Registration::Created(user))
}

fn insert(
    conn: &Connection,
    new: &NewUser,
    token_hash: &[u8],
    now: Timestamp,
) -> StoreResult<User> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO users (name, email, email_key, timezone, token_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            new.name.as_str(),
            new.email.as_str(),
            new.email.key(),
            new.timezone.as_str(),
            token_hash,
            now.as_second()
        ]);
    match inserted {
        Ok(_) => get(conn, conn.last_insert_rowid()),
        Err(e) if is_unique_violation(&e) => Err(RuleViolation::Conflict(format!(
            "a user with the email {} already exists (emails are compared ignoring case)",
            new.email.as_str()
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}

pub fn credentials(conn: &Connection, id: i64) -> StoreResult<Option<Credentials>> {
    Ok(conn
        .prepare_cached("SELECT token_hash, timezone FROM users WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Credentials {
                token_hash: row.get(0)?,
                timezone: row.get(1)?,
            })
        })
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> StoreResult<User> {
    conn.prepare_cached("SELECT id, name, email, timezone, created_at FROM users WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(User {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                timezone: row.get(3)?,
                created_at: from_unix_seconds(row.get(4)?),
            })
        })
        .optional()?
        .ok_or(StoreError::NotFound("user"))
}

pub fn update(conn: &Connection, id: i64, patch: &UserPatch) -> StoreResult<User> {
    conn.prepare_cached(
        "UPDATE users SET name = COALESCE(?2, name), timezone = COALESCE(?3, timezone) WHERE id = ?1",
    )?
    .execute(params![
        id,
        patch.name.as_ref().map(|n| n.as_str()),
        patch.timezone.as_ref().map(|t| t.as_str())
    ])?;
    get(conn, id)
}

pub fn replace_token(conn: &Connection, id: i64, token_hash: &[u8]) -> StoreResult<User> {
    conn.prepare_cached("UPDATE users SET token_hash = ?2 WHERE id = ?1")?
        .execute(params![id, token_hash])?;
    idempotency::forget_registration(conn, id)?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM users WHERE id = ?1")?
        .execute([id])?;
    rows::changed_one(deleted, "user")
}
