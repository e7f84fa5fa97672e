//! SQL for the `sessions` table.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{self, SESSION_COLUMNS, is_unique_violation};
use super::{idempotency, outbox};
use crate::{
    db::{
        CorrectedSession, CurrentSession, EndedSession, SessionListQuery, StoreError, StoreResult,
    },
    domain::correction::{self, Correction},
    domain::events::EventKind,
    domain::idempotency::{self as idempotency_rules, Idempotency},
    domain::session::{self, NewSession, Session, SessionPatch, Span},
};

pub fn start(
    conn: &Connection,
    user_id: i64,
    new: &NewSession,
    now: Timestamp,
    key: Option<&Idempotency>,
) -> StoreResult<Session> {
    let end = new.end;
    if let Some(id) = idempotency::replayed(conn, user_id, key, "session", now.as_second())? {
        return get(conn, user_id, id, now)
            .map_err(|e| e.or_if_missing(|| idempotency_rules::gone("session", id)));
    }
    let active = active_span(conn, user_id)?;
    let neighbour = latest_before(conn, user_id, end, None)?;
    let start = new
        .start
        .unwrap_or_else(|| session::default_start(now, neighbour.as_ref()));
    session::check_start(start, end, now, active.as_ref(), neighbour.as_ref())?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO sessions (user_id, start_time, end_time, created_at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            user_id,
            start.as_second(),
            end.map(|e| e.as_second()),
            now.as_second(),
            new.note,
        ]);
    match inserted {
        Ok(_) => {
            let id = conn.last_insert_rowid();
            idempotency::record(conn, user_id, key, "session", id, now.as_second())?;
            let session = get(conn, user_id, id, now)?;
            outbox::session(conn, EventKind::SessionStarted, &session, now)?;
            Ok(session)
        }
        // The partial unique index is the last word on "one active session".
        Err(e) if is_unique_violation(&e) => {
            let active = active_span(conn, user_id)?;
            Err(
                session::active_session_exists(active.map_or(0, |a| a.id), active.map(|a| a.start))
                    .into(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn active_span(conn: &Connection, user_id: i64) -> StoreResult<Option<Span>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, start_time, end_time FROM sessions WHERE user_id = ?1 AND end_time IS NULL",
        )?
        .query_row([user_id], rows::span)
        .optional()?)
}

/// The user's session, other than `except`, that starts last before `end`
/// (before any time when `None`): the only one a span ending at `end` can
/// overlap, since sessions never overlap one another.
fn latest_before(
    conn: &Connection,
    user_id: i64,
    end: Option<Timestamp>,
    except: Option<i64>,
) -> StoreResult<Option<Span>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, start_time, end_time FROM sessions
             WHERE user_id = ?1 AND start_time < ?2 AND id <> ?3
             ORDER BY start_time DESC LIMIT 1",
        )?
        .query_row(
            params![
                user_id,
                end.map_or(i64::MAX, |e| e.as_second()),
                except.unwrap_or(0)
            ],
            rows::span,
        )
        .optional()?)
}

/// Corrects a session's times: every rule of a new session, and its
/// interruptions stay inside.
pub fn update(
    conn: &Connection,
    user_id: i64,
    id: i64,
    patch: &SessionPatch,
    now: Timestamp,
) -> StoreResult<Session> {
    let current = span(conn, user_id, id)?;
    let neighbour = latest_before(conn, user_id, patch.end.or(current.end), Some(id))?;
    let bound = |order: &str| -> StoreResult<Option<Span>> {
        Ok(conn
            .prepare_cached(&format!(
                "SELECT id, start_time, end_time FROM interruptions WHERE session_id = ?1
                 ORDER BY start_time {order} LIMIT 1"
            ))?
            .query_row([id], rows::span)
            .optional()?)
    };
    let (first, last) = (bound("ASC")?, bound("DESC")?);
    let new = session::check_update(
        &current,
        patch,
        now,
        neighbour.as_ref(),
        first.as_ref(),
        last.as_ref(),
    )?;
    conn.prepare_cached(
        "UPDATE sessions SET start_time = ?2, end_time = ?3, note = COALESCE(?4, note) WHERE id = ?1",
    )?
    .execute(params![
        id,
        new.start.as_second(),
        new.end.map(|e| e.as_second()),
        patch.note,
    ])?;
    get(conn, user_id, id, now)
}

/// Corrects a session with its interruptions (`domain::correction`): read,
/// checked as a whole, then written, in the one write transaction.
pub fn correct(
    conn: &Connection,
    user_id: i64,
    id: i64,
    correction: &Correction,
    now: Timestamp,
) -> StoreResult<CorrectedSession> {
    let current = span(conn, user_id, id)?;
    let stored = super::interruptions::list(conn, user_id, id)?;
    if !correction::all_of(&stored, correction) {
        return Err(StoreError::NotFound("interruption"));
    }
    let end = correction.session.end.or(current.end);
    let neighbour = latest_before(conn, user_id, end, Some(id))?;
    let checked = correction::check(&current, &stored, correction, now, neighbour.as_ref())?;
    conn.prepare_cached(
        "UPDATE sessions SET start_time = ?2, end_time = ?3, note = COALESCE(?4, note) WHERE id = ?1",
    )?
    .execute(params![
        id,
        checked.session.start.as_second(),
        checked.session.end.map(|e| e.as_second()),
        correction.session.note,
    ])?;
    for changed in &checked.changed {
        super::interruptions::write(conn, changed)?;
    }
    let added = match &checked.added {
        Some(new) => Some(super::interruptions::insert(conn, user_id, new, now)?),
        None => None,
    };
    Ok(CorrectedSession {
        session: get(conn, user_id, id, now)?,
        changed: checked.changed,
        added,
    })
}

/// The active session with its open interruption, in one statement over
/// the two partial indexes.
pub fn current(conn: &Connection, user_id: i64, now: Timestamp) -> StoreResult<CurrentSession> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS},
                    o.id, o.session_id, o.user_id, o.kind, o.description, o.start_time, o.end_time, o.created_at
             FROM sessions s LEFT JOIN interruptions o ON o.session_id = s.id AND o.end_time IS NULL
             WHERE s.user_id = ?2 AND s.end_time IS NULL"
        ))?
        .query_row(params![now.as_second(), user_id], |row| {
            Ok(CurrentSession {
                session: Some(rows::session(row)?),
                open_interruption: rows::optional_interruption_at(row, 8)?,
            })
        })
        .optional()?;
    Ok(found.unwrap_or_default())
}

pub fn end(
    conn: &Connection,
    user_id: i64,
    id: i64,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<EndedSession> {
    let current = span(conn, user_id, id)?;
    let last_closed = conn
        .prepare_cached(
            "SELECT id, start_time, end_time FROM interruptions
             WHERE session_id = ?1 AND end_time IS NOT NULL ORDER BY start_time DESC LIMIT 1",
        )?
        .query_row([id], rows::span)
        .optional()?;
    let open = conn
        .prepare_cached(
            "SELECT id, start_time, end_time FROM interruptions WHERE session_id = ?1 AND end_time IS NULL",
        )?
        .query_row([id], rows::span)
        .optional()?;
    let end = end.unwrap_or_else(|| {
        session::default_end(&current, now, last_closed.as_ref(), open.as_ref())
    });
    session::check_end(&current, end, now, last_closed.as_ref(), open.as_ref())?;
    conn.prepare_cached("UPDATE sessions SET end_time = ?2 WHERE id = ?1")?
        .execute(params![id, end.as_second()])?;
    conn.prepare_cached(
        "UPDATE interruptions SET end_time = ?2 WHERE session_id = ?1 AND end_time IS NULL",
    )?
    .execute(params![id, end.as_second()])?;
    let closed = match open {
        Some(open) => Some(super::interruptions::get(conn, user_id, open.id)?),
        None => None,
    };
    Ok(EndedSession {
        session: get(conn, user_id, id, now)?,
        closed,
    })
}

/// The interval of session `id` if `user_id` owns it.
pub fn span(conn: &Connection, user_id: i64, id: i64) -> StoreResult<Span> {
    conn.prepare_cached(
        "SELECT id, start_time, end_time FROM sessions WHERE id = ?1 AND user_id = ?2",
    )?
    .query_row([id, user_id], rows::span)
    .optional()?
    .ok_or(StoreError::NotFound("session"))
}

pub fn get(conn: &Connection, user_id: i64, id: i64, now: Timestamp) -> StoreResult<Session> {
    conn.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?2 AND s.user_id = ?3"
    ))?
    .query_row(params![now.as_second(), id, user_id], rows::session)
    .optional()?
    .ok_or(StoreError::NotFound("session"))
}

/// Sessions never overlap, so those overlapping `[from, to)` are the ones
/// starting inside it plus, at most, the one that started last before it.
/// Both parts are range reads of `sessions_user_start`; the cursor bounds
/// the first, so a page costs the same however long the history is.
pub fn list(
    conn: &Connection,
    user_id: i64,
    query: &SessionListQuery,
    now: Timestamp,
) -> StoreResult<Vec<Session>> {
    let (from, to) = query
        .overlapping
        .map_or((i64::MIN, i64::MAX), |(from, to)| {
            (from.as_second(), to.as_second())
        });
    let (after_start, after_id) = query
        .after
        .map_or((i64::MAX, i64::MAX), |c| (c.start.as_second(), c.id));
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id IN (
             SELECT id FROM (
                 SELECT id FROM sessions
                 WHERE user_id = ?2 AND start_time >= ?3 AND start_time < ?4
                   AND (start_time < ?5 OR (start_time = ?5 AND id < ?6))
                 ORDER BY start_time DESC, id DESC LIMIT ?7)
             UNION ALL
             SELECT id FROM (
                 SELECT id, end_time FROM sessions
                 WHERE user_id = ?2 AND start_time < ?3
                   AND (start_time < ?5 OR (start_time = ?5 AND id < ?6))
                 ORDER BY start_time DESC, id DESC LIMIT 1)
             WHERE end_time IS NULL OR end_time > ?3)
         ORDER BY s.start_time DESC, s.id DESC LIMIT ?7"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let sessions = statement
        .query_map(
            params![
                now.as_second(),
                user_id,
                from,
                to,
                after_start,
                after_id,
                query.limit
            ],
            rows::session,
        )?
        .collect::<Result<_, _>>()?;
    Ok(sessions)
}

pub fn delete(conn: &Connection, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2")?
        .execute([id, user_id])?;
    rows::changed_one(deleted, "session")
}
