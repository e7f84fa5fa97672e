//! The offline queue: changes made while the server could not be reached,
//! one JSON line each in the state directory, sent in order by the next
//! command (or `hyperfocus sync`). Each keeps its `Idempotency-Key` and the
//! ids it has resolved, so a change whose answer was lost is not made twice.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    change::{Change, Done, Failure, Trail},
    config::{read_optional, remove_optional, write_private},
    http::Api,
};

/// A change waiting to be sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    /// Sent with every attempt, so the server makes it once.
    pub key: String,
    /// When it was typed.
    pub queued_at: Timestamp,
    /// What to do.
    #[serde(flatten)]
    pub change: Change,
}

impl Queued {
    /// A change with a fresh key.
    pub fn new(change: Change, now: Timestamp) -> anyhow::Result<Self> {
        Ok(Self {
            key: new_key()?,
            queued_at: now,
            change,
        })
    }
}

/// The queue file of one profile.
pub struct Queue {
    path: PathBuf,
    items: Vec<Queued>,
}

/// What sending the queue did.
#[derive(Default)]
pub struct Flushed {
    /// Sent, with what each did.
    pub sent: Vec<(Queued, Done)>,
    /// Refused by the server (or impossible now), with why; dropped.
    pub refused: Vec<(Queued, Failure)>,
    /// Still waiting, the server being out of reach.
    pub left: usize,
}

impl Queue {
    /// Reads the queue at `path`; no file is an empty queue.
    pub fn load(path: PathBuf) -> anyhow::Result<Self> {
        let items = match read_optional(&path)? {
            None => Vec::new(),
            Some(text) => text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(serde_json::from_str)
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{} is damaged ({e}); move it aside to go on",
                        path.display()
                    )
                })?,
        };
        Ok(Self { path, items })
    }

    /// How many changes wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The changes, oldest first.
    pub fn items(&self) -> &[Queued] {
        &self.items
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds a change at the end and writes the file.
    pub fn push(&mut self, item: Queued) -> anyhow::Result<()> {
        self.items.push(item);
        self.save()
    }

    fn save(&self) -> anyhow::Result<()> {
        if self.items.is_empty() {
            return remove_optional(&self.path);
        }
        let mut text = String::new();
        for item in &self.items {
            text.push_str(&serde_json::to_string(item)?);
            text.push('\n');
        }
        write_private(&self.path, text.as_bytes())
    }

    /// Sends the changes in order until one cannot reach the server. The
    /// file is rewritten after each step, so a crash re-sends at most the
    /// change in flight, under its key.
    pub async fn flush(&mut self, api: &Api, trail: &mut Trail) -> anyhow::Result<Flushed> {
        let mut flushed = Flushed::default();
        while let Some(first) = self.items.first_mut() {
            let attempt = match first.change.resolve(api, trail).await {
                Ok(()) => {
                    let resolved = first.clone();
                    self.save()?;
                    resolved.change.send(api, &resolved.key, trail).await
                }
                Err(failure) => Err(failure),
            };
            match attempt {
                Err(Failure::Offline(_)) => break,
                Ok(done) => flushed.sent.push((self.items.remove(0), done)),
                Err(failure) => flushed.refused.push((self.items.remove(0), failure)),
            }
            self.save()?;
        }
        flushed.left = self.items.len();
        Ok(flushed)
    }
}

/// Appends refused changes, with why, to the file at `path`, so a change
/// the server would not take is never silently gone.
pub fn keep_refused(path: &std::path::Path, refused: &[(Queued, String)]) -> anyhow::Result<()> {
    let mut text = read_optional(path)?.unwrap_or_default();
    for (queued, why) in refused {
        let mut line = serde_json::to_value(queued)?;
        line["refused"] = serde_json::Value::String(why.clone());
        text.push_str(&serde_json::to_string(&line)?);
        text.push('\n');
    }
    write_private(path, text.as_bytes())
}

/// A random UUID (version 4), the form the server expects of a key.
fn new_key() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}
