//! `hyperfocus webhooks`: endpoints managed from the terminal.

use super::signed_in;

#[tokio::test]
async fn an_endpoint_is_added_listed_pinged_rotated_and_deleted_from_the_terminal() {
    let (app, _server, _ana, machine) = signed_in().await;
    let added = machine
        .run(&[
            "webhooks",
            "add",
            "http://localhost:9/hook",
            "--events",
            "session.started,goal.met",
            "--description",
            "lamp",
        ])
        .await;
    let id = app.db.scalar("SELECT MAX(id) FROM webhooks").await.unwrap();
    let lines: Vec<&str> = added.ok().lines().collect();
    assert_eq!(
        lines[0],
        format!("Added webhook {id} http://localhost:9/hook (session.started, goal.met) · lamp.")
    );
    assert!(
        lines[1].starts_with("Its signing secret, shown this once: whsec_"),
        "{}",
        lines[1]
    );
    let listed = machine.run(&["webhooks"]).await;
    assert_eq!(
        listed.ok(),
        format!("{id} http://localhost:9/hook (session.started, goal.met) · lamp\n")
    );
    let pinged = machine.run(&["webhooks", "test", &id.to_string()]).await;
    assert_eq!(pinged.code, 1, "{}", pinged.stderr);
    assert!(
        pinged.stdout.starts_with("Not delivered: ")
            && pinged.stdout.contains(" is a loopback address;"),
        "{}",
        pinged.stdout
    );
    let quiet = machine
        .run(&["webhooks", "deliveries", &id.to_string()])
        .await;
    assert_eq!(
        quiet.ok(),
        format!("Nothing delivered to webhook {id} in the last 30 days.\n")
    );
    machine.run(&["start"]).await.ok();
    // The server's worker tries it, and refuses the loopback address.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let listed = loop {
        let listed = machine
            .run(&["webhooks", "deliveries", &id.to_string()])
            .await;
        if listed.stdout.contains("no answer") {
            break listed.ok().to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "{}", listed.stdout);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let delivery = app
        .db
        .scalar("SELECT MAX(id) FROM webhook_deliveries")
        .await
        .unwrap();
    assert!(
        listed.starts_with(&format!("{delivery} session.started ")),
        "{listed}"
    );
    assert!(
        listed.contains(" pending · no answer (")
            && listed.contains(" is a loopback address; webhooks go to public addresses only")
            && listed.contains(" · next try "),
        "{listed}"
    );
    let retried = machine
        .run(&["webhooks", "retry", &id.to_string(), &delivery.to_string()])
        .await;
    assert_eq!(
        retried.ok(),
        format!("Delivery {delivery} (session.started) is due again now.\n")
    );
    let rotated = machine
        .run(&["webhooks", "rotate-secret", &id.to_string()])
        .await;
    assert!(
        rotated.ok().starts_with(&format!(
            "New secret for webhook {id}, shown this once: whsec_"
        )),
        "{}",
        rotated.stdout
    );
    let bad = machine
        .run(&["webhooks", "add", "ftp://x/", "--events", "session.began"])
        .await;
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr.lines().next(),
        Some("hyperfocus: The address `ftp://x/` must start with https:// (or http://)."),
        "{}",
        bad.stderr
    );
    assert!(
        bad.stderr
            .contains("\n`session.began` is not an event; use session.started, "),
        "{}",
        bad.stderr
    );
    let deleted = machine.run(&["webhooks", "delete", &id.to_string()]).await;
    assert_eq!(deleted.ok(), format!("Webhook {id} deleted.\n"));
    assert_eq!(app.count_rows("webhooks").await, 0);
}
