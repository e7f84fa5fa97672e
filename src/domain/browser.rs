//! Browsers signed in to the web app: a random session id in an HttpOnly
//! cookie, of which the database keeps only the SHA-256, and a CSRF token
//! every form of that browser sends back.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::token::Scope;

/// How long a browser stays signed in.
pub const LIFETIME_DAYS: i64 = 30;

/// A new browser session's secrets, drawn from the OS CSPRNG.
pub struct NewSecrets {
    /// The cookie's value, given to the browser only.
    pub cookie: String,
    /// What the database keeps of it.
    pub id_hash: [u8; 32],
    /// The forms' CSRF token.
    pub csrf: String,
}

impl NewSecrets {
    /// 256 random bits for the cookie and 256 for the CSRF token.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes)?;
        let cookie = URL_SAFE_NO_PAD.encode(&bytes[..32]);
        Ok(Self {
            id_hash: id_hash(&cookie),
            csrf: URL_SAFE_NO_PAD.encode(&bytes[32..]),
            cookie,
        })
    }
}

/// What the database keeps for a cookie's value.
pub fn id_hash(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

/// A browser session to store.
#[derive(Debug, Clone)]
pub struct NewBrowserSession {
    /// [`id_hash`] of the cookie.
    pub id_hash: [u8; 32],
    /// Whose.
    pub user_id: i64,
    /// What the browser may do.
    pub scope: Scope,
    /// The forms' CSRF token.
    pub csrf: String,
    /// The browser, as it names itself (cut to 200 characters).
    pub user_agent: String,
    /// When it signs out by itself.
    pub expires_at: Timestamp,
}

/// A stored browser session, with what every page needs of its user.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    /// Whose.
    pub user_id: i64,
    /// What the browser may do.
    pub scope: Scope,
    /// The forms' CSRF token.
    pub csrf: String,
    /// When it signs out by itself.
    pub expires_at: Timestamp,
    /// The user's display name.
    pub name: String,
    /// The user's IANA zone.
    pub timezone: String,
    /// Where the user's weeks and days begin.
    pub days: super::days::DaySettings,
}

impl BrowserSession {
    /// Whether a form's `csrf` field is this session's token (in constant
    /// time).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        self.csrf.len() == sent.len() && bool::from(self.csrf.as_bytes().ct_eq(sent.as_bytes()))
    }
}

/// A browser's user agent as stored: at most 200 characters.
pub fn user_agent(raw: Option<&str>) -> String {
    raw.unwrap_or("unknown browser").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_never_what_is_stored() {
        let secrets = NewSecrets::generate().unwrap();
        assert_eq!(secrets.cookie.len(), 43);
        assert_eq!(secrets.id_hash, id_hash(&secrets.cookie));
        assert_ne!(secrets.cookie, secrets.csrf);
        assert_ne!(NewSecrets::generate().unwrap().cookie, secrets.cookie);
    }

    #[test]
    fn only_the_sessions_own_csrf_token_matches() {
        let session = BrowserSession {
            user_id: 1,
            scope: Scope::Write,
            csrf: "abc".into(),
            expires_at: Timestamp::UNIX_EPOCH,
            name: "Ana".into(),
            timezone: "UTC".into(),
            days: Default::default(),
        };
        assert!(session.csrf_matches("abc"));
        assert!(
            !session.csrf_matches("abd")
                && !session.csrf_matches("")
                && !session.csrf_matches("abcd")
        );
    }
}
