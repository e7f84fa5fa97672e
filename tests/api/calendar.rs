//! The calendar feed: a secret address that calendar apps subscribe to.

use crate::helpers::TestApp;

#[tokio::test]
async fn a_feed_serves_finished_sessions_until_it_is_replaced_or_ended() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let phone = app
        .interrupt(
            &ana,
            session,
            "phone",
            "2025-11-15T09:10:00Z",
            "2025-11-15T09:15:00Z",
        )
        .await;
    assert_eq!(phone.status, 201);
    assert_eq!(
        app.end_session(&ana, session, "2025-11-15T10:00:00Z")
            .await
            .status,
        200
    );
    app.start_session(&ana, "2025-11-16T07:30:00Z").await;

    let made = app
        .call("PUT", "/users/me/calendar-feed", Some(&ana.token), None)
        .await;
    assert_eq!(made.status, 200, "{}", made.text);
    assert_eq!(made.body["created_at"], "2025-11-16T08:00:00Z");
    let path = made.body["path"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with("/calendar/hfcal_") && path.ends_with(".ics"),
        "{path}"
    );

    let feed = app.call("GET", &path, None, None).await;
    assert_eq!(feed.status, 200);
    assert_eq!(
        feed.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let text = feed.text.replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    let instance = app.state.store.instance();
    assert!(text.contains(&format!(
        "BEGIN:VEVENT\r\nUID:session-{session}-user-{}@{instance}.hyperfocus\r\nDTSTAMP:20251116T080000Z\r\nDTSTART:20251115T090000Z\r\nDTEND:20251115T100000Z\r\nSUMMARY:Focus · 1 interruption\r\nDESCRIPTION:55 min of focus\\, 5 min lost to interruptions.\\n10:10–10:15 phone\r\n",
        ana.id
    )), "{text}");
    assert_eq!(
        text.matches("BEGIN:VEVENT").count(),
        1,
        "the running session is not an event yet"
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));

    let replaced = app
        .call("PUT", "/users/me/calendar-feed", Some(&ana.token), None)
        .await;
    let new_path = replaced.body["path"].as_str().unwrap().to_owned();
    assert_ne!(new_path, path);
    assert_eq!(app.call("GET", &path, None, None).await.status, 404);
    assert_eq!(app.call("GET", &new_path, None, None).await.status, 200);

    let ended = app
        .call("DELETE", "/users/me/calendar-feed", Some(&ana.token), None)
        .await;
    assert_eq!(ended.status, 204);
    let gone = app.call("GET", &new_path, None, None).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["detail"], "no calendar feed has this address");
    let again = app
        .call("DELETE", "/users/me/calendar-feed", Some(&ana.token), None)
        .await;
    assert_eq!(again.status, 404);
    for garbage in ["/calendar/x.ics", "/calendar/hfcal_.ics", "/calendar/%00"] {
        assert_eq!(
            app.call("GET", garbage, None, None).await.status,
            404,
            "{garbage}"
        );
    }
}

#[tokio::test]
async fn a_read_token_cannot_make_a_feed() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let read = app
        .post(
            "/users/me/tokens",
            &ana.token,
            serde_json::json!({"name": "status bar", "scope": "read"}),
        )
        .await;
    let token = read.body["api_token"].as_str().unwrap().to_owned();
    let refused = app
        .call("PUT", "/users/me/calendar-feed", Some(&token), None)
        .await;
    assert_eq!(refused.status, 403);
}
