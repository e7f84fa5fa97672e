//! Ids are never handed out twice, on either backend: a deleted row's id
//! stays its own, so a calendar event, an `undo` or a delivery log naming
//! it never comes to name another row.

use hyperfocus::config::DatabaseConfig;
use serde_json::json;

use crate::{
    database::TestDatabase,
    helpers::{TestApp, TestUser, token_id},
};

/// Deletes what `path` names and checks the answer.
async fn delete(app: &TestApp, user: &TestUser, path: &str) {
    let deleted = app.call("DELETE", path, Some(&user.token), None).await;
    assert_eq!(deleted.status, 204, "{path}: {}", deleted.text);
}

/// Creates with `body` at `path` and returns the new id.
async fn create(app: &TestApp, user: &TestUser, path: &str, body: serde_json::Value) -> i64 {
    let created = app.post(path, &user.token, body).await;
    assert_eq!(created.status, 201, "{path}: {}", created.text);
    created.body["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_new_session_never_takes_the_id_of_the_newest_one_deleted() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let first = app.start_session(&ana, "2026-01-05T09:00:00Z").await;
    assert_eq!(
        app.end_session(&ana, first, "2026-01-05T10:00:00Z")
            .await
            .status,
        200
    );
    let newest = app.start_session(&ana, "2026-01-05T11:00:00Z").await;
    assert_eq!(newest, first + 1);
    delete(&app, &ana, &format!("/sessions/{newest}")).await;
    let next = app.start_session(&ana, "2026-01-05T11:00:00Z").await;
    assert_eq!(next, newest + 1);
    // Another user's new session does not take it either.
    let bo = app.register("Bo").await;
    delete(&app, &ana, &format!("/sessions/{next}")).await;
    assert_eq!(
        app.start_session(&bo, "2026-01-05T11:00:00Z").await,
        next + 1
    );
}

#[tokio::test]
async fn interruptions_goals_webhooks_tokens_and_users_keep_their_ids_for_good() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let session = app.start_session(&ana, "2026-01-05T09:00:00Z").await;

    let interruption = app
        .interrupt(
            &ana,
            session,
            "phone",
            "2026-01-05T09:10:00Z",
            "2026-01-05T09:12:00Z",
        )
        .await;
    let interruption = interruption.body["id"].as_i64().unwrap();
    delete(&app, &ana, &format!("/interruptions/{interruption}")).await;
    let again = app
        .interrupt(
            &ana,
            session,
            "phone",
            "2026-01-05T09:10:00Z",
            "2026-01-05T09:12:00Z",
        )
        .await;
    assert_eq!(again.body["id"], interruption + 1);

    let goals = format!("/users/{}/goals", ana.id);
    let goal = json!({"metric": "worked_seconds", "comparison": "at_least", "target": 3600, "period": "day"});
    let first = create(&app, &ana, &goals, goal.clone()).await;
    delete(&app, &ana, &format!("{goals}/{first}")).await;
    assert_eq!(create(&app, &ana, &goals, goal).await, first + 1);

    let webhooks = format!("/users/{}/webhooks", ana.id);
    let endpoint = json!({"url": "https://hooks.example.com/in", "events": ["session.ended"]});
    let first = create(&app, &ana, &webhooks, endpoint.clone()).await;
    delete(&app, &ana, &format!("{webhooks}/{first}")).await;
    let second = create(&app, &ana, &webhooks, endpoint).await;
    assert_eq!(second, first + 1);
    delete(&app, &ana, &format!("{webhooks}/{second}")).await;

    let laptop = app
        .post("/users/me/tokens", &ana.token, json!({"name": "laptop"}))
        .await;
    let laptop = token_id(laptop.body["api_token"].as_str().unwrap());
    delete(&app, &ana, &format!("/users/me/tokens/{laptop}")).await;
    let phone = app
        .post("/users/me/tokens", &ana.token, json!({"name": "phone"}))
        .await;
    assert_eq!(
        token_id(phone.body["api_token"].as_str().unwrap()),
        laptop + 1
    );

    let bo = app.register("Bo").await;
    delete(&app, &bo, &format!("/users/{}", bo.id)).await;
    assert_eq!(app.register("Cy").await.id, bo.id + 1);

    // Deliveries go with their endpoint; the next ones take new ids.
    let endpoint = json!({"url": "https://hooks.example.com/in", "events": ["session.ended"]});
    let first_hook = create(&app, &ana, &webhooks, endpoint.clone()).await;
    app.end_session(&ana, session, "2026-01-05T10:00:00Z").await;
    let newest = |hook: i64| {
        let path = format!("{webhooks}/{hook}/deliveries");
        let app = &app;
        let token = ana.token.clone();
        async move { app.get(&path, &token).await.body[0]["id"].as_i64().unwrap() }
    };
    let delivery = newest(first_hook).await;
    delete(&app, &ana, &format!("{webhooks}/{first_hook}")).await;
    let second_hook = create(&app, &ana, &webhooks, endpoint).await;
    let next = app.start_session(&ana, "2026-01-05T11:00:00Z").await;
    app.end_session(&ana, next, "2026-01-05T12:00:00Z").await;
    assert_eq!(newest(second_hook).await, delivery + 1);
}

#[tokio::test]
async fn each_server_names_itself_once_and_keeps_that_name() {
    let db = TestDatabase::create(crate::BACKEND).await;
    let config = DatabaseConfig {
        database_url: db.url().to_owned(),
        sqlite_readers: 1,
        pool_size: 2,
    };
    let first = hyperfocus::open_store(&config).await.unwrap();
    let name = first.instance().to_owned();
    assert_eq!(name.len(), 32, "{name}");
    assert!(name.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    first.close().await;
    drop(first);
    let reopened = hyperfocus::open_store(&config).await.unwrap();
    assert_eq!(reopened.instance(), name);
    let other = TestApp::new().await;
    assert_ne!(other.state.store.instance(), name);
}
