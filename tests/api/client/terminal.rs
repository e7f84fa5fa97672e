//! The client as a Unix citizen: help with no arguments, a closed pipe,
//! NO_COLOR, typos that name the choices, `-o -`, profiles that do not
//! exist.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{Machine, minutes_ago, signed_in};
use crate::helpers::{LiveServer, TestApp};

#[tokio::test]
async fn hyperfocus_alone_prints_help_with_the_client_commands_first() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let machine = Machine::new(&server);
    let alone = machine.run(&[]).await;
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    assert!(
        alone.stdout.starts_with(
            "Focus sessions, interruptions and what they cost, over HTTP\n\nUsage: hyperfocus [OPTIONS] <COMMAND>\n\nCommands:\n  login "
        ),
        "{}",
        alone.stdout
    );
    let commands: Vec<&str> = alone
        .stdout
        .lines()
        .skip_while(|line| *line != "Commands:")
        .filter_map(|line| line.strip_prefix("  ")?.split(' ').next())
        .filter(|word| !word.is_empty())
        .collect();
    let at = |name: &str| commands.iter().position(|c| *c == name).unwrap();
    assert!(at("completions") < at("serve"), "{commands:?}");
    assert!(at("serve") < at("migrate") && at("migrate") < at("demo"));
    assert!(
        !alone.stdout.contains("--bind"),
        "server flags stay with serve"
    );

    let serve = machine.run(&["serve", "--help"]).await;
    assert!(serve.ok().contains("--bind <BIND>"), "{}", serve.stdout);
    assert!(!serve.stdout.contains("--server"), "{}", serve.stdout);
    let status = machine.run(&["status", "--help"]).await;
    assert!(status.ok().contains("--server <URL>"));
    assert!(!status.stdout.contains("--bind"));
}

/// Runs the client with stdout a pipe that this side closes after reading
/// `lines` lines, then says how it ended and what it wrote on stderr.
async fn closing_after(machine: &Machine, args: &[&str], lines: usize) -> (Option<i32>, String) {
    let mut child = machine.command(args).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout).lines();
    for _ in 0..lines {
        reader.next_line().await.unwrap().expect("a line");
    }
    drop(reader);
    let output = child.wait_with_output().await.unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test]
async fn a_closed_pipe_ends_the_client_quietly() {
    let (_app, _server, _user, machine) = signed_in().await;
    // More JSON than a pipe holds, so the client is still writing when
    // the reader goes away after its first line.
    let sessions: Vec<Value> = (1..=600)
        .map(|n| {
            let start = minutes_ago(n * 30 + 20);
            serde_json::json!({
                "start_time": start.to_string(),
                "end_time": super::plus(start, 20).to_string(),
                "note": format!("writing chapter {n}"),
                "interruptions": [],
            })
        })
        .collect();
    let document =
        serde_json::json!({"format": "hyperfocus-export", "version": 1, "sessions": sessions});
    std::fs::write(machine.path("many.json"), document.to_string()).unwrap();
    machine
        .run(&["import", machine.path("many.json").to_str().unwrap()])
        .await
        .ok();
    let listed = machine.run(&["--json", "sessions", "--limit", "600"]).await;
    let listed: Vec<Value> = serde_json::from_str(listed.ok()).unwrap();
    assert_eq!(listed.len(), 600);

    let json = closing_after(&machine, &["--json", "sessions", "--limit", "600"], 1).await;
    assert_eq!(
        json,
        (Some(0), String::new()),
        "`--json sessions | head -1`"
    );
    let export = closing_after(&machine, &["export", "-o", "-"], 1).await;
    assert_eq!(export, (Some(0), String::new()), "`export -o - | head -1`");
    // Closed before anything is written: the first line already fails.
    for args in [&["report"][..], &["status"], &["sessions"]] {
        let ended = closing_after(&machine, args, 0).await;
        assert_eq!(ended, (Some(0), String::new()), "{args:?}");
    }
}

#[tokio::test]
async fn no_color_set_to_anything_but_empty_means_no_colour() {
    let (_app, _server, _user, machine) = signed_in().await;
    machine.run(&["start"]).await.ok();
    // A pipe is not a terminal: CLICOLOR_FORCE stands in for one.
    let forced = [("CLICOLOR_FORCE", "1")];
    let coloured = machine.run_with(&["status"], None, &forced).await;
    assert!(coloured.ok().contains("\x1b["), "{}", coloured.stdout);
    for value in ["1", "0", "true"] {
        let plain = machine
            .run_with(
                &["status"],
                None,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", value)],
            )
            .await;
        assert!(
            plain.ok().starts_with("Focusing for "),
            "NO_COLOR={value}: {}",
            plain.stdout
        );
        assert!(!plain.stdout.contains('\x1b'), "NO_COLOR={value}");
    }
    let empty = machine
        .run_with(
            &["status"],
            None,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")],
        )
        .await;
    assert!(empty.ok().contains("\x1b["), "an empty NO_COLOR is unset");
    let flag = machine
        .run_with(&["status", "--no-color"], None, &forced)
        .await;
    assert!(!flag.ok().contains('\x1b'));
    let json = machine
        .run_with(&["status"], None, &[("HYPERFOCUS_JSON", "1")])
        .await;
    assert!(json.ok().starts_with('{'), "{}", json.stdout);
}

#[tokio::test]
async fn a_format_typo_is_refused_with_the_fields_there_are() {
    let (_app, _server, _user, machine) = signed_in().await;
    let typo = machine
        .run(&["status", "--format", "{state} {elpased}"])
        .await;
    assert_eq!(
        (typo.code, typo.stdout.as_str(), typo.stderr.as_str()),
        (
            2,
            "",
            "hyperfocus: --format: {elpased} is not a field; the fields are {state}, {icon}, {elapsed}, {elapsed_seconds}, {since}, {session}, {interruptions}, {lost}, {type}, {note}, {interrupted_for}, {session_note}, {offline}\n"
        )
    );
    let watch = machine
        .run(&["status", "--watch", "--format", "{icon} {sate}"])
        .await;
    assert_eq!(watch.code, 2);
    assert!(
        watch
            .stderr
            .starts_with("hyperfocus: --format: {sate} is not a field")
    );
}

#[tokio::test]
async fn a_profile_that_does_not_exist_is_named_with_the_ones_that_do() {
    let (_app, _server, _user, machine) = signed_in().await;
    let missing = machine.run(&["--profile", "nosuch", "status"]).await;
    assert_eq!(
        (missing.code, missing.stderr.as_str()),
        (
            2,
            "hyperfocus: there is no profile \"nosuch\" (the profiles are default); `hyperfocus --profile nosuch login` makes it\n"
        )
    );
    let from_env = machine
        .run_with(&["status"], None, &[("HYPERFOCUS_PROFILE", "work")])
        .await;
    assert!(
        from_env
            .stderr
            .starts_with("hyperfocus: there is no profile \"work\"")
    );
    assert_eq!(
        machine.run(&["--profile", "default", "status"]).await.code,
        1
    );
}

#[tokio::test]
async fn export_to_dash_writes_standard_output() {
    let (_app, _server, _user, machine) = signed_in().await;
    machine
        .run(&["log", "--start", "-2h", "--for", "30m"])
        .await
        .ok();
    let exported = machine.run(&["export", "-o", "-"]).await;
    let first: Value = serde_json::from_str(exported.ok().lines().next().unwrap()).unwrap();
    assert_eq!(first["record"], "header", "{}", exported.stdout);
    assert_eq!(exported.stdout.lines().count(), 3, "{}", exported.stdout);
    assert_eq!(exported.stderr, "");
    assert!(!machine.path("-").exists());
}

#[tokio::test]
async fn login_offers_the_email_it_signed_in_with_last() {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    app.call(
        "POST",
        "/users/",
        None,
        Some(serde_json::json!({"name": "Bea", "email": "bea@example.com", "timezone": "Europe/Madrid", "password": "a long passphrase"})),
    )
    .await;
    let machine = Machine::new(&server);
    let url = machine.server.clone();
    let first = machine
        .run_with(
            &["--server", &url, "login", "--email", "bea@example.com"],
            Some("a long passphrase\n"),
            &[],
        )
        .await;
    first.ok();
    machine.run(&["logout"]).await.ok();
    let again = machine
        .run_with(&["login"], Some("a long passphrase\n"), &[])
        .await;
    assert_eq!(
        again.ok(),
        format!("Signed in to {url} as bea@example.com (Europe/Madrid); profile \"default\".\n")
    );
    let stranger = Machine::new(&server);
    let asked = stranger
        .run_with(&["--server", &url, "login"], Some("x\n"), &[])
        .await;
    assert_eq!(
        asked.stderr,
        "hyperfocus: give your email with --email (there is no terminal to ask on)\n"
    );
}
