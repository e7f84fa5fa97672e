//! Other trackers' exports as sessions: Toggl Track and Clockify detailed
//! reports (CSV, local times) and `timew export` (JSON, UTC).
//!
//! Every entry is a session, except entries tagged `interrupt:TYPE` (or
//! `interruption:TYPE`, TYPE one of ours), which become interruptions: of
//! the session they lie inside, or — the way Timewarrior and Toggl log a
//! switch — joining the entries just before and just after them (end to
//! start, to the second) into one session. Entry descriptions (Toggl,
//! Clockify) and annotations (Timewarrior) become the notes of the
//! sessions and interruptions they make; a session joined from several
//! work entries keeps the first one's. Projects, clients, billing and
//! other tags are not kept.

use jiff::{
    Timestamp,
    civil::{Date, DateTime, Time},
    tz::TimeZone,
};
use serde::Deserialize;

use super::{Errors, ImportFile, ImportInterruption, ImportSession, MAX_RECORDS, check_sessions};
use crate::domain::{
    FieldError,
    interruption::{InterruptionKind, MAX_DESCRIPTION_CHARS},
    time::RFC3339_SECONDS,
};

/// One time entry of another tracker.
struct Entry {
    at: String,
    start: Timestamp,
    end: Timestamp,
    interruption: Option<InterruptionKind>,
    description: String,
}

/// Reads a Toggl or Clockify detailed report; their local times are read
/// in `zone`.
pub(super) fn parse_csv(body: &[u8], zone: &TimeZone) -> ImportFile {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        Err(e) => {
            return ImportFile::refused(FieldError::new(
                "line 1",
                format!("is not a CSV header: {e}"),
            ));
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(start_date), Some(start_time), Some(end_date), Some(end_time)) = (
        column("start date"),
        column("start time"),
        column("end date"),
        column("end time"),
    ) else {
        return ImportFile::refused(FieldError::new(
            "line 1",
            "is not a HyperFocus, Toggl or Clockify CSV header: it needs the columns Start date, Start time, End date and End time (or session_id, … of our own export)",
        ));
    };
    let (description, tags) = (column("description"), column("tags"));
    let mut errors = Errors::default();
    let mut rows: Vec<(String, csv::StringRecord)> = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let at = format!("line {}", n + 2);
        match row {
            Ok(row) => rows.push((at, row)),
            Err(e) => errors.push(&at, "", format!("is not a CSV row: {e}")),
        }
    }
    if let Err(refused) = within_cap(rows.len()) {
        return refused;
    }
    let day_first = rows
        .iter()
        .any(|(_, row)| day_comes_first(row.get(start_date).unwrap_or("")));
    let mut entries = Vec::with_capacity(rows.len());
    for (at, row) in &rows {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("").trim();
        let when = |date: usize, time: usize, field: &str, errors: &mut Errors| {
            let read = local_instant(cell(Some(date)), cell(Some(time)), day_first, zone);
            if read.is_none() {
                errors.push(at, field, format!(
                    "{:?} {:?} is not a date and time (2024-01-15 09:00:00, 01/15/2024 09:00 AM or 15.01.2024 09:00)",
                    cell(Some(date)), cell(Some(time))
                ));
            }
            read
        };
        let start = when(start_date, start_time, "Start date", &mut errors);
        let end = when(end_date, end_time, "End date", &mut errors);
        let tags: Vec<&str> = cell(tags).split(',').map(str::trim).collect();
        if let (Some(start), Some(end)) = (start, end) {
            entries.extend(entry(at, start, end, &tags, cell(description), &mut errors));
        }
    }
    let sessions = assemble(entries, &mut errors);
    check_sessions(sessions, errors)
}

#[derive(Deserialize)]
struct Interval {
    start: String,
    end: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    annotation: String,
}

/// Reads `timew export`: an array of intervals in UTC
/// (`20240115T090000Z`).
pub(super) fn parse_timewarrior(body: &[u8]) -> ImportFile {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let intervals: Vec<Interval> = match serde_path_to_error::deserialize(deserializer) {
        Ok(intervals) => intervals,
        Err(e) => {
            let path = e.path().to_string();
            return ImportFile::refused(FieldError::new(
                if path == "." { "file".to_owned() } else { path },
                format!("is not a Timewarrior interval: {}", e.into_inner()),
            ));
        }
    };
    if let Err(refused) = within_cap(intervals.len()) {
        return refused;
    }
    let mut errors = Errors::default();
    let mut entries = Vec::with_capacity(intervals.len());
    for (n, interval) in intervals.iter().enumerate() {
        let at = format!("[{n}]");
        let start = compact_utc(&interval.start);
        if start.is_none() {
            errors.push(
                &at,
                "start",
                format!(
                    "{:?} is not a Timewarrior time (20240115T090000Z)",
                    interval.start
                ),
            );
        }
        let end = match &interval.end {
            None => {
                errors.push(
                    &at,
                    "end",
                    "is missing: the interval is still running; `timew stop` before exporting",
                );
                None
            }
            Some(raw) => {
                let end = compact_utc(raw);
                if end.is_none() {
                    errors.push(
                        &at,
                        "end",
                        format!("{raw:?} is not a Timewarrior time (20240115T103000Z)"),
                    );
                }
                end
            }
        };
        let tags: Vec<&str> = interval.tags.iter().map(String::as_str).collect();
        if let (Some(start), Some(end)) = (start, end) {
            entries.extend(entry(
                &at,
                start,
                end,
                &tags,
                &interval.annotation,
                &mut errors,
            ));
        }
    }
    let sessions = assemble(entries, &mut errors);
    check_sessions(sessions, errors)
}

/// Refuses a file of more entries than one import takes.
fn within_cap(entries: usize) -> Result<(), ImportFile> {
    if entries > MAX_RECORDS {
        return Err(ImportFile::refused(FieldError::new(
            "file",
            format!("holds more than {MAX_RECORDS} entries; split it"),
        )));
    }
    Ok(())
}

fn entry(
    at: &str,
    start: Timestamp,
    end: Timestamp,
    tags: &[&str],
    description: &str,
    errors: &mut Errors,
) -> Option<Entry> {
    if end <= start {
        errors.push(at, "end", format!("must be after the start ({start})"));
        return None;
    }
    let interruption = match interruption_tag(tags) {
        Ok(kind) => kind,
        Err(message) => {
            errors.push(at, "tags", message);
            return None;
        }
    };
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        errors.push(
            at,
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters (got {chars})"),
        );
        return None;
    }
    Some(Entry {
        at: at.to_owned(),
        start,
        end,
        interruption,
        description: description.to_owned(),
    })
}

/// The type an `interrupt:TYPE` tag names, if the entry has one.
fn interruption_tag(tags: &[&str]) -> Result<Option<InterruptionKind>, String> {
    for tag in tags {
        let lower = tag.trim().to_ascii_lowercase();
        let Some(name) = lower
            .strip_prefix("interrupt:")
            .or_else(|| lower.strip_prefix("interruption:"))
        else {
            continue;
        };
        let name = name.trim().replace('-', "_");
        return InterruptionKind::from_name(&name).map(Some).ok_or_else(|| {
            format!("{tag:?} names no interruption type; use interrupt:family, phone, noise, self, urgent_task or unknown")
        });
    }
    Ok(None)
}

/// Sessions from entries: each work entry a session, each interruption
/// entry inside the session it lies in or touches, joining the work entry
/// that starts where it ends.
fn assemble(mut entries: Vec<Entry>, errors: &mut Errors) -> Vec<ImportSession> {
    entries.sort_by_key(|e| (e.start, e.interruption.is_some(), e.end));
    let mut sessions: Vec<ImportSession> = Vec::new();
    // Whether the last session ends with an interruption, so a work entry
    // starting right then continues it.
    let mut ends_interrupted = false;
    for entry in entries {
        let last = sessions
            .last_mut()
            .filter(|s| s.end.is_some_and(|end| entry.start <= end));
        match (entry.interruption, last) {
            (Some(kind), Some(session)) => {
                session.end = session.end.max(Some(entry.end));
                ends_interrupted = session.end == Some(entry.end);
                session.interruptions.push(ImportInterruption {
                    at: entry.at,
                    kind,
                    description: entry.description,
                    start: entry.start,
                    end: entry.end,
                });
            }
            (Some(_), None) => errors.push(&entry.at, "tags", "an interruption must lie inside or right after a work entry, and none is around it"),
            (None, Some(session)) if ends_interrupted && session.end == Some(entry.start) => {
                session.end = Some(entry.end);
                ends_interrupted = false;
            }
            (None, _) => {
                sessions.push(ImportSession { at: entry.at, start: entry.start, end: Some(entry.end), note: entry.description, interruptions: Vec::new() });
                ends_interrupted = false;
            }
        }
    }
    sessions
}

/// Whether a slashed date must be day/month/year: its first part is over 12.
fn day_comes_first(date: &str) -> bool {
    date.split('/')
        .next()
        .and_then(|d| d.trim().parse::<u8>().ok())
        .is_some_and(|d| d > 12)
}

/// A local date and time in `zone`: `2024-01-15`, `01/15/2024` (or
/// `15/01/2024` when `day_first`), `15.01.2024`; `09:00`, `09:00:00`,
/// `9:00 AM`.
fn local_instant(date: &str, time: &str, day_first: bool, zone: &TimeZone) -> Option<Timestamp> {
    let date = local_date(date, day_first)?;
    let time = local_time(time)?;
    let instant = zone
        .to_ambiguous_zoned_datetime(DateTime::from_parts(date, time))
        .compatible()
        .ok()?
        .timestamp();
    storable(instant)
}

fn local_date(raw: &str, day_first: bool) -> Option<Date> {
    if let Ok(date) = raw.parse::<Date>() {
        return Some(date);
    }
    let parts: Vec<i16> = raw
        .split(['/', '.'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, year] = parts[..] else { return None };
    let (day, month) = if raw.contains('.') || day_first {
        (a, b)
    } else {
        (b, a)
    };
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

fn local_time(raw: &str) -> Option<Time> {
    let lower = raw.trim().to_ascii_lowercase();
    let (clock, shift) = match (lower.strip_suffix("am"), lower.strip_suffix("pm")) {
        (Some(clock), _) => (clock.trim(), Some(0)),
        (_, Some(clock)) => (clock.trim(), Some(12)),
        _ => (lower.as_str(), None),
    };
    let mut parts = clock.split(':').map(|p| p.parse::<i8>().ok());
    let (hour, minute, second) = (
        parts.next()??,
        parts.next()??,
        parts.next().unwrap_or(Some(0))?,
    );
    let hour = match shift {
        Some(shift) if (1..=12).contains(&hour) => hour % 12 + shift,
        Some(_) => return None,
        None => hour,
    };
    Time::new(hour, minute, second, 0).ok()
}

/// `at`, if RFC 3339 can write it (years 0000 to 9999), as every time the
/// API answers must be.
fn storable(at: Timestamp) -> Option<Timestamp> {
    RFC3339_SECONDS.contains(&at.as_second()).then_some(at)
}

/// Timewarrior's `20240115T090000Z`.
fn compact_utc(raw: &str) -> Option<Timestamp> {
    let civil = DateTime::strptime("%Y%m%dT%H%M%SZ", raw).ok()?;
    storable(civil.to_zoned_datetime(TimeZone::UTC).ok()?.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        RuleViolation,
        import::{ImportFormat, parse},
    };

    fn madrid() -> TimeZone {
        TimeZone::get("Europe/Madrid").unwrap()
    }

    /// A session as start, end and its interruptions' type, note and times.
    type Row = (String, String, Vec<(String, String, String, String)>);
    /// The same, written in a test.
    type Written<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, &'a str, &'a str)]);

    fn plain(sessions: &[ImportSession]) -> Vec<Row> {
        sessions
            .iter()
            .map(|s| {
                let inner = s
                    .interruptions
                    .iter()
                    .map(|i| {
                        (
                            i.kind.as_str().to_owned(),
                            i.description.clone(),
                            i.start.to_string(),
                            i.end.to_string(),
                        )
                    })
                    .collect();
                (
                    s.start.to_string(),
                    s.end.map(|e| e.to_string()).unwrap_or_default(),
                    inner,
                )
            })
            .collect()
    }

    fn owned(rows: &[Written<'_>]) -> Vec<Row> {
        rows.iter()
            .map(|(s, e, inner)| {
                let inner = inner
                    .iter()
                    .map(|(k, d, a, b)| ((*k).into(), (*d).into(), (*a).into(), (*b).into()))
                    .collect();
                ((*s).into(), (*e).into(), inner)
            })
            .collect()
    }

    #[test]
    fn a_toggl_report_becomes_sessions_with_tagged_entries_as_interruptions() {
        let toggl = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount ()\n\
            Ana,ana@example.com,,Thesis,,Chapter 2,No,2024-01-15,09:00:00,2024-01-15,09:40:00,00:40:00,,\n\
            Ana,ana@example.com,,,,WhatsApp,No,2024-01-15,09:40:00,2024-01-15,09:45:00,00:05:00,\"interrupt:phone, misc\",\n\
            Ana,ana@example.com,,Thesis,,Chapter 2,No,2024-01-15,09:45:00,2024-01-15,10:30:00,00:45:00,,\n\
            Ana,ana@example.com,,Thesis,,Review,No,2024-01-15,14:00:00,2024-01-15,15:00:00,01:00:00,,\n\
            Ana,ana@example.com,,,,Door,No,2024-01-15,14:10:00,2024-01-15,14:12:00,00:02:00,interrupt:family,\n";
        let sessions = parse(ImportFormat::Csv, toggl.as_bytes(), &madrid()).unwrap();
        assert_eq!(
            plain(&sessions),
            owned(&[
                (
                    "2024-01-15T08:00:00Z",
                    "2024-01-15T09:30:00Z",
                    &[(
                        "phone",
                        "WhatsApp",
                        "2024-01-15T08:40:00Z",
                        "2024-01-15T08:45:00Z"
                    )]
                ),
                (
                    "2024-01-15T13:00:00Z",
                    "2024-01-15T14:00:00Z",
                    &[(
                        "family",
                        "Door",
                        "2024-01-15T13:10:00Z",
                        "2024-01-15T13:12:00Z"
                    )]
                ),
            ])
        );
    }

    #[test]
    fn a_clockify_report_with_us_dates_and_twelve_hour_times_reads_the_same() {
        let clockify = "\u{feff}Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal)\n\
            Thesis,,Chapter 2,,Ana,,ana@example.com,,No,01/15/2024,09:00:00 AM,01/15/2024,10:30:00 AM,01:30:00,1.50\n\
            ,,Kettle,,Ana,,ana@example.com,interrupt:self,No,01/15/2024,09:50:00 AM,01/15/2024,09:55:00 AM,00:05:00,0.08\n\
            Thesis,,Late,,Ana,,ana@example.com,,No,01/15/2024,11:30 PM,01/16/2024,12:15 AM,00:45:00,0.75\n";
        let sessions = parse(ImportFormat::Clockify, clockify.as_bytes(), &madrid()).unwrap();
        assert_eq!(
            plain(&sessions),
            owned(&[
                (
                    "2024-01-15T08:00:00Z",
                    "2024-01-15T09:30:00Z",
                    &[(
                        "self",
                        "Kettle",
                        "2024-01-15T08:50:00Z",
                        "2024-01-15T08:55:00Z"
                    )]
                ),
                ("2024-01-15T22:30:00Z", "2024-01-15T23:15:00Z", &[]),
            ])
        );
    }

    #[test]
    fn timewarrior_intervals_switching_to_an_interruption_join_into_one_session() {
        let timew = r#"[
            {"id":4,"start":"20240115T080000Z","end":"20240115T082000Z","tags":["thesis"]},
            {"id":3,"start":"20240115T082000Z","end":"20240115T082500Z","tags":["interrupt:noise"],"annotation":"drill"},
            {"id":2,"start":"20240115T082500Z","end":"20240115T090000Z","tags":["thesis"]},
            {"id":1,"start":"20240115T090000Z","end":"20240115T093000Z","tags":["email"]}
        ]"#;
        let sessions = parse(ImportFormat::Json, timew.as_bytes(), &TimeZone::UTC).unwrap();
        assert_eq!(
            plain(&sessions),
            owned(&[
                (
                    "2024-01-15T08:00:00Z",
                    "2024-01-15T09:00:00Z",
                    &[(
                        "noise",
                        "drill",
                        "2024-01-15T08:20:00Z",
                        "2024-01-15T08:25:00Z"
                    )]
                ),
                ("2024-01-15T09:00:00Z", "2024-01-15T09:30:00Z", &[]),
            ])
        );
    }

    #[test]
    fn bad_entries_are_named_by_line_and_field() {
        let toggl = "Description,Start date,Start time,End date,End time,Tags\n\
            a,2024-01-15,09:00,2024-01-15,08:00,\n\
            b,2024-01-15,10:00,2024-01-15,10:05,interrupt:cat\n\
            c,2024-01-15,11:00,2024-01-15,11:05,interrupt:phone\n\
            d,yesterday,11:00,2024-01-15,11:05,\n";
        let Err(RuleViolation::Invalid(errors)) =
            parse(ImportFormat::Toggl, toggl.as_bytes(), &TimeZone::UTC)
        else {
            panic!("refused");
        };
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            fields[0],
            (
                "line 2: end",
                "must be after the start (2024-01-15T09:00:00Z)"
            )
        );
        assert_eq!(fields[1].0, "line 3: tags");
        assert!(
            fields[1]
                .1
                .starts_with("\"interrupt:cat\" names no interruption type"),
            "{}",
            fields[1].1
        );
        // In file order, though the lone interruption is found last.
        assert_eq!(
            fields[2],
            (
                "line 4: tags",
                "an interruption must lie inside or right after a work entry, and none is around it"
            )
        );
        assert_eq!(fields[3].0, "line 5: Start date");
        assert_eq!(fields.len(), 4);
        let running = r#"[{"start":"20240115T080000Z"}]"#;
        let Err(RuleViolation::Invalid(errors)) = parse(
            ImportFormat::Timewarrior,
            running.as_bytes(),
            &TimeZone::UTC,
        ) else {
            panic!("refused");
        };
        assert_eq!(errors[0].field, "[0]: end");
        let other = parse(ImportFormat::Csv, b"name,age\nana,3\n", &TimeZone::UTC);
        assert!(matches!(other, Err(RuleViolation::Invalid(e)) if e[0].field == "line 1"));
    }

    #[test]
    fn a_row_that_is_not_text_is_named_not_skipped() {
        let mut file = b"Description,Start date,Start time,End date,End time\n".to_vec();
        file.extend_from_slice(
            b"a,2024-01-15,09:00,2024-01-15,10:00\n\xff\xfe,2024-01-15,11:00,2024-01-15,12:00\n",
        );
        let Err(RuleViolation::Invalid(errors)) = parse(ImportFormat::Toggl, &file, &TimeZone::UTC)
        else {
            panic!("refused");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "line 3");
        assert!(
            errors[0].message.starts_with("is not a CSV row"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn day_first_dates_are_told_by_a_day_over_twelve() {
        assert!(day_comes_first("15/01/2024"));
        assert!(!day_comes_first("01/15/2024"));
        assert_eq!(local_date("03/04/2024", true), Date::new(2024, 4, 3).ok());
        assert_eq!(local_date("03/04/2024", false), Date::new(2024, 3, 4).ok());
        assert_eq!(local_date("03.04.2024", false), Date::new(2024, 4, 3).ok());
        assert_eq!(local_time("12:05 AM"), Time::new(0, 5, 0, 0).ok());
        assert_eq!(local_time("12:05 PM"), Time::new(12, 5, 0, 0).ok());
        assert_eq!(local_time("13:05 PM"), None);
        let before_year_zero = local_instant("01/01/-5", "10:00", false, &TimeZone::UTC);
        assert_eq!(before_year_zero, None);
        let first = Timestamp::from_second(*RFC3339_SECONDS.start()).ok();
        assert_eq!(compact_utc("00000101T000000Z"), first);
    }
}
