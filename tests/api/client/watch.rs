//! `status --watch` through a real server restart: a server process is
//! killed and another started on the same port and database.

use std::{process::Stdio, time::Duration};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

use super::Machine;
use crate::helpers::{TestApp, http_client};

/// `hyperfocus serve` on `port` over the test's database, ready to answer.
async fn serve(app: &TestApp, port: u16) -> Child {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyperfocus"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", app.db.url(), "--log", "error"])
        .args([
            "--secret-key",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ])
        .env_remove("HYPERFOCUS_DATABASE_URL")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server runs");
    let health = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..200 {
        if http_client().get(&health).send().await.is_ok() {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer on port {port}");
}

async fn next(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("a line in time")
        .unwrap()
        .expect("the watch goes on")
}

#[tokio::test]
async fn status_watch_says_disconnected_through_a_restart_and_reads_the_state_again() {
    let app = TestApp::new().await;
    // A port of the system's choosing, given back for the server to take.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut first = serve(&app, port).await;
    let user = app.register_in("Ana", "Europe/Madrid").await;
    let address = format!("http://127.0.0.1:{port}");
    let machine = Machine::at(address.clone());
    machine.sign_in_as(&user, &address, "Europe/Madrid");

    let mut watch = machine
        .command(&["status", "--watch", "--format", "{state} {session}"])
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    assert_eq!(next(&mut lines).await, "idle ");
    // The stream is open once the first line is out; give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = http_client()
        .post(format!("{address}/sessions/start"))
        .bearer_auth(&user.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let session: serde_json::Value = started.json().await.unwrap();
    let session = session["id"].as_i64().unwrap();
    assert_eq!(next(&mut lines).await, format!("focusing {session}"));

    first.kill().await.unwrap();
    assert_eq!(next(&mut lines).await, "disconnected ");
    // While no server runs, the state changes behind the client's back.
    let opened = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": session, "type": "phone"}),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.text);
    let _second = serve(&app, port).await;
    assert_eq!(next(&mut lines).await, format!("interrupted {session}"));
    watch.kill().await.unwrap();
    assert!(
        watch.wait_with_output().await.unwrap().stderr.is_empty(),
        "nothing on stderr"
    );
}
