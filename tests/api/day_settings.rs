//! `week_start` and `day_start`: set on the profile, overridden per report,
//! and moving the edges of days everywhere a day is meant.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// Ana in Madrid, up late on Friday 2025-11-14: 22:00 to 02:30 (UTC+1),
/// a phone call at 01:00 on Saturday, and a short session at 01:00–02:00
/// on Sunday night, the 16th.
async fn night_owl() -> (TestApp, TestUser) {
    let app = TestApp::at("2025-11-17T12:00:00Z").await;
    let ana = app.register_in("Ana", "Europe/Madrid").await;
    let friday = app.start_session(&ana, "2025-11-14T21:00:00Z").await;
    let call = app
        .interrupt(
            &ana,
            friday,
            "phone",
            "2025-11-15T00:00:00Z",
            "2025-11-15T00:10:00Z",
        )
        .await;
    assert_eq!(call.status, 201, "{}", call.text);
    app.end_session(&ana, friday, "2025-11-15T01:30:00Z").await;
    let sunday = app.start_session(&ana, "2025-11-16T00:00:00Z").await;
    app.end_session(&ana, sunday, "2025-11-16T01:00:00Z").await;
    (app, ana)
}

async fn patch(app: &TestApp, user: &TestUser, body: Value) -> crate::helpers::TestResponse {
    app.call(
        "PATCH",
        &format!("/users/{}", user.id),
        Some(&user.token),
        Some(body),
    )
    .await
}

async fn report(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let response = app
        .get(&format!("/users/{}/stats/{path}", user.id), &user.token)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body
}

#[tokio::test]
async fn the_profile_keeps_where_weeks_and_days_begin() {
    let app = TestApp::new().await;
    let ana = app.register("Ana").await;
    let me = app.get("/users/me", &ana.token).await;
    assert_eq!(
        (&me.body["week_start"], &me.body["day_start"]),
        (&json!("monday"), &json!("00:00"))
    );
    let changed = patch(
        &app,
        &ana,
        json!({"week_start": "Sunday", "day_start": "-01:30"}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        (&changed.body["week_start"], &changed.body["day_start"]),
        (&json!("sunday"), &json!("-01:30"))
    );
    assert_eq!(app.get("/users/me", &ana.token).await.body, changed.body);

    let refused = patch(
        &app,
        &ana,
        json!({"week_start": "someday", "day_start": "04:10"}),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["week_start", "day_start"]);
    for bad in ["12:15", "-06:15", "4:00", "24:00"] {
        let response = patch(&app, &ana, json!({ "day_start": bad })).await;
        assert_eq!(response.status, 422, "{bad}: {}", response.text);
    }
    assert_eq!(
        patch(&app, &ana, json!({"day_start": null})).await.status,
        422
    );
    assert_eq!(
        app.get("/users/me", &ana.token).await.body["day_start"],
        "-01:30",
        "nothing refused was kept"
    );
}

#[tokio::test]
async fn a_late_night_counts_for_the_day_it_belongs_to() {
    let (app, ana) = night_owl().await;
    let query = "?from=2025-11-14&to=2025-11-17";
    let midnight = report(&app, &ana, &format!("daily{query}")).await;
    let worked = |daily: &Value| -> Vec<(String, i64)> {
        daily["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["date"].as_str().unwrap().to_owned(),
                    d["work_seconds"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let day = |d: &str, s: i64| (d.to_owned(), s);
    assert_eq!(
        worked(&midnight),
        [
            day("2025-11-14", 7200),
            day("2025-11-15", 9000),
            day("2025-11-16", 3600)
        ]
    );

    assert_eq!(
        patch(&app, &ana, json!({"day_start": "04:00"}))
            .await
            .status,
        200
    );
    let late = report(&app, &ana, &format!("daily{query}")).await;
    assert_eq!(
        late["window"],
        json!({"from": "2025-11-14T03:00:00Z", "to": "2025-11-17T03:00:00Z",
               "timezone": "Europe/Madrid", "week_start": "monday", "day_start": "04:00"})
    );
    assert_eq!(
        worked(&late),
        [
            day("2025-11-14", 16_200),
            day("2025-11-15", 3600),
            day("2025-11-16", 0)
        ]
    );
    assert_eq!(
        late["series"][0]["interruptions"], 1,
        "the call is Friday's"
    );

    // A query may override the profile, and says so in its window.
    let overridden = report(&app, &ana, &format!("daily{query}&day_start=00:00")).await;
    assert_eq!(worked(&overridden), worked(&midnight));
    assert_eq!(overridden["window"]["day_start"], "00:00");
    let bad = app
        .get(
            &format!("/users/{}/stats/daily?day_start=25:00&week_start=x", ana.id),
            &ana.token,
        )
        .await;
    assert_eq!(bad.status, 422);

    // Weekdays follow the days; hours stay on the clock.
    let week = report(&app, &ana, &format!("weekly-pattern{query}")).await;
    let friday = &week["days"][4];
    assert_eq!(
        (&friday["weekday_name"], &friday["work_seconds"]),
        (&json!("friday"), &json!(16_200))
    );
    let hours = report(&app, &ana, &format!("productive-hours{query}")).await;
    assert_eq!(hours["hours"][1]["work_seconds"], 7200, "01h on two nights");
    assert_eq!(hours["hours"][1]["interruptions"], 1);
}

#[tokio::test]
async fn weeks_begin_on_the_chosen_day() {
    let (app, ana) = night_owl().await;
    assert_eq!(
        patch(&app, &ana, json!({"week_start": "sunday"}))
            .await
            .status,
        200
    );
    let week = report(&app, &ana, "weekly-pattern?range=7d").await;
    let order: Vec<i64> = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["weekday_index"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [6, 0, 1, 2, 3, 4, 5]);
    assert_eq!(week["window"]["week_start"], "sunday");
    let cells = report(&app, &ana, "heatmap?range=7d").await["cells"].clone();
    assert_eq!(
        (&cells[0]["weekday_index"], &cells[0]["hour"]),
        (&json!(6), &json!(0))
    );
    assert_eq!(cells[24]["weekday_index"], 0);
    let monday_first = report(&app, &ana, "weekly-pattern?range=7d&week_start=monday").await;
    assert_eq!(monday_first["days"][0]["weekday_name"], "monday");
}

#[tokio::test]
async fn the_day_filter_and_date_edges_move_with_the_day_start() {
    let (app, ana) = night_owl().await;
    let listed = |day: &'static str| {
        let app = &app;
        let ana = &ana;
        async move {
            let response = app
                .get(&format!("/sessions/user/{}?day={day}", ana.id), &ana.token)
                .await;
            assert_eq!(response.status, 200, "{}", response.text);
            response.body.as_array().unwrap().len()
        }
    };
    // Sunday night's session (01:00–02:00 on the 16th) is the 16th's at
    // midnight, and the 15th's when days begin at 04:00.
    assert_eq!(
        (listed("2025-11-15").await, listed("2025-11-16").await),
        (1, 1)
    );
    patch(&app, &ana, json!({"day_start": "04:00"})).await;
    assert_eq!(
        (listed("2025-11-15").await, listed("2025-11-16").await),
        (1, 0)
    );
    let summary = report(&app, &ana, "summary?from=2025-11-15&to=2025-11-16").await;
    assert_eq!(summary["window"]["from"], "2025-11-15T03:00:00Z");
    assert_eq!(summary["total_time_worked_seconds"], 3600);
}
