//! The embedded backend: one SQLite file, no set-up.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, config::DbConfig};

use super::{
    AttemptRecord, CorrectedSession, CurrentSession, DeliveryRecord, DueDelivery,
    EXPORT_BATCHES_IN_FLIGHT, EndedSession, ExportRows, LoginAccount, Registration, SameName,
    SessionListQuery, Store, StoreError, StoreResult, TokenCredentials,
};
use crate::domain::{
    browser::{BrowserSession, NewBrowserSession},
    correction::Correction,
    events::{Event, EventKind},
    goals::{Goal, GoalRule},
    idempotency::{Idempotency, RegistrationKey},
    import::{ImportCounts, ImportFile},
    interruption::{Interruption, InterruptionPatch, NewInterruption},
    login::Failures,
    session::{NewSession, Session, SessionPatch},
    token::{NewToken, Token, TokenHash},
    user::{NewUser, User, UserPatch},
    webhooks::{NewWebhook, Webhook, WebhookPatch},
};

mod browsers;
mod export;
mod feeds;
mod goals;
mod idempotency;
mod import;
mod interruptions;
mod logins;
mod migrate;
mod outbox;
#[cfg(test)]
mod plan_tests;
mod rows;
mod sessions;
mod span_cache;
mod stats;
mod tokens;
mod users;
mod webhooks;
mod worker;

use span_cache::{LOOKAHEAD_SECONDS, SpanCache, Spans};
use worker::Workers;

/// How long a connection waits for a lock held by another process (e.g. a
/// backup tool) before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;

/// HyperFocus on a SQLite file.
pub struct SqliteStore {
    workers: Workers,
    spans: SpanCache,
    /// Woken after a commit that wrote to the webhook outbox.
    outbox: Arc<tokio::sync::Notify>,
    /// Deliveries claimed by this process, with when each claim runs out:
    /// a file has one process, so claims need not be written.
    claims: std::sync::Mutex<std::collections::HashMap<i64, i64>>,
    /// The file, for reads that open a connection of their own (exports).
    path: PathBuf,
    /// This server's name, read once.
    instance: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies pending
    /// migrations, and starts `readers` read connections.
    pub fn open(path: &Path, readers: usize) -> anyhow::Result<Self> {
        let mut writer = connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        migrate::run(&mut writer)?;
        let instance = writer.query_row("SELECT uid FROM instance", [], |row| row.get(0))?;
        // Checkpoints run on a thread of their own (see worker.rs); this
        // only stops the WAL from growing without bound should that fall behind.
        writer.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        // Give back the disk of a WAL that grew under sustained load.
        writer.pragma_update(None, "journal_size_limit", 32 * 1024 * 1024)?;
        let checkpointer = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let readers = (0..readers.max(1))
            .map(|_| {
                let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(conn)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let outbox = Arc::new(tokio::sync::Notify::new());
        Ok(Self {
            workers: Workers::start(writer, checkpointer, readers, outbox.clone())?,
            spans: SpanCache::default(),
            outbox,
            claims: std::sync::Mutex::default(),
            path: path.to_owned(),
            instance,
        })
    }

    /// Applies pending migrations to the database at `path` and closes it.
    pub fn migrate(path: &Path) -> anyhow::Result<usize> {
        let mut conn = connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        migrate::run(&mut conn)
    }
}

/// Parses `sqlite://PATH` (or `sqlite:PATH`) into a file path.
pub fn path_from_url(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Opens a connection configured for a server: WAL so readers never block
/// the writer, full sync so a 2xx is on disk, foreign keys for cascades.
fn connect(path: &Path, flags: OpenFlags) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))?;
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        // Takes effect only when the file is created. Each insert dirties a
        // few scattered index pages, and every dirty page is written whole to
        // the WAL on commit: 1 KiB pages write a quarter of the bytes of the
        // 4 KiB default, measured at ~20k vs ~18k writes/s (BENCHMARKS.md).
        conn.pragma_update(None, "page_size", 1024)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    // Plan each statement once, at prepare time. Otherwise SQLite re-plans
    // a cached statement whenever a bound value changes that it consulted
    // while planning (it does for every `column = ?` next to a partial
    // index), parsing the hot statements afresh on every request.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.workers.read(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(|e| StoreError::Unavailable(e.to_string()))
        })
    }

    async fn close(&self) {
        self.workers.shutdown().await;
    }

    fn instance(&self) -> &str {
        &self.instance
    }

    async fn create_user(
        &self,
        new: NewUser,
        password_hash: Option<String>,
        token: NewToken,
        now: Timestamp,
        key: Option<RegistrationKey>,
    ) -> StoreResult<Registration> {
        self.workers
            .write(move |c| {
                users::register(c, &new, password_hash.as_deref(), &token, now, key.as_ref())
            })
            .await
    }

    async fn token_credentials(&self, id: i64) -> StoreResult<Option<TokenCredentials>> {
        self.workers.read(|c| tokens::credentials(c, id))
    }

    async fn record_token_use(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        self.workers
            .write(move |c| tokens::record_use(c, id, now))
            .await
    }

    async fn get_user(&self, id: i64) -> StoreResult<User> {
        self.workers.read(|c| users::get(c, id))
    }

    async fn user_by_email(&self, email_key: &str) -> StoreResult<User> {
        self.workers.read(|c| users::by_email(c, email_key))
    }

    async fn update_user(&self, id: i64, patch: UserPatch) -> StoreResult<User> {
        self.workers
            .write(move |c| users::update(c, id, &patch))
            .await
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        let written = self.workers.write(move |c| users::delete(c, id)).await;
        self.spans.invalidate(id);
        written
    }

    async fn create_token(
        &self,
        user_id: i64,
        token: NewToken,
        now: Timestamp,
        same_name: SameName,
    ) -> StoreResult<Token> {
        self.workers
            .write(move |c| tokens::insert(c, user_id, &token, now, same_name))
            .await
    }

    async fn list_tokens(&self, user_id: i64) -> StoreResult<Vec<Token>> {
        self.workers.read(|c| tokens::list(c, user_id))
    }

    async fn delete_token(&self, user_id: i64, id: i64) -> StoreResult<()> {
        self.workers
            .write(move |c| tokens::delete(c, user_id, id))
            .await
    }

    async fn replace_token(
        &self,
        user_id: i64,
        token_id: i64,
        token_hash: TokenHash,
    ) -> StoreResult<User> {
        self.workers
            .write(move |c| tokens::replace(c, user_id, token_id, &token_hash))
            .await
    }

    async fn login_account(&self, email_key: &str) -> StoreResult<Option<LoginAccount>> {
        self.workers.read(|c| users::login_account(c, email_key))
    }

    async fn password_hash(&self, id: i64) -> StoreResult<Option<String>> {
        self.workers.read(|c| users::password_hash(c, id))
    }

    async fn set_password(&self, id: i64, password_hash: String) -> StoreResult<()> {
        self.workers
            .write(move |c| users::set_password(c, id, &password_hash))
            .await
    }

    async fn login_failures(
        &self,
        email_key: &str,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<(Failures, Failures)> {
        self.workers
            .read(|c| logins::failures(c, email_key, address, since))
    }

    async fn record_login_failure(
        &self,
        email_key: &str,
        address: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (email_key, address) = (email_key.to_owned(), address.to_owned());
        self.workers
            .write(move |c| logins::record(c, &email_key, &address, now))
            .await
    }

    async fn clear_login_failures(&self, email_key: &str) -> StoreResult<()> {
        let email_key = email_key.to_owned();
        self.workers
            .write(move |c| logins::clear(c, &email_key))
            .await
    }

    async fn registration_refusals(
        &self,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<Failures> {
        self.workers.read(|c| logins::refusals(c, address, since))
    }

    async fn record_registration_refusal(&self, address: &str, now: Timestamp) -> StoreResult<()> {
        let address = address.to_owned();
        self.workers
            .write(move |c| logins::record_refusal(c, &address, now))
            .await
    }

    async fn start_session(
        &self,
        user_id: i64,
        new: NewSession,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Session> {
        let written = self
            .workers
            .write(move |c| sessions::start(c, user_id, &new, now, idempotency.as_ref()))
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn update_session(
        &self,
        user_id: i64,
        id: i64,
        patch: SessionPatch,
        now: Timestamp,
    ) -> StoreResult<Session> {
        let written = self
            .workers
            .write(move |c| {
                let session = sessions::update(c, user_id, id, &patch, now)?;
                outbox::session(c, EventKind::SessionUpdated, &session, now)?;
                Ok(session)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn correct_session(
        &self,
        user_id: i64,
        id: i64,
        correction: Correction,
        now: Timestamp,
    ) -> StoreResult<CorrectedSession> {
        let written = self
            .workers
            .write(move |c| {
                let corrected = sessions::correct(c, user_id, id, &correction, now)?;
                outbox::session(c, EventKind::SessionUpdated, &corrected.session, now)?;
                for changed in &corrected.changed {
                    outbox::interruption(c, EventKind::InterruptionUpdated, changed, now)?;
                }
                if let Some(added) = &corrected.added {
                    outbox::interruption(c, EventKind::InterruptionCreated, added, now)?;
                }
                Ok(corrected)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn current_session(&self, user_id: i64, now: Timestamp) -> StoreResult<CurrentSession> {
        self.workers.read(|c| sessions::current(c, user_id, now))
    }

    async fn end_session(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<EndedSession> {
        let written = self
            .workers
            .write(move |c| {
                let ended = sessions::end(c, user_id, id, end, now)?;
                if let Some(closed) = &ended.closed {
                    outbox::interruption(c, EventKind::InterruptionEnded, closed, now)?;
                }
                outbox::session(c, EventKind::SessionEnded, &ended.session, now)?;
                Ok(ended)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn get_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<Session> {
        self.workers.read(|c| sessions::get(c, user_id, id, now))
    }

    async fn list_sessions(
        &self,
        user_id: i64,
        query: SessionListQuery,
        now: Timestamp,
    ) -> StoreResult<Vec<Session>> {
        self.workers
            .read_blocking(move |c| sessions::list(c, user_id, &query, now))
            .await
    }

    async fn delete_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()> {
        let written = self
            .workers
            .write(move |c| {
                sessions::delete(c, user_id, id)?;
                outbox::deleted(c, EventKind::SessionDeleted, user_id, id, now)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn create_interruption(
        &self,
        user_id: i64,
        new: NewInterruption,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Interruption> {
        let written = self
            .workers
            .write(move |c| interruptions::create(c, user_id, &new, now, idempotency.as_ref()))
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn end_interruption(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<Interruption> {
        let written = self
            .workers
            .write(move |c| {
                let closed = interruptions::end(c, user_id, id, end, now)?;
                outbox::interruption(c, EventKind::InterruptionEnded, &closed, now)?;
                Ok(closed)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn get_interruption(&self, user_id: i64, id: i64) -> StoreResult<Interruption> {
        self.workers.read(|c| interruptions::get(c, user_id, id))
    }

    async fn update_interruption(
        &self,
        user_id: i64,
        id: i64,
        patch: InterruptionPatch,
        now: Timestamp,
    ) -> StoreResult<Interruption> {
        let written = self
            .workers
            .write(move |c| {
                let updated = interruptions::update(c, user_id, id, patch, now)?;
                outbox::interruption(c, EventKind::InterruptionUpdated, &updated, now)?;
                Ok(updated)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn list_interruptions(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Vec<Interruption>> {
        self.workers
            .read_blocking(move |c| interruptions::list(c, user_id, session_id))
            .await
    }

    async fn delete_interruption(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()> {
        let written = self
            .workers
            .write(move |c| {
                interruptions::delete(c, user_id, id)?;
                outbox::deleted(c, EventKind::InterruptionDeleted, user_id, id, now)
            })
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn window_spans(
        &self,
        user_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Spans> {
        let (from, to) = (from.as_second(), to.as_second());
        if let Some(spans) = self.spans.get(user_id, from, to) {
            return Ok(spans);
        }
        let revision = self.spans.revision(user_id);
        let until = to.saturating_add(LOOKAHEAD_SECONDS);
        let spans: Spans = self
            .workers
            .read_blocking(move |c| stats::window_spans(c, user_id, from, until))
            .await?
            .into();
        self.spans
            .put(user_id, revision, from, until, spans.clone());
        Ok(spans)
    }

    async fn first_session_start(&self, user_id: i64) -> StoreResult<Option<Timestamp>> {
        self.workers
            .read(|c| stats::first_session_start(c, user_id))
    }

    async fn set_calendar_feed(
        &self,
        user_id: i64,
        hash: [u8; 32],
        now: Timestamp,
    ) -> StoreResult<()> {
        self.workers
            .write(move |c| feeds::set(c, user_id, hash, now))
            .await
    }

    async fn delete_calendar_feed(&self, user_id: i64) -> StoreResult<()> {
        self.workers.write(move |c| feeds::delete(c, user_id)).await
    }

    async fn calendar_feed_owner(&self, hash: [u8; 32]) -> StoreResult<Option<(i64, String)>> {
        self.workers.read(|c| feeds::owner(c, hash))
    }

    async fn calendar_feed_created(&self, user_id: i64) -> StoreResult<Option<Timestamp>> {
        self.workers.read(|c| feeds::created(c, user_id))
    }

    async fn create_goal(&self, user_id: i64, rule: GoalRule, now: Timestamp) -> StoreResult<Goal> {
        self.workers
            .write(move |c| goals::create(c, user_id, &rule, now))
            .await
    }

    async fn list_goals(&self, user_id: i64) -> StoreResult<Vec<Goal>> {
        self.workers.read(|c| goals::list(c, user_id))
    }

    async fn get_goal(&self, user_id: i64, id: i64) -> StoreResult<Goal> {
        self.workers.read(|c| goals::get(c, user_id, id))
    }

    async fn update_goal(&self, user_id: i64, id: i64, rule: GoalRule) -> StoreResult<Goal> {
        self.workers
            .write(move |c| goals::update(c, user_id, id, &rule))
            .await
    }

    async fn delete_goal(&self, user_id: i64, id: i64) -> StoreResult<()> {
        self.workers
            .write(move |c| goals::delete(c, user_id, id))
            .await
    }

    async fn create_webhook(
        &self,
        user_id: i64,
        new: NewWebhook,
        sealed_secret: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<Webhook> {
        self.workers
            .write(move |c| webhooks::create(c, user_id, &new, &sealed_secret, now))
            .await
    }

    async fn list_webhooks(&self, user_id: i64) -> StoreResult<Vec<Webhook>> {
        self.workers.read(|c| webhooks::list(c, user_id))
    }

    async fn get_webhook(&self, user_id: i64, id: i64) -> StoreResult<Webhook> {
        self.workers.read(|c| webhooks::get(c, user_id, id))
    }

    async fn update_webhook(
        &self,
        user_id: i64,
        id: i64,
        patch: WebhookPatch,
    ) -> StoreResult<Webhook> {
        self.workers
            .write(move |c| webhooks::update(c, user_id, id, &patch))
            .await
    }

    async fn rotate_webhook_secret(
        &self,
        user_id: i64,
        id: i64,
        sealed_secret: Vec<u8>,
        old_until: i64,
    ) -> StoreResult<Webhook> {
        self.workers
            .write(move |c| webhooks::rotate(c, user_id, id, &sealed_secret, old_until))
            .await
    }

    async fn delete_webhook(&self, user_id: i64, id: i64) -> StoreResult<()> {
        self.workers
            .write(move |c| webhooks::delete(c, user_id, id))
            .await
    }

    async fn import_sessions(
        &self,
        user_id: i64,
        file: ImportFile,
        dry_run: bool,
        now: Timestamp,
    ) -> StoreResult<ImportCounts> {
        let written = self
            .workers
            .write(move |c| import::import(c, user_id, &file, dry_run, now))
            .await;
        self.spans.invalidate(user_id);
        written
    }

    async fn export_rows(
        &self,
        user_id: i64,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<ExportRows> {
        let (sink, rows) = tokio::sync::mpsc::channel(EXPORT_BATCHES_IN_FLIGHT);
        let path = self.path.clone();
        let from = from.map_or(i64::MIN, |t| t.as_second());
        let to = to.map_or(i64::MAX, |t| t.as_second());
        tokio::task::spawn_blocking(move || export::send_rows(&path, user_id, from, to, &sink));
        Ok(rows)
    }

    async fn purge_expired_keys(&self, now: Timestamp, batch: u32) -> StoreResult<u64> {
        self.workers
            .write(move |c| idempotency::purge_expired(c, now.as_second(), batch.into()))
            .await
    }

    async fn purge_login_failures(&self, before: Timestamp, batch: u32) -> StoreResult<u64> {
        self.workers
            .write(move |c| logins::purge(c, before, batch.into()))
            .await
    }

    async fn purge_registration_refusals(&self, before: Timestamp, batch: u32) -> StoreResult<u64> {
        self.workers
            .write(move |c| logins::purge_refusals(c, before, batch.into()))
            .await
    }

    async fn create_browser_session(
        &self,
        new: NewBrowserSession,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.workers
            .write(move |c| browsers::create(c, &new, now))
            .await
    }

    async fn browser_session(&self, id_hash: [u8; 32]) -> StoreResult<Option<BrowserSession>> {
        self.workers.read(|c| browsers::get(c, &id_hash))
    }

    async fn delete_browser_session(&self, id_hash: [u8; 32]) -> StoreResult<()> {
        self.workers
            .write(move |c| browsers::delete(c, &id_hash))
            .await
    }

    async fn delete_other_browser_sessions(
        &self,
        user_id: i64,
        keep: [u8; 32],
    ) -> StoreResult<u64> {
        self.workers
            .write(move |c| browsers::delete_others(c, user_id, &keep))
            .await
    }

    async fn purge_browser_sessions(&self, now: Timestamp, batch: u32) -> StoreResult<u64> {
        self.workers
            .write(move |c| browsers::purge(c, now, batch.into()))
            .await
    }

    async fn interruptions_of_sessions(
        &self,
        user_id: i64,
        session_ids: Vec<i64>,
    ) -> StoreResult<Vec<Interruption>> {
        self.workers
            .read_blocking(move |c| browsers::interruptions_of_sessions(c, user_id, &session_ids))
            .await
    }

    async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueDelivery>> {
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        claims.retain(|_, until| *until > now_ms);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let due = self
            .workers
            .read(|c| outbox::due(c, now_ms, limit, &claims))?;
        for delivery in &due {
            claims.insert(delivery.id, lease_until_ms);
        }
        Ok(due)
    }

    async fn record_attempts(&self, attempts: Vec<AttemptRecord>) -> StoreResult<()> {
        let done: Vec<i64> = attempts.iter().map(|a| a.delivery_id).collect();
        let written = self
            .workers
            .write(move |c| outbox::record_attempts(c, &attempts))
            .await;
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        for id in done {
            claims.remove(&id);
        }
        written
    }

    async fn list_deliveries(
        &self,
        user_id: i64,
        webhook_id: i64,
        since_ms: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        self.workers
            .read_blocking(move |c| outbox::list(c, user_id, webhook_id, since_ms, before, limit))
            .await
    }

    async fn retry_delivery(
        &self,
        user_id: i64,
        webhook_id: i64,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<DeliveryRecord> {
        self.workers
            .write(move |c| outbox::retry(c, user_id, webhook_id, id, now_ms))
            .await
    }

    async fn purge_deliveries(&self, before_ms: i64, batch: u32) -> StoreResult<u64> {
        self.workers
            .write(move |c| outbox::purge(c, before_ms, batch))
            .await
    }

    async fn goal_watchers(&self) -> StoreResult<Vec<i64>> {
        self.workers.read(outbox::goal_watchers)
    }

    async fn record_goal_outcome(
        &self,
        user_id: i64,
        goal_id: i64,
        period_start: &str,
        met: bool,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let period_start = period_start.to_owned();
        self.workers
            .write(move |c| {
                outbox::record_goal_outcome(c, user_id, goal_id, &period_start, met, data, now)
            })
            .await
    }

    fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        self.outbox.clone()
    }

    async fn announce(&self, _event: &Event) -> StoreResult<()> {
        Ok(())
    }

    fn remote_events(&self) -> Option<tokio::sync::broadcast::Receiver<Event>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_file() {
        assert_eq!(
            path_from_url("sqlite://hyperfocus.db"),
            Some(PathBuf::from("hyperfocus.db"))
        );
        assert_eq!(
            path_from_url("sqlite:///var/lib/hf.db"),
            Some(PathBuf::from("/var/lib/hf.db"))
        );
        assert_eq!(
            path_from_url("sqlite:data.db?mode=rwc"),
            Some(PathBuf::from("data.db"))
        );
        assert_eq!(path_from_url("sqlite://"), None);
        assert_eq!(path_from_url("postgres://localhost/db"), None);
    }
}
