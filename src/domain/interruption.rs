//! Interruptions inside a focus session, and where one may be placed.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{FieldError, RuleViolation, breach::Breach, session::Span, time::not_in_future};

/// Longest accepted description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// What pulled the person out of focus. `self` is self-distraction; the rest
/// come from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterruptionKind {
    /// Someone at home.
    Family,
    /// Calls, messages, notifications.
    Phone,
    /// Sound from outside.
    Noise,
    /// Self-distraction.
    #[serde(rename = "self")]
    SelfInflicted,
    /// A "quick" task that could not wait.
    UrgentTask,
    /// Anything else.
    Unknown,
}

impl InterruptionKind {
    /// Every kind, in the order the API lists them.
    pub const ALL: [Self; 6] = [
        Self::Family,
        Self::Phone,
        Self::Noise,
        Self::SelfInflicted,
        Self::UrgentTask,
        Self::Unknown,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Family => "family",
            Self::Phone => "phone",
            Self::Noise => "noise",
            Self::SelfInflicted => "self",
            Self::UrgentTask => "urgent_task",
            Self::Unknown => "unknown",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::from_bytes(name.as_bytes())
    }

    /// The kind named by `name`'s bytes, for rows read without decoding.
    pub fn from_bytes(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str().as_bytes() == name)
    }
}

/// An interruption as stored and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interruption {
    /// Positive id.
    pub id: i64,
    /// The session it happened in.
    pub session_id: i64,
    /// The session's owner.
    pub user_id: i64,
    /// Its cause.
    pub kind: InterruptionKind,
    /// Free text, possibly empty.
    pub description: String,
    /// When it began.
    pub start: Timestamp,
    /// When focus resumed; `None` while it is still going on.
    pub end: Option<Timestamp>,
    /// When the row was written.
    pub created_at: Timestamp,
}

impl Interruption {
    /// Whole seconds lost; `None` while open.
    pub fn duration_seconds(&self) -> Option<i64> {
        self.end.map(|end| end.as_second() - self.start.as_second())
    }

    /// Its interval, for the placement rules.
    pub fn span(&self) -> Span {
        Span {
            id: self.id,
            start: self.start,
            end: self.end,
        }
    }
}

/// A validated request to log an interruption.
#[derive(Debug, Clone)]
pub struct NewInterruption {
    /// The session it belongs to.
    pub session_id: i64,
    /// Its cause.
    pub kind: InterruptionKind,
    /// Free text, at most [`MAX_DESCRIPTION_CHARS`].
    pub description: String,
    /// When it began; `None` for now (see [`super::session::default_start`]).
    pub start: Option<Timestamp>,
    /// When it ended; `None` opens an interruption still going on.
    pub end: Option<Timestamp>,
}

/// A validated change to a stored interruption; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct InterruptionPatch {
    /// A new cause.
    pub kind: Option<InterruptionKind>,
    /// A new description.
    pub description: Option<String>,
    /// A new start.
    pub start: Option<Timestamp>,
    /// A new end (closing it, if it was open).
    pub end: Option<Timestamp>,
}

impl InterruptionPatch {
    /// The interruption as it would be with this patch applied.
    pub fn apply(self, current: &Interruption) -> Interruption {
        Interruption {
            kind: self.kind.unwrap_or(current.kind),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            start: self.start.unwrap_or(current.start),
            end: self.end.or(current.end),
            ..current.clone()
        }
    }
}

/// Fails unless `session` is still active: interruptions are logged as
/// they happen, inside a running session.
pub fn check_session_active(session: &Span) -> Result<(), RuleViolation> {
    match session.end {
        Some(ended) => Err(RuleViolation::Broke(Breach::SessionNotActive {
            id: session.id,
            at: ended,
        })),
        None => Ok(()),
    }
}

/// `current` closed at `end`, or now when `None`, or an error if it was
/// closed already. Closed "now" in the second it began, it lasts a
/// second: the shortest span stored, and no error for a mistaken tap.
pub fn closed_at(
    current: &Interruption,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Result<Interruption, RuleViolation> {
    if let Some(ended) = current.end {
        return Err(RuleViolation::Broke(Breach::InterruptionAlreadyEnded {
            id: current.id,
            at: ended,
        }));
    }
    let end = end.unwrap_or_else(|| now.max(current.start + SignedDuration::from_secs(1)));
    let patch = InterruptionPatch {
        end: Some(end),
        ..InterruptionPatch::default()
    };
    Ok(patch.apply(current))
}

/// Checks the description's length.
pub fn parse_description(raw: Option<String>) -> Result<String, FieldError> {
    super::bounded_text("description", raw, MAX_DESCRIPTION_CHARS)
}

/// Checks that a closed interruption ends after it starts.
pub fn check_order(start: Timestamp, end: Option<Timestamp>) -> Result<(), FieldError> {
    match end {
        Some(end) if end <= start => Err(FieldError::breach(
            "end_time",
            Breach::EndNotAfterStart { start },
        )),
        _ => Ok(()),
    }
}

/// The instant up to which an interruption covers time for overlap checks:
/// its end, or now while it is open (at least one second, so that an open
/// interruption always covers its own start).
pub fn covered_until(start: Timestamp, end: Option<Timestamp>, now: Timestamp) -> Timestamp {
    end.unwrap_or_else(|| now.max(start + SignedDuration::from_secs(1)))
}

/// What the store knows around a proposed interruption.
#[derive(Debug, Clone, Copy)]
pub struct Surroundings<'a> {
    /// The session it goes into.
    pub session: &'a Span,
    /// The session's interruption (other than this one) that starts last
    /// before this one's [`covered_until`]. Interruptions never overlap, so it
    /// is the only one that can.
    pub neighbour: Option<&'a Span>,
    /// Another interruption of the session still open, if any.
    pub other_open: Option<&'a Span>,
}

/// Checks that `[start, end)` fits in its session: inside its bounds, not in
/// the future, overlapping no other interruption, and, when open, the
/// session's only open one.
pub fn check_placement(
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
    around: Surroundings<'_>,
) -> Result<(), RuleViolation> {
    let session = around.session;
    check_order(start, end)?;
    if start < session.start {
        return Err(FieldError::breach(
            "start_time",
            Breach::BeforeSessionStart {
                session_start: session.start,
            },
        )
        .into());
    }
    not_in_future("start_time", start, now)?;
    if let Some(end) = end {
        not_in_future("end_time", end, now)?;
    }
    if let Some(session_end) = session.end {
        let last = end.unwrap_or(start);
        if last > session_end || end.is_none() {
            return Err(
                FieldError::breach("end_time", Breach::AfterSessionEnd { session_end }).into(),
            );
        }
    }
    if let (None, Some(open)) = (end, around.other_open) {
        return Err(RuleViolation::Broke(Breach::OpenInterruption {
            other: *open,
        }));
    }
    let until = covered_until(start, end, now);
    if let Some(clash) = around.neighbour.filter(|n| n.overlaps(start, until, now)) {
        return Err(RuleViolation::Broke(Breach::InterruptionOverlap {
            other: *clash,
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{at, span};

    fn place(
        start: &str,
        end: Option<&str>,
        session: &Span,
        neighbour: Option<&Span>,
        other_open: Option<&Span>,
    ) -> Result<(), RuleViolation> {
        let around = Surroundings {
            session,
            neighbour,
            other_open,
        };
        check_placement(at(start), end.map(at), at("12:00:00"), around)
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in InterruptionKind::ALL {
            assert_eq!(InterruptionKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(InterruptionKind::from_name("dog"), None);
    }

    #[test]
    fn an_interruption_lies_inside_its_session() {
        let session = span(1, "09:00:00", None);
        assert_eq!(
            place("09:00:00", Some("09:01:00"), &session, None, None),
            Ok(())
        );
        assert!(place("08:59:59", Some("09:01:00"), &session, None, None).is_err());
        assert!(place("09:10:00", Some("09:10:00"), &session, None, None).is_err());
        assert!(place("11:59:00", Some("12:01:01"), &session, None, None).is_err());
        let ended = span(1, "09:00:00", Some("10:00:00"));
        assert_eq!(
            place("09:50:00", Some("10:00:00"), &ended, None, None),
            Ok(())
        );
        assert!(place("09:50:00", Some("10:00:01"), &ended, None, None).is_err());
        assert!(place("09:50:00", None, &ended, None, None).is_err());
    }

    #[test]
    fn touching_is_not_overlapping() {
        let session = span(1, "09:00:00", None);
        let before = span(2, "09:10:00", Some("09:20:00"));
        assert_eq!(
            place("09:20:00", Some("09:25:00"), &session, Some(&before), None),
            Ok(())
        );
        let clash = place("09:19:59", Some("09:25:00"), &session, Some(&before), None);
        assert!(
            matches!(clash, Err(RuleViolation::Broke(b)) if b.to_string().contains("interruption 2"))
        );
    }

    #[test]
    fn an_open_interruption_covers_until_now() {
        let session = span(1, "09:00:00", None);
        let open = span(3, "11:00:00", None);
        assert!(
            place(
                "11:30:00",
                Some("11:40:00"),
                &session,
                Some(&open),
                Some(&open)
            )
            .is_err()
        );
        assert_eq!(
            place("10:00:00", Some("11:00:00"), &session, None, Some(&open)),
            Ok(())
        );
        let second_open = place("10:00:00", None, &session, None, Some(&open));
        assert!(
            matches!(second_open, Err(RuleViolation::Broke(b)) if b.to_string().contains("still open"))
        );
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(parse_description(None).unwrap(), "");
        assert!(parse_description(Some("x".repeat(500))).is_ok());
        assert!(parse_description(Some("x".repeat(501))).is_err());
    }
}
