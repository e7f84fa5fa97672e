//! The live event stream, over real HTTP: every change arrives as one
//! event carrying what the matching GET answers.

use std::{sync::Arc, time::Duration};

use hyperfocus::{config::DatabaseConfig, services::state::AppState};
use serde_json::{Value, json};

use crate::{
    database::Backend,
    helpers::{LiveServer, TestApp},
};

/// An open event stream, read event by event.
struct Stream {
    response: reqwest::Response,
    buffered: String,
}

impl Stream {
    async fn open(server: &LiveServer, user_id: i64, token: &str) -> Self {
        let response = crate::helpers::http_client()
            .get(format!("http://{}/users/{user_id}/events", server.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let mut stream = Self {
            response,
            buffered: String::new(),
        };
        // The first frame says the stream is live.
        assert!(stream.next_frame().await.contains(": connected"));
        stream
    }

    /// The next frame (up to a blank line), skipping keep-alive comments.
    async fn next_frame(&mut self) -> String {
        loop {
            if let Some(end) = self.buffered.find("\n\n") {
                let frame: String = self.buffered.drain(..end + 2).collect();
                return frame;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .expect("the stream stays open");
            self.buffered.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event's name and data.
    async fn next_event(&mut self) -> (String, Value) {
        let frame = self.next_frame().await;
        let field = |name: &str| {
            frame
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in {frame:?}"))
                .to_owned()
        };
        assert!(field("id: ").starts_with("evt_"), "{frame}");
        (
            field("event: "),
            serde_json::from_str(&field("data: ")).unwrap(),
        )
    }
}

#[tokio::test]
async fn every_change_arrives_with_what_its_get_answers() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let server = LiveServer::start(&app).await;
    let ana = app.register("Ana").await;
    let mut stream = Stream::open(&server, ana.id, &ana.token).await;

    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let get = |path: String| {
        let app = &app;
        let token = ana.token.clone();
        async move { app.get(&path, &token).await.body }
    };
    let (name, data) = stream.next_event().await;
    assert_eq!(name, "session.started");
    assert_eq!(data, get(format!("/sessions/{session}")).await);

    let opened = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": session, "type": "phone", "start_time": "2025-11-15T11:00:00Z"}),
        )
        .await;
    let interruption = opened.body["id"].as_i64().unwrap();
    assert_eq!(
        stream.next_event().await,
        ("interruption.created".into(), opened.body)
    );

    let patched = app
        .call(
            "PATCH",
            &format!("/interruptions/{interruption}"),
            Some(&ana.token),
            Some(json!({"description": "a call"})),
        )
        .await;
    assert_eq!(
        stream.next_event().await,
        ("interruption.updated".into(), patched.body)
    );

    // Ending the session closes the open interruption: two events.
    let ended = app.end_session(&ana, session, "2025-11-15T11:30:00Z").await;
    let (name, data) = stream.next_event().await;
    assert_eq!(name, "interruption.ended");
    assert_eq!(data, get(format!("/interruptions/{interruption}")).await);
    assert_eq!(
        stream.next_event().await,
        ("session.ended".into(), ended.body)
    );

    let moved = app
        .call(
            "PATCH",
            &format!("/sessions/{session}"),
            Some(&ana.token),
            Some(json!({"start_time": "2025-11-15T08:30:00Z"})),
        )
        .await;
    assert_eq!(
        stream.next_event().await,
        ("session.updated".into(), moved.body)
    );

    app.call(
        "DELETE",
        &format!("/interruptions/{interruption}"),
        Some(&ana.token),
        None,
    )
    .await;
    assert_eq!(
        stream.next_event().await,
        ("interruption.deleted".into(), json!({"id": interruption}))
    );
    app.call(
        "DELETE",
        &format!("/sessions/{session}"),
        Some(&ana.token),
        None,
    )
    .await;
    assert_eq!(
        stream.next_event().await,
        ("session.deleted".into(), json!({"id": session}))
    );
}

/// A session logged already finished is started and ended in one call:
/// it is announced as both, in that order, as an end later would be.
#[tokio::test]
async fn a_session_logged_already_finished_is_announced_started_then_ended() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let server = LiveServer::start(&app).await;
    let ana = app.register("Ana").await;
    let mut stream = Stream::open(&server, ana.id, &ana.token).await;
    let logged = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2025-11-15T08:00:00Z", "end_time": "2025-11-15T09:30:00Z"}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    assert_eq!(
        stream.next_event().await,
        ("session.started".into(), logged.body.clone())
    );
    assert_eq!(
        stream.next_event().await,
        ("session.ended".into(), logged.body)
    );
    // A running one is only started: the next event is its end.
    let running = app.start_session(&ana, "2025-11-15T10:00:00Z").await;
    let (name, data) = stream.next_event().await;
    assert_eq!(
        (name.as_str(), data["id"].as_i64()),
        ("session.started", Some(running))
    );
    app.end_session(&ana, running, "2025-11-15T11:00:00Z").await;
    let (name, data) = stream.next_event().await;
    assert_eq!(
        (name.as_str(), data["id"].as_i64()),
        ("session.ended", Some(running))
    );
}

#[tokio::test]
async fn a_stream_carries_its_own_users_events_only() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let server = LiveServer::start(&app).await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    let mut stream = Stream::open(&server, ana.id, &ana.token).await;
    app.start_session(&bob, "2025-11-15T09:00:00Z").await;
    let mine = app.start_session(&ana, "2025-11-15T10:00:00Z").await;
    let (name, data) = stream.next_event().await;
    assert_eq!(
        (name.as_str(), data["id"].as_i64()),
        ("session.started", Some(mine))
    );
    let refused = crate::helpers::http_client()
        .get(format!("http://{}/users/{}/events", server.address, ana.id))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

/// On PostgreSQL, a change made through one process reaches a stream open
/// on another.
#[tokio::test]
async fn a_change_on_one_process_reaches_a_stream_on_another() {
    if crate::BACKEND != Backend::Postgres {
        return;
    }
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let config = DatabaseConfig {
        database_url: app.db.url().to_owned(),
        sqlite_readers: 1,
        pool_size: 2,
    };
    let other_store = hyperfocus::open_store(&config).await.unwrap();
    let other = AppState::new(Arc::clone(&other_store));
    let mut events = other.events.subscribe(ana.id);
    // The other process's listener connects in the background.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the event crosses processes")
        .unwrap();
    assert_eq!(event.kind.name(), "session.started");
    assert_eq!(event.data["id"], session);
    other_store.close().await;
}
