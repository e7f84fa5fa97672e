//! The layers every request passes through, whether it asks the API or the
//! web app for something: [`crate::app`] puts both edges' routes inside
//! them.

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

use crate::{
    api::{rate_limit, sessions},
    error::AppError,
    services::state::AppState,
    telemetry,
};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `routes` (the API's and the web app's) inside the layers every request
/// passes through: metrics, the not-found and wrong-method problems, the
/// body limit, the deadline, rate limits, CORS, security headers, tracing
/// and request ids.
pub fn wrap(routes: Router<AppState>, state: AppState) -> Router {
    routes
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
        .layer(middleware::from_fn_with_state(state.metrics.clone(), telemetry::track))
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
