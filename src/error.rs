//! The one error type of the HTTP layer and its problem+json form.
//!
//! Which error belongs where: domain rules fail with
//! `domain::RuleViolation`; storage with `db::StoreError` (SQL errors never
//! leave `db`); handlers and extractors with [`AppError`], which converts
//! from both. Only [`AppError::status`] chooses a status code, and only
//! [`AppError::into_response`] writes an error body — so every error, from a
//! bad id in a path to a failing disk, reaches clients in the same shape.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::StoreError,
    domain::{FieldError, RuleViolation, breach::Kind},
};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A domain rule was broken (422, 409 or 400 by kind).
    #[error(transparent)]
    Rule(#[from] RuleViolation),
    /// The request itself is malformed, e.g. broken JSON (400).
    #[error("{0}")]
    BadRequest(String),
    /// No valid bearer token (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The token's user may not act on what the request names (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such resource visible to this token (404).
    #[error("{0}")]
    NotFound(String),
    /// The route exists, the method does not (405).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The body is larger than the limit (413).
    #[error("the request body is larger than the limit of 1 MiB")]
    PayloadTooLarge,
    /// The body is not JSON (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The client sent more requests than its rate limit allows; it may
    /// retry after this many seconds (429).
    #[error("too many requests from this client; retry in {0} s (see the RateLimit-* headers)")]
    TooManyRequests(u64),
    /// Too many failed sign-ins for an account or from an address; the
    /// next attempt may come after this many seconds (429).
    #[error("too many failed sign-ins for this account or from this address; try again in {0} s")]
    TooManySignIns(u64),
    /// Too many registrations from one address were refused because their
    /// email already had an account; the next may come after this many
    /// seconds (429).
    #[error(
        "too many registrations from this address were refused because their email already has an account; try again in {0} s"
    )]
    TooManyRegistrations(u64),
    /// The database cannot serve the request now (503).
    #[error("{0}")]
    Unavailable(String),
    /// The request took longer than the configured limit (503).
    #[error("the request took longer than {0} ms and was abandoned; try again")]
    Timeout(u128),
    /// A bug or an I/O failure (500). The cause is logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 422 naming one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Rule(RuleViolation::invalid(field, message))
    }

    /// The status each error is answered with; the only such mapping.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Rule(RuleViolation::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Rule(RuleViolation::Broke(breach)) => match breach.kind() {
                Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Kind::Conflict => StatusCode::CONFLICT,
                Kind::WrongState => StatusCode::BAD_REQUEST,
            },
            Self::Rule(RuleViolation::Conflict(_)) => StatusCode::CONFLICT,
            Self::Rule(RuleViolation::WrongState(_)) | Self::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests(_) | Self::TooManySignIns(_) | Self::TooManyRegistrations(_) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unavailable(_) | Self::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::Rule(RuleViolation::Invalid(_)) => "validation-error",
            Self::Rule(RuleViolation::Broke(breach)) => match breach.kind() {
                Kind::Invalid => "validation-error",
                Kind::Conflict => "conflict",
                Kind::WrongState => "invalid-state",
            },
            Self::Rule(RuleViolation::Conflict(_)) => "conflict",
            Self::Rule(RuleViolation::WrongState(_)) => "invalid-state",
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::TooManyRequests(_) => "too-many-requests",
            Self::TooManySignIns(_) => "too-many-sign-ins",
            Self::TooManyRegistrations(_) => "too-many-registrations",
            Self::Unavailable(_) => "service-unavailable",
            Self::Timeout(_) => "timeout",
            Self::Internal(_) => "internal-error",
        }
    }

    /// The problem's `detail`: what went wrong, for a client to show.
    pub fn detail(&self) -> String {
        match self {
            Self::Rule(RuleViolation::Invalid(errors)) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid; see errors", errors.len()),
            },
            Self::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        Self::Rule(error.into())
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Rule(rule) => Self::Rule(rule),
            StoreError::NotFound(what) => Self::NotFound(format!(
                "{what} not found: it does not exist or is not yours"
            )),
            StoreError::Unavailable(why) => Self::Unavailable(why),
            StoreError::Internal(cause) => Self::Internal(cause),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation-error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, and how to fix it.
    pub detail: String,
    /// For validation errors (422): each bad field and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldErrorOut>>,
}

/// One invalid field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorOut {
    /// The body field, query parameter or path parameter at fault.
    pub field: String,
    /// What was wrong and the accepted form.
    pub message: String,
}

impl From<&FieldError> for FieldErrorOut {
    fn from(error: &FieldError) -> Self {
        Self {
            field: error.field.clone(),
            message: error.message.clone(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(why) => tracing::warn!(reason = %why, "database unavailable"),
            _ => {}
        }
        let errors = match &self {
            Self::Rule(RuleViolation::Invalid(errors)) => {
                Some(errors.iter().map(Into::into).collect())
            }
            _ => None,
        };
        let problem = Problem {
            kind: format!("/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests(seconds)
            | Self::TooManySignIns(seconds)
            | Self::TooManyRegistrations(seconds) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            _ => {}
        }
        response
    }
}

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;
