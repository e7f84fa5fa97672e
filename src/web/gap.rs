//! Where a forgotten session most likely goes: the last gap.
//!
//! "Log a forgotten session" must offer times that can be saved as they
//! are. The last gap is the latest stretch of time with no session in it,
//! between the start of the period shown and now, at least
//! [`MIN_GAP_SECONDS`] long (a shorter one is a pause, not a forgotten
//! session); the offer is its last hour at most, on whole minutes.

use jiff::Timestamp;

use crate::domain::time::from_unix_seconds;

/// The shortest stretch offered for a forgotten session.
pub const MIN_GAP_SECONDS: i64 = 5 * 60;
/// The longest stretch offered: an hour, the end of a longer gap.
pub const MAX_OFFER_SECONDS: i64 = 3600;

/// The times to offer inside `[from, to)` around `taken` (the sessions
/// there, each `[start, end)`, in any order); `None` when no gap is long
/// enough.
pub fn last_gap(
    taken: &[(Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
) -> Option<(Timestamp, Timestamp)> {
    let mut spans: Vec<(i64, i64)> = taken
        .iter()
        .map(|(s, e)| (s.as_second(), e.as_second()))
        .collect();
    spans.sort_unstable();
    let (from, to) = (from.as_second(), to.as_second());
    // Walk the free stretches from the earliest; keep the last long one.
    let mut free_from = from;
    let mut found = None;
    for (start, end) in spans.into_iter().chain([(to, to)]) {
        let free_to = start.min(to);
        if let Some(offer) = offer(free_from, free_to) {
            found = Some(offer);
        }
        free_from = free_from.max(end);
        if free_from >= to {
            break;
        }
    }
    found.map(|(s, e)| (from_unix_seconds(s), from_unix_seconds(e)))
}

/// The last hour at most of the free stretch `[from, to)`, on whole
/// minutes, if it is long enough.
fn offer(from: i64, to: i64) -> Option<(i64, i64)> {
    let first_minute = from.div_euclid(60) * 60 + if from.rem_euclid(60) == 0 { 0 } else { 60 };
    let last_minute = to.div_euclid(60) * 60;
    let end = last_minute;
    let start = first_minute.max(end - MAX_OFFER_SECONDS);
    (end - start >= MIN_GAP_SECONDS).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hms: &str) -> Timestamp {
        format!("2025-11-15T{hms}Z").parse().unwrap()
    }

    fn gap(taken: &[(&str, &str)], to: &str) -> Option<(String, String)> {
        let taken: Vec<_> = taken.iter().map(|(s, e)| (at(s), at(e))).collect();
        last_gap(&taken, at("00:00:00"), at(to)).map(|(s, e)| {
            (
                s.strftime("%H:%M:%S").to_string(),
                e.strftime("%H:%M:%S").to_string(),
            )
        })
    }

    #[test]
    fn the_last_hour_before_now_when_nothing_was_logged_since() {
        assert_eq!(
            gap(&[("09:00:00", "10:30:12")], "11:45:37"),
            Some(("10:45:00".into(), "11:45:00".into()))
        );
        assert_eq!(
            gap(&[("09:00:00", "10:30:12")], "11:00:00"),
            Some(("10:31:00".into(), "11:00:00".into()))
        );
    }

    #[test]
    fn a_session_just_ended_leaves_the_gap_before_it() {
        // Ended a minute ago: too short; the gap between the two sessions.
        let taken = [("08:00:00", "09:00:00"), ("09:30:00", "11:44:30")];
        assert_eq!(
            gap(&taken, "11:45:10"),
            Some(("09:00:00".into(), "09:30:00".into()))
        );
    }

    #[test]
    fn a_running_session_ends_at_now() {
        let taken = [("07:00:00", "07:30:00"), ("08:00:00", "11:00:00")];
        assert_eq!(
            gap(&taken, "11:00:00"),
            Some(("07:30:00".into(), "08:00:00".into()))
        );
    }

    #[test]
    fn nothing_long_enough_offers_nothing() {
        assert_eq!(gap(&[("00:00:00", "11:58:00")], "12:00:00"), None);
        assert_eq!(gap(&[], "00:04:00"), None);
        assert_eq!(
            gap(&[], "00:05:00"),
            Some(("00:00:00".into(), "00:05:00".into()))
        );
    }

    #[test]
    fn sessions_reaching_outside_the_period_are_clipped() {
        let taken = [("00:00:00", "02:00:00"), ("01:00:00", "03:00:00")];
        assert_eq!(
            gap(&taken, "03:30:00"),
            Some(("03:00:00".into(), "03:30:00".into()))
        );
    }
}
