//! Throttles the unauthenticated work an attacker can ask for: password
//! guesses and password hashing.
//!
//! - Every sign-in, reset, setup or reset-link request counts against its
//!   client address (`per_ip_per_minute`, governor), checked before any hash
//!   is computed.
//! - Wrong passwords slow down one account *from one address*: after
//!   `failures_before_delay` failures, each further attempt from that address
//!   waits 1 s, then 2 s, 4 s ... up to 15 minutes. Nobody is locked out: the
//!   right password from another address (the victim's own) is not held up,
//!   and a success clears the count.
//! - Failures from every address together slow down an account too (guessing
//!   spread over many addresses), only far later (ten times the per-address
//!   allowance, at most a minute per attempt), and never for an address that
//!   signed in to the account successfully before.
//!
//! IPv6 addresses count by their /64, which one subscriber usually holds
//! whole. State is kept per instance, in memory, and forgotten 15 minutes
//! after the last failure.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The longest wait after repeated failures from one address.
const MAX_PAIR_DELAY: Duration = Duration::from_secs(15 * 60);
/// The longest wait the account-wide count imposes.
const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(60);
/// Failures are forgotten this long after the last one.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered per account as having signed in successfully.
const KNOWN_ADDRESSES: usize = 8;
/// Entries kept before old ones are swept.
const MAX_ENTRIES: usize = 100_000;

/// The address a limit counts by: IPv4 as is, IPv6 by its /64.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// When the next attempt may be made, given `free` failures without delay.
    fn next_allowed(&self, free: u32, max: Duration) -> Option<Instant> {
        let over = self.count.checked_sub(free)?;
        let delay = Duration::from_secs(1u64 << over.min(20)).min(max);
        Some(self.last + delay)
    }

    fn stale(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) >= FORGET_AFTER
    }
}

#[derive(Debug, Default)]
struct AccountState {
    failures: Option<Failures>,
    known: Vec<IpAddr>,
}

#[derive(Default)]
struct Counts {
    pairs: HashMap<(String, IpAddr), Failures>,
    accounts: HashMap<String, AccountState>,
}

/// How sign-ins and other password work are throttled (by `LoginLimiter`).
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Wrong passwords for one account from one address before each
    /// further attempt waits (1 s, doubling up to 15 minutes).
    pub failures_before_delay: u32,
    /// Sign-in, reset and setup requests per client address and minute.
    pub per_ip_per_minute: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            failures_before_delay: 5,
            per_ip_per_minute: 30,
        }
    }
}

pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    reset_links: DefaultKeyedRateLimiter<String>,
    counts: Mutex<Counts>,
    free_per_pair: u32,
    free_per_account: u32,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn seconds_until(when: Instant, now: Instant) -> u64 {
    let wait = when.saturating_duration_since(now);
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        let free = limits.failures_before_delay.max(1);
        // Three reset links at once, then one every two minutes per address.
        let links = Quota::with_period(Duration::from_secs(120))
            .unwrap_or_else(|| quota(1))
            .allow_burst(NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(limits.per_ip_per_minute)),
            reset_links: RateLimiter::keyed(links),
            counts: Mutex::default(),
            free_per_pair: free,
            free_per_account: free.saturating_mul(10),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request that will hash (or guess) a password against its
    /// client address. `Err(seconds to wait)` when the address used its share.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), u64> {
        if self.per_ip.len() > MAX_ENTRIES {
            self.per_ip.retain_recent();
        }
        self.per_ip
            .check_key(&address_key(ip))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// Before checking a password of `account` from `ip`: the address's
    /// share, then the delays earned by earlier failures.
    pub fn check(&self, account: &str, ip: IpAddr) -> Result<(), u64> {
        self.check_address(ip)?;
        self.check_failures(account, address_key(ip), Instant::now())
    }

    fn check_failures(&self, account: &str, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let Ok(counts) = self.counts.lock() else {
            return Ok(());
        };
        if let Some(when) = counts
            .pairs
            .get(&(account.to_owned(), ip))
            .filter(|f| !f.stale(now))
            .and_then(|f| f.next_allowed(self.free_per_pair, MAX_PAIR_DELAY))
            .filter(|when| *when > now)
        {
            return Err(seconds_until(when, now));
        }
        if let Some(state) = counts.accounts.get(account) {
            if !state.known.contains(&ip) {
                if let Some(when) = state
                    .failures
                    .filter(|f| !f.stale(now))
                    .and_then(|f| f.next_allowed(self.free_per_account, MAX_ACCOUNT_DELAY))
                    .filter(|when| *when > now)
                {
                    return Err(seconds_until(when, now));
                }
            }
        }
        Ok(())
    }

    /// After a wrong password for `account` from `ip`.
    pub fn record_failure(&self, account: &str, ip: IpAddr) {
        self.failure_at(account, address_key(ip), Instant::now());
    }

    fn failure_at(&self, account: &str, ip: IpAddr, now: Instant) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        if counts.pairs.len() > MAX_ENTRIES || counts.accounts.len() > MAX_ENTRIES {
            counts.pairs.retain(|_, f| !f.stale(now));
            counts
                .accounts
                .retain(|_, a| a.failures.is_some_and(|f| !f.stale(now)) || !a.known.is_empty());
        }
        let bump = |f: Option<Failures>| match f.filter(|f| !f.stale(now)) {
            Some(f) => Failures {
                count: f.count.saturating_add(1),
                last: now,
            },
            None => Failures {
                count: 1,
                last: now,
            },
        };
        let key = (account.to_owned(), ip);
        let pair = bump(counts.pairs.get(&key).copied());
        counts.pairs.insert(key, pair);
        let state = counts.accounts.entry(account.to_owned()).or_default();
        state.failures = Some(bump(state.failures));
    }

    /// After the right password for `account` from `ip`: that address starts
    /// afresh and is known to the account from now on.
    pub fn record_success(&self, account: &str, ip: IpAddr) {
        let ip = address_key(ip);
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        counts.pairs.remove(&(account.to_owned(), ip));
        if counts.accounts.len() > MAX_ENTRIES {
            return;
        }
        let state = counts.accounts.entry(account.to_owned()).or_default();
        if !state.known.contains(&ip) {
            if state.known.len() >= KNOWN_ADDRESSES {
                state.known.remove(0);
            }
            state.known.push(ip);
        }
    }

    /// Before sending a password-reset link to `email`: a few per address,
    /// so nobody floods a mailbox.
    pub fn check_reset_link(&self, email: &str, ip: IpAddr) -> Result<(), u64> {
        self.check_address(ip)?;
        if self.reset_links.len() > MAX_ENTRIES {
            self.reset_links.retain_recent();
        }
        self.reset_links
            .check_key(&email.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(free: u32) -> LoginLimiter {
        LoginLimiter::new(LoginLimits {
            failures_before_delay: free,
            per_ip_per_minute: 1000,
        })
    }

    const ATTACKER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9));
    const VICTIM: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    #[test]
    fn delays_grow_with_each_failure_from_one_address() {
        let l = limiter(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check_failures("ana", ATTACKER, t0).is_ok());
            l.failure_at("ana", ATTACKER, t0);
        }
        assert_eq!(l.check_failures("ana", ATTACKER, t0), Err(1));
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.check_failures("ana", ATTACKER, t1).is_ok());
        l.failure_at("ana", ATTACKER, t1);
        assert_eq!(l.check_failures("ana", ATTACKER, t1), Err(2));
        l.failure_at("ana", ATTACKER, t1);
        assert_eq!(l.check_failures("ana", ATTACKER, t1), Err(4));
        // Forgotten after a quiet quarter of an hour.
        assert!(l.check_failures("ana", ATTACKER, t1 + FORGET_AFTER).is_ok());
    }

    #[test]
    fn another_address_is_not_held_up_by_an_attackers_failures() {
        let l = limiter(3);
        let t0 = Instant::now();
        for _ in 0..25 {
            l.failure_at("ana", ATTACKER, t0);
        }
        assert!(l.check_failures("ana", ATTACKER, t0).is_err());
        assert!(l.check_failures("ana", VICTIM, t0).is_ok());
    }

    #[test]
    fn guesses_spread_over_many_addresses_slow_the_account_but_not_its_known_address() {
        let l = limiter(3);
        let t0 = Instant::now();
        l.record_success("ana", VICTIM);
        for i in 0..30u8 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, i));
            l.failure_at("ana", ip, t0);
        }
        let newcomer = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
        assert!(l.check_failures("ana", newcomer, t0).is_err());
        assert!(l.check_failures("ana", address_key(VICTIM), t0).is_ok());
        assert!(l.check_failures("bo", newcomer, t0).is_ok());
    }

    #[test]
    fn a_success_clears_the_addresss_count() {
        let l = limiter(2);
        let t0 = Instant::now();
        l.failure_at("ana", VICTIM, t0);
        l.failure_at("ana", VICTIM, t0);
        assert!(l.check_failures("ana", VICTIM, t0).is_err());
        l.record_success("ana", VICTIM);
        assert!(l.check_failures("ana", VICTIM, t0).is_ok());
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(address_key(mapped), VICTIM);
    }

    #[test]
    fn each_address_has_its_share_of_hashing_work() {
        let l = LoginLimiter::new(LoginLimits {
            failures_before_delay: 5,
            per_ip_per_minute: 2,
        });
        assert!(l.check_address(ATTACKER).is_ok());
        assert!(l.check_address(ATTACKER).is_ok());
        assert!(l.check_address(ATTACKER).unwrap_err() >= 1);
        assert!(l.check_address(VICTIM).is_ok());
    }
}
