//! The changes the focus commands make, each with its times fixed when it
//! was typed and its own `Idempotency-Key`, so sending it now or from the
//! offline queue an hour later does the same thing once.

use jiff::{Timestamp, tz::TimeZone};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    http::{Api, ApiError},
    model::{Current, Interruption, Session, a_kind},
    output::clock,
    when::human_duration,
};

/// One change to the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Start focusing.
    Start {
        /// When focus began.
        at: Timestamp,
        /// What it is for.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// End the running session.
    End {
        /// When it ended.
        at: Timestamp,
        /// The session, once known (kept in the queue so a retry ends the
        /// same one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<i64>,
        /// The interruption open when it was resolved, which the end
        /// closes (for `undo` to reopen).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closes: Option<i64>,
    },
    /// Log an interruption in the running session.
    Interrupt {
        /// Its type, by the API's name.
        kind: String,
        /// The note.
        description: String,
        /// When it began.
        at: Timestamp,
        /// When it ended; `None` opens it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Timestamp>,
        /// The session, once known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<i64>,
    },
    /// Close the open interruption.
    Resume {
        /// When focus came back.
        at: Timestamp,
        /// The interruption, once known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interruption_id: Option<i64>,
    },
    /// Log a finished session.
    Log {
        /// Its start.
        start: Timestamp,
        /// Its end.
        end: Timestamp,
        /// What it was for.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
}

/// What a change did.
#[derive(Debug, Clone)]
pub enum Done {
    /// A session runs.
    Started(Session),
    /// A session ended; `closed` is the interruption that was open then.
    Ended {
        /// The session as it ended.
        session: Session,
        /// The interruption its end closed, if one was open.
        closed: Option<i64>,
    },
    /// An interruption was logged.
    Interrupted(Interruption),
    /// An interruption was closed.
    Resumed(Interruption),
    /// A finished session was logged.
    Logged(Session),
}

/// Why a change was not made.
#[derive(Debug)]
pub enum Failure {
    /// The server did not answer: queue it.
    Offline(ApiError),
    /// The server refused it as it is (`explain` says why in the person's
    /// words, knowing the change).
    Refused(ApiError),
    /// The client knows it cannot be made; says why.
    Said(String),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unreachable { .. } => Self::Offline(error),
            other => Self::Refused(other),
        }
    }
}

/// What the changes sent one after another have made so far, so a queued
/// interruption finds the session a queued start began.
#[derive(Debug, Default)]
pub struct Trail {
    session: Option<i64>,
    interruption: Option<i64>,
}

impl Change {
    /// Finds the session or interruption the change acts on, so the queue
    /// can remember it and a retry acts on the same one.
    pub async fn resolve(&mut self, api: &Api, trail: &Trail) -> Result<(), Failure> {
        {
            match self {
                Self::End {
                    session_id: slot @ None,
                    closes,
                    ..
                } => {
                    (*slot, *closes) = match trail.session {
                        Some(id) => (Some(id), trail.interruption),
                        None => {
                            let state = current(api).await?;
                            let session = state.session.ok_or_else(not_focusing)?;
                            (Some(session.id), state.open_interruption.map(|i| i.id))
                        }
                    };
                }
                Self::Interrupt {
                    session_id: slot @ None,
                    ..
                } => {
                    *slot = Some(match trail.session {
                        Some(id) => id,
                        None => current(api)
                            .await?
                            .session
                            .map(|s| s.id)
                            .ok_or_else(not_focusing)?,
                    });
                }
                Self::Resume {
                    interruption_id: slot @ None,
                    ..
                } => {
                    *slot = Some(match trail.interruption {
                        Some(id) => id,
                        None => current(api)
                            .await?
                            .open_interruption
                            .map(|i| i.id)
                            .ok_or_else(|| Failure::Said("no interruption is open; `hyperfocus interrupt TYPE` opens one".into()))?,
                    });
                }
                _ => {}
            }
            Ok(())
        }
    }

    /// Sends the change (already resolved) with `key`.
    pub async fn send(&self, api: &Api, key: &str, trail: &mut Trail) -> Result<Done, Failure> {
        let done = match self {
            Self::Start { at, note } => {
                let body = json!({"start_time": rfc3339(*at), "note": note});
                Done::Started(
                    api.json(Method::POST, "/sessions/start", Some(&body), Some(key))
                        .await?,
                )
            }
            Self::Log { start, end, note } => {
                let body =
                    json!({"start_time": rfc3339(*start), "end_time": rfc3339(*end), "note": note});
                Done::Logged(
                    api.json(Method::POST, "/sessions/start", Some(&body), Some(key))
                        .await?,
                )
            }
            Self::End {
                at,
                session_id,
                closes,
            } => {
                let id = session_id.ok_or_else(not_focusing)?;
                let session: Session = end_once(api, &format!("/sessions/{id}"), *at).await?;
                Done::Ended {
                    session,
                    closed: *closes,
                }
            }
            Self::Interrupt {
                kind,
                description,
                at,
                until,
                session_id,
            } => {
                let mut body = json!({
                    "session_id": session_id.ok_or_else(not_focusing)?,
                    "type": kind,
                    "description": description,
                    "start_time": rfc3339(*at),
                });
                if let Some(until) = until {
                    body["end_time"] = Value::String(rfc3339(*until));
                }
                Done::Interrupted(
                    api.json(Method::POST, "/interruptions/", Some(&body), Some(key))
                        .await?,
                )
            }
            Self::Resume {
                at,
                interruption_id,
            } => {
                let id = interruption_id.ok_or_else(not_focusing)?;
                Done::Resumed(end_once(api, &format!("/interruptions/{id}"), *at).await?)
            }
        };
        trail.follow(self, &done);
        Ok(done)
    }

    /// A short phrase for messages: "start at 10:02".
    pub fn describe(&self, zone: &TimeZone) -> String {
        match self {
            Self::Start { at, .. } => format!("start at {}", clock(*at, zone)),
            Self::End { at, .. } => format!("end at {}", clock(*at, zone)),
            Self::Interrupt {
                kind, at, until, ..
            } => match until {
                Some(until) => format!(
                    "{} at {} for {}",
                    a_kind(kind),
                    clock(*at, zone),
                    human_duration(until.duration_since(*at).as_secs())
                ),
                None => format!("{} from {}", a_kind(kind), clock(*at, zone)),
            },
            Self::Resume { at, .. } => format!("back to focus at {}", clock(*at, zone)),
            Self::Log { start, end, .. } => {
                format!("session {}–{}", clock(*start, zone), clock(*end, zone))
            }
        }
    }
}

impl Trail {
    fn follow(&mut self, change: &Change, done: &Done) {
        // A resent change is answered with the resource as it is now, which
        // a later change may have closed: what was asked for counts.
        if let (Change::Interrupt { until: None, .. }, Done::Interrupted(interruption)) =
            (change, done)
        {
            self.interruption = Some(interruption.id);
            return;
        }
        match done {
            Done::Started(session) => self.session = Some(session.id),
            Done::Ended { .. } => {
                self.session = None;
                self.interruption = None;
            }
            Done::Resumed(_) => self.interruption = None,
            Done::Interrupted(_) | Done::Logged(_) => {}
        }
    }
}

/// `GET /sessions/current`.
pub async fn current(api: &Api) -> Result<Current, ApiError> {
    api.get("/sessions/current").await
}

/// Ends `resource` at `at`; when it has already ended at exactly `at` (a
/// retry of a request whose answer was lost), that is the same success.
async fn end_once<T: serde::de::DeserializeOwned + HasEnd>(
    api: &Api,
    resource: &str,
    at: Timestamp,
) -> Result<T, Failure> {
    let body = json!({"end_time": rfc3339(at)});
    match api
        .json(Method::POST, &format!("{resource}/end"), Some(&body), None)
        .await
    {
        Err(error) if error.status() == Some(400) => {
            let stored: T = api.get(resource).await?;
            if stored.end() == Some(at) {
                Ok(stored)
            } else {
                Err(Failure::from(error))
            }
        }
        other => Ok(other?),
    }
}

/// What ends.
trait HasEnd {
    fn end(&self) -> Option<Timestamp>;
}

impl HasEnd for Session {
    fn end(&self) -> Option<Timestamp> {
        self.end_time
    }
}

impl HasEnd for Interruption {
    fn end(&self) -> Option<Timestamp> {
        self.end_time
    }
}

fn not_focusing() -> Failure {
    Failure::Said("you are not focusing; `hyperfocus start` begins a session".into())
}

/// RFC 3339 in UTC, whole seconds, as the API answers.
pub fn rfc3339(at: Timestamp) -> String {
    at.round(jiff::Unit::Second).unwrap_or(at).to_string()
}
