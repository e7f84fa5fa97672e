//! Ending "now" in the second something began: a mistaken tap is no error.
//! Times are whole seconds, so an end left to the server in its start's own
//! second is rounded up to the second after it (the shortest span stored),
//! and what starts "now" right after starts there, never inside it.

use serde_json::json;

use crate::helpers::{TestApp, TestUser};

const NOW: &str = "2025-11-15T12:00:00Z";
const NEXT: &str = "2025-11-15T12:00:01Z";

async fn app() -> (TestApp, TestUser) {
    let app = TestApp::at(NOW).await;
    let user = app.register("Ana").await;
    (app, user)
}

async fn start_now(app: &TestApp, user: &TestUser) -> i64 {
    let started = app.post("/sessions/start", &user.token, json!({})).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.body["start_time"], NOW);
    started.body["id"].as_i64().unwrap()
}

async fn interrupt_now(app: &TestApp, user: &TestUser, session: i64) -> serde_json::Value {
    let opened = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": session, "type": "phone"}),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.text);
    opened.body
}

#[tokio::test]
async fn an_interruption_closed_in_its_own_second_lasts_a_second() {
    let (app, user) = app().await;
    let session = start_now(&app, &user).await;
    let opened = interrupt_now(&app, &user, session).await;
    assert_eq!(opened["start_time"], NOW);
    let id = opened["id"].as_i64().unwrap();
    let closed = app
        .post(&format!("/interruptions/{id}/end"), &user.token, json!({}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["end_time"], NEXT);
    assert_eq!(closed.body["duration"], 1);
    let session = app.get(&format!("/sessions/{session}"), &user.token).await;
    assert_eq!(session.body["time_lost_seconds"], 1);
}

#[tokio::test]
async fn an_end_named_in_the_starts_second_is_still_refused() {
    let (app, user) = app().await;
    let session = start_now(&app, &user).await;
    let id = interrupt_now(&app, &user, session).await["id"]
        .as_i64()
        .unwrap();
    let named = app
        .post(
            &format!("/interruptions/{id}/end"),
            &user.token,
            json!({"end_time": NOW}),
        )
        .await;
    assert_eq!(
        named.problem(422),
        "end_time: must be after start_time (2025-11-15T12:00:00Z)"
    );
    let ended = app.end_session(&user, session, NOW).await;
    assert_eq!(
        ended.problem(422),
        "end_time: must be after the session's start_time (2025-11-15T12:00:00Z)"
    );
}

#[tokio::test]
async fn a_session_ended_in_its_own_second_lasts_a_second_and_closes_its_interruption() {
    let (app, user) = app().await;
    let session = start_now(&app, &user).await;
    let id = interrupt_now(&app, &user, session).await["id"]
        .as_i64()
        .unwrap();
    let ended = app
        .post(&format!("/sessions/{session}/end"), &user.token, json!({}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["end_time"], NEXT);
    assert_eq!(ended.body["duration_seconds"], 1);
    assert_eq!(ended.body["time_lost_seconds"], 1);
    let closed = app.get(&format!("/interruptions/{id}"), &user.token).await;
    assert_eq!(closed.body["end_time"], NEXT);
    assert_eq!(closed.body["duration"], 1);
}

#[tokio::test]
async fn start_interrupt_resume_interrupt_resume_and_end_within_one_second() {
    let (app, user) = app().await;
    let session = start_now(&app, &user).await;
    let first = interrupt_now(&app, &user, session).await;
    let first_id = first["id"].as_i64().unwrap();
    let resumed = app
        .post(
            &format!("/interruptions/{first_id}/end"),
            &user.token,
            json!({}),
        )
        .await;
    assert_eq!(resumed.body["end_time"], NEXT, "{}", resumed.text);
    // Tapped again in the same second: it starts where the first ended.
    let second = interrupt_now(&app, &user, session).await;
    assert_eq!(second["start_time"], NEXT);
    let second_id = second["id"].as_i64().unwrap();
    let resumed = app
        .post(
            &format!("/interruptions/{second_id}/end"),
            &user.token,
            json!({}),
        )
        .await;
    assert_eq!(resumed.body["end_time"], "2025-11-15T12:00:02Z");
    // The session ends no earlier than its interruptions.
    let ended = app
        .post(&format!("/sessions/{session}/end"), &user.token, json!({}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["start_time"], NOW);
    assert_eq!(ended.body["end_time"], "2025-11-15T12:00:02Z");
    assert_eq!(ended.body["duration_seconds"], 2);
    assert_eq!(ended.body["interruption_count"], 2);
    assert_eq!(ended.body["time_lost_seconds"], 2);
    // And a new session started "now" begins where that one ended.
    let again = app.post("/sessions/start", &user.token, json!({})).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["start_time"], "2025-11-15T12:00:02Z");
    // It all adds up: the first session's 2 s were lost, the second has
    // run 3 s by 12:00:05.
    app.set_now("2025-11-15T12:00:05Z");
    let summary = app
        .get(
            &format!("/users/{}/stats/summary?range=1d", user.id),
            &user.token,
        )
        .await;
    assert_eq!(summary.body["total_time_worked_seconds"], 5);
    assert_eq!(summary.body["total_time_lost_seconds"], 2);
    assert_eq!(summary.body["effective_time_seconds"], 3);
}

#[tokio::test]
async fn a_later_second_ends_at_now_as_before() {
    let (app, user) = app().await;
    let session = start_now(&app, &user).await;
    app.set_now("2025-11-15T12:00:42Z");
    let ended = app
        .post(&format!("/sessions/{session}/end"), &user.token, json!({}))
        .await;
    assert_eq!(ended.body["end_time"], "2025-11-15T12:00:42Z");
    assert_eq!(ended.body["duration_seconds"], 42);
}
