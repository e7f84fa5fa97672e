//! Conversions between SQLite rows and domain values.

use rusqlite::{ErrorCode, Row};

use crate::{
    db::StoreError,
    domain::{
        interruption::{Interruption, InterruptionKind},
        session::{Session, Span},
        time::from_unix_seconds,
    },
};

/// Columns read by [`session`]; `?1` is now, for open interruptions.
pub const SESSION_COLUMNS: &str = "s.id, s.user_id, s.start_time, s.end_time, s.created_at, s.note,
    (SELECT COUNT(*) FROM interruptions i WHERE i.session_id = s.id),
    (SELECT COALESCE(SUM(MAX(COALESCE(i.end_time, ?1), i.start_time) - i.start_time), 0)
       FROM interruptions i WHERE i.session_id = s.id)";

/// Reads a row selected with [`SESSION_COLUMNS`].
pub fn session(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: row.get(0)?,
        user_id: row.get(1)?,
        start: from_unix_seconds(row.get(2)?),
        end: row.get::<_, Option<i64>>(3)?.map(from_unix_seconds),
        created_at: from_unix_seconds(row.get(4)?),
        note: row.get(5)?,
        interruption_count: row.get(6)?,
        time_lost_seconds: row.get(7)?,
    })
}

/// Columns read by [`interruption`].
pub const INTERRUPTION_COLUMNS: &str =
    "id, session_id, user_id, kind, description, start_time, end_time, created_at";

/// Reads a row selected with [`INTERRUPTION_COLUMNS`].
pub fn interruption(row: &Row<'_>) -> rusqlite::Result<Interruption> {
    interruption_at(row, 0)
}

/// Reads [`INTERRUPTION_COLUMNS`] from column `first` on, or `None` when
/// they are NULL (an outer join found no interruption).
pub fn optional_interruption_at(
    row: &Row<'_>,
    first: usize,
) -> rusqlite::Result<Option<Interruption>> {
    match row.get::<_, Option<i64>>(first)? {
        Some(_) => interruption_at(row, first).map(Some),
        None => Ok(None),
    }
}

fn interruption_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Interruption> {
    let kind: String = row.get(first + 3)?;
    Ok(Interruption {
        id: row.get(first)?,
        session_id: row.get(first + 1)?,
        user_id: row.get(first + 2)?,
        // The CHECK constraint admits only known kinds.
        kind: InterruptionKind::from_name(&kind).unwrap_or(InterruptionKind::Unknown),
        description: row.get(first + 4)?,
        start: from_unix_seconds(row.get(first + 5)?),
        end: row.get::<_, Option<i64>>(first + 6)?.map(from_unix_seconds),
        created_at: from_unix_seconds(row.get(first + 7)?),
    })
}

/// Reads `id, start_time, end_time`.
pub fn span(row: &Row<'_>) -> rusqlite::Result<Span> {
    Ok(Span {
        id: row.get(0)?,
        start: from_unix_seconds(row.get(1)?),
        end: row.get::<_, Option<i64>>(2)?.map(from_unix_seconds),
    })
}

/// `Ok` if a statement changed a row, else `NotFound(what)`: the row is
/// missing or belongs to another user, which callers must not tell apart.
pub fn changed_one(changed: usize, what: &'static str) -> Result<(), StoreError> {
    match changed {
        0 => Err(StoreError::NotFound(what)),
        _ => Ok(()),
    }
}

/// Whether `error` is a UNIQUE violation.
pub fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.code == ErrorCode::ConstraintViolation
            && e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error {
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                Self::Unavailable("the database is busy".into())
            }
            other => Self::Internal(other.into()),
        }
    }
}
