//! A database written by an earlier release keeps working after the
//! upgrade: its users' tokens become their `registration` tokens.

use std::sync::Arc;

use hyperfocus::{config::DatabaseConfig, services::state::AppState};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    database::{Backend, TestDatabase},
    helpers::{TestApp, token_id},
};

/// The schema as the release before personal tokens left it, with one
/// user whose token was `hf_1_<secret>`.
async fn database_before_tokens(secret: &str) -> TestDatabase {
    let db = TestDatabase::create(crate::BACKEND).await;
    let hash: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (migrations, bookkeeping, hash) = match crate::BACKEND {
        Backend::Sqlite => (
            [
                include_str!("../../migrations/sqlite/0001_init.sql"),
                include_str!("../../migrations/sqlite/0002_idempotency.sql"),
                include_str!("../../migrations/sqlite/0003_key_expiry.sql"),
            ],
            "PRAGMA user_version = 3;".to_owned(),
            format!("X'{hash}'"),
        ),
        Backend::Postgres => (
            [
                include_str!("../../migrations/postgres/0001_init.sql"),
                include_str!("../../migrations/postgres/0002_idempotency.sql"),
                include_str!("../../migrations/postgres/0003_key_expiry.sql"),
            ],
            "CREATE TABLE hyperfocus_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
             INSERT INTO hyperfocus_migrations (version) VALUES (1), (2), (3);"
                .to_owned(),
            format!("decode('{hash}', 'hex')"),
        ),
    };
    for sql in migrations {
        db.execute_batch(sql).await;
    }
    db.execute_batch(&bookkeeping).await;
    db.execute_batch(&format!(
        "INSERT INTO users (name, email, email_key, timezone, token_hash, created_at)
         VALUES ('Olga', 'olga@example.com', 'olga@example.com', 'Europe/Madrid', {hash}, 1763208000);"
    ))
    .await;
    db
}

#[tokio::test]
async fn tokens_issued_before_personal_tokens_keep_working() {
    let secret = "c2VjcmV0LWZyb20tYW4tb2xkZXItcmVsZWFzZS1vZi1oZg";
    let db = database_before_tokens(secret).await;
    let config = DatabaseConfig {
        database_url: db.url().to_owned(),
        sqlite_readers: 1,
        pool_size: 2,
    };
    let store = hyperfocus::open_store(&config)
        .await
        .expect("the upgrade applies");
    let app = TestApp::around(AppState::new(Arc::clone(&store)), db);
    let old_token = format!("hf_1_{secret}");
    let me = app.get("/users/me", &old_token).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["email"], "olga@example.com");
    let tokens = app.get("/users/me/tokens", &old_token).await;
    assert_eq!(tokens.body[0]["id"], 1);
    assert_eq!(tokens.body[0]["name"], "registration");
    assert_eq!(tokens.body[0]["created_at"], "2025-11-15T12:00:00Z");
    // New tokens and new users' tokens take ids of their own.
    let laptop = app
        .post("/users/me/tokens", &old_token, json!({"name": "laptop"}))
        .await;
    assert_eq!(token_id(laptop.body["api_token"].as_str().unwrap()), 2);
    let new_user = app.register("Nina").await;
    assert_eq!(new_user.token_id(), 3);
    assert_eq!(
        app.get("/users/me", &new_user.token).await.body["name"],
        "Nina"
    );
    assert_eq!(app.get("/users/me", &old_token).await.body["name"], "Olga");
}
