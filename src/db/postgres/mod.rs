//! The scale-out backend: PostgreSQL, shared by any number of stateless
//! HyperFocus processes.
//!
//! tokio-postgres with a deadpool pool rather than sqlx: sqlx's optional
//! SQLite driver pins an older `libsqlite3-sys`, which Cargo will not link
//! beside the one rusqlite needs. Concurrency is handled by row locks taken
//! at the start of each write transaction (the user's row for starts, the
//! session's row for everything inside a session) and backed by the same
//! partial unique indexes as SQLite.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use jiff::Timestamp;
use tokio_postgres::NoTls;

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
    stats::SessionSpan,
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
mod notify;
mod outbox;
mod rows;
mod sessions;
mod sql;
mod stats;
mod tokens;
mod users;
mod webhooks;

/// HyperFocus on PostgreSQL.
pub struct PostgresStore {
    pool: Pool,
    bridge: notify::Bridge,
    /// For connections of their own (exports).
    config: tokio_postgres::Config,
    /// This server's name, read once.
    instance: String,
}

impl PostgresStore {
    /// Connects with at most `pool_size` connections and applies pending
    /// migrations (under an advisory lock, so processes may start together).
    pub async fn open(url: &str, pool_size: usize) -> anyhow::Result<Self> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .wait_timeout(Some(std::time::Duration::from_secs(5)))
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()?;
        let mut client = pool.get().await?;
        migrate::run(&mut client).await?;
        let instance = client
            .query_one("SELECT uid FROM instance", &[])
            .await?
            .get(0);
        let bridge = notify::Bridge::start(config.clone());
        Ok(Self {
            pool,
            bridge,
            config,
            instance,
        })
    }

    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }
}

/// `Ok` if a statement changed a row, else `NotFound(what)`.
fn changed_one(changed: u64, what: &'static str) -> StoreResult<()> {
    match changed {
        0 => Err(StoreError::NotFound(what)),
        _ => Ok(()),
    }
}

/// Runs `$body` with `$tx` in a transaction, committing on success.
macro_rules! in_transaction {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut client = $store.client().await?;
        let $tx = client.transaction().await?;
        let result = $body;
        if result.is_ok() {
            $tx.commit().await?;
        }
        result
    }};
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await?;
        Ok(())
    }

    fn instance(&self) -> &str {
        &self.instance
    }

    async fn close(&self) {
        self.bridge.stop();
        self.pool.close();
    }

    async fn create_user(
        &self,
        new: NewUser,
        password_hash: Option<String>,
        token: NewToken,
        now: Timestamp,
        key: Option<RegistrationKey>,
    ) -> StoreResult<Registration> {
        in_transaction!(self, |tx| users::register(
            &tx,
            &new,
            password_hash.as_deref(),
            &token,
            now,
            key.as_ref()
        )
        .await)
    }

    async fn token_credentials(&self, id: i64) -> StoreResult<Option<TokenCredentials>> {
        tokens::credentials(&self.client().await?, id).await
    }

    async fn record_token_use(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        tokens::record_use(&self.client().await?, id, now).await
    }

    async fn get_user(&self, id: i64) -> StoreResult<User> {
        users::get(&self.client().await?, id).await
    }

    async fn user_by_email(&self, email_key: &str) -> StoreResult<User> {
        users::by_email(&self.client().await?, email_key).await
    }

    async fn update_user(&self, id: i64, patch: UserPatch) -> StoreResult<User> {
        users::update(&self.client().await?, id, &patch).await
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        users::delete(&self.client().await?, id).await
    }

    async fn create_token(
        &self,
        user_id: i64,
        token: NewToken,
        now: Timestamp,
        same_name: SameName,
    ) -> StoreResult<Token> {
        in_transaction!(self, |tx| tokens::insert(
            &tx, user_id, &token, now, same_name
        )
        .await)
    }

    async fn list_tokens(&self, user_id: i64) -> StoreResult<Vec<Token>> {
        tokens::list(&self.client().await?, user_id).await
    }

    async fn delete_token(&self, user_id: i64, id: i64) -> StoreResult<()> {
        tokens::delete(&self.client().await?, user_id, id).await
    }

    async fn replace_token(
        &self,
        user_id: i64,
        token_id: i64,
        token_hash: TokenHash,
    ) -> StoreResult<User> {
        in_transaction!(self, |tx| tokens::replace(
            &tx,
            user_id,
            token_id,
            &token_hash
        )
        .await)
    }

    async fn login_account(&self, email_key: &str) -> StoreResult<Option<LoginAccount>> {
        users::login_account(&self.client().await?, email_key).await
    }

    async fn password_hash(&self, id: i64) -> StoreResult<Option<String>> {
        users::password_hash(&self.client().await?, id).await
    }

    async fn set_password(&self, id: i64, password_hash: String) -> StoreResult<()> {
        users::set_password(&self.client().await?, id, &password_hash).await
    }

    async fn login_failures(
        &self,
        email_key: &str,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<(Failures, Failures)> {
        logins::failures(&self.client().await?, email_key, address, since).await
    }

    async fn record_login_failure(
        &self,
        email_key: &str,
        address: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        logins::record(&self.client().await?, email_key, address, now).await
    }

    async fn clear_login_failures(&self, email_key: &str) -> StoreResult<()> {
        logins::clear(&self.client().await?, email_key).await
    }

    async fn registration_refusals(
        &self,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<Failures> {
        logins::refusals(&self.client().await?, address, since).await
    }

    async fn record_registration_refusal(&self, address: &str, now: Timestamp) -> StoreResult<()> {
        logins::record_refusal(&self.client().await?, address, now).await
    }

    async fn start_session(
        &self,
        user_id: i64,
        new: NewSession,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Session> {
        in_transaction!(self, |tx| sessions::start(
            &tx,
            user_id,
            &new,
            now,
            idempotency.as_ref()
        )
        .await)
    }

    async fn update_session(
        &self,
        user_id: i64,
        id: i64,
        patch: SessionPatch,
        now: Timestamp,
    ) -> StoreResult<Session> {
        in_transaction!(self, |tx| async {
            let session = sessions::update(&tx, user_id, id, &patch, now).await?;
            outbox::session(&tx, EventKind::SessionUpdated, &session, now).await?;
            Ok(session)
        }
        .await)
    }

    async fn correct_session(
        &self,
        user_id: i64,
        id: i64,
        correction: Correction,
        now: Timestamp,
    ) -> StoreResult<CorrectedSession> {
        in_transaction!(self, |tx| async {
            let corrected = sessions::correct(&tx, user_id, id, &correction, now).await?;
            outbox::session(&tx, EventKind::SessionUpdated, &corrected.session, now).await?;
            for changed in &corrected.changed {
                outbox::interruption(&tx, EventKind::InterruptionUpdated, changed, now).await?;
            }
            if let Some(added) = &corrected.added {
                outbox::interruption(&tx, EventKind::InterruptionCreated, added, now).await?;
            }
            Ok(corrected)
        }
        .await)
    }

    async fn current_session(&self, user_id: i64, now: Timestamp) -> StoreResult<CurrentSession> {
        sessions::current(&self.client().await?, user_id, now).await
    }

    async fn end_session(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<EndedSession> {
        in_transaction!(self, |tx| async {
            let ended = sessions::end(&tx, user_id, id, end, now).await?;
            if let Some(closed) = &ended.closed {
                outbox::interruption(&tx, EventKind::InterruptionEnded, closed, now).await?;
            }
            outbox::session(&tx, EventKind::SessionEnded, &ended.session, now).await?;
            Ok(ended)
        }
        .await)
    }

    async fn get_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<Session> {
        sessions::get(&self.client().await?, user_id, id, now).await
    }

    async fn list_sessions(
        &self,
        user_id: i64,
        query: SessionListQuery,
        now: Timestamp,
    ) -> StoreResult<Vec<Session>> {
        sessions::list(&self.client().await?, user_id, &query, now).await
    }

    async fn delete_session(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()> {
        in_transaction!(self, |tx| async {
            sessions::delete(&tx, user_id, id).await?;
            outbox::deleted(&tx, EventKind::SessionDeleted, user_id, id, now).await
        }
        .await)
    }

    async fn create_interruption(
        &self,
        user_id: i64,
        new: NewInterruption,
        now: Timestamp,
        idempotency: Option<Idempotency>,
    ) -> StoreResult<Interruption> {
        in_transaction!(self, |tx| interruptions::create(
            &tx,
            user_id,
            &new,
            now,
            idempotency.as_ref()
        )
        .await)
    }

    async fn end_interruption(
        &self,
        user_id: i64,
        id: i64,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<Interruption> {
        in_transaction!(self, |tx| async {
            let closed = interruptions::end(&tx, user_id, id, end, now).await?;
            outbox::interruption(&tx, EventKind::InterruptionEnded, &closed, now).await?;
            Ok(closed)
        }
        .await)
    }

    async fn get_interruption(&self, user_id: i64, id: i64) -> StoreResult<Interruption> {
        interruptions::get(&self.client().await?, user_id, id).await
    }

    async fn update_interruption(
        &self,
        user_id: i64,
        id: i64,
        patch: InterruptionPatch,
        now: Timestamp,
    ) -> StoreResult<Interruption> {
        in_transaction!(self, |tx| async {
            let updated = interruptions::update(&tx, user_id, id, patch, now).await?;
            outbox::interruption(&tx, EventKind::InterruptionUpdated, &updated, now).await?;
            Ok(updated)
        }
        .await)
    }

    async fn list_interruptions(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Vec<Interruption>> {
        interruptions::list(&self.client().await?, user_id, session_id).await
    }

    async fn delete_interruption(&self, user_id: i64, id: i64, now: Timestamp) -> StoreResult<()> {
        in_transaction!(self, |tx| async {
            interruptions::delete(&tx, user_id, id).await?;
            outbox::deleted(&tx, EventKind::InterruptionDeleted, user_id, id, now).await
        }
        .await)
    }

    async fn window_spans(
        &self,
        user_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Arc<[SessionSpan]>> {
        let client = self.client().await?;
        Ok(
            stats::window_spans(&client, user_id, from.as_second(), to.as_second())
                .await?
                .into(),
        )
    }

    async fn first_session_start(&self, user_id: i64) -> StoreResult<Option<Timestamp>> {
        stats::first_session_start(&self.client().await?, user_id).await
    }

    async fn set_calendar_feed(
        &self,
        user_id: i64,
        hash: [u8; 32],
        now: Timestamp,
    ) -> StoreResult<()> {
        feeds::set(&self.client().await?, user_id, hash, now).await
    }

    async fn delete_calendar_feed(&self, user_id: i64) -> StoreResult<()> {
        feeds::delete(&self.client().await?, user_id).await
    }

    async fn calendar_feed_owner(&self, hash: [u8; 32]) -> StoreResult<Option<(i64, String)>> {
        feeds::owner(&self.client().await?, hash).await
    }

    async fn calendar_feed_created(&self, user_id: i64) -> StoreResult<Option<Timestamp>> {
        feeds::created(&self.client().await?, user_id).await
    }

    async fn create_goal(&self, user_id: i64, rule: GoalRule, now: Timestamp) -> StoreResult<Goal> {
        in_transaction!(self, |tx| goals::create(&tx, user_id, &rule, now).await)
    }

    async fn list_goals(&self, user_id: i64) -> StoreResult<Vec<Goal>> {
        goals::list(&self.client().await?, user_id).await
    }

    async fn get_goal(&self, user_id: i64, id: i64) -> StoreResult<Goal> {
        goals::get(&self.client().await?, user_id, id).await
    }

    async fn update_goal(&self, user_id: i64, id: i64, rule: GoalRule) -> StoreResult<Goal> {
        goals::update(&self.client().await?, user_id, id, &rule).await
    }

    async fn delete_goal(&self, user_id: i64, id: i64) -> StoreResult<()> {
        goals::delete(&self.client().await?, user_id, id).await
    }

    async fn create_webhook(
        &self,
        user_id: i64,
        new: NewWebhook,
        sealed_secret: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<Webhook> {
        in_transaction!(self, |tx| webhooks::create(
            &tx,
            user_id,
            &new,
            &sealed_secret,
            now
        )
        .await)
    }

    async fn list_webhooks(&self, user_id: i64) -> StoreResult<Vec<Webhook>> {
        webhooks::list(&self.client().await?, user_id).await
    }

    async fn get_webhook(&self, user_id: i64, id: i64) -> StoreResult<Webhook> {
        webhooks::get(&self.client().await?, user_id, id).await
    }

    async fn update_webhook(
        &self,
        user_id: i64,
        id: i64,
        patch: WebhookPatch,
    ) -> StoreResult<Webhook> {
        webhooks::update(&self.client().await?, user_id, id, &patch).await
    }

    async fn rotate_webhook_secret(
        &self,
        user_id: i64,
        id: i64,
        sealed_secret: Vec<u8>,
        old_until: i64,
    ) -> StoreResult<Webhook> {
        webhooks::rotate(
            &self.client().await?,
            user_id,
            id,
            &sealed_secret,
            old_until,
        )
        .await
    }

    async fn delete_webhook(&self, user_id: i64, id: i64) -> StoreResult<()> {
        webhooks::delete(&self.client().await?, user_id, id).await
    }

    async fn import_sessions(
        &self,
        user_id: i64,
        file: ImportFile,
        dry_run: bool,
        now: Timestamp,
    ) -> StoreResult<ImportCounts> {
        in_transaction!(self, |tx| import::import(&tx, user_id, &file, dry_run, now)
            .await)
    }

    async fn export_rows(
        &self,
        user_id: i64,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<ExportRows> {
        let (sink, rows) = tokio::sync::mpsc::channel(EXPORT_BATCHES_IN_FLIGHT);
        let from = from.map_or(i64::MIN, |t| t.as_second());
        let to = to.map_or(i64::MAX, |t| t.as_second());
        tokio::spawn(export::send_rows(
            self.config.clone(),
            user_id,
            from,
            to,
            sink,
        ));
        Ok(rows)
    }

    async fn purge_expired_keys(&self, now: Timestamp, batch: u32) -> StoreResult<u64> {
        let client = self.client().await?;
        idempotency::purge_expired(&client, now.as_second(), batch.into()).await
    }

    async fn purge_login_failures(&self, before: Timestamp, batch: u32) -> StoreResult<u64> {
        let client = self.client().await?;
        logins::purge(&client, before, batch.into()).await
    }

    async fn purge_registration_refusals(&self, before: Timestamp, batch: u32) -> StoreResult<u64> {
        let client = self.client().await?;
        logins::purge_refusals(&client, before, batch.into()).await
    }

    async fn create_browser_session(
        &self,
        new: NewBrowserSession,
        now: Timestamp,
    ) -> StoreResult<()> {
        browsers::create(&self.client().await?, &new, now).await
    }

    async fn browser_session(&self, id_hash: [u8; 32]) -> StoreResult<Option<BrowserSession>> {
        browsers::get(&self.client().await?, &id_hash).await
    }

    async fn delete_browser_session(&self, id_hash: [u8; 32]) -> StoreResult<()> {
        browsers::delete(&self.client().await?, &id_hash).await
    }

    async fn delete_other_browser_sessions(
        &self,
        user_id: i64,
        keep: [u8; 32],
    ) -> StoreResult<u64> {
        browsers::delete_others(&self.client().await?, user_id, &keep).await
    }

    async fn purge_browser_sessions(&self, now: Timestamp, batch: u32) -> StoreResult<u64> {
        browsers::purge(&self.client().await?, now, batch.into()).await
    }

    async fn interruptions_of_sessions(
        &self,
        user_id: i64,
        session_ids: Vec<i64>,
    ) -> StoreResult<Vec<Interruption>> {
        browsers::interruptions_of_sessions(&self.client().await?, user_id, &session_ids).await
    }

    async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueDelivery>> {
        outbox::claim(&self.client().await?, now_ms, lease_until_ms, limit).await
    }

    async fn record_attempts(&self, attempts: Vec<AttemptRecord>) -> StoreResult<()> {
        in_transaction!(self, |tx| outbox::record_attempts(&tx, &attempts).await)
    }

    async fn list_deliveries(
        &self,
        user_id: i64,
        webhook_id: i64,
        since_ms: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        let client = self.client().await?;
        outbox::list(&client, user_id, webhook_id, since_ms, before, limit).await
    }

    async fn retry_delivery(
        &self,
        user_id: i64,
        webhook_id: i64,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<DeliveryRecord> {
        in_transaction!(self, |tx| outbox::retry(
            &tx, user_id, webhook_id, id, now_ms
        )
        .await)
    }

    async fn purge_deliveries(&self, before_ms: i64, batch: u32) -> StoreResult<u64> {
        outbox::purge(&self.client().await?, before_ms, batch).await
    }

    async fn goal_watchers(&self) -> StoreResult<Vec<i64>> {
        outbox::goal_watchers(&self.client().await?).await
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
        in_transaction!(self, |tx| outbox::record_goal_outcome(
            &tx,
            user_id,
            goal_id,
            period_start,
            met,
            data,
            now
        )
        .await)
    }

    fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        self.bridge.outbox_signal()
    }

    async fn announce(&self, event: &Event) -> StoreResult<()> {
        self.bridge.announce(&self.client().await?, event).await
    }

    fn remote_events(&self) -> Option<tokio::sync::broadcast::Receiver<Event>> {
        Some(self.bridge.subscribe())
    }
}
