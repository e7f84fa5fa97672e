//! Reading and correcting the record: the sessions table, edit, delete,
//! cancel, and undo of each kind of change.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{madrid_clock, minutes_ago, plus, record_of, sessions_of, signed_in};

fn utc(at: Timestamp) -> String {
    at.to_string()
}

#[tokio::test]
async fn undo_reverts_each_kind_of_change_and_says_what_it_reverted() {
    let (app, _server, user, machine) = signed_in().await;
    let t0 = minutes_ago(180);

    machine
        .run(&["log", "--start", &utc(t0), "--for", "25m"])
        .await
        .ok();
    let logged = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    let undone = machine.run(&["undo"]).await;
    assert!(
        undone
            .ok()
            .starts_with(&format!("Undone: the log of session {logged} (")),
        "{}",
        undone.stdout
    );
    assert_eq!(record_of(&app, &user).await, json!([]));
    let nothing = machine.run(&["undo"]).await;
    assert_eq!(
        (nothing.code, nothing.stderr.as_str()),
        (
            2,
            "hyperfocus: there is nothing to undo: this client has made no change since the last undo\n"
        )
    );

    machine
        .run(&["start", "--at", &utc(t0), "--note", "essay"])
        .await
        .ok();
    let started = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    machine
        .run(&["i", "phone", "call", "--at", &utc(plus(t0, 5))])
        .await
        .ok();
    machine.run(&["end", "--at", &utc(plus(t0, 20))]).await.ok();
    let reopened = machine.run(&["undo"]).await;
    assert!(
        reopened.ok().starts_with(&format!(
            "Undone: the end of session {started} at {}; it runs again as session ",
            madrid_clock(plus(t0, 20))
        )),
        "{}",
        reopened.stdout
    );
    assert_eq!(
        record_of(&app, &user).await,
        json!([[
            utc(t0),
            null,
            "essay",
            [["phone", "call", utc(plus(t0, 5)), null]]
        ]])
    );

    machine
        .run(&["resume", "--at", &utc(plus(t0, 9))])
        .await
        .ok();
    machine.run(&["undo"]).await.ok();
    assert_eq!(
        record_of(&app, &user).await,
        json!([[
            utc(t0),
            null,
            "essay",
            [["phone", "call", utc(plus(t0, 5)), null]]
        ]])
    );
    machine
        .run(&["resume", "--at", &utc(plus(t0, 9))])
        .await
        .ok();
    machine.run(&["end", "--at", &utc(plus(t0, 30))]).await.ok();
    let ended = json!([[
        utc(t0),
        utc(plus(t0, 30)),
        "essay",
        [["phone", "call", utc(plus(t0, 5)), utc(plus(t0, 9))]]
    ]]);
    assert_eq!(record_of(&app, &user).await, ended);

    let edited = machine.run(&["edit", "--start", &utc(plus(t0, -10))]).await;
    assert!(
        edited.ok().starts_with("Changed session "),
        "{}",
        edited.stdout
    );
    assert_eq!(
        sessions_of(&app, &user).await[0]["start_time"],
        utc(plus(t0, -10))
    );
    machine.run(&["undo"]).await.ok();
    assert_eq!(record_of(&app, &user).await, ended);
    let renamed = machine.run(&["edit", "--note", "essay, part 2"]).await;
    assert!(
        renamed.ok().starts_with("Changed session ")
            && renamed.stdout.contains(" on “essay, part 2”: "),
        "{}",
        renamed.stdout
    );
    machine.run(&["undo"]).await.ok();
    assert_eq!(record_of(&app, &user).await, ended);

    let deleted = machine.run(&["delete", "--yes"]).await;
    assert!(
        deleted
            .ok()
            .ends_with(", 30m 00s, 1 interruption). `hyperfocus undo` brings it back.\n"),
        "{}",
        deleted.stdout
    );
    assert_eq!(record_of(&app, &user).await, json!([]));
    let restored = machine.run(&["undo"]).await;
    assert!(
        restored.ok().contains("it is back as session "),
        "{}",
        restored.stdout
    );
    assert_eq!(record_of(&app, &user).await, ended);

    let session = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    let interruption = super::interruptions_of(&app, &user, session).await[0]["id"]
        .as_i64()
        .unwrap();
    machine
        .run(&[
            "delete",
            "--interruption",
            &interruption.to_string(),
            "--yes",
        ])
        .await
        .ok();
    assert_eq!(
        record_of(&app, &user).await,
        json!([[utc(t0), utc(plus(t0, 30)), "essay", []]])
    );
    machine.run(&["undo"]).await.ok();
    assert_eq!(record_of(&app, &user).await, ended);
}

#[tokio::test]
async fn cancel_and_delete_ask_first_and_need_yes_without_a_terminal() {
    let (app, _server, user, machine) = signed_in().await;
    machine.run(&["start", "--at", "-20m"]).await.ok();
    let unasked = machine.run(&["cancel"]).await;
    assert_eq!(unasked.code, 2);
    assert!(
        unasked
            .stderr
            .ends_with("? Pass --yes to go ahead without a terminal to ask on.\n"),
        "{}",
        unasked.stderr
    );
    assert_eq!(sessions_of(&app, &user).await.len(), 1);
    let cancelled = machine.run(&["cancel", "-y"]).await;
    assert!(
        cancelled.ok().starts_with("Cancelled session "),
        "{}",
        cancelled.stdout
    );
    assert_eq!(sessions_of(&app, &user).await.len(), 0);
    machine.run(&["undo"]).await.ok();
    let back = sessions_of(&app, &user).await;
    assert_eq!((back.len(), &back[0]["end_time"]), (1, &Value::Null));
}

#[tokio::test]
async fn the_sessions_table_lists_newest_first_in_the_users_zone() {
    let (_app, _server, _user, machine) = signed_in().await;
    // Two sessions on 2026-11-16 (a Monday), in Madrid (UTC+1).
    machine
        .run(&[
            "log",
            "--start",
            "2026-11-16 09:00",
            "--end",
            "2026-11-16 10:30",
            "--note",
            "chapter 3 draft",
        ])
        .await
        .ok();
    machine
        .run(&[
            "log",
            "--start",
            "2026-11-16T15:00:00+01:00",
            "--for",
            "45m",
        ])
        .await
        .ok();
    let table = machine.run(&["sessions", "--day", "2026-11-16"]).await;
    let lines: Vec<&str> = table.ok().lines().map(str::trim_end).collect();
    assert_eq!(lines.len(), 4, "{}", table.stdout);
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "id",
            "day",
            "start",
            "end",
            "worked",
            "interruptions",
            "lost",
            "effective",
            "note"
        ]
    );
    assert_eq!(
        lines[2]
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" "),
        "Mon 16 Nov 2026 15:00 15:45 45m 00s 0 0s 45m 00s"
    );
    assert_eq!(
        lines[3]
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" "),
        "Mon 16 Nov 2026 09:00 10:30 1h 30m 0 0s 1h 30m chapter 3 draft"
    );
    let other_day = machine.run(&["sessions", "--day", "2026-11-17"]).await;
    assert_eq!(other_day.ok(), "No sessions on 2026-11-17.\n");
    let as_json = machine.run(&["--json", "sessions"]).await;
    let listed: Value = serde_json::from_str(as_json.ok()).unwrap();
    assert_eq!(listed[1]["start_time"], "2026-11-16T08:00:00Z");
}

#[tokio::test]
async fn sessions_with_interruptions_list_the_ids_edit_takes() {
    let (app, _server, user, machine) = signed_in().await;
    machine
        .run(&["start", "--at", "2026-11-16 09:00"])
        .await
        .ok();
    for args in [
        &[
            "i",
            "ph",
            "WhatsApp",
            "--at",
            "2026-11-16 09:10",
            "--for",
            "3m",
        ][..],
        &[
            "i",
            "fam",
            "--at",
            "2026-11-16 09:25",
            "--until",
            "2026-11-16 09:30",
        ],
    ] {
        machine.run(args).await.ok();
    }
    machine.run(&["end", "--at", "2026-11-16 10:00"]).await.ok();
    let session = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    let ids: Vec<i64> = super::interruptions_of(&app, &user, session)
        .await
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let table = machine
        .run(&["sessions", "--interruptions", "--day", "2026-11-16"])
        .await;
    let rows: Vec<String> = table
        .ok()
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows[2..],
        [
            format!("{session} Mon 16 Nov 2026 09:00 10:00 1h 00m 2 8m 00s 52m 00s"),
            format!("{} ↳ phone 09:10 09:13 3m 00s WhatsApp", ids[0]),
            format!("{} ↳ family 09:25 09:30 5m 00s", ids[1]),
            "↳ an interruption, by its own id: `hyperfocus edit --interruption ID`, `delete --interruption ID`.".to_owned(),
        ],
        "{}",
        table.stdout
    );
    let edited = machine
        .run(&[
            "edit",
            "--interruption",
            &ids[1].to_string(),
            "--type",
            "noise",
        ])
        .await;
    edited.ok();
    let as_json = machine.run(&["--json", "sessions", "-i"]).await;
    let listed: Value = serde_json::from_str(as_json.ok()).unwrap();
    assert_eq!(listed[0]["interruptions"][1]["type"], "noise");
    assert_eq!(listed[0]["interruptions"][1]["id"], ids[1]);
}

#[tokio::test]
async fn times_follow_the_accounts_zone_as_soon_as_it_changes() {
    let (app, _server, user, machine) = signed_in().await;
    machine
        .run(&["log", "--start", "2026-11-16 09:00", "--for", "30m"])
        .await
        .ok();
    let moved = app
        .call(
            "PATCH",
            &format!("/users/{}", user.id),
            Some(&user.token),
            Some(json!({"timezone": "America/New_York"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    // 09:00 in Madrid is 03:00 in New York.
    let table = machine.run(&["sessions"]).await;
    let row = table
        .ok()
        .lines()
        .nth(2)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    assert_eq!(
        row[1..7].join(" "),
        "Mon 16 Nov 2026 03:00 03:30",
        "{}",
        table.stdout
    );
    let idle = machine.run(&["status"]).await;
    assert!(
        idle.stdout
            .starts_with("Not focusing.\nLast session ended Mon 16 Nov 03:30 (30m 00s)."),
        "{}",
        idle.stdout
    );
    let config = std::fs::read_to_string(machine.path("config/hyperfocus/config.toml")).unwrap();
    assert!(
        config.contains("timezone = \"America/New_York\""),
        "{config}"
    );
    let started = machine.run(&["start", "--at", "-5m"]).await;
    let new_york = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let begun: Timestamp = sessions_of(&app, &user).await[0]["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let begun = begun
        .to_zoned_datetime(new_york)
        .strftime("%H:%M")
        .to_string();
    assert!(
        started
            .ok()
            .starts_with(&format!("Focusing since {begun} ")),
        "{}",
        started.stdout
    );
}
