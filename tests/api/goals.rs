//! `/users/{user_id}/goals`: goals set, changed and deleted, and their
//! progress and streaks from the same days as `daily`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, TestUser};

async fn log(app: &TestApp, user: &TestUser, start: &str, end: &str) {
    let logged = app
        .post(
            "/sessions/start",
            &user.token,
            json!({"start_time": start, "end_time": end}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
}

async fn set_goal(app: &TestApp, user: &TestUser, goal: Value) -> TestResponse {
    app.post(&format!("/users/{}/goals", user.id), &user.token, goal)
        .await
}

async fn progress(app: &TestApp, user: &TestUser, goal: i64, query: &str) -> Value {
    let response = app
        .get(
            &format!("/users/{}/goals/{goal}/progress{query}", user.id),
            &user.token,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body
}

fn statuses(progress: &Value) -> Vec<(String, String, i64)> {
    progress["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
                p["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn period(start: &str, status: &str, value: i64) -> (String, String, i64) {
    (start.to_owned(), status.to_owned(), value)
}

#[tokio::test]
async fn a_goal_is_set_read_changed_and_deleted() {
    let app = TestApp::at("2025-11-17T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let created = set_goal(
        &app,
        &ana,
        json!({"metric": "effective_seconds", "comparison": "at_least", "target": 7200,
               "period": "day", "rest_days": ["sunday", "Saturday"]}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/users/{}/goals/{id}", ana.id);
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(
        created.body,
        json!({"id": id, "user_id": ana.id, "metric": "effective_seconds", "comparison": "at_least",
               "target": 7200, "period": "day", "rest_days": ["saturday", "sunday"],
               "count_empty_days": false, "created_at": "2025-11-17T12:00:00Z"})
    );
    assert_eq!(app.get(&path, &ana.token).await.body, created.body);
    let listed = app
        .get(&format!("/users/{}/goals", ana.id), &ana.token)
        .await;
    assert_eq!(listed.body, json!([created.body]));

    let changed = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"target": 5400, "rest_days": []})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        (&changed.body["target"], &changed.body["rest_days"]),
        (&json!(5400), &json!([]))
    );
    let weekly_rest = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"period": "week", "rest_days": ["monday"]})),
        )
        .await;
    assert_eq!(
        weekly_rest.problem(422),
        "rest_days: only a day goal has rest days; a week goal counts the whole week"
    );
    assert_eq!(app.get(&path, &ana.token).await.body, changed.body);

    let bad = set_goal(
        &app,
        &ana,
        json!({"metric": "happiness", "comparison": "about", "target": -1, "period": "month"}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["metric", "comparison", "period"]);
    let score = set_goal(
        &app,
        &ana,
        json!({"metric": "focus_score", "comparison": "at_least", "target": 101, "period": "week"}),
    )
    .await;
    assert_eq!(
        score.problem(422),
        "target: must be 0 to 100 for focus_score per week (got 101)"
    );
    let missing = set_goal(&app, &ana, json!({"metric": "focus_score"})).await;
    assert_eq!(missing.status, 422, "{}", missing.text);

    let deleted = app.call("DELETE", &path, Some(&ana.token), None).await;
    assert_eq!(deleted.status, 204);
    app.get(&path, &ana.token).await.problem(404);
    assert_eq!(
        app.call("DELETE", &path, Some(&ana.token), None)
            .await
            .status,
        404
    );
    let bad_id = app
        .get(&format!("/users/{}/goals/zero", ana.id), &ana.token)
        .await;
    assert_eq!(bad_id.status, 422);
}

#[tokio::test]
async fn a_person_keeps_at_most_fifty_goals() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let goal =
        json!({"metric": "interruptions", "comparison": "at_most", "target": 5, "period": "day"});
    for _ in 0..50 {
        assert_eq!(set_goal(&app, &ana, goal.clone()).await.status, 201);
    }
    let refused = set_goal(&app, &ana, goal).await;
    assert!(
        refused.problem(409).starts_with("you keep 50 goals"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn a_deep_work_target_no_day_or_week_can_hold_is_refused() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let blocks = |target: i64, period: &str| json!({"metric": "deep_work_blocks", "comparison": "at_least", "target": target, "period": period});
    let refused = set_goal(&app, &ana, blocks(100, "day")).await;
    assert_eq!(
        refused.problem(422),
        "target: must be 0 to 60 for deep_work_blocks per day (got 100): a day holds at most 60 blocks of 25 minutes of focus (counting a 25-hour day, when the clocks go back)"
    );
    assert_eq!(refused.body["errors"][0]["field"], "target");
    assert_eq!(set_goal(&app, &ana, blocks(407, "week")).await.status, 422);
    let day = set_goal(&app, &ana, blocks(60, "day")).await;
    assert_eq!(day.status, 201, "{}", day.text);
    assert_eq!(set_goal(&app, &ana, blocks(406, "week")).await.status, 201);
    // Changing a goal is held to the same bound.
    let id = day.body["id"].as_i64().unwrap();
    let changed = app
        .call(
            "PATCH",
            &format!("/users/{}/goals/{id}", ana.id),
            Some(&ana.token),
            Some(json!({"target": 61})),
        )
        .await;
    assert_eq!(changed.status, 422, "{}", changed.text);
}

/// Ana in Madrid, from Monday 2025-11-10 to Monday 2025-11-17 (today,
/// 13:00 local): effective focus each day in hours.
async fn ana_week(app: &TestApp) -> TestUser {
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    for (start, end) in [
        ("2025-11-10T08:00:00Z", "2025-11-10T10:30:00Z"), // Mon 2 h 30
        ("2025-11-11T08:00:00Z", "2025-11-11T09:00:00Z"), // Tue 1 h
        ("2025-11-12T08:00:00Z", "2025-11-12T10:00:00Z"), // Wed 2 h
        // Thu nothing
        ("2025-11-14T08:00:00Z", "2025-11-14T11:00:00Z"), // Fri 3 h
        ("2025-11-15T08:00:00Z", "2025-11-15T08:30:00Z"), // Sat 30 min
        ("2025-11-17T08:00:00Z", "2025-11-17T09:00:00Z"), // Mon (today) 1 h
    ] {
        log(app, &ana, start, end).await;
    }
    ana
}

#[tokio::test]
async fn progress_marks_each_day_and_streaks_step_over_rest_and_empty_days() {
    let app = TestApp::at("2025-11-17T12:00:00Z").await;
    let ana = ana_week(&app).await;
    let goal = set_goal(
        &app,
        &ana,
        json!({"metric": "effective_seconds", "comparison": "at_least", "target": 7200,
               "period": "day", "rest_days": ["saturday", "sunday"]}),
    )
    .await;
    let id = goal.body["id"].as_i64().unwrap();
    let week = progress(&app, &ana, id, "?range=8d").await;
    assert_eq!(
        statuses(&week),
        [
            period("2025-11-10", "met", 9000),
            period("2025-11-11", "missed", 3600),
            period("2025-11-12", "met", 7200),
            period("2025-11-13", "empty", 0),
            period("2025-11-14", "met", 10_800),
            period("2025-11-15", "rest", 1800),
            period("2025-11-16", "rest", 0),
            period("2025-11-17", "pending", 3600),
        ]
    );
    assert_eq!(
        week["periods"][7],
        json!({"start": "2025-11-17", "end": "2025-11-17", "value": 3600, "target": 7200,
               "met": false, "pending": true, "status": "pending"})
    );
    assert_eq!(
        (
            &week["current_streak"],
            &week["longest_streak"],
            &week["success_rate"]
        ),
        (&json!(2), &json!(2), &json!(0.75))
    );
    assert_eq!(
        week["window"],
        json!({"from": "2025-11-09T23:00:00Z", "to": "2025-11-17T23:00:00Z",
               "timezone": "Europe/Madrid", "week_start": "monday", "day_start": "00:00"})
    );
    // The default range is 30 days; streaks look at the whole history.
    let month = progress(&app, &ana, id, "").await;
    assert_eq!(month["periods"].as_array().unwrap().len(), 30);
    let two_days = progress(&app, &ana, id, "?range=2d").await;
    assert_eq!(two_days["periods"].as_array().unwrap().len(), 2);
    assert_eq!(two_days["current_streak"], 2, "from the whole history");
    assert_eq!(
        two_days["success_rate"],
        Value::Null,
        "nothing decided in it"
    );

    // Meeting today's target meets it at once; counting empty days breaks
    // the streak on Thursday.
    log(&app, &ana, "2025-11-17T09:30:00Z", "2025-11-17T10:30:00Z").await;
    let met = progress(&app, &ana, id, "?range=8d").await;
    assert_eq!(met["periods"][7]["status"], "met");
    assert_eq!(met["current_streak"], 3);
    app.call(
        "PATCH",
        &format!("/users/{}/goals/{id}", ana.id),
        Some(&ana.token),
        Some(json!({"count_empty_days": true})),
    )
    .await;
    let strict = progress(&app, &ana, id, "?range=8d").await;
    assert_eq!(strict["periods"][3]["status"], "missed");
    assert_eq!(
        (&strict["current_streak"], &strict["longest_streak"]),
        (&json!(2), &json!(2))
    );
    let bad = app
        .get(
            &format!("/users/{}/goals/{id}/progress?range=3m", ana.id),
            &ana.token,
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn an_at_most_goal_is_missed_as_soon_as_the_limit_is_passed() {
    let app = TestApp::at("2025-11-17T12:00:00Z").await;
    let ana = ana_week(&app).await;
    let calm = set_goal(
        &app,
        &ana,
        json!({"metric": "interruptions", "comparison": "at_most", "target": 1, "period": "day"}),
    )
    .await;
    let id = calm.body["id"].as_i64().unwrap();
    let session = app.start_session(&ana, "2025-11-17T10:45:00Z").await;
    for (start, end) in [
        ("2025-11-17T11:00:00Z", "2025-11-17T11:01:00Z"),
        ("2025-11-17T11:10:00Z", "2025-11-17T11:11:00Z"),
    ] {
        let before = progress(&app, &ana, id, "?range=1d").await;
        assert_eq!(before["periods"][0]["status"], "pending");
        app.interrupt(&ana, session, "phone", start, end).await;
    }
    let after = progress(&app, &ana, id, "?range=2d").await;
    assert_eq!(
        statuses(&after),
        [
            period("2025-11-16", "empty", 0),
            period("2025-11-17", "missed", 2)
        ]
    );
    assert_eq!(after["current_streak"], 0);
    assert_eq!(
        after["longest_streak"], 5,
        "Mon to Sat, Thursday stepped over"
    );
}

#[tokio::test]
async fn week_goals_follow_the_week_start_and_days_the_day_start() {
    let app = TestApp::at("2025-11-17T12:00:00Z").await;
    let ana = ana_week(&app).await;
    // Saturday night, 00:30–02:30 on Sunday the 16th, local.
    log(&app, &ana, "2025-11-15T23:30:00Z", "2025-11-16T01:30:00Z").await;
    let ten_hours = set_goal(
        &app,
        &ana,
        json!({"metric": "worked_seconds", "comparison": "at_least", "target": 36_000, "period": "week"}),
    )
    .await;
    let id = ten_hours.body["id"].as_i64().unwrap();
    let (app, ana) = (&app, &ana);
    let weeks = |body: Value| async move {
        let response = app
            .call(
                "PATCH",
                &format!("/users/{}", ana.id),
                Some(&ana.token),
                Some(body),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        statuses(&progress(app, ana, id, "?range=2w").await)
    };
    assert_eq!(
        weeks(json!({})).await,
        [
            period("2025-11-10", "met", 39_600),
            period("2025-11-17", "pending", 3600)
        ]
    );
    // Weeks from Sunday: the night is the new week's.
    assert_eq!(
        weeks(json!({"week_start": "sunday"})).await,
        [
            period("2025-11-09", "missed", 32_400),
            period("2025-11-16", "pending", 10_800)
        ]
    );
    // Days from 04:00: the night is Saturday's, so the old week's.
    assert_eq!(
        weeks(json!({"day_start": "04:00"})).await,
        [
            period("2025-11-09", "met", 39_600),
            period("2025-11-16", "pending", 3600)
        ]
    );
}
