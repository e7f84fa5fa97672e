//! Conversions between PostgreSQL rows and domain values, and error meaning.

use tokio_postgres::{Row, error::SqlState};

use crate::{
    db::StoreError,
    domain::{
        interruption::{Interruption, InterruptionKind},
        session::{Session, Span},
        time::from_unix_seconds,
    },
};

/// Columns read by [`session`]; `$1` is now, for open interruptions.
pub const SESSION_COLUMNS: &str = "s.id, s.user_id, s.start_time, s.end_time, s.created_at, s.note,
    (SELECT COUNT(*) FROM interruptions i WHERE i.session_id = s.id),
    (SELECT COALESCE(SUM(GREATEST(COALESCE(i.end_time, $1), i.start_time) - i.start_time), 0)::BIGINT
       FROM interruptions i WHERE i.session_id = s.id)";

/// Reads a row selected with [`SESSION_COLUMNS`].
pub fn session(row: &Row) -> Session {
    Session {
        id: row.get(0),
        user_id: row.get(1),
        start: from_unix_seconds(row.get(2)),
        end: row.get::<_, Option<i64>>(3).map(from_unix_seconds),
        created_at: from_unix_seconds(row.get(4)),
        note: row.get(5),
        interruption_count: row.get(6),
        time_lost_seconds: row.get(7),
    }
}

/// Columns read by [`interruption`].
pub const INTERRUPTION_COLUMNS: &str =
    "id, session_id, user_id, kind, description, start_time, end_time, created_at";

/// Reads a row selected with [`INTERRUPTION_COLUMNS`].
pub fn interruption(row: &Row) -> Interruption {
    interruption_at(row, 0)
}

/// Reads [`INTERRUPTION_COLUMNS`] from column `first` on, or `None` when
/// they are NULL (an outer join found no interruption).
pub fn optional_interruption_at(row: &Row, first: usize) -> Option<Interruption> {
    row.get::<_, Option<i64>>(first)
        .map(|_| interruption_at(row, first))
}

fn interruption_at(row: &Row, first: usize) -> Interruption {
    Interruption {
        id: row.get(first),
        session_id: row.get(first + 1),
        user_id: row.get(first + 2),
        // The CHECK constraint admits only known kinds.
        kind: InterruptionKind::from_name(row.get(first + 3)).unwrap_or(InterruptionKind::Unknown),
        description: row.get(first + 4),
        start: from_unix_seconds(row.get(first + 5)),
        end: row.get::<_, Option<i64>>(first + 6).map(from_unix_seconds),
        created_at: from_unix_seconds(row.get(first + 7)),
    }
}

/// Reads `id, start_time, end_time`.
pub fn span(row: &Row) -> Span {
    Span {
        id: row.get(0),
        start: from_unix_seconds(row.get(1)),
        end: row.get::<_, Option<i64>>(2).map(from_unix_seconds),
    }
}

/// The constraint a UNIQUE violation broke, if that is what `error` is.
pub fn unique_violation(error: &tokio_postgres::Error) -> Option<&str> {
    let db = error.as_db_error()?;
    (db.code() == &SqlState::UNIQUE_VIOLATION).then(|| db.constraint().unwrap_or_default())
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        if error.is_closed() || error.as_db_error().is_none() && error.code().is_none() {
            return Self::Unavailable(format!("the database connection failed: {error}"));
        }
        Self::Internal(error.into())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        match error {
            deadpool_postgres::PoolError::Closed => {
                Self::Unavailable("the database is shutting down".into())
            }
            other => Self::Unavailable(format!("no database connection: {other}")),
        }
    }
}
