//! SQL for exports: a user's sessions with their interruptions, streamed.

use tokio::sync::mpsc::Sender;
use tokio_postgres::{NoTls, Row};
use tokio_stream::StreamExt;

use crate::{
    db::{EXPORT_BATCH, ExportBatch, StoreError, StoreResult},
    domain::{
        export::{ExportInterruption, ExportRow},
        interruption::InterruptionKind,
    },
};

/// Every session of `$1` starting in `[$2, $3)` with each of its
/// interruptions (or none), in order.
const EXPORT_ROWS: &str = "
    SELECT s.id, s.start_time, s.end_time, i.id, i.kind, i.description, i.start_time, i.end_time, s.note
    FROM sessions s LEFT JOIN interruptions i ON i.session_id = s.id
    WHERE s.user_id = $1 AND s.start_time >= $2 AND s.start_time < $3
    ORDER BY s.start_time, i.start_time, i.id";

/// Reads the rows on a connection of its own (a slow download must not hold
/// one of the pool's) and sends them to `sink` a batch at a time, until the
/// last row or until the receiver is dropped.
pub async fn send_rows(
    config: tokio_postgres::Config,
    user_id: i64,
    from: i64,
    to: i64,
    sink: Sender<StoreResult<ExportBatch>>,
) {
    if let Err(error) = read(config, user_id, from, to, &sink).await {
        let _ = sink.send(Err(error)).await;
    }
}

async fn read(
    config: tokio_postgres::Config,
    user_id: i64,
    from: i64,
    to: i64,
    sink: &Sender<StoreResult<ExportBatch>>,
) -> StoreResult<()> {
    let (client, connection) = config.connect(NoTls).await?;
    let driver = tokio::spawn(connection);
    let rows = client
        .query_raw(
            EXPORT_ROWS,
            [
                &user_id as &(dyn tokio_postgres::types::ToSql + Sync),
                &from,
                &to,
            ],
        )
        .await?;
    let mut rows = std::pin::pin!(rows);
    let mut batch = Vec::with_capacity(EXPORT_BATCH);
    let mut complete = true;
    while let Some(row) = rows.next().await {
        batch.push(export_row(&row?)?);
        if batch.len() == EXPORT_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH));
            if sink.send(Ok(ExportBatch::Rows(full))).await.is_err() {
                // The client went away: stop reading.
                complete = false;
                break;
            }
        }
    }
    if complete && !batch.is_empty() {
        complete = sink.send(Ok(ExportBatch::Rows(batch))).await.is_ok();
    }
    if complete {
        let _ = sink.send(Ok(ExportBatch::Done)).await;
    }
    drop(client);
    let _ = driver.await;
    Ok(())
}

fn export_row(row: &Row) -> StoreResult<ExportRow> {
    let interruption = match row.try_get::<_, Option<i64>>(3)? {
        Some(id) => {
            let kind: &str = row.try_get(4)?;
            Some(ExportInterruption {
                id,
                kind: InterruptionKind::from_bytes(kind.as_bytes()).ok_or_else(|| {
                    StoreError::Internal(anyhow::anyhow!("unknown interruption type {kind:?}"))
                })?,
                description: row.try_get(5)?,
                start: row.try_get(6)?,
                end: row.try_get(7)?,
            })
        }
        None => None,
    };
    Ok(ExportRow {
        session_id: row.try_get(0)?,
        session_start: row.try_get(1)?,
        session_end: row.try_get(2)?,
        session_note: row.try_get(8)?,
        interruption,
    })
}
