//! `/users/{user_id}/events`: the live event stream (server-sent events).

use std::convert::Infallible;

use axum::{
    extract::State,
    response::sse::{Event as SseEvent, Sse},
};
use tokio_stream::Stream;

use super::{
    docs::{Forbidden, Invalid, Unauthorized},
    extract::{Auth, PathId},
};
use crate::{error::AppResult, services::state::AppState};

/// Live events: every change of the user's sessions and interruptions.
///
/// A `text/event-stream` (server-sent events) that stays open. Each change,
/// whichever device, tab or client made it, arrives as one event whose
/// `event:` is its name, `id:` a unique `evt_…` id and `data:` the JSON the
/// matching GET answers now (a deleted resource: `{"id": …}`):
///
/// | event | data |
/// |---|---|
/// | `session.started` | the session (a session logged afterwards has its `end_time`, and `session.ended` follows) |
/// | `session.ended` | the session, ended, or logged already finished |
/// | `session.updated` | the session, after a correction |
/// | `session.deleted` | `{"id"}`; its interruptions went with it |
/// | `interruption.created` | the interruption |
/// | `interruption.ended` | the interruption, closed by itself or by its session's end |
/// | `interruption.updated` | the interruption, after a correction |
/// | `interruption.deleted` | `{"id"}` |
///
/// A stream that falls more than 256 events behind gets a
/// `resync` event (`data: {}`): refetch what you show. Events are not
/// replayed after a reconnect, so refetch then too. A comment line comes
/// every 15 s to keep idle connections open. When the server shuts down it
/// ends the stream with `retry: 1000`: reconnect then (to the process that
/// takes over).
#[utoipa::path(get, path = "/users/{user_id}/events", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    responses(
        (status = 200, description = "An endless stream of events",
            content_type = "text/event-stream", body = String,
            example = "event: session.started\nid: evt_4f1c0e9b2a7d4e6f8a1b3c5d7e9f0a2b\ndata: {\"id\":7,\"user_id\":1,\"start_time\":\"2025-11-15T09:00:00Z\",\"end_time\":null,\"created_at\":\"2025-11-15T09:00:00Z\",\"duration_seconds\":null,\"interruption_count\":0,\"time_lost_seconds\":0}\n\n"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_events(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
) -> AppResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    auth.require_self(user_id)?;
    Ok(state.events.stream(user_id))
}
