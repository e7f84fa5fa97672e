//! Request logs name the request, never the credentials it carried.
//!
//! A binary of its own: a scoped log subscriber sees every event only when
//! no other test runs beside it in the process.

#![allow(
    dead_code,
    reason = "the helpers serve the whole API suite; this binary uses a few"
)]

#[path = "api/database.rs"]
mod database;
#[path = "api/helpers.rs"]
mod helpers;

use helpers::TestApp;

const BACKEND: database::Backend = database::Backend::Sqlite;

#[tokio::test(flavor = "current_thread")]
async fn tokens_and_passwords_never_reach_the_logs() {
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    app.get("/users/me", &user.token).await;
    let forged = format!("{}x", &user.token[..user.token.len() - 1]);
    app.get("/users/me", &forged).await;
    // A registration with a key, and its retry answered with the sealed token.
    let key = "5d0c1e7a-registration-key";
    let bob = serde_json::json!({"name": "Bob", "email": "bob@example.com"});
    app.post_keyed("/users/", None, key, bob.clone()).await;
    let retried = app.post_keyed("/users/", None, key, bob).await;
    let bob_token = retried.body["api_token"].as_str().unwrap();
    // Passwords: at registration, a failed and a good sign-in, a change, and
    // one refused for its length.
    let password = "a-password-nobody-may-log";
    let changed = "a-changed-password-nobody-may-log";
    let cleo =
        serde_json::json!({"name": "Cleo", "email": "cleo@example.com", "password": password});
    let cleo = app.call("POST", "/users/", None, Some(cleo)).await;
    let cleo_token = cleo.body["api_token"].as_str().unwrap().to_owned();
    let sign_in = |password: &str| serde_json::json!({"email": "cleo@example.com", "password": password, "token_name": "laptop"});
    app.call(
        "POST",
        "/auth/login",
        None,
        Some(sign_in("wrong-password-nobody-may-log")),
    )
    .await;
    let signed_in = app
        .call("POST", "/auth/login", None, Some(sign_in(password)))
        .await;
    assert_eq!(signed_in.status, 201);
    let change = serde_json::json!({"current_password": password, "new_password": changed});
    app.call("PUT", "/users/me/password", Some(&cleo_token), Some(change))
        .await;
    let too_long = "too-long-password-nobody-may-log".repeat(5);
    app.call("POST", "/auth/login", None, Some(sign_in(&too_long)))
        .await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("finished processing request"), "{logs}");
    let secret = user.token.splitn(3, '_').nth(2).unwrap();
    assert!(
        !logs.contains(secret) && !logs.contains(&forged[6..]),
        "a token was logged:\n{logs}"
    );
    let bob_secret = bob_token.splitn(3, '_').nth(2).unwrap();
    assert!(
        !logs.contains(bob_secret) && !logs.contains(key),
        "a registration's token or key was logged:\n{logs}"
    );
    assert!(
        !logs.contains("nobody-may-log"),
        "a password was logged:\n{logs}"
    );
}
