//! Splitting spans of time into local hours and days, exactly, DST included.
//!
//! Within a stretch of constant UTC offset, local wall-clock seconds are just
//! `utc + offset`, and local hours and days are plain integer divisions. So
//! the window is cut once into such stretches at the zone's transitions
//! (jiff knows them), and every span is then split with integer arithmetic:
//! a 23- or 25-hour day simply collects fewer or more seconds.

use jiff::tz::TimeZone;

use crate::domain::{days::DayStart, time::from_unix_seconds};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// A local hour that (part of) a span falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The day it counts for, as days since 1970-01-01: the local calendar
    /// day, moved by the day start.
    pub day: i64,
    /// That day's weekday, 0 = Monday.
    pub weekday: usize,
    /// Local hour of the day on the clock, 0..=23.
    pub hour: usize,
}

/// A stretch `[start, end)` of UTC seconds over which the offset is constant.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    start: i64,
    end: i64,
    offset: i64,
}

/// The local clock and days of one zone over one window.
#[derive(Debug, Clone)]
pub struct LocalClock {
    stretches: Vec<Stretch>,
    /// The instants the window's days begin at, the first at or before the
    /// window's start.
    day_starts: Vec<i64>,
    /// The day number of `day_starts[0]`.
    first_day: i64,
}

impl LocalClock {
    /// Cuts `[from, to)` (Unix seconds) at the zone's offset transitions
    /// and at the starts of days, which begin at `day_start`.
    pub fn new(zone: &TimeZone, from: i64, to: i64, day_start: DayStart) -> Self {
        let mut stretches = Vec::new();
        let mut start = from;
        while start < to {
            let at = from_unix_seconds(start);
            let offset = i64::from(zone.to_offset(at).seconds());
            let end = zone
                .following(at)
                .next()
                .map_or(to, |t| t.timestamp().as_second().min(to));
            stretches.push(Stretch { start, end, offset });
            start = end.max(start + 1);
        }
        let mut date = day_start.date_of(from_unix_seconds(from), zone);
        let first_day = day_number(date);
        let mut day_starts = vec![day_start.start_of(date, zone).as_second()];
        while let Ok(next) = date.tomorrow() {
            let begins = day_start.start_of(next, zone).as_second();
            if begins >= to {
                break;
            }
            day_starts.push(begins);
            date = next;
        }
        Self {
            stretches,
            day_starts,
            first_day,
        }
    }

    /// The slot of instant `at` (which must lie in the window).
    pub fn slot(&self, at: i64) -> Slot {
        let local = at + self.offset_at(at);
        self.slot_in(self.day_index(at), (local.rem_euclid(DAY) / HOUR) as usize)
    }

    fn slot_in(&self, day_index: usize, hour: usize) -> Slot {
        let day = self.first_day + day_index as i64;
        Slot {
            day,
            // 1970-01-01 was a Thursday (index 3 when Monday is 0).
            weekday: (day + 3).rem_euclid(7) as usize,
            hour,
        }
    }

    /// The index in `day_starts` of the day holding `at`: days are 24
    /// hours give or take a clock change, which cancel out over a year, so
    /// the guess by division is at most a day off, and a step or two finds
    /// the day (a binary search per span cost a third of a report).
    fn day_index(&self, at: i64) -> usize {
        let Some(&first) = self.day_starts.first() else {
            return 0;
        };
        let last = self.day_starts.len() - 1;
        let mut index = usize::try_from((at - first).div_euclid(DAY))
            .unwrap_or(0)
            .min(last);
        while index > 0 && self.day_starts[index] > at {
            index -= 1;
        }
        while index < last && self.day_starts[index + 1] <= at {
            index += 1;
        }
        index
    }

    /// When the day after `day_index` begins.
    fn day_end(&self, day_index: usize) -> i64 {
        self.day_starts
            .get(day_index + 1)
            .copied()
            .unwrap_or(i64::MAX)
    }

    fn offset_at(&self, at: i64) -> i64 {
        let index = self.stretches.partition_point(|s| s.end <= at);
        self.stretches
            .get(index)
            .or(self.stretches.last())
            .map_or(0, |s| s.offset)
    }

    /// Calls `each(slot, seconds)` for every local hour of every day that
    /// `[start, end)` (inside the window) overlaps, with the seconds it
    /// spends there.
    pub fn split(&self, start: i64, end: i64, mut each: impl FnMut(Slot, i64)) {
        let first = self.stretches.partition_point(|s| s.end <= start);
        let mut day_index = self.day_index(start);
        for stretch in &self.stretches[first..] {
            if stretch.start >= end {
                break;
            }
            let mut at = start.max(stretch.start);
            let until = end.min(stretch.end);
            if at >= until {
                continue;
            }
            // Divide once; then step to the next hour or day, whichever
            // comes first.
            let local = at + stretch.offset;
            let mut hour = (local.rem_euclid(DAY) / HOUR) as usize;
            let mut hour_end = (local.div_euclid(HOUR) + 1) * HOUR - stretch.offset;
            while self.day_end(day_index) <= at {
                day_index += 1;
            }
            loop {
                let day_end = self.day_end(day_index);
                let chunk_end = hour_end.min(day_end).min(until);
                each(self.slot_in(day_index, hour), chunk_end - at);
                if chunk_end >= until {
                    break;
                }
                at = chunk_end;
                if at >= day_end {
                    day_index += 1;
                }
                if at >= hour_end {
                    hour_end += HOUR;
                    hour = (hour + 1) % 24;
                }
            }
        }
    }

    /// The calendar day (days since 1970-01-01) as a date.
    pub fn date_of_day(day: i64) -> jiff::civil::Date {
        TimeZone::UTC
            .to_datetime(from_unix_seconds(day * DAY))
            .date()
    }
}

/// Days since 1970-01-01 of `date`.
fn day_number(date: jiff::civil::Date) -> i64 {
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_second().div_euclid(DAY))
}

/// Clips `[start, end)` to `[from, to)`; `None` when nothing is left.
pub fn clip(start: i64, end: i64, from: i64, to: i64) -> Option<(i64, i64)> {
    let (start, end) = (start.max(from), end.min(to));
    (start < end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(raw: &str) -> i64 {
        raw.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    fn zone(name: &str) -> TimeZone {
        crate::domain::time::TimeZoneName::parse("tz", name)
            .unwrap()
            .zone()
    }

    fn midnight_clock(zone: &TimeZone, from: i64, to: i64) -> LocalClock {
        LocalClock::new(zone, from, to, DayStart::MIDNIGHT)
    }

    fn hours_of(clock: &LocalClock, start: &str, end: &str) -> Vec<(usize, i64)> {
        let mut out = Vec::new();
        clock.split(utc(start), utc(end), |slot, seconds| {
            out.push((slot.hour, seconds))
        });
        out
    }

    #[test]
    fn a_span_splits_by_overlap_with_each_hour() {
        let clock = midnight_clock(
            &TimeZone::UTC,
            utc("2025-11-15T00:00:00Z"),
            utc("2025-11-16T00:00:00Z"),
        );
        // 09:40 to 11:10: 20 min in hour 9, 60 in hour 10, 10 in hour 11.
        assert_eq!(
            hours_of(&clock, "2025-11-15T09:40:00Z", "2025-11-15T11:10:00Z"),
            [(9, 1200), (10, 3600), (11, 600)]
        );
    }

    #[test]
    fn a_half_hour_zone_uses_its_own_hours() {
        let kolkata = zone("Asia/Kolkata"); // UTC+05:30
        let clock = midnight_clock(
            &kolkata,
            utc("2025-11-15T00:00:00Z"),
            utc("2025-11-16T00:00:00Z"),
        );
        // 04:00Z to 05:00Z is 09:30 to 10:30 local.
        assert_eq!(
            hours_of(&clock, "2025-11-15T04:00:00Z", "2025-11-15T05:00:00Z"),
            [(9, 1800), (10, 1800)]
        );
    }

    #[test]
    fn the_spring_forward_night_skips_two_oclock() {
        let new_york = zone("America/New_York");
        let clock = midnight_clock(
            &new_york,
            utc("2025-03-09T00:00:00Z"),
            utc("2025-03-10T00:00:00Z"),
        );
        // 06:00Z to 08:00Z is 01:00 EST to 04:00 EDT: hours 1 and 3, no 2.
        assert_eq!(
            hours_of(&clock, "2025-03-09T06:00:00Z", "2025-03-09T08:00:00Z"),
            [(1, 3600), (3, 3600)]
        );
    }

    #[test]
    fn the_fall_back_night_has_two_one_oclocks() {
        let new_york = zone("America/New_York");
        let clock = midnight_clock(
            &new_york,
            utc("2025-11-02T00:00:00Z"),
            utc("2025-11-03T00:00:00Z"),
        );
        // 05:00Z to 07:00Z is 01:00 EDT, then 01:00 EST again.
        assert_eq!(
            hours_of(&clock, "2025-11-02T05:00:00Z", "2025-11-02T07:00:00Z"),
            [(1, 3600), (1, 3600)]
        );
    }

    #[test]
    fn slots_know_their_local_day_and_weekday() {
        let madrid = zone("Europe/Madrid");
        let clock = midnight_clock(
            &madrid,
            utc("2025-11-01T00:00:00Z"),
            utc("2025-12-01T00:00:00Z"),
        );
        // 23:30Z on Saturday the 15th is 00:30 on Sunday the 16th in Madrid.
        let slot = clock.slot(utc("2025-11-15T23:30:00Z"));
        assert_eq!((slot.weekday, slot.hour), (6, 0));
        assert_eq!(LocalClock::date_of_day(slot.day).to_string(), "2025-11-16");
    }

    #[test]
    fn a_moved_day_start_cuts_an_hour_in_two() {
        let madrid = zone("Europe/Madrid");
        let start = DayStart::parse("d", "04:30").unwrap();
        let clock = LocalClock::new(
            &madrid,
            utc("2025-11-14T00:00:00Z"),
            utc("2025-11-17T00:00:00Z"),
            start,
        );
        // 03:00 to 06:00 in Madrid on the 16th: until 04:30 it is the 15th's day.
        let mut slots = Vec::new();
        clock.split(
            utc("2025-11-16T02:00:00Z"),
            utc("2025-11-16T05:00:00Z"),
            |slot, seconds| {
                slots.push((
                    LocalClock::date_of_day(slot.day).to_string(),
                    slot.weekday,
                    slot.hour,
                    seconds,
                ))
            },
        );
        let day = |d: &str, weekday, hour, seconds| (d.to_owned(), weekday, hour, seconds);
        assert_eq!(
            slots,
            [
                day("2025-11-15", 5, 3, 3600),
                day("2025-11-15", 5, 4, 1800),
                day("2025-11-16", 6, 4, 1800),
                day("2025-11-16", 6, 5, 3600),
            ]
        );
        let evening = LocalClock::new(
            &madrid,
            utc("2025-11-14T00:00:00Z"),
            utc("2025-11-17T00:00:00Z"),
            DayStart::parse("d", "-06:00").unwrap(),
        );
        // 19:00 on Friday the 14th is Saturday's day, hour 19.
        let slot = evening.slot(utc("2025-11-14T18:00:00Z"));
        assert_eq!(
            (
                LocalClock::date_of_day(slot.day).to_string(),
                slot.weekday,
                slot.hour
            ),
            ("2025-11-15".to_owned(), 5, 19)
        );
    }

    #[test]
    fn clipping_keeps_only_the_overlap() {
        assert_eq!(clip(0, 10, 5, 20), Some((5, 10)));
        assert_eq!(clip(0, 5, 5, 20), None);
        assert_eq!(clip(25, 30, 5, 20), None);
    }
}
