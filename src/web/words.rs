//! How the web app says what went wrong: its own sentences, in the
//! account's zone and the person's words, written from the facts of an
//! error (its kind, its fields, the [`Breach`] behind it). The API's
//! `detail` speaks to programs (field names, ids, UTC) and never reaches a
//! page from here.

use jiff::{Timestamp, civil::Date, tz::TimeZone};

use super::{
    WebError,
    time_input::{clock, day_and_clock},
};
use crate::{
    domain::{
        RuleViolation,
        breach::{Breach, Kept},
        session::Span,
    },
    error::AppError,
};

impl super::Visitor {
    /// How to speak to this visitor at `now`.
    pub fn voice(&self, now: Timestamp) -> Voice {
        Voice::new(self.zone().zone(), now)
    }
}

/// What a page says when something it sent could not be done, and where it
/// is gone: the one sentence for the top of the page.
pub const GONE: &str = "That is no longer there (perhaps it was changed in another tab); the page shows what is there now.";

/// An error as the person reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explained {
    /// Each field's own message, by the field's API name (`start_time`,
    /// `end_time`, `note`, `description`, …), for the form to place by its
    /// own input.
    pub fields: Vec<(String, String)>,
    /// What is not about one field.
    pub general: Option<String>,
}

impl Explained {
    /// All of it in one message, for the top of a page.
    pub fn sentence(&self) -> String {
        let mut parts: Vec<&str> = self.general.iter().map(String::as_str).collect();
        parts.extend(self.fields.iter().map(|(_, message)| message.as_str()));
        parts.join(" ")
    }
}

/// Who is being told: times are written in their zone, and with the day
/// when it is not today.
#[derive(Debug, Clone)]
pub struct Voice {
    zone: TimeZone,
    today: Date,
}

impl Voice {
    /// Speaks to someone in `zone` at `now`.
    pub fn new(zone: TimeZone, now: Timestamp) -> Self {
        let today = now.to_zoned_datetime(zone.clone()).date();
        Self { zone, today }
    }

    fn date(&self, at: Timestamp) -> Date {
        at.to_zoned_datetime(self.zone.clone()).date()
    }

    /// `09:30` today, `Mon 7 Dec, 09:30` on another day.
    pub fn when(&self, at: Timestamp) -> String {
        if self.date(at) == self.today {
            clock(at, &self.zone)
        } else {
            day_and_clock(at, &self.zone)
        }
    }

    /// `from 09:30 to 10:00`, the day written once.
    pub fn from_to(&self, from: Timestamp, to: Timestamp) -> String {
        let end = if self.date(from) == self.date(to) {
            clock(to, &self.zone)
        } else {
            self.when(to)
        };
        format!("from {} to {end}", self.when(from))
    }

    /// What the person reads for `error`.
    pub fn explain(&self, error: &WebError) -> Explained {
        match error {
            WebError::App(AppError::Rule(rule)) => self.rule(rule),
            WebError::App(other) => general(refusal(other)),
            WebError::NotFound => general(GONE.to_owned()),
            WebError::Forbidden(why) => general(capitalized(why)),
            WebError::BadForm(_) => {
                general("That form could not be read; reload the page and try again.".to_owned())
            }
            WebError::SignIn(_) => general("Sign in again, then try once more.".to_owned()),
        }
    }

    fn rule(&self, rule: &RuleViolation) -> Explained {
        match rule {
            RuleViolation::Invalid(errors) => Explained {
                fields: errors
                    .iter()
                    .map(|e| {
                        let message = match &e.breach {
                            Some(breach) => self.breach(breach, &noun(&e.field)),
                            None => unbroken(&e.field, &e.message),
                        };
                        (e.field.clone(), message)
                    })
                    .collect(),
                general: None,
            },
            RuleViolation::Broke(breach) => general(self.breach(breach, "This")),
            RuleViolation::Conflict(detail) | RuleViolation::WrongState(detail) => {
                general(capitalized(detail))
            }
        }
    }

    /// The sentence for `breach`; `what` names the field at fault ("The
    /// start").
    fn breach(&self, breach: &Breach, what: &str) -> String {
        match breach {
            Breach::InFuture { at, .. } => format!(
                "{what} ({}) is in the future. Use a time that has already passed.",
                self.when(*at)
            ),
            Breach::EndNotAfterStart { start } => {
                format!("The end must be after the start ({}).", self.when(*start))
            }
            Breach::EndNotAfterSessionStart { start } => format!(
                "The end must be after the session's start ({}).",
                self.when(*start)
            ),
            Breach::TooLong { max, got } => {
                format!("{what} is {got} characters long; it can have at most {max}.")
            }
            Breach::BeforeSessionStart { session_start } => format!(
                "An interruption can't start before its session does ({}).",
                self.when(*session_start)
            ),
            Breach::AfterSessionEnd { session_end } => format!(
                "An interruption must be over by the end of its session ({}).",
                self.when(*session_end)
            ),
            Breach::AfterFirstInterruption { interruption } => format!(
                "The session can't start after its interruption at {}. Move or delete that interruption first.",
                self.when(interruption.start)
            ),
            Breach::BeforeInterruptionEnd {
                interruption,
                until,
                ..
            } => format!(
                "The session can't end before its interruption {} is over. Move or delete that interruption first.",
                self.from_to(interruption.start, *until)
            ),
            Breach::BeforeOpenInterruption { interruption } => format!(
                "The session can't end before its open interruption began ({}).",
                self.when(interruption.start)
            ),
            Breach::SessionOverlap {
                start,
                end,
                other,
                other_until,
            } => self.session_overlap(*start, *end, other, *other_until),
            Breach::InterruptionOverlap { other } => format!(
                "This would overlap another interruption, {}. Change the times or delete that one first.",
                self.span(other)
            ),
            Breach::OpenInterruption { other } => format!(
                "An interruption is already open, since {}. Press Back to focus first.",
                self.when(other.start)
            ),
            Breach::ActiveSession { since, .. } => match since {
                Some(since) => format!(
                    "Focus is already running, since {} (perhaps started in another tab). End it before starting another.",
                    self.when(*since)
                ),
                None => "Focus is already running (perhaps started in another tab). End it before starting another.".to_owned(),
            },
            Breach::SessionStillActive { .. } => {
                "This session is still running. End it first, then correct its end.".to_owned()
            }
            Breach::SessionAlreadyEnded { at, .. } => {
                format!("This session has already ended, at {}.", self.when(*at))
            }
            Breach::SessionNotActive { at, .. } => format!(
                "This session ended at {}; interruptions are logged while you focus.",
                self.when(*at)
            ),
            Breach::InterruptionAlreadyEnded { at, .. } => {
                format!("This interruption has already ended, at {}.", self.when(*at))
            }
            Breach::Full { what, held } => match what {
                Kept::Goals => format!(
                    "You keep {held} goals, the most one account may: delete one first."
                ),
                Kept::Webhooks => format!(
                    "You keep {held} webhooks, the most one account may: delete one first."
                ),
                Kept::Tokens => format!(
                    "You hold {held} tokens, the most one account may: revoke one you no longer use first."
                ),
            },
        }
    }

    fn session_overlap(
        &self,
        start: Timestamp,
        end: Option<Timestamp>,
        other: &Span,
        other_until: Timestamp,
    ) -> String {
        let theirs = match other.end {
            Some(_) => format!("the one {}", self.from_to(other.start, other_until)),
            None => format!("the one running since {}", self.when(other.start)),
        };
        match end {
            None if other.start > start => format!(
                "A session running from {} would overlap {theirs}, which starts later. Give it an end as well.",
                self.when(start)
            ),
            _ => format!(
                "This session would overlap {theirs}. Change the times or delete that one first."
            ),
        }
    }

    /// `from 10:02 to 10:05`, or `open since 10:02`.
    fn span(&self, span: &Span) -> String {
        match span.end {
            Some(end) => self.from_to(span.start, end),
            None => format!("open since {}", self.when(span.start)),
        }
    }
}

/// What the page says of an error that is not a broken rule: the server's
/// reasons in the person's words (no flags, headers or seconds counts).
pub fn refusal(error: &AppError) -> String {
    use super::fields::wait;
    match error {
        AppError::TooManyRequests(seconds) => format!(
            "Too many requests from this browser at once. Wait {} and try again.",
            wait(*seconds)
        ),
        AppError::TooManySignIns(seconds) => format!(
            "Too many wrong passwords for this account or from this network. Try again in {}.",
            wait(*seconds)
        ),
        AppError::TooManyRegistrations(seconds) => format!(
            "Too many accounts were tried from this network. Try again in {}.",
            wait(*seconds)
        ),
        AppError::PayloadTooLarge => {
            "That is more than a form can send at once (1 MiB). Send less, or use a file import."
                .to_owned()
        }
        AppError::Unauthorized(_) => "Sign in again, then try once more.".to_owned(),
        AppError::Forbidden(_) => "This browser may not make that change.".to_owned(),
        AppError::Unavailable(_) | AppError::Timeout(_) => {
            "The server is busy and could not do that just now. Try again in a moment.".to_owned()
        }
        AppError::Internal(_) => {
            "Something went wrong on the server (it has been logged). Try again in a moment."
                .to_owned()
        }
        // Only forms of this app reach here, and they send nothing of these.
        AppError::BadRequest(_)
        | AppError::NotFound(_)
        | AppError::MethodNotAllowed(_)
        | AppError::UnsupportedMediaType(_)
        | AppError::Rule(_) => {
            "That form could not be read; reload the page and try again.".to_owned()
        }
    }
}

fn general(text: String) -> Explained {
    Explained {
        fields: Vec::new(),
        general: Some(text),
    }
}

/// How a sentence names the field at fault: "The start", "The note",
/// "The day start".
fn noun(field: &str) -> String {
    // `interruption/7/start_time` names its field last.
    match field.rsplit('/').next().unwrap_or(field) {
        "start_time" => "The start".to_owned(),
        "end_time" => "The end".to_owned(),
        "note" | "description" => "The note".to_owned(),
        "type" => "The type".to_owned(),
        other => format!("The {}", other.replace('_', " ")),
    }
}

/// A field's message with no facts behind it: the web app's own, or a
/// rule's that begins where its field's name was ("is not …", "must …"),
/// which gets the field's name in words.
fn unbroken(field: &str, message: &str) -> String {
    let first = message.split(' ').next().unwrap_or_default();
    if [
        "is", "must", "may", "needs", "should", "cannot", "can't", "has", "does",
    ]
    .contains(&first)
    {
        capitalized(&format!("{} {message}", noun(field)))
    } else {
        capitalized(message)
    }
}

/// `text` with a capital first letter and a full stop.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldError;

    /// `hms` on Saturday 2025-11-15, UTC.
    fn at(hms: &str) -> Timestamp {
        format!("2025-11-15T{hms}Z").parse().unwrap()
    }

    fn voice() -> Voice {
        Voice::new(TimeZone::get("Europe/Madrid").unwrap(), at("12:00:00"))
    }

    fn said(rule: RuleViolation) -> String {
        voice()
            .explain(&WebError::App(AppError::Rule(rule)))
            .sentence()
    }

    #[test]
    fn an_overlap_names_the_other_session_in_local_time() {
        let other = Span {
            id: 9,
            start: at("08:00:00"),
            end: Some(at("09:30:00")),
        };
        let breach = Breach::SessionOverlap {
            start: at("09:00:00"),
            end: Some(at("10:00:00")),
            other,
            other_until: at("09:30:00"),
        };
        assert_eq!(
            said(RuleViolation::Broke(breach)),
            "This session would overlap the one from 09:00 to 10:30. Change the times or delete that one first."
        );
    }

    #[test]
    fn a_field_breach_is_told_without_field_names_or_utc() {
        let error = FieldError::breach(
            "end_time",
            Breach::EndNotAfterStart {
                start: at("09:00:00"),
            },
        );
        let explained = voice().explain(&WebError::App(AppError::Rule(error.into())));
        assert_eq!(
            explained.fields,
            [(
                "end_time".to_owned(),
                "The end must be after the start (10:00).".to_owned()
            )]
        );
    }

    #[test]
    fn another_day_is_written_with_its_date() {
        let yesterday = Timestamp::from_second(at("09:00:00").as_second() - 86_400).unwrap();
        assert_eq!(voice().when(yesterday), "Fri 14 Nov, 10:00");
        assert_eq!(
            said(RuleViolation::Broke(Breach::SessionAlreadyEnded {
                id: 3,
                at: yesterday
            })),
            "This session has already ended, at Fri 14 Nov, 10:00."
        );
    }
}
