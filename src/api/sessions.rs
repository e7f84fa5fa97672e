//! `/sessions`: start, end, read, list and delete focus sessions.

use axum::{
    extract::State,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{
        BadRequest, Conflict, Forbidden, IdempotencyKeyHeader, Invalid, NotFound, NotJson,
        TooLarge, Unauthorized,
    },
    extract::{ApiQuery, Auth, Idempotent, Json, OptionalJson, PathId, non_null},
};
pub use crate::domain::views::SessionOut;
use crate::{
    db::{SessionCursor, SessionListQuery},
    domain::views::InterruptionOut,
    domain::{
        Validator,
        events::EventKind,
        session::{NewSession, Session, SessionPatch, parse_note},
        time::{from_unix_seconds, parse_date, parse_timestamp},
    },
    error::{AppError, AppResult},
    services::state::AppState,
};

/// Default and largest page sizes of session listings.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// A session to start.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionStartIn {
    /// The token's own user id; may be left out.
    #[schema(nullable = false, minimum = 1)]
    #[serde(default, deserialize_with = "non_null")]
    pub user_id: Option<i64>,
    /// When focus began, to log a session that started earlier; default now.
    /// RFC 3339 with an offset, at most 60 s in the future.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T09:00:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub start_time: Option<String>,
    /// When it ended, to log a finished session in one call (a forgotten
    /// one); leave out to start a running session. After `start_time`, at
    /// most 60 s in the future.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T11:00:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub end_time: Option<String>,
    /// What the person means to work on, at most 500 characters; default
    /// empty.
    #[schema(nullable = false, example = "chapter 3 draft", max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub note: Option<String>,
}

/// A correction of a session; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatchIn {
    /// A new start, RFC 3339 with an offset.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T08:45:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub start_time: Option<String>,
    /// A new end, RFC 3339 with an offset; only for an ended session.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T11:30:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub end_time: Option<String>,
    /// A new note, at most 500 characters; `""` clears it.
    #[schema(nullable = false, example = "chapter 3 draft", max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub note: Option<String>,
}

impl SessionPatchIn {
    fn parse(self) -> AppResult<SessionPatch> {
        let mut v = Validator::default();
        let start = self
            .start_time
            .as_deref()
            .and_then(|raw| v.check(parse_timestamp("start_time", raw)));
        let end = self
            .end_time
            .as_deref()
            .and_then(|raw| v.check(parse_timestamp("end_time", raw)));
        let note = match self.note {
            Some(raw) => v.check(parse_note(Some(raw))),
            None => None,
        };
        v.finish()?;
        Ok(SessionPatch { start, end, note })
    }
}

/// What a status bar polls.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentOut {
    /// The active session; `null` when the user is not focusing.
    #[schema(required = true)]
    pub session: Option<SessionOut>,
    /// Its interruption still going on; `null` when there is none.
    #[schema(required = true)]
    pub open_interruption: Option<InterruptionOut>,
}

/// When to end a session (or an interruption).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndIn {
    /// RFC 3339 with an offset; default now.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T11:00:00Z", max_length = 35)]
    #[serde(default, deserialize_with = "non_null")]
    pub end_time: Option<String>,
}

/// Filters and paging of a session listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionListParams {
    /// A calendar day `YYYY-MM-DD` in the user's time zone, beginning at
    /// their `day_start`; lists the sessions that overlap it.
    #[param(format = Date, max_length = 10)]
    pub day: Option<String>,
    /// Page size, 1 to 1000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Opaque position of the next page: the previous page's `Next-Cursor`
    /// header (also in its `Link`).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Start a focus session, or log a finished one.
///
/// A user has at most one active session: a second start answers 400 naming
/// the active one, even when both requests arrive at once. Sessions never
/// overlap (409 naming the session in the way): a backdated `start_time`
/// may not fall inside an earlier session, and a running session may not
/// start before a later one. With `end_time` the session is logged as
/// finished in one call (a session someone forgot to start), which may be
/// done beside an active one as long as the two do not overlap.
#[utoipa::path(post, path = "/sessions/start", tag = "sessions", security(("bearer" = [])),
    params(IdempotencyKeyHeader),
    request_body(content = Option<SessionStartIn>, description = "May be left out: the session starts now"),
    responses(
        (status = 201, description = "Started (or logged)", body = SessionOut,
            headers(("Location" = String, description = "The session's path, `/sessions/{id}`")),
            links(
                ("LogInterruption" = (operation_id = "create_interruption",
                    request_body = json!({"session_id": "$response.body#/id"}),
                    description = "Log an interruption in this session")),
                ("EndSession" = (operation_id = "end_session",
                    parameters(("session_id" = "$response.body#/id")),
                    description = "End this session")),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn start_session(
    State(state): State<AppState>,
    auth: Auth,
    Idempotent {
        body: OptionalJson(body),
        idempotency,
    }: Idempotent<OptionalJson<SessionStartIn>>,
) -> AppResult<impl IntoResponse> {
    if let Some(user_id) = body.user_id {
        auth.require_self(user_id)?;
    }
    let now = state.clock.now();
    let mut v = Validator::default();
    let start = body
        .start_time
        .as_deref()
        .and_then(|raw| v.check(parse_timestamp("start_time", raw)));
    let end = body
        .end_time
        .as_deref()
        .and_then(|raw| v.check(parse_timestamp("end_time", raw)));
    let note = v.check(parse_note(body.note));
    v.finish()?;
    let new = NewSession {
        start,
        end,
        note: note.unwrap_or_default(),
    };
    let session = state
        .store
        .start_session(auth.user_id, new, now, idempotency)
        .await?;
    state
        .events
        .session(EventKind::SessionStarted, &session, now)
        .await;
    let location = format!("/sessions/{}", session.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(SessionOut::from(session)),
    ))
}

/// Correct a session's start, end or note.
///
/// An active session may move its start; an ended one its start and its
/// end. Either may change its note. The rules of a new session hold (an end after the start, at most
/// 60 s ahead, no overlap with another session: 409), and every
/// interruption of the session must stay inside its new span (422 naming
/// the first one outside). Reports reflect the change at once. Send only
/// the fields to change; `null` is refused.
#[utoipa::path(patch, path = "/sessions/{session_id}", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = i64, Path, minimum = 1, description = "Session id")),
    request_body = SessionPatchIn,
    responses(
        (status = 200, description = "The corrected session", body = SessionOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn update_session(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
    Json(body): Json<SessionPatchIn>,
) -> AppResult<axum::Json<SessionOut>> {
    let patch = body.parse()?;
    let now = state.clock.now();
    let session = state
        .store
        .update_session(auth.user_id, id, patch, now)
        .await?;
    state
        .events
        .session(EventKind::SessionUpdated, &session, now)
        .await;
    Ok(axum::Json(session.into()))
}

/// The active session and its open interruption, if any.
///
/// What a status bar, a prompt or an app polls: one indexed read.
/// `session` is null while the user is not focusing; `open_interruption`
/// is null unless an interruption of that session is still going on.
#[utoipa::path(get, path = "/sessions/current", tag = "sessions", security(("bearer" = [])),
    responses(
        (status = 200, description = "What is going on now", body = CurrentOut),
        (status = 401, response = Unauthorized),
    ))]
pub async fn get_current_session(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<axum::Json<CurrentOut>> {
    let current = state
        .store
        .current_session(auth.user_id, state.clock.now())
        .await?;
    Ok(axum::Json(CurrentOut {
        session: current.session.map(Into::into),
        open_interruption: current.open_interruption.map(Into::into),
    }))
}

/// End an active session.
///
/// `end_time` must be after `start_time` and not before the end of any of
/// its interruptions; an interruption still open is closed at `end_time`.
/// Left out, it is now, or the first second after that which is valid (a
/// session ended in the second it began lasts a second).
#[utoipa::path(post, path = "/sessions/{session_id}/end", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = i64, Path, minimum = 1, description = "Session id")),
    request_body(content = Option<EndIn>, description = "May be empty"),
    responses(
        (status = 200, description = "The session", body = SessionOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn end_session(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
    OptionalJson(body): OptionalJson<EndIn>,
) -> AppResult<axum::Json<SessionOut>> {
    let now = state.clock.now();
    let end = body
        .end_time
        .as_deref()
        .map(|raw| parse_timestamp("end_time", raw))
        .transpose()?;
    let ended = state.store.end_session(auth.user_id, id, end, now).await?;
    if let Some(closed) = &ended.closed {
        state
            .events
            .interruption(EventKind::InterruptionEnded, closed, now)
            .await;
    }
    state
        .events
        .session(EventKind::SessionEnded, &ended.session, now)
        .await;
    Ok(axum::Json(ended.session.into()))
}

/// One session.
///
/// An active session has `end_time` and `duration_seconds` null, and its
/// `time_lost_seconds` counts an open interruption up to now. Another user's
/// session is a 404, as if it did not exist.
#[utoipa::path(get, path = "/sessions/{session_id}", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = i64, Path, minimum = 1, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionOut),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn get_session(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<axum::Json<SessionOut>> {
    let session = state
        .store
        .get_session(auth.user_id, id, state.clock.now())
        .await?;
    Ok(axum::Json(session.into()))
}

/// A user's sessions, newest first.
///
/// With `day`, only sessions overlapping that day of the user's time zone.
/// When more remain, `Link: <…>; rel="next"` gives the next page.
#[utoipa::path(get, path = "/sessions/user/{user_id}", tag = "sessions", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), SessionListParams),
    responses(
        (status = 200, description = "A page of sessions, newest first", body = Vec<SessionOut>,
         headers(
             ("Link" = String, description = "`<url>; rel=\"next\"` when more sessions remain"),
             ("Next-Cursor" = String, description = "When more sessions remain, the `cursor` of the next page (the same as in `Link`)"),
         )),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn list_user_sessions(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<SessionListParams>,
) -> AppResult<impl IntoResponse> {
    auth.require_self(user_id)?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be 1 to {MAX_LIMIT} (got {limit})"),
        ));
    }
    let overlapping = match params.day.as_deref() {
        Some(raw) => Some(
            auth.days
                .day_start
                .day(parse_date("day", raw)?, &auth.timezone.zone()),
        ),
        None => None,
    };
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let query = SessionListQuery {
        overlapping,
        after,
        // One more than asked, to learn whether another page follows.
        limit: limit + 1,
    };
    let mut sessions = state
        .store
        .list_sessions(user_id, query, state.clock.now())
        .await?;
    let mut headers = HeaderMap::new();
    if sessions.len() > limit as usize {
        sessions.truncate(limit as usize);
        if let Some(last) = sessions.last() {
            let cursor = encode_cursor(last);
            let link = next_link(user_id, &params, limit, &cursor);
            // Both are base64url and digits, always valid header values.
            if let (Ok(link), Ok(cursor)) =
                (HeaderValue::from_str(&link), HeaderValue::from_str(&cursor))
            {
                headers.insert(header::LINK, link);
                headers.insert(NEXT_CURSOR.clone(), cursor);
            }
        }
    }
    let body: Vec<SessionOut> = sessions.into_iter().map(Into::into).collect();
    Ok((headers, axum::Json(body)))
}

/// The header that carries the next page's cursor alone, for clients that
/// would rather not parse `Link`.
pub static NEXT_CURSOR: HeaderName = HeaderName::from_static("next-cursor");

fn encode_cursor(last: &Session) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", last.start.as_second(), last.id))
}

fn next_link(user_id: i64, params: &SessionListParams, limit: u32, cursor: &str) -> String {
    let day = params
        .day
        .as_deref()
        .map(|d| format!("&day={d}"))
        .unwrap_or_default();
    format!("</sessions/user/{user_id}?limit={limit}&cursor={cursor}{day}>; rel=\"next\"")
}

/// Longer than any cursor this API issues (base64 of two 64-bit numbers).
const MAX_CURSOR_CHARS: usize = 64;

fn decode_cursor(raw: &str) -> AppResult<SessionCursor> {
    let decoded = (raw.len() <= MAX_CURSOR_CHARS)
        .then(|| URL_SAFE_NO_PAD.decode(raw).ok())
        .flatten()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    decoded
        .as_deref()
        .and_then(|text| text.split_once('.'))
        .and_then(|(start, id)| Some((start.parse::<i64>().ok()?, id.parse::<i64>().ok()?)))
        .map(|(start, id)| SessionCursor {
            start: from_unix_seconds(start),
            id,
        })
        .ok_or_else(|| {
            AppError::invalid(
                "cursor",
                "is not a cursor this API issued; take it from the previous page's Link header",
            )
        })
}

/// Delete a session with its interruptions.
///
/// For a session logged by mistake; reports forget it at once. An active
/// session may be deleted too (to cancel it).
#[utoipa::path(delete, path = "/sessions/{session_id}", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = i64, Path, minimum = 1, description = "Session id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_session(
    State(state): State<AppState>,
    auth: Auth,
    PathId(id): PathId,
) -> AppResult<StatusCode> {
    let now = state.clock.now();
    state.store.delete_session(auth.user_id, id, now).await?;
    state
        .events
        .deleted(EventKind::SessionDeleted, auth.user_id, id, now)
        .await;
    Ok(StatusCode::NO_CONTENT)
}
