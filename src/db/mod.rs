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
    browser::{BrowserSession, NewBrowserSession},
    correction::Correction,
    days::DaySettings,
    delivery::DeliveryState,
    events::Event,
    export::ExportRow,
    goals::{Goal, GoalRule},
    idempotency::{Idempotency, RegistrationKey},
    import::{ImportCounts, ImportFile},
    interruption::{Interruption, InterruptionPatch, NewInterruption},
    login::Failures,
    session::{NewSession, Session, SessionPatch},
    stats::SessionSpan,
    token::{NewToken, Scope, Token, TokenHash},
    user::{NewUser, User, UserPatch},
    webhooks::{NewWebhook, Webhook, WebhookPatch},
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

/// Rows of an export as the store reads them, a batch at a time; an error
/// ends the stream.
pub type ExportRows = tokio::sync::mpsc::Receiver<StoreResult<ExportBatch>>;

/// One message of an export's stream.
#[derive(Debug)]
pub enum ExportBatch {
    /// The next rows, in order.
    Rows(Vec<ExportRow>),
    /// Every row was sent. A stream that ends without this was cut short
    /// (its reader failed), and the file must not look whole.
    Done,
}

/// Rows of an export sent at once: large enough to amortise the hand-over,
/// small enough to keep memory flat.
pub const EXPORT_BATCH: usize = 1024;

/// Batches of an export in flight between the store and the response.
pub const EXPORT_BATCHES_IN_FLIGHT: usize = 4;

/// Unix milliseconds on the wall clock. Webhook deliveries wait in real
/// time, whatever clock requests read, so the outbox keeps time by this.
pub fn wall_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// `columns` (a comma-separated list) each qualified with `table.`, for
/// a statement that joins.
fn qualified(columns: &str, table: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("{table}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shorthand for storage results.
pub type StoreResult<T> = Result<T, StoreError>;

/// What a registration led to.
#[derive(Debug, Clone)]
pub enum Registration {
    /// A new user, with the id of the registration token the caller drew.
    Created {
        /// The new user.
        user: User,
        /// The registration token's id.
        token_id: i64,
    },
    /// A retry with the key of an earlier registration: that user and
    /// token, and the token's secret as sealed then.
    Replayed {
        /// The user the first request created.
        user: User,
        /// The registration token's id.
        token_id: i64,
        /// [`RegistrationKey::sealed_secret`] of the first request.
        sealed_secret: Vec<u8>,
    },
}

/// What a replayed registration key points at, as both backends read it.
#[derive(Debug, Clone)]
pub struct ReplayedRegistration {
    /// The user the first request created.
    pub user_id: i64,
    /// Its registration token.
    pub token_id: i64,
    /// The token's secret, sealed under the key.
    pub sealed_secret: Vec<u8>,
}

/// What authentication needs of a token: one primary-key read.
#[derive(Debug, Clone)]
pub struct TokenCredentials {
    /// The token's user.
    pub user_id: i64,
    /// SHA-256 of the token's secret.
    pub secret_hash: Vec<u8>,
    /// What the token may do.
    pub scope: Scope,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
    /// When its use was last recorded.
    pub last_used_at: Option<Timestamp>,
    /// The user's IANA zone, the default for day filters and reports.
    pub timezone: String,
    /// Where the user's weeks and days begin.
    pub days: DaySettings,
}

/// What a sign-in needs of an account.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    /// The account's user.
    pub user_id: i64,
    /// The argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
}

/// What a status bar polls: the active session and its open interruption.
#[derive(Debug, Clone, Default)]
pub struct CurrentSession {
    /// The user's active session, if any.
    pub session: Option<Session>,
    /// Its interruption still going on, if any.
    pub open_interruption: Option<Interruption>,
}

/// A session just ended, and the interruption its end closed, if one was
/// still open.
#[derive(Debug, Clone)]
pub struct EndedSession {
    /// The session, ended.
    pub session: Session,
    /// The interruption closed at the session's end.
    pub closed: Option<Interruption>,
}

/// A session corrected with its interruptions in one save.
#[derive(Debug, Clone)]
pub struct CorrectedSession {
    /// The session as it is now.
    pub session: Session,
    /// Its interruptions that changed, as they are now.
    pub changed: Vec<Interruption>,
    /// The interruption added, if one was.
    pub added: Option<Interruption>,
}

/// Whether a new token takes the place of the user's tokens of the same
/// name: signing in again on a device replaces that device's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameName {
    /// Keep them; the new token is one more.
    Keep,
    /// Revoke them in the same transaction.
    Replace,
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

/// A delivery claimed for an attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery's id.
    pub id: i64,
    /// Its event's id: `webhook-id` on every attempt.
    pub event_id: String,
    /// The JSON body, the same on every attempt.
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// The endpoint, with its secrets.
    pub webhook: Webhook,
    /// When the endpoint last answered a 2xx (Unix seconds).
    pub last_success_at: Option<i64>,
}

/// What one attempt found and what it led to, recorded together.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// The delivery.
    pub delivery_id: i64,
    /// Its endpoint.
    pub webhook_id: i64,
    /// Unix milliseconds the attempt was made.
    pub attempted_at_ms: i64,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// The delivery's new state.
    pub state: DeliveryState,
    /// When pending: Unix milliseconds of the next attempt.
    pub next_attempt_at_ms: Option<i64>,
    /// When the endpoint is disabled by it: why.
    pub disable: Option<String>,
    /// Unix seconds to record as the endpoint's last success, when this
    /// attempt succeeded and the one recorded is more than a minute old
    /// (the five-day rule needs no finer time, and most deliveries then
    /// write their own row only).
    pub success_at: Option<i64>,
}

/// One delivery as listed, with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    /// Positive id.
    pub id: i64,
    /// The endpoint.
    pub webhook_id: i64,
    /// `webhook-id` of every attempt.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Unix milliseconds the event was written.
    pub created_at_ms: i64,
    /// When pending: Unix milliseconds of the next attempt.
    pub next_attempt_at_ms: Option<i64>,
    /// Every attempt so far.
    pub attempts: Vec<AttemptRow>,
}

/// One attempt as recorded: a line of its delivery's `attempt_log`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttemptRow {
    /// Unix milliseconds.
    #[serde(rename = "at")]
    pub attempted_at_ms: i64,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: i64,
    /// Why it failed.
    pub error: Option<String>,
}

impl AttemptRow {
    /// The line appended to the delivery's `attempt_log`: appending keeps
    /// an attempt to one UPDATE of the row already being written.
    pub fn log_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// The attempts of an `attempt_log`, oldest first; a line that does
    /// not read (none should) is skipped.
    pub fn parse_log(log: &str) -> Vec<Self> {
        log.lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}

impl AttemptRecord {
    /// The attempt as listed.
    pub fn row(&self) -> AttemptRow {
        AttemptRow {
            attempted_at_ms: self.attempted_at_ms,
            status: self.status,
            latency_ms: self.latency_ms,
            error: self.error.clone(),
        }
    }
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
    /// This server's own name (32 hex digits), made once with the database:
    /// what keeps names it hands out, such as calendar event UIDs, apart
    /// from another server's.
    fn instance(&self) -> &str;

    /// Registers a user with their first token, `registration`.
    /// With `key`, a key used before answers with the user it created then
    /// (for a day, and until that token is rotated or revoked).
    async fn create_user(
        &self,
        new: NewUser,
        password_hash: Option<String>,
        token: NewToken,
        now: Timestamp,
        key: Option<RegistrationKey>,
    ) -> StoreResult<Registration>;
    /// What authenticating with token `id` needs, if the token exists.
    async fn token_credentials(&self, id: i64) -> StoreResult<Option<TokenCredentials>>;
    /// Records that token `id` was used at `now` (callers do so at most
    /// about once a minute).
    async fn record_token_use(&self, id: i64, now: Timestamp) -> StoreResult<()>;
    /// User `id`.
    async fn get_user(&self, id: i64) -> StoreResult<User>;
    /// The user with this lower-cased email.
    async fn user_by_email(&self, email_key: &str) -> StoreResult<User>;
    /// Applies `patch` to user `id`.
    async fn update_user(&self, id: i64, patch: UserPatch) -> StoreResult<User>;
    /// Erases user `id` with all their sessions, interruptions and tokens.
    async fn delete_user(&self, id: i64) -> StoreResult<()>;

    /// Gives user `user_id` another token; at most
    /// [`crate::domain::token::MAX_TOKENS_PER_USER`] (409 past it).
    async fn create_token(
        &self,
        user_id: i64,
        token: NewToken,
        now: Timestamp,
        same_name: SameName,
    ) -> StoreResult<Token>;
    /// The user's tokens, oldest first.
    async fn list_tokens(&self, user_id: i64) -> StoreResult<Vec<Token>>;
    /// Revokes token `id` of the user; it stops working at once.
    async fn delete_token(&self, user_id: i64, id: i64) -> StoreResult<()>;
    /// Gives token `token_id` of the user a new secret; the old one stops
    /// working at once, and a retried registration no longer answers with it.
    async fn replace_token(
        &self,
        user_id: i64,
        token_id: i64,
        token_hash: TokenHash,
    ) -> StoreResult<User>;

    /// The account a sign-in with this lower-cased email is for.
    async fn login_account(&self, email_key: &str) -> StoreResult<Option<LoginAccount>>;
    /// User `id`'s password hash, if they set one.
    async fn password_hash(&self, id: i64) -> StoreResult<Option<String>>;
    /// Sets user `id`'s password hash.
    async fn set_password(&self, id: i64, password_hash: String) -> StoreResult<()>;
    /// Failed sign-ins since `since`: of the account, and of the address.
    async fn login_failures(
        &self,
        email_key: &str,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<(Failures, Failures)>;
    /// Counts a failed sign-in.
    async fn record_login_failure(
        &self,
        email_key: &str,
        address: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Forgets the account's failures after a successful sign-in.
    async fn clear_login_failures(&self, email_key: &str) -> StoreResult<()>;
    /// Registrations refused (the email was taken) from `address` since
    /// `since`.
    async fn registration_refusals(&self, address: &str, since: Timestamp)
    -> StoreResult<Failures>;
    /// Counts a registration refused because the email was taken.
    async fn record_registration_refusal(&self, address: &str, now: Timestamp) -> StoreResult<()>;

    /// Starts a session at `start`, or with `end` logs a finished one.
    /// With `idempotency`, a key used before answers with the session it
    /// created then.
    async fn start_session(
        &self,
        user_id: i64,
        new: NewSession,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Session>;
    /// Corrects a session's times or note, keeping every rule.
    async fn update_session(
        &self,
        user_id: i64,
        id: i64,
        patch: SessionPatch,
        now: Timestamp,
    ) -> StoreResult<Session>;
    /// Corrects a session and its interruptions at once, adding one if
    /// asked (`domain::correction`): all of it holds, or nothing changes.
    async fn correct_session(
        &self,
        user_id: i64,
        id: i64,
        correction: Correction,
        now: Timestamp,
    ) -> StoreResult<CorrectedSession>;
    /// The user's active session and its open interruption.
    async fn current_session(&self, user_id: i64, now: Timestamp) -> StoreResult<CurrentSession>;
    /// Ends a session at `end` (now, by `session::default_end`, when
    /// `None`), closing an interruption still open at that end.
    async fn end_session(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<EndedSession>;
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
    async fn delete_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()>;

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
    /// Closes an open interruption at `end` (now, at least a second after
    /// its start, when `None`).
    async fn end_interruption(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
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
    async fn delete_interruption(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()>;

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

    /// Gives the user a calendar feed whose address hashes to `hash`,
    /// replacing any earlier one (whose address then opens nothing).
    async fn set_calendar_feed(
        &self,
        user_id: i64,
        hash: [u8; 32],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Ends the user's calendar feed; `NotFound` when there is none.
    async fn delete_calendar_feed(&self, user_id: i64) -> StoreResult<()>;
    /// The owner of the feed whose address hashes to `hash`, with their zone.
    async fn calendar_feed_owner(&self, hash: [u8; 32]) -> StoreResult<Option<(i64, String)>>;
    /// When the user's current feed was made, if they have one.
    async fn calendar_feed_created(&self, user_id: i64) -> StoreResult<Option<Timestamp>>;

    /// Adds a goal, unless the user keeps the most allowed.
    async fn create_goal(&self, user_id: i64, rule: GoalRule, now: Timestamp) -> StoreResult<Goal>;
    /// The user's goals, oldest first.
    async fn list_goals(&self, user_id: i64) -> StoreResult<Vec<Goal>>;
    /// One goal of the user's.
    async fn get_goal(&self, user_id: i64, id: i64) -> StoreResult<Goal>;
    /// Replaces a goal's rule.
    async fn update_goal(&self, user_id: i64, id: i64, rule: GoalRule) -> StoreResult<Goal>;
    /// Deletes a goal.
    async fn delete_goal(&self, user_id: i64, id: i64) -> StoreResult<()>;

    /// Adds a webhook endpoint with its sealed secret, unless the user keeps
    /// the most allowed.
    async fn create_webhook(
        &self,
        user_id: i64,
        new: NewWebhook,
        sealed_secret: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<Webhook>;
    /// The user's endpoints, oldest first.
    async fn list_webhooks(&self, user_id: i64) -> StoreResult<Vec<Webhook>>;
    /// One endpoint of the user's.
    async fn get_webhook(&self, user_id: i64, id: i64) -> StoreResult<Webhook>;
    /// Changes an endpoint.
    async fn update_webhook(
        &self,
        user_id: i64,
        id: i64,
        patch: WebhookPatch,
    ) -> StoreResult<Webhook>;
    /// Makes a new secret current; the old one signs until `old_until`.
    async fn rotate_webhook_secret(
        &self,
        user_id: i64,
        id: i64,
        sealed_secret: Vec<u8>,
        old_until: i64,
    ) -> StoreResult<Webhook>;
    /// Deletes an endpoint.
    async fn delete_webhook(&self, user_id: i64, id: i64) -> StoreResult<()>;

    /// Claims up to `limit` deliveries due by `now_ms` whose endpoints are
    /// enabled, leasing each until `lease_until_ms`: should this process
    /// die meanwhile, they fall due again then. Processes sharing the
    /// database never claim the same delivery at once.
    async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueDelivery>>;
    /// Records attempts, each with its delivery's new state and what it
    /// means for the endpoint (its last success, or that it is now
    /// disabled), in one transaction, and ends their claims.
    async fn record_attempts(&self, attempts: Vec<AttemptRecord>) -> StoreResult<()>;
    /// The endpoint's deliveries written since `since_ms`, newest first,
    /// before delivery `before` when given, at most `limit`.
    async fn list_deliveries(
        &self,
        user_id: i64,
        webhook_id: i64,
        since_ms: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
    /// Makes a delivery of the user's due at `now_ms` again, whatever its
    /// state, with one more attempt than it has made.
    async fn retry_delivery(
        &self,
        user_id: i64,
        webhook_id: i64,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<DeliveryRecord>;
    /// Deletes up to `batch` settled deliveries written before `before_ms`.
    async fn purge_deliveries(&self, before_ms: i64, batch: u32) -> StoreResult<u64>;
    /// The users with an enabled endpoint that takes `goal.met` or
    /// `goal.missed`: those whose goals are checked.
    async fn goal_watchers(&self) -> StoreResult<Vec<i64>>;
    /// Records that the period of goal `goal_id` starting `period_start`
    /// was met (or missed) and writes the event with `data` for the
    /// user's endpoints, in one transaction; `false`, writing nothing,
    /// when the period was recorded before.
    async fn record_goal_outcome(
        &self,
        user_id: i64,
        goal_id: i64,
        period_start: &str,
        met: bool,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Woken whenever an event for an endpoint is committed (on PostgreSQL,
    /// by any process), so deliveries start at once rather than at the
    /// next poll.
    fn outbox_signal(&self) -> Arc<tokio::sync::Notify>;

    /// Adds the sessions of an import (read and checked on their own) that
    /// are not stored yet, with their interruptions, in one transaction,
    /// after `domain::import::place` has checked them against the stored
    /// ones inside it: all or nothing. A file with errors of its own is
    /// placed too, so that the refusal lists every error at once. With
    /// `dry_run`, checks and counts only.
    async fn import_sessions(
        &self,
        user_id: i64,
        file: ImportFile,
        dry_run: bool,
        now: Timestamp,
    ) -> StoreResult<ImportCounts>;

    /// The user's sessions starting in `[from, to)` (an edge left out is
    /// open), each with its interruptions, as [`ExportRow`]s ordered by
    /// session start, then interruption start: read by one statement (one
    /// consistent snapshot) and sent in batches as they are read, so that
    /// ten years never sit in memory. Dropping the receiver stops the read.
    async fn export_rows(
        &self,
        user_id: i64,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<ExportRows>;

    /// Deletes up to `batch` idempotency keys of each kind that have expired
    /// by `now`, oldest first, and returns how many went. Expired keys are
    /// ignored already; this gives back their space.
    async fn purge_expired_keys(&self, now: Timestamp, batch: u32) -> StoreResult<u64>;
    /// Deletes up to `batch` failed sign-ins older than `before`; they no
    /// longer count.
    async fn purge_login_failures(&self, before: Timestamp, batch: u32) -> StoreResult<u64>;
    /// Deletes up to `batch` registration refusals from before `before`.
    async fn purge_registration_refusals(&self, before: Timestamp, batch: u32) -> StoreResult<u64>;

    /// Signs a browser in.
    async fn create_browser_session(
        &self,
        new: NewBrowserSession,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The browser session whose cookie hashes to `id_hash`, with its user.
    async fn browser_session(&self, id_hash: [u8; 32]) -> StoreResult<Option<BrowserSession>>;
    /// Signs one browser out.
    async fn delete_browser_session(&self, id_hash: [u8; 32]) -> StoreResult<()>;
    /// Signs every browser of the user out but the one of `keep`; returns
    /// how many.
    async fn delete_other_browser_sessions(&self, user_id: i64, keep: [u8; 32])
    -> StoreResult<u64>;
    /// Deletes up to `batch` browser sessions expired by `now`.
    async fn purge_browser_sessions(&self, now: Timestamp, batch: u32) -> StoreResult<u64>;
    /// The interruptions of the user's sessions `session_ids`, by session
    /// and start: what a page of history shows, in one read.
    async fn interruptions_of_sessions(
        &self,
        user_id: i64,
        session_ids: Vec<i64>,
    ) -> StoreResult<Vec<Interruption>>;

    /// Passes a live event to the other processes sharing this database
    /// (PostgreSQL: NOTIFY). SQLite is served by one process: a no-op.
    async fn announce(&self, event: &Event) -> StoreResult<()>;
    /// The live events other processes announce, as they arrive; `None`
    /// where there are no other processes.
    fn remote_events(&self) -> Option<tokio::sync::broadcast::Receiver<Event>>;
}
