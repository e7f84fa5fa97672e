//! A session corrected together with its interruptions, as one panel of
//! History saves it: the whole result is checked before anything is
//! written, so no order of saving can fail half-way and no edit waits on
//! another's save. An interruption may be added this way to a session that
//! has ended (logging one as it happens needs a running session; a
//! correction is how the past is told).
//!
//! The errors name what they are about in their field: `start_time` and
//! `end_time` for the session, `interruption/7/start_time` for interruption
//! 7, `added/end_time` for the one added.

use jiff::Timestamp;

use super::{
    FieldError, RuleViolation,
    interruption::{
        Interruption, InterruptionKind, InterruptionPatch, Surroundings, check_placement,
        covered_until,
    },
    session::{SessionPatch, Span, check_update},
};

/// An interruption told afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// Its cause.
    pub kind: InterruptionKind,
    /// Free text, already checked.
    pub description: String,
    /// When it began.
    pub start: Timestamp,
    /// When it ended; `None` only in a running session.
    pub end: Option<Timestamp>,
}

/// Everything one save changes.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    /// The session's own times and note.
    pub session: SessionPatch,
    /// Changes to its interruptions, by id.
    pub interruptions: Vec<(i64, InterruptionPatch)>,
    /// An interruption to add.
    pub added: Option<Added>,
}

/// What a correction leads to, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The session's new span.
    pub session: Span,
    /// The interruptions that change, as they will be.
    pub changed: Vec<Interruption>,
    /// The one added (its id 0 until stored).
    pub added: Option<Interruption>,
}

/// The field prefix of an error about interruption `id`.
pub fn interruption_field(id: i64, field: &str) -> String {
    format!("interruption/{id}/{field}")
}

/// The field prefix of an error about the interruption added.
pub fn added_field(field: &str) -> String {
    format!("added/{field}")
}

/// Whether every interruption `correction` changes is one of `stored` (the
/// session's own).
pub fn all_of(stored: &[Interruption], correction: &Correction) -> bool {
    correction
        .interruptions
        .iter()
        .all(|(id, _)| stored.iter().any(|s| s.id == *id))
}

/// Checks `correction` of `current` (whose interruptions are `stored`),
/// with `neighbour` the user's other session that starts last before the
/// corrected end (as for [`check_update`]).
pub fn check(
    current: &Span,
    stored: &[Interruption],
    correction: &Correction,
    now: Timestamp,
    neighbour: Option<&Span>,
) -> Result<Checked, RuleViolation> {
    // A panel sends every row: only those that differ change.
    let changed: Vec<Interruption> = stored
        .iter()
        .filter_map(|i| {
            let (_, patch) = correction
                .interruptions
                .iter()
                .find(|(id, _)| *id == i.id)?;
            Some(patch.clone().apply(i)).filter(|patched| patched != i)
        })
        .collect();
    let added = correction.added.as_ref().map(|a| Interruption {
        id: 0,
        session_id: current.id,
        user_id: stored.first().map_or(0, |i| i.user_id),
        kind: a.kind,
        description: a.description.clone(),
        start: a.start,
        end: a.end,
        created_at: now,
    });
    // Every interruption as it will be.
    let all: Vec<&Interruption> = stored
        .iter()
        .map(|i| changed.iter().find(|c| c.id == i.id).unwrap_or(i))
        .chain(added.iter())
        .collect();
    // The session's own rules, with the interruptions it does not change
    // inside it: a clash with one of those is the session's.
    let kept = || {
        stored
            .iter()
            .filter(|i| !changed.iter().any(|c| c.id == i.id))
    };
    let first = kept().min_by_key(|i| i.start).map(Interruption::span);
    let last = kept()
        .max_by_key(|i| covered_until(i.start, i.end, now))
        .map(Interruption::span);
    let session = check_update(
        current,
        &correction.session,
        now,
        neighbour,
        first.as_ref(),
        last.as_ref(),
    )?;
    // Each interruption changed or added, in the session as it will be and
    // among all the others as they will be: a clash is that one's.
    for subject in changed.iter().chain(added.iter()) {
        place(subject, &session, &all, now).map_err(|violation| about(subject.id, violation))?;
    }
    Ok(Checked {
        session,
        changed,
        added,
    })
}

/// The placement rule for `subject` among `all` (itself included) in
/// `session`.
fn place(
    subject: &Interruption,
    session: &Span,
    all: &[&Interruption],
    now: Timestamp,
) -> Result<(), RuleViolation> {
    let others = || all.iter().filter(|i| !std::ptr::eq(**i, subject));
    let until = covered_until(subject.start, subject.end, now);
    let neighbour = others()
        .filter(|i| i.start < until)
        .max_by_key(|i| i.start)
        .map(|i| i.span());
    // Only an interruption left open can clash with another open one.
    let other_open = subject
        .end
        .is_none()
        .then(|| others().find(|i| i.end.is_none()).map(|i| i.span()))
        .flatten();
    let around = Surroundings {
        session,
        neighbour: neighbour.as_ref(),
        other_open: other_open.as_ref(),
    };
    check_placement(subject.start, subject.end, now, around)
}

/// `violation` of interruption `id` (0: the one added), each error under
/// that interruption's fields; a clash is told by its start.
fn about(id: i64, violation: RuleViolation) -> RuleViolation {
    let field = |name: &str| match id {
        0 => added_field(name),
        id => interruption_field(id, name),
    };
    match violation {
        RuleViolation::Invalid(errors) => RuleViolation::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: field(&e.field),
                    ..e
                })
                .collect(),
        ),
        RuleViolation::Broke(breach) => FieldError::breach(field("start_time"), breach).into(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        breach::Breach,
        fixtures::{at, span},
    };

    fn stored(id: i64, start: &str, end: Option<&str>) -> Interruption {
        Interruption {
            id,
            session_id: 1,
            user_id: 1,
            kind: InterruptionKind::Phone,
            description: String::new(),
            start: at(start),
            end: end.map(at),
            created_at: at("12:00:00"),
        }
    }

    fn moved(start: &str, end: &str) -> InterruptionPatch {
        InterruptionPatch {
            start: Some(at(start)),
            end: Some(at(end)),
            ..InterruptionPatch::default()
        }
    }

    #[test]
    fn a_session_and_its_interruption_move_together_in_either_order() {
        let session = span(1, "09:00:00", Some("10:00:00"));
        let phone = stored(5, "09:10:00", Some("09:20:00"));
        // Later start and an interruption moved after it: checked as a
        // whole, it holds, though neither would alone.
        let correction = Correction {
            session: SessionPatch {
                start: Some(at("09:30:00")),
                end: Some(at("10:30:00")),
                note: None,
            },
            interruptions: vec![(5, moved("10:00:00", "10:10:00"))],
            added: None,
        };
        let checked = check(&session, &[phone], &correction, at("12:00:00"), None).unwrap();
        assert_eq!(checked.session, span(1, "09:30:00", Some("10:30:00")));
        assert_eq!(checked.changed[0].start, at("10:00:00"));
    }

    #[test]
    fn an_interruption_added_to_a_past_session_must_lie_inside_and_apart() {
        let session = span(1, "09:00:00", Some("10:00:00"));
        let phone = stored(5, "09:10:00", Some("09:20:00"));
        let add = |start: &str, end: &str| Correction {
            added: Some(Added {
                kind: InterruptionKind::Noise,
                description: "drill".into(),
                start: at(start),
                end: Some(at(end)),
            }),
            ..Correction::default()
        };
        let fine = check(
            &session,
            std::slice::from_ref(&phone),
            &add("09:30:00", "09:35:00"),
            at("12:00:00"),
            None,
        )
        .unwrap();
        assert_eq!(fine.added.unwrap().kind, InterruptionKind::Noise);
        let clash = check(
            &session,
            std::slice::from_ref(&phone),
            &add("09:15:00", "09:35:00"),
            at("12:00:00"),
            None,
        );
        let Err(RuleViolation::Invalid(errors)) = clash else {
            panic!("{clash:?}")
        };
        assert_eq!(errors[0].field, "added/start_time");
        assert_eq!(
            errors[0].breach.as_deref(),
            Some(&Breach::InterruptionOverlap {
                other: phone.span()
            })
        );
        // Reaching past the session's end: told by the added one's end.
        let outside = check(
            &session,
            std::slice::from_ref(&phone),
            &add("09:50:00", "10:05:00"),
            at("12:00:00"),
            None,
        );
        assert!(
            matches!(&outside, Err(RuleViolation::Invalid(e)) if e[0].field == "added/end_time"),
            "{outside:?}"
        );
        // A session shortened past an interruption it keeps: the session's.
        let shorter = Correction {
            session: SessionPatch {
                end: Some(at("09:15:00")),
                ..SessionPatch::default()
            },
            ..Correction::default()
        };
        let cut = check(&session, &[phone], &shorter, at("12:00:00"), None);
        assert!(
            matches!(&cut, Err(RuleViolation::Invalid(e)) if e[0].field == "end_time"),
            "{cut:?}"
        );
    }

    #[test]
    fn a_row_sent_as_it_was_changes_nothing() {
        let session = span(1, "09:00:00", Some("10:00:00"));
        let phone = stored(5, "09:10:00", Some("09:20:00"));
        let same = Correction {
            interruptions: vec![(5, moved("09:10:00", "09:20:00"))],
            ..Correction::default()
        };
        let checked = check(&session, &[phone], &same, at("12:00:00"), None).unwrap();
        assert_eq!(checked.changed, []);
    }

    #[test]
    fn two_edited_interruptions_may_not_overlap_each_other() {
        let session = span(1, "09:00:00", Some("10:00:00"));
        let first = stored(5, "09:10:00", Some("09:20:00"));
        let second = stored(6, "09:30:00", Some("09:40:00"));
        let correction = Correction {
            interruptions: vec![
                (5, moved("09:10:00", "09:35:00")),
                (6, moved("09:30:00", "09:45:00")),
            ],
            ..Correction::default()
        };
        let result = check(
            &session,
            &[first, second],
            &correction,
            at("12:00:00"),
            None,
        );
        let Err(RuleViolation::Invalid(errors)) = result else {
            panic!("{result:?}")
        };
        assert_eq!(errors[0].field, "interruption/5/start_time");
    }
}
