//! HyperFocus: focus sessions, interruptions and what they cost, over HTTP.
//!
//! The library builds the whole application so that the binary and the tests
//! run the very same thing: [`open_store`] picks the backend from the URL,
//! [`app`] builds the router, [`serve`] runs it until shutdown.

use std::{future::Future, sync::Arc};

use tokio::net::TcpListener;

pub mod admin;
pub mod api;
pub mod client;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod maintenance;
pub mod net;
pub mod services;
pub mod telemetry;
pub mod web;

pub use api::openapi;
use config::{Backend, DatabaseConfig};
use db::{Store, postgres::PostgresStore, sqlite::SqliteStore};
use services::state::AppState;

/// The whole application: the API and the web app, two edges over the same
/// services, inside the layers every request passes through.
pub fn app(state: AppState) -> axum::Router {
    http::wrap(api::router().merge(web::router()), state)
}

/// Opens the configured database, applying pending migrations.
pub async fn open_store(config: &DatabaseConfig) -> anyhow::Result<Arc<dyn Store>> {
    match config.backend()? {
        Backend::Sqlite(path) => {
            let readers = config.sqlite_readers.into();
            let store =
                tokio::task::spawn_blocking(move || SqliteStore::open(&path, readers)).await??;
            Ok(Arc::new(store))
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::open(&url, config.pool_size.into()).await?;
            Ok(Arc::new(store))
        }
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then ends the
/// live event streams (telling their clients to come back in a second),
/// lets in-flight requests finish for up to `--shutdown-grace` (5 s by
/// default: well inside the 10 s a container manager gives before it kills
/// the process), drops any still open, and closes the database cleanly.
/// Background work (`maintenance`, webhook `delivery`) runs meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = state.store.clone();
    let purger = tokio::spawn(maintenance::purge_expired_keys_forever(
        store.clone(),
        state.clock.clone(),
    ));
    let deliveries = state.webhooks.deliver.then(|| {
        tokio::spawn(delivery::run_forever(
            store.clone(),
            state.webhooks.clone(),
            state.clock.clone(),
        ))
    });
    let goal_checks = tokio::spawn(delivery::goals::check_forever(
        store.clone(),
        state.events.goal_checks(),
        state.clock.clone(),
    ));
    let events = state.events.clone();
    let grace = state.http.shutdown_grace;
    let stopping = Arc::new(tokio::sync::Notify::new());
    let shutdown = {
        let stopping = stopping.clone();
        async move {
            shutdown.await;
            // Streams never end on their own: without this, one open tab
            // would hold the shutdown up for as long as it stays open.
            events.close();
            stopping.notify_one();
        }
    };
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown);
    let served = tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(
                grace_ms = grace.as_millis(),
                "requests still in flight after the shutdown grace; dropping them"
            );
            Ok(())
        }
    };
    purger.abort();
    // An attempt cut short is tried again once its lease runs out.
    if let Some(deliveries) = deliveries {
        deliveries.abort();
    }
    goal_checks.abort();
    store.close().await;
    tracing::info!("stopped; database closed");
    Ok(served?)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
