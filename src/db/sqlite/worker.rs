//! Who runs SQL on which connection.
//!
//! SQLite allows one writer at a time, and every durable commit costs an
//! fsync. So one thread owns the write connection and commits whatever
//! requests have queued up meanwhile in one transaction (group commit), each
//! inside its own savepoint so that one request's failure undoes only its own
//! changes. A request is answered only after the COMMIT that made it durable.
//!
//! Reads take a connection from a small pool and run where they are called.
//! A point read from SQLite's page cache costs a few microseconds — less than
//! handing it to another thread and being woken again, which on a 2-core
//! machine roughly halved write throughput when every authenticated request
//! paid for it. Reads that may touch many rows go through
//! [`Workers::read_blocking`] instead, off the async threads.
//!
//! No pool crate offers group commit, hence this module.

use std::{
    collections::VecDeque,
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{Arc, Condvar, Mutex, MutexGuard},
    thread::JoinHandle,
    time::Duration,
};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::db::{StoreError, StoreResult};

/// The most requests committed by one transaction; bounds latency when the
/// queue is long.
const MAX_BATCH: usize = 512;

/// How often committed pages are copied from the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A unit of work for the writer thread.
trait WriteJob: Send {
    /// Runs the work inside the batch's transaction; `true` if it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the transaction's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct Job<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> WriteJob for Job<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let result = match self.work.take() {
            Some(work) => guarded(|| work(conn)),
            None => Err(internal("write job ran twice")),
        };
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let answer = match (committed, self.result) {
            (Ok(()), Some(result)) => result,
            (Ok(()), None) => Err(internal("write job never ran")),
            (Err(cause), _) => Err(internal(&format!("commit failed: {cause}"))),
        };
        // The caller may have gone away (client disconnected); that is fine.
        let _ = self.reply.send(answer);
    }
}

/// The writer's inbox. A mutex and a condition variable rather than a
/// channel: the writer takes everything queued in one go, and sleeps
/// without spinning (spinning steals the CPU the producers need).
#[derive(Default)]
struct Inbox {
    queue: Mutex<Queue>,
    ready: Condvar,
    stopping: Condvar,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Box<dyn WriteJob>>,
    closed: bool,
    /// The writer is asleep and must be woken; while it works, producers
    /// skip the wake-up (a system call each).
    writer_waiting: bool,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, job: Box<dyn WriteJob>) -> StoreResult<()> {
        let mut queue = self.lock();
        if queue.closed {
            return Err(closed());
        }
        queue.jobs.push_back(job);
        let wake = std::mem::take(&mut queue.writer_waiting);
        drop(queue);
        if wake {
            self.ready.notify_one();
        }
        Ok(())
    }

    /// Waits for work; `false` once closed and drained.
    fn take_batch(&self, batch: &mut Vec<Box<dyn WriteJob>>) -> bool {
        let mut queue = self.lock();
        while queue.jobs.is_empty() && !queue.closed {
            queue.writer_waiting = true;
            queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
        let take = queue.jobs.len().min(MAX_BATCH);
        batch.extend(queue.jobs.drain(..take));
        !batch.is_empty()
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
        self.stopping.notify_all();
    }

    /// Sleeps for `period` or until closed; `false` once closed.
    fn sleep(&self, period: Duration) -> bool {
        let queue = self.lock();
        if queue.closed {
            return false;
        }
        let (queue, _) = self
            .stopping
            .wait_timeout(queue, period)
            .unwrap_or_else(|e| e.into_inner());
        !queue.closed
    }
}

/// The write thread and the read connections; shared behind the store.
pub struct Workers {
    inbox: Arc<Inbox>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    readers: Arc<ReadPool>,
}

impl Workers {
    /// Starts the writer on `write_conn`, the checkpointer on
    /// `checkpoint_conn`, and pools `read_conns`.
    pub fn start(
        write_conn: Connection,
        checkpoint_conn: Connection,
        read_conns: Vec<Connection>,
        outbox: Arc<tokio::sync::Notify>,
    ) -> std::io::Result<Self> {
        let inbox = Arc::new(Inbox::default());
        let writer_inbox = inbox.clone();
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(write_conn, &writer_inbox, &outbox))?;
        let checkpointer_inbox = inbox.clone();
        let checkpointer = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoint_conn, &checkpointer_inbox))?;
        Ok(Self {
            inbox,
            threads: Mutex::new(vec![writer, checkpointer]),
            readers: Arc::new(ReadPool::new(read_conns)),
        })
    }

    /// Runs `work` in the next write transaction and returns its result once
    /// that transaction has committed.
    pub async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.inbox.push(Box::new(Job {
            work: Some(work),
            result: None,
            reply,
        }))?;
        answer.await.map_err(|_| closed())?
    }

    /// Runs a short read (a lookup by key) here and now.
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.readers.with(work)
    }

    /// Runs a read that may visit many rows on a blocking-pool thread.
    pub async fn read_blocking<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || readers.with(work))
            .await
            .map_err(|e| internal(&format!("read task failed: {e}")))?
    }

    /// Lets queued writes finish, then closes every connection.
    pub async fn shutdown(&self) {
        self.inbox.close();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let readers = self.readers.clone();
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
            readers.close();
        });
        let _ = joined.await;
    }
}

/// Read-only connections, lent out one per read.
struct ReadPool {
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    closed: bool,
}

impl ReadPool {
    fn new(conns: Vec<Connection>) -> Self {
        Self {
            state: Mutex::new(PoolState {
                idle: conns,
                closed: false,
            }),
            returned: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = {
            let mut state = self.lock();
            loop {
                if state.closed {
                    return Err(closed());
                }
                match state.idle.pop() {
                    Some(conn) => break conn,
                    None => state = self.returned.wait(state).unwrap_or_else(|e| e.into_inner()),
                }
            }
        };
        let result = guarded(|| work(&conn));
        let mut state = self.lock();
        if !state.closed {
            state.idle.push(conn);
            drop(state);
            self.returned.notify_one();
        }
        result
    }

    /// Closes the idle connections now and the lent ones when they return.
    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.idle.clear();
        drop(state);
        self.returned.notify_all();
    }
}

/// Commits batches until the inbox closes, waking the webhook deliveries
/// after a batch that wrote to the outbox.
fn write_loop(conn: Connection, inbox: &Inbox, outbox: &tokio::sync::Notify) {
    let mut batch: Vec<Box<dyn WriteJob>> = Vec::with_capacity(MAX_BATCH);
    while inbox.take_batch(&mut batch) {
        commit_batch(&conn, &mut batch);
        if super::outbox::take_written() {
            outbox.notify_one();
        }
    }
    close_writer(conn);
}

/// Runs every job of the batch in one transaction and answers them all.
fn commit_batch(conn: &Connection, batch: &mut Vec<Box<dyn WriteJob>>) {
    let outcome = execute(conn, "BEGIN IMMEDIATE").and_then(|()| {
        for job in batch.iter_mut() {
            run_in_savepoint(conn, job.as_mut())?;
        }
        execute(conn, "COMMIT")
    });
    if outcome.is_err()
        && !conn.is_autocommit()
        && let Err(e) = execute(conn, "ROLLBACK")
    {
        tracing::error!(error = %e, "rollback after a failed batch failed");
    }
    if let Err(cause) = &outcome {
        tracing::error!(error = %cause, jobs = batch.len(), "write batch failed");
    }
    for job in batch.drain(..) {
        job.finish(outcome.clone());
    }
}

fn run_in_savepoint(conn: &Connection, job: &mut dyn WriteJob) -> Result<(), String> {
    execute(conn, "SAVEPOINT job")?;
    if !job.run(conn) {
        execute(conn, "ROLLBACK TO job")?;
    }
    execute(conn, "RELEASE job")
}

/// Runs a parameterless statement through the statement cache.
fn execute(conn: &Connection, sql: &str) -> Result<(), String> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute([]))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Copies committed pages from the WAL into the database file, off the
/// writer's path: with automatic checkpoints, every thousandth commit would
/// stall the requests waiting on it while pages are copied and synced.
fn checkpoint_loop(conn: Connection, inbox: &Inbox) {
    while inbox.sleep(CHECKPOINT_EVERY) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed; retrying");
        }
    }
}

fn close_writer(conn: Connection) {
    // Leave a compact database behind: fold the WAL into the main file and
    // refresh the planner's statistics.
    if let Err(e) = conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "final checkpoint failed");
    }
    if let Err((_, e)) = conn.close() {
        tracing::error!(error = %e, "closing the database failed");
    }
}

/// Runs `work`, turning a panic into an internal error so that one bad
/// request cannot take a connection (or the writer thread) down with it.
fn guarded<T>(work: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
    catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(internal("a database job panicked")))
}

fn internal(message: &str) -> StoreError {
    StoreError::Internal(anyhow::anyhow!(message.to_owned()))
}

fn closed() -> StoreError {
    StoreError::Unavailable("the database is shutting down".into())
}
