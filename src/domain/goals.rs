//! Goals and streaks: what a person wants of their focus each day or week,
//! and whether it went that way.
//!
//! A goal compares one figure of a period (a day, or a week from the
//! user's `week_start`) with a target. Progress is computed from the same
//! attribution as the `daily` report — the same days, beginning at the
//! user's `day_start` — so a goal never disagrees with the reports.
//!
//! Each period ends up in one of five states. `met` and `missed` are
//! decided; the current period is `pending` until it is decided (an
//! `at_least` goal is met as soon as the target is reached, an `at_most`
//! goal missed as soon as its limit is passed). A `rest` day (one of the
//! goal's `rest_days`) and an `empty` period (nothing logged, unless the
//! goal has `count_empty_days`) neither break nor extend a streak.

use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use super::{
    FieldError, RuleViolation, Validator,
    days::{DaySettings, WEEKDAY_NAMES, weekday_index},
    quote,
    stats::{DEEP_WORK_SECONDS, DayStat, percent},
};

/// The longest a local day can be: 25 hours, on the day the clocks go back.
const LONGEST_DAY_SECONDS: i64 = 25 * 3600;

/// How many goals one person may keep.
pub const MAX_GOALS_PER_USER: i64 = 50;

/// Refuses a new goal when the user already keeps `held`, the most allowed.
pub fn check_room(held: i64) -> Result<(), RuleViolation> {
    if held >= MAX_GOALS_PER_USER {
        return Err(RuleViolation::Broke(super::breach::Breach::Full {
            what: super::breach::Kept::Goals,
            held,
        }));
    }
    Ok(())
}

/// The figure a goal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Worked minus lost, in seconds.
    EffectiveSeconds,
    /// Session time, in seconds.
    WorkedSeconds,
    /// The focus score, 0 to 100.
    FocusScore,
    /// Interruptions that started in the period.
    Interruptions,
    /// Uninterrupted stretches of at least 25 minutes.
    DeepWorkBlocks,
}

impl Metric {
    const ALL: [Self; 5] = [
        Self::EffectiveSeconds,
        Self::WorkedSeconds,
        Self::FocusScore,
        Self::Interruptions,
        Self::DeepWorkBlocks,
    ];

    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EffectiveSeconds => "effective_seconds",
            Self::WorkedSeconds => "worked_seconds",
            Self::FocusScore => "focus_score",
            Self::Interruptions => "interruptions",
            Self::DeepWorkBlocks => "deep_work_blocks",
        }
    }

    /// Reads an API name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "metric",
                    format!(
                        "{} is not a metric; use effective_seconds, worked_seconds, focus_score, interruptions or deep_work_blocks",
                        quote(raw)
                    ),
                )
            })
    }

    /// The largest sensible target in one `period`: a goal beyond it could
    /// never be met, and is most likely a unit mistake.
    pub fn largest_target(self, period: Period) -> i64 {
        let days = match period {
            Period::Day => 1,
            Period::Week => 7,
        };
        match self {
            Self::EffectiveSeconds | Self::WorkedSeconds => days * 86_400,
            Self::FocusScore => 100,
            Self::Interruptions => days * 10_000,
            // A block counts for the day it begins in, and may run on past
            // midnight: as many can begin in a period as there are 25-minute
            // steps in its longest form (one day of 25 hours, when the
            // clocks go back) — 60 a day, 406 a week.
            Self::DeepWorkBlocks => {
                let longest = (days - 1) * 86_400 + LONGEST_DAY_SECONDS;
                (longest + DEEP_WORK_SECONDS - 1) / DEEP_WORK_SECONDS
            }
        }
    }

    /// Why no target above [`Self::largest_target`] can be met, where it
    /// helps to say.
    fn why_largest(self, period: Period) -> Option<String> {
        let (Self::DeepWorkBlocks, largest) = (self, self.largest_target(period)) else {
            return None;
        };
        Some(format!(
            "a {} holds at most {largest} blocks of 25 minutes of focus (counting a 25-hour day, when the clocks go back)",
            period.as_str()
        ))
    }
}

/// Which way the target binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Met when the value reaches the target.
    AtLeast,
    /// Met while the value stays at or under the target.
    AtMost,
}

impl Comparison {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtLeast => "at_least",
            Self::AtMost => "at_most",
        }
    }

    /// Reads an API name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "at_least" => Ok(Self::AtLeast),
            "at_most" => Ok(Self::AtMost),
            _ => Err(FieldError::new(
                "comparison",
                format!(
                    "{} is not a comparison; use at_least or at_most",
                    quote(raw)
                ),
            )),
        }
    }
}

/// How long a goal's period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A day, from the user's `day_start`.
    Day,
    /// Seven days from the user's `week_start`.
    Week,
}

impl Period {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    /// Reads an API name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            _ => Err(FieldError::new(
                "period",
                format!("{} is not a period; use day or week", quote(raw)),
            )),
        }
    }
}

/// The weekdays a day goal rests on, as a bit set (bit 0 = Monday), which
/// is how it is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestDays(u8);

impl RestDays {
    /// Reads weekday names, each at most once.
    pub fn parse(names: &[String]) -> Result<Self, FieldError> {
        let mut bits = 0u8;
        for name in names {
            let index = weekday_index(name).ok_or_else(|| {
                FieldError::new(
                    "rest_days",
                    format!("{} is not a weekday; use monday … sunday", quote(name)),
                )
            })?;
            if bits & (1 << index) != 0 {
                return Err(FieldError::new(
                    "rest_days",
                    format!("{} is listed twice", quote(name)),
                ));
            }
            bits |= 1 << index;
        }
        if bits == 0x7f {
            return Err(FieldError::new(
                "rest_days",
                "may not hold every day of the week: the goal would never count",
            ));
        }
        Ok(Self(bits))
    }

    /// A stored bit set.
    pub fn from_bits(bits: i64) -> Self {
        Self(u8::try_from(bits & 0x7f).unwrap_or(0))
    }

    /// The bit set to store.
    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// Whether `date` is a rest day.
    pub fn holds(self, date: Date) -> bool {
        let index = date.weekday().to_monday_zero_offset();
        self.0 & (1 << index) != 0
    }

    /// The names, Monday first.
    pub fn names(self) -> Vec<&'static str> {
        (0..7)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| WEEKDAY_NAMES[i])
            .collect()
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// What a goal asks for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalRule {
    /// The figure.
    pub metric: Metric,
    /// Which way the target binds.
    pub comparison: Comparison,
    /// The target, in the metric's unit.
    pub target: i64,
    /// A day or a week.
    pub period: Period,
    /// Days a day goal rests on.
    pub rest_days: RestDays,
    /// Whether a period with nothing logged counts (as met or missed)
    /// instead of being skipped.
    pub count_empty_days: bool,
}

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// What it asks for.
    pub rule: GoalRule,
    /// When it was set.
    pub created_at: Timestamp,
}

/// A goal as sent: every field optional, so that one parser serves a new
/// goal (the first four required) and a change (any of them).
#[derive(Debug, Clone, Default)]
pub struct RawGoal<'a> {
    /// Metric name.
    pub metric: Option<&'a str>,
    /// Comparison name.
    pub comparison: Option<&'a str>,
    /// The target.
    pub target: Option<i64>,
    /// Period name.
    pub period: Option<&'a str>,
    /// Weekday names.
    pub rest_days: Option<&'a [String]>,
    /// Count periods with nothing logged.
    pub count_empty_days: Option<bool>,
}

impl GoalRule {
    /// A new goal's rule; `metric`, `comparison`, `target` and `period` are
    /// required.
    pub fn parse_new(raw: &RawGoal<'_>) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        for (field, present) in [
            ("metric", raw.metric.is_some()),
            ("comparison", raw.comparison.is_some()),
            ("target", raw.target.is_some()),
            ("period", raw.period.is_some()),
        ] {
            if !present {
                v.push(FieldError::new(field, "is required"));
            }
        }
        v.finish()?;
        let base = Self {
            metric: Metric::EffectiveSeconds,
            comparison: Comparison::AtLeast,
            target: 0,
            period: Period::Day,
            rest_days: RestDays::default(),
            count_empty_days: false,
        };
        base.changed(raw)
    }

    /// This rule with the fields of `raw` changed, checked as a whole.
    pub fn changed(&self, raw: &RawGoal<'_>) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let metric = raw
            .metric
            .map_or(Some(self.metric), |m| v.check(Metric::parse(m)));
        let comparison = raw
            .comparison
            .map_or(Some(self.comparison), |c| v.check(Comparison::parse(c)));
        let period = raw
            .period
            .map_or(Some(self.period), |p| v.check(Period::parse(p)));
        let rest_days = raw
            .rest_days
            .map_or(Some(self.rest_days), |r| v.check(RestDays::parse(r)));
        v.finish()?;
        let (Some(metric), Some(comparison), Some(period), Some(rest_days)) =
            (metric, comparison, period, rest_days)
        else {
            unreachable!("the validator reports any failed field");
        };
        let rule = Self {
            metric,
            comparison,
            target: raw.target.unwrap_or(self.target),
            period,
            rest_days,
            count_empty_days: raw.count_empty_days.unwrap_or(self.count_empty_days),
        };
        rule.check()?;
        Ok(rule)
    }

    fn check(&self) -> Result<(), RuleViolation> {
        let largest = self.metric.largest_target(self.period);
        if !(0..=largest).contains(&self.target) {
            let mut message = format!(
                "must be 0 to {largest} for {} per {} (got {})",
                self.metric.as_str(),
                self.period.as_str(),
                self.target
            );
            if let Some(why) = self.metric.why_largest(self.period) {
                message.push_str(": ");
                message.push_str(&why);
            }
            return Err(RuleViolation::invalid("target", message));
        }
        if self.period == Period::Week && !self.rest_days.is_empty() {
            return Err(RuleViolation::invalid(
                "rest_days",
                "only a day goal has rest days; a week goal counts the whole week",
            ));
        }
        Ok(())
    }

    /// Whether `value` meets the target.
    fn meets(&self, value: i64) -> bool {
        match self.comparison {
            Comparison::AtLeast => value >= self.target,
            Comparison::AtMost => value <= self.target,
        }
    }
}

/// Where a period stands against its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target was met.
    Met,
    /// The target was missed.
    Missed,
    /// The current period, not decided yet.
    Pending,
    /// A rest day: neither breaks nor extends a streak.
    Rest,
    /// Nothing was logged: neither breaks nor extends a streak.
    Empty,
}

/// One period's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodProgress {
    /// Its first day.
    pub start: Date,
    /// Its last day.
    pub last: Date,
    /// The metric's value.
    pub value: i64,
    /// Where it stands.
    pub status: Status,
}

/// A goal's progress over a run of periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Every period, oldest first.
    pub periods: Vec<PeriodProgress>,
    /// Met periods in a row up to now (the pending one counts once met).
    pub current_streak: i64,
    /// The longest such run.
    pub longest_streak: i64,
    /// Met periods over decided ones; `None` before any is decided.
    pub success_rate: Option<f64>,
}

/// A period's sums, from its days.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    worked: i64,
    lost: i64,
    recovery: i64,
    interruptions: i64,
    deep_work_blocks: i64,
}

impl Totals {
    fn add(&mut self, day: &DayStat) {
        self.worked += day.bucket.work;
        self.lost += day.bucket.lost;
        self.recovery += day.recovery;
        self.interruptions += day.bucket.interruptions;
        self.deep_work_blocks += day.deep_work_blocks;
    }

    fn value(&self, metric: Metric) -> i64 {
        let effective = (self.worked - self.lost).max(0);
        match metric {
            Metric::EffectiveSeconds => effective,
            Metric::WorkedSeconds => self.worked,
            Metric::FocusScore => percent((effective - self.recovery).max(0), self.worked),
            Metric::Interruptions => self.interruptions,
            Metric::DeepWorkBlocks => self.deep_work_blocks,
        }
    }
}

/// How far back streaks are followed, in days: about ten years, the
/// longest report.
pub const HISTORY_DAYS: i64 = 3650;

/// Which periods a progress report shows: those overlapping the last `N`
/// days (`Nd`) up to today, or the last `N` weeks (`Nw`: for a week goal,
/// `N` weeks from the user's `week_start`, the current one last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalRange {
    days: i64,
    in_weeks: bool,
}

impl GoalRange {
    /// Reads `Nd` or `Nw` (at most ten years); without one, 30 days for a
    /// day goal and 12 weeks for a week goal.
    pub fn parse(raw: Option<&str>, period: Period) -> Result<Self, FieldError> {
        let Some(raw) = raw else {
            return Ok(match period {
                Period::Day => Self {
                    days: 30,
                    in_weeks: false,
                },
                Period::Week => Self {
                    days: 12 * 7,
                    in_weeks: true,
                },
            });
        };
        let refuse = || {
            FieldError::new(
                "range",
                format!(
                    "{} is not a range; use Nd or Nw, such as 30d or 12w, up to {HISTORY_DAYS} days",
                    quote(raw)
                ),
            )
        };
        let (count, unit) = raw.split_at(raw.len().saturating_sub(1));
        let count: i64 = count.parse().map_err(|_| refuse())?;
        let days = match unit {
            "d" => count,
            "w" => count.saturating_mul(7),
            _ => return Err(refuse()),
        };
        if !(1..=HISTORY_DAYS).contains(&days) {
            return Err(refuse());
        }
        Ok(Self {
            days,
            in_weeks: unit == "w",
        })
    }

    /// The first day of the first period shown, for a goal of `period`.
    pub fn first_period(self, period: Period, today: Date, days: DaySettings) -> Date {
        let back = |from: Date, n: i64| from.checked_sub(jiff::Span::new().days(n)).unwrap_or(from);
        match (period, self.in_weeks) {
            (Period::Week, true) => back(days.week_start.week_of(today), self.days - 7),
            _ => period_start(period, back(today, self.days - 1), days),
        }
    }
}

/// The day after the period that begins on `start`.
pub fn period_end(period: Period, start: Date) -> Date {
    let length = match period {
        Period::Day => 1,
        Period::Week => 7,
    };
    start
        .checked_add(jiff::Span::new().days(length))
        .unwrap_or(start)
}

/// The first day of the period holding `date`.
pub fn period_start(period: Period, date: Date, days: DaySettings) -> Date {
    match period {
        Period::Day => date,
        Period::Week => days.week_start.week_of(date),
    }
}

/// The goal's progress from `days` (the `daily` series of whole periods,
/// oldest first, as the engine reports them), with `today` the day that
/// holds now: its period is the current one.
pub fn progress(rule: &GoalRule, series: &[DayStat], today: Date, days: DaySettings) -> Progress {
    let mut periods: Vec<PeriodProgress> = Vec::new();
    let mut totals = Totals::default();
    for (index, day) in series.iter().enumerate() {
        let start = period_start(rule.period, day.date, days);
        totals.add(day);
        let last_of_period = series
            .get(index + 1)
            .is_none_or(|next| period_start(rule.period, next.date, days) != start);
        if last_of_period {
            let current = start == period_start(rule.period, today, days);
            periods.push(PeriodProgress {
                start,
                last: day.date,
                value: totals.value(rule.metric),
                status: status(rule, &totals, start, current),
            });
            totals = Totals::default();
        }
    }
    let (current_streak, longest_streak) = streaks(&periods);
    Progress {
        success_rate: success_rate(&periods),
        periods,
        current_streak,
        longest_streak,
    }
}

impl Progress {
    /// Only the periods from `first` on, their success rate with them;
    /// the streaks stay those of the whole history.
    pub fn since(mut self, first: Date) -> Self {
        self.periods.retain(|p| p.start >= first);
        self.success_rate = success_rate(&self.periods);
        self
    }
}

fn success_rate(periods: &[PeriodProgress]) -> Option<f64> {
    let decided = periods
        .iter()
        .filter(|p| matches!(p.status, Status::Met | Status::Missed))
        .count();
    let met = periods.iter().filter(|p| p.status == Status::Met).count();
    (decided > 0).then(|| met as f64 / decided as f64)
}

fn status(rule: &GoalRule, totals: &Totals, start: Date, current: bool) -> Status {
    if rule.period == Period::Day && rule.rest_days.holds(start) {
        return Status::Rest;
    }
    let value = totals.value(rule.metric);
    let met = rule.meets(value);
    match (current, rule.comparison) {
        (true, Comparison::AtLeast) if met => Status::Met,
        (true, Comparison::AtMost) if !met => Status::Missed,
        (true, _) => Status::Pending,
        _ if totals.worked == 0 && !rule.count_empty_days => Status::Empty,
        _ if met => Status::Met,
        _ => Status::Missed,
    }
}

/// The run of met periods ending with the latest decided one, and the
/// longest run; pending, rest and empty periods are stepped over.
fn streaks(periods: &[PeriodProgress]) -> (i64, i64) {
    let (mut run, mut longest) = (0i64, 0i64);
    for period in periods {
        match period.status {
            Status::Met => {
                run += 1;
                longest = longest.max(run);
            }
            Status::Missed => run = 0,
            Status::Pending | Status::Rest | Status::Empty => {}
        }
    }
    (run, longest)
}

/// An "at most" goal's period seen as a budget: how much of the limit is
/// used and how much is left, so that the web app and the client draw a
/// limit alike — within it, near it from [`Budget::NEAR_PERCENT`] of it,
/// over it past it — rather than as a ring filling up towards a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The metric's value so far.
    pub used: i64,
    /// The goal's target: the most it may reach.
    pub limit: i64,
}

/// Where a [`Budget`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Room is left.
    Within,
    /// In the last fifth of the limit (or at it).
    Near,
    /// Past the limit: the period is missed.
    Over,
}

impl Standing {
    /// `within`, `near` or `over`: the name pages and tests use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Within => "within",
            Self::Near => "near",
            Self::Over => "over",
        }
    }
}

impl Budget {
    /// From this share of the limit (in percent) on, the budget is running out.
    pub const NEAR_PERCENT: i64 = 80;

    /// `used` of `limit`.
    pub fn of(used: i64, limit: i64) -> Self {
        Self { used, limit }
    }

    /// What is left of the limit; negative once over it.
    pub fn left(self) -> i64 {
        self.limit - self.used
    }

    /// Within, near or over the limit.
    pub fn standing(self) -> Standing {
        if self.used > self.limit {
            Standing::Over
        } else if self.used.saturating_mul(100) >= self.limit.saturating_mul(Self::NEAR_PERCENT) {
            Standing::Near
        } else {
            Standing::Within
        }
    }

    /// The share of the limit used, 0 to 1 (a used-up zero limit is full).
    pub fn share_used(self) -> f64 {
        match self.limit {
            0 if self.used > 0 => 1.0,
            0 => 0.0,
            limit => (self.used as f64 / limit as f64).clamp(0.0, 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_within_near_from_four_fifths_and_over_past_its_limit() {
        let standing = |used| Budget::of(used, 10).standing();
        assert_eq!(
            [0, 7, 8, 10, 11].map(standing),
            [
                Standing::Within,
                Standing::Within,
                Standing::Near,
                Standing::Near,
                Standing::Over
            ]
        );
        assert_eq!(Budget::of(13, 10).left(), -3);
        assert_eq!(Budget::of(5, 10).share_used(), 0.5);
        assert_eq!(Budget::of(1, 0).share_used(), 1.0);
        assert_eq!(Budget::of(0, 0).share_used(), 0.0);
        assert_eq!(Budget::of(0, 0).standing(), Standing::Near);
    }
    use crate::domain::{days::WeekStart, stats::Bucket};

    fn date(raw: &str) -> Date {
        raw.parse().unwrap()
    }

    /// A day that worked `work` seconds with `lost` of them lost.
    fn day(raw: &str, work: i64, lost: i64, interruptions: i64) -> DayStat {
        DayStat {
            date: date(raw),
            bucket: Bucket {
                work,
                lost,
                interruptions,
            },
            recovery: 0,
            deep_work_blocks: work / 3600,
        }
    }

    fn rule(raw: RawGoal<'_>) -> GoalRule {
        GoalRule::parse_new(&raw).unwrap()
    }

    fn statuses(progress: &Progress) -> Vec<Status> {
        progress.periods.iter().map(|p| p.status).collect()
    }

    #[test]
    fn a_new_goal_needs_its_four_fields_and_a_target_that_can_be_met() {
        let Err(RuleViolation::Invalid(errors)) = GoalRule::parse_new(&RawGoal::default()) else {
            panic!("an empty goal must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["metric", "comparison", "target", "period"]);
        let too_much = GoalRule::parse_new(&RawGoal {
            metric: Some("effective_seconds"),
            comparison: Some("at_least"),
            target: Some(86_401),
            period: Some("day"),
            ..RawGoal::default()
        });
        assert_eq!(
            too_much,
            Err(RuleViolation::invalid(
                "target",
                "must be 0 to 86400 for effective_seconds per day (got 86401)"
            ))
        );
        let blocks = |target, period| {
            GoalRule::parse_new(&RawGoal {
                metric: Some("deep_work_blocks"),
                comparison: Some("at_least"),
                target: Some(target),
                period: Some(period),
                ..RawGoal::default()
            })
        };
        assert!(blocks(60, "day").is_ok() && blocks(406, "week").is_ok());
        assert_eq!(
            blocks(61, "day"),
            Err(RuleViolation::invalid(
                "target",
                "must be 0 to 60 for deep_work_blocks per day (got 61): a day holds at most 60 blocks of 25 minutes of focus (counting a 25-hour day, when the clocks go back)"
            ))
        );
        assert!(blocks(407, "week").is_err());
        let rest = ["saturday".to_owned()];
        let weekly_rest = GoalRule::parse_new(&RawGoal {
            metric: Some("worked_seconds"),
            comparison: Some("at_least"),
            target: Some(36_000),
            period: Some("week"),
            rest_days: Some(&rest),
            ..RawGoal::default()
        });
        assert!(matches!(weekly_rest, Err(RuleViolation::Invalid(e)) if e[0].field == "rest_days"));
        let every = WEEKDAY_NAMES.map(str::to_owned);
        assert!(RestDays::parse(&every).is_err());
        assert!(RestDays::parse(&["Sunday".to_owned(), "sunday".to_owned()]).is_err());
        assert_eq!(
            RestDays::parse(&["sunday".to_owned(), "Saturday".to_owned()])
                .unwrap()
                .names(),
            ["saturday", "sunday"]
        );
    }

    #[test]
    fn an_at_least_day_goal_streaks_over_rest_and_empty_days() {
        let weekends = ["saturday".to_owned(), "sunday".to_owned()];
        let two_hours = rule(RawGoal {
            metric: Some("effective_seconds"),
            comparison: Some("at_least"),
            target: Some(7200),
            period: Some("day"),
            rest_days: Some(&weekends),
            ..RawGoal::default()
        });
        // Monday 2025-11-10 to Monday 2025-11-17 (today, 1 h so far).
        let series = [
            day("2025-11-10", 9000, 600, 2), // met
            day("2025-11-11", 7000, 0, 0),   // missed
            day("2025-11-12", 7200, 0, 0),   // met
            day("2025-11-13", 0, 0, 0),      // empty
            day("2025-11-14", 8000, 500, 1), // met
            day("2025-11-15", 0, 0, 0),      // rest (Saturday)
            day("2025-11-16", 60, 0, 0),     // rest (Sunday)
            day("2025-11-17", 3600, 0, 0),   // pending
        ];
        let progress = progress(
            &two_hours,
            &series,
            date("2025-11-17"),
            DaySettings::default(),
        );
        use Status::*;
        assert_eq!(
            statuses(&progress),
            [Met, Missed, Met, Empty, Met, Rest, Rest, Pending]
        );
        assert_eq!(progress.periods[0].value, 8400);
        assert_eq!((progress.current_streak, progress.longest_streak), (2, 2));
        assert_eq!(progress.success_rate, Some(0.75));
        // Reaching the target today meets it at once.
        let mut done = series.to_vec();
        done[7] = day("2025-11-17", 7200, 0, 0);
        let progress = super::progress(
            &two_hours,
            &done,
            date("2025-11-17"),
            DaySettings::default(),
        );
        assert_eq!(progress.periods[7].status, Met);
        assert_eq!(progress.current_streak, 3);
        // Counting empty days makes Thursday a miss.
        let strict = GoalRule {
            count_empty_days: true,
            ..two_hours
        };
        let progress =
            super::progress(&strict, &series, date("2025-11-17"), DaySettings::default());
        assert_eq!(progress.periods[3].status, Missed);
        assert_eq!((progress.current_streak, progress.longest_streak), (1, 1));
    }

    #[test]
    fn a_range_is_days_or_weeks_as_whole_periods() {
        let days = DaySettings::default();
        let today = date("2025-11-19"); // a Wednesday
        let first = |raw, period| {
            GoalRange::parse(raw, period)
                .unwrap()
                .first_period(period, today, days)
        };
        assert_eq!(first(Some("7d"), Period::Day), date("2025-11-13"));
        assert_eq!(first(Some("2w"), Period::Day), date("2025-11-06"));
        assert_eq!(first(Some("2w"), Period::Week), date("2025-11-10"));
        assert_eq!(first(Some("8d"), Period::Week), date("2025-11-10"));
        assert_eq!(first(Some("9d"), Period::Week), date("2025-11-10"));
        assert_eq!(first(Some("10d"), Period::Week), date("2025-11-10"));
        assert_eq!(first(Some("11d"), Period::Week), date("2025-11-03"));
        assert_eq!(first(None, Period::Day), date("2025-10-21"));
        assert_eq!(first(None, Period::Week), date("2025-09-01"), "12 weeks");
        for bad in ["0d", "3651d", "522w", "7", "d", "-1d", "7m", ""] {
            assert!(GoalRange::parse(Some(bad), Period::Day).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_at_most_goal_is_missed_as_soon_as_its_limit_is_passed() {
        let calm = rule(RawGoal {
            metric: Some("interruptions"),
            comparison: Some("at_most"),
            target: Some(3),
            period: Some("day"),
            ..RawGoal::default()
        });
        let today = |n| {
            progress(
                &calm,
                &[day("2025-11-16", 3600, 0, 1), day("2025-11-17", 3600, 0, n)],
                date("2025-11-17"),
                DaySettings::default(),
            )
        };
        assert_eq!(statuses(&today(3)), [Status::Met, Status::Pending]);
        assert_eq!(statuses(&today(4)), [Status::Met, Status::Missed]);
        assert_eq!(today(4).current_streak, 0);
        assert_eq!(today(3).current_streak, 1, "today cannot break it yet");
    }

    #[test]
    fn week_goals_sum_the_days_of_weeks_from_the_week_start() {
        let ten_hours = rule(RawGoal {
            metric: Some("worked_seconds"),
            comparison: Some("at_least"),
            target: Some(36_000),
            period: Some("week"),
            ..RawGoal::default()
        });
        let sunday_weeks = DaySettings {
            week_start: WeekStart::parse("w", "sunday").unwrap(),
            ..DaySettings::default()
        };
        // Sunday 2025-11-09 to Saturday 2025-11-22: two whole weeks.
        let series: Vec<DayStat> = (0..14)
            .map(|n| {
                let d = date("2025-11-09") + jiff::Span::new().days(n);
                DayStat {
                    date: d,
                    bucket: Bucket {
                        work: if n < 7 { 6000 } else { 3000 },
                        lost: 0,
                        interruptions: 0,
                    },
                    recovery: 0,
                    deep_work_blocks: 0,
                }
            })
            .collect();
        let progress = progress(&ten_hours, &series, date("2025-11-22"), sunday_weeks);
        assert_eq!(progress.periods.len(), 2);
        assert_eq!(
            (progress.periods[0].start, progress.periods[0].last),
            (date("2025-11-09"), date("2025-11-15"))
        );
        assert_eq!(progress.periods[0].value, 42_000);
        assert_eq!(progress.periods[0].status, Status::Met);
        assert_eq!(progress.periods[1].value, 21_000);
        assert_eq!(progress.periods[1].status, Status::Pending);
        assert_eq!(progress.current_streak, 1);
    }

    #[test]
    fn a_weeks_focus_score_comes_from_its_sums() {
        let focused = rule(RawGoal {
            metric: Some("focus_score"),
            comparison: Some("at_least"),
            target: Some(80),
            period: Some("week"),
            ..RawGoal::default()
        });
        let mut a = day("2025-11-10", 3600, 0, 0);
        a.recovery = 0;
        let mut b = day("2025-11-11", 3600, 1800, 3);
        b.recovery = 600;
        // (7200 − 1800 − 600) / 7200 = 66.7 → 67.
        let progress = progress(
            &focused,
            &[a, b],
            date("2025-11-20"),
            DaySettings::default(),
        );
        assert_eq!(progress.periods[0].value, 67);
        assert_eq!(progress.periods[0].status, Status::Missed);
    }
}
