//! SQL for exports: a user's sessions with their interruptions, streamed.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc::Sender;

use super::connect;
use crate::{
    db::{EXPORT_BATCH, ExportBatch, StoreError, StoreResult},
    domain::{
        export::{ExportInterruption, ExportRow},
        interruption::InterruptionKind,
    },
};

/// Every session of `?1` starting in `[?2, ?3)` with each of its
/// interruptions (or none), in order. The walk follows
/// `sessions_user_start`, then `interruptions_session_start` per session:
/// sessions come in order as read, and only each session's few
/// interruptions are sorted (`USE TEMP B-TREE FOR RIGHT PART OF ORDER BY`),
/// so the rows stream without the whole history being sorted first.
const EXPORT_ROWS: &str = "
    SELECT s.id, s.start_time, s.end_time, i.id, i.kind, i.description, i.start_time, i.end_time, s.note
    FROM sessions s LEFT JOIN interruptions i ON i.session_id = s.id
    WHERE s.user_id = ?1 AND s.start_time >= ?2 AND s.start_time < ?3
    ORDER BY s.start_time, i.start_time, i.id";

/// Reads the rows on a connection of its own (a long export must not hold
/// one of the pool's), sending them to `sink` a batch at a time. Runs on a
/// blocking thread until the last row or until the receiver is dropped.
pub fn send_rows(
    path: &Path,
    user_id: i64,
    from: i64,
    to: i64,
    sink: &Sender<StoreResult<ExportBatch>>,
) {
    let result = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(StoreError::Internal)
        .and_then(|conn| read(&conn, user_id, from, to, sink));
    if let Err(error) = result {
        let _ = sink.blocking_send(Err(error));
    }
}

pub(super) fn read(
    conn: &Connection,
    user_id: i64,
    from: i64,
    to: i64,
    sink: &Sender<StoreResult<ExportBatch>>,
) -> StoreResult<()> {
    let mut statement = conn.prepare(EXPORT_ROWS)?;
    let mut rows = statement.query((user_id, from, to))?;
    let mut batch = Vec::with_capacity(EXPORT_BATCH);
    while let Some(row) = rows.next()? {
        let interruption = match row.get::<_, Option<i64>>(3)? {
            Some(id) => {
                let kind = row.get_ref(4)?.as_bytes().map_err(rusqlite::Error::from)?;
                Some(ExportInterruption {
                    id,
                    kind: InterruptionKind::from_bytes(kind).unwrap_or(InterruptionKind::Unknown),
                    description: row.get(5)?,
                    start: row.get(6)?,
                    end: row.get(7)?,
                })
            }
            None => None,
        };
        batch.push(ExportRow {
            session_id: row.get(0)?,
            session_start: row.get(1)?,
            session_end: row.get(2)?,
            session_note: row.get(8)?,
            interruption,
        });
        if batch.len() == EXPORT_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH));
            if sink.blocking_send(Ok(ExportBatch::Rows(full))).is_err() {
                // The client went away: stop reading.
                return Ok(());
            }
        }
    }
    if !batch.is_empty() && sink.blocking_send(Ok(ExportBatch::Rows(batch))).is_err() {
        return Ok(());
    }
    let _ = sink.blocking_send(Ok(ExportBatch::Done));
    Ok(())
}
