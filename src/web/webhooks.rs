//! Webhook endpoints in Settings: added (the secret shown once), tested
//! with a signed ping, turned off and on, given a new secret, deleted —
//! through the same code as the API.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;

use super::{
    Visitor, WebError, answer,
    session::{CsrfForm, Posted},
    settings::{Plain, with_webhook_secret},
};
use crate::{
    db::DeliveryRecord,
    domain::{
        delivery::{DeliveryState, KEPT_SECONDS},
        webhooks::{EVENT_TYPES, NewWebhook, Secret, Webhook, WebhookPatch},
    },
    error::AppError,
    services::state::AppState,
};

/// Where every webhook form goes back to.
const BACK: &str = "/app/settings#webhooks-heading";

/// An endpoint as Settings lists it.
pub struct WebhookRow {
    /// Its id, for the forms.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// Its events, comma-separated.
    pub events: String,
    /// The person's words for it.
    pub description: String,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why the server turned it off, if it did.
    pub disabled_reason: String,
    /// How its latest delivery went, in words.
    pub last_delivery: String,
}

/// The user's endpoints, each with how its latest delivery went.
pub async fn rows(state: &AppState, visitor: &Visitor) -> Result<Vec<WebhookRow>, AppError> {
    let zone = visitor.zone().zone();
    let since = crate::db::wall_ms() - KEPT_SECONDS * 1000;
    let mut rows = Vec::new();
    for w in state.store.list_webhooks(visitor.user_id()).await? {
        let latest = state
            .store
            .list_deliveries(visitor.user_id(), w.id, since, None, 1)
            .await?;
        rows.push(WebhookRow {
            id: w.id,
            url: w.url,
            events: w.events.join(", "),
            description: w.description,
            enabled: w.enabled,
            disabled_reason: w.disabled_reason.unwrap_or_default(),
            last_delivery: latest
                .first()
                .map_or_else(|| "No delivery yet.".to_owned(), |d| describe(d, &zone)),
        });
    }
    Ok(rows)
}

/// "Last: session.ended, 3 Dec 14:03 — delivered (200)." and the like.
fn describe(delivery: &DeliveryRecord, zone: &jiff::tz::TimeZone) -> String {
    let when = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|at| {
                at.to_zoned_datetime(zone.clone())
                    .strftime("%-d %b %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let last = delivery.attempts.last();
    let answered = last
        .and_then(|a| a.status)
        .map(|status| format!(" ({status})"))
        .unwrap_or_default();
    let outcome = match (delivery.state, last) {
        (DeliveryState::Delivered, _) => format!("delivered{answered}"),
        (DeliveryState::Pending, None) => "on its way".to_owned(),
        (DeliveryState::Pending, Some(attempt)) => format!(
            "attempt {} failed: {}; next try {}",
            delivery.attempts.len(),
            attempt.error.as_deref().unwrap_or("no answer"),
            delivery.next_attempt_at_ms.map(when).unwrap_or_default()
        ),
        (DeliveryState::Failed, attempt) => format!(
            "failed after {} attempts: {}",
            delivery.attempts.len(),
            attempt
                .and_then(|a| a.error.as_deref())
                .unwrap_or("no answer")
        ),
    };
    format!(
        "Last: {}, {} — {outcome}.",
        delivery.event_type,
        when(delivery.created_at_ms)
    )
}

/// The add form: an address, a description, and a checkbox per event
/// (`event:session.started`, …).
#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    csrf: String,
    url: String,
    #[serde(default)]
    description: String,
    #[serde(flatten)]
    ticked: HashMap<String, String>,
}

impl CsrfForm for WebhookForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Adds an endpoint and shows its secret once.
pub async fn create(State(state): State<AppState>, posted: Posted<WebhookForm>) -> Response {
    let Posted { visitor, form } = posted;
    let events: Vec<String> = EVENT_TYPES
        .iter()
        .filter(|name| form.ticked.contains_key(&format!("event:{name}")))
        .map(|name| (*name).to_owned())
        .collect();
    let made = async {
        visitor.require_write()?;
        let new = NewWebhook::parse(&form.url, &events, Some(form.description.trim().to_owned()))
            .map_err(AppError::from)?;
        Ok::<_, WebError>(crate::services::webhooks::create(&state, visitor.user_id(), new).await?)
    }
    .await;
    show_secret(
        &state,
        &visitor,
        made,
        "Webhook added. Copy its secret now: it is not shown again.",
    )
    .await
}

/// Settings with the new secret shown once, or the error as a message.
async fn show_secret(
    state: &AppState,
    visitor: &Visitor,
    made: Result<(Webhook, Secret), WebError>,
    notice: &str,
) -> Response {
    match made {
        Ok((_, secret)) => with_webhook_secret(state, visitor, secret.shown(), notice).await,
        Err(e) => answer(Err(e), BACK),
    }
}

/// Sends a signed ping and says what the endpoint answered.
pub async fn test(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        let (attempt, _) = crate::services::webhooks::ping(&state, visitor.user_id(), id).await?;
        match attempt.error {
            None => Ok(format!(
                "Ping delivered: the endpoint answered {} in {} ms.",
                attempt.status.unwrap_or(200),
                attempt.latency_ms
            )),
            Some(error) => Err(WebError::from(AppError::invalid(
                "ping",
                format!("not delivered: {error}"),
            ))),
        }
    }
    .await;
    answer(result, BACK)
}

/// Gives an endpoint a new secret and shows it once.
pub async fn rotate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let rotated = async {
        visitor.require_write()?;
        Ok::<_, WebError>(crate::services::webhooks::rotate(&state, visitor.user_id(), id).await?)
    }
    .await;
    show_secret(
        &state,
        &visitor,
        rotated,
        "New secret made; the old one signs too for 24 hours. Copy it now: it is not shown again.",
    )
    .await
}

/// Turns an endpoint off, or back on.
pub async fn toggle(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        let current = state.store.get_webhook(visitor.user_id(), id).await?;
        let patch = WebhookPatch {
            enabled: Some(!current.enabled),
            ..WebhookPatch::default()
        };
        let changed = state
            .store
            .update_webhook(visitor.user_id(), id, patch)
            .await?;
        Ok(if changed.enabled {
            "Webhook turned on.".to_owned()
        } else {
            "Webhook turned off: nothing is sent to it until you turn it on.".to_owned()
        })
    }
    .await;
    answer(result, BACK)
}

/// Deletes an endpoint.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        state.store.delete_webhook(visitor.user_id(), id).await?;
        Ok("Webhook deleted.".to_owned())
    }
    .await;
    answer(result, BACK)
}
