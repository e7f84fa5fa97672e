//! The reports page: a period's figures against the period before, where
//! the time went by day, hour, weekday and type, and a year of focus.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use jiff::{ToSpan, civil::Date};

use super::{
    Flash, Layout, Visitor, WebError,
    charts::{self, Bar, CalendarDay, Frame},
    kind_label,
    period::{Period, PeriodQuery, Unit},
    render_sized,
    time_input::{DayLabel, Length, duration},
};
use crate::{
    domain::{
        days::{DaySettings, WeekStart},
        stats::{Bucket, DEFAULT_RECOVERY_SECONDS, Report, window::Window},
        time::TimeZoneName,
    },
    services::state::AppState,
};

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A headline figure with its change against the period before.
struct Card {
    label: &'static str,
    value: String,
    change: String,
}

/// A line of a table of buckets (day, hour, weekday).
struct BucketRow {
    label: String,
    worked: Length,
    lost: Length,
    effective: Length,
    interruptions: i64,
}

/// A line of the types table.
struct TypeRow {
    value: &'static str,
    label: &'static str,
    count: i64,
    percent: i64,
    lost: String,
    average: String,
}

/// A day of the calendar's table twin.
struct CalendarRow {
    date: Date,
    label: DayLabel,
    effective: Length,
}

/// A link of the period bar.
struct PeriodLink {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    goals: Vec<super::goals::GoalCard>,
    range: String,
    links: Vec<PeriodLink>,
    previous_href: String,
    /// The period after, unless this one is in progress.
    next_href: Option<String>,
    /// Against what the figures are compared, in words.
    comparison: String,
    /// Whether the period is one day, drawn as its timeline.
    is_day: bool,
    /// The day's sessions and interruptions, for a day.
    day_rows: Vec<super::day::DayRow>,
    from_value: Date,
    to_value: Date,
    cards: Vec<Card>,
    focus: FocusParts,
    series_heading: &'static str,
    series_chart: String,
    series_rows: Vec<BucketRow>,
    hours_chart: String,
    hours: Vec<BucketRow>,
    weekday_chart: String,
    weekdays: Vec<BucketRow>,
    types: Vec<TypeRow>,
    self_share: String,
    external_share: String,
    heatmap: String,
    heatmap_rows: Vec<(&'static str, Vec<i64>)>,
    calendar: String,
    calendar_rows: Vec<CalendarRow>,
}

impl ReportsPage {
    /// About how long the page is, in bytes: its drawings, about 120 bytes
    /// a table row, and 16 KB for the rest.
    fn size_estimate(&self) -> usize {
        let drawings = [
            &self.series_chart,
            &self.hours_chart,
            &self.weekday_chart,
            &self.heatmap,
            &self.calendar,
        ]
        .iter()
        .map(|svg| svg.len())
        .sum::<usize>();
        let rows = self.series_rows.len() + self.calendar_rows.len() + 24 + 7 + 7 * 24;
        16 * 1024 + drawings + rows * 120
    }
}

/// The focus score and what it is made of.
struct FocusParts {
    /// The score, or "—" when nothing was worked.
    score: String,
    worked: String,
    lost: String,
    recovery: String,
    focused: String,
    allowance: String,
}

/// The page.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let zone = visitor.zone();
    let days = visitor.days();
    let today = days.day_start.date_of(now, &zone.zone());
    let (period, note) = Period::from_query(&query, today, days.week_start);
    let before = period.previous();
    let this = window(period.start, period.end, &zone, days);
    let mut earlier = window(before.start, before.end, &zone, days);
    // A period in progress is compared with the same part of the one before.
    let cut = period
        .holds(today)
        .then(|| period.same_point_before(&now.to_zoned_datetime(zone.zone())))
        .flatten();
    if let Some(cut) = &cut {
        let second = jiff::SignedDuration::from_secs(1);
        let floor = earlier.from.checked_add(second).unwrap_or(earlier.from);
        earlier.to = cut.timestamp().clamp(floor, earlier.to);
    }
    let comparison = comparison(&period, &before, cut.as_ref());
    let store = state.store.as_ref();
    let user_id = visitor.user_id();
    let allowance = DEFAULT_RECOVERY_SECONDS;
    // A year's calendar is that year's own days; any shorter period shows
    // the last 365 days beside it. Either way one read covers every window.
    let (report, previous, year) = if period.unit == Unit::Year {
        let [report, previous] =
            crate::services::reports::run_each(store, user_id, [&this, &earlier], allowance, now)
                .await?;
        (report, previous, None)
    } else {
        let trailing = window(today - 364.days(), today + 1.day(), &zone, days);
        let [report, previous, year] = crate::services::reports::run_each(
            store,
            user_id,
            [&this, &earlier, &trailing],
            allowance,
            now,
        )
        .await?;
        (report, previous, Some(year))
    };
    let calendar_days = year.as_ref().unwrap_or(&report);
    let series = series(&report, &period);
    let is_day = period.unit == Unit::Day;
    let (day_chart, day_rows) = if is_day {
        let shown = super::day::Shown {
            frame: Frame {
                id: "day",
                title: "The day's timeline",
                desc: "Focus sessions as bars along the day's hours, interruptions as coloured marks on them",
            },
            least_hours: 8,
        };
        super::day::day(
            &state,
            user_id,
            (this.from, this.to),
            (&zone.zone(), now),
            &shown,
        )
        .await?
    } else {
        (String::new(), Vec::new())
    };
    let mut layout = Layout::signed_in(&visitor, "Reports", "reports", now);
    if let Some(note) = note {
        layout.flash = Some(Flash::error(note));
    }
    let page = ReportsPage {
        layout,
        goals: super::goals::cards(&state, &visitor).await?,
        range: period.label(),
        links: period_links(&period, today),
        previous_href: format!("/app/reports?{}", before.query()),
        next_href: period
            .has_next(today)
            .then(|| format!("/app/reports?{}", period.next().query())),
        comparison,
        is_day,
        day_rows,
        from_value: period.start,
        to_value: period.last_day(),
        cards: cards(&report, &previous),
        focus: focus_parts(&report),
        series_heading: if is_day { "The day" } else { series.heading },
        series_chart: if is_day {
            day_chart
        } else {
            series_chart(&series)
        },
        series_rows: series
            .points
            .iter()
            .map(|p| bucket_row(p.label.clone(), &p.bucket))
            .collect(),
        hours_chart: hours_chart(&report),
        hours: report
            .hours
            .iter()
            .enumerate()
            .map(|(h, b)| bucket_row(format!("{h:02}:00"), b))
            .collect(),
        weekday_chart: weekday_chart(&report, days.week_start),
        weekdays: days
            .week_start
            .order()
            .into_iter()
            .map(|d| bucket_row(WEEKDAYS[d].to_owned(), &report.weekdays[d]))
            .collect(),
        types: type_rows(&report),
        self_share: share(report.self_share.count, report.self_share.lost),
        external_share: share(report.external_share.count, report.external_share.lost),
        heatmap: heatmap(&report, days.week_start),
        heatmap_rows: heatmap_rows(&report, days.week_start),
        calendar: calendar(calendar_days, year.is_none()),
        calendar_rows: calendar_rows(calendar_days, today),
    };
    Ok(render_sized(
        &page,
        visitor.flash.is_some(),
        page.size_estimate(),
    ))
}

/// The start of day `start` to the start of day `end`.
fn window(start: Date, end: Date, zone: &TimeZoneName, days: DaySettings) -> Window {
    let tz = zone.zone();
    Window {
        from: days.day_start.day(start, &tz).0,
        to: days.day_start.day(end, &tz).0,
        zone: zone.clone(),
        days,
    }
}

/// What the figures are compared with: "So far this week, against the
/// same part of the week before: Mon 24 Nov to Wed 26 Nov, 14:05."
fn comparison(period: &Period, before: &Period, cut: Option<&jiff::ZonedDateTime>) -> String {
    match cut {
        Some(cut) if period.unit == Unit::Day => format!(
            "So far today, against the day before until {}.",
            cut.strftime("%H:%M")
        ),
        // "Mon 30 Nov until 23:50" when the part is within its first day.
        Some(cut) if cut.date() == before.start => format!(
            "So far {}, against the same part of {}: {} until {}.",
            period.this_name(),
            period.before_name(),
            before.start.strftime("%a %-d %b"),
            cut.strftime("%H:%M")
        ),
        Some(cut) => format!(
            "So far {}, against the same part of {}: {} to {}.",
            period.this_name(),
            period.before_name(),
            before.start.strftime("%a %-d %b"),
            cut.strftime("%a %-d %b, %H:%M")
        ),
        None => format!("Against {}: {}.", period.before_name(), before.label()),
    }
}

fn period_links(period: &Period, today: Date) -> Vec<PeriodLink> {
    // From a period that holds today, each unit opens on today's; else on
    // the one that holds this period's first day.
    let anchor = if period.holds(today) {
        today
    } else {
        period.start
    };
    let link = |label, unit: Unit| PeriodLink {
        label,
        href: format!(
            "/app/reports?{}",
            Period::of(unit, anchor, period.week_start).query()
        ),
        current: period.unit == unit && Period::of(unit, anchor, period.week_start) == *period,
    };
    vec![
        link("Day", Unit::Day),
        link("Week", Unit::Week),
        link("Month", Unit::Month),
        link("Year", Unit::Year),
    ]
}

/// What "no figure" reads as.
const NONE: &str = "—";

fn cards(now: &Report, before: &Report) -> Vec<Card> {
    let (a, b) = (&now.summary, &before.summary);
    // Nothing recorded before: a difference against nothing means nothing.
    let nothing_before = b.total_sessions == 0;
    let time = |label, this: i64, that: i64| Card {
        label,
        value: duration(this),
        change: match this - that {
            _ if nothing_before => "no data before".to_owned(),
            0 => "the same".to_owned(),
            d if d > 0 => format!("{} more", duration(d)),
            d => format!("{} less", duration(-d)),
        },
    };
    let count = |label, this: i64, that: i64, (more, fewer): (&str, &str)| Card {
        label,
        value: this.to_string(),
        change: match this - that {
            _ if nothing_before => "no data before".to_owned(),
            0 => "the same".to_owned(),
            d if d > 0 => format!("{d} {more}"),
            d => format!("{} {fewer}", -d),
        },
    };
    let more = ("more", "fewer");
    let score = Card {
        label: "Focus score",
        value: score_text(now),
        change: match (a.worked, b.worked) {
            (0, _) => String::new(),
            (_, 0) => "no data before".to_owned(),
            _ => match a.focus.score - b.focus.score {
                0 => "the same".to_owned(),
                1 => "1 point higher".to_owned(),
                -1 => "1 point lower".to_owned(),
                d if d > 0 => format!("{d} points higher"),
                d => format!("{} points lower", -d),
            },
        },
    };
    vec![
        time("Effective focus", a.effective, b.effective),
        time("Worked", a.worked, b.worked),
        time("Lost to interruptions", a.lost, b.lost),
        count(
            "Interruptions",
            a.total_interruptions,
            b.total_interruptions,
            more,
        ),
        score,
        count(
            "Deep-work blocks",
            a.deep_work_blocks,
            b.deep_work_blocks,
            more,
        ),
        count("Sessions", a.total_sessions, b.total_sessions, more),
        time(
            "Longest focus stretch",
            a.longest_focus_stretch,
            b.longest_focus_stretch,
        ),
    ]
}

/// The focus score, or "—" when nothing was worked (a score of nothing
/// is not 0).
fn score_text(report: &Report) -> String {
    match report.summary.worked {
        0 => NONE.to_owned(),
        _ => report.summary.focus.score.to_string(),
    }
}

fn focus_parts(report: &Report) -> FocusParts {
    let focus = &report.summary.focus;
    FocusParts {
        score: score_text(report),
        worked: duration(focus.worked),
        lost: duration(focus.lost),
        recovery: duration(focus.recovery),
        focused: duration(focus.focused),
        allowance: duration(focus.recovery_allowance),
    }
}

fn bucket_row(label: String, bucket: &Bucket) -> BucketRow {
    BucketRow {
        label,
        worked: Length(bucket.work),
        lost: Length(bucket.lost),
        effective: Length(bucket.effective()),
        interruptions: bucket.interruptions,
    }
}

fn bar(label: String, tooltip_label: &str, bucket: &Bucket) -> Bar {
    Bar {
        label,
        tooltip: format!(
            "{tooltip_label}: {} effective, {} lost, {} interruption{}",
            Length(bucket.effective()),
            Length(bucket.lost),
            bucket.interruptions,
            if bucket.interruptions == 1 { "" } else { "s" }
        ),
        effective: bucket.effective(),
        lost: bucket.lost,
    }
}

/// Periods longer than this many days are drawn a week a bar: a year of
/// daily bars is too thin to read, and the calendar shows every day.
const DAILY_UP_TO_DAYS: usize = 92;

/// The period's time series: a bar a day, or a week for long periods.
struct Series {
    heading: &'static str,
    points: Vec<Point>,
}

/// A day or a week of the series.
struct Point {
    /// Under the bar.
    axis: String,
    /// In the tooltip and the table.
    label: String,
    bucket: Bucket,
}

fn series(report: &Report, period: &Period) -> Series {
    if report.days.len() <= DAILY_UP_TO_DAYS {
        let axis = if period.unit == Unit::Week {
            "%a"
        } else {
            "%-d %b"
        };
        let points = report
            .days
            .iter()
            .map(|d| Point {
                axis: d.date.strftime(axis).to_string(),
                label: DayLabel {
                    date: d.date,
                    with_year: false,
                }
                .to_string(),
                bucket: d.bucket,
            })
            .collect();
        return Series {
            heading: "By day",
            points,
        };
    }
    let mut points: Vec<Point> = Vec::new();
    for day in &report.days {
        let monday = day.date.weekday().to_monday_zero_offset() == 0;
        match points.last_mut() {
            Some(week) if !monday => week.bucket.add(&day.bucket),
            _ => points.push(Point {
                axis: day.date.strftime("%-d %b").to_string(),
                label: format!(
                    "Week of {}",
                    DayLabel {
                        date: day.date,
                        with_year: false
                    }
                ),
                bucket: day.bucket,
            }),
        }
    }
    Series {
        heading: "By week",
        points,
    }
}

fn series_chart(series: &Series) -> String {
    let bars: Vec<Bar> = series
        .points
        .iter()
        .map(|p| bar(p.axis.clone(), &p.label, &p.bucket))
        .collect();
    let (title, desc) = if series.heading == "By day" {
        (
            "Effective focus and time lost, by day",
            "One bar a day: effective focus below, time lost to interruptions on top",
        )
    } else {
        (
            "Effective focus and time lost, by week",
            "One bar a week from Monday: effective focus below, time lost to interruptions on top",
        )
    };
    charts::bars(
        &Frame {
            id: "daily",
            title,
            desc,
        },
        &bars,
        6,
    )
}

fn hours_chart(report: &Report) -> String {
    let bars: Vec<Bar> = report
        .hours
        .iter()
        .enumerate()
        .map(|(h, b)| bar(format!("{h:02}"), &format!("{h:02}:00"), b))
        .collect();
    charts::bars(
        &Frame {
            id: "hours",
            title: "Productive hours",
            desc: "One bar an hour of the day: effective focus below, time lost on top",
        },
        &bars,
        8,
    )
}

fn weekday_chart(report: &Report, week_start: WeekStart) -> String {
    let bars: Vec<Bar> = week_start
        .order()
        .into_iter()
        .map(|d| {
            bar(
                WEEKDAYS[d][..3].to_owned(),
                WEEKDAYS[d],
                &report.weekdays[d],
            )
        })
        .collect();
    charts::bars(
        &Frame {
            id: "weekdays",
            title: "Weekly pattern",
            desc: "One bar a weekday, from the first day of your week: effective focus below, time lost on top",
        },
        &bars,
        7,
    )
}

fn type_rows(report: &Report) -> Vec<TypeRow> {
    report
        .types
        .iter()
        .map(|t| TypeRow {
            value: t.kind.as_str(),
            label: kind_label(t.kind),
            count: t.count,
            percent: (t.proportion * 100.0).round() as i64,
            lost: duration(t.total_duration),
            average: duration(t.average_duration.round() as i64),
        })
        .collect()
}

fn share(count: i64, lost: i64) -> String {
    format!(
        "{count} interruption{}, {} lost",
        if count == 1 { "" } else { "s" },
        duration(lost)
    )
}

fn heatmap(report: &Report, week_start: WeekStart) -> String {
    let cells = week_start.order().map(|day| {
        let hours = report.heatmap[day].map(|bucket| (bucket.effective(), bucket.interruptions));
        (&WEEKDAYS[day][..3], hours)
    });
    charts::heatmap(
        &Frame {
            id: "heatmap",
            title: "When you focus: weekday by hour",
            desc: "Seven rows, from the first day of your week, of 24 hours; darker means more effective focus",
        },
        &cells,
    )
}

fn heatmap_rows(report: &Report, week_start: WeekStart) -> Vec<(&'static str, Vec<i64>)> {
    week_start
        .order()
        .into_iter()
        .map(|day| {
            let minutes = report.heatmap[day]
                .iter()
                .map(|b| b.effective() / 60)
                .collect();
            (WEEKDAYS[day], minutes)
        })
        .collect()
}

fn calendar(days: &Report, whole_year: bool) -> String {
    let cells: Vec<CalendarDay> = days
        .days
        .iter()
        .map(|d| CalendarDay {
            date: d.date,
            effective: d.bucket.effective(),
        })
        .collect();
    let desc = if whole_year {
        "One square a day of the year, a column a week; darker means more focus, and a day with focus opens its history"
    } else {
        "One square a day for the last 365 days, a column a week; darker means more focus, and a day with focus opens its history"
    };
    charts::calendar(
        &Frame {
            id: "calendar",
            title: "A year of effective focus",
            desc,
        },
        &cells,
    )
}

fn calendar_rows(days: &Report, today: Date) -> Vec<CalendarRow> {
    days.days
        .iter()
        .rev()
        .filter(|d| d.date <= today && d.bucket.effective() > 0)
        .map(|d| CalendarRow {
            date: d.date,
            label: DayLabel {
                date: d.date,
                with_year: true,
            },
            effective: Length(d.bucket.effective()),
        })
        .collect()
}
