//! `/users/me/tokens`: personal tokens, one per device, listed, created and
//! revoked.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    docs::{BadRequest, Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized},
    extract::{Auth, Json, PathId, non_null},
};
use crate::{
    db::SameName,
    domain::{
        Validator,
        token::{self, Scope, Token, TokenName},
    },
    error::{AppError, AppResult},
    services::accounts::{self, IssuedToken},
    services::state::AppState,
};

/// What a token may do.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeIn {
    /// Only reads: every write answers 403.
    Read,
    /// Everything its user may do.
    Write,
}

impl From<ScopeIn> for Scope {
    fn from(scope: ScopeIn) -> Self {
        match scope {
            ScopeIn::Read => Self::Read,
            ScopeIn::Write => Self::Write,
        }
    }
}

impl From<Scope> for ScopeIn {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Read => Self::Read,
            Scope::Write => Self::Write,
        }
    }
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What to call it, such as the device or tool it is for (1 to 100
    /// characters).
    #[schema(example = "status bar", min_length = 1, max_length = 100)]
    pub name: String,
    /// What it may do; default `write`.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub scope: Option<ScopeIn>,
    /// Days until it expires (1 to 3650); default never.
    #[schema(nullable = false, minimum = 1, maximum = 3650)]
    #[serde(default, deserialize_with = "non_null")]
    pub expires_in_days: Option<i64>,
}

/// A personal token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Positive id; also the number in `hf_<id>_…`.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scope: ScopeIn,
    /// When it was issued (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When it was last used (UTC), to about a minute; `null` if never.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub last_used_at: Option<Timestamp>,
    /// When it stops working (UTC); `null` if never.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub expires_at: Option<Timestamp>,
}

impl From<Token> for TokenOut {
    fn from(token: Token) -> Self {
        Self {
            id: token.id,
            name: token.name,
            scope: token.scope.into(),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            expires_at: token.expires_at,
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenOut {
    #[serde(flatten)]
    pub token: TokenOut,
    /// The token's user.
    pub user_id: i64,
    /// Bearer token for `Authorization: Bearer <api_token>`; keep it, it is
    /// never shown again.
    #[schema(example = "hf_12_9c2pQ1m3...")]
    pub api_token: String,
}

impl From<IssuedToken> for NewTokenOut {
    fn from(issued: IssuedToken) -> Self {
        Self {
            api_token: issued.api_token,
            user_id: issued.token.user_id,
            token: issued.token.into(),
        }
    }
}

/// The user's personal tokens, oldest first.
///
/// Each device or tool should have its own, so that one can be revoked
/// without signing out the others. The secrets are never listed.
#[utoipa::path(get, path = "/users/me/tokens", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every token of the user", body = Vec<TokenOut>),
        (status = 401, response = Unauthorized),
    ))]
pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<axum::Json<Vec<TokenOut>>> {
    let tokens = state.store.list_tokens(auth.user_id).await?;
    Ok(axum::Json(tokens.into_iter().map(Into::into).collect()))
}

/// Create a personal token.
///
/// The answer carries `api_token` once. A `read` token can call every GET
/// and nothing else (403), for dashboards, status bars and calendar tools.
/// A user holds at most 100 tokens (409 past that). A read-only token
/// cannot create tokens.
#[utoipa::path(post, path = "/users/me/tokens", tag = "users", security(("bearer" = [])),
    request_body = TokenIn,
    responses(
        (status = 201, description = "Created: the token, with its secret shown once", body = NewTokenOut,
            headers(("Location" = String, description = "Where the new token is listed, `/users/me/tokens`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TokenIn>,
) -> AppResult<impl IntoResponse> {
    let mut v = Validator::default();
    let name = v.check(TokenName::parse("name", &body.name));
    let expires_at = body
        .expires_in_days
        .and_then(|days| v.check(token::expiry(days, state.clock.now())));
    v.finish()?;
    let name = name.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no name after checks")))?;
    let scope = body.scope.map(Into::into).unwrap_or_default();
    let created = accounts::issue(
        &state,
        auth.user_id,
        name,
        scope,
        expires_at,
        SameName::Keep,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, "/users/me/tokens")],
        axum::Json(NewTokenOut::from(created)),
    ))
}

/// Revoke a personal token; it stops working at once, on every process.
///
/// Revoking the token that sends the request is allowed (a sign-out).
/// Another user's token id is a 404.
#[utoipa::path(delete, path = "/users/me/tokens/{token_id}", tag = "users", security(("bearer" = [])),
    params(("token_id" = i64, Path, minimum = 1, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_token(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<StatusCode> {
    state.store.delete_token(auth.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
