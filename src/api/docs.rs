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

    /// Refused by the HTTP layer before any route runs: a request that is
    /// not valid HTTP/1.1 or HTTP/2 (400), or whose headers are too large
    /// (431). The probes themselves never answer 4xx: they take no input
    /// and are exempt from rate limits.
    #[derive(ToResponse)]
    pub struct Unreadable;
}

pub use crate::domain::views::WeekdayName;

/// An IANA time zone name, from the database compiled into the server, so
/// that the list is exactly what it accepts. (Names are also accepted in
/// any letter case.)
pub struct IanaZone;

impl utoipa::PartialSchema for IanaZone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{
            extensions::ExtensionsBuilder,
            schema::{ObjectBuilder, Type},
        };
        let names = crate::domain::time::known_zone_names();
        let constants: Vec<String> = names.iter().map(|name| zone_constant(name)).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An IANA time zone name, such as `Europe/Madrid`"))
            .enum_values(Some(names))
            .extensions(Some(
                ExtensionsBuilder::new()
                    .add("x-enum-varnames", constants)
                    .build(),
            ))
            .into()
    }
}

impl utoipa::ToSchema for IanaZone {}

/// The constant a generated client names a zone by (`x-enum-varnames`):
/// `Etc/GMT+5` and `Etc/GMT-5` differ only in punctuation, which generators
/// drop, so the sign is spelled out (`ETC_GMT_PLUS_5`, `ETC_GMT_MINUS_5`).
pub fn zone_constant(name: &str) -> String {
    let mut constant = String::with_capacity(name.len() + 8);
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        let before_digit = chars.peek().is_some_and(char::is_ascii_digit);
        match c {
            '+' if before_digit => constant.push_str("_PLUS_"),
            '-' if before_digit => constant.push_str("_MINUS_"),
            c if c.is_ascii_alphanumeric() => constant.push(c.to_ascii_uppercase()),
            _ => constant.push('_'),
        }
    }
    constant
}

/// The `Idempotency-Key` header of the creates that take one.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKeyHeader {
    /// Any unique string (send a UUID). For 24 hours, a retry with the same
    /// key and body creates nothing and answers 201 with what the first
    /// request created; the same key with another body is a 422. Leave the
    /// header out when retries do not matter.
    #[param(
        rename = "Idempotency-Key",
        nullable = false,
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]+$",
        example = "5f0c8a9e-2b1d-4c7e-9a3f-6d2e8b1c4a70"
    )]
    key: Option<String>,
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
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    components(
        schemas(Problem, FieldErrorOut, IanaZone),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid, TooManyRequests, Unavailable, Unreadable)
    ),
    tags(
        (name = "service", description = "Health, readiness, metrics and documentation"),
        (name = "users", description = "Registration, profile and API tokens"),
        (name = "sessions", description = "Focus sessions"),
        (name = "interruptions", description = "Interruptions inside a focus session"),
        (name = "stats", description = "Reports over a time window, in the user's time zone"),
        (name = "goals", description = "Goals for a day or a week, their progress and streaks"),
        (name = "webhooks", description = "Endpoints told of changes, signed as Standard Webhooks"),
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
        for operation in operations_of(item) {
            operation
                .responses
                .responses
                .insert("429".to_owned(), too_many.clone().into());
        }
    }
}

/// Declares the operations that name no security requirement as open
/// (`security: []`), so that a reader or a linter never has to guess whether
/// a requirement was forgotten. Which routes are open is decided by their
/// `#[utoipa::path]` alone.
pub fn mark_open_operations(openapi: &mut utoipa::openapi::OpenApi) {
    for operation in operations(openapi) {
        operation.security.get_or_insert_with(Vec::new);
    }
}

/// An optional request body (`request_body(content = Option<T>)`) is one a
/// client may leave out, not one it may send as `null`: utoipa writes it as
/// `oneOf: [T, null]`, which generated clients turn into "send null" (and
/// the server refuses null). This writes it as plain `T` on a body that is
/// not `required`.
pub fn unwrap_optional_bodies(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, schema::Schema};
    for operation in operations(openapi) {
        let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
            continue;
        };
        for content in body.content.values_mut() {
            let RefOr::T(content) = content else {
                continue;
            };
            let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema else {
                continue;
            };
            let mut present = one_of.items.iter().filter(|item| !is_null(item));
            if let (Some(only), None) = (present.next(), present.next()) {
                content.schema = Some(only.clone());
            }
        }
    }
}

fn is_null(schema: &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> bool {
    use utoipa::openapi::{
        RefOr,
        schema::{Schema, SchemaType, Type},
    };
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == SchemaType::Type(Type::Null))
}

/// Every operation of the document.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(operations_of)
}

/// The operations of one path.
fn operations_of(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::zone_constant;

    #[test]
    fn every_zone_has_a_constant_of_its_own() {
        assert_eq!(zone_constant("Etc/GMT+5"), "ETC_GMT_PLUS_5");
        assert_eq!(zone_constant("Etc/GMT-5"), "ETC_GMT_MINUS_5");
        assert_eq!(
            zone_constant("America/Port-au-Prince"),
            "AMERICA_PORT_AU_PRINCE"
        );
        let names = crate::domain::time::known_zone_names();
        // Generators keep letters and digits and fold the rest into `_`.
        let folded: HashSet<String> = names
            .iter()
            .map(|name| {
                zone_constant(name)
                    .split('_')
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join("_")
            })
            .collect();
        assert_eq!(folded.len(), names.len());
    }
}
