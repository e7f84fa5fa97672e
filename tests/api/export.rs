//! `GET /users/{id}/export`: a user's history as NDJSON, JSON or CSV,
//! streamed from the database.

use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

/// Ana's Saturday in Madrid: a session with two interruptions (one with a
/// note a spreadsheet would run), and a running session without any.
async fn ana_with_history(app: &TestApp) -> (TestUser, i64, i64) {
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let first = app.start_session(&ana, "2025-11-15T09:00:00Z").await;
    let phone = app
        .interrupt(
            &ana,
            first,
            "phone",
            "2025-11-15T09:10:00Z",
            "2025-11-15T09:15:00Z",
        )
        .await;
    assert_eq!(phone.status, 201);
    let response = app
        .post(
            "/interruptions/",
            &ana.token,
            serde_json::json!({"session_id": first, "type": "self",
                "description": "=HYPERLINK(\"http://evil\")",
                "start_time": "2025-11-15T09:40:00Z", "end_time": "2025-11-15T09:41:00Z"}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(
        app.end_session(&ana, first, "2025-11-15T10:00:00Z")
            .await
            .status,
        200
    );
    let noted = app
        .call(
            "PATCH",
            &format!("/sessions/{first}"),
            Some(&ana.token),
            Some(serde_json::json!({"note": "=1+1, \"draft\""})),
        )
        .await;
    assert_eq!(noted.status, 200, "{}", noted.text);
    let second = app.start_session(&ana, "2025-11-15T23:30:00Z").await;
    (ana, first, second)
}

#[tokio::test]
async fn ndjson_is_the_whole_history_line_by_line_as_an_attachment() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let (ana, first, second) = ana_with_history(&app).await;
    let response = app
        .get(&format!("/users/{}/export", ana.id), &ana.token)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-ndjson")
    );
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"hyperfocus-export-2025-11-16.ndjson\"")
    );
    let lines: Vec<Value> = response
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 6, "{}", response.text);
    assert_eq!(
        lines[0],
        serde_json::json!({"record": "header", "format": "hyperfocus-export", "version": 1,
            "exported_at": "2025-11-16T08:00:00Z",
            "user": {"id": ana.id, "name": "Ana", "email": "ana@example.com"},
            "timezone": "Europe/Madrid", "from": null, "to": null})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"record": "session", "id": first,
            "start_time": "2025-11-15T09:00:00Z", "end_time": "2025-11-15T10:00:00Z",
            "note": "=1+1, \"draft\""})
    );
    assert_eq!(lines[2]["record"], "interruption");
    assert_eq!(lines[2]["session_id"], first);
    assert_eq!(lines[2]["type"], "phone");
    assert_eq!(lines[2]["start_time"], "2025-11-15T09:10:00Z");
    assert_eq!(lines[2]["end_time"], "2025-11-15T09:15:00Z");
    assert_eq!(lines[3]["type"], "self");
    assert_eq!(lines[3]["description"], "=HYPERLINK(\"http://evil\")");
    assert_eq!(
        lines[4],
        serde_json::json!({"record": "session", "id": second,
            "start_time": "2025-11-15T23:30:00Z", "end_time": null, "note": ""})
    );
    assert_eq!(
        lines[5],
        serde_json::json!({"record": "trailer", "sessions": 2, "interruptions": 2})
    );
}

#[tokio::test]
async fn json_nests_and_csv_flattens_with_local_times_and_inert_formulas() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let (ana, first, second) = ana_with_history(&app).await;
    let json = app
        .get(&format!("/users/{}/export?format=json", ana.id), &ana.token)
        .await;
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(
        json.body["counts"],
        serde_json::json!({"sessions": 2, "interruptions": 2})
    );
    assert_eq!(json.body["sessions"][0]["interruptions"][1]["type"], "self");
    assert_eq!(json.body["sessions"][0]["note"], "=1+1, \"draft\"");
    assert_eq!(
        json.body["sessions"][1]["interruptions"],
        serde_json::json!([])
    );

    let csv = app
        .get(&format!("/users/{}/export?format=csv", ana.id), &ana.token)
        .await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows: Vec<&str> = csv.text.split("\r\n").collect();
    assert_eq!(rows.len(), 5, "{}", csv.text);
    assert!(rows[0].starts_with("session_id,session_start_utc,"));
    assert!(rows[1].starts_with(&format!(
        "{first},2025-11-15T09:00:00Z,2025-11-15T10:00:00Z,2025-11-15 10:00:00,2025-11-15 11:00:00,3600,"
    )));
    assert!(
        rows[2].contains(r#",self,"'=HYPERLINK(""http://evil"")",2025-11-15T09:40:00Z,"#),
        "{}",
        rows[2]
    );
    assert!(
        rows[2].ends_with(r#",2025-11-15,Europe/Madrid,"'=1+1, ""draft""""#),
        "{}",
        rows[2]
    );
    assert_eq!(
        rows[3],
        format!(
            "{second},2025-11-15T23:30:00Z,,2025-11-16 00:30:00,,,,,,,,,,,2025-11-16,Europe/Madrid,"
        )
    );
    // Another zone for the local columns.
    let tokyo = app
        .get(
            &format!("/users/{}/export?format=csv&tz=Asia/Tokyo", ana.id),
            &ana.token,
        )
        .await;
    assert!(
        tokyo
            .text
            .contains(",2025-11-15 18:00:00,2025-11-15 19:00:00,3600,")
    );
}

#[tokio::test]
async fn from_and_to_pick_sessions_by_their_start() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let (ana, _, second) = ana_with_history(&app).await;
    // 16 November in Madrid starts at 23:00 UTC on the 15th.
    let late = app
        .get(
            &format!("/users/{}/export?from=2025-11-16", ana.id),
            &ana.token,
        )
        .await;
    let records: Vec<Value> = late
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["from"], "2025-11-15T23:00:00Z");
    assert_eq!(records[1]["id"], second);
    assert_eq!(
        records[2],
        serde_json::json!({"record": "trailer", "sessions": 1, "interruptions": 0})
    );
    let early = app
        .get(
            &format!(
                "/users/{}/export?to=2025-11-15T12:00:00Z&format=json",
                ana.id
            ),
            &ana.token,
        )
        .await;
    assert_eq!(
        early.body["counts"],
        serde_json::json!({"sessions": 1, "interruptions": 2})
    );
}

#[tokio::test]
async fn bad_parameters_and_other_users_are_refused() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let (ana, _, _) = ana_with_history(&app).await;
    let bob = app.register("Bob").await;
    let bad = app
        .get(
            &format!(
                "/users/{}/export?format=xlsx&from=soon&tz=Mars/Base",
                ana.id
            ),
            &ana.token,
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["format", "tz", "from"]);
    let other = app
        .get(&format!("/users/{}/export", ana.id), &bob.token)
        .await;
    assert_eq!(other.status, 403);
    let none = app
        .call("GET", &format!("/users/{}/export", ana.id), None, None)
        .await;
    assert_eq!(none.status, 401);
}

#[tokio::test]
async fn a_history_longer_than_a_batch_comes_whole_and_in_order() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let user = app.register("Long").await;
    // 1,500 sessions of 10 minutes, one an hour, every third with an
    // interruption: rows enough for two batches and a part.
    let mut sql = String::new();
    for n in 0..1500_i64 {
        let start = 1_700_000_000 + n * 3600;
        sql.push_str(&format!(
            "INSERT INTO sessions (user_id, start_time, end_time, created_at) VALUES ({user}, {start}, {end}, {start});",
            user = user.id,
            end = start + 600,
        ));
        if n % 3 == 0 {
            sql.push_str(&format!(
                "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at) \
                 VALUES ((SELECT id FROM sessions WHERE user_id = {user} AND start_time = {start}), {user}, 'noise', 'n{n}', {s}, {e}, {s});",
                user = user.id,
                s = start + 60,
                e = start + 120,
            ));
        }
    }
    app.db.execute_batch(&sql).await;
    let response = app
        .get(&format!("/users/{}/export", user.id), &user.token)
        .await;
    let records: Vec<Value> = response
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1 + 1500 + 500 + 1);
    assert_eq!(
        records.last().unwrap(),
        &serde_json::json!({"record": "trailer", "sessions": 1500, "interruptions": 500})
    );
    let mut last_start = String::new();
    for (i, record) in records[1..records.len() - 1].iter().enumerate() {
        if record["record"] == "session" {
            let start = record["start_time"].as_str().unwrap().to_owned();
            assert!(start > last_start, "sessions in order at record {i}");
            last_start = start;
        } else {
            assert_eq!(
                records[i]["record"], "session",
                "an interruption follows its session"
            );
            assert_eq!(record["session_id"], records[i]["id"]);
        }
    }
}
