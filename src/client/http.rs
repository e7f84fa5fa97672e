//! The one way the client reaches a server: JSON over HTTP with a bearer
//! token, and the server's problem+json kept with what was asked (and the
//! zone to say times in), so that `words` can write the client's own
//! sentence from it: the problem's `detail` is for programs.

use std::{
    fmt,
    sync::{Arc, RwLock},
    time::Duration,
};

use jiff::tz::TimeZone;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;

/// How long a command waits for a server that does not answer a connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long an ordinary request may take; exports, imports and the live
/// stream set none.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request did not give what was asked.
#[derive(Debug)]
pub enum ApiError {
    /// No answer at all: the change may be queued and sent later.
    Unreachable {
        /// The server tried.
        server: String,
        /// What the network said.
        reason: String,
    },
    /// The server answered with a problem.
    Problem(Problem),
    /// An answer the client cannot read (not HyperFocus, or a newer one).
    Unexpected(String),
}

/// A server's problem+json (RFC 9457), as much as the client reads, with
/// the request it answered.
#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    /// The kind, such as `/problems/conflict`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// The short title.
    #[serde(default)]
    pub title: String,
    /// The sentence that says what was wrong.
    #[serde(default)]
    pub detail: String,
    /// A 422's fields and messages.
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
    /// The request's method and path, such as `GET /sessions/41`.
    #[serde(skip)]
    pub asked: (String, String),
    /// Seconds to wait, from `Retry-After` (a 429).
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// The zone to say times in: the account's.
    #[serde(skip)]
    pub zone: Option<TimeZone>,
}

impl Problem {
    /// The last part of the kind: `conflict`, `validation-error`.
    pub fn slug(&self) -> &str {
        self.kind.rsplit('/').next().unwrap_or_default()
    }
}

/// One field of a 422.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldProblem {
    /// The field, as the request named it.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ApiError {
    /// The client's own sentence: never the server's field names, paths,
    /// UTC times or flags.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable { server, reason } => {
                write!(
                    f,
                    "cannot reach {server} ({reason}); is the server running?"
                )
            }
            Self::Problem(problem) => write!(f, "{}", super::words::problem(problem)),
            Self::Unexpected(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The status of a problem; `None` when the server did not answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem(problem) => Some(problem.status),
            _ => None,
        }
    }
}

/// A server and the token to act with.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// The account's zone, for the times in what went wrong; shared by the
    /// clones, so a zone read mid-command counts for every request.
    zone: Arc<RwLock<TimeZone>>,
}

impl Api {
    /// A client for `server` (its base URL). TLS is rustls with the
    /// system's roots, so an `https://` server needs nothing installed.
    pub fn new(server: &str, token: Option<String>) -> anyhow::Result<Self> {
        let base = server.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            anyhow::bail!(
                "{server:?} is not a server address; write it as http://host:port or https://host"
            );
        }
        // Another part of the process may have installed it first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("hyperfocus/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT);
        if base.starts_with("http://") {
            // Reading the system's certificates is most of a command's
            // start-up; a plain-HTTP server (a local one) needs none.
            let no_roots = rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            builder = builder.tls_backend_preconfigured(no_roots);
        }
        let http = builder.build()?;
        Ok(Self {
            http,
            base,
            token,
            zone: Arc::new(RwLock::new(TimeZone::UTC)),
        })
    }

    /// The zone problems say times in from now on.
    pub fn set_zone(&self, zone: TimeZone) {
        if let Ok(mut slot) = self.zone.write() {
            *slot = zone;
        }
    }

    /// The server's base URL.
    pub fn server(&self) -> &str {
        &self.base
    }

    /// A request to `path` (from the root, such as `/users/me`), signed.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends a JSON request and reads a JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let mut request = self.request(method, path).timeout(REQUEST_TIMEOUT);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = self.send(request).await?;
        read_json(response).await
    }

    /// `GET path` as JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.json(Method::GET, path, None, None).await
    }

    /// `DELETE path`, expecting 204.
    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        let request = self.request(Method::DELETE, path).timeout(REQUEST_TIMEOUT);
        self.send(request).await.map(drop)
    }

    /// Sends `request`; a problem answer becomes [`ApiError::Problem`].
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, ApiError> {
        let (client, request) = request.build_split();
        let request = request.map_err(|error| ApiError::Unexpected(error.to_string()))?;
        let asked = (
            request.method().to_string(),
            request.url().path().to_owned(),
        );
        let response = client
            .execute(request)
            .await
            .map_err(|error| self.unreachable(&error))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let mut problem = problem_of(response).await;
        problem.asked = asked;
        problem.zone = self.zone.read().ok().map(|zone| zone.clone());
        Err(ApiError::Problem(problem))
    }

    fn unreachable(&self, error: &reqwest::Error) -> ApiError {
        let reason = if error.is_timeout() {
            "no answer in time".to_owned()
        } else if error.is_connect() {
            "connection refused or no route".to_owned()
        } else {
            error.to_string()
        };
        ApiError::Unreachable {
            server: self.base.clone(),
            reason,
        }
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.status() == StatusCode::NO_CONTENT {
        return serde_json::from_value(Value::Null)
            .map_err(|_| ApiError::Unexpected("the server answered nothing".into()));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|error| ApiError::Unexpected(format!("the answer was cut off: {error}")))?;
    serde_json::from_slice(&bytes).map_err(|error| {
        ApiError::Unexpected(format!(
            "the server's answer is not what HyperFocus sends ({error})"
        ))
    })
}

async fn problem_of(response: Response) -> Problem {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let bytes = response.bytes().await.unwrap_or_default();
    let mut problem = serde_json::from_slice::<Problem>(&bytes).unwrap_or_else(|_| Problem {
        kind: String::new(),
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        detail: String::new(),
        errors: Vec::new(),
        asked: Default::default(),
        retry_after: None,
        zone: None,
    });
    problem.status = status.as_u16();
    problem.retry_after = retry_after;
    problem
}
