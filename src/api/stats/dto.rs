//! The JSON shapes of the reports.

use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::views::WindowOut;
use crate::domain::{
    days::WeekStart,
    interruption::InterruptionKind,
    stats::{Bucket, DayStat, Focus, Peak, Report, Share, Summary, TypeStat},
};

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The parts of the focus score.
#[derive(Debug, Serialize, ToSchema)]
pub struct FocusOut {
    /// `round(100 × focused / worked)`, halves up; 0 when nothing was worked.
    pub score: i64,
    /// Worked seconds in the window.
    pub worked_seconds: i64,
    /// Seconds lost to interruptions.
    pub lost_seconds: i64,
    /// Recovery after each counted interruption: `min(R, time to the next
    /// interruption's start or the session's end)`, clipped to the window.
    pub recovery_seconds: i64,
    /// `max(0, worked − lost − recovery)`.
    pub focused_seconds: i64,
    /// `R`, from the `recovery` parameter (default 600).
    pub recovery_allowance_seconds: i64,
}

impl From<Focus> for FocusOut {
    fn from(f: Focus) -> Self {
        Self {
            score: f.score,
            worked_seconds: f.worked,
            lost_seconds: f.lost,
            recovery_seconds: f.recovery,
            focused_seconds: f.focused,
            recovery_allowance_seconds: f.recovery_allowance,
        }
    }
}

/// The numeric headline figures, also used for `previous` and `change`.
#[derive(Debug, Serialize, ToSchema, Clone, Copy)]
pub struct Figures {
    /// Sessions overlapping the window.
    pub total_sessions: i64,
    /// Interruptions that started inside the window.
    pub total_interruptions: i64,
    /// Session time inside the window (active sessions up to now).
    pub total_time_worked_seconds: i64,
    /// Interruption time inside the window.
    pub total_time_lost_seconds: i64,
    /// Worked minus lost, never negative.
    pub effective_time_seconds: i64,
    /// Mean full duration of the counted interruptions; 0 when none.
    pub average_interruption_duration_seconds: f64,
    /// Counted interruptions per worked hour; 0 when nothing was worked.
    pub interruptions_per_hour: f64,
    /// 0–100; see `focus`.
    pub focus_score: i64,
    /// The longest stretch of a session without an interruption.
    pub longest_focus_stretch_seconds: i64,
    /// Stretches of at least 25 minutes without an interruption.
    pub deep_work_blocks: i64,
}

impl From<&Summary> for Figures {
    fn from(s: &Summary) -> Self {
        Self {
            total_sessions: s.total_sessions,
            total_interruptions: s.total_interruptions,
            total_time_worked_seconds: s.worked,
            total_time_lost_seconds: s.lost,
            effective_time_seconds: s.effective,
            average_interruption_duration_seconds: s.average_interruption_duration,
            interruptions_per_hour: s.interruptions_per_hour,
            focus_score: s.focus.score,
            longest_focus_stretch_seconds: s.longest_focus_stretch,
            deep_work_blocks: s.deep_work_blocks,
        }
    }
}

impl Figures {
    /// This minus `earlier`, figure by figure.
    pub fn minus(&self, earlier: &Self) -> Self {
        Self {
            total_sessions: self.total_sessions - earlier.total_sessions,
            total_interruptions: self.total_interruptions - earlier.total_interruptions,
            total_time_worked_seconds: self.total_time_worked_seconds
                - earlier.total_time_worked_seconds,
            total_time_lost_seconds: self.total_time_lost_seconds - earlier.total_time_lost_seconds,
            effective_time_seconds: self.effective_time_seconds - earlier.effective_time_seconds,
            average_interruption_duration_seconds: self.average_interruption_duration_seconds
                - earlier.average_interruption_duration_seconds,
            interruptions_per_hour: self.interruptions_per_hour - earlier.interruptions_per_hour,
            focus_score: self.focus_score - earlier.focus_score,
            longest_focus_stretch_seconds: self.longest_focus_stretch_seconds
                - earlier.longest_focus_stretch_seconds,
            deep_work_blocks: self.deep_work_blocks - earlier.deep_work_blocks,
        }
    }
}

/// The summary's figures without the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryFigures {
    #[serde(flatten)]
    pub figures: Figures,
    /// The focus score and what it is made of.
    pub focus: FocusOut,
}

impl From<&Summary> for SummaryFigures {
    fn from(s: &Summary) -> Self {
        Self {
            figures: s.into(),
            focus: s.focus.into(),
        }
    }
}

/// One interruption type.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeOut {
    /// The type.
    #[serde(rename = "type")]
    pub kind: InterruptionKind,
    /// Counted interruptions of this type.
    pub count: i64,
    /// Share of the counted interruptions, 0..1.
    pub proportion: f64,
    /// Seconds lost to this type inside the window.
    pub total_duration_seconds: i64,
    /// Share of the time lost, 0..1.
    pub time_share: f64,
    /// Mean full duration of the counted ones; 0 when none.
    pub average_duration_seconds: f64,
}

impl From<&TypeStat> for TypeOut {
    fn from(t: &TypeStat) -> Self {
        Self {
            kind: t.kind,
            count: t.count,
            proportion: t.proportion,
            total_duration_seconds: t.total_duration,
            time_share: t.time_share,
            average_duration_seconds: t.average_duration,
        }
    }
}

/// Count and time lost of a group of types.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareOut {
    /// Counted interruptions.
    pub count: i64,
    /// Seconds lost.
    pub time_lost_seconds: i64,
}

impl From<Share> for ShareOut {
    fn from(s: Share) -> Self {
        Self {
            count: s.count,
            time_lost_seconds: s.lost,
        }
    }
}

/// Self-distraction against everything from outside (`unknown` included).
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfVsExternalOut {
    /// `self`.
    #[serde(rename = "self")]
    pub self_: ShareOut,
    /// `family`, `phone`, `noise`, `urgent_task` and `unknown`.
    pub external: ShareOut,
}

/// One local hour of the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourOut {
    /// 0..23, local.
    pub hour: usize,
    /// Session time in this hour.
    pub work_seconds: i64,
    /// Interruption time in this hour.
    pub time_lost_seconds: i64,
    /// Work minus lost.
    pub effective_time_seconds: i64,
    /// Interruptions that started in this hour.
    pub interruptions: i64,
}

/// The hour with most interruptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeakFigures {
    /// 0..23, local; `null` when there were none.
    #[schema(required = true)]
    pub hour: Option<usize>,
    /// Interruptions that started in it.
    pub interruptions: i64,
    /// Seconds lost in it.
    pub time_lost_seconds: i64,
}

impl From<Peak> for PeakFigures {
    fn from(p: Peak) -> Self {
        Self {
            hour: p.hour,
            interruptions: p.interruptions,
            time_lost_seconds: p.lost,
        }
    }
}

/// One weekday.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekdayOut {
    /// 0 = Monday.
    pub weekday_index: usize,
    /// `monday` … `sunday`.
    pub weekday_name: &'static str,
    /// Session time on this weekday.
    pub work_seconds: i64,
    /// Interruption time on this weekday.
    pub time_lost_seconds: i64,
    /// Work minus lost.
    pub effective_time_seconds: i64,
    /// Interruptions that started on this weekday.
    pub interruptions: i64,
}

/// One local calendar day (only its part inside the window).
#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    /// `YYYY-MM-DD`, local.
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// Session time that day.
    pub work_seconds: i64,
    /// Interruption time that day.
    pub time_lost_seconds: i64,
    /// Work minus lost.
    pub effective_time_seconds: i64,
    /// Interruptions that started that day.
    pub interruptions: i64,
    /// The day's focus score, computed like the summary's.
    pub focus_score: i64,
    /// Uninterrupted stretches of at least 25 minutes that began that day.
    pub deep_work_blocks: i64,
}

/// One weekday × hour cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellOut {
    /// 0 = Monday.
    pub weekday_index: usize,
    /// 0..23, local.
    pub hour: usize,
    /// Session time.
    pub work_seconds: i64,
    /// Interruption time.
    pub time_lost_seconds: i64,
    /// Interruptions that started here.
    pub interruptions: i64,
}

/// The six types.
pub fn types_out(report: &Report) -> Vec<TypeOut> {
    report.types.iter().map(Into::into).collect()
}

/// The 24 hours.
pub fn hours_out(report: &Report) -> Vec<HourOut> {
    report
        .hours
        .iter()
        .enumerate()
        .map(|(hour, b)| HourOut {
            hour,
            work_seconds: b.work,
            time_lost_seconds: b.lost,
            effective_time_seconds: b.effective(),
            interruptions: b.interruptions,
        })
        .collect()
}

/// The 7 weekdays, Monday first.
pub fn weekdays_out(report: &Report, week_start: WeekStart) -> Vec<WeekdayOut> {
    week_start
        .order()
        .into_iter()
        .map(|index| {
            let b = &report.weekdays[index];
            WeekdayOut {
                weekday_index: index,
                weekday_name: WEEKDAYS[index],
                work_seconds: b.work,
                time_lost_seconds: b.lost,
                effective_time_seconds: b.effective(),
                interruptions: b.interruptions,
            }
        })
        .collect()
}

/// The daily series.
pub fn series_out(report: &Report) -> Vec<DayOut> {
    report.days.iter().map(day_out).collect()
}

/// The 168 heatmap cells, the week's first day 00h first.
pub fn cells_out(report: &Report, week_start: WeekStart) -> Vec<CellOut> {
    let cell = |weekday: usize, hour: usize, b: &Bucket| CellOut {
        weekday_index: weekday,
        hour,
        work_seconds: b.work,
        time_lost_seconds: b.lost,
        interruptions: b.interruptions,
    };
    week_start
        .order()
        .into_iter()
        .flat_map(|w| (0..24).map(move |h| (w, h)))
        .map(|(w, h)| cell(w, h, &report.heatmap[w][h]))
        .collect()
}

/// Self against external.
pub fn self_vs_external_out(report: &Report) -> SelfVsExternalOut {
    SelfVsExternalOut {
        self_: report.self_share.into(),
        external: report.external_share.into(),
    }
}

fn day_out(day: &DayStat) -> DayOut {
    DayOut {
        date: day.date.to_string(),
        work_seconds: day.bucket.work,
        time_lost_seconds: day.bucket.lost,
        effective_time_seconds: day.bucket.effective(),
        interruptions: day.bucket.interruptions,
        focus_score: day.focus_score(),
        deep_work_blocks: day.deep_work_blocks,
    }
}
