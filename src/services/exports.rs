//! A user's history as a file, streamed as it is read: the API's export
//! and the web app's download are the same bytes.

use axum::{
    body::{Body, Bytes},
    http::header,
    response::{IntoResponse, Response},
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::{
    db::{EXPORT_BATCHES_IN_FLIGHT, ExportBatch, ExportRows},
    domain::export::{Encoder, ExportHeader, ExportRequest, ExportUser, RowEncoder},
    error::AppResult,
    services::state::AppState,
};

/// The export `request` of `user_id` as a streamed attachment: the API's
/// answer, and the web app's download.
pub async fn stream(
    state: &AppState,
    user_id: i64,
    request: &ExportRequest,
) -> AppResult<Response> {
    let user = state.store.get_user(user_id).await?;
    let rows = state
        .store
        .export_rows(user_id, request.from, request.to)
        .await?;
    let now = state.clock.now();
    let header = ExportHeader {
        exported_at: now,
        user: ExportUser {
            id: user.id,
            name: user.name,
            email: user.email,
        },
        timezone: request.zone.as_str().to_owned(),
        from: request.from,
        to: request.to,
    };
    let (encoder, opening) = Encoder::start(request.format, &header, request.zone.zone());
    let today = now.to_zoned_datetime(request.zone.zone()).date();
    let disposition = format!(
        "attachment; filename=\"hyperfocus-export-{today}.{}\"",
        request.format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, request.format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body(encoder, opening, rows),
    )
        .into_response())
}

/// A response body that streams `rows` through `encoder`, after `opening`.
pub fn body<E: RowEncoder + Send + 'static>(
    encoder: E,
    opening: Vec<u8>,
    rows: ExportRows,
) -> Body {
    let (sink, chunks) = mpsc::channel(EXPORT_BATCHES_IN_FLIGHT);
    tokio::spawn(encode(encoder, opening, rows, sink));
    Body::from_stream(ReceiverStream::new(chunks))
}

/// Encodes the store's batches into the response's chunks. A failure
/// half-way ends the body with an error, so the client sees a broken
/// download (and a file without its trailer), never a short file that looks
/// whole.
async fn encode<E: RowEncoder>(
    mut encoder: E,
    opening: Vec<u8>,
    mut rows: ExportRows,
    sink: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    if sink.send(Ok(Bytes::from(opening))).await.is_err() {
        return;
    }
    loop {
        let batch = match rows.recv().await {
            Some(Ok(ExportBatch::Rows(batch))) => batch,
            Some(Ok(ExportBatch::Done)) => break,
            Some(Err(error)) => {
                tracing::error!(%error, "export failed half-way");
                let _ = sink.send(Err(std::io::Error::other("export failed"))).await;
                return;
            }
            None => {
                tracing::error!("export reader stopped before its last row");
                let _ = sink.send(Err(std::io::Error::other("export failed"))).await;
                return;
            }
        };
        let mut chunk = Vec::with_capacity(batch.len() * 160);
        for row in &batch {
            encoder.push(row, &mut chunk);
        }
        if sink.send(Ok(Bytes::from(chunk))).await.is_err() {
            return;
        }
    }
    let mut closing = Vec::new();
    encoder.finish(&mut closing);
    let _ = sink.send(Ok(Bytes::from(closing))).await;
}
