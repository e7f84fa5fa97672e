//! `/users/{user_id}/export`: the user's whole history as a file, streamed.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{Forbidden, IanaZone, Invalid, Unauthorized},
    extract::{ApiQuery, Auth, PathId},
    stats::DateOrTimestamp,
};
use crate::{
    db::{EXPORT_BATCHES_IN_FLIGHT, ExportBatch, ExportRows},
    domain::export::{Encoder, ExportHeader, ExportRequest, ExportUser, RowEncoder},
    error::AppResult,
    state::AppState,
};

/// The export's query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `ndjson` (default, the canonical format), `json` or `csv`.
    #[param(inline, value_type = Option<ExportFormatName>)]
    pub format: Option<String>,
    /// Only sessions starting at or after this: a date `YYYY-MM-DD` (the start
    /// of that day: local midnight moved by the user's `day_start`) or an
    /// RFC 3339 timestamp. Default: the first session.
    #[param(inline, value_type = Option<DateOrTimestamp>)]
    pub from: Option<String>,
    /// Only sessions starting before this: a date or an RFC 3339 timestamp.
    /// Default: no end.
    #[param(inline, value_type = Option<DateOrTimestamp>)]
    pub to: Option<String>,
    /// IANA zone of the CSV's local times and of `from`/`to` dates; default
    /// the user's own.
    #[param(value_type = Option<IanaZone>, example = "Europe/Madrid")]
    pub tz: Option<String>,
}

/// The formats an export comes in.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ExportFormatName {
    /// One JSON object a line: header, each session then its interruptions, trailer.
    Ndjson,
    /// One JSON document, interruptions nested in their sessions.
    Json,
    /// One row per interruption, plus one per session without any.
    Csv,
}

/// Export the user's history.
///
/// Streamed from the database as it is read, in constant memory, as an
/// attachment. **NDJSON** (the canonical format, which `POST
/// /users/{id}/import` takes back) has one JSON object a line, each naming
/// its `record`: a `header` (`format` `hyperfocus-export`, `version` 1,
/// `exported_at`, `user` {`id`, `name`, `email`}, `timezone`, `from`,
/// `to`), then each `session` (`id`, `start_time`, `end_time`) followed by
/// its `interruption`s (`id`, `session_id`, `type`, `description`,
/// `start_time`, `end_time`), then a `trailer` with the counts (`sessions`,
/// `interruptions`). Times are UTC; a running session or interruption has
/// `end_time` null. A file without its trailer was cut short. **JSON** is
/// the same as one document: the header's fields, `sessions` (each with its
/// `interruptions`) and `counts`. **CSV** has one row per interruption and
/// one for each session without any, with the columns `session_id`,
/// `session_start_utc`, `session_end_utc`, `session_start_local`,
/// `session_end_local`, `session_seconds`, `interruption_id`, `type`,
/// `description`, `interruption_start_utc`, `interruption_end_utc`,
/// `interruption_start_local`, `interruption_end_local`,
/// `interruption_seconds`, `local_date` (of the session's start) and
/// `timezone`; a description a spreadsheet would run as a formula (first
/// character `=`, `+`, `-`, `@`, tab or carriage return) starts with `'`.
#[utoipa::path(get, path = "/users/{user_id}/export", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), ExportParams),
    responses(
        (status = 200, description = "The file, as an attachment (`Content-Disposition`)",
            content(
                (String = "application/x-ndjson", example = "{\"record\":\"header\",\"format\":\"hyperfocus-export\",\"version\":1,\"exported_at\":\"2025-11-16T12:00:00Z\",\"user\":{\"id\":1,\"name\":\"Ana\",\"email\":\"ana@example.com\"},\"timezone\":\"Europe/Madrid\",\"from\":null,\"to\":null}\n{\"record\":\"session\",\"id\":7,\"start_time\":\"2025-11-15T09:00:00Z\",\"end_time\":\"2025-11-15T10:00:00Z\"}\n{\"record\":\"interruption\",\"id\":31,\"session_id\":7,\"type\":\"phone\",\"description\":\"\",\"start_time\":\"2025-11-15T09:10:00Z\",\"end_time\":\"2025-11-15T09:15:00Z\"}\n{\"record\":\"trailer\",\"sessions\":1,\"interruptions\":1}\n"),
                (Object = "application/json"),
                (String = "text/csv"),
            ),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"hyperfocus-export-2025-11-16.ndjson\"`"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ))]
pub async fn get_export(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> AppResult<Response> {
    auth.require_self(user_id)?;
    let request = ExportRequest::parse(
        params.format.as_deref(),
        params.from.as_deref(),
        params.to.as_deref(),
        params.tz.as_deref(),
        (&auth.timezone, auth.days.day_start),
    )?;
    stream(&state, user_id, &request).await
}

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
