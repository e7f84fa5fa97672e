//! `hyperfocus webhooks`: endpoints managed from the terminal.

use super::signed_in;

#[tokio::test]
async fn an_endpoint_is_added_listed_pinged_rotated_and_deleted_from_the_terminal() {
    let (app, _server, _ana, machine) = signed_in().await;
    let added = machine
        .run(&[
            "webhooks",
            "add",
            "http://127.0.0.1:9/hook",
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
        format!("Added webhook {id} http://127.0.0.1:9/hook (session.started, goal.met) · lamp.")
    );
    assert!(
        lines[1].starts_with("Its signing secret, shown this once: whsec_"),
        "{}",
        lines[1]
    );
    let listed = machine.run(&["webhooks"]).await;
    assert_eq!(
        listed.ok(),
        format!("{id} http://127.0.0.1:9/hook (session.started, goal.met) · lamp\n")
    );
    let pinged = machine.run(&["webhooks", "test", &id.to_string()]).await;
    assert_eq!(pinged.code, 1, "{}", pinged.stderr);
    assert!(
        pinged
            .stdout
            .starts_with("Not delivered: 127.0.0.1 is a loopback address;"),
        "{}",
        pinged.stdout
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
    assert!(bad.stderr.contains("url: "), "{}", bad.stderr);
    let deleted = machine.run(&["webhooks", "delete", &id.to_string()]).await;
    assert_eq!(deleted.ok(), format!("Webhook {id} deleted.\n"));
    assert_eq!(app.count_rows("webhooks").await, 0);
}
