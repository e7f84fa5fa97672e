//! API tokens: 256 random bits, shown once, stored only as a SHA-256 hash.
//!
//! A token reads `hf_<user id>_<secret>`. The user id lets the server fetch
//! exactly one stored hash by primary key and compare it in constant time, so
//! no lookup ever depends on secret bytes.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SHA-256 of a token's secret: what the database keeps.
pub type TokenHash = [u8; 32];

const PREFIX: &str = "hf_";

/// A freshly drawn secret, not yet bound to a user id.
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
    pub fn token_for(&self, user_id: i64) -> String {
        token(user_id, &self.secret)
    }

    /// The secret alone, to seal for a retried registration
    /// (`domain::idempotency`).
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

/// The token that carries `secret` for user `user_id`.
pub fn token(user_id: i64, secret: &str) -> String {
    format!("{PREFIX}{user_id}_{secret}")
}

/// A token as presented in an `Authorization` header, split and hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedToken {
    /// The user the token claims to belong to.
    pub user_id: i64,
    hash: TokenHash,
}

impl PresentedToken {
    /// Splits `hf_<id>_<secret>`; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let (id, secret) = raw.strip_prefix(PREFIX)?.split_once('_')?;
        let user_id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        (!secret.is_empty()).then(|| Self {
            user_id,
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
        assert_eq!(presented.user_id, 42);
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
}
