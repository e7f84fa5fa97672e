//! Live events: every change of a user's data, fanned out to that user's
//! open event streams (`GET /users/{id}/events`, and the web app's pages),
//! on this process and, through the store, on every other process sharing
//! the database (PostgreSQL LISTEN/NOTIFY).
//!
//! Announcing costs nothing while nobody listens: an event's JSON is built
//! only when a stream of its user is open here, or other processes may
//! have one.

use std::{
    collections::{HashMap, HashSet},
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use tokio::sync::{Notify, broadcast};
use tokio_stream::{Stream, StreamExt, wrappers::BroadcastStream};

use crate::{
    db::Store,
    domain::{
        events::{Event, EventKind, json},
        interruption::Interruption,
        session::Session,
        views::{InterruptionOut, SessionOut},
    },
};

/// Events a slow stream may fall behind by before it is told to catch up.
const BACKLOG: usize = 256;
/// How long a client waits before reconnecting after a stream drops.
const RETRY: Duration = Duration::from_secs(3);
/// How long a client waits before reconnecting when the server ends its
/// stream to shut down: soon, since a new process is usually starting.
pub const RETRY_AFTER_SHUTDOWN: Duration = Duration::from_secs(1);
/// A comment this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Who listens to what, shared by all requests.
#[derive(Clone)]
pub struct EventHub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    goal_checks: Arc<GoalChecks>,
    streams: Mutex<HashMap<i64, broadcast::Sender<Arc<Event>>>>,
    shared: bool,
    /// Set when the server shuts down: every stream then ends.
    closing: tokio::sync::watch::Sender<bool>,
}

impl EventHub {
    /// A hub over `store`; on a store shared by processes, it also passes
    /// on what the others announce.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let remote = store.remote_events();
        let hub = Self {
            inner: Arc::new(Inner {
                shared: remote.is_some(),
                store,
                goal_checks: Arc::default(),
                streams: Mutex::new(HashMap::new()),
                closing: tokio::sync::watch::Sender::new(false),
            }),
        };
        if let Some(remote) = remote {
            tokio::spawn(forward(hub.clone(), remote));
        }
        hub
    }

    /// A stream of `user_id`'s events from now on.
    pub fn subscribe(&self, user_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut streams = self.streams();
        streams.retain(|_, sender| sender.receiver_count() > 0);
        streams
            .entry(user_id)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    /// The users whose goals are to be checked for `goal.met` and
    /// `goal.missed`: every announced change adds its user.
    pub fn goal_checks(&self) -> Arc<GoalChecks> {
        self.inner.goal_checks.clone()
    }

    /// Announces a change; `data` builds the resource's JSON and is called
    /// only if someone may be listening. A failure to reach the other
    /// processes is logged: the change itself has been made. (Webhooks
    /// learn of it from the outbox, written with the change.)
    pub async fn announce(
        &self,
        kind: EventKind,
        user_id: i64,
        at: jiff::Timestamp,
        data: impl FnOnce() -> serde_json::Value,
    ) {
        self.inner.goal_checks.changed(user_id);
        if !self.inner.shared && !self.listened(user_id) {
            return;
        }
        let event = match Event::new(kind, user_id, at, data()) {
            Ok(event) => Arc::new(event),
            Err(e) => {
                tracing::warn!(error = %e, "no randomness for an event id; event dropped");
                return;
            }
        };
        self.deliver(event.clone());
        if self.inner.shared
            && let Err(e) = self.inner.store.announce(&event).await
        {
            tracing::warn!(error = %e, kind = kind.name(), "could not pass an event to other processes");
        }
    }

    /// Announces a change of `session`: a session started already
    /// finished (logged afterwards) as started, then ended
    /// ([`EventKind::for_change`]), as the outbox writes it for webhooks.
    pub async fn session(&self, kind: EventKind, session: &Session, at: jiff::Timestamp) {
        for &kind in kind.for_change(session.end) {
            self.announce(kind, session.user_id, at, || {
                json(SessionOut::from(session.clone()))
            })
            .await;
        }
    }

    /// Announces a change of `interruption`.
    pub async fn interruption(
        &self,
        kind: EventKind,
        interruption: &Interruption,
        at: jiff::Timestamp,
    ) {
        self.announce(kind, interruption.user_id, at, || {
            json(InterruptionOut::from(interruption.clone()))
        })
        .await;
    }

    /// Announces that resource `id` of the user is gone.
    pub async fn deleted(&self, kind: EventKind, user_id: i64, id: i64, at: jiff::Timestamp) {
        self.announce(kind, user_id, at, || serde_json::json!({ "id": id }))
            .await;
    }

    /// `user_id`'s live events as server-sent events, from now on: what
    /// `GET /users/{id}/events` and the web app's pages stream.
    ///
    /// A stream ends when the server shuts down ([`Self::close`]), with a
    /// last `retry:` of [`RETRY_AFTER_SHUTDOWN`], so that the client comes
    /// back soon, to the process that takes over; an open stream never
    /// holds a shutdown up.
    pub fn stream(
        &self,
        user_id: i64,
    ) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>> {
        let first = tokio_stream::once(Ok(SseEvent::default().retry(RETRY).comment("connected")));
        let live = BroadcastStream::new(self.subscribe(user_id)).map(|item| {
            Ok(match item {
                Ok(event) => SseEvent::default()
                    .event(event.kind.name())
                    .id(event.id.clone())
                    .data(event.data.to_string()),
                // Fell more than BACKLOG behind: the client refetches.
                Err(_lagged) => SseEvent::default().event("resync").data("{}"),
            })
        });
        let mut closing = self.inner.closing.subscribe();
        let closed = async move {
            // A hub gone (its sender dropped) is closed too.
            let _ = closing.wait_for(|closed| *closed).await;
        };
        let live = futures_util::StreamExt::take_until(live, closed);
        let last = tokio_stream::once(Ok(SseEvent::default()
            .retry(RETRY_AFTER_SHUTDOWN)
            .comment("the server is restarting; reconnect")));
        Sse::new(first.chain(live).chain(last)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
    }

    /// Ends every stream, now and any opened later: the server is shutting
    /// down.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    fn listened(&self, user_id: i64) -> bool {
        self.streams()
            .get(&user_id)
            .is_some_and(|sender| sender.receiver_count() > 0)
    }

    /// Hands `event` to this process's streams of its user.
    fn deliver(&self, event: Arc<Event>) {
        if let Some(sender) = self.streams().get(&event.user_id) {
            // No receiver left is fine: the stream closed meanwhile.
            let _ = sender.send(event);
        }
    }

    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<i64, broadcast::Sender<Arc<Event>>>> {
        self.inner.streams.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Delivers other processes' events here, until the store stops.
async fn forward(hub: EventHub, mut remote: broadcast::Receiver<Event>) {
    loop {
        match remote.recv().await {
            Ok(event) => hub.deliver(Arc::new(event)),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "fell behind other processes' events");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Users whose data changed since their goals were last checked.
#[derive(Debug, Default)]
pub struct GoalChecks {
    changed: Mutex<HashSet<i64>>,
    wake: Notify,
}

impl GoalChecks {
    /// Notes that `user_id`'s data changed.
    pub fn changed(&self, user_id: i64) {
        self.changed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user_id);
        self.wake.notify_one();
    }

    /// Completes at the next change noted after the last [`Self::take`].
    pub async fn changes(&self) {
        self.wake.notified().await;
    }

    /// The users noted since the last call, forgetting them.
    pub fn take(&self) -> HashSet<i64> {
        std::mem::take(&mut *self.changed.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
