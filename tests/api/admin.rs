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

#[tokio::test]
async fn demo_data_makes_an_account_to_sign_in_to_with_a_history_that_keeps_the_rules() {
    let app = TestApp::new().await;
    let run = |email: &str| {
        Command::new(env!("CARGO_BIN_EXE_hyperfocus"))
            .args(["demo", "--days", "30", "--seed", "3", "--email", email])
            .args(["--database-url", app.db.url()])
            .output()
            .expect("the binary runs")
    };
    let out = run("demo@example.com");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        printed
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("{name} in {printed}"))
    };
    let (password, token) = (field("password:"), field("token:"));
    let sessions = app.count_rows("sessions").await;
    let interruptions = app.count_rows("interruptions").await;
    assert!(
        printed.contains(&format!(
            "{sessions} sessions and {interruptions} interruptions over 30 days"
        )),
        "{printed}"
    );
    assert!(
        sessions >= 40,
        "about 20 weekdays of two to five sessions: {sessions}"
    );
    let me = app.get("/users/me", &token).await;
    assert_eq!(me.body["timezone"], "Europe/Madrid");
    let login = app
        .post(
            "/auth/login",
            &token,
            json!({"email": "demo@example.com", "password": password, "token_name": "laptop"}),
        )
        .await;
    assert_eq!(login.status, 201, "{}", login.text);
    // What the API reports is what was written.
    let id = me.body["id"].as_i64().unwrap();
    let report = app
        .get(&format!("/users/{id}/stats/summary?range=40d"), &token)
        .await;
    assert_eq!(report.body["total_sessions"], sessions);
    assert_eq!(report.body["total_interruptions"], interruptions);

    let again = run("demo@example.com");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("demo@example.com already has an account; pick another with --email")
    );
}
