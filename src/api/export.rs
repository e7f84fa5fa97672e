//! `/users/{user_id}/export`: the user's whole history as a file, streamed.

use axum::{extract::State, response::Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{Forbidden, IanaZone, Invalid, Unauthorized},
    extract::{ApiQuery, Auth, PathId},
    stats::DateOrTimestamp,
};
use crate::{
    domain::export::ExportRequest, error::AppResult, services::exports, services::state::AppState,
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
/// `timezone`, then `session_note`; a description or note a spreadsheet
/// would run as a formula (first character `=`, `+`, `-`, `@`, tab or
/// carriage return) starts with `'`, and so does one that itself starts
/// with `'` (`'quoted` is written `''quoted`), so that an import takes
/// exactly one `'` off and gives every text back as it was typed.
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
    exports::stream(&state, user_id, &request).await
}
