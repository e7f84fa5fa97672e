//! One user's token can neither read nor change anything of another user's,
//! on any route the OpenAPI document lists.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, is_secured};

/// Everything Ana can see of her own data.
async fn snapshot(app: &TestApp, ana: &TestUser, session: i64) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "/users/me".to_owned(),
        format!("/sessions/user/{}", ana.id),
        format!("/interruptions/session/{session}"),
        format!("/users/{}/goals", ana.id),
        format!("/users/{}/webhooks", ana.id),
    ] {
        let response = app.get(&path, &ana.token).await;
        assert_eq!(response.status, 200, "{path}");
        seen.push(response.body);
    }
    seen
}

fn body_for(method: &str, template: &str, ana: &TestUser, session: i64) -> Option<Value> {
    match (method, template) {
        ("post", "/users/") => Some(json!({"name": "Eve", "email": "eve@example.com"})),
        ("patch", "/users/{user_id}") => Some(json!({"name": "Mallory"})),
        ("post", "/users/me/token") => None,
        ("post", "/sessions/start") => Some(json!({"user_id": ana.id})),
        ("post", "/sessions/{session_id}/end") => Some(json!({"end_time": "2025-11-15T11:00:00Z"})),
        ("post", "/interruptions/") => Some(json!({
            "session_id": session, "type": "noise",
            "start_time": "2025-11-15T10:30:00Z", "end_time": "2025-11-15T10:31:00Z"
        })),
        ("post", "/interruptions/{interruption_id}/end") => {
            Some(json!({"end_time": "2025-11-15T11:00:00Z"}))
        }
        ("patch", "/interruptions/{interruption_id}") => {
            Some(json!({"description": "changed by Bob"}))
        }
        ("patch", "/sessions/{session_id}") => Some(json!({"start_time": "2025-11-15T08:00:00Z"})),
        ("put", "/users/me/password") => Some(json!({"new_password": "Bob's own password"})),
        ("post", "/users/me/tokens") => Some(json!({"name": "Bob's second device"})),
        ("post", "/auth/login") => Some(json!({
            "email": "ana@example.com", "password": "a guess", "token_name": "stolen"
        })),
        ("post", "/users/{user_id}/import") => Some(json!({
            "format": "hyperfocus-export", "version": 1, "sessions": []
        })),
        ("put", "/users/me/calendar-feed") => None,
        ("post", "/users/{user_id}/goals") => Some(json!({
            "metric": "interruptions", "comparison": "at_most", "target": 0, "period": "day"
        })),
        ("patch", "/users/{user_id}/goals/{goal_id}") => Some(json!({"target": 1})),
        ("post", "/users/{user_id}/webhooks") => Some(json!({
            "url": "https://evil.example.com/", "events": ["session.started"]
        })),
        ("patch", "/users/{user_id}/webhooks/{webhook_id}") => {
            Some(json!({"url": "https://evil.example.com/"}))
        }
        ("post", "/users/{user_id}/webhooks/{webhook_id}/rotate-secret") => None,
        ("post", "/users/{user_id}/webhooks/{webhook_id}/test") => None,
        ("post", "/users/{user_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry") => None,
        ("get" | "delete", _) => None,
        _ => panic!("{method} {template} is new: give it a body here so it is audited"),
    }
}

#[tokio::test]
async fn no_route_lets_a_second_token_read_or_change_the_first_users_data() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let logged = app
        .interrupt(
            &ana,
            session,
            "phone",
            "2025-11-15T10:00:00Z",
            "2025-11-15T10:05:00Z",
        )
        .await;
    let interruption = logged.body["id"].as_i64().unwrap();
    let goal = app
        .post(
            &format!("/users/{}/goals", ana.id),
            &ana.token,
            json!({"metric": "effective_seconds", "comparison": "at_least", "target": 3600, "period": "day"}),
        )
        .await;
    assert_eq!(goal.status, 201, "{}", goal.text);
    let goal = goal.body["id"].as_i64().unwrap();
    let webhook = app
        .post(
            &format!("/users/{}/webhooks", ana.id),
            &ana.token,
            json!({"url": "https://hooks.example.com/ana", "events": ["session.started"]}),
        )
        .await;
    assert_eq!(webhook.status, 201, "{}", webhook.text);
    let webhook = webhook.body["id"].as_i64().unwrap();
    let before = snapshot(&app, &ana, session).await;

    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut audited = 0;
    let mut bob_token = bob.token.clone();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let path = template
                .replace("{user_id}", &ana.id.to_string())
                .replace("{session_id}", &session.to_string())
                .replace("{interruption_id}", &interruption.to_string())
                .replace("{token_id}", &ana.token_id().to_string())
                .replace("{goal_id}", &goal.to_string())
                .replace("{webhook_id}", &webhook.to_string())
                .replace("{delivery_id}", "1");
            let body = body_for(method, template, &ana, session);
            let response = app
                .call(&method.to_uppercase(), &path, Some(&bob_token), body)
                .await;
            if let Some(rotated) = response.body["api_token"]
                .as_str()
                .filter(|_| template == "/users/me/token")
            {
                bob_token = rotated.to_owned();
            }
            let names_ana = template.contains('{')
                || (method == "post"
                    && ["/sessions/start", "/interruptions/"].contains(&template.as_str()));
            if is_secured(operation) && names_ana {
                assert!(
                    [403, 404].contains(&response.status.as_u16()),
                    "{method} {path} answered {} to another user's token: {}",
                    response.status,
                    response.text
                );
                audited += 1;
            }
            for secret in [
                "ana@example.com",
                "\"Ana\"",
                "2025-11-15T09:00:00Z",
                "2025-11-15T10:05:00Z",
            ] {
                assert!(
                    !response.text.contains(secret),
                    "{method} {path} leaked {secret}: {}",
                    response.text
                );
            }
        }
    }
    assert_eq!(audited, 42, "operations naming Ana's data");
    assert_eq!(snapshot(&app, &ana, session).await, before);
    assert_eq!(
        app.get("/users/me", &ana.token).await.status,
        200,
        "Ana's token still works"
    );
}

#[tokio::test]
async fn every_secured_route_refuses_a_request_without_a_valid_token() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut refused = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !is_secured(operation) {
                continue;
            }
            let path = template
                .replace("{user_id}", "1")
                .replace("{session_id}", "1")
                .replace("{interruption_id}", "1")
                .replace("{token_id}", "1")
                .replace("{goal_id}", "1")
                .replace("{webhook_id}", "1")
                .replace("{delivery_id}", "1");
            let forged = format!("{}x", &user.token[..user.token.len() - 1]);
            for token in [None, Some(forged.as_str())] {
                let response = app
                    .call(&method.to_uppercase(), &path, token, Some(json!({})))
                    .await;
                response.problem(401);
                assert_eq!(
                    response.header("www-authenticate"),
                    Some("Bearer"),
                    "{method} {path}"
                );
            }
            refused += 1;
        }
    }
    assert_eq!(refused, 50);
}

mod random_histories {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use serde_json::Value;

    use crate::helpers::{TestApp, TestUser};

    /// Sessions as (day, start hour, minutes, interruptions of 5 minutes).
    type History = Vec<(u32, u32, u32, u32)>;

    /// Ids are per table: ("session", 3) and ("interruption", 3) differ.
    type Ids = BTreeSet<(&'static str, i64)>;

    fn history() -> impl Strategy<Value = History> {
        prop::collection::vec((0u32..20, 0u32..20, 30u32..180, 0u32..4), 1..5)
    }

    /// Logs `history` for `user` in `month` (a disjoint month per user, so
    /// any of its timestamps in another user's response is a leak) and
    /// returns the ids and timestamps it created.
    async fn log(
        app: &TestApp,
        user: &TestUser,
        month: u32,
        history: &History,
    ) -> (Ids, BTreeSet<String>) {
        let (mut ids, mut times) = (Ids::new(), BTreeSet::new());
        let mut days: Vec<_> = history.clone();
        days.sort();
        days.dedup_by_key(|d| d.0);
        for (day, hour, minutes, count) in days {
            let at = |minute: u32| {
                format!(
                    "2025-{month:02}-{:02}T{:02}:{:02}:00Z",
                    day + 1,
                    hour + minute / 60,
                    minute % 60
                )
            };
            let session = app.start_session(user, &at(0)).await;
            ids.insert(("session", session));
            times.insert(at(0));
            for k in 0..count.min(minutes / 10) {
                let logged = app
                    .interrupt(user, session, "phone", &at(k * 10 + 1), &at(k * 10 + 6))
                    .await;
                ids.insert(("interruption", logged.body["id"].as_i64().unwrap()));
                times.extend([at(k * 10 + 1), at(k * 10 + 6)]);
            }
            let ended = app.end_session(user, session, &at(minutes)).await;
            assert_eq!(ended.status, 200, "{}", ended.text);
            times.insert(at(minutes));
        }
        (ids, times)
    }

    /// Every id (by table) and every string anywhere in `value`.
    fn collect(value: &Value, ids: &mut Ids, strings: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                let own = if map.contains_key("duration_seconds") {
                    Some("session")
                } else if map.contains_key("duration") {
                    Some("interruption")
                } else {
                    None
                };
                for (key, v) in map {
                    let table = match key.as_str() {
                        "id" => own,
                        "session_id" => Some("session"),
                        "user_id" => Some("user"),
                        _ => None,
                    };
                    if let (Some(table), Some(id)) = (table, v.as_i64()) {
                        ids.insert((table, id));
                    }
                    collect(v, ids, strings);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, ids, strings)),
            Value::String(s) => {
                strings.insert(s.clone());
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]

        #[test]
        fn no_response_to_one_user_holds_the_others_ids_or_times(ana_history in history(), bob_history in history()) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let app = TestApp::at("2025-12-31T00:00:00Z").await;
                let ana = app.register("Ana").await;
                let bob = app.register("Bob").await;
                let (mut ana_ids, ana_times) = log(&app, &ana, 3, &ana_history).await;
                ana_ids.insert(("user", ana.id));
                let (bob_ids, _) = log(&app, &bob, 5, &bob_history).await;
                let mut paths = vec![
                    "/users/me".to_owned(),
                    format!("/sessions/user/{}", bob.id),
                    format!("/sessions/user/{}?day=2025-05-01", bob.id),
                ];
                for report in ["summary", "interruption-types", "productive-hours", "peak-distraction-time",
                               "weekly-pattern", "daily", "heatmap", "overview"] {
                    paths.push(format!("/users/{}/stats/{report}?range=all", bob.id));
                }
                paths.push(format!("/users/{}/stats/summary?range=365d&compare=previous", bob.id));
                for (table, id) in &bob_ids {
                    paths.push(match *table {
                        "session" => format!("/sessions/{id}"),
                        _ => format!("/interruptions/{id}"),
                    });
                    if *table == "session" {
                        paths.push(format!("/interruptions/session/{id}"));
                    }
                }
                let (mut seen_ids, mut seen_strings) = (Ids::new(), BTreeSet::new());
                for path in &paths {
                    let response = app.get(path, &bob.token).await;
                    assert_eq!(response.status, 200, "{path}: {}", response.text);
                    collect(&response.body, &mut seen_ids, &mut seen_strings);
                }
                let leaked_ids: Vec<_> = seen_ids.intersection(&ana_ids).collect();
                let leaked_times: Vec<_> = seen_strings.intersection(&ana_times).collect();
                assert!(leaked_ids.is_empty(), "Ana's ids in Bob's responses: {leaked_ids:?}");
                assert!(leaked_times.is_empty(), "Ana's times in Bob's responses: {leaked_times:?}");
                // The walk saw Bob's own data, so it would have seen Ana's.
                assert!(seen_ids.iter().any(|id| bob_ids.contains(id)));
            });
        }
    }
}
