//! Bringing a history back: parsing an export (NDJSON or JSON, as
//! [`super::export`] writes them) into sessions, checking every rule the
//! API holds, and placing them beside the sessions already stored.
//!
//! Files from other trackers (Toggl and Clockify CSV, `timew export` JSON)
//! and our own CSV are read by [`trackers`] and [`table`] into the same
//! sessions, under the same checks.
//!
//! Import is all or nothing: any error anywhere refuses the whole file,
//! and every error is reported with its line (NDJSON) or its record's path
//! (JSON) and field. Sessions are matched by their times: a session of the
//! file with exactly the start and end of a stored one is that session, so
//! importing one's own export again adds nothing.

mod table;
mod trackers;

use std::collections::BinaryHeap;

use jiff::{Timestamp, tz::TimeZone};
use serde::{Deserialize, de::DeserializeOwned};

use super::{
    FieldError, RuleViolation,
    export::{FORMAT_NAME, FORMAT_VERSION},
    interruption::{InterruptionKind, MAX_DESCRIPTION_CHARS},
    json,
    session::parse_note,
    time::{RFC3339_SECONDS, whole_seconds},
};

/// The most records (sessions and interruptions) one import takes: ten
/// years of heavy use is under 300,000.
pub const MAX_RECORDS: usize = 2_000_000;
/// Errors listed before the rest are summed up in one line.
pub const MAX_LISTED_ERRORS: usize = 100;

/// Which file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// One record a line, as `GET …/export` writes by default.
    Ndjson,
    /// One document, as `GET …/export?format=json` writes; a top-level
    /// array is `timew export`.
    Json,
    /// A CSV file: ours (`GET …/export?format=csv`), or Toggl's or
    /// Clockify's, told apart by the header row.
    Csv,
    /// A Toggl Track detailed report, as CSV.
    Toggl,
    /// A Clockify detailed report, as CSV.
    Clockify,
    /// `timew export`.
    Timewarrior,
}

/// The names `?format=` takes.
pub const FORMAT_NAMES: &str = "ndjson, json, csv, toggl, clockify or timewarrior";

impl ImportFormat {
    /// The format of `format` (the query), else of the body's media type;
    /// `Ok(None)` when neither says (the media type is another).
    pub fn choose(
        format: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<Option<Self>, FieldError> {
        let from_type = || {
            let media = content_type?.split(';').next()?.trim().to_ascii_lowercase();
            match media.as_str() {
                "application/json" => Some(Self::Json),
                "application/x-ndjson" | "application/jsonl" | "application/ndjson" => {
                    Some(Self::Ndjson)
                }
                "text/csv" => Some(Self::Csv),
                _ => None,
            }
        };
        match format {
            Some("ndjson") => Ok(Some(Self::Ndjson)),
            Some("json") => Ok(Some(Self::Json)),
            Some("csv") => Ok(Some(Self::Csv)),
            Some("toggl") => Ok(Some(Self::Toggl)),
            Some("clockify") => Ok(Some(Self::Clockify)),
            Some("timewarrior") => Ok(Some(Self::Timewarrior)),
            Some(other) => Err(FieldError::new(
                "format",
                format!(
                    "{} is not a format to import; use {FORMAT_NAMES}",
                    super::quote(other)
                ),
            )),
            None => Ok(from_type()),
        }
    }
}

/// A session of the file, checked on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSession {
    /// Where it is in the file, for errors: `line 12` or `sessions[3]`.
    pub at: String,
    /// Its start.
    pub start: Timestamp,
    /// Its end; `None` for a session still running when exported.
    pub end: Option<Timestamp>,
    /// Its note.
    pub note: String,
    /// Its interruptions, by start.
    pub interruptions: Vec<ImportInterruption>,
}

/// An interruption of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportInterruption {
    /// Where it is in the file.
    pub at: String,
    /// Its type.
    pub kind: InterruptionKind,
    /// Its note.
    pub description: String,
    /// Its start.
    pub start: Timestamp,
    /// Its end.
    pub end: Timestamp,
}

/// A stored session, as placing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredSession {
    /// Its id.
    pub id: i64,
    /// Its start.
    pub start: Timestamp,
    /// Its end; `None` while it runs.
    pub end: Option<Timestamp>,
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Sessions added.
    pub sessions_added: u64,
    /// Interruptions added (those of the added sessions).
    pub interruptions_added: u64,
    /// Sessions of the file that were already stored, left as they are.
    pub sessions_matched: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRecord {
    #[serde(default)]
    id: Option<i64>,
    start_time: String,
    end_time: Option<String>,
    #[serde(default)]
    note: Option<String>,
    // Only NDJSON looks at it, to refuse it there; JSON reads each
    // interruption on its own.
    #[serde(default)]
    interruptions: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterruptionRecord {
    // Accepted and not kept: ids are the server's to give.
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<i64>,
    #[serde(default)]
    session_id: Option<i64>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    description: Option<String>,
    start_time: String,
    end_time: Option<String>,
}

/// A file read: the sessions whose times could be read, to be checked
/// against each other and placed beside the stored ones, and every error
/// found so far. Errors do not stop the reading: every line and field of a
/// file is checked, so that one answer lists them all.
#[derive(Clone)]
pub struct ImportFile {
    /// The sessions with readable times, by start.
    pub sessions: Vec<ImportSession>,
    errors: Errors,
}

impl ImportFile {
    /// Sessions made without a file (the demo's history), checked against
    /// each other.
    pub fn from_sessions(sessions: Vec<ImportSession>) -> Self {
        check_sessions(sessions, Errors::default())
    }

    /// A file that cannot be read at all (not a CSV header, not JSON).
    fn refused(error: FieldError) -> Self {
        let mut errors = Errors::default();
        errors.push_error(error);
        Self {
            sessions: Vec::new(),
            errors,
        }
    }

    /// Whether the file broke no rule on its own.
    pub fn is_valid(&self) -> bool {
        self.errors.seen == 0
    }

    /// Its sessions, or every error listed.
    pub fn into_sessions(self) -> Result<Vec<ImportSession>, RuleViolation> {
        self.errors.finish(self.sessions)
    }
}

/// An error with where it is in the file, for ordering.
#[derive(Debug, Clone)]
struct Listed {
    /// The numbers in its place (`line 12` → 12, `sessions[3].interruptions[1]`
    /// → 3, 1; `file` → nothing, so it comes first).
    position: Vec<u64>,
    /// The order it was found in, among errors of one place.
    found: usize,
    error: FieldError,
}

impl Listed {
    fn key(&self) -> (&[u64], usize) {
        (&self.position, self.found)
    }
}

impl PartialEq for Listed {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Listed {}

impl PartialOrd for Listed {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Listed {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// Every error of a file, in file order: the first [`MAX_LISTED_ERRORS`]
/// are kept (a heap of the earliest so far), the rest only counted, so a
/// file of a million bad lines costs no more memory than one of a hundred.
#[derive(Default, Clone)]
struct Errors {
    kept: BinaryHeap<Listed>,
    seen: usize,
}

impl Errors {
    fn push(&mut self, at: &str, field: &str, message: impl Into<String>) {
        let field = if field.is_empty() {
            at.to_owned()
        } else {
            format!("{at}: {field}")
        };
        self.push_error(FieldError::new(field, message));
    }

    fn push_error(&mut self, error: FieldError) {
        self.seen += 1;
        let listed = Listed {
            position: position_of(&error.field),
            found: self.seen,
            error,
        };
        if self.kept.len() < MAX_LISTED_ERRORS {
            self.kept.push(listed);
        } else if self.kept.peek().is_some_and(|last| listed < *last) {
            self.kept.pop();
            self.kept.push(listed);
        }
    }

    fn finish<T>(self, value: T) -> Result<T, RuleViolation> {
        if self.seen == 0 {
            return Ok(value);
        }
        let mut listed: Vec<FieldError> = self
            .kept
            .into_sorted_vec()
            .into_iter()
            .map(|listed| listed.error)
            .collect();
        let more = self.seen - listed.len();
        if more > 0 {
            listed.push(FieldError::new(
                "file",
                format!(
                    "{more} more errors are not listed: only the first {MAX_LISTED_ERRORS} are, in file order; fix these and import again to see the rest"
                ),
            ));
        }
        Err(RuleViolation::Invalid(listed))
    }
}

/// The numbers in an error's place, in order.
fn position_of(at: &str) -> Vec<u64> {
    at.split(|c: char| !c.is_ascii_digit())
        .filter(|digits| !digits.is_empty())
        .map(|digits| digits.parse().unwrap_or(u64::MAX))
        .collect()
}

/// Reads a file into sessions, checking every rule a file can break on its
/// own (times, order, types, notes, interruptions inside their session, no
/// overlaps); placing the sessions beside stored ones is [`place`].
///
/// `zone` is where the local times of other trackers' files are read
/// (theirs carry no offset); our own files carry UTC.
pub fn read(format: ImportFormat, body: &[u8], zone: &TimeZone) -> ImportFile {
    match format {
        ImportFormat::Ndjson => parse_ndjson(body),
        ImportFormat::Json if body.trim_ascii_start().starts_with(b"[") => {
            trackers::parse_timewarrior(body)
        }
        ImportFormat::Json => parse_json(body),
        ImportFormat::Csv if table::is_ours(body) => table::parse(body),
        ImportFormat::Csv | ImportFormat::Toggl | ImportFormat::Clockify => {
            trackers::parse_csv(body, zone)
        }
        ImportFormat::Timewarrior => trackers::parse_timewarrior(body),
    }
}

/// [`read`], then the sessions or every error of the file.
pub fn parse(
    format: ImportFormat,
    body: &[u8],
    zone: &TimeZone,
) -> Result<Vec<ImportSession>, RuleViolation> {
    read(format, body, zone).into_sessions()
}

/// A record of the file, or the field at fault and what is wrong with it.
fn record_of<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = json::explain(&error.into_inner().to_string());
        let field = if path == "." {
            named_field(&message).unwrap_or_default()
        } else {
            path
        };
        (field, message)
    })
}

/// The field serde names in a message about a missing or unknown field.
fn named_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

/// What an NDJSON file says of itself, to hold against its trailer.
#[derive(Default)]
struct Tally {
    sessions: usize,
    interruptions: usize,
    /// Lines that are no record at all, which may have been either.
    unreadable: usize,
}

fn parse_ndjson(body: &[u8]) -> ImportFile {
    let body = json::whole_numbers(body);
    let mut errors = Errors::default();
    // `None` for a session whose times cannot be read: its interruptions'
    // own fields are still checked, but they belong to nothing to check
    // them against.
    let mut sessions: Vec<Option<ImportSession>> = Vec::new();
    let mut file_ids: Vec<Option<i64>> = Vec::new();
    let mut header = false;
    let mut trailer: Option<(String, serde_json::Value)> = None;
    let mut tally = Tally::default();
    let mut records = 0_usize;
    for (index, raw) in body.split(|&b| b == b'\n').enumerate() {
        let at = format!("line {}", index + 1);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let Some((trailer_at, _)) = &trailer {
            errors.push(
                &at,
                "",
                format!("comes after the trailer ({trailer_at}), which ends the file"),
            );
            break;
        }
        records += 1;
        if records > MAX_RECORDS + 2 {
            errors.push(
                &at,
                "",
                format!("the file holds more than {MAX_RECORDS} records; split it"),
            );
            break;
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            tally.unreadable += 1;
            errors.push(&at, "", "is not valid UTF-8");
            continue;
        };
        let mut value: serde_json::Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => {
                tally.unreadable += 1;
                errors.push(&at, "", format!("is not JSON: {e}"));
                continue;
            }
        };
        let record = value
            .as_object_mut()
            .and_then(|o| o.remove("record"))
            .and_then(|r| r.as_str().map(str::to_owned));
        match record.as_deref() {
            Some("header") if !header && index == first_line(&body) => {
                header = true;
                check_header(&at, &value, &mut errors);
            }
            Some("header") => errors.push(
                &at,
                "record",
                "a header must be the file's first line, and only one",
            ),
            Some("session") => {
                tally.sessions += 1;
                match record_of::<SessionRecord>(value) {
                    Ok(session) => {
                        if session.interruptions.is_some() {
                            errors.push(
                                &at,
                                "interruptions",
                                "in NDJSON, interruptions are lines of their own after their session",
                            );
                        }
                        file_ids.push(session.id);
                        sessions.push(read_session(&at, &session, &mut errors));
                    }
                    Err((field, message)) => {
                        errors.push(&at, &field, message);
                        file_ids.push(None);
                        sessions.push(None);
                    }
                }
            }
            Some("interruption") => {
                tally.interruptions += 1;
                let record = match record_of::<InterruptionRecord>(value) {
                    Ok(record) => record,
                    Err((field, message)) => {
                        errors.push(&at, &field, message);
                        continue;
                    }
                };
                let interruption = read_interruption(&at, &record, &mut errors);
                let Some(session) = sessions.last_mut() else {
                    errors.push(&at, "", "an interruption must follow its session's line");
                    continue;
                };
                let expected = file_ids.last().copied().flatten();
                if let (Some(expected), Some(given)) = (expected, record.session_id)
                    && expected != given
                {
                    errors.push(&at, "session_id", format!("is {given}, but the session before this line is {expected}; each interruption follows its own session"));
                    continue;
                }
                if let (Some(session), Some(interruption)) = (session, interruption) {
                    session.interruptions.push(interruption);
                }
            }
            Some("trailer") => trailer = Some((at, value)),
            Some(other) => {
                tally.unreadable += 1;
                errors.push(
                    &at,
                    "record",
                    format!(
                        "{} is not a record; use header, session, interruption or trailer",
                        super::quote(other)
                    ),
                );
            }
            None => {
                tally.unreadable += 1;
                errors.push(
                    &at,
                    "record",
                    "is missing: each line names its record (header, session, interruption or trailer)",
                );
            }
        }
    }
    if !header {
        errors.push(
            "line 1",
            "record",
            "the file must open with its header line (record \"header\")",
        );
    }
    match &trailer {
        None => errors.push(
            "file",
            "",
            "has no trailer line: it was cut short, or is not an export",
        ),
        // A line that is no record may have been a session or an
        // interruption: the counts then mean nothing.
        Some((at, value)) if tally.unreadable == 0 => check_trailer(at, value, &tally, &mut errors),
        Some(_) => {}
    }
    check_sessions(sessions.into_iter().flatten().collect(), errors)
}

fn first_line(body: &[u8]) -> usize {
    body.split(|&b| b == b'\n')
        .position(|line| !line.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(0)
}

fn check_header(at: &str, value: &serde_json::Value, errors: &mut Errors) {
    if value["format"] != FORMAT_NAME {
        errors.push(
            at,
            "format",
            format!("must be {FORMAT_NAME:?}: this is not a HyperFocus export"),
        );
    }
    match value["version"].as_u64() {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => errors.push(
            at,
            "version",
            format!("{v} is not a version this server reads (it reads {FORMAT_VERSION})"),
        ),
        None => errors.push(at, "version", "is missing"),
    }
}

fn check_trailer(at: &str, value: &serde_json::Value, tally: &Tally, errors: &mut Errors) {
    for (field, counted) in [
        ("sessions", tally.sessions),
        ("interruptions", tally.interruptions),
    ] {
        match value[field].as_u64() {
            Some(n) if usize::try_from(n) == Ok(counted) => {}
            Some(n) => errors.push(
                at,
                field,
                format!("says {n}, but the file holds {counted}: it was cut or changed"),
            ),
            None => errors.push(at, field, "is missing"),
        }
    }
}

/// Reads the JSON document (`format`, `version`, `sessions`) one session
/// at a time, so that a bad record is an error of its own and the file is
/// never held twice in memory.
fn parse_json(body: &[u8]) -> ImportFile {
    let body = json::whole_numbers(body);
    let mut document = DocumentReader::default();
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let read = serde::de::DeserializeSeed::deserialize(&mut document, &mut deserializer)
        .and_then(|()| deserializer.end());
    if let Err(e) = read {
        return ImportFile::refused(FieldError::new("file", format!("is not valid: {e}")));
    }
    let DocumentReader {
        mut errors,
        sessions,
        format,
        version,
        has_sessions,
        ..
    } = document;
    if format.as_ref().and_then(serde_json::Value::as_str) != Some(FORMAT_NAME) {
        errors.push(
            "file",
            "format",
            format!("must be {FORMAT_NAME:?}: this is not a HyperFocus export"),
        );
    }
    if version.as_ref().and_then(serde_json::Value::as_u64) != Some(u64::from(FORMAT_VERSION)) {
        errors.push("file", "version", format!("must be {FORMAT_VERSION}"));
    }
    if !has_sessions {
        errors.push(
            "file",
            "sessions",
            "is missing: an export lists its sessions in `sessions`",
        );
    }
    check_sessions(sessions, errors)
}

/// What [`parse_json`] gathers while serde walks the document.
#[derive(Default)]
struct DocumentReader {
    errors: Errors,
    sessions: Vec<ImportSession>,
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
    has_sessions: bool,
    records: usize,
}

impl DocumentReader {
    /// Reads `sessions[n]` with its interruptions.
    fn session(&mut self, n: usize, mut value: serde_json::Value) {
        let at = format!("sessions[{n}]");
        let interruptions = value
            .as_object_mut()
            .and_then(|o| o.remove("interruptions"));
        let interruptions = match interruptions {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::Array(items)) => items,
            Some(_) => {
                self.errors
                    .push(&at, "interruptions", "must be a list of interruptions");
                Vec::new()
            }
        };
        self.records += 1 + interruptions.len();
        if self.records > MAX_RECORDS {
            return;
        }
        let record = record_of::<SessionRecord>(value)
            .map_err(|(field, message)| self.errors.push(&at, &field, message))
            .ok();
        let mut session = record
            .as_ref()
            .and_then(|record| read_session(&at, record, &mut self.errors));
        for (k, item) in interruptions.into_iter().enumerate() {
            let at = format!("{at}.interruptions[{k}]");
            let interruption = match record_of::<InterruptionRecord>(item) {
                Ok(interruption) => interruption,
                Err((field, message)) => {
                    self.errors.push(&at, &field, message);
                    continue;
                }
            };
            if let (Some(expected), Some(given)) =
                (record.as_ref().and_then(|r| r.id), interruption.session_id)
                && expected != given
            {
                self.errors.push(
                    &at,
                    "session_id",
                    format!("is {given}, but it sits in session {expected}"),
                );
            }
            let read = read_interruption(&at, &interruption, &mut self.errors);
            if let (Some(session), Some(read)) = (session.as_mut(), read) {
                session.interruptions.push(read);
            }
        }
        self.sessions.extend(session);
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut DocumentReader {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut DocumentReader {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an export: an object with format, version and sessions")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => self.format = Some(map.next_value()?),
                "version" => self.version = Some(map.next_value()?),
                "sessions" => {
                    self.has_sessions = true;
                    map.next_value_seed(SessionList(&mut *self))?;
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The `sessions` array, read one element at a time.
struct SessionList<'a>(&'a mut DocumentReader);

impl<'de> serde::de::DeserializeSeed<'de> for SessionList<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SessionList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of sessions")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            self.0.session(n, value);
            n += 1;
        }
        if self.0.records > MAX_RECORDS {
            self.0.errors.push(
                "file",
                "sessions",
                format!("the file holds more than {MAX_RECORDS} records; split it"),
            );
        }
        Ok(())
    }
}

fn instant(at: &str, field: &str, raw: &str, errors: &mut Errors) -> Option<Timestamp> {
    match raw.parse::<Timestamp>() {
        Ok(t) if RFC3339_SECONDS.contains(&t.as_second()) => Some(whole_seconds(t)),
        _ => {
            errors.push(
                at,
                field,
                format!(
                    "{} is not an RFC 3339 timestamp with an offset (2025-11-15T09:00:00Z)",
                    super::quote(raw)
                ),
            );
            None
        }
    }
}

/// A session of the file, when its times can be read and are in order;
/// every other fault is listed, and the session is still returned so that
/// its interruptions and neighbours can be checked against it.
fn read_session(at: &str, record: &SessionRecord, errors: &mut Errors) -> Option<ImportSession> {
    let start = instant(at, "start_time", &record.start_time, errors);
    let end = match &record.end_time {
        Some(raw) => instant(at, "end_time", raw, errors).map(Some),
        None => Some(None),
    };
    let note = parse_note(record.note.clone()).unwrap_or_else(|e| {
        errors.push(at, &e.field, e.message);
        String::new()
    });
    let (start, end) = (start?, end?);
    if let Some(end) = end
        && end <= start
    {
        errors.push(
            at,
            "end_time",
            format!("must be after start_time ({start})"),
        );
        return None;
    }
    Some(ImportSession {
        at: at.to_owned(),
        start,
        end,
        note,
        interruptions: Vec::new(),
    })
}

/// An interruption of the file, when its times can be read and are in
/// order; its other faults are listed (and it is returned all the same, to
/// be checked against its session).
fn read_interruption(
    at: &str,
    record: &InterruptionRecord,
    errors: &mut Errors,
) -> Option<ImportInterruption> {
    let kind = InterruptionKind::from_name(&record.kind).unwrap_or_else(|| {
        errors.push(
            at,
            "type",
            format!(
                "{} is not a type; use family, phone, noise, self, urgent_task or unknown",
                super::quote(&record.kind)
            ),
        );
        InterruptionKind::Unknown
    });
    let description = record.description.clone().unwrap_or_default();
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        errors.push(
            at,
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters (got {chars})"),
        );
    }
    let start = instant(at, "start_time", &record.start_time, errors);
    let end = match &record.end_time {
        Some(raw) => instant(at, "end_time", raw, errors),
        None => {
            errors.push(
                at,
                "end_time",
                "is null: only closed interruptions can be imported",
            );
            None
        }
    };
    let (start, end) = (start?, end?);
    if end <= start {
        errors.push(
            at,
            "end_time",
            format!("must be after start_time ({start})"),
        );
        return None;
    }
    Some(ImportInterruption {
        at: at.to_owned(),
        kind,
        description,
        start,
        end,
    })
}

/// Orders the sessions and checks them against each other: no two overlap,
/// each one's interruptions lie inside it and do not overlap.
fn check_sessions(mut sessions: Vec<ImportSession>, mut errors: Errors) -> ImportFile {
    sessions.sort_by_key(|s| s.start);
    for pair in sessions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        match a.end {
            Some(end) if end <= b.start => {}
            Some(end) => errors.push(&b.at, "start_time", format!("overlaps the session of {} ({} to {end})", a.at, a.start)),
            None => errors.push(&a.at, "end_time", format!("is null, but the session of {} starts later: only the last session may be running", b.at)),
        }
    }
    for session in &mut sessions {
        session.interruptions.sort_by_key(|i| i.start);
        for interruption in &session.interruptions {
            let inside = interruption.start >= session.start
                && session.end.is_none_or(|end| interruption.end <= end);
            if !inside {
                let until = session
                    .end
                    .map_or_else(|| "now".to_owned(), |e| e.to_string());
                errors.push(
                    &interruption.at,
                    "start_time",
                    format!("lies outside its session ({} to {until})", session.start),
                );
            }
        }
        for pair in session.interruptions.windows(2) {
            if pair[1].start < pair[0].end {
                errors.push(
                    &pair[1].at,
                    "start_time",
                    format!(
                        "overlaps the interruption of {} ({} to {})",
                        pair[0].at, pair[0].start, pair[0].end
                    ),
                );
            }
        }
    }
    ImportFile { sessions, errors }
}

/// Splits the file's sessions into those to add and those already stored
/// (same start and end), refusing any that would overlap a stored session
/// otherwise, or that are in the future. The refusal lists these errors
/// with every error the file had on its own, in file order.
pub fn place<'a>(
    file: &'a ImportFile,
    stored: &[StoredSession],
    now: Timestamp,
) -> Result<(Vec<&'a ImportSession>, u64), RuleViolation> {
    let mut errors = file.errors.clone();
    let mut added = Vec::new();
    let mut matched = 0;
    let latest = later(now, 60);
    for session in &file.sessions {
        let clash = overlapping(stored, session, now);
        match clash {
            Some(existing) if existing.start == session.start && existing.end == session.end => {
                matched += 1;
            }
            Some(existing) => {
                let until = existing.end.map_or_else(|| "now".to_owned(), |e| e.to_string());
                errors.push(&session.at, "start_time", format!("overlaps stored session {} ({} to {until})", existing.id, existing.start));
            }
            None if session.end.is_none() => errors.push(&session.at, "end_time", "is null: a running session can be imported only into the account where it runs; end it, export again, and import that"),
            None if session.end.is_some_and(|end| end > latest) => errors.push(&session.at, "end_time", format!("is in the future (now is {now})")),
            None => added.push(session),
        }
    }
    errors.finish((added, matched))
}

/// The stored session (sorted by start) that overlaps `session`, if any.
fn overlapping<'s>(
    stored: &'s [StoredSession],
    session: &ImportSession,
    now: Timestamp,
) -> Option<&'s StoredSession> {
    let end = session.end.unwrap_or(later(session.start, 1));
    // Stored sessions never overlap: only the last one starting before
    // `end` can.
    let before_end = stored.partition_point(|s| s.start < end);
    let candidate = stored.get(before_end.checked_sub(1)?)?;
    let candidate_end = candidate.end.unwrap_or(now.max(later(candidate.start, 1)));
    (candidate_end > session.start || candidate.start == session.start).then_some(candidate)
}

/// `seconds` after `at`, or the last instant there is.
fn later(at: Timestamp, seconds: i64) -> Timestamp {
    at.checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(Timestamp::MAX)
}

/// Counts what adding `added` writes.
pub fn counts(added: &[&ImportSession], matched: u64) -> ImportCounts {
    ImportCounts {
        sessions_added: added.len() as u64,
        interruptions_added: added.iter().map(|s| s.interruptions.len() as u64).sum(),
        sessions_matched: matched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn session(start: &str, end: Option<&str>) -> ImportSession {
        ImportSession {
            at: format!("line {start}"),
            start: at(start),
            end: end.map(at),
            note: String::new(),
            interruptions: Vec::new(),
        }
    }

    #[test]
    fn the_format_comes_from_the_query_then_the_media_type() {
        let choose = |format, media| ImportFormat::choose(format, media).unwrap();
        let (json, ndjson) = (Some(ImportFormat::Json), Some(ImportFormat::Ndjson));
        assert_eq!(choose(Some("json"), Some("application/x-ndjson")), json);
        assert_eq!(choose(None, Some("application/json; charset=utf-8")), json);
        assert_eq!(choose(None, Some("application/x-ndjson")), ndjson);
        assert_eq!(choose(None, Some("text/csv")), Some(ImportFormat::Csv));
        assert_eq!(
            choose(Some("toggl"), Some("text/csv")),
            Some(ImportFormat::Toggl)
        );
        assert_eq!(choose(None, Some("text/plain")), None);
        assert_eq!(choose(None, None), None);
        assert!(ImportFormat::choose(Some("xlsx"), None).is_err());
    }

    #[test]
    fn sessions_are_matched_by_their_times_added_when_free_and_refused_over_others() {
        let now = at("2025-11-16T12:00:00Z");
        let stored = [
            StoredSession {
                id: 1,
                start: at("2025-11-15T09:00:00Z"),
                end: Some(at("2025-11-15T10:00:00Z")),
            },
            StoredSession {
                id: 2,
                start: at("2025-11-16T11:00:00Z"),
                end: None,
            },
        ];
        let file = ImportFile::from_sessions(vec![
            session("2025-11-14T09:00:00Z", Some("2025-11-14T10:00:00Z")),
            session("2025-11-15T09:00:00Z", Some("2025-11-15T10:00:00Z")),
            session("2025-11-15T10:00:00Z", Some("2025-11-15T11:00:00Z")),
            session("2025-11-16T11:00:00Z", None),
        ]);
        let (added, matched) = place(&file, &stored, now).unwrap();
        assert_eq!(matched, 2);
        assert_eq!(
            added.iter().map(|s| s.start).collect::<Vec<_>>(),
            [file.sessions[0].start, file.sessions[2].start]
        );

        let clashing = ImportFile::from_sessions(vec![
            session("2025-11-15T09:30:00Z", Some("2025-11-15T09:45:00Z")),
            session("2025-11-15T08:00:00Z", Some("2025-11-15T09:00:01Z")),
            session("2025-11-16T11:30:00Z", Some("2025-11-16T11:40:00Z")),
            session("2025-11-17T09:00:00Z", Some("2025-11-17T10:00:00Z")),
        ]);
        let Err(RuleViolation::Invalid(errors)) = place(&clashing, &stored, now) else {
            panic!("overlaps must be refused");
        };
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            [
                "overlaps stored session 1 (2025-11-15T09:00:00Z to 2025-11-15T10:00:00Z)",
                "overlaps stored session 1 (2025-11-15T09:00:00Z to 2025-11-15T10:00:00Z)",
                "overlaps stored session 2 (2025-11-16T11:00:00Z to now)",
                "is in the future (now is 2025-11-16T12:00:00Z)",
            ]
        );
    }

    #[test]
    fn a_files_own_sessions_may_not_overlap_nor_run_before_the_last() {
        let file = vec![
            session("2025-11-15T09:00:00Z", None),
            session("2025-11-15T09:30:00Z", Some("2025-11-15T10:00:00Z")),
            session("2025-11-15T09:45:00Z", Some("2025-11-15T11:00:00Z")),
        ];
        let Err(RuleViolation::Invalid(errors)) = ImportFile::from_sessions(file).into_sessions()
        else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "line 2025-11-15T09:00:00Z: end_time",
                "line 2025-11-15T09:45:00Z: start_time"
            ]
        );
    }

    #[test]
    fn errors_past_the_hundredth_are_summed_up() {
        let mut body = String::from(
            "{\"record\":\"header\",\"format\":\"hyperfocus-export\",\"version\":1}\n",
        );
        for _ in 0..150 {
            body.push_str("{\"record\":\"sesion\"}\n");
        }
        body.push_str("{\"record\":\"trailer\",\"sessions\":0,\"interruptions\":0}\n");
        let Err(RuleViolation::Invalid(errors)) =
            parse(ImportFormat::Ndjson, body.as_bytes(), &TimeZone::UTC)
        else {
            panic!("refused");
        };
        assert_eq!(errors.len(), MAX_LISTED_ERRORS + 1);
        assert_eq!(errors[0].field, "line 2: record");
        assert_eq!(errors[MAX_LISTED_ERRORS - 1].field, "line 101: record");
        assert_eq!(errors[MAX_LISTED_ERRORS].field, "file");
        assert_eq!(
            errors[MAX_LISTED_ERRORS].message,
            "50 more errors are not listed: only the first 100 are, in file order; fix these and import again to see the rest"
        );
    }
}
