//! Configuration: flags, each with a `HYPERFOCUS_*` environment variable,
//! read once at start-up and validated before anything is opened.

use std::{fmt, net::SocketAddr, num::NonZeroU32, path::PathBuf};

use clap::{Args, ValueEnum};

use crate::db::sqlite;

/// Settings of `hyperfocus serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "HYPERFOCUS_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseConfig,

    /// Log filter: a level (error, warn, info, debug, trace) or per-module
    /// directives such as `hyperfocus=debug,tower_http=info`.
    #[arg(long, env = "HYPERFOCUS_LOG", default_value = "info")]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "HYPERFOCUS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub http: HttpConfig,

    #[command(flatten)]
    pub webhooks: WebhookConfig,
}

/// Webhook deliveries and the secrets kept at rest.
#[derive(Debug, Clone, Default, Args)]
pub struct WebhookConfig {
    /// The key webhook secrets are encrypted under in the database: the
    /// base64 of 32 bytes (`openssl rand -base64 32`). Without it (or
    /// `--secret-key-file`), a SQLite server uses `hyperfocus.key` beside
    /// its file, made on first start; a PostgreSQL server refuses to start,
    /// since every process on one database must use the same key.
    #[arg(
        long,
        env = "HYPERFOCUS_SECRET_KEY",
        hide_env_values = true,
        conflicts_with = "secret_key_file"
    )]
    pub secret_key: Option<String>,

    /// A file holding the key of `--secret-key` (its only line), such as a
    /// container secret (`/run/secrets/…`). It must exist: it is never made.
    #[arg(long, env = "HYPERFOCUS_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,

    /// Networks webhooks may reach although they are not public, such as
    /// `127.0.0.0/8,::1/128` for a receiver on this machine. By default
    /// loopback, private, link-local, shared and multicast addresses are
    /// refused.
    #[arg(long, env = "HYPERFOCUS_WEBHOOK_ALLOW_NETWORKS", default_value = "",
          value_parser = parse_networks)]
    pub webhook_allow_networks: crate::domain::webhooks::NetworkPolicy,

    /// The waits between a failed webhook attempt and the next, as
    /// durations such as `5s,5m,30m`; a delivery is given up after the
    /// last. Each wait varies by up to a tenth either way.
    #[arg(long, env = "HYPERFOCUS_WEBHOOK_RETRY_SCHEDULE",
          default_value = "5s,5m,30m,2h,5h,10h,14h,20h,24h", value_parser = parse_schedule)]
    pub webhook_retry_schedule: crate::domain::delivery::RetrySchedule,

    /// Write webhook events but send none from this process: for processes
    /// that only serve the API beside others that deliver (PostgreSQL), or
    /// to pause deliveries; events wait in the outbox meanwhile.
    #[arg(long, env = "HYPERFOCUS_NO_WEBHOOK_DELIVERIES")]
    pub no_webhook_deliveries: bool,
}

fn parse_schedule(raw: &str) -> Result<crate::domain::delivery::RetrySchedule, String> {
    let waits = raw
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::domain::delivery::RetrySchedule::new(waits))
}

fn parse_networks(raw: &str) -> Result<crate::domain::webhooks::NetworkPolicy, String> {
    crate::domain::webhooks::NetworkPolicy::parse(raw)
}

/// How the HTTP edge treats requests.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Longest a request may take; past it the answer is 503 (a write
    /// already handed to the database may still be applied). E.g. `30s`, `500ms`.
    #[arg(long, env = "HYPERFOCUS_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: std::time::Duration,

    /// Browser origins allowed to call the API (CORS), comma-separated, e.g.
    /// `https://app.example.com`. None by default: CORS is off.
    #[arg(long, env = "HYPERFOCUS_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<axum::http::HeaderValue>,

    /// Requests each client may make, counted per bearer token (or per
    /// address for requests without one) in each process; one address may
    /// send ten clients' worth in all. `N/s` (or just `N`), `N/min` or
    /// `N/h`, optionally with `,burst=M` (how many may come at once; N by
    /// default). `off` disables it.
    #[arg(long, env = "HYPERFOCUS_RATE_LIMIT", default_value_t = RateLimit::DEFAULT)]
    pub rate_limit: RateLimit,

    /// Behind a reverse proxy, the request header it puts the client's
    /// address in, e.g. `X-Forwarded-For` (the last address listed is used).
    /// Unset, the address is the TCP peer's. Set it only behind a proxy that
    /// writes the header, or clients can choose their own address.
    #[arg(long, env = "HYPERFOCUS_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<axum::http::HeaderName>,

    /// On SIGTERM or Ctrl-C, how long requests in flight (a slow download,
    /// say) may take to finish before they are dropped and the database is
    /// closed. Live event streams end at once, telling their clients to
    /// reconnect. Keep it under the time a container manager waits before
    /// it kills the process (10 s for Docker).
    #[arg(long, env = "HYPERFOCUS_SHUTDOWN_GRACE", default_value = "5s", value_parser = parse_duration)]
    pub shutdown_grace: std::time::Duration,

    /// Most passwords hashed or checked at once (argon2id takes 19 MiB and
    /// tens of milliseconds of one core each). Others wait their turn, so a
    /// storm of sign-ins cannot starve other requests. Default: half the
    /// cores, at least one.
    #[arg(long, env = "HYPERFOCUS_PASSWORD_HASHERS")]
    pub password_hashers: Option<std::num::NonZeroUsize>,
}

impl HttpConfig {
    /// How many passwords may be hashed at once: as configured, or half the
    /// cores, leaving the rest to everything else.
    pub fn password_hashers(&self) -> usize {
        self.password_hashers.map_or_else(
            || std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1)),
            std::num::NonZeroUsize::get,
        )
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_timeout: std::time::Duration::from_secs(30),
            cors_origins: Vec::new(),
            rate_limit: RateLimit::DEFAULT,
            client_ip_header: None,
            shutdown_grace: std::time::Duration::from_secs(5),
            password_hashers: None,
        }
    }
}

/// How many requests one client may make: `requests` per `period`, with up
/// to `burst` at once. Parsed from and printed as `100/s,burst=200`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// No limit, for load benchmarks and trusted networks.
    Off,
    /// A limit per client.
    Limited {
        /// Requests replenished each `period`.
        requests: NonZeroU32,
        /// The period `requests` refers to.
        period: RatePeriod,
        /// Requests that may arrive at once after a quiet spell.
        burst: NonZeroU32,
    },
}

/// The unit of a [`RateLimit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatePeriod {
    /// Per second (`/s`).
    Second,
    /// Per minute (`/min`).
    Minute,
    /// Per hour (`/h`).
    Hour,
}

impl RatePeriod {
    const UNITS: [(&str, Self); 3] = [
        ("s", Self::Second),
        ("min", Self::Minute),
        ("h", Self::Hour),
    ];

    /// The period's length.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(match self {
            Self::Second => 1,
            Self::Minute => 60,
            Self::Hour => 3600,
        })
    }

    fn unit(self) -> &'static str {
        Self::UNITS
            .iter()
            .find_map(|&(unit, period)| (period == self).then_some(unit))
            .unwrap_or("s")
    }
}

impl RateLimit {
    /// 100 requests a second with bursts of 200: far above what a person or
    /// a dashboard sends, well below what one process serves, so one busy
    /// client cannot crowd out the rest, and an office behind one address
    /// still fits.
    pub const DEFAULT: Self = Self::Limited {
        requests: NonZeroU32::new(100).expect("non-zero"),
        period: RatePeriod::Second,
        burst: NonZeroU32::new(200).expect("non-zero"),
    };
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            Self::Limited {
                requests,
                period,
                burst,
            } => write!(f, "{requests}/{},burst={burst}", period.unit()),
        }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        if raw == "off" {
            return Ok(Self::Off);
        }
        let wrong =
            || format!("`{raw}` is not a rate limit such as 100/s, 600/min,burst=50 or off");
        let (rate, burst) = match raw.split_once(',') {
            Some((rate, burst)) => (rate, Some(burst.strip_prefix("burst=").ok_or_else(wrong)?)),
            None => (raw, None),
        };
        let (requests, unit) = rate.split_once('/').unwrap_or((rate, "s"));
        let requests: NonZeroU32 = requests.parse().map_err(|_| wrong())?;
        let period = RatePeriod::UNITS
            .iter()
            .find_map(|&(name, period)| (name == unit).then_some(period))
            .ok_or_else(wrong)?;
        if (period.duration() / requests.get()).is_zero() {
            return Err(format!(
                "`{raw}` is more than one request a nanosecond; use off"
            ));
        }
        let burst = match burst {
            Some(burst) => burst.parse().map_err(|_| wrong())?,
            None => requests,
        };
        Ok(Self::Limited {
            requests,
            period,
            burst,
        })
    }
}

fn parse_duration(raw: &str) -> Result<std::time::Duration, String> {
    let parsed: jiff::SignedDuration = raw
        .parse()
        .map_err(|e| format!("`{raw}` is not a duration such as 30s or 500ms: {e}"))?;
    std::time::Duration::try_from(parsed)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{raw}` must be a positive duration"))
}

fn parse_origin(raw: &str) -> Result<axum::http::HeaderValue, String> {
    let valid = (raw.starts_with("https://") || raw.starts_with("http://")) && !raw.ends_with('/');
    valid
        .then(|| axum::http::HeaderValue::from_str(raw).ok())
        .flatten()
        .ok_or_else(|| format!("`{raw}` is not an origin such as https://app.example.com"))
}

/// Where the data lives.
#[derive(Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://PATH` (the file is created if missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(
        long,
        env = "HYPERFOCUS_DATABASE_URL",
        default_value = "sqlite://hyperfocus.db"
    )]
    pub database_url: String,

    /// Read connections to keep open to a SQLite database.
    #[arg(long, env = "HYPERFOCUS_SQLITE_READERS", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub sqlite_readers: u16,

    /// Most connections to keep open to a PostgreSQL database, per process.
    #[arg(long, env = "HYPERFOCUS_DB_POOL_SIZE", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub pool_size: u16,
}

impl DatabaseConfig {
    /// The backend the URL selects, or a message saying what URLs work.
    pub fn backend(&self) -> anyhow::Result<Backend> {
        if let Some(path) = sqlite::path_from_url(&self.database_url) {
            return Ok(Backend::Sqlite(path));
        }
        if self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
        {
            return Ok(Backend::Postgres(self.database_url.clone()));
        }
        anyhow::bail!(
            "unsupported database URL `{}`: use sqlite://PATH (e.g. sqlite://hyperfocus.db) or postgres://…",
            redact(&self.database_url)
        )
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("database_url", &redact(&self.database_url))
            .field("sqlite_readers", &self.sqlite_readers)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// A database the URL selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by URL.
    Postgres(String),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Hides a password in a URL (`scheme://user:secret@host` → `scheme://user:***@host`)
/// so that configuration can be logged.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_origins_are_checked() {
        assert_eq!(
            parse_duration("30s"),
            Ok(std::time::Duration::from_secs(30))
        );
        assert_eq!(
            parse_duration("500ms"),
            Ok(std::time::Duration::from_millis(500))
        );
        assert!(parse_duration("0s").is_err() && parse_duration("soon").is_err());
        assert!(parse_origin("https://app.example.com").is_ok());
        assert!(parse_origin("app.example.com").is_err() && parse_origin("https://a.io/").is_err());
    }

    #[test]
    fn rate_limits_parse_and_print_alike() {
        for written in ["100/s,burst=200", "600/min,burst=50", "1/h,burst=1", "off"] {
            let parsed: RateLimit = written.parse().unwrap();
            assert_eq!(parsed.to_string(), written);
        }
        assert_eq!(
            "20/min".parse::<RateLimit>().unwrap().to_string(),
            "20/min,burst=20"
        );
        assert_eq!(RateLimit::DEFAULT.to_string(), "100/s,burst=200");
        assert_eq!("5".parse::<RateLimit>().unwrap().to_string(), "5/s,burst=5");
        assert!("2000000000/s".parse::<RateLimit>().is_err());
        for wrong in [
            "",
            "0/s",
            "10/day",
            "10/s,200",
            "10/s,burst=0",
            "-1/s",
            "on",
        ] {
            let error = wrong.parse::<RateLimit>().unwrap_err();
            assert!(error.contains("such as 100/s"), "{wrong}: {error}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://hf:s3cret@db:5432/hf"),
            "postgres://hf:***@db:5432/hf"
        );
        assert_eq!(redact("sqlite://hyperfocus.db"), "sqlite://hyperfocus.db");
    }

    #[test]
    fn sqlite_and_postgres_urls_are_accepted() {
        let config = |url: &str| DatabaseConfig {
            database_url: url.into(),
            sqlite_readers: 1,
            pool_size: 1,
        };
        assert_eq!(
            config("sqlite://a.db").backend().unwrap(),
            Backend::Sqlite(PathBuf::from("a.db"))
        );
        assert_eq!(
            config("postgres://hf@localhost/hf").backend().unwrap(),
            Backend::Postgres("postgres://hf@localhost/hf".into())
        );
        let error = config("mysql://u:pw@h/db")
            .backend()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("u:***@h") && !error.contains("pw"),
            "{error}"
        );
    }
}
