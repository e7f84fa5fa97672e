//! SQL for `calendar_feeds`.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::sql;
use crate::{
    db::{StoreError, StoreResult},
    domain::time::from_unix_seconds,
};

pub async fn set<C: GenericClient>(
    c: &C,
    user_id: i64,
    hash: [u8; 32],
    now: Timestamp,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        &[&user_id, &hash.as_slice(), &now.as_second()],
    )
    .await?;
    Ok(())
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<()> {
    match sql::execute(
        c,
        "DELETE FROM calendar_feeds WHERE user_id = $1",
        &[&user_id],
    )
    .await?
    {
        0 => Err(StoreError::NotFound("calendar feed")),
        _ => Ok(()),
    }
}

pub async fn owner<C: GenericClient>(c: &C, hash: [u8; 32]) -> StoreResult<Option<(i64, String)>> {
    Ok(sql::row(
        c,
        "SELECT f.user_id, u.timezone FROM calendar_feeds f JOIN users u ON u.id = f.user_id
         WHERE f.token_hash = $1",
        &[&hash.as_slice()],
    )
    .await?
    .map(|r| (r.get(0), r.get(1))))
}

pub async fn created<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<Option<Timestamp>> {
    Ok(sql::row(
        c,
        "SELECT created_at FROM calendar_feeds WHERE user_id = $1",
        &[&user_id],
    )
    .await?
    .map(|r| from_unix_seconds(r.get(0))))
}
