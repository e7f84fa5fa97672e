//! The reports page: a period's figures against the period before, where
//! the time went by day, hour, weekday and type, and a year of focus.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use jiff::{Timestamp, ToSpan, civil::Date};

use super::{
    Flash, Layout, Visitor, WebError,
    charts::{self, Bar, CalendarDay, Frame},
    kind_label,
    period::{Period, PeriodQuery, Unit},
    render,
    time_input::duration,
};
use crate::{
    domain::{
        stats::{Bucket, DEFAULT_RECOVERY_SECONDS, Report, window::Window},
        time::{TimeZoneName, local_day},
    },
    state::AppState,
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
    worked: String,
    lost: String,
    effective: String,
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
    label: String,
    effective: String,
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
    range: String,
    links: Vec<PeriodLink>,
    previous_href: String,
    next_href: String,
    from_value: Date,
    to_value: Date,
    cards: Vec<Card>,
    focus: FocusParts,
    daily_chart: String,
    daily: Vec<BucketRow>,
    hours_chart: String,
    hours: Vec<BucketRow>,
    weekday_chart: String,
    weekdays: Vec<BucketRow>,
    types: Vec<TypeRow>,
    self_share: String,
    external_share: String,
    heatmap: String,
    heatmap_rows: Vec<(&'static str, Vec<String>)>,
    calendar: String,
    calendar_rows: Vec<CalendarRow>,
}

/// The focus score and what it is made of.
struct FocusParts {
    score: i64,
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
    let tz = zone.zone();
    let today = now.to_zoned_datetime(tz.clone()).date();
    let (period, note) = Period::from_query(&query, today);
    // The year comes first: its spans stay cached for the user, and the
    // period and the one before are usually inside it.
    let year_start = today - 364.days();
    let year = run(
        &state,
        &visitor,
        window(year_start, today + 1.day(), &zone),
        now,
    )
    .await?;
    let report = run(
        &state,
        &visitor,
        window(period.start, period.end, &zone),
        now,
    )
    .await?;
    let before = period.previous();
    let previous = run(
        &state,
        &visitor,
        window(before.start, before.end, &zone),
        now,
    )
    .await?;
    let mut layout = Layout::signed_in(&visitor, "Reports", "reports", now);
    if let Some(note) = note {
        layout.flash = Some(Flash::error(note));
    }
    let page = ReportsPage {
        layout,
        range: period.label(),
        links: period_links(&period, today),
        previous_href: format!("/app/reports?{}", before.query()),
        next_href: format!("/app/reports?{}", period.next().query()),
        from_value: period.start,
        to_value: period.last_day(),
        cards: cards(&report, &previous),
        focus: focus_parts(&report),
        daily_chart: daily_chart(&report, &period),
        daily: report
            .days
            .iter()
            .map(|d| bucket_row(d.date.strftime("%a %-d %b").to_string(), &d.bucket))
            .collect(),
        hours_chart: hours_chart(&report),
        hours: report
            .hours
            .iter()
            .enumerate()
            .map(|(h, b)| bucket_row(format!("{h:02}:00"), b))
            .collect(),
        weekday_chart: weekday_chart(&report),
        weekdays: report
            .weekdays
            .iter()
            .enumerate()
            .map(|(d, b)| bucket_row(WEEKDAYS[d].to_owned(), b))
            .collect(),
        types: type_rows(&report),
        self_share: share(report.self_share.count, report.self_share.lost),
        external_share: share(report.external_share.count, report.external_share.lost),
        heatmap: heatmap(&report),
        heatmap_rows: heatmap_rows(&report),
        calendar: calendar(&year),
        calendar_rows: calendar_rows(&year),
    };
    Ok(render(&page, visitor.flash.is_some()))
}

/// Local midnight of `start` to local midnight of `end`.
fn window(start: Date, end: Date, zone: &TimeZoneName) -> Window {
    let tz = zone.zone();
    Window {
        from: local_day(start, &tz).0,
        to: local_day(end, &tz).0,
        zone: zone.clone(),
    }
}

async fn run(
    state: &AppState,
    visitor: &Visitor,
    window: Window,
    now: Timestamp,
) -> Result<Report, WebError> {
    Ok(crate::reports::run(
        state.store.as_ref(),
        visitor.user_id(),
        &window,
        DEFAULT_RECOVERY_SECONDS,
        now,
    )
    .await?)
}

fn period_links(period: &Period, today: Date) -> Vec<PeriodLink> {
    let link = |label, unit: Unit, anchor: Date| PeriodLink {
        label,
        href: format!("/app/reports?{}", Period::of(unit, anchor).query()),
        current: period.unit == unit && Period::of(unit, anchor) == *period,
    };
    vec![
        link("Today", Unit::Day, today),
        link("Week", Unit::Week, period.start),
        link("Month", Unit::Month, period.start),
        link("Year", Unit::Year, period.start),
    ]
}

fn cards(now: &Report, before: &Report) -> Vec<Card> {
    let (a, b) = (&now.summary, &before.summary);
    let time = |label, this: i64, that: i64| Card {
        label,
        value: duration(this),
        change: match this - that {
            0 => "same as the period before".to_owned(),
            d if d > 0 => format!("{} more than the period before", duration(d)),
            d => format!("{} less than the period before", duration(-d)),
        },
    };
    let count = |label, this: i64, that: i64, (more, fewer): (&str, &str)| Card {
        label,
        value: this.to_string(),
        change: match this - that {
            0 => "same as the period before".to_owned(),
            d if d > 0 => format!("{d} {more} than the period before"),
            d => format!("{} {fewer} than the period before", -d),
        },
    };
    let more = ("more", "fewer");
    let points = ("points higher", "points lower");
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
        count("Focus score", a.focus.score, b.focus.score, points),
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

fn focus_parts(report: &Report) -> FocusParts {
    let focus = &report.summary.focus;
    FocusParts {
        score: focus.score,
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
        worked: duration(bucket.work),
        lost: duration(bucket.lost),
        effective: duration(bucket.effective()),
        interruptions: bucket.interruptions,
    }
}

fn bar(label: String, tooltip_label: &str, bucket: &Bucket) -> Bar {
    Bar {
        label,
        tooltip: format!(
            "{tooltip_label}: {} effective, {} lost, {} interruption{}",
            duration(bucket.effective()),
            duration(bucket.lost),
            bucket.interruptions,
            if bucket.interruptions == 1 { "" } else { "s" }
        ),
        effective: bucket.effective(),
        lost: bucket.lost,
    }
}

fn daily_chart(report: &Report, period: &Period) -> String {
    let format = match period.unit {
        Unit::Week => "%a",
        _ => "%-d %b",
    };
    let bars: Vec<Bar> = report
        .days
        .iter()
        .map(|d| {
            bar(
                d.date.strftime(format).to_string(),
                &d.date.strftime("%a %-d %b").to_string(),
                &d.bucket,
            )
        })
        .collect();
    charts::bars(
        &Frame {
            id: "daily",
            title: "Effective focus and time lost, by day",
            desc: "One bar a day: effective focus below, time lost to interruptions on top",
        },
        &bars,
        8,
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

fn weekday_chart(report: &Report) -> String {
    let bars: Vec<Bar> = report
        .weekdays
        .iter()
        .enumerate()
        .map(|(d, b)| bar(WEEKDAYS[d][..3].to_owned(), WEEKDAYS[d], b))
        .collect();
    charts::bars(
        &Frame {
            id: "weekdays",
            title: "Weekly pattern",
            desc: "One bar a weekday, Monday first: effective focus below, time lost on top",
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

fn heatmap(report: &Report) -> String {
    let mut cells = [[(0, 0); 24]; 7];
    for (day, hours) in report.heatmap.iter().enumerate() {
        for (hour, bucket) in hours.iter().enumerate() {
            cells[day][hour] = (bucket.effective(), bucket.interruptions);
        }
    }
    charts::heatmap(
        &Frame {
            id: "heatmap",
            title: "When you focus: weekday by hour",
            desc: "Seven rows, Monday first, of 24 hours; darker means more effective focus",
        },
        &cells,
    )
}

fn heatmap_rows(report: &Report) -> Vec<(&'static str, Vec<String>)> {
    report
        .heatmap
        .iter()
        .enumerate()
        .map(|(day, hours)| {
            let minutes = hours
                .iter()
                .map(|b| (b.effective() / 60).to_string())
                .collect();
            (WEEKDAYS[day], minutes)
        })
        .collect()
}

fn calendar(year: &Report) -> String {
    let days: Vec<CalendarDay> = year
        .days
        .iter()
        .map(|d| CalendarDay {
            date: d.date,
            effective: d.bucket.effective(),
        })
        .collect();
    charts::calendar(
        &Frame {
            id: "calendar",
            title: "A year of effective focus",
            desc: "One square a day for the last 365 days, a column a week; darker means more focus, and a day with focus opens its history",
        },
        &days,
    )
}

fn calendar_rows(year: &Report) -> Vec<CalendarRow> {
    year.days
        .iter()
        .rev()
        .filter(|d| d.bucket.effective() > 0)
        .map(|d| CalendarRow {
            date: d.date,
            label: d.date.strftime("%a %-d %b %Y").to_string(),
            effective: duration(d.bucket.effective()),
        })
        .collect()
}
