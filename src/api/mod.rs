//! The HTTP edge: the routing table, and one module per resource.
//!
//! Every route is registered through [`OpenApiRouter`] with `routes!`, so a
//! route cannot exist without its OpenAPI entry.

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::AppError, state::AppState, telemetry};

pub mod auth;
pub mod calendar;
pub mod docs;
pub mod export;
pub mod extract;
pub mod goals;
pub mod import;
pub mod interruptions;
pub mod live;
pub mod rate_limit;
pub mod service;
pub mod sessions;
pub mod stats;
pub mod tokens;
pub mod users;
pub mod webhooks;

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
        .routes(routes!(users::set_password))
        .routes(routes!(auth::login))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::delete_token))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(sessions::start_session))
        .routes(routes!(sessions::get_current_session))
        .routes(routes!(sessions::end_session))
        .routes(routes!(
            sessions::get_session,
            sessions::update_session,
            sessions::delete_session
        ))
        .routes(routes!(sessions::list_user_sessions))
        .routes(routes!(interruptions::create_interruption))
        .routes(routes!(interruptions::end_interruption))
        .routes(routes!(
            interruptions::get_interruption,
            interruptions::update_interruption,
            interruptions::delete_interruption
        ))
        .routes(routes!(interruptions::list_session_interruptions))
        .routes(routes!(live::get_events))
        .routes(routes!(export::get_export))
        .routes(routes!(
            calendar::put_calendar_feed,
            calendar::delete_calendar_feed
        ))
        .routes(routes!(calendar::get_calendar))
        .routes({
            // Files are larger than any other body.
            let (schemas, paths, route) = routes!(import::create_import);
            (
                schemas,
                paths,
                route.layer(DefaultBodyLimit::max(import::MAX_IMPORT_BYTES)),
            )
        })
        .routes(routes!(stats::get_summary))
        .routes(routes!(stats::get_interruption_types))
        .routes(routes!(stats::get_productive_hours))
        .routes(routes!(stats::get_peak_distraction_time))
        .routes(routes!(stats::get_weekly_pattern))
        .routes(routes!(stats::get_daily))
        .routes(routes!(stats::get_heatmap))
        .routes(routes!(stats::get_overview))
        .routes(routes!(goals::list_goals, goals::create_goal))
        .routes(routes!(
            goals::get_goal,
            goals::update_goal,
            goals::delete_goal
        ))
        .routes(routes!(goals::get_goal_progress))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::rotate_webhook_secret))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::retry_delivery))
}

/// The routes and their finished OpenAPI document.
fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = routes().split_for_parts();
    docs::document_rate_limits(&mut openapi);
    docs::mark_open_operations(&mut openapi);
    docs::unwrap_optional_bodies(&mut openapi);
    (router, openapi)
}

/// The generated OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// The whole application: routes, docs pages and middleware.
pub fn app(state: AppState) -> Router {
    let (router, openapi) = split();
    router
        .merge(docs::pages(openapi))
        .merge(crate::web::router())
        .route_layer(middleware::from_fn(telemetry::tag_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn({
            let limit = state.http.request_timeout;
            move |request, next| deadline(limit, request, next)
        }))
        .layer(tower::util::option_layer(
            rate_limit::Limiter::new(state.http.rate_limit, state.http.client_ip_header.clone())
                .map(|limiter| middleware::from_fn_with_state(limiter, rate_limit::limit)),
        ))
        .layer(cors(&state.http.cors_origins))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The docs pages set their own policy; everything else is data.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
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
        // A registration's Idempotency-Key opens the token sealed for its
        // retry, so it is kept out of traces like the token itself.
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            HeaderName::from_static("idempotency-key"),
        ]))
        .with_state(state)
}

/// Answers 503 when a request outlives `--request-timeout`, so that a client
/// is never left waiting on a stuck database. The handler is dropped; a write
/// it had already handed to the database may still be applied.
async fn deadline(limit: std::time::Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout(limit.as_millis()).into_response(),
    }
}

/// CORS for the configured origins only; with none, browsers get no CORS
/// headers and so no cross-origin access.
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    if origins.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([
            header::LOCATION,
            header::LINK,
            sessions::NEXT_CURSOR.clone(),
            header::RETRY_AFTER,
            REQUEST_ID.clone(),
            rate_limit::RATELIMIT_LIMIT.clone(),
            rate_limit::RATELIMIT_REMAINING.clone(),
            rate_limit::RATELIMIT_RESET.clone(),
        ])
        .max_age(std::time::Duration::from_secs(600))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::{body::Body, routing::get};
    use tower::ServiceExt;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_request_past_the_deadline_is_a_503_problem() {
        let router = Router::new()
            .route("/slow", get(|| tokio::time::sleep(Duration::from_secs(60))))
            .route("/fast", get(|| async { "done" }))
            .layer(middleware::from_fn(|request, next| {
                deadline(Duration::from_secs(30), request, next)
            }));
        let slow = router
            .clone()
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(slow.status(), 503);
        assert_eq!(
            slow.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let fast = router
            .oneshot(Request::get("/fast").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(fast.status(), 200);
    }

    #[tokio::test]
    async fn cors_answers_only_the_configured_origins() {
        let preflight = |origin: &'static str| {
            Request::options("/x")
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .body(Body::empty())
                .unwrap()
        };
        let allowed = HeaderValue::from_static("https://app.example.com");
        let open = Router::new()
            .route("/x", get(|| async { "" }))
            .layer(cors(&[allowed]));
        let yes = open
            .clone()
            .oneshot(preflight("https://app.example.com"))
            .await
            .unwrap();
        assert_eq!(
            yes.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://app.example.com"
        );
        let no = open
            .oneshot(preflight("https://evil.example"))
            .await
            .unwrap();
        assert!(
            no.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        let closed = Router::new()
            .route("/x", get(|| async { "" }))
            .layer(cors(&[]));
        let off = closed
            .oneshot(preflight("https://app.example.com"))
            .await
            .unwrap();
        assert!(
            off.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
}
