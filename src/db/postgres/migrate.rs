//! Embedded, append-only migrations, applied under an advisory lock so that
//! processes starting together apply each exactly once.

use deadpool_postgres::Object;

/// Every migration, in order.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_init.sql"),
    include_str!("../../../migrations/postgres/0002_idempotency.sql"),
    include_str!("../../../migrations/postgres/0003_key_expiry.sql"),
    include_str!("../../../migrations/postgres/0004_accounts.sql"),
    include_str!("../../../migrations/postgres/0005_web_sessions.sql"),
    include_str!("../../../migrations/postgres/0006_calendar_feeds.sql"),
    include_str!("../../../migrations/postgres/0007_session_notes.sql"),
    include_str!("../../../migrations/postgres/0008_calendar_settings.sql"),
    include_str!("../../../migrations/postgres/0009_goals.sql"),
    include_str!("../../../migrations/postgres/0010_webhooks.sql"),
    include_str!("../../../migrations/postgres/0011_webhook_deliveries.sql"),
    include_str!("../../../migrations/postgres/0012_lasting_ids.sql"),
    include_str!("../../../migrations/postgres/0013_registration_refusals.sql"),
];

/// An arbitrary key for `pg_advisory_xact_lock`, fixed for HyperFocus.
const LOCK_KEY: i64 = 0x4879_7065_7246_6f63; // "HyperFoc"

/// Applies pending migrations in one transaction; returns how many ran.
pub async fn run(client: &mut Object) -> anyhow::Result<usize> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hyperfocus_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        .await?;
    let applied: i32 = tx
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM hyperfocus_migrations",
            &[],
        )
        .await?
        .get(0);
    let applied = usize::try_from(applied)?;
    if applied > MIGRATIONS.len() {
        anyhow::bail!(
            "the database is at schema version {applied}, newer than this binary's {}; upgrade HyperFocus",
            MIGRATIONS.len()
        );
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO hyperfocus_migrations (version) VALUES ($1)",
            &[&i32::try_from(index + 1)?],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(MIGRATIONS.len() - applied)
}
