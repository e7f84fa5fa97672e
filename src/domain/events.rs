//! The changes of a user's data that are announced: on the live event
//! stream now, and to webhooks. Each carries the JSON its resource's GET
//! answers (a deleted one: `{"id": …}`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What happened. The names are part of the contract (shared/API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A session was started, or logged (a logged one has its `end_time`,
    /// and is announced as ended right after: see [`EventKind::for_change`]).
    #[serde(rename = "session.started")]
    SessionStarted,
    /// A session was ended.
    #[serde(rename = "session.ended")]
    SessionEnded,
    /// A session's times were corrected.
    #[serde(rename = "session.updated")]
    SessionUpdated,
    /// A session was deleted, with its interruptions.
    #[serde(rename = "session.deleted")]
    SessionDeleted,
    /// An interruption was logged (open or closed).
    #[serde(rename = "interruption.created")]
    InterruptionCreated,
    /// An open interruption was closed, by itself or by its session's end.
    #[serde(rename = "interruption.ended")]
    InterruptionEnded,
    /// An interruption was corrected.
    #[serde(rename = "interruption.updated")]
    InterruptionUpdated,
    /// An interruption was deleted.
    #[serde(rename = "interruption.deleted")]
    InterruptionDeleted,
}

impl EventKind {
    /// Every kind, in the contract's order.
    pub const ALL: [Self; 8] = [
        Self::SessionStarted,
        Self::SessionEnded,
        Self::SessionUpdated,
        Self::SessionDeleted,
        Self::InterruptionCreated,
        Self::InterruptionEnded,
        Self::InterruptionUpdated,
        Self::InterruptionDeleted,
    ];

    /// The events a change announced as `self` makes, in order. A session
    /// logged already finished (`end` given) is started and ended at once,
    /// so it is announced as both, `session.started` then `session.ended`,
    /// like a session ended later: whoever follows ends (a webhook
    /// subscribed to `session.ended`, a status bar) never misses one.
    pub fn for_change(self, end: Option<Timestamp>) -> &'static [Self] {
        match (self, end) {
            (Self::SessionStarted, Some(_)) => &[Self::SessionStarted, Self::SessionEnded],
            (Self::SessionStarted, None) => &[Self::SessionStarted],
            (Self::SessionEnded, _) => &[Self::SessionEnded],
            (Self::SessionUpdated, _) => &[Self::SessionUpdated],
            (Self::SessionDeleted, _) => &[Self::SessionDeleted],
            (Self::InterruptionCreated, _) => &[Self::InterruptionCreated],
            (Self::InterruptionEnded, _) => &[Self::InterruptionEnded],
            (Self::InterruptionUpdated, _) => &[Self::InterruptionUpdated],
            (Self::InterruptionDeleted, _) => &[Self::InterruptionDeleted],
        }
    }

    /// The event's name, e.g. `session.started`.
    pub fn name(self) -> &'static str {
        match self {
            Self::SessionStarted => "session.started",
            Self::SessionEnded => "session.ended",
            Self::SessionUpdated => "session.updated",
            Self::SessionDeleted => "session.deleted",
            Self::InterruptionCreated => "interruption.created",
            Self::InterruptionEnded => "interruption.ended",
            Self::InterruptionUpdated => "interruption.updated",
            Self::InterruptionDeleted => "interruption.deleted",
        }
    }
}

/// One announced change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique: `evt_` and 32 hex digits.
    pub id: String,
    /// What happened.
    pub kind: EventKind,
    /// Whose data changed.
    pub user_id: i64,
    /// When it was announced.
    pub at: Timestamp,
    /// The resource as its GET answers it; `{"id": …}` once deleted.
    pub data: serde_json::Value,
}

impl Event {
    /// An event with a fresh random id.
    pub fn new(
        kind: EventKind,
        user_id: i64,
        at: Timestamp,
        data: serde_json::Value,
    ) -> Result<Self, getrandom::Error> {
        Ok(Self {
            id: new_id()?,
            kind,
            user_id,
            at,
            data,
        })
    }
}

/// A resource's JSON for an event's `data`; its types always serialise.
pub fn json(value: impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// A fresh random event id: `evt_` and 32 hex digits.
pub fn new_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().fold(String::from("evt_"), |mut id, b| {
        id.push_str(&format!("{b:02x}"));
        id
    }))
}

/// A webhook delivery's body, as Standard Webhooks lays it out:
/// `{"id", "type", "timestamp", "data"}`. The same bytes go out on every
/// attempt, so a receiver may compare them.
pub fn webhook_body(id: &str, event_type: &str, at: Timestamp, data: &serde_json::Value) -> String {
    serde_json::json!({
        "id": id,
        "type": event_type,
        "timestamp": at,
        "data": data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_contracts_and_serde_agrees() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "session.started",
                "session.ended",
                "session.updated",
                "session.deleted",
                "interruption.created",
                "interruption.ended",
                "interruption.updated",
                "interruption.deleted"
            ]
        );
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }

    #[test]
    fn a_webhook_body_is_id_type_timestamp_and_data() {
        let at: Timestamp = "2026-12-04T09:30:00Z".parse().unwrap();
        let body = webhook_body(
            "evt_1",
            "session.started",
            at,
            &serde_json::json!({"id": 7}),
        );
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "id": "evt_1",
                "type": "session.started",
                "timestamp": "2026-12-04T09:30:00Z",
                "data": {"id": 7}
            })
        );
    }

    #[test]
    fn ids_are_random_and_prefixed() {
        let at = Timestamp::UNIX_EPOCH;
        let a = Event::new(EventKind::SessionStarted, 1, at, serde_json::json!({})).unwrap();
        let b = Event::new(EventKind::SessionStarted, 1, at, serde_json::json!({})).unwrap();
        assert!(a.id.starts_with("evt_") && a.id.len() == 36, "{}", a.id);
        assert_ne!(a.id, b.id);
    }
}
