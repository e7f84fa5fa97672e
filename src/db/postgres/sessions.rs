//! SQL for the `sessions` table.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{idempotency, outbox};
use super::{
    rows::{self, SESSION_COLUMNS, unique_violation},
    sql,
};
use crate::{
    db::{
        CorrectedSession, CurrentSession, EndedSession, SessionListQuery, StoreError, StoreResult,
    },
    domain::correction::{self, Correction},
    domain::events::EventKind,
    domain::idempotency::{self as idempotency_rules, Idempotency},
    domain::session::{self, NewSession, Session, SessionPatch, Span},
};

/// Runs inside a transaction: the user's row is locked first, so two starts
/// (or corrections) for one user are checked one after the other.
pub async fn start<C: GenericClient>(
    c: &C,
    user_id: i64,
    new: &NewSession,
    now: Timestamp,
    key: Option<&Idempotency>,
) -> StoreResult<Session> {
    let end = new.end;
    lock_user(c, user_id).await?;
    if let Some(id) = idempotency::replayed(c, user_id, key, "session", now.as_second()).await? {
        return get(c, user_id, id, now)
            .await
            .map_err(|e| e.or_if_missing(|| idempotency_rules::gone("session", id)));
    }
    let active = sql::row(
        c,
        "SELECT id, start_time, end_time FROM sessions WHERE user_id = $1 AND end_time IS NULL",
        &[&user_id],
    )
    .await?
    .map(|r| rows::span(&r));
    let neighbour = latest_before(c, user_id, end, None).await?;
    let start = new
        .start
        .unwrap_or_else(|| session::default_start(now, neighbour.as_ref()));
    session::check_start(start, end, now, active.as_ref(), neighbour.as_ref())?;
    let inserted = sql::returning(
        c,
        "INSERT INTO sessions (user_id, start_time, end_time, created_at, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[
            &user_id,
            &start.as_second(),
            &end.map(|e| e.as_second()),
            &now.as_second(),
            &new.note,
        ],
    )
    .await;
    match inserted {
        Ok(row) => {
            let id = row.get(0);
            idempotency::record(c, user_id, key, "session", id, now.as_second()).await?;
            let session = get(c, user_id, id, now).await?;
            outbox::session(c, EventKind::SessionStarted, &session, now).await?;
            Ok(session)
        }
        // The partial unique index is the last word on "one active session".
        Err(e) if unique_violation(&e) == Some("sessions_one_active") => Err(
            session::active_session_exists(active.map_or(0, |a| a.id), active.map(|a| a.start))
                .into(),
        ),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn lock_user<C: GenericClient>(c: &C, user_id: i64) -> StoreResult<()> {
    sql::row(
        c,
        "SELECT id FROM users WHERE id = $1 FOR UPDATE",
        &[&user_id],
    )
    .await?;
    Ok(())
}

/// The user's session, other than `except`, that starts last before `end`
/// (before any time when `None`): the only one a span ending at `end` can
/// overlap.
async fn latest_before<C: GenericClient>(
    c: &C,
    user_id: i64,
    end: Option<Timestamp>,
    except: Option<i64>,
) -> StoreResult<Option<Span>> {
    Ok(sql::row(
        c,
        "SELECT id, start_time, end_time FROM sessions
         WHERE user_id = $1 AND start_time < $2 AND id <> $3
         ORDER BY start_time DESC LIMIT 1",
        &[
            &user_id,
            &end.map_or(i64::MAX, |e| e.as_second()),
            &except.unwrap_or(0),
        ],
    )
    .await?
    .map(|r| rows::span(&r)))
}

/// Runs inside a transaction: the user's row, then the session's, are
/// locked, so that neither another session nor an interruption moves
/// while the correction is checked.
pub async fn update<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    patch: &SessionPatch,
    now: Timestamp,
) -> StoreResult<Session> {
    lock_user(c, user_id).await?;
    let current = span_for_update(c, user_id, id).await?;
    let neighbour = latest_before(c, user_id, patch.end.or(current.end), Some(id)).await?;
    let first = interruption_bound(c, id, "ASC").await?;
    let last = interruption_bound(c, id, "DESC").await?;
    let new = session::check_update(
        &current,
        patch,
        now,
        neighbour.as_ref(),
        first.as_ref(),
        last.as_ref(),
    )?;
    sql::execute(
        c,
        "UPDATE sessions SET start_time = $2, end_time = $3, note = COALESCE($4, note) WHERE id = $1",
        &[
            &id,
            &new.start.as_second(),
            &new.end.map(|e| e.as_second()),
            &patch.note,
        ],
    )
    .await?;
    get(c, user_id, id, now).await
}

/// Corrects a session with its interruptions (`domain::correction`): the
/// user's and the session's rows locked, read, checked as a whole, then
/// written.
pub async fn correct<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    correction: &Correction,
    now: Timestamp,
) -> StoreResult<CorrectedSession> {
    lock_user(c, user_id).await?;
    let current = span_for_update(c, user_id, id).await?;
    let stored = super::interruptions::list(c, user_id, id).await?;
    if !correction::all_of(&stored, correction) {
        return Err(StoreError::NotFound("interruption"));
    }
    let end = correction.session.end.or(current.end);
    let neighbour = latest_before(c, user_id, end, Some(id)).await?;
    let checked = correction::check(&current, &stored, correction, now, neighbour.as_ref())?;
    sql::execute(
        c,
        "UPDATE sessions SET start_time = $2, end_time = $3, note = COALESCE($4, note) WHERE id = $1",
        &[
            &id,
            &checked.session.start.as_second(),
            &checked.session.end.map(|e| e.as_second()),
            &correction.session.note,
        ],
    )
    .await?;
    for changed in &checked.changed {
        super::interruptions::write(c, changed).await?;
    }
    let added = match &checked.added {
        Some(new) => Some(super::interruptions::insert(c, user_id, new, now).await?),
        None => None,
    };
    Ok(CorrectedSession {
        session: get(c, user_id, id, now).await?,
        changed: checked.changed,
        added,
    })
}

/// The session's interruption that starts first (`ASC`) or last (`DESC`).
async fn interruption_bound<C: GenericClient>(
    c: &C,
    session_id: i64,
    order: &str,
) -> StoreResult<Option<Span>> {
    Ok(sql::row(
        c,
        &format!(
            "SELECT id, start_time, end_time FROM interruptions WHERE session_id = $1
             ORDER BY start_time {order} LIMIT 1"
        ),
        &[&session_id],
    )
    .await?
    .map(|r| rows::span(&r)))
}

/// The active session with its open interruption, in one statement over
/// the two partial indexes.
pub async fn current<C: GenericClient>(
    c: &C,
    user_id: i64,
    now: Timestamp,
) -> StoreResult<CurrentSession> {
    let row = sql::row(
        c,
        &format!(
            "SELECT {SESSION_COLUMNS},
                    o.id, o.session_id, o.user_id, o.kind, o.description, o.start_time, o.end_time, o.created_at
             FROM sessions s LEFT JOIN interruptions o ON o.session_id = s.id AND o.end_time IS NULL
             WHERE s.user_id = $2 AND s.end_time IS NULL"
        ),
        &[&now.as_second(), &user_id],
    )
    .await?;
    Ok(
        row.map_or_else(CurrentSession::default, |row| CurrentSession {
            session: Some(rows::session(&row)),
            open_interruption: rows::optional_interruption_at(&row, 8),
        }),
    )
}

/// Runs inside a transaction; the session's row stays locked until commit.
pub async fn end<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    end: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<EndedSession> {
    let current = span_for_update(c, user_id, id).await?;
    let last_closed = sql::row(
        c,
        "SELECT id, start_time, end_time FROM interruptions
         WHERE session_id = $1 AND end_time IS NOT NULL ORDER BY start_time DESC LIMIT 1",
        &[&id],
    )
    .await?
    .map(|r| rows::span(&r));
    let open = sql::row(
        c,
        "SELECT id, start_time, end_time FROM interruptions WHERE session_id = $1 AND end_time IS NULL",
        &[&id],
    )
    .await?
    .map(|r| rows::span(&r));
    let end = end.unwrap_or_else(|| {
        session::default_end(&current, now, last_closed.as_ref(), open.as_ref())
    });
    session::check_end(&current, end, now, last_closed.as_ref(), open.as_ref())?;
    sql::execute(
        c,
        "UPDATE sessions SET end_time = $2 WHERE id = $1",
        &[&id, &end.as_second()],
    )
    .await?;
    sql::execute(
        c,
        "UPDATE interruptions SET end_time = $2 WHERE session_id = $1 AND end_time IS NULL",
        &[&id, &end.as_second()],
    )
    .await?;
    let closed = match open {
        Some(open) => Some(super::interruptions::get(c, user_id, open.id).await?),
        None => None,
    };
    Ok(EndedSession {
        session: get(c, user_id, id, now).await?,
        closed,
    })
}

/// The interval of session `id` if `user_id` owns it, locking its row so
/// that changes to the session and its interruptions happen one at a time.
pub async fn span_for_update<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<Span> {
    sql::row(
        c,
        "SELECT id, start_time, end_time FROM sessions WHERE id = $1 AND user_id = $2 FOR UPDATE",
        &[&id, &user_id],
    )
    .await?
    .map(|r| rows::span(&r))
    .ok_or(StoreError::NotFound("session"))
}

pub async fn get<C: GenericClient>(
    c: &C,
    user_id: i64,
    id: i64,
    now: Timestamp,
) -> StoreResult<Session> {
    sql::row(
        c,
        &format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = $2 AND s.user_id = $3"),
        &[&now.as_second(), &id, &user_id],
    )
    .await?
    .map(|r| rows::session(&r))
    .ok_or(StoreError::NotFound("session"))
}

/// As the SQLite version: the sessions starting inside the range plus, at
/// most, the one that started last before it; the cursor bounds both parts.
pub async fn list<C: GenericClient>(
    c: &C,
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
    let limit = i64::from(query.limit);
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id IN (
             (SELECT id FROM sessions
              WHERE user_id = $2 AND start_time >= $3 AND start_time < $4
                AND (start_time, id) < ($5, $6)
              ORDER BY start_time DESC, id DESC LIMIT $7)
             UNION ALL
             (SELECT id FROM sessions
              WHERE user_id = $2 AND start_time < $3 AND (start_time, id) < ($5, $6)
                AND (end_time IS NULL OR end_time > $3)
                AND start_time = (SELECT max(start_time) FROM sessions WHERE user_id = $2 AND start_time < $3)))
         ORDER BY s.start_time DESC, s.id DESC LIMIT $7"
    );
    let found = sql::rows(
        c,
        &sql,
        &[
            &now.as_second(),
            &user_id,
            &from,
            &to,
            &after_start,
            &after_id,
            &limit,
        ],
    )
    .await?;
    Ok(found.iter().map(rows::session).collect())
}

pub async fn delete<C: GenericClient>(c: &C, user_id: i64, id: i64) -> StoreResult<()> {
    let deleted = sql::execute(
        c,
        "DELETE FROM sessions WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
    )
    .await?;
    super::changed_one(deleted, "session")
}
