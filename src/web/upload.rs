//! Settings → Your data → Import: a file uploaded from the page, read and
//! imported exactly as `POST /users/{id}/import` does, with the outcome
//! shown by the form: what was added, or every error the server listed,
//! by line, in the account's zone and the person's words.

use std::sync::LazyLock;

use axum::{
    extract::{FromRequest, FromRequestParts, Multipart, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use jiff::tz::TimeZone;
use regex::Regex;

use super::{
    Flash, Visitor, WebError,
    session::{self, check_same_site},
    settings::{settings, shown_here},
};
use crate::{
    domain::{FieldError, RuleViolation, import::ImportFormat},
    error::AppError,
    services::imports::{MAX_IMPORT_BYTES, run},
    services::state::AppState,
};

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

/// Imports the uploaded file and goes back to Settings with what it did;
/// a refused file is answered with Settings and the reasons by the form.
pub async fn import(State(state): State<AppState>, request: Request) -> Response {
    match receive(&state, request).await {
        Ok((visitor, upload)) => {
            let outcome = import_file(&state, &visitor, upload).await;
            match outcome {
                Ok(notice) => session::back("/app/settings?at=import", Flash::notice(notice)),
                Err(refusal) => match settings(&state, &visitor).await {
                    Ok(mut page) => {
                        page.import_refused = Some(refusal);
                        let mut response = shown_here(&page, &visitor);
                        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                        response
                    }
                    Err(e) => e.into_response(),
                },
            }
        }
        Err(error) => error.into_response(),
    }
}

/// Why nothing was imported: a sentence, and each error of the file.
pub struct ImportRefusal {
    /// "Nothing was imported from focus.csv." and what to do.
    pub lead: String,
    /// Each error, "Line 3: …".
    pub errors: Vec<String>,
}

impl ImportRefusal {
    fn just(lead: impl Into<String>) -> Self {
        Self {
            lead: lead.into(),
            errors: Vec::new(),
        }
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
) -> Result<String, ImportRefusal> {
    if upload.bytes.is_empty() {
        return Err(ImportRefusal::just("Choose a file to import first."));
    }
    if upload.bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportRefusal::just(
            "The file is larger than 64 MiB, the most one import takes; split it by date.",
        ));
    }
    let format = format_of(&upload).map_err(ImportRefusal::just)?;
    let counts = run(
        state,
        visitor.user_id(),
        format,
        upload.bytes,
        visitor.zone().zone(),
        upload.dry_run,
    )
    .await
    .map_err(|error| refusal(&upload.file_name, error, &visitor.zone().zone()))?;
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

fn refusal(file: &str, error: AppError, zone: &TimeZone) -> ImportRefusal {
    match error {
        AppError::Rule(RuleViolation::Invalid(errors)) => ImportRefusal {
            lead: format!(
                "Nothing was imported from {file}: {} to put right, then import it again.",
                match errors.len() {
                    1 => "1 thing".to_owned(),
                    n => format!("{n} things"),
                }
            ),
            errors: errors.iter().map(|e| in_words(e, zone)).collect(),
        },
        other => ImportRefusal::just(format!(
            "Nothing was imported from {file}: {}",
            sentence(&plain(&other.detail(), zone))
        )),
    }
}

/// One error of a file as a person reads it: "Line 3: the end time must
/// be after the start time (Sat 15 Nov 2025, 10:00)".
fn in_words(error: &FieldError, zone: &TimeZone) -> String {
    let (place, field) = match error.field.split_once(": ") {
        Some((place, field)) => (place, Some(field)),
        None if error.field.starts_with("line ") || error.field == "file" => {
            (error.field.as_str(), None)
        }
        None => ("file", Some(error.field.as_str())),
    };
    let place = match place {
        "file" => "The file".to_owned(),
        line => capitalised(line),
    };
    let message = plain(&error.message, zone);
    match field {
        Some(field) => sentence(&format!("{place}: the {} {message}", field_words(field))),
        None => sentence(&format!("{place}: {message}")),
    }
}

/// A field of a file as the page names it.
fn field_words(field: &str) -> String {
    match field {
        "description" | "session_note" | "note" => "note".to_owned(),
        "start_time" | "start_utc" | "start" => "start time".to_owned(),
        "end_time" | "end_utc" | "end" => "end time".to_owned(),
        "session_id" => "session it belongs to".to_owned(),
        other => other.replace('_', " "),
    }
}

/// A server message with UTC times in the account's zone, field names and
/// ids in words, and quoted values in quotation marks.
fn plain(text: &str, zone: &TimeZone) -> String {
    static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b").expect("a valid pattern")
    });
    static STORED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"stored session \d+").expect("a valid pattern"));
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"`([^`]*)`").expect("a valid pattern"));
    static SNAKE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[a-z]+(?:_[a-z]+)+\b").expect("a valid pattern"));
    let local = TIMESTAMP.replace_all(text, |found: &regex::Captures<'_>| {
        found[0].parse::<jiff::Timestamp>().map_or_else(
            |_| found[0].to_owned(),
            |at| {
                at.to_zoned_datetime(zone.clone())
                    .strftime("%a %-d %b %Y, %H:%M")
                    .to_string()
            },
        )
    });
    let stored = STORED.replace_all(&local, "a session already here");
    let quoted = QUOTED.replace_all(&stored, "“$1”");
    SNAKE
        .replace_all(&quoted, |found: &regex::Captures<'_>| {
            field_words(&found[0])
        })
        .replace("description", "note")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// Ends with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_a_file_are_said_in_the_zone_and_words_of_the_person() {
        let madrid = jiff::tz::TimeZone::get("Europe/Madrid").unwrap();
        let said = |field: &str, message: &str| in_words(&FieldError::new(field, message), &madrid);
        assert_eq!(
            said(
                "line 3: end_time",
                "must be after start_time (2025-11-15T09:00:00Z)"
            ),
            "Line 3: the end time must be after start time (Sat 15 Nov 2025, 10:00)."
        );
        assert_eq!(
            said(
                "line 2: start_time",
                "overlaps stored session 1 (2025-11-15T09:00:00Z to 2025-11-15T10:00:00Z)"
            ),
            "Line 2: the start time overlaps a session already here (Sat 15 Nov 2025, 10:00 to Sat 15 Nov 2025, 11:00)."
        );
        assert_eq!(
            said(
                "line 4: description",
                "must be at most 500 characters (got 501)"
            ),
            "Line 4: the note must be at most 500 characters (got 501)."
        );
        assert_eq!(
            said("line 1", "is not JSON: expected value"),
            "Line 1: is not JSON: expected value."
        );
        assert_eq!(
            said("line 5: type", "`phone call` is not a type"),
            "Line 5: the type “phone call” is not a type."
        );
        let text = said("line 3: end_time", "x 2025-11-15T09:00:00Z");
        assert!(!text.contains("Z)") && !text.contains('_'), "{text}");
    }
}
