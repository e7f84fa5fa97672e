//! The OpenAPI document's shared parts, and the pages that render it.

use axum::{
    Router,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::get,
};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use utoipa_redoc::{Redoc, Servable};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{FieldErrorOut, Problem};

pub use responses::*;

/// Reusable error responses. They are described, never built: each names the
/// problem+json body of one status for the OpenAPI document.
#[allow(dead_code)]
mod responses {
    use utoipa::ToResponse;

    use crate::error::Problem;

    /// Malformed JSON or a missing body, or the resource is in the wrong state
    /// for the operation (for example, ending a session that already ended).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct BadRequest(Problem);

    /// Missing, malformed or replaced bearer token. Carries `WWW-Authenticate: Bearer`.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Unauthorized(Problem);

    /// The path or body names a user other than the token's own.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Forbidden(Problem);

    /// No such resource among the token's user's data (other users' data is
    /// reported as missing, never as forbidden).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct NotFound(Problem);

    /// The request clashes with stored data; `detail` names what it clashes with.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Conflict(Problem);

    /// The body is larger than 1 MiB.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct TooLarge(Problem);

    /// The body is not `application/json`.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct NotJson(Problem);

    /// A field, query or path parameter is invalid or unknown; `errors` lists each.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Invalid(Problem);

    /// Past the client's rate limit; retry after `Retry-After` seconds.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        headers(
            ("Retry-After" = u64, description = "Seconds until the next request will be accepted"),
            ("RateLimit-Limit" = u32, description = "Requests the client may send at once"),
            ("RateLimit-Remaining" = u32, description = "Requests left now (0 here)"),
            ("RateLimit-Reset" = u64, description = "Seconds until the full limit is available again"),
        )
    )]
    pub struct TooManyRequests(Problem);

    /// The database is unreachable.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Unavailable(Problem);
}

/// Swagger UI at `/docs`, ReDoc at `/redoc` and the document at
/// `/openapi.json`. Every asset is compiled into the binary, so the pages
/// work with no internet access.
pub fn pages<S: Clone + Send + Sync + 'static>(openapi: utoipa::openapi::OpenApi) -> Router<S> {
    Router::new()
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi.clone()))
        .merge(Redoc::with_url("/redoc", openapi).custom_html(REDOC_HTML))
        .route("/redoc/redoc.standalone.js", get(redoc_script))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        ))
}

/// Everything from this server only; the inline script that starts each
/// page, the inline styles both UIs use, and ReDoc's search worker (a blob)
/// are the exceptions. Nothing may frame the pages.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; \
     frame-ancestors 'none'";

const REDOC_HTML: &str = include_str!("../../assets/redoc/redoc.html");
const REDOC_JS: &str = include_str!("../../assets/redoc/redoc.standalone.js");

async fn redoc_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        REDOC_JS,
    )
}

/// The document's title, description, reusable parts and security scheme.
/// Paths are added by the routing table, so no route can be left out.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "HyperFocus API",
        description = include_str!("openapi_description.md"),
    ),
    modifiers(&BearerAuth, &NoLicense),
    components(
        schemas(Problem, FieldErrorOut),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid, TooManyRequests, Unavailable)
    ),
    tags(
        (name = "service", description = "Health, readiness, metrics and documentation"),
        (name = "users", description = "Registration, profile and API tokens"),
        (name = "sessions", description = "Focus sessions"),
        (name = "interruptions", description = "Interruptions inside a focus session"),
        (name = "stats", description = "Reports over a time window, in the user's time zone"),
    )
)]
pub struct ApiDoc;

/// Lists the 429 answer on every operation the rate limit covers. It is
/// added to the finished document because the routes are only known then.
pub fn document_rate_limits(openapi: &mut utoipa::openapi::OpenApi) {
    let too_many = utoipa::openapi::Ref::from_response_name("TooManyRequests");
    for (path, item) in &mut openapi.paths.paths {
        if super::rate_limit::EXEMPT.contains(&path.as_str()) {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .insert("429".to_owned(), too_many.clone().into());
        }
    }
}

/// utoipa fills `info.license` from Cargo.toml, which names none; an empty
/// license object would render as a blank "License:" line in the docs.
struct NoLicense;

impl Modify for NoLicense {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.info.license = None;
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `api_token` returned by `POST /users/` or `POST /users/me/token`.",
                    ))
                    .build(),
            ),
        );
    }
}
