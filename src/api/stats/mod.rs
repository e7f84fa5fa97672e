//! `/users/{user_id}/stats/…`: the reports. Each handler parses the query,
//! loads the window's spans, runs the engine and picks its figures.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{Forbidden, IanaZone, Invalid, Unauthorized, WeekdayName},
    extract::{ApiQuery, Auth, PathId},
};
use crate::{
    domain::{
        quote,
        stats::{
            Report,
            window::{RawQuery, Window, WindowSpec},
        },
    },
    error::{AppError, AppResult},
    services::state::AppState,
};

pub mod dto;

use dto::{
    CellOut, DayOut, Figures, HourOut, PeakFigures, SelfVsExternalOut, SummaryFigures, TypeOut,
    WeekdayOut, WindowOut,
};

/// Query parameters shared by every report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// `Nd` (N days before `to`, 1 ≤ N ≤ 3660) or `all` (since the first
    /// session, at most 3660 days); default `7d`.
    #[param(pattern = "^(all|[1-9][0-9]{0,3}d)$", example = "30d")]
    pub range: Option<String>,
    /// Window start, inclusive: a date `YYYY-MM-DD` (the start of that day:
    /// local midnight moved by `day_start`) or an
    /// RFC 3339 timestamp. Overrides `range`.
    #[param(inline, value_type = Option<DateOrTimestamp>)]
    pub from: Option<String>,
    /// Window end, exclusive: a date or an RFC 3339 timestamp; default now.
    #[param(inline, value_type = Option<DateOrTimestamp>)]
    pub to: Option<String>,
    /// IANA time zone for this report; default the user's own.
    #[param(value_type = Option<IanaZone>, example = "Europe/Madrid")]
    pub tz: Option<String>,
    /// Recovery allowance `R` in seconds (0–3600) for the focus score;
    /// default 600.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 3600)]
    pub recovery: Option<String>,
    /// The weekday weeks begin on, for this report (it orders
    /// `weekly-pattern` and the heatmap); default the user's own.
    #[param(value_type = Option<WeekdayName>, example = "sunday")]
    pub week_start: Option<String>,
    /// When days begin, `HH:MM` from `-06:00` to `12:00` in 15-minute
    /// steps, for this report; default the user's own.
    #[param(value_type = Option<String>, example = "04:00", pattern = "^-?[0-9]{2}:(00|15|30|45)$", max_length = 6)]
    pub day_start: Option<String>,
}

/// The summary's own parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// `previous` adds `previous`, the figures of the window of equal
    /// length just before, and `change`, this window's minus those.
    #[param(inline, value_type = Option<Comparison>)]
    pub compare: Option<String>,
}

/// What a summary may be compared with.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Comparison {
    /// The window of equal length just before.
    Previous,
}

/// What `from` and `to` take: a local date or an instant.
pub struct DateOrTimestamp;

impl utoipa::PartialSchema for DateOrTimestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date).max_length(Some(10)))
            .item(string(KnownFormat::DateTime).max_length(Some(35)))
            .into()
    }
}

impl ToSchema for DateOrTimestamp {}

/// A computed report with the window it covers.
struct Computed {
    window: Window,
    report: Report,
    recovery_allowance: i64,
    now: jiff::Timestamp,
}

/// Parses the query, loads the spans of the window and runs the engine.
async fn compute(
    state: &AppState,
    auth: &Auth,
    user_id: i64,
    params: &StatsParams,
) -> AppResult<Computed> {
    auth.require_self(user_id)?;
    let raw = RawQuery {
        range: params.range.as_deref(),
        from: params.from.as_deref(),
        to: params.to.as_deref(),
        tz: params.tz.as_deref(),
        recovery: params.recovery.as_deref(),
        week_start: params.week_start.as_deref(),
        day_start: params.day_start.as_deref(),
    };
    let spec = WindowSpec::parse(&raw, &auth.timezone, auth.days)?;
    let first = match spec.needs_first_activity() {
        true => state.store.first_session_start(user_id).await?,
        false => None,
    };
    let now = state.clock.now();
    let window = spec.resolve(now, first)?;
    let report = run(state, user_id, &window, spec.recovery_allowance, now).await?;
    Ok(Computed {
        window,
        report,
        recovery_allowance: spec.recovery_allowance,
        now,
    })
}

async fn run(
    state: &AppState,
    user_id: i64,
    window: &Window,
    recovery_allowance: i64,
    now: jiff::Timestamp,
) -> AppResult<Report> {
    crate::services::reports::run(
        state.store.as_ref(),
        user_id,
        window,
        recovery_allowance,
        now,
    )
    .await
}

fn wants_previous(params: &CompareParams) -> AppResult<bool> {
    match params.compare.as_deref() {
        None => Ok(false),
        Some("previous") => Ok(true),
        Some(other) => Err(AppError::invalid(
            "compare",
            format!(
                "{} is not a comparison; the only one is `previous`",
                quote(other)
            ),
        )),
    }
}

/// The summary report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryOut {
    /// The window covered.
    pub window: WindowOut,
    #[serde(flatten)]
    pub summary: SummaryFigures,
    /// With `compare=previous`: the same figures for the window of equal
    /// length just before.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub previous: Option<Figures>,
    /// With `compare=previous`: this window's figures minus the previous ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub change: Option<Figures>,
}

/// Headline figures: time worked and lost, interruptions, focus score.
///
/// `focus_score = round(100 × max(0, worked − lost − recovery) / worked)`,
/// halves up, 0 when nothing was worked. Each interruption that starts in the
/// window adds a recovery of `min(R, time from its end to the next
/// interruption's start or the session's end)`, clipped to the window, with
/// `R` from `recovery` (default 600 s): people need minutes, not seconds, to
/// resume a task after an interruption (Mark, Gudith & Klocke, CHI 2008).
#[utoipa::path(get, path = "/users/{user_id}/stats/summary", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams, CompareParams),
    responses(
        (status = 200, description = "The summary", body = SummaryOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_summary(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
    ApiQuery(comparison): ApiQuery<CompareParams>,
) -> AppResult<axum::Json<SummaryOut>> {
    let compare = wants_previous(&comparison)?;
    let computed = compute(&state, &auth, user_id, &params).await?;
    let Computed { window, report, .. } = &computed;
    let summary = SummaryFigures::from(&report.summary);
    let (previous, change) = if compare {
        let earlier = window.previous();
        let earlier = run(
            &state,
            user_id,
            &earlier,
            computed.recovery_allowance,
            computed.now,
        )
        .await?;
        let previous = Figures::from(&earlier.summary);
        (Some(previous), Some(summary.figures.minus(&previous)))
    } else {
        (None, None)
    };
    Ok(axum::Json(SummaryOut {
        window: window.into(),
        summary,
        previous,
        change,
    }))
}

/// The interruption-types report.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypesOut {
    /// The window covered.
    pub window: WindowOut,
    /// All six types, by count, then time lost, then name.
    pub types: Vec<TypeOut>,
    /// Self-distraction against interruptions from outside.
    pub self_vs_external: SelfVsExternalOut,
}

/// Which interruption types happen most and cost most.
///
/// All six types, even those that never happened, with their count, share,
/// time lost and average length; `self_vs_external` splits
/// self-distraction from interruptions from outside (`unknown` counts as
/// external). The counts add up to the summary's `total_interruptions`.
#[utoipa::path(get, path = "/users/{user_id}/stats/interruption-types", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "All six types", body = TypesOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_interruption_types(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<TypesOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(TypesOut {
        window: (&window).into(),
        types: dto::types_out(&report),
        self_vs_external: dto::self_vs_external_out(&report),
    }))
}

/// The productive-hours report.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursOut {
    /// The window covered.
    pub window: WindowOut,
    /// 24 entries, local hour 0 first.
    pub hours: Vec<HourOut>,
}

/// Work, loss and interruptions by local hour of the day.
///
/// 24 entries, hour 0 first, in the report's time zone. A span is split by
/// overlap (09:40–11:10 gives 20 minutes to hour 9, 60 to hour 10, 10 to
/// hour 11); an interruption is counted in the hour it starts. The hours
/// add up to the summary.
#[utoipa::path(get, path = "/users/{user_id}/stats/productive-hours", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "24 hours", body = HoursOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_productive_hours(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<HoursOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(HoursOut {
        window: (&window).into(),
        hours: dto::hours_out(&report),
    }))
}

/// The peak-distraction-time report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeakOut {
    /// The window covered.
    pub window: WindowOut,
    #[serde(flatten)]
    pub peak: PeakFigures,
}

/// The hour with most interruptions (ties: more time lost, then earlier).
///
/// The arg-max of `productive-hours`: when a person gets distracted most.
/// With no interruption in the window, `hour` is null and the figures 0.
#[utoipa::path(get, path = "/users/{user_id}/stats/peak-distraction-time", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "The peak hour, or `hour: null` and zeros", body = PeakOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_peak_distraction_time(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<PeakOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(PeakOut {
        window: (&window).into(),
        peak: report.peak().into(),
    }))
}

/// The weekly-pattern report.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekOut {
    /// The window covered.
    pub window: WindowOut,
    /// 7 entries, the week's first day first.
    pub days: Vec<WeekdayOut>,
}

/// Work, loss and interruptions by local weekday.
///
/// 7 entries from the first day of the week (`week_start`, the user's or
/// the query's; Monday by default), split by overlap like the hours; the
/// weekdays add up to the summary. `weekday_index` is 0 for Monday
/// whatever the order. A day begins at `day_start`, so with `04:00` a span
/// at 01:00 on a Saturday counts for Friday.
#[utoipa::path(get, path = "/users/{user_id}/stats/weekly-pattern", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "7 weekdays", body = WeekOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_weekly_pattern(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<WeekOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(WeekOut {
        window: (&window).into(),
        days: dto::weekdays_out(&report, window.days.week_start),
    }))
}

/// The daily series.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyOut {
    /// The window covered.
    pub window: WindowOut,
    /// One entry per local day overlapping the window, oldest first.
    pub series: Vec<DayOut>,
}

/// One entry per day: the series a trend chart needs.
///
/// Every day that overlaps the window, oldest first, empty days included; a
/// day cut by the window's edge covers only its part inside. Each day has
/// its own focus score. Days begin at `day_start` (the user's, or the
/// query's): with `04:00`, the day `2025-11-15` runs from 04:00 on the 15th
/// to 04:00 on the 16th, local time.
#[utoipa::path(get, path = "/users/{user_id}/stats/daily", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "Every day of the window, empty ones included", body = DailyOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_daily(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<DailyOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(DailyOut {
        window: (&window).into(),
        series: dto::series_out(&report),
    }))
}

/// The weekday × hour heatmap.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeatmapOut {
    /// The window covered.
    pub window: WindowOut,
    /// 168 cells, the week's first day 00h first.
    pub cells: Vec<CellOut>,
}

/// Work, loss and interruptions by weekday and hour.
///
/// 168 cells, the first day of the week 00h first (Monday by default, or
/// `week_start`), then its 01h: the 7 × 24 matrix of a heatmap, split by
/// overlap like `productive-hours`. Rows are days that begin at
/// `day_start`; hours are on the clock.
#[utoipa::path(get, path = "/users/{user_id}/stats/heatmap", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "168 cells", body = HeatmapOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_heatmap(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<HeatmapOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(HeatmapOut {
        window: (&window).into(),
        cells: dto::cells_out(&report, window.days.week_start),
    }))
}

/// Every report in one response.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewOut {
    /// The window covered.
    pub window: WindowOut,
    /// As `summary`, without `window`.
    pub summary: SummaryFigures,
    /// As `interruption-types`' `types`.
    pub types: Vec<TypeOut>,
    /// As `productive-hours`' `hours`.
    pub hours: Vec<HourOut>,
    /// As `peak-distraction-time`, without `window`.
    pub peak: PeakFigures,
    /// As `weekly-pattern`'s `days`.
    pub days: Vec<WeekdayOut>,
    /// As `daily`'s `series`.
    pub series: Vec<DayOut>,
}

/// Summary, types, hours, peak, weekly pattern and daily series in one.
///
/// Computed in one pass over the window: what a dashboard needs in one
/// request. Each member holds the same values as the separate report.
#[utoipa::path(get, path = "/users/{user_id}/stats/overview", tag = "stats", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), StatsParams),
    responses(
        (status = 200, description = "Every report", body = OverviewOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_overview(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> AppResult<axum::Json<OverviewOut>> {
    let Computed { window, report, .. } = compute(&state, &auth, user_id, &params).await?;
    Ok(axum::Json(OverviewOut {
        window: (&window).into(),
        summary: (&report.summary).into(),
        types: dto::types_out(&report),
        hours: dto::hours_out(&report),
        peak: report.peak().into(),
        days: dto::weekdays_out(&report, window.days.week_start),
        series: dto::series_out(&report),
    }))
}
