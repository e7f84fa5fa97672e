//! Webhook delivery: claims due outbox rows, sends them signed, and
//! records each attempt with what it leads to (`domain::delivery` judges).
//!
//! Every process runs one [`run_forever`]. It wakes when an event is
//! committed (the store's outbox signal: on PostgreSQL, any process's
//! commit) and otherwise polls every [`POLL`], sending up to
//! [`CONCURRENCY`] deliveries at once. A claim leases a delivery for
//! [`LEASE`]: a process that dies mid-attempt leaves it to fall due again,
//! so every event is delivered at least once; a receiver deduplicates by
//! `webhook-id`. Deliveries are not ordered, as Standard Webhooks allows.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, Semaphore, mpsc};

use crate::{
    db::{AttemptRecord, DueDelivery, Store, wall_ms},
    domain::{
        delivery::{Answer, DeliveryState, EndpointRecord, judge},
        webhooks::WebhookUrl,
    },
    services::state::Clock,
    services::{outbound as send, webhooks::Webhooks},
};

pub mod goals;

/// Deliveries in flight at once, per process.
pub const CONCURRENCY: usize = 128;
/// How long a claim keeps a delivery from other processes: longer than an
/// attempt can take (connect, answer, recording it). A process killed
/// mid-attempt delays its deliveries by this much on PostgreSQL; a SQLite
/// server keeps its claims in memory, so they end with it.
pub const LEASE: Duration = Duration::from_secs(30);
/// How often due deliveries are looked for without a wake-up: retries
/// falling due, and events another process could not start.
pub const POLL: Duration = Duration::from_secs(1);
/// How long a wake-up waits for more events before claiming: a few
/// milliseconds of latency that spare a busy database a claim per commit.
const GATHER: Duration = Duration::from_millis(5);
/// The most claimed by one statement.
const CLAIM_BATCH: usize = 128;
/// How long to wait after the database failed before claiming again.
const BACKOFF: Duration = Duration::from_secs(1);

/// The most attempts recorded by one transaction.
const RECORD_BATCH: usize = 512;
/// How fine an endpoint's last success is kept, in seconds: finer than the
/// five days that matter, coarse enough that a busy endpoint's deliveries
/// rarely write to its row.
const SUCCESS_RESOLUTION_SECONDS: i64 = 60;

/// What an attempt needs, shared by the attempts in flight.
struct Worker {
    webhooks: Arc<Webhooks>,
    clock: Clock,
    recorded: mpsc::UnboundedSender<AttemptRecord>,
}

/// Delivers due webhook events until the task is dropped.
pub async fn run_forever(store: Arc<dyn Store>, webhooks: Arc<Webhooks>, clock: Clock) {
    let wake = store.outbox_signal();
    let (recorded, finished) = mpsc::unbounded_channel();
    let _recorder = AbortOnDrop(tokio::spawn(record_forever(
        store.clone(),
        finished,
        wake.clone(),
    )));
    let worker = Arc::new(Worker {
        webhooks,
        clock,
        recorded,
    });
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        let Ok(first) = slots.clone().acquire_owned().await else {
            return;
        };
        let room = (slots.available_permits() + 1).min(CLAIM_BATCH);
        let now = wall_ms();
        let lease = now + millis(LEASE);
        let claimed = match store
            .claim_deliveries(now, lease, u32::try_from(room).unwrap_or(1))
            .await
        {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming webhook deliveries failed; trying again");
                drop(first);
                tokio::time::sleep(BACKOFF).await;
                continue;
            }
        };
        let full = claimed.len() == room;
        let mut first = Some(first);
        for due in claimed {
            let slot = match first.take() {
                Some(slot) => slot,
                // Only this loop takes slots, so the room counted is there.
                None => match slots.clone().try_acquire_owned() {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
            };
            let worker = worker.clone();
            tokio::spawn(async move {
                worker.attempt(due).await;
                drop(slot);
            });
        }
        drop(first);
        if !full {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
            // Let the events of a busy moment gather into one claim.
            tokio::time::sleep(GATHER).await;
        }
    }
}

impl Worker {
    /// Sends one delivery and records what came of it.
    async fn attempt(&self, due: DueDelivery) {
        let attempted_at_ms = wall_ms();
        let timestamp = attempted_at_ms.div_euclid(1000);
        let webhook = &due.webhook;
        let sent = match (
            self.webhooks.signing_secrets(webhook, timestamp),
            WebhookUrl::parse(&webhook.url),
        ) {
            (Ok(secrets), Ok(url)) => {
                let signing: Vec<_> = secrets.iter().collect();
                send::send(
                    &self.webhooks.policy,
                    &self.webhooks.clients,
                    send::Delivery {
                        url: &url,
                        id: &due.event_id,
                        timestamp,
                        body: due.body.as_bytes(),
                        secrets: &signing,
                    },
                )
                .await
            }
            (Err(error), _) => send::Attempt::failed(std::time::Instant::now(), error),
            (_, Err(error)) => send::Attempt::failed(std::time::Instant::now(), error.message),
        };
        let now = self.clock.now().as_second();
        let verdict = judge(
            Answer {
                status: sent.status,
                retry_after: sent.retry_after,
            },
            due.attempts + 1,
            &self.webhooks.schedule,
            EndpointRecord {
                last_success_at: due.last_success_at,
                created_at: webhook.created_at.as_second(),
            },
            now,
            jitter(),
        );
        let delivered = verdict.state == DeliveryState::Delivered;
        let stale = due
            .last_success_at
            .is_none_or(|at| now - at >= SUCCESS_RESOLUTION_SECONDS);
        let record = AttemptRecord {
            delivery_id: due.id,
            webhook_id: webhook.id,
            attempted_at_ms,
            status: sent.status,
            latency_ms: sent.latency_ms,
            error: sent.error,
            state: verdict.state,
            next_attempt_at_ms: verdict.retry_in.map(|wait| wall_ms() + millis(wait)),
            disable: verdict.disable,
            success_at: (delivered && stale).then_some(now),
        };
        if let Some(reason) = &record.disable {
            tracing::warn!(webhook = webhook.id, reason, "webhook endpoint disabled");
        }
        // The recorder is gone only when the worker is: the claim runs out.
        let _ = self.recorded.send(record);
    }
}

/// Records finished attempts, as many as have gathered in one transaction,
/// and wakes the worker when a retry falls due.
async fn record_forever(
    store: Arc<dyn Store>,
    mut finished: mpsc::UnboundedReceiver<AttemptRecord>,
    wake: Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while finished.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let retries: Vec<i64> = batch.iter().filter_map(|a| a.next_attempt_at_ms).collect();
        if let Err(error) = store.record_attempts(std::mem::take(&mut batch)).await {
            // Their claims run out and they are tried again.
            tracing::warn!(%error, "recording webhook attempts failed");
            continue;
        }
        for due in retries {
            let wait = Duration::from_millis(u64::try_from(due - wall_ms()).unwrap_or(0));
            let wake = wake.clone();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                wake.notify_one();
            });
        }
    }
}

/// Stops a task when the one that started it stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A number in `[-1, 1]` to spread retries with; 0 without randomness.
fn jitter() -> f64 {
    let mut bytes = [0u8; 2];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX) * 2.0 - 1.0,
        Err(_) => 0.0,
    }
}
