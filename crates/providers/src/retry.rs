//! Retrying provider calls: only failures that may succeed later are tried
//! again, with exponential backoff or the provider's own `Retry-After`;
//! final refusals and unknown outcomes go straight back to the caller.

use std::future::Future;
use std::time::Duration;

use crate::ProviderError;

/// How many times, and how patiently, to try a call again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Longest `Retry-After` worth waiting for in-process.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// No retries at all.
    pub const NEVER: RetryPolicy = RetryPolicy {
        max_retries: 0,
        base_delay: Duration::ZERO,
        max_retry_after: Duration::ZERO,
    };

    /// The wait before retry number `retry` (0 for the first retry), or `None`
    /// when the provider asks for a longer pause than we hold a task for.
    pub fn delay_for(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(
                self.base_delay
                    .saturating_mul(2u32.saturating_pow(retry.min(16))),
            ),
        }
    }
}

/// One failed attempt: the error plus the provider's `Retry-After`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: ProviderError,
    pub retry_after: Option<Duration>,
}

impl From<ProviderError> for Failure {
    fn from(error: ProviderError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries run out.
pub async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    mut attempt: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut retry = 0;
    loop {
        let failure = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if !failure.error.is_retryable() || retry >= policy.max_retries {
            return Err(failure.error);
        }
        let Some(delay) = policy.delay_for(retry, failure.retry_after) else {
            return Err(failure.error);
        };
        tracing::debug!(
            error = %failure.error,
            retry = retry + 1,
            delay_ms = delay.as_millis() as u64,
            "retrying provider call"
        );
        tokio::time::sleep(delay).await;
        retry += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(30),
    };

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        assert_eq!(POLICY.delay_for(0, None), Some(Duration::from_millis(200)));
        assert_eq!(POLICY.delay_for(1, None), Some(Duration::from_millis(400)));
        assert_eq!(POLICY.delay_for(2, None), Some(Duration::from_millis(800)));
        assert_eq!(
            POLICY.delay_for(0, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(POLICY.delay_for(0, Some(Duration::from_secs(120))), None);
        assert!(POLICY.delay_for(u32::MAX, None).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_are_returned_at_once() {
        let mut calls = 0;
        let result: Result<(), _> = with_retries(&POLICY, || {
            calls += 1;
            async { Err(ProviderError::from_meta(400, 132000, "params").into()) }
        })
        .await;
        assert_eq!(calls, 1);
        assert!(matches!(result, Err(ProviderError::Permanent { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn retryable_errors_are_retried_until_the_budget_runs_out() {
        let started = tokio::time::Instant::now();
        let mut calls = 0;
        let result: Result<(), _> = with_retries(&POLICY, || {
            calls += 1;
            async { Err(ProviderError::from_meta(503, 1, "down").into()) }
        })
        .await;
        assert_eq!(calls, 4);
        assert!(matches!(result, Err(ProviderError::Retryable { .. })));
        assert_eq!(started.elapsed(), Duration::from_millis(200 + 400 + 800));
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_success_wins() {
        let mut calls = 0;
        let result = with_retries(&POLICY, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 2 {
                    Err(Failure {
                        error: ProviderError::from_meta(429, 130429, "slow down"),
                        retry_after: Some(Duration::from_secs(2)),
                    })
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result, Ok(2));
    }
}
