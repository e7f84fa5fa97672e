//! Working with the server out of reach: changes are queued with their
//! times and keys, sent in order later, and never made twice.

use jiff::Timestamp;
use serde_json::json;

use super::{madrid_clock, minutes_ago, plus, record_of, signed_in};

/// An address nothing listens on.
async fn dead_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

#[tokio::test]
async fn changes_made_offline_are_sent_in_order_and_a_resend_doubles_nothing() {
    let (app, _server, user, machine) = signed_in().await;
    let live = machine.server.clone();
    let dead = dead_server().await;
    machine.sign_in_as(&user, &dead, "Europe/Madrid");
    let t0 = minutes_ago(90);
    let steps: [(Vec<String>, String); 4] = [
        (
            vec![
                "start".into(),
                "--at".into(),
                t0.to_string(),
                "--note".into(),
                "queued, offline".into(),
            ],
            format!("start at {}", madrid_clock(t0)),
        ),
        (
            vec![
                "i".into(),
                "noise".into(),
                "drill".into(),
                "--at".into(),
                plus(t0, 5).to_string(),
            ],
            format!("noise interruption from {}", madrid_clock(plus(t0, 5))),
        ),
        (
            vec!["resume".into(), "--at".into(), plus(t0, 8).to_string()],
            format!("back to focus at {}", madrid_clock(plus(t0, 8))),
        ),
        (
            vec!["end".into(), "--at".into(), plus(t0, 20).to_string()],
            format!("end at {}", madrid_clock(plus(t0, 20))),
        ),
    ];
    for (args, described) in &steps {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let queued = machine.run(&args).await;
        assert_eq!(queued.code, 0, "{}", queued.stderr);
        assert_eq!(
            queued.stderr,
            format!(
                "{dead} cannot be reached; queued: {described}. It is sent by the next command, or `hyperfocus sync`.\n"
            )
        );
    }
    let queue_file = machine.path("state/hyperfocus/default.queue.jsonl");
    let queued = std::fs::read_to_string(&queue_file).unwrap();
    assert_eq!(queued.lines().count(), 4);
    let offline_status = machine.run(&["status"]).await;
    assert_eq!(offline_status.code, 2);
    assert!(
        offline_status.stderr.contains("cannot reach"),
        "{}",
        offline_status.stderr
    );
    assert_eq!(record_of(&app, &user).await, json!([]));

    machine.sign_in_as(&user, &live, "Europe/Madrid");
    let sync = machine.run(&["sync"]).await;
    let sent: String = steps
        .iter()
        .map(|(_, described)| format!("sent the queued {described}\n"))
        .collect();
    assert_eq!(
        (sync.code, sync.stderr.clone()),
        (0, format!("{sent}nothing is queued\n"))
    );
    assert!(!queue_file.exists());
    let utc = |at: Timestamp| at.to_string();
    let expected = json!([[
        utc(t0),
        utc(plus(t0, 20)),
        "queued, offline",
        [["noise", "drill", utc(plus(t0, 5)), utc(plus(t0, 8))]]
    ]]);
    assert_eq!(record_of(&app, &user).await, expected);

    // As if every answer had been lost and the client sent it all again.
    std::fs::write(&queue_file, &queued).unwrap();
    let resent = machine.run(&["status"]).await;
    assert_eq!(resent.code, 1, "{}", resent.stderr);
    assert_eq!(resent.stderr, sent);
    assert_eq!(record_of(&app, &user).await, expected);
}

#[tokio::test]
async fn a_queued_change_the_server_refuses_is_kept_with_the_reason() {
    let (app, _server, user, machine) = signed_in().await;
    let live = machine.server.clone();
    let t0 = minutes_ago(120);
    machine
        .run(&["log", "--start", &t0.to_string(), "--for", "1h"])
        .await
        .ok();
    machine.sign_in_as(&user, &dead_server().await, "Europe/Madrid");
    let overlapping = machine
        .run(&["log", "--start", &plus(t0, 30).to_string(), "--for", "1h"])
        .await;
    assert!(
        overlapping.stderr.contains("queued: session"),
        "{}",
        overlapping.stderr
    );

    machine.sign_in_as(&user, &live, "Europe/Madrid");
    let sync = machine.run(&["sync"]).await;
    let kept = machine.path("state/hyperfocus/default.refused.jsonl");
    assert!(sync.stderr.contains("was refused: "), "{}", sync.stderr);
    assert!(
        sync.stderr
            .contains(&format!("refused changes are kept in {}", kept.display())),
        "{}",
        sync.stderr
    );
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&kept).unwrap().trim()).unwrap();
    assert_eq!(line["change"], "log");
    assert_eq!(line["start"], plus(t0, 30).to_string());
    assert!(
        line["refused"].as_str().unwrap().contains("overlap"),
        "{line}"
    );
    assert_eq!(record_of(&app, &user).await.as_array().unwrap().len(), 1);
}
