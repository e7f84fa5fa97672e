//! Settings → Your data → Import: a file uploaded from the page, read and
//! imported exactly as `POST /users/{id}/import` does, with the outcome (or
//! the first errors, by line and field) shown on the page.

use axum::{
    extract::{FromRequest, FromRequestParts, Multipart, Request, State},
    response::Response,
};

use super::{
    Flash, Visitor, WebError,
    session::{self, check_same_site},
};
use crate::{
    domain::{RuleViolation, import::ImportFormat},
    error::AppError,
    services::imports::{MAX_IMPORT_BYTES, run},
    services::state::AppState,
};

/// Errors shown on the page before the rest are counted.
const SHOWN_ERRORS: usize = 5;

/// The form's fields.
#[derive(Default)]
struct Upload {
    csrf: String,
    dry_run: bool,
    format: Option<String>,
    file_name: String,
    file_type: Option<String>,
    bytes: axum::body::Bytes,
}

/// Imports the uploaded file and goes back to Settings with what it did.
pub async fn import(State(state): State<AppState>, request: Request) -> Response {
    match receive(&state, request).await {
        Ok((visitor, upload)) => {
            let outcome = import_file(&state, &visitor, upload).await;
            match outcome {
                Ok(notice) => session::back("/app/settings", Flash::notice(notice)),
                Err(message) => session::back("/app/settings", Flash::error(message)),
            }
        }
        Err(error) => axum::response::IntoResponse::into_response(error),
    }
}

async fn receive(state: &AppState, request: Request) -> Result<(Visitor, Upload), WebError> {
    check_same_site(request.headers())?;
    let (mut parts, body) = request.into_parts();
    let visitor = Visitor::from_request_parts(&mut parts, state).await?;
    let mut form = Multipart::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|e| WebError::BadForm(e.body_text()))?;
    let mut upload = Upload::default();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::BadForm(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                upload.file_type = field.content_type().map(str::to_owned);
                upload.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadForm(e.body_text()))?;
            }
            "csrf" => upload.csrf = field.text().await.unwrap_or_default(),
            "dry_run" => upload.dry_run = true,
            "format" => upload.format = field.text().await.ok().filter(|f| f != "auto"),
            _ => {}
        }
    }
    if !visitor.session.csrf_matches(&upload.csrf) {
        return Err(WebError::Forbidden(
            "this form has expired or was not sent by HyperFocus; reload the page and try again",
        ));
    }
    visitor.require_write()?;
    Ok((visitor, upload))
}

/// What to tell the person: what was (or would be) added, or why nothing
/// was.
async fn import_file(
    state: &AppState,
    visitor: &Visitor,
    upload: Upload,
) -> Result<String, String> {
    if upload.bytes.is_empty() {
        return Err("Choose a file to import first.".into());
    }
    if upload.bytes.len() > MAX_IMPORT_BYTES {
        return Err(
            "The file is larger than 64 MiB, the most one import takes; split it by date.".into(),
        );
    }
    let format = format_of(&upload)?;
    let counts = run(
        state,
        visitor.user_id(),
        format,
        upload.bytes,
        visitor.zone().zone(),
        upload.dry_run,
    )
    .await
    .map_err(|error| refusal(&upload.file_name, error))?;
    let verb = if upload.dry_run { "would add" } else { "added" };
    let was = if counts.sessions_matched == 1 {
        "session was"
    } else {
        "sessions were"
    };
    Ok(format!(
        "{}: {verb} {} and {}; {} {was} already there.{}",
        upload.file_name,
        counted(counts.sessions_added, "session"),
        counted(counts.interruptions_added, "interruption"),
        counts.sessions_matched,
        if upload.dry_run {
            " Nothing was written."
        } else {
            ""
        }
    ))
}

/// `1 session`, `2 sessions`.
fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The chosen format, else the file's name or type.
fn format_of(upload: &Upload) -> Result<ImportFormat, String> {
    let by_name = match upload
        .file_name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("ndjson" | "jsonl") => Some(ImportFormat::Ndjson),
        Some("json") => Some(ImportFormat::Json),
        Some("csv") => Some(ImportFormat::Csv),
        _ => None,
    };
    match ImportFormat::choose(upload.format.as_deref(), upload.file_type.as_deref()) {
        Ok(Some(format)) if upload.format.is_some() => Ok(format),
        Ok(by_type) => by_name.or(by_type).ok_or_else(|| {
            format!(
                "Cannot tell what {} is from its name; choose its format.",
                upload.file_name
            )
        }),
        Err(error) => Err(error.message),
    }
}

fn refusal(file: &str, error: AppError) -> String {
    match error {
        AppError::Rule(RuleViolation::Invalid(errors)) => {
            let shown: Vec<String> = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            let more = errors.len().saturating_sub(SHOWN_ERRORS);
            let rest = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            format!(
                "Nothing was imported from {file}: {}{rest}.",
                shown.join("; ")
            )
        }
        other => format!("Nothing was imported from {file}: {}", other.detail()),
    }
}
