//! The analytics engine: every report from the spans that overlap a window.
//!
//! Pure functions of their arguments — no database, no HTTP, no clock: "now"
//! is passed in. One pass over the sessions and their interruptions fills
//! every figure, so the reports always agree with each other.
//!
//! Attribution (the same for every figure, so that they add up):
//! - worked time is a session's span `[start, end or now)` clipped to the
//!   window; lost time is each interruption's span clipped likewise;
//! - hour, weekday and day buckets use local time in the reporting zone and
//!   split a span by overlap; days (and so weekdays) begin at the person's
//!   day start, hours stay on the clock;
//! - an interruption is *counted* (in counts, and in the bucket of its start)
//!   when it starts inside the window;
//! - effective = worked − lost, never negative.

use jiff::tz::TimeZone;

use super::{days::DayStart, interruption::InterruptionKind};

pub mod calendar;
pub mod invariants;
mod report;
pub mod window;

pub use report::{Bucket, DayStat, Focus, Peak, Report, Share, Summary, TypeStat};

/// Stretches of at least this many seconds without an interruption count as
/// deep-work blocks (a Pomodoro).
pub const DEEP_WORK_SECONDS: i64 = 25 * 60;

/// Default recovery allowance per interruption: people need minutes, not
/// seconds, to get back into a task after one.
pub const DEFAULT_RECOVERY_SECONDS: i64 = 600;

/// A session as the engine sees it, in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpan {
    /// Start.
    pub start: i64,
    /// End; `None` while active (it runs to now).
    pub end: Option<i64>,
    /// Its interruptions overlapping the window, by start.
    pub interruptions: Vec<InterruptionSpan>,
}

/// An interruption as the engine sees it, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterruptionSpan {
    /// Its cause.
    pub kind: InterruptionKind,
    /// Start.
    pub start: i64,
    /// End; `None` while open (it runs to now).
    pub end: Option<i64>,
}

/// What a report covers and how it is computed.
#[derive(Debug, Clone)]
pub struct Params {
    /// Window start (inclusive), Unix seconds.
    pub from: i64,
    /// Window end (exclusive), Unix seconds.
    pub to: i64,
    /// The reporting zone.
    pub zone: TimeZone,
    /// The instant active sessions and open interruptions run to.
    pub now: i64,
    /// The recovery allowance `R`, in seconds.
    pub recovery_allowance: i64,
    /// When the days of the `daily` series and the weekdays begin.
    pub day_start: DayStart,
}

/// Computes every figure for `sessions` (those overlapping the window).
pub fn report(sessions: &[SessionSpan], params: &Params) -> Report {
    report::build(sessions, params)
}

/// `round(100 × part / whole)` with halves rounded up; 0 when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let part = part.clamp(0, whole);
    (200 * part + whole) / (2 * whole)
}

#[cfg(test)]
mod tests;
