use std::time::Duration;

use axum::{body::Body, http::Request};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{LiveServer, TestApp};

#[tokio::test]
async fn the_root_shows_the_banner_and_version() {
    let app = TestApp::new().await;
    let response = app.call("GET", "/", None, None).await;
    assert_eq!(
        response.body,
        json!({"message": "HyperFocus API is running 🚀", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_token() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.call("GET", path, None, None).await;
        assert_eq!(
            (response.status.as_u16(), response.body.clone()),
            (200, json!({"status": "ok"}))
        );
    }
}

#[tokio::test]
async fn readiness_fails_once_the_database_is_closed() {
    let app = TestApp::new().await;
    app.state.store.close().await;
    let response = app.call("GET", "/readyz", None, None).await;
    assert_eq!(response.problem(503), "the database is shutting down");
    assert_eq!(app.call("GET", "/healthz", None, None).await.status, 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    for _ in 0..3 {
        app.get("/sessions/7", &user.token).await;
    }
    app.call("GET", "/nowhere", None, None).await;
    let metrics = app.call("GET", "/metrics", None, None).await;
    assert_eq!(
        metrics.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    for line in [
        r#"hyperfocus_http_requests_total{method="GET",route="/sessions/{session_id}",status="404"} 3"#,
        r#"hyperfocus_http_requests_total{method="POST",route="/users/",status="201"} 1"#,
        r#"hyperfocus_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"hyperfocus_http_request_duration_seconds_count{method="GET",route="/sessions/{session_id}",status="404"} 3"#,
    ] {
        assert!(
            metrics.text.lines().any(|l| l == line),
            "missing {line} in\n{}",
            metrics.text
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_nosniff() {
    let app = TestApp::new().await;
    let generated = app.call("GET", "/healthz", None, None).await;
    assert_eq!(generated.header("x-request-id").map(str::len), Some(36));
    assert_eq!(generated.header("x-content-type-options"), Some("nosniff"));
    let request = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(request).await.header("x-request-id"),
        Some("abc-123")
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::new().await;
    let missing = app.call("POST", "/users", None, Some(json!({}))).await;
    assert_eq!(
        missing.problem(404),
        "no route POST /users; did you mean /users/ ?"
    );
    let method = app.call("PUT", "/healthz", None, None).await;
    assert_eq!(
        method.problem(405),
        "PUT is not allowed on /healthz; see /docs for the methods each route accepts"
    );
    assert_eq!(method.header("allow"), Some("GET,HEAD"));
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::new().await;
    let name = "x".repeat(1024 * 1024);
    let response = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": name, "email": "a@example.com"})),
        )
        .await;
    assert_eq!(
        response.problem(413),
        "the request body is larger than the limit of 1 MiB"
    );
    assert_eq!(app.count_rows("users").await, 0);
}

#[tokio::test]
async fn broken_empty_and_non_json_bodies_are_4xx() {
    let app = TestApp::new().await;
    let post = |body: &'static str, content_type: &'static str| {
        Request::post("/users/")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let broken = app.send(post("{\"name\": ", "application/json")).await;
    assert_eq!(
        broken.problem(400),
        "the request body is not valid JSON: EOF while parsing a value at line 1 column 9"
    );
    let empty = app.send(post("", "application/json")).await;
    assert_eq!(
        empty.problem(400),
        "the request body is empty; send a JSON object"
    );
    let text = app.send(post("name=a", "text/plain")).await;
    assert_eq!(
        text.problem(415),
        "send the body as JSON with `Content-Type: application/json`"
    );
    let number = app.send(post("42", "application/json")).await;
    assert_eq!(number.problem(422), "body: must be a JSON object");
    let array = app
        .send(post("[\"Ana\", \"ana@example.com\"]", "application/json"))
        .await;
    assert_eq!(array.problem(422), "body: must be a JSON object");
}

/// JSON Schema calls `385.0` an integer, so every integer field takes it
/// (and `3.6e3`); a number with a true fraction is a 422 naming the field.
#[tokio::test]
async fn integers_may_be_written_with_a_zero_fraction_but_not_a_true_one() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let goal = app
        .post(
            &format!("/users/{}/goals", ana.id),
            &ana.token,
            serde_json::json!({"metric": "worked_seconds", "comparison": "at_least", "target": 3.6e3, "period": "day"}),
        )
        .await;
    assert_eq!(goal.status, 201, "{}", goal.text);
    assert_eq!(goal.body["target"], 3600);
    let raw = |path: &str, body: &str| {
        Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", ana.token))
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let token = app
        .send(raw(
            "/users/me/tokens",
            r#"{"name": "laptop", "expires_in_days": 30.0}"#,
        ))
        .await;
    assert_eq!(token.status, 201, "{}", token.text);
    let started = app
        .send(raw(
            "/sessions/start",
            &format!(
                r#"{{"user_id": {}.0, "start_time": "2026-01-05T09:00:00Z"}}"#,
                ana.id
            ),
        ))
        .await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.body["user_id"], ana.id);
    let fraction = app
        .send(raw(
            "/users/me/tokens",
            r#"{"name": "phone", "expires_in_days": 30.5}"#,
        ))
        .await;
    assert_eq!(
        fraction.problem(422),
        "expires_in_days: must be a whole number; 30.5 has a fraction"
    );
    assert_eq!(fraction.body["errors"][0]["field"], "expires_in_days");
}

/// The real binary path: a TCP listener, HTTP/1.1 on the wire, and a
/// graceful shutdown that lets an in-flight request finish and closes the
/// database (its write-ahead log folded back and removed).
#[tokio::test]
async fn shutdown_finishes_in_flight_requests_and_closes_the_database() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let address = server.address;

    let client = crate::helpers::http_client();
    let banner: serde_json::Value = client
        .get(format!("http://{address}/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(banner["message"], "HyperFocus API is running 🚀");

    // Send the headers and half of a body, then ask the server to stop.
    let body = json!({"name": "Ana", "email": "ana@example.com"}).to_string();
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /users/ HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped = server.shut_down();
    tokio::time::sleep(Duration::from_millis(100)).await;
    socket.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201 Created"), "{answer}");

    stopped.await.unwrap().unwrap();
    assert_eq!(app.count_rows("users").await, 1);
    if let Some(path) = app.db.sqlite_path() {
        let wal = path.with_extension("db-wal");
        assert!(
            !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
            "WAL left behind"
        );
    }
}

/// The binary itself, with a live event stream open (as every open tab of
/// the web app holds one) and an upload stalled halfway: SIGTERM ends the
/// stream with a `retry:` hint, so the client comes back to the next
/// process; the upload is dropped once `--shutdown-grace` has passed; and
/// the process exits, its database closed.
#[tokio::test]
async fn sigterm_ends_open_event_streams_with_a_retry_hint_and_the_process_exits() {
    let db = crate::database::TestDatabase::create(crate::BACKEND).await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyperfocus"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log",
            "error",
        ])
        .args(["--database-url", db.url(), "--shutdown-grace", "300ms"])
        .args([
            "--secret-key",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ])
        .env_remove("HYPERFOCUS_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server runs");
    let base = format!("http://127.0.0.1:{port}");
    let client = crate::helpers::http_client();
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not answer");
    let ana: serde_json::Value = client
        .post(format!("{base}/users/"))
        .json(&json!({"name": "Ana", "email": "ana@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut stream = client
        .get(format!("{base}/users/{}/events", ana["id"]))
        .bearer_auth(ana["api_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut received = String::new();
    while !received.contains("\n\n") {
        let chunk = stream.chunk().await.unwrap().expect("the stream is open");
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(received.contains(": connected"), "{received}");
    let mut stalled = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stalled
        .write_all(b"POST /users/ HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\"")
        .await
        .unwrap();

    let pid = server.id().expect("running").to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(signalled.success());
    // No timing is asserted: the generous timeouts only fail a hang.
    let rest = tokio::time::timeout(Duration::from_secs(30), async {
        let mut rest = String::new();
        while let Some(chunk) = stream.chunk().await.expect("the stream ends cleanly") {
            rest.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        rest
    })
    .await
    .expect("the stream ends");
    assert!(
        rest.ends_with("retry: 1000\n: the server is restarting; reconnect\n\n")
            || rest.ends_with(": the server is restarting; reconnect\nretry: 1000\n\n"),
        "{rest:?}"
    );
    let exited = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("the process exits")
        .unwrap();
    assert!(exited.success(), "{exited}");
    // The stalled upload was dropped: its connection is closed, unanswered.
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer).await;
    assert_eq!(String::from_utf8_lossy(&answer), "");
    if let Some(path) = db.sqlite_path() {
        let wal = path.with_extension("db-wal");
        assert!(
            !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
            "WAL left behind: the database was not closed"
        );
    }
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::new().await;
    let api = app.call("GET", "/healthz", None, None).await;
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(api.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(api.header("server"), None);
    let docs = app.call("GET", "/docs/", None, None).await;
    assert!(
        docs.header("content-security-policy")
            .is_some_and(|p| p.starts_with("default-src 'self'"))
    );
    let preflight = Request::options("/users/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(preflight)
            .await
            .header("access-control-allow-origin"),
        None,
        "CORS is off by default"
    );
}
