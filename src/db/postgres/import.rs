//! SQL for imports: the stored sessions an import is placed beside, and
//! the inserts, in one transaction with the user's row locked.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::{sessions::lock_user, sql};
use crate::{
    db::StoreResult,
    domain::{
        import::{self, ImportCounts, ImportFile, ImportSession, StoredSession},
        time::from_unix_seconds,
    },
};

/// Rows sent in one `INSERT … SELECT FROM unnest(…)`.
const CHUNK: usize = 5_000;

/// Places `sessions` beside the user's stored ones and, unless `dry_run`,
/// adds those not stored yet, a few thousand rows a statement.
pub async fn import<C: GenericClient>(
    c: &C,
    user_id: i64,
    file: &ImportFile,
    dry_run: bool,
    now: Timestamp,
) -> StoreResult<ImportCounts> {
    // Two imports (or an import and a start) of one user wait in turn.
    lock_user(c, user_id).await?;
    let stored: Vec<StoredSession> = sql::rows(
        c,
        "SELECT id, start_time, end_time FROM sessions WHERE user_id = $1 ORDER BY start_time",
        &[&user_id],
    )
    .await?
    .iter()
    .map(|r| StoredSession {
        id: r.get(0),
        start: from_unix_seconds(r.get(1)),
        end: r.get::<_, Option<i64>>(2).map(from_unix_seconds),
    })
    .collect();
    let (added, matched) = import::place(file, &stored, now)?;
    if !dry_run {
        for chunk in added.chunks(CHUNK) {
            insert(c, user_id, chunk, now.as_second()).await?;
        }
    }
    Ok(import::counts(&added, matched))
}

async fn insert<C: GenericClient>(
    c: &C,
    user_id: i64,
    sessions: &[&ImportSession],
    created: i64,
) -> StoreResult<()> {
    let starts: Vec<i64> = sessions.iter().map(|s| s.start.as_second()).collect();
    let ends: Vec<Option<i64>> = sessions
        .iter()
        .map(|s| s.end.map(|e| e.as_second()))
        .collect();
    let notes: Vec<&str> = sessions.iter().map(|s| s.note.as_str()).collect();
    // A user's sessions never share a start: it names the new id.
    let ids: HashMap<i64, i64> = sql::rows(
        c,
        "INSERT INTO sessions (user_id, start_time, end_time, created_at, note)
         SELECT $1, s, e, $4, n FROM unnest($2::bigint[], $3::bigint[], $5::text[]) AS t(s, e, n)
         RETURNING start_time, id",
        &[&user_id, &starts, &ends, &created, &notes],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut session_ids = Vec::new();
    let mut kinds = Vec::new();
    let mut descriptions = Vec::new();
    let mut from = Vec::new();
    let mut until = Vec::new();
    for s in sessions {
        let id = ids.get(&s.start.as_second()).copied().unwrap_or_default();
        for i in &s.interruptions {
            session_ids.push(id);
            kinds.push(i.kind.as_str());
            descriptions.push(i.description.as_str());
            from.push(i.start.as_second());
            until.push(i.end.as_second());
        }
    }
    for start in (0..session_ids.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(session_ids.len());
        sql::execute(
            c,
            "INSERT INTO interruptions (session_id, user_id, kind, description, start_time, end_time, created_at)
             SELECT s, $1, k, d, b, e, $7
             FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS t(s, k, d, b, e)",
            &[
                &user_id,
                &&session_ids[start..end],
                &&kinds[start..end],
                &&descriptions[start..end],
                &&from[start..end],
                &&until[start..end],
                &created,
            ],
        )
        .await?;
    }
    Ok(())
}
