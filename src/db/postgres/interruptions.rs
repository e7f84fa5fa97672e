//! SQL for the `interruptions` table. Every change locks its session's row
//! first, so two requests placing interruptions in one session are checked
//! one after the other.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::idempotency;
use super::{
    rows::{self, INTERRUPTION_COLUMNS, unique_violation},
    sessions, sql,
};
use crate::{
    db::{StoreError, StoreResult},
    domain::idempotency::{self as idempotency_rules, Idempotency},
    domain::{
        RuleViolation,
        events::EventKind,
        interruption::{self, Interruption, InterruptionPatch, NewInterruption, Surroundings},
        session::{self, Span},
    },
};

pub async fn create<C: GenericClient>(
    c: &C,
    user_id: i64,
    new: &NewInterruption,
    now: Timestamp,
    key: Option<&Idempotency>,
) -> StoreResult<Interruption> {
    let session = sessions::span_for_update(c, user_id, new.session_id).await?;
    if let Some(id) =
        idempotency::replayed(c, user_id, key, "interruption", now.as_second()).await?
    {
        return get(c, user_id, id)
            .await
            .map_err(|e| e.or_if_missing(|| idempotency_rules::gone("interruption", id)));
    }
    interruption::check_session_active(&session)?;
    let start = match new.start {
        Some(start) => start,
        None => {
            let latest = sql::row(
                c,
                "SELECT id, start_time, end_time FROM interruptions
                 WHERE session_id = $1 ORDER BY start_time DESC LIMIT 1",
                &[&session.id],
            )
            .await?
            .map(|r| rows::span(&r));
            session::default_start(now, latest.as_ref())
        }
    };
    check_placement(c, &session, None, start, new.end, now).await?;
    let inserted = sql::returning(
        c,
        &format!(
            "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {INTERRUPTION_COLUMNS}"
        ),
        &[
            &new.session_id,
            &user_id,
            &new.kind.as_str(),
            &new.description,
            &start.as_second(),
            &new.end.map(|e| e.as_second()),
            &now.as_second(),
        ],
    )
    .await;
    match inserted {
        Ok(row) => {
            let created = rows::interruption(&row);
            idempotency::record(c, user_id, key, "interruption", created.id, now.as_second())
                .await?;
            super::outbox::interruption(c, EventKind::InterruptionCreated, &created, now).await?;
            Ok(created)
        }
        Err(e) if unique_violation(&e) == Some("interruptions_one_open") => {
            Err(RuleViolation::Conflict(
                "another interruption of this session is still open; end it first".into(),
            )
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn end<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let (current, session) = locked(c, user_id, id).await?;
    let updated = interruption::closed_at(&current, end, now)?;
    replace(c, &session, &current, updated, now).await
}

pub async fn update<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    patch: InterruptionPatch,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let (current, session) = locked(c, user_id, id).await?;
    let updated = patch.apply(&current);
    replace(c, &session, &current, updated, now).await
}

/// Interruption `id` as it stands once its session's row is locked: read
/// before the lock, two requests closing it at once would both see it open.
async fn locked<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
) -> StoreResult<(Interruption, Span)> {
    let before = get(c, user_id, id).await?;
    let session = sessions::span_for_update(c, user_id, before.session_id).await?;
    Ok((get(c, user_id, id).await?, session))
}

async fn replace<C: GenericClient>(
    c: &C,
    session: &Span,
    current: &Interruption,
    updated: Interruption,
    now: Timestamp,
) -> StoreResult<Interruption> {
    check_placement(
        c,
        session,
        Some(current.id),
        updated.start,
        updated.end,
        now,
    )
    .await?;
    write(c, &updated).await?;
    Ok(updated)
}

/// Stores `updated` over the interruption of its id, as it is.
pub async fn write<C: GenericClient>(c: &C, updated: &Interruption) -> StoreResult<()> {
    sql::execute(
        c,
        "UPDATE interruptions SET kind = $2, description = $3, start_time = $4, end_time = $5 WHERE id = $1",
        &[
            &updated.id,
            &updated.kind.as_str(),
            &updated.description,
            &updated.start.as_second(),
            &updated.end.map(|e| e.as_second()),
        ],
    )
    .await?;
    Ok(())
}

/// Stores `new` (already checked) as a new interruption of its session.
pub async fn insert<C: GenericClient>(
    c: &C,
    user_id: i64,
    new: &Interruption,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let row = sql::returning(
        c,
        &format!(
            "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {INTERRUPTION_COLUMNS}"
        ),
        &[
            &new.session_id,
            &user_id,
            &new.kind.as_str(),
            &new.description,
            &new.start.as_second(),
            &new.end.map(|e| e.as_second()),
            &now.as_second(),
        ],
    )
    .await?;
    Ok(rows::interruption(&row))
}

async fn check_placement<C: GenericClient>(
    c: &C,
    session: &Span,
    exclude: Option<i64>,
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<()> {
    let exclude = exclude.unwrap_or(0);
    let until = interruption::covered_until(start, end, now);
    let neighbour = sql::row(
        c,
        "SELECT id, start_time, end_time FROM interruptions
         WHERE session_id = $1 AND start_time < $2 AND id <> $3
         ORDER BY start_time DESC LIMIT 1",
        &[&session.id, &until.as_second(), &exclude],
    )
    .await?
    .map(|r| rows::span(&r));
    let other_open = match end {
        Some(_) => None,
        None => sql::row(
            c,
            "SELECT id, start_time, end_time FROM interruptions
             WHERE session_id = $1 AND end_time IS NULL AND id <> $2",
            &[&session.id, &exclude],
        )
        .await?
        .map(|r| rows::span(&r)),
    };
    let around = Surroundings {
        session,
        neighbour: neighbour.as_ref(),
        other_open: other_open.as_ref(),
    };
    Ok(interruption::check_placement(start, end, now, around)?)
}

pub async fn get<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<Interruption> {
    sql::row(
        c,
        &format!("SELECT {INTERRUPTION_COLUMNS} FROM interruptions WHERE id = $1 AND user_id = $2"),
        &[&id, &user_id],
    )
    .await?
    .map(|r| rows::interruption(&r))
    .ok_or(StoreError::NotFound("interruption"))
}

pub async fn list<C: GenericClient>(
    c: &C,
    user_id: i64,
    session_id: i64,
) -> StoreResult<Vec<Interruption>> {
    let owned = sql::row(
        c,
        "SELECT id FROM sessions WHERE id = $1 AND user_id = $2",
        &[&session_id, &user_id],
    )
    .await?;
    if owned.is_none() {
        return Err(StoreError::NotFound("session"));
    }
    let found = sql::rows(
        c,
        &format!("SELECT {INTERRUPTION_COLUMNS} FROM interruptions WHERE session_id = $1 ORDER BY start_time, id"),
        &[&session_id],
    )
    .await?;
    Ok(found.iter().map(rows::interruption).collect())
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = sql::execute(
        c,
        "DELETE FROM interruptions WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
    )
    .await?;
    super::changed_one(deleted, "interruption")
}
