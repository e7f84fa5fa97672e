use std::sync::Arc;

use serde_json::json;

use crate::helpers::{TestApp, TestResponse, TestUser};

#[tokio::test]
async fn a_session_starts_and_ends_with_exact_figures() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let started = app
        .post(
            "/sessions/start",
            &user.token,
            json!({"user_id": 1, "start_time": "2025-11-15T10:00:00+01:00", "note": "chapter 3"}),
        )
        .await;
    assert_eq!(started.status, 201);
    assert_eq!(started.header("location"), Some("/sessions/1"));
    assert_eq!(
        started.body,
        json!({"id": 1, "user_id": 1, "start_time": "2025-11-15T09:00:00Z", "end_time": null,
               "created_at": "2025-11-15T12:00:00Z", "duration_seconds": null,
               "interruption_count": 0, "time_lost_seconds": 0, "note": "chapter 3"})
    );
    app.interrupt(
        &user,
        1,
        "phone",
        "2025-11-15T09:30:00Z",
        "2025-11-15T09:32:30Z",
    )
    .await;

    let ended = app.end_session(&user, 1, "2025-11-15T11:00:00Z").await;
    assert_eq!(ended.status, 200);
    assert_eq!(
        ended.body,
        json!({"id": 1, "user_id": 1, "start_time": "2025-11-15T09:00:00Z", "end_time": "2025-11-15T11:00:00Z",
               "created_at": "2025-11-15T12:00:00Z", "duration_seconds": 7200,
               "interruption_count": 1, "time_lost_seconds": 150, "note": "chapter 3"})
    );
    assert_eq!(app.get("/sessions/1", &user.token).await.body, ended.body);
}

#[tokio::test]
async fn start_and_end_default_to_now_and_take_an_empty_body() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let started = app
        .call("POST", "/sessions/start", Some(&user.token), None)
        .await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.body["start_time"], "2025-11-15T12:00:00Z");
    app.set_now("2025-11-15T12:25:00Z");
    let ended = app
        .call("POST", "/sessions/1/end", Some(&user.token), None)
        .await;
    assert_eq!(ended.body["end_time"], "2025-11-15T12:25:00Z");
    assert_eq!(ended.body["duration_seconds"], 1500);
}

#[tokio::test]
async fn a_second_active_session_is_refused_naming_the_first() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    let second = app
        .post("/sessions/start", &user.token, json!({"user_id": 1}))
        .await;
    assert_eq!(
        second.problem(400),
        "the user already has an active session (id 1); end it with POST /sessions/1/end before starting another"
    );
}

#[tokio::test]
async fn twenty_concurrent_starts_give_exactly_one_session() {
    let app = Arc::new(TestApp::new().await);
    let user = Arc::new(app.register("Ana").await);
    let starts = (0..20).map(|_| {
        let (app, user) = (app.clone(), user.clone());
        tokio::spawn(async move {
            app.post("/sessions/start", &user.token, json!({"user_id": user.id}))
                .await
                .status
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for start in starts {
        statuses.push(start.await.unwrap());
    }
    statuses.sort_unstable();
    let mut expected = vec![400; 19];
    expected.push(201);
    expected.sort_unstable();
    assert_eq!(statuses, expected);
    assert_eq!(app.count_rows("sessions").await, 1);
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_active_session() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    let error = app
        .db
        .scalar(
            "INSERT INTO sessions (user_id, start_time, created_at) VALUES (1, 1, 1) RETURNING id",
        )
        .await
        .unwrap_err();
    // SQLite and PostgreSQL word it differently; both name the uniqueness.
    assert!(error.to_lowercase().contains("unique"), "{error}");
}

#[tokio::test]
async fn sessions_may_not_overlap() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    app.end_session(&user, 1, "2025-11-15T10:00:00Z").await;
    let overlapping = app.try_start(&user, "2025-11-15T09:59:59Z").await;
    assert_eq!(
        overlapping.problem(409),
        "start_time 2025-11-15T09:59:59Z falls inside session 1 (2025-11-15T09:00:00Z to 2025-11-15T10:00:00Z); sessions may not overlap"
    );
    let touching = app.try_start(&user, "2025-11-15T10:00:00Z").await;
    assert_eq!(touching.status, 201);
}

#[tokio::test]
async fn times_need_an_offset_and_may_be_at_most_a_minute_ahead() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let naive = app.try_start(&user, "2025-11-15T09:00:00").await;
    assert_eq!(
        naive.problem(422),
        "start_time: `2025-11-15T09:00:00` is not valid: expected an RFC 3339 timestamp with an offset, e.g. 2025-11-15T16:00:00Z or 2025-11-15T17:00:00+01:00"
    );
    assert_eq!(naive.body["errors"][0]["field"], "start_time");
    let future = app.try_start(&user, "2025-11-15T12:01:01Z").await;
    assert_eq!(
        future.problem(422),
        "start_time: 2025-11-15T12:01:01Z is in the future; it may be at most 60 s after the server's time (2025-11-15T12:00:00Z)"
    );
    let ahead = app.try_start(&user, "2025-11-15T12:01:00Z").await;
    assert_eq!(ahead.status, 201);
}

#[tokio::test]
async fn starting_for_another_user_is_forbidden() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    app.register("Bob").await;
    let response = app
        .post("/sessions/start", &ana.token, json!({"user_id": 2}))
        .await;
    assert_eq!(
        response.problem(403),
        "this token acts for user 1 only; it may not act for user 2"
    );
    assert_eq!(app.count_rows("sessions").await, 0);
}

#[tokio::test]
async fn ending_checks_the_order_of_times() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    app.interrupt(
        &user,
        1,
        "noise",
        "2025-11-15T10:00:00Z",
        "2025-11-15T10:30:00Z",
    )
    .await;

    let before_start = app.end_session(&user, 1, "2025-11-15T09:00:00Z").await;
    assert_eq!(
        before_start.problem(422),
        "end_time: must be after the session's start_time (2025-11-15T09:00:00Z)"
    );
    let inside = app.end_session(&user, 1, "2025-11-15T10:29:59Z").await;
    assert_eq!(
        inside.problem(422),
        "end_time: must not be before the end of interruption 1 (2025-11-15T10:30:00Z)"
    );
    assert_eq!(
        app.end_session(&user, 1, "2025-11-15T10:30:00Z")
            .await
            .status,
        200
    );
    let again = app.end_session(&user, 1, "2025-11-15T11:00:00Z").await;
    assert_eq!(
        again.problem(400),
        "session 1 already ended at 2025-11-15T10:30:00Z"
    );
}

#[tokio::test]
async fn ending_a_session_closes_its_open_interruption_at_the_end() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    let open = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": 1, "type": "family", "start_time": "2025-11-15T11:50:00Z"}),
        )
        .await;
    assert_eq!(open.status, 201);
    let ended = app.end_session(&user, 1, "2025-11-15T11:55:00Z").await;
    assert_eq!(ended.body["time_lost_seconds"], 300);
    let interruption = app.get("/interruptions/1", &user.token).await;
    assert_eq!(interruption.body["end_time"], "2025-11-15T11:55:00Z");
    assert_eq!(interruption.body["duration"], 300);
}

#[tokio::test]
async fn an_active_session_counts_an_open_interruption_up_to_now() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    app.post(
        "/interruptions/",
        &user.token,
        json!({"session_id": 1, "type": "self", "start_time": "2025-11-15T11:58:00Z"}),
    )
    .await;
    assert_eq!(
        app.get("/sessions/1", &user.token).await.body["time_lost_seconds"],
        120
    );
    app.set_now("2025-11-15T12:10:00Z");
    assert_eq!(
        app.get("/sessions/1", &user.token).await.body["time_lost_seconds"],
        720
    );
}

/// Starts and ends sessions for `user` on consecutive hours of 2025-11-14/15.
async fn history(app: &TestApp, user: &crate::helpers::TestUser, spans: &[(&str, &str)]) {
    for (start, end) in spans {
        let id = app.start_session(user, start).await;
        assert_eq!(app.end_session(user, id, end).await.status, 200);
    }
}

#[tokio::test]
async fn sessions_are_listed_newest_first() {
    let app = TestApp::at("2025-11-16T12:00:00Z").await;
    let user = app.register("Ana").await;
    history(
        &app,
        &user,
        &[
            ("2025-11-14T09:00:00Z", "2025-11-14T10:00:00Z"),
            ("2025-11-15T09:00:00Z", "2025-11-15T10:00:00Z"),
        ],
    )
    .await;
    app.start_session(&user, "2025-11-16T09:00:00Z").await;
    let listed = app.get("/sessions/user/1", &user.token).await;
    let ids: Vec<i64> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1]);
    assert_eq!(listed.header("link"), None);
}

#[tokio::test]
async fn the_day_filter_uses_the_users_timezone_and_overlap() {
    let app = TestApp::at("2025-11-20T12:00:00Z").await;
    // Madrid is UTC+1 in November: 2025-11-15 local is [14T23:00Z, 15T23:00Z).
    let user = app.register_in("Ana", "Europe/Madrid").await;
    history(
        &app,
        &user,
        &[
            ("2025-11-14T20:00:00Z", "2025-11-14T22:00:00Z"), // 1: ends before the day
            ("2025-11-14T22:30:00Z", "2025-11-14T23:30:00Z"), // 2: crosses local midnight into it
            ("2025-11-15T12:00:00Z", "2025-11-15T13:00:00Z"), // 3: inside
            ("2025-11-15T22:30:00Z", "2025-11-15T23:30:00Z"), // 4: crosses out of it
        ],
    )
    .await;
    let id = app.start_session(&user, "2025-11-15T23:30:00Z").await; // 5: starts on the 16th locally
    app.end_session(&user, id, "2025-11-16T00:30:00Z").await;
    let listed = app
        .get("/sessions/user/1?day=2025-11-15", &user.token)
        .await;
    let ids: Vec<i64> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [4, 3, 2]);
    let bad = app
        .get("/sessions/user/1?day=15-11-2025", &user.token)
        .await;
    assert_eq!(
        bad.problem(422),
        "day: `15-11-2025` is not a calendar date; expected YYYY-MM-DD, e.g. 2025-11-15"
    );
}

#[tokio::test]
async fn listings_page_through_a_link_header() {
    let app = TestApp::at("2025-11-20T12:00:00Z").await;
    let user = app.register("Ana").await;
    let spans: Vec<(String, String)> = (0..5)
        .map(|h| {
            (
                format!("2025-11-15T0{h}:00:00Z"),
                format!("2025-11-15T0{h}:30:00Z"),
            )
        })
        .collect();
    let spans: Vec<(&str, &str)> = spans
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    history(&app, &user, &spans).await;

    let mut seen = Vec::new();
    let mut next = Some("/sessions/user/1?limit=2".to_owned());
    while let Some(path) = next {
        let page = app.get(&path, &user.token).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.push(
            page.body
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_i64().unwrap())
                .collect::<Vec<_>>(),
        );
        next = page.header("link").map(|link| {
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            let cursor = page.header("next-cursor").expect("Next-Cursor beside Link");
            assert!(link.contains(&format!("&cursor={cursor}")), "{link}");
            link[1..link.find('>').unwrap()].to_owned()
        });
        if next.is_none() {
            assert_eq!(page.header("next-cursor"), None);
        }
    }
    assert_eq!(seen, vec![vec![5, 4], vec![3, 2], vec![1]]);
}

#[tokio::test]
async fn optional_fields_may_be_left_out_but_not_sent_as_null() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    for body in [json!({"start_time": null}), json!({"user_id": null})] {
        let refused = app.post("/sessions/start", &user.token, body).await;
        refused.problem(422);
        let field = refused.body["errors"][0]["field"].as_str().unwrap();
        assert_eq!(
            refused.body["errors"][0]["message"], "must not be null; leave the field out instead",
            "{field}"
        );
    }
    assert_eq!(app.count_rows("sessions").await, 0);
    let started = app.post("/sessions/start", &user.token, json!({})).await;
    assert_eq!(started.status, 201, "{}", started.text);
    let ended = app
        .post("/sessions/1/end", &user.token, json!({"end_time": null}))
        .await;
    assert_eq!(
        ended.problem(422),
        "end_time: must not be null; leave the field out instead"
    );
}

#[tokio::test]
async fn bad_paging_parameters_are_422() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    assert_eq!(
        app.get("/sessions/user/1?limit=0", &user.token)
            .await
            .problem(422),
        "limit: must be 1 to 1000 (got 0)"
    );
    assert_eq!(
        app.get("/sessions/user/1?limit=1001", &user.token)
            .await
            .problem(422),
        "limit: must be 1 to 1000 (got 1001)"
    );
    assert_eq!(
        app.get("/sessions/user/1?limit=ten", &user.token)
            .await
            .problem(422),
        "limit: is not valid: invalid digit found in string"
    );
    assert_eq!(
        app.get("/sessions/user/1?cursor=zzz", &user.token)
            .await
            .problem(422),
        "cursor: is not a cursor this API issued; take it from the previous page's Link header"
    );
    app.get("/sessions/user/2", &user.token).await.problem(403);
}

#[tokio::test]
async fn deleting_a_session_removes_its_interruptions() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    app.start_session(&user, "2025-11-15T09:00:00Z").await;
    app.interrupt(
        &user,
        1,
        "phone",
        "2025-11-15T09:10:00Z",
        "2025-11-15T09:11:00Z",
    )
    .await;
    let deleted = app
        .call("DELETE", "/sessions/1", Some(&user.token), None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        (
            app.count_rows("sessions").await,
            app.count_rows("interruptions").await
        ),
        (0, 0)
    );
    app.get("/sessions/1", &user.token).await.problem(404);
    app.call("DELETE", "/sessions/1", Some(&user.token), None)
        .await
        .problem(404);
}

#[tokio::test]
async fn bad_ids_in_paths_are_422() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    for id in ["abc", "0", "-3", "99999999999999999999", "1.5"] {
        let response = app.get(&format!("/sessions/{id}"), &user.token).await;
        assert_eq!(
            response.problem(422),
            format!("session_id: `{id}` is not an id; ids are positive integers below 2^63")
        );
    }
}

#[tokio::test]
async fn a_retried_start_with_its_key_returns_the_same_session() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let first = start_with_key(&app, &user, "start-1").await;
    assert_eq!(first.status, 201);
    // Without the key this would be "already has an active session" (400).
    let retry = start_with_key(&app, &user, "start-1").await;
    assert_eq!((retry.status.as_u16(), &retry.body), (201, &first.body));
    let fresh = start_with_key(&app, &user, "start-2").await;
    fresh.problem(400);
    assert_eq!(app.count_rows("sessions").await, 1);
}

#[tokio::test]
async fn a_retry_after_its_session_was_deleted_is_a_conflict() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let first = start_with_key(&app, &user, "start-1").await;
    let id = first.body["id"].as_i64().unwrap();
    app.call(
        "DELETE",
        &format!("/sessions/{id}"),
        Some(&user.token),
        None,
    )
    .await;
    let retry = start_with_key(&app, &user, "start-1").await;
    assert_eq!(
        retry.problem(409),
        format!(
            "the request with this Idempotency-Key created session {id}, which has since been deleted; send a new key to create another"
        )
    );
    assert_eq!(app.count_rows("sessions").await, 0);
}

#[tokio::test]
async fn a_session_key_is_forgotten_after_a_day() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let user = app.register("Ana").await;
    let first = start_with_key(&app, &user, "start-1").await;
    let id = first.body["id"].as_i64().unwrap();
    app.set_now("2025-11-15T13:00:00Z");
    let ended = app.end_session(&user, id, "2025-11-15T13:00:00Z").await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    app.set_now("2025-11-16T11:59:59Z");
    let within = start_with_key(&app, &user, "start-1").await;
    assert_eq!(
        (within.status.as_u16(), &within.body["id"]),
        (201, &json!(id))
    );
    app.set_now("2025-11-16T12:00:00Z");
    // A day on, the key starts a new session, even with another body.
    let body = json!({"start_time": "2025-11-16T11:00:00Z"});
    let again = app
        .post_with_key("/sessions/start", &user.token, "start-1", body)
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["id"], id + 1);
    assert_eq!(app.count_rows("idempotency_keys").await, 1);
}

/// Starts a session now, sending `key`.
async fn start_with_key(app: &TestApp, user: &TestUser, key: &str) -> TestResponse {
    app.post_with_key("/sessions/start", &user.token, key, json!({}))
        .await
}
