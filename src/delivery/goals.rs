//! `goal.met` and `goal.missed`: a goal's period is announced once, when
//! it is first decided, to the endpoints of its owner that take it.
//!
//! Changes decide most periods (an `at_least` goal met by the session that
//! reached it, an `at_most` goal missed by the interruption that broke it),
//! so a user's goals are checked shortly after their data changes; the end
//! of a period decides the rest (an `at_least` goal that was not reached),
//! so every watched user's goals are checked every [`SWEEP`] as well. Only
//! the current and the previous period are considered, and only periods
//! that ended after the goal was set: a new goal does not announce its
//! past. The check writes the outcome and its deliveries in one
//! transaction, keyed by goal and period, so processes checking at once
//! announce a period once between them. A later correction that changes a
//! decided period is not announced again.

use std::{sync::Arc, time::Duration};

use crate::{
    db::Store,
    domain::{
        goals::{Goal, GoalRange, Period, Status},
        time::TimeZoneName,
        views::ProgressOut,
    },
    services::events::GoalChecks,
    services::state::Clock,
};

/// How often every watched user's goals are checked, for the periods that
/// end without a change deciding them.
pub const SWEEP: Duration = Duration::from_secs(60);
/// How long changes are gathered before their users are checked.
const SETTLE: Duration = Duration::from_millis(250);

/// Checks changed users' goals as they change, and every watched user's
/// every [`SWEEP`], until the task is dropped.
pub async fn check_forever(store: Arc<dyn Store>, checks: Arc<GoalChecks>, clock: Clock) {
    let mut sweep = tokio::time::interval(SWEEP);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let everyone = tokio::select! {
            _ = sweep.tick() => true,
            () = checks.changes() => false,
        };
        tokio::time::sleep(SETTLE).await;
        let changed = checks.take();
        let checked = match store.goal_watchers().await {
            Ok(watchers) => {
                let users = watchers
                    .into_iter()
                    .filter(|user| everyone || changed.contains(user));
                check_users(store.as_ref(), users, clock.now()).await
            }
            Err(error) => {
                tracing::warn!(%error, "listing the users with goal webhooks failed");
                continue;
            }
        };
        if checked > 0 {
            tracing::debug!(announced = checked, "goal periods announced");
        }
    }
}

/// Checks every user with an endpoint for goal events now; how many
/// periods were announced. For a test, or a tool, to run at a set time.
pub async fn check_all(store: &dyn Store, now: jiff::Timestamp) -> usize {
    match store.goal_watchers().await {
        Ok(watchers) => check_users(store, watchers.into_iter(), now).await,
        Err(error) => {
            tracing::warn!(%error, "listing the users with goal webhooks failed");
            0
        }
    }
}

async fn check_users(
    store: &dyn Store,
    users: impl Iterator<Item = i64>,
    now: jiff::Timestamp,
) -> usize {
    let mut announced = 0;
    for user in users {
        match check_user(store, user, now).await {
            Ok(count) => announced += count,
            Err(error) => tracing::warn!(%error, user, "checking goals failed"),
        }
    }
    announced
}

/// Announces the user's goal periods decided and not announced yet.
async fn check_user(
    store: &dyn Store,
    user_id: i64,
    now: jiff::Timestamp,
) -> anyhow::Result<usize> {
    let user = store.get_user(user_id).await?;
    let goals = store.list_goals(user_id).await?;
    if goals.is_empty() {
        return Ok(0);
    }
    let requests: Vec<(&Goal, GoalRange)> = goals
        .iter()
        .map(|goal| {
            let last_two = match goal.rule.period {
                Period::Day => "2d",
                Period::Week => "2w",
            };
            let range = GoalRange::parse(Some(last_two), goal.rule.period)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            Ok((goal, range))
        })
        .collect::<anyhow::Result<_>>()?;
    let zone = TimeZoneName::from_stored(user.timezone.clone());
    let tz = zone.zone();
    let all = crate::services::reports::goals_progress(
        store,
        user_id,
        &requests,
        (&zone, user.days),
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut announced = 0;
    for ((goal, _), (window, progress)) in requests.into_iter().zip(all) {
        let out = ProgressOut::new(goal.clone(), &window, progress.clone());
        for (period, shown) in progress.periods.iter().zip(&out.periods) {
            let met = match period.status {
                Status::Met => true,
                Status::Missed => false,
                Status::Pending | Status::Rest | Status::Empty => continue,
            };
            let ended = user.days.day_start.day(period.last, &tz).1;
            if ended <= goal.created_at {
                continue;
            }
            let data = serde_json::json!({
                "goal": &out.goal,
                "period": shown,
                "current_streak": out.current_streak,
                "longest_streak": out.longest_streak,
            });
            let start = period.start.to_string();
            if store
                .record_goal_outcome(user_id, goal.id, &start, met, data, now)
                .await?
            {
                announced += 1;
            }
        }
    }
    Ok(announced)
}
