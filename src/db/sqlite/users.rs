//! SQL for the `users` table.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    idempotency,
    rows::{self, is_unique_violation},
    tokens,
};
use crate::{
    db::{LoginAccount, Registration, SameName, StoreError, StoreResult},
    domain::{
        days::{DaySettings, DayStart, WeekStart},
        idempotency::RegistrationKey,
        time::from_unix_seconds,
        token::NewToken,
        user::{NewUser, User, UserPatch, duplicate_email},
    },
};

const USER_COLUMNS: &str = "id, name, email, timezone, created_at, week_start, day_start";

fn user(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        timezone: row.get(3)?,
        created_at: from_unix_seconds(row.get(4)?),
        days: DaySettings {
            week_start: WeekStart::from_stored(&row.get::<_, String>(5)?),
            day_start: DayStart::from_minutes(row.get(6)?),
        },
    })
}

/// Inserts the user and their registration token, or with the key of an
/// earlier registration answers with that one.
pub fn register(
    conn: &Connection,
    new: &NewUser,
    password_hash: Option<&str>,
    token: &NewToken,
    now: Timestamp,
    key: Option<&RegistrationKey>,
) -> StoreResult<Registration> {
    if let Some(key) = key
        && let Some(replay) = idempotency::replayed_registration(conn, key, now.as_second())?
    {
        return Ok(Registration::Replayed {
            user: get(conn, replay.user_id)?,
            token_id: replay.token_id,
            sealed_secret: replay.sealed_secret,
        });
    }
    let user = insert(conn, new, password_hash, now)?;
    let token = tokens::insert(conn, user.id, token, now, SameName::Keep)?;
    if let Some(key) = key {
        idempotency::record_registration(conn, key, user.id, token.id, now.as_second())?;
    }
    Ok(Registration::Created {
        user,
        token_id: token.id,
    })
}

fn insert(
    conn: &Connection,
    new: &NewUser,
    password_hash: Option<&str>,
    now: Timestamp,
) -> StoreResult<User> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO users (name, email, email_key, timezone, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            new.name.as_str(),
            new.email.as_str(),
            new.email.key(),
            new.timezone.as_str(),
            password_hash,
            now.as_second()
        ]);
    match inserted {
        Ok(_) => get(conn, conn.last_insert_rowid()),
        Err(e) if is_unique_violation(&e) => Err(duplicate_email(&new.email).into()),
        Err(e) => Err(e.into()),
    }
}

pub fn get(conn: &Connection, id: i64) -> StoreResult<User> {
    conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], user)
        .optional()?
        .ok_or(StoreError::NotFound("user"))
}

pub fn by_email(conn: &Connection, email_key: &str) -> StoreResult<User> {
    conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email_key = ?1"
    ))?
    .query_row([email_key], user)
    .optional()?
    .ok_or(StoreError::NotFound("user"))
}

pub fn login_account(conn: &Connection, email_key: &str) -> StoreResult<Option<LoginAccount>> {
    Ok(conn
        .prepare_cached("SELECT id, password_hash FROM users WHERE email_key = ?1")?
        .query_row([email_key], |row| {
            Ok(LoginAccount {
                user_id: row.get(0)?,
                password_hash: row.get(1)?,
            })
        })
        .optional()?)
}

pub fn password_hash(conn: &Connection, id: i64) -> StoreResult<Option<String>> {
    conn.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("user"))
}

pub fn set_password(conn: &Connection, id: i64, password_hash: &str) -> StoreResult<()> {
    let changed = conn
        .prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
        .execute(params![id, password_hash])?;
    rows::changed_one(changed, "user")
}

pub fn update(conn: &Connection, id: i64, patch: &UserPatch) -> StoreResult<User> {
    conn.prepare_cached(
        "UPDATE users SET name = COALESCE(?2, name), timezone = COALESCE(?3, timezone),
             week_start = COALESCE(?4, week_start), day_start = COALESCE(?5, day_start)
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        patch.name.as_ref().map(|n| n.as_str()),
        patch.timezone.as_ref().map(|t| t.as_str()),
        patch.week_start.map(|w| w.as_str()),
        patch.day_start.map(|d| d.minutes()),
    ])?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM users WHERE id = ?1")?
        .execute([id])?;
    rows::changed_one(deleted, "user")
}
