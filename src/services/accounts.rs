//! Signing in and issuing tokens, shared by the API and the web app:
//! password checks throttled per account and per address, and new tokens
//! whose secret is shown once.

use jiff::Timestamp;

use crate::{
    db::SameName,
    domain::{
        login,
        token::{NewSecret, NewToken, Scope, Token, TokenName},
    },
    error::{AppError, AppResult},
    services::state::AppState,
};

/// A fresh token secret, or a 500 when the host has no randomness.
pub fn new_secret() -> AppResult<NewSecret> {
    NewSecret::generate().map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))
}

/// A token just stored, with the secret to show once.
pub struct IssuedToken {
    /// The stored token.
    pub token: Token,
    /// `hf_<id>_<secret>`, never stored.
    pub api_token: String,
}

/// Draws a secret and stores a token with it for `user_id`.
pub async fn issue(
    state: &AppState,
    user_id: i64,
    name: TokenName,
    scope: Scope,
    expires_at: Option<Timestamp>,
    same_name: SameName,
) -> AppResult<IssuedToken> {
    let secret = new_secret()?;
    let new = NewToken {
        name,
        scope,
        expires_at,
        hash: secret.hash,
    };
    let token = state
        .store
        .create_token(user_id, new, state.clock.now(), same_name)
        .await?;
    Ok(IssuedToken {
        api_token: secret.token_for(token.id),
        token,
    })
}

/// One attempt at a password, counted against its account and its address.
pub struct SignInAttempt<'a> {
    state: &'a AppState,
    email_key: String,
    address: String,
}

impl<'a> SignInAttempt<'a> {
    /// An attempt on the account of `email_key` (lower-cased) from `address`.
    pub fn new(state: &'a AppState, email_key: &str, address: Option<std::net::IpAddr>) -> Self {
        Self {
            state,
            email_key: email_key.to_owned(),
            // Only in-process calls have no address; they share one count.
            address: address.map_or_else(|| "in-process".to_owned(), |a| a.to_string()),
        }
    }

    /// 429 when the account or the address has failed too often lately.
    pub async fn admit(&self) -> AppResult<()> {
        let now = self.state.clock.now();
        let (account, address) = self
            .state
            .store
            .login_failures(&self.email_key, &self.address, login::window_start(now))
            .await?;
        login::admit(account, address, now).map_err(AppError::TooManySignIns)
    }

    /// Counts the attempt as failed.
    pub async fn failed(&self) -> AppResult<()> {
        let now = self.state.clock.now();
        Ok(self
            .state
            .store
            .record_login_failure(&self.email_key, &self.address, now)
            .await?)
    }
}
