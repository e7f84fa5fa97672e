//! SQL for the `interruptions` table.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::idempotency;
use super::{
    rows::{self, INTERRUPTION_COLUMNS},
    sessions,
};
use crate::{
    db::{StoreError, StoreResult},
    domain::idempotency::{self as idempotency_rules, Idempotency},
    domain::{
        events::EventKind,
        interruption::{self, Interruption, InterruptionPatch, NewInterruption, Surroundings},
        session::{self, Span},
    },
};

pub fn create(
    conn: &Connection,
    user_id: i64,
    new: &NewInterruption,
    now: Timestamp,
    key: Option<&Idempotency>,
) -> StoreResult<Interruption> {
    let session = sessions::span(conn, user_id, new.session_id)?;
    if let Some(id) = idempotency::replayed(conn, user_id, key, "interruption", now.as_second())? {
        return get(conn, user_id, id)
            .map_err(|e| e.or_if_missing(|| idempotency_rules::gone("interruption", id)));
    }
    interruption::check_session_active(&session)?;
    let start = match new.start {
        Some(start) => start,
        None => {
            let latest = conn
                .prepare_cached(
                    "SELECT id, start_time, end_time FROM interruptions
                     WHERE session_id = ?1 ORDER BY start_time DESC LIMIT 1",
                )?
                .query_row([session.id], rows::span)
                .optional()?;
            session::default_start(now, latest.as_ref())
        }
    };
    check_placement(conn, &session, None, start, new.end, now)?;
    conn.prepare_cached(
        "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.session_id,
        user_id,
        new.kind.as_str(),
        new.description,
        start.as_second(),
        new.end.map(|e| e.as_second()),
        now.as_second()
    ])?;
    let id = conn.last_insert_rowid();
    idempotency::record(conn, user_id, key, "interruption", id, now.as_second())?;
    let created = Interruption {
        id,
        session_id: new.session_id,
        user_id,
        kind: new.kind,
        description: new.description.clone(),
        start,
        end: new.end,
        created_at: now,
    };
    super::outbox::interruption(conn, EventKind::InterruptionCreated, &created, now)?;
    Ok(created)
}

pub fn end(
    conn: &Connection,
    user_id: i64,
    id: i64,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let current = get(conn, user_id, id)?;
    let updated = interruption::closed_at(&current, end, now)?;
    replace(conn, &current, updated, now)
}

pub fn update(
    conn: &Connection,
    user_id: i64,
    id: i64,
    patch: InterruptionPatch,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let current = get(conn, user_id, id)?;
    let updated = patch.apply(&current);
    replace(conn, &current, updated, now)
}

/// Re-checks `updated` against the rest of its session and stores it.
fn replace(
    conn: &Connection,
    current: &Interruption,
    updated: Interruption,
    now: Timestamp,
) -> StoreResult<Interruption> {
    let session = sessions::span(conn, current.user_id, current.session_id)?;
    check_placement(
        conn,
        &session,
        Some(current.id),
        updated.start,
        updated.end,
        now,
    )?;
    write(conn, &updated)?;
    Ok(updated)
}

/// Stores `updated` over the interruption of its id, as it is.
pub fn write(conn: &Connection, updated: &Interruption) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE interruptions SET kind = ?2, description = ?3, start_time = ?4, end_time = ?5 WHERE id = ?1",
    )?
    .execute(params![
        updated.id,
        updated.kind.as_str(),
        updated.description,
        updated.start.as_second(),
        updated.end.map(|e| e.as_second())
    ])?;
    Ok(())
}

/// Stores `new` (already checked) as a new interruption of its session.
pub fn insert(
    conn: &Connection,
    user_id: i64,
    new: &Interruption,
    now: Timestamp,
) -> StoreResult<Interruption> {
    conn.prepare_cached(
        "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.session_id,
        user_id,
        new.kind.as_str(),
        new.description,
        new.start.as_second(),
        new.end.map(|e| e.as_second()),
        now.as_second()
    ])?;
    Ok(Interruption {
        id: conn.last_insert_rowid(),
        user_id,
        created_at: now,
        ..new.clone()
    })
}

/// Loads what the placement rule needs and applies it. `exclude` is the
/// interruption being changed, which must not clash with itself.
fn check_placement(
    conn: &Connection,
    session: &Span,
    exclude: Option<i64>,
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<()> {
    let exclude = exclude.unwrap_or(0);
    let until = interruption::covered_until(start, end, now);
    let neighbour = conn
        .prepare_cached(
            "SELECT id, start_time, end_time FROM interruptions
             WHERE session_id = ?1 AND start_time < ?2 AND id <> ?3
             ORDER BY start_time DESC LIMIT 1",
        )?
        .query_row(params![session.id, until.as_second(), exclude], rows::span)
        .optional()?;
    // Only an interruption left open can clash with another open one.
    let other_open = match end {
        Some(_) => None,
        None => conn
            .prepare_cached(
                "SELECT id, start_time, end_time FROM interruptions
                 WHERE session_id = ?1 AND end_time IS NULL AND id <> ?2",
            )?
            .query_row(params![session.id, exclude], rows::span)
            .optional()?,
    };
    let around = Surroundings {
        session,
        neighbour: neighbour.as_ref(),
        other_open: other_open.as_ref(),
    };
    Ok(interruption::check_placement(start, end, now, around)?)
}

pub fn get(conn: &Connection, user_id: i64, id: i64) -> StoreResult<Interruption> {
    conn.prepare_cached(&format!(
        "SELECT {INTERRUPTION_COLUMNS} FROM interruptions WHERE id = ?1 AND user_id = ?2"
    ))?
    .query_row([id, user_id], rows::interruption)
    .optional()?
    .ok_or(StoreError::NotFound("interruption"))
}

pub fn list(conn: &Connection, user_id: i64, session_id: i64) -> StoreResult<Vec<Interruption>> {
    sessions::span(conn, user_id, session_id)?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {INTERRUPTION_COLUMNS} FROM interruptions WHERE session_id = ?1 ORDER BY start_time, id"
    ))?;
    let found = statement
        .query_map([session_id], rows::interruption)?
        .collect::<Result<_, _>>()?;
    Ok(found)
}

pub fn delete(conn: &Connection, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM interruptions WHERE id = ?1 AND user_id = ?2")?
        .execute([id, user_id])?;
    rows::changed_one(deleted, "interruption")
}
