//! SQL for the `users` table.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{idempotency, rows::unique_violation, sql, tokens};
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

pub const USER_COLUMNS: &str = "id, name, email, timezone, created_at, week_start, day_start";

pub fn user(row: &tokio_postgres::Row) -> User {
    User {
        id: row.get(0),
        name: row.get(1),
        email: row.get(2),
        timezone: row.get(3),
        created_at: from_unix_seconds(row.get(4)),
        days: DaySettings {
            week_start: WeekStart::from_stored(row.get(5)),
            day_start: DayStart::from_minutes(row.get(6)),
        },
    }
}

/// Runs inside a transaction: inserts the user and their registration
/// token, or with the key of an earlier registration answers with that one.
pub async fn register<C: GenericClient>(
    c: &C,
    new: &NewUser,
    password_hash: Option<&str>,
    token: &NewToken,
    now: Timestamp,
    key: Option<&RegistrationKey>,
) -> StoreResult<Registration> {
    if let Some(key) = key
        && let Some(replay) = idempotency::replayed_registration(c, key, now.as_second()).await?
    {
        return Ok(Registration::Replayed {
            user: get(c, replay.user_id).await?,
            token_id: replay.token_id,
            sealed_secret: replay.sealed_secret,
        });
    }
    let user = insert(c, new, password_hash, now).await?;
    let token = tokens::insert(c, user.id, token, now, SameName::Keep).await?;
    if let Some(key) = key {
        idempotency::record_registration(c, key, user.id, token.id, now.as_second()).await?;
    }
    Ok(Registration::Created {
        user,
        token_id: token.id,
    })
}

async fn insert<C: GenericClient>(
    c: &C,
    new: &NewUser,
    password_hash: Option<&str>,
    now: Timestamp,
) -> StoreResult<User> {
    let inserted = sql::returning(
        c,
        &format!(
            "INSERT INTO users (name, email, email_key, timezone, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
        ),
        &[
            &new.name.as_str(),
            &new.email.as_str(),
            &new.email.key(),
            &new.timezone.as_str(),
            &password_hash,
            &now.as_second(),
        ],
    )
    .await;
    match inserted {
        Ok(row) => Ok(user(&row)),
        Err(e) if unique_violation(&e) == Some("users_email_key") => {
            Err(duplicate_email(&new.email).into())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn get<C: GenericClient>(c: &C, id: i64) -> StoreResult<User> {
    let row = sql::row(
        c,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
        &[&id],
    )
    .await?;
    row.as_ref().map(user).ok_or(StoreError::NotFound("user"))
}

pub async fn by_email<C: GenericClient>(c: &C, email_key: &str) -> StoreResult<User> {
    let row = sql::row(
        c,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE email_key = $1"),
        &[&email_key],
    )
    .await?;
    row.as_ref().map(user).ok_or(StoreError::NotFound("user"))
}

pub async fn login_account<C: GenericClient>(
    c: &C,
    email_key: &str,
) -> StoreResult<Option<LoginAccount>> {
    let row = sql::row(
        c,
        "SELECT id, password_hash FROM users WHERE email_key = $1",
        &[&email_key],
    )
    .await?;
    Ok(row.map(|row| LoginAccount {
        user_id: row.get(0),
        password_hash: row.get(1),
    }))
}

pub async fn password_hash<C: GenericClient>(c: &C, id: i64) -> StoreResult<Option<String>> {
    let row = sql::row(c, "SELECT password_hash FROM users WHERE id = $1", &[&id]).await?;
    row.map(|row| row.get(0))
        .ok_or(StoreError::NotFound("user"))
}

pub async fn set_password<C: GenericClient>(
    c: &C,
    id: i64,
    password_hash: &str,
) -> StoreResult<()> {
    let changed = sql::execute(
        c,
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        &[&id, &password_hash],
    )
    .await?;
    super::changed_one(changed, "user")
}

pub async fn update<C: GenericClient>(c: &C, id: i64, patch: &UserPatch) -> StoreResult<User> {
    let row = sql::row(
        c,
        &format!(
            "UPDATE users SET name = COALESCE($2, name), timezone = COALESCE($3, timezone),
                 week_start = COALESCE($4, week_start), day_start = COALESCE($5, day_start)
             WHERE id = $1 RETURNING {USER_COLUMNS}"
        ),
        &[
            &id,
            &patch.name.as_ref().map(|n| n.as_str()),
            &patch.timezone.as_ref().map(|t| t.as_str()),
            &patch.week_start.map(|w| w.as_str()),
            &patch.day_start.map(|d| d.minutes()),
        ],
    )
    .await?;
    row.as_ref().map(user).ok_or(StoreError::NotFound("user"))
}

pub async fn delete<C: GenericClient>(c: &C, id: i64) -> StoreResult<()> {
    let deleted = sql::execute(c, "DELETE FROM users WHERE id = $1", &[&id]).await?;
    super::changed_one(deleted, "user")
}
