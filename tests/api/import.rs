//! `POST /users/{id}/import`: an export brought back, all or nothing.

use axum::{
    body::Body,
    http::{Request, header},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, TestUser};

/// Two finished sessions of Ana's, three interruptions, one a formula.
async fn ana_with_history(app: &TestApp) -> TestUser {
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let first = app.start_session(&ana, "2025-11-14T09:00:00Z").await;
    for (kind, start, end) in [
        ("phone", "2025-11-14T09:10:00Z", "2025-11-14T09:15:00Z"),
        ("family", "2025-11-14T09:30:00Z", "2025-11-14T09:32:00Z"),
    ] {
        assert_eq!(
            app.interrupt(&ana, first, kind, start, end).await.status,
            201
        );
    }
    assert_eq!(
        app.end_session(&ana, first, "2025-11-14T10:00:00Z")
            .await
            .status,
        200
    );
    let noted = app
        .call(
            "PATCH",
            &format!("/sessions/{first}"),
            Some(&ana.token),
            Some(json!({"note": "-chapter 3, \"draft\""})),
        )
        .await;
    assert_eq!(noted.status, 200, "{}", noted.text);
    let second = app.start_session(&ana, "2025-11-15T16:00:00Z").await;
    let note = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": second, "type": "self", "description": "=HYPERLINK(\"x\")",
                "start_time": "2025-11-15T16:20:00Z", "end_time": "2025-11-15T16:21:00Z"}),
        )
        .await;
    assert_eq!(note.status, 201);
    assert_eq!(
        app.end_session(&ana, second, "2025-11-15T17:00:00Z")
            .await
            .status,
        200
    );
    ana
}

async fn export(app: &TestApp, user: &TestUser, format: &str) -> String {
    let response = app
        .get(
            &format!("/users/{}/export?format={format}", user.id),
            &user.token,
        )
        .await;
    assert_eq!(response.status, 200);
    response.text
}

async fn import(
    app: &TestApp,
    user: &TestUser,
    query: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> TestResponse {
    let request = Request::builder()
        .method("POST")
        .uri(format!("/users/{}/import{query}", user.id))
        .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("request");
    app.send(request).await
}

/// The records of an NDJSON export without what differs between accounts:
/// ids, the user, the export's time.
fn comparable(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .map(|line| {
            let mut record: Value = serde_json::from_str(line).unwrap();
            let object = record.as_object_mut().unwrap();
            for key in ["id", "session_id", "user", "exported_at"] {
                object.remove(key);
            }
            record
        })
        .collect()
}

#[tokio::test]
async fn an_export_imported_elsewhere_is_the_same_history_and_again_adds_nothing() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = ana_with_history(&app).await;
    let file = export(&app, &ana, "ndjson").await;
    let bea = app.register_in("Bea", "Europe/Madrid").await;

    let dry = import(
        &app,
        &bea,
        "?dry_run=true",
        "application/x-ndjson",
        file.clone(),
    )
    .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(
        dry.body,
        json!({"dry_run": true, "sessions_added": 2, "interruptions_added": 3, "sessions_matched": 0})
    );
    assert_eq!(
        app.count_rows("sessions").await,
        2,
        "a dry run writes nothing"
    );

    let done = import(&app, &bea, "", "application/x-ndjson", file.clone()).await;
    assert_eq!(
        done.body,
        json!({"dry_run": false, "sessions_added": 2, "interruptions_added": 3, "sessions_matched": 0})
    );
    assert_eq!(
        comparable(&export(&app, &bea, "ndjson").await),
        comparable(&file)
    );
    // The reports agree to the second.
    let report = |user: &TestUser| {
        format!(
            "/users/{}/stats/summary?from=2025-11-14&to=2025-11-16",
            user.id
        )
    };
    let (a, b) = (
        app.get(&report(&ana), &ana.token).await,
        app.get(&report(&bea), &bea.token).await,
    );
    for figure in [
        "total_time_worked_seconds",
        "total_time_lost_seconds",
        "total_interruptions",
        "focus_score",
    ] {
        assert_eq!(a.body[figure], b.body[figure], "{figure}");
    }
    assert_eq!(b.body["total_time_worked_seconds"], 7200);
    assert_eq!(b.body["total_time_lost_seconds"], 480);
    assert_eq!(b.body["total_interruptions"], 3);

    let again = import(&app, &bea, "", "application/x-ndjson", file).await;
    assert_eq!(
        again.body,
        json!({"dry_run": false, "sessions_added": 0, "interruptions_added": 0, "sessions_matched": 2})
    );
    assert_eq!(app.count_rows("sessions").await, 4);
    assert_eq!(app.count_rows("interruptions").await, 6);
}

#[tokio::test]
async fn the_json_export_comes_back_too_and_its_own_running_session_matches() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = ana_with_history(&app).await;
    app.start_session(&ana, "2025-11-16T07:00:00Z").await;
    let file = export(&app, &ana, "json").await;
    // Into the same account: every session is already there, the running
    // one included.
    let same = import(&app, &ana, "", "application/json", file.clone()).await;
    assert_eq!(
        same.body,
        json!({"dry_run": false, "sessions_added": 0, "interruptions_added": 0, "sessions_matched": 3})
    );
    // Elsewhere, a running session cannot be taken over.
    let bea = app.register("Bea").await;
    let elsewhere = import(&app, &bea, "?format=json", "text/plain", file).await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.text);
    assert_eq!(
        elsewhere.body["errors"][0]["field"],
        "sessions[2]: end_time"
    );
    assert_eq!(app.count_rows("sessions").await, 3, "nothing written");
}

#[tokio::test]
async fn every_error_is_listed_by_line_and_nothing_is_written() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = ana_with_history(&app).await;
    let file = [
        r#"{"record":"header","format":"hyperfocus-export","version":1}"#,
        r#"{"record":"session","id":1,"start_time":"2025-11-10T09:00:00Z","end_time":"2025-11-10T10:00:00Z"}"#,
        r#"{"record":"interruption","session_id":1,"type":"cat","start_time":"2025-11-10T09:05:00Z","end_time":"2025-11-10T09:06:00Z"}"#,
        r#"{"record":"interruption","session_id":1,"type":"noise","start_time":"2025-11-10T09:50:00Z","end_time":"2025-11-10T10:20:00Z"}"#,
        r#"{"record":"session","id":2,"start_time":"2025-11-14T09:30:00Z","end_time":"2025-11-14T09:45:00Z"}"#,
        r#"{"record":"session","id":3,"start_time":"yesterday","end_time":null}"#,
        r#"{"record":"interruption","session_id":3,"type":"dog","start_time":"2025-11-15T09:05:00Z","end_time":"2025-11-15T09:06:00Z","description":"x"}"#,
        "not json",
        r#"{"record":"session","id":4,"start_time":"2025-11-15T09:00:00Z","end_time":"2025-11-15T10:00:00Z","note":5}"#,
        r#"{"record":"trailer","sessions":4,"interruptions":3}"#,
    ]
    .join("\n");
    let refused = import(&app, &ana, "", "application/x-ndjson", file).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    // Every error in one answer, in file order: each line's own fields,
    // an interruption outside its session, a session over a stored one,
    // and an interruption whose session could not be read.
    let errors: Vec<(&str, &str)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                "line 3: type",
                "`cat` is not a type; use family, phone, noise, self, urgent_task or unknown"
            ),
            (
                "line 4: start_time",
                "lies outside its session (2025-11-10T09:00:00Z to 2025-11-10T10:00:00Z)"
            ),
            (
                "line 5: start_time",
                "overlaps stored session 1 (2025-11-14T09:00:00Z to 2025-11-14T10:00:00Z)"
            ),
            (
                "line 6: start_time",
                "`yesterday` is not an RFC 3339 timestamp with an offset (2025-11-15T09:00:00Z)"
            ),
            (
                "line 7: type",
                "`dog` is not a type; use family, phone, noise, self, urgent_task or unknown"
            ),
            ("line 8", "is not JSON: expected ident at line 1 column 2"),
            (
                "line 9: note",
                "invalid type: integer `5`, expected a string"
            ),
        ],
        "{}",
        refused.text
    );
    assert_eq!(refused.body["detail"], "7 fields are invalid; see errors");
    assert_eq!(app.count_rows("sessions").await, 2);

    // Fixed one by one, the file still breaks a rule at each step.
    let file = [
        r#"{"record":"header","format":"hyperfocus-export","version":1}"#,
        r#"{"record":"session","id":1,"start_time":"2025-11-10T09:00:00Z","end_time":"2025-11-10T10:00:00Z"}"#,
        r#"{"record":"interruption","session_id":1,"type":"noise","start_time":"2025-11-10T09:50:00Z","end_time":"2025-11-10T10:20:00Z"}"#,
        r#"{"record":"session","id":2,"start_time":"2025-11-14T09:30:00Z","end_time":"2025-11-14T09:45:00Z"}"#,
        r#"{"record":"trailer","sessions":2,"interruptions":1}"#,
    ]
    .join("\n");
    let refused = import(&app, &ana, "", "application/x-ndjson", file.clone()).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["errors"][0]["field"], "line 3: start_time");
    assert_eq!(
        refused.body["errors"][0]["message"],
        "lies outside its session (2025-11-10T09:00:00Z to 2025-11-10T10:00:00Z)"
    );
    let fixed = file.replace("10:20:00Z", "09:55:00Z");
    let overlap = import(&app, &ana, "", "application/x-ndjson", fixed).await;
    assert_eq!(overlap.status, 422);
    assert_eq!(overlap.body["errors"][0]["field"], "line 4: start_time");
    let message = overlap.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("overlaps stored session "), "{message}");
    assert!(
        message.ends_with("(2025-11-14T09:00:00Z to 2025-11-14T10:00:00Z)"),
        "{message}"
    );
    assert_eq!(app.count_rows("sessions").await, 2);
    assert_eq!(app.count_rows("interruptions").await, 3);
}

#[tokio::test]
async fn text_that_looks_like_a_formula_or_starts_with_a_quote_survives_the_csv_round_trip() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = app.register("Ana").await;
    let typed = ["'quoted", "=1+1", "+44 20 7946 0000", "-x", "@x", "'=1"];
    let session = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    for (n, description) in typed.iter().enumerate() {
        let added = app
            .post(
                "/interruptions/",
                &ana.token,
                json!({"session_id": session, "type": "self", "description": description,
                    "start_time": format!("2025-11-15T09:0{n}:00Z"),
                    "end_time": format!("2025-11-15T09:0{n}:30Z")}),
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.text);
    }
    let noted = app
        .call(
            "PATCH",
            &format!("/sessions/{session}"),
            Some(&ana.token),
            Some(json!({"note": "'til noon"})),
        )
        .await;
    assert_eq!(noted.status, 200, "{}", noted.text);
    assert_eq!(
        app.end_session(&ana, session, "2025-11-15T10:00:00Z")
            .await
            .status,
        200
    );
    let csv = export(&app, &ana, "csv").await;
    assert!(csv.contains(",''quoted,"), "{csv}");
    let bea = app.register("Bea").await;
    let done = import(&app, &bea, "", "text/csv", csv).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let sessions = app
        .get(&format!("/sessions/user/{}", bea.id), &bea.token)
        .await;
    assert_eq!(sessions.body[0]["note"], "'til noon");
    let id = sessions.body[0]["id"].as_i64().unwrap();
    let interruptions = app
        .get(&format!("/interruptions/session/{id}"), &bea.token)
        .await;
    let descriptions: Vec<&str> = interruptions
        .body
        .as_array()
        .unwrap_or_else(|| panic!("{}", interruptions.text))
        .iter()
        .map(|i| i["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, typed);
}

#[tokio::test]
async fn a_json_document_lists_every_bad_record_and_a_huge_one_says_how_many_more() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = app.register("Ana").await;
    let document = json!({
        "format": "hyperfocus-export",
        "version": 1.0,
        "sessions": [
            {"id": 1, "start_time": 9, "end_time": "2025-11-10T10:00:00Z"},
            {"id": 2.0, "start_time": "2025-11-11T09:00:00Z", "end_time": "2025-11-11T10:00:00Z",
             "interruptions": [
                {"session_id": 2, "type": "cat", "start_time": "2025-11-11T09:10:00Z", "end_time": "2025-11-11T09:20:00Z"},
                {"session_id": 7, "type": "phone", "start_time": "2025-11-11T09:30:00Z", "end_time": "2025-11-11T09:40:00Z"},
                {"session_id": 2, "type": "phone", "start_time": "2025-11-11T09:50:00Z", "end_time": "2025-11-11T10:10:00Z", "mood": "bad"}
             ]},
            {"id": 3, "start_time": "2025-11-11T09:30:00Z", "end_time": "2025-11-11T11:00:00Z", "id2": 1}
        ]
    });
    let refused = import(&app, &ana, "", "application/json", document.to_string()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let errors: Vec<(&str, &str)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                "sessions[0]: start_time",
                "invalid type: integer `9`, expected a string"
            ),
            (
                "sessions[1].interruptions[0]: type",
                "`cat` is not a type; use family, phone, noise, self, urgent_task or unknown"
            ),
            (
                "sessions[1].interruptions[1]: session_id",
                "is 7, but it sits in session 2"
            ),
            (
                "sessions[1].interruptions[2]: mood",
                "unknown field `mood`, expected one of `id`, `session_id`, `type`, `description`, `start_time`, `end_time`"
            ),
            (
                "sessions[2]: id2",
                "unknown field `id2`, expected one of `id`, `start_time`, `end_time`, `note`, `interruptions`"
            ),
        ],
        "{}",
        refused.text
    );

    // Thousands of bad lines: the first hundred, and how many more.
    let mut file =
        String::from("{\"record\":\"header\",\"format\":\"hyperfocus-export\",\"version\":1}\n");
    for _ in 0..3000 {
        file.push_str("{\"record\":\"session\",\"start_time\":\"soon\",\"end_time\":null}\n");
    }
    file.push_str("{\"record\":\"trailer\",\"sessions\":3000,\"interruptions\":0}\n");
    let many = import(&app, &ana, "", "application/x-ndjson", file).await;
    let errors = many.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[0]["field"], "line 2: start_time");
    assert_eq!(errors[99]["field"], "line 101: start_time");
    assert_eq!(
        errors[100],
        json!({"field": "file", "message": "2900 more errors are not listed: only the first 100 are, in file order; fix these and import again to see the rest"})
    );
    assert_eq!(app.count_rows("sessions").await, 0);
}

/// The JSON body's schema requires exactly what the server requires: a
/// document without any one required member (of the document, a session or
/// an interruption) is refused naming it, and one with only those is taken.
#[tokio::test]
async fn the_json_import_schema_requires_what_the_server_requires() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = app.register("Ana").await;
    let document = app.call("GET", "/openapi.json", None, None).await.body;
    let schemas = &document["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} lists what it requires"))
            .iter()
            .map(|field| field.as_str().unwrap().to_owned())
            .collect()
    };
    let body = &document["paths"]["/users/{user_id}/import"]["post"]["requestBody"];
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ImportJsonIn"
    );
    assert_eq!(
        required("ImportDocumentIn"),
        ["format", "version", "sessions"]
    );
    assert_eq!(required("ImportSessionIn"), ["start_time"]);
    assert_eq!(
        required("ImportInterruptionIn"),
        ["type", "start_time", "end_time"]
    );
    let minimal = json!({
        "format": "hyperfocus-export",
        "version": 1,
        "sessions": [{
            "start_time": "2025-11-15T09:00:00Z",
            "end_time": "2025-11-15T10:00:00Z",
            "interruptions": [{"type": "phone", "start_time": "2025-11-15T09:10:00Z", "end_time": "2025-11-15T09:15:00Z"}]
        }]
    });
    let taken = import(
        &app,
        &ana,
        "?dry_run=true",
        "application/json",
        minimal.to_string(),
    )
    .await;
    assert_eq!(taken.status, 200, "{}", taken.text);
    assert_eq!(taken.body["interruptions_added"], 1);
    let without = |pointer: &str, field: &str| {
        let mut body = minimal.clone();
        body.pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap()
            .remove(field);
        body.to_string()
    };
    for (pointer, schema, at) in [
        ("", "ImportDocumentIn", "file: "),
        ("/sessions/0", "ImportSessionIn", "sessions[0]: "),
        (
            "/sessions/0/interruptions/0",
            "ImportInterruptionIn",
            "sessions[0].interruptions[0]: ",
        ),
    ] {
        for field in required(schema) {
            let refused = import(
                &app,
                &ana,
                "?dry_run=true",
                "application/json",
                without(pointer, &field),
            )
            .await;
            assert_eq!(refused.status, 422, "{schema}.{field}: {}", refused.text);
            let fields: Vec<&str> = refused.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, [format!("{at}{field}")], "{}", refused.text);
        }
    }
}

#[tokio::test]
async fn a_cut_or_foreign_file_is_refused_whole() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let ana = ana_with_history(&app).await;
    let bea = app.register("Bea").await;
    let file = export(&app, &ana, "ndjson").await;
    let cut: String = file.lines().take(3).map(|l| format!("{l}\n")).collect();
    let refused = import(&app, &bea, "", "application/x-ndjson", cut).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["errors"][0]["field"], "file");
    assert_eq!(refused.body["errors"].as_array().unwrap().len(), 1);
    assert!(refused.text.contains("has no trailer line"));

    let mut invalid = file.clone().into_bytes();
    let at = invalid.iter().position(|&b| b == b'\n').unwrap() + 3;
    invalid[at] = 0xff;
    let refused = import(&app, &bea, "", "application/x-ndjson", invalid).await;
    assert_eq!(refused.body["errors"][0]["field"], "line 2");
    assert_eq!(refused.body["errors"][0]["message"], "is not valid UTF-8");

    let toggl = "Project,Description,Start date\nWork,x,2025-11-10\n";
    let unknown = import(&app, &bea, "", "text/plain", toggl).await;
    assert_eq!(unknown.status, 415);
    let lacking = import(&app, &bea, "", "text/csv", toggl).await;
    assert_eq!(lacking.status, 422);
    assert!(
        lacking.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Start date, Start time, End date and End time")
    );
    let refused = import(&app, &bea, "?format=ndjson", "text/csv", toggl).await;
    assert_eq!(refused.status, 422);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["file", "line 1", "line 1: record", "line 2"],
        "{}",
        refused.text
    );

    let huge = vec![b'\n'; 64 * 1024 * 1024 + 1];
    let too_big = import(&app, &bea, "", "application/x-ndjson", huge).await;
    assert_eq!(too_big.status, 413);
    assert_eq!(app.count_rows("sessions").await, 2);
    let other = import(&app, &ana, "", "application/x-ndjson", file).await;
    assert_eq!(other.status, 200);
    let foreign = app
        .call(
            "POST",
            &format!("/users/{}/import", ana.id),
            Some(&bea.token),
            None,
        )
        .await;
    assert_eq!(foreign.status, 403);
}

#[tokio::test]
async fn other_trackers_files_come_in_as_sessions_in_the_users_zone() {
    let app = TestApp::new().await;
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let toggl = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\n\
        Ana,a@example.com,,Thesis,,Draft,No,2025-11-10,09:00:00,2025-11-10,10:00:00,01:00:00,\n\
        Ana,a@example.com,,,,Call,No,2025-11-10,09:30:00,2025-11-10,09:40:00,00:10:00,interrupt:phone\n";
    let read = import(&app, &ana, "?dry_run=true", "text/csv", toggl).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.body,
        json!({"dry_run": true, "sessions_added": 1, "interruptions_added": 1, "sessions_matched": 0})
    );
    let written = import(&app, &ana, "?format=toggl", "text/csv", toggl).await;
    assert_eq!(written.body["sessions_added"], 1);
    let listed = app
        .get(&format!("/sessions/user/{}", ana.id), &ana.token)
        .await;
    assert_eq!(listed.body[0]["start_time"], "2025-11-10T08:00:00Z");
    assert_eq!(listed.body[0]["time_lost_seconds"], 600);
    assert_eq!(listed.body[0]["note"], "Draft");
    // The same file read in UTC is an hour later: a new session.
    let in_utc = import(&app, &ana, "?tz=UTC", "text/csv", toggl).await;
    assert_eq!(in_utc.body["sessions_added"], 1, "{}", in_utc.text);
    let listed = app
        .get(&format!("/sessions/user/{}", ana.id), &ana.token)
        .await;
    assert_eq!(listed.body[0]["start_time"], "2025-11-10T09:00:00Z");

    let timew =
        r#"[{"id":1,"start":"20251111T080000Z","end":"20251111T090000Z","tags":["thesis"]}]"#;
    let from_timew = import(&app, &ana, "", "application/json", timew).await;
    assert_eq!(from_timew.body["sessions_added"], 1, "{}", from_timew.text);
    let bad_zone = import(&app, &ana, "?tz=Mars/Base", "text/csv", toggl).await;
    assert_eq!(bad_zone.status, 422);
    assert_eq!(bad_zone.body["errors"][0]["field"], "tz");
}
