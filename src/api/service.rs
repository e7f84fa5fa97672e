//! Service endpoints: banner, liveness, readiness, metrics.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::docs::Unavailable;
use crate::{error::AppResult, state::AppState};

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
#[utoipa::path(get, path = "/", tag = "service", responses((status = 200, description = "The banner", body = RootOut)))]
pub async fn root() -> axum::Json<RootOut> {
    axum::Json(RootOut {
        message: "HyperFocus API is running 🚀",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Liveness: 200 while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200, description = "Healthy", body = StatusOut)))]
pub async fn healthz() -> axum::Json<StatusOut> {
    axum::Json(StatusOut { status: "ok" })
}

/// Readiness: 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, description = "Healthy", body = StatusOut), (status = 503, response = Unavailable)))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<axum::Json<StatusOut>> {
    state.store.ping().await?;
    Ok(axum::Json(StatusOut { status: "ok" }))
}

/// Prometheus metrics: request counts and latency histograms by method,
/// route template and status.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
        state.metrics.render(),
    )
}
