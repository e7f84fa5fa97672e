//! Hand-computed reports, the arithmetic written out, and property tests of
//! the invariants every client may rely on.

use jiff::tz::TimeZone;
use proptest::prelude::*;

use super::*;
use crate::domain::{days::DayStart, interruption::InterruptionKind as K, time::TimeZoneName};

fn t(raw: &str) -> i64 {
    raw.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn zone(name: &str) -> TimeZone {
    TimeZoneName::parse("tz", name).unwrap().zone()
}

fn session(
    start: &str,
    end: Option<&str>,
    interruptions: &[(K, &str, Option<&str>)],
) -> SessionSpan {
    SessionSpan {
        start: t(start),
        end: end.map(t),
        interruptions: interruptions
            .iter()
            .map(|&(kind, start, end)| InterruptionSpan {
                kind,
                start: t(start),
                end: end.map(t),
            })
            .collect(),
    }
}

fn params(from: &str, to: &str, tz: &str, now: &str) -> Params {
    Params {
        from: t(from),
        to: t(to),
        zone: zone(tz),
        now: t(now),
        recovery_allowance: DEFAULT_RECOVERY_SECONDS,
        day_start: DayStart::MIDNIGHT,
    }
}

#[test]
fn a_morning_with_two_interruptions() {
    let sessions = [session(
        "2025-11-15T09:00:00Z",
        Some("2025-11-15T11:00:00Z"),
        &[
            (
                K::Phone,
                "2025-11-15T10:00:00Z",
                Some("2025-11-15T10:02:30Z"),
            ),
            (
                K::SelfInflicted,
                "2025-11-15T10:30:00Z",
                Some("2025-11-15T10:40:00Z"),
            ),
        ],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-15T00:00:00Z",
            "2025-11-16T00:00:00Z",
            "UTC",
            "2025-11-20T00:00:00Z",
        ),
    );
    let s = report.summary;
    assert_eq!((s.total_sessions, s.total_interruptions), (1, 2));
    assert_eq!(
        (s.worked, s.lost, s.effective),
        (7200, 150 + 600, 7200 - 750)
    );
    assert_eq!(s.average_interruption_duration, 375.0); // (150 + 600) / 2
    assert_eq!(s.interruptions_per_hour, 1.0); // 2 interruptions in 2 hours
    // Recovery: phone ends 10:02:30, the next starts 10:30 (27.5 min away):
    // min(600, 1650) = 600. Self ends 10:40, the session 20 min later: 600.
    // focused = 6450 − 1200 = 5250; 100 × 5250 / 7200 = 72.9 → 73.
    assert_eq!(
        s.focus,
        Focus {
            score: 73,
            worked: 7200,
            lost: 750,
            recovery: 1200,
            focused: 5250,
            recovery_allowance: 600
        }
    );
    // Stretches: 09:00–10:00 (3600), 10:02:30–10:30 (1650), 10:40–11:00 (1200).
    assert_eq!((s.longest_focus_stretch, s.deep_work_blocks), (3600, 2));
    assert_eq!(
        report.hours[9],
        Bucket {
            work: 3600,
            lost: 0,
            interruptions: 0
        }
    );
    assert_eq!(
        report.hours[10],
        Bucket {
            work: 3600,
            lost: 750,
            interruptions: 2
        }
    );
    assert_eq!(
        report.weekdays[5],
        Bucket {
            work: 7200,
            lost: 750,
            interruptions: 2
        }
    ); // a Saturday
    let order: Vec<_> = report
        .types
        .iter()
        .map(|t| (t.kind.as_str(), t.count, t.total_duration))
        .collect();
    assert_eq!(
        order,
        [
            ("self", 1, 600),
            ("phone", 1, 150),
            ("family", 0, 0),
            ("noise", 0, 0),
            ("unknown", 0, 0),
            ("urgent_task", 0, 0)
        ]
    );
    assert_eq!(report.types[0].time_share, 0.8); // 600 / 750
    assert_eq!(
        (report.self_share, report.external_share),
        (
            Share {
                count: 1,
                lost: 600
            },
            Share {
                count: 1,
                lost: 150
            }
        )
    );
    assert_eq!(
        report.peak(),
        Peak {
            hour: Some(10),
            interruptions: 2,
            lost: 750
        }
    );
}

#[test]
fn the_window_edge_cuts_a_session_across_midnight() {
    // 23:00 to 01:00, interrupted 23:50 to 00:10; the window starts at midnight.
    let sessions = [session(
        "2025-11-15T23:00:00Z",
        Some("2025-11-16T01:00:00Z"),
        &[(
            K::Noise,
            "2025-11-15T23:50:00Z",
            Some("2025-11-16T00:10:00Z"),
        )],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-16T00:00:00Z",
            "2025-11-17T00:00:00Z",
            "UTC",
            "2025-11-20T00:00:00Z",
        ),
    );
    let s = report.summary;
    // Worked 00:00–01:00; lost 00:00–00:10; the interruption started before
    // the window, so it is not counted and costs no recovery.
    assert_eq!(
        (s.total_sessions, s.total_interruptions, s.worked, s.lost),
        (1, 0, 3600, 600)
    );
    assert_eq!(s.focus.score, 83); // 3000 / 3600 = 83.3
    assert_eq!((s.longest_focus_stretch, s.deep_work_blocks), (3000, 1));
    assert_eq!(
        report.hours[0],
        Bucket {
            work: 3600,
            lost: 600,
            interruptions: 0
        }
    );
    assert_eq!(report.peak(), Peak::default());
    assert_eq!(report.days.len(), 1);
    assert_eq!(report.days[0].date.to_string(), "2025-11-16");
}

#[test]
fn an_active_session_and_an_open_interruption_run_to_now() {
    let sessions = [session(
        "2025-11-15T09:00:00Z",
        None,
        &[(K::Family, "2025-11-15T09:20:00Z", None)],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-15T00:00:00Z",
            "2025-11-15T09:30:00Z",
            "UTC",
            "2025-11-15T09:30:00Z",
        ),
    );
    let s = report.summary;
    // Worked 09:00–09:30, lost 09:20–09:30; recovery min(600, now − now) = 0.
    assert_eq!(
        (s.worked, s.lost, s.total_interruptions, s.focus.recovery),
        (1800, 600, 1, 0)
    );
    assert_eq!(s.focus.score, 67); // 1200 / 1800 = 66.7
    assert_eq!(s.average_interruption_duration, 600.0);
}

#[test]
fn recovery_stops_at_the_window_edge() {
    let sessions = [session(
        "2025-11-15T09:00:00Z",
        Some("2025-11-15T12:00:00Z"),
        &[(
            K::UrgentTask,
            "2025-11-15T10:50:00Z",
            Some("2025-11-15T10:55:00Z"),
        )],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-15T10:00:00Z",
            "2025-11-15T11:00:00Z",
            "UTC",
            "2025-11-20T00:00:00Z",
        ),
    );
    // Recovery would run 10:55–11:05; the window ends at 11:00.
    assert_eq!(report.summary.focus.recovery, 300);
    assert_eq!(report.summary.focus.focused, 3600 - 300 - 300);
}

#[test]
fn a_spring_forward_day_has_23_hours_and_no_two_oclock() {
    let new_york = TimeZoneName::parse("tz", "America/New_York").unwrap();
    // 01:30 EST to 04:30 EDT: two hours and a half of wall clock, two of time.
    let sessions = [session(
        "2025-03-09T06:30:00Z",
        Some("2025-03-09T08:30:00Z"),
        &[],
    )];
    let (from, to) =
        crate::domain::time::local_day("2025-03-09".parse().unwrap(), &new_york.zone());
    let p = Params {
        from: from.as_second(),
        to: to.as_second(),
        ..params(
            "2025-03-09T00:00:00Z",
            "2025-03-09T00:00:00Z",
            "America/New_York",
            "2025-04-01T00:00:00Z",
        )
    };
    assert_eq!(p.to - p.from, 23 * 3600);
    let report = report(&sessions, &p);
    assert_eq!(
        (
            report.hours[1].work,
            report.hours[2].work,
            report.hours[3].work,
            report.hours[4].work
        ),
        (1800, 0, 3600, 1800)
    );
    assert_eq!(report.days.len(), 1);
    assert_eq!(
        (report.days[0].date.to_string(), report.days[0].bucket.work),
        ("2025-03-09".to_owned(), 7200)
    );
    assert_eq!(report.weekdays[6].work, 7200); // a Sunday
}

#[test]
fn a_fall_back_day_counts_one_oclock_twice() {
    // 01:30 EDT to 01:30 EST is an hour of time, all of it at 1 a.m.
    let sessions = [session(
        "2025-11-02T05:30:00Z",
        Some("2025-11-02T06:30:00Z"),
        &[],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-02T04:00:00Z",
            "2025-11-03T05:00:00Z",
            "America/New_York",
            "2025-12-01T00:00:00Z",
        ),
    );
    assert_eq!(report.hours[1].work, 3600);
    assert_eq!(report.days.len(), 1, "the 25-hour day is one day");
}

#[test]
fn local_hours_follow_the_users_zone() {
    // 00:30Z to 01:30Z is 09:30 to 10:30 in Tokyo (UTC+9).
    let sessions = [session(
        "2025-11-15T00:30:00Z",
        Some("2025-11-15T01:30:00Z"),
        &[(
            K::Phone,
            "2025-11-15T01:00:00Z",
            Some("2025-11-15T01:05:00Z"),
        )],
    )];
    let report = report(
        &sessions,
        &params(
            "2025-11-14T15:00:00Z",
            "2025-11-15T15:00:00Z",
            "Asia/Tokyo",
            "2025-12-01T00:00:00Z",
        ),
    );
    assert_eq!(report.hours[9].work, 1800);
    assert_eq!(
        report.hours[10],
        Bucket {
            work: 1800,
            lost: 300,
            interruptions: 1
        }
    );
    assert_eq!(report.peak().hour, Some(10));
}

#[test]
fn daily_series_cover_every_local_day_including_empty_ones() {
    let sessions = [session(
        "2025-11-15T09:00:00Z",
        Some("2025-11-15T10:00:00Z"),
        &[],
    )];
    // Madrid: 2025-11-14 12:00 local to 2025-11-17 01:00 local.
    let report = report(
        &sessions,
        &params(
            "2025-11-14T11:00:00Z",
            "2025-11-17T00:00:00Z",
            "Europe/Madrid",
            "2025-12-01T00:00:00Z",
        ),
    );
    let dates: Vec<_> = report
        .days
        .iter()
        .map(|d| (d.date.to_string(), d.bucket.work, d.focus_score()))
        .collect();
    assert_eq!(
        dates,
        [
            ("2025-11-14".to_owned(), 0, 0),
            ("2025-11-15".to_owned(), 3600, 100),
            ("2025-11-16".to_owned(), 0, 0),
            ("2025-11-17".to_owned(), 0, 0)
        ]
    );
}

#[test]
fn a_late_night_counts_for_the_day_before_when_days_begin_at_four() {
    // Friday 2025-11-14 22:00 to Saturday 02:30 in Madrid (UTC+1), with a
    // phone call at 01:00 on Saturday.
    let sessions = [session(
        "2025-11-14T21:00:00Z",
        Some("2025-11-15T01:30:00Z"),
        &[(
            K::Phone,
            "2025-11-15T00:00:00Z",
            Some("2025-11-15T00:10:00Z"),
        )],
    )];
    let mut p = params(
        "2025-11-13T23:00:00Z",
        "2025-11-16T23:00:00Z",
        "Europe/Madrid",
        "2025-11-17T00:00:00Z",
    );
    p.day_start = DayStart::parse("day_start", "04:00").unwrap();
    let r = report(&sessions, &p);
    // The window's dates are its days: from the 13th (which begins at
    // 04:00 on the 13th, before the window) to the 16th.
    let dates: Vec<String> = r.days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(
        dates,
        ["2025-11-13", "2025-11-14", "2025-11-15", "2025-11-16"]
    );
    assert_eq!(r.days[1].bucket.work, 16_200, "all of it is Friday's");
    assert_eq!(r.days[1].bucket.interruptions, 1);
    assert_eq!(r.days[2].bucket.work, 0);
    assert_eq!(r.weekdays[4].work, 16_200, "Friday");
    assert_eq!(r.weekdays[5].work, 0, "Saturday");
    // Hours stay on the clock: 22, 23, 0, 1 (the call), 2.
    let hours: Vec<(usize, i64)> = (0..24)
        .filter(|&h| r.hours[h].work > 0)
        .map(|h| (h, r.hours[h].work))
        .collect();
    assert_eq!(
        hours,
        [(0, 3600), (1, 3600), (2, 1800), (22, 3600), (23, 3600)]
    );
    assert_eq!(r.hours[1].interruptions, 1);
    assert_eq!(r.heatmap[4][1].interruptions, 1, "Friday's day, 01h");
}

#[test]
fn percent_rounds_halves_up() {
    assert_eq!(
        (
            percent(1, 8),
            percent(1, 200),
            percent(3, 200),
            percent(0, 0),
            percent(9, 3)
        ),
        (13, 1, 2, 0, 100)
    );
}

/// Random valid histories: sessions that never overlap, each with
/// interruptions that never overlap and stay inside it.
fn history() -> impl Strategy<Value = Vec<SessionSpan>> {
    let kind = prop::sample::select(K::ALL.to_vec());
    let interruption = (0i64..7200, 1i64..1800, kind);
    let session = (
        0i64..86_400,
        60i64..36_000,
        prop::collection::vec(interruption, 0..6),
    );
    prop::collection::vec(session, 0..8).prop_map(|raw| {
        let base = t("2025-03-01T00:00:00Z");
        let mut cursor = base;
        let mut sessions = Vec::new();
        for (gap, length, interruptions) in raw {
            let start = cursor + gap;
            let end = start + length;
            let mut at = start;
            let mut spans = Vec::new();
            for (pause, duration, kind) in interruptions {
                let s = at + pause;
                let e = (s + duration).min(end);
                if s >= end || e <= s {
                    break;
                }
                spans.push(InterruptionSpan {
                    kind,
                    start: s,
                    end: Some(e),
                });
                at = e;
            }
            sessions.push(SessionSpan {
                start,
                end: Some(end),
                interruptions: spans,
            });
            cursor = end;
        }
        if let Some(last) = sessions.last_mut().filter(|_| cursor > base) {
            last.end = None; // the last one may be active; now is after every end
        }
        sessions
    })
}

fn params_for(from: i64, to: i64, tz: &str) -> Params {
    Params {
        from,
        to,
        zone: zone(tz),
        now: t("2025-03-10T00:00:00Z"),
        recovery_allowance: 600,
        day_start: DayStart::MIDNIGHT,
    }
}

/// A day start from `-06:00` to `12:00`, a quarter of an hour per step.
fn day_start(quarters: i64) -> DayStart {
    DayStart::from_minutes(quarters * 15)
}

const ZONES: [&str; 4] = ["UTC", "America/New_York", "Europe/Madrid", "Asia/Kolkata"];

proptest! {
    #[test]
    fn every_breakdown_adds_up_to_the_summary(sessions in history(), z in 0usize..4, a in 0i64..300_000, len in 1i64..600_000, q in -24i64..=48) {
        let from = t("2025-03-01T00:00:00Z") + a;
        let params = Params { day_start: day_start(q), ..params_for(from, from + len, ZONES[z]) };
        let report = report(&sessions, &params);
        prop_assert_eq!(invariants::check(&report), Ok(()));
    }

    /// Across the spring-forward night in New York (2025-03-09) and with
    /// any day start: each day of the series holds exactly what a report
    /// of that day's own edges holds, and each weekday the sum of its days.
    #[test]
    fn days_begin_at_the_day_start_and_weekdays_are_their_days(sessions in history(), z in 0usize..4, a in 0i64..200_000, q in -24i64..=48) {
        let from = t("2025-03-05T00:00:00Z") + a;
        let params = Params { day_start: day_start(q), ..params_for(from, from + 5 * 86_400, ZONES[z]) };
        let whole = report(&sessions, &params);
        let mut weekdays = [0i64; 7];
        for day in &whole.days {
            let (start, end) = params.day_start.day(day.date, &params.zone);
            let own = Params {
                from: start.as_second().max(params.from),
                to: end.as_second().min(params.to),
                ..params.clone()
            };
            let alone = report(&sessions, &own);
            prop_assert_eq!(day.bucket.work, alone.summary.worked, "{}", day.date);
            prop_assert_eq!(day.bucket.lost, alone.summary.lost, "{}", day.date);
            prop_assert_eq!(day.bucket.interruptions, alone.summary.total_interruptions, "{}", day.date);
            weekdays[day.date.weekday().to_monday_zero_offset() as usize] += day.bucket.work;
        }
        let by_weekday: Vec<i64> = whole.weekdays.iter().map(|b| b.work).collect();
        prop_assert_eq!(by_weekday, weekdays.to_vec());
    }

    #[test]
    fn a_window_is_the_sum_of_its_parts(sessions in history(), z in 0usize..4, cut in 0i64..400_000) {
        let from = t("2025-03-01T00:00:00Z");
        let (middle, to) = (from + cut, from + 400_000);
        let whole = report(&sessions, &params_for(from, to, ZONES[z]));
        let left = report(&sessions, &params_for(from, middle, ZONES[z]));
        let right = report(&sessions, &params_for(middle, to, ZONES[z]));
        let figures = |r: &Report| (r.summary.worked, r.summary.lost, r.summary.total_interruptions);
        let (l, r) = (figures(&left), figures(&right));
        prop_assert_eq!(figures(&whole), (l.0 + r.0, l.1 + r.1, l.2 + r.2));
        for hour in 0..24 {
            prop_assert_eq!(whole.hours[hour].work, left.hours[hour].work + right.hours[hour].work);
            prop_assert_eq!(whole.hours[hour].lost, left.hours[hour].lost + right.hours[hour].lost);
        }
    }

    #[test]
    fn another_interruption_never_raises_the_score(sessions in history(), at in 0usize..8, offset in 0i64..36_000, length in 1i64..3_600) {
        let p = params_for(t("2025-03-01T00:00:00Z"), t("2025-03-10T00:00:00Z"), "UTC");
        let before = report(&sessions, &p).summary.focus.score;
        let mut more = sessions.clone();
        if let Some(session) = more.get_mut(at) {
            // Drop it into the first free gap after `offset` that fits.
            let end = session.end.unwrap_or(p.now);
            let start = session.start + offset;
            let busy = session.interruptions.iter().any(|i| i.start < start + length && i.end.unwrap_or(p.now) > start);
            if start + length <= end && !busy {
                session.interruptions.push(InterruptionSpan { kind: K::Noise, start, end: Some(start + length) });
                session.interruptions.sort_by_key(|i| i.start);
            }
        }
        prop_assert!(report(&more, &p).summary.focus.score <= before);
    }
}

proptest! {
    /// Whatever the stored spans hold (ends before starts, instants far out
    /// of any window, overlaps), a report never panics and keeps its sums.
    #[test]
    fn any_spans_give_a_report_without_panicking(
        raw in prop::collection::vec((any::<i32>(), any::<i32>(), prop::collection::vec((any::<i32>(), any::<i32>()), 0..4)), 0..6),
        z in 0usize..4,
        days in 1i64..400,
    ) {
        let base = t("2025-03-01T00:00:00Z");
        let sessions: Vec<SessionSpan> = raw
            .into_iter()
            .map(|(start, length, interruptions)| SessionSpan {
                start: base + i64::from(start),
                end: (length % 3 != 0).then(|| base + i64::from(start) + i64::from(length)),
                interruptions: interruptions
                    .into_iter()
                    .map(|(s, l)| InterruptionSpan { kind: K::Phone, start: base + i64::from(s), end: Some(base + i64::from(s) + i64::from(l)) })
                    .collect(),
            })
            .collect();
        let report = report(&sessions, &params_for(base, base + days * 86_400, ZONES[z]));
        prop_assert_eq!(report.hours.iter().map(|b| b.interruptions).sum::<i64>(), report.summary.total_interruptions);
        prop_assert!((0..=100).contains(&report.summary.focus.score));
    }
}

/// The most deep-work blocks one day can hold, which bounds a goal's
/// target: a block counts for the day it begins in and may run past
/// midnight, so back-to-back 25-minute sessions give 58 on a day of 24
/// hours and 60 on the day the clocks go back (25 hours).
#[test]
fn a_day_holds_at_most_58_deep_work_blocks_or_60_when_the_clocks_go_back() {
    let blocks_from = |midnight: &str, count: i64| -> Vec<SessionSpan> {
        (0..count)
            .map(|n| {
                let start = t(midnight) + n * DEEP_WORK_SECONDS;
                SessionSpan {
                    start,
                    end: Some(start + DEEP_WORK_SECONDS),
                    interruptions: Vec::new(),
                }
            })
            .collect()
    };
    // Madrid: 15 November has 24 hours, 26 October 2025 has 25.
    for (midnight, to, most) in [
        ("2025-11-14T23:00:00Z", "2025-11-16T23:00:00Z", 58),
        ("2025-10-25T22:00:00Z", "2025-10-27T23:00:00Z", 60),
    ] {
        let sessions = blocks_from(midnight, most + 1);
        let report = report(&sessions, &params(midnight, to, "Europe/Madrid", to));
        let per_day: Vec<i64> = report.days.iter().map(|d| d.deep_work_blocks).collect();
        assert_eq!(per_day, [most, 1], "from {midnight}");
    }
}
