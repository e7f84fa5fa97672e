//! Focus sessions and the rules for starting and ending them.

use jiff::Timestamp;

use super::{FieldError, RuleViolation, time::not_in_future};

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

/// Checks a new session against the user's sessions: at most one active, and
/// none overlapping, so that worked time is never counted twice.
///
/// `latest` is the user's session that started last; sessions never overlap,
/// so it is also the one that ended last and the only one that can clash.
pub fn check_start(
    start: Timestamp,
    now: Timestamp,
    active: Option<&Span>,
    latest: Option<&Span>,
) -> Result<(), RuleViolation> {
    not_in_future("start_time", start, now)?;
    if let Some(active) = active {
        return Err(active_session_exists(active.id));
    }
    if let Some(latest) = latest.filter(|s| s.end_or(now) > start) {
        return Err(RuleViolation::Conflict(format!(
            "start_time {start} falls inside session {} ({} to {}); sessions may not overlap",
            latest.id,
            latest.start,
            latest.end_or(now)
        )));
    }
    Ok(())
}

/// The error for a second active session, shared with the database's
/// constraint so both paths say the same thing.
pub fn active_session_exists(active_id: i64) -> RuleViolation {
    RuleViolation::WrongState(format!(
        "the user already has an active session (id {active_id}); end it with POST /sessions/{active_id}/end before starting another"
    ))
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
        return Err(RuleViolation::WrongState(format!(
            "session {} already ended at {ended}",
            session.id
        )));
    }
    if end <= session.start {
        return Err(end_error(format!(
            "must be after the session's start_time ({})",
            session.start
        )));
    }
    not_in_future("end_time", end, now)?;
    if let Some((id, last_end)) = last_closed.and_then(|i| Some((i.id, i.end?)))
        && end < last_end
    {
        return Err(end_error(format!(
            "must not be before the end of interruption {id} ({last_end})"
        )));
    }
    if let Some(open) = open.filter(|open| open.start >= end) {
        return Err(end_error(format!(
            "must be after the start of interruption {} ({}), which is still open and is closed when the session ends",
            open.id, open.start
        )));
    }
    Ok(())
}

fn end_error(message: String) -> RuleViolation {
    FieldError::new("end_time", message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{at, span};

    #[test]
    fn an_active_session_blocks_a_new_one() {
        let active = span(7, "09:00:00", None);
        let error = check_start(at("10:00:00"), at("10:00:00"), Some(&active), Some(&active));
        assert_eq!(error, Err(active_session_exists(7)));
    }

    #[test]
    fn a_backdated_start_may_not_overlap_the_last_session() {
        let last = span(3, "08:00:00", Some("09:00:00"));
        let now = at("12:00:00");
        assert!(matches!(
            check_start(at("08:59:59"), now, None, Some(&last)),
            Err(RuleViolation::Conflict(m)) if m.contains("session 3")
        ));
        assert_eq!(check_start(at("09:00:00"), now, None, Some(&last)), Ok(()));
    }

    #[test]
    fn a_start_more_than_a_minute_ahead_is_refused() {
        let now = at("12:00:00");
        assert!(check_start(at("12:01:00"), now, None, None).is_ok());
        assert!(check_start(at("12:01:01"), now, None, None).is_err());
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
            Err(RuleViolation::WrongState(_))
        ));
    }
}
