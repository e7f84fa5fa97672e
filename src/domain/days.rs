//! Where a person's days and weeks begin: `day_start` moves the edges of
//! days (a night-shift worker's Tuesday may run from Monday 18:00, a late
//! worker's from 04:00), `week_start` says which weekday opens a week.
//! Hours of the day stay on the clock.

use jiff::{
    SignedDuration, Timestamp,
    civil::{Date, Weekday},
    tz::{AmbiguousOffset, TimeZone},
};

use super::{FieldError, quote};

/// The earliest `day_start`, in minutes from midnight: a day may begin at
/// 18:00 the evening before.
pub const EARLIEST_DAY_START: i32 = -6 * 60;
/// The latest `day_start`: a day may begin as late as noon.
pub const LATEST_DAY_START: i32 = 12 * 60;
/// `day_start` moves in steps of this many minutes.
pub const DAY_START_STEP: i32 = 15;

/// When a day begins, in minutes from its local midnight (negative: the
/// evening before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayStart(i32);

impl DayStart {
    /// Local midnight, the default.
    pub const MIDNIGHT: Self = Self(0);

    /// Reads `"HH:MM"` (or `"-HH:MM"`), from `-06:00` to `12:00` in
    /// 15-minute steps.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let refuse = || {
            FieldError::new(
                field,
                format!(
                    "{} is not a day start; use HH:MM from -06:00 to 12:00 in steps of 15 minutes, e.g. 04:00",
                    quote(raw)
                ),
            )
        };
        let (sign, clock) = match raw.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, raw),
        };
        let (hours, minutes) = clock.split_once(':').ok_or_else(refuse)?;
        let two_digits = |part: &str| {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i32>().ok())
                .flatten()
        };
        let (Some(hours), Some(minutes)) = (two_digits(hours), two_digits(minutes)) else {
            return Err(refuse());
        };
        let total = sign * (hours * 60 + minutes);
        let fits = minutes < 60
            && total % DAY_START_STEP == 0
            && (EARLIEST_DAY_START..=LATEST_DAY_START).contains(&total);
        fits.then_some(Self(total)).ok_or_else(refuse)
    }

    /// A stored value; stored values were checked on the way in, and one
    /// out of bounds is held to them rather than failing every request.
    pub fn from_minutes(minutes: i64) -> Self {
        let minutes = minutes.clamp(i64::from(EARLIEST_DAY_START), i64::from(LATEST_DAY_START));
        Self(i32::try_from(minutes).unwrap_or(0))
    }

    /// Minutes from local midnight.
    pub fn minutes(self) -> i64 {
        i64::from(self.0)
    }

    /// The instants `[start, end)` of `date` as a day starting here: from
    /// its midnight moved by the day start, to the next one's. A start that
    /// a clock change skips is the instant after the gap; one it repeats is
    /// the first of the two.
    pub fn day(self, date: Date, zone: &TimeZone) -> (Timestamp, Timestamp) {
        let end = date
            .tomorrow()
            .map_or(Timestamp::MAX, |next| self.start_of(next, zone));
        (self.start_of(date, zone), end)
    }

    /// When the day `date` begins.
    pub fn start_of(self, date: Date, zone: &TimeZone) -> Timestamp {
        let Ok(local) = date
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(SignedDuration::from_mins(self.minutes()))
        else {
            return Timestamp::MAX;
        };
        let ambiguous = zone.to_ambiguous_timestamp(local);
        let instant = match ambiguous.offset() {
            // The clock jumps over the start: the day begins at the jump.
            AmbiguousOffset::Gap { .. } => ambiguous
                .later()
                .ok()
                // `preceding` is strictly before; the jump may be `after` itself.
                .and_then(|after| zone.preceding(after + SignedDuration::from_secs(1)).next())
                .map(|jump| jump.timestamp()),
            // Unambiguous, or repeated: the first.
            _ => ambiguous.earlier().ok(),
        };
        instant.unwrap_or(Timestamp::MAX)
    }

    /// The day `at` belongs to: the local date of `at` moved back by the
    /// day start.
    pub fn date_of(self, at: Timestamp, zone: &TimeZone) -> Date {
        let local = zone.to_datetime(at);
        let date = local
            .checked_sub(SignedDuration::from_mins(self.minutes()))
            .map_or(local.date(), |moved| moved.date());
        // Near a clock change the wall clock can disagree with the day's
        // edges by the change; the edges decide.
        let (start, end) = self.day(date, zone);
        if at < start {
            date.yesterday().unwrap_or(date)
        } else if at >= end {
            date.tomorrow().unwrap_or(date)
        } else {
            date
        }
    }
}

impl std::fmt::Display for DayStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let minutes = self.0.abs();
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// The weekday a week begins on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekStart(Weekday);

impl Default for WeekStart {
    fn default() -> Self {
        Self(Weekday::Monday)
    }
}

/// The weekday names the API speaks, Monday first.
pub const WEEKDAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl WeekStart {
    /// Reads a weekday's English name, any case.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        weekday_index(raw)
            .map(|index| Self(weekday_of_index(index)))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "{} is not a weekday; use monday, tuesday, wednesday, thursday, friday, saturday or sunday",
                        quote(raw)
                    ),
                )
            })
    }

    /// A stored name; Monday should one ever be unreadable.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse("week_start", raw).unwrap_or_default()
    }

    /// The name, lower case.
    pub fn as_str(self) -> &'static str {
        WEEKDAY_NAMES[self.index()]
    }

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        usize::try_from(self.0.to_monday_zero_offset()).unwrap_or(0)
    }

    /// The weekday indexes (0 = Monday) in this week's order.
    pub fn order(self) -> [usize; 7] {
        std::array::from_fn(|k| (self.index() + k) % 7)
    }

    /// The first day of the week holding `date`.
    pub fn week_of(self, date: Date) -> Date {
        let back =
            (date.weekday().to_monday_zero_offset() - self.0.to_monday_zero_offset()).rem_euclid(7);
        date.checked_sub(jiff::Span::new().days(i64::from(back)))
            .unwrap_or(date)
    }
}

/// 0 = Monday for a weekday's English name, any case.
pub fn weekday_index(raw: &str) -> Option<usize> {
    let lower = raw.trim().to_ascii_lowercase();
    WEEKDAY_NAMES.iter().position(|name| *name == lower)
}

fn weekday_of_index(index: usize) -> Weekday {
    Weekday::from_monday_zero_offset(i8::try_from(index).unwrap_or(0)).unwrap_or(Weekday::Monday)
}

/// A person's calendar: where their days and weeks begin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaySettings {
    /// The first day of a week.
    pub week_start: WeekStart,
    /// When a day begins.
    pub day_start: DayStart,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn date(raw: &str) -> Date {
        raw.parse().unwrap()
    }

    #[test]
    fn a_day_start_is_hh_mm_in_quarter_hours_within_its_bounds() {
        for (raw, minutes) in [
            ("00:00", 0),
            ("04:00", 240),
            ("12:00", 720),
            ("-06:00", -360),
            ("-00:15", -15),
            ("23:45", -1),
        ] {
            match DayStart::parse("day_start", raw) {
                Ok(start) => assert_eq!(start.minutes(), minutes, "{raw}"),
                Err(_) => assert_eq!(minutes, -1, "{raw} should be accepted"),
            }
        }
        for bad in [
            "4:00", "04:10", "12:15", "-06:15", "04:60", "0400", "", "+04:00",
        ] {
            assert!(DayStart::parse("day_start", bad).is_err(), "{bad}");
        }
        assert_eq!(DayStart::from_minutes(-360).to_string(), "-06:00");
        assert_eq!(DayStart::from_minutes(270).to_string(), "04:30");
        assert_eq!(DayStart::MIDNIGHT.to_string(), "00:00");
    }

    #[test]
    fn a_day_runs_from_its_moved_midnight_to_the_next() {
        let madrid = TimeZone::get("Europe/Madrid").unwrap();
        let four = DayStart::parse("d", "04:00").unwrap();
        assert_eq!(
            four.day(date("2025-11-15"), &madrid),
            (at("2025-11-15T03:00:00Z"), at("2025-11-16T03:00:00Z"))
        );
        let evening = DayStart::parse("d", "-06:00").unwrap();
        assert_eq!(
            evening.day(date("2025-11-15"), &madrid),
            (at("2025-11-14T17:00:00Z"), at("2025-11-15T17:00:00Z"))
        );
        // 02:30 does not exist on 2025-03-30 in Madrid: the day starts at 03:00.
        let half_two = DayStart::parse("d", "02:30").unwrap();
        let (start, end) = half_two.day(date("2025-03-30"), &madrid);
        assert_eq!(start, at("2025-03-30T01:00:00Z"));
        assert_eq!(end, at("2025-03-31T00:30:00Z"), "a day of 23 h 30 min");
        // A day that would begin at 02:00, the very start of the gap.
        let two = DayStart::parse("d", "02:00").unwrap();
        assert_eq!(
            two.day(date("2025-03-30"), &madrid).0,
            at("2025-03-30T01:00:00Z")
        );
    }

    #[test]
    fn an_instant_belongs_to_the_day_whose_edges_hold_it() {
        let madrid = TimeZone::get("Europe/Madrid").unwrap();
        let four = DayStart::parse("d", "04:00").unwrap();
        // 02:00 Madrid on the 16th is still the 15th's day.
        assert_eq!(
            four.date_of(at("2025-11-16T01:00:00Z"), &madrid),
            date("2025-11-15")
        );
        assert_eq!(
            four.date_of(at("2025-11-16T03:00:00Z"), &madrid),
            date("2025-11-16")
        );
        let evening = DayStart::parse("d", "-06:00").unwrap();
        assert_eq!(
            evening.date_of(at("2025-11-15T17:30:00Z"), &madrid),
            date("2025-11-16")
        );
        // The fall-back night repeats 02:00–03:00; a day starting at 02:30
        // starts at the first 02:30, and the second belongs to it too.
        let half_two = DayStart::parse("d", "02:30").unwrap();
        let (start, _) = half_two.day(date("2025-10-26"), &madrid);
        assert_eq!(start, at("2025-10-26T00:30:00Z"));
        assert_eq!(
            half_two.date_of(at("2025-10-26T01:10:00Z"), &madrid),
            date("2025-10-26")
        );
    }

    #[test]
    fn weeks_begin_on_their_weekday() {
        let sunday = WeekStart::parse("week_start", "Sunday").unwrap();
        assert_eq!(sunday.as_str(), "sunday");
        assert_eq!(sunday.order(), [6, 0, 1, 2, 3, 4, 5]);
        // 2025-11-15 is a Saturday.
        assert_eq!(sunday.week_of(date("2025-11-15")), date("2025-11-09"));
        assert_eq!(
            WeekStart::default().week_of(date("2025-11-15")),
            date("2025-11-10")
        );
        assert_eq!(sunday.week_of(date("2025-11-16")), date("2025-11-16"));
        assert!(WeekStart::parse("week_start", "sun").is_err());
    }
}
