//! Running a report: the window's spans from the store, through the pure
//! engine. The API's reports and the web app's pages both call this, so a
//! page shows exactly the figures the API answers.

use crate::{
    db::Store,
    domain::stats::{self, Params, Report, window::Window},
    error::{AppError, AppResult},
};

/// Reports over at most this many spans (about a year of heavy use, under a
/// millisecond) are computed on the request's own thread; larger ones (a
/// decade takes ~17 ms) on the blocking pool, so they never stall other
/// requests.
const INLINE_SPANS: usize = 20_000;

/// Every figure of `window` for `user_id`, with recovery allowance `R`.
pub async fn run(
    store: &dyn Store,
    user_id: i64,
    window: &Window,
    recovery_allowance: i64,
    now: jiff::Timestamp,
) -> AppResult<Report> {
    let spans = store.window_spans(user_id, window.from, window.to).await?;
    let params = Params {
        from: window.from.as_second(),
        to: window.to.as_second(),
        zone: window.zone.zone(),
        now: now.as_second(),
        recovery_allowance,
    };
    let size: usize = spans.iter().map(|s| 1 + s.interruptions.len()).sum();
    if size <= INLINE_SPANS {
        return Ok(stats::report(&spans, &params));
    }
    tokio::task::spawn_blocking(move || stats::report(&spans, &params))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("report task failed: {e}")))
}
