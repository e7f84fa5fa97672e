//! `hyperfocus report`: the overview of a window as terminal charts, from
//! one `GET …/stats/overview` (and `…/stats/heatmap` for the grid).

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use jiff::{ToSpan, civil::Date};
use serde::Deserialize;
use serde_json::Value;

use super::output::say;
use super::{
    Context,
    chart::{Bar, bars, heatmap, legend, lost_bars},
    output::{Output, count},
    when::human_duration,
};
use crate::domain::days::{DayStart, WeekStart};

/// `hyperfocus report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which period: week (this calendar week, from your account's first
    /// day of the week, as the web app's Reports; the default), today,
    /// month or year; or the last N days (7d, 30d) or all. Ignored with
    /// --from.
    #[arg(long)]
    pub range: Option<String>,
    /// From this date (YYYY-MM-DD) or RFC 3339 time, inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// To this date or time, exclusive; default now.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// What to chart.
    #[arg(long, value_enum, default_value_t = By::Type)]
    pub by: By,
}

/// The charts `report` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// Time lost by interruption type.
    Type,
    /// Effective and lost time by hour of the day.
    Hour,
    /// Effective and lost time by weekday.
    Weekday,
    /// Effective and lost time and focus score by day.
    Day,
    /// Worked time by weekday and hour.
    Heatmap,
}

#[derive(Deserialize)]
struct Overview {
    window: Window,
    summary: Summary,
    types: Vec<TypeRow>,
    hours: Vec<Bucket>,
    days: Vec<Bucket>,
    series: Vec<Bucket>,
}

#[derive(Deserialize)]
struct Window {
    from: String,
    to: String,
    timezone: String,
}

#[derive(Deserialize)]
struct Summary {
    total_sessions: i64,
    total_interruptions: i64,
    total_time_worked_seconds: i64,
    total_time_lost_seconds: i64,
    effective_time_seconds: i64,
    focus_score: Option<i64>,
    interruptions_per_hour: f64,
    longest_focus_stretch_seconds: i64,
    deep_work_blocks: i64,
}

#[derive(Deserialize)]
struct TypeRow {
    #[serde(rename = "type")]
    kind: String,
    count: i64,
    total_duration_seconds: i64,
    time_share: f64,
}

#[derive(Deserialize)]
struct Bucket {
    hour: Option<i64>,
    weekday_name: Option<String>,
    date: Option<String>,
    work_seconds: i64,
    time_lost_seconds: i64,
    effective_time_seconds: i64,
    interruptions: i64,
    focus_score: Option<i64>,
}

#[derive(Deserialize)]
struct Heatmap {
    cells: Vec<Cell>,
}

#[derive(Deserialize)]
struct Cell {
    weekday_index: usize,
    hour: usize,
    work_seconds: i64,
}

const BAR_WIDTH: usize = 36;

/// Prints the window's figures and the chart asked for.
pub async fn report(context: &mut Context, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let period = Period::of(&args)?;
    let query = query(context, &args, period).await?;
    let overview: Value = context
        .api
        .get(&format!("/users/{user}/stats/overview?{query}"))
        .await?;
    let heat: Option<Value> = match args.by {
        By::Heatmap => Some(
            context
                .api
                .get(&format!("/users/{user}/stats/heatmap?{query}"))
                .await?,
        ),
        _ => None,
    };
    if context.out.json {
        let mut both = overview;
        if let Some(heat) = heat {
            both["heatmap"] = heat["cells"].clone();
        }
        context.out.print_json(&both)?;
        return Ok(ExitCode::SUCCESS);
    }
    let parsed: Overview = serde_json::from_value(overview)?;
    context.remember_zone(&parsed.window.timezone)?;
    let out = context.out;
    for line in summary(&parsed, period, &out) {
        say!("{line}");
    }
    say!();
    let lines = match (args.by, heat) {
        (By::Heatmap, Some(heat)) => heat_lines(&serde_json::from_value(heat)?, &out),
        (by, _) => {
            let today = context.now.to_zoned_datetime(context.zone()).date();
            bucket_lines(&parsed, by, today, &out)
        }
    };
    for line in lines {
        say!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// What `--range` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// A calendar period that holds today: its dates go to the server.
    Calendar(Unit),
    /// The server's rolling `range` (`7d`, `all`), or `--from`.
    Rolling,
}

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    fn of(args: &ReportArgs) -> anyhow::Result<Self> {
        if args.from.is_some() {
            return Ok(Self::Rolling);
        }
        Ok(match args.range.as_deref().map(str::trim) {
            None | Some("week") => Self::Calendar(Unit::Week),
            Some("today" | "day") => Self::Calendar(Unit::Day),
            Some("month") => Self::Calendar(Unit::Month),
            Some("year") => Self::Calendar(Unit::Year),
            Some("all") => Self::Rolling,
            Some(days)
                if days
                    .strip_suffix('d')
                    .is_some_and(|n| n.parse::<u32>().is_ok()) =>
            {
                Self::Rolling
            }
            Some(other) => anyhow::bail!(
                "--range {other:?} is not a period; use week, today, month, year, a number of days such as 30d, or all"
            ),
        })
    }
}

/// The report's query: a calendar period as its dates, begun on the
/// account's first day of the week and its start of day, in its zone as
/// it is now (as the web app's Reports draws it); else the range or dates
/// as typed.
async fn query(context: &mut Context, args: &ReportArgs, period: Period) -> anyhow::Result<String> {
    let mut query = match (&args.from, period) {
        (Some(from), _) => format!("from={}", encode(from)),
        (None, Period::Calendar(unit)) => {
            let user = context.fetch_user().await?;
            let day_start = DayStart::parse("day_start", &user.day_start).unwrap_or_default();
            let week_start = WeekStart::from_stored(&user.week_start);
            let today = day_start.date_of(context.now, &context.zone());
            let (from, to) = dates(unit, today, week_start)?;
            format!("from={from}&to={to}")
        }
        (None, Period::Rolling) => {
            format!("range={}", encode(args.range.as_deref().unwrap_or("7d")))
        }
    };
    if let Some(to) = &args.to {
        query.push_str(&format!("&to={}", encode(to)));
    }
    if let Some(zone) = context.tz_flag().and_then(|z| z.iana_name()) {
        query.push_str(&format!("&tz={}", encode(zone)));
    }
    Ok(query)
}

/// The first day of the `unit` that holds `today`, and the first day after.
fn dates(unit: Unit, today: Date, week_start: WeekStart) -> anyhow::Result<(Date, Date)> {
    let first = match unit {
        Unit::Day => today,
        Unit::Week => week_start.week_of(today),
        Unit::Month => today.first_of_month(),
        Unit::Year => today.first_of_year(),
    };
    let after = match unit {
        Unit::Day => first.checked_add(1.day())?,
        Unit::Week => first.checked_add(7.days())?,
        Unit::Month => first.checked_add(1.month())?,
        Unit::Year => first.checked_add(1.year())?,
    };
    Ok((first, after))
}

fn encode(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn summary(overview: &Overview, period: Period, out: &Output) -> Vec<String> {
    let s = &overview.summary;
    let w = &overview.window;
    // Nothing worked has no score: "—", never a 0 that reads as a verdict.
    let score = match (s.total_time_worked_seconds, s.focus_score) {
        (worked, Some(score)) if worked > 0 => format!("{}/100", out.bold(&score.to_string())),
        _ => "—".to_owned(),
    };
    vec![
        out.bold(&title(w, period)),
        format!(
            "Worked {} in {}: {} effective, {} lost to {} ({:.1}/h).",
            out.bold(&human_duration(s.total_time_worked_seconds)),
            count(s.total_sessions, "session"),
            out.green(&human_duration(s.effective_time_seconds)),
            out.lost(s.total_time_lost_seconds),
            count(s.total_interruptions, "interruption"),
            s.interruptions_per_hour
        ),
        format!(
            "Focus score {score} · longest stretch {} · {} of 25 min or more.",
            human_duration(s.longest_focus_stretch_seconds),
            count(s.deep_work_blocks, "deep-work block")
        ),
    ]
}

/// "This week: Mon 30 Nov – Sun 6 Dec 2026 (Europe/Madrid)", or the
/// window's edges for a rolling range.
fn title(w: &Window, period: Period) -> String {
    let zone = jiff::tz::TimeZone::get(&w.timezone).ok();
    let (Some(zone), Ok(from), Ok(to), Period::Calendar(unit)) = (
        zone,
        w.from.parse::<jiff::Timestamp>(),
        w.to.parse::<jiff::Timestamp>(),
        period,
    ) else {
        return format!(
            "{} to {} ({})",
            local(&w.from, &w.timezone),
            local(&w.to, &w.timezone),
            w.timezone
        );
    };
    let first = from.to_zoned_datetime(zone.clone());
    // The last instant of the period is in its last day.
    let last = (to - jiff::SignedDuration::from_secs(1)).to_zoned_datetime(zone);
    let days = format!(
        "{} – {}",
        first.strftime("%a %-d %b"),
        last.strftime("%a %-d %b %Y")
    );
    match unit {
        Unit::Day => format!("Today: {} ({})", first.strftime("%a %-d %b %Y"), w.timezone),
        Unit::Week => format!("This week: {days} ({})", w.timezone),
        Unit::Month => format!("This month: {days} ({})", w.timezone),
        Unit::Year => format!("This year: {days} ({})", w.timezone),
    }
}

/// A window edge in the report's zone: `Thu 26 Nov 2026 12:07`.
fn local(raw: &str, zone: &str) -> String {
    match (
        raw.parse::<jiff::Timestamp>(),
        jiff::tz::TimeZone::get(zone),
    ) {
        (Ok(at), Ok(zone)) => at
            .to_zoned_datetime(zone)
            .strftime("%a %-d %b %Y %H:%M")
            .to_string(),
        _ => raw.to_owned(),
    }
}

fn bucket_lines(overview: &Overview, by: By, today: Date, out: &Output) -> Vec<String> {
    let legend = legend(out);
    let rows: Vec<Bar> = match by {
        By::Type => {
            let rows: Vec<Bar> = overview
                .types
                .iter()
                .filter(|t| t.count > 0 || t.total_duration_seconds > 0)
                .map(|t| Bar {
                    label: t.kind.clone(),
                    good: 0,
                    bad: t.total_duration_seconds,
                    tail: format!(
                        "{} lost · {} · {:.0}% of lost time",
                        human_duration(t.total_duration_seconds),
                        match t.count {
                            1 => "once".to_owned(),
                            n => format!("{n} times"),
                        },
                        t.time_share * 100.0
                    ),
                })
                .collect();
            if rows.is_empty() {
                return vec!["No interruptions in this window.".into()];
            }
            let mut lines = vec![out.bold("Time lost by type")];
            lines.extend(lost_bars(&rows, BAR_WIDTH, out));
            return lines;
        }
        By::Hour => worked_span(&overview.hours)
            .iter()
            .map(|b| bar(b, format!("{:02}h", b.hour.unwrap_or(0))))
            .collect(),
        By::Weekday => overview
            .days
            .iter()
            .map(|b| {
                bar(
                    b,
                    title_case(b.weekday_name.as_deref().unwrap_or(""))
                        .chars()
                        .take(3)
                        .collect(),
                )
            })
            .collect(),
        // Days still to come have nothing to show yet.
        By::Day | By::Heatmap => overview
            .series
            .iter()
            .filter(|b| {
                b.date
                    .as_deref()
                    .and_then(|d| d.parse::<Date>().ok())
                    .is_none_or(|date| date <= today)
            })
            .map(|b| {
                let date = b.date.as_deref().unwrap_or_default();
                let label = date
                    .parse::<jiff::civil::Date>()
                    .map(|d| d.strftime("%a %-d %b").to_string())
                    .unwrap_or_else(|_| date.to_owned());
                let mut row = bar(b, label);
                if let (true, Some(score)) = (b.work_seconds > 0, b.focus_score) {
                    row.tail.push_str(&format!(" · score {score}"));
                }
                row
            })
            .collect(),
    };
    if rows.iter().all(|row| row.good == 0 && row.bad == 0) {
        return vec!["Nothing was worked in this window.".into()];
    }
    let title = match by {
        By::Hour => "By hour of the day",
        By::Weekday => "By weekday",
        _ => "By day",
    };
    let mut lines = vec![format!("{}   {legend}", out.bold(title))];
    lines.extend(bars(&rows, BAR_WIDTH, out));
    lines
}

/// The hours from the first worked to the last, so a chart of a working
/// day is not mostly empty nights.
fn worked_span(hours: &[Bucket]) -> &[Bucket] {
    let first = hours.iter().position(|b| b.work_seconds > 0);
    let last = hours.iter().rposition(|b| b.work_seconds > 0);
    match (first, last) {
        (Some(first), Some(last)) => &hours[first..=last],
        _ => &[],
    }
}

fn title_case(word: &str) -> String {
    let mut letters = word.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

fn bar(bucket: &Bucket, label: String) -> Bar {
    Bar {
        label,
        good: bucket.effective_time_seconds,
        bad: bucket.time_lost_seconds,
        tail: if bucket.work_seconds == 0 {
            String::new()
        } else {
            format!(
                "{} effective · {} lost · {}",
                human_duration(bucket.effective_time_seconds),
                human_duration(bucket.time_lost_seconds),
                count(bucket.interruptions, "interruption")
            )
        },
    }
}

/// The heatmap's rows in the server's order, which starts the week on the
/// user's `week_start`.
fn heat_lines(heat: &Heatmap, out: &Output) -> Vec<String> {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut order: Vec<usize> = Vec::with_capacity(7);
    for cell in &heat.cells {
        if cell.weekday_index < 7 && !order.contains(&cell.weekday_index) {
            order.push(cell.weekday_index);
        }
    }
    order.extend((0..7).filter(|d| !order.contains(d)).collect::<Vec<_>>());
    let mut work = [[0_i64; 24]; 7];
    for cell in &heat.cells {
        let row = order.iter().position(|&d| d == cell.weekday_index);
        if let Some(slot) = row
            .and_then(|row| work.get_mut(row))
            .and_then(|day| day.get_mut(cell.hour))
        {
            *slot = cell.work_seconds;
        }
    }
    let labels: [&str; 7] = std::array::from_fn(|row| NAMES[order[row]]);
    let mut lines = vec![out.bold("Worked time by weekday and hour")];
    lines.extend(heatmap(&work, &labels, out));
    lines
}
