//! `hyperfocus goals`: what you want of a day or a week, how today (or
//! this week) is going, your streaks, and setting or deleting a goal.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::output::say;
use super::{
    Context,
    output::Output,
    when::{human_duration, parse_duration},
};
use crate::domain::goals::{Budget, Standing};

/// `hyperfocus goals`.
#[derive(Debug, Args)]
pub struct GoalsArgs {
    #[command(subcommand)]
    pub action: Option<GoalAction>,
}

/// What to do with goals; without one, list them with their progress.
#[derive(Debug, Subcommand)]
pub enum GoalAction {
    /// Set a goal.
    ///
    /// METRIC is effective, worked, score, interruptions or deep (a unique
    /// start is enough). TARGET is a DURATION for effective and worked
    /// (2h, 90m), a number otherwise. Examples:
    ///   hyperfocus goals add effective 2h --rest sat,sun
    ///   hyperfocus goals add interruptions 20 --per week --at-most
    #[command(verbatim_doc_comment)]
    Add(AddArgs),
    /// Change a goal by its id (see `hyperfocus goals`): only what is
    /// given changes.
    ///
    /// Examples:
    ///   hyperfocus goals edit 3 --target 90m
    ///   hyperfocus goals edit 4 --target 15 --per week --at-most
    ///   hyperfocus goals edit 3 --no-rest
    #[command(verbatim_doc_comment)]
    Edit(EditArgs),
    /// Delete a goal by its id (see `hyperfocus goals`).
    Delete {
        /// The goal's id.
        id: i64,
    },
}

/// `hyperfocus goals add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// effective, worked, score, interruptions or deep.
    pub metric: String,
    /// The target: a DURATION (2h, 90m) for time, a number otherwise.
    pub target: String,
    /// day or week.
    #[arg(long, default_value = "day", value_parser = ["day", "week"])]
    pub per: String,
    /// The target is a limit: met while the value stays at or under it.
    #[arg(long)]
    pub at_most: bool,
    /// Weekdays a day goal rests on, such as sat,sun.
    #[arg(long, value_delimiter = ',', value_name = "DAYS")]
    pub rest: Vec<String>,
    /// A day with nothing logged counts, and can break a streak.
    #[arg(long)]
    pub count_empty_days: bool,
}

/// `hyperfocus goals edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The goal's id.
    pub id: i64,
    /// A new measure: effective, worked, score, interruptions or deep.
    #[arg(long)]
    pub metric: Option<String>,
    /// A new target: a DURATION (2h, 90m) for time, a number otherwise.
    #[arg(long)]
    pub target: Option<String>,
    /// day or week.
    #[arg(long, value_parser = ["day", "week"])]
    pub per: Option<String>,
    /// The target becomes a limit.
    #[arg(long, conflicts_with = "at_least")]
    pub at_most: bool,
    /// The target becomes a least.
    #[arg(long)]
    pub at_least: bool,
    /// New rest days, such as sat,sun.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "DAYS",
        conflicts_with = "no_rest"
    )]
    pub rest: Option<Vec<String>>,
    /// No rest days any more.
    #[arg(long)]
    pub no_rest: bool,
    /// Days with nothing logged count (and can break a streak).
    #[arg(long, conflicts_with = "skip_empty_days")]
    pub count_empty_days: bool,
    /// Days with nothing logged do not count.
    #[arg(long)]
    pub skip_empty_days: bool,
}

/// The metrics by the API's name, with what a person calls them.
const METRICS: [(&str, &str); 5] = [
    ("effective_seconds", "effective focus"),
    ("worked_seconds", "time worked"),
    ("focus_score", "focus score"),
    ("interruptions", "interruptions"),
    ("deep_work_blocks", "deep-work blocks"),
];

/// A goal as the API answers it.
#[derive(Debug, Deserialize)]
struct Goal {
    id: i64,
    metric: String,
    comparison: String,
    target: i64,
    period: String,
    rest_days: Vec<String>,
}

/// A goal's progress as the API answers it.
#[derive(Debug, Deserialize)]
struct Progress {
    periods: Vec<Period>,
    current_streak: i64,
    longest_streak: i64,
}

#[derive(Debug, Deserialize)]
struct Period {
    value: i64,
    status: String,
}

/// Runs `hyperfocus goals [add | delete]`.
pub async fn goals(context: &mut Context, args: GoalsArgs) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    match args.action {
        None => list(context).await,
        Some(GoalAction::Add(add)) => create(context, add).await,
        Some(GoalAction::Edit(edit)) => change(context, edit).await,
        Some(GoalAction::Delete { id }) => {
            let user = context.user_id().await?;
            context
                .api
                .delete(&format!("/users/{user}/goals/{id}"))
                .await?;
            say!("Goal {id} deleted.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One line a goal for `hyperfocus status`: the current period so far.
pub async fn print_status_lines(context: &mut Context) -> anyhow::Result<()> {
    let user = context.user_id().await?;
    let goals: Vec<Goal> = context.api.get(&format!("/users/{user}/goals")).await?;
    for goal in goals {
        let range = if goal.period == "week" { "1w" } else { "1d" };
        let progress: Progress = context
            .api
            .get(&format!(
                "/users/{user}/goals/{}/progress?range={range}",
                goal.id
            ))
            .await?;
        let current = progress.periods.last();
        let value = current.map_or(0, |p| p.value);
        let status = current.map_or("pending", |p| p.status.as_str());
        say!(
            "  Goal {}: {}, {}",
            goal.id,
            so_far(&goal, value),
            state_of(&goal, value, status)
        );
    }
    Ok(())
}

async fn list(context: &mut Context) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let goals: Vec<Value> = context.api.get(&format!("/users/{user}/goals")).await?;
    if goals.is_empty() {
        if context.out.json {
            return context.out.print_json(&goals).map(|()| ExitCode::SUCCESS);
        }
        say!("No goals yet. Set one: hyperfocus goals add effective 2h --rest sat,sun");
        return Ok(ExitCode::SUCCESS);
    }
    let mut answers = Vec::new();
    for goal in &goals {
        let id = goal["id"].as_i64().unwrap_or(0);
        let range = if goal["period"] == "week" {
            "8w"
        } else {
            "14d"
        };
        let progress: Value = context
            .api
            .get(&format!("/users/{user}/goals/{id}/progress?range={range}"))
            .await?;
        answers.push(progress);
    }
    if context.out.json {
        return context.out.print_json(&answers).map(|()| ExitCode::SUCCESS);
    }
    for answer in answers {
        let goal: Goal = serde_json::from_value(answer["goal"].clone())?;
        let progress: Progress = serde_json::from_value(answer)?;
        for line in lines(&goal, &progress, &context.out) {
            say!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A goal in three lines: what it asks, the current period, and the last
/// periods as marks.
fn lines(goal: &Goal, progress: &Progress, out: &Output) -> Vec<String> {
    let current = progress.periods.last();
    let value = current.map_or(0, |p| p.value);
    let status = current.map_or("pending", |p| p.status.as_str());
    let width = 20;
    let bar = if goal.comparison == "at_most" {
        budget_bar(Budget::of(value, goal.target), width, out)
    } else {
        let share = match goal.target {
            0 => 1.0,
            target => (value as f64 / target as f64).clamp(0.0, 1.0),
        };
        let filled = (share * width as f64).round() as usize;
        let used = "█".repeat(filled);
        format!(
            "{}{}",
            if status == "missed" {
                out.red(&used)
            } else {
                out.green(&used)
            },
            out.dim(&"░".repeat(width - filled))
        )
    };
    let unit = if goal.period == "week" { "week" } else { "day" };
    let streak = match progress.current_streak {
        1 => format!("1 {unit} in a row"),
        n => format!("{n} {unit}s in a row"),
    };
    let marks: String = progress
        .periods
        .iter()
        .map(|p| match p.status.as_str() {
            "met" => out.green("■"),
            "missed" => out.red("■"),
            "pending" => out.yellow("◐"),
            "rest" => out.dim("▫"),
            _ => out.dim("·"),
        })
        .collect();
    vec![
        out.bold(&format!("{} {}", goal.id, sentence(goal))),
        format!(
            "  {bar}  {} · {} · {streak} (best {})",
            so_far(goal, value),
            state_of(goal, value, status),
            progress.longest_streak
        ),
        format!(
            "  last {}: {marks}  ({} met  {} missed  {} today  {} rest  {} nothing)",
            if unit == "week" { "weeks" } else { "days" },
            out.green("■"),
            out.red("■"),
            out.yellow("◐"),
            out.dim("▫"),
            out.dim("·"),
        ),
    ]
}

/// What is left of the limit, as a bar that empties: green while there is
/// room, amber in the last fifth, red (and full) once over.
fn budget_bar(budget: Budget, width: usize, out: &Output) -> String {
    let left = 1.0 - budget.share_used();
    let cells = (left * width as f64).round() as usize;
    let rest = out.dim(&"░".repeat(width - cells));
    match budget.standing() {
        Standing::Over => out.red(&"▓".repeat(width)),
        Standing::Near => format!("{}{rest}", out.amber(&"█".repeat(cells))),
        Standing::Within => format!("{}{rest}", out.green(&"█".repeat(cells))),
    }
}

/// "Effective focus at least 2h 00m a day, Sat and Sun off".
fn sentence(goal: &Goal) -> String {
    let what = METRICS
        .iter()
        .find(|(name, _)| *name == goal.metric)
        .map_or(goal.metric.as_str(), |(_, words)| words);
    let how = if goal.comparison == "at_most" {
        "at most"
    } else {
        "at least"
    };
    // "Interruptions at most 12 a week": the metric already names the unit.
    let target = goal_target(goal);
    let mut text = format!(
        "{}{} {how} {target} a {}",
        what[..1].to_uppercase(),
        &what[1..],
        goal.period
    );
    if !goal.rest_days.is_empty() {
        let days: Vec<String> = goal
            .rest_days
            .iter()
            .map(|d| format!("{}{}", d[..1].to_uppercase(), &d[1..3]))
            .collect();
        text.push_str(&format!(", {} off", days.join(" and ")));
    }
    text
}

/// "1h 05m of 2h 00m", or for a limit what is left of it: "10
/// interruptions left of 12", "3 interruptions over the limit of 12".
fn so_far(goal: &Goal, value: i64) -> String {
    if goal.comparison != "at_most" {
        return format!("{} of {}", amount(&goal.metric, value), goal_target(goal));
    }
    match goal.target - value {
        over if over < 0 => format!(
            "{} over the limit of {}",
            amount(&goal.metric, -over),
            goal_target(goal)
        ),
        left => format!(
            "{} left of {}",
            amount(&goal.metric, left),
            goal_target(goal)
        ),
    }
}

/// How the period stands: for a limit, within it, near it or over it.
fn state_of(goal: &Goal, value: i64, status: &str) -> &'static str {
    if goal.comparison != "at_most" || status == "rest" {
        return state_words(status);
    }
    match (Budget::of(value, goal.target).standing(), status) {
        (Standing::Over, _) => "over the limit",
        (Standing::Near, _) => "near the limit",
        (_, "met") => "met",
        _ => "within the limit",
    }
}

/// The target as the metric counts it ("2h 00m", "12").
fn goal_target(goal: &Goal) -> String {
    match goal.metric.as_str() {
        "interruptions" | "deep_work_blocks" => goal.target.to_string(),
        _ => amount(&goal.metric, goal.target),
    }
}

fn amount(metric: &str, value: i64) -> String {
    match metric {
        "effective_seconds" | "worked_seconds" => human_duration(value),
        "focus_score" => format!("a score of {value}"),
        "interruptions" => super::output::count(value, "interruption"),
        _ => super::output::count(value, "block"),
    }
}

fn state_words(status: &str) -> &'static str {
    match status {
        "met" => "met",
        "missed" => "missed",
        "rest" => "a rest day",
        "empty" => "nothing logged",
        _ => "in progress",
    }
}

/// A target as typed, in the metric's unit: seconds from a DURATION for
/// time, a whole number otherwise.
fn target_of(metric: &str, typed: &str) -> anyhow::Result<i64> {
    match metric {
        "effective_seconds" | "worked_seconds" => {
            Ok(parse_duration(typed).map_err(anyhow::Error::msg)?.as_secs())
        }
        _ => typed
            .trim()
            .parse::<i64>()
            .map_err(|_| anyhow::anyhow!("the target {typed:?} is not a whole number")),
    }
}

/// Weekdays as the API names them, from unique starts.
fn rest_days(typed: &[String]) -> anyhow::Result<Vec<String>> {
    typed
        .iter()
        .map(|day| weekday_named(day).map(str::to_owned))
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::msg)
}

async fn create(context: &mut Context, args: AddArgs) -> anyhow::Result<ExitCode> {
    let metric = metric_named(&args.metric).map_err(anyhow::Error::msg)?;
    let target = target_of(metric, &args.target)?;
    let rest = rest_days(&args.rest)?;
    let body = json!({
        "metric": metric,
        "comparison": if args.at_most { "at_most" } else { "at_least" },
        "target": target,
        "period": args.per,
        "rest_days": rest,
        "count_empty_days": args.count_empty_days,
    });
    let user = context.user_id().await?;
    let made: Value = context
        .api
        .json(
            Method::POST,
            &format!("/users/{user}/goals"),
            Some(&body),
            None,
        )
        .await?;
    if context.out.json {
        return context.out.print_json(&made).map(|()| ExitCode::SUCCESS);
    }
    let goal: Goal = serde_json::from_value(made)?;
    say!("Goal {} set: {}.", goal.id, sentence(&goal));
    Ok(ExitCode::SUCCESS)
}

/// Changes what `args` gives of a goal.
async fn change(context: &mut Context, args: EditArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let path = format!("/users/{user}/goals/{}", args.id);
    let mut body = serde_json::Map::new();
    let metric = match &args.metric {
        Some(typed) => {
            let metric = metric_named(typed).map_err(anyhow::Error::msg)?;
            body.insert("metric".into(), metric.into());
            Some(metric.to_owned())
        }
        None => None,
    };
    if let Some(typed) = &args.target {
        // The unit of the target is the metric's, as it will be.
        let metric = match metric {
            Some(metric) => metric,
            None => context.api.get::<Goal>(&path).await?.metric,
        };
        body.insert("target".into(), target_of(&metric, typed)?.into());
    }
    if let Some(per) = &args.per {
        body.insert("period".into(), per.clone().into());
    }
    match (args.at_most, args.at_least) {
        (true, _) => body.insert("comparison".into(), "at_most".into()),
        (_, true) => body.insert("comparison".into(), "at_least".into()),
        _ => None,
    };
    match (&args.rest, args.no_rest) {
        (Some(days), _) => body.insert("rest_days".into(), rest_days(days)?.into()),
        (None, true) => body.insert("rest_days".into(), Vec::<String>::new().into()),
        _ => None,
    };
    match (args.count_empty_days, args.skip_empty_days) {
        (true, _) => body.insert("count_empty_days".into(), true.into()),
        (_, true) => body.insert("count_empty_days".into(), false.into()),
        _ => None,
    };
    if body.is_empty() {
        anyhow::bail!(
            "say what to change: --target, --per, --at-most or --at-least, --rest or --no-rest, --metric, --count-empty-days or --skip-empty-days"
        );
    }
    let changed: Value = context
        .api
        .json(Method::PATCH, &path, Some(&Value::Object(body)), None)
        .await?;
    if context.out.json {
        return context.out.print_json(&changed).map(|()| ExitCode::SUCCESS);
    }
    let goal: Goal = serde_json::from_value(changed)?;
    say!("Goal {} changed: {}.", goal.id, sentence(&goal));
    Ok(ExitCode::SUCCESS)
}

/// The API's name of a metric from a unique start of its name or of what
/// people call it (`eff`, `score`, `deep`).
fn metric_named(typed: &str) -> Result<&'static str, String> {
    let typed = typed.trim().to_ascii_lowercase();
    let starting = |matches: &dyn Fn(&str, &str) -> bool| -> Vec<&'static str> {
        METRICS
            .iter()
            .filter(|(name, words)| !typed.is_empty() && matches(name, words))
            .map(|(name, _)| *name)
            .collect()
    };
    // The API's own names first, then any word of what people call it.
    let mut found = starting(&|name, _| name.starts_with(&typed));
    if found.is_empty() {
        found = starting(&|_, words| words.split(' ').any(|w| w.starts_with(&typed)));
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "{typed:?} is not a metric; use effective, worked, score, interruptions or deep"
        )),
        many => Err(format!("{typed:?} could be {}", many.join(" or "))),
    }
}

/// A weekday's API name from a unique start (`sat`, `su`).
fn weekday_named(typed: &str) -> Result<&'static str, String> {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let typed = typed.trim().to_ascii_lowercase();
    let found: Vec<&str> = DAYS
        .iter()
        .copied()
        .filter(|d| typed.len() >= 2 && d.starts_with(&typed))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        _ => Err(format!(
            "{typed:?} is not a weekday; write at least two letters, such as sa or sun"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_and_weekdays_are_known_by_a_unique_start() {
        assert_eq!(metric_named("eff"), Ok("effective_seconds"));
        assert_eq!(metric_named("score"), Ok("focus_score"));
        assert_eq!(metric_named("focus"), Ok("focus_score"));
        assert_eq!(metric_named("deep"), Ok("deep_work_blocks"));
        assert_eq!(metric_named("w"), Ok("worked_seconds"));
        assert!(metric_named("x").is_err());
        assert_eq!(weekday_named("sat"), Ok("saturday"));
        assert_eq!(weekday_named("Su"), Ok("sunday"));
        assert!(weekday_named("s").is_err());
        assert!(weekday_named("t").is_err());
    }

    #[test]
    fn an_at_most_goal_is_a_budget_that_empties() {
        let goal = Goal {
            id: 4,
            metric: "interruptions".into(),
            comparison: "at_most".into(),
            target: 10,
            period: "day".into(),
            rest_days: Vec::new(),
        };
        let progress = |value: i64| Progress {
            periods: vec![Period {
                value,
                status: "pending".into(),
            }],
            current_streak: 2,
            longest_streak: 5,
        };
        let plain = Output::detect(false, true);
        assert_eq!(
            lines(&goal, &progress(2), &plain)[1],
            "  ████████████████░░░░  8 interruptions left of 10 · within the limit · 2 days in a row (best 5)"
        );
        assert_eq!(
            lines(&goal, &progress(9), &plain)[1],
            "  ██░░░░░░░░░░░░░░░░░░  1 interruption left of 10 · near the limit · 2 days in a row (best 5)"
        );
        assert_eq!(
            lines(&goal, &progress(13), &plain)[1],
            "  ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓  3 interruptions over the limit of 10 · over the limit · 2 days in a row (best 5)"
        );
        let colour = Output {
            json: false,
            color: true,
        };
        assert!(budget_bar(Budget::of(9, 10), 20, &colour).starts_with("\x1b[38;5;214m██\x1b[0m"));
        assert!(budget_bar(Budget::of(11, 10), 20, &colour).starts_with("\x1b[31m▓"));
        assert!(budget_bar(Budget::of(1, 10), 20, &colour).starts_with("\x1b[32m█"));
    }

    #[test]
    fn a_goal_is_three_lines() {
        let goal = Goal {
            id: 3,
            metric: "effective_seconds".into(),
            comparison: "at_least".into(),
            target: 7200,
            period: "day".into(),
            rest_days: vec!["saturday".into(), "sunday".into()],
        };
        let progress = Progress {
            periods: ["met", "missed", "rest", "empty", "pending"]
                .iter()
                .map(|s| Period {
                    value: 3600,
                    status: (*s).into(),
                })
                .collect(),
            current_streak: 0,
            longest_streak: 1,
        };
        let out = Output::detect(false, true);
        assert_eq!(
            lines(&goal, &progress, &out),
            [
                "3 Effective focus at least 2h 00m a day, Sat and Sun off",
                "  ██████████░░░░░░░░░░  1h 00m of 2h 00m · in progress · 0 days in a row (best 1)",
                "  last days: ■■▫·◐  (■ met  ■ missed  ◐ today  ▫ rest  · nothing)",
            ]
        );
    }
}
