//! Personal API tokens: 256 random bits, shown once, stored only as a
//! SHA-256 hash; one per device, each with a name, a scope and an expiry.
//!
//! A token reads `hf_<token id>_<secret>`. The id lets the server fetch
//! exactly one stored hash by primary key and compare it in constant time,
//! so no lookup ever depends on secret bytes. (Tokens issued before tokens
//! had rows of their own carry their user's id, which is also their row's.)

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{FieldError, quote};

/// The SHA-256 of a token's secret: what the database keeps.
pub type TokenHash = [u8; 32];

const PREFIX: &str = "hf_";

/// Longest token name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest lifetime a token may be given.
pub const MAX_EXPIRY_DAYS: i64 = 3650;
/// Most tokens one user may hold, so that a script cannot pile up rows.
pub const MAX_TOKENS_PER_USER: usize = 100;
/// The name of the token a registration returns.
pub const REGISTRATION_TOKEN_NAME: &str = "registration";

/// A freshly drawn secret, not yet bound to a token id.
pub struct NewSecret {
    secret: String,
    /// What to store for this secret.
    pub hash: TokenHash,
}

impl NewSecret {
    /// Draws 256 bits from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        let hash = hash_secret(&secret);
        Ok(Self { secret, hash })
    }

    /// The full token to show the user, once.
    pub fn token_for(&self, token_id: i64) -> String {
        token(token_id, &self.secret)
    }

    /// The secret alone, to seal for a retried registration
    /// (`domain::idempotency`).
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

/// The token that carries `secret` for token row `token_id`.
pub fn token(token_id: i64, secret: &str) -> String {
    format!("{PREFIX}{token_id}_{secret}")
}

/// A token as presented in an `Authorization` header, split and hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedToken {
    /// The token row it claims to be.
    pub token_id: i64,
    hash: TokenHash,
}

impl PresentedToken {
    /// Splits `hf_<id>_<secret>`; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let (id, secret) = raw.strip_prefix(PREFIX)?.split_once('_')?;
        let token_id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        (!secret.is_empty()).then(|| Self {
            token_id,
            hash: hash_secret(secret),
        })
    }

    /// Compares with the stored hash in constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        stored.len() == self.hash.len() && bool::from(self.hash.ct_eq(stored))
    }
}

fn hash_secret(secret: &str) -> TokenHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Read only: every write answers 403. For dashboards, status bars and
    /// calendar tools that should never change anything.
    Read,
    /// Everything the user may do.
    #[default]
    Write,
}

impl Scope {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    /// The scope a stored name names; anything unknown reads as `read`, the
    /// lesser power, though the schema admits only the two.
    pub fn from_stored(name: &str) -> Self {
        match name {
            "write" => Self::Write,
            _ => Self::Read,
        }
    }
}

/// A token's name: 1 to 100 characters once trimmed, such as the device it
/// lives on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    /// Trims and checks the length; `field` names the body field at fault.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(FieldError::new(
                field,
                format!(
                    "must be 1 to {MAX_NAME_CHARS} characters after trimming spaces (got {chars}), such as the device the token is for"
                ),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name of the token a registration returns.
    pub fn registration() -> Self {
        Self(REGISTRATION_TOKEN_NAME.to_owned())
    }

    /// The trimmed name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses a new token when the user already holds `held`, the most allowed.
pub fn check_room(held: i64) -> Result<(), super::RuleViolation> {
    if held >= MAX_TOKENS_PER_USER as i64 {
        return Err(super::RuleViolation::Broke(super::breach::Breach::Full {
            what: super::breach::Kept::Tokens,
            held,
        }));
    }
    Ok(())
}

/// When a token given `days` of life at `now` expires.
pub fn expiry(days: i64, now: Timestamp) -> Result<Timestamp, FieldError> {
    let invalid = || {
        FieldError::new(
            "expires_in_days",
            format!(
                "{} is not valid; use whole days from 1 to {MAX_EXPIRY_DAYS}, or leave it out for a token that does not expire",
                quote(&days.to_string())
            ),
        )
    };
    if !(1..=MAX_EXPIRY_DAYS).contains(&days) {
        return Err(invalid());
    }
    now.checked_add(jiff::SignedDuration::from_hours(days * 24))
        .map_err(|_| invalid())
}

/// A token to store: what it is called, what it may do, until when.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its name.
    pub name: TokenName,
    /// What it may do.
    pub scope: Scope,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// The hash of its secret.
    pub hash: TokenHash,
}

/// A stored token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Its id, the number in `hf_<id>_…`.
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// When it was issued.
    pub created_at: Timestamp,
    /// When it was last used, to about a minute; `None` if never.
    pub last_used_at: Option<Timestamp>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
}

/// How often a token's `last_used_at` is written at most: often enough to
/// tell a live device from a forgotten one, rarely enough that using a token
/// costs no write.
pub const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// Whether `last_used_at` is stale enough at `now` to be written again.
pub fn last_use_is_due(last_used_at: Option<Timestamp>, now: Timestamp) -> bool {
    last_used_at
        .is_none_or(|last| now.as_second() - last.as_second() >= LAST_USED_RESOLUTION_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_matches_its_own_hash_only() {
        let secret = NewSecret::generate().unwrap();
        let token = secret.token_for(42);
        assert!(token.starts_with("hf_42_"));
        assert_eq!(
            token.len(),
            "hf_42_".len() + 43,
            "256 bits in unpadded base64url"
        );
        let presented = PresentedToken::parse(&token).unwrap();
        assert_eq!(presented.token_id, 42);
        assert!(presented.matches(&secret.hash));
        let other = NewSecret::generate().unwrap();
        assert!(!presented.matches(&other.hash));
        assert!(!presented.matches(&secret.hash[..31]));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for raw in [
            "",
            "hf_",
            "hf_1_",
            "hf_x_abc",
            "hf_0_abc",
            "hf_-1_abc",
            "xx_1_abc",
            "hf_1abc",
        ] {
            assert_eq!(PresentedToken::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            TokenName::parse("name", "  laptop ").unwrap().as_str(),
            "laptop"
        );
        assert!(TokenName::parse("name", "   ").is_err());
        assert!(TokenName::parse("name", &"é".repeat(100)).is_ok());
        let error = TokenName::parse("token_name", &"é".repeat(101)).unwrap_err();
        assert_eq!(error.field, "token_name");
    }

    #[test]
    fn expiry_is_whole_days_up_to_ten_years() {
        let now: Timestamp = "2025-11-15T12:00:00Z".parse().unwrap();
        assert_eq!(expiry(30, now).unwrap().to_string(), "2025-12-15T12:00:00Z");
        assert!(expiry(0, now).is_err());
        assert!(expiry(MAX_EXPIRY_DAYS + 1, now).is_err());
        assert!(expiry(MAX_EXPIRY_DAYS, now).is_ok());
    }

    #[test]
    fn last_use_is_written_at_most_once_a_minute() {
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        assert!(last_use_is_due(None, at(100)));
        assert!(!last_use_is_due(Some(at(100)), at(159)));
        assert!(last_use_is_due(Some(at(100)), at(160)));
    }

    #[test]
    fn an_unknown_stored_scope_reads_as_read() {
        assert_eq!(Scope::from_stored("write"), Scope::Write);
        assert_eq!(Scope::from_stored("read"), Scope::Read);
        assert_eq!(Scope::from_stored("admin"), Scope::Read);
    }
}
