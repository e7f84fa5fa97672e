//! Work a process does in the background, beside serving requests.
//!
//! Each process runs it on its own; everything here is safe to run in
//! several processes at once and at any moment, so it needs no leader.

use std::{sync::Arc, time::Duration};

use crate::{
    db::{Store, StoreResult},
    services::state::Clock,
};

/// How often expired idempotency keys and old failed sign-ins are deleted:
/// both are ignored from the moment they expire, so this only bounds the
/// space they hold.
pub const KEY_PURGE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Keys deleted per transaction, so that a large backlog never holds the
/// database's write lock for long.
const KEY_PURGE_BATCH: u32 = 5_000;

/// Purges expired keys, failed sign-ins, refused registrations, browser
/// sessions and old webhook deliveries now and then every
/// [`KEY_PURGE_INTERVAL`], until the task is dropped. A failure is logged
/// and retried at the next tick.
pub async fn purge_expired_keys_forever(store: Arc<dyn Store>, clock: Clock) {
    let mut ticks = tokio::time::interval(KEY_PURGE_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match purge_expired_keys(store.as_ref(), &clock).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "expired idempotency keys deleted"),
            Err(error) => tracing::warn!(%error, "deleting expired idempotency keys failed"),
        }
        match purge_login_failures(store.as_ref(), &clock).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old failed sign-ins deleted"),
            Err(error) => tracing::warn!(%error, "deleting old failed sign-ins failed"),
        }
        match purge_registration_refusals(store.as_ref(), &clock).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old refused registrations deleted"),
            Err(error) => tracing::warn!(%error, "deleting old refused registrations failed"),
        }
        match purge_browser_sessions(store.as_ref(), &clock).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "expired browser sessions deleted"),
            Err(error) => tracing::warn!(%error, "deleting expired browser sessions failed"),
        }
        match purge_deliveries(store.as_ref()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old webhook deliveries deleted"),
            Err(error) => tracing::warn!(%error, "deleting old webhook deliveries failed"),
        }
    }
}

/// Deletes the webhook deliveries settled more than 30 days ago, with
/// their attempts: the listing shows 30 days. A delivery still pending is
/// kept, however old.
pub async fn purge_deliveries(store: &dyn Store) -> StoreResult<u64> {
    let before = crate::db::wall_ms() - crate::domain::delivery::KEPT_SECONDS * 1000;
    let mut total = 0;
    loop {
        let deleted = store.purge_deliveries(before, KEY_PURGE_BATCH).await?;
        if deleted == 0 {
            return Ok(total);
        }
        total += deleted;
    }
}

/// Deletes every browser session that has expired (they no longer sign
/// anyone in), a batch at a time.
pub async fn purge_browser_sessions(store: &dyn Store, clock: &Clock) -> StoreResult<u64> {
    let now = clock.now();
    let mut total = 0;
    loop {
        let deleted = store.purge_browser_sessions(now, KEY_PURGE_BATCH).await?;
        if deleted == 0 {
            return Ok(total);
        }
        total += deleted;
    }
}

/// Deletes every failed sign-in too old to count, a batch at a time.
pub async fn purge_login_failures(store: &dyn Store, clock: &Clock) -> StoreResult<u64> {
    let before = crate::domain::login::window_start(clock.now());
    let mut total = 0;
    loop {
        let deleted = store.purge_login_failures(before, KEY_PURGE_BATCH).await?;
        if deleted == 0 {
            return Ok(total);
        }
        total += deleted;
    }
}

/// Deletes every refused registration too old to count, a batch at a time.
pub async fn purge_registration_refusals(store: &dyn Store, clock: &Clock) -> StoreResult<u64> {
    let before = crate::domain::login::window_start(clock.now());
    let mut total = 0;
    loop {
        let deleted = store
            .purge_registration_refusals(before, KEY_PURGE_BATCH)
            .await?;
        if deleted == 0 {
            return Ok(total);
        }
        total += deleted;
    }
}

/// Deletes every key expired by now, a batch at a time; returns how many.
pub async fn purge_expired_keys(store: &dyn Store, clock: &Clock) -> StoreResult<u64> {
    let now = clock.now();
    let mut total = 0;
    loop {
        let deleted = store.purge_expired_keys(now, KEY_PURGE_BATCH).await?;
        if deleted == 0 {
            return Ok(total);
        }
        total += deleted;
    }
}
