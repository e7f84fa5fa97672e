//! `hyperfocus admin`: an operator lets a locked-out person back in,
//! running the real binary against the same database as the server.

use std::{io::Write, process::Command};

use serde_json::json;

use crate::helpers::TestApp;

fn admin(app: &TestApp, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hyperfocus"))
        .arg("admin")
        .args(args)
        .args(["--database-url", app.db.url()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn an_operator_issues_a_token_for_a_locked_out_user() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let out = admin(
        &app,
        &["token", "--email", "ANA@example.com", "--name", "recovery"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let me = app.get("/users/me", &token).await;
    assert_eq!(me.body["id"], ana.id);
    let listed = app.get("/users/me/tokens", &token).await;
    assert_eq!(listed.body[1]["name"], "recovery");

    let unknown = admin(
        &app,
        &["token", "--email", "nobody@example.com", "--name", "x"],
        None,
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("no user has the email nobody@example.com")
    );
}

#[tokio::test]
async fn an_operator_sets_a_password_read_from_stdin() {
    let app = TestApp::new().await;
    app.register("Ana").await;
    let out = admin(
        &app,
        &["password", "--email", "ana@example.com"],
        Some("a brand new passphrase\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed_in = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": "ana@example.com", "password": "a brand new passphrase", "token_name": "laptop"})),
        )
        .await;
    assert_eq!(signed_in.status, 201, "{}", signed_in.text);
    let short = admin(
        &app,
        &["password", "--email", "ana@example.com"],
        Some("short\n"),
    );
    assert!(!short.status.success());
    let message = String::from_utf8_lossy(&short.stderr);
    assert!(
        message.contains("the password must be 8 to 128 characters (got 5)"),
        "{message}"
    );
    assert!(!message.contains("short\n"));
}
