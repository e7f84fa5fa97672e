//! `hyperfocus goals`: setting, reading and deleting goals from the
//! terminal, and the goals' line in `status`.

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use serde_json::json;

use super::{minutes_ago, signed_in};

#[tokio::test]
async fn a_goal_set_from_the_terminal_shows_its_progress_and_streak() {
    let (app, _server, ana, machine) = signed_in().await;
    // Weeks that began three days ago, so that the last half hour is
    // this week's whenever the test runs.
    let madrid = TimeZone::get("Europe/Madrid").unwrap();
    let three_days_ago = Timestamp::now()
        .to_zoned_datetime(madrid)
        .date()
        .checked_sub(3.days())
        .unwrap();
    let week_start = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][three_days_ago.weekday().to_monday_zero_offset() as usize];
    let patched = app
        .call(
            "PATCH",
            &format!("/users/{}", ana.id),
            Some(&ana.token),
            Some(json!({ "week_start": week_start })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);

    let none = machine.run(&["goals"]).await;
    assert_eq!(
        none.ok(),
        "No goals yet. Set one: hyperfocus goals add effective 2h --rest sat,sun\n"
    );
    let added = machine
        .run(&["goals", "add", "worked", "10m", "--per", "week"])
        .await;
    let id = app.db.scalar("SELECT MAX(id) FROM goals").await.unwrap();
    assert_eq!(
        added.ok(),
        format!("Goal {id} set: Time worked at least 10m 00s a week.\n")
    );
    machine
        .run(&[
            "log",
            "--start",
            &minutes_ago(30).to_string(),
            "--for",
            "15m",
        ])
        .await
        .ok();

    let listed = machine.run(&["goals", "--no-color"]).await;
    let lines: Vec<&str> = listed.ok().lines().collect();
    assert_eq!(
        lines[0],
        format!("{id} Time worked at least 10m 00s a week")
    );
    assert_eq!(
        lines[1],
        "  ████████████████████  15m 00s of 10m 00s · met · 1 week in a row (best 1)"
    );
    assert!(lines[2].starts_with("  last weeks: "), "{}", lines[2]);
    assert!(lines[2].contains("■  (■ met"), "{}", lines[2]);

    let status = machine.run(&["status"]).await;
    assert_eq!(status.code, 1, "idle");
    assert!(
        status
            .stdout
            .ends_with(&format!("  Goal {id}: 15m 00s of 10m 00s, met\n")),
        "{}",
        status.stdout
    );

    let refused = machine.run(&["goals", "add", "score", "101"]).await;
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("target: must be 0 to 100 for focus_score per day (got 101)"),
        "{}",
        refused.stderr
    );
    let bad_day = machine
        .run(&["goals", "add", "eff", "2h", "--rest", "s"])
        .await;
    assert_eq!(bad_day.code, 2, "{}", bad_day.stderr);

    let deleted = machine.run(&["goals", "delete", &id.to_string()]).await;
    assert_eq!(deleted.ok(), format!("Goal {id} deleted.\n"));
    assert_eq!(app.count_rows("goals").await, 0);
}
