//! The HTTP edge: the routing table, and one module per resource.
//!
//! Every route is registered through [`OpenApiRouter`] with `routes!`, so a
//! route cannot exist without its OpenAPI entry.

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, header},
    middleware,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::AppError, state::AppState, telemetry};

pub mod docs;
pub mod extract;
pub mod interruptions;
pub mod service;
pub mod sessions;
pub mod stats;
pub mod users;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The routes and their OpenAPI document, before any middleware.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .routes(routes!(service::root))
        .routes(routes!(service::healthz))
        .routes(routes!(service::readyz))
        .routes(routes!(service::metrics))
        .routes(routes!(users::create_user))
        .routes(routes!(users::get_me))
        .routes(routes!(users::rotate_token))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(sessions::start_session))
        .routes(routes!(sessions::end_session))
        .routes(routes!(sessions::get_session, sessions::delete_session))
        .routes(routes!(sessions::list_user_sessions))
        .routes(routes!(interruptions::create_interruption))
        .routes(routes!(interruptions::end_interruption))
        .routes(routes!(
            interruptions::get_interruption,
            interruptions::update_interruption,
            interruptions::delete_interruption
        ))
        .routes(routes!(interruptions::list_session_interruptions))
        .routes(routes!(stats::get_summary))
        .routes(routes!(stats::get_interruption_types))
        .routes(routes!(stats::get_productive_hours))
        .routes(routes!(stats::get_peak_distraction_time))
        .routes(routes!(stats::get_weekly_pattern))
        .routes(routes!(stats::get_daily))
        .routes(routes!(stats::get_heatmap))
        .routes(routes!(stats::get_overview))
}

/// The generated OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The whole application: routes, docs pages and middleware.
pub fn app(state: AppState) -> Router {
    let (router, openapi) = routes().split_for_parts();
    router
        .merge(docs::pages(openapi))
        .route_layer(middleware::from_fn(telemetry::tag_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), telemetry::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION]))
        .with_state(state)
}

async fn not_found(request: Request) -> AppError {
    let path = request.uri().path();
    let hint = if matches!(path, "/users" | "/interruptions") {
        format!("; did you mean {path}/ ?")
    } else {
        "; see /docs for every route".to_owned()
    };
    AppError::NotFound(format!("no route {} {path}{hint}", request.method()))
}

async fn method_not_allowed(request: Request) -> AppError {
    AppError::MethodNotAllowed(format!(
        "{} is not allowed on {}; see /docs for the methods each route accepts",
        request.method(),
        request.uri().path()
    ))
}
