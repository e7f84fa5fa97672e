//! Signing in, registering and issuing tokens, shared by the API and the
//! web app: password checks throttled per account and per address,
//! registrations refused for a taken email throttled per address, and new
//! tokens whose secret is shown once.

use jiff::Timestamp;

use crate::{
    db::{Registration, SameName, StoreError},
    domain::{
        RuleViolation,
        idempotency::RegistrationKey,
        login,
        password::Password,
        token::{NewSecret, NewToken, Scope, Token, TokenName},
        user::NewUser,
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

/// A registration: `new` with `password` (if any) and its first token,
/// from `address`.
pub struct NewAccount {
    /// The user.
    pub new: NewUser,
    /// A password to sign in with later, if given.
    pub password: Option<Password>,
    /// The `registration` token.
    pub token: NewToken,
    /// The sealed retry key, if the request sent an `Idempotency-Key`.
    pub key: Option<RegistrationKey>,
}

/// Registers an account: the API's `POST /users/` and the web app's form.
///
/// The contract answers a taken email with 409, which tells whoever asks
/// that the email has an account; hiding it (201 either way, the owner told
/// by mail) would need mail this server does not send. So each such
/// refusal is counted against the client's address, in the database (every
/// process shares the count), and past [`login::REGISTRATION_LIMIT`] in 15
/// minutes the address gets 429 with `Retry-After` for any registration,
/// before its email is even looked at — probing a list of emails for
/// accounts goes at ten every quarter of an hour.
pub async fn register(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    account: NewAccount,
) -> AppResult<Registration> {
    // Only in-process calls have no address; they share one count.
    let address = address.map_or_else(|| "in-process".to_owned(), |a| a.to_string());
    let now = state.clock.now();
    let refusals = state
        .store
        .registration_refusals(&address, login::window_start(now))
        .await?;
    login::admit_registration(refusals, now).map_err(AppError::TooManyRegistrations)?;
    let password_hash = match account.password {
        Some(password) => Some(state.passwords.hash(password).await?),
        None => None,
    };
    let registered = state
        .store
        .create_user(account.new, password_hash, account.token, now, account.key)
        .await;
    if let Err(StoreError::Rule(RuleViolation::Conflict(_))) = &registered {
        state
            .store
            .record_registration_refusal(&address, now)
            .await?;
    }
    Ok(registered?)
}
