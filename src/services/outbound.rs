//! The one HTTP client that reaches webhook endpoints. Every address the
//! name resolves to is checked against the [`NetworkPolicy`]; the request
//! goes to a checked address only, follows no redirect and no proxy, and
//! reads at most 64 KiB of the answer.
//!
//! Clients are kept per host and checked address, so that deliveries to
//! one endpoint reuse its connections; the name is still resolved and
//! checked on every attempt, and a client only ever connects to the
//! address it was built for.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::domain::{
    delivery::retry_after_seconds,
    webhooks::{NetworkPolicy, Secret, WebhookUrl, signature_header},
};

/// How long an endpoint has to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an answer that is read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Clients kept before the cache starts over: one per endpoint in use.
const MAX_CLIENTS: usize = 1024;

/// HTTP clients by host and the checked address they connect to.
#[derive(Debug, Default)]
pub struct Clients {
    kept: Mutex<HashMap<(String, SocketAddr), reqwest::Client>>,
}

impl Clients {
    /// The client for `host` pinned to `address`, built on first use.
    fn pinned(&self, host: &str, address: SocketAddr) -> Result<reqwest::Client, String> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = kept.get(&(host.to_owned(), address)) {
            return Ok(client.clone());
        }
        if kept.len() >= MAX_CLIENTS {
            kept.clear();
        }
        // Another part of the process may have installed it first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(DELIVERY_TIMEOUT)
            .resolve(host, address)
            .user_agent(concat!("HyperFocus-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("no HTTP client: {e}"))?;
        kept.insert((host.to_owned(), address), client.clone());
        Ok(client)
    }
}

/// One request to an endpoint, to send.
pub struct Delivery<'a> {
    /// Where.
    pub url: &'a WebhookUrl,
    /// `webhook-id`: the same on every attempt of one message.
    pub id: &'a str,
    /// `webhook-timestamp`: this attempt's Unix seconds.
    pub timestamp: i64,
    /// The JSON body.
    pub body: &'a [u8],
    /// The secrets that sign it (two while a rotated one still signs).
    pub secrets: &'a [&'a Secret],
}

/// What an endpoint answered, or why it could not be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// From sending to the end of the (capped) answer.
    pub latency_ms: i64,
    /// Why the attempt failed; `None` for a 2xx.
    pub error: Option<String>,
    /// `Retry-After` in seconds (sent as seconds or as an HTTP date), when
    /// the endpoint sent one.
    pub retry_after: Option<i64>,
    /// The first bytes of the answer, as text.
    pub answer: String,
}

impl Attempt {
    /// An attempt that never got an answer.
    pub fn failed(started: Instant, error: String) -> Self {
        Self {
            status: None,
            latency_ms: elapsed_ms(started),
            error: Some(error),
            retry_after: None,
            answer: String::new(),
        }
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Sends one delivery; never panics, and says what happened.
pub async fn send(policy: &NetworkPolicy, clients: &Clients, delivery: Delivery<'_>) -> Attempt {
    let started = Instant::now();
    let url = delivery.url.url();
    let (host, port) = match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => (host.trim_matches(['[', ']']).to_owned(), port),
        _ => return Attempt::failed(started, "the URL has no host".into()),
    };
    let address = match checked_address(policy, &host, port).await {
        Ok(address) => address,
        Err(error) => return Attempt::failed(started, error),
    };
    // Pinned to the address just checked: the name is never resolved
    // again between the check and the connection.
    let client = match clients.pinned(&host, address) {
        Ok(client) => client,
        Err(error) => return Attempt::failed(started, error),
    };
    let signature = signature_header(
        delivery.secrets,
        delivery.id,
        delivery.timestamp,
        delivery.body,
    );
    let sent = client
        .post(url.clone())
        .header("content-type", "application/json")
        .header("webhook-id", delivery.id)
        .header("webhook-timestamp", delivery.timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.body.to_vec())
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(e) => return Attempt::failed(started, describe(&e)),
    };
    let status = response.status();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        });
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after_seconds(v, now));
    let mut answer = Vec::new();
    while answer.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
            _ => break,
        }
    }
    answer.truncate(MAX_ANSWER_BYTES);
    let error = if status.is_success() {
        None
    } else if status.is_redirection() {
        Some(format!(
            "answered {status}; redirects are not followed, so give the final URL"
        ))
    } else {
        Some(format!("answered {status}"))
    };
    Attempt {
        status: Some(status.as_u16()),
        latency_ms: elapsed_ms(started),
        error,
        retry_after,
        answer: String::from_utf8_lossy(&answer)
            .chars()
            .take(1000)
            .collect(),
    }
}

/// The first resolved address of `host` the policy allows; any refused
/// address refuses the whole name, so a name cannot mix a public address
/// with a private one.
async fn checked_address(
    policy: &NetworkPolicy,
    host: &str,
    port: u16,
) -> Result<SocketAddr, String> {
    // An address needs no resolver (which would run on a blocking thread).
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        policy.check(ip)?;
        return Ok(SocketAddr::new(ip, port));
    }
    let resolved: Vec<SocketAddr> =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("resolving {host} took too long"))?
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
    let first = *resolved
        .first()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    for address in &resolved {
        policy.check(address.ip())?;
    }
    Ok(first)
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        format!("the request failed: {error}")
    }
}
