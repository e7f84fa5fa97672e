//! SQL for `goals`.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::sql;
use crate::{
    db::{StoreError, StoreResult},
    domain::{
        goals::{self, Comparison, Goal, GoalRule, Metric, Period, RestDays},
        time::from_unix_seconds,
    },
};

const GOAL_COLUMNS: &str =
    "id, user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at";

fn goal(row: &Row) -> Goal {
    Goal {
        id: row.get(0),
        user_id: row.get(1),
        rule: GoalRule {
            metric: Metric::parse(row.get(2)).unwrap_or(Metric::EffectiveSeconds),
            comparison: Comparison::parse(row.get(3)).unwrap_or(Comparison::AtLeast),
            target: row.get(4),
            period: Period::parse(row.get(5)).unwrap_or(Period::Day),
            rest_days: RestDays::from_bits(row.get(6)),
            count_empty_days: row.get(7),
        },
        created_at: from_unix_seconds(row.get(8)),
    }
}

/// Runs inside a transaction that first locks the user's row, so two adds
/// cannot both take the last place under the cap.
pub async fn create<C: GenericClient>(
    c: &C,
    user_id: i64,
    rule: &GoalRule,
    now: Timestamp,
) -> StoreResult<Goal> {
    super::sessions::lock_user(c, user_id).await?;
    let held: i64 = sql::row(
        c,
        "SELECT COUNT(*) FROM goals WHERE user_id = $1",
        &[&user_id],
    )
    .await?
    .map_or(0, |row| row.get(0));
    goals::check_room(held)?;
    let row = sql::returning(
        c,
        &format!(
            "INSERT INTO goals (user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {GOAL_COLUMNS}"
        ),
        &[
            &user_id,
            &rule.metric.as_str(),
            &rule.comparison.as_str(),
            &rule.target,
            &rule.period.as_str(),
            &rule.rest_days.bits(),
            &rule.count_empty_days,
            &now.as_second(),
        ],
    )
    .await?;
    Ok(goal(&row))
}

pub async fn list<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<Vec<Goal>> {
    Ok(sql::rows(
        c,
        &format!("SELECT {GOAL_COLUMNS} FROM goals WHERE user_id = $1 ORDER BY id"),
        &[&user_id],
    )
    .await?
    .iter()
    .map(goal)
    .collect())
}

pub async fn get<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<Goal> {
    sql::row(
        c,
        &format!("SELECT {GOAL_COLUMNS} FROM goals WHERE id = $1 AND user_id = $2"),
        &[&id, &user_id],
    )
    .await?
    .as_ref()
    .map(goal)
    .ok_or(StoreError::NotFound("goal"))
}

pub async fn update<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    rule: &GoalRule,
) -> StoreResult<Goal> {
    sql::row(
        c,
        &format!(
            "UPDATE goals SET metric = $3, comparison = $4, target = $5, period = $6,
                 rest_days = $7, count_empty_days = $8
             WHERE id = $1 AND user_id = $2 RETURNING {GOAL_COLUMNS}"
        ),
        &[
            &id,
            &user_id,
            &rule.metric.as_str(),
            &rule.comparison.as_str(),
            &rule.target,
            &rule.period.as_str(),
            &rule.rest_days.bits(),
            &rule.count_empty_days,
        ],
    )
    .await?
    .as_ref()
    .map(goal)
    .ok_or(StoreError::NotFound("goal"))
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<()> {
    match sql::execute(
        c,
        "DELETE FROM goals WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
    )
    .await?
    {
        0 => Err(StoreError::NotFound("goal")),
        _ => Ok(()),
    }
}
