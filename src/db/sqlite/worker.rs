//! The threads that own SQLite connections.
//!
//! SQLite allows one writer at a time, and every durable commit costs an
//! fsync. So one thread owns the write connection and commits whatever
//! requests have queued up together in one transaction (group commit), each
//! inside its own savepoint so that one request's failure undoes only its own
//! changes. A request is answered only after the COMMIT that made it durable.
//! Reads run on a few threads of their own with read-only connections, which
//! WAL mode lets proceed alongside the writer.
//!
//! No pool crate offers group commit, hence this module.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    thread::JoinHandle,
};

use crossbeam_channel::{Receiver, Sender};
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::db::{StoreError, StoreResult};

/// The most requests committed by one transaction; bounds latency when the
/// queue is long.
const MAX_BATCH: usize = 512;

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

enum WriterMessage {
    Job(Box<dyn WriteJob>),
    Shutdown,
}

type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

enum ReaderMessage {
    Job(ReadJob),
    Shutdown,
}

/// Handles to the connection threads; cheap to share behind the store.
pub struct Workers {
    writer: Sender<WriterMessage>,
    readers: Sender<ReaderMessage>,
    threads: std::sync::Mutex<Vec<JoinHandle<()>>>,
    reader_count: usize,
}

impl Workers {
    /// Starts the writer on `write_conn` and one reader per connection in `read_conns`.
    pub fn start(write_conn: Connection, read_conns: Vec<Connection>) -> std::io::Result<Self> {
        let (writer, writer_queue) = crossbeam_channel::unbounded();
        let (readers, reader_queue) = crossbeam_channel::unbounded();
        let reader_count = read_conns.len();
        let mut threads = vec![
            std::thread::Builder::new()
                .name("sqlite-writer".into())
                .spawn(move || write_loop(write_conn, writer_queue))?,
        ];
        for (n, conn) in read_conns.into_iter().enumerate() {
            let queue = reader_queue.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("sqlite-reader-{n}"))
                    .spawn(move || read_loop(conn, queue))?,
            );
        }
        Ok(Self {
            writer,
            readers,
            threads: std::sync::Mutex::new(threads),
            reader_count,
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
        let job = Job {
            work: Some(work),
            result: None,
            reply,
        };
        self.writer
            .send(WriterMessage::Job(Box::new(job)))
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Runs `work` on a read-only connection.
    pub async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: ReadJob = Box::new(move |conn| {
            let _ = reply.send(guarded(|| work(conn)));
        });
        self.readers
            .send(ReaderMessage::Job(job))
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Lets queued work finish, then stops every thread and closes its connection.
    pub async fn shutdown(&self) {
        let _ = self.writer.send(WriterMessage::Shutdown);
        for _ in 0..self.reader_count {
            let _ = self.readers.send(ReaderMessage::Shutdown);
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let joined = tokio::task::spawn_blocking(move || {
            threads.into_iter().for_each(|t| {
                let _ = t.join();
            })
        });
        let _ = joined.await;
    }
}

fn write_loop(conn: Connection, queue: Receiver<WriterMessage>) {
    let mut batch: Vec<Box<dyn WriteJob>> = Vec::with_capacity(MAX_BATCH);
    let mut stopping = false;
    while !stopping {
        match queue.recv() {
            Ok(WriterMessage::Job(job)) => batch.push(job),
            Ok(WriterMessage::Shutdown) | Err(_) => break,
        }
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(WriterMessage::Job(job)) => batch.push(job),
                Ok(WriterMessage::Shutdown) => {
                    stopping = true;
                    break;
                }
                Err(_) => break,
            }
        }
        commit_batch(&conn, &mut batch);
    }
    close_writer(conn);
}

/// Runs every job of the batch in one transaction and answers them all.
fn commit_batch(conn: &Connection, batch: &mut Vec<Box<dyn WriteJob>>) {
    let outcome = conn
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())
        .and_then(|()| {
            for job in batch.iter_mut() {
                run_in_savepoint(conn, job.as_mut())?;
            }
            conn.execute_batch("COMMIT").map_err(|e| e.to_string())
        });
    if outcome.is_err()
        && !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
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
    conn.execute_batch("SAVEPOINT job")
        .map_err(|e| e.to_string())?;
    let release = if job.run(conn) {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    conn.execute_batch(release).map_err(|e| e.to_string())
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

fn read_loop(conn: Connection, queue: Receiver<ReaderMessage>) {
    while let Ok(ReaderMessage::Job(job)) = queue.recv() {
        job(&conn);
    }
}

/// Runs `work`, turning a panic into an internal error so that one bad
/// request cannot take a connection thread down with it.
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
