//! SQL for the `users` table.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{idempotency, rows::unique_violation, sql};
use crate::{
    db::{Credentials, Registration, StoreError, StoreResult},
    domain::{
        RuleViolation,
        idempotency::RegistrationKey,
        time::from_unix_seconds,
        user::{NewUser, User, UserPatch},
    },
};

const USER_COLUMNS: &str = "id, name, email, timezone, created_at";

fn user(row: &tokio_postgres::Row) -> User {
    User {
        id: row.get(0),
        name: row.get(1),
        email: row.get(2),
        timezone: row.get(3),
        created_at: from_unix_seconds(row.get(4)),
    }
}

/// Runs inside a transaction: inserts the user, or with the key of an
/// earlier registration answers with that one.
pub async fn register<C: GenericClient>(
    c: &C,
    new: &NewUser,
    token_hash: &[u8],
    now: Timestamp,
    key: &RegistrationKey,
) -> StoreResult<Registration> {
    if let Some((id, sealed_secret)) =
        idempotency::replayed_registration(c, key, now.as_second()).await?
    {
        let user = get(c, id).await?;
        return Ok(Registration::Replayed {
            user,
            sealed_secret,
        });
    }
    let user = insert(c, new, token_hash, now).await?;
    idempotency::record_registration(c, key, user.id, now.as_second()).await?;
    Ok(Registration::Created(user))
}

pub async fn insert<C: GenericClient>(
    c: &C,
    new: &NewUser,
    token_hash: &[u8],
    now: Timestamp,
) -> StoreResult<User> {
    let inserted = sql::returning(
        c,
        "INSERT INTO users (name, email, email_key, timezone, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, name, email, timezone, created_at",
        &[
            &new.name.as_str(),
            &new.email.as_str(),
            &new.email.key(),
            &new.timezone.as_str(),
            &token_hash,
            &now.as_second(),
        ],
    )
    .await;
    match inserted {
        Ok(row) => Ok(user(&row)),
        Err(e) if unique_violation(&e) == Some("users_email_key") => {
            Err(RuleViolation::Conflict(format!(
                "a user with the email {} already exists (emails are compared ignoring case)",
                new.email.as_str()
            ))
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn credentials<C: GenericClient>(c: &C, id: i64) -> StoreResult<Option<Credentials>> {
    let row = sql::row(
        c,
        "SELECT token_hash, timezone FROM users WHERE id = $1",
        &[&id],
    )
    .await?;
    Ok(row.map(|row| Credentials {
        token_hash: row.get(0),
        timezone: row.get(1),
    }))
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

pub async fn update<C: GenericClient>(c: &C, id: i64, patch: &UserPatch) -> StoreResult<User> {
    let row = sql::row(
        c,
        &format!(
            "UPDATE users SET name = COALESCE($2, name), timezone = COALESCE($3, timezone)
             WHERE id = $1 RETURNING {USER_COLUMNS}"
        ),
        &[
            &id,
            &patch.name.as_ref().map(|n| n.as_str()),
            &patch.timezone.as_ref().map(|t| t.as_str()),
        ],
    )
    .await?;
    row.as_ref().map(user).ok_or(StoreError::NotFound("user"))
}

pub async fn replace_token<C: GenericClient>(
    c: &C,
    id: i64,
    token_hash: &[u8],
) -> StoreResult<User> {
    let row = sql::row(
        c,
        &format!("UPDATE users SET token_hash = $2 WHERE id = $1 RETURNING {USER_COLUMNS}"),
        &[&id, &token_hash],
    )
    .await?;
    idempotency::forget_registration(c, id).await?;
    row.as_ref().map(user).ok_or(StoreError::NotFound("user"))
}

pub async fn delete<C: GenericClient>(c: &C, id: i64) -> StoreResult<()> {
    let deleted = sql::execute(c, "DELETE FROM users WHERE id = $1", &[&id]).await?;
    super::changed_one(deleted, "user")
}
