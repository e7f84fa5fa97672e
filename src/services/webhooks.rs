//! Webhook endpoints beyond their rows: adding one with a new secret,
//! rotating it, pinging it (the API and the web app share these), and the
//! server key their secrets are sealed under. Deliveries themselves are
//! `crate::delivery`'s.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    config::{Backend, DatabaseConfig, WebhookConfig},
    domain::{
        RuleViolation,
        delivery::RetrySchedule,
        sealing::ServerKey,
        webhooks::{
            NetworkPolicy, NewWebhook, OLD_SECRET_SECONDS, PING, Secret, Webhook, WebhookPatch,
            WebhookUrl, seal_context,
        },
    },
    error::{AppError, AppResult},
    services::outbound::{Attempt, Clients, Delivery, send},
    services::state::AppState,
};

/// The name of the key file.
const KEY_FILE: &str = "hyperfocus.key";

/// Everything a delivery needs besides the store.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// What webhook secrets are sealed under.
    pub key: ServerKey,
    /// Which addresses may be reached.
    pub policy: NetworkPolicy,
    /// The waits between a failed attempt and the next.
    pub schedule: RetrySchedule,
    /// The HTTP clients deliveries reuse.
    pub clients: Arc<Clients>,
    /// Whether this process sends deliveries (it always writes events).
    pub deliver: bool,
}

impl Webhooks {
    /// A random key, the default policy and schedule, for tests and tools
    /// that never meet a stored secret from another run.
    pub fn ephemeral() -> Self {
        Self {
            key: ServerKey::generate().expect("the system's random source answers"),
            policy: NetworkPolicy::default(),
            schedule: RetrySchedule::default(),
            clients: Arc::default(),
            deliver: true,
        }
    }

    /// The secrets that sign for `webhook` at Unix second `now`: the
    /// current one, and a rotated one until it expires.
    pub fn signing_secrets(&self, webhook: &Webhook, now: i64) -> Result<Vec<Secret>, String> {
        let context = seal_context(webhook.user_id);
        let open = |sealed: &[u8]| {
            self.key
                .open(sealed, &context)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .map(Secret::from_bytes)
        };
        let current = open(&webhook.sealed_secret).ok_or_else(|| {
            format!(
                "the secret of endpoint {} was sealed under another server key (was --secret-key changed?); give it a new one with POST …/rotate-secret",
                webhook.id
            )
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

    /// The configured key (`--secret-key`, or the file `--secret-key-file`
    /// names); without one, on SQLite the key file beside the database
    /// (made if missing). On PostgreSQL a process never makes a key of its
    /// own: processes sharing a database would each make a different one,
    /// and a secret sealed by one could not be opened, nor its deliveries
    /// signed, by another.
    pub fn load(config: &WebhookConfig, database: &DatabaseConfig) -> anyhow::Result<Self> {
        let key = match (&config.secret_key, &config.secret_key_file) {
            (Some(raw), _) => ServerKey::parse(raw)
                .map_err(|e| anyhow::anyhow!("--secret-key (HYPERFOCUS_SECRET_KEY): {e}"))?,
            (None, Some(path)) => key_from_named_file(path)?,
            (None, None) => match database.backend()? {
                Backend::Sqlite(path) => key_from_file(&key_path(&path))?,
                Backend::Postgres(_) => anyhow::bail!(NO_SHARED_KEY),
            },
        };
        Ok(Self {
            key,
            policy: config.webhook_allow_networks.clone(),
            schedule: config.webhook_retry_schedule.clone(),
            clients: Arc::default(),
            deliver: !config.no_webhook_deliveries,
        })
    }
}

/// Why a PostgreSQL server will not start without a key, and how to give it one.
const NO_SHARED_KEY: &str = "a PostgreSQL server needs the key webhook secrets are sealed under, the same for every process on the database, and will not make one of its own (each process would make a different one, and could not sign what another sealed). Make one once with `openssl rand -base64 32`, then give it to every process with --secret-key (HYPERFOCUS_SECRET_KEY) or, from a file, --secret-key-file (HYPERFOCUS_SECRET_KEY_FILE)";

/// `hyperfocus.key` beside the SQLite file at `database`.
fn key_path(database: &Path) -> PathBuf {
    let dir = database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    dir.join(KEY_FILE)
}

/// The key in the file `--secret-key-file` names, which must exist.
fn key_from_named_file(path: &Path) -> anyhow::Result<ServerKey> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the key file {} (--secret-key-file): {e}; make one with `openssl rand -base64 32 > {}`",
            path.display(),
            path.display()
        )
    })?;
    ServerKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The key in `hyperfocus.key` beside a SQLite file, made on first start.
fn key_from_file(path: &Path) -> anyhow::Result<ServerKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => ServerKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = ServerKey::generate()?;
            write_private(path, &key.encoded())?;
            tracing::warn!(
                path = %path.display(),
                "made a new secret key for webhook secrets; back it up, apart from the database's backups"
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
/// An address no delivery could reach (an IP address in a refused
/// network) is refused here, not retried for a day.
pub async fn create(
    state: &AppState,
    user_id: i64,
    new: NewWebhook,
) -> AppResult<(Webhook, Secret)> {
    state
        .webhooks
        .policy
        .check_url(&new.url)
        .map_err(RuleViolation::from)?;
    let (secret, sealed) = new_secret(state, user_id)?;
    let webhook = state
        .store
        .create_webhook(user_id, new, sealed, state.clock.now())
        .await?;
    Ok((webhook, secret))
}

/// Changes an endpoint; a new address is checked as [`create`] checks one.
pub async fn update(
    state: &AppState,
    user_id: i64,
    id: i64,
    patch: WebhookPatch,
) -> AppResult<Webhook> {
    if let Some(url) = &patch.url {
        state
            .webhooks
            .policy
            .check_url(url)
            .map_err(RuleViolation::from)?;
    }
    Ok(state.store.update_webhook(user_id, id, patch).await?)
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

/// Sends a signed `ping` to an endpoint now: what it answered, and the
/// message's id.
pub async fn ping(state: &AppState, user_id: i64, id: i64) -> AppResult<(Attempt, String)> {
    let webhook = state.store.get_webhook(user_id, id).await?;
    let now = state.clock.now();
    let secrets = state
        .webhooks
        .signing_secrets(&webhook, now.as_second())
        .map_err(RuleViolation::Conflict)?;
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
        &state.webhooks.clients,
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

    #[test]
    fn a_postgresql_server_takes_a_given_key_and_never_makes_one() {
        let dir = tempfile::tempdir().unwrap();
        let postgres = DatabaseConfig {
            database_url: "postgres://hf@127.0.0.1:5432/hf".into(),
            sqlite_readers: 1,
            pool_size: 1,
        };
        let refused = Webhooks::load(&WebhookConfig::default(), &postgres).unwrap_err();
        let said = refused.to_string();
        assert!(
            said.starts_with("a PostgreSQL server needs the key"),
            "{said}"
        );
        assert!(
            said.contains("openssl rand -base64 32") && said.contains("--secret-key-file"),
            "{said}"
        );
        assert!(!dir.path().join(KEY_FILE).exists());

        let given = ServerKey::generate().unwrap();
        let file = dir.path().join("key.txt");
        std::fs::write(&file, format!("{}\n", given.encoded())).unwrap();
        let from_file = WebhookConfig {
            secret_key_file: Some(file.clone()),
            ..WebhookConfig::default()
        };
        assert_eq!(Webhooks::load(&from_file, &postgres).unwrap().key, given);
        let missing = WebhookConfig {
            secret_key_file: Some(dir.path().join("nowhere.txt")),
            ..WebhookConfig::default()
        };
        let said = Webhooks::load(&missing, &postgres).unwrap_err().to_string();
        assert!(
            said.starts_with("cannot read the key file") && said.contains("openssl rand"),
            "{said}"
        );
        assert!(!dir.path().join("nowhere.txt").exists(), "never made");
    }
}
