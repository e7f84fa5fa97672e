//! Per-client rate limits, so that one busy or abusive client cannot crowd
//! out the rest.
//!
//! A client is a bearer token, or, for a request without one, the client
//! address; each may send the configured rate. Besides, everything from one
//! address together may send [`ADDRESS_SHARE`] times that, so that a host
//! cannot escape its limit by cycling made-up tokens, while people sharing
//! an office's address are not limited as one. The tighter bucket decides.
//!
//! The counting is governor's GCRA (a token bucket without timers). Each
//! response carries the draft-standard `RateLimit-Limit`,
//! `RateLimit-Remaining` and `RateLimit-Reset` headers; a refused request
//! gets a 429 problem with `Retry-After`. Health, readiness and metrics are
//! exempt so that probes and scrapers never see a 429.

use std::{
    hash::{BuildHasher, Hash},
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{
    Quota, RateLimiter,
    clock::{Clock, QuantaClock},
    middleware::{StateInformationMiddleware, StateSnapshot},
    state::keyed::DashMapStateStore,
};

use super::extract::bearer_token;
use crate::{config::RateLimit, error::AppError};

/// Paths that are never limited: probes, scrapes.
pub(crate) const EXEMPT: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// How many clients' worth of requests one address may send in all.
pub const ADDRESS_SHARE: NonZeroU32 = NonZeroU32::new(10).expect("non-zero");

/// How often buckets that have refilled are forgotten, so that memory
/// follows the clients seen recently rather than every client ever seen.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The headers a client reads to pace itself.
pub static RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
/// See [`RATELIMIT_LIMIT`].
pub static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
/// See [`RATELIMIT_LIMIT`].
pub static RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// Who a client bucket belongs to. Tokens are kept as a keyed hash, never as
/// secrets; addresses as [`crate::net::client_address`] groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    Anonymous(IpAddr),
    Token(u64),
}

type Buckets<K> = RateLimiter<K, DashMapStateStore<K>, QuantaClock, StateInformationMiddleware>;

/// The buckets of every client and address seen recently, shared by all
/// requests.
pub struct Limiter {
    quota: Quota,
    clients: Buckets<Client>,
    addresses: Buckets<IpAddr>,
    client_ip_header: Option<HeaderName>,
    token_hasher: std::collections::hash_map::RandomState,
    started: Instant,
    next_sweep_secs: AtomicU64,
}

/// Where a client stands after a request: the figures of its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Standing {
    limit: u32,
    remaining: u32,
    /// Seconds until the bucket is full again.
    reset: u64,
}

/// A refused request: when to retry, and the standing to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refusal {
    retry_after: u64,
    standing: Standing,
}

impl Limiter {
    /// Buckets for `limit`, or `None` when limiting is off (or the limit is
    /// finer than a nanosecond, which parsing refuses).
    pub fn new(limit: RateLimit, client_ip_header: Option<HeaderName>) -> Option<Arc<Self>> {
        let RateLimit::Limited {
            requests,
            period,
            burst,
        } = limit
        else {
            return None;
        };
        let interval = period.duration() / requests.get();
        let quota = Quota::with_period(interval)?.allow_burst(burst);
        let shared = Quota::with_period(interval / ADDRESS_SHARE.get())
            .unwrap_or(quota)
            .allow_burst(burst.saturating_mul(ADDRESS_SHARE));
        Some(Arc::new(Self {
            quota,
            clients: buckets(quota),
            addresses: buckets(shared),
            client_ip_header,
            token_hasher: std::collections::hash_map::RandomState::new(),
            started: Instant::now(),
            next_sweep_secs: AtomicU64::new(SWEEP_EVERY.as_secs()),
        }))
    }

    /// Takes one request from the client's bucket, then from its address's.
    /// A refused client costs its address nothing, so a client at its limit
    /// does not use up its neighbours' share.
    fn admit(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Result<Standing, Refusal> {
        self.sweep_now_and_then();
        let address = crate::net::client_address(self.client_ip_header.as_ref(), headers, peer);
        let client = match bearer_token(headers) {
            Some(token) => Some(Client::Token(self.token_hasher.hash_one(token))),
            None => address.map(Client::Anonymous),
        };
        // Only an in-process call has neither; it is not limited.
        let own = match client {
            Some(client) => take(&self.clients, &client)?,
            None => self.full_standing(),
        };
        let shared = match address {
            Some(address) => take(&self.addresses, &address)?,
            None => own,
        };
        Ok(if shared.remaining < own.remaining {
            shared
        } else {
            own
        })
    }

    fn full_standing(&self) -> Standing {
        let limit = self.quota.burst_size().get();
        Standing {
            limit,
            remaining: limit,
            reset: 0,
        }
    }

    /// Forgets refilled buckets once per [`SWEEP_EVERY`]; the one request
    /// that wins the race does it, so no task or timer is needed.
    fn sweep_now_and_then(&self) {
        let now = self.started.elapsed().as_secs();
        let due = self.next_sweep_secs.load(Ordering::Relaxed);
        let won = now >= due
            && self
                .next_sweep_secs
                .compare_exchange(
                    due,
                    now + SWEEP_EVERY.as_secs(),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok();
        if won {
            self.clients.retain_recent();
            self.clients.shrink_to_fit();
            self.addresses.retain_recent();
            self.addresses.shrink_to_fit();
        }
    }
}

fn buckets<K: Hash + Eq + Clone>(quota: Quota) -> Buckets<K> {
    RateLimiter::dashmap_with_clock(quota, QuantaClock::default())
        .with_middleware::<StateInformationMiddleware>()
}

/// Takes one request from `key`'s bucket.
fn take<K: Hash + Eq + Clone>(buckets: &Buckets<K>, key: &K) -> Result<Standing, Refusal> {
    match buckets.check_key(key) {
        Ok(snapshot) => Ok(standing_after(&snapshot)),
        Err(denied) => {
            let quota = denied.quota();
            let wait = denied.wait_time_from(buckets.clock().now());
            let limit = quota.burst_size().get();
            let refill_rest = quota.replenish_interval() * (limit - 1);
            Err(Refusal {
                retry_after: whole_seconds(wait).max(1),
                standing: Standing {
                    limit,
                    remaining: 0,
                    reset: whole_seconds(wait + refill_rest),
                },
            })
        }
    }
}

/// The standing a successful check leaves: `remaining` more requests may
/// come at once, and the bucket is full again after one refill per request
/// taken from it.
fn standing_after(snapshot: &StateSnapshot) -> Standing {
    let quota = snapshot.quota();
    let limit = quota.burst_size().get();
    let remaining = snapshot.remaining_burst_capacity();
    Standing {
        limit,
        remaining,
        reset: whole_seconds(quota.replenish_interval() * (limit - remaining)),
    }
}

/// Limits every request not exempt; see the module documentation.
pub async fn limit(State(limiter): State<Arc<Limiter>>, request: Request, next: Next) -> Response {
    if EXEMPT.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    match limiter.admit(request.headers(), peer) {
        Ok(standing) => {
            let mut response = next.run(request).await;
            write_headers(response.headers_mut(), standing);
            response
        }
        Err(refusal) => {
            let mut response = AppError::TooManyRequests(refusal.retry_after).into_response();
            write_headers(response.headers_mut(), refusal.standing);
            response
        }
    }
}

fn write_headers(headers: &mut HeaderMap, standing: Standing) {
    headers.insert(&RATELIMIT_LIMIT, HeaderValue::from(standing.limit));
    headers.insert(&RATELIMIT_REMAINING, HeaderValue::from(standing.remaining));
    headers.insert(&RATELIMIT_RESET, HeaderValue::from(standing.reset));
}

/// Seconds, rounded up: a client that waits this long is never early.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}
