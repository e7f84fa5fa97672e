//! Our own CSV export read back: one row per interruption (and one per
//! session without any), rows of a session one after another, UTC columns
//! trusted and local ones ignored (they say the same in a zone).

use super::{
    Errors, ImportFile, ImportSession, InterruptionRecord, MAX_RECORDS, SessionRecord,
    check_sessions, read_interruption, read_session,
};
use crate::domain::{FieldError, export::CSV_COLUMNS};

/// The columns read; the rest are there for spreadsheets.
const READ: [&str; 6] = [
    "session_id",
    "session_start_utc",
    "session_end_utc",
    "type",
    "description",
    "interruption_start_utc",
];

/// Whether `body` opens with our CSV header.
pub(super) fn is_ours(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.starts_with(CSV_COLUMNS[0].as_bytes()) && body.get(CSV_COLUMNS[0].len()) == Some(&b',')
}

/// Reads our CSV into sessions.
pub(super) fn parse(body: &[u8]) -> ImportFile {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            return ImportFile::refused(FieldError::new(
                "line 1",
                format!("is not a CSV header: {e}"),
            ));
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let missing: Vec<&str> = READ
        .iter()
        .copied()
        .filter(|name| column(name).is_none())
        .collect();
    if !missing.is_empty() || column("interruption_end_utc").is_none() {
        return ImportFile::refused(FieldError::new(
            "line 1",
            format!(
                "lacks the columns {}; is this a HyperFocus CSV export?",
                missing.join(", ")
            ),
        ));
    }
    let index = |name: &str| column(name).unwrap_or(usize::MAX);
    let [id, start, end, kind, description, i_start] = READ.map(index);
    let i_end = index("interruption_end_utc");
    // Exports made before sessions had notes lack the column.
    let note = index("session_note");
    let mut errors = Errors::default();
    // `None` for a session whose times cannot be read (see parse_ndjson).
    let mut sessions: Vec<Option<ImportSession>> = Vec::new();
    let mut current: Option<String> = None;
    for (n, row) in reader.records().enumerate() {
        let at = format!(
            "line {}",
            row.as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(n + 2, |p| p.line() as usize)
        );
        if n >= MAX_RECORDS {
            errors.push(
                &at,
                "",
                format!("the file holds more than {MAX_RECORDS} records; split it"),
            );
            break;
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(&at, "", format!("is not a CSV row: {e}"));
                continue;
            }
        };
        let cell = |i: usize| row.get(i).unwrap_or("").to_owned();
        let optional = |i: usize| Some(cell(i)).filter(|c| !c.is_empty());
        if current.as_deref() != Some(&cell(id)) {
            current = Some(cell(id));
            let record = SessionRecord {
                id: cell(id).parse().ok(),
                start_time: cell(start),
                end_time: optional(end),
                note: Some(restore_formula(&cell(note))),
                interruptions: None,
            };
            sessions.push(read_session(&at, &record, &mut errors));
        }
        if let Some(kind) = optional(kind) {
            let record = InterruptionRecord {
                id: None,
                session_id: None,
                kind,
                description: Some(restore_formula(&cell(description))),
                start_time: cell(i_start),
                end_time: optional(i_end),
            };
            if let (Some(interruption), Some(Some(session))) = (
                read_interruption(&at, &record, &mut errors),
                sessions.last_mut(),
            ) {
                session.interruptions.push(interruption);
            }
        }
    }
    check_sessions(sessions.into_iter().flatten().collect(), errors)
}

/// Undoes the export's formula guard: the `'` it put before `=`, `+`, `-`,
/// `@`, a tab, a carriage return or another `'` goes — exactly one — so a
/// description comes back as typed. A `'` before anything else was typed
/// (exports made before `'` itself was guarded wrote `'quoted` as it is).
fn restore_formula(cell: &str) -> String {
    match cell.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'', ..] => cell[1..].to_owned(),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::neutralise_formula;

    #[test]
    fn every_cell_comes_back_through_the_formula_guard_as_typed() {
        for typed in [
            "'quoted", "''twice", "'", "=1+1", "'=1+1", "+44 20", "-x", "@x", "\tx", "plain", "",
        ] {
            assert_eq!(restore_formula(&neutralise_formula(typed)), typed);
        }
        // What earlier exports wrote for a leading `'` comes back too.
        assert_eq!(restore_formula("'quoted"), "'quoted");
    }
}
