//! Which window a report covers, from the query's `range`, `from`, `to`,
//! `tz` and `recovery`.

use jiff::{SignedDuration, Timestamp};

use super::DEFAULT_RECOVERY_SECONDS;
use crate::domain::{
    FieldError, RuleViolation, Validator,
    days::{DaySettings, DayStart, WeekStart},
    quote,
    time::{TimeZoneName, parse_date, parse_timestamp},
};

/// The longest `range` in days (ten years).
pub const MAX_RANGE_DAYS: i64 = 3660;
/// The largest recovery allowance, in seconds.
pub const MAX_RECOVERY_SECONDS: i64 = 3600;
/// The default range in days.
pub const DEFAULT_RANGE_DAYS: i64 = 7;

/// How far back a report reaches when `from` is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The last N days (N × 24 hours) before `to`.
    Days(i64),
    /// Everything since the user's first session.
    All,
}

/// A window edge as written: a local date (its midnight) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Date(jiff::civil::Date),
    Instant(Timestamp),
}

/// A parsed, not yet resolved, stats query.
#[derive(Debug, Clone)]
pub struct WindowSpec {
    range: Range,
    from: Option<Edge>,
    to: Option<Edge>,
    /// The reporting zone.
    pub zone: TimeZoneName,
    /// Where the report's days and weeks begin.
    pub days: DaySettings,
    /// The recovery allowance `R`.
    pub recovery_allowance: i64,
}

/// A resolved window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub from: Timestamp,
    /// Exclusive end.
    pub to: Timestamp,
    /// The reporting zone.
    pub zone: TimeZoneName,
    /// Where its days and weeks begin.
    pub days: DaySettings,
}

impl Window {
    /// The window of equal length just before this one.
    pub fn previous(&self) -> Self {
        let length = self.to.as_second() - self.from.as_second();
        Self {
            from: self.from - SignedDuration::from_secs(length),
            to: self.from,
            zone: self.zone.clone(),
            days: self.days,
        }
    }
}

/// The raw query parameters shared by every stats endpoint.
#[derive(Debug, Clone, Default)]
pub struct RawQuery<'a> {
    /// `Nd` or `all`.
    pub range: Option<&'a str>,
    /// Date or RFC 3339.
    pub from: Option<&'a str>,
    /// Date or RFC 3339.
    pub to: Option<&'a str>,
    /// IANA zone.
    pub tz: Option<&'a str>,
    /// Seconds, 0..=3600.
    pub recovery: Option<&'a str>,
    /// A weekday name.
    pub week_start: Option<&'a str>,
    /// `HH:MM`.
    pub day_start: Option<&'a str>,
}

impl WindowSpec {
    /// Validates every parameter at once; `user_zone` and `user_days` are
    /// the defaults.
    pub fn parse(
        raw: &RawQuery<'_>,
        user_zone: &TimeZoneName,
        user_days: DaySettings,
    ) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let range = raw
            .range
            .map_or(Some(Range::Days(DEFAULT_RANGE_DAYS)), |r| {
                v.check(parse_range(r))
            });
        let from = raw.from.and_then(|r| v.check(parse_edge("from", r)));
        let to = raw.to.and_then(|r| v.check(parse_edge("to", r)));
        let zone = match raw.tz {
            Some(name) => v.check(TimeZoneName::parse("tz", name)),
            None => Some(user_zone.clone()),
        };
        let recovery = raw.recovery.map_or(Some(DEFAULT_RECOVERY_SECONDS), |r| {
            v.check(parse_recovery(r))
        });
        let week_start = raw.week_start.map_or(Some(user_days.week_start), |w| {
            v.check(WeekStart::parse("week_start", w))
        });
        let day_start = raw.day_start.map_or(Some(user_days.day_start), |d| {
            v.check(DayStart::parse("day_start", d))
        });
        v.finish()?;
        match (range, zone, recovery, week_start, day_start) {
            (
                Some(range),
                Some(zone),
                Some(recovery_allowance),
                Some(week_start),
                Some(day_start),
            ) => Ok(Self {
                range,
                from,
                to,
                zone,
                days: DaySettings {
                    week_start,
                    day_start,
                },
                recovery_allowance,
            }),
            _ => unreachable!("the validator reports any failed parameter"),
        }
    }

    /// Whether resolving needs the user's first session (`range=all`
    /// without `from`).
    pub fn needs_first_activity(&self) -> bool {
        self.range == Range::All && self.from.is_none()
    }

    /// The window, given the current time and (for `range=all`) the start
    /// of the user's first session.
    pub fn resolve(
        &self,
        now: Timestamp,
        first_activity: Option<Timestamp>,
    ) -> Result<Window, RuleViolation> {
        let zone = self.zone.zone();
        let instant = |edge: Edge| match edge {
            Edge::Instant(at) => at,
            Edge::Date(date) => self.days.day_start.day(date, &zone).0,
        };
        let longest = SignedDuration::from_hours(MAX_RANGE_DAYS * 24);
        let to = self.to.map_or(now, instant);
        let from = match (self.from, self.range) {
            (Some(edge), _) => instant(edge),
            (None, Range::Days(days)) => to - SignedDuration::from_hours(days * 24),
            (None, Range::All) => first_activity.unwrap_or(to).min(to).max(to - longest),
        };
        if self.from.is_some() && from >= to {
            return Err(
                FieldError::new("from", format!("must be before `to` ({to}); got {from}")).into(),
            );
        }
        if to.duration_since(from) > longest {
            return Err(FieldError::new(
                "from",
                format!("`from` ({from}) to `to` ({to}) is longer than the longest report, {MAX_RANGE_DAYS} days"),
            )
            .into());
        }
        Ok(Window {
            from,
            to,
            zone: self.zone.clone(),
            days: self.days,
        })
    }
}

fn parse_range(raw: &str) -> Result<Range, FieldError> {
    if raw == "all" {
        return Ok(Range::All);
    }
    raw.strip_suffix('d')
        .and_then(|days| days.parse::<i64>().ok())
        .filter(|days| (1..=MAX_RANGE_DAYS).contains(days))
        .map(Range::Days)
        .ok_or_else(|| {
            FieldError::new(
                "range",
                format!("{} is not a range; use Nd with N from 1 to {MAX_RANGE_DAYS} (e.g. 7d, 30d) or all", quote(raw)),
            )
        })
}

/// A window edge as an instant, for windows without a range (exports): a
/// date means the start of that day in `zone`.
pub fn edge_instant(
    field: &str,
    raw: &str,
    zone: &jiff::tz::TimeZone,
    day_start: DayStart,
) -> Result<Timestamp, FieldError> {
    Ok(match parse_edge(field, raw)? {
        Edge::Instant(at) => at,
        Edge::Date(date) => day_start.day(date, zone).0,
    })
}

fn parse_edge(field: &str, raw: &str) -> Result<Edge, FieldError> {
    if raw.len() == 10 {
        return parse_date(field, raw).map(Edge::Date);
    }
    parse_timestamp(field, raw).map(Edge::Instant).map_err(|_| {
        FieldError::new(
            field,
            format!("{} is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp with an offset (2025-11-15T16:00:00Z)", quote(raw)),
        )
    })
}

fn parse_recovery(raw: &str) -> Result<i64, FieldError> {
    raw.parse::<i64>()
        .ok()
        .filter(|r| (0..=MAX_RECOVERY_SECONDS).contains(r))
        .ok_or_else(|| {
            FieldError::new(
                "recovery",
                format!(
                    "{} is not valid; use whole seconds from 0 to {MAX_RECOVERY_SECONDS}",
                    quote(raw)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn resolve(raw: RawQuery<'_>, first: Option<&str>) -> Result<Window, RuleViolation> {
        let zone = TimeZoneName::parse("tz", "Europe/Madrid").unwrap();
        let spec = WindowSpec::parse(&raw, &zone, DaySettings::default())?;
        spec.resolve(at("2025-11-20T12:00:00Z"), first.map(at))
    }

    #[test]
    fn the_default_is_the_last_seven_days() {
        let window = resolve(RawQuery::default(), None).unwrap();
        assert_eq!(
            (window.from, window.to),
            (at("2025-11-13T12:00:00Z"), at("2025-11-20T12:00:00Z"))
        );
        assert_eq!(window.zone.as_str(), "Europe/Madrid");
    }

    #[test]
    fn dates_mean_local_midnight_and_override_the_range() {
        let raw = RawQuery {
            range: Some("30d"),
            from: Some("2025-11-10"),
            to: Some("2025-11-12T00:00:00Z"),
            ..RawQuery::default()
        };
        let window = resolve(raw, None).unwrap();
        assert_eq!(
            (window.from, window.to),
            (at("2025-11-09T23:00:00Z"), at("2025-11-12T00:00:00Z"))
        );
    }

    #[test]
    fn all_starts_at_the_first_session() {
        let raw = RawQuery {
            range: Some("all"),
            ..RawQuery::default()
        };
        let window = resolve(raw.clone(), Some("2024-01-01T08:00:00Z")).unwrap();
        assert_eq!(window.from, at("2024-01-01T08:00:00Z"));
        let empty = resolve(raw, None).unwrap();
        assert_eq!(empty.from, empty.to);
    }

    #[test]
    fn bad_parameters_are_all_reported() {
        let raw = RawQuery {
            range: Some("7w"),
            from: Some("yesterday"),
            tz: Some("Mars/Base"),
            recovery: Some("3601"),
            ..RawQuery::default()
        };
        let Err(RuleViolation::Invalid(errors)) = resolve(raw, None) else {
            panic!("expected errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["range", "from", "tz", "recovery"]);
        assert!(
            parse_range("0d").is_err()
                && parse_range("3661d").is_err()
                && parse_range("3660d").is_ok()
        );
    }

    #[test]
    fn from_must_precede_to() {
        let raw = RawQuery {
            from: Some("2025-11-12"),
            to: Some("2025-11-12"),
            ..RawQuery::default()
        };
        assert!(resolve(raw, None).is_err());
    }

    #[test]
    fn no_window_is_longer_than_the_longest_range() {
        let raw = RawQuery {
            from: Some("2015-11-01"),
            to: Some("2025-11-12T00:00:00Z"),
            ..RawQuery::default()
        };
        let error = format!("{:?}", resolve(raw, None).unwrap_err());
        assert!(
            error.contains("longer than the longest report, 3660 days"),
            "{error}"
        );
        let ten_years = RawQuery {
            from: Some("2015-11-12T00:00:00Z"),
            to: Some("2025-11-12T00:00:00Z"),
            ..RawQuery::default()
        };
        assert!(resolve(ten_years, None).is_ok());
        // `all` reaches back to the first session, or ten years at most.
        let all = RawQuery {
            range: Some("all"),
            ..RawQuery::default()
        };
        let window = resolve(all.clone(), Some("1990-01-01T00:00:00Z")).unwrap();
        assert_eq!(window.from, at("2015-11-13T12:00:00Z"));
        let window = resolve(all, Some("2025-01-01T00:00:00Z")).unwrap();
        assert_eq!(window.from, at("2025-01-01T00:00:00Z"));
    }

    #[test]
    fn the_previous_window_has_the_same_length() {
        let window = resolve(RawQuery::default(), None).unwrap();
        let previous = window.previous();
        assert_eq!(
            (previous.from, previous.to),
            (at("2025-11-06T12:00:00Z"), at("2025-11-13T12:00:00Z"))
        );
    }
}

#[cfg(test)]
mod parsing_never_panics {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn on_any_query(range in "\\PC{0,12}", from in "\\PC{0,30}", tz in "\\PC{0,20}", recovery in "\\PC{0,8}") {
            let zone = TimeZoneName::default();
            let raw = RawQuery { range: Some(&range), from: Some(&from), to: None, tz: Some(&tz), recovery: Some(&recovery), week_start: Some(&tz), day_start: Some(&recovery) };
            if let Ok(spec) = WindowSpec::parse(&raw, &zone, DaySettings::default()) {
                let _ = spec.resolve(jiff::Timestamp::now(), None);
            }
        }
    }
}
