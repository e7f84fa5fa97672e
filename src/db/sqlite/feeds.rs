//! SQL for `calendar_feeds`.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use crate::{
    db::{StoreError, StoreResult},
    domain::time::from_unix_seconds,
};

pub fn set(conn: &Connection, user_id: i64, hash: [u8; 32], now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )?
    .execute((user_id, hash.as_slice(), now.as_second()))?;
    Ok(())
}

pub fn delete(conn: &Connection, user_id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM calendar_feeds WHERE user_id = ?1")?
        .execute([user_id])?;
    match deleted {
        0 => Err(StoreError::NotFound("calendar feed")),
        _ => Ok(()),
    }
}

pub fn owner(conn: &Connection, hash: [u8; 32]) -> StoreResult<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT f.user_id, u.timezone FROM calendar_feeds f JOIN users u ON u.id = f.user_id
             WHERE f.token_hash = ?1",
        )?
        .query_row([hash.as_slice()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

pub fn created(conn: &Connection, user_id: i64) -> StoreResult<Option<Timestamp>> {
    Ok(conn
        .prepare_cached("SELECT created_at FROM calendar_feeds WHERE user_id = ?1")?
        .query_row([user_id], |row| row.get::<_, i64>(0))
        .optional()?
        .map(from_unix_seconds))
}
