//! The rules of HyperFocus in plain Rust: no HTTP, no SQL, no clock.
//!
//! Everything here is a pure function of its arguments ("now" included), so
//! each rule is tested directly and both storage backends apply the very same
//! rules inside their transactions.

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn long_client_text_is_cut_when_quoted() {
        assert_eq!(quote("7 days"), "`7 days`");
        let long = "é".repeat(100);
        assert_eq!(quote(&long), format!("`{}…`", "é".repeat(64)));
        assert_eq!(quote(&"x".repeat(64)), format!("`{}`", "x".repeat(64)));
    }
}
pub mod breach;
pub mod browser;
pub mod calendar_feed;
pub mod correction;
pub mod days;
pub mod delivery;
pub mod demo;
pub mod events;
pub mod export;
pub mod goals;
pub mod idempotency;
pub mod import;
pub mod interruption;
pub mod json;
pub mod login;
pub mod password;
pub mod sealing;
pub mod session;
pub mod stats;
pub mod time;
pub mod token;
pub mod user;
pub mod views;
pub mod webhooks;

/// One input field that failed validation, reported back so a client can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON field or query parameter at fault, e.g. `end_time`.
    pub field: String,
    /// What was wrong and, where it helps, the accepted form.
    pub message: String,
    /// The facts behind the message, for an edge that words it itself
    /// (boxed: errors travel in every `Result`, and most have none).
    pub breach: Option<Box<breach::Breach>>,
}

impl FieldError {
    /// Builds the error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            breach: None,
        }
    }

    /// The error for `field` that `breach` describes, in the API's words.
    pub fn breach(field: impl Into<String>, breach: breach::Breach) -> Self {
        Self {
            field: field.into(),
            message: breach.to_string(),
            breach: Some(Box::new(breach)),
        }
    }
}

/// Client text as an error message shows it: in backticks, and cut after
/// 64 characters, so that a megabyte of junk is not echoed back whole.
pub fn quote(raw: &str) -> String {
    const SHOWN: usize = 64;
    match raw.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("`{}…`", &raw[..cut]),
        None => format!("`{raw}`"),
    }
}

/// A request that breaks a rule of the domain. The HTTP layer maps each kind
/// to its status (422, 409, 400) in one place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    /// Input that can never be valid as sent (422).
    #[error("{}", summarize(.0))]
    Invalid(Vec<FieldError>),
    /// Input that clashes with data already stored, such as an overlap (409).
    #[error("{0}")]
    Conflict(String),
    /// The resource is in the wrong state for the operation, such as ending
    /// an ended session (400).
    #[error("{0}")]
    WrongState(String),
    /// A rule of time that is not about one field (409 or 400, by
    /// [`breach::Breach::kind`]), with its facts.
    #[error("{0}")]
    Broke(breach::Breach),
}

impl RuleViolation {
    /// A violation of a single field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<FieldError> for RuleViolation {
    fn from(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

fn summarize(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Free text of at most `max` characters, empty when left out.
pub fn bounded_text(field: &str, raw: Option<String>, max: usize) -> Result<String, FieldError> {
    let text = raw.unwrap_or_default();
    let chars = text.chars().count();
    if chars > max {
        return Err(FieldError::breach(
            field,
            breach::Breach::TooLong { max, got: chars },
        ));
    }
    Ok(text)
}

/// Collects field errors so that a client learns about every bad field in one
/// round trip rather than one at a time.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
    /// A violation that is not about fields, reported before them.
    other: Option<RuleViolation>,
}

impl Validator {
    /// Keeps the value of `result`, remembering its error if it failed.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.errors.push(e)).ok()
    }

    /// Keeps the value of a check that may fail on several fields at once
    /// (such as [`user::NewUser::parse`]), remembering all of them.
    pub fn check_rule<T>(&mut self, result: Result<T, RuleViolation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(RuleViolation::Invalid(errors)) => {
                self.errors.extend(errors);
                None
            }
            Err(other) => {
                self.other.get_or_insert(other);
                None
            }
        }
    }

    /// Records an error directly.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// `Ok` when nothing failed.
    pub fn finish(self) -> Result<(), RuleViolation> {
        match self.other {
            Some(other) => Err(other),
            None if self.errors.is_empty() => Ok(()),
            None => Err(RuleViolation::Invalid(self.errors)),
        }
    }
}
