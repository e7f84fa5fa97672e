//! Embedded, append-only migrations tracked in `PRAGMA user_version`.
//!
//! A few lines of bookkeeping do not justify a migration crate pinned to a
//! particular rusqlite release.

use rusqlite::{Connection, TransactionBehavior};

/// Every migration, in order; the schema version is how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_idempotency.sql"),
    include_str!("../../../migrations/sqlite/0003_key_expiry.sql"),
    include_str!("../../../migrations/sqlite/0004_accounts.sql"),
    include_str!("../../../migrations/sqlite/0005_web_sessions.sql"),
    include_str!("../../../migrations/sqlite/0006_calendar_feeds.sql"),
    include_str!("../../../migrations/sqlite/0007_session_notes.sql"),
    include_str!("../../../migrations/sqlite/0008_calendar_settings.sql"),
    include_str!("../../../migrations/sqlite/0009_goals.sql"),
    include_str!("../../../migrations/sqlite/0010_webhooks.sql"),
    include_str!("../../../migrations/sqlite/0011_webhook_deliveries.sql"),
];

/// Applies the migrations not yet applied and returns how many ran. Each runs
/// in an immediate transaction that re-reads the version, so two processes
/// starting at once never apply one twice.
pub fn run(conn: &mut Connection) -> anyhow::Result<usize> {
    let mut ran = 0;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let applied = usize::try_from(applied)?;
        if applied > MIGRATIONS.len() {
            anyhow::bail!(
                "the database is at schema version {applied}, newer than this binary's {}; upgrade HyperFocus",
                MIGRATIONS.len()
            );
        }
        let Some(sql) = MIGRATIONS.get(applied) else {
            return Ok(ran);
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i64::try_from(applied + 1)?)?;
        tx.commit()?;
        ran += 1;
    }
}
