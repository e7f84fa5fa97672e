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
            .contains("The target must be 0 to 100 for focus score per day (got 101)."),
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

/// Makes the user's weeks begin three days ago, so that the last hour is
/// this week's whenever a test runs.
async fn weeks_begun_three_days_ago(
    app: &crate::helpers::TestApp,
    user: &crate::helpers::TestUser,
) {
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
            &format!("/users/{}", user.id),
            Some(&user.token),
            Some(json!({ "week_start": week_start })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
}

#[tokio::test]
async fn an_at_most_goal_reads_as_a_budget_and_can_be_changed() {
    let (app, _server, ana, machine) = signed_in().await;
    weeks_begun_three_days_ago(&app, &ana).await;
    let added = machine
        .run(&[
            "goals",
            "add",
            "interruptions",
            "5",
            "--at-most",
            "--per",
            "week",
        ])
        .await;
    let id = app.db.scalar("SELECT MAX(id) FROM goals").await.unwrap();
    assert_eq!(
        added.ok(),
        format!("Goal {id} set: Interruptions at most 5 a week.\n")
    );
    machine.run(&["start", "--at", "-30m"]).await.ok();
    for minutes in ["-25m", "-20m", "-15m", "-10m"] {
        machine
            .run(&["i", "ph", "--at", minutes, "--for", "1m"])
            .await
            .ok();
    }
    let listed = machine.run(&["goals"]).await;
    let lines: Vec<&str> = listed.ok().lines().collect();
    assert_eq!(
        lines[1],
        format!(
            "  {}{}  1 interruption left of 5 · near the limit · 0 weeks in a row (best 0)",
            "█".repeat(4),
            "░".repeat(16)
        ),
        "{}",
        listed.stdout
    );

    let changed = machine
        .run(&["goals", "edit", &id.to_string(), "--target", "2"])
        .await;
    assert_eq!(
        changed.ok(),
        format!("Goal {id} changed: Interruptions at most 2 a week.\n")
    );
    let status = machine.run(&["status"]).await;
    assert!(
        status.ok().ends_with(&format!(
            "  Goal {id}: 2 interruptions over the limit of 2, over the limit\n"
        )),
        "{}",
        status.stdout
    );
    let nothing = machine.run(&["goals", "edit", &id.to_string()]).await;
    assert_eq!(nothing.code, 2);
    assert!(
        nothing
            .stderr
            .starts_with("hyperfocus: say what to change: --target")
    );
    let missing = machine
        .run(&["goals", "edit", "999999", "--target", "3"])
        .await;
    assert_eq!(
        missing.stderr,
        "hyperfocus: There is no goal 999999 in your account. `hyperfocus goals` lists yours.\n"
    );
}
