//! What every handler can reach: storage, metrics and the clock.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use jiff::Timestamp;

use crate::{
    config::HttpConfig, db::Store, domain::time::from_unix_seconds, services::events::EventHub,
    services::passwords::Passwords, telemetry::Metrics,
};

/// Shared by all requests; cloning is a few reference-count bumps.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Prometheus counters and histograms.
    pub metrics: Arc<Metrics>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Timeout, CORS and rate-limit settings.
    pub http: Arc<HttpConfig>,
    /// Where passwords are hashed and checked.
    pub passwords: Passwords,
    /// Live events to every open stream of a user.
    pub events: EventHub,
    /// Users whose import is running in this process.
    pub imports: crate::services::imports::Running,
    /// The server key and the network policy of webhook deliveries.
    pub webhooks: Arc<crate::services::webhooks::Webhooks>,
}

impl AppState {
    /// State around `store`, on the system clock, with default settings.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_http(store, HttpConfig::default())
    }

    /// State around `store` with these HTTP settings.
    pub fn with_http(store: Arc<dyn Store>, http: HttpConfig) -> Self {
        Self {
            events: EventHub::new(store.clone()),
            store,
            metrics: Arc::new(Metrics::new()),
            clock: Clock::System,
            passwords: Passwords::new(http.password_hashers()),
            http: Arc::new(http),
            imports: crate::services::imports::Running::default(),
            webhooks: Arc::new(crate::services::webhooks::Webhooks::ephemeral()),
        }
    }

    /// This state with these webhook settings.
    pub fn with_webhooks(mut self, webhooks: crate::services::webhooks::Webhooks) -> Self {
        self.webhooks = Arc::new(webhooks);
        self
    }
}

/// The source of "now". Handlers read it once per request and pass it down,
/// so a test can pin time and assert exact figures for active sessions.
#[derive(Clone, Debug)]
pub enum Clock {
    /// Wall-clock time.
    System,
    /// A settable instant, in Unix seconds.
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    /// A clock stopped at `instant`.
    pub fn fixed(instant: Timestamp) -> Self {
        Self::Fixed(Arc::new(AtomicI64::new(instant.as_second())))
    }

    /// Moves a fixed clock to `instant`; the system clock ignores it.
    pub fn set(&self, instant: Timestamp) {
        if let Self::Fixed(seconds) = self {
            seconds.store(instant.as_second(), Ordering::SeqCst);
        }
    }

    /// The current instant, in whole seconds.
    pub fn now(&self) -> Timestamp {
        match self {
            Self::System => from_unix_seconds(Timestamp::now().as_second()),
            Self::Fixed(seconds) => from_unix_seconds(seconds.load(Ordering::SeqCst)),
        }
    }
}
