//! The public JSON of a session and of an interruption: what the API
//! answers, and what live events (and webhooks) carry. Defined once, here,
//! so that an event's data is always exactly what the matching GET answers.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    interruption::{Interruption, InterruptionKind},
    session::Session,
};

/// A focus session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// When focus began (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    /// When it ended (UTC); `null` while active.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub end_time: Option<Timestamp>,
    /// When it was recorded (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Whole seconds from start to end; `null` while active.
    #[schema(required = true)]
    pub duration_seconds: Option<i64>,
    /// Interruptions logged in it.
    pub interruption_count: i64,
    /// Seconds lost to them; an open interruption counts up to now.
    pub time_lost_seconds: i64,
    /// What the person meant to work on; empty when they gave none.
    #[schema(max_length = 500)]
    pub note: String,
}

impl From<Session> for SessionOut {
    fn from(session: Session) -> Self {
        Self {
            duration_seconds: session.duration_seconds(),
            id: session.id,
            user_id: session.user_id,
            start_time: session.start,
            end_time: session.end,
            created_at: session.created_at,
            interruption_count: session.interruption_count,
            time_lost_seconds: session.time_lost_seconds,
            note: session.note,
        }
    }
}

/// An interruption.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterruptionOut {
    /// Positive id.
    pub id: i64,
    /// The session it happened in.
    pub session_id: i64,
    /// The session's owner.
    pub user_id: i64,
    /// What caused it.
    #[serde(rename = "type")]
    pub kind: InterruptionKind,
    /// Free text.
    pub description: String,
    /// When it began (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    /// When focus resumed (UTC); `null` while it goes on.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub end_time: Option<Timestamp>,
    /// Whole seconds lost, computed by the server; `null` while it goes on.
    #[schema(required = true)]
    pub duration: Option<i64>,
    /// When it was recorded (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Interruption> for InterruptionOut {
    fn from(interruption: Interruption) -> Self {
        Self {
            duration: interruption.duration_seconds(),
            id: interruption.id,
            session_id: interruption.session_id,
            user_id: interruption.user_id,
            kind: interruption.kind,
            description: interruption.description,
            start_time: interruption.start,
            end_time: interruption.end,
            created_at: interruption.created_at,
        }
    }
}
