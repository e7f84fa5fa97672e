//! Storage: the one narrow interface the service needs, and its backends.
//!
//! Error layering: SQL errors never leave a backend. Each backend turns them
//! into a [`StoreError`] at the boundary — a broken rule becomes
//! [`StoreError::Rule`], a missing or foreign row [`StoreError::NotFound`], a
//! constraint violation the rule it enforces — and `crate::error::AppError`
//! turns that into HTTP.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::domain::{
    RuleViolation,
    idempotency::{Idempotency, RegistrationKey},
    interruption::{Interruption, InterruptionPatch, NewInterruption},
    session::Session,
    stats::SessionSpan,
    token::TokenHash,
    user::{NewUser, User, UserPatch},
};

pub mod postgres;
pub mod sqlite;

/// What can go wrong below the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request breaks a domain rule (checked inside the transaction).
    #[error(transparent)]
    Rule(#[from] RuleViolation),
    /// No such row, or it belongs to someone else: callers cannot tell apart,
    /// so that other users' data is never revealed.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database cannot be reached or is shutting down.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a failing disk. Logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl StoreError {
    /// Turns "not found" into `other`, leaving any other error as it is.
    pub fn or_if_missing(self, other: impl FnOnce() -> RuleViolation) -> Self {
        match self {
            Self::NotFound(_) => Self::Rule(other()),
            error => error,
        }
    }
}

/// Shorthand for storage results.
pub type StoreResult<T> = Result<T, StoreError>;

/// What a registration led to.
#[derive(Debug, Clone)]
pub enum Registration {
    /// A new user, with the token the caller drew.
    Created(User),
    /// A retry with the key of an earlier registration: that user, and the
    /// token's secret as sealed then.
    Replayed {
        /// The user the first request created.
        user: User,
        /// [`RegistrationKey::sealed_secret`] of the first request.
        sealed_secret: Vec<u8>,
    },
}

/// What authentication needs of a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// SHA-256 of the current token's secret.
    pub token_hash: Vec<u8>,
    /// The user's IANA zone, the default for day filters and reports.
    pub timezone: String,
}

/// A position in a newest-first listing of sessions: everything strictly
/// before `(start, id)` comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCursor {
    /// The last listed session's start.
    pub start: Timestamp,
    /// The last listed session's id, breaking ties.
    pub id: i64,
}

/// Which of a user's sessions to list.
#[derive(Debug, Clone, Copy)]
pub struct SessionListQuery {
    /// Only sessions overlapping `[from, to)`.
    pub overlapping: Option<(Timestamp, Timestamp)>,
    /// Continue after this position.
    pub after: Option<SessionCursor>,
    /// At most this many.
    pub limit: u32,
}

/// Persistence for HyperFocus. Every method that names a session or an
/// interruption takes the acting user and treats another user's row as
/// missing. Methods that check rules get `now` from the caller, so behaviour
/// is a function of the arguments and the stored data.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Succeeds when the database answers a trivial query.
    async fn ping(&self) -> StoreResult<()>;
    /// Finishes queued work and closes the database cleanly.
    async fn close(&self);

    /// Registers a user whose token hashes to `token_hash`.
    /// With `key`, a key used before answers with the user it created then
    /// (for a day, and until that user's token is rotated).
    async fn create_user(
        &self,
        new: NewUser,
        token_hash: TokenHash,
        now: Timestamp,
        key: Option<RegistrationKey>,
    ) -> StoreResult<Registration>;
    /// The token hash and zone of user `id`, if the user exists.
    async fn credentials(&self, id: i64) -> StoreResult<Option<Credentials>>;
    /// User `id`.
    async fn get_user(&self, id: i64) -> StoreResult<User>;
    /// Applies `patch` to user `id`.
    async fn update_user(&self, id: i64, patch: UserPatch) -> StoreResult<User>;
    /// Replaces user `id`'s token; the old one stops working at once, and
    /// a retried registration no longer answers with it.
    async fn replace_token(&self, id: i64, token_hash: TokenHash) -> StoreResult<User>;
    /// Erases user `id` with all their sessions and interruptions.
    async fn delete_user(&self, id: i64) -> StoreResult<()>;

    /// Starts a session at `start`.
    /// With `idempotency`, a key used before answers with the session it
    /// created then.
    async fn start_session(
        &self,
        user_id: i64,
        start: Timestamp,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Session>;
    /// Ends a session at `end`, closing an interruption still open at `end`.
    async fn end_session(
        &self,
        user_id: i64,
        id: i64,
        end: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Session>;
    /// One session.
    async fn get_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<Session>;
    /// Sessions newest first.
    async fn list_sessions(
        &self,
        user_id: i64,
        query: SessionListQuery,
        now: Timestamp,
    ) -> StoreResult<Vec<Session>>;
    /// Deletes a session with its interruptions.
    async fn delete_session(&self, user_id: i64, id: i64) -> StoreResult<()>;

    /// Logs an interruption in an active session.
    /// With `idempotency`, a key used before answers with the interruption
    /// it created then.
    async fn create_interruption(
        &self,
        user_id: i64,
        new: NewInterruption,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Interruption>;
    /// Closes an open interruption at `end`.
    async fn end_interruption(
        &self,
        user_id: i64,
        id: i64,
        end: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Interruption>;
    /// One interruption.
    async fn get_interruption(&self, user_id: i64, id: i64) -> StoreResult<Interruption>;
    /// Changes an interruption, re-checking where it lies.
    async fn update_interruption(
        &self,
        user_id: i64,
        id: i64,
        patch: InterruptionPatch,
        now: Timestamp,
    ) -> StoreResult<Interruption>;
    /// A session's interruptions by start, ascending.
    async fn list_interruptions(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Vec<Interruption>>;
    /// Deletes an interruption.
    async fn delete_interruption(&self, user_id: i64, id: i64) -> StoreResult<()>;

    /// The user's sessions overlapping `[from, to)`, by start, each with its
    /// interruptions overlapping it, by start: all a report needs.
    /// It may add spans beyond the window: reports clip every span.
    async fn window_spans(
        &self,
        user_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Arc<[SessionSpan]>>;
    /// When the user's first session started, if there is one.
    async fn first_session_start(&self, user_id: i64) -> StoreResult<Option<Timestamp>>;

    /// Deletes up to `batch` idempotency keys of each kind that have expired
    /// by `now`, oldest first, and returns how many went. Expired keys are
    /// ignored already; this gives back their space.
    async fn purge_expired_keys(&self, now: Timestamp, batch: u32) -> StoreResult<u64>;
}
