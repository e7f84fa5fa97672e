//! `/interruptions`: log, close, read, change and delete interruptions.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    docs::{
        BadRequest, Conflict, Forbidden, IdempotencyKeyHeader, Invalid, NotFound, NotJson,
        TooLarge, Unauthorized,
    },
    extract::{Auth, Idempotent, Json, OptionalJson, PathId, non_null},
    sessions::EndIn,
};
pub use crate::domain::views::InterruptionOut;
use crate::{
    domain::{
        Validator,
        events::EventKind,
        interruption::{
            InterruptionKind, InterruptionPatch, NewInterruption, check_order, parse_description,
        },
        time::parse_timestamp,
    },
    error::AppResult,
    services::state::AppState,
};

/// An interruption to log. Without `end_time` it is still going on: close
/// it later with `POST /interruptions/{id}/end`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterruptionIn {
    /// The active session it happened in.
    #[schema(minimum = 1)]
    pub session_id: i64,
    /// The token's own user id; may be left out.
    #[schema(nullable = false, minimum = 1)]
    #[serde(default, deserialize_with = "non_null")]
    pub user_id: Option<i64>,
    /// What caused it.
    #[serde(rename = "type")]
    pub kind: InterruptionKind,
    /// Free text, at most 500 characters; default empty.
    #[schema(nullable = false, example = "WhatsApp messages", max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub description: Option<String>,
    /// When it began, RFC 3339 with an offset; default now.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T16:00:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub start_time: Option<String>,
    /// When focus resumed, RFC 3339 with an offset; leave out while it goes on.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T16:02:30Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub end_time: Option<String>,
}

/// Changes to an interruption; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterruptionPatchIn {
    /// A new cause.
    #[serde(rename = "type")]
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub kind: Option<InterruptionKind>,
    /// New text, at most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub description: Option<String>,
    /// A new start, RFC 3339 with an offset.
    #[schema(nullable = false, format = DateTime, max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub start_time: Option<String>,
    /// A new end, RFC 3339 with an offset (closes an open interruption).
    #[schema(nullable = false, format = DateTime, max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub end_time: Option<String>,
}

impl InterruptionIn {
    fn parse(self) -> AppResult<NewInterruption> {
        let mut v = Validator::default();
        let description = v.check(parse_description(self.description));
        let start = self
            .start_time
            .as_deref()
            .and_then(|raw| v.check(parse_timestamp("start_time", raw)));
        let end = self
            .end_time
            .as_deref()
            .map(|raw| v.check(parse_timestamp("end_time", raw)));
        if let (Some(start), Some(Some(end))) = (start, end) {
            v.check(check_order(start, Some(end)));
        }
        v.finish()?;
        Ok(NewInterruption {
            session_id: self.session_id,
            kind: self.kind,
            description: description.unwrap_or_default(),
            start,
            end: end.flatten(),
        })
    }
}

impl InterruptionPatchIn {
    fn parse(self) -> AppResult<InterruptionPatch> {
        let mut v = Validator::default();
        let description = self
            .description
            .and_then(|d| v.check(parse_description(Some(d))));
        let start = self
            .start_time
            .as_deref()
            .and_then(|raw| v.check(parse_timestamp("start_time", raw)));
        let end = self
            .end_time
            .as_deref()
            .and_then(|raw| v.check(parse_timestamp("end_time", raw)));
        v.finish()?;
        Ok(InterruptionPatch {
            kind: self.kind,
            description,
            start,
            end,
        })
    }
}

/// Log an interruption in an active session.
///
/// It must lie inside the session (not before its start, not more than 60 s
/// in the future) and overlap no other interruption of the session (409).
/// `duration` is computed by the server; sending it is an error.
#[utoipa::path(post, path = "/interruptions/", tag = "interruptions", security(("bearer" = [])),
    params(IdempotencyKeyHeader),
    request_body = InterruptionIn,
    responses(
        (status = 201, description = "Logged", body = InterruptionOut,
            headers(("Location" = String, description = "The interruption's path, `/interruptions/{id}`")),
            links(
                ("EndInterruption" = (operation_id = "end_interruption",
                    parameters(("interruption_id" = "$response.body#/id")),
                    description = "Close this interruption, if it is still open")),
                ("UpdateInterruption" = (operation_id = "update_interruption",
                    parameters(("interruption_id" = "$response.body#/id")),
                    description = "Correct this interruption")),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn create_interruption(
    State(state): State<AppState>,
    auth: Auth,
    Idempotent {
        body: Json(body),
        idempotency,
    }: Idempotent<Json<InterruptionIn>>,
) -> AppResult<impl IntoResponse> {
    if let Some(user_id) = body.user_id {
        auth.require_self(user_id)?;
    }
    let now = state.clock.now();
    let new = body.parse()?;
    let interruption = state
        .store
        .create_interruption(auth.user_id, new, now, idempotency)
        .await?;
    state
        .events
        .interruption(EventKind::InterruptionCreated, &interruption, now)
        .await;
    let location = format!("/interruptions/{}", interruption.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(InterruptionOut::from(interruption)),
    ))
}

/// Close an interruption that is still going on.
///
/// `end_time` defaults to now (a second after the start when now is still
/// the start's own second), and must be after the interruption's start, at
/// most 60 s ahead, and not overlap a later interruption of the session.
/// Closing a closed interruption is a 400. Ending the session closes an open
/// interruption too.
#[utoipa::path(post, path = "/interruptions/{interruption_id}/end", tag = "interruptions", security(("bearer" = [])),
    params(("interruption_id" = i64, Path, minimum = 1, description = "Interruption id")),
    request_body(content = Option<EndIn>, description = "May be empty"),
    responses(
        (status = 200, description = "The interruption", body = InterruptionOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn end_interruption(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
    OptionalJson(body): OptionalJson<EndIn>,
) -> AppResult<axum::Json<InterruptionOut>> {
    let now = state.clock.now();
    let end = body
        .end_time
        .as_deref()
        .map(|raw| parse_timestamp("end_time", raw))
        .transpose()?;
    let interruption = state
        .store
        .end_interruption(auth.user_id, id, end, now)
        .await?;
    state
        .events
        .interruption(EventKind::InterruptionEnded, &interruption, now)
        .await;
    Ok(axum::Json(interruption.into()))
}

/// One interruption.
///
/// While it goes on, `end_time` and `duration` are null. Another user's
/// interruption is a 404, as if it did not exist.
#[utoipa::path(get, path = "/interruptions/{interruption_id}", tag = "interruptions", security(("bearer" = [])),
    params(("interruption_id" = i64, Path, minimum = 1, description = "Interruption id")),
    responses(
        (status = 200, description = "The interruption", body = InterruptionOut),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn get_interruption(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<axum::Json<InterruptionOut>> {
    Ok(axum::Json(
        state.store.get_interruption(auth.user_id, id).await?.into(),
    ))
}

/// Change an interruption; its new times are checked like a new one's.
///
/// Send only the fields to change; `null` is refused (422), since no field
/// is cleared. The interruption must stay inside its session, ended or not,
/// and overlap no other interruption of it (409). Setting `end_time` closes
/// an open interruption.
#[utoipa::path(patch, path = "/interruptions/{interruption_id}", tag = "interruptions", security(("bearer" = [])),
    params(("interruption_id" = i64, Path, minimum = 1, description = "Interruption id")),
    request_body = InterruptionPatchIn,
    responses(
        (status = 200, description = "The interruption", body = InterruptionOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn update_interruption(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
    Json(body): Json<InterruptionPatchIn>,
) -> AppResult<axum::Json<InterruptionOut>> {
    let patch = body.parse()?;
    let now = state.clock.now();
    let updated = state
        .store
        .update_interruption(auth.user_id, id, patch, now)
        .await?;
    state
        .events
        .interruption(EventKind::InterruptionUpdated, &updated, now)
        .await;
    Ok(axum::Json(updated.into()))
}

/// A session's interruptions, by start time.
///
/// All of them, oldest first; a session holds few enough that the list is
/// not paged.
#[utoipa::path(get, path = "/interruptions/session/{session_id}", tag = "interruptions", security(("bearer" = [])),
    params(("session_id" = i64, Path, minimum = 1, description = "Session id")),
    responses(
        (status = 200, description = "The session's interruptions, by start", body = Vec<InterruptionOut>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn list_session_interruptions(
    State(state): State<AppState>,
    auth: Auth,
    PathId(session_id): PathId,
) -> AppResult<axum::Json<Vec<InterruptionOut>>> {
    let found = state
        .store
        .list_interruptions(auth.user_id, session_id)
        .await?;
    Ok(axum::Json(found.into_iter().map(Into::into).collect()))
}

/// Delete an interruption.
///
/// Its time counts as worked again in every report, at once.
#[utoipa::path(delete, path = "/interruptions/{interruption_id}", tag = "interruptions", security(("bearer" = [])),
    params(("interruption_id" = i64, Path, minimum = 1, description = "Interruption id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_interruption(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<StatusCode> {
    let now = state.clock.now();
    state
        .store
        .delete_interruption(auth.user_id, id, now)
        .await?;
    state
        .events
        .deleted(EventKind::InterruptionDeleted, auth.user_id, id, now)
        .await;
    Ok(StatusCode::NO_CONTENT)
}
