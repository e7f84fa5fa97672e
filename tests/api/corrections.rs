//! Correcting the record: forgotten sessions logged afterwards, times
//! corrected, and what is going on now.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// Ana with today's 08:00–09:00 session logged, at noon.
async fn morning() -> (TestApp, TestUser, i64) {
    let app = TestApp::at("2026-12-02T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let session = app.start_session(&ana, "2026-12-02T08:00:00Z").await;
    app.end_session(&ana, session, "2026-12-02T09:00:00Z").await;
    (app, ana, session)
}

#[tokio::test]
async fn a_forgotten_session_is_logged_in_one_call() {
    let (app, ana, _) = morning().await;
    let logged = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-01T08:00:00Z", "end_time": "2026-12-01T10:30:00+01:00"}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    assert_eq!(logged.body["end_time"], "2026-12-01T09:30:00Z");
    assert_eq!(logged.body["duration_seconds"], 5400);
    let day = app
        .get(
            &format!(
                "/users/{}/stats/summary?from=2026-12-01&to=2026-12-02",
                ana.id
            ),
            &ana.token,
        )
        .await;
    assert_eq!(day.body["total_time_worked_seconds"], 5400);
}

#[tokio::test]
async fn a_running_session_before_a_later_one_is_refused_with_the_truth() {
    let (app, ana, session) = morning().await;
    let refused = app.try_start(&ana, "2026-12-01T08:00:00Z").await;
    assert_eq!(
        refused.problem(409),
        format!(
            "a session running since 2026-12-01T08:00:00Z would overlap session {session} (2026-12-02T08:00:00Z to 2026-12-02T09:00:00Z), which starts later; to log a finished session send end_time too"
        )
    );
    let inside = app.try_start(&ana, "2026-12-02T08:30:00Z").await;
    assert_eq!(
        inside.problem(409),
        format!(
            "start_time 2026-12-02T08:30:00Z falls inside session {session} (2026-12-02T08:00:00Z to 2026-12-02T09:00:00Z); sessions may not overlap"
        )
    );
}

#[tokio::test]
async fn a_logged_session_may_not_overlap_any_other() {
    let (app, ana, session) = morning().await;
    let refused = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T07:00:00Z", "end_time": "2026-12-02T08:00:01Z"}),
        )
        .await;
    assert_eq!(
        refused.problem(409),
        format!(
            "2026-12-02T07:00:00Z to 2026-12-02T08:00:01Z would overlap session {session} (2026-12-02T08:00:00Z to 2026-12-02T09:00:00Z); sessions may not overlap"
        )
    );
    // Touching is not overlapping.
    let before = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T07:00:00Z", "end_time": "2026-12-02T08:00:00Z"}),
        )
        .await;
    assert_eq!(before.status, 201, "{}", before.text);
    // A whole day around both overlaps too.
    let around = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T00:00:00Z", "end_time": "2026-12-02T11:00:00Z"}),
        )
        .await;
    around.problem(409);
    assert_eq!(app.count_rows("sessions").await, 2);
}

#[tokio::test]
async fn a_finished_session_may_be_logged_while_another_runs() {
    let (app, ana, _) = morning().await;
    let running = app.start_session(&ana, "2026-12-02T11:00:00Z").await;
    let logged = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T09:30:00Z", "end_time": "2026-12-02T10:30:00Z"}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    let into_running = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T10:45:00Z", "end_time": "2026-12-02T11:15:00Z"}),
        )
        .await;
    assert!(
        into_running
            .problem(409)
            .contains(&format!("session {running}"))
    );
    // A second running one is still the 400 of the contract.
    let second = app.try_start(&ana, "2026-12-02T11:30:00Z").await;
    assert!(second.problem(400).contains(&format!("(id {running})")));
}

#[tokio::test]
async fn a_logged_sessions_end_follows_its_start_and_is_not_ahead() {
    let (app, ana, _) = morning().await;
    let backwards = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(
        backwards.problem(422),
        "end_time: must be after start_time (2026-12-01T10:00:00Z)"
    );
    let ahead = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T11:00:00Z", "end_time": "2026-12-02T12:01:01Z"}),
        )
        .await;
    assert!(
        ahead
            .problem(422)
            .starts_with("end_time: 2026-12-02T12:01:01Z is in the future")
    );
}

#[tokio::test]
async fn a_correction_moves_a_session_and_the_reports_follow() {
    let (app, ana, session) = morning().await;
    let path = format!("/sessions/{session}");
    let moved = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T07:30:00Z", "end_time": "2026-12-02T09:15:00Z"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["start_time"], "2026-12-02T07:30:00Z");
    assert_eq!(moved.body["duration_seconds"], 6300);
    assert_eq!(app.get(&path, &ana.token).await.body, moved.body);
    let today = app
        .get(
            &format!(
                "/users/{}/stats/summary?from=2026-12-02&to=2026-12-03",
                ana.id
            ),
            &ana.token,
        )
        .await;
    assert_eq!(today.body["total_time_worked_seconds"], 6300);
    let unchanged = app
        .call("PATCH", &path, Some(&ana.token), Some(json!({})))
        .await;
    assert_eq!(unchanged.body, moved.body);
}

#[tokio::test]
async fn a_note_is_set_at_the_start_changed_alone_and_bounded() {
    let app = TestApp::at("2026-12-02T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let started = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T11:00:00Z", "note": "tax return"}),
        )
        .await;
    assert_eq!(started.body["note"], "tax return", "{}", started.text);
    let path = format!("/sessions/{}", started.body["id"]);
    let renamed = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"note": "tax return — receipts"})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["note"], "tax return — receipts");
    assert_eq!(renamed.body["start_time"], "2026-12-02T11:00:00Z");
    assert_eq!(renamed.body["end_time"], Value::Null, "still running");
    let too_long = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"note": "é".repeat(501)})),
        )
        .await;
    assert_eq!(
        too_long.problem(422),
        "note: must be at most 500 characters (got 501)"
    );
    let null = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"note": null})),
        )
        .await;
    assert_eq!(null.status, 422, "{}", null.text);
    let cleared = app
        .call("PATCH", &path, Some(&ana.token), Some(json!({"note": ""})))
        .await;
    assert_eq!(cleared.body["note"], "");
    assert_eq!(app.get(&path, &ana.token).await.body, cleared.body);
    let long_start = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-12-02T09:00:00Z", "end_time": "2026-12-02T10:00:00Z",
                   "note": "x".repeat(501)}),
        )
        .await;
    assert_eq!(long_start.status, 422, "{}", long_start.text);
    assert_eq!(app.count_rows("sessions").await, 1);
}

#[tokio::test]
async fn a_correction_keeps_every_interruption_inside() {
    let app = TestApp::at("2026-12-02T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let session = app.start_session(&ana, "2026-12-02T08:00:00Z").await;
    let logged = app
        .interrupt(
            &ana,
            session,
            "phone",
            "2026-12-02T08:10:00Z",
            "2026-12-02T08:20:00Z",
        )
        .await;
    let interruption = logged.body["id"].as_i64().unwrap();
    app.end_session(&ana, session, "2026-12-02T09:00:00Z").await;
    let path = format!("/sessions/{session}");
    let late = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T08:15:00Z"})),
        )
        .await;
    assert_eq!(
        late.problem(422),
        format!(
            "start_time: must not be after the start of interruption {interruption} (2026-12-02T08:10:00Z); move or delete it first"
        )
    );
    let early = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"end_time": "2026-12-02T08:19:00Z"})),
        )
        .await;
    assert_eq!(
        early.problem(422),
        format!(
            "end_time: must not be before the end of interruption {interruption} (2026-12-02T08:20:00Z); move or delete it first"
        )
    );
    let tight = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T08:10:00Z", "end_time": "2026-12-02T08:20:00Z"})),
        )
        .await;
    assert_eq!(tight.status, 200, "{}", tight.text);
}

#[tokio::test]
async fn a_correction_may_not_overlap_another_session() {
    let (app, ana, session) = morning().await;
    let later = app.start_session(&ana, "2026-12-02T10:00:00Z").await;
    let refused = app
        .call(
            "PATCH",
            &format!("/sessions/{session}"),
            Some(&ana.token),
            Some(json!({"end_time": "2026-12-02T10:00:01Z"})),
        )
        .await;
    assert_eq!(
        refused.problem(409),
        format!(
            "2026-12-02T08:00:00Z to 2026-12-02T10:00:01Z would overlap session {later} (2026-12-02T10:00:00Z to 2026-12-02T12:00:00Z); sessions may not overlap"
        )
    );
    // The active one may move its start, but not before the morning's end.
    let active = format!("/sessions/{later}");
    let back = app
        .call(
            "PATCH",
            &active,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T09:00:00Z"})),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    let too_far = app
        .call(
            "PATCH",
            &active,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T08:59:59Z"})),
        )
        .await;
    too_far.problem(409);
    let ended = app
        .call(
            "PATCH",
            &active,
            Some(&ana.token),
            Some(json!({"end_time": "2026-12-02T11:00:00Z"})),
        )
        .await;
    assert_eq!(
        ended.problem(400),
        format!(
            "session {later} is still active; end it with POST /sessions/{later}/end, then correct its end_time"
        )
    );
}

#[tokio::test]
async fn corrections_are_checked_like_everything_else() {
    let (app, ana, session) = morning().await;
    let path = format!("/sessions/{session}");
    let bad = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"start_time": "yesterday", "end_time": null})),
        )
        .await;
    bad.problem(422);
    let bob = app.register("Bob").await;
    app.call(
        "PATCH",
        &path,
        Some(&bob.token),
        Some(json!({"start_time": "2026-12-02T07:00:00Z"})),
    )
    .await
    .problem(404);
    let backwards = app
        .call(
            "PATCH",
            &path,
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-02T09:00:00Z"})),
        )
        .await;
    assert_eq!(
        backwards.problem(422),
        "end_time: must be after start_time (2026-12-02T09:00:00Z)"
    );
}

#[tokio::test]
async fn current_says_what_is_going_on_now() {
    let (app, ana, _) = morning().await;
    let idle = app.get("/sessions/current", &ana.token).await;
    assert_eq!(
        idle.body,
        json!({"session": null, "open_interruption": null})
    );
    let running = app.start_session(&ana, "2026-12-02T11:00:00Z").await;
    let focusing = app.get("/sessions/current", &ana.token).await;
    assert_eq!(focusing.body["session"]["id"], running);
    assert_eq!(focusing.body["open_interruption"], json!(null));
    let opened = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": running, "type": "family", "start_time": "2026-12-02T11:50:00Z"}),
        )
        .await;
    let interrupted = app.get("/sessions/current", &ana.token).await;
    assert_eq!(interrupted.body["open_interruption"], opened.body);
    assert_eq!(interrupted.body["session"]["time_lost_seconds"], 600);
    assert_eq!(
        interrupted.body["session"],
        app.get(&format!("/sessions/{running}"), &ana.token)
            .await
            .body
    );
    let bob = app.register("Bob").await;
    let theirs = app.get("/sessions/current", &bob.token).await;
    assert_eq!(
        theirs.body,
        json!({"session": null, "open_interruption": null})
    );
}
