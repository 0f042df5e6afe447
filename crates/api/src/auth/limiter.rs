//! Throttles sign-in attempts per account and per client address.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::state::LoginLimits;

pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(limits.per_account_per_minute)),
            per_ip: RateLimiter::keyed(quota(limits.per_ip_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds to wait)` when either limit is exhausted.
    pub fn check(&self, account: &str, ip: &str) -> Result<(), u64> {
        for (limiter, key) in [(&self.per_ip, ip), (&self.per_account, account)] {
            if limiter.len() > 100_000 {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                let wait = not_until.wait_time_from(self.clock.now());
                return Err(wait.as_secs().max(1));
            }
        }
        Ok(())
    }
}
