//! Webhook endpoints in Settings: added (the secret shown once), tested
//! with a signed ping, turned off and on, given a new secret, deleted —
//! through the same code as the API.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    Visitor, WebError,
    fields::FormErrors,
    session::{CsrfForm, Posted},
    settings::{Plain, ShownOnce, answer_in, form_failed, settings, shown_here},
};
use crate::{
    db::DeliveryRecord,
    domain::{
        RuleViolation,
        delivery::{DeliveryState, KEPT_SECONDS},
        webhooks::{
            EVENT_TYPES, NetworkPolicy, NewWebhook, Refusal, Secret, Webhook, WebhookPatch,
        },
    },
    error::AppError,
    services::state::AppState,
};

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
            events: w
                .events
                .iter()
                .map(|e| event_label(e))
                .collect::<Vec<_>>()
                .join(", "),
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

/// The events an endpoint may take, with the words Settings uses for each.
pub const EVENT_CHOICES: [(&str, &str); 10] = [
    ("session.started", "Focus started"),
    ("session.ended", "Focus ended"),
    ("session.updated", "Session corrected"),
    ("session.deleted", "Session deleted"),
    ("interruption.created", "Interrupted"),
    ("interruption.ended", "Back to focus"),
    ("interruption.updated", "Interruption corrected"),
    ("interruption.deleted", "Interruption deleted"),
    ("goal.met", "Goal met"),
    ("goal.missed", "Goal missed"),
];

/// The words for event `name` (a ping is a test).
fn event_label(name: &str) -> &str {
    match name {
        "ping" => "Test ping",
        other => EVENT_CHOICES
            .iter()
            .find(|(event, _)| *event == other)
            .map_or(other, |(_, label)| label),
    }
}

/// A delivery's failure in the person's words: the server's flag that
/// would allow an address is the operator's business, not theirs.
fn failure_words(error: &str) -> String {
    error
        .replace(" (see --webhook-allow-networks)", "")
        .replace(
            "webhooks go to public addresses only",
            "webhooks go only to public addresses",
        )
}

/// "Last: Focus ended, 3 Dec 14:03 — delivered (200)." and the like.
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
            failure_words(attempt.error.as_deref().unwrap_or("no answer")),
            delivery.next_attempt_at_ms.map(when).unwrap_or_default()
        ),
        (DeliveryState::Failed, attempt) => format!(
            "failed after {} attempts: {}",
            delivery.attempts.len(),
            failure_words(
                attempt
                    .and_then(|a| a.error.as_deref())
                    .unwrap_or("no answer")
            )
        ),
    };
    format!(
        "Last: {}, {} — {outcome}.",
        event_label(&delivery.event_type),
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

/// Adds an endpoint and shows its secret once, under its row.
pub async fn create(State(state): State<AppState>, posted: Posted<WebhookForm>) -> Response {
    let Posted { visitor, form } = posted;
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    let events: Vec<String> = EVENT_TYPES
        .iter()
        .filter(|name| form.ticked.contains_key(&format!("event:{name}")))
        .map(|name| (*name).to_owned())
        .collect();
    let description = form.description.trim().to_owned();
    let checked = NewWebhook::parse(&form.url, &events, Some(description))
        .map_err(|violation| said(&violation, &form, &state.webhooks.policy))
        .and_then(|new| match state.webhooks.policy.refusal_of_url(&new.url) {
            Some(refusal) => {
                let mut said = FormErrors::default();
                said.add("webhook-url", refused_address(refusal));
                Err(said)
            }
            None => Ok(new),
        });
    let new = match checked {
        Ok(new) => new,
        Err(said) => {
            return form_failed(&state, &visitor, "webhooks", said, |page| {
                page.typed.webhook_url = form.url.clone();
                page.typed.webhook_description = form.description.clone();
                page.typed.webhook_events = events.clone();
            })
            .await;
        }
    };
    let made = crate::services::webhooks::create(&state, visitor.user_id(), new)
        .await
        .map_err(WebError::from);
    show_secret(
        &state,
        &visitor,
        made,
        "Webhook added. Copy its signing secret now: it is not shown again.",
    )
    .await
}

/// The add form's errors in the person's words.
fn said(violation: &RuleViolation, form: &WebhookForm, policy: &NetworkPolicy) -> FormErrors {
    let mut said = FormErrors::default();
    let RuleViolation::Invalid(errors) = violation else {
        return said;
    };
    for error in errors {
        match error.field.as_str() {
            "url" => said.add("webhook-url", url_refused(&form.url, policy)),
            "events" => said.add("event-session.started", "Tick at least one event to send."),
            _ => said.add(
                "webhook-description",
                "What it is for must be 500 characters or fewer.",
            ),
        }
    }
    said
}

/// Why an address cannot be an endpoint, in the person's words.
fn url_refused(typed: &str, policy: &NetworkPolicy) -> String {
    let typed = typed.trim();
    if typed.is_empty() {
        return "Enter the address to send events to, such as https://hooks.example.com/focus."
            .to_owned();
    }
    match url::Url::parse(typed) {
        Err(_) => "Enter the whole address, starting with https://, such as https://hooks.example.com/focus.".to_owned(),
        Ok(url) if !matches!(url.scheme(), "https" | "http") => {
            "The address must start with https:// (or http://).".to_owned()
        }
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            "Leave the user name and password out of the address: each delivery is signed with the secret instead.".to_owned()
        }
        Ok(url) if url.fragment().is_some() => {
            "Leave the part from # out of the address.".to_owned()
        }
        Ok(_) if typed.chars().count() > crate::domain::webhooks::MAX_URL_CHARS => {
            "The address must be 2048 characters or fewer.".to_owned()
        }
        Ok(_) => match crate::domain::webhooks::WebhookUrl::parse(typed)
            .ok()
            .and_then(|url| policy.refusal_of_url(&url))
        {
            Some(refusal) => refused_address(refusal),
            None => "Enter the whole address, starting with https://, such as https://hooks.example.com/focus.".to_owned(),
        },
    }
}

/// An address in a network deliveries may not reach, in the person's words.
fn refused_address(refusal: Refusal) -> String {
    let place = match refusal.why {
        "a loopback address" => "this server itself",
        "a private address" | "a private (unique local) address" => "a private network",
        why if why.starts_with("a link-local address") => "the local network segment",
        _ => "no public network",
    };
    format!(
        "{} leads to {place}, not to the internet. Webhooks go only to public addresses: give the address your tool can be reached at from the internet.",
        refusal.ip
    )
}

/// Settings with the new secret shown once under its row, or the error as
/// a message.
async fn show_secret(
    state: &AppState,
    visitor: &Visitor,
    made: Result<(Webhook, Secret), WebError>,
    lead: &str,
) -> Response {
    match made {
        Ok((webhook, secret)) => match settings(state, visitor).await {
            Ok(mut page) => {
                page.shown = Some(ShownOnce {
                    section: "webhooks",
                    webhook: Some(webhook.id),
                    lead: lead.to_owned(),
                    value: secret.shown(),
                });
                shown_here(&page, visitor)
            }
            Err(e) => e.into_response(),
        },
        Err(e) => answer_in(state, visitor, "webhooks", Err(e)),
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
        let (attempt, _) = crate::services::webhooks::ping(&state, visitor.user_id(), id)
            .await
            .map_err(|error| match error {
                // The one clash a ping meets: a secret sealed under a key
                // this server no longer has.
                AppError::Rule(RuleViolation::Conflict(_)) => {
                    AppError::Rule(RuleViolation::Conflict(
                        "This server can no longer read the webhook's signing secret (its key was changed). Press Rotate secret to give it a new one, then test again.".into(),
                    ))
                }
                other => other,
            })?;
        match attempt.error {
            None => Ok(format!(
                "Ping delivered: the endpoint answered {} in {} ms.",
                attempt.status.unwrap_or(200),
                attempt.latency_ms
            )),
            Some(error) => Err(WebError::from(AppError::Rule(RuleViolation::WrongState(
                format!("Ping not delivered: {}.", failure_words(&error)),
            )))),
        }
    }
    .await;
    answer_in(&state, &visitor, "webhooks", result)
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
        "New signing secret made; the old one signs too for 24 hours. Copy the new one now: it is not shown again.",
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
    answer_in(&state, &visitor, "webhooks", result)
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
    answer_in(&state, &visitor, "webhooks", result)
}
