//! Times as people read and type them on the pages: in their own zone,
//! to the minute where they read them, to the second where they edit them.

use jiff::{Timestamp, civil::DateTime, tz::TimeZone};

use crate::domain::FieldError;

/// An `<input type="datetime-local">` value (`2025-11-15T09:30`, seconds
/// optional) in `zone`. A time skipped by a daylight-saving change means
/// the moment after it; a repeated one, the first of the two.
pub fn parse_local(field: &str, raw: &str, zone: &TimeZone) -> Result<Timestamp, FieldError> {
    let civil: DateTime = raw.trim().parse().map_err(|_| {
        FieldError::new(
            field,
            "is not a date and time such as 2025-11-15T09:30".to_owned(),
        )
    })?;
    zone.to_ambiguous_zoned_datetime(civil)
        .compatible()
        .map(|zoned| zoned.timestamp())
        .map_err(|_| FieldError::new(field, "is outside the times that can be stored".to_owned()))
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
    let seconds = seconds.max(0);
    match seconds {
        0 => "0 min".to_owned(),
        1..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
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
    fn durations_read_like_speech() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(1500), "25 min");
        assert_eq!(duration(3900), "1 h 05 min");
        assert_eq!(stopwatch(3725), "01:02:05");
    }
}
