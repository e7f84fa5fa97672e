//! What the client knows of the state without the server: the state as
//! last seen (kept in the state directory after every answer that shows
//! it), moved on by the changes still queued. Offline, `status` says what
//! that implies instead of failing.

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    change::{Change, Done},
    config::read_optional,
    model::{Current, Interruption, Session},
    queue::Queued,
};

/// The state as last seen, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Known {
    /// When the server last showed it (or a change of this client made it).
    pub seen_at: Timestamp,
    /// The state.
    #[serde(flatten)]
    pub current: Current,
}

/// Reads what was last seen; nothing (or a damaged file) is `None`, since
/// it is only ever a convenience.
pub fn load(path: &Path) -> Option<Known> {
    serde_json::from_str(&read_optional(path).ok()??).ok()
}

/// Keeps `current` as last seen at `at`. A failure to write is ignored:
/// the file only helps offline, and must never fail a command.
pub fn keep(path: &Path, current: &Current, at: Timestamp) {
    let known = Known {
        seen_at: at.round(jiff::Unit::Second).unwrap_or(at),
        current: current.clone(),
    };
    let Ok(text) = serde_json::to_string(&known) else {
        return;
    };
    // Unsynced and written only when it says something new: `status` in a
    // prompt runs it on every line, and a lost cache costs nothing.
    if read_optional(path).ok().flatten().as_deref() == Some(text.as_str()) {
        return;
    }
    let Some(directory) = path.parent() else {
        return;
    };
    let temporary = path.with_extension("tmp");
    let _ = std::fs::create_dir_all(directory)
        .and_then(|()| std::fs::write(&temporary, text))
        .and_then(|()| std::fs::rename(&temporary, path));
}

/// Moves what was last seen on by a change the server just made.
pub fn follow(path: &Path, done: &Done, at: Timestamp) {
    let base = load(path).map(|known| known.current);
    if let Some(current) = after_done(base, done) {
        keep(path, &current, at);
    }
}

/// The state after `done`, from the state before when it is known.
fn after_done(before: Option<Current>, done: &Done) -> Option<Current> {
    match done {
        Done::Started(session) => Some(Current {
            session: Some(session.clone()),
            open_interruption: None,
        }),
        Done::Ended { .. } => Some(idle()),
        Done::Logged(_) => before,
        Done::Interrupted(interruption) => {
            let mut current = before?;
            let session = current
                .session
                .as_mut()
                .filter(|s| s.id == interruption.session_id)?;
            session.interruption_count += 1;
            match interruption.duration {
                Some(lost) => session.time_lost_seconds += lost,
                None => current.open_interruption = Some(interruption.clone()),
            }
            Some(current)
        }
        Done::Resumed(interruption) => {
            let mut current = before?;
            if let Some(session) = current.session.as_mut() {
                session.time_lost_seconds += interruption.duration.unwrap_or(0);
            }
            current.open_interruption = None;
            Some(current)
        }
    }
}

/// Not focusing.
fn idle() -> Current {
    Current {
        session: None,
        open_interruption: None,
    }
}

/// The state the queued changes imply, from the state last seen (`None`
/// when it was never seen): `None` when it cannot be known, such as an
/// interruption queued in a session this device never saw start.
pub fn implied(last_seen: Option<Current>, queued: &[Queued]) -> Option<Current> {
    queued
        .iter()
        .fold(last_seen, |state, item| after_change(state, &item.change))
}

/// The state after one queued change. Ids the server has not given yet
/// are 0; figures count what the changes say.
fn after_change(before: Option<Current>, change: &Change) -> Option<Current> {
    match change {
        Change::Start { at, note } => Some(Current {
            session: Some(Session {
                id: 0,
                start_time: *at,
                end_time: None,
                duration_seconds: None,
                interruption_count: 0,
                time_lost_seconds: 0,
                note: note.clone(),
            }),
            open_interruption: None,
        }),
        Change::End { .. } => Some(idle()),
        Change::Log { .. } => before,
        Change::Interrupt {
            kind,
            description,
            at,
            until,
            ..
        } => {
            let mut current = before?;
            let session = current.session.as_mut()?;
            session.interruption_count += 1;
            match until {
                Some(until) => session.time_lost_seconds += until.duration_since(*at).as_secs(),
                None => {
                    current.open_interruption = Some(Interruption {
                        id: 0,
                        session_id: session.id,
                        kind: kind.clone(),
                        description: description.clone(),
                        start_time: *at,
                        end_time: None,
                        duration: None,
                    });
                }
            }
            Some(current)
        }
        Change::Resume { at, .. } => {
            let mut current = before?;
            if let (Some(open), Some(session)) =
                (current.open_interruption.take(), current.session.as_mut())
            {
                session.time_lost_seconds += at.duration_since(open.start_time).as_secs().max(0);
            }
            Some(current)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn queued(change: Change) -> Queued {
        Queued {
            key: String::new(),
            queued_at: at("2026-12-02T21:00:00Z"),
            change,
        }
    }

    #[test]
    fn a_queued_start_and_interruption_mean_interrupted_since_it_began() {
        let changes = [
            queued(Change::Start {
                at: at("2026-12-02T20:55:00Z"),
                note: "chapter 3".into(),
            }),
            queued(Change::Interrupt {
                kind: "phone".into(),
                description: String::new(),
                at: at("2026-12-02T21:00:00Z"),
                until: Some(at("2026-12-02T21:03:00Z")),
                session_id: None,
            }),
            queued(Change::Interrupt {
                kind: "family".into(),
                description: "door".into(),
                at: at("2026-12-02T21:10:00Z"),
                until: None,
                session_id: None,
            }),
        ];
        let state = implied(None, &changes).expect("a queued start says it all");
        let session = state.session.expect("focusing");
        assert_eq!(session.start_time, at("2026-12-02T20:55:00Z"));
        assert_eq!(session.interruption_count, 2);
        assert_eq!(session.time_lost_seconds, 180);
        let open = state.open_interruption.expect("interrupted");
        assert_eq!(
            (open.kind.as_str(), open.start_time),
            ("family", at("2026-12-02T21:10:00Z"))
        );

        let resumed = [queued(Change::Resume {
            at: at("2026-12-02T21:12:00Z"),
            interruption_id: None,
        })];
        let back = implied(
            Some(Current {
                open_interruption: Some(open),
                session: Some(session),
            }),
            &resumed,
        )
        .expect("known");
        assert!(back.open_interruption.is_none());
        assert_eq!(back.session.expect("focusing").time_lost_seconds, 300);
    }

    #[test]
    fn an_interruption_in_a_session_never_seen_leaves_the_state_unknown() {
        let changes = [queued(Change::Interrupt {
            kind: "noise".into(),
            description: String::new(),
            at: at("2026-12-02T21:00:00Z"),
            until: None,
            session_id: None,
        })];
        assert!(implied(None, &changes).is_none());
        let ended = [queued(Change::End {
            at: at("2026-12-02T21:00:00Z"),
            session_id: None,
            closes: None,
        })];
        assert!(implied(None, &ended).expect("known").session.is_none());
    }
}
