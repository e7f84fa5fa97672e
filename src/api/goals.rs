//! `/users/{user_id}/goals`: what a person wants of their focus each day or
//! week, and how it went — periods met or missed, and streaks.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{
        BadRequest, Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized,
        WeekdayName,
    },
    extract::{ApiQuery, Auth, Json, PathId, PathIds, non_null},
};
pub use crate::domain::views::{GoalOut, PeriodOut, ProgressOut};
use crate::{
    domain::goals::{Comparison, GoalRange, GoalRule, Metric, Period, RawGoal},
    error::AppResult,
    services::state::AppState,
};

/// A goal to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalIn {
    /// The figure it is about.
    #[schema(value_type = Metric)]
    pub metric: String,
    /// `at_least`: met when the value reaches the target; `at_most`: met
    /// while it stays at or under it.
    #[schema(value_type = Comparison)]
    pub comparison: String,
    /// In the metric's unit (seconds, score points, or a count), from 0 to
    /// what one period can hold (86,400 s a day; a score of 100; 60
    /// deep-work blocks a day and 406 a week, as many 25-minute blocks as
    /// can begin in a period with a 25-hour day; 10,000 interruptions a
    /// day); past that, a 422 says the bound.
    #[schema(minimum = 0, example = 7200)]
    pub target: i64,
    /// A day (from the user's `day_start`) or a week (from their
    /// `week_start`).
    #[schema(value_type = Period)]
    pub period: String,
    /// Weekdays a day goal rests on: they neither break nor extend a
    /// streak. Not for week goals. Default none.
    #[schema(nullable = false, value_type = Option<Vec<WeekdayName>>, max_items = 6, example = json!(["saturday", "sunday"]))]
    #[serde(default, deserialize_with = "non_null")]
    pub rest_days: Option<Vec<String>>,
    /// Count a period with nothing logged as met or missed, instead of
    /// stepping over it. Default `false`.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub count_empty_days: Option<bool>,
}

/// Changes to a goal; absent fields stay as they are, and the goal is
/// checked whole.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalPatchIn {
    /// A new figure.
    #[schema(nullable = false, value_type = Option<Metric>)]
    #[serde(default, deserialize_with = "non_null")]
    pub metric: Option<String>,
    /// A new comparison.
    #[schema(nullable = false, value_type = Option<Comparison>)]
    #[serde(default, deserialize_with = "non_null")]
    pub comparison: Option<String>,
    /// A new target.
    #[schema(nullable = false, minimum = 0)]
    #[serde(default, deserialize_with = "non_null")]
    pub target: Option<i64>,
    /// A new period.
    #[schema(nullable = false, value_type = Option<Period>)]
    #[serde(default, deserialize_with = "non_null")]
    pub period: Option<String>,
    /// New rest days (`[]` for none).
    #[schema(nullable = false, value_type = Option<Vec<WeekdayName>>, max_items = 6)]
    #[serde(default, deserialize_with = "non_null")]
    pub rest_days: Option<Vec<String>>,
    /// Whether periods with nothing logged count.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub count_empty_days: Option<bool>,
}

fn raw_goal<'a>(
    metric: Option<&'a str>,
    comparison: Option<&'a str>,
    target: Option<i64>,
    period: Option<&'a str>,
    rest_days: Option<&'a [String]>,
    count_empty_days: Option<bool>,
) -> RawGoal<'a> {
    RawGoal {
        metric,
        comparison,
        target,
        period,
        rest_days,
        count_empty_days,
    }
}

/// Set a goal.
///
/// Examples: two hours of effective focus a day, weekends off
/// (`{"metric": "effective_seconds", "comparison": "at_least", "target":
/// 7200, "period": "day", "rest_days": ["saturday", "sunday"]}`); at most
/// 20 interruptions a week. A user keeps at most 50 goals (409 past that).
#[utoipa::path(post, path = "/users/{user_id}/goals", tag = "goals", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    request_body = GoalIn,
    responses(
        (status = 201, description = "Set", body = GoalOut,
            headers(("Location" = String, description = "The goal's path, `/users/{user_id}/goals/{goal_id}`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn create_goal(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    Json(body): Json<GoalIn>,
) -> AppResult<impl IntoResponse> {
    auth.require_self(user_id)?;
    let rule = GoalRule::parse_new(&raw_goal(
        Some(&body.metric),
        Some(&body.comparison),
        Some(body.target),
        Some(&body.period),
        body.rest_days.as_deref(),
        body.count_empty_days,
    ))?;
    let goal = state
        .store
        .create_goal(user_id, rule, state.clock.now())
        .await?;
    let location = format!("/users/{user_id}/goals/{}", goal.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(GoalOut::from(goal)),
    ))
}

/// The user's goals, oldest first.
///
/// Each with its rule; `GET …/goals/{goal_id}/progress` says how it went.
#[utoipa::path(get, path = "/users/{user_id}/goals", tag = "goals", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    responses(
        (status = 200, description = "Every goal", body = Vec<GoalOut>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn list_goals(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
) -> AppResult<axum::Json<Vec<GoalOut>>> {
    auth.require_self(user_id)?;
    let goals = state.store.list_goals(user_id).await?;
    Ok(axum::Json(goals.into_iter().map(Into::into).collect()))
}

/// One goal.
///
/// Another user's goal id is a 404.
#[utoipa::path(get, path = "/users/{user_id}/goals/{goal_id}", tag = "goals", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("goal_id" = i64, Path, minimum = 1, description = "Goal id"),
    ),
    responses(
        (status = 200, description = "The goal", body = GoalOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn get_goal(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, goal_id): PathIds,
) -> AppResult<axum::Json<GoalOut>> {
    auth.require_self(user_id)?;
    Ok(axum::Json(
        state.store.get_goal(user_id, goal_id).await?.into(),
    ))
}

/// Change a goal.
///
/// Send only what changes; the goal is checked whole (a week goal has no
/// rest days, the target fits the metric and period). Progress is always
/// computed from the goal as it is now, for past periods too.
#[utoipa::path(patch, path = "/users/{user_id}/goals/{goal_id}", tag = "goals", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("goal_id" = i64, Path, minimum = 1, description = "Goal id"),
    ),
    request_body = GoalPatchIn,
    responses(
        (status = 200, description = "The changed goal", body = GoalOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn update_goal(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, goal_id): PathIds,
    Json(body): Json<GoalPatchIn>,
) -> AppResult<axum::Json<GoalOut>> {
    auth.require_self(user_id)?;
    let current = state.store.get_goal(user_id, goal_id).await?;
    let rule = current.rule.changed(&raw_goal(
        body.metric.as_deref(),
        body.comparison.as_deref(),
        body.target,
        body.period.as_deref(),
        body.rest_days.as_deref(),
        body.count_empty_days,
    ))?;
    let goal = state.store.update_goal(user_id, goal_id, rule).await?;
    Ok(axum::Json(goal.into()))
}

/// Delete a goal.
///
/// Its progress is computed, never stored, so nothing else goes with it.
#[utoipa::path(delete, path = "/users/{user_id}/goals/{goal_id}", tag = "goals", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("goal_id" = i64, Path, minimum = 1, description = "Goal id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_goal(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, goal_id): PathIds,
) -> AppResult<StatusCode> {
    auth.require_self(user_id)?;
    state.store.delete_goal(user_id, goal_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which periods to show.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// `Nd` (days) or `Nw` (weeks) up to today, as whole periods, at most
    /// 3650 days; default `30d` for a day goal, `12w` for a week goal.
    #[param(pattern = "^[1-9][0-9]{0,3}[dw]$", example = "30d")]
    pub range: Option<String>,
}

/// How a goal went, period by period, with its streaks.
///
/// Computed from the same attribution as `daily`, in the user's zone with
/// their `day_start` (and `week_start` for week goals). The current period
/// is `pending` until decided: an `at_least` goal is met as soon as the
/// target is reached, and an `at_most` goal missed as soon as its limit is
/// passed, so today never breaks a streak before it ends. Rest days and
/// periods with nothing logged neither break nor extend a streak, unless
/// the goal has `count_empty_days`.
#[utoipa::path(get, path = "/users/{user_id}/goals/{goal_id}/progress", tag = "goals", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("goal_id" = i64, Path, minimum = 1, description = "Goal id"),
        ProgressParams,
    ),
    responses(
        (status = 200, description = "Its periods and streaks", body = ProgressOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn get_goal_progress(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, goal_id): PathIds,
    ApiQuery(params): ApiQuery<ProgressParams>,
) -> AppResult<axum::Json<ProgressOut>> {
    auth.require_self(user_id)?;
    let goal = state.store.get_goal(user_id, goal_id).await?;
    let range = GoalRange::parse(params.range.as_deref(), goal.rule.period)?;
    let (window, progress) = crate::services::reports::goal_progress(
        state.store.as_ref(),
        &goal,
        range,
        (&auth.timezone, auth.days),
        state.clock.now(),
    )
    .await?;
    Ok(axum::Json(ProgressOut::new(goal, &window, progress)))
}
