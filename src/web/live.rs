//! `/app/events`: the live event stream for the pages, through the
//! browser's session cookie (an `EventSource` cannot send a bearer token,
//! and the API never reads cookies).

use axum::{extract::State, response::IntoResponse};

use super::Visitor;
use crate::services::state::AppState;

/// The signed-in user's live events.
pub async fn events(State(state): State<AppState>, visitor: Visitor) -> impl IntoResponse {
    state.events.stream(visitor.user_id())
}
