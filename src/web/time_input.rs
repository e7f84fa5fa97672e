//! Times as people read and type them on the pages: in their own zone,
//! to the minute where they read them, to the second where they edit them.

use std::fmt;

use jiff::{
    Timestamp,
    civil::{Date, DateTime},
    tz::TimeZone,
};

use crate::domain::FieldError;

/// An `<input type="datetime-local">` value (`2025-11-15T09:30`, seconds
/// optional) in `zone`. A time skipped by a daylight-saving change means
/// the moment after it; a repeated one, the first of the two.
pub fn parse_local(field: &str, raw: &str, zone: &TimeZone) -> Result<Timestamp, FieldError> {
    let civil: DateTime = raw.trim().parse().map_err(|_| {
        FieldError::new(
            field,
            "Enter a date and a time, such as 2025-11-15 09:30.".to_owned(),
        )
    })?;
    zone.to_ambiguous_zoned_datetime(civil)
        .compatible()
        .map(|zoned| zoned.timestamp())
        .map_err(|_| FieldError::new(field, "That date is too far away to be stored.".to_owned()))
}

/// The value of a `datetime-local` input (with `step="1"`, to the second,
/// so that an unchanged field sends back exactly what it showed) for
/// `instant` in `zone`.
pub fn to_input(instant: Timestamp, zone: &TimeZone) -> String {
    instant
        .to_zoned_datetime(zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// `09:05`, in `zone`.
pub fn clock(instant: Timestamp, zone: &TimeZone) -> String {
    instant
        .to_zoned_datetime(zone.clone())
        .strftime("%H:%M")
        .to_string()
}

/// `Tue 2 Dec, 09:05`, in `zone`.
pub fn day_and_clock(instant: Timestamp, zone: &TimeZone) -> String {
    instant
        .to_zoned_datetime(zone.clone())
        .strftime("%a %-d %b, %H:%M")
        .to_string()
}

/// A length of time as people say it: `1 h 05 min`, `25 min`, `40 s`.
pub fn duration(seconds: i64) -> String {
    Length(seconds).to_string()
}

/// [`duration`] as a `Display`, to write into a larger text without a
/// string of its own (a year's report page writes thousands).
#[derive(Debug, Clone, Copy)]
pub struct Length(pub i64);

// Both are written with `itoa` piece by piece rather than `write!`: the
// formatting machinery, not the figures, was most of a year's page.
impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.max(0);
        let mut number = itoa::Buffer::new();
        match seconds {
            0 => f.write_str("0 min"),
            1..60 => {
                f.write_str(number.format(seconds))?;
                f.write_str(" s")
            }
            60..3600 => {
                f.write_str(number.format(seconds / 60))?;
                f.write_str(" min")
            }
            _ => {
                f.write_str(number.format(seconds / 3600))?;
                let minutes = seconds % 3600 / 60;
                f.write_str(if minutes < 10 { " h 0" } else { " h " })?;
                f.write_str(number.format(minutes))?;
                f.write_str(" min")
            }
        }
    }
}

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Nov`: a month's short name.
pub fn month_name(date: Date) -> &'static str {
    MONTH_NAMES[usize::try_from(date.month() - 1).unwrap_or(0)]
}

/// `Sat 15 Nov`, or `Sat 15 Nov 2025` with the year: what `strftime("%a
/// %-d %b %Y")` writes, without parsing a format for each of a year's days.
#[derive(Debug, Clone, Copy)]
pub struct DayLabel {
    /// The day.
    pub date: Date,
    /// Whether the year follows.
    pub with_year: bool,
}

impl fmt::Display for DayLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let weekday = usize::from(self.date.weekday().to_monday_zero_offset().unsigned_abs());
        let mut number = itoa::Buffer::new();
        f.write_str(WEEKDAY_NAMES[weekday])?;
        f.write_str(" ")?;
        f.write_str(number.format(self.date.day()))?;
        f.write_str(" ")?;
        f.write_str(month_name(self.date))?;
        if self.with_year {
            f.write_str(" ")?;
            f.write_str(number.format(self.date.year()))?;
        }
        Ok(())
    }
}

/// `HH:MM:SS`, as the timers show it.
pub fn stopwatch(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_inputs_round_trip_in_the_users_zone() {
        let madrid = TimeZone::get("Europe/Madrid").unwrap();
        let at = parse_local("start", "2025-11-15T09:30", &madrid).unwrap();
        assert_eq!(at.to_string(), "2025-11-15T08:30:00Z");
        assert_eq!(to_input(at, &madrid), "2025-11-15T09:30:00");
        assert_eq!(clock(at, &madrid), "09:30");
        assert_eq!(day_and_clock(at, &madrid), "Sat 15 Nov, 09:30");
        assert!(parse_local("start", "tomorrow", &madrid).is_err());
        // 02:30 did not happen on 2025-03-30 in Madrid: the moment after.
        let skipped = parse_local("start", "2025-03-30T02:30", &madrid).unwrap();
        assert_eq!(skipped.to_string(), "2025-03-30T01:30:00Z");
    }

    #[test]
    fn day_labels_match_strftime() {
        let mut date = jiff::civil::date(2025, 12, 25);
        for _ in 0..400 {
            let label = DayLabel {
                date,
                with_year: true,
            };
            assert_eq!(label.to_string(), date.strftime("%a %-d %b %Y").to_string());
            let short = DayLabel {
                date,
                with_year: false,
            };
            assert_eq!(short.to_string(), date.strftime("%a %-d %b").to_string());
            assert_eq!(month_name(date), date.strftime("%b").to_string());
            date = date.tomorrow().unwrap();
        }
    }

    #[test]
    fn durations_read_like_speech() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(1500), "25 min");
        assert_eq!(duration(3900), "1 h 05 min");
        assert_eq!(duration(4200), "1 h 10 min");
        assert_eq!(duration(0), "0 min");
        assert_eq!(duration(-5), "0 min");
        assert_eq!(duration(36_000), "10 h 00 min");
        assert_eq!(stopwatch(3725), "01:02:05");
    }
}
