//! The reports over a fixed week, with the arithmetic written out.
//!
//! Ana lives in Madrid (UTC+1 in November); the clock stands at
//! 2025-11-20T12:00Z (13:00 local, a Thursday), so the default 7-day window
//! is [2025-11-13T12:00Z, 2025-11-20T12:00Z).
//!
//! 1. Mon 17th 08:00–10:00Z (09:00–11:00 local): phone 08:30–08:32:30Z
//!    (150 s), self 09:00–09:10Z (600 s).
//! 2. Tue 18th 22:30Z to Wed 00:30Z (23:30–01:30 local): noise 23:50–00:05Z
//!    (900 s), across local midnight.
//! 3. Thu 20th from 11:00Z, still active; family since 11:50Z, still open.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

async fn week() -> (TestApp, TestUser) {
    let app = TestApp::at("2025-11-20T12:00:00Z").await;
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let first = app.start_session(&ana, "2025-11-17T08:00:00Z").await;
    app.interrupt(
        &ana,
        first,
        "phone",
        "2025-11-17T08:30:00Z",
        "2025-11-17T08:32:30Z",
    )
    .await;
    app.interrupt(
        &ana,
        first,
        "self",
        "2025-11-17T09:00:00Z",
        "2025-11-17T09:10:00Z",
    )
    .await;
    app.end_session(&ana, first, "2025-11-17T10:00:00Z").await;
    let second = app.start_session(&ana, "2025-11-18T22:30:00Z").await;
    app.interrupt(
        &ana,
        second,
        "noise",
        "2025-11-18T23:50:00Z",
        "2025-11-19T00:05:00Z",
    )
    .await;
    app.end_session(&ana, second, "2025-11-19T00:30:00Z").await;
    let third = app.start_session(&ana, "2025-11-20T11:00:00Z").await;
    let open = app
        .post(
            "/interruptions/",
            &ana.token,
            json!({"session_id": third, "type": "family", "start_time": "2025-11-20T11:50:00Z"}),
        )
        .await;
    assert_eq!(open.status, 201);
    (app, ana)
}

async fn stats(app: &TestApp, user: &TestUser, report: &str, query: &str) -> Value {
    let response = app
        .get(
            &format!("/users/{}/stats/{report}{query}", user.id),
            &user.token,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body
}

const WINDOW: &str = r#"{"from": "2025-11-13T12:00:00Z", "to": "2025-11-20T12:00:00Z", "timezone": "Europe/Madrid",
    "week_start": "monday", "day_start": "00:00"}"#;

fn window() -> Value {
    serde_json::from_str(WINDOW).unwrap()
}

#[tokio::test]
async fn the_summary_adds_up_the_week() {
    let (app, ana) = week().await;
    let summary = stats(&app, &ana, "summary", "").await;
    // Worked 7200 + 7200 + 3600 (to now); lost 150 + 600 + 900 + 600.
    // Recovery: 600 after phone (27.5 min to self), 600 after self (50 min to
    // the end), 600 after noise (25 min to the end), 0 after the open one.
    // focused = 15750 − 1800 = 13950; 100 × 13950 / 18000 = 77.5 → 78.
    // Stretches: 1800, 1650, 3000 | 4800, 1500 | 3000 → longest 4800, six ≥ 25 min.
    assert_eq!(
        summary,
        json!({
            "window": window(),
            "total_sessions": 3, "total_interruptions": 4,
            "total_time_worked_seconds": 18000, "total_time_lost_seconds": 2250,
            "effective_time_seconds": 15750,
            "average_interruption_duration_seconds": 562.5,
            "interruptions_per_hour": 0.8,
            "focus_score": 78,
            "focus": {"score": 78, "worked_seconds": 18000, "lost_seconds": 2250, "recovery_seconds": 1800,
                      "focused_seconds": 13950, "recovery_allowance_seconds": 600},
            "longest_focus_stretch_seconds": 4800, "deep_work_blocks": 6
        })
    );
}

#[tokio::test]
async fn types_are_sorted_by_count_then_time_then_name() {
    let (app, ana) = week().await;
    let types = stats(&app, &ana, "interruption-types", "").await;
    let row = |kind: &str, count: i64, seconds: i64, share: f64, avg: f64| {
        json!({"type": kind, "count": count, "proportion": count as f64 / 4.0,
               "total_duration_seconds": seconds, "time_share": share, "average_duration_seconds": avg})
    };
    assert_eq!(
        types,
        json!({
            "window": window(),
            "types": [
                row("noise", 1, 900, 0.4, 900.0),
                row("family", 1, 600, 600.0 / 2250.0, 600.0),
                row("self", 1, 600, 600.0 / 2250.0, 600.0),
                row("phone", 1, 150, 150.0 / 2250.0, 150.0),
                row("unknown", 0, 0, 0.0, 0.0),
                row("urgent_task", 0, 0, 0.0, 0.0),
            ],
            "self_vs_external": {"self": {"count": 1, "time_lost_seconds": 600},
                                 "external": {"count": 3, "time_lost_seconds": 1650}}
        })
    );
}

#[tokio::test]
async fn hours_are_local_and_split_by_overlap() {
    let (app, ana) = week().await;
    let hours = stats(&app, &ana, "productive-hours", "").await;
    let list = hours["hours"].as_array().unwrap();
    assert_eq!(list.len(), 24);
    let busy: Vec<_> = list
        .iter()
        .filter(|h| h["work_seconds"] != 0)
        .map(|h| {
            (
                h["hour"].as_i64().unwrap(),
                h["work_seconds"].as_i64().unwrap(),
                h["time_lost_seconds"].as_i64().unwrap(),
                h["interruptions"].as_i64().unwrap(),
            )
        })
        .collect();
    // Local: 09–11 on Monday; 23:30–01:30 across Wednesday's midnight, the
    // noise 00:50–01:05; 12:00–13:00 on Thursday, family from 12:50.
    assert_eq!(
        busy,
        [
            (0, 3600, 600, 1),
            (1, 1800, 300, 0),
            (9, 3600, 150, 1),
            (10, 3600, 600, 1),
            (12, 3600, 600, 1),
            (23, 1800, 0, 0)
        ]
    );
    assert_eq!(list[0]["effective_time_seconds"], 3000);

    // Ties at one interruption and 600 s lost go to the earliest hour.
    let peak = stats(&app, &ana, "peak-distraction-time", "").await;
    assert_eq!(
        peak,
        json!({"window": window(), "hour": 0, "interruptions": 1, "time_lost_seconds": 600})
    );

    let utc = stats(&app, &ana, "productive-hours", "?tz=UTC").await;
    assert_eq!(utc["window"]["timezone"], "UTC");
    assert_eq!(utc["hours"][8]["work_seconds"], 3600);
}

#[tokio::test]
async fn the_weekly_pattern_starts_on_monday() {
    let (app, ana) = week().await;
    let week = stats(&app, &ana, "weekly-pattern", "").await;
    let days: Vec<_> = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["weekday_name"].as_str().unwrap().to_owned(),
                d["work_seconds"].as_i64().unwrap(),
                d["time_lost_seconds"].as_i64().unwrap(),
                d["interruptions"].as_i64().unwrap(),
            )
        })
        .collect();
    let day = |name: &str, work, lost, count| (name.to_owned(), work, lost, count);
    assert_eq!(
        days,
        [
            day("monday", 7200, 750, 2),
            day("tuesday", 1800, 0, 0),
            day("wednesday", 5400, 900, 1),
            day("thursday", 3600, 600, 1),
            day("friday", 0, 0, 0),
            day("saturday", 0, 0, 0),
            day("sunday", 0, 0, 0)
        ]
    );
    assert_eq!(week["days"][0]["weekday_index"], 0);
}

#[tokio::test]
async fn the_daily_series_has_every_local_day() {
    let (app, ana) = week().await;
    let daily = stats(&app, &ana, "daily", "").await;
    let series: Vec<_> = daily["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["work_seconds"].as_i64().unwrap(),
                d["interruptions"].as_i64().unwrap(),
                d["focus_score"].as_i64().unwrap(),
            )
        })
        .collect();
    let day = |date: &str, work, count, score| (date.to_owned(), work, count, score);
    // 17th: (7200 − 750 − 1200) / 7200 = 72.9; 19th: (5400 − 900 − 600) / 5400
    // = 72.2; 20th: (3600 − 600) / 3600 = 83.3.
    assert_eq!(
        series,
        [
            day("2025-11-13", 0, 0, 0),
            day("2025-11-14", 0, 0, 0),
            day("2025-11-15", 0, 0, 0),
            day("2025-11-16", 0, 0, 0),
            day("2025-11-17", 7200, 2, 73),
            day("2025-11-18", 1800, 0, 100),
            day("2025-11-19", 5400, 1, 72),
            day("2025-11-20", 3600, 1, 83)
        ]
    );
}

#[tokio::test]
async fn the_heatmap_has_168_cells_monday_first() {
    let (app, ana) = week().await;
    let heatmap = stats(&app, &ana, "heatmap", "").await;
    let cells = heatmap["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 168);
    assert_eq!(
        cells[0],
        json!({"weekday_index": 0, "hour": 0, "work_seconds": 0, "time_lost_seconds": 0, "interruptions": 0})
    );
    assert_eq!(
        cells[9],
        json!({"weekday_index": 0, "hour": 9, "work_seconds": 3600, "time_lost_seconds": 150, "interruptions": 1})
    );
    assert_eq!(
        cells[2 * 24],
        json!({"weekday_index": 2, "hour": 0, "work_seconds": 3600, "time_lost_seconds": 600, "interruptions": 1})
    );
}

#[tokio::test]
async fn the_overview_repeats_each_report_exactly() {
    let (app, ana) = week().await;
    let overview = stats(&app, &ana, "overview", "").await;
    let without_window = |mut v: Value| {
        v.as_object_mut().unwrap().remove("window");
        v
    };
    assert_eq!(overview["window"], window());
    assert_eq!(
        overview["summary"],
        without_window(stats(&app, &ana, "summary", "").await)
    );
    assert_eq!(
        overview["types"],
        stats(&app, &ana, "interruption-types", "").await["types"]
    );
    assert_eq!(
        overview["hours"],
        stats(&app, &ana, "productive-hours", "").await["hours"]
    );
    assert_eq!(
        overview["peak"],
        without_window(stats(&app, &ana, "peak-distraction-time", "").await)
    );
    assert_eq!(
        overview["days"],
        stats(&app, &ana, "weekly-pattern", "").await["days"]
    );
    assert_eq!(
        overview["series"],
        stats(&app, &ana, "daily", "").await["series"]
    );
}

#[tokio::test]
async fn compare_previous_gives_the_change_against_the_week_before() {
    let (app, ana) = week().await;
    let compared = stats(&app, &ana, "summary", "?compare=previous").await;
    assert_eq!(compared["previous"]["total_sessions"], 0);
    assert_eq!(compared["previous"]["focus_score"], 0);
    assert_eq!(compared["change"]["total_time_worked_seconds"], 18000);
    assert_eq!(compared["change"]["interruptions_per_hour"], 0.8);
    // The 17th alone against the 16th.
    let day = stats(
        &app,
        &ana,
        "summary",
        "?from=2025-11-17&to=2025-11-18&compare=previous",
    )
    .await;
    assert_eq!(day["window"]["from"], "2025-11-16T23:00:00Z");
    assert_eq!(
        (
            day["total_time_worked_seconds"].as_i64(),
            day["change"]["focus_score"].as_i64()
        ),
        (Some(7200), Some(73))
    );
}

#[tokio::test]
async fn windows_from_dates_ranges_and_all() {
    let (app, ana) = week().await;
    let monday = stats(&app, &ana, "summary", "?from=2025-11-17&to=2025-11-18").await;
    assert_eq!(
        (
            monday["total_sessions"].as_i64(),
            monday["total_interruptions"].as_i64()
        ),
        (Some(1), Some(2))
    );
    // A window starting at local midnight on the 19th cuts session 2 and the noise.
    let wednesday = stats(&app, &ana, "summary", "?from=2025-11-19&to=2025-11-20").await;
    assert_eq!(
        (
            wednesday["total_time_worked_seconds"].as_i64(),
            wednesday["total_time_lost_seconds"].as_i64(),
            wednesday["total_interruptions"].as_i64()
        ),
        (Some(5400), Some(900), Some(1))
    );
    let all = stats(&app, &ana, "summary", "?range=all").await;
    assert_eq!(all["window"]["from"], "2025-11-17T08:00:00Z");
    assert_eq!(all["total_time_worked_seconds"], 18000);
    let one_day = stats(&app, &ana, "summary", "?range=1d").await;
    assert_eq!(one_day["total_time_worked_seconds"], 3600);
    let strict = stats(&app, &ana, "summary", "?recovery=0").await;
    assert_eq!(strict["focus_score"], 88); // 15750 / 18000 = 87.5 → 88
}

#[tokio::test]
async fn bad_queries_are_422_naming_the_parameter() {
    let (app, ana) = week().await;
    let cases = [
        (
            "?range=0d",
            "range",
            "`0d` is not a range; use Nd with N from 1 to 3660 (e.g. 7d, 30d) or all",
        ),
        (
            "?range=3661d",
            "range",
            "`3661d` is not a range; use Nd with N from 1 to 3660 (e.g. 7d, 30d) or all",
        ),
        (
            "?tz=Mars/Base",
            "tz",
            "`Mars/Base` is not an IANA time zone name; use a name such as Europe/Madrid, America/New_York or UTC",
        ),
        (
            "?recovery=3601",
            "recovery",
            "`3601` is not valid; use whole seconds from 0 to 3600",
        ),
        (
            "?compare=next",
            "compare",
            "`next` is not a comparison; the only one is `previous`",
        ),
        (
            "?from=2025-11-18&to=2025-11-17",
            "from",
            "must be before `to` (2025-11-16T23:00:00Z); got 2025-11-17T23:00:00Z",
        ),
        (
            "?from=0001-01-01T00:00:00Z&to=2025-11-18",
            "from",
            "`from` (0001-01-01T00:00:00Z) to `to` (2025-11-17T23:00:00Z) is longer than the longest report, 3660 days",
        ),
        (
            "?to=-009999-01-01T00:00:00Z",
            "to",
            "`-009999-01-01T00:00:00Z` is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp with an offset (2025-11-15T16:00:00Z)",
        ),
        (
            "?from=2025-11-18T10:00:00",
            "from",
            "`2025-11-18T10:00:00` is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp with an offset (2025-11-15T16:00:00Z)",
        ),
    ];
    let long_zone = format!("?tz={}", "Europe/".repeat(10));
    let cut = format!(
        "`{}…` is not an IANA time zone name; use a name such as Europe/Madrid, America/New_York or UTC",
        &"Europe/".repeat(10)[..64]
    );
    let cases = cases
        .iter()
        .map(|&(query, field, message)| (query.to_owned(), field, message.to_owned()))
        .chain([(long_zone, "tz", cut)]);
    for (query, field, message) in cases {
        let response = app
            .get(
                &format!("/users/{}/stats/summary{query}", ana.id),
                &ana.token,
            )
            .await;
        response.problem(422);
        assert_eq!(
            response.body["errors"],
            json!([{"field": field, "message": message}]),
            "{query}"
        );
    }
    let bob = app.register("Bob").await;
    app.get(&format!("/users/{}/stats/summary", ana.id), &bob.token)
        .await
        .problem(403);
}

#[tokio::test]
async fn every_report_matches_its_snapshot() {
    let (app, ana) = week().await;
    for report in [
        "summary",
        "interruption-types",
        "productive-hours",
        "peak-distraction-time",
        "weekly-pattern",
        "daily",
        "heatmap",
        "overview",
    ] {
        let body = stats(&app, &ana, report, "").await;
        insta::with_settings!({prepend_module_to_snapshot => false}, {
            insta::assert_json_snapshot!(format!("stats-{report}"), body);
        });
    }
}

#[tokio::test]
async fn every_write_shows_in_the_next_report() {
    let (app, ana) = week().await;
    let before = stats(&app, &ana, "summary", "").await;
    assert_eq!(before["total_interruptions"], 4);
    // Reports are answered from spans kept since the last read; each kind of
    // write must make the next report see it.
    let logged = app
        .interrupt(
            &ana,
            3,
            "urgent_task",
            "2025-11-20T11:10:00Z",
            "2025-11-20T11:20:00Z",
        )
        .await;
    assert_eq!(logged.status, 201);
    assert_eq!(
        stats(&app, &ana, "summary", "").await["total_interruptions"],
        5
    );
    app.call(
        "PATCH",
        "/interruptions/5",
        Some(&ana.token),
        Some(json!({"end_time": "2025-11-20T11:30:00Z"})),
    )
    .await;
    assert_eq!(
        stats(&app, &ana, "summary", "").await["total_time_lost_seconds"],
        2250 + 1200
    );
    app.call("DELETE", "/interruptions/5", Some(&ana.token), None)
        .await;
    assert_eq!(stats(&app, &ana, "summary", "").await, before);
    app.call("POST", "/interruptions/4/end", Some(&ana.token), None)
        .await;
    app.call("POST", "/sessions/3/end", Some(&ana.token), None)
        .await;
    app.set_now("2025-11-20T12:30:00Z");
    // Session 3 ended at 12:00: half an hour later it still counts 3600 s.
    let ended = stats(&app, &ana, "summary", "").await;
    assert_eq!(ended["total_time_worked_seconds"], 18000);
    app.call("DELETE", "/sessions/1", Some(&ana.token), None)
        .await;
    assert_eq!(stats(&app, &ana, "summary", "").await["total_sessions"], 2);
    let started = app.post("/sessions/start", &ana.token, json!({})).await;
    assert_eq!(started.status, 201);
    app.set_now("2025-11-20T12:45:00Z");
    let later = stats(&app, &ana, "summary", "").await;
    assert_eq!(
        (
            later["total_sessions"].as_i64(),
            later["total_time_worked_seconds"].as_i64()
        ),
        (Some(3), Some(7200 + 3600 + 900))
    );
}
