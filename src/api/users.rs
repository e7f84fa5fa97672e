//! `/users`: registration, profile, token rotation, erasure.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    docs::{
        BadRequest, Conflict, Forbidden, IanaZone, IdempotencyKeyHeader, Invalid, NotJson,
        TooLarge, Unauthorized, WeekdayName,
    },
    extract::{Auth, Idempotent, Json, PathId, Secret, non_null},
};
use crate::{
    db::Registration,
    domain::{
        Validator,
        idempotency::{Idempotency, RegistrationKey},
        password::Password,
        token::{self, NewSecret, NewToken, Scope, TokenName},
        user::{NewUser, RawUserPatch, User, UserPatch},
    },
    error::{AppError, AppResult},
    net::ClientAddress,
    services::accounts::{self, NewAccount, SignInAttempt, new_secret},
    services::state::AppState,
};

/// A registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    /// Display name, 1 to 100 characters after trimming.
    #[schema(example = "Victor", min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// Email address, unique ignoring case; the domain must contain a dot.
    #[schema(example = "victor@example.com", format = Email, max_length = 254,
             pattern = "^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$")]
    pub email: String,
    /// IANA time zone for reports and day filters; default `UTC`.
    #[schema(nullable = false, value_type = Option<IanaZone>, example = "Europe/Madrid")]
    #[serde(default, deserialize_with = "non_null")]
    pub timezone: Option<String>,
    /// A password for signing in with `POST /auth/login`, 8 to 128
    /// characters; without one, the returned token is the only way in until
    /// a password is set with `PUT /users/me/password`.
    #[schema(nullable = false, value_type = Option<String>, format = Password, min_length = 8, max_length = 128)]
    #[serde(default, deserialize_with = "non_null")]
    pub password: Option<Secret>,
}

/// Changes to a profile; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchIn {
    /// New display name, 1 to 100 characters after trimming.
    #[schema(nullable = false, min_length = 1, max_length = 100, pattern = "\\S")]
    #[serde(default, deserialize_with = "non_null")]
    pub name: Option<String>,
    /// New IANA time zone.
    #[schema(nullable = false, value_type = Option<IanaZone>, example = "Europe/Madrid")]
    #[serde(default, deserialize_with = "non_null")]
    pub timezone: Option<String>,
    /// The weekday weeks begin on: orders `weekly-pattern` and the
    /// heatmap, and makes goal weeks.
    #[schema(nullable = false, value_type = Option<WeekdayName>, example = "sunday")]
    #[serde(default, deserialize_with = "non_null")]
    pub week_start: Option<String>,
    /// When a day begins, `HH:MM` from `-06:00` (18:00 the evening before)
    /// to `12:00` in 15-minute steps: moves the edges of days in `daily`,
    /// the `day` filter, dates given as `from`/`to`, weekdays and goals.
    #[schema(nullable = false, value_type = Option<String>, example = "04:00",
             pattern = "^-?[0-9]{2}:(00|15|30|45)$", max_length = 6)]
    #[serde(default, deserialize_with = "non_null")]
    pub day_start: Option<String>,
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    /// Positive id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Email address as registered.
    pub email: String,
    /// IANA time zone.
    pub timezone: String,
    /// The weekday weeks begin on.
    #[schema(value_type = WeekdayName)]
    pub week_start: &'static str,
    /// When a day begins, `HH:MM` from local midnight (`-HH:MM`: the
    /// evening before).
    #[schema(example = "00:00")]
    pub day_start: String,
    /// When the account was created (UTC).
    #[schema(value_type = String, format = DateTime, example = "2025-11-15T16:00:00Z")]
    pub created_at: Timestamp,
}

impl From<User> for UserOut {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            name: user.name,
            email: user.email,
            timezone: user.timezone,
            week_start: user.days.week_start.as_str(),
            day_start: user.days.day_start.to_string(),
            created_at: user.created_at,
        }
    }
}

/// A user with a new API token. The token is shown only here, once; keep it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserWithTokenOut {
    #[serde(flatten)]
    pub user: UserOut,
    /// Bearer token for `Authorization: Bearer <api_token>`.
    #[schema(example = "hf_1_9c2pQ1m3...")]
    pub api_token: String,
}

fn with_token(user: User, api_token: String) -> UserWithTokenOut {
    UserWithTokenOut {
        api_token,
        user: user.into(),
    }
}

/// Register a user and get their API token.
///
/// Open to anyone. The response carries `api_token`, shown this once and
/// stored only as a hash.
///
/// An email that already has an account is a 409, as the contract fixes:
/// that answer tells whoever asks that the email has an account, and
/// hiding it (201 either way, the owner told by mail) would need mail this
/// server does not send. Instead, such refusals are counted by client
/// address: after 10 within 15 minutes, every registration from that
/// address is a 429 (`type` `/problems/too-many-registrations`) with
/// `Retry-After` until the oldest is 15 minutes old, whatever email it
/// sends — so a list of emails cannot be checked for accounts faster than
/// ten a quarter of an hour. The counts are kept in the database, shared by
/// every process of a deployment.
#[utoipa::path(post, path = "/users/", tag = "users", request_body = UserIn,
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = UserWithTokenOut,
            headers(("Location" = String, description = "The user's path, `/users/{id}`"))),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    address: ClientAddress,
    Idempotent {
        body: Json(body),
        idempotency,
    }: Idempotent<Json<UserIn>>,
) -> AppResult<impl IntoResponse> {
    let mut v = Validator::default();
    let new = v.check_rule(NewUser::parse(
        &body.name,
        &body.email,
        body.timezone.as_deref(),
    ));
    let password = body
        .password
        .as_ref()
        .and_then(|p| v.check(Password::new_for_account("password", p.expose())));
    v.finish()?;
    let (Some(new), password) = (new, password) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validation passed without a user"
        )));
    };
    let secret = new_secret()?;
    let key = idempotency
        .as_ref()
        .map(|key| RegistrationKey::seal(key, secret.secret()))
        .transpose()
        .map_err(|e| AppError::Internal(e.into()))?;
    let token = NewToken {
        name: TokenName::registration(),
        scope: Scope::Write,
        expires_at: None,
        hash: secret.hash,
    };
    let account = NewAccount {
        new,
        password,
        token,
        key,
    };
    let registration = accounts::register(&state, address.0, account).await?;
    let out = registered(registration, &secret, idempotency.as_ref())?;
    let location = format!("/users/{}", out.user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(out),
    ))
}

/// The answer to a registration: with the token just drawn, or for a
/// replay the first request's token, unsealed with the key.
fn registered(
    registration: Registration,
    secret: &NewSecret,
    key: Option<&Idempotency>,
) -> AppResult<UserWithTokenOut> {
    match registration {
        Registration::Created { user, token_id } => {
            Ok(with_token(user, secret.token_for(token_id)))
        }
        Registration::Replayed {
            user,
            token_id,
            sealed_secret,
        } => {
            let first = key
                .and_then(|key| key.open(&sealed_secret))
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!(
                        "the sealed secret of registration {} does not open with its key",
                        user.id
                    ))
                })?;
            Ok(with_token(user, token::token(token_id, &first)))
        }
    }
}

/// The token's own user.
///
/// What a client calls first with a token it was given, to learn whose it
/// is (the user's id goes in the other paths).
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserOut),
        (status = 401, response = Unauthorized),
    ))]
pub async fn get_me(State(state): State<AppState>, auth: Auth) -> AppResult<axum::Json<UserOut>> {
    Ok(axum::Json(state.store.get_user(auth.user_id).await?.into()))
}

/// One user; only the token's own.
///
/// Another user's id is a 403 whether or not that user exists, so ids
/// reveal nothing.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<axum::Json<UserOut>> {
    auth.require_self(id)?;
    Ok(axum::Json(state.store.get_user(id).await?.into()))
}

/// Change the name or time zone.
///
/// Send only the fields to change; `null` is refused (422). A new time zone
/// applies to every later report and day filter, past sessions included.
#[utoipa::path(patch, path = "/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")), request_body = UserPatchIn,
    responses(
        (status = 200, description = "The user", body = UserOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
    Json(body): Json<UserPatchIn>,
) -> AppResult<axum::Json<UserOut>> {
    auth.require_self(id)?;
    let patch = UserPatch::parse(RawUserPatch {
        name: body.name.as_deref(),
        timezone: body.timezone.as_deref(),
        week_start: body.week_start.as_deref(),
        day_start: body.day_start.as_deref(),
    })?;
    Ok(axum::Json(state.store.update_user(id, patch).await?.into()))
}

/// Erase a user with all their sessions and interruptions.
///
/// The right to erasure: nothing of the user is kept, and the token stops
/// working at once. It cannot be undone.
#[utoipa::path(delete, path = "/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    responses(
        (status = 204, description = "Erased; the token no longer works"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_user(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<StatusCode> {
    auth.require_self(id)?;
    state.store.delete_user(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the token that sends this; the old one stops working at once.
///
/// For a token that may have leaked. The new token (same id, name, scope
/// and expiry) is in the answer, once; a retried registration no longer
/// answers with the old one. Other tokens are not touched.
#[utoipa::path(post, path = "/users/me/token", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The user with the new token, shown once", body = UserWithTokenOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ))]
pub async fn rotate_token(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<axum::Json<UserWithTokenOut>> {
    let secret = new_secret()?;
    let user = state
        .store
        .replace_token(auth.user_id, auth.token_id, secret.hash)
        .await?;
    let api_token = secret.token_for(auth.token_id);
    Ok(axum::Json(with_token(user, api_token)))
}

/// A password to set or change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    /// The password now; needed once one is set, ignored before.
    #[schema(nullable = false, value_type = Option<String>, format = Password, max_length = 128)]
    #[serde(default, deserialize_with = "non_null")]
    pub current_password: Option<Secret>,
    /// The new password, 8 to 128 characters.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub new_password: Secret,
}

/// Set or change the password used by `POST /auth/login`.
///
/// While no password is set, `current_password` is not needed. Once one
/// is, it must be sent and right: a wrong one is a 403 and counts as a
/// failed sign-in of the account, so a stolen token cannot be used to guess
/// it faster than a sign-in could (429 with `Retry-After` past the limit).
/// Tokens already issued keep working; revoke them with
/// `DELETE /users/me/tokens/{token_id}`.
#[utoipa::path(put, path = "/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = PasswordIn,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn set_password(
    State(state): State<AppState>,
    auth: Auth,
    address: ClientAddress,
    Json(body): Json<PasswordIn>,
) -> AppResult<StatusCode> {
    let mut v = Validator::default();
    let new = v.check(Password::new_for_account(
        "new_password",
        body.new_password.expose(),
    ));
    let current = body
        .current_password
        .as_ref()
        .and_then(|p| v.check(Password::presented("current_password", p.expose())));
    v.finish()?;
    let new = new.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no password after checks")))?;
    if let Some(stored) = state.store.password_hash(auth.user_id).await? {
        let current = current.ok_or_else(|| {
            AppError::invalid(
                "current_password",
                "is needed to change a password that is set; send the password now",
            )
        })?;
        let user = state.store.get_user(auth.user_id).await?;
        let attempt = SignInAttempt::new(&state, &user.email.to_lowercase(), address.0);
        attempt.admit().await?;
        if !state.passwords.verify(current, Some(stored)).await? {
            attempt.failed().await?;
            return Err(AppError::Forbidden(
                "current_password is not the password of this account".into(),
            ));
        }
    }
    let hash = state.passwords.hash(new).await?;
    state.store.set_password(auth.user_id, hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
