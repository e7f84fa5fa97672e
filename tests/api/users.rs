use serde_json::json;
use sha2::{Digest, Sha256};

use hyperfocus::maintenance;

use crate::helpers::TestApp;

#[tokio::test]
async fn registering_returns_the_user_with_a_token_once_and_a_location() {
    let app = TestApp::at("2025-11-15T16:00:00Z").await;
    let body =
        json!({"name": "  Victor ", "email": "Victor@Example.com", "timezone": "Europe/Madrid"});
    let response = app.call("POST", "/users/", None, Some(body)).await;

    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.header("location"), Some("/users/1"));
    let token = response.body["api_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hf_1_") && token.len() == 48, "{token}");
    assert_eq!(
        response.body,
        json!({"id": 1, "name": "Victor", "email": "Victor@Example.com", "timezone": "Europe/Madrid",
               "week_start": "monday", "day_start": "00:00", "created_at": "2025-11-15T16:00:00Z", "api_token": token})
    );

    let me = app.get("/users/me", &token).await;
    assert_eq!(
        me.body,
        json!({"id": 1, "name": "Victor", "email": "Victor@Example.com", "timezone": "Europe/Madrid",
               "week_start": "monday", "day_start": "00:00", "created_at": "2025-11-15T16:00:00Z"})
    );
    assert_eq!(app.get("/users/1", &token).await.body, me.body);
}

#[tokio::test]
async fn the_token_is_stored_only_as_its_sha256() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let (stored, text) = app.db.token_row(user.token_id()).await;
    let secret = user.token.splitn(3, '_').nth(2).unwrap();
    assert_eq!(stored, Sha256::digest(secret.as_bytes()).to_vec());
    assert!(!text.contains(secret));
}

#[tokio::test]
async fn the_timezone_defaults_to_utc() {
    let app = TestApp::new().await;
    let response = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Ana", "email": "ana@example.com"})),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["timezone"], "UTC");
}

#[tokio::test]
async fn an_email_registered_in_any_letter_case_is_a_conflict() {
    let app = TestApp::new().await;
    app.register("Ana").await;
    let response = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Ana 2", "email": "ANA@example.COM"})),
        )
        .await;
    assert_eq!(
        response.problem(409),
        "a user with the email ANA@example.COM already exists (emails are compared ignoring case)"
    );
    assert_eq!(response.body["type"], "/problems/conflict");
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let app = TestApp::new().await;
    let body = json!({"name": " ", "email": "not-an-email", "timezone": "Mars/Olympus"});
    let response = app.call("POST", "/users/", None, Some(body)).await;
    assert_eq!(response.problem(422), "3 fields are invalid; see errors");
    assert_eq!(
        response.body["errors"],
        json!([
            {"field": "name", "message": "must be 1 to 100 characters after trimming spaces (got 0)"},
            {"field": "email", "message": "`not-an-email` is not a valid email address, e.g. victor@example.com"},
            {"field": "timezone", "message": "`Mars/Olympus` is not an IANA time zone name; use a name such as Europe/Madrid, America/New_York or UTC"}
        ])
    );
}

#[tokio::test]
async fn unknown_and_missing_fields_are_named() {
    let app = TestApp::new().await;
    let unknown = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "A", "email": "a@example.com", "nmae": "x"})),
        )
        .await;
    unknown.problem(422);
    assert_eq!(unknown.body["errors"][0]["field"], "nmae");
    assert_eq!(
        unknown.body["errors"][0]["message"],
        "unknown field `nmae`, expected one of `name`, `email`, `timezone`, `password`"
    );
    let missing = app
        .call("POST", "/users/", None, Some(json!({"name": "A"})))
        .await;
    assert_eq!(missing.problem(422), "email: missing field `email`");
    let wrong_type = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": 5, "email": "a@example.com"})),
        )
        .await;
    assert_eq!(
        wrong_type.problem(422),
        "name: invalid type: integer `5`, expected a string"
    );
}

#[tokio::test]
async fn a_profile_can_change_name_and_timezone_but_not_email() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let patch = json!({"name": "Ana B", "timezone": "America/New_York"});
    let response = app
        .call("PATCH", "/users/1", Some(&user.token), Some(patch))
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        (
            response.body["name"].as_str(),
            response.body["timezone"].as_str()
        ),
        (Some("Ana B"), Some("America/New_York"))
    );

    let email = app
        .call(
            "PATCH",
            "/users/1",
            Some(&user.token),
            Some(json!({"email": "x@example.com"})),
        )
        .await;
    assert_eq!(email.body["errors"][0]["field"], "email");
    email.problem(422);
    let bad_zone = app
        .call(
            "PATCH",
            "/users/1",
            Some(&user.token),
            Some(json!({"timezone": "Nowhere"})),
        )
        .await;
    bad_zone.problem(422);
    assert_eq!(
        app.get("/users/me", &user.token).await.body["timezone"],
        "America/New_York"
    );
}

#[tokio::test]
async fn rotating_the_token_stops_the_old_one_at_once() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let rotated = app
        .call("POST", "/users/me/token", Some(&user.token), None)
        .await;
    assert_eq!(rotated.status, 200);
    let new_token = rotated.body["api_token"].as_str().unwrap();
    assert_ne!(new_token, user.token);
    assert_eq!(rotated.body["id"], user.id);

    let old = app.get("/users/me", &user.token).await;
    assert_eq!(
        old.problem(401),
        "the bearer token is invalid, revoked or replaced; sign in again for a new one"
    );
    assert_eq!(app.get("/users/me", new_token).await.status, 200);
}

#[tokio::test]
async fn deleting_a_user_erases_all_their_data() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    for user in [&ana, &bob] {
        let session = app.start_session(user, "2025-11-15T09:00:00Z").await;
        let logged = app
            .interrupt(
                user,
                session,
                "noise",
                "2025-11-15T09:10:00Z",
                "2025-11-15T09:12:00Z",
            )
            .await;
        assert_eq!(logged.status, 201);
    }

    let response = app
        .call(
            "DELETE",
            &format!("/users/{}", ana.id),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(response.status, 204);
    assert_eq!(response.text, "");
    assert_eq!(app.count_rows("users").await, 1);
    assert_eq!(app.count_rows("sessions").await, 1);
    assert_eq!(app.count_rows("interruptions").await, 1);
    app.get("/users/me", &ana.token).await.problem(401);
    assert_eq!(app.get("/users/me", &bob.token).await.status, 200);
}

#[tokio::test]
async fn a_token_cannot_read_or_change_another_user() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    let path = format!("/users/{}", bob.id);
    let detail = "this token acts for user 1 only; it may not act for user 2";
    assert_eq!(app.get(&path, &ana.token).await.problem(403), detail);
    let patch = app
        .call("PATCH", &path, Some(&ana.token), Some(json!({"name": "x"})))
        .await;
    assert_eq!(patch.problem(403), detail);
    assert_eq!(
        app.call("DELETE", &path, Some(&ana.token), None)
            .await
            .problem(403),
        detail
    );
    // Nonexistent ids answer the same, so ids reveal nothing.
    app.get("/users/999", &ana.token).await.problem(403);
    assert_eq!(app.get("/users/me", &bob.token).await.body["name"], "Bob");
}

#[tokio::test]
async fn missing_malformed_and_wrong_tokens_are_401_with_a_challenge() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let forged = format!("{}x", &user.token[..user.token.len() - 1]);
    let other_id = user.token.replacen("hf_1_", "hf_2_", 1);
    for header in [
        None,
        Some("Basic abc"),
        Some("Bearer"),
        Some("Bearer nonsense"),
        Some(forged.as_str()),
        Some(other_id.as_str()),
    ] {
        let mut request = axum::http::Request::builder().uri("/users/me");
        if let Some(value) = header {
            let value = if value.starts_with("hf_") {
                format!("Bearer {value}")
            } else {
                value.to_owned()
            };
            request = request.header("authorization", value);
        }
        let response = app
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await;
        response.problem(401);
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{header:?}"
        );
    }
    let lower = axum::http::Request::builder()
        .uri("/users/me")
        .header("authorization", format!("bearer {}", user.token))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(
        app.send(lower).await.status,
        200,
        "the scheme is case-insensitive"
    );
}

#[tokio::test]
async fn a_retried_registration_with_its_key_returns_the_first_user_and_token() {
    let app = TestApp::at("2025-11-15T16:00:00Z").await;
    let body = json!({"name": "Ana", "email": "ana@example.com"});
    let first = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    assert_eq!((retry.status.as_u16(), &retry.body), (201, &first.body));
    assert_eq!(retry.header("location"), Some("/users/1"));
    assert_eq!(app.count_rows("users").await, 1);
    let token = first.body["api_token"].as_str().unwrap();
    assert_eq!(app.get("/users/me", token).await.status, 200);

    let other = json!({"name": "Ana B", "email": "ana@example.com"});
    let reused = app.post_keyed("/users/", None, "reg-1", other).await;
    assert_eq!(
        reused.problem(422),
        "Idempotency-Key: was first used with a different request; send a new key for a new request"
    );
    let new_key = app.post_keyed("/users/", None, "reg-2", body).await;
    assert_eq!(
        new_key.problem(409),
        "a user with the email ana@example.com already exists (emails are compared ignoring case)"
    );
}

#[tokio::test]
async fn the_sealed_token_is_all_a_registration_key_keeps_and_rotation_drops_it() {
    let app = TestApp::new().await;
    let body = json!({"name": "Ana", "email": "ana@example.com"});
    let first = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    let token = first.body["api_token"].as_str().unwrap().to_owned();
    // A 24-byte nonce, the 43-character secret and a 16-byte tag.
    let sealed = "SELECT CAST(length(sealed_secret) AS BIGINT) FROM registration_keys";
    assert_eq!(app.db.scalar(sealed).await, Ok(24 + 43 + 16));

    let rotated = app.post("/users/me/token", &token, json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(app.count_rows("registration_keys").await, 0);
    let retry = app.post_keyed("/users/", None, "reg-1", body).await;
    retry.problem(409);
    assert_eq!(app.get("/users/me", &token).await.status, 401);
}

#[tokio::test]
async fn a_registration_key_is_forgotten_after_a_day() {
    let app = TestApp::at("2025-11-15T16:00:00Z").await;
    let body = json!({"name": "Ana", "email": "ana@example.com"});
    app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    app.set_now("2025-11-16T15:59:59Z");
    let within = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    assert_eq!(within.status, 201, "{}", within.text);
    app.set_now("2025-11-16T16:00:00Z");
    app.post_keyed("/users/", None, "reg-1", body)
        .await
        .problem(409);
    // An expired key may name a new registration; it replaces the old row.
    let bob = json!({"name": "Bob", "email": "bob@example.com"});
    let reused = app.post_keyed("/users/", None, "reg-1", bob).await;
    let email = &reused.body["email"];
    assert_eq!(
        (reused.status.as_u16(), email),
        (201, &json!("bob@example.com"))
    );
    assert_eq!(app.count_rows("users").await, 2);
    assert_eq!(app.count_rows("registration_keys").await, 1);
}

#[tokio::test]
async fn the_purge_deletes_expired_keys_of_both_kinds_and_keeps_live_ones() {
    let app = TestApp::at("2025-11-15T00:00:00Z").await;
    let ana = json!({"name": "Ana", "email": "ana@example.com"});
    let first = app.post_keyed("/users/", None, "reg-1", ana).await;
    let token = first.body["api_token"].as_str().unwrap().to_owned();
    app.post_with_key("/sessions/start", &token, "start-1", json!({}))
        .await;
    app.set_now("2025-11-15T12:00:00Z");
    let bob = json!({"name": "Bob", "email": "bob@example.com"});
    app.post_keyed("/users/", None, "reg-2", bob).await;
    app.set_now("2025-11-16T00:00:00Z");

    let purge = || maintenance::purge_expired_keys(app.state.store.as_ref(), &app.state.clock);
    assert_eq!(
        purge().await.unwrap(),
        2,
        "Ana's registration and session keys"
    );
    assert_eq!(app.count_rows("registration_keys").await, 1);
    assert_eq!(app.count_rows("idempotency_keys").await, 0);
    assert_eq!(purge().await.unwrap(), 0);
    assert_eq!(app.count_rows("users").await, 2, "only keys go");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_registrations_with_one_key_create_one_user_and_give_all_its_token() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let racers = (0..10).map(|_| {
        let app = app.clone();
        tokio::spawn(async move {
            let body = json!({"name": "Ana", "email": "ana@example.com"});
            let response = app.post_keyed("/users/", None, "reg-1", body).await;
            (response.status.as_u16(), response.body)
        })
    });
    let mut answers = Vec::new();
    for racer in racers {
        answers.push(racer.await.unwrap());
    }
    let first = answers[0].clone();
    assert_eq!(first.0, 201, "{first:?}");
    assert!(answers.iter().all(|answer| *answer == first), "{answers:?}");
    assert_eq!(app.count_rows("users").await, 1);
}
