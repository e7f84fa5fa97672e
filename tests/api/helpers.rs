//! `TestApp`: the real application on a fresh database, driven as a client.

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use hyperfocus::{
    config::{DatabaseConfig, HttpConfig, RateLimit},
    db::Store,
    services::state::{AppState, Clock},
};
use jiff::Timestamp;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::database::TestDatabase;

/// One application with its own database.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub db: TestDatabase,
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json error with `status` and returns its `detail`.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["status"], status);
        self.body["detail"].as_str().expect("detail is a string")
    }
}

/// A registered user.
pub struct TestUser {
    pub id: i64,
    pub token: String,
}

impl TestUser {
    /// The id of the user's token: the number in `hf_<id>_…`.
    pub fn token_id(&self) -> i64 {
        token_id(&self.token)
    }
}

/// The id in a token `hf_<id>_<secret>`.
pub fn token_id(token: &str) -> i64 {
    token
        .split('_')
        .nth(1)
        .and_then(|id| id.parse().ok())
        .expect("a token hf_<id>_<secret>")
}

impl TestApp {
    /// On the system clock. Rate limiting is off, as the suite sends far
    /// more requests per second than any client; `tests/api/rate_limit.rs`
    /// covers it.
    pub async fn new() -> Self {
        Self::with(Clock::System, unlimited()).await
    }

    /// On a clock stopped at `now` (RFC 3339).
    pub async fn at(now: &str) -> Self {
        Self::with(Clock::fixed(ts(now)), unlimited()).await
    }

    /// With these HTTP settings, on the system clock.
    pub async fn with_http(http: HttpConfig) -> Self {
        Self::with(Clock::System, http).await
    }

    /// With these HTTP settings, on a clock stopped at `now`.
    pub async fn at_with_http(now: &str, http: HttpConfig) -> Self {
        Self::with(Clock::fixed(ts(now)), http).await
    }

    async fn with(clock: Clock, http: HttpConfig) -> Self {
        let db = TestDatabase::create(crate::BACKEND).await;
        let config = DatabaseConfig {
            database_url: db.url().to_owned(),
            sqlite_readers: 2,
            pool_size: 8,
        };
        let store: Arc<dyn Store> = hyperfocus::open_store(&config)
            .await
            .expect("database opens");
        let mut state = AppState::with_http(store, http);
        state.clock = clock;
        Self::around(state, db)
    }

    /// The application over `state`, whose store uses `db`.
    pub fn around(state: AppState, db: TestDatabase) -> Self {
        Self {
            router: hyperfocus::app(state.clone()),
            state,
            db,
        }
    }

    /// The same app, its webhooks allowed to reach `networks` (such as
    /// `127.0.0.0/8` for a receiver in the test).
    pub fn with_webhook_networks(self, networks: &str) -> Self {
        let mut webhooks = (*self.state.webhooks).clone();
        webhooks.policy =
            hyperfocus::domain::webhooks::NetworkPolicy::parse(networks).expect("networks");
        let state = self.state.clone().with_webhooks(webhooks);
        Self::around(state, self.db)
    }

    /// The same app, its webhook retries waiting `waits_ms` milliseconds
    /// (comma-separated; empty for no retry) instead of minutes and hours.
    pub fn with_retry_schedule(self, waits_ms: &str) -> Self {
        let waits = waits_ms
            .split(',')
            .filter(|w| !w.is_empty())
            .map(|w| std::time::Duration::from_millis(w.trim().parse().expect("milliseconds")))
            .collect();
        let mut webhooks = (*self.state.webhooks).clone();
        webhooks.schedule = hyperfocus::domain::delivery::RetrySchedule::new(waits);
        let state = self.state.clone().with_webhooks(webhooks);
        Self::around(state, self.db)
    }

    /// Runs the webhook delivery worker, as a served process does, until
    /// the returned guard is dropped.
    pub fn start_deliveries(&self) -> DeliveryWorker {
        DeliveryWorker(tokio::spawn(hyperfocus::delivery::run_forever(
            self.state.store.clone(),
            self.state.webhooks.clone(),
            self.state.clock.clone(),
        )))
    }

    /// Runs the goal checker (`goal.met`, `goal.missed`), as a served
    /// process does, until the returned guard is dropped.
    pub fn start_goal_checks(&self) -> DeliveryWorker {
        DeliveryWorker(tokio::spawn(hyperfocus::delivery::goals::check_forever(
            self.state.store.clone(),
            self.state.events.goal_checks(),
            self.state.clock.clone(),
        )))
    }

    /// Moves the fixed clock.
    pub fn set_now(&self, now: &str) {
        self.state.clock.set(ts(now));
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            text,
            body,
        }
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("request")).await
    }

    /// POSTs `body` with an `Idempotency-Key`.
    pub async fn post_with_key(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: Value,
    ) -> TestResponse {
        self.post_keyed(path, Some(token), key, body).await
    }

    /// POSTs `body` with an `Idempotency-Key`, and a token if given.
    pub async fn post_keyed(
        &self,
        path: &str,
        token: Option<&str>,
        key: &str,
        body: Value,
    ) -> TestResponse {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request.body(Body::from(body.to_string())).expect("request");
        self.send(request).await
    }

    /// A browser's GET of a page, with its session cookie if any.
    pub async fn page(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("hf_session={cookie}"));
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// A browser's form post from this site (`Sec-Fetch-Site: same-origin`),
    /// with its session cookie if any.
    pub async fn form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        self.form_from(path, cookie, fields, "same-origin").await
    }

    /// A form post as a browser sends it from `site` (`Sec-Fetch-Site`).
    pub async fn form_from(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        site: &str,
    ) -> TestResponse {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", site);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("hf_session={cookie}"));
        }
        self.send(request.body(Body::from(body.join("&"))).expect("request"))
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// Registers `name` with an email derived from it, in `timezone`.
    pub async fn register_in(&self, name: &str, timezone: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase());
        let response = self
            .call(
                "POST",
                "/users/",
                None,
                Some(json!({"name": name, "email": email, "timezone": timezone})),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        TestUser {
            id: response.body["id"].as_i64().expect("id"),
            token: response.body["api_token"]
                .as_str()
                .expect("token")
                .to_owned(),
        }
    }

    pub async fn register(&self, name: &str) -> TestUser {
        self.register_in(name, "UTC").await
    }

    /// Asks to start a session at `start` and returns the raw response.
    pub async fn try_start(&self, user: &TestUser, start: &str) -> TestResponse {
        self.post("/sessions/start", &user.token, json!({"start_time": start}))
            .await
    }

    /// Starts a session at `start` and returns its id.
    pub async fn start_session(&self, user: &TestUser, start: &str) -> i64 {
        let response = self
            .post(
                "/sessions/start",
                &user.token,
                json!({"user_id": user.id, "start_time": start}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.body["id"].as_i64().expect("id")
    }

    pub async fn end_session(&self, user: &TestUser, session: i64, end: &str) -> TestResponse {
        self.post(
            &format!("/sessions/{session}/end"),
            &user.token,
            json!({"end_time": end}),
        )
        .await
    }

    /// Logs a closed interruption and returns the response.
    pub async fn interrupt(
        &self,
        user: &TestUser,
        session: i64,
        kind: &str,
        start: &str,
        end: &str,
    ) -> TestResponse {
        self.post(
            "/interruptions/",
            &user.token,
            json!({"session_id": session, "user_id": user.id, "type": kind, "start_time": start, "end_time": end}),
        )
        .await
    }

    /// Counts the rows of `table` straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        self.db
            .scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .await
            .expect("count")
    }
}

fn unlimited() -> HttpConfig {
    HttpConfig {
        rate_limit: RateLimit::Off,
        ..HttpConfig::default()
    }
}

/// Whether an operation of the OpenAPI document needs a token: open ones
/// declare `security: []`.
pub fn is_secured(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .is_some_and(|requirements| !requirements.is_empty())
}

/// Percent-encodes a form field.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The value a `Set-Cookie` header gives cookie `name`, if one does.
pub fn set_cookie(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|cookie| {
            let value = cookie.strip_prefix(&format!("{name}="))?;
            Some(value.split(';').next().unwrap_or_default().to_owned())
        })
}

/// Every `Set-Cookie` header of a response.
pub fn set_cookies(response: &TestResponse) -> Vec<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// Parses an RFC 3339 timestamp.
pub fn ts(raw: &str) -> Timestamp {
    raw.parse().expect("timestamp")
}

/// A running delivery worker; dropping it stops it.
pub struct DeliveryWorker(pub tokio::task::JoinHandle<()>);

impl Drop for DeliveryWorker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A [`TestApp`] served the way the binary serves it: a TCP listener on
/// loopback, real HTTP, and a graceful shutdown on demand.
pub struct LiveServer {
    pub address: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl LiveServer {
    /// Binds a port the system picks, so tests can serve side by side.
    pub async fn start(app: &TestApp) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(hyperfocus::serve(listener, app.state.clone(), async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop,
            server,
        }
    }

    /// Asks for a graceful shutdown; the returned task ends once the server
    /// has finished its requests and closed the database.
    pub fn shut_down(self) -> tokio::task::JoinHandle<anyhow::Result<()>> {
        self.stop.send(()).unwrap();
        self.server
    }
}

/// An HTTP client for talking to a [`LiveServer`]. The package builds
/// reqwest without a default TLS provider (the binary installs ring), so
/// tests install the same one first.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
