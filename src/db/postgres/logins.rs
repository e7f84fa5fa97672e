//! SQL for `login_failures`: failed sign-ins of the last 15 minutes, shared
//! by every process.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::sql;
use crate::{
    db::StoreResult,
    domain::{login::Failures, time::from_unix_seconds},
};

/// How many failures since `since`, and the oldest: of the account, and of
/// the address, in one statement over the two indexes.
pub async fn failures<C: GenericClient>(
    c: &C,
    email_key: &str,
    address: &str,
    since: Timestamp,
) -> StoreResult<(Failures, Failures)> {
    let row = sql::returning(
        c,
        "SELECT
             (SELECT COUNT(*) FROM login_failures WHERE email_key = $1 AND failed_at > $3),
             (SELECT MIN(failed_at) FROM login_failures WHERE email_key = $1 AND failed_at > $3),
             (SELECT COUNT(*) FROM login_failures WHERE address = $2 AND failed_at > $3),
             (SELECT MIN(failed_at) FROM login_failures WHERE address = $2 AND failed_at > $3)",
        &[&email_key, &address, &since.as_second()],
    )
    .await?;
    let count = |index| u32::try_from(row.get::<_, i64>(index)).unwrap_or(u32::MAX);
    let oldest = |index| row.get::<_, Option<i64>>(index).map(from_unix_seconds);
    Ok((
        Failures {
            count: count(0),
            oldest: oldest(1),
        },
        Failures {
            count: count(2),
            oldest: oldest(3),
        },
    ))
}

pub async fn record<C: GenericClient>(
    c: &C,
    email_key: &str,
    address: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO login_failures (email_key, address, failed_at) VALUES ($1, $2, $3)",
        &[&email_key, &address, &now.as_second()],
    )
    .await?;
    Ok(())
}

pub async fn clear<C: GenericClient>(c: &C, email_key: &str) -> StoreResult<()> {
    sql::execute(
        c,
        "DELETE FROM login_failures WHERE email_key = $1",
        &[&email_key],
    )
    .await?;
    Ok(())
}

/// Deletes up to `batch` failures older than `before`; processes purging at
/// once skip each other's rows.
pub async fn purge<C: GenericClient>(c: &C, before: Timestamp, batch: i64) -> StoreResult<u64> {
    Ok(sql::execute(
        c,
        "DELETE FROM login_failures WHERE id IN (
             SELECT id FROM login_failures WHERE failed_at <= $1
             ORDER BY failed_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&before.as_second(), &batch],
    )
    .await?)
}

/// Registrations refused from `address` since `since`, and the oldest.
pub async fn refusals<C: GenericClient>(
    c: &C,
    address: &str,
    since: Timestamp,
) -> StoreResult<Failures> {
    let row = sql::returning(
        c,
        "SELECT COUNT(*), MIN(refused_at) FROM registration_refusals WHERE address = $1 AND refused_at > $2",
        &[&address, &since.as_second()],
    )
    .await?;
    Ok(Failures {
        count: u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX),
        oldest: row.get::<_, Option<i64>>(1).map(from_unix_seconds),
    })
}

pub async fn record_refusal<C: GenericClient>(
    c: &C,
    address: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO registration_refusals (address, refused_at) VALUES ($1, $2)",
        &[&address, &now.as_second()],
    )
    .await?;
    Ok(())
}

/// Deletes up to `batch` refusals older than `before`; processes purging
/// at once skip each other's rows.
pub async fn purge_refusals<C: GenericClient>(
    c: &C,
    before: Timestamp,
    batch: i64,
) -> StoreResult<u64> {
    Ok(sql::execute(
        c,
        "DELETE FROM registration_refusals WHERE id IN (
             SELECT id FROM registration_refusals WHERE refused_at <= $1
             ORDER BY refused_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&before.as_second(), &batch],
    )
    .await?)
}
