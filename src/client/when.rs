//! TIME and DURATION as a person types them on the command line, read in
//! the user's zone against one `now`, so the same words mean the same
//! instant whether a change is sent at once or from the offline queue.

use jiff::{
    SignedDuration, Timestamp,
    civil::{Date, Time},
    tz::TimeZone,
};

/// What a TIME may look like, for messages.
pub const TIME_FORMS: &str = "14:30, -10m, 10m ago, yesterday 09:00, 2026-12-01 14:30 or RFC 3339 (2026-12-01T14:30:00+01:00)";

/// Reads a TIME: `now`, `14:30` (today), `-10m` or `10m ago`, `yesterday
/// 09:00`, `2026-12-01 14:30`, or RFC 3339 with an offset.
pub fn parse_time(raw: &str, now: Timestamp, zone: &TimeZone) -> Result<Timestamp, String> {
    let text = raw.trim().to_ascii_lowercase();
    let bad = || format!("{raw:?} is not a time; write {TIME_FORMS}");
    if text == "now" {
        return Ok(now);
    }
    if let Some(ago) = text.strip_prefix('-').or_else(|| text.strip_suffix(" ago")) {
        let back = parse_duration(ago.trim()).map_err(|_| bad())?;
        return now.checked_sub(back).map_err(|_| bad());
    }
    if let Ok(instant) = raw.trim().parse::<Timestamp>() {
        return Ok(instant);
    }
    let today = now.to_zoned_datetime(zone.clone()).date();
    let (date, clock) = match text.split_once(' ') {
        Some(("today", clock)) => (today, clock),
        Some(("yesterday", clock)) => (today.yesterday().map_err(|_| bad())?, clock),
        Some((day, clock)) => (day.parse::<Date>().map_err(|_| bad())?, clock),
        None => (today, text.as_str()),
    };
    let clock = parse_clock(clock.trim()).ok_or_else(bad)?;
    local(date, clock, zone).ok_or_else(bad)
}

/// Whether `raw` is a wall-clock time, whose instant depends on the zone
/// (`now`, `-10m` and RFC 3339 do not).
pub fn needs_zone(raw: &str) -> bool {
    let text = raw.trim().to_ascii_lowercase();
    !(text == "now"
        || text.starts_with('-')
        || text.ends_with(" ago")
        || raw.trim().parse::<Timestamp>().is_ok())
}

/// Reads a DURATION: `90s`, `5m`, `1h30m`, `2h`, or bare minutes (`25`).
pub fn parse_duration(raw: &str) -> Result<SignedDuration, String> {
    let bad = || format!("{raw:?} is not a duration; write 90s, 5m, 1h30m or 2h");
    let text = raw.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(minutes) = text.parse::<i64>() {
        return minutes_to(minutes).ok_or_else(bad);
    }
    let mut seconds: i64 = 0;
    let mut digits = String::new();
    for character in text.chars().filter(|c| !c.is_whitespace()) {
        if character.is_ascii_digit() {
            digits.push(character);
            continue;
        }
        let unit = match character {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        let amount: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        seconds = amount
            .checked_mul(unit)
            .and_then(|part| seconds.checked_add(part))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() || seconds == 0 || seconds > 366 * 86_400 {
        return Err(bad());
    }
    Ok(SignedDuration::from_secs(seconds))
}

fn minutes_to(minutes: i64) -> Option<SignedDuration> {
    (1..=366 * 1440)
        .contains(&minutes)
        .then(|| SignedDuration::from_secs(minutes * 60))
}

fn parse_clock(raw: &str) -> Option<Time> {
    let (hour, rest) = raw.split_once(':').unwrap_or((raw, "00"));
    let (minute, second) = rest.split_once(':').unwrap_or((rest, "00"));
    let field = |text: &str, below: i8| {
        let value: i8 = text.parse().ok()?;
        (text.len() <= 2 && (0..below).contains(&value)).then_some(value)
    };
    Time::new(field(hour, 24)?, field(minute, 60)?, field(second, 60)?, 0).ok()
}

/// A wall-clock time in `zone`; in a DST gap the later instant, in a fold
/// the earlier, as a person reading their clock would mean.
fn local(date: Date, clock: Time, zone: &TimeZone) -> Option<Timestamp> {
    let zoned = zone
        .to_ambiguous_zoned_datetime(date.to_datetime(clock))
        .compatible()
        .ok()?;
    Some(zoned.timestamp())
}

/// `1h 05m`, `25m 10s` or `40s`: a duration to read at a glance.
pub fn human_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (hours, minutes) {
        (0, 0) => format!("{rest}s"),
        (0, _) => format!("{minutes}m {rest:02}s"),
        _ => format!("{hours}h {minutes:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn madrid() -> TimeZone {
        TimeZone::get("Europe/Madrid").unwrap()
    }

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    const NOW: &str = "2026-12-02T15:00:00Z"; // 16:00 in Madrid

    #[test]
    fn every_written_form_is_read_in_the_users_zone() {
        let now = at(NOW);
        let cases = [
            ("14:30", "2026-12-02T13:30:00Z"),
            ("9:05", "2026-12-02T08:05:00Z"),
            ("-10m", "2026-12-02T14:50:00Z"),
            ("10m ago", "2026-12-02T14:50:00Z"),
            ("1h30m ago", "2026-12-02T13:30:00Z"),
            ("yesterday 09:00", "2026-12-01T08:00:00Z"),
            ("today 08:00", "2026-12-02T07:00:00Z"),
            ("2026-11-30 23:15", "2026-11-30T22:15:00Z"),
            ("2026-12-01T14:30:00+01:00", "2026-12-01T13:30:00Z"),
            ("now", NOW),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_time(raw, now, &madrid()), Ok(at(expected)), "{raw}");
        }
    }

    #[test]
    fn a_time_in_a_dst_gap_means_the_later_instant() {
        // 02:30 does not exist in Madrid on 2026-03-29; clocks jump to 03:00.
        let now = at("2026-03-29T12:00:00Z");
        assert_eq!(
            parse_time("02:30", now, &madrid()),
            Ok(at("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn nonsense_times_say_what_is_accepted() {
        for raw in [
            "25:00",
            "14:60",
            "tomorrow",
            "10x ago",
            "-",
            "2026-13-01 10:00",
            "",
        ] {
            let error = parse_time(raw, at(NOW), &madrid()).unwrap_err();
            assert!(error.contains("yesterday 09:00"), "{raw}: {error}");
        }
    }

    #[test]
    fn durations_add_their_parts() {
        let cases = [
            ("90s", 90),
            ("5m", 300),
            ("1h30m", 5400),
            ("2h", 7200),
            ("1h 5m 3s", 3903),
            ("25", 1500),
        ];
        for (raw, seconds) in cases {
            assert_eq!(
                parse_duration(raw),
                Ok(SignedDuration::from_secs(seconds)),
                "{raw}"
            );
        }
        for raw in ["", "0m", "5x", "h", "m5", "99999999999999h"] {
            assert!(parse_duration(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(human_duration(40), "40s");
        assert_eq!(human_duration(1510), "25m 10s");
        assert_eq!(human_duration(3900), "1h 05m");
        assert_eq!(human_duration(-3), "0s");
    }
}
