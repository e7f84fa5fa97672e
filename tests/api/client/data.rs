//! The record out and back in through the client, and what it draws.

use jiff::{Timestamp, ToSpan, civil::Date, tz::TimeZone};
use serde_json::Value;

use super::{Machine, record_of, signed_in};

fn madrid() -> TimeZone {
    TimeZone::get("Europe/Madrid").unwrap()
}

/// A day three days back in Madrid.
fn three_days_ago() -> Date {
    Timestamp::now()
        .to_zoned_datetime(madrid())
        .date()
        .checked_sub(3.days())
        .unwrap()
}

#[tokio::test]
async fn an_export_imported_into_another_account_is_the_same_record_and_a_second_import_adds_nothing()
 {
    let (app, server, ana, machine) = signed_in().await;
    let day = three_days_ago();
    let started = machine
        .run(&[
            "start",
            "--at",
            &format!("{day} 09:00"),
            "--note",
            "+44 call notes",
        ])
        .await;
    assert!(
        started
            .ok()
            .starts_with("Focusing on “+44 call notes” since "),
        "{}",
        started.stdout
    );
    machine
        .run(&[
            "i",
            "self",
            "news",
            "--at",
            &format!("{day} 09:20"),
            "--for",
            "15m",
        ])
        .await
        .ok();
    machine
        .run(&[
            "i",
            "urgent",
            "=HYPERLINK(\"x\")",
            "--at",
            &format!("{day} 10:00"),
            "--until",
            &format!("{day} 10:05"),
        ])
        .await
        .ok();
    machine
        .run(&["end", "--at", &format!("{day} 10:30")])
        .await
        .ok();
    machine
        .run(&["log", "--start", &format!("{day} 15:00"), "--for", "1h"])
        .await
        .ok();

    let file = machine.path("focus.ndjson");
    let exported = machine.run(&["export", "-o", file.to_str().unwrap()]).await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert!(
        exported.stderr.starts_with("Wrote ")
            && exported
                .stderr
                .ends_with(&format!("(ndjson) to {}.\n", file.display()))
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["format"], "hyperfocus-export");
    assert_eq!(
        lines.last().unwrap(),
        &serde_json::json!({"record": "trailer", "sessions": 2, "interruptions": 2})
    );

    let bea = app.register_in("Bea", "Europe/Madrid").await;
    let other = Machine::new(&server);
    other.sign_in_as(&bea, &other.server, "Europe/Madrid");
    let path = file.to_str().unwrap();
    let dry = other.run(&["import", "--dry-run", path]).await;
    assert_eq!(
        dry.ok(),
        "Would add 2 sessions and 2 interruptions; 0 sessions were already there. Nothing was written.\n"
    );
    assert_eq!(record_of(&app, &bea).await, serde_json::json!([]));
    let imported = other.run(&["import", path]).await;
    assert_eq!(
        imported.ok(),
        "Added 2 sessions and 2 interruptions; 0 sessions were already there.\n"
    );
    assert_eq!(record_of(&app, &bea).await, record_of(&app, &ana).await);
    assert_eq!(record_of(&app, &bea).await[1][2], "+44 call notes");
    let again = other.run(&["import", path]).await;
    assert_eq!(
        again.ok(),
        "Added 0 sessions and 0 interruptions; 2 sessions were already there.\n"
    );

    let csv = machine.run(&["export", "--format", "csv"]).await;
    let rows: Vec<&str> = csv.ok().lines().collect();
    assert_eq!(
        rows.len(),
        4,
        "a header, a row per interruption, one for the bare session"
    );
    assert!(
        rows[0].starts_with("session_id,session_start_utc,"),
        "{}",
        rows[0]
    );
    assert!(
        csv.stdout.contains("'=HYPERLINK"),
        "a formula cell is made inert: {}",
        csv.stdout
    );

    // The CSV comes back too, into an account in another zone.
    let table = machine.path("focus.csv");
    std::fs::write(&table, &csv.stdout).unwrap();
    let cid = app.register_in("Cid", "Asia/Tokyo").await;
    let third = Machine::new(&server);
    third.sign_in_as(&cid, &third.server, "Asia/Tokyo");
    let from_csv = third.run(&["import", table.to_str().unwrap()]).await;
    assert_eq!(
        from_csv.ok(),
        "Added 2 sessions and 2 interruptions; 0 sessions were already there.\n"
    );
    assert_eq!(
        record_of(&app, &cid).await,
        record_of(&app, &ana).await,
        "the same record, the formula's note as typed"
    );
}

#[tokio::test]
async fn import_refuses_a_bad_file_with_its_lines_and_fields() {
    let (app, _server, user, machine) = signed_in().await;
    let file = machine.path("bad.ndjson");
    std::fs::write(
        &file,
        "{\"record\": \"session\", \"start_time\": \"yesterday\"}\n",
    )
    .unwrap();
    let refused = machine.run(&["import", file.to_str().unwrap()]).await;
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.starts_with("hyperfocus: "),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("Line 1"),
        "errors by line: {}",
        refused.stderr
    );
    assert_eq!(record_of(&app, &user).await, serde_json::json!([]));
    std::fs::write(machine.path("notes.txt"), "09:00 to 10:00 writing\n").unwrap();
    let unnamed = machine
        .run(&["import", machine.path("notes.txt").to_str().unwrap()])
        .await;
    assert!(
        unnamed.stderr.contains("pass --format ndjson, json or csv"),
        "{}",
        unnamed.stderr
    );
}

#[tokio::test]
async fn report_draws_exact_bars_for_a_known_day() {
    let (_app, _server, _user, machine) = signed_in().await;
    let day = three_days_ago();
    machine
        .run(&["start", "--at", &format!("{day} 09:00")])
        .await
        .ok();
    machine
        .run(&["i", "self", "--at", &format!("{day} 09:20"), "--for", "15m"])
        .await
        .ok();
    machine
        .run(&["end", "--at", &format!("{day} 10:30")])
        .await
        .ok();
    let next = day.tomorrow().unwrap();
    let window = ["--from", &day.to_string(), "--to", &next.to_string()];

    let by_hour = machine
        .run(&[&["report", "--by", "hour"][..], &window[..]].concat())
        .await;
    let lines: Vec<&str> = by_hour.ok().lines().collect();
    let heading = |d: Date| format!("{} 00:00", d.strftime("%a %-d %b %Y"));
    assert_eq!(
        lines,
        [
            format!("{} to {} (Europe/Madrid)", heading(day), heading(next)).as_str(),
            "Worked 1h 30m in 1 session: 1h 15m effective, 15m 00s lost to 1 interruption (0.7/h).",
            "Focus score 72/100 · longest stretch 55m 00s · 1 deep-work block of 25 min or more.",
            "",
            "By hour of the day   █ effective  ░ lost",
            &format!(
                "09h  {}{}  45m 00s effective · 15m 00s lost · 1 interruption",
                "█".repeat(27),
                "░".repeat(9)
            ),
            &format!(
                "10h  {}{}  30m 00s effective · 0s lost · 0 interruptions",
                "█".repeat(18),
                " ".repeat(18)
            ),
        ]
    );
    let by_type = machine.run(&[&["report"][..], &window[..]].concat()).await;
    assert!(
        by_type.ok().ends_with(&format!(
            "Time lost by type\nself  {}  15m 00s lost · once · 100% of lost time\n",
            "█".repeat(36)
        )),
        "{}",
        by_type.stdout
    );
    let heat = machine
        .run(&[&["report", "--by", "heatmap"][..], &window[..]].concat())
        .await;
    let weekday_row = heat
        .ok()
        .lines()
        .skip_while(|l| !l.starts_with("Worked time by weekday and hour"))
        .find(|l| l.starts_with(&format!("{} ", day.strftime("%a"))))
        .unwrap()
        .to_owned();
    let cells: Vec<char> = weekday_row.chars().skip(5).collect();
    assert_eq!(
        cells[18..20].iter().collect::<String>(),
        "██",
        "09h is the busiest hour"
    );
    assert_eq!(
        cells[20..22].iter().collect::<String>(),
        "▒▒",
        "10h has half of it"
    );
    let as_json = machine
        .run(&[&["--json", "report"][..], &window[..]].concat())
        .await;
    let overview: Value = serde_json::from_str(as_json.ok()).unwrap();
    assert_eq!(overview["summary"]["total_time_worked_seconds"], 5400);
}

#[tokio::test]
async fn completions_are_written_for_each_shell() {
    let (_app, _server, _user, machine) = signed_in().await;
    let bash = machine.run(&["completions", "bash"]).await;
    assert!(
        bash.ok().contains("_hyperfocus()") && bash.stdout.contains("interrupt"),
        "{}",
        &bash.stdout[..200]
    );
    assert!(
        machine
            .run(&["completions", "zsh"])
            .await
            .ok()
            .starts_with("#compdef hyperfocus")
    );
    assert!(
        machine
            .run(&["completions", "fish"])
            .await
            .ok()
            .contains("complete -c hyperfocus")
    );
    let status = machine.run(&["--json", "status"]).await;
    assert_eq!(status.code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(&status.stdout).unwrap(),
        serde_json::json!({"session": null, "open_interruption": null})
    );
}

#[tokio::test]
async fn the_default_report_is_this_calendar_week_as_on_the_web() {
    let (app, _server, ana, machine) = signed_in().await;
    // Weeks that began three days ago: one session this week, one the
    // week before (four days ago), both in the last seven days.
    let first_day = three_days_ago();
    let week_start = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][first_day.weekday().to_monday_zero_offset() as usize];
    let patched = app
        .call(
            "PATCH",
            &format!("/users/{}", ana.id),
            Some(&ana.token),
            Some(serde_json::json!({ "week_start": week_start })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    for (day, length) in [(first_day, "1h"), (first_day.yesterday().unwrap(), "30m")] {
        machine
            .run(&["log", "--start", &format!("{day} 09:00"), "--for", length])
            .await
            .ok();
    }
    let week = machine.run(&["report"]).await;
    let lines: Vec<&str> = week.ok().lines().collect();
    let last_day = first_day.checked_add(6.days()).unwrap();
    assert_eq!(
        lines[..2],
        [
            format!(
                "This week: {} – {} (Europe/Madrid)",
                first_day.strftime("%a %-d %b"),
                last_day.strftime("%a %-d %b %Y")
            )
            .as_str(),
            "Worked 1h 00m in 1 session: 1h 00m effective, 0s lost to 0 interruptions (0.0/h).",
        ]
    );
    let as_json = machine.run(&["--json", "report"]).await;
    let overview: Value = serde_json::from_str(as_json.ok()).unwrap();
    let midnight = |date: Date| {
        madrid()
            .to_ambiguous_zoned_datetime(date.at(0, 0, 0, 0))
            .compatible()
            .unwrap()
            .timestamp()
            .to_string()
    };
    assert_eq!(overview["window"]["from"], midnight(first_day));
    assert_eq!(
        overview["window"]["to"],
        midnight(first_day.checked_add(7.days()).unwrap())
    );
    let rolling = machine.run(&["report", "--range", "7d"]).await;
    assert!(
        rolling
            .ok()
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Worked 1h 30m in 2 sessions"),
        "{}",
        rolling.stdout
    );
    let nothing = machine.run(&["report", "--range", "today"]).await;
    assert_eq!(
        nothing.ok().lines().nth(2).unwrap(),
        "Focus score — · longest stretch 0s · 0 deep-work blocks of 25 min or more.",
        "a score of nothing worked is no score"
    );
    let typo = machine.run(&["report", "--range", "fortnight"]).await;
    assert_eq!(
        typo.stderr,
        "hyperfocus: --range \"fortnight\" is not a period; use week, today, month, year, a number of days such as 30d, or all\n"
    );
}
