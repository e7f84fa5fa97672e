//! SQL for imports: the stored sessions an import is placed beside, and
//! the inserts, in the writer's transaction.

use jiff::Timestamp;
use rusqlite::Connection;

use crate::{
    db::StoreResult,
    domain::{
        import::{self, ImportCounts, ImportFile, StoredSession},
        time::from_unix_seconds,
    },
};

/// Places `sessions` beside the user's stored ones and, unless `dry_run`,
/// adds those not stored yet.
pub fn import(
    conn: &Connection,
    user_id: i64,
    file: &ImportFile,
    dry_run: bool,
    now: Timestamp,
) -> StoreResult<ImportCounts> {
    let stored = stored(conn, user_id)?;
    let (added, matched) = import::place(file, &stored, now)?;
    if !dry_run {
        let mut session = conn.prepare_cached(
            "INSERT INTO sessions (user_id, start_time, end_time, created_at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut interruption = conn.prepare_cached(
            "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let created = now.as_second();
        for s in &added {
            session.execute((
                user_id,
                s.start.as_second(),
                s.end.map(|e| e.as_second()),
                created,
                &s.note,
            ))?;
            let id = conn.last_insert_rowid();
            for i in &s.interruptions {
                interruption.execute((
                    id,
                    user_id,
                    i.kind.as_str(),
                    &i.description,
                    i.start.as_second(),
                    i.end.as_second(),
                    created,
                ))?;
            }
        }
    }
    Ok(import::counts(&added, matched))
}

/// Every stored session of the user, by start (a walk of
/// `sessions_user_start`, which covers the columns read).
fn stored(conn: &Connection, user_id: i64) -> StoreResult<Vec<StoredSession>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, start_time, end_time FROM sessions WHERE user_id = ?1 ORDER BY start_time",
    )?;
    let rows = statement.query_map([user_id], |row| {
        Ok(StoredSession {
            id: row.get(0)?,
            start: from_unix_seconds(row.get(1)?),
            end: row.get::<_, Option<i64>>(2)?.map(from_unix_seconds),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
