//! SQL for `login_failures`: failed sign-ins of the last 15 minutes.

use jiff::Timestamp;
use rusqlite::{Connection, params};

use crate::{
    db::StoreResult,
    domain::{login::Failures, time::from_unix_seconds},
};

/// How many failures since `since`, and the oldest: of the account, and of
/// the address. Each is a range read of its index.
pub fn failures(
    conn: &Connection,
    email_key: &str,
    address: &str,
    since: Timestamp,
) -> StoreResult<(Failures, Failures)> {
    let count = |sql: &str, key: &str| -> StoreResult<Failures> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row(params![key, since.as_second()], |row| {
                Ok(Failures {
                    count: row.get(0)?,
                    oldest: row.get::<_, Option<i64>>(1)?.map(from_unix_seconds),
                })
            })?)
    };
    let account = count(
        "SELECT COUNT(*), MIN(failed_at) FROM login_failures WHERE email_key = ?1 AND failed_at > ?2",
        email_key,
    )?;
    let from_address = count(
        "SELECT COUNT(*), MIN(failed_at) FROM login_failures WHERE address = ?1 AND failed_at > ?2",
        address,
    )?;
    Ok((account, from_address))
}

pub fn record(
    conn: &Connection,
    email_key: &str,
    address: &str,
    now: Timestamp,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO login_failures (email_key, address, failed_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![email_key, address, now.as_second()])?;
    Ok(())
}

pub fn clear(conn: &Connection, email_key: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM login_failures WHERE email_key = ?1")?
        .execute([email_key])?;
    Ok(())
}

/// Deletes up to `batch` failures older than `before`, oldest first.
pub fn purge(conn: &Connection, before: Timestamp, batch: i64) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM login_failures WHERE id IN (
                 SELECT id FROM login_failures WHERE failed_at <= ?1 ORDER BY failed_at LIMIT ?2)",
        )?
        .execute(params![before.as_second(), batch])?;
    Ok(deleted as u64)
}

/// Registrations refused from `address` since `since`, and the oldest: a
/// range read of `registration_refusals_address`.
pub fn refusals(conn: &Connection, address: &str, since: Timestamp) -> StoreResult<Failures> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*), MIN(refused_at) FROM registration_refusals WHERE address = ?1 AND refused_at > ?2",
        )?
        .query_row(params![address, since.as_second()], |row| {
            Ok(Failures {
                count: row.get(0)?,
                oldest: row.get::<_, Option<i64>>(1)?.map(from_unix_seconds),
            })
        })?)
}

pub fn record_refusal(conn: &Connection, address: &str, now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached("INSERT INTO registration_refusals (address, refused_at) VALUES (?1, ?2)")?
        .execute(params![address, now.as_second()])?;
    Ok(())
}

/// Deletes up to `batch` refusals older than `before`, oldest first.
pub fn purge_refusals(conn: &Connection, before: Timestamp, batch: i64) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM registration_refusals WHERE id IN (
                 SELECT id FROM registration_refusals WHERE refused_at <= ?1 ORDER BY refused_at LIMIT ?2)",
        )?
        .execute(params![before.as_second(), batch])?;
    Ok(deleted as u64)
}
