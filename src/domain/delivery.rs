//! When a webhook delivery is tried again, and what an answer means for it
//! and for its endpoint. Pure: the delivery worker measures, these rules
//! decide.
//!
//! An event is delivered at least once: its first attempt right away, then
//! after each failure the next wait of the [`RetrySchedule`] (5 s, 5 min,
//! 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h by default, each ± 10 %), or
//! later if the endpoint asked so with `Retry-After` (in seconds or as an
//! HTTP date). A 2xx is success; anything else, a redirect included, is a
//! failure. `410 Gone` disables the endpoint at once; an endpoint that has
//! had no success for five days is disabled when a delivery of it runs out
//! of attempts.

use std::time::Duration;

use serde::Serialize;

/// How long an endpoint may go without a success before a delivery that
/// used its whole schedule disables it.
pub const DISABLE_AFTER_SECONDS: i64 = 5 * 24 * 3600;
/// The longest `Retry-After` honoured; a larger one waits this long.
pub const MAX_RETRY_AFTER_SECONDS: i64 = 24 * 3600;
/// How far a wait may stray either way, so that the retries of many
/// deliveries that failed together do not all come back at once.
pub const JITTER: f64 = 0.1;
/// How long delivery history is kept and listed.
pub const KEPT_SECONDS: i64 = 30 * 24 * 3600;

/// The waits between attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl Default for RetrySchedule {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Self(vec![
            Duration::from_secs(5),
            minutes(5),
            minutes(30),
            minutes(2 * 60),
            minutes(5 * 60),
            minutes(10 * 60),
            minutes(14 * 60),
            minutes(20 * 60),
            minutes(24 * 60),
        ])
    }
}

impl RetrySchedule {
    /// The waits in order.
    pub fn new(waits: Vec<Duration>) -> Self {
        Self(waits)
    }

    /// How many attempts a delivery gets: the first, and one per wait.
    pub fn attempts(&self) -> i64 {
        i64::try_from(self.0.len())
            .unwrap_or(i64::MAX)
            .saturating_add(1)
    }

    /// The wait after failed attempt number `made` (1 for the first), or
    /// `None` when the schedule is used up. `jitter` in `[-1, 1]` moves it
    /// by up to [`JITTER`] of itself; `retry_after` (seconds the endpoint
    /// asked for) makes it at least that long.
    pub fn wait_after(&self, made: i64, jitter: f64, retry_after: Option<i64>) -> Option<Duration> {
        let index = usize::try_from(made.checked_sub(1)?).ok()?;
        let base = *self.0.get(index)?;
        let spread = base.as_secs_f64() * JITTER * jitter.clamp(-1.0, 1.0);
        let waited = Duration::from_secs_f64((base.as_secs_f64() + spread).max(0.0));
        let asked = retry_after
            .map(|s| s.clamp(0, MAX_RETRY_AFTER_SECONDS))
            .and_then(|s| u64::try_from(s).ok())
            .map_or(Duration::ZERO, Duration::from_secs);
        Some(waited.max(asked))
    }
}

/// The seconds an endpoint asks to be left alone with `Retry-After`, read
/// at Unix second `now`: either form RFC 9110 allows, a number of seconds
/// (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, and the two
/// obsolete date forms recipients must read). A date in the past asks for
/// no wait; anything else is no answer.
pub fn retry_after_seconds(raw: &str, now: i64) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(seconds) = raw.parse::<i64>() {
        return Some(seconds.max(0));
    }
    let at = httpdate::parse_http_date(raw).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(i64::try_from(at).ok()?.saturating_sub(now).max(0))
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt was answered with a 2xx.
    Delivered,
    /// Its attempts are used up, or its endpoint is gone.
    Failed,
}

impl DeliveryState {
    /// As stored.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// From storage; anything unknown reads as failed, never retried.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "pending" => Self::Pending,
            "delivered" => Self::Delivered,
            _ => Self::Failed,
        }
    }
}

/// What an attempt found, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// Seconds asked for with `Retry-After`.
    pub retry_after: Option<i64>,
}

/// The endpoint's record that decides whether it is given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRecord {
    /// Unix seconds of its last 2xx, if it ever had one.
    pub last_success_at: Option<i64>,
    /// Unix seconds it was added.
    pub created_at: i64,
}

/// What becomes of a delivery, and of its endpoint, after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The delivery's new state.
    pub state: DeliveryState,
    /// When pending: how long until the next attempt.
    pub retry_in: Option<Duration>,
    /// Why the endpoint is now disabled, if it is.
    pub disable: Option<String>,
}

/// Judges attempt number `made` (1 for the first) of a delivery, at Unix
/// second `now`.
pub fn judge(
    answer: Answer,
    made: i64,
    schedule: &RetrySchedule,
    endpoint: EndpointRecord,
    now: i64,
    jitter: f64,
) -> Verdict {
    let settled = |state, disable| Verdict {
        state,
        retry_in: None,
        disable,
    };
    match answer.status {
        Some(200..=299) => return settled(DeliveryState::Delivered, None),
        Some(410) => {
            return settled(
                DeliveryState::Failed,
                Some("the endpoint answered 410 Gone".to_owned()),
            );
        }
        _ => {}
    }
    if let Some(wait) = schedule.wait_after(made, jitter, answer.retry_after) {
        return Verdict {
            state: DeliveryState::Pending,
            retry_in: Some(wait),
            disable: None,
        };
    }
    let since = endpoint.last_success_at.unwrap_or(endpoint.created_at);
    let disable = (now - since >= DISABLE_AFTER_SECONDS).then(|| {
        format!(
            "no delivery succeeded for 5 days, and one failed all {made} attempts; fix the endpoint, then enable it again"
        )
    });
    settled(DeliveryState::Failed, disable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short() -> RetrySchedule {
        RetrySchedule::new(vec![Duration::from_millis(100), Duration::from_secs(1)])
    }

    const FRESH: EndpointRecord = EndpointRecord {
        last_success_at: None,
        created_at: 1_000,
    };

    fn answered(status: u16) -> Answer {
        Answer {
            status: Some(status),
            retry_after: None,
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        // Wed, 21 Oct 2026 07:28:00 GMT
        let date = 1_792_567_680;
        let now = date - 90;
        assert_eq!(retry_after_seconds("120", now), Some(120));
        assert_eq!(retry_after_seconds(" 7 ", now), Some(7));
        assert_eq!(retry_after_seconds("-5", now), Some(0));
        for written in [
            "Wed, 21 Oct 2026 07:28:00 GMT",
            "Wednesday, 21-Oct-26 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2026",
        ] {
            assert_eq!(retry_after_seconds(written, now), Some(90), "{written}");
        }
        assert_eq!(
            retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT", date + 10),
            Some(0),
            "a date gone by asks for no wait"
        );
        for nonsense in ["", "soon", "1.5", "Wed, 32 Oct 2026 07:28:00 GMT"] {
            assert_eq!(retry_after_seconds(nonsense, now), None, "{nonsense}");
        }
    }

    #[test]
    fn the_default_schedule_is_the_standard_one_and_gives_ten_attempts() {
        let schedule = RetrySchedule::default();
        let seconds: Vec<u64> = (1..=9)
            .map(|n| schedule.wait_after(n, 0.0, None).unwrap().as_secs())
            .collect();
        assert_eq!(
            seconds,
            [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        );
        assert_eq!(schedule.attempts(), 10);
        assert_eq!(schedule.wait_after(10, 0.0, None), None);
        assert_eq!(schedule.wait_after(0, 0.0, None), None);
    }

    #[test]
    fn jitter_moves_a_wait_by_at_most_a_tenth() {
        let schedule = RetrySchedule::default();
        assert_eq!(
            schedule.wait_after(2, 1.0, None),
            Some(Duration::from_secs(330))
        );
        assert_eq!(
            schedule.wait_after(2, -1.0, None),
            Some(Duration::from_secs(270))
        );
        assert_eq!(
            schedule.wait_after(2, 7.0, None),
            Some(Duration::from_secs(330))
        );
    }

    #[test]
    fn retry_after_lengthens_a_wait_but_never_shortens_it_and_is_capped() {
        let schedule = RetrySchedule::default();
        assert_eq!(
            schedule.wait_after(1, 0.0, Some(60)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            schedule.wait_after(2, 0.0, Some(60)),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            schedule.wait_after(1, 0.0, Some(10 * 86_400)),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(
            schedule.wait_after(1, 0.0, Some(-5)),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn a_2xx_delivers_and_anything_else_retries_on_schedule() {
        let ok = judge(answered(204), 1, &short(), FRESH, 2_000, 0.0);
        assert_eq!(ok.state, DeliveryState::Delivered);
        assert_eq!(ok.retry_in, None);
        for failure in [
            answered(500),
            answered(301),
            answered(404),
            Answer {
                status: None,
                retry_after: None,
            },
        ] {
            let verdict = judge(failure, 1, &short(), FRESH, 2_000, 0.0);
            assert_eq!(verdict.state, DeliveryState::Pending, "{failure:?}");
            assert_eq!(verdict.retry_in, Some(Duration::from_millis(100)));
            assert_eq!(verdict.disable, None);
        }
    }

    #[test]
    fn gone_disables_the_endpoint_at_once() {
        let verdict = judge(answered(410), 1, &short(), FRESH, 2_000, 0.0);
        assert_eq!(verdict.state, DeliveryState::Failed);
        assert_eq!(
            verdict.disable.as_deref(),
            Some("the endpoint answered 410 Gone")
        );
    }

    #[test]
    fn a_used_up_schedule_disables_only_an_endpoint_without_success_for_five_days() {
        let now = 1_000 + DISABLE_AFTER_SECONDS;
        let recent = EndpointRecord {
            last_success_at: Some(now - 3_600),
            created_at: 1_000,
        };
        let kept = judge(answered(500), 3, &short(), recent, now, 0.0);
        assert_eq!(kept.state, DeliveryState::Failed);
        assert_eq!(kept.disable, None);
        let young = judge(answered(500), 3, &short(), FRESH, now - 1, 0.0);
        assert_eq!(young.disable, None);
        let given_up = judge(answered(500), 3, &short(), FRESH, now, 0.0);
        assert_eq!(given_up.state, DeliveryState::Failed);
        assert_eq!(
            given_up.disable.as_deref(),
            Some(
                "no delivery succeeded for 5 days, and one failed all 3 attempts; fix the endpoint, then enable it again"
            )
        );
    }

    #[test]
    fn states_read_back_as_written() {
        for state in [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ] {
            assert_eq!(DeliveryState::parse(state.name()), state);
        }
        assert_eq!(DeliveryState::parse("odd"), DeliveryState::Failed);
    }
}
