//! Secrets kept at rest under the server's key (`--secret-key`), so that a
//! copy of the database alone gives no webhook secret away.

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};

const NONCE_BYTES: usize = 24;

/// The server's 32-byte key.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

impl ServerKey {
    /// A new random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Self(key))
    }

    /// Reads the base64 of 32 bytes, as `--secret-key` and the key file
    /// hold it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        STANDARD
            .decode(raw.trim())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .map(Self)
            .ok_or_else(|| {
                "the secret key must be the base64 of 32 bytes, such as the output of `openssl rand -base64 32`".to_owned()
            })
    }

    /// The base64 to write down.
    pub fn encoded(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// `plain` encrypted and authenticated, bound to `context` (such as the
    /// owner's id), with a random nonce in front.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>, getrandom::Error> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .unwrap_or_default();
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// What [`ServerKey::seal`] sealed under this key and `context`; `None`
    /// under another key or context, or if it was altered.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_BYTES)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_context() {
        let key = ServerKey::generate().unwrap();
        let sealed = key.seal(b"whsec_abc", b"user 7").unwrap();
        assert_eq!(
            key.open(&sealed, b"user 7").as_deref(),
            Some(&b"whsec_abc"[..])
        );
        assert_eq!(key.open(&sealed, b"user 8"), None);
        assert_eq!(
            ServerKey::generate().unwrap().open(&sealed, b"user 7"),
            None
        );
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&altered, b"user 7"), None);
        assert!(!sealed.windows(9).any(|w| w == b"whsec_abc"));
        assert_eq!(ServerKey::parse(&key.encoded()), Ok(key.clone()));
        assert!(ServerKey::parse("c2hvcnQ=").is_err());
        assert_eq!(format!("{key:?}"), "ServerKey(…)");
    }
}
