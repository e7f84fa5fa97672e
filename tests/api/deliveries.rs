//! Webhook deliveries end to end: every change written to the outbox with
//! it, delivered by the worker to a real receiver on loopback, signed
//! (verified with the independent `standardwebhooks` crate), retried on
//! schedule, and given up on by the rules.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};

use crate::helpers::{DeliveryWorker, TestApp, TestResponse, TestUser};

/// One request a receiver was sent.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
    raw: String,
    at: Instant,
}

/// The statuses still to answer, each with its `Retry-After` (seconds, or
/// `date+N`: the HTTP date N seconds after the request came).
type Script = Arc<Mutex<VecDeque<(u16, Option<&'static str>)>>>;

/// A receiver on loopback that answers the statuses it is given in turn
/// (with `Retry-After` when paired with one), then 200.
#[derive(Clone)]
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    answers: Script,
}

impl Receiver {
    async fn start() -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answers: Script = Arc::default();
        let (kept, script) = (received.clone(), answers.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, raw: String| {
                let (kept, script) = (kept.clone(), script.clone());
                async move {
                    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
                    kept.lock().unwrap().push(Received {
                        headers,
                        body,
                        raw,
                        at: Instant::now(),
                    });
                    let (status, retry_after) =
                        script.lock().unwrap().pop_front().unwrap_or((200, None));
                    let mut answer = HeaderMap::new();
                    if let Some(retry_after) = retry_after {
                        let value = match retry_after.strip_prefix("date+") {
                            Some(seconds) => httpdate::fmt_http_date(
                                std::time::SystemTime::now()
                                    + Duration::from_secs(seconds.parse().unwrap()),
                            ),
                            None => retry_after.to_owned(),
                        };
                        answer.insert("retry-after", value.parse().unwrap());
                    }
                    if (300..400).contains(&status) {
                        answer.insert("location", "http://127.0.0.1:9/else".parse().unwrap());
                    }
                    (StatusCode::from_u16(status).unwrap(), answer, "ok")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            received,
            answers,
        }
    }

    /// Answers these first, in order.
    fn answer(&self, statuses: &[(u16, Option<&'static str>)]) {
        self.answers
            .lock()
            .unwrap()
            .extend(statuses.iter().copied());
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests have arrived, then a little longer to
    /// catch any extra one; panics after ten seconds.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.received().len() < count {
            assert!(
                Instant::now() < deadline,
                "{} of {count} deliveries arrived: {:?}",
                self.received().len(),
                self.received().iter().map(|r| &r.body).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.received()
    }
}

/// An app whose webhooks may reach loopback and retry after `waits_ms`.
async fn app_retrying(waits_ms: &str) -> TestApp {
    TestApp::new()
        .await
        .with_webhook_networks("127.0.0.0/8")
        .with_retry_schedule(waits_ms)
}

/// Subscribes `url` to `events`; the endpoint's id and secret.
async fn subscribe(app: &TestApp, user: &TestUser, url: &str, events: &[&str]) -> (i64, String) {
    let added = app
        .post(
            &format!("/users/{}/webhooks", user.id),
            &user.token,
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    (
        added.body["id"].as_i64().unwrap(),
        added.body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn open_interruption(
    app: &TestApp,
    user: &TestUser,
    session: i64,
    kind: &str,
    start: &str,
) -> TestResponse {
    let logged = app
        .post(
            "/interruptions/",
            &user.token,
            json!({"session_id": session, "user_id": user.id, "type": kind, "start_time": start}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    logged
}

fn verified(secret: &str, received: &Received) -> bool {
    standardwebhooks::Webhook::new(secret)
        .and_then(|verifier| verifier.verify(received.raw.as_bytes(), &received.headers))
        .is_ok()
}

async fn deliveries(app: &TestApp, user: &TestUser, webhook: i64) -> TestResponse {
    app.get(
        &format!("/users/{}/webhooks/{webhook}/deliveries", user.id),
        &user.token,
    )
    .await
}

/// Waits until the endpoint's newest delivery is in `state`, and returns it.
async fn settled(app: &TestApp, user: &TestUser, webhook: i64, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = deliveries(app, user, webhook).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        if listed.body[0]["state"] == state {
            return listed.body[0].clone();
        }
        assert!(Instant::now() < deadline, "never {state}: {}", listed.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const SESSION_STARTS_AND_ENDS: [&str; 2] = ["session.started", "session.ended"];

const EVERY_CHANGE: [&str; 8] = [
    "session.started",
    "session.ended",
    "session.updated",
    "session.deleted",
    "interruption.created",
    "interruption.ended",
    "interruption.updated",
    "interruption.deleted",
];

#[tokio::test]
async fn every_change_is_delivered_once_signed_with_the_resource_as_its_get_answers() {
    let app = app_retrying("50").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    let only_ends = Receiver::start().await;
    let ana = app.register("Ana").await;
    let (_, secret) = subscribe(&app, &ana, &receiver.url, &EVERY_CHANGE).await;
    subscribe(&app, &ana, &only_ends.url, &["session.ended"]).await;
    let (off, _) = subscribe(&app, &ana, &only_ends.url, &EVERY_CHANGE).await;
    app.call(
        "PATCH",
        &format!("/users/{}/webhooks/{off}", ana.id),
        Some(&ana.token),
        Some(json!({"enabled": false})),
    )
    .await;
    // Someone else's changes reach none of Ana's endpoints.
    let ben = app.register("Ben").await;
    app.start_session(&ben, "2026-12-01T09:00:00Z").await;

    let started = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"user_id": ana.id, "start_time": "2026-12-01T09:00:00Z"}),
        )
        .await;
    let session = started.body["id"].as_i64().unwrap();
    let first = open_interruption(&app, &ana, session, "phone", "2026-12-01T09:10:00Z").await;
    let first_id = first.body["id"].as_i64().unwrap();
    let ended_first = app
        .post(
            &format!("/interruptions/{first_id}/end"),
            &ana.token,
            json!({"end_time": "2026-12-01T09:12:00Z"}),
        )
        .await;
    assert_eq!(ended_first.status, 200, "{}", ended_first.text);
    let corrected = app
        .call(
            "PATCH",
            &format!("/interruptions/{first_id}"),
            Some(&ana.token),
            Some(json!({"description": "a call"})),
        )
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    open_interruption(&app, &ana, session, "noise", "2026-12-01T09:30:00Z").await;
    let ended = app.end_session(&ana, session, "2026-12-01T10:00:00Z").await;
    let moved = app
        .call(
            "PATCH",
            &format!("/sessions/{session}"),
            Some(&ana.token),
            Some(json!({"start_time": "2026-12-01T08:55:00Z"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let gone = app
        .call(
            "DELETE",
            &format!("/interruptions/{first_id}"),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    let deleted = app
        .call(
            "DELETE",
            &format!("/sessions/{session}"),
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);

    let all = receiver.wait_for(10).await;
    assert_eq!(all.len(), 10, "each change once");
    let mut types: Vec<&str> = all
        .iter()
        .map(|r| r.body["type"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "interruption.created",
            "interruption.created",
            "interruption.deleted",
            "interruption.ended",
            "interruption.ended",
            "interruption.updated",
            "session.deleted",
            "session.ended",
            "session.started",
            "session.updated"
        ]
    );
    for delivery in &all {
        assert!(verified(&secret, delivery), "{:?}", delivery.headers);
        assert_eq!(
            delivery.headers["webhook-id"].to_str().unwrap(),
            delivery.body["id"],
            "webhook-id is the event's id"
        );
        assert!(delivery.body["id"].as_str().unwrap().starts_with("evt_"));
        assert!(delivery.body["timestamp"].is_string());
    }
    let of = |kind: &str| {
        all.iter()
            .find(|r| r.body["type"] == kind)
            .map(|r| r.body["data"].clone())
            .unwrap()
    };
    assert_eq!(of("session.started"), started.body);
    assert_eq!(of("session.ended"), ended.body);
    assert_eq!(of("session.updated"), moved.body);
    assert_eq!(of("interruption.updated"), corrected.body);
    assert_eq!(of("session.deleted"), json!({"id": session}));
    assert_eq!(of("interruption.deleted"), json!({"id": first_id}));
    // Ending the session closed the noise interruption: both are told.
    let closed: Vec<&Value> = all
        .iter()
        .filter(|r| r.body["type"] == "interruption.ended")
        .map(|r| &r.body["data"])
        .collect();
    assert!(closed.iter().all(|d| d["end_time"].is_string()));
    assert_eq!(
        closed
            .iter()
            .filter(|d| d["end_time"] == "2026-12-01T10:00:00Z")
            .count(),
        1
    );

    let ends = only_ends.wait_for(1).await;
    assert_eq!(
        ends.len(),
        1,
        "only what it subscribed to, and nothing for a disabled one"
    );
    assert_eq!(ends[0].body["type"], "session.ended");
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_the_same_id_until_it_answers_2xx() {
    let app = app_retrying("50,50,50").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    receiver.answer(&[(500, None), (301, None), (404, None)]);
    let ana = app.register("Ana").await;
    let (webhook, secret) = subscribe(&app, &ana, &receiver.url, &["session.started"]).await;
    app.start_session(&ana, "2026-12-01T09:00:00Z").await;

    let all = receiver.wait_for(4).await;
    assert_eq!(all.len(), 4, "three failures, then the success; no more");
    let ids: Vec<&str> = all
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(
        all.iter().all(|r| r.raw == all[0].raw),
        "the same body every time"
    );
    assert!(all.iter().all(|r| verified(&secret, r)));

    let delivery = settled(&app, &ana, webhook, "delivered").await;
    let statuses: Vec<&Value> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(
        statuses,
        [&json!(500), &json!(301), &json!(404), &json!(200)]
    );
    assert_eq!(
        delivery["attempts"][1]["error"],
        "answered 301 Moved Permanently; redirects are not followed, so give the final URL"
    );
    assert_eq!(
        delivery["attempts"][0]["error"],
        "answered 500 Internal Server Error"
    );
    assert_eq!(delivery["attempts"][3]["error"], Value::Null);
    assert_eq!(delivery["event_id"], ids[0]);
    assert_eq!(delivery["event_type"], "session.started");
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    let endpoint = app
        .get(&format!("/users/{}/webhooks/{webhook}", ana.id), &ana.token)
        .await;
    assert_eq!(endpoint.body["enabled"], true);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = app_retrying("10").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    receiver.answer(&[(429, Some("1"))]);
    let ana = app.register("Ana").await;
    subscribe(&app, &ana, &receiver.url, &["session.started"]).await;
    app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    let both = receiver.wait_for(2).await;
    let waited = both[1].at - both[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "asked to wait a second, waited {waited:?}"
    );
}

/// RFC 9110 lets `Retry-After` be an HTTP date too.
#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let app = app_retrying("10").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    // Two seconds after the request's second: at least one whole second on.
    receiver.answer(&[(503, Some("date+2"))]);
    let ana = app.register("Ana").await;
    subscribe(&app, &ana, &receiver.url, &["session.started"]).await;
    app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    let both = receiver.wait_for(2).await;
    let waited = both[1].at - both[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "asked to wait until a date a second or more away, waited {waited:?}"
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_nothing_more_is_written_for_it() {
    let app = app_retrying("50,50").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    receiver.answer(&[(410, None)]);
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    let session = app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    let delivery = settled(&app, &ana, webhook, "failed").await;
    assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1);
    let endpoint = app
        .get(&format!("/users/{}/webhooks/{webhook}", ana.id), &ana.token)
        .await;
    assert_eq!(
        (&endpoint.body["enabled"], &endpoint.body["disabled_reason"]),
        (&json!(false), &json!("the endpoint answered 410 Gone"))
    );
    app.end_session(&ana, session, "2026-12-01T10:00:00Z").await;
    assert_eq!(receiver.wait_for(1).await.len(), 1);
    let listed = deliveries(&app, &ana, webhook).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.text);
}

#[tokio::test]
async fn a_delivery_that_runs_out_disables_only_an_endpoint_without_success_for_five_days() {
    let app = TestApp::at("2026-12-01T08:00:00Z")
        .await
        .with_webhook_networks("127.0.0.0/8")
        .with_retry_schedule("20,20");
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    receiver.answer(&[(500, None); 6]);
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    let endpoint = format!("/users/{}/webhooks/{webhook}", ana.id);

    // Added an hour ago: the delivery fails, the endpoint stays.
    app.set_now("2026-12-01T09:00:00Z");
    let session = app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    let failed = settled(&app, &ana, webhook, "failed").await;
    assert_eq!(failed["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(app.get(&endpoint, &ana.token).await.body["enabled"], true);

    // Six days on without a success: the next one to run out disables it.
    app.set_now("2026-12-07T09:00:00Z");
    app.end_session(&ana, session, "2026-12-07T08:00:00Z").await;
    receiver.wait_for(6).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = app.get(&endpoint, &ana.token).await;
        if shown.body["enabled"] == false {
            assert_eq!(
                shown.body["disabled_reason"],
                "no delivery succeeded for 5 days, and one failed all 3 attempts; fix the endpoint, then enable it again"
            );
            break;
        }
        assert!(Instant::now() < deadline, "{}", shown.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Enabling it again clears the reason.
    let enabled = app
        .call(
            "PATCH",
            &endpoint,
            Some(&ana.token),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(
        (&enabled.body["enabled"], &enabled.body["disabled_reason"]),
        (&json!(true), &Value::Null)
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_on_request_with_its_id_and_body() {
    let app = app_retrying("").await;
    let _worker = app.start_deliveries();
    let receiver = Receiver::start().await;
    receiver.answer(&[(503, None)]);
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &["session.started"]).await;
    app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    let failed = settled(&app, &ana, webhook, "failed").await;
    let id = failed["id"].as_i64().unwrap();

    let retried = app
        .post(
            &format!("/users/{}/webhooks/{webhook}/deliveries/{id}/retry", ana.id),
            &ana.token,
            json!(null),
        )
        .await;
    assert_eq!(retried.status, 202, "{}", retried.text);
    assert_eq!(retried.body["id"], id);
    let delivered = settled(&app, &ana, webhook, "delivered").await;
    assert_eq!(delivered["attempts"].as_array().unwrap().len(), 2);
    let both = receiver.wait_for(2).await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].raw, both[1].raw);
    assert_eq!(both[0].headers["webhook-id"], both[1].headers["webhook-id"]);

    // Only the owner sees or retries it.
    let ben = app.register("Ben").await;
    let foreign = app
        .post(
            &format!("/users/{}/webhooks/{webhook}/deliveries/{id}/retry", ben.id),
            &ben.token,
            json!(null),
        )
        .await;
    foreign.problem(404);
    let missing = app
        .post(
            &format!(
                "/users/{}/webhooks/{webhook}/deliveries/999999/retry",
                ana.id
            ),
            &ana.token,
            json!(null),
        )
        .await;
    assert_eq!(
        missing.problem(404),
        "delivery not found: it does not exist or is not yours"
    );
}

/// A session logged already finished goes out as `session.started`, then
/// `session.ended`, both written with the change.
#[tokio::test]
async fn a_session_logged_already_finished_is_delivered_as_started_and_ended() {
    let app = app_retrying("").await;
    let receiver = Receiver::start().await;
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    let (ends, _) = subscribe(&app, &ana, &receiver.url, &["session.ended"]).await;
    let logged = app
        .post(
            "/sessions/start",
            &ana.token,
            json!({"start_time": "2026-11-01T09:00:00Z", "end_time": "2026-11-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    let listed = deliveries(&app, &ana, webhook).await;
    let written: Vec<(&str, i64)> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|d| (d["event_type"].as_str().unwrap(), d["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        written.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(),
        SESSION_STARTS_AND_ENDS,
        "oldest first"
    );
    assert!(written[0].1 < written[1].1);
    let ended = deliveries(&app, &ana, ends).await;
    assert_eq!(ended.body.as_array().unwrap().len(), 1);
    assert_eq!(ended.body[0]["event_type"], "session.ended");

    // Sent, each carries the session as its GET answers.
    let _worker = app.start_deliveries();
    let received = receiver.wait_for(3).await;
    let mut types: Vec<&str> = received
        .iter()
        .map(|r| r.body["type"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["session.ended", "session.ended", "session.started"]);
    for delivery in &received {
        assert_eq!(delivery.body["data"], logged.body);
    }
}

#[tokio::test]
async fn deliveries_are_listed_newest_first_a_page_at_a_time() {
    let app = app_retrying("").await;
    let receiver = Receiver::start().await;
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    for day in 1..=3 {
        let session = app
            .start_session(&ana, &format!("2026-11-0{day}T09:00:00Z"))
            .await;
        app.end_session(&ana, session, &format!("2026-11-0{day}T10:00:00Z"))
            .await;
    }
    let path = format!("/users/{}/webhooks/{webhook}/deliveries", ana.id);
    let first = app.get(&format!("{path}?limit=4"), &ana.token).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let page: Vec<&Value> = first.body.as_array().unwrap().iter().collect();
    assert_eq!(page.len(), 4);
    assert_eq!(page[0]["event_type"], "session.ended");
    assert_eq!(page[0]["state"], "pending", "no worker runs here");
    assert!(page[0]["next_attempt_at"].is_string());
    assert_eq!(page[0]["attempts"], json!([]));
    let ids: Vec<i64> = page.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let cursor = first.header("next-cursor").unwrap().to_owned();
    assert_eq!(cursor, ids[3].to_string());
    assert_eq!(
        first.header("link"),
        Some(format!("<{path}?limit=4&before={cursor}>; rel=\"next\"").as_str())
    );
    let rest = app
        .get(&format!("{path}?limit=4&before={cursor}"), &ana.token)
        .await;
    assert_eq!(rest.body.as_array().unwrap().len(), 2);
    assert_eq!(rest.header("next-cursor"), None);

    let bad = app.get(&format!("{path}?limit=0"), &ana.token).await;
    assert_eq!(bad.problem(422), "limit: must be 1 to 100 (got 0)");
    let ben = app.register("Ben").await;
    app.get(
        &format!("/users/{}/webhooks/{webhook}/deliveries", ben.id),
        &ben.token,
    )
    .await
    .problem(404);
    app.get(&path, &ben.token).await.problem(403);
}

#[tokio::test]
async fn settled_deliveries_older_than_thirty_days_are_deleted_and_pending_ones_kept() {
    let app = app_retrying("").await;
    let receiver = Receiver::start().await;
    let ana = app.register("Ana").await;
    let (webhook, _) = subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    let session = app.start_session(&ana, "2026-11-01T09:00:00Z").await;
    app.end_session(&ana, session, "2026-11-01T10:00:00Z").await;
    let old = jiff::Timestamp::now().as_millisecond() - 31 * 86_400_000;
    app.db
        .execute_batch(&format!(
            "UPDATE webhook_deliveries SET created_at = {old};
             UPDATE webhook_deliveries SET state = 'delivered' WHERE event_type = 'session.started';"
        ))
        .await;
    let deleted = hyperfocus::maintenance::purge_deliveries(app.state.store.as_ref())
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(app.count_rows("webhook_deliveries").await, 1);
    let listed = deliveries(&app, &ana, webhook).await;
    assert_eq!(listed.body, json!([]), "the listing shows 30 days");
}

#[tokio::test]
async fn processes_sharing_a_database_deliver_each_event_once_between_them() {
    if crate::BACKEND != crate::database::Backend::Postgres {
        return;
    }
    let app = app_retrying("50").await;
    let config = hyperfocus::config::DatabaseConfig {
        database_url: app.db.url().to_owned(),
        sqlite_readers: 1,
        pool_size: 4,
    };
    let mut workers = vec![app.start_deliveries()];
    let mut stores = Vec::new();
    for _ in 0..2 {
        let store = hyperfocus::open_store(&config).await.unwrap();
        workers.push(DeliveryWorker(tokio::spawn(
            hyperfocus::delivery::run_forever(
                store.clone(),
                app.state.webhooks.clone(),
                app.state.clock.clone(),
            ),
        )));
        stores.push(store);
    }
    let receiver = Receiver::start().await;
    let ana = app.register("Ana").await;
    subscribe(&app, &ana, &receiver.url, &SESSION_STARTS_AND_ENDS).await;
    for day in 1..=9 {
        let session = app
            .start_session(&ana, &format!("2026-11-0{day}T09:00:00Z"))
            .await;
        app.end_session(&ana, session, &format!("2026-11-0{day}T10:00:00Z"))
            .await;
    }
    let all = receiver.wait_for(18).await;
    let mut ids: Vec<&str> = all
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        (all.len(), ids.len()),
        (18, 18),
        "each once, by one of three processes"
    );
    drop(workers);
    for store in stores {
        store.close().await;
    }
}

/// Runs the goal check at the app's clock, as the minute sweep would.
async fn check_goals(app: &TestApp) -> usize {
    hyperfocus::delivery::goals::check_all(app.state.store.as_ref(), app.state.clock.now()).await
}

async fn add_goal(app: &TestApp, user: &TestUser, goal: Value) -> i64 {
    let added = app
        .post(&format!("/users/{}/goals", user.id), &user.token, goal)
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    added.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_goals_period_is_announced_once_when_a_change_or_its_end_decides_it() {
    let app = TestApp::at("2026-12-01T08:00:00Z")
        .await
        .with_webhook_networks("127.0.0.0/8")
        .with_retry_schedule("50");
    let _worker = app.start_deliveries();
    let _checks = app.start_goal_checks();
    let receiver = Receiver::start().await;
    let ana = app.register_in("Ana", "UTC").await;
    let (_, secret) = subscribe(&app, &ana, &receiver.url, &["goal.met", "goal.missed"]).await;
    let focus = add_goal(
        &app,
        &ana,
        json!({"metric": "effective_seconds", "comparison": "at_least", "target": 3600, "period": "day"}),
    )
    .await;
    let calm = add_goal(
        &app,
        &ana,
        json!({"metric": "interruptions", "comparison": "at_most", "target": 0, "period": "day"}),
    )
    .await;
    let long = add_goal(
        &app,
        &ana,
        json!({"metric": "worked_seconds", "comparison": "at_least", "target": 36000, "period": "day"}),
    )
    .await;

    // 90 minutes of focus meet the first goal at once.
    app.set_now("2026-12-01T11:00:00Z");
    let session = app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    app.end_session(&ana, session, "2026-12-01T10:30:00Z").await;
    let met = receiver.wait_for(1).await;
    assert_eq!(
        met.len(),
        1,
        "{:?}",
        met.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert!(verified(&secret, &met[0]));
    assert_eq!(met[0].body["type"], "goal.met");
    let data = &met[0].body["data"];
    assert_eq!(data["goal"]["id"], focus);
    assert_eq!(
        data["period"],
        json!({"start": "2026-12-01", "end": "2026-12-01", "value": 5400, "target": 3600,
               "met": true, "pending": false, "status": "met"})
    );
    assert_eq!(
        (&data["current_streak"], &data["longest_streak"]),
        (&json!(1), &json!(1))
    );

    // An interruption breaks the at-most goal as soon as it is logged.
    let again = app.start_session(&ana, "2026-12-01T10:40:00Z").await;
    app.interrupt(
        &ana,
        again,
        "phone",
        "2026-12-01T10:45:00Z",
        "2026-12-01T10:46:00Z",
    )
    .await;
    let both = receiver.wait_for(2).await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[1].body["type"], "goal.missed");
    assert_eq!(both[1].body["data"]["goal"]["id"], calm);
    assert_eq!(both[1].body["data"]["period"]["value"], 1);

    // The day's end decides the ten-hour goal; nothing is said twice.
    app.end_session(&ana, again, "2026-12-01T10:50:00Z").await;
    app.set_now("2026-12-02T09:00:00Z");
    let announced = check_goals(&app).await;
    assert_eq!(announced, 1);
    let all = receiver.wait_for(3).await;
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].body["type"], "goal.missed");
    assert_eq!(all[2].body["data"]["goal"]["id"], long);
    assert_eq!(all[2].body["data"]["period"]["start"], "2026-12-01");
    let again = check_goals(&app).await;
    assert_eq!(again, 0);
    assert_eq!(app.count_rows("goal_outcomes").await, 3);
}

#[tokio::test]
async fn a_new_goal_does_not_announce_the_periods_before_it() {
    let app = TestApp::at("2026-12-02T09:00:00Z")
        .await
        .with_webhook_networks("127.0.0.0/8");
    let receiver = Receiver::start().await;
    let ana = app.register_in("Ana", "UTC").await;
    subscribe(&app, &ana, &receiver.url, &["goal.met", "goal.missed"]).await;
    let session = app.start_session(&ana, "2026-12-01T09:00:00Z").await;
    app.end_session(&ana, session, "2026-12-01T09:10:00Z").await;
    add_goal(
        &app,
        &ana,
        json!({"metric": "worked_seconds", "comparison": "at_least", "target": 3600, "period": "day"}),
    )
    .await;
    let announced = check_goals(&app).await;
    assert_eq!(announced, 0, "yesterday ended before the goal was set");
    assert_eq!(app.count_rows("webhook_deliveries").await, 0);
}
