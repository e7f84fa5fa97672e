//! SQL for `goals`.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::{
    db::{StoreError, StoreResult},
    domain::{
        goals::{self, Comparison, Goal, GoalRule, Metric, Period, RestDays},
        time::from_unix_seconds,
    },
};

const GOAL_COLUMNS: &str =
    "id, user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at";

fn goal(row: &Row<'_>) -> rusqlite::Result<Goal> {
    Ok(Goal {
        id: row.get(0)?,
        user_id: row.get(1)?,
        rule: GoalRule {
            metric: Metric::parse(&row.get::<_, String>(2)?).unwrap_or(Metric::EffectiveSeconds),
            comparison: Comparison::parse(&row.get::<_, String>(3)?).unwrap_or(Comparison::AtLeast),
            target: row.get(4)?,
            period: Period::parse(&row.get::<_, String>(5)?).unwrap_or(Period::Day),
            rest_days: RestDays::from_bits(row.get(6)?),
            count_empty_days: row.get(7)?,
        },
        created_at: from_unix_seconds(row.get(8)?),
    })
}

/// Adds a goal, within the per-user cap (checked in the writer's
/// transaction, so two adds cannot both take the last place).
pub fn create(
    conn: &Connection,
    user_id: i64,
    rule: &GoalRule,
    now: Timestamp,
) -> StoreResult<Goal> {
    let held: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM goals WHERE user_id = ?1")?
        .query_row([user_id], |row| row.get(0))?;
    goals::check_room(held)?;
    conn.prepare_cached(
        "INSERT INTO goals (user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        user_id,
        rule.metric.as_str(),
        rule.comparison.as_str(),
        rule.target,
        rule.period.as_str(),
        rule.rest_days.bits(),
        rule.count_empty_days,
        now.as_second()
    ])?;
    get(conn, user_id, conn.last_insert_rowid())
}

pub fn list(conn: &Connection, user_id: i64) -> StoreResult<Vec<Goal>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {GOAL_COLUMNS} FROM goals WHERE user_id = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([user_id], goal)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, user_id: i64, id: i64) -> StoreResult<Goal> {
    conn.prepare_cached(&format!(
        "SELECT {GOAL_COLUMNS} FROM goals WHERE id = ?1 AND user_id = ?2"
    ))?
    .query_row([id, user_id], goal)
    .optional()?
    .ok_or(StoreError::NotFound("goal"))
}

pub fn update(conn: &Connection, user_id: i64, id: i64, rule: &GoalRule) -> StoreResult<Goal> {
    let changed = conn
        .prepare_cached(
            "UPDATE goals SET metric = ?3, comparison = ?4, target = ?5, period = ?6,
                 rest_days = ?7, count_empty_days = ?8
             WHERE id = ?1 AND user_id = ?2",
        )?
        .execute(params![
            id,
            user_id,
            rule.metric.as_str(),
            rule.comparison.as_str(),
            rule.target,
            rule.period.as_str(),
            rule.rest_days.bits(),
            rule.count_empty_days
        ])?;
    match changed {
        0 => Err(StoreError::NotFound("goal")),
        _ => get(conn, user_id, id),
    }
}

pub fn delete(conn: &Connection, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM goals WHERE id = ?1 AND user_id = ?2")?
        .execute([id, user_id])?;
    match deleted {
        0 => Err(StoreError::NotFound("goal")),
        _ => Ok(()),
    }
}
