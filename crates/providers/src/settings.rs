//! Provider configuration and the one HTTP client every adapter shares.
//! Base URLs are configuration so tests and the built-in sandbox can point
//! the adapters at a local server.

use std::sync::Arc;
use std::time::Duration;

use crate::meta::{MetaCloud, MetaCredentials};
use crate::outbound::OutboundPolicy;
use crate::retry::RetryPolicy;
use crate::twilio::{Twilio, TwilioCredentials};
use crate::ProviderError;

/// Where the providers live and how patiently we talk to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// Graph API origin, without the version.
    pub meta_base_url: String,
    /// Graph API version; versions expire about two years after release.
    pub graph_version: String,
    /// Twilio REST API origin (`/2010-04-01/...` is appended).
    pub twilio_base_url: String,
    /// Twilio Content API origin (`/v1/Content` is appended).
    pub twilio_content_base_url: String,
    /// Whole-request timeout. A send that times out has an unknown outcome.
    pub timeout: Duration,
    /// Retries after the first attempt, for retryable failures only.
    /// A rate-aware dispatcher that counts its own sends sets 0 so that no
    /// request leaves behind its rate limiter's back.
    pub max_retries: u32,
    /// First backoff delay; it doubles on each further retry.
    pub retry_base_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the error goes back
    /// to the caller, which re-queues the work instead of holding a task.
    pub max_retry_after: Duration,
    /// Let user-influenced fetches (customers' media) reach internal
    /// addresses; off except on a single-host lab set-up.
    pub allow_private_addresses: bool,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            meta_base_url: "https://graph.facebook.com".to_owned(),
            graph_version: "v25.0".to_owned(),
            twilio_base_url: "https://api.twilio.com".to_owned(),
            twilio_content_base_url: "https://content.twilio.com".to_owned(),
            timeout: Duration::from_secs(15),
            max_retries: 2,
            retry_base_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(30),
            allow_private_addresses: false,
        }
    }
}

impl ProviderSettings {
    /// The retry policy these settings describe.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            base_delay: self.retry_base_delay,
            max_retry_after: self.max_retry_after,
        }
    }

    /// The policy for URLs a provider or customer chose: the configured
    /// provider hosts are trusted (the operator picked them), nothing else
    /// internal is reached unless allowed.
    pub fn outbound_policy(&self) -> OutboundPolicy {
        let trusted_hosts = [
            &self.meta_base_url,
            &self.twilio_base_url,
            &self.twilio_content_base_url,
        ]
        .into_iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .filter_map(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
        .collect();
        OutboundPolicy {
            allow_private: self.allow_private_addresses,
            trusted_hosts,
        }
    }

    /// Builds the shared HTTP client. The connect timeout is set on its own
    /// so that a connection that never opened is reported as "not sent"
    /// (retryable) rather than as a timeout with an unknown outcome.
    pub fn http_client(&self) -> Result<reqwest::Client, ProviderError> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Permanent {
                code: "http_client".to_owned(),
                message: e.to_string(),
            })
    }
}

/// The settings plus the shared HTTP client: hands out one adapter per channel.
/// Cloning is cheap (the client is reference-counted).
#[derive(Debug, Clone)]
pub struct ProviderClient {
    settings: Arc<ProviderSettings>,
    http: reqwest::Client,
    /// For provider-answered and customer-sent URLs (the outbound policy).
    outbound: reqwest::Client,
}

impl ProviderClient {
    pub fn new(settings: ProviderSettings) -> Result<Self, ProviderError> {
        let http = settings.http_client()?;
        Self::with_http(settings, http)
    }

    /// Uses an HTTP client built elsewhere for the provider's API (it
    /// should carry a timeout); media fetches get the outbound policy's own.
    pub fn with_http(
        settings: ProviderSettings,
        http: reqwest::Client,
    ) -> Result<Self, ProviderError> {
        let outbound = settings.outbound_policy().client(settings.timeout)?;
        Ok(Self {
            settings: Arc::new(settings),
            http,
            outbound,
        })
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }

    /// A Meta Cloud API adapter for one channel.
    pub fn meta(&self, credentials: MetaCredentials) -> MetaCloud {
        MetaCloud::new(
            self.settings.clone(),
            self.http.clone(),
            self.outbound.clone(),
            credentials,
        )
    }

    /// A Twilio adapter for one channel.
    pub fn twilio(&self, credentials: TwilioCredentials) -> Twilio {
        Twilio::new(
            self.settings.clone(),
            self.http.clone(),
            self.outbound.clone(),
            credentials,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_ones() {
        let settings = ProviderSettings::default();
        assert_eq!(settings.meta_base_url, "https://graph.facebook.com");
        assert_eq!(settings.graph_version, "v25.0");
        assert_eq!(settings.twilio_base_url, "https://api.twilio.com");
        assert_eq!(settings.timeout, Duration::from_secs(15));
        assert_eq!(settings.max_retries, 2);
        assert!(ProviderClient::new(settings).is_ok());
    }
}
