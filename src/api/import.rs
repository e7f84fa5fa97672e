//! `/users/{user_id}/import`: a history brought back, all or nothing.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, State, rejection::BytesRejection},
    http::header,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    docs::{Forbidden, IanaZone, Invalid, Unauthorized},
    extract::{ApiQuery, Auth, PathId, is_length_limit},
};
use crate::{
    domain::{import::ImportFormat, time::TimeZoneName},
    error::{AppError, AppResult},
    services::imports,
    services::state::AppState,
};

pub use crate::services::imports::MAX_IMPORT_BYTES;

/// The import's query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's format; default from the body's `Content-Type`
    /// (`application/x-ndjson`, `application/json` or `text/csv`; another
    /// is a 415). A JSON array is read as `timew export`, and a CSV file as
    /// ours, Toggl's or Clockify's by its header row.
    #[param(inline, value_type = Option<ImportFormatName>)]
    pub format: Option<String>,
    /// IANA zone of the local times in a Toggl or Clockify file; default
    /// the user's own.
    #[param(value_type = Option<IanaZone>, example = "Europe/Madrid")]
    pub tz: Option<String>,
    /// `true` checks the file and answers what an import would do, writing
    /// nothing.
    pub dry_run: Option<bool>,
}

/// The formats an import reads.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ImportFormatName {
    /// As `GET …/export` writes it.
    Ndjson,
    /// As `GET …/export?format=json` writes it, or `timew export`.
    Json,
    /// As `GET …/export?format=csv` writes it, or a Toggl or Clockify
    /// detailed report.
    Csv,
    /// A Toggl Track detailed report (CSV).
    Toggl,
    /// A Clockify detailed report (CSV).
    Clockify,
    /// `timew export` (JSON).
    Timewarrior,
}

/// What an import did, or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Sessions added.
    pub sessions_added: u64,
    /// Interruptions added, with those sessions.
    pub interruptions_added: u64,
    /// Sessions of the file already stored (same start and end), left alone.
    pub sessions_matched: u64,
}

/// An import's JSON body: our export document, or `timew export`'s array.
/// (Documentation only: the file is read record by record by
/// `domain::import`, which holds every rule written here.)
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ImportJsonIn {
    /// `GET …/export?format=json`.
    Export(ImportDocumentIn),
    /// `timew export`.
    Timewarrior(Vec<TimewarriorIntervalIn>),
}

/// An export document. Other members an export carries (`exported_at`,
/// `user`, `timezone`, `from`, `to`, `counts`) may be there and are not
/// read.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportDocumentIn {
    /// `hyperfocus-export`.
    #[schema(example = "hyperfocus-export", pattern = "^hyperfocus-export$")]
    pub format: String,
    /// The export format's version: 1.
    #[schema(minimum = 1, maximum = 1)]
    pub version: i64,
    /// The sessions, each with its interruptions.
    pub sessions: Vec<ImportSessionIn>,
}

/// A session of an export.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportSessionIn {
    /// The id it had where it was exported; not kept.
    #[schema(nullable = false)]
    pub id: Option<i64>,
    /// When it started (RFC 3339 with an offset).
    #[schema(format = DateTime, example = "2025-11-15T09:00:00Z")]
    pub start_time: String,
    /// When it ended. Left out for a session running when it was exported
    /// (an export writes `null`, which reads the same); such a session only
    /// matches the same running session.
    #[schema(nullable = false, format = DateTime, example = "2025-11-15T10:00:00Z")]
    pub end_time: Option<String>,
    /// What it was for, at most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    pub note: Option<String>,
    /// Its interruptions, each closed and inside it.
    #[schema(nullable = false)]
    pub interruptions: Option<Vec<ImportInterruptionIn>>,
}

/// An interruption of an exported session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportInterruptionIn {
    /// The id it had where it was exported; not kept.
    #[schema(nullable = false)]
    pub id: Option<i64>,
    /// Its session's id in the file; if given, the session it sits in.
    #[schema(nullable = false)]
    pub session_id: Option<i64>,
    /// Its type.
    #[serde(rename = "type")]
    #[schema(value_type = crate::domain::interruption::InterruptionKind)]
    pub kind: String,
    /// Its note, at most 500 characters.
    #[schema(nullable = false, max_length = 500)]
    pub description: Option<String>,
    /// When it started.
    #[schema(format = DateTime)]
    pub start_time: String,
    /// When it ended: only closed interruptions are imported.
    #[schema(format = DateTime)]
    pub end_time: String,
}

/// An interval of `timew export`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct TimewarriorIntervalIn {
    /// Its start, `20240115T090000Z`.
    #[schema(example = "20240115T090000Z")]
    pub start: String,
    /// Its end; a running interval (without one) is refused.
    #[schema(example = "20240115T100000Z")]
    pub end: String,
    /// `interrupt:TYPE` makes it an interruption.
    #[schema(nullable = false)]
    pub tags: Option<Vec<String>>,
    /// Becomes the note.
    #[schema(nullable = false)]
    pub annotation: Option<String>,
}

/// The raw file, up to [`MAX_IMPORT_BYTES`].
pub struct ImportBody {
    bytes: Bytes,
    content_type: Option<String>,
}

impl<S: Send + Sync> FromRequest<S> for ImportBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(e) if is_length_limit(&e) => {
                        AppError::PayloadTooLarge
                    }
                    other => AppError::BadRequest(format!(
                        "the file could not be read: {}",
                        other.body_text()
                    )),
                })?;
        Ok(Self {
            bytes,
            content_type,
        })
    }
}

/// Import a history.
///
/// Takes an export of `GET /users/{id}/export` (NDJSON or JSON) and adds
/// its sessions and their interruptions to this user, **all or nothing**:
/// one error anywhere and nothing is written. Every rule of the API holds
/// (sessions finished and not overlapping each other or stored ones,
/// interruptions closed, inside their session and not overlapping, known
/// types, notes of at most 500 characters), and every error of the file is
/// listed in one answer, in `errors`, with where it is (`line 12:
/// start_time`, or `sessions[3].interruptions[0]: type` in JSON): each
/// record's own fields, overlaps within the file and with stored sessions,
/// interruptions outside their session — a bad record does not hide the
/// others. The first 100 are listed, in file order; past them a last entry
/// (`file`) says how many more there are. A session with exactly the
/// start and end of a stored one is that session and is left as it is, so
/// importing an export again adds nothing. An NDJSON file must open with its
/// header and end with its trailer, whose counts must match (a cut file is
/// refused). Ids in the file are not kept: the server gives new ones. At
/// most 64 MiB and 2,000,000 records; one import per user at a time (409).
/// Imported changes are not sent as live events: refetch after an import.
#[utoipa::path(post, path = "/users/{user_id}/import", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, minimum = 1, description = "User id"), ImportParams),
    request_body(content(
        (String = "application/x-ndjson"),
        (ImportJsonIn = "application/json"),
        (String = "text/csv"),
    ), description = "The export file (or another tracker's, by `format`)"),
    responses(
        (status = 200, description = "What was added (or, on a dry run, would be)", body = ImportOut),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, description = "Another import of this user is running", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 64 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither `format` nor the `Content-Type` says which file this is", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, response = Invalid),
    ))]
pub async fn create_import(
    State(state): State<AppState>,
    auth: Auth,
    PathId(user_id): PathId,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: ImportBody,
) -> AppResult<axum::Json<ImportOut>> {
    auth.require_self(user_id)?;
    let format = ImportFormat::choose(params.format.as_deref(), body.content_type.as_deref())?
        .ok_or_else(|| {
            AppError::UnsupportedMediaType(
                "send the file as application/x-ndjson, application/json or text/csv, or name it with ?format= (ndjson, json, csv, toggl, clockify or timewarrior)".into(),
            )
        })?;
    let zone = match &params.tz {
        Some(raw) => TimeZoneName::parse("tz", raw)?,
        None => auth.timezone.clone(),
    }
    .zone();
    let dry_run = params.dry_run.unwrap_or(false);
    let counts = imports::run(&state, user_id, format, body.bytes, zone, dry_run).await?;
    Ok(axum::Json(ImportOut {
        dry_run,
        sessions_added: counts.sessions_added,
        interruptions_added: counts.interruptions_added,
        sessions_matched: counts.sessions_matched,
    }))
}
