//! Retries without duplicates: a create sent again with the same
//! `Idempotency-Key` answers with what the first one created.

use super::{FieldError, RuleViolation};

/// Longest accepted key.
pub const MAX_KEY_CHARS: usize = 255;

/// A client's key and the fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The key, 1 to 255 visible ASCII characters.
    pub key: String,
    /// SHA-256 of the request; a reuse with another request is refused.
    pub request_hash: [u8; 32],
}

/// Checks the header's value.
pub fn parse_key(raw: &str) -> Result<String, FieldError> {
    let valid =
        (1..=MAX_KEY_CHARS).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
    valid.then(|| raw.to_owned()).ok_or_else(|| {
        FieldError::new(
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_CHARS} visible ASCII characters, e.g. a UUID"),
        )
    })
}

/// What an earlier use of the key left: its request's hash, and the kind
/// and id of what it created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// SHA-256 of the first request.
    pub request_hash: Vec<u8>,
    /// `session` or `interruption`.
    pub resource: String,
    /// The id created.
    pub resource_id: i64,
}

/// The id to answer with again, `None` to go ahead and create, or an error
/// when the key was first used for a different request.
pub fn replay(
    stored: Option<&StoredKey>,
    wanted: &Idempotency,
    resource: &str,
) -> Result<Option<i64>, RuleViolation> {
    match stored {
        None => Ok(None),
        Some(s) if s.request_hash == wanted.request_hash && s.resource == resource => {
            Ok(Some(s.resource_id))
        }
        Some(_) => Err(FieldError::new(
            "Idempotency-Key",
            "was first used with a different request; send a new key for a new request",
        )
        .into()),
    }
}

/// The answer to a retry whose first request's result has since been
/// deleted: that first answer can no longer be given, and creating again
/// would not be a retry.
pub fn gone(resource: &str, id: i64) -> RuleViolation {
    RuleViolation::Conflict(format!(
        "the request with this Idempotency-Key created {resource} {id}, which has since been deleted; send a new key to create another"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(hash: u8) -> Idempotency {
        Idempotency {
            key: "k".into(),
            request_hash: [hash; 32],
        }
    }

    #[test]
    fn a_key_replays_only_its_own_request() {
        let stored = StoredKey {
            request_hash: vec![1; 32],
            resource: "session".into(),
            resource_id: 7,
        };
        assert_eq!(replay(None, &wanted(1), "session"), Ok(None));
        assert_eq!(replay(Some(&stored), &wanted(1), "session"), Ok(Some(7)));
        assert!(replay(Some(&stored), &wanted(2), "session").is_err());
        assert!(replay(Some(&stored), &wanted(1), "interruption").is_err());
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(parse_key("3f2a-9c").is_ok());
        assert!(
            parse_key("").is_err()
                && parse_key("a b").is_err()
                && parse_key(&"k".repeat(256)).is_err()
        );
    }
}
