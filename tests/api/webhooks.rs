//! `/users/{user_id}/webhooks`: endpoints, their secrets, rotation, and a
//! signed test ping to a real receiver on loopback, verified with the
//! `standardwebhooks` crate rather than our own code.

use std::sync::{Arc, Mutex};

use axum::{
    Router,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// What a receiver was sent: its headers and body.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on loopback answering `status` (and `Location` for a
/// redirect); its address and what it receives.
async fn receiver(status: u16) -> (String, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push((headers, body));
                let mut answer = HeaderMap::new();
                answer.insert("location", "http://127.0.0.1:9/elsewhere".parse().unwrap());
                (StatusCode::from_u16(status).unwrap(), answer, "thanks")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (
        format!("http://127.0.0.1:{}/hook", address.port()),
        received,
    )
}

async fn add(app: &TestApp, user: &TestUser, body: Value) -> crate::helpers::TestResponse {
    app.post(&format!("/users/{}/webhooks", user.id), &user.token, body)
        .await
}

/// Verifies a delivery the way a receiver would, with the independent
/// `standardwebhooks` implementation.
fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let Ok(verifier) = standardwebhooks::Webhook::new(secret) else {
        return false;
    };
    verifier.verify(body.as_bytes(), headers).is_ok()
}

#[tokio::test]
async fn an_endpoint_is_added_with_its_secret_once_and_changed_and_deleted() {
    let app = TestApp::at("2026-12-03T10:00:00Z").await;
    let ana = app.register("Ana").await;
    let added = add(
        &app,
        &ana,
        json!({"url": "https://hooks.example.com/focus", "events": ["session.started", "goal.met"],
               "description": "phone on silent"}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let id = added.body["id"].as_i64().unwrap();
    let path = format!("/users/{}/webhooks/{id}", ana.id);
    assert_eq!(added.header("location"), Some(path.as_str()));
    let secret = added.body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret}"
    );
    let mut listed_shape = added.body.clone();
    listed_shape.as_object_mut().unwrap().remove("secret");
    assert_eq!(
        listed_shape,
        json!({"id": id, "user_id": ana.id, "url": "https://hooks.example.com/focus",
               "events": ["session.started", "goal.met"], "description": "phone on silent",
               "enabled": true, "disabled_reason": null, "previous_secret_expires_at": null,
               "created_at": "2026-12-03T10:00:00Z"})
    );
    let one = app.get(&path, &ana.token).await;
    assert_eq!(one.body, listed_shape);
    assert!(
        !one.text.contains(&secret[6..]),
        "the secret is never shown again"
    );
    let all = app
        .get(&format!("/users/{}/webhooks", ana.id), &ana.token)
        .await;
    assert_eq!(all.body, json!([listed_shape]));
    // The database holds it sealed, not as written.
    let stored = app
        .db
        .scalar("SELECT CAST(LENGTH(secret) AS BIGINT) FROM webhooks")
        .await
        .unwrap();
    assert_eq!(stored, 24 + 32 + 16, "nonce, sealed 32 bytes, tag");

    let changed = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"enabled": false, "events": ["session.ended"]})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        (&changed.body["enabled"], &changed.body["events"]),
        (&json!(false), &json!(["session.ended"]))
    );

    let bad = add(
        &app,
        &ana,
        json!({"url": "ftp://x.example.com/", "events": ["session.began"]}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "events"]);
    let with_password = add(
        &app,
        &ana,
        json!({"url": "https://me:pw@hooks.example.com/", "events": ["session.started"]}),
    )
    .await;
    assert_eq!(with_password.status, 422);

    assert_eq!(
        app.call("DELETE", &path, Some(&ana.token), None)
            .await
            .status,
        204
    );
    app.get(&path, &ana.token).await.problem(404);
}

#[tokio::test]
async fn a_test_ping_is_signed_as_standard_webhooks_and_both_secrets_sign_after_a_rotation() {
    let app = TestApp::new().await.with_webhook_networks("127.0.0.0/8");
    let ana = app.register("Ana").await;
    let (url, received) = receiver(200).await;
    let added = add(
        &app,
        &ana,
        json!({"url": url, "events": ["session.started"]}),
    )
    .await;
    let id = added.body["id"].as_i64().unwrap();
    let first_secret = added.body["secret"].as_str().unwrap().to_owned();
    let test = format!("/users/{}/webhooks/{id}/test", ana.id);

    let answered = app.call("POST", &test, Some(&ana.token), None).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert_eq!(
        (
            &answered.body["delivered"],
            &answered.body["status"],
            &answered.body["error"]
        ),
        (&json!(true), &json!(200), &Value::Null)
    );
    assert_eq!(answered.body["response_body"], "thanks");
    let (headers, body) = received.lock().unwrap()[0].clone();
    assert!(verify(&first_secret, &headers, &body), "{headers:?}");
    let message: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(message["type"], "ping");
    assert_eq!(message["data"], json!({"webhook_id": id}));
    assert_eq!(message["id"], answered.body["message_id"]);
    assert_eq!(headers["webhook-id"], message["id"].as_str().unwrap());
    assert_eq!(headers["content-type"], "application/json");

    let rotated = app
        .call(
            "POST",
            &format!("/users/{}/webhooks/{id}/rotate-secret", ana.id),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let second_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(second_secret, first_secret);
    assert!(rotated.body["previous_secret_expires_at"].is_string());
    app.call("POST", &test, Some(&ana.token), None).await;
    let (headers, body) = received.lock().unwrap()[1].clone();
    let signatures = headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    assert!(verify(&second_secret, &headers, &body));
    assert!(
        verify(&first_secret, &headers, &body),
        "the old one signs too"
    );
    assert!(!verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwJbGbU9ToyBE=",
        &headers,
        &body
    ));
}

#[tokio::test]
async fn an_address_in_a_refused_network_is_refused_when_added_or_changed() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    for (address, detail) in [
        (
            "http://127.0.0.1:9/hook",
            "url: 127.0.0.1 is a loopback address; webhooks go to public addresses only (see --webhook-allow-networks)",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "url: 169.254.169.254 is a link-local address (where cloud metadata lives); webhooks go to public addresses only (see --webhook-allow-networks)",
        ),
        (
            "http://10.0.0.7/hook",
            "url: 10.0.0.7 is a private address; webhooks go to public addresses only (see --webhook-allow-networks)",
        ),
        (
            "http://[::ffff:127.0.0.1]:9/",
            "url: 127.0.0.1 is a loopback address; webhooks go to public addresses only (see --webhook-allow-networks)",
        ),
        (
            "http://[fd00::1]/",
            "url: fd00::1 is a private (unique local) address; webhooks go to public addresses only (see --webhook-allow-networks)",
        ),
    ] {
        let refused = add(
            &app,
            &ana,
            json!({"url": address, "events": ["session.started"]}),
        )
        .await;
        assert_eq!(refused.status, 422, "{address}: {}", refused.text);
        assert_eq!(refused.body["detail"], detail, "{address}");
        assert_eq!(refused.body["errors"][0]["field"], "url");
    }
    assert_eq!(app.count_rows("webhooks").await, 0);

    let public = add(
        &app,
        &ana,
        json!({"url": "https://hooks.example.com/focus", "events": ["session.started"]}),
    )
    .await;
    assert_eq!(public.status, 201, "{}", public.text);
    let path = format!(
        "/users/{}/webhooks/{}",
        ana.id,
        public.body["id"].as_i64().unwrap()
    );
    let moved = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"url": "http://192.168.1.20/hook"})),
        )
        .await;
    assert_eq!(moved.status, 422, "{}", moved.text);
    assert_eq!(
        moved.body["detail"],
        "url: 192.168.1.20 is a private address; webhooks go to public addresses only (see --webhook-allow-networks)"
    );
    let kept = app.get(&path, &ana.token).await;
    assert_eq!(kept.body["url"], "https://hooks.example.com/focus");

    // A server that allows a network takes its addresses.
    let allowing = TestApp::new().await.with_webhook_networks("10.0.0.0/8");
    let ben = allowing.register("Ben").await;
    let allowed = add(
        &allowing,
        &ben,
        json!({"url": "http://10.0.0.7/hook", "events": ["session.started"]}),
    )
    .await;
    assert_eq!(allowed.status, 201, "{}", allowed.text);
}

#[tokio::test]
async fn a_name_that_resolves_to_this_machine_is_refused_when_called() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let (url, received) = receiver(200).await;
    let port = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // A name is not resolved when added: what it leads to may change.
    let added = add(
        &app,
        &ana,
        json!({"url": format!("http://localhost:{port}/hook"), "events": ["session.started"]}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let id = added.body["id"].as_i64().unwrap();
    let answered = app
        .call(
            "POST",
            &format!("/users/{}/webhooks/{id}/test", ana.id),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(answered.body["delivered"], false);
    assert_eq!(answered.body["status"], Value::Null);
    let error = answered.body["error"].as_str().unwrap();
    assert!(
        error.ends_with(
            " is a loopback address; webhooks go to public addresses only (see --webhook-allow-networks)"
        ),
        "{error}"
    );
    assert!(received.lock().unwrap().is_empty(), "nothing reached it");
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let app = TestApp::new().await.with_webhook_networks("127.0.0.0/8");
    let ana = app.register("Ana").await;
    let (url, received) = receiver(302).await;
    let added = add(
        &app,
        &ana,
        json!({"url": url, "events": ["session.started"]}),
    )
    .await;
    let id = added.body["id"].as_i64().unwrap();
    let answered = app
        .call(
            "POST",
            &format!("/users/{}/webhooks/{id}/test", ana.id),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(
        (&answered.body["delivered"], &answered.body["status"]),
        (&json!(false), &json!(302))
    );
    assert!(
        answered.body["error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{}",
        answered.text
    );
    assert_eq!(received.lock().unwrap().len(), 1, "sent once, not followed");
}
