//! Retries without duplicates: a create sent again with the same
//! `Idempotency-Key` answers with what the first one created.
//!
//! Keys are remembered for [`KEY_LIFETIME_SECONDS`]. Keys of sessions and
//! interruptions belong to the token's user. Registration has no user yet,
//! so its keys are global; and since its answer carries a token that the
//! database keeps only as a hash, the new token's secret is kept *sealed*
//! under a key derived from the `Idempotency-Key` itself, which the
//! database never holds: a retry can be answered with the first token,
//! while the database alone cannot give one up.

use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use sha2::{Digest, Sha256};

use super::{FieldError, RuleViolation};

/// Longest accepted key.
pub const MAX_KEY_CHARS: usize = 255;

/// How long a key is remembered: a day covers any client's retries (a
/// phone offline overnight included), and bounds what is kept.
pub const KEY_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// Keys created at or before this second (unix) have expired at `now`.
pub fn expiry_cutoff(now: i64) -> i64 {
    now - KEY_LIFETIME_SECONDS
}

const NONCE_BYTES: usize = 24;

/// Why a secret could not be sealed; either is a fault of the host, never
/// of the request.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The operating system gave no random bytes for the nonce.
    #[error("no randomness for a nonce: {0}")]
    Randomness(#[from] getrandom::Error),
    /// The cipher refused the text (it does so only past 256 GiB).
    #[error("the secret could not be encrypted")]
    Encryption,
}

/// A client's key and the fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The key, 1 to 255 visible ASCII characters.
    pub key: String,
    /// SHA-256 of the request; a reuse with another request is refused.
    pub request_hash: [u8; 32],
}

impl Idempotency {
    /// What a registration's key is stored and found by: a hash, so that
    /// the key that opens the sealed secret is never stored.
    pub fn registration_lookup(&self) -> [u8; 32] {
        self.derive(b"hyperfocus registration lookup\0")
    }

    /// The request's fingerprint as a registration keeps it: keyed by the
    /// key, because a registration's body may hold a password, and a plain
    /// hash of it would let a copy of the database test guesses offline.
    pub fn registration_fingerprint(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(b"hyperfocus registration request\0")
            .chain_update(self.key.as_bytes())
            .chain_update(self.request_hash)
            .finalize()
            .into()
    }

    /// Seals a new token's secret so that only this key opens it again.
    pub fn seal(&self, secret: &str) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let sealed = self
            .cipher()
            .encrypt(&XNonce::from(nonce), secret.as_bytes())
            .map_err(|_| SealError::Encryption)?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The secret [`Idempotency::seal`] sealed with this key; `None` if it
    /// was sealed with another key or altered.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_BYTES)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let plain = self
            .cipher()
            .decrypt(&XNonce::from(nonce), ciphertext)
            .ok()?;
        String::from_utf8(plain).ok()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.derive(b"hyperfocus registration seal\0").into())
    }

    /// SHA-256 of `label` and the key: labels keep the lookup hash and the
    /// sealing key unrelated to each other.
    fn derive(&self, label: &[u8]) -> [u8; 32] {
        Sha256::new()
            .chain_update(label)
            .chain_update(self.key.as_bytes())
            .finalize()
            .into()
    }
}

/// A registration sent with a key: what to find it by, the fingerprint of
/// its request, and its token's secret sealed under the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationKey {
    /// [`Idempotency::registration_lookup`].
    pub lookup: [u8; 32],
    /// [`Idempotency::registration_fingerprint`] of the request.
    pub request_hash: [u8; 32],
    /// The new token's secret, [`Idempotency::seal`]ed.
    pub sealed_secret: Vec<u8>,
}

impl RegistrationKey {
    /// Seals `secret` under `key`.
    pub fn seal(key: &Idempotency, secret: &str) -> Result<Self, SealError> {
        Ok(Self {
            lookup: key.registration_lookup(),
            request_hash: key.registration_fingerprint(),
            sealed_secret: key.seal(secret)?,
        })
    }
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
    /// When the key was first used (unix seconds).
    pub created_at: i64,
}

/// The id to answer with again, `None` to go ahead and create (no key
/// stored, or it expired), or an error when the key was first used for a
/// different request.
pub fn replay(
    stored: Option<&StoredKey>,
    request_hash: &[u8; 32],
    resource: &str,
    now: i64,
) -> Result<Option<i64>, RuleViolation> {
    match stored {
        None => Ok(None),
        Some(s) if s.created_at <= expiry_cutoff(now) => Ok(None),
        Some(s) if s.request_hash == request_hash && s.resource == resource => {
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

    const DAY: i64 = KEY_LIFETIME_SECONDS;

    fn key(key: &str, hash: u8) -> Idempotency {
        Idempotency {
            key: key.into(),
            request_hash: [hash; 32],
        }
    }

    #[test]
    fn a_key_replays_only_its_own_request_for_a_day() {
        let stored = StoredKey {
            request_hash: vec![1; 32],
            resource: "session".into(),
            resource_id: 7,
            created_at: 1_000,
        };
        let same = [1; 32];
        assert_eq!(replay(None, &same, "session", 1_000), Ok(None));
        assert_eq!(replay(Some(&stored), &same, "session", 1_000), Ok(Some(7)));
        assert_eq!(
            replay(Some(&stored), &same, "session", 1_000 + DAY - 1),
            Ok(Some(7))
        );
        assert!(replay(Some(&stored), &[2; 32], "session", 1_000).is_err());
        assert!(replay(Some(&stored), &same, "interruption", 1_000).is_err());
        // Expired: as if never used, whatever the request.
        assert_eq!(
            replay(Some(&stored), &same, "session", 1_000 + DAY),
            Ok(None)
        );
        assert_eq!(
            replay(Some(&stored), &[2; 32], "session", 1_000 + DAY),
            Ok(None)
        );
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

    #[test]
    fn only_the_same_key_opens_a_sealed_secret() {
        let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";
        let sealed = key("k-1", 0).seal(secret).unwrap();
        assert_eq!(
            sealed.len(),
            NONCE_BYTES + secret.len() + 16,
            "nonce, text, tag"
        );
        assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_bytes()));
        // The request fingerprint takes no part: only the key does.
        assert_eq!(key("k-1", 9).open(&sealed).as_deref(), Some(secret));
        assert_eq!(key("k-2", 0).open(&sealed), None);
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key("k-1", 0).open(&altered), None);
        assert_eq!(key("k-1", 0).open(&sealed[..10]), None);
        // A fresh nonce each time: sealing twice gives two texts.
        assert_ne!(key("k-1", 0).seal(secret).unwrap(), sealed);
    }

    #[test]
    fn the_lookup_hash_is_neither_the_key_nor_its_plain_sha256() {
        let lookup = key("k-1", 0).registration_lookup();
        assert_eq!(lookup, key("k-1", 5).registration_lookup());
        assert_ne!(lookup, key("k-2", 0).registration_lookup());
        let plain: [u8; 32] = Sha256::digest(b"k-1").into();
        assert_ne!(lookup, plain);
    }

    #[test]
    fn a_registrations_fingerprint_needs_the_key() {
        let fingerprint = key("k-1", 3).registration_fingerprint();
        assert_ne!(fingerprint, [3; 32]);
        assert_ne!(fingerprint, key("k-2", 3).registration_fingerprint());
        assert_ne!(fingerprint, key("k-1", 4).registration_fingerprint());
        assert_eq!(fingerprint, key("k-1", 3).registration_fingerprint());
    }
}
