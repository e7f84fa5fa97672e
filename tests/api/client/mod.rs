//! The command-line client, run as a person runs it: the built
//! `hyperfocus` binary with its own config and state directories, talking
//! real HTTP to a live server on loopback.

mod data;
mod errors;
mod focus;
mod goals;
mod offline;
mod records;
mod terminal;
mod watch;
mod webhooks;

use std::process::Stdio;

use jiff::{Timestamp, tz::TimeZone};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::helpers::{LiveServer, TestApp, TestUser};

/// What one run of the client printed and answered.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }
}

/// A person's machine: a home with the client's directories, and the
/// server it talks to.
pub struct Machine {
    home: tempfile::TempDir,
    pub server: String,
}

impl Machine {
    /// A machine whose default server is `address`.
    pub fn new(server: &LiveServer) -> Self {
        Self::at(format!("http://{}", server.address))
    }

    /// A machine whose default server is at `url`.
    pub fn at(url: String) -> Self {
        Self {
            home: tempfile::tempdir().expect("temporary home"),
            server: url,
        }
    }

    /// Runs `hyperfocus ARGS` with nothing of this process's environment
    /// but PATH, so no stray HYPERFOCUS_* or NO_COLOR changes what it does.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, &[]).await
    }

    /// Runs with `stdin` as standard input and `env` set.
    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        command.stdin(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the client runs");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input
                .write_all(text.as_bytes())
                .await
                .expect("stdin written");
        }
        drop(input);
        let output = child.wait_with_output().await.expect("the client ends");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }

    /// The client, about to run `args` in the home with its directories
    /// and nothing else of this process's environment but PATH; stdout and
    /// stderr piped.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyperfocus"));
        command
            .args(args)
            .current_dir(self.home.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// A path in the home.
    pub fn path(&self, relative: &str) -> std::path::PathBuf {
        self.home.path().join(relative)
    }

    /// Writes a profile as `hyperfocus login` would, for `user` on `server`.
    pub fn sign_in_as(&self, user: &TestUser, server: &str, timezone: &str) {
        let config = format!(
            "[profiles.default]\nserver = {server:?}\ntoken = {:?}\nuser_id = {}\ntimezone = {timezone:?}\n",
            user.token, user.id
        );
        let path = self.path("config/hyperfocus/config.toml");
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("config directory");
        std::fs::write(path, config).expect("config written");
    }
}

/// A live server over a fresh app, a user in Madrid and a machine signed
/// in as them.
pub async fn signed_in() -> (TestApp, LiveServer, TestUser, Machine) {
    let app = TestApp::new().await;
    let server = LiveServer::start(&app).await;
    let user = app.register_in("Ana", "Europe/Madrid").await;
    let machine = Machine::new(&server);
    machine.sign_in_as(&user, &machine.server, "Europe/Madrid");
    (app, server, user, machine)
}

/// A whole minute `minutes` before now, so times typed in a test are in
/// the past and exact.
pub fn minutes_ago(minutes: i64) -> Timestamp {
    let now = Timestamp::now().as_second();
    Timestamp::from_second(now - now % 60 - minutes * 60).expect("a time")
}

/// `minutes` after `at`.
pub fn plus(at: Timestamp, minutes: i64) -> Timestamp {
    at + jiff::SignedDuration::from_mins(minutes)
}

/// `at` as the client prints it for a user in Madrid: `10:02`.
pub fn madrid_clock(at: Timestamp) -> String {
    at.to_zoned_datetime(TimeZone::get("Europe/Madrid").expect("zone"))
        .strftime("%H:%M")
        .to_string()
}

/// `at` as the client's messages write it for a user in Madrid: `10:02`
/// today, `Tue 1 Dec 10:02` another day.
pub fn madrid_moment(at: Timestamp) -> String {
    let zone = TimeZone::get("Europe/Madrid").expect("zone");
    let local = at.to_zoned_datetime(zone.clone());
    if local.date() == Timestamp::now().to_zoned_datetime(zone).date() {
        local.strftime("%H:%M").to_string()
    } else {
        local.strftime("%a %-d %b %H:%M").to_string()
    }
}

/// The user's sessions as the API lists them.
pub async fn sessions_of(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let listed = app
        .get(&format!("/sessions/user/{}", user.id), &user.token)
        .await;
    listed.body.as_array().expect("an array").clone()
}

/// The interruptions of `session`.
pub async fn interruptions_of(app: &TestApp, user: &TestUser, session: i64) -> Vec<Value> {
    let listed = app
        .get(&format!("/interruptions/session/{session}"), &user.token)
        .await;
    listed.body.as_array().expect("an array").clone()
}

/// A session's times and its interruptions' type and times, to compare.
pub async fn record_of(app: &TestApp, user: &TestUser) -> Value {
    let mut record = Vec::new();
    for session in sessions_of(app, user).await {
        let id = session["id"].as_i64().expect("id");
        let interruptions: Vec<Value> = interruptions_of(app, user, id)
            .await
            .iter()
            .map(|i| json!([i["type"], i["description"], i["start_time"], i["end_time"]]))
            .collect();
        record.push(json!([
            session["start_time"],
            session["end_time"],
            session["note"],
            interruptions
        ]));
    }
    Value::Array(record)
}
