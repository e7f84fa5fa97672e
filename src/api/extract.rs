//! Extractors whose every rejection is an [`AppError`], so no framework-shaped
//! error ever reaches a client.

use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, Query, RawPathParams, Request, rejection::BytesRejection,
    },
    http::{HeaderMap, header, request::Parts},
};
use serde::{Deserialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::{
    domain::{
        RuleViolation,
        days::DaySettings,
        idempotency::{Idempotency, parse_key},
        json::{explain, whole_numbers},
        quote,
        time::TimeZoneName,
        token::{self, PresentedToken, Scope},
    },
    error::AppError,
    services::state::AppState,
};

/// A JSON body; unknown fields, wrong types and broken JSON become 422/400
/// problems naming the field.
pub struct Json<T>(pub T);

/// A JSON body that may be left out entirely (an empty body means `{}`).
pub struct OptionalJson<T>(pub T);

/// How a body extractor reads the bytes of a JSON body, which differ only
/// in what an empty body means.
pub trait JsonBody: Sized {
    /// Parses `bytes`, the whole body.
    fn from_bytes(bytes: &[u8]) -> Result<Self, AppError>;
}

impl<T: DeserializeOwned> JsonBody for Json<T> {
    fn from_bytes(bytes: &[u8]) -> Result<Self, AppError> {
        if is_blank(bytes) {
            return Err(AppError::BadRequest(
                "the request body is empty; send a JSON object".into(),
            ));
        }
        parse_json(bytes).map(Json)
    }
}

impl<T: DeserializeOwned + Default> JsonBody for OptionalJson<T> {
    fn from_bytes(bytes: &[u8]) -> Result<Self, AppError> {
        if is_blank(bytes) {
            return Ok(Self(T::default()));
        }
        parse_json(bytes).map(OptionalJson)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        Self::from_bytes(&json_bytes(request, state).await?)
    }
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        Self::from_bytes(&json_bytes(request, state).await?)
    }
}

/// A body (`Json` or `OptionalJson`) with the request's `Idempotency-Key`,
/// fingerprinted by method, path and the body's canonical JSON, so that a
/// retry with the same key and body is recognised.
pub struct Idempotent<B> {
    /// The parsed body.
    pub body: B,
    /// The key and request fingerprint, when the client sent a key.
    pub idempotency: Option<Idempotency>,
}

impl<B: JsonBody, S: Send + Sync> FromRequest<S> for Idempotent<B> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let key = match request.headers().get("idempotency-key") {
            Some(value) => Some(parse_key(value.to_str().unwrap_or_default())?),
            None => None,
        };
        let target = format!("{} {}", request.method(), request.uri().path());
        let bytes = json_bytes(request, state).await?;
        let body = B::from_bytes(&bytes)?;
        let idempotency = key.map(|key| {
            // The body parsed, so it is a JSON object, or blank, which
            // means the same as `{}`.
            let canonical = match is_blank(&bytes) {
                true => serde_json::Value::Object(serde_json::Map::new()),
                false => serde_json::from_slice(&whole_numbers(&bytes)).unwrap_or_default(),
            };
            let mut hasher = Sha256::new();
            hasher.update(target.as_bytes());
            hasher.update(serde_json::to_vec(&canonical).unwrap_or_default());
            Idempotency {
                key,
                request_hash: hasher.finalize().into(),
            }
        });
        Ok(Self { body, idempotency })
    }
}

/// For `#[serde(default, deserialize_with = "non_null")]` on an optional
/// body field: the field may be left out, but `null` is refused. No field of
/// this API is cleared by `null`, and accepting it silently would let
/// `{"end_time": null}` look like a request to clear an end.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "must not be null; leave the field out instead",
        )),
    }
}

/// A secret field of a body (a password): deserialized like a string, but
/// its `Debug` shows nothing, so it cannot reach a log by accident.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that checks or hashes it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

async fn json_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, AppError> {
    let json_type = is_json(request.headers());
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(e) if is_length_limit(&e) => {
                AppError::PayloadTooLarge
            }
            other => AppError::BadRequest(format!(
                "the request body could not be read: {}",
                other.body_text()
            )),
        })?;
    if !bytes.is_empty() && !json_type {
        return Err(AppError::UnsupportedMediaType(
            "send the body as JSON with `Content-Type: application/json`".into(),
        ));
    }
    Ok(bytes)
}

pub(super) fn is_length_limit(error: &impl std::error::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if e.to_string().contains("length limit") {
            return true;
        }
        source = e.source();
    }
    false
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// Deserializes a JSON object, reporting the path of a bad field (e.g.
/// `end_time`). serde would also read an array as a struct, field by field;
/// every body of this API is an object, so anything else is refused first.
/// A number with a zero fraction is an integer, as JSON Schema has it
/// ([`whole_numbers`]); a true fraction where an integer belongs is a 422
/// saying so.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes = &*whole_numbers(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(AppError::invalid("body", "must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return AppError::BadRequest(format!("the request body is not valid JSON: {inner}"));
        }
        let message = explain(&strip_position(&inner.to_string()));
        let field =
            named_field(&message).unwrap_or(if path == "." { "body".to_owned() } else { path });
        AppError::Rule(RuleViolation::invalid(&field, message))
    })
}

/// serde names the field in messages about missing or unknown fields, where
/// the path points at the enclosing object.
fn named_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// The single `{…_id}` parameter of a path, as a positive integer.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let [id] = path_ids(parts, state).await?;
        Ok(Self(id))
    }
}

/// The two `{…_id}` parameters of a path such as
/// `/users/{user_id}/goals/{goal_id}`, in order.
pub struct PathIds(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let [first, second] = path_ids(parts, state).await?;
        Ok(Self(first, second))
    }
}

/// Three positive ids from the path, in order (a user's endpoint's
/// delivery).
#[derive(Debug, Clone, Copy)]
pub struct PathTriple(pub i64, pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathTriple {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let [first, second, third] = path_ids(parts, state).await?;
        Ok(Self(first, second, third))
    }
}

/// The first `N` path parameters as positive integers; the first that is
/// not one is a 422 naming it.
async fn path_ids<const N: usize, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<[i64; N], AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("path parameters unavailable: {e}")))?;
    let mut ids = [0; N];
    let mut found = params.iter();
    for id in &mut ids {
        let Some((name, raw)) = found.next() else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "route has fewer than {N} path parameters"
            )));
        };
        *id = match raw.parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                return Err(AppError::invalid(
                    name,
                    format!(
                        "{} is not an id; ids are positive integers below 2^63",
                        quote(raw)
                    ),
                ));
            }
        };
    }
    Ok(ids)
}

/// Query parameters; a bad value is a 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let message = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                // serde_urlencoded says `limit: invalid digit found in string`.
                let (field, problem) = message
                    .split_once(": ")
                    .filter(|(field, _)| !field.contains(' '))
                    .unwrap_or(("query", message));
                AppError::invalid(field, format!("is not valid: {problem}"))
            })
    }
}

/// The user a valid bearer token acts for, and what the token may do.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The token's user.
    pub user_id: i64,
    /// The token itself (its row's id).
    pub token_id: i64,
    /// What the token may do; a `read` token never gets past this
    /// extractor on a write.
    pub scope: Scope,
    /// That user's IANA zone.
    pub timezone: TimeZoneName,
    /// Where that user's weeks and days begin.
    pub days: DaySettings,
}

impl Auth {
    /// Fails with 403 unless `user_id` is the token's own user.
    pub fn require_self(&self, user_id: i64) -> Result<(), AppError> {
        if user_id == self.user_id {
            return Ok(());
        }
        Err(AppError::Forbidden(format!(
            "this token acts for user {} only; it may not act for user {user_id}",
            self.user_id
        )))
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(AppError::Unauthorized(
                "this endpoint needs `Authorization: Bearer <api_token>`; POST /users/ or POST /auth/login returns a token",
            ));
        }
        let token = bearer_token(&parts.headers)
            .and_then(PresentedToken::parse)
            .ok_or(INVALID_TOKEN)?;
        let credentials = state
            .store
            .token_credentials(token.token_id)
            .await?
            .filter(|c| token.matches(&c.secret_hash))
            .ok_or(INVALID_TOKEN)?;
        let now = state.clock.now();
        if credentials.expires_at.is_some_and(|expiry| expiry <= now) {
            return Err(AppError::Unauthorized(
                "the bearer token has expired; sign in again or create a new token with POST /users/me/tokens",
            ));
        }
        if credentials.scope == Scope::Read && !is_read(&parts.method) {
            return Err(AppError::Forbidden(
                "this token is read-only; changes need a token with scope `write`".into(),
            ));
        }
        if token::last_use_is_due(credentials.last_used_at, now) {
            record_use(state, token.token_id, now).await;
        }
        Ok(Self {
            user_id: credentials.user_id,
            token_id: token.token_id,
            scope: credentials.scope,
            timezone: TimeZoneName::from_stored(credentials.timezone),
            days: credentials.days,
        })
    }
}

/// Methods a `read` token may use.
fn is_read(method: &axum::http::Method) -> bool {
    matches!(*method, axum::http::Method::GET | axum::http::Method::HEAD)
}

/// Records a token's use. It happens about once a minute a token, so the
/// request that finds it due may as well wait for it; a failure to record
/// is logged and does not fail the request.
async fn record_use(state: &AppState, token_id: i64, now: jiff::Timestamp) {
    if let Err(e) = state.store.record_token_use(token_id, now).await {
        tracing::warn!(error = %e, token_id, "could not record a token's last use");
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in
/// any case), as sent.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

const INVALID_TOKEN: AppError = AppError::Unauthorized(
    "the bearer token is invalid, revoked or replaced; sign in again for a new one",
);
