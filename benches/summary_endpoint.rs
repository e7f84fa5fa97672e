//! `GET /users/{id}/stats/summary?range=7d` end to end (router, token check,
//! SQLite read, engine, JSON) for a user with a month and with ten years of
//! history: `cargo bench --bench summary_endpoint`. The two should cost the
//! same, since a 7-day report reads only the last week's rows.

use axum::{body::Body, http::Request};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use hyperfocus::{
    config::{DatabaseConfig, HttpConfig, RateLimit},
    services::state::AppState,
};
use tower::ServiceExt;

mod common;
use common as history;

/// An app whose user 1 (token returned) has `days` days of history.
fn app_with_history(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    days: i64,
    sessions_per_day: i64,
) -> (axum::Router, String) {
    let path = dir.join(format!("bench-{days}-{sessions_per_day}.db"));
    let config = DatabaseConfig {
        database_url: format!("sqlite://{}", path.display()),
        sqlite_readers: 4,
        pool_size: 8,
    };
    let store = runtime.block_on(hyperfocus::open_store(&config)).unwrap();
    let mut state = AppState::new(store);
    // The bench asks far faster than any client may.
    state.http = std::sync::Arc::new(HttpConfig {
        rate_limit: RateLimit::Off,
        ..HttpConfig::default()
    });
    let router = hyperfocus::app(state);
    let register = Request::post("/users/")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"name": "Bench", "email": "bench@example.com", "timezone": "Europe/Madrid"}"#,
        ))
        .unwrap();
    let response = runtime.block_on(router.clone().oneshot(register)).unwrap();
    let body = runtime
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    let token = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["api_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Histories end 60 s before now so that a 7-day window holds the last week.
    let shift = jiff::Timestamp::now().as_second() - 60 - history::END;
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    for session in history::history(days, sessions_per_day, 10) {
        tx.execute(
            "INSERT INTO sessions (user_id, start_time, end_time, created_at) VALUES (1, ?1, ?2, ?1)",
            [session.start + shift, session.end.unwrap() + shift],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        for i in session.interruptions {
            tx.execute(
                "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
                 VALUES (?1, 1, ?2, '', ?3, ?4, ?3)",
                rusqlite::params![id, i.kind.as_str(), i.start + shift, i.end.unwrap() + shift],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    (router, token)
}

/// `GET path` with the token, checking for 200.
async fn get(router: &axum::Router, token: &str, path: String) -> axum::body::Bytes {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap().to_bytes()
}

fn summary(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("summary_7d");
    for (name, days, per_day) in [("one_month", 30, 7), ("ten_years", 3650, 7)] {
        let (router, token) = app_with_history(&runtime, dir.path(), days, per_day);
        // Each request starts its window a second earlier than the one
        // before, so none is answered from spans kept by a previous one.
        let start = jiff::Timestamp::now().as_second() - 7 * 86_400;
        let mut shift = 0;
        group.bench_function(format!("{name}/read"), |b| {
            b.to_async(&runtime).iter(|| {
                shift += 1;
                let from = jiff::Timestamp::from_second(start - shift).unwrap();
                get(
                    &router,
                    &token,
                    format!("/users/1/stats/summary?from={from}"),
                )
            })
        });
        group.bench_function(format!("{name}/kept"), |b| {
            b.to_async(&runtime).iter(|| {
                get(
                    &router,
                    &token,
                    "/users/1/stats/summary?range=7d".to_owned(),
                )
            })
        });
    }
    group.finish();
    // The year of the load script's read scenarios: 250 sessions, 2,500 interruptions.
    let (router, token) = app_with_history(&runtime, dir.path(), 250, 1);
    let mut group = c.benchmark_group("summary_365d");
    let start = jiff::Timestamp::now().as_second() - 365 * 86_400;
    let mut shift = 0;
    group.bench_function("one_year/read", |b| {
        b.to_async(&runtime).iter(|| {
            shift += 1;
            let from = jiff::Timestamp::from_second(start - shift).unwrap();
            get(
                &router,
                &token,
                format!("/users/1/stats/summary?from={from}"),
            )
        })
    });
    group.bench_function("one_year/kept", |b| {
        b.to_async(&runtime).iter(|| {
            get(
                &router,
                &token,
                "/users/1/stats/summary?range=365d".to_owned(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, summary);
criterion_main!(benches);
