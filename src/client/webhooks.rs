//! `hyperfocus webhooks`: the endpoints told of your changes — listed,
//! added (the secret printed once), pinged, given a new secret, deleted —
//! and their deliveries, listed and retried.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use jiff::tz::TimeZone;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::output::say;
use super::{Context, output::day_and_clock};

/// `hyperfocus webhooks`.
#[derive(Debug, Args)]
pub struct WebhooksArgs {
    #[command(subcommand)]
    pub action: Option<WebhookAction>,
}

/// What to do with endpoints; without one, list them.
#[derive(Debug, Subcommand)]
pub enum WebhookAction {
    /// Add an endpoint; its signing secret is printed this once.
    ///
    /// Example: hyperfocus webhooks add https://hooks.example.com/focus --events session.started,session.ended
    #[command(verbatim_doc_comment)]
    Add {
        /// Where deliveries go.
        url: String,
        /// The events it takes, comma-separated.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "session.started,session.ended"
        )]
        events: Vec<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// Send a signed ping now and print what the endpoint answered.
    Test {
        /// The endpoint's id.
        id: i64,
    },
    /// Give an endpoint a new secret (the old one signs too for 24 hours).
    RotateSecret {
        /// The endpoint's id.
        id: i64,
    },
    /// Delete an endpoint.
    Delete {
        /// The endpoint's id.
        id: i64,
    },
    /// The endpoint's latest deliveries, newest first, with each attempt.
    Deliveries {
        /// The endpoint's id.
        id: i64,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Deliver an event again now (its id from `webhooks deliveries`).
    Retry {
        /// The endpoint's id.
        id: i64,
        /// The delivery's id.
        delivery: i64,
    },
}

/// An endpoint as the API answers it.
#[derive(Debug, Deserialize)]
struct Endpoint {
    id: i64,
    url: String,
    events: Vec<String>,
    description: String,
    enabled: bool,
    disabled_reason: Option<String>,
}

/// Runs `hyperfocus webhooks [add | test | rotate-secret | delete]`.
pub async fn webhooks(context: &mut Context, args: WebhooksArgs) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    let user = context.user_id().await?;
    let base = format!("/users/{user}/webhooks");
    let Some(action) = args.action else {
        let listed: Vec<Value> = context.api.get(&base).await?;
        if context.out.json {
            return context.out.print_json(&listed).map(|()| ExitCode::SUCCESS);
        }
        if listed.is_empty() {
            say!("No webhooks yet. Add one: hyperfocus webhooks add https://…");
        }
        for value in listed {
            let endpoint: Endpoint = serde_json::from_value(value)?;
            say!("{}", describe(&endpoint, &context.out));
        }
        return Ok(ExitCode::SUCCESS);
    };
    let answer: Value = match action {
        WebhookAction::Add {
            url,
            events,
            description,
        } => {
            let body = json!({"url": url, "events": events, "description": description.unwrap_or_default()});
            let made: Value = context
                .api
                .json(Method::POST, &base, Some(&body), None)
                .await?;
            if !context.out.json {
                let endpoint: Endpoint = serde_json::from_value(made.clone())?;
                say!("Added webhook {}.", describe(&endpoint, &context.out));
                say!(
                    "Its signing secret, shown this once: {}",
                    made["secret"].as_str().unwrap_or("")
                );
            }
            made
        }
        WebhookAction::Test { id } => {
            let tried: Value = context
                .api
                .json(Method::POST, &format!("{base}/{id}/test"), None, None)
                .await?;
            if !context.out.json {
                say!("{}", attempt_line(&tried));
            }
            if tried["delivered"] != true {
                if context.out.json {
                    context.out.print_json(&tried)?;
                }
                return Ok(ExitCode::from(1));
            }
            tried
        }
        WebhookAction::RotateSecret { id } => {
            let rotated: Value = context
                .api
                .json(
                    Method::POST,
                    &format!("{base}/{id}/rotate-secret"),
                    None,
                    None,
                )
                .await?;
            if !context.out.json {
                say!(
                    "New secret for webhook {id}, shown this once: {}\nThe old one signs too until {}.",
                    rotated["secret"].as_str().unwrap_or(""),
                    rotated["previous_secret_expires_at"]
                        .as_str()
                        .unwrap_or("tomorrow")
                );
            }
            rotated
        }
        WebhookAction::Delete { id } => {
            context.api.delete(&format!("{base}/{id}")).await?;
            if !context.out.json {
                say!("Webhook {id} deleted.");
            }
            return Ok(ExitCode::SUCCESS);
        }
        WebhookAction::Deliveries { id, limit } => {
            let listed: Vec<Value> = context
                .api
                .get(&format!("{base}/{id}/deliveries?limit={limit}"))
                .await?;
            if context.out.json {
                return context.out.print_json(&listed).map(|()| ExitCode::SUCCESS);
            }
            if listed.is_empty() {
                say!("Nothing delivered to webhook {id} in the last 30 days.");
            }
            context.refresh_zone().await?;
            let zone = context.zone();
            for delivery in &listed {
                say!("{}", delivery_line(delivery, &context.out, &zone));
            }
            return Ok(ExitCode::SUCCESS);
        }
        WebhookAction::Retry { id, delivery } => {
            let due: Value = context
                .api
                .json(
                    Method::POST,
                    &format!("{base}/{id}/deliveries/{delivery}/retry"),
                    None,
                    None,
                )
                .await?;
            if !context.out.json {
                say!(
                    "Delivery {delivery} ({}) is due again now.",
                    due["event_type"].as_str().unwrap_or("event")
                );
            }
            due
        }
    };
    if context.out.json {
        context.out.print_json(&answer)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `3 https://… (session.started, session.ended) · phone on silent`.
fn describe(endpoint: &Endpoint, out: &super::output::Output) -> String {
    let mut line = format!(
        "{} {} ({})",
        endpoint.id,
        out.bold(&endpoint.url),
        endpoint.events.join(", ")
    );
    if !endpoint.description.is_empty() {
        line.push_str(&format!(" · {}", endpoint.description));
    }
    if !endpoint.enabled {
        line.push_str(&out.red(" · off"));
        if let Some(reason) = &endpoint.disabled_reason {
            line.push_str(&format!(": {reason}"));
        }
    }
    line
}

/// `12 session.ended Fri 4 Dec 10:30 delivered · 500, 200 (3 ms)`, times
/// in `zone`.
fn delivery_line(delivery: &Value, out: &super::output::Output, zone: &TimeZone) -> String {
    let local = |field: &str| {
        delivery[field]
            .as_str()
            .and_then(|raw| raw.parse::<jiff::Timestamp>().ok())
            .map(|at| day_and_clock(at, zone))
    };
    let attempts = delivery["attempts"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let statuses: Vec<String> = attempts
        .iter()
        .map(|a| match a["status"].as_u64() {
            Some(status) => status.to_string(),
            None => "no answer".to_owned(),
        })
        .collect();
    let state = delivery["state"].as_str().unwrap_or("");
    let shown_state = match state {
        "delivered" => out.green(state),
        "failed" => out.red(state),
        _ => state.to_owned(),
    };
    let mut line = format!(
        "{} {} {} {shown_state}",
        delivery["id"],
        delivery["event_type"].as_str().unwrap_or(""),
        local("created_at").unwrap_or_default()
    );
    if let Some(last) = attempts.last() {
        line.push_str(&format!(
            " · {} ({} ms)",
            statuses.join(", "),
            last["latency_ms"]
        ));
        if state != "delivered"
            && let Some(error) = last["error"].as_str()
        {
            line.push_str(&format!(": {error}"));
        }
    }
    if let Some(next) = local("next_attempt_at") {
        line.push_str(&format!(" · next try {next}"));
    }
    line
}

/// What a test ping's answer says, in a sentence.
fn attempt_line(tried: &Value) -> String {
    match (tried["delivered"].as_bool(), tried["error"].as_str()) {
        (Some(true), _) => format!(
            "Delivered: the endpoint answered {} in {} ms.",
            tried["status"], tried["latency_ms"]
        ),
        (_, Some(error)) => format!("Not delivered: {error}."),
        _ => "Not delivered.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_reads_as_one_line_with_its_attempts() {
        let out = super::super::output::Output {
            json: false,
            color: false,
        };
        let madrid = TimeZone::get("Europe/Madrid").unwrap();
        let failing = json!({"id": 12, "event_type": "session.ended", "state": "pending",
            "created_at": "2026-12-04T09:30:00Z", "next_attempt_at": "2026-12-04T09:35:00Z",
            "attempts": [{"status": 500, "latency_ms": 4, "error": "answered 500 Internal Server Error"},
                         {"status": null, "latency_ms": 5001, "error": "could not connect"}]});
        assert_eq!(
            delivery_line(&failing, &out, &madrid),
            "12 session.ended Fri 4 Dec 10:30 pending · 500, no answer (5001 ms): could not connect · next try Fri 4 Dec 10:35"
        );
        let done = json!({"id": 3, "event_type": "goal.met", "state": "delivered",
            "created_at": "2026-12-04T09:30:00Z", "next_attempt_at": null,
            "attempts": [{"status": 204, "latency_ms": 2, "error": null}]});
        assert_eq!(
            delivery_line(&done, &out, &madrid),
            "3 goal.met Fri 4 Dec 10:30 delivered · 204 (2 ms)"
        );
    }

    #[test]
    fn a_ping_reads_as_a_sentence() {
        assert_eq!(
            attempt_line(&json!({"delivered": true, "status": 204, "latency_ms": 12})),
            "Delivered: the endpoint answered 204 in 12 ms."
        );
        assert_eq!(
            attempt_line(
                &json!({"delivered": false, "error": "answered 500 Internal Server Error"})
            ),
            "Not delivered: answered 500 Internal Server Error."
        );
    }
}
