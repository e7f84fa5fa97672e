//! Running a report: the window's spans from the store, through the pure
//! engine. The API's reports and the web app's pages both call this, so a
//! page shows exactly the figures the API answers.

use jiff::ToSpan;

use crate::{
    db::Store,
    domain::{
        days::DaySettings,
        goals::{self, Goal, GoalRange, Progress},
        stats::{self, Params, Report, SessionSpan, window::Window},
        time::TimeZoneName,
    },
    error::{AppError, AppResult},
};

/// Reports over at most this many spans (about a year of heavy use, under a
/// millisecond) are computed on the request's own thread; larger ones (a
/// decade takes ~17 ms) on the blocking pool, so they never stall other
/// requests.
const INLINE_SPANS: usize = 20_000;

/// Every figure of `window` for `user_id`, with recovery allowance `R`.
pub async fn run(
    store: &dyn Store,
    user_id: i64,
    window: &Window,
    recovery_allowance: i64,
    now: jiff::Timestamp,
) -> AppResult<Report> {
    let [report] = run_each(store, user_id, [window], recovery_allowance, now).await?;
    Ok(report)
}

/// The reports of several windows (a page's period, the period before and
/// the year), from one read of the spans they cover together: the engine
/// clips every span to each window, and one read is what the store's span
/// cache keeps between a user's writes.
pub async fn run_each<const N: usize>(
    store: &dyn Store,
    user_id: i64,
    windows: [&Window; N],
    recovery_allowance: i64,
    now: jiff::Timestamp,
) -> AppResult<[Report; N]> {
    let from = windows.iter().map(|w| w.from).min().unwrap_or_default();
    let to = windows.iter().map(|w| w.to).max().unwrap_or_default();
    let spans = store.window_spans(user_id, from, to).await?;
    let params = windows.map(|window| Params {
        from: window.from.as_second(),
        to: window.to.as_second(),
        zone: window.zone.zone(),
        now: now.as_second(),
        recovery_allowance,
        day_start: window.days.day_start,
    });
    let size: usize = spans.iter().map(|s| 1 + s.interruptions.len()).sum();
    if size * N <= INLINE_SPANS {
        return Ok(build_each(&spans, &params));
    }
    tokio::task::spawn_blocking(move || build_each(&spans, &params))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("report task failed: {e}")))
}

fn build_each<const N: usize>(spans: &[SessionSpan], params: &[Params; N]) -> [Report; N] {
    std::array::from_fn(|i| stats::report(spans, &params[i]))
}

/// A goal's progress: the periods of `range` (whole periods up to the
/// current one) with their states, and streaks over the whole history
/// (at most ten years), from the same engine and days as `daily`.
pub async fn goal_progress(
    store: &dyn Store,
    goal: &Goal,
    range: GoalRange,
    calendar: (&TimeZoneName, DaySettings),
    now: jiff::Timestamp,
) -> AppResult<(Window, Progress)> {
    let mut all = goals_progress(store, goal.user_id, &[(goal, range)], calendar, now).await?;
    all.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no progress for one goal")))
}

/// The progress of several goals of one user (a page's), from one read of
/// their history and one pass of the engine over the days they span
/// together; each goal then takes its own days.
pub async fn goals_progress(
    store: &dyn Store,
    user_id: i64,
    requests: &[(&Goal, GoalRange)],
    (zone, days): (&TimeZoneName, DaySettings),
    now: jiff::Timestamp,
) -> AppResult<Vec<(Window, Progress)>> {
    let tz = zone.zone();
    let today = days.day_start.date_of(now, &tz);
    let first_session = store
        .first_session_start(user_id)
        .await?
        .map(|at| days.day_start.date_of(at, &tz));
    let oldest = today.saturating_sub(goals::HISTORY_DAYS.days());
    // Each goal's first shown day, first day of history and day after its
    // current period.
    let spans: Vec<_> = requests
        .iter()
        .map(|(goal, range)| {
            let period = goal.rule.period;
            let shown_from = range.first_period(period, today, days);
            let history_from = first_session
                .unwrap_or(shown_from)
                .max(oldest)
                .min(shown_from);
            let after = goals::period_end(period, goals::period_start(period, today, days));
            (
                shown_from,
                goals::period_start(period, history_from, days),
                after,
            )
        })
        .collect();
    let window = |from: jiff::civil::Date, to: jiff::civil::Date| Window {
        from: days.day_start.day(from, &tz).0,
        to: days.day_start.day(to, &tz).0,
        zone: zone.clone(),
        days,
    };
    let (Some(from), Some(to)) = (
        spans.iter().map(|s| s.1).min(),
        spans.iter().map(|s| s.2).max(),
    ) else {
        return Ok(Vec::new());
    };
    let report = run(
        store,
        user_id,
        &window(from, to),
        stats::DEFAULT_RECOVERY_SECONDS,
        now,
    )
    .await?;
    Ok(requests
        .iter()
        .zip(spans)
        .map(|((goal, _), (shown_from, history_from, after))| {
            let own: Vec<_> = report
                .days
                .iter()
                .filter(|day| (history_from..after).contains(&day.date))
                .cloned()
                .collect();
            let progress = goals::progress(&goal.rule, &own, today, days);
            (window(shown_from, after), progress.since(shown_from))
        })
        .collect())
}
