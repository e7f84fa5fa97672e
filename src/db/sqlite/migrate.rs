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
    include_str!("../../../migrations/sqlite/0012_lasting_ids.sql"),
    include_str!("../../../migrations/sqlite/0013_registration_refusals.sql"),
];

/// The first line of a migration that drops and recreates tables others
/// refer to. SQLite's procedure for that (<https://sqlite.org/lang_altertable.html#otheralter>)
/// turns foreign keys off around the transaction — dropping a table with
/// them on would cascade its rows' deletion into every table that refers
/// to it — and checks every foreign key before committing.
const REBUILDS_TABLES: &str = "-- hyperfocus: rebuilds tables";

/// Applies the migrations not yet applied and returns how many ran. Each runs
/// in an immediate transaction that re-reads the version, so two processes
/// starting at once never apply one twice.
pub fn run(conn: &mut Connection) -> anyhow::Result<usize> {
    run_up_to(conn, MIGRATIONS.len())
}

/// Applies the migrations not yet applied up to schema version `last`.
fn run_up_to(conn: &mut Connection, last: usize) -> anyhow::Result<usize> {
    let mut ran = 0;
    loop {
        let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let applied_count = usize::try_from(applied)?;
        if applied_count >= last && applied_count <= MIGRATIONS.len() {
            return Ok(ran);
        }
        let rebuilds = MIGRATIONS
            .get(usize::try_from(applied)?)
            .is_some_and(|sql| sql.starts_with(REBUILDS_TABLES));
        // The pragma is a no-op inside a transaction: it is set before.
        if rebuilds {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let step = apply_next(conn, rebuilds);
        if rebuilds {
            conn.pragma_update(None, "foreign_keys", true)?;
        }
        match step? {
            Step::Applied => ran += 1,
            Step::Again => {}
            Step::Done => return Ok(ran),
        }
    }
}

/// What [`apply_next`] did.
enum Step {
    /// It applied a migration.
    Applied,
    /// Another process applied one meanwhile, which changed whether foreign
    /// keys must be off: nothing was done, look again.
    Again,
    /// Nothing was pending.
    Done,
}

/// Applies the first migration not yet applied, if there is one and
/// `foreign_keys_off` is what it needs.
fn apply_next(conn: &mut Connection, foreign_keys_off: bool) -> anyhow::Result<Step> {
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
        return Ok(Step::Done);
    };
    if sql.starts_with(REBUILDS_TABLES) != foreign_keys_off {
        return Ok(Step::Again);
    }
    tx.execute_batch(sql)?;
    if sql.starts_with(REBUILDS_TABLES) {
        let broken: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
                row.get(0)
            })?;
        if broken > 0 {
            anyhow::bail!(
                "migration {} would leave {broken} rows referring to rows that do not exist; nothing was changed",
                applied + 1
            );
        }
    }
    tx.pragma_update(None, "user_version", i64::try_from(applied + 1)?)?;
    tx.commit()?;
    Ok(Step::Applied)
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
