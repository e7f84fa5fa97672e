//! The API's JSON as the client reads it: only the fields it shows, and
//! unknown ones ignored, so a newer server does not break an older client.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::interruption::InterruptionKind;

/// A session as the API answers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Its id.
    pub id: i64,
    /// When focus began.
    pub start_time: Timestamp,
    /// When it ended; `None` while it runs.
    pub end_time: Option<Timestamp>,
    /// Whole seconds, `None` while it runs.
    pub duration_seconds: Option<i64>,
    /// How many interruptions it holds.
    #[serde(default)]
    pub interruption_count: i64,
    /// Seconds they took.
    #[serde(default)]
    pub time_lost_seconds: i64,
    /// What it was for; empty when not said (and from servers before notes).
    #[serde(default)]
    pub note: String,
}

/// An interruption as the API answers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Interruption {
    /// Its id.
    pub id: i64,
    /// Its session.
    pub session_id: i64,
    /// Its cause, by the API's name.
    #[serde(rename = "type")]
    pub kind: String,
    /// The note.
    #[serde(default)]
    pub description: String,
    /// When it began.
    pub start_time: Timestamp,
    /// When it ended; `None` while it goes on.
    pub end_time: Option<Timestamp>,
    /// Whole seconds, `None` while it goes on.
    pub duration: Option<i64>,
}

/// `GET /sessions/current`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Current {
    /// The running session, if any.
    pub session: Option<Session>,
    /// Its open interruption, if any.
    pub open_interruption: Option<Interruption>,
}

/// `GET /users/me`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Their id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their IANA zone.
    pub timezone: String,
    /// The weekday their weeks begin on (`monday` from servers before it).
    #[serde(default = "monday")]
    pub week_start: String,
    /// When their day begins, `HH:MM` (`00:00` from servers before it).
    #[serde(default = "midnight")]
    pub day_start: String,
}

fn monday() -> String {
    "monday".into()
}

fn midnight() -> String {
    "00:00".into()
}

/// `POST /auth/login`'s answer.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginToken {
    /// The token's id.
    pub id: i64,
    /// The secret, shown once.
    pub api_token: String,
}

/// The interruption type `typed` names: its full name or a prefix of
/// exactly one (`ph` is phone; `u` could be urgent_task or unknown).
pub fn interruption_kind(typed: &str) -> Result<InterruptionKind, String> {
    let wanted = typed.trim().to_ascii_lowercase().replace('-', "_");
    if let Some(exact) = InterruptionKind::from_name(&wanted) {
        return Ok(exact);
    }
    let matching: Vec<InterruptionKind> = InterruptionKind::ALL
        .into_iter()
        .filter(|kind| !wanted.is_empty() && kind.as_str().starts_with(&wanted))
        .collect();
    let names = |kinds: &[InterruptionKind]| {
        kinds
            .iter()
            .map(|kind| kind.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "{typed:?} is not an interruption type; use one of {}",
            names(&InterruptionKind::ALL)
        )),
        several => Err(format!(
            "{typed:?} could be {}; type a little more",
            names(several)
        )),
    }
}

/// An interruption of `kind` (the API's name) as a sentence says it, with
/// its article: "a phone interruption", "a self-distraction", "an urgent
/// task" — never "a self interruption" or "a urgent_task".
pub fn a_kind(kind: &str) -> String {
    match kind {
        "self" => "a self-distraction".into(),
        "urgent_task" => "an urgent task".into(),
        "unknown" => "an interruption of unknown cause".into(),
        other => format!("a {other} interruption"),
    }
}

/// The same with "the": "the phone interruption", "the urgent task".
pub fn the_kind(kind: &str) -> String {
    let a = a_kind(kind);
    let noun = a
        .strip_prefix("an ")
        .or_else(|| a.strip_prefix("a "))
        .unwrap_or(&a);
    format!("the {noun}")
}

/// The same at the start of a sentence: "A phone interruption".
pub fn a_kind_capitalised(kind: &str) -> String {
    let a = a_kind(kind);
    let mut letters = a.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_prefix_names_its_type() {
        assert_eq!(interruption_kind("ph"), Ok(InterruptionKind::Phone));
        assert_eq!(
            interruption_kind("Self"),
            Ok(InterruptionKind::SelfInflicted)
        );
        assert_eq!(
            interruption_kind("urgent-task"),
            Ok(InterruptionKind::UrgentTask)
        );
        assert_eq!(interruption_kind("ur"), Ok(InterruptionKind::UrgentTask));
        assert_eq!(
            interruption_kind("u"),
            Err("\"u\" could be urgent_task, unknown; type a little more".into())
        );
        assert_eq!(
            interruption_kind("cat"),
            Err("\"cat\" is not an interruption type; use one of family, phone, noise, self, urgent_task, unknown".into())
        );
        assert!(interruption_kind("").is_err());
    }

    #[test]
    fn sentences_name_a_type_in_words_with_the_right_article() {
        assert_eq!(a_kind("phone"), "a phone interruption");
        assert_eq!(a_kind("self"), "a self-distraction");
        assert_eq!(a_kind("urgent_task"), "an urgent task");
        assert_eq!(the_kind("urgent_task"), "the urgent task");
        assert_eq!(the_kind("unknown"), "the interruption of unknown cause");
        assert_eq!(a_kind_capitalised("self"), "A self-distraction");
    }
}
