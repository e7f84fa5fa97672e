//! Passwords: checked at the edge, stored only as argon2id PHC strings with
//! OWASP's parameters (19 MiB, 2 passes, 1 lane), never logged.
//!
//! Hashing costs tens of milliseconds of CPU by design; callers run it off
//! the async threads (`crate::passwords`).

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier},
};

use super::FieldError;

/// Shortest password accepted for an account.
pub const MIN_CHARS: usize = 8;
/// Longest password accepted: long enough for any passphrase, short enough
/// that nobody can make the server hash a megabyte.
pub const MAX_CHARS: usize = 128;

/// OWASP's argon2id parameters (Password Storage Cheat Sheet): 19 MiB of
/// memory, 2 iterations, 1 degree of parallelism.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// A password as a person typed it. Its `Debug` shows nothing, so it cannot
/// reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// A new password for an account: 8 to 128 characters. The message
    /// never repeats the password.
    pub fn new_for_account(field: &str, raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&chars) {
            return Err(FieldError::new(
                field,
                format!(
                    "must be {MIN_CHARS} to {MAX_CHARS} characters (got {chars}); a few words make a good one"
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password presented to sign in: anything from 1 to 128 characters,
    /// which is then simply right or wrong.
    pub fn presented(field: &str, raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if !(1..=MAX_CHARS).contains(&chars) {
            return Err(FieldError::new(
                field,
                format!("must be 1 to {MAX_CHARS} characters (got {chars})"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Why a password could not be hashed: a fault of the host (no randomness
/// for the salt), never of the request.
#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

fn argon2() -> Argon2<'static> {
    // The parameters are constants within argon2's bounds.
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to
/// store for `password`, with a fresh random salt.
pub fn hash(password: &Password) -> Result<String, HashError> {
    argon2()
        .hash_password(password.bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` is the one `stored` was made from. A stored string
/// that does not parse matches nothing.
pub fn verify(password: &Password, stored: &str) -> bool {
    argon2().verify_password(password.bytes(), stored).is_ok()
}

/// A hash of a password nobody knows, verified against when the account has
/// no password (or does not exist), so that a sign-in takes as long either
/// way and its timing does not tell which emails have accounts.
pub fn decoy() -> &'static str {
    static DECOY: LazyLock<String> = LazyLock::new(|| {
        let mut random = [0u8; 32];
        // Without randomness the decoy is still a valid hash of a fixed
        // string that no client can present (it is longer than allowed).
        let _ = getrandom::fill(&mut random);
        let unknowable = Password(format!("{random:?}{}", "x".repeat(MAX_CHARS)));
        hash(&unknowable).unwrap_or_default()
    });
    &DECOY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let password = Password::new_for_account("password", "correct horse battery").unwrap();
        let stored = hash(&password).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("correct horse"));
        assert!(verify(&password, &stored));
        let wrong = Password::presented("password", "correct horse battery!").unwrap();
        assert!(!verify(&wrong, &stored));
        assert!(!verify(&password, "not a phc string"));
        // A fresh salt each time.
        assert_ne!(hash(&password).unwrap(), stored);
    }

    #[test]
    fn account_passwords_are_8_to_128_characters() {
        assert!(Password::new_for_account("password", "1234567").is_err());
        assert!(Password::new_for_account("password", "12345678").is_ok());
        assert!(Password::new_for_account("password", &"é".repeat(128)).is_ok());
        let long = Password::new_for_account("new_password", &"é".repeat(129)).unwrap_err();
        assert_eq!(long.field, "new_password");
        assert_eq!(
            long.message,
            "must be 8 to 128 characters (got 129); a few words make a good one"
        );
        assert!(Password::presented("password", "short").is_ok());
        assert!(Password::presented("password", "").is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::presented("password", "hunter2hunter2").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }

    #[test]
    fn the_decoy_is_a_real_hash_that_nothing_presented_matches() {
        assert!(decoy().starts_with("$argon2id$"));
        let guess = Password::presented("password", "password").unwrap();
        assert!(!verify(&guess, decoy()));
    }
}
