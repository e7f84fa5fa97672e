//! `/auth/login`: a password in, a new personal token for the device out.

use axum::{extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    docs::{BadRequest, Invalid, NotJson, TooLarge, Unauthorized},
    extract::{Json, Secret, non_null},
    tokens::{NewTokenOut, ScopeIn},
};
use crate::{
    db::SameName,
    domain::{Validator, password::Password, token::TokenName, user::Email},
    error::{AppError, AppResult},
    net::ClientAddress,
    services::accounts::{self, SignInAttempt},
    services::state::AppState,
};

/// A sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    /// The account's email, in any letter case.
    #[schema(example = "victor@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// The account's password.
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 128)]
    pub password: Secret,
    /// What to call the new token, such as the device it is for (1 to 100
    /// characters). A token of that name held before is replaced.
    #[schema(example = "laptop", min_length = 1, max_length = 100)]
    pub token_name: String,
    /// What the new token may do; default `write`.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub scope: Option<ScopeIn>,
    /// Days until the new token expires (1 to 3650); default never.
    #[schema(nullable = false, minimum = 1, maximum = 3650)]
    #[serde(default, deserialize_with = "non_null")]
    pub expires_in_days: Option<i64>,
}

/// The one answer to a wrong email, a wrong password, or an account without
/// a password: which of them it was is nobody's business.
const WRONG: AppError = AppError::Unauthorized("the email or the password is wrong");

/// Sign in with email and password and get a new token for this device.
///
/// Answers 201 with a new personal token, shown once. A token of the same
/// `token_name` the user held before is revoked, so signing in again on a
/// device replaces its token instead of piling them up. A wrong email or
/// password is one 401 with one wording, answered in about the same time
/// either way. After 5 failures for one account, or 20 from one address,
/// within 15 minutes, further attempts are 429 with `Retry-After` until
/// the oldest failure is 15 minutes old; these counts are kept in the
/// database, so every process of a deployment shares them.
#[utoipa::path(post, path = "/auth/login", tag = "users", request_body = LoginIn,
    responses(
        (status = 201, description = "Signed in: a new token, shown once", body = NewTokenOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    Json(body): Json<LoginIn>,
) -> AppResult<(StatusCode, axum::Json<NewTokenOut>)> {
    let now = state.clock.now();
    let mut v = Validator::default();
    let email = v.check(Email::parse(&body.email));
    let password = v.check(Password::presented("password", body.password.expose()));
    let name = v.check(TokenName::parse("token_name", &body.token_name));
    let expires_at = body
        .expires_in_days
        .and_then(|days| v.check(crate::domain::token::expiry(days, now)));
    v.finish()?;
    let (Some(email), Some(password), Some(name)) = (email, password, name) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validation passed without values"
        )));
    };
    let attempt = SignInAttempt::new(&state, &email.key(), address.0);
    attempt.admit().await?;
    let account = state.store.login_account(&email.key()).await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = state.passwords.verify(password, stored).await?;
    let Some(account) = account.filter(|_| verified) else {
        attempt.failed().await?;
        return Err(WRONG);
    };
    state.store.clear_login_failures(&email.key()).await?;
    let scope = body.scope.map(Into::into).unwrap_or_default();
    let token = accounts::issue(
        &state,
        account.user_id,
        name,
        scope,
        expires_at,
        SameName::Replace,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(token.into())))
}
