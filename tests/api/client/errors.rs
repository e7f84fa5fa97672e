//! What the client says when the server refuses: its own sentence, in the
//! account's zone and the person's words — never a UTC time, a field name,
//! an endpoint or a header the person has never seen.

use hyperfocus::config::HttpConfig;

use super::{Machine, Run, madrid_moment, minutes_ago, plus, sessions_of, signed_in};
use crate::helpers::{LiveServer, TestApp};

/// Asserts that stderr speaks to a person, and returns it.
#[track_caller]
fn in_words(run: &Run) -> &str {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for api in [
        "Z)",
        "Z ",
        "_time",
        "_id",
        "description",
        "POST",
        "PATCH",
        "/sessions",
        "/interruptions",
        "RateLimit",
        "--secret",
        "problem",
    ] {
        assert!(!run.stderr.contains(api), "{api:?} in {:?}", run.stderr);
    }
    &run.stderr
}

#[tokio::test]
async fn refused_changes_say_what_to_do_in_local_time() {
    let (_app, _server, _user, machine) = signed_in().await;
    let t0 = minutes_ago(120);
    machine
        .run(&[
            "log",
            "--start",
            &t0.to_string(),
            "--for",
            "1h",
            "--note",
            "essay",
        ])
        .await
        .ok();

    let overlapping = machine
        .run(&["log", "--start", &plus(t0, 30).to_string(), "--for", "1h"])
        .await;
    let day = t0
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Madrid").unwrap())
        .date();
    assert_eq!(
        in_words(&overlapping),
        format!(
            "hyperfocus: A session from {} to {} would overlap your session from {} to {} on “essay”. Change the times, or correct or delete that one first (`hyperfocus sessions --day {day}` lists it).\n",
            madrid_moment(plus(t0, 30)),
            madrid_moment(plus(t0, 90)),
            madrid_moment(t0),
            madrid_moment(plus(t0, 60)),
        )
    );
    let inside = machine
        .run(&["start", "--at", &plus(t0, 10).to_string()])
        .await;
    assert!(
        in_words(&inside).starts_with(&format!(
            "hyperfocus: Starting at {} would overlap your session from {} to {} on “essay”.",
            madrid_moment(plus(t0, 10)),
            madrid_moment(t0),
            madrid_moment(plus(t0, 60))
        )),
        "{}",
        inside.stderr
    );

    let started = plus(t0, 70);
    machine
        .run(&["start", "--at", &started.to_string()])
        .await
        .ok();
    let again = machine.run(&["start"]).await;
    assert_eq!(
        in_words(&again),
        format!(
            "hyperfocus: You are already focusing, since {}. End that session first: `hyperfocus end`.\n",
            madrid_moment(started)
        )
    );
    let early = machine
        .run(&[
            "i",
            "noise",
            "--at",
            &plus(t0, 65).to_string(),
            "--for",
            "2m",
        ])
        .await;
    assert_eq!(
        in_words(&early),
        format!(
            "hyperfocus: It would begin at {}, before this session began ({}); an interruption lies inside its session.\n",
            madrid_moment(plus(t0, 65)),
            madrid_moment(started)
        )
    );
    machine
        .run(&["i", "ph", "--at", &plus(t0, 80).to_string()])
        .await
        .ok();
    let second = machine.run(&["i", "fam"]).await;
    assert_eq!(
        in_words(&second),
        format!(
            "hyperfocus: A phone interruption is still open, since {}. `hyperfocus resume` closes it before another begins.\n",
            madrid_moment(plus(t0, 80))
        )
    );
    let before_start = machine
        .run(&["end", "--at", &plus(t0, 75).to_string()])
        .await;
    assert_eq!(
        in_words(&before_start),
        format!(
            "hyperfocus: Ending at {} would come before the phone interruption still open began ({}). End after it, or delete it if it was a mistake (`hyperfocus delete --interruption {}`).\n",
            madrid_moment(plus(t0, 75)),
            madrid_moment(plus(t0, 80)),
            open_interruption(&machine).await
        )
    );
    let backwards = machine
        .run(&["end", "--at", &plus(t0, 60).to_string()])
        .await;
    assert_eq!(
        in_words(&backwards),
        format!(
            "hyperfocus: The end, {}, would come before the session began ({}); an end comes after its start.\n",
            madrid_moment(plus(t0, 60)),
            madrid_moment(started)
        )
    );
    let resume_early = machine
        .run(&["resume", "--at", &plus(t0, 79).to_string()])
        .await;
    assert_eq!(
        in_words(&resume_early),
        format!(
            "hyperfocus: Back to focus at {} would be before the phone interruption began ({}).\n",
            madrid_moment(plus(t0, 79)),
            madrid_moment(plus(t0, 80))
        )
    );
    let later = machine
        .run(&["resume", "--at", &plus(t0, 200).to_string()])
        .await;
    assert!(
        in_words(&later).starts_with("hyperfocus: The end "),
        "{}",
        later.stderr
    );
    assert!(
        later.stderr.contains("is in the future"),
        "{}",
        later.stderr
    );
}

async fn open_interruption(machine: &Machine) -> i64 {
    let status = machine.run(&["--json", "status"]).await;
    let state: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
    state["open_interruption"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn each_invalid_field_is_its_own_sentence() {
    let (app, _server, user, machine) = signed_in().await;
    machine
        .run(&["log", "--start", "-2h", "--for", "30m"])
        .await
        .ok();
    let session = sessions_of(&app, &user).await[0]["id"].as_i64().unwrap();
    let long = "x".repeat(501);
    let edited = machine
        .run(&[
            "edit",
            &session.to_string(),
            "--note",
            &long,
            "--end",
            "-3h",
        ])
        .await;
    let said = in_words(&edited);
    assert!(said.starts_with("hyperfocus: The "), "{said}");
    assert!(said.contains("The note "), "{said}");
    let goal = machine.run(&["goals", "add", "score", "101"]).await;
    assert_eq!(
        in_words(&goal),
        "hyperfocus: The target must be 0 to 100 for focus score per day (got 101).\n"
    );
    let missing = machine.run(&["edit", "999999", "--note", "x"]).await;
    assert_eq!(
        in_words(&missing),
        "hyperfocus: There is no session 999999 in your account. `hyperfocus sessions` lists yours.\n"
    );
    let no_interruption = machine
        .run(&["delete", "--interruption", "999999", "--yes"])
        .await;
    assert_eq!(
        in_words(&no_interruption),
        "hyperfocus: There is no interruption 999999 in your account. `hyperfocus sessions --interruptions` lists yours.\n"
    );
}

#[tokio::test]
async fn a_revoked_token_and_a_busy_server_say_what_to_do() {
    let (app, _server, user, machine) = signed_in().await;
    let token_id = crate::helpers::token_id(&user.token);
    let revoked = app
        .call(
            "DELETE",
            &format!("/users/me/tokens/{token_id}"),
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let refused = machine.run(&["sessions"]).await;
    assert_eq!(
        in_words(&refused),
        "hyperfocus: This device is no longer signed in: its token was revoked or has expired. Sign in again with `hyperfocus login`.\n"
    );

    let limited = TestApp::with_http(HttpConfig {
        rate_limit: "2/h".parse().unwrap(),
        ..HttpConfig::default()
    })
    .await;
    let server = LiveServer::start(&limited).await;
    let ana = limited.register_in("Ana", "Europe/Madrid").await;
    let busy = Machine::new(&server);
    busy.sign_in_as(&ana, &busy.server, "Europe/Madrid");
    let mut last = busy.run(&["sessions"]).await;
    for _ in 0..3 {
        if last.code == 2 {
            break;
        }
        last = busy.run(&["sessions"]).await;
    }
    let said = in_words(&last);
    assert!(
        said.starts_with(
            "hyperfocus: The server is getting more requests from this device than it takes; try again in "
        ),
        "{said}"
    );
    assert!(said.ends_with(" min.\n"), "{said}");
}
