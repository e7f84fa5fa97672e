//! One Save per session on History: the session's times and note, each of
//! its interruptions, and one to add, sent as one form and saved as one
//! correction (`domain::correction`), so that an edit is never lost to
//! another's save. The inputs are named by their ids: `s12-start`,
//! `i7-note`, `s12-add-type`.

use jiff::tz::TimeZone;
use serde::Deserialize;

use super::{session::CsrfForm, time_input::parse_local};
use crate::domain::{
    FieldError, RuleViolation, Validator,
    correction::{Added, Correction, added_field, interruption_field},
    interruption::{InterruptionKind, InterruptionPatch, parse_description},
    session::{SessionPatch, parse_note},
};

/// A session's panel as posted: every input by name.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct PanelForm(Vec<(String, String)>);

impl CsrfForm for PanelForm {
    fn csrf(&self) -> &str {
        self.get("csrf").unwrap_or_default()
    }
}

impl PanelForm {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The input `name`, trimmed; `None` when left empty.
    fn filled(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Where the page came from.
    pub fn back(&self) -> Option<&str> {
        self.get("back")
    }

    /// What was typed, to show again.
    pub fn typed(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(name, _)| name != "csrf" && name != "back")
            .cloned()
            .collect()
    }

    /// The ids of the interruptions the panel shows (`i7-start` …).
    fn interruption_ids(&self) -> Vec<i64> {
        self.0
            .iter()
            .filter_map(|(name, _)| name.strip_prefix('i')?.strip_suffix("-start")?.parse().ok())
            .collect()
    }

    /// The correction of session `id` that the panel asks for, its times
    /// read in `zone`; every field that cannot be read, at once.
    pub fn correction(&self, id: i64, zone: &TimeZone) -> Result<Correction, RuleViolation> {
        let mut v = Validator::default();
        let s = |part: &str| format!("s{id}-{part}");
        let session = SessionPatch {
            start: self
                .filled(&s("start"))
                .map_or_else(
                    || Err(FieldError::new("start_time", "Enter when it started.")),
                    |raw| parse_local("start_time", raw, zone),
                )
                .map_err(|e| v.push(e))
                .ok(),
            end: self
                .filled(&s("end"))
                .and_then(|raw| v.check(parse_local("end_time", raw, zone))),
            note: self
                .get(&s("note"))
                .and_then(|raw| v.check(parse_note(Some(raw.trim().to_owned())))),
        };
        let interruptions = self
            .interruption_ids()
            .into_iter()
            .filter_map(|i| {
                let patch = self.interruption(i, zone, &mut v)?;
                Some((i, patch))
            })
            .collect();
        let added = self.added(id, zone, &mut v);
        v.finish()?;
        Ok(Correction {
            session,
            interruptions,
            added,
        })
    }

    fn interruption(
        &self,
        id: i64,
        zone: &TimeZone,
        v: &mut Validator,
    ) -> Option<InterruptionPatch> {
        let input = |part: &str| format!("i{id}-{part}");
        let field = |name: &str| interruption_field(id, name);
        let kind = self
            .get(&input("type"))
            .and_then(InterruptionKind::from_name);
        if kind.is_none() {
            v.push(FieldError::new(field("type"), "Choose what it was."));
        }
        let start = match self.filled(&input("start")) {
            Some(raw) => v.check(parse_local(&field("start_time"), raw, zone)),
            None => {
                v.push(FieldError::new(field("start_time"), "Enter when it began."));
                None
            }
        };
        let end = self
            .filled(&input("end"))
            .and_then(|raw| v.check(parse_local(&field("end_time"), raw, zone)));
        let description = self.get(&input("note")).and_then(|raw| {
            v.check(
                parse_description(Some(raw.trim().to_owned())).map_err(|e| FieldError {
                    field: field(&e.field),
                    ..e
                }),
            )
        });
        Some(InterruptionPatch {
            kind: Some(kind?),
            description,
            start: Some(start?),
            end,
        })
    }

    /// The interruption to add, when its row is filled in.
    fn added(&self, id: i64, zone: &TimeZone, v: &mut Validator) -> Option<Added> {
        let input = |part: &str| format!("s{id}-add-{part}");
        let kind = self.filled(&input("type"));
        let start = self.filled(&input("start"));
        let end = self.filled(&input("end"));
        if kind.is_none() && start.is_none() && end.is_none() {
            return None;
        }
        let kind = kind.and_then(InterruptionKind::from_name);
        if kind.is_none() {
            v.push(FieldError::new(
                added_field("type"),
                "Choose what the interruption was.",
            ));
        }
        let start = match start {
            Some(raw) => v.check(parse_local(&added_field("start_time"), raw, zone)),
            None => {
                v.push(FieldError::new(
                    added_field("start_time"),
                    "Enter when the interruption began.",
                ));
                None
            }
        };
        let end = end.and_then(|raw| v.check(parse_local(&added_field("end_time"), raw, zone)));
        let description = v.check(
            parse_description(self.get(&input("note")).map(|n| n.trim().to_owned())).map_err(|e| {
                FieldError {
                    field: added_field(&e.field),
                    ..e
                }
            }),
        );
        Some(Added {
            kind: kind?,
            description: description?,
            start: start?,
            end,
        })
    }
}

/// The id of the input on session `id`'s panel that an error's field is
/// about; `None` for what is about the panel as a whole.
pub fn input_of(id: i64, field: &str) -> Option<String> {
    let part = |name: &str| match name {
        "start_time" => Some("start"),
        "end_time" => Some("end"),
        "note" | "description" => Some("note"),
        "type" => Some("type"),
        _ => None,
    };
    let mut path = field.split('/');
    match (path.next(), path.next(), path.next()) {
        (Some(name), None, None) => Some(format!("s{id}-{}", part(name)?)),
        (Some("added"), Some(name), None) => Some(format!("s{id}-add-{}", part(name)?)),
        (Some("interruption"), Some(i), Some(name)) => {
            Some(format!("i{}-{}", i.parse::<i64>().ok()?, part(name)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> PanelForm {
        PanelForm(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_panel_reads_the_session_each_interruption_and_one_to_add() {
        let panel = form(&[
            ("csrf", "x"),
            ("s3-start", "2025-11-15T09:00:00"),
            ("s3-end", "2025-11-15T10:00"),
            ("s3-note", " draft "),
            ("i7-type", "phone"),
            ("i7-note", ""),
            ("i7-start", "2025-11-15T09:10"),
            ("i7-end", "2025-11-15T09:12"),
            ("s3-add-type", "noise"),
            ("s3-add-note", "drill"),
            ("s3-add-start", "2025-11-15T09:30"),
            ("s3-add-end", "2025-11-15T09:31"),
        ]);
        let correction = panel.correction(3, &TimeZone::UTC).unwrap();
        assert_eq!(correction.session.note.as_deref(), Some("draft"));
        assert_eq!(correction.interruptions.len(), 1);
        assert_eq!(correction.interruptions[0].0, 7);
        let added = correction.added.unwrap();
        assert_eq!(added.kind, InterruptionKind::Noise);
        assert_eq!(added.description, "drill");
    }

    #[test]
    fn an_empty_row_to_add_adds_nothing_and_a_half_filled_one_says_what_is_missing() {
        let empty = form(&[("s3-start", "2025-11-15T09:00"), ("s3-add-type", "")]);
        assert_eq!(empty.correction(3, &TimeZone::UTC).unwrap().added, None);
        let half = form(&[
            ("s3-start", "2025-11-15T09:00"),
            ("s3-add-end", "2025-11-15T09:31"),
        ]);
        let Err(RuleViolation::Invalid(errors)) = half.correction(3, &TimeZone::UTC) else {
            panic!("no errors")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["added/type", "added/start_time"]);
        assert_eq!(
            input_of(3, "added/start_time").as_deref(),
            Some("s3-add-start")
        );
    }

    #[test]
    fn each_error_is_placed_by_its_input() {
        assert_eq!(input_of(3, "end_time").as_deref(), Some("s3-end"));
        assert_eq!(
            input_of(3, "interruption/7/description").as_deref(),
            Some("i7-note")
        );
        assert_eq!(input_of(3, "interruption/x/type"), None);
        assert_eq!(input_of(3, "csrf"), None);
    }
}
