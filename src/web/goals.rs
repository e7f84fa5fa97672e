//! Goals in the web app: set and deleted in Settings, a progress ring for
//! each on Now, a streak calendar for each on Reports. The figures are the
//! API's (`reports::goals_progress`), so a page never disagrees with it.

use std::fmt::Write as _;

use axum::{
    extract::{Path, State},
    response::Response,
};
use jiff::civil::Date;
use serde::Deserialize;

use super::{
    Visitor, WebError, answer,
    session::{CsrfForm, Posted},
    settings::Plain,
    time_input::duration,
};
use crate::{
    domain::{
        days::{DaySettings, WEEKDAY_NAMES},
        goals::{
            Comparison, Goal, GoalRange, GoalRule, Metric, Period, PeriodProgress, Progress,
            RawGoal, Status,
        },
    },
    error::AppError,
    services::state::AppState,
};

/// Pages show at most this many goals' rings and calendars.
const SHOWN: usize = 6;

/// A goal as a page shows it.
pub struct GoalCard {
    /// Its id, for the delete form.
    pub id: i64,
    /// What it asks, in words: "Effective focus: at least 2 h a day".
    pub label: String,
    /// The current period so far: "1 h 30 min of 2 h".
    pub so_far: String,
    /// The current period's state, as a class name.
    pub state: &'static str,
    /// The state in words.
    pub state_label: &'static str,
    /// The ring, an inline SVG.
    pub ring: String,
    /// "3 days in a row · best 5", or how to start one.
    pub streak: String,
    /// The streak calendar: blanks to align the first week, then a cell
    /// per period.
    pub cells: Vec<StreakCell>,
    /// Whether the calendar is a week of days a row (a day goal).
    pub by_day: bool,
}

/// One period of a streak calendar.
pub struct StreakCell {
    /// Its state as a class name; empty for an alignment blank.
    pub state: &'static str,
    /// The period and its state, for the tooltip and screen readers.
    pub label: String,
}

/// The user's goals with their progress, at most [`SHOWN`].
pub async fn cards(state: &AppState, visitor: &Visitor) -> Result<Vec<GoalCard>, AppError> {
    let goals: Vec<Goal> = state
        .store
        .list_goals(visitor.user_id())
        .await?
        .into_iter()
        .take(SHOWN)
        .collect();
    let mut requests = Vec::with_capacity(goals.len());
    for goal in &goals {
        let range = match goal.rule.period {
            Period::Day => "35d",
            Period::Week => "12w",
        };
        requests.push((goal, GoalRange::parse(Some(range), goal.rule.period)?));
    }
    let all = crate::services::reports::goals_progress(
        state.store.as_ref(),
        visitor.user_id(),
        &requests,
        (&visitor.zone(), visitor.days()),
        state.clock.now(),
    )
    .await?;
    let cards = goals
        .iter()
        .zip(all)
        .map(|(goal, (_, progress))| card(goal, &progress, visitor.days()))
        .collect();
    Ok(cards)
}

fn card(goal: &Goal, progress: &Progress, days: DaySettings) -> GoalCard {
    let rule = &goal.rule;
    let current = progress.periods.last();
    let value = current.map_or(0, |p| p.value);
    let status = current.map_or(Status::Pending, |p| p.status);
    let share = match rule.target {
        0 => 100,
        target => (value.saturating_mul(100) / target).clamp(0, 100),
    };
    let unit = match rule.period {
        Period::Day => "day",
        Period::Week => "week",
    };
    let streak = match (progress.current_streak, progress.longest_streak) {
        (0, 0) => format!("No streak yet: meet it one {unit} to start one."),
        (now, best) => format!(
            "{now} {unit}{} in a row · best {best}",
            if now == 1 { "" } else { "s" }
        ),
    };
    GoalCard {
        id: goal.id,
        label: label(rule),
        so_far: match rule.comparison {
            Comparison::AtLeast => format!(
                "{} of {}",
                amount(rule.metric, value),
                amount(rule.metric, rule.target)
            ),
            Comparison::AtMost => format!(
                "{}, at most {}",
                amount(rule.metric, value),
                amount(rule.metric, rule.target)
            ),
        },
        state: status_class(status),
        state_label: status_label(status),
        ring: ring(share, status_class(status), &label(rule)),
        streak,
        cells: calendar(rule, &progress.periods, days),
        by_day: rule.period == Period::Day,
    }
}

/// "Effective focus: at least 2 h a day, weekends off".
fn label(rule: &GoalRule) -> String {
    let what = match rule.metric {
        Metric::EffectiveSeconds => "Effective focus",
        Metric::WorkedSeconds => "Time worked",
        Metric::FocusScore => "Focus score",
        Metric::Interruptions => "Interruptions",
        Metric::DeepWorkBlocks => "Deep-work blocks",
    };
    let how = match rule.comparison {
        Comparison::AtLeast => "at least",
        Comparison::AtMost => "at most",
    };
    let every = match rule.period {
        Period::Day => "a day",
        Period::Week => "a week",
    };
    // "Interruptions: at most 12 a week": the metric already names the unit.
    let target = match rule.metric {
        Metric::Interruptions | Metric::DeepWorkBlocks => rule.target.to_string(),
        _ => amount(rule.metric, rule.target),
    };
    let mut text = format!("{what}: {how} {target} {every}");
    let rest: Vec<String> = rule
        .rest_days
        .names()
        .iter()
        .map(|name| format!("{}{}s", name[..1].to_uppercase(), &name[1..]))
        .collect();
    if !rest.is_empty() {
        let _ = write!(text, ", {} off", rest.join(" and "));
    }
    text
}

/// A value in the metric's unit, as people say it.
fn amount(metric: Metric, value: i64) -> String {
    match metric {
        Metric::EffectiveSeconds | Metric::WorkedSeconds => duration(value),
        Metric::FocusScore => value.to_string(),
        Metric::Interruptions => count(value, "interruption"),
        Metric::DeepWorkBlocks => count(value, "block"),
    }
}

fn count(n: i64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Met => "met",
        Status::Missed => "missed",
        Status::Pending => "pending",
        Status::Rest => "rest",
        Status::Empty => "empty",
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Met => "met",
        Status::Missed => "missed",
        Status::Pending => "in progress",
        Status::Rest => "a rest day",
        Status::Empty => "nothing logged",
    }
}

/// A ring `share` percent full; the text beside it says the same.
fn ring(share: i64, state: &str, label: &str) -> String {
    // A circle of radius 15.915 has a circumference of 100: the dash is the
    // share itself.
    format!(
        r#"<svg class="ring {state}" viewBox="0 0 36 36" width="64" height="64" role="img" aria-label="{}: {share} %"><circle class="track" cx="18" cy="18" r="15.915" fill="none" stroke-width="3.5"/><circle class="fill" cx="18" cy="18" r="15.915" fill="none" stroke-width="3.5" stroke-dasharray="{share} {}" transform="rotate(-90 18 18)"/><text x="18" y="21" text-anchor="middle">{share}%</text></svg>"#,
        super::charts::escape(label),
        100 - share
    )
}

/// The periods as a calendar: a day goal's in weeks from the user's
/// `week_start` (blanks before the first day), a week goal's in a row.
fn calendar(rule: &GoalRule, periods: &[PeriodProgress], days: DaySettings) -> Vec<StreakCell> {
    let mut cells = Vec::new();
    if let (Period::Day, Some(first)) = (rule.period, periods.first()) {
        let blanks = (first.start.weekday().to_monday_zero_offset() as usize + 7
            - days.week_start.index())
            % 7;
        cells.extend((0..blanks).map(|_| StreakCell {
            state: "",
            label: String::new(),
        }));
    }
    cells.extend(periods.iter().map(|p| StreakCell {
        state: status_class(p.status),
        label: format!(
            "{}: {} ({})",
            period_name(rule.period, p.start),
            status_label(p.status),
            amount(rule.metric, p.value)
        ),
    }));
    cells
}

fn period_name(period: Period, start: Date) -> String {
    match period {
        Period::Day => start.strftime("%a %-d %b").to_string(),
        Period::Week => format!("week of {}", start.strftime("%-d %b")),
    }
}

/// The add-a-goal form. Times are typed in minutes.
#[derive(Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    csrf: String,
    metric: String,
    comparison: String,
    target: String,
    period: String,
    #[serde(default)]
    count_empty_days: Option<String>,
    #[serde(default)]
    rest_monday: Option<String>,
    #[serde(default)]
    rest_tuesday: Option<String>,
    #[serde(default)]
    rest_wednesday: Option<String>,
    #[serde(default)]
    rest_thursday: Option<String>,
    #[serde(default)]
    rest_friday: Option<String>,
    #[serde(default)]
    rest_saturday: Option<String>,
    #[serde(default)]
    rest_sunday: Option<String>,
}

impl CsrfForm for GoalForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl GoalForm {
    fn rest_days(&self) -> Vec<String> {
        let ticked = [
            &self.rest_monday,
            &self.rest_tuesday,
            &self.rest_wednesday,
            &self.rest_thursday,
            &self.rest_friday,
            &self.rest_saturday,
            &self.rest_sunday,
        ];
        WEEKDAY_NAMES
            .iter()
            .zip(ticked)
            .filter(|(_, on)| on.is_some())
            .map(|(name, _)| (*name).to_owned())
            .collect()
    }

    /// The target in the metric's unit: minutes become seconds.
    fn target(&self) -> Result<i64, AppError> {
        let typed: i64 = self.target.trim().parse().map_err(|_| {
            AppError::invalid(
                "target",
                format!("{:?} is not a whole number", self.target.trim()),
            )
        })?;
        let in_minutes = matches!(self.metric.as_str(), "effective_seconds" | "worked_seconds");
        Ok(if in_minutes {
            typed.saturating_mul(60)
        } else {
            typed
        })
    }
}

/// Sets a goal from Settings.
pub async fn create(State(state): State<AppState>, posted: Posted<GoalForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let rest = form.rest_days();
        let rule = GoalRule::parse_new(&RawGoal {
            metric: Some(&form.metric),
            comparison: Some(&form.comparison),
            target: Some(form.target()?),
            period: Some(&form.period),
            rest_days: Some(&rest),
            count_empty_days: Some(form.count_empty_days.is_some()),
        })
        .map_err(AppError::from)?;
        let goal = state
            .store
            .create_goal(visitor.user_id(), rule, state.clock.now())
            .await
            .map_err(AppError::from)?;
        Ok::<_, WebError>(format!("Goal set: {}.", label(&goal.rule)))
    }
    .await;
    answer(result, "/app/settings#goals-heading")
}

/// Deletes a goal from Settings.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        state.store.delete_goal(visitor.user_id(), id).await?;
        Ok("Goal deleted.".to_owned())
    }
    .await;
    answer(result, "/app/settings#goals-heading")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goals::RestDays;

    #[test]
    fn a_goal_reads_as_a_sentence() {
        let rule = GoalRule {
            metric: Metric::EffectiveSeconds,
            comparison: Comparison::AtLeast,
            target: 7200,
            period: Period::Day,
            rest_days: RestDays::parse(&["sunday".into(), "saturday".into()]).unwrap(),
            count_empty_days: false,
        };
        assert_eq!(
            label(&rule),
            "Effective focus: at least 2 h 00 min a day, Saturdays and Sundays off"
        );
        let calm = GoalRule {
            metric: Metric::Interruptions,
            comparison: Comparison::AtMost,
            target: 1,
            period: Period::Week,
            rest_days: RestDays::default(),
            count_empty_days: false,
        };
        assert_eq!(label(&calm), "Interruptions: at most 1 a week");
    }

    #[test]
    fn a_ring_is_as_full_as_its_share() {
        let svg = ring(40, "pending", "Focus <score>");
        assert!(svg.contains(r#"stroke-dasharray="40 60""#), "{svg}");
        assert!(svg.contains("Focus &lt;score&gt;: 40 %"), "{svg}");
    }
}
