//! Goals in the web app: set, changed and deleted in Settings, a progress
//! ring for each "at least" goal on Now (an "at most" goal is a budget:
//! what is left of its limit), a streak calendar for each on Reports. The figures are the
//! API's (`reports::goals_progress`), so a page never disagrees with it.

use std::fmt::Write as _;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use jiff::civil::Date;
use serde::Deserialize;

use super::{
    Visitor, WebError,
    fields::FormErrors,
    session::{CsrfForm, Posted},
    settings::{Plain, answer_in, form_failed},
    time_input::duration,
};
use crate::{
    domain::{
        RuleViolation,
        days::{DaySettings, WEEKDAY_NAMES},
        goals::{
            Budget, Comparison, Goal, GoalRange, GoalRule, Metric, Period, PeriodProgress,
            Progress, RawGoal, Standing, Status,
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
    /// The goal as its edit form shows it.
    pub values: GoalValues,
}

/// A goal form's fields as typed (times in minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalValues {
    /// `effective_seconds`, `worked_seconds`, …
    pub metric: String,
    /// `at_least` or `at_most`.
    pub comparison: String,
    /// The target as typed: minutes for time, else a count.
    pub target: String,
    /// `day` or `week`.
    pub period: String,
    /// The rest days ticked, `monday`…
    pub rest_days: Vec<String>,
    /// Whether a day with nothing logged counts.
    pub count_empty_days: bool,
}

impl Default for GoalValues {
    fn default() -> Self {
        Self {
            metric: "effective_seconds".into(),
            comparison: "at_least".into(),
            target: "120".into(),
            period: "day".into(),
            rest_days: Vec::new(),
            count_empty_days: false,
        }
    }
}

impl GoalValues {
    fn of(rule: &GoalRule) -> Self {
        let target = if in_minutes(rule.metric.as_str()) {
            rule.target / 60
        } else {
            rule.target
        };
        Self {
            metric: rule.metric.as_str().to_owned(),
            comparison: rule.comparison.as_str().to_owned(),
            target: target.to_string(),
            period: rule.period.as_str().to_owned(),
            rest_days: rule
                .rest_days
                .names()
                .iter()
                .map(|n| (*n).to_owned())
                .collect(),
            count_empty_days: rule.count_empty_days,
        }
    }

    /// Whether `day` is ticked as a rest day.
    pub fn rests(&self, day: &&str) -> bool {
        self.rest_days.iter().any(|d| d == day)
    }
}

/// The choices of a goal form: value and words.
pub const METRICS: [(&str, &str); 5] = [
    ("effective_seconds", "Effective focus (minutes)"),
    ("worked_seconds", "Time worked (minutes)"),
    ("focus_score", "Focus score (0–100)"),
    ("interruptions", "Interruptions"),
    ("deep_work_blocks", "Deep-work blocks (25 min or more)"),
];

/// Whether a metric's target is typed in minutes.
fn in_minutes(metric: &str) -> bool {
    matches!(metric, "effective_seconds" | "worked_seconds")
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
    let (so_far, state, state_label, ring) = match rule.comparison {
        Comparison::AtLeast => {
            let share = match rule.target {
                0 => 100,
                target => (value.saturating_mul(100) / target).clamp(0, 100),
            };
            (
                format!(
                    "{} of {}",
                    amount(rule.metric, value),
                    amount(rule.metric, rule.target)
                ),
                status_class(status),
                status_label(status),
                ring(share, status_class(status), &label(rule)),
            )
        }
        Comparison::AtMost => {
            let budget = Budget::of(value, rule.target);
            (
                budget.words(rule.metric),
                budget.class(),
                budget.state_label(status),
                budget.gauge(rule.metric, &label(rule)),
            )
        }
    };
    GoalCard {
        id: goal.id,
        label: label(rule),
        so_far,
        state,
        state_label,
        ring,
        streak,
        cells: calendar(rule, &progress.periods, days),
        by_day: rule.period == Period::Day,
        values: GoalValues::of(rule),
    }
}

/// How a limit's budget reads and is drawn on a page (the client draws
/// the same [`Budget`] as a bar that empties).
trait BudgetView {
    fn class(&self) -> &'static str;
    fn words(&self, metric: Metric) -> String;
    fn state_label(&self, status: Status) -> &'static str;
    fn gauge(&self, metric: Metric, label: &str) -> String;
}

impl BudgetView for Budget {
    /// `within`, `near` or `over`, the gauge's class.
    fn class(&self) -> &'static str {
        self.standing().as_str()
    }

    /// "10 left of 12 interruptions", "3 over the limit of 12
    /// interruptions", "45 min left of 1 h 00 min".
    fn words(&self, metric: Metric) -> String {
        let part = |value: i64| match metric {
            Metric::EffectiveSeconds | Metric::WorkedSeconds => duration(value),
            _ => value.to_string(),
        };
        match self.left() {
            left if left < 0 => format!(
                "{} over the limit of {}",
                part(-left),
                amount(metric, self.limit)
            ),
            left => format!("{} left of {}", part(left), amount(metric, self.limit)),
        }
    }

    fn state_label(&self, status: Status) -> &'static str {
        match (self.standing(), status) {
            (_, Status::Rest) => "a rest day",
            (Standing::Over, _) => "over the limit",
            (Standing::Near, _) => "near the limit",
            (_, Status::Met) => "met",
            _ => "within the limit",
        }
    }

    /// A bar of the limit with the part used filled in, and what is left
    /// written above it.
    fn gauge(&self, metric: Metric, label: &str) -> String {
        let class = self.class();
        let used = self.share_used();
        let (figure, word) = match self.left() {
            left if left < 0 => (short_amount(metric, -left), "over"),
            left => (short_amount(metric, left), "left"),
        };
        format!(
            r#"<svg class="budget {class}" viewBox="0 0 36 36" width="64" height="64" role="img" aria-label="{}: {}"><text class="figure" x="18" y="16" text-anchor="middle">{}</text><text x="18" y="24" text-anchor="middle">{word}</text><rect class="track" x="4" y="28" width="28" height="4" rx="2"/><rect class="fill" x="4" y="28" width="{:.1}" height="4" rx="2"/></svg>"#,
            super::charts::escape(label),
            super::charts::escape(&self.words(metric)),
            super::charts::escape(&figure),
            28.0 * used
        )
    }
}

/// A figure short enough for the gauge: "45m", "1h05", "9".
fn short_amount(metric: Metric, value: i64) -> String {
    match metric {
        Metric::EffectiveSeconds | Metric::WorkedSeconds => {
            let minutes = value / 60;
            if minutes < 60 {
                format!("{minutes}m")
            } else {
                format!("{}h{:02}", minutes / 60, minutes % 60)
            }
        }
        _ => value.to_string(),
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

    /// The form as typed, to show it again.
    fn values(&self) -> GoalValues {
        GoalValues {
            metric: self.metric.clone(),
            comparison: self.comparison.clone(),
            target: self.target.clone(),
            period: self.period.clone(),
            rest_days: self.rest_days(),
            count_empty_days: self.count_empty_days.is_some(),
        }
    }

    /// The rule the form asks for, or what to put right, by the inputs
    /// whose ids begin with `prefix`.
    fn rule(&self, prefix: &str, current: Option<&GoalRule>) -> Result<GoalRule, FormErrors> {
        let id = |field: &str| format!("{prefix}-{field}");
        let Ok(typed) = self.target.trim().parse::<i64>() else {
            let mut said = FormErrors::default();
            said.add(
                &id("target"),
                "Enter the target as a whole number, such as 120.",
            );
            return Err(said);
        };
        let target = if in_minutes(&self.metric) {
            typed.saturating_mul(60)
        } else {
            typed
        };
        let rest = self.rest_days();
        let raw = RawGoal {
            metric: Some(&self.metric),
            comparison: Some(&self.comparison),
            target: Some(target),
            period: Some(&self.period),
            rest_days: Some(&rest),
            count_empty_days: Some(self.count_empty_days.is_some()),
        };
        let parsed = match current {
            Some(rule) => rule.changed(&raw),
            None => GoalRule::parse_new(&raw),
        };
        parsed.map_err(|violation| self.said(prefix, &violation))
    }

    /// A refused goal in the person's words, by its inputs.
    fn said(&self, prefix: &str, violation: &RuleViolation) -> FormErrors {
        let mut said = FormErrors::default();
        let RuleViolation::Invalid(errors) = violation else {
            return said;
        };
        for error in errors {
            let (field, text) = match error.field.as_str() {
                "metric" => ("metric", "Choose what the goal counts.".to_owned()),
                "comparison" => ("comparison", "Choose at least or at most.".to_owned()),
                "period" => ("period", "Choose a day or a week.".to_owned()),
                "rest_days" => (
                    "rest-monday",
                    "Only a day goal has rest days: a week goal counts the whole week. Untick them, or make it a day goal.".to_owned(),
                ),
                _ => ("target", self.target_refused()),
            };
            said.add(&format!("{prefix}-{field}"), text);
        }
        said
    }

    /// Why a target is out of range, with the range in the form's unit.
    fn target_refused(&self) -> String {
        let period = if self.period == "week" { "week" } else { "day" };
        let largest = Metric::parse(&self.metric)
            .ok()
            .zip(Period::parse(&self.period).ok())
            .map(|(metric, period)| metric.largest_target(period));
        match (self.metric.as_str(), largest) {
            ("focus_score", _) => "A focus score is 0 to 100.".to_owned(),
            (metric, Some(largest)) if in_minutes(metric) => format!(
                "A {period} holds at most {} minutes: enter 0 to {}.",
                largest / 60,
                largest / 60
            ),
            (_, Some(largest)) => format!("Enter 0 to {largest} for a {period}."),
            _ => "Enter a target of 0 or more.".to_owned(),
        }
    }
}

/// Sets a goal from Settings.
pub async fn create(State(state): State<AppState>, posted: Posted<GoalForm>) -> Response {
    let Posted { visitor, form } = posted;
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    let rule = match form.rule("goal", None) {
        Ok(rule) => rule,
        Err(said) => return failed(&state, &visitor, said, None, &form).await,
    };
    let made = state
        .store
        .create_goal(visitor.user_id(), rule, state.clock.now())
        .await
        .map(|goal| format!("Goal set: {}.", label(&goal.rule)))
        .map_err(WebError::from);
    answer_in(&state, &visitor, "goals", made)
}

/// Changes a goal from its edit form in Settings.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<GoalForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    let current = match state.store.get_goal(visitor.user_id(), id).await {
        Ok(goal) => goal,
        Err(e) => return answer_in(&state, &visitor, "goals", Err(e.into())),
    };
    let rule = match form.rule(&format!("goal-{id}"), Some(&current.rule)) {
        Ok(rule) => rule,
        Err(said) => return failed(&state, &visitor, said, Some(id), &form).await,
    };
    let changed = state
        .store
        .update_goal(visitor.user_id(), id, rule)
        .await
        .map(|goal| format!("Goal changed: {}.", label(&goal.rule)))
        .map_err(WebError::from);
    answer_in(&state, &visitor, "goals", changed)
}

/// Settings again with the goal form (the new one, or goal `id`'s) as
/// typed and what to put right.
async fn failed(
    state: &AppState,
    visitor: &Visitor,
    said: FormErrors,
    id: Option<i64>,
    form: &GoalForm,
) -> Response {
    let values = form.values();
    form_failed(state, visitor, "goals", said, |page| match id {
        None => page.typed.goal = values,
        Some(id) => {
            if let Some(card) = page.goals.iter_mut().find(|g| g.id == id) {
                card.values = values;
            }
        }
    })
    .await
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
    answer_in(&state, &visitor, "goals", result)
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
    fn an_at_most_goal_is_a_budget_amber_near_its_limit_and_red_past_it() {
        let budget = |used| Budget::of(used, 12);
        assert_eq!(
            (budget(2).class(), budget(2).words(Metric::Interruptions)),
            ("within", "10 left of 12 interruptions".to_owned())
        );
        assert_eq!(budget(10).class(), "near");
        assert_eq!(
            (budget(15).class(), budget(15).words(Metric::Interruptions)),
            ("over", "3 over the limit of 12 interruptions".to_owned())
        );
        let time = Budget::of(900, 3600);
        assert_eq!(
            time.words(Metric::WorkedSeconds),
            "45 min left of 1 h 00 min"
        );
        let svg = budget(2).gauge(Metric::Interruptions, "Interruptions: at most 12 a day");
        assert!(svg.contains(r#"class="budget within""#), "{svg}");
        assert!(
            svg.contains(">10</text>") && svg.contains(">left</text>"),
            "{svg}"
        );
        assert!(
            svg.contains(r#"width="4.7""#),
            "a sixth of the bar used: {svg}"
        );
    }

    #[test]
    fn a_ring_is_as_full_as_its_share() {
        let svg = ring(40, "pending", "Focus <score>");
        assert!(svg.contains(r#"stroke-dasharray="40 60""#), "{svg}");
        assert!(svg.contains("Focus &lt;score&gt;: 40 %"), "{svg}");
    }
}
