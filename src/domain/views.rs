//! The public JSON of what events carry — a session, an interruption, a
//! goal's progress and the window it covers: what the API answers, and what
//! live events (and webhooks) carry. Defined once, here, so that an event's
//! data is always exactly what the matching GET answers.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    goals::{Comparison, Goal, Metric, Period, Progress, Status},
    interruption::{Interruption, InterruptionKind},
    session::Session,
    stats::window::Window,
};

/// A focus session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// When focus began (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    /// When it ended (UTC); `null` while active.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub end_time: Option<Timestamp>,
    /// When it was recorded (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Whole seconds from start to end; `null` while active.
    #[schema(required = true)]
    pub duration_seconds: Option<i64>,
    /// Interruptions logged in it.
    pub interruption_count: i64,
    /// Seconds lost to them; an open interruption counts up to now.
    pub time_lost_seconds: i64,
    /// What the person meant to work on; empty when they gave none.
    #[schema(max_length = 500)]
    pub note: String,
}

impl From<Session> for SessionOut {
    fn from(session: Session) -> Self {
        Self {
            duration_seconds: session.duration_seconds(),
            id: session.id,
            user_id: session.user_id,
            start_time: session.start,
            end_time: session.end,
            created_at: session.created_at,
            interruption_count: session.interruption_count,
            time_lost_seconds: session.time_lost_seconds,
            note: session.note,
        }
    }
}

/// An interruption.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterruptionOut {
    /// Positive id.
    pub id: i64,
    /// The session it happened in.
    pub session_id: i64,
    /// The session's owner.
    pub user_id: i64,
    /// What caused it.
    #[serde(rename = "type")]
    pub kind: InterruptionKind,
    /// Free text.
    pub description: String,
    /// When it began (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    /// When focus resumed (UTC); `null` while it goes on.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub end_time: Option<Timestamp>,
    /// Whole seconds lost, computed by the server; `null` while it goes on.
    #[schema(required = true)]
    pub duration: Option<i64>,
    /// When it was recorded (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Interruption> for InterruptionOut {
    fn from(interruption: Interruption) -> Self {
        Self {
            duration: interruption.duration_seconds(),
            id: interruption.id,
            session_id: interruption.session_id,
            user_id: interruption.user_id,
            kind: interruption.kind,
            description: interruption.description,
            start_time: interruption.start,
            end_time: interruption.end,
            created_at: interruption.created_at,
        }
    }
}

/// The window a report covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowOut {
    /// Inclusive start (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub from: jiff::Timestamp,
    /// Exclusive end (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub to: jiff::Timestamp,
    /// The IANA zone hours, weekdays and days are counted in.
    pub timezone: String,
    /// The weekday weeks begin on.
    #[schema(value_type = WeekdayName)]
    pub week_start: &'static str,
    /// When days begin, `HH:MM` from local midnight.
    #[schema(example = "00:00")]
    pub day_start: String,
}

impl From<&Window> for WindowOut {
    fn from(window: &Window) -> Self {
        Self {
            from: window.from,
            to: window.to,
            timezone: window.zone.as_str().to_owned(),
            week_start: window.days.week_start.as_str(),
            day_start: window.days.day_start.to_string(),
        }
    }
}

/// A weekday, as `week_start` and goals' `rest_days` name it.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum WeekdayName {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

/// A goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalOut {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// The figure it is about.
    pub metric: Metric,
    /// Which way the target binds.
    pub comparison: Comparison,
    /// In the metric's unit.
    pub target: i64,
    /// A day or a week.
    pub period: Period,
    /// Weekdays a day goal rests on, Monday first.
    #[schema(value_type = Vec<WeekdayName>)]
    pub rest_days: Vec<&'static str>,
    /// Whether a period with nothing logged counts.
    pub count_empty_days: bool,
    /// When it was set (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Goal> for GoalOut {
    fn from(goal: Goal) -> Self {
        let rule = goal.rule;
        Self {
            id: goal.id,
            user_id: goal.user_id,
            metric: rule.metric,
            comparison: rule.comparison,
            target: rule.target,
            period: rule.period,
            rest_days: rule.rest_days.names(),
            count_empty_days: rule.count_empty_days,
            created_at: goal.created_at,
        }
    }
}

/// One period against its goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodOut {
    /// Its first day, `YYYY-MM-DD` (days begin at the user's `day_start`).
    #[schema(value_type = String, format = Date)]
    pub start: String,
    /// Its last day.
    #[schema(value_type = String, format = Date)]
    pub end: String,
    /// The metric's value in it (so far, for the current period).
    pub value: i64,
    /// The goal's target.
    pub target: i64,
    /// Whether the target was met.
    pub met: bool,
    /// Whether this is the current period and not decided yet.
    pub pending: bool,
    /// `met`, `missed`, `pending`, `rest` (a rest day) or `empty` (nothing
    /// logged): the last two neither break nor extend a streak.
    pub status: Status,
}

/// A goal's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressOut {
    /// The goal.
    pub goal: GoalOut,
    /// The days the periods cover, from the first's start to the current
    /// one's end.
    pub window: WindowOut,
    /// Every period of the range, oldest first; the last is the current one.
    pub periods: Vec<PeriodOut>,
    /// Periods met in a row up to now, over the whole history (up to ten
    /// years), not only the range; the current period counts once met.
    pub current_streak: i64,
    /// The longest such run in the history.
    pub longest_streak: i64,
    /// Periods met over periods decided in the range; `null` when none is.
    #[schema(required = true)]
    pub success_rate: Option<f64>,
}

impl ProgressOut {
    /// A goal's progress as the API answers it, and as `goal.met` and
    /// `goal.missed` carry it.
    pub fn new(goal: Goal, window: &Window, progress: Progress) -> Self {
        let target = goal.rule.target;
        Self {
            goal: goal.into(),
            window: window.into(),
            periods: progress
                .periods
                .into_iter()
                .map(|p| PeriodOut {
                    start: p.start.to_string(),
                    end: p.last.to_string(),
                    value: p.value,
                    target,
                    met: p.status == Status::Met,
                    pending: p.status == Status::Pending,
                    status: p.status,
                })
                .collect(),
            current_streak: progress.current_streak,
            longest_streak: progress.longest_streak,
            success_rate: progress.success_rate,
        }
    }
}
