//! Rate limits: per token, per address for requests without one, and ten
//! clients' worth per address in all; the standard headers on every
//! response and a 429 problem past the limit.
//!
//! The limits are per hour so that refills during a test cannot change the
//! figures: with `3/h`, one request comes back every 1,200 s.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, header},
};
use hyperfocus::config::{HttpConfig, RateLimit};

use crate::helpers::{LiveServer, TestApp, TestResponse};

fn per_hour(limit: &str) -> HttpConfig {
    HttpConfig {
        rate_limit: limit.parse().expect("rate limit"),
        ..HttpConfig::default()
    }
}

/// `GET path` from `peer`, with an optional token and extra headers.
async fn get_from(
    app: &TestApp,
    peer: &str,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
) -> TestResponse {
    let peer: SocketAddr = peer.parse().expect("socket address");
    let mut builder = Request::get(path).extension(ConnectInfo(peer));
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(Body::empty()).expect("request"))
        .await
}

/// `(limit, remaining, reset)` as the headers state them.
fn standing(response: &TestResponse) -> (&str, &str, &str) {
    let read = |name| response.header(name).unwrap_or("missing");
    (
        read("ratelimit-limit"),
        read("ratelimit-remaining"),
        read("ratelimit-reset"),
    )
}

#[tokio::test]
async fn a_token_gets_its_burst_then_a_429_problem_telling_when_to_retry() {
    let app = TestApp::with_http(per_hour("3/h")).await;
    let ana = app.register("Ana").await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = get_from(&app, "10.0.0.1:5000", "/users/me", Some(&ana.token), &[]).await;
        assert_eq!(response.status, 200, "{}", response.text);
        seen.push(standing(&response).2.to_owned());
        assert_eq!(standing(&response).0, "3");
    }
    // Each request taken is one more refill (1,200 s) until the bucket is full.
    assert_eq!(seen, ["1200", "2400", "3600"]);

    let refused = get_from(&app, "10.0.0.9:5000", "/users/me", Some(&ana.token), &[]).await;
    assert_eq!(
        refused.problem(429),
        "too many requests from this client; retry in 1200 s (see the RateLimit-* headers)"
    );
    assert_eq!(refused.body["type"], "/problems/too-many-requests");
    assert_eq!(refused.header("retry-after"), Some("1200"));
    assert_eq!(standing(&refused), ("3", "0", "3600"));
}

#[tokio::test]
async fn remaining_counts_down_and_one_client_at_its_limit_leaves_the_others_alone() {
    let app = TestApp::with_http(per_hour("3/h")).await;
    let (ana, ben) = (app.register("Ana").await, app.register("Ben").await);
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let response = get_from(&app, "10.0.0.1:1", "/users/me", Some(&ana.token), &[]).await;
        remaining.push((response.status.as_u16(), standing(&response).1.to_owned()));
    }
    assert_eq!(
        remaining,
        [(200, "2"), (200, "1"), (200, "0"), (429, "0"), (429, "0")]
            .map(|(s, r)| (s, r.to_owned()))
    );
    // Ben shares Ana's address (an office, a school) and is not held back.
    let other = get_from(&app, "10.0.0.1:2", "/users/me", Some(&ben.token), &[]).await;
    assert_eq!(other.status, 200);
    assert_eq!(standing(&other), ("3", "2", "1200"));
    assert_eq!(other.body["name"], "Ben");
}

#[tokio::test]
async fn requests_without_a_token_are_limited_by_address() {
    let app = TestApp::with_http(per_hour("2/h")).await;
    for expected in [401, 401, 429] {
        let response = get_from(&app, "192.0.2.7:1000", "/users/me", None, &[]).await;
        assert_eq!(response.status, expected, "{}", response.text);
    }
    // Another port of the same host is the same client; another host is not.
    let same_host = get_from(&app, "192.0.2.7:2000", "/", None, &[]).await;
    assert_eq!(same_host.status, 429);
    let other_host = get_from(&app, "192.0.2.8:1000", "/", None, &[]).await;
    assert_eq!(other_host.status, 200);
    assert_eq!(standing(&other_host), ("2", "1", "1800"));
}

#[tokio::test]
async fn an_address_cycling_tokens_is_stopped_at_ten_clients_worth() {
    let app = TestApp::with_http(per_hour("1/h")).await;
    let peer = "192.0.2.7:1000";
    let mut statuses = Vec::new();
    for n in 0..12 {
        let made_up = format!("hf_1_made-up-{n}");
        let response = get_from(&app, peer, "/users/me", Some(&made_up), &[]).await;
        statuses.push(response.status.as_u16());
        if n == 10 {
            // The address's bucket refuses: ten requests, one back every 360 s.
            assert_eq!(standing(&response), ("10", "0", "3600"));
            assert_eq!(response.header("retry-after"), Some("360"));
        }
    }
    assert_eq!(statuses, [[401; 10].as_slice(), &[429, 429]].concat());
    let ana = app.register("Ana").await;
    let elsewhere = get_from(&app, "192.0.2.8:1000", "/users/me", Some(&ana.token), &[]).await;
    assert_eq!(elsewhere.status, 200);
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64_prefix() {
    let app = TestApp::with_http(per_hour("1/h")).await;
    let first = get_from(&app, "[2001:db8:1:2::1]:80", "/", None, &[]).await;
    assert_eq!(first.status, 200);
    let same_prefix = get_from(&app, "[2001:db8:1:2:ffff::9]:80", "/", None, &[]).await;
    assert_eq!(same_prefix.status, 429);
    let other_prefix = get_from(&app, "[2001:db8:1:3::1]:80", "/", None, &[]).await;
    assert_eq!(other_prefix.status, 200);
    // An IPv4 client seen through an IPv6 socket is the IPv4 client.
    let v4 = get_from(&app, "198.51.100.4:80", "/", None, &[]).await;
    assert_eq!(v4.status, 200);
    let mapped = get_from(&app, "[::ffff:198.51.100.4]:80", "/", None, &[]).await;
    assert_eq!(mapped.status, 429);
}

#[tokio::test]
async fn health_readiness_and_metrics_are_never_limited() {
    let app = TestApp::with_http(per_hour("1/h")).await;
    let peer = "203.0.113.5:1";
    assert_eq!(get_from(&app, peer, "/", None, &[]).await.status, 200);
    assert_eq!(get_from(&app, peer, "/", None, &[]).await.status, 429);
    for path in [
        "/healthz", "/readyz", "/metrics", "/healthz", "/readyz", "/metrics",
    ] {
        let response = get_from(&app, peer, path, None, &[]).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("ratelimit-limit"), None, "{path}");
    }
}

#[tokio::test]
async fn behind_a_proxy_the_configured_header_names_the_client() {
    let mut http = per_hour("1/h");
    http.client_ip_header = Some("x-forwarded-for".parse().expect("header name"));
    let app = TestApp::with_http(http).await;
    let proxy = "10.1.1.1:443";
    let forwarded = |chain| [("x-forwarded-for", chain)];
    // The proxy appends the address it saw, so the last one is trusted.
    let first = get_from(&app, proxy, "/", None, &forwarded("6.6.6.6, 198.51.100.1")).await;
    assert_eq!(first.status, 200);
    let spoofed = get_from(&app, proxy, "/", None, &forwarded("7.7.7.7, 198.51.100.1")).await;
    assert_eq!(spoofed.status, 429);
    let other = get_from(&app, proxy, "/", None, &forwarded("198.51.100.2")).await;
    assert_eq!(other.status, 200);
    // Without the header (or with garbage in it), the proxy's own address counts.
    assert_eq!(get_from(&app, proxy, "/", None, &[]).await.status, 200);
    let garbage = get_from(&app, proxy, "/", None, &forwarded("not an address")).await;
    assert_eq!(garbage.status, 429);
}

#[tokio::test]
async fn with_limits_off_there_are_no_headers_and_no_refusals() {
    let app = TestApp::with_http(HttpConfig {
        rate_limit: RateLimit::Off,
        ..HttpConfig::default()
    })
    .await;
    for _ in 0..300 {
        let response = get_from(&app, "192.0.2.1:1", "/", None, &[]).await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("ratelimit-limit"), None);
    }
}

#[tokio::test]
async fn the_default_limit_is_100_a_second_with_bursts_of_200() {
    let app = TestApp::with_http(HttpConfig::default()).await;
    let first = get_from(&app, "192.0.2.1:1", "/", None, &[]).await;
    // One request taken is one refill of 10 ms, reported as a whole second.
    assert_eq!(standing(&first), ("200", "199", "1"));
}

#[tokio::test]
async fn over_real_tcp_the_peer_address_is_the_client() {
    let app = TestApp::with_http(per_hour("2/h")).await;
    let server = LiveServer::start(&app).await;
    let client = crate::helpers::http_client();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = client
            .get(format!("http://{}/", server.address))
            .send()
            .await
            .unwrap();
        let remaining = response.headers()["ratelimit-remaining"]
            .to_str()
            .unwrap()
            .to_owned();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        seen.push((response.status().as_u16(), remaining, retry));
    }
    assert_eq!(
        seen,
        [
            (200, "1".to_owned(), None),
            (200, "0".to_owned(), None),
            (429, "0".to_owned(), Some("1800".to_owned())),
        ]
    );
    server.shut_down().await.unwrap().unwrap();
}
