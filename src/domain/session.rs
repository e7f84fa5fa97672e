//! Focus sessions and the rules for starting and ending them.

use jiff::{SignedDuration, Timestamp};

use super::{FieldError, RuleViolation, Validator, breach::Breach, time::not_in_future};

/// A stored interval (a session or an interruption); `end` is `None` while it
/// is still going on. The rules need no more than this of stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The session's or interruption's id, named in error messages.
    pub id: i64,
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end, `None` while active.
    pub end: Option<Timestamp>,
}

impl Span {
    /// The end, or `now` for a span still going on.
    pub fn end_or(&self, now: Timestamp) -> Timestamp {
        self.end.unwrap_or(now)
    }

    /// Whether `[start, end)` shares any instant with this span.
    pub fn overlaps(&self, start: Timestamp, end: Timestamp, now: Timestamp) -> bool {
        self.start < end && self.end_or(now) > start
    }
}

/// A focus session as reported to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// When focus began.
    pub start: Timestamp,
    /// When it ended; `None` while active.
    pub end: Option<Timestamp>,
    /// When the row was written.
    pub created_at: Timestamp,
    /// What the person meant to work on, as they wrote it.
    pub note: String,
    /// How many interruptions it holds.
    pub interruption_count: i64,
    /// Seconds lost to them; an open interruption counts up to now.
    pub time_lost_seconds: i64,
}

impl Session {
    /// Whole seconds from start to end; `None` while active.
    pub fn duration_seconds(&self) -> Option<i64> {
        self.end.map(|end| end.as_second() - self.start.as_second())
    }
}

/// Checks a new session `[start, end)` against the user's sessions: at most
/// one active, and none overlapping, so that worked time is never counted
/// twice. Without `end` the session is running, from `start` on.
///
/// `active` is the user's active session. `neighbour` is the user's session
/// that starts last before `end` (before any time, for a running one):
/// sessions never overlap one another, so it is the only one that can clash.
pub fn check_start(
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
    active: Option<&Span>,
    neighbour: Option<&Span>,
) -> Result<(), RuleViolation> {
    check_times(start, end, now)?;
    if end.is_none()
        && let Some(active) = active
    {
        return Err(active_session_exists(active.id, Some(active.start)));
    }
    match neighbour {
        Some(other) => check_no_overlap(start, end, now, other),
        None => Ok(()),
    }
}

/// Each time at most a minute ahead, and an end after its start: checked
/// together, so that a client learns of both at once.
fn check_times(
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), RuleViolation> {
    let mut v = Validator::default();
    v.check(not_in_future("start_time", start, now));
    if let Some(end) = end {
        v.check(not_in_future("end_time", end, now));
        if end <= start {
            v.push(FieldError::breach(
                "end_time",
                Breach::EndNotAfterStart { start },
            ));
        }
    }
    v.finish()
}

/// 409 when `[start, end)` (or a running session from `start`) overlaps
/// `other`, with a detail that says which way.
fn check_no_overlap(
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
    other: &Span,
) -> Result<(), RuleViolation> {
    if !other.overlaps(start, end.unwrap_or(Timestamp::MAX), now) {
        return Ok(());
    }
    Err(RuleViolation::Broke(Breach::SessionOverlap {
        start,
        end,
        other: *other,
        other_until: other.end_or(now),
    }))
}

/// A validated session to write: a running one without `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// When focus began; `None` for now (see [`default_start`]).
    pub start: Option<Timestamp>,
    /// When it ended, for a session logged afterwards.
    pub end: Option<Timestamp>,
    /// At most [`MAX_NOTE_CHARS`].
    pub note: String,
}

/// A correction of a session; what is `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPatch {
    /// A new start.
    pub start: Option<Timestamp>,
    /// A new end; only for an ended session.
    pub end: Option<Timestamp>,
    /// A new note.
    pub note: Option<String>,
}

/// Longest accepted note, in characters: as long as an interruption's
/// description, so that both fit the same fields of a form or a CSV.
pub const MAX_NOTE_CHARS: usize = super::interruption::MAX_DESCRIPTION_CHARS;

/// Checks a note's length.
pub fn parse_note(raw: Option<String>) -> Result<String, FieldError> {
    super::bounded_text("note", raw, MAX_NOTE_CHARS)
}

/// Checks a correction of `current` and returns its new span.
///
/// `neighbour` is the user's *other* session that starts last before the
/// new end (before any time, for an active session). `first` and `last`
/// are the session's interruptions that start first and last: interruptions
/// never overlap, so if those two stay inside the new span, all do.
pub fn check_update(
    current: &Span,
    patch: &SessionPatch,
    now: Timestamp,
    neighbour: Option<&Span>,
    first: Option<&Span>,
    last: Option<&Span>,
) -> Result<Span, RuleViolation> {
    if patch.end.is_some() && current.end.is_none() {
        return Err(RuleViolation::Broke(Breach::SessionStillActive {
            id: current.id,
        }));
    }
    let start = patch.start.unwrap_or(current.start);
    let end = patch.end.or(current.end);
    check_times(start, end, now)?;
    if let Some(other) = neighbour {
        check_no_overlap(start, end, now, other)?;
    }
    if let Some(first) = first.filter(|first| first.start < start) {
        return Err(FieldError::breach(
            "start_time",
            Breach::AfterFirstInterruption {
                interruption: *first,
            },
        )
        .into());
    }
    if let (Some(end), Some(last)) = (end, last)
        && last.end_or(now) > end
    {
        return Err(FieldError::breach(
            "end_time",
            Breach::BeforeInterruptionEnd {
                interruption: *last,
                until: last.end_or(now),
                correcting: true,
            },
        )
        .into());
    }
    Ok(Span {
        id: current.id,
        start,
        end,
    })
}

/// One second, the shortest span HyperFocus stores.
const SECOND: SignedDuration = SignedDuration::from_secs(1);

/// The start of a session or an interruption begun "now" (no time given):
/// now, or the end of the one before it when that is later. Times are
/// whole seconds, so something ended "now" in the second it began ends a
/// second later (see [`default_end`]); what starts right after it starts
/// there, never inside it.
pub fn default_start(now: Timestamp, before: Option<&Span>) -> Timestamp {
    before.and_then(|b| b.end).map_or(now, |end| now.max(end))
}

/// The end of a session ended "now" (no time given): now, or the first
/// instant that is valid when now is not (ending "now" always succeeds).
/// A session ended in the second it began lasts a second, the shortest
/// span stored; it never ends before the interruptions it holds end, nor
/// before the second after its open one began.
pub fn default_end(
    session: &Span,
    now: Timestamp,
    last_closed: Option<&Span>,
    open: Option<&Span>,
) -> Timestamp {
    let mut end = now.max(session.start + SECOND);
    if let Some(closed_end) = last_closed.and_then(|i| i.end) {
        end = end.max(closed_end);
    }
    if let Some(open) = open {
        end = end.max(open.start + SECOND);
    }
    end
}

/// The error for a second active session, shared with the database's
/// constraint so both paths say the same thing.
/// `since` is the active session's start, when known.
pub fn active_session_exists(id: i64, since: Option<Timestamp>) -> RuleViolation {
    RuleViolation::Broke(Breach::ActiveSession { id, since })
}

/// Checks that `session` may end at `end`.
///
/// `last_closed` is the closed interruption that ends last; `open` is the
/// interruption still going on, which ending the session closes at `end`.
pub fn check_end(
    session: &Span,
    end: Timestamp,
    now: Timestamp,
    last_closed: Option<&Span>,
    open: Option<&Span>,
) -> Result<(), RuleViolation> {
    if let Some(ended) = session.end {
        return Err(RuleViolation::Broke(Breach::SessionAlreadyEnded {
            id: session.id,
            at: ended,
        }));
    }
    if end <= session.start {
        return Err(end_error(Breach::EndNotAfterSessionStart {
            start: session.start,
        }));
    }
    not_in_future("end_time", end, now)?;
    if let Some((last, last_end)) = last_closed.and_then(|i| Some((i, i.end?)))
        && end < last_end
    {
        return Err(end_error(Breach::BeforeInterruptionEnd {
            interruption: *last,
            until: last_end,
            correcting: false,
        }));
    }
    if let Some(open) = open.filter(|open| open.start >= end) {
        return Err(end_error(Breach::BeforeOpenInterruption {
            interruption: *open,
        }));
    }
    Ok(())
}

fn end_error(breach: Breach) -> RuleViolation {
    FieldError::breach("end_time", breach).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{at, span};

    #[test]
    fn an_active_session_blocks_a_new_one() {
        let active = span(7, "09:00:00", None);
        let error = check_start(
            at("10:00:00"),
            None,
            at("10:00:00"),
            Some(&active),
            Some(&active),
        );
        assert_eq!(error, Err(active_session_exists(7, Some(at("09:00:00")))));
    }

    fn conflict(result: Result<(), RuleViolation>) -> String {
        match result {
            Err(RuleViolation::Broke(breach @ Breach::SessionOverlap { .. })) => breach.to_string(),
            other => panic!("not a conflict: {other:?}"),
        }
    }

    #[test]
    fn a_backdated_start_may_not_overlap_the_last_session() {
        let last = span(3, "08:00:00", Some("09:00:00"));
        let now = at("12:00:00");
        assert_eq!(
            conflict(check_start(at("08:59:59"), None, now, None, Some(&last))),
            "start_time 2025-11-15T08:59:59Z falls inside session 3 (2025-11-15T08:00:00Z to 2025-11-15T09:00:00Z); sessions may not overlap"
        );
        assert_eq!(
            check_start(at("09:00:00"), None, now, None, Some(&last)),
            Ok(())
        );
    }

    #[test]
    fn a_running_session_may_not_start_before_a_later_one() {
        let later = span(127, "08:00:00", Some("09:00:00"));
        let now = at("12:00:00");
        assert_eq!(
            conflict(check_start(at("07:00:00"), None, now, None, Some(&later))),
            "a session running since 2025-11-15T07:00:00Z would overlap session 127 (2025-11-15T08:00:00Z to 2025-11-15T09:00:00Z), which starts later; to log a finished session send end_time too"
        );
        // As a finished session before it, it fits.
        assert_eq!(
            check_start(
                at("07:00:00"),
                Some(at("08:00:00")),
                now,
                None,
                Some(&later)
            ),
            Ok(())
        );
    }

    #[test]
    fn a_finished_session_may_be_logged_beside_an_active_one() {
        let active = span(9, "11:00:00", None);
        let now = at("12:00:00");
        assert_eq!(
            check_start(
                at("09:00:00"),
                Some(at("10:00:00")),
                now,
                Some(&active),
                None
            ),
            Ok(())
        );
        assert_eq!(
            conflict(check_start(
                at("10:30:00"),
                Some(at("11:30:00")),
                now,
                Some(&active),
                Some(&active)
            )),
            "2025-11-15T10:30:00Z to 2025-11-15T11:30:00Z would overlap session 9 (2025-11-15T11:00:00Z to 2025-11-15T12:00:00Z); sessions may not overlap"
        );
    }

    #[test]
    fn a_finished_session_ends_after_it_starts_and_not_ahead() {
        let now = at("12:00:00");
        let both = check_start(at("12:05:00"), Some(at("12:00:00")), now, None, None);
        let Err(RuleViolation::Invalid(errors)) = both else {
            panic!("{both:?}")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["start_time", "end_time"]);
        assert!(check_start(at("11:00:00"), Some(at("12:01:01")), now, None, None).is_err());
        assert!(check_start(at("11:00:00"), Some(at("12:01:00")), now, None, None).is_ok());
    }

    #[test]
    fn a_start_more_than_a_minute_ahead_is_refused() {
        let now = at("12:00:00");
        assert!(check_start(at("12:01:00"), None, now, None, None).is_ok());
        assert!(check_start(at("12:01:01"), None, now, None, None).is_err());
    }

    #[test]
    fn a_correction_keeps_the_interruptions_inside() {
        let session = span(1, "09:00:00", Some("11:00:00"));
        let now = at("12:00:00");
        let first = span(5, "09:30:00", Some("09:40:00"));
        let last = span(6, "10:30:00", Some("10:45:00"));
        let patch = |start: Option<&str>, end: Option<&str>| SessionPatch {
            start: start.map(at),
            end: end.map(at),
            note: None,
        };
        let moved = check_update(
            &session,
            &patch(Some("08:30:00"), Some("10:45:00")),
            now,
            None,
            Some(&first),
            Some(&last),
        );
        assert_eq!(moved, Ok(span(1, "08:30:00", Some("10:45:00"))));
        let late_start = check_update(
            &session,
            &patch(Some("09:31:00"), None),
            now,
            None,
            Some(&first),
            Some(&last),
        );
        let Err(RuleViolation::Invalid(errors)) = late_start else {
            panic!("{late_start:?}")
        };
        assert_eq!(errors[0].field, "start_time");
        assert_eq!(
            errors[0].message,
            "must not be after the start of interruption 5 (2025-11-15T09:30:00Z); move or delete it first"
        );
        let early_end = check_update(
            &session,
            &patch(None, Some("10:44:59")),
            now,
            None,
            Some(&first),
            Some(&last),
        );
        assert!(matches!(early_end, Err(RuleViolation::Invalid(e)) if e[0].field == "end_time"));
        let before = span(2, "07:00:00", Some("08:45:00"));
        let overlapping = check_update(
            &session,
            &patch(Some("08:30:00"), None),
            now,
            Some(&before),
            Some(&first),
            Some(&last),
        );
        assert!(
            matches!(overlapping, Err(RuleViolation::Broke(b)) if b.to_string().contains("session 2"))
        );
    }

    #[test]
    fn an_active_session_may_move_its_start_but_not_be_given_an_end() {
        let active = span(1, "09:00:00", None);
        let now = at("12:00:00");
        let open = span(4, "11:00:00", None);
        let earlier = SessionPatch {
            start: Some(at("08:00:00")),
            ..SessionPatch::default()
        };
        assert_eq!(
            check_update(&active, &earlier, now, None, Some(&open), Some(&open)),
            Ok(span(1, "08:00:00", None))
        );
        let ended = SessionPatch {
            end: Some(at("10:00:00")),
            ..SessionPatch::default()
        };
        assert!(matches!(
            check_update(&active, &ended, now, None, None, None),
            Err(RuleViolation::Broke(_))
        ));
    }

    #[test]
    fn ending_checks_order_and_interruptions() {
        let session = span(1, "09:00:00", None);
        let now = at("12:00:00");
        let last = span(5, "10:00:00", Some("10:30:00"));
        assert!(check_end(&session, at("09:00:00"), now, None, None).is_err());
        assert!(check_end(&session, at("10:29:59"), now, Some(&last), None).is_err());
        assert_eq!(
            check_end(&session, at("10:30:00"), now, Some(&last), None),
            Ok(())
        );
        let open = span(6, "11:00:00", None);
        assert!(check_end(&session, at("11:00:00"), now, Some(&last), Some(&open)).is_err());
        assert_eq!(
            check_end(&session, at("11:00:01"), now, Some(&last), Some(&open)),
            Ok(())
        );
    }

    #[test]
    fn an_ended_session_cannot_end_again() {
        let session = span(1, "09:00:00", Some("10:00:00"));
        assert!(matches!(
            check_end(&session, at("11:00:00"), at("12:00:00"), None, None),
            Err(RuleViolation::Broke(_))
        ));
    }
}
