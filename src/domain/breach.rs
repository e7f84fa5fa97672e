//! Why a change of sessions or interruptions was refused, as facts.
//!
//! A rule that refuses a time says why as data, not only as prose: the API
//! writes its `detail` from these facts (UTC, ids and field names, for
//! programs; the [`Display`](std::fmt::Display) below), and the web app
//! writes its own sentence from the same facts, in the account's zone and
//! the person's words, without parsing the API's text.

use std::fmt;

use jiff::Timestamp;

use super::{
    session::Span,
    time::{FUTURE_TOLERANCE_SECONDS, whole_seconds},
};

/// A broken rule of time, with what broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    // About one field (422, through a `FieldError`).
    /// A time more than [`FUTURE_TOLERANCE_SECONDS`] after the server's.
    InFuture {
        /// The time sent.
        at: Timestamp,
        /// The server's time.
        now: Timestamp,
    },
    /// An end at or before the start it belongs to.
    EndNotAfterStart {
        /// That start.
        start: Timestamp,
    },
    /// A session's end at or before the session's start.
    EndNotAfterSessionStart {
        /// The session's start.
        start: Timestamp,
    },
    /// Text longer than its field holds.
    TooLong {
        /// The most characters allowed.
        max: usize,
        /// The characters sent.
        got: usize,
    },
    /// An interruption starting before its session.
    BeforeSessionStart {
        /// The session's start.
        session_start: Timestamp,
    },
    /// An interruption ending after its session's end, or left open in a
    /// session that has ended.
    AfterSessionEnd {
        /// The session's end.
        session_end: Timestamp,
    },
    /// A session's new start after the start of its first interruption.
    AfterFirstInterruption {
        /// That interruption.
        interruption: Span,
    },
    /// A session's end before the end of one of its interruptions.
    BeforeInterruptionEnd {
        /// That interruption.
        interruption: Span,
        /// Where it ends (now, for one still open).
        until: Timestamp,
        /// Whether the session was being corrected (rather than ended).
        correcting: bool,
    },
    /// A session's end at or before the start of its open interruption,
    /// which ending it would close.
    BeforeOpenInterruption {
        /// That interruption.
        interruption: Span,
    },
    // Clashes with stored data (409).
    /// Two sessions of a user would overlap.
    SessionOverlap {
        /// The proposed start.
        start: Timestamp,
        /// The proposed end; `None` for a session left running.
        end: Option<Timestamp>,
        /// The session in the way.
        other: Span,
        /// Where that one ends (now, if it is running).
        other_until: Timestamp,
    },
    /// Two interruptions of a session would overlap.
    InterruptionOverlap {
        /// The interruption in the way.
        other: Span,
    },
    /// A second open interruption in one session.
    OpenInterruption {
        /// The one already open.
        other: Span,
    },
    // The wrong state for the change (400).
    /// A second running session.
    ActiveSession {
        /// The running one.
        id: i64,
        /// Its start, when known.
        since: Option<Timestamp>,
    },
    /// An end given to a correction of a session still running.
    SessionStillActive {
        /// The session.
        id: i64,
    },
    /// Ending a session that has ended.
    SessionAlreadyEnded {
        /// The session.
        id: i64,
        /// When it ended.
        at: Timestamp,
    },
    /// An interruption for a session that has ended.
    SessionNotActive {
        /// The session.
        id: i64,
        /// When it ended.
        at: Timestamp,
    },
    /// Closing an interruption that has ended.
    InterruptionAlreadyEnded {
        /// The interruption.
        id: i64,
        /// When it ended.
        at: Timestamp,
    },
    /// One more of something a person may keep only so many of (409).
    Full {
        /// What.
        what: Kept,
        /// How many they keep now.
        held: i64,
    },
}

/// What a person keeps a limited number of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Goals.
    Goals,
    /// Webhook endpoints.
    Webhooks,
    /// Personal tokens.
    Tokens,
}

/// Which status a breach is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A field that can never be valid as sent (422).
    Invalid,
    /// A clash with stored data (409).
    Conflict,
    /// The wrong state for the change (400).
    WrongState,
}

impl Breach {
    /// How it is answered.
    pub fn kind(&self) -> Kind {
        match self {
            Self::SessionOverlap { .. }
            | Self::InterruptionOverlap { .. }
            | Self::OpenInterruption { .. }
            | Self::Full { .. } => Kind::Conflict,
            Self::ActiveSession { .. }
            | Self::SessionStillActive { .. }
            | Self::SessionAlreadyEnded { .. }
            | Self::SessionNotActive { .. }
            | Self::InterruptionAlreadyEnded { .. } => Kind::WrongState,
            _ => Kind::Invalid,
        }
    }
}

/// The API's wording: for a field breach, the message that follows the
/// field's name; for the others, the whole `detail`.
impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InFuture { at, now } => write!(
                f,
                "{at} is in the future; it may be at most {FUTURE_TOLERANCE_SECONDS} s after the server's time ({})",
                whole_seconds(*now)
            ),
            Self::EndNotAfterStart { start } => write!(f, "must be after start_time ({start})"),
            Self::EndNotAfterSessionStart { start } => {
                write!(f, "must be after the session's start_time ({start})")
            }
            Self::TooLong { max, got } => {
                write!(f, "must be at most {max} characters (got {got})")
            }
            Self::BeforeSessionStart { session_start } => write!(
                f,
                "must not be before the session's start_time ({session_start})"
            ),
            Self::AfterSessionEnd { session_end } => {
                write!(
                    f,
                    "must not be after the session's end_time ({session_end})"
                )
            }
            Self::AfterFirstInterruption { interruption } => write!(
                f,
                "must not be after the start of interruption {} ({}); move or delete it first",
                interruption.id, interruption.start
            ),
            Self::BeforeInterruptionEnd {
                interruption,
                until,
                correcting,
            } => {
                write!(
                    f,
                    "must not be before the end of interruption {} ({until})",
                    interruption.id
                )?;
                if *correcting {
                    f.write_str("; move or delete it first")?;
                }
                Ok(())
            }
            Self::BeforeOpenInterruption { interruption } => write!(
                f,
                "must be after the start of interruption {} ({}), which is still open and is closed when the session ends",
                interruption.id, interruption.start
            ),
            Self::SessionOverlap {
                start,
                end,
                other,
                other_until,
            } => {
                let theirs = format!("session {} ({} to {other_until})", other.id, other.start);
                match end {
                    Some(end) => write!(
                        f,
                        "{start} to {end} would overlap {theirs}; sessions may not overlap"
                    ),
                    None if other.start <= *start => write!(
                        f,
                        "start_time {start} falls inside {theirs}; sessions may not overlap"
                    ),
                    None => write!(
                        f,
                        "a session running since {start} would overlap {theirs}, which starts later; to log a finished session send end_time too"
                    ),
                }
            }
            Self::InterruptionOverlap { other } => {
                write!(f, "overlaps interruption {} ({} to ", other.id, other.start)?;
                match other.end {
                    Some(end) => write!(f, "{end}")?,
                    None => f.write_str("now, still open")?,
                }
                f.write_str("); interruptions of a session may not overlap")
            }
            Self::OpenInterruption { other } => write!(
                f,
                "interruption {id} of this session is still open (since {}); end it with POST /interruptions/{id}/end first",
                other.start,
                id = other.id
            ),
            Self::ActiveSession { id, .. } => write!(
                f,
                "the user already has an active session (id {id}); end it with POST /sessions/{id}/end before starting another"
            ),
            Self::SessionStillActive { id } => write!(
                f,
                "session {id} is still active; end it with POST /sessions/{id}/end, then correct its end_time"
            ),
            Self::SessionAlreadyEnded { id, at } => {
                write!(f, "session {id} already ended at {at}")
            }
            Self::SessionNotActive { id, at } => write!(
                f,
                "session {id} ended at {at}; interruptions can only be logged in an active session"
            ),
            Self::InterruptionAlreadyEnded { id, at } => {
                write!(f, "interruption {id} already ended at {at}")
            }
            Self::Full { what, held } => match what {
                Kept::Goals => write!(
                    f,
                    "you keep {held} goals, the most allowed; delete one with DELETE /users/{{id}}/goals/{{goal_id}} first"
                ),
                Kept::Webhooks => write!(
                    f,
                    "you keep {held} webhook endpoints, the most allowed; delete one first"
                ),
                Kept::Tokens => write!(
                    f,
                    "you hold {held} tokens, the most allowed; revoke unused ones with DELETE /users/me/tokens/{{id}} first"
                ),
            },
        }
    }
}
