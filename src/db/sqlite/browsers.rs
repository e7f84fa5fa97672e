//! SQL for `web_sessions`: browsers signed in to the web app.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows;
use crate::{
    db::StoreResult,
    domain::{
        browser::{BrowserSession, NewBrowserSession},
        days::{DaySettings, DayStart, WeekStart},
        time::from_unix_seconds,
        token::Scope,
    },
};

pub fn create(conn: &Connection, new: &NewBrowserSession, now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO web_sessions (id_hash, user_id, scope, csrf, user_agent, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.id_hash.as_slice(),
        new.user_id,
        new.scope.as_str(),
        new.csrf,
        new.user_agent,
        now.as_second(),
        new.expires_at.as_second()
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id_hash: &[u8; 32]) -> StoreResult<Option<BrowserSession>> {
    Ok(conn
        .prepare_cached(
            "SELECT w.user_id, w.scope, w.csrf, w.expires_at, u.name, u.timezone,
                    u.week_start, u.day_start
             FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.id_hash = ?1",
        )?
        .query_row([id_hash.as_slice()], |row| {
            Ok(BrowserSession {
                user_id: row.get(0)?,
                scope: Scope::from_stored(&row.get::<_, String>(1)?),
                csrf: row.get(2)?,
                expires_at: from_unix_seconds(row.get(3)?),
                name: row.get(4)?,
                timezone: row.get(5)?,
                days: DaySettings {
                    week_start: WeekStart::from_stored(&row.get::<_, String>(6)?),
                    day_start: DayStart::from_minutes(row.get(7)?),
                },
            })
        })
        .optional()?)
}

pub fn delete(conn: &Connection, id_hash: &[u8; 32]) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM web_sessions WHERE id_hash = ?1")?
        .execute([id_hash.as_slice()])?;
    Ok(())
}

pub fn delete_others(conn: &Connection, user_id: i64, keep: &[u8; 32]) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached("DELETE FROM web_sessions WHERE user_id = ?1 AND id_hash <> ?2")?
        .execute(params![user_id, keep.as_slice()])?;
    Ok(deleted as u64)
}

pub fn purge(conn: &Connection, now: Timestamp, batch: i64) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM web_sessions WHERE id_hash IN (
                 SELECT id_hash FROM web_sessions WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2)",
        )?
        .execute(params![now.as_second(), batch])?;
    Ok(deleted as u64)
}

/// The interruptions of the user's sessions `ids` (a JSON array, so that
/// the statement is one however many), by session and start.
pub fn interruptions_of_sessions(
    conn: &Connection,
    user_id: i64,
    ids: &[i64],
) -> StoreResult<Vec<crate::domain::interruption::Interruption>> {
    let ids = serde_json::to_string(ids).map_err(|e| crate::db::StoreError::Internal(e.into()))?;
    let found = conn
        .prepare_cached(&format!(
            "SELECT {} FROM interruptions
             WHERE session_id IN (SELECT value FROM json_each(?2)) AND user_id = ?1
             ORDER BY session_id, start_time",
            rows::INTERRUPTION_COLUMNS
        ))?
        .query_map(params![user_id, ids], rows::interruption)?
        .collect::<Result<_, _>>()?;
    Ok(found)
}
