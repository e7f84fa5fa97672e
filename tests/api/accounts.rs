//! Passwords, sign-in and its throttling, and personal tokens.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, token_id};

const PASSWORD: &str = "correct horse battery staple";

async fn register_with_password(app: &TestApp, name: &str) -> TestUser {
    let email = format!("{}@example.com", name.to_lowercase());
    let response = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": name, "email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert!(response.body.get("password").is_none());
    TestUser {
        id: response.body["id"].as_i64().unwrap(),
        token: response.body["api_token"].as_str().unwrap().to_owned(),
    }
}

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    name: &str,
) -> crate::helpers::TestResponse {
    app.call(
        "POST",
        "/auth/login",
        None,
        Some(json!({"email": email, "password": password, "token_name": name})),
    )
    .await
}

#[tokio::test]
async fn signing_in_gives_a_new_token_for_the_device() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = register_with_password(&app, "Ana").await;
    let signed_in = login(&app, "ANA@example.com", PASSWORD, "laptop").await;
    assert_eq!(signed_in.status, 201, "{}", signed_in.text);
    let token = signed_in.body["api_token"].as_str().unwrap();
    assert_eq!(
        signed_in.body,
        json!({"id": token_id(token), "name": "laptop", "scope": "write", "user_id": ana.id,
               "created_at": "2025-11-15T12:00:00Z", "last_used_at": null, "expires_at": null,
               "api_token": token})
    );
    assert_ne!(token_id(token), ana.token_id());
    assert_eq!(app.get("/users/me", token).await.body["id"], ana.id);
    // Both tokens work side by side.
    assert_eq!(app.get("/users/me", &ana.token).await.status, 200);
}

#[tokio::test]
async fn signing_in_again_on_a_device_replaces_its_token() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    register_with_password(&app, "Ana").await;
    let first = login(&app, "ana@example.com", PASSWORD, "phone").await;
    let first = first.body["api_token"].as_str().unwrap().to_owned();
    let second = login(&app, "ana@example.com", PASSWORD, "phone").await;
    let second = second.body["api_token"].as_str().unwrap().to_owned();
    app.get("/users/me", &first).await.problem(401);
    let tokens = app.get("/users/me/tokens", &second).await;
    let names: Vec<&str> = tokens
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["registration", "phone"]);
}

#[tokio::test]
async fn a_wrong_email_or_password_is_one_401_with_one_wording() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    register_with_password(&app, "Ana").await;
    app.register("Bob").await; // no password set
    let wording = "the email or the password is wrong";
    for (email, password) in [
        ("ana@example.com", "not the password"),
        ("nobody@example.com", PASSWORD),
        ("bob@example.com", PASSWORD),
    ] {
        let refused = login(&app, email, password, "laptop").await;
        assert_eq!(refused.problem(401), wording, "{email}");
        assert!(!refused.text.contains(password));
    }
    assert_eq!(
        app.count_rows("tokens").await,
        2,
        "only the registration tokens"
    );
}

#[tokio::test]
async fn five_failures_for_an_account_lock_it_for_fifteen_minutes() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    register_with_password(&app, "Ana").await;
    for minute in 0..5 {
        app.set_now(&format!("2025-11-15T12:0{minute}:00Z"));
        login(&app, "ana@example.com", "guess", "x")
            .await
            .problem(401);
    }
    // The right password is refused too, without being checked.
    app.set_now("2025-11-15T12:05:00Z");
    let locked = login(&app, "Ana@Example.com", PASSWORD, "x").await;
    assert_eq!(
        locked.problem(429),
        "too many failed sign-ins for this account or from this address; try again in 600 s"
    );
    assert_eq!(locked.header("retry-after"), Some("600"));
    // An email without an account is throttled alike, so 429s reveal nothing.
    for _ in 0..5 {
        login(&app, "nobody@example.com", "guess", "x")
            .await
            .problem(401);
    }
    login(&app, "nobody@example.com", "guess", "x")
        .await
        .problem(429);
    // Once the first failure is 15 minutes old, one more try is allowed.
    app.set_now("2025-11-15T12:15:00Z");
    let signed_in = login(&app, "ana@example.com", PASSWORD, "x").await;
    assert_eq!(signed_in.status, 201, "{}", signed_in.text);
}

#[tokio::test]
async fn twenty_failures_from_one_address_stop_guessing_across_accounts() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    register_with_password(&app, "Ana").await;
    for n in 0..20 {
        login(&app, &format!("user{n}@example.com"), "guess", "x")
            .await
            .problem(401);
    }
    let refused = login(&app, "ana@example.com", PASSWORD, "x").await;
    refused.problem(429);
    assert_eq!(refused.header("retry-after"), Some("900"));
}

/// The contract answers a taken email with 409, which says the email has
/// an account; ten such answers to one address in 15 minutes stop its
/// registrations, whatever email comes next, and the count is shared
/// through the database.
#[tokio::test]
async fn refused_registrations_from_one_address_slow_down_probing_for_accounts() {
    let mut http = hyperfocus::config::HttpConfig {
        rate_limit: hyperfocus::config::RateLimit::Off,
        ..hyperfocus::config::HttpConfig::default()
    };
    http.client_ip_header = Some("x-forwarded-for".parse().unwrap());
    let app = TestApp::at_with_http("2025-11-15T12:00:00Z", http).await;
    let register = |email: &str, address: &'static str| {
        let request = axum::http::Request::post("/users/")
            .header("content-type", "application/json")
            .header("x-forwarded-for", address)
            .body(axum::body::Body::from(
                json!({"name": "Someone", "email": email}).to_string(),
            ))
            .unwrap();
        app.send(request)
    };
    assert_eq!(register("ana@example.com", "192.0.2.1").await.status, 201);
    for minute in 0..10 {
        app.set_now(&format!("2025-11-15T12:0{minute}:00Z"));
        register("Ana@example.com", "198.51.100.7")
            .await
            .problem(409);
    }
    assert_eq!(app.count_rows("registration_refusals").await, 10);
    app.set_now("2025-11-15T12:10:00Z");
    let stopped = register("bea@example.com", "198.51.100.7").await;
    assert_eq!(
        stopped.problem(429),
        "too many registrations from this address were refused because their email already has an account; try again in 300 s"
    );
    assert_eq!(stopped.header("retry-after"), Some("300"));
    assert_eq!(stopped.body["type"], "/problems/too-many-registrations");
    // Another address is not held back, and once the first refusal is 15
    // minutes old this one may register again.
    assert_eq!(register("cy@example.com", "192.0.2.1").await.status, 201);
    app.set_now("2025-11-15T12:15:00Z");
    assert_eq!(
        register("bea@example.com", "198.51.100.7").await.status,
        201
    );
    assert_eq!(app.count_rows("users").await, 3);
    // Refusals too old to count are deleted now and then.
    let purged = hyperfocus::maintenance::purge_registration_refusals(
        app.state.store.as_ref(),
        &app.state.clock,
    )
    .await
    .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(app.count_rows("registration_refusals").await, 9);
}

#[tokio::test]
async fn the_failure_counts_are_in_the_database() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    login(&app, "ana@example.com", "guess", "x")
        .await
        .problem(401);
    assert_eq!(app.count_rows("login_failures").await, 1);
}

#[tokio::test]
async fn passwords_are_8_to_128_characters_and_never_echoed() {
    let app = TestApp::new().await;
    let short = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Ana", "email": "not-an-email", "password": "s3cret!"})),
        )
        .await;
    short.problem(422);
    assert_eq!(
        short.body["errors"],
        json!([
            {"field": "email", "message": "`not-an-email` is not a valid email address, e.g. victor@example.com"},
            {"field": "password", "message": "must be 8 to 128 characters (got 7); a few words make a good one"}
        ])
    );
    assert!(!short.text.contains("s3cret!"));
    assert_eq!(app.count_rows("users").await, 0);
    let null = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Ana", "email": "ana@example.com", "password": null})),
        )
        .await;
    null.problem(422);
}

#[tokio::test]
async fn the_password_is_stored_as_argon2id_only() {
    let app = TestApp::new().await;
    let ana = register_with_password(&app, "Ana").await;
    let (_, text) = app.db.token_row(ana.token_id()).await;
    assert!(text.contains("$argon2id$v=19$m=19456,t=2,p=1$"), "{text}");
    assert!(!text.contains(PASSWORD));
}

#[tokio::test]
async fn a_password_is_set_without_the_current_one_then_changed_with_it() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let set = app
        .call(
            "PUT",
            "/users/me/password",
            Some(&ana.token),
            Some(json!({"new_password": PASSWORD})),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    assert_eq!(
        login(&app, "ana@example.com", PASSWORD, "a").await.status,
        201
    );

    let without = app
        .call(
            "PUT",
            "/users/me/password",
            Some(&ana.token),
            Some(json!({"new_password": "a new passphrase"})),
        )
        .await;
    assert_eq!(
        without.problem(422),
        "current_password: is needed to change a password that is set; send the password now"
    );
    let wrong = app
        .call(
            "PUT",
            "/users/me/password",
            Some(&ana.token),
            Some(json!({"current_password": "nope", "new_password": "a new passphrase"})),
        )
        .await;
    assert_eq!(
        wrong.problem(403),
        "current_password is not the password of this account"
    );
    assert_eq!(
        app.count_rows("login_failures").await,
        1,
        "a wrong current password counts"
    );
    let changed = app
        .call(
            "PUT",
            "/users/me/password",
            Some(&ana.token),
            Some(json!({"current_password": PASSWORD, "new_password": "a new passphrase"})),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    login(&app, "ana@example.com", PASSWORD, "b")
        .await
        .problem(401);
    assert_eq!(
        login(&app, "ana@example.com", "a new passphrase", "b")
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn personal_tokens_are_listed_created_and_revoked() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let created = app
        .post(
            "/users/me/tokens",
            &ana.token,
            json!({"name": " status bar ", "scope": "read", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.header("location"), Some("/users/me/tokens"));
    let read = created.body["api_token"].as_str().unwrap().to_owned();
    assert_eq!(created.body["name"], "status bar");
    assert_eq!(created.body["scope"], "read");
    assert_eq!(created.body["expires_at"], "2025-12-15T12:00:00Z");

    let listed = app.get("/users/me/tokens", &ana.token).await;
    assert_eq!(
        listed.body,
        json!([
            {"id": ana.token_id(), "name": "registration", "scope": "write",
             "created_at": "2025-11-15T12:00:00Z", "last_used_at": "2025-11-15T12:00:00Z", "expires_at": null},
            {"id": token_id(&read), "name": "status bar", "scope": "read",
             "created_at": "2025-11-15T12:00:00Z", "last_used_at": null, "expires_at": "2025-12-15T12:00:00Z"}
        ])
    );
    assert!(
        !listed.text.contains(&read[read.len() - 20..]),
        "secrets are never listed"
    );

    let revoked = app
        .call(
            "DELETE",
            &format!("/users/me/tokens/{}", token_id(&read)),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get("/users/me", &read).await.problem(401);
    app.call(
        "DELETE",
        &format!("/users/me/tokens/{}", token_id(&read)),
        Some(&ana.token),
        None,
    )
    .await
    .problem(404);
}

#[tokio::test]
async fn a_read_token_reads_everything_and_writes_nothing() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let created = app
        .post(
            "/users/me/tokens",
            &ana.token,
            json!({"name": "dashboard", "scope": "read"}),
        )
        .await;
    let read = created.body["api_token"].as_str().unwrap().to_owned();
    for path in [
        "/users/me".to_owned(),
        "/sessions/current".to_owned(),
        format!("/sessions/{session}"),
        format!("/users/{}/stats/summary", ana.id),
        "/users/me/tokens".to_owned(),
    ] {
        assert_eq!(app.get(&path, &read).await.status, 200, "{path}");
    }
    let writes: [(&str, String, Option<Value>); 6] = [
        ("POST", format!("/sessions/{session}/end"), None),
        (
            "POST",
            "/interruptions/".into(),
            Some(json!({"session_id": session, "type": "phone"})),
        ),
        (
            "PATCH",
            format!("/users/{}", ana.id),
            Some(json!({"name": "Eve"})),
        ),
        (
            "POST",
            "/users/me/tokens".into(),
            Some(json!({"name": "escalate"})),
        ),
        ("POST", "/users/me/token".into(), None),
        (
            "DELETE",
            format!("/users/me/tokens/{}", ana.token_id()),
            None,
        ),
    ];
    for (method, path, body) in writes {
        let refused = app.call(method, &path, Some(&read), body).await;
        assert_eq!(
            refused.problem(403),
            "this token is read-only; changes need a token with scope `write`",
            "{method} {path}"
        );
    }
    assert_eq!(app.count_rows("tokens").await, 2);
    assert_eq!(app.count_rows("interruptions").await, 0);
}

#[tokio::test]
async fn an_expired_token_stops_working() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let created = app
        .post(
            "/users/me/tokens",
            &ana.token,
            json!({"name": "trial", "expires_in_days": 1}),
        )
        .await;
    let trial = created.body["api_token"].as_str().unwrap().to_owned();
    app.set_now("2025-11-16T11:59:59Z");
    assert_eq!(app.get("/users/me", &trial).await.status, 200);
    app.set_now("2025-11-16T12:00:00Z");
    assert_eq!(
        app.get("/users/me", &trial).await.problem(401),
        "the bearer token has expired; sign in again or create a new token with POST /users/me/tokens"
    );
}

#[tokio::test]
async fn last_use_is_recorded_about_once_a_minute() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let sql = format!(
        "SELECT COALESCE(last_used_at, 0) FROM tokens WHERE id = {}",
        ana.token_id()
    );
    let noon = 1_763_208_000; // 2025-11-15T12:00:00Z
    app.get("/users/me", &ana.token).await;
    assert_eq!(app.db.scalar(&sql).await.unwrap(), noon);
    app.set_now("2025-11-15T12:00:59Z");
    app.get("/users/me", &ana.token).await;
    assert_eq!(
        app.db.scalar(&sql).await.unwrap(),
        noon,
        "not again within the minute"
    );
    app.set_now("2025-11-15T12:01:00Z");
    app.get("/users/me", &ana.token).await;
    assert_eq!(app.db.scalar(&sql).await.unwrap(), noon + 60);
}

#[tokio::test]
async fn rotating_replaces_only_the_token_that_sent_it() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let laptop = app
        .post("/users/me/tokens", &ana.token, json!({"name": "laptop"}))
        .await;
    let laptop = laptop.body["api_token"].as_str().unwrap().to_owned();
    let rotated = app
        .call("POST", "/users/me/token", Some(&laptop), None)
        .await;
    assert_eq!(rotated.status, 200);
    let new_laptop = rotated.body["api_token"].as_str().unwrap();
    assert_eq!(
        token_id(new_laptop),
        token_id(&laptop),
        "same token, new secret"
    );
    app.get("/users/me", &laptop).await.problem(401);
    assert_eq!(app.get("/users/me", new_laptop).await.status, 200);
    assert_eq!(
        app.get("/users/me", &ana.token).await.status,
        200,
        "others untouched"
    );
}

#[tokio::test]
async fn bad_token_requests_say_what_to_fix() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let blank = app
        .post(
            "/users/me/tokens",
            &ana.token,
            json!({"name": "  ", "expires_in_days": 0}),
        )
        .await;
    blank.problem(422);
    let fields: Vec<&str> = blank.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "expires_in_days"]);
    let scope = app
        .post(
            "/users/me/tokens",
            &ana.token,
            json!({"name": "x", "scope": "admin"}),
        )
        .await;
    assert_eq!(
        scope.problem(422),
        "scope: unknown variant `admin`, expected `read` or `write`"
    );
    let no_name = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": "ana@example.com", "password": "x"})),
        )
        .await;
    assert_eq!(
        no_name.problem(422),
        "token_name: missing field `token_name`"
    );
}

#[tokio::test]
async fn a_user_holds_at_most_a_hundred_tokens() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    for n in 1..100 {
        let created = app
            .post(
                "/users/me/tokens",
                &ana.token,
                json!({"name": format!("t{n}")}),
            )
            .await;
        assert_eq!(created.status, 201, "{n}: {}", created.text);
    }
    let full = app
        .post("/users/me/tokens", &ana.token, json!({"name": "one more"}))
        .await;
    assert_eq!(
        full.problem(409),
        "you hold 100 tokens, the most allowed; revoke unused ones with DELETE /users/me/tokens/{id} first"
    );
}

#[tokio::test]
async fn one_users_token_cannot_see_or_revoke_anothers() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    let listed = app.get("/users/me/tokens", &bob.token).await;
    let ids: Vec<i64> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [bob.token_id()]);
    app.call(
        "DELETE",
        &format!("/users/me/tokens/{}", ana.token_id()),
        Some(&bob.token),
        None,
    )
    .await
    .problem(404);
    assert_eq!(app.get("/users/me", &ana.token).await.status, 200);
}

#[tokio::test]
async fn erasing_a_user_revokes_every_token() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = register_with_password(&app, "Ana").await;
    let laptop = login(&app, "ana@example.com", PASSWORD, "laptop").await;
    let laptop = laptop.body["api_token"].as_str().unwrap().to_owned();
    let erased = app
        .call(
            "DELETE",
            &format!("/users/{}", ana.id),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(erased.status, 204);
    app.get("/users/me", &laptop).await.problem(401);
    assert_eq!(app.count_rows("tokens").await, 0);
    login(&app, "ana@example.com", PASSWORD, "laptop")
        .await
        .problem(401);
}

#[tokio::test]
async fn a_retried_registration_answers_with_the_registration_token_until_it_is_revoked() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let body = json!({"name": "Ana", "email": "ana@example.com", "password": PASSWORD});
    let first = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    let again = app.post_keyed("/users/", None, "reg-1", body.clone()).await;
    assert_eq!(again.body, first.body);
    let token = first.body["api_token"].as_str().unwrap().to_owned();
    // The stored fingerprint of the request is keyed: not a plain hash of
    // a body that holds the password.
    let changed = app
        .post_keyed(
            "/users/",
            None,
            "reg-1",
            json!({"name": "Ana", "email": "ana@example.com", "password": "other password"}),
        )
        .await;
    changed.problem(422);
    let revoked = app
        .call(
            "DELETE",
            &format!("/users/me/tokens/{}", token_id(&token)),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(app.count_rows("registration_keys").await, 0);
    let after = app.post_keyed("/users/", None, "reg-1", body).await;
    after.problem(409);
}
