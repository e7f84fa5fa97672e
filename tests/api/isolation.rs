//! One user's token can neither read nor change anything of another user's,
//! on any route the OpenAPI document lists.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// Everything Ana can see of her own data.
async fn snapshot(app: &TestApp, ana: &TestUser, session: i64) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "/users/me".to_owned(),
        format!("/sessions/user/{}", ana.id),
        format!("/interruptions/session/{session}"),
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
    let before = snapshot(&app, &ana, session).await;

    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut audited = 0;
    let mut bob_token = bob.token.clone();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let path = template
                .replace("{user_id}", &ana.id.to_string())
                .replace("{session_id}", &session.to_string())
                .replace("{interruption_id}", &interruption.to_string());
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
            if operation.get("security").is_some() && names_ana {
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
    assert_eq!(audited, 22, "operations naming Ana's data");
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
            if operation.get("security").is_none() {
                continue;
            }
            let path = template
                .replace("{user_id}", "1")
                .replace("{session_id}", "1")
                .replace("{interruption_id}", "1");
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
    assert_eq!(refused, 24);
}
