//! The calendar feed: `/users/me/calendar-feed` to make, replace or end
//! it, and `/calendar/{file}` where calendar apps read it.

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use jiff::SignedDuration;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    docs::{NotFound, Unauthorized},
    extract::Auth,
};
use crate::{
    domain::calendar_feed::{FEED_DAYS, FeedOwner, IcsEncoder, NewFeed, hash_of_file},
    domain::time::TimeZoneName,
    error::{AppError, AppResult},
    services::state::AppState,
};

/// A calendar feed's address, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedOut {
    /// The feed's path on this server, to join to its address and give to a
    /// calendar app ("subscribe by URL"). It is the feed's only key: keep it
    /// like a password.
    #[schema(example = "/calendar/hfcal_9d2f0c6ab81e4f7d8c3b5a1e0f2d4c6b8a0e1f3d5c7.ics")]
    pub path: String,
    /// When this address was made (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// Make or replace the calendar feed.
///
/// Gives the user a secret, read-only address serving their finished
/// sessions of the last 365 days as iCalendar events (their interruptions in
/// each event's description), for any calendar app to subscribe to. A new
/// address replaces the old one, which stops working at once. Shown only
/// here: the server keeps its hash.
#[utoipa::path(put, path = "/users/me/calendar-feed", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The new address", body = CalendarFeedOut),
        (status = 401, response = Unauthorized),
        (status = 403, description = "A read-only token", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_calendar_feed(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<axum::Json<CalendarFeedOut>> {
    let feed = NewFeed::generate().map_err(|e| AppError::Internal(e.into()))?;
    let now = state.clock.now();
    state
        .store
        .set_calendar_feed(auth.user_id, feed.hash, now)
        .await?;
    Ok(axum::Json(CalendarFeedOut {
        path: format!("/calendar/{}", feed.file),
        created_at: now,
    }))
}

/// End the calendar feed.
///
/// Its address stops working at once.
#[utoipa::path(delete, path = "/users/me/calendar-feed", tag = "users", security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, response = Unauthorized),
        (status = 403, description = "A read-only token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, response = NotFound),
    ))]
pub async fn delete_calendar_feed(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<StatusCode> {
    state.store.delete_calendar_feed(auth.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A calendar feed.
///
/// The user's finished sessions of the last 365 days as an iCalendar file
/// (RFC 5545), one event per session with its interruptions in the
/// description. The address is the key (no token): an unknown, replaced or
/// ended one is a 404. Each event's `UID` is
/// `session-<id>-user-<user id>@<server>.hyperfocus`, where `<server>` is a
/// random name the database made for itself: ids are never reused, so a UID
/// names one session for good, and no two servers share one.
#[utoipa::path(get, path = "/calendar/{file}", tag = "users",
    params(("file" = String, Path, description = "`hfcal_….ics`, as `PUT /users/me/calendar-feed` gave it", max_length = 59)),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 404, response = NotFound),
    ))]
pub async fn get_calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let unknown = || AppError::NotFound("no calendar feed has this address".into());
    let hash = hash_of_file(&file).ok_or_else(unknown)?;
    let (user_id, zone) = state
        .store
        .calendar_feed_owner(hash)
        .await?
        .ok_or_else(unknown)?;
    let now = state.clock.now();
    let user = state.store.get_user(user_id).await?;
    let from = now - SignedDuration::from_hours(24 * FEED_DAYS);
    let rows = state.store.export_rows(user_id, Some(from), None).await?;
    let zone = TimeZoneName::from_stored(zone).zone();
    let owner = FeedOwner {
        name: &user.name,
        user_id,
        instance: state.store.instance(),
    };
    let (encoder, opening) = IcsEncoder::start(owner, zone, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        crate::services::exports::body(encoder, opening, rows),
    )
        .into_response())
}
