//! Report spans recently read, per user, valid until that user's next write.
//!
//! A year-long report reads thousands of rows; SQLite alone needs about
//! 0.3 ms for them, more than the rest of the request. Dashboards ask for
//! the same user's reports again and again between two writes, so the spans
//! of the last window read are kept, with the user's write revision.
//!
//! Correctness rests on two orderings: a read takes the revision *before*
//! loading, and a write bumps it *after* committing (before answering). A
//! load that raced a write is therefore stored under the old revision and
//! never served after the bump. Spans are loaded for a little more than the
//! window asked for; the engine clips every span to the request's window, so
//! extra spans change nothing, and requests a few minutes later (whose
//! window has moved with the clock) still find them.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use crate::domain::stats::SessionSpan;

/// How far past the window's end spans are loaded, in seconds.
pub const LOOKAHEAD_SECONDS: i64 = 600;
/// Users whose spans are kept at once.
const MAX_USERS: usize = 1024;
/// Larger loads (a decade of history) are not kept.
const MAX_SPANS: usize = 50_000;

/// Shared spans of one window.
pub type Spans = Arc<[SessionSpan]>;

struct Entry {
    revision: u64,
    from: i64,
    to: i64,
    spans: Spans,
}

#[derive(Default)]
struct State {
    revisions: HashMap<i64, u64>,
    entries: HashMap<i64, Entry>,
}

/// See the module documentation.
#[derive(Default)]
pub struct SpanCache {
    state: Mutex<State>,
}

impl SpanCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user's write revision, to take before loading.
    pub fn revision(&self, user_id: i64) -> u64 {
        self.lock().revisions.get(&user_id).copied().unwrap_or(0)
    }

    /// Spans covering `[from, to)` read since the user's last write.
    pub fn get(&self, user_id: i64, from: i64, to: i64) -> Option<Spans> {
        let state = self.lock();
        let current = state.revisions.get(&user_id).copied().unwrap_or(0);
        state
            .entries
            .get(&user_id)
            .filter(|e| e.revision == current && e.from <= from && to <= e.to)
            .map(|e| e.spans.clone())
    }

    /// Keeps spans loaded for `[from, to)` at `revision`.
    pub fn put(&self, user_id: i64, revision: u64, from: i64, to: i64, spans: Spans) {
        let size: usize = spans.iter().map(|s| 1 + s.interruptions.len()).sum();
        if size > MAX_SPANS {
            return;
        }
        let mut state = self.lock();
        if state.entries.len() >= MAX_USERS && !state.entries.contains_key(&user_id) {
            state.entries.clear();
        }
        state.entries.insert(
            user_id,
            Entry {
                revision,
                from,
                to,
                spans,
            },
        );
    }

    /// Marks every kept span of the user stale; call after each write.
    pub fn invalidate(&self, user_id: i64) {
        let mut state = self.lock();
        *state.revisions.entry(user_id).or_insert(0) += 1;
        state.entries.remove(&user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(n: i64) -> Spans {
        (0..n)
            .map(|k| SessionSpan {
                start: k,
                end: Some(k + 1),
                interruptions: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn spans_are_served_for_windows_inside_the_load_until_a_write() {
        let cache = SpanCache::default();
        let revision = cache.revision(1);
        cache.put(1, revision, 100, 200, spans(3));
        assert_eq!(cache.get(1, 100, 200).map(|s| s.len()), Some(3));
        assert_eq!(cache.get(1, 150, 190).map(|s| s.len()), Some(3));
        assert!(cache.get(1, 99, 150).is_none() && cache.get(1, 150, 201).is_none());
        assert!(cache.get(2, 100, 200).is_none());
        cache.invalidate(1);
        assert!(cache.get(1, 100, 200).is_none());
    }

    #[test]
    fn a_load_that_raced_a_write_is_never_served() {
        let cache = SpanCache::default();
        let before = cache.revision(1);
        cache.invalidate(1); // a write commits while the load runs
        cache.put(1, before, 0, 10, spans(1));
        assert!(cache.get(1, 0, 10).is_none());
    }
}
