//! A webhook receiver for benchmarks: answers every POST with 204 and
//! notes when each `webhook-id` arrived, so that delivery rates and
//! commit-to-receipt times can be measured against the outbox.
//!
//! ```text
//! cargo run --release --example webhook_receiver -- PORT
//! ```
//!
//! `GET /received` answers `webhook-id unix_ms` lines (the first receipt
//! of each id) and `GET /count` how many requests came.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{Router, extract::State, http::HeaderMap, routing::get};

#[derive(Default)]
struct Seen {
    first: Mutex<HashMap<String, i64>>,
    requests: AtomicU64,
}

async fn receive(State(seen): State<Arc<Seen>>, headers: HeaderMap) -> axum::http::StatusCode {
    let at = jiff::Timestamp::now().as_millisecond();
    seen.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
        let mut first = seen.first.lock().unwrap_or_else(|e| e.into_inner());
        first.entry(id.to_owned()).or_insert(at);
    }
    axum::http::StatusCode::NO_CONTENT
}

async fn received(State(seen): State<Arc<Seen>>) -> String {
    let first = seen.first.lock().unwrap_or_else(|e| e.into_inner());
    first
        .iter()
        .map(|(id, at)| format!("{id} {at}\n"))
        .collect()
}

async fn count(State(seen): State<Arc<Seen>>) -> String {
    seen.requests.load(Ordering::Relaxed).to_string()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(18090);
    let app = Router::new()
        .route("/hook", axum::routing::post(receive))
        .route("/received", get(received))
        .route("/count", get(count))
        .with_state(Arc::new(Seen::default()));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await
}
