//! Live events between the processes sharing a database: each process
//! NOTIFYs the events it announces on one channel and LISTENs on it with a
//! connection of its own, passing on the events of the others.
//!
//! A notification missed while the listening connection is down is lost;
//! live streams are for keeping pages current, and a page catches up when
//! its stream reconnects. Webhooks do not rely on this: the same connection
//! hears of committed webhook events (`outbox::CHANNEL`) only to start
//! their deliveries sooner than the next poll.

use std::{sync::Arc, time::Duration};

use deadpool_postgres::GenericClient;
use serde::{Deserialize, Serialize};
use tokio::{
    sync::{Notify, broadcast},
    task::JoinHandle,
};
use tokio_postgres::{AsyncMessage, NoTls};

use crate::{
    db::{StoreError, StoreResult},
    domain::events::Event,
};

const CHANNEL: &str = "hyperfocus_events";

/// PostgreSQL's limit on a notification's payload, less room to spare.
const MAX_PAYLOAD_BYTES: usize = 7_900;

/// What travels on the channel: the event, and which process sent it.
#[derive(Serialize, Deserialize)]
struct Envelope {
    origin: String,
    event: Event,
}

/// This process's end of the channel.
pub struct Bridge {
    origin: String,
    sender: broadcast::Sender<Event>,
    outbox: Arc<Notify>,
    listener: JoinHandle<()>,
}

impl Bridge {
    /// Starts listening with a connection of its own, reconnecting after a
    /// failure.
    pub fn start(config: tokio_postgres::Config) -> Self {
        let mut random = [0u8; 8];
        // Without randomness processes could mistake each other's events
        // for their own; the time of day still tells them apart.
        if getrandom::fill(&mut random).is_err() {
            random = jiff::Timestamp::now().as_nanosecond().to_le_bytes()[..8]
                .try_into()
                .unwrap_or_default();
        }
        let origin: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let (sender, _) = broadcast::channel(1024);
        let outbox = Arc::new(Notify::new());
        let listener = tokio::spawn(listen_forever(
            config,
            origin.clone(),
            sender.clone(),
            outbox.clone(),
        ));
        Self {
            origin,
            sender,
            outbox,
            listener,
        }
    }

    /// Woken when any process commits a webhook event.
    pub fn outbox_signal(&self) -> Arc<Notify> {
        self.outbox.clone()
    }

    /// Other processes' events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// NOTIFYs the other processes of `event`.
    pub async fn announce<C: GenericClient>(&self, c: &C, event: &Event) -> StoreResult<()> {
        let payload = serde_json::to_string(&Envelope {
            origin: self.origin.clone(),
            event: event.clone(),
        })
        .map_err(|e| StoreError::Internal(e.into()))?;
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(StoreError::Internal(anyhow::anyhow!(
                "event {} is {} bytes, more than a notification holds",
                event.id,
                payload.len()
            )));
        }
        c.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
            .await?;
        Ok(())
    }

    /// Stops listening.
    pub fn stop(&self) {
        self.listener.abort();
    }
}

async fn listen_forever(
    config: tokio_postgres::Config,
    origin: String,
    sender: broadcast::Sender<Event>,
    outbox: Arc<Notify>,
) {
    loop {
        if let Err(e) = listen(&config, &origin, &sender, &outbox).await {
            tracing::warn!(error = %e, "the live-event connection failed; reconnecting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Listens until the connection ends.
async fn listen(
    config: &tokio_postgres::Config,
    origin: &str,
    sender: &broadcast::Sender<Event>,
    outbox: &Arc<Notify>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (notes, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let wake = outbox.clone();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(note))) => {
                    if note.channel() == super::outbox::CHANNEL {
                        wake.notify_one();
                    } else if notes.send(note.payload().to_owned()).is_err() {
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    });
    client
        .batch_execute(&format!(
            "LISTEN {CHANNEL}; LISTEN {}",
            super::outbox::CHANNEL
        ))
        .await?;
    // Deliveries due while the connection was down are found by polling.
    outbox.notify_one();
    while let Some(payload) = arrived.recv().await {
        match serde_json::from_str::<Envelope>(&payload) {
            Ok(envelope) if envelope.origin != origin => {
                // No subscriber yet is fine.
                let _ = sender.send(envelope.event);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "an unreadable live event was skipped"),
        }
    }
    driver.await.unwrap_or(Ok(()))
}
