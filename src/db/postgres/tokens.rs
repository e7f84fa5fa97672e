//! SQL for the `tokens` table.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{idempotency, sql, users};
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

fn token_row(row: &tokio_postgres::Row) -> Token {
    Token {
        id: row.get(0),
        user_id: row.get(1),
        name: row.get(2),
        scope: Scope::from_stored(row.get(3)),
        created_at: from_unix_seconds(row.get(4)),
        last_used_at: row.get::<_, Option<i64>>(5).map(from_unix_seconds),
        expires_at: row.get::<_, Option<i64>>(6).map(from_unix_seconds),
    }
}

/// The one read every authenticated request makes: the token by primary
/// key, with its user's zone.
pub async fn credentials<C: GenericClient>(
    c: &C,
    id: i64,
) -> StoreResult<Option<TokenCredentials>> {
    let row = sql::row(
        c,
        "SELECT t.user_id, t.secret_hash, t.scope, t.expires_at, t.last_used_at, u.timezone,
                u.week_start, u.day_start
         FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        &[&id],
    )
    .await?;
    Ok(row.map(|row| TokenCredentials {
        user_id: row.get(0),
        secret_hash: row.get(1),
        scope: Scope::from_stored(row.get(2)),
        expires_at: row.get::<_, Option<i64>>(3).map(from_unix_seconds),
        last_used_at: row.get::<_, Option<i64>>(4).map(from_unix_seconds),
        timezone: row.get(5),
        days: DaySettings {
            week_start: WeekStart::from_stored(row.get(6)),
            day_start: DayStart::from_minutes(row.get(7)),
        },
    }))
}

/// Writes `last_used_at`, unless another request (of any process) did so
/// within the minute.
pub async fn record_use<C: GenericClient>(c: &C, id: i64, now: Timestamp) -> StoreResult<()> {
    sql::execute(
        c,
        "UPDATE tokens SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::BIGINT - $3::BIGINT)",
        &[&id, &now.as_second(), &token::LAST_USED_RESOLUTION_SECONDS],
    )
    .await?;
    Ok(())
}

/// Runs inside a transaction: locks the user's row so that the per-user cap
/// holds under concurrent creates, then inserts.
pub async fn insert<C: GenericClient>(
    c: &C,
    user_id: i64,
    new: &NewToken,
    now: Timestamp,
    same_name: SameName,
) -> StoreResult<Token> {
    sql::row(
        c,
        "SELECT id FROM users WHERE id = $1 FOR UPDATE",
        &[&user_id],
    )
    .await?
    .ok_or(StoreError::NotFound("user"))?;
    if same_name == SameName::Replace {
        sql::execute(
            c,
            "DELETE FROM tokens WHERE user_id = $1 AND name = $2",
            &[&user_id, &new.name.as_str()],
        )
        .await?;
    }
    let held: i64 = sql::returning(
        c,
        "SELECT COUNT(*) FROM tokens WHERE user_id = $1",
        &[&user_id],
    )
    .await?
    .get(0);
    token::check_room(held)?;
    let row = sql::returning(
        c,
        &format!(
            "INSERT INTO tokens (user_id, name, scope, secret_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLUMNS}"
        ),
        &[
            &user_id,
            &new.name.as_str(),
            &new.scope.as_str(),
            &new.hash.as_slice(),
            &now.as_second(),
            &new.expires_at.map(|t| t.as_second()),
        ],
    )
    .await?;
    Ok(token_row(&row))
}

pub async fn list<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<Vec<Token>> {
    let rows = sql::rows(
        c,
        &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = $1 ORDER BY id"),
        &[&user_id],
    )
    .await?;
    Ok(rows.iter().map(token_row).collect())
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = sql::execute(
        c,
        "DELETE FROM tokens WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
    )
    .await?;
    super::changed_one(deleted, "token")
}

/// Runs inside a transaction: a new secret, and the registration key that
/// would hand out the old one forgotten.
pub async fn replace<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    hash: &TokenHash,
) -> StoreResult<User> {
    let changed = sql::execute(
        c,
        "UPDATE tokens SET secret_hash = $3 WHERE id = $1 AND user_id = $2",
        &[&id, &user_id, &hash.as_slice()],
    )
    .await?;
    super::changed_one(changed, "token")?;
    idempotency::forget_registration(c, id).await?;
    users::get(c, user_id).await
}
