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
            format!("a noise interruption from {}", madrid_clock(plus(t0, 5))),
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
    // What the queue implies: the session it starts is ended too.
    let offline_status = machine.run(&["status"]).await;
    assert_eq!(
        (offline_status.code, offline_status.stdout.as_str()),
        (1, "Not focusing — offline, 4 changes queued.\n")
    );
    assert_eq!(
        offline_status.stderr,
        format!(
            "{dead} cannot be reached: this is what this device knows. Queued changes are sent by the next command, or `hyperfocus sync`.\n"
        )
    );
    assert_eq!(record_of(&app, &user).await, json!([]));

    machine.sign_in_as(&user, &live, "Europe/Madrid");
    let sync = machine.run(&["sync"]).await;
    let sent: String = steps
        .iter()
        .map(|(_, described)| format!("sent from the queue: {described}\n"))
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
    assert!(
        sync.stderr.starts_with(&format!(
            "refused from the queue: session {}–{}. A session from ",
            madrid_clock(plus(t0, 30)),
            madrid_clock(plus(t0, 90))
        )),
        "{}",
        sync.stderr
    );
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

#[tokio::test]
async fn offline_status_says_what_the_queue_implies_with_the_exit_status_of_online() {
    let (_app, _server, user, machine) = signed_in().await;
    let t0 = minutes_ago(30);
    machine.run(&["start", "--at", &t0.to_string()]).await.ok();
    let dead = dead_server().await;
    machine.sign_in_as(&user, &dead, "Europe/Madrid");

    let focusing = machine.run(&["status"]).await;
    assert_eq!(focusing.code, 0, "{}", focusing.stderr);
    assert!(
        focusing
            .stdout
            .starts_with(&format!("Focusing since {} (30m ", madrid_clock(t0)))
            && focusing.stdout.ends_with("s) — offline, nothing queued.\n"),
        "{}",
        focusing.stdout
    );
    assert!(
        focusing.stderr.starts_with(&format!(
            "{dead} cannot be reached: this is what this device knows. The server was last reached at "
        )),
        "{}",
        focusing.stderr
    );

    machine
        .run(&["i", "ph", "--at", &plus(t0, 20).to_string()])
        .await
        .ok();
    let interrupted = machine.run(&["status"]).await;
    assert_eq!(
        (interrupted.code, interrupted.stdout.as_str()),
        (
            0,
            format!(
                "A phone interruption since {}, in a session since {} — offline, 1 change queued.\n",
                madrid_clock(plus(t0, 20)),
                madrid_clock(t0)
            )
            .as_str()
        )
    );
    let line = machine
        .run(&["status", "--format", "{state} {type} {since} {offline}"])
        .await;
    assert_eq!(
        (line.code, line.stdout.as_str()),
        (
            0,
            format!("interrupted phone {} offline\n", madrid_clock(t0)).as_str()
        )
    );
    machine.run(&["end"]).await.ok();
    let idle = machine.run(&["status"]).await;
    assert_eq!(
        (idle.code, idle.stdout.as_str()),
        (1, "Not focusing — offline, 2 changes queued.\n")
    );
}

#[tokio::test]
async fn offline_with_nothing_known_status_is_still_an_error() {
    let (_app, _server, user, machine) = signed_in().await;
    let dead = dead_server().await;
    machine.sign_in_as(&user, &dead, "Europe/Madrid");
    let unknown = machine.run(&["status"]).await;
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("cannot"), "{}", unknown.stderr);
    machine.run(&["i", "noise"]).await.ok();
    let still = machine.run(&["status"]).await;
    assert_eq!(still.code, 2);
    assert!(
        still
            .stderr
            .ends_with("Whether you are focusing is not known on this device: 1 change queued, and the server was not reached before.\n"),
        "{}",
        still.stderr
    );
}
