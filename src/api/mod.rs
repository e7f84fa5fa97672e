//! The HTTP edge: the routing table, and one module per resource.
//!
//! Every route is registered through [`OpenApiRouter`] with `routes!`, so a
//! route cannot exist without its OpenAPI entry.

use axum::{Router, extract::DefaultBodyLimit};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::services::state::AppState;

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

/// The API's routes with their documentation pages (`/docs`, `/redoc`,
/// `/openapi.json`), before the layers every request passes through.
pub fn router() -> Router<AppState> {
    let (router, openapi) = split();
    router.merge(docs::pages(openapi))
}
