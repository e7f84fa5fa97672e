//! Webhook endpoints beyond their rows: adding one with a new secret,
//! rotating it, pinging it (the API and the web app share these), the
//! server key their secrets are sealed under, and the one HTTP client that
//! reaches them — every address the
//! name resolves to is checked against the [`NetworkPolicy`], the request
//! goes to a checked address only, follows no redirect and no proxy, and
//! reads at most 64 KiB of the answer.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    config::{Backend, DatabaseConfig, WebhookConfig},
    domain::{
        RuleViolation,
        sealing::ServerKey,
        webhooks::{
            NetworkPolicy, NewWebhook, OLD_SECRET_SECONDS, PING, Secret, Webhook, WebhookUrl,
            seal_context, signature_header,
        },
    },
    error::{AppError, AppResult},
    state::AppState,
};

/// How long an endpoint has to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an answer that is read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The name of the key file.
const KEY_FILE: &str = "hyperfocus.key";

/// Everything a delivery needs besides the store.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// What webhook secrets are sealed under.
    pub key: ServerKey,
    /// Which addresses may be reached.
    pub policy: NetworkPolicy,
}

impl Webhooks {
    /// A random key and the default policy, for tests and tools that
    /// never meet a stored secret from another run.
    pub fn ephemeral() -> Self {
        Self {
            key: ServerKey::generate().expect("the system's random source answers"),
            policy: NetworkPolicy::default(),
        }
    }

    /// The configured key, or the key file's (made if missing).
    pub fn load(config: &WebhookConfig, database: &DatabaseConfig) -> anyhow::Result<Self> {
        let key = match &config.secret_key {
            Some(raw) => ServerKey::parse(raw).map_err(anyhow::Error::msg)?,
            None => key_from_file(&key_path(database))?,
        };
        Ok(Self {
            key,
            policy: config.webhook_allow_networks.clone(),
        })
    }
}

/// `hyperfocus.key` beside the SQLite file, or in the working directory.
fn key_path(database: &DatabaseConfig) -> PathBuf {
    let dir = match database.backend() {
        Ok(Backend::Sqlite(path)) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        _ => PathBuf::from("."),
    };
    dir.join(KEY_FILE)
}

fn key_from_file(path: &Path) -> anyhow::Result<ServerKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => ServerKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = ServerKey::generate()?;
            write_private(path, &key.encoded())?;
            tracing::warn!(
                path = %path.display(),
                "made a new secret key for webhook secrets; keep it with the database (several processes need --secret-key)"
            );
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes())?;
    Ok(())
}

/// A new secret, and it sealed for `user_id`'s row.
fn new_secret(state: &AppState, user_id: i64) -> AppResult<(Secret, Vec<u8>)> {
    let secret = Secret::generate().map_err(|e| AppError::Internal(e.into()))?;
    let sealed = state
        .webhooks
        .key
        .seal(secret.bytes(), &seal_context(user_id))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((secret, sealed))
}

/// Adds an endpoint with a new secret: the API's and the web app's add.
pub async fn create(
    state: &AppState,
    user_id: i64,
    new: NewWebhook,
) -> AppResult<(Webhook, Secret)> {
    let (secret, sealed) = new_secret(state, user_id)?;
    let webhook = state
        .store
        .create_webhook(user_id, new, sealed, state.clock.now())
        .await?;
    Ok((webhook, secret))
}

/// Gives an endpoint a new secret; the old one signs on for a day.
pub async fn rotate(state: &AppState, user_id: i64, id: i64) -> AppResult<(Webhook, Secret)> {
    let (secret, sealed) = new_secret(state, user_id)?;
    let until = state.clock.now().as_second() + OLD_SECRET_SECONDS;
    let webhook = state
        .store
        .rotate_webhook_secret(user_id, id, sealed, until)
        .await?;
    Ok((webhook, secret))
}

/// A message id: `msg_` and 16 random bytes.
fn message_id() -> AppResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.into()))?;
    Ok(format!("msg_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The secrets that sign for `webhook` now: the current one, and a
/// rotated one until it expires.
fn signing_secrets(state: &AppState, webhook: &Webhook, now: i64) -> AppResult<Vec<Secret>> {
    let context = seal_context(webhook.user_id);
    let open = |sealed: &[u8]| {
        state
            .webhooks
            .key
            .open(sealed, &context)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .map(Secret::from_bytes)
    };
    let current = open(&webhook.sealed_secret).ok_or_else(|| {
        AppError::from(RuleViolation::Conflict(format!(
            "the secret of endpoint {} was sealed under another server key (was --secret-key changed?); give it a new one with POST …/rotate-secret",
            webhook.id
        )))
    })?;
    let mut secrets = vec![current];
    if let Some((sealed, until)) = &webhook.previous
        && *until > now
        && let Some(old) = open(sealed)
    {
        secrets.push(old);
    }
    Ok(secrets)
}

/// Sends a signed `ping` to an endpoint now: what it answered, and the
/// message's id.
pub async fn ping(state: &AppState, user_id: i64, id: i64) -> AppResult<(Attempt, String)> {
    let webhook = state.store.get_webhook(user_id, id).await?;
    let now = state.clock.now();
    let secrets = signing_secrets(state, &webhook, now.as_second())?;
    let url = WebhookUrl::parse(&webhook.url).map_err(RuleViolation::from)?;
    let message = message_id()?;
    let body = serde_json::to_vec(&serde_json::json!({
        "id": message,
        "type": PING,
        "timestamp": now,
        "data": {"webhook_id": webhook.id},
    }))
    .map_err(|e| AppError::Internal(e.into()))?;
    let signing: Vec<&Secret> = secrets.iter().collect();
    let attempt = send(
        &state.webhooks.policy,
        Delivery {
            url: &url,
            id: &message,
            timestamp: now.as_second(),
            body: &body,
            secrets: &signing,
        },
    )
    .await;
    Ok((attempt, message))
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
    /// `Retry-After` in seconds, when the endpoint sent one.
    pub retry_after: Option<i64>,
    /// The first bytes of the answer, as text.
    pub answer: String,
}

impl Attempt {
    fn failed(started: Instant, error: String) -> Self {
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
pub async fn send(policy: &NetworkPolicy, delivery: Delivery<'_>) -> Attempt {
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
    // Another part of the process may have installed it first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // A client per delivery, pinned to the address just checked: the name
    // is never resolved again between the check and the connection.
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(DELIVERY_TIMEOUT)
        .resolve(&host, address)
        .user_agent(concat!("HyperFocus-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => return Attempt::failed(started, format!("no HTTP client: {e}")),
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
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn database_in(dir: &Path) -> DatabaseConfig {
        DatabaseConfig {
            database_url: format!("sqlite://{}", dir.join("focus.db").display()),
            sqlite_readers: 1,
            pool_size: 1,
        }
    }

    #[test]
    fn the_key_is_made_once_beside_the_database_readable_by_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let database = database_in(dir.path());
        let first = Webhooks::load(&WebhookConfig::default(), &database).unwrap();
        let again = Webhooks::load(&WebhookConfig::default(), &database).unwrap();
        assert_eq!(first.key, again.key);
        let file = dir.path().join(KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let given = ServerKey::generate().unwrap();
        let configured = WebhookConfig {
            secret_key: Some(given.encoded()),
            ..WebhookConfig::default()
        };
        assert_eq!(Webhooks::load(&configured, &database).unwrap().key, given);
        std::fs::write(&file, "not a key").unwrap();
        let broken = Webhooks::load(&WebhookConfig::default(), &database).unwrap_err();
        assert!(
            broken.to_string().contains("base64 of 32 bytes"),
            "{broken}"
        );
    }
}
