//! `hyperfocus admin`: what an operator does for a person who is locked
//! out, straight against the configured database (either backend), with
//! the same rules as the API.

use std::io::{BufRead, IsTerminal};

use crate::{
    config::DatabaseConfig,
    db::{SameName, StoreError},
    domain::{
        password::{self, Password},
        token::{self, NewSecret, NewToken, Scope, TokenName},
        user::Email,
    },
};

/// Issues a new token named `name` for the user with `email` and returns
/// it, to hand to that person (it is shown nowhere else).
pub async fn issue_token(
    database: &DatabaseConfig,
    email: &str,
    name: &str,
    scope: Scope,
    expires_in_days: Option<i64>,
) -> anyhow::Result<String> {
    let store = crate::open_store(database).await?;
    let user = find(store.as_ref(), email).await?;
    let now = jiff::Timestamp::now();
    let name = TokenName::parse("--name", name)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let expires_at = expires_in_days
        .map(|days| token::expiry(days, now))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--expires-in-days: {}", e.message))?;
    let secret = NewSecret::generate()?;
    let new = NewToken {
        name,
        scope,
        expires_at,
        hash: secret.hash,
    };
    let created = store.create_token(user, new, now, SameName::Keep).await;
    store.close().await;
    Ok(secret.token_for(created?.id))
}

/// Sets the password of the user with `email` to one line read from
/// standard input, or asked for without echo when that is a terminal.
pub async fn set_password(database: &DatabaseConfig, email: &str) -> anyhow::Result<()> {
    let raw = read_password(email)?;
    let password = Password::new_for_account("password", &raw)
        .map_err(|e| anyhow::anyhow!("the password {}", e.message))?;
    let store = crate::open_store(database).await?;
    let user = find(store.as_ref(), email).await?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password)).await??;
    let set = store.set_password(user, hash).await;
    store.close().await;
    Ok(set?)
}

async fn find(store: &dyn crate::db::Store, email: &str) -> anyhow::Result<i64> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
    match store.user_by_email(&email.key()).await {
        Ok(user) => Ok(user.id),
        Err(StoreError::NotFound(_)) => {
            anyhow::bail!("no user has the email {}", email.as_str())
        }
        Err(other) => Err(other.into()),
    }
}

fn read_password(email: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(rpassword::prompt_password(format!(
            "New password for {email}: "
        ))?);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
