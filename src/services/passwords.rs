//! Password hashing off the async threads, a few at a time.
//!
//! argon2id is slow and memory-hard on purpose; run on the async threads it
//! would stall every request sharing them, and unbounded it would let a
//! storm of sign-ins take every core. So each hash runs on the blocking
//! pool behind a semaphore: at most `--password-hashers` at once, the rest
//! waiting their turn (and the request deadline still applies).

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{
    domain::password::{self, Password},
    error::{AppError, AppResult},
};

/// The hashing lane shared by all requests.
#[derive(Debug, Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Passwords {
    /// A lane of `concurrency` hashes at once (at least one).
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// The PHC string to store for `password`.
    pub async fn hash(&self, password: Password) -> AppResult<String> {
        self.run(move || password::hash(&password).map_err(|e| AppError::Internal(e.into())))
            .await?
    }

    /// Whether `password` matches `stored`. With nothing stored (no such
    /// account, or no password set) it checks against a decoy and answers
    /// `false`, taking as long as a real check.
    pub async fn verify(&self, password: Password, stored: Option<String>) -> AppResult<bool> {
        self.run(move || match stored {
            Some(stored) => password::verify(&password, &stored),
            None => {
                let _ = password::verify(&password, password::decoy());
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("password lane closed: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("password task failed: {e}")))
    }
}
