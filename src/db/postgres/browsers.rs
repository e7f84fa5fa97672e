//! SQL for `web_sessions`: browsers signed in to the web app.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{rows, sql};
use crate::{
    db::StoreResult,
    domain::{
        browser::{BrowserSession, NewBrowserSession},
        days::{DaySettings, DayStart, WeekStart},
        interruption::Interruption,
        time::from_unix_seconds,
        token::Scope,
    },
};

pub async fn create<C: GenericClient>(
    c: &C,
    new: &NewBrowserSession,
    now: Timestamp,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO web_sessions (id_hash, user_id, scope, csrf, user_agent, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &new.id_hash.as_slice(),
            &new.user_id,
            &new.scope.as_str(),
            &new.csrf,
            &new.user_agent,
            &now.as_second(),
            &new.expires_at.as_second(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get<C: GenericClient>(
    c: &C,
    id_hash: &[u8; 32],
) -> StoreResult<Option<BrowserSession>> {
    let row = sql::row(
        c,
        "SELECT w.user_id, w.scope, w.csrf, w.expires_at, u.name, u.timezone,
                u.week_start, u.day_start
         FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.id_hash = $1",
        &[&id_hash.as_slice()],
    )
    .await?;
    Ok(row.map(|row| BrowserSession {
        user_id: row.get(0),
        scope: Scope::from_stored(row.get(1)),
        csrf: row.get(2),
        expires_at: from_unix_seconds(row.get(3)),
        name: row.get(4),
        timezone: row.get(5),
        days: DaySettings {
            week_start: WeekStart::from_stored(row.get(6)),
            day_start: DayStart::from_minutes(row.get(7)),
        },
    }))
}

pub async fn delete<C: GenericClient>(c: &C, id_hash: &[u8; 32]) -> StoreResult<()> {
    sql::execute(
        c,
        "DELETE FROM web_sessions WHERE id_hash = $1",
        &[&id_hash.as_slice()],
    )
    .await?;
    Ok(())
}

pub async fn delete_others<C: GenericClient>(
    c: &C,
    user_id: i64,
    keep: &[u8; 32],
) -> StoreResult<u64> {
    Ok(sql::execute(
        c,
        "DELETE FROM web_sessions WHERE user_id = $1 AND id_hash <> $2",
        &[&user_id, &keep.as_slice()],
    )
    .await?)
}

pub async fn purge<C: GenericClient>(c: &C, now: Timestamp, batch: i64) -> StoreResult<u64> {
    Ok(sql::execute(
        c,
        "DELETE FROM web_sessions WHERE id_hash IN (
             SELECT id_hash FROM web_sessions WHERE expires_at <= $1
             ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&now.as_second(), &batch],
    )
    .await?)
}

pub async fn interruptions_of_sessions<C: GenericClient>(
    c: &C,
    user_id: i64,
    ids: &[i64],
) -> StoreResult<Vec<Interruption>> {
    let found = sql::rows(
        c,
        &format!(
            "SELECT {} FROM interruptions WHERE session_id = ANY($2) AND user_id = $1
             ORDER BY session_id, start_time",
            rows::INTERRUPTION_COLUMNS
        ),
        &[&user_id, &ids],
    )
    .await?;
    Ok(found.iter().map(rows::interruption).collect())
}
