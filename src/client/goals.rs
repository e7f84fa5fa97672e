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
        say!(
            "  Goal {}: {}, {}",
            goal.id,
            so_far(&goal, current.map_or(0, |p| p.value)),
            state_words(current.map_or("pending", |p| p.status.as_str()))
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
    let share = match goal.target {
        0 => 1.0,
        target => (value as f64 / target as f64).clamp(0.0, 1.0),
    };
    let width = 20;
    let filled = (share * width as f64).round() as usize;
    let used = "█".repeat(filled);
    let bar = format!(
        "{}{}",
        if status == "missed" {
            out.red(&used)
        } else {
            out.green(&used)
        },
        out.dim(&"░".repeat(width - filled))
    );
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
            state_words(status),
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

/// "1h 05m of 2h 00m", or for a limit "25 interruptions, at most 12".
fn so_far(goal: &Goal, value: i64) -> String {
    if goal.comparison == "at_most" {
        format!(
            "{}, at most {}",
            amount(&goal.metric, value),
            goal_target(goal)
        )
    } else {
        format!("{} of {}", amount(&goal.metric, value), goal_target(goal))
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

async fn create(context: &mut Context, args: AddArgs) -> anyhow::Result<ExitCode> {
    let metric = metric_named(&args.metric).map_err(anyhow::Error::msg)?;
    let target =
        match metric {
            "effective_seconds" | "worked_seconds" => parse_duration(&args.target)
                .map_err(anyhow::Error::msg)?
                .as_secs(),
            _ => args.target.trim().parse::<i64>().map_err(|_| {
                anyhow::anyhow!("the target {:?} is not a whole number", args.target)
            })?,
        };
    let rest: Vec<String> = args
        .rest
        .iter()
        .map(|day| weekday_named(day).map(str::to_owned))
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::msg)?;
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
