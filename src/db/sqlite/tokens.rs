//! SQL for the `tokens` table.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{idempotency, rows, users};
use crate::{
    db::{SameName, StoreError, StoreResult, TokenCredentials},
    domain::{
        days::{DaySettings, DayStart, WeekStart},
        time::from_unix_seconds,
        token::{self, NewToken, Scope, Token, TokenHash},
        user::User,
    },
};

const TOKEN_COLUMNS: &str = "id, user_id, name, scope, created_at, last_used_at, expires_at";

fn token_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Token> {
    Ok(Token {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        scope: Scope::from_stored(&row.get::<_, String>(3)?),
        created_at: from_unix_seconds(row.get(4)?),
        last_used_at: row.get::<_, Option<i64>>(5)?.map(from_unix_seconds),
        expires_at: row.get::<_, Option<i64>>(6)?.map(from_unix_seconds),
    })
}

/// The one read every authenticated request makes: the token by primary
/// key, with its user's zone.
pub fn credentials(conn: &Connection, id: i64) -> StoreResult<Option<TokenCredentials>> {
    Ok(conn
        .prepare_cached(
            "SELECT t.user_id, t.secret_hash, t.scope, t.expires_at, t.last_used_at, u.timezone,
                    u.week_start, u.day_start
             FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1",
        )?
        .query_row([id], |row| {
            Ok(TokenCredentials {
                user_id: row.get(0)?,
                secret_hash: row.get(1)?,
                scope: Scope::from_stored(&row.get::<_, String>(2)?),
                expires_at: row.get::<_, Option<i64>>(3)?.map(from_unix_seconds),
                last_used_at: row.get::<_, Option<i64>>(4)?.map(from_unix_seconds),
                timezone: row.get(5)?,
                days: DaySettings {
                    week_start: WeekStart::from_stored(&row.get::<_, String>(6)?),
                    day_start: DayStart::from_minutes(row.get(7)?),
                },
            })
        })
        .optional()?)
}

/// Writes `last_used_at`, unless another request did so within the minute.
pub fn record_use(conn: &Connection, id: i64, now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE tokens SET last_used_at = ?2
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - ?3)",
    )?
    .execute(params![
        id,
        now.as_second(),
        token::LAST_USED_RESOLUTION_SECONDS
    ])?;
    Ok(())
}

/// Inserts a token for the user, within the per-user cap; with
/// [`SameName::Replace`] the user's tokens of that name go first.
pub fn insert(
    conn: &Connection,
    user_id: i64,
    new: &NewToken,
    now: Timestamp,
    same_name: SameName,
) -> StoreResult<Token> {
    if same_name == SameName::Replace {
        conn.prepare_cached("DELETE FROM tokens WHERE user_id = ?1 AND name = ?2")?
            .execute(params![user_id, new.name.as_str()])?;
    }
    let held: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM tokens WHERE user_id = ?1")?
        .query_row([user_id], |row| row.get(0))?;
    token::check_room(held)?;
    conn.prepare_cached(
        "INSERT INTO tokens (user_id, name, scope, secret_hash, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        user_id,
        new.name.as_str(),
        new.scope.as_str(),
        new.hash.as_slice(),
        now.as_second(),
        new.expires_at.map(|t| t.as_second())
    ])?;
    get(conn, user_id, conn.last_insert_rowid())
}

fn get(conn: &Connection, user_id: i64, id: i64) -> StoreResult<Token> {
    conn.prepare_cached(&format!(
        "SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1 AND user_id = ?2"
    ))?
    .query_row([id, user_id], token_row)
    .optional()?
    .ok_or(StoreError::NotFound("token"))
}

pub fn list(conn: &Connection, user_id: i64) -> StoreResult<Vec<Token>> {
    let tokens = conn
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = ?1 ORDER BY id"
        ))?
        .query_map([user_id], token_row)?
        .collect::<Result<_, _>>()?;
    Ok(tokens)
}

pub fn delete(conn: &Connection, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM tokens WHERE id = ?1 AND user_id = ?2")?
        .execute([id, user_id])?;
    rows::changed_one(deleted, "token")
}

/// Gives the token a new secret and forgets the registration key that
/// would hand out the old one.
pub fn replace(conn: &Connection, user_id: i64, id: i64, hash: &TokenHash) -> StoreResult<User> {
    let changed = conn
        .prepare_cached("UPDATE tokens SET secret_hash = ?3 WHERE id = ?1 AND user_id = ?2")?
        .execute(params![id, user_id, hash.as_slice()])?;
    rows::changed_one(changed, "token")?;
    idempotency::forget_registration(conn, id)?;
    users::get(conn, user_id)
}
