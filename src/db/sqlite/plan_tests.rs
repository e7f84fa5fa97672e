//! Every statement the service runs is answered through an index.
//!
//! The test drives each storage function once with SQLite's statement trace
//! on, then asks `EXPLAIN QUERY PLAN` about every statement it saw. A plain
//! `SCAN` of a table (reading all of it) fails the test; covering-index scans
//! of one user's rows and searches are what we expect.

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rusqlite::{
    Connection,
    trace::{TraceEvent, TraceEventCodes},
};

use super::{
    browsers, connect, export, idempotency, interruptions, logins, migrate, outbox, sessions,
    stats, tokens, users, webhooks,
};
use crate::{
    db::{AttemptRecord, Registration, SameName, SessionCursor, SessionListQuery},
    domain::{
        browser::NewBrowserSession,
        delivery::DeliveryState,
        idempotency::{Idempotency, RegistrationKey},
        interruption::{InterruptionKind, InterruptionPatch, NewInterruption},
        session::{NewSession, SessionPatch},
        token::{NewToken, Scope, TokenName},
        user::{NewUser, RawUserPatch, UserPatch},
        webhooks::NewWebhook,
    },
};

fn at(raw: &str) -> Timestamp {
    raw.parse().unwrap()
}

/// Runs every storage function once.
fn exercise(conn: &Connection) {
    let now = at("2025-11-15T12:00:00Z");
    let new = NewUser::parse("Ana", "ana@example.com", Some("Europe/Madrid")).unwrap();
    let registration = RegistrationKey {
        lookup: [3; 32],
        request_hash: [4; 32],
        sealed_secret: vec![5; 83],
    };
    let token = NewToken {
        name: TokenName::registration(),
        scope: Scope::Write,
        expires_at: None,
        hash: [0; 32],
    };
    let created = users::register(
        conn,
        &new,
        Some("$argon2id$x"),
        &token,
        now,
        Some(&registration),
    )
    .unwrap();
    let Registration::Created { user, token_id } = created else {
        panic!("a new key registers: {created:?}")
    };
    let user = user.id;
    let replayed = users::register(conn, &new, None, &token, now, Some(&registration)).unwrap();
    assert!(matches!(replayed, Registration::Replayed { .. }));
    tokens::credentials(conn, token_id).unwrap();
    tokens::record_use(conn, token_id, now).unwrap();
    let laptop = NewToken {
        name: TokenName::parse("name", "laptop").unwrap(),
        ..token
    };
    let second = tokens::insert(conn, user, &laptop, now, SameName::Replace).unwrap();
    tokens::list(conn, user).unwrap();
    tokens::replace(conn, user, token_id, &[1; 32]).unwrap();
    tokens::delete(conn, user, second.id).unwrap();
    users::by_email(conn, "ana@example.com").unwrap();
    users::login_account(conn, "ana@example.com").unwrap();
    users::password_hash(conn, user).unwrap();
    users::set_password(conn, user, "$argon2id$y").unwrap();
    logins::record(conn, "ana@example.com", "192.0.2.1", now).unwrap();
    logins::failures(
        conn,
        "ana@example.com",
        "192.0.2.1",
        at("2025-11-15T11:45:00Z"),
    )
    .unwrap();
    logins::clear(conn, "ana@example.com").unwrap();
    logins::purge(conn, now, 100).unwrap();
    logins::record_refusal(conn, "192.0.2.1", now).unwrap();
    logins::refusals(conn, "192.0.2.1", at("2025-11-15T11:45:00Z")).unwrap();
    logins::purge_refusals(conn, now, 100).unwrap();
    let browser = NewBrowserSession {
        id_hash: [9; 32],
        user_id: user,
        scope: Scope::Write,
        csrf: "c".into(),
        user_agent: "test".into(),
        expires_at: now,
    };
    browsers::create(conn, &browser, now).unwrap();
    browsers::get(conn, &[9; 32]).unwrap();
    browsers::delete_others(conn, user, &[8; 32]).unwrap();
    browsers::create(conn, &browser, now).unwrap();
    browsers::delete(conn, &[9; 32]).unwrap();
    browsers::purge(conn, now, 100).unwrap();
    users::update(
        conn,
        user,
        &UserPatch::parse(RawUserPatch {
            name: Some("Ana B"),
            day_start: Some("04:00"),
            ..RawUserPatch::default()
        })
        .unwrap(),
    )
    .unwrap();
    let endpoint = NewWebhook::parse(
        "https://hooks.example.com/a",
        &[
            "session.started".into(),
            "interruption.created".into(),
            "goal.met".into(),
        ],
        None,
    )
    .unwrap();
    let webhook = webhooks::create(conn, user, &endpoint, &[1; 72], now).unwrap();
    let logged = sessions::start(
        conn,
        user,
        &NewSession {
            start: Some(at("2025-11-15T06:00:00Z")),
            end: Some(at("2025-11-15T07:00:00Z")),
            note: "logged".into(),
        },
        now,
        None,
    )
    .unwrap()
    .id;
    let earlier = SessionPatch {
        start: Some(at("2025-11-15T05:30:00Z")),
        end: None,
        note: Some("moved".into()),
    };
    sessions::update(conn, user, logged, &earlier, now).unwrap();
    let key = Idempotency {
        key: "k-1".into(),
        request_hash: [7; 32],
    };
    let session = sessions::start(
        conn,
        user,
        &NewSession {
            start: Some(at("2025-11-15T09:00:00Z")),
            end: None,
            note: String::new(),
        },
        now,
        Some(&key),
    )
    .unwrap()
    .id;
    sessions::current(conn, user, now).unwrap();
    let closed = NewInterruption {
        session_id: session,
        kind: InterruptionKind::Phone,
        description: String::new(),
        start: Some(at("2025-11-15T10:00:00Z")),
        end: Some(at("2025-11-15T10:05:00Z")),
    };
    let first = interruptions::create(conn, user, &closed, now, None)
        .unwrap()
        .id;
    let open = NewInterruption {
        start: Some(at("2025-11-15T11:00:00Z")),
        end: None,
        ..closed
    };
    let second = interruptions::create(conn, user, &open, now, Some(&key)).unwrap_err();
    assert!(
        matches!(second, crate::db::StoreError::Rule(_)),
        "the key was used for a session"
    );
    let key = Idempotency {
        key: "k-2".into(),
        ..key
    };
    let second = interruptions::create(conn, user, &open, now, Some(&key))
        .unwrap()
        .id;
    interruptions::end(conn, user, second, Some(at("2025-11-15T11:10:00Z")), now).unwrap();
    let patch = InterruptionPatch {
        description: Some("x".into()),
        ..InterruptionPatch::default()
    };
    interruptions::update(conn, user, first, patch, now).unwrap();
    interruptions::list(conn, user, session).unwrap();
    browsers::interruptions_of_sessions(conn, user, &[session, 99]).unwrap();
    sessions::end(conn, user, session, Some(at("2025-11-15T11:30:00Z")), now).unwrap();
    let query = SessionListQuery {
        overlapping: Some((at("2025-11-15T00:00:00Z"), at("2025-11-16T00:00:00Z"))),
        after: Some(SessionCursor { start: now, id: 99 }),
        limit: 10,
    };
    sessions::list(conn, user, &query, now).unwrap();
    stats::window_spans(
        conn,
        user,
        at("2025-11-15T10:00:00Z").as_second(),
        now.as_second(),
    )
    .unwrap();
    stats::first_session_start(conn, user).unwrap();
    let (sink, mut rows) = tokio::sync::mpsc::channel(8);
    export::read(conn, user, i64::MIN, i64::MAX, &sink).unwrap();
    assert!(matches!(
        rows.try_recv(),
        Ok(Ok(crate::db::ExportBatch::Rows(_)))
    ));
    let due = outbox::due(conn, i64::MAX, 10, &std::collections::HashMap::new()).unwrap();
    assert!(!due.is_empty(), "the writes above wrote events");
    let attempt = AttemptRecord {
        delivery_id: due[0].id,
        webhook_id: webhook.id,
        attempted_at_ms: 1,
        status: Some(200),
        latency_ms: 1,
        error: None,
        state: DeliveryState::Delivered,
        next_attempt_at_ms: None,
        disable: Some("test".into()),
        success_at: Some(1),
    };
    outbox::record_attempts(conn, &[attempt]).unwrap();
    outbox::list(conn, user, webhook.id, 0, Some(99), 10).unwrap();
    outbox::retry(conn, user, webhook.id, due[0].id, 2).unwrap();
    outbox::goal_watchers(conn).unwrap();
    outbox::purge(conn, 1, 100).unwrap();
    interruptions::delete(conn, user, first).unwrap();
    sessions::delete(conn, user, session).unwrap();
    idempotency::purge_expired(conn, now.as_second() + 86_400, 100).unwrap();
    users::delete(conn, user).unwrap();
}

/// Statements that walk a table on purpose: the users with goal webhooks
/// (every endpoint, once a minute), and the purge of old deliveries, which
/// walks ids from the oldest and stops at the first row it keeps.
const INTENDED_SCANS: [&str; 2] = [
    "SELECT DISTINCT user_id FROM webhooks",
    "DELETE FROM webhook_deliveries",
];

#[test]
fn every_statement_uses_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("plan.db"), rusqlite::OpenFlags::default()).unwrap();
    migrate::run(&mut conn).unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    conn.trace_v2(
        TraceEventCodes::SQLITE_TRACE_STMT,
        Some(move |event: TraceEvent<'_>| {
            if let TraceEvent::Stmt(statement, _) = event {
                sink.lock().unwrap().push(statement.sql().into_owned());
            }
        }),
    )
    .unwrap();
    exercise(&conn);
    conn.trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)
        .unwrap();

    let mut statements = seen.lock().unwrap().clone();
    statements.sort();
    statements.dedup();
    let queries: Vec<_> = statements
        .into_iter()
        .filter(|sql| !sql.starts_with("PRAGMA"))
        .collect();
    assert!(queries.len() >= 20, "saw only {} statements", queries.len());
    for sql in queries {
        if INTENDED_SCANS
            .iter()
            .any(|start| sql.trim_start().starts_with(start))
        {
            continue;
        }
        let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        // Parameters left unbound are NULL, which is all a plan needs.
        let mut rows = explain.raw_query();
        let mut plan = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            plan.push(row.get::<_, String>(3).unwrap());
        }
        for step in &plan {
            // `SCAN (subquery-N)` walks an already bounded intermediate result.
            let full_scan = step.starts_with("SCAN ")
                && !step.contains("INDEX")
                && !step.starts_with("SCAN (subquery");
            assert!(!full_scan, "full table scan in\n{sql}\nplan: {plan:#?}");
        }
    }
}

/// SQLite re-plans a statement whenever a bound value it planned with
/// changes (it does so for terms it checks against a partial index's WHERE
/// clause). That would parse and plan the hot statements on every request.
#[test]
fn no_statement_is_replanned_for_new_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("plan.db"), rusqlite::OpenFlags::default()).unwrap();
    migrate::run(&mut conn).unwrap();
    let replanned = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = replanned.clone();
    conn.trace_v2(
        TraceEventCodes::SQLITE_TRACE_PROFILE,
        Some(move |event: TraceEvent<'_>| {
            if let TraceEvent::Profile(statement, _) = event
                && statement.get_status(rusqlite::StatementStatus::RePrepare) > 0
            {
                sink.lock().unwrap().push(statement.sql().into_owned());
            }
        }),
    )
    .unwrap();
    // The second pass binds other ids and times to the cached statements.
    exercise(&conn);
    exercise(&conn);
    let mut replanned = replanned.lock().unwrap().clone();
    replanned.sort();
    replanned.dedup();
    assert_eq!(replanned, Vec::<String>::new());
}
