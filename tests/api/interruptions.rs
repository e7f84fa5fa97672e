use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// An app at 12:00 with Ana's session 1 active since 09:00.
async fn active_session() -> (TestApp, TestUser) {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    (app, user)
}

fn body(kind: &str, start: &str, end: &str) -> Value {
    json!({"session_id": 1, "user_id": 1, "type": kind, "start_time": start, "end_time": end})
}

#[tokio::test]
async fn an_interruption_is_logged_with_a_server_computed_duration() {
    let (app, user) = active_session().await;
    let mut request = body("phone", "2025-11-15T10:00:00+01:00", "2025-11-15T09:02:30Z");
    request["description"] = json!("WhatsApp messages");
    let response = app.post("/interruptions/", &user.token, request).await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.header("location"), Some("/interruptions/1"));
    assert_eq!(
        response.body,
        json!({"id": 1, "session_id": 1, "user_id": 1, "type": "phone", "description": "WhatsApp messages",
               "start_time": "2025-11-15T09:00:00Z", "end_time": "2025-11-15T09:02:30Z", "duration": 150,
               "created_at": "2025-11-15T12:00:00Z"})
    );
    assert_eq!(
        app.get("/interruptions/1", &user.token).await.body,
        response.body
    );
}

#[tokio::test]
async fn a_client_sent_duration_is_rejected() {
    let (app, user) = active_session().await;
    let mut request = body("phone", "2025-11-15T09:00:00Z", "2025-11-15T09:01:00Z");
    request["duration"] = json!(1);
    let response = app.post("/interruptions/", &user.token, request).await;
    response.problem(422);
    assert_eq!(response.body["errors"][0]["field"], "duration");
    assert_eq!(app.count_rows("interruptions").await, 0);
}

#[tokio::test]
async fn every_type_is_accepted_and_others_are_not() {
    let (app, user) = active_session().await;
    for (minute, kind) in ["family", "phone", "noise", "self", "urgent_task", "unknown"]
        .iter()
        .enumerate()
    {
        let start = format!("2025-11-15T10:0{minute}:00Z");
        let end = format!("2025-11-15T10:0{minute}:30Z");
        let response = app
            .post("/interruptions/", &user.token, body(kind, &start, &end))
            .await;
        assert_eq!(response.body["type"], *kind, "{}", response.text);
    }
    let dog = app
        .post(
            "/interruptions/",
            &user.token,
            body("dog", "2025-11-15T11:00:00Z", "2025-11-15T11:01:00Z"),
        )
        .await;
    assert_eq!(
        dog.problem(422),
        "type: unknown variant `dog`, expected one of `family`, `phone`, `noise`, `self`, `urgent_task`, `unknown`"
    );
}

#[tokio::test]
async fn descriptions_are_at_most_500_characters() {
    let (app, user) = active_session().await;
    let mut request = body("noise", "2025-11-15T10:00:00Z", "2025-11-15T10:01:00Z");
    request["description"] = json!("é".repeat(501));
    let response = app
        .post("/interruptions/", &user.token, request.clone())
        .await;
    assert_eq!(
        response.problem(422),
        "description: must be at most 500 characters (got 501)"
    );
    request["description"] = json!("é".repeat(500));
    assert_eq!(
        app.post("/interruptions/", &user.token, request)
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn an_interruption_must_lie_inside_its_session() {
    let (app, user) = active_session().await;
    let cases = [
        (
            ("2025-11-15T10:00:00Z", "2025-11-15T10:00:00Z"),
            "end_time: must be after start_time (2025-11-15T10:00:00Z)",
        ),
        (
            ("2025-11-15T08:59:59Z", "2025-11-15T09:10:00Z"),
            "start_time: must not be before the session's start_time (2025-11-15T09:00:00Z)",
        ),
        (
            ("2025-11-15T11:59:00Z", "2025-11-15T12:01:01Z"),
            "end_time: 2025-11-15T12:01:01Z is in the future; it may be at most 60 s after the server's time (2025-11-15T12:00:00Z)",
        ),
        (
            ("2025-11-15T10:00:00", "2025-11-15T10:01:00Z"),
            "start_time: `2025-11-15T10:00:00` is not valid: expected an RFC 3339 timestamp with an offset, e.g. 2025-11-15T16:00:00Z or 2025-11-15T17:00:00+01:00",
        ),
    ];
    for ((start, end), detail) in cases {
        let response = app
            .post("/interruptions/", &user.token, body("self", start, end))
            .await;
        assert_eq!(response.problem(422), detail);
    }
    assert_eq!(app.count_rows("interruptions").await, 0);
}

#[tokio::test]
async fn overlapping_interruptions_are_a_conflict_naming_the_other() {
    let (app, user) = active_session().await;
    app.interrupt(
        &user,
        1,
        "phone",
        "2025-11-15T10:00:00Z",
        "2025-11-15T10:10:00Z",
    )
    .await;
    for (start, end) in [
        ("2025-11-15T10:09:59Z", "2025-11-15T10:20:00Z"),
        ("2025-11-15T09:50:00Z", "2025-11-15T10:00:01Z"),
        ("2025-11-15T09:50:00Z", "2025-11-15T10:30:00Z"),
        ("2025-11-15T10:01:00Z", "2025-11-15T10:02:00Z"),
    ] {
        let response = app.interrupt(&user, 1, "noise", start, end).await;
        assert_eq!(
            response.problem(409),
            "overlaps interruption 1 (2025-11-15T10:00:00Z to 2025-11-15T10:10:00Z); interruptions of a session may not overlap"
        );
    }
    assert_eq!(
        app.interrupt(
            &user,
            1,
            "noise",
            "2025-11-15T10:10:00Z",
            "2025-11-15T10:20:00Z"
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.interrupt(
            &user,
            1,
            "noise",
            "2025-11-15T09:50:00Z",
            "2025-11-15T10:00:00Z"
        )
        .await
        .status,
        201
    );
}

#[tokio::test]
async fn only_an_active_session_takes_new_interruptions() {
    let (app, user) = active_session().await;
    app.end_session(&user, 1, "2025-11-15T11:00:00Z").await;
    let response = app
        .interrupt(
            &user,
            1,
            "noise",
            "2025-11-15T10:00:00Z",
            "2025-11-15T10:01:00Z",
        )
        .await;
    assert_eq!(
        response.problem(400),
        "session 1 ended at 2025-11-15T11:00:00Z; interruptions can only be logged in an active session"
    );
}

#[tokio::test]
async fn sessions_of_others_are_missing_and_their_user_ids_forbidden() {
    let (app, ana) = active_session().await;
    let bob = app.register("Bob").await;
    let unknown = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": 99, "type": "noise"}),
        )
        .await;
    assert_eq!(
        unknown.problem(404),
        "session not found: it does not exist or is not yours"
    );
    let foreign = app
        .post(
            "/interruptions/",
            &bob.token,
            json!({"session_id": 1, "type": "noise"}),
        )
        .await;
    assert_eq!(
        foreign.problem(404),
        "session not found: it does not exist or is not yours"
    );
    let other_user = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": 1, "user_id": 2, "type": "noise"}),
        )
        .await;
    assert_eq!(
        other_user.problem(403),
        "this token acts for user 1 only; it may not act for user 2"
    );
    assert_eq!(app.count_rows("interruptions").await, 0);
    let _ = bob;
}

#[tokio::test]
async fn an_open_interruption_is_logged_then_closed_once() {
    let (app, user) = active_session().await;
    let open = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": 1, "type": "family"}),
        )
        .await;
    assert_eq!(open.status, 201);
    assert_eq!(
        (
            open.body["start_time"].as_str(),
            &open.body["end_time"],
            &open.body["duration"]
        ),
        (Some("2025-11-15T12:00:00Z"), &Value::Null, &Value::Null)
    );

    let second = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": 1, "type": "phone", "start_time": "2025-11-15T11:00:00Z"}),
        )
        .await;
    assert_eq!(
        second.problem(409),
        "interruption 1 of this session is still open (since 2025-11-15T12:00:00Z); end it with POST /interruptions/1/end first"
    );
    app.set_now("2025-11-15T12:05:00Z");
    let during = app
        .interrupt(
            &user,
            1,
            "noise",
            "2025-11-15T12:01:00Z",
            "2025-11-15T12:02:00Z",
        )
        .await;
    during.problem(409);

    let closed = app
        .call("POST", "/interruptions/1/end", Some(&user.token), None)
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(
        (
            closed.body["end_time"].as_str(),
            closed.body["duration"].as_i64()
        ),
        (Some("2025-11-15T12:05:00Z"), Some(300))
    );
    let again = app
        .call("POST", "/interruptions/1/end", Some(&user.token), None)
        .await;
    assert_eq!(
        again.problem(400),
        "interruption 1 already ended at 2025-11-15T12:05:00Z"
    );
}

#[tokio::test]
async fn an_open_interruption_covers_its_start_until_now() {
    let (app, user) = active_session().await;
    app.interrupt(
        &user,
        1,
        "noise",
        "2025-11-15T11:00:00Z",
        "2025-11-15T11:10:00Z",
    )
    .await;
    // Open from 10:00, it would cover 10:00 to now (12:00), across interruption 1.
    let before = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": 1, "type": "family", "start_time": "2025-11-15T10:00:00Z"}),
        )
        .await;
    assert_eq!(
        before.problem(409),
        "overlaps interruption 1 (2025-11-15T11:00:00Z to 2025-11-15T11:10:00Z); interruptions of a session may not overlap"
    );
    let after = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": 1, "type": "family", "start_time": "2025-11-15T11:30:00Z"}),
        )
        .await;
    assert_eq!(after.status, 201);
    let moved = app
        .call(
            "PATCH",
            "/interruptions/2",
            Some(&user.token),
            Some(json!({"start_time": "2025-11-15T11:05:00Z"})),
        )
        .await;
    moved.problem(409);
}

#[tokio::test]
async fn closing_an_interruption_checks_its_end() {
    let (app, user) = active_session().await;
    app.post(
        "/interruptions/",
        &user.token,
        json!({"session_id": 1, "type": "family", "start_time": "2025-11-15T10:00:00Z"}),
    )
    .await;
    let early = app
        .post(
            "/interruptions/1/end",
            &user.token,
            json!({"end_time": "2025-11-15T10:00:00Z"}),
        )
        .await;
    assert_eq!(
        early.problem(422),
        "end_time: must be after start_time (2025-11-15T10:00:00Z)"
    );
    let future = app
        .post(
            "/interruptions/1/end",
            &user.token,
            json!({"end_time": "2025-11-15T12:01:01Z"}),
        )
        .await;
    future.problem(422);
    let fine = app
        .post(
            "/interruptions/1/end",
            &user.token,
            json!({"end_time": "2025-11-15T11:00:00Z"}),
        )
        .await;
    assert_eq!(fine.body["duration"], 3600);
}

#[tokio::test]
async fn a_session_lists_its_interruptions_by_start() {
    let (app, user) = active_session().await;
    app.interrupt(
        &user,
        1,
        "noise",
        "2025-11-15T11:00:00Z",
        "2025-11-15T11:10:00Z",
    )
    .await;
    app.interrupt(
        &user,
        1,
        "phone",
        "2025-11-15T09:30:00Z",
        "2025-11-15T09:31:00Z",
    )
    .await;
    app.interrupt(
        &user,
        1,
        "self",
        "2025-11-15T10:00:00Z",
        "2025-11-15T10:05:00Z",
    )
    .await;
    let listed = app.get("/interruptions/session/1", &user.token).await;
    let order: Vec<i64> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [2, 3, 1]);
    app.get("/interruptions/session/2", &user.token)
        .await
        .problem(404);
}

#[tokio::test]
async fn a_patch_is_validated_like_a_new_interruption() {
    let (app, user) = active_session().await;
    app.interrupt(
        &user,
        1,
        "noise",
        "2025-11-15T10:00:00Z",
        "2025-11-15T10:10:00Z",
    )
    .await;
    app.interrupt(
        &user,
        1,
        "phone",
        "2025-11-15T10:20:00Z",
        "2025-11-15T10:30:00Z",
    )
    .await;
    let patch = |body: Value| app.call("PATCH", "/interruptions/2", Some(&user.token), Some(body));

    let changed = patch(
        json!({"type": "urgent_task", "description": "boss", "start_time": "2025-11-15T10:15:00Z"}),
    )
    .await;
    assert_eq!(
        (
            changed.body["type"].as_str(),
            changed.body["description"].as_str(),
            changed.body["duration"].as_i64()
        ),
        (Some("urgent_task"), Some("boss"), Some(900))
    );
    patch(json!({"start_time": "2025-11-15T10:05:00Z"}))
        .await
        .problem(409);
    patch(json!({"end_time": "2025-11-15T10:14:00Z"}))
        .await
        .problem(422);
    patch(json!({"session_id": 5})).await.problem(422);
    // Its own old span is no obstacle.
    assert_eq!(
        patch(json!({"end_time": "2025-11-15T10:31:00Z"}))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get("/interruptions/2", &user.token).await.body["end_time"],
        "2025-11-15T10:31:00Z"
    );
}

#[tokio::test]
async fn an_interruption_can_be_deleted_once() {
    let (app, user) = active_session().await;
    app.interrupt(
        &user,
        1,
        "noise",
        "2025-11-15T10:00:00Z",
        "2025-11-15T10:10:00Z",
    )
    .await;
    assert_eq!(
        app.call("DELETE", "/interruptions/1", Some(&user.token), None)
            .await
            .status,
        204
    );
    app.call("DELETE", "/interruptions/1", Some(&user.token), None)
        .await
        .problem(404);
    assert_eq!(
        app.get("/sessions/1", &user.token).await.body["interruption_count"],
        0
    );
}

#[tokio::test]
async fn racing_overlapping_interruptions_give_exactly_one() {
    let (app, user) = active_session().await;
    let app = std::sync::Arc::new(app);
    let user = std::sync::Arc::new(user);
    let posts = (0..20).map(|k| {
        let (app, user) = (app.clone(), user.clone());
        tokio::spawn(async move {
            // Every one overlaps every other: all cover 10:00:19–10:00:20.
            let start = format!("2025-11-15T10:00:{k:02}Z");
            let response = app
                .interrupt(&user, 1, "noise", &start, "2025-11-15T10:00:20Z")
                .await;
            response.status.as_u16()
        })
    });
    let mut statuses = Vec::new();
    for post in posts {
        statuses.push(post.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.count_rows("interruptions").await, 1);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_creates_nothing_new() {
    let (app, user) = active_session().await;
    let body = body("phone", "2025-11-15T10:00:00Z", "2025-11-15T10:05:00Z");
    let first = app
        .post_with_key("/interruptions/", &user.token, "k-1", body.clone())
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = app
        .post_with_key("/interruptions/", &user.token, "k-1", body.clone())
        .await;
    assert_eq!((retry.status.as_u16(), &retry.body), (201, &first.body));
    assert_eq!(app.count_rows("interruptions").await, 1);

    let mut other = body.clone();
    other["type"] = json!("noise");
    let reused = app
        .post_with_key("/interruptions/", &user.token, "k-1", other)
        .await;
    assert_eq!(
        reused.problem(422),
        "Idempotency-Key: was first used with a different request; send a new key for a new request"
    );
    let bad = app
        .post_with_key("/interruptions/", &user.token, "two words", body)
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "Idempotency-Key");
    bad.problem(422);
    assert_eq!(app.count_rows("interruptions").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_closes_of_one_interruption_close_it_once() {
    let (app, user) = active_session().await;
    app.post(
        "/interruptions/",
        &user.token,
        json!({"session_id": 1, "type": "family", "start_time": "2025-11-15T11:00:00Z"}),
    )
    .await;
    let app = std::sync::Arc::new(app);
    let user = std::sync::Arc::new(user);
    let closes = (0..10).map(|_| {
        let (app, user) = (app.clone(), user.clone());
        tokio::spawn(async move {
            app.call("POST", "/interruptions/1/end", Some(&user.token), None)
                .await
                .status
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for close in closes {
        statuses.push(close.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![200], vec![400; 9]].concat());
}
