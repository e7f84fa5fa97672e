//! Instants, calendar days and time zones, parsed once at the edge.

use std::sync::LazyLock;

use jiff::{
    Timestamp,
    civil::Date,
    tz::{TimeZone, TimeZoneDatabase},
};

use super::{FieldError, quote};

/// How far in the future a client-sent time may lie: clocks drift, and a
/// phone a few seconds ahead of the server must not be rejected.
pub const FUTURE_TOLERANCE_SECONDS: i64 = 60;

/// The IANA database compiled into the binary, so that results never depend
/// on (or break with) the host's tzdata.
static TZDB: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

const TIMESTAMP_FORM: &str = "expected an RFC 3339 timestamp with an offset, e.g. 2025-11-15T16:00:00Z or 2025-11-15T17:00:00+01:00";

/// The longest timestamp: `2025-11-15T16:00:00.123456789+01:00`.
pub const MAX_TIMESTAMP_CHARS: usize = 35;

/// The longest time zone name accepted; the longest IANA name has 32.
pub const MAX_ZONE_CHARS: usize = 64;

/// The instants RFC 3339 can name (years 0000 to 9999, in UTC), as Unix
/// seconds. jiff also reads six-digit years, which no client means and which
/// would let window arithmetic run off the end of time.
pub const RFC3339_SECONDS: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

/// Parses an RFC 3339 timestamp that names its offset. Fractions of a second
/// are dropped: HyperFocus counts whole seconds everywhere.
pub fn parse_timestamp(field: &str, raw: &str) -> Result<Timestamp, FieldError> {
    (raw.len() <= MAX_TIMESTAMP_CHARS)
        .then(|| raw.parse::<Timestamp>().ok())
        .flatten()
        .filter(|parsed| RFC3339_SECONDS.contains(&parsed.as_second()))
        .map(whole_seconds)
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("{} is not valid: {TIMESTAMP_FORM}", quote(raw)),
            )
        })
}

/// Truncates to the second, the resolution HyperFocus stores and returns.
pub fn whole_seconds(instant: Timestamp) -> Timestamp {
    from_unix_seconds(instant.as_second())
}

/// The instant `seconds` after the Unix epoch, saturating at jiff's range
/// (which stored values never approach).
pub fn from_unix_seconds(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// Fails unless `instant` is at most [`FUTURE_TOLERANCE_SECONDS`] after `now`.
pub fn not_in_future(field: &str, instant: Timestamp, now: Timestamp) -> Result<(), FieldError> {
    if instant.as_second() > now.as_second() + FUTURE_TOLERANCE_SECONDS {
        return Err(FieldError::breach(
            field,
            super::breach::Breach::InFuture { at: instant, now },
        ));
    }
    Ok(())
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub fn parse_date(field: &str, raw: &str) -> Result<Date, FieldError> {
    let valid = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    valid
        .then(|| raw.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "{} is not a calendar date; expected YYYY-MM-DD, e.g. 2025-11-15",
                    quote(raw)
                ),
            )
        })
}

/// The instants `[start, end)` of a local calendar day; 23 or 25 hours long
/// on the days a daylight-saving change happens.
pub fn local_day(date: Date, zone: &TimeZone) -> (Timestamp, Timestamp) {
    let start = |d: Date| {
        d.to_zoned_datetime(zone.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    };
    let end = date.tomorrow().map(start).unwrap_or(Timestamp::MAX);
    (start(date), end)
}

/// A validated IANA time zone name, e.g. `Europe/Madrid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Accepts a name the bundled IANA database knows, in its canonical spelling.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let known = (raw.len() <= MAX_ZONE_CHARS).then(|| TZDB.get(raw.trim()).ok());
        let zone = known.flatten().ok_or_else(|| {
            FieldError::new(
                field,
                format!("{} is not an IANA time zone name; use a name such as Europe/Madrid, America/New_York or UTC", quote(raw)),
            )
        })?;
        let name = zone.iana_name().unwrap_or(raw.trim()).to_owned();
        Ok(Self(name))
    }

    /// The canonical name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone's rules, for calendar arithmetic.
    pub fn zone(&self) -> TimeZone {
        TZDB.get(&self.0).unwrap_or(TimeZone::UTC)
    }

    /// The reporting zone of a stored name. Stored names were validated on the
    /// way in; should one ever vanish from a newer database, UTC keeps the
    /// user's data readable instead of failing every request.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }
}

/// Every name [`TimeZoneName::parse`] accepts in its canonical spelling,
/// sorted: the list a client may choose from.
pub fn known_zone_names() -> Vec<String> {
    let mut names: Vec<String> = TZDB.available().map(|name| name.to_string()).collect();
    names.sort_unstable();
    names
}

/// The zones a person chooses from, as zone.tab lists them (one per
/// region of a country) and UTC; embedded as text because no crate of the
/// database we bundle exposes that list, only every name with its aliases.
const CHOOSEABLE: &str = include_str!("zone_names.txt");

/// The names offered where a person picks a zone: canonical ones only (no
/// `US/Eastern`, `Factory` or `Etc/GMT+5`), each known to the bundled
/// database, sorted. [`TimeZoneName::parse`] still accepts every name.
pub fn chooseable_zone_names() -> Vec<&'static str> {
    CHOOSEABLE
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|name| TZDB.get(name).is_ok())
        .collect()
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self("UTC".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zones_offered_are_canonical_and_known() {
        let names = chooseable_zone_names();
        assert!(names.len() > 400, "{}", names.len());
        for present in [
            "UTC",
            "Europe/Madrid",
            "Asia/Kolkata",
            "Europe/Kyiv",
            "America/New_York",
        ] {
            assert!(names.contains(&present), "{present}");
        }
        for alias in [
            "US/Eastern",
            "Factory",
            "Asia/Calcutta",
            "Europe/Kiev",
            "EST",
            "Etc/GMT+5",
        ] {
            assert!(!names.contains(&alias), "{alias}");
            assert!(
                TimeZoneName::parse("timezone", alias).is_ok(),
                "{alias} is still accepted"
            );
        }
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn timestamps_must_carry_an_offset() {
        assert_eq!(
            parse_timestamp("start_time", "2025-11-15T17:00:00+01:00").unwrap(),
            "2025-11-15T16:00:00Z".parse::<Timestamp>().unwrap()
        );
        let error = parse_timestamp("start_time", "2025-11-15T16:00:00").unwrap_err();
        assert_eq!(error.field, "start_time");
        assert!(
            error.message.contains("2025-11-15T16:00:00Z"),
            "{}",
            error.message
        );
    }

    #[test]
    fn fractions_of_a_second_are_dropped() {
        let parsed = parse_timestamp("t", "2025-11-15T16:00:00.999Z").unwrap();
        assert_eq!(parsed.to_string(), "2025-11-15T16:00:00Z");
    }

    #[test]
    fn future_tolerance_is_sixty_seconds() {
        let now: Timestamp = "2025-11-15T16:00:00Z".parse().unwrap();
        assert!(not_in_future("t", from_unix_seconds(now.as_second() + 60), now).is_ok());
        assert!(not_in_future("t", from_unix_seconds(now.as_second() + 61), now).is_err());
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("day", "2025-03-09").unwrap().to_string(),
            "2025-03-09"
        );
        assert!(parse_date("day", "2025-3-9").is_err());
        assert!(parse_date("day", "2025-02-30").is_err());
    }

    #[test]
    fn a_spring_forward_day_has_23_hours() {
        let zone = TimeZoneName::parse("tz", "America/New_York")
            .unwrap()
            .zone();
        let (start, end) = local_day(parse_date("d", "2025-03-09").unwrap(), &zone);
        assert_eq!(start.to_string(), "2025-03-09T05:00:00Z");
        assert_eq!(end.as_second() - start.as_second(), 23 * 3600);
        let (start, end) = local_day(parse_date("d", "2025-11-02").unwrap(), &zone);
        assert_eq!(start.to_string(), "2025-11-02T04:00:00Z");
        assert_eq!(end.as_second() - start.as_second(), 25 * 3600);
    }

    #[test]
    fn only_the_years_rfc_3339_can_write_are_accepted() {
        let second = |raw| parse_timestamp("t", raw).map(|t| t.as_second());
        assert_eq!(second("0000-01-01T00:00:00Z"), Ok(*RFC3339_SECONDS.start()));
        // jiff itself stops a day short of the end of year 9999.
        assert_eq!(second("9999-12-30T21:59:59.9Z"), Ok(253_402_207_199));
        for outside in [
            "-000001-12-31T23:59:59Z",
            "0000-01-01T00:00:00+01:00",
            "+010000-01-01T00:00:00Z",
            "-009999-01-01T00:00:00Z",
            // Six digits for a year of this era: jiff reads it, RFC 3339 has it not.
            "+002025-11-15T16:00:00.123456789+01:00",
        ] {
            assert!(parse_timestamp("t", outside).is_err(), "{outside}");
        }
    }

    #[test]
    fn unknown_zones_are_rejected() {
        assert_eq!(
            TimeZoneName::parse("tz", "Europe/Madrid").unwrap().as_str(),
            "Europe/Madrid"
        );
        assert_eq!(TimeZoneName::parse("tz", "UTC").unwrap().as_str(), "UTC");
        assert!(TimeZoneName::parse("tz", "Mars/Olympus_Mons").is_err());
        let names = known_zone_names();
        assert!(names.len() > 400, "{}", names.len());
        for name in &names {
            assert_eq!(
                TimeZoneName::parse("tz", name).map(|_| ()),
                Ok(()),
                "{name}"
            );
        }
        assert!(TimeZoneName::parse("tz", "").is_err());
    }
}

#[cfg(test)]
mod parsing_never_panics {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Every parser of client input answers Ok or a field error, whatever
        /// the text: a long-running stand-in for a coverage-guided fuzzer.
        #[test]
        fn on_any_text(raw in "\\PC{0,40}") {
            let _ = parse_timestamp("t", &raw);
            let _ = parse_date("d", &raw);
            let _ = TimeZoneName::parse("tz", &raw);
        }

        #[test]
        fn on_text_shaped_like_timestamps(
            raw in "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}(T[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{1,12})?)?)?(Z|[+-][0-9]{1,2}:[0-9]{1,2})?"
        ) {
            let _ = parse_timestamp("t", &raw);
            let _ = parse_date("d", &raw);
        }
    }
}
