//! Signing in, and a working session from the terminal.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{
    Machine, interruptions_of, madrid_clock, minutes_ago, plus, record_of, sessions_of, signed_in,
};
use crate::helpers::{LiveServer, TestApp, TestUser, token_id};

#[tokio::test]
async fn login_stores_a_device_token_only_its_owner_can_read_and_logout_revokes_it() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let registered = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Bea", "email": "bea@example.com", "timezone": "Europe/Madrid", "password": "a long passphrase"})),
        )
        .await;
    let registration = registered.body["api_token"].as_str().unwrap().to_owned();
    let machine = Machine::new(&server);
    let url = machine.server.clone();

    let login = machine
        .run_with(
            &["--server", &url, "login", "--email", "bea@example.com"],
            Some("a long passphrase\n"),
            &[],
        )
        .await;
    assert_eq!(
        login.ok(),
        format!("Signed in to {url} as bea@example.com (Europe/Madrid); profile \"default\".\n")
    );
    let config = machine.path("config/hyperfocus/config.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let stored: toml::Table = std::fs::read_to_string(&config).unwrap().parse().unwrap();
    let device_token = stored["profiles"]["default"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tokens = app.get("/users/me/tokens", &registration).await;
    let device = tokens
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == token_id(&device_token))
        .cloned()
        .unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(device["name"], format!("hyperfocus on {}", host.trim()));
    assert_eq!(device["scope"], "write");

    assert_eq!(
        machine.run(&["whoami"]).await.ok(),
        format!("bea@example.com (Bea, Europe/Madrid) on {url}\n")
    );
    assert_eq!(
        machine.run(&["logout"]).await.ok(),
        format!("Signed out of {url}; this device's token is revoked.\n")
    );
    assert_eq!(app.get("/users/me", &device_token).await.status, 401);
    assert_eq!(app.get("/users/me", &registration).await.status, 200);
    let after = machine.run(&["whoami"]).await;
    assert_eq!(after.code, 2);
    assert_eq!(
        after.stderr,
        format!("hyperfocus: not signed in to {url}; run `hyperfocus login` (or pass --token)\n")
    );
}

#[tokio::test]
async fn a_wrong_password_says_so_in_the_persons_words() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let machine = Machine::new(&server);
    let url = machine.server.clone();
    let login = machine
        .run_with(
            &["--server", &url, "login", "--email", "nobody@example.com"],
            Some("not the password\n"),
            &[],
        )
        .await;
    assert_eq!(login.code, 2);
    let detail = login.stderr.lines().next().unwrap();
    assert!(
        detail.starts_with("hyperfocus: ") && !detail.contains("Error"),
        "{detail}"
    );
    assert_eq!(
        login.stderr,
        "hyperfocus: The email or password is not right; check both and try again.\n"
    );
}

#[tokio::test]
async fn a_session_with_interruptions_from_start_to_end_prints_exact_figures() {
    let (app, _server, user, machine) = signed_in().await;
    let t0 = minutes_ago(60);
    let start = machine.run(&["start", "--at", &t0.to_string()]).await;
    let session = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    assert_eq!(
        start.ok(),
        format!(
            "Focusing since {} (session {session}). Interrupted? `hyperfocus i TYPE`.\n",
            madrid_clock(t0)
        )
    );

    let phone = machine
        .run(&[
            "i",
            "ph",
            "WhatsApp",
            "--at",
            &plus(t0, 10).to_string(),
            "--for",
            "3m",
        ])
        .await;
    assert_eq!(
        phone.ok(),
        format!(
            "Logged a phone interruption at {}: 3m 00s lost.\n",
            madrid_clock(plus(t0, 10))
        )
    );
    let family = machine
        .run(&["interrupt", "fam", "--at", &plus(t0, 25).to_string()])
        .await;
    assert!(
        family.ok().starts_with(&format!(
            "A family interruption since {} (interruption ",
            madrid_clock(plus(t0, 25))
        )),
        "{}",
        family.stdout
    );
    let status = machine
        .run(&[
            "status",
            "--format",
            "{state} {type} {interruptions} {since}",
        ])
        .await;
    assert_eq!(
        status.ok(),
        format!("interrupted family 2 {}\n", madrid_clock(t0))
    );

    let resume = machine
        .run(&["resume", "--at", &plus(t0, 30).to_string()])
        .await;
    assert_eq!(
        resume.ok(),
        format!(
            "Back to focus at {}: the family interruption took 5m 00s.\n",
            madrid_clock(plus(t0, 30))
        )
    );
    let end = machine
        .run(&["stop", "--at", &plus(t0, 40).to_string()])
        .await;
    assert_eq!(
        end.ok(),
        format!(
            "Session {session} ended at {}: worked 40m 00s, lost 8m 00s to 2 interruptions, 32m 00s effective.\n",
            madrid_clock(plus(t0, 40))
        )
    );
    let idle = machine.run(&["status"]).await;
    assert_eq!(idle.code, 1);
    assert!(
        idle.stdout
            .starts_with("Not focusing.\nLast session ended "),
        "{}",
        idle.stdout
    );

    let utc = |at: Timestamp| at.to_string();
    assert_eq!(
        record_of(&app, &user).await,
        json!([[
            utc(t0),
            utc(plus(t0, 40)),
            "",
            [
                ["phone", "WhatsApp", utc(plus(t0, 10)), utc(plus(t0, 13))],
                ["family", "", utc(plus(t0, 25)), utc(plus(t0, 30))],
            ]
        ]])
    );
}

#[tokio::test]
async fn times_are_read_in_the_users_zone_and_relative_to_now() {
    let (app, _server, user, machine) = signed_in().await;
    let before = Timestamp::now();
    machine.run(&["start", "--at", "-10m"]).await.ok();
    let started: Timestamp = sessions_of(&app, &user).await[0]["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let offset = before.duration_since(started).as_secs();
    assert!((598..=601).contains(&offset), "started {offset} s before");
    machine.run(&["cancel", "--yes"]).await.ok();

    machine
        .run(&["log", "--start", "yesterday 09:00", "--for", "1h30m"])
        .await
        .ok();
    let logged = &sessions_of(&app, &user).await[0];
    let zone = jiff::tz::TimeZone::get("Europe/Madrid").unwrap();
    let yesterday = Timestamp::now()
        .to_zoned_datetime(zone.clone())
        .date()
        .yesterday()
        .unwrap();
    let nine = zone
        .to_ambiguous_zoned_datetime(yesterday.at(9, 0, 0, 0))
        .compatible()
        .unwrap()
        .timestamp();
    assert_eq!(logged["start_time"], nine.to_string());
    assert_eq!(logged["duration_seconds"], 5400);
}

#[tokio::test]
async fn mistakes_get_a_sentence_that_says_what_to_do() {
    let (_app, _server, _user, machine) = signed_in().await;
    let idle_end = machine.run(&["end"]).await;
    assert_eq!(
        (idle_end.code, idle_end.stderr.as_str()),
        (
            2,
            "hyperfocus: you are not focusing; `hyperfocus start` begins a session\n"
        )
    );
    machine.run(&["start"]).await.ok();
    let ambiguous = machine.run(&["i", "u"]).await;
    assert_eq!(
        ambiguous.stderr,
        "hyperfocus: \"u\" could be urgent_task, unknown; type a little more\n"
    );
    let unknown = machine.run(&["i", "cat"]).await;
    assert_eq!(
        unknown.stderr,
        "hyperfocus: \"cat\" is not an interruption type; use one of family, phone, noise, self, urgent_task, unknown\n"
    );
    let again = machine.run(&["start"]).await;
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .starts_with("hyperfocus: You are already focusing, since "),
        "{}",
        again.stderr
    );
    let bad_time = machine.run(&["end", "--at", "teatime"]).await;
    assert_eq!(
        bad_time.stderr,
        "hyperfocus: \"teatime\" is not a time; write 14:30, -10m, 10m ago, yesterday 09:00, 2026-12-01 14:30 or RFC 3339 (2026-12-01T14:30:00+01:00)\n"
    );
    let bad_duration = machine.run(&["i", "noise", "--for", "5 minutes"]).await;
    assert_eq!(
        bad_duration.stderr,
        "hyperfocus: \"5 minutes\" is not a duration; write 90s, 5m, 1h30m or 2h\n"
    );
}

#[tokio::test]
async fn status_watch_prints_a_line_when_a_session_starts_elsewhere() {
    let (app, _server, user, machine) = signed_in().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyperfocus"))
        .args(["status", "--watch", "--format", "{state} {session}"])
        .env_clear()
        .env("HOME", machine.path(""))
        .env("XDG_CONFIG_HOME", machine.path("config"))
        .env("XDG_STATE_HOME", machine.path("state"))
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let next = async |lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>| {
        tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .unwrap()
            .unwrap()
    };
    assert_eq!(next(&mut lines).await, "idle ");
    // The stream is open once the first line is out; give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let session = start_elsewhere(&app, &user).await;
    assert_eq!(next(&mut lines).await, format!("focusing {session}"));
    child.kill().await.unwrap();
}

async fn start_elsewhere(app: &TestApp, user: &TestUser) -> i64 {
    let started = app.post("/sessions/start", &user.token, json!({})).await;
    started.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn an_end_typed_right_after_its_start_is_a_second_not_a_refusal() {
    let (app, _server, user, machine) = signed_in().await;
    for args in [&["start"][..], &["i", "ph"], &["resume"], &["stop"]] {
        let run = machine.run(args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let session = &sessions_of(&app, &user).await[0];
    assert!(
        (1..=5).contains(&session["duration_seconds"].as_i64().unwrap()),
        "{session}"
    );
    assert_eq!(session["interruption_count"], 1);
}

#[tokio::test]
async fn an_interruption_for_a_while_without_a_start_is_the_one_just_over() {
    let (app, _server, user, machine) = signed_in().await;
    machine.run(&["start", "--at", "-10m"]).await.ok();
    let before = Timestamp::now().as_second();
    let logged = machine.run(&["i", "fam", "--for", "3m"]).await;
    let after = Timestamp::now().as_second();
    let session = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    let interruption = &interruptions_of(&app, &user, session).await[0];
    let time =
        |field: &str| -> Timestamp { interruption[field].as_str().unwrap().parse().unwrap() };
    let (start, end) = (time("start_time"), time("end_time"));
    assert_eq!(end.duration_since(start).as_secs(), 180);
    assert!(
        (before..=after).contains(&end.as_second()),
        "it ends now ({before}..={after}), not later: {interruption}"
    );
    assert_eq!(
        logged.ok(),
        format!(
            "Logged a family interruption at {}: 3m 00s lost.\n",
            madrid_clock(start)
        )
    );
}

#[tokio::test]
async fn login_offers_this_computers_zone_to_an_account_still_on_utc() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let cleo = app.register_in("Cleo", "UTC").await;
    let url = format!("http://{}", server.address);
    let machine = Machine::new(&server);
    let login = ["--server", &url, "--token", &cleo.token, "login"];
    let madrid = [("TZ", "Europe/Madrid")];

    // No terminal to ask on: nothing changes unasked, a hint says how.
    let hinted = machine.run_with(&login, None, &madrid).await;
    assert_eq!(
        hinted.ok(),
        format!("Signed in to {url} as cleo@example.com (UTC); profile \"default\".\n")
    );
    assert_eq!(
        hinted.stderr,
        "Your account's time zone is UTC, this computer's Europe/Madrid: `hyperfocus timezone system` sets it (or the web app's Settings).\n"
    );
    assert_eq!(
        app.get("/users/me", &cleo.token).await.body["timezone"],
        "UTC"
    );
    let on_utc = machine.run_with(&login, None, &[("TZ", "Etc/UTC")]).await;
    assert_eq!(on_utc.stderr, "", "nothing to offer on a UTC computer");

    let set = machine
        .run_with(&["timezone", "system"], None, &madrid)
        .await;
    assert_eq!(
        set.ok(),
        "Your account's time zone is now Europe/Madrid (it was UTC); times are shown in it everywhere.\n"
    );
    assert_eq!(
        app.get("/users/me", &cleo.token).await.body["timezone"],
        "Europe/Madrid"
    );
    let shown = machine
        .run_with(&["timezone"], None, &[("TZ", "Asia/Tokyo")])
        .await;
    assert_eq!(
        shown.ok(),
        "Your account's time zone is Europe/Madrid; this computer's is Asia/Tokyo (`hyperfocus timezone system` uses it).\n"
    );

    let laptop = Machine::new(&server);
    let moved = laptop
        .run_with(
            &[
                "--server",
                &url,
                "--token",
                &cleo.token,
                "login",
                "--timezone",
                "system",
            ],
            None,
            &[("TZ", "Asia/Tokyo")],
        )
        .await;
    assert_eq!(
        moved.ok(),
        format!("Signed in to {url} as cleo@example.com (Asia/Tokyo); profile \"default\".\n")
    );
    let typo = laptop.run(&["timezone", "Europe/Madird"]).await;
    assert_eq!(
        (typo.code, typo.stderr.as_str()),
        (
            2,
            "hyperfocus: \"Europe/Madird\" is not an IANA time zone, such as Europe/Madrid\n"
        )
    );
}
