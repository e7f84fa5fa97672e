//! Service endpoints: banner, liveness, readiness, metrics.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::docs::{Unavailable, Unreadable};
use crate::{error::AppResult, services::state::AppState};

/// The banner.
#[derive(Debug, Serialize, ToSchema)]
pub struct RootOut {
    /// Always `HyperFocus API is running 🚀`.
    pub message: &'static str,
    /// The server's version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
}

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOut {
    /// `ok`.
    pub status: &'static str,
}

/// Banner with the running version.
///
/// Open to anyone: the quickest check that a client reaches a HyperFocus
/// server, and which version it runs. A browser (a request that accepts
/// `text/html`) is sent on to the web app at `/app/` instead.
#[utoipa::path(get, path = "/", tag = "service",
    responses(
        (status = 200, description = "The banner", body = RootOut),
        (status = 303, description = "A browser: to the web app",
            headers(("Location" = String, description = "`/app/`"))),
    ))]
pub async fn root(headers: HeaderMap) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser {
        return Redirect::to("/app/").into_response();
    }
    axum::Json(RootOut {
        message: "HyperFocus API is running 🚀",
        version: env!("CARGO_PKG_VERSION"),
    })
    .into_response()
}

/// Liveness: 200 while the process serves requests.
///
/// For a supervisor or an orchestrator: it touches no database, so it says
/// only that the process is up and answering. Never rate-limited.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Healthy", body = StatusOut), (status = "4XX", response = Unreadable)))]
pub async fn healthz() -> axum::Json<StatusOut> {
    axum::Json(StatusOut { status: "ok" })
}

/// Readiness: 200 when the database answers, 503 otherwise.
///
/// Runs a trivial query. A load balancer should send traffic to a process
/// only while it answers 200. Never rate-limited.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses(
        (status = 200, description = "Healthy", body = StatusOut),
        (status = "4XX", response = Unreadable),
        (status = 503, response = Unavailable),
    ))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<axum::Json<StatusOut>> {
    state.store.ping().await?;
    Ok(axum::Json(StatusOut { status: "ok" }))
}

/// Prometheus metrics: request counts and latency histograms by method,
/// route template and status.
///
/// For Prometheus to scrape: `hyperfocus_http_requests_total` and the
/// histogram `hyperfocus_http_request_duration_seconds`, labelled by method,
/// route template (such as `/sessions/{session_id}`) and status. Never
/// rate-limited.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
        (status = "4XX", response = Unreadable),
    ))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
        state.metrics.render(),
    )
}
