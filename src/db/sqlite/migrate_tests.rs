//! The rebuild of 0012 keeps everything a database written before it
//! holds — rows, ids, foreign keys and their cascades, checks, defaults,
//! indexes — and starts every sequence past the ids already handed out.

use rusqlite::Connection;

use super::{MIGRATIONS, run, run_up_to};
use crate::db::sqlite::connect;

/// The tables 0012 rebuilds.
const REBUILT: [&str; 6] = [
    "users",
    "sessions",
    "interruptions",
    "goals",
    "webhooks",
    "webhook_deliveries",
];

/// A database as release 11 left it, holding two users' data; the newest
/// session (9) was deleted, yet an idempotency key and the outbox name it,
/// and the outbox names a deleted interruption (40).
fn database_before_lasting_ids() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("old.db"), rusqlite::OpenFlags::default()).unwrap();
    run_up_to(&mut conn, 11).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, name, email, email_key, timezone, created_at, password_hash, week_start, day_start)
             VALUES (1, 'Ana', 'Ana@example.com', 'ana@example.com', 'Europe/Madrid', 100, '$argon2id$x', 'sunday', 240),
                    (3, 'Bo', 'bo@example.com', 'bo@example.com', 'UTC', 200, NULL, 'monday', 0);
         INSERT INTO tokens (id, user_id, name, scope, secret_hash, created_at)
             VALUES (1, 1, 'registration', 'write', x'00', 100), (4, 3, 'registration', 'write', x'01', 200);
         INSERT INTO sessions (id, user_id, start_time, end_time, created_at, note)
             VALUES (2, 1, 1000, 2000, 1000, 'draft'), (5, 1, 3000, NULL, 3000, ''), (6, 3, 1000, 1500, 1000, '');
         INSERT INTO interruptions (id, session_id, user_id, kind, description, start_time, end_time, created_at)
             VALUES (11, 2, 1, 'phone', 'mum', 1100, 1200, 1100), (12, 5, 1, 'self', '', 3100, NULL, 3100);
         INSERT INTO idempotency_keys (user_id, key, request_hash, resource, resource_id, created_at)
             VALUES (1, 'k', x'00', 'session', 9, 3000);
         INSERT INTO goals (id, user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at)
             VALUES (7, 1, 'worked_seconds', 'at_least', 3600, 'day', 96, 1, 100);
         INSERT INTO goal_outcomes (goal_id, period_start, met, decided_at) VALUES (7, '2025-11-15', 1, 200);
         INSERT INTO webhooks (id, user_id, url, events, description, enabled, disabled_reason, secret, created_at, last_success_at)
             VALUES (8, 1, 'https://hooks.example.com/a', 'session.deleted', 'mine', 0, 'gone', x'02', 100, 150);
         INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, created_at, next_attempt_at)
             VALUES (30, 8, 'evt_a', 'session.deleted', '{\"data\":{\"id\":9}}', 3000, 1),
                    (31, 8, 'evt_b', 'interruption.deleted', '{\"data\":{\"id\":40,\"session_id\":5}}', 3000, 1);
         INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (1, x'03', 100);
         INSERT INTO web_sessions (id_hash, user_id, scope, csrf, user_agent, created_at, expires_at)
             VALUES (x'04', 3, 'read', 'c', 'ua', 1, 2);",
    )
    .unwrap();
    (dir, conn)
}

/// Everything about the schema that behaviour depends on, table by table:
/// columns (type, not null, default, key), foreign keys (with their
/// actions) and indexes (with their columns, uniqueness and conditions).
fn shape(conn: &Connection) -> Vec<String> {
    let mut lines = Vec::new();
    let tables: Vec<String> = strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('instance', 'sqlite_sequence') ORDER BY name",
    );
    for table in tables {
        for pragma in ["table_xinfo", "foreign_key_list"] {
            let mut statement = conn
                .prepare(&format!("SELECT * FROM pragma_{pragma}('{table}')"))
                .unwrap();
            let columns = statement.column_count();
            let rows = statement
                .query_map([], |row| {
                    (0..columns)
                        .map(|i| {
                            row.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            for row in rows {
                lines.push(format!("{table} {pragma} {}", row.unwrap().join("|")));
            }
        }
    }
    for sql in strings(
        conn,
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    ) {
        lines.push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    lines
}

/// Every row of every table, as text.
fn contents(conn: &Connection) -> Vec<String> {
    let mut lines = Vec::new();
    for table in strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('instance', 'sqlite_sequence') ORDER BY name",
    ) {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        row.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            lines.push(format!("{table}: {}", row.unwrap().join("|")));
        }
    }
    lines
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut statement = conn.prepare(sql).unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn sequence(conn: &Connection, table: &str) -> i64 {
    conn.query_row(
        "SELECT seq FROM sqlite_sequence WHERE name = ?1",
        [table],
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn the_rebuild_keeps_every_row_key_check_and_index_and_never_reuses_an_id() {
    let (_dir, mut conn) = database_before_lasting_ids();
    let (shape_before, rows_before) = (shape(&conn), contents(&conn));
    assert!(rows_before.len() > 15, "{rows_before:#?}");

    assert_eq!(run_up_to(&mut conn, 12).unwrap(), 1);
    assert_eq!(shape(&conn), shape_before);
    assert_eq!(contents(&conn), rows_before);
    assert_eq!(run(&mut conn).unwrap(), MIGRATIONS.len() - 12);
    for table in REBUILT {
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1",
                [table],
                |row| row.get(0),
            )
            .unwrap();
        assert!(sql.contains("AUTOINCREMENT"), "{sql}");
    }
    let foreign_keys_on: bool = conn
        .pragma_query_value(None, "foreign_keys", |row| row.get(0))
        .unwrap();
    assert!(foreign_keys_on);

    // Past the rows kept and the deleted ids the file still names.
    let sequences: Vec<i64> = REBUILT.iter().map(|t| sequence(&conn, t)).collect();
    assert_eq!(sequences, [3, 9, 40, 7, 8, 31]);
    conn.execute(
        "INSERT INTO sessions (user_id, start_time, end_time, created_at) VALUES (3, 5000, 6000, 5000)",
        [],
    )
    .unwrap();
    assert_eq!(conn.last_insert_rowid(), 10);

    // Checks and the one-active rule still hold.
    let backwards = conn.execute(
        "INSERT INTO sessions (user_id, start_time, end_time, created_at) VALUES (3, 7000, 6000, 1)",
        [],
    );
    assert!(backwards.is_err());
    let second_active = conn.execute(
        "INSERT INTO sessions (user_id, start_time, created_at) VALUES (1, 9000, 1)",
        [],
    );
    assert!(second_active.is_err());
    let bad_kind = conn.execute(
        "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, created_at) VALUES (2, 1, 'cat', '', 1300, 1)",
        [],
    );
    assert!(bad_kind.is_err());

    // Cascades reach through every rebuilt table.
    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    for (table, left) in [
        ("sessions", 2),
        ("interruptions", 0),
        ("goals", 0),
        ("goal_outcomes", 0),
        ("webhooks", 0),
        ("webhook_deliveries", 0),
        ("tokens", 1),
        ("calendar_feeds", 0),
        ("idempotency_keys", 0),
    ] {
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(count, left, "{table}");
    }
}

#[test]
fn an_empty_database_starts_every_sequence_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("new.db"), rusqlite::OpenFlags::default()).unwrap();
    run(&mut conn).unwrap();
    for table in REBUILT {
        assert_eq!(sequence(&conn, table), 0, "{table}");
    }
    conn.execute(
        "INSERT INTO users (name, email, email_key, timezone, created_at) VALUES ('A', 'a@x.io', 'a@x.io', 'UTC', 1)",
        [],
    )
    .unwrap();
    assert_eq!(conn.last_insert_rowid(), 1);
}
