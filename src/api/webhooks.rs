//! `/users/{user_id}/webhooks`: endpoints that are told of changes, signed
//! as Standard Webhooks defines, with their secrets, rotation, a test ping,
//! and the record of every delivery.

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{BadRequest, Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized},
    extract::{ApiQuery, Auth, Json, PathId, PathIds, PathTriple, non_null},
    sessions::NEXT_CURSOR,
};
use crate::{
    db::{DeliveryRecord, wall_ms},
    domain::{
        delivery::{DeliveryState, KEPT_SECONDS},
        time::from_unix_seconds,
        webhooks::{NewWebhook, Webhook, WebhookPatch},
    },
    error::{AppError, AppResult},
    services::outbound::Attempt,
    services::state::AppState,
};

/// An endpoint to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookIn {
    /// Where deliveries go: `https://` (or `http://`), at most 2048
    /// characters, no user or password in it.
    #[schema(example = "https://hooks.example.com/focus", max_length = 2048)]
    pub url: String,
    /// The events it takes, at least one.
    #[schema(value_type = Vec<EventName>, min_items = 1, example = json!(["session.started", "session.ended"]))]
    pub events: Vec<String>,
    /// Your own words for it, at most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub description: Option<String>,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatchIn {
    /// A new address.
    #[schema(nullable = false, max_length = 2048)]
    #[serde(default, deserialize_with = "non_null")]
    pub url: Option<String>,
    /// New events.
    #[schema(nullable = false, value_type = Option<Vec<EventName>>, min_items = 1)]
    #[serde(default, deserialize_with = "non_null")]
    pub events: Option<Vec<String>>,
    /// A new description.
    #[schema(nullable = false, max_length = 500)]
    #[serde(default, deserialize_with = "non_null")]
    pub description: Option<String>,
    /// `false` stops deliveries; `true` resumes them (and clears why the
    /// server stopped them).
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "non_null")]
    pub enabled: Option<bool>,
}

/// The events an endpoint may take.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum EventName {
    /// A session started (or was logged).
    #[schema(rename = "session.started")]
    SessionStarted,
    /// A session ended.
    #[schema(rename = "session.ended")]
    SessionEnded,
    /// A session was corrected.
    #[schema(rename = "session.updated")]
    SessionUpdated,
    /// A session was deleted.
    #[schema(rename = "session.deleted")]
    SessionDeleted,
    /// An interruption was logged.
    #[schema(rename = "interruption.created")]
    InterruptionCreated,
    /// An interruption ended.
    #[schema(rename = "interruption.ended")]
    InterruptionEnded,
    /// An interruption was corrected.
    #[schema(rename = "interruption.updated")]
    InterruptionUpdated,
    /// An interruption was deleted.
    #[schema(rename = "interruption.deleted")]
    InterruptionDeleted,
    /// A goal's period was met.
    #[schema(rename = "goal.met")]
    GoalMet,
    /// A goal's period was missed.
    #[schema(rename = "goal.missed")]
    GoalMissed,
}

/// An endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Where deliveries go.
    pub url: String,
    /// The events it takes.
    #[schema(value_type = Vec<EventName>)]
    pub events: Vec<String>,
    /// Your words for it.
    pub description: String,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why the server stopped deliveries (`410 Gone`, days without a
    /// success); `null` otherwise.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    /// Until when a rotated secret still signs beside the new one (UTC);
    /// `null` when only one signs.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub previous_secret_expires_at: Option<Timestamp>,
    /// When it was added (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl WebhookOut {
    fn of(webhook: Webhook, now: Timestamp) -> Self {
        Self {
            previous_secret_expires_at: webhook
                .previous
                .as_ref()
                .map(|(_, until)| from_unix_seconds(*until))
                .filter(|until| *until > now),
            id: webhook.id,
            user_id: webhook.user_id,
            url: webhook.url,
            events: webhook.events,
            description: webhook.description,
            enabled: webhook.enabled,
            disabled_reason: webhook.disabled_reason,
            created_at: webhook.created_at,
        }
    }
}

/// An endpoint with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretOut {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_` and the base64 of 32 random bytes: what receivers verify
    /// signatures with. Shown only here; keep it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwJbGbU9ToyBE=")]
    pub secret: String,
}

/// Add an endpoint.
///
/// The answer carries `secret` once. Deliveries are POSTs of `{"id",
/// "type", "timestamp", "data"}` with the headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `id.timestamp.body` under the secret's bytes), so any
/// Standard Webhooks library verifies them. A user keeps at most 20.
///
/// An address whose host is an IP address in a network deliveries may not
/// reach (loopback, private, link-local, shared, multicast or reserved,
/// unless the server allows that network) is refused with 422 on `url`:
/// no delivery could ever arrive. A host name is checked at each delivery
/// against the addresses it resolves to then.
#[utoipa::path(post, path = "/users/{user_id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    request_body = WebhookIn,
    responses(
        (status = 201, description = "Added, with its secret shown once", body = WebhookWithSecretOut,
            headers(("Location" = String, description = "The endpoint's path"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn create_webhook(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    Json(body): Json<WebhookIn>,
) -> AppResult<impl IntoResponse> {
    auth.require_self(user_id)?;
    let new = NewWebhook::parse(&body.url, &body.events, body.description)?;
    let now = state.clock.now();
    let (webhook, secret) = crate::services::webhooks::create(&state, user_id, new).await?;
    let location = format!("/users/{user_id}/webhooks/{}", webhook.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(WebhookWithSecretOut {
            webhook: WebhookOut::of(webhook, now),
            secret: secret.shown(),
        }),
    ))
}

/// The user's endpoints, oldest first.
///
/// Secrets are never listed.
#[utoipa::path(get, path = "/users/{user_id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id")),
    responses(
        (status = 200, description = "Every endpoint", body = Vec<WebhookOut>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
) -> AppResult<axum::Json<Vec<WebhookOut>>> {
    auth.require_self(user_id)?;
    let now = state.clock.now();
    let listed = state.store.list_webhooks(user_id).await?;
    Ok(axum::Json(
        listed.into_iter().map(|w| WebhookOut::of(w, now)).collect(),
    ))
}

/// One endpoint.
///
/// Another user's endpoint id is a 404.
#[utoipa::path(get, path = "/users/{user_id}/webhooks/{webhook_id}", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "The endpoint", body = WebhookOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn get_webhook(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
) -> AppResult<axum::Json<WebhookOut>> {
    auth.require_self(user_id)?;
    let webhook = state.store.get_webhook(user_id, id).await?;
    Ok(axum::Json(WebhookOut::of(webhook, state.clock.now())))
}

/// Change an endpoint's address, events, description, or whether it is on.
///
/// A new address is checked as on adding one: an IP address in a refused
/// network is a 422 on `url`.
///
/// Send only what changes.
#[utoipa::path(patch, path = "/users/{user_id}/webhooks/{webhook_id}", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
    ),
    request_body = WebhookPatchIn,
    responses(
        (status = 200, description = "The changed endpoint", body = WebhookOut),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 422, response = Invalid),
    ))]
pub async fn update_webhook(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
    Json(body): Json<WebhookPatchIn>,
) -> AppResult<axum::Json<WebhookOut>> {
    auth.require_self(user_id)?;
    let patch = WebhookPatch::parse(
        body.url.as_deref(),
        body.events.as_deref(),
        body.description,
        body.enabled,
    )?;
    let webhook = crate::services::webhooks::update(&state, user_id, id, patch).await?;
    Ok(axum::Json(WebhookOut::of(webhook, state.clock.now())))
}

/// Delete an endpoint.
///
/// Nothing more is sent to it.
#[utoipa::path(delete, path = "/users/{user_id}/webhooks/{webhook_id}", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
) -> AppResult<StatusCode> {
    auth.require_self(user_id)?;
    state.store.delete_webhook(user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give an endpoint a new secret.
///
/// The answer carries the new `secret` once. For 24 hours both sign: each
/// delivery's `webhook-signature` holds two signatures, so receivers can
/// switch over without losing one.
#[utoipa::path(post, path = "/users/{user_id}/webhooks/{webhook_id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "The new secret, shown once", body = WebhookWithSecretOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
) -> AppResult<axum::Json<WebhookWithSecretOut>> {
    auth.require_self(user_id)?;
    let now = state.clock.now();
    let (webhook, secret) = crate::services::webhooks::rotate(&state, user_id, id).await?;
    Ok(axum::Json(WebhookWithSecretOut {
        webhook: WebhookOut::of(webhook, now),
        secret: secret.shown(),
    }))
}

/// What an endpoint answered a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptOut {
    /// Whether it answered 2xx in time.
    pub delivered: bool,
    /// Its HTTP status; `null` when it could not be reached.
    #[schema(required = true)]
    pub status: Option<u16>,
    /// Milliseconds from sending to the end of the answer.
    pub latency_ms: i64,
    /// Why it failed (refused address, no answer, a status that is not
    /// 2xx); `null` when delivered.
    #[schema(required = true)]
    pub error: Option<String>,
    /// The first 1000 characters of its answer.
    pub response_body: String,
    /// The message's `webhook-id`.
    pub message_id: String,
}

impl AttemptOut {
    fn of(attempt: Attempt, message_id: String) -> Self {
        Self {
            delivered: attempt.error.is_none(),
            status: attempt.status,
            latency_ms: attempt.latency_ms,
            error: attempt.error,
            response_body: attempt.answer,
            message_id,
        }
    }
}

/// Send a `ping` to an endpoint now, and say what it answered.
///
/// The ping is signed like every delivery, with `"type": "ping"` and
/// `"data": {"webhook_id": …}`; it is sent even to a disabled endpoint and
/// not retried. The address is checked as every delivery's is: one that
/// resolves to a loopback, private, link-local or other non-public
/// address is refused unless the server allows that network.
#[utoipa::path(post, path = "/users/{user_id}/webhooks/{webhook_id}/test", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "What the endpoint answered (or why it could not be reached)", body = AttemptOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Invalid),
    ))]
pub async fn test_webhook(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
) -> AppResult<axum::Json<AttemptOut>> {
    auth.require_self(user_id)?;
    let (attempt, id) = crate::services::webhooks::ping(&state, user_id, id).await?;
    Ok(axum::Json(AttemptOut::of(attempt, id)))
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptOut {
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    pub attempted_at: Timestamp,
    /// The endpoint's HTTP status; `null` when it could not be reached.
    #[schema(required = true)]
    pub status: Option<u16>,
    /// Milliseconds from sending to the end of the answer.
    pub latency_ms: i64,
    /// Why it failed; `null` when it was delivered.
    #[schema(required = true)]
    pub error: Option<String>,
}

/// One event on its way to an endpoint, with every attempt so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    /// Positive id, for `…/deliveries/{delivery_id}/retry`.
    pub id: i64,
    /// The endpoint.
    pub webhook_id: i64,
    /// The event's id: the body's `id` and the `webhook-id` header of
    /// every attempt, to deduplicate by.
    #[schema(example = "evt_0f8e2c6d1a9b4e7f8c3d2b1a0e9f8d7c")]
    pub event_id: String,
    /// The event's type, such as `session.started`.
    #[schema(value_type = EventName)]
    pub event_type: String,
    /// `pending` (an attempt is due at `next_attempt_at`), `delivered`, or
    /// `failed` (every attempt failed, or the endpoint answered `410`).
    pub state: DeliveryState,
    /// When the change happened and the event was written.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When the next attempt is due; `null` unless pending.
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttemptOut>,
}

impl From<DeliveryRecord> for DeliveryOut {
    fn from(record: DeliveryRecord) -> Self {
        let at = |ms: i64| Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
        Self {
            id: record.id,
            webhook_id: record.webhook_id,
            event_id: record.event_id,
            event_type: record.event_type,
            state: record.state,
            created_at: at(record.created_at_ms),
            next_attempt_at: record.next_attempt_at_ms.map(at),
            attempts: record
                .attempts
                .into_iter()
                .map(|attempt| DeliveryAttemptOut {
                    attempted_at: at(attempt.attempted_at_ms),
                    status: attempt.status,
                    latency_ms: attempt.latency_ms,
                    error: attempt.error,
                })
                .collect(),
        }
    }
}

/// Paging of a delivery listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListParams {
    /// Page size, 1 to 100; default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Only deliveries older than this one: the previous page's
    /// `Next-Cursor` header (also in its `Link`).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

const DEFAULT_DELIVERIES: u32 = 50;
const MAX_DELIVERIES: u32 = 100;

/// List an endpoint's deliveries of the last 30 days, newest first.
///
/// Each delivery is one event for this endpoint, with every attempt made:
/// when, the status answered, how long it took and why it failed. A
/// longer history is paged with `limit` and `before`; older deliveries are
/// deleted.
#[utoipa::path(get, path = "/users/{user_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
        DeliveryListParams,
    ),
    responses(
        (status = 200, description = "Deliveries, newest first", body = [DeliveryOut],
            headers(
                ("Link" = String, description = "`<…?before=…>; rel=\"next\"` when more follow"),
                ("Next-Cursor" = String, description = "The `before` of the next page, when more follow"),
            )),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    PathIds(user_id, id): PathIds,
    ApiQuery(params): ApiQuery<DeliveryListParams>,
) -> AppResult<impl IntoResponse> {
    auth.require_self(user_id)?;
    let limit = params.limit.unwrap_or(DEFAULT_DELIVERIES);
    if !(1..=MAX_DELIVERIES).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be 1 to {MAX_DELIVERIES} (got {limit})"),
        ));
    }
    if let Some(before) = params.before
        && before < 1
    {
        return Err(AppError::invalid(
            "before",
            format!("must be a delivery id, a positive integer (got {before})"),
        ));
    }
    let since = wall_ms() - KEPT_SECONDS * 1000;
    let mut records = state
        .store
        .list_deliveries(user_id, id, since, params.before, limit + 1)
        .await?;
    let mut headers = HeaderMap::new();
    if records.len() > limit as usize {
        records.truncate(limit as usize);
        if let Some(last) = records.last() {
            let link = format!(
                "</users/{user_id}/webhooks/{id}/deliveries?limit={limit}&before={}>; rel=\"next\"",
                last.id
            );
            if let (Ok(link), Ok(cursor)) = (
                HeaderValue::from_str(&link),
                HeaderValue::from_str(&last.id.to_string()),
            ) {
                headers.insert(header::LINK, link);
                headers.insert(NEXT_CURSOR.clone(), cursor);
            }
        }
    }
    let body: Vec<DeliveryOut> = records.into_iter().map(Into::into).collect();
    Ok((headers, axum::Json(body)))
}

/// Deliver an event to its endpoint again, now.
///
/// Whatever its state, the delivery is due at once, with the same
/// `webhook-id` and body, and one more attempt than it has made; should
/// that fail, it is not retried further. The endpoint must be enabled for
/// the attempt to be made. Answers at once; the attempt appears in the
/// listing when made.
#[utoipa::path(post, path = "/users/{user_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", tag = "webhooks", security(("bearer" = [])),
    params(
        ("user_id" = i64, Path, minimum = 1, description = "User id"),
        ("webhook_id" = i64, Path, minimum = 1, description = "Endpoint id"),
        ("delivery_id" = i64, Path, minimum = 1, description = "Delivery id"),
    ),
    responses(
        (status = 202, description = "Due now", body = DeliveryOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    auth: Auth,
    PathTriple(user_id, webhook_id, id): PathTriple,
) -> AppResult<(StatusCode, axum::Json<DeliveryOut>)> {
    auth.require_self(user_id)?;
    let record = state
        .store
        .retry_delivery(user_id, webhook_id, id, wall_ms())
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(record.into())))
}
