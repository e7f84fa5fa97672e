//! A user's history as a file: NDJSON (the canonical format), one JSON
//! document, or CSV. The store yields flat rows (a session, with one of its
//! interruptions or none) in order; the [`Encoder`] turns them into bytes
//! as they come, so an export of any size runs in constant memory.
//!
//! NDJSON, one JSON object a line, each naming its `record`:
//!
//! ```text
//! {"record":"header","format":"hyperfocus-export","version":1,"exported_at":…,"user":{…},"timezone":…,"from":null,"to":null}
//! {"record":"session","id":7,"start_time":"2025-11-15T09:00:00Z","end_time":"2025-11-15T10:00:00Z","note":""}
//! {"record":"interruption","id":31,"session_id":7,"type":"phone","description":"","start_time":…,"end_time":…}
//! {"record":"trailer","sessions":1,"interruptions":1}
//! ```
//!
//! A file without its trailer was cut short.

use std::fmt::Write as _;

use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;

use super::{
    FieldError, RuleViolation, Validator,
    days::DayStart,
    interruption::InterruptionKind,
    quote,
    stats::window::edge_instant,
    time::{TimeZoneName, from_unix_seconds},
};

/// The `format` every export names, and the version of its layout.
pub const FORMAT_NAME: &str = "hyperfocus-export";
/// Raised when a field changes meaning; new fields may appear without it.
pub const FORMAT_VERSION: u32 = 1;

/// The columns of a CSV export, in order.
pub const CSV_COLUMNS: [&str; 17] = [
    "session_id",
    "session_start_utc",
    "session_end_utc",
    "session_start_local",
    "session_end_local",
    "session_seconds",
    "interruption_id",
    "type",
    "description",
    "interruption_start_utc",
    "interruption_end_utc",
    "interruption_start_local",
    "interruption_end_local",
    "interruption_seconds",
    "local_date",
    "timezone",
    "session_note",
];

/// Which file an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object a line: header, sessions each followed by their
    /// interruptions, trailer.
    Ndjson,
    /// One JSON document with the sessions nested.
    Json,
    /// One row per interruption, plus one per session without any.
    Csv,
}

impl ExportFormat {
    /// Parses the `format` parameter.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "ndjson" => Ok(Self::Ndjson),
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            _ => Err(FieldError::new(
                "format",
                format!("{} is not a format; use ndjson, json or csv", quote(raw)),
            )),
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Ndjson => "application/x-ndjson",
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// What an export was asked for, parsed from its query.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The file's format.
    pub format: ExportFormat,
    /// Sessions starting at or after this instant, if given.
    pub from: Option<Timestamp>,
    /// Sessions starting before this instant, if given.
    pub to: Option<Timestamp>,
    /// The zone of local times and dates (the CSV's, and of date edges).
    pub zone: TimeZoneName,
}

impl ExportRequest {
    /// Parses `format` (default NDJSON), `from` and `to` (dates mean the
    /// start of that day, at `day_start` in `tz` or else `user_zone`) and
    /// `tz`, reporting every bad parameter at once.
    pub fn parse(
        format: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        tz: Option<&str>,
        (user_zone, day_start): (&TimeZoneName, DayStart),
    ) -> Result<Self, RuleViolation> {
        let mut check = Validator::default();
        let format = format.map_or(Ok(ExportFormat::Ndjson), ExportFormat::parse);
        let format = check.check(format);
        let zone = match tz {
            Some(raw) => check.check(TimeZoneName::parse("tz", raw)),
            None => Some(user_zone.clone()),
        };
        let tz = zone.as_ref().unwrap_or(user_zone).zone();
        let from = from.and_then(|raw| check.check(edge_instant("from", raw, &tz, day_start)));
        let to = to.and_then(|raw| check.check(edge_instant("to", raw, &tz, day_start)));
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            check.push(FieldError::new(
                "from",
                format!("must be before `to` ({to}); got {from}"),
            ));
        }
        check.finish()?;
        Ok(Self {
            format: format.unwrap_or(ExportFormat::Ndjson),
            from,
            to,
            zone: zone.unwrap_or_else(|| user_zone.clone()),
        })
    }
}

/// One interruption as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInterruption {
    /// Its id.
    pub id: i64,
    /// Its type.
    pub kind: InterruptionKind,
    /// The note, as the user wrote it.
    pub description: String,
    /// Unix seconds.
    pub start: i64,
    /// Unix seconds; `None` while it goes on.
    pub end: Option<i64>,
}

/// A session with one of its interruptions, or none: what the store reads,
/// ordered by session start, then interruption start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// The session's id.
    pub session_id: i64,
    /// Unix seconds.
    pub session_start: i64,
    /// Unix seconds; `None` while it goes on.
    pub session_end: Option<i64>,
    /// The session's note.
    pub session_note: String,
    /// One interruption of the session; `None` for a session without any.
    pub interruption: Option<ExportInterruption>,
}

/// Who and what the export covers: its header.
#[derive(Debug, Clone, Serialize)]
pub struct ExportHeader {
    /// When the file was made.
    pub exported_at: Timestamp,
    /// The user's id, name and email.
    pub user: ExportUser,
    /// The zone of the CSV's local times (the user's own unless asked).
    pub timezone: String,
    /// The window's start, if one was asked for.
    pub from: Option<Timestamp>,
    /// The window's end, if one was asked for.
    pub to: Option<Timestamp>,
}

/// The account an export belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct ExportUser {
    /// The user's id.
    pub id: i64,
    /// The display name.
    pub name: String,
    /// The email.
    pub email: String,
}

#[derive(Serialize)]
struct HeaderLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'static str>,
    format: &'static str,
    version: u32,
    #[serde(flatten)]
    header: &'a ExportHeader,
}

#[derive(Serialize)]
struct SessionLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'static str>,
    id: i64,
    start_time: Timestamp,
    end_time: Option<Timestamp>,
    note: &'a str,
}

#[derive(Serialize)]
struct InterruptionLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'static str>,
    id: i64,
    session_id: i64,
    #[serde(rename = "type")]
    kind: InterruptionKind,
    description: &'a str,
    start_time: Timestamp,
    end_time: Option<Timestamp>,
}

/// How many records an export held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Sessions written.
    pub sessions: u64,
    /// Interruptions written.
    pub interruptions: u64,
}

/// What turns export rows into a file's bytes as they come: the export's
/// formats, and the calendar feed.
pub trait RowEncoder {
    /// Appends what `row` adds to `out`.
    fn push(&mut self, row: &ExportRow, out: &mut Vec<u8>);
    /// Appends the file's closing bytes.
    fn finish(self, out: &mut Vec<u8>);
}

impl RowEncoder for Encoder {
    fn push(&mut self, row: &ExportRow, out: &mut Vec<u8>) {
        Encoder::push(self, row, out);
    }

    fn finish(self, out: &mut Vec<u8>) {
        Encoder::finish(self, out);
    }
}

/// Turns rows into the bytes of one format, row by row.
pub struct Encoder {
    format: ExportFormat,
    zone: TimeZone,
    zone_name: String,
    current: Option<i64>,
    counts: Counts,
}

impl Encoder {
    /// An encoder for `format`, and the file's opening bytes.
    pub fn start(format: ExportFormat, header: &ExportHeader, zone: TimeZone) -> (Self, Vec<u8>) {
        let mut out = Vec::with_capacity(512);
        let opening = |record| HeaderLine {
            record,
            format: FORMAT_NAME,
            version: FORMAT_VERSION,
            header,
        };
        match format {
            ExportFormat::Ndjson => {
                json_into(&mut out, &opening(Some("header")));
                out.push(b'\n');
            }
            ExportFormat::Json => {
                // The header's fields, then the sessions, in one object.
                json_into(&mut out, &opening(None));
                out.pop();
                out.extend_from_slice(b",\"sessions\":[");
            }
            ExportFormat::Csv => csv_record(&mut out, CSV_COLUMNS),
        }
        let encoder = Self {
            format,
            zone,
            zone_name: header.timezone.clone(),
            current: None,
            counts: Counts::default(),
        };
        (encoder, out)
    }

    /// Appends `row` to `out`.
    pub fn push(&mut self, row: &ExportRow, out: &mut Vec<u8>) {
        let new_session = self.current != Some(row.session_id);
        if new_session {
            self.open_session(row, out);
        }
        if let Some(interruption) = &row.interruption {
            self.counts.interruptions += 1;
            self.interruption(row, interruption, out);
        } else if self.format == ExportFormat::Csv && new_session {
            self.csv_row(row, None, out);
        }
    }

    /// Appends the closing bytes and says how many records were written.
    pub fn finish(self, out: &mut Vec<u8>) -> Counts {
        match self.format {
            ExportFormat::Ndjson => {
                #[derive(Serialize)]
                struct Trailer {
                    record: &'static str,
                    #[serde(flatten)]
                    counts: Counts,
                }
                json_into(
                    out,
                    &Trailer {
                        record: "trailer",
                        counts: self.counts,
                    },
                );
                out.push(b'\n');
            }
            ExportFormat::Json => {
                if self.current.is_some() {
                    out.extend_from_slice(b"]}");
                }
                out.extend_from_slice(b"],\"counts\":");
                json_into(out, &self.counts);
                out.extend_from_slice(b"}\n");
            }
            ExportFormat::Csv => {}
        }
        self.counts
    }

    fn open_session(&mut self, row: &ExportRow, out: &mut Vec<u8>) {
        let first = self.current.is_none();
        self.current = Some(row.session_id);
        self.counts.sessions += 1;
        let line = |record| SessionLine {
            record,
            id: row.session_id,
            start_time: from_unix_seconds(row.session_start),
            end_time: row.session_end.map(from_unix_seconds),
            note: &row.session_note,
        };
        match self.format {
            ExportFormat::Ndjson => {
                json_into(out, &line(Some("session")));
                out.push(b'\n');
            }
            ExportFormat::Json => {
                if !first {
                    out.extend_from_slice(b"]},");
                }
                json_into(out, &line(None));
                out.pop();
                out.extend_from_slice(b",\"interruptions\":[");
            }
            ExportFormat::Csv => {}
        }
    }

    fn interruption(&self, row: &ExportRow, interruption: &ExportInterruption, out: &mut Vec<u8>) {
        let line = |record| InterruptionLine {
            record,
            id: interruption.id,
            session_id: row.session_id,
            kind: interruption.kind,
            description: &interruption.description,
            start_time: from_unix_seconds(interruption.start),
            end_time: interruption.end.map(from_unix_seconds),
        };
        match self.format {
            ExportFormat::Ndjson => {
                json_into(out, &line(Some("interruption")));
                out.push(b'\n');
            }
            ExportFormat::Json => {
                if out.last() != Some(&b'[') {
                    out.push(b',');
                }
                json_into(out, &line(None));
            }
            ExportFormat::Csv => self.csv_row(row, Some(interruption), out),
        }
    }

    fn csv_row(
        &self,
        row: &ExportRow,
        interruption: Option<&ExportInterruption>,
        out: &mut Vec<u8>,
    ) {
        let utc = |at: Option<i64>| {
            at.map(|s| from_unix_seconds(s).to_string())
                .unwrap_or_default()
        };
        let local = |at: Option<i64>| {
            at.map(|s| {
                from_unix_seconds(s)
                    .to_zoned_datetime(self.zone.clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
        };
        let seconds =
            |start: i64, end: Option<i64>| end.map(|e| (e - start).to_string()).unwrap_or_default();
        let local_date = from_unix_seconds(row.session_start)
            .to_zoned_datetime(self.zone.clone())
            .date()
            .to_string();
        let (id, kind, description, start, end) = match interruption {
            Some(i) => (
                i.id.to_string(),
                i.kind.as_str(),
                neutralise_formula(&i.description),
                Some(i.start),
                i.end,
            ),
            None => (String::new(), "", String::new(), None, None),
        };
        csv_record(
            out,
            [
                &row.session_id.to_string(),
                &utc(Some(row.session_start)),
                &utc(row.session_end),
                &local(Some(row.session_start)),
                &local(row.session_end),
                &seconds(row.session_start, row.session_end),
                &id,
                kind,
                &description,
                &utc(start),
                &utc(end),
                &local(start),
                &local(end),
                &start.map(|s| seconds(s, end)).unwrap_or_default(),
                &local_date,
                &self.zone_name,
                &neutralise_formula(&row.session_note),
            ],
        );
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return first), made inert with a leading `'`, as OWASP
/// advises for CSV injection. A cell that itself begins with `'` gets one
/// too, so that an import can take exactly one off every cell that has it
/// and give back `'quoted` and `'=x` as they were typed. Every other cell
/// is left exactly as it is.
pub fn neutralise_formula(cell: &str) -> String {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => {
            let mut safe = String::with_capacity(cell.len() + 1);
            let _ = write!(safe, "'{cell}");
            safe
        }
        _ => cell.to_owned(),
    }
}

fn json_into(out: &mut Vec<u8>, value: &impl Serialize) {
    // Serialising these plain structs into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn csv_record<'a>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = &'a str>) {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut *out);
    // Writing into memory cannot fail.
    let _ = writer.write_record(cells);
    let _ = writer.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> ExportHeader {
        ExportHeader {
            exported_at: "2025-11-16T12:00:00Z".parse().unwrap(),
            user: ExportUser {
                id: 1,
                name: "Ana".into(),
                email: "ana@example.com".into(),
            },
            timezone: "Europe/Madrid".into(),
            from: None,
            to: None,
        }
    }

    fn rows() -> Vec<ExportRow> {
        let at = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        let session = |id, start, end: Option<&str>, interruption| ExportRow {
            session_id: id,
            session_start: at(start),
            session_end: end.map(at),
            session_note: if id == 7 { "-draft, v2" } else { "" }.into(),
            interruption,
        };
        vec![
            session(
                7,
                "2025-11-15T09:00:00Z",
                Some("2025-11-15T10:00:00Z"),
                Some(ExportInterruption {
                    id: 31,
                    kind: InterruptionKind::Phone,
                    description: "=HYPERLINK(\"http://x\")".into(),
                    start: at("2025-11-15T09:10:00Z"),
                    end: Some(at("2025-11-15T09:15:00Z")),
                }),
            ),
            session(
                7,
                "2025-11-15T09:00:00Z",
                Some("2025-11-15T10:00:00Z"),
                Some(ExportInterruption {
                    id: 32,
                    kind: InterruptionKind::SelfInflicted,
                    description: "tea, \"quick\"".into(),
                    start: at("2025-11-15T09:40:00Z"),
                    end: Some(at("2025-11-15T09:41:00Z")),
                }),
            ),
            session(8, "2025-11-15T23:30:00Z", None, None),
        ]
    }

    fn encode(format: ExportFormat) -> (String, Counts) {
        let zone = TimeZone::get("Europe/Madrid").unwrap();
        let (mut encoder, mut out) = Encoder::start(format, &header(), zone);
        for row in rows() {
            encoder.push(&row, &mut out);
        }
        let counts = encoder.finish(&mut out);
        (String::from_utf8(out).unwrap(), counts)
    }

    #[test]
    fn ndjson_puts_each_session_before_its_interruptions_between_header_and_trailer() {
        let (text, counts) = encode(ExportFormat::Ndjson);
        assert_eq!(
            counts,
            Counts {
                sessions: 2,
                interruptions: 2
            }
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"record":"header","format":"hyperfocus-export","version":1,"exported_at":"2025-11-16T12:00:00Z","user":{"id":1,"name":"Ana","email":"ana@example.com"},"timezone":"Europe/Madrid","from":null,"to":null}"#,
                r#"{"record":"session","id":7,"start_time":"2025-11-15T09:00:00Z","end_time":"2025-11-15T10:00:00Z","note":"-draft, v2"}"#,
                r#"{"record":"interruption","id":31,"session_id":7,"type":"phone","description":"=HYPERLINK(\"http://x\")","start_time":"2025-11-15T09:10:00Z","end_time":"2025-11-15T09:15:00Z"}"#,
                r#"{"record":"interruption","id":32,"session_id":7,"type":"self","description":"tea, \"quick\"","start_time":"2025-11-15T09:40:00Z","end_time":"2025-11-15T09:41:00Z"}"#,
                r#"{"record":"session","id":8,"start_time":"2025-11-15T23:30:00Z","end_time":null,"note":""}"#,
                r#"{"record":"trailer","sessions":2,"interruptions":2}"#,
            ]
        );
    }

    #[test]
    fn json_nests_the_interruptions_in_their_sessions() {
        let (text, _) = encode(ExportFormat::Json);
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["format"], "hyperfocus-export");
        assert_eq!(document["user"]["email"], "ana@example.com");
        assert_eq!(
            document["counts"],
            serde_json::json!({"sessions": 2, "interruptions": 2})
        );
        let sessions = document["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0]["id"], 7);
        assert_eq!(sessions[0]["note"], "-draft, v2");
        let ids: Vec<i64> = sessions[0]["interruptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [31, 32]);
        assert_eq!(sessions[1]["interruptions"], serde_json::json!([]));
        assert!(document.get("record").is_none());
        assert_eq!(document["version"], 1);
    }

    #[test]
    fn an_empty_history_is_still_a_whole_file() {
        let zone = TimeZone::UTC;
        for (format, expected) in [
            (
                ExportFormat::Json,
                r#""sessions":[],"counts":{"sessions":0,"interruptions":0}}"#,
            ),
            (
                ExportFormat::Ndjson,
                r#"{"record":"trailer","sessions":0,"interruptions":0}"#,
            ),
        ] {
            let (encoder, mut out) = Encoder::start(format, &header(), zone.clone());
            encoder.finish(&mut out);
            let text = String::from_utf8(out).unwrap();
            assert!(text.trim_end().ends_with(expected), "{text}");
            if format == ExportFormat::Json {
                serde_json::from_str::<serde_json::Value>(&text).unwrap();
            }
        }
    }

    #[test]
    fn csv_has_a_row_per_interruption_and_per_bare_session_with_formulas_made_inert() {
        let (text, _) = encode(ExportFormat::Csv);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            r#"7,2025-11-15T09:00:00Z,2025-11-15T10:00:00Z,2025-11-15 10:00:00,2025-11-15 11:00:00,3600,31,phone,"'=HYPERLINK(""http://x"")",2025-11-15T09:10:00Z,2025-11-15T09:15:00Z,2025-11-15 10:10:00,2025-11-15 10:15:00,300,2025-11-15,Europe/Madrid,"'-draft, v2""#
        );
        assert_eq!(
            lines[2],
            r#"7,2025-11-15T09:00:00Z,2025-11-15T10:00:00Z,2025-11-15 10:00:00,2025-11-15 11:00:00,3600,32,self,"tea, ""quick""",2025-11-15T09:40:00Z,2025-11-15T09:41:00Z,2025-11-15 10:40:00,2025-11-15 10:41:00,60,2025-11-15,Europe/Madrid,"'-draft, v2""#
        );
        // A running session without interruptions: its local date is the
        // next day in Madrid.
        assert_eq!(
            lines[3],
            "8,2025-11-15T23:30:00Z,,2025-11-16 00:30:00,,,,,,,,,,,2025-11-16,Europe/Madrid,"
        );
        assert_eq!(lines[4], "");
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn a_request_takes_dates_in_its_zone_and_reports_every_bad_parameter() {
        let madrid = TimeZoneName::parse("tz", "Europe/Madrid").unwrap();
        let request = ExportRequest::parse(
            Some("csv"),
            Some("2025-11-01"),
            None,
            None,
            (&madrid, DayStart::MIDNIGHT),
        )
        .unwrap();
        assert_eq!(request.format, ExportFormat::Csv);
        assert_eq!(request.from.unwrap().to_string(), "2025-10-31T23:00:00Z");
        assert_eq!(request.to, None);
        let default =
            ExportRequest::parse(None, None, None, Some("UTC"), (&madrid, DayStart::MIDNIGHT))
                .unwrap();
        assert_eq!(default.format, ExportFormat::Ndjson);
        assert_eq!(default.zone.as_str(), "UTC");
        let Err(RuleViolation::Invalid(errors)) = ExportRequest::parse(
            Some("xlsx"),
            Some("soon"),
            None,
            Some("Mars/Olympus"),
            (&madrid, DayStart::MIDNIGHT),
        ) else {
            panic!("bad parameters must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["format", "tz", "from"]);
        let backwards = ExportRequest::parse(
            None,
            Some("2025-11-02"),
            Some("2025-11-01"),
            None,
            (&madrid, DayStart::MIDNIGHT),
        );
        assert!(backwards.is_err());
    }

    #[test]
    fn only_cells_a_spreadsheet_would_run_change() {
        for (cell, safe) in [
            ("=1+1", "'=1+1"),
            ("+33 6 12", "'+33 6 12"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("'quoted", "''quoted"),
            ("'=x", "''=x"),
            ("a=b", "a=b"),
            ("", ""),
            ("call mum", "call mum"),
        ] {
            assert_eq!(neutralise_formula(cell), safe);
        }
    }
}
