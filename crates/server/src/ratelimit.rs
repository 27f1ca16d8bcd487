//! Rate limits: per client IP for callers who are not signed in, per account for sessions and
//! per API key for systems. Over the limit the answer is 429 with `Retry-After`.
//!
//! The client IP is the TCP peer address. Behind a reverse proxy every request would share the
//! proxy's address: terminate TLS on the same host or configure the proxy's own limits; chengxin
//! does not trust a client-supplied `X-Forwarded-For`.

use crate::AppState;
use crate::auth::{Principal, Via};
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::SocketAddr;
use std::num::NonZeroU32;

/// Requests per minute, with the burst allowed at once.
#[derive(Clone, Copy, Debug)]
pub struct RateConfig {
    pub anonymous_per_minute: u32,
    pub anonymous_burst: u32,
    pub signed_in_per_minute: u32,
    pub signed_in_burst: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            anonymous_per_minute: 1200,
            anonymous_burst: 300,
            signed_in_per_minute: 6000,
            signed_in_burst: 600,
        }
    }
}

pub struct Limits {
    anonymous: DefaultKeyedRateLimiter<String>,
    signed_in: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl Limits {
    pub fn new(c: RateConfig) -> Self {
        Limits {
            anonymous: DefaultKeyedRateLimiter::keyed(quota(
                c.anonymous_per_minute,
                c.anonymous_burst,
            )),
            signed_in: DefaultKeyedRateLimiter::keyed(quota(
                c.signed_in_per_minute,
                c.signed_in_burst,
            )),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` to go on, or the seconds to wait.
    fn check(&self, principal: &Principal, peer: Option<SocketAddr>) -> Result<(), u64> {
        let (limiter, key) = match (&principal.via, &principal.account) {
            (Via::ApiKey { id }, _) => (&self.signed_in, format!("key:{id}")),
            (Via::Session { .. }, Some(a)) => (&self.signed_in, format!("account:{}", a.id)),
            _ => (
                &self.anonymous,
                format!(
                    "ip:{}",
                    peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string())
                ),
            ),
        };
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }
}

/// Global middleware (inside [`crate::auth::identify`], which provides the principal).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| *a);
    let Some(principal) = req.extensions().get::<Principal>() else {
        return ApiError::Internal.into_response();
    };
    match state.limits.check(principal, peer) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            // A portal page is answered with a page, like every other portal error (found by
            // QA: a visitor got the API's JSON).
            let mut res = if req.uri().path().starts_with("/api/") {
                ApiError::RateLimited(format!("too many requests: retry in {wait} s"))
                    .into_response()
            } else {
                crate::portal::error_page(
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    "查询过于频繁",
                    &format!("查询过于频繁，请 {wait} 秒后再试。"),
                )
            };
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}
