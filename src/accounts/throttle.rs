//! Limits on repeated attempts, in memory and keyed by any text (a log-in,
//! an IP address): [`Throttle`] locks a key out after too many failures
//! (logging in), [`RateLimit`] lets a key through so many times per period
//! (the anonymous "signaler une erreur" form). Both keep a bounded number
//! of keys: past it, the keys that carry no information any more go first,
//! then the least recently seen.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The most keys each limiter keeps.
const MAX_KEYS: usize = 100_000;

/// Makes room in a full map: drops the entries `idle` says hold nothing,
/// then, if still full, the quarter least recently seen (`seen`).
fn make_room<V>(
    map: &mut HashMap<String, V>,
    capacity: usize,
    idle: impl Fn(&V) -> bool,
    seen: impl Fn(&V) -> Instant,
) {
    if map.len() < capacity {
        return;
    }
    map.retain(|_, v| !idle(v));
    if map.len() >= capacity && !map.is_empty() {
        let mut times: Vec<Instant> = map.values().map(&seen).collect();
        let quarter = times.len() / 4;
        let (_, cut, _) = times.select_nth_unstable(quarter);
        let cut = *cut;
        map.retain(|_, v| seen(v) > cut);
    }
}

/// The failures of one key.
#[derive(Debug, Clone, Copy)]
struct Failures {
    /// Failures since `since`.
    count: u32,
    /// The first failure of the current window.
    since: Instant,
    /// The last failure.
    last: Instant,
    /// Refused until then.
    locked_until: Option<Instant>,
}

/// Locks a key out for a while after too many failures within a window:
/// by default 5 failed log-ins within 15 minutes refuse the next ones for
/// 15 minutes.
#[derive(Debug)]
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    lockout: Duration,
    capacity: usize,
    keys: Mutex<HashMap<String, Failures>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(
            5,
            Duration::from_secs(15 * 60),
            Duration::from_secs(15 * 60),
        )
    }
}

impl Throttle {
    /// After `max_failures` failures (at least 1) within `window`, a key
    /// is refused for `lockout`.
    pub fn new(max_failures: u32, window: Duration, lockout: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            window,
            lockout,
            capacity: MAX_KEYS,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` may try now; if not, how long until it may.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        match keys.get(key).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key` (a wrong password); the one that reaches
    /// the limit locks it out.
    pub fn record_failure(&self, key: &str) {
        self.record_failure_at(key, Instant::now());
    }

    fn record_failure_at(&self, key: &str, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if !keys.contains_key(key) {
            let (window, lockout) = (self.window, self.lockout);
            make_room(
                &mut keys,
                self.capacity,
                |f| {
                    now.duration_since(f.last) >= window.max(lockout)
                        && f.locked_until.is_none_or(|u| u <= now)
                },
                |f| f.last,
            );
        }
        let failures = keys.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            since: now,
            last: now,
            locked_until: None,
        });
        if failures.locked_until.is_some_and(|u| u <= now) {
            failures.locked_until = None;
            failures.count = 0;
        }
        if now.duration_since(failures.since) >= self.window {
            failures.count = 0;
        }
        if failures.count == 0 {
            failures.since = now;
        }
        failures.count += 1;
        failures.last = now;
        if failures.count >= self.max_failures {
            failures.locked_until = Some(now + self.lockout);
            failures.count = 0;
        }
    }

    /// Forgets the failures of `key` (a successful log-in); a lockout in
    /// force stays.
    pub fn record_success(&self, key: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.get(key).is_some_and(|f| f.locked_until.is_none()) {
            keys.remove(key);
        }
    }
}

/// The allowance of one key: a bucket of `n` tokens, refilled at `n` per
/// period.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Lets each key through at most `n` times per period (a token bucket: a
/// burst of `n`, then one every `period / n`).
#[derive(Debug)]
pub struct RateLimit {
    n: f64,
    per: Duration,
    capacity: usize,
    keys: Mutex<HashMap<String, Bucket>>,
}

impl RateLimit {
    /// At most `n` (at least 1) per `per`.
    pub fn new(n: u32, per: Duration) -> Self {
        Self {
            n: f64::from(n.max(1)),
            per,
            capacity: MAX_KEYS,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Tokens in a bucket at `now`.
    fn level(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.duration_since(bucket.at).as_secs_f64();
        let per = self.per.as_secs_f64();
        if per <= 0.0 {
            return self.n;
        }
        (bucket.tokens + elapsed * self.n / per).min(self.n)
    }

    /// Lets `key` through, or says how long until it may go.
    pub fn allow(&self, key: &str) -> Result<(), Duration> {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if !keys.contains_key(key) {
            // A full bucket is as good as none.
            make_room(
                &mut keys,
                self.capacity,
                |b| self.level(b, now) >= self.n,
                |b| b.at,
            );
        }
        let bucket = keys.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.n,
            at: now,
        });
        let tokens = self.level(bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            let wait = (1.0 - tokens) * self.per.as_secs_f64() / self.n;
            Err(Duration::from_secs_f64(wait).max(Duration::from_millis(1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn five_failures_lock_a_key_out_for_fifteen_minutes() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for i in 0..4 {
            throttle.record_failure_at("a@b.fr", t0 + i * MIN);
            assert!(throttle.check_at("a@b.fr", t0 + i * MIN).is_ok());
        }
        throttle.record_failure_at("a@b.fr", t0 + 4 * MIN);
        assert_eq!(throttle.check_at("a@b.fr", t0 + 4 * MIN), Err(15 * MIN));
        assert_eq!(throttle.check_at("a@b.fr", t0 + 10 * MIN), Err(9 * MIN));
        assert!(throttle.check_at("autre@b.fr", t0 + 10 * MIN).is_ok());
        assert!(throttle.check_at("a@b.fr", t0 + 19 * MIN).is_ok());
        // After the lockout, it counts from zero again.
        throttle.record_failure_at("a@b.fr", t0 + 20 * MIN);
        assert!(throttle.check_at("a@b.fr", t0 + 20 * MIN).is_ok());
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for i in 0..10 {
            throttle.record_failure_at("k", t0 + i * 4 * MIN);
            assert!(throttle.check_at("k", t0 + i * 4 * MIN).is_ok(), "{i}");
        }
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let throttle = Throttle::default();
        for _ in 0..4 {
            throttle.record_failure("k");
        }
        throttle.record_success("k");
        for _ in 0..4 {
            throttle.record_failure("k");
        }
        assert!(throttle.check("k").is_ok());
        throttle.record_failure("k");
        assert!(throttle.check("k").is_err());
        throttle.record_success("k");
        assert!(throttle.check("k").is_err(), "a lockout outlives a success");
    }

    #[test]
    fn a_rate_limit_lets_n_through_per_period() {
        let limit = RateLimit::new(3, 60 * MIN);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limit.allow_at("1.2.3.4", t0).is_ok());
        }
        assert_eq!(limit.allow_at("1.2.3.4", t0), Err(20 * MIN));
        assert!(limit.allow_at("5.6.7.8", t0).is_ok());
        assert!(limit.allow_at("1.2.3.4", t0 + 19 * MIN).is_err());
        assert!(limit.allow_at("1.2.3.4", t0 + 20 * MIN).is_ok());
        assert!(limit.allow_at("1.2.3.4", t0 + 20 * MIN).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let throttle = Throttle {
            capacity: 100,
            ..Throttle::default()
        };
        let limit = RateLimit {
            capacity: 100,
            ..RateLimit::new(1, MIN)
        };
        let t0 = Instant::now();
        for i in 0..1000 {
            let at = t0 + Duration::from_millis(i);
            throttle.record_failure_at(&i.to_string(), at);
            let _ = limit.allow_at(&i.to_string(), at);
        }
        assert!(throttle.keys.lock().expect("lock").len() <= 100);
        assert!(limit.keys.lock().expect("lock").len() <= 100);
        // The most recent keys are kept.
        for _ in 0..4 {
            throttle.record_failure_at("999", t0 + Duration::from_secs(1));
        }
        assert!(
            throttle
                .check_at("999", t0 + Duration::from_secs(1))
                .is_err()
        );
        assert!(limit.allow_at("999", t0 + Duration::from_secs(1)).is_err());
    }
}
