//! Synthetic histories shared by the benchmarks: a working day of sessions
//! with interruptions, repeated for as many days as asked.

#![allow(dead_code)] // each benchmark uses part of it

use hyperfocus::domain::{
    interruption::InterruptionKind,
    stats::{InterruptionSpan, SessionSpan},
};

/// 2026-01-05T00:00:00Z, a Monday: histories end here.
pub const END: i64 = 1_767_571_200;

/// `days` days of history ending at [`END`]: `sessions_per_day` sessions of
/// 90 minutes from 08:00 UTC, two hours apart, each with `per_session`
/// interruptions of 2 to 9 minutes spread through it.
pub fn history(days: i64, sessions_per_day: i64, per_session: i64) -> Vec<SessionSpan> {
    let mut sessions = Vec::new();
    for day in 0..days {
        let midnight = END - (days - day) * 86_400;
        for n in 0..sessions_per_day {
            let start = midnight + 8 * 3600 + n * 7200;
            let end = start + 90 * 60;
            let step = (end - start) / (per_session + 1);
            let interruptions = (0..per_session)
                .map(|k| {
                    let at = start + step * (k + 1);
                    InterruptionSpan {
                        kind: InterruptionKind::ALL[((day + n + k) % 6) as usize],
                        start: at,
                        end: Some(at + 120 + 60 * ((day + k) % 8)),
                    }
                })
                .collect();
            sessions.push(SessionSpan {
                start,
                end: Some(end),
                interruptions,
            });
        }
    }
    sessions
}
