//! One import per user at a time, in this process: a second one while the
//! first runs gets a 409 at once instead of queueing behind it. (Across
//! processes on PostgreSQL, imports of one user wait for each other on the
//! user's row, and the later one then matches what the first added.)

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use bytes::Bytes;

use crate::{
    domain::{
        RuleViolation,
        import::{self, ImportFormat},
    },
    error::{AppError, AppResult},
    services::state::AppState,
};

/// Largest file an import takes: ten years of heavy use is about 45 MB.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The users whose import is running here.
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<HashSet<i64>>>);

/// Held while a user's import runs; dropping it lets the next one in.
pub struct Claim {
    running: Running,
    user_id: i64,
}

impl Running {
    /// Claims `user_id`'s turn, or `None` while another import of theirs runs.
    pub fn claim(&self, user_id: i64) -> Option<Claim> {
        let mut users = self.0.lock().unwrap_or_else(|e| e.into_inner());
        users.insert(user_id).then(|| Claim {
            running: self.clone(),
            user_id,
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut users = self.running.0.lock().unwrap_or_else(|e| e.into_inner());
        users.remove(&self.user_id);
    }
}

/// Reads `bytes` as `format` and imports them for `user_id` (or only
/// checks, on a dry run): one import per user at a time, parsing off the
/// async threads. The API and the web app's upload both come here.
pub async fn run(
    state: &AppState,
    user_id: i64,
    format: ImportFormat,
    bytes: Bytes,
    zone: jiff::tz::TimeZone,
    dry_run: bool,
) -> AppResult<import::ImportCounts> {
    let _turn = state.imports.claim(user_id).ok_or_else(|| {
        AppError::Rule(RuleViolation::Conflict(
            "an import of this user is already running; try again when it ends".into(),
        ))
    })?;
    // Reading a large file takes a while: off the async threads.
    let file = tokio::task::spawn_blocking(move || import::read(format, &bytes, &zone))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import parsing failed: {e}")))?;
    // Placed even when the file has errors of its own, so that one answer
    // lists every error: those and the overlaps with stored sessions.
    Ok(state
        .store
        .import_sessions(user_id, file, dry_run, state.clock.now())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_second_import_waits_for_the_first_to_end() {
        let running = Running::default();
        let first = running.claim(1).expect("the first import runs");
        assert!(running.claim(1).is_none());
        assert!(running.claim(2).is_some(), "other users are not held up");
        drop(first);
        assert!(running.claim(1).is_some());
    }
}
