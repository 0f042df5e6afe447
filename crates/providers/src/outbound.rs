//! One policy for every fetch of a URL that someone other than the operator
//! chose or influenced (customers' media locations today; outbound webhooks
//! and AI endpoints later): no loopback, private, link-local, shared or
//! metadata addresses unless the operator allows them, checked on the
//! literal address, again after DNS, and again on every redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::ProviderError;

/// The most redirects one fetch follows.
const MAX_REDIRECTS: usize = 5;

/// Which addresses a user-influenced fetch may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Allow internal addresses (loopback, private ranges...): for a
    /// single-host lab set-up, never for a shared instance.
    pub allow_private: bool,
    /// Host names the operator configured (provider base URLs): reached
    /// wherever they resolve, since the operator chose them.
    pub trusted_hosts: Vec<String>,
}

/// Whether an address is one a public fetch must never reach: loopback,
/// unspecified, private, carrier-grade NAT, link-local (cloud metadata at
/// 169.254.169.254), benchmarking, documentation, multicast, reserved, and
/// the IPv6 forms of all of these (mapped and NAT64 included).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_v4(v4);
            }
            let s = v6.segments();
            // 64:ff9b::/96 embeds an IPv4 address for NAT64.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_internal_v4(Ipv4Addr::new(a, b, c, d));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
        }
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

impl OutboundPolicy {
    fn trusts(&self, host: &str) -> bool {
        self.trusted_hosts
            .iter()
            .any(|t| t.eq_ignore_ascii_case(host))
    }

    /// Refuses a URL that is not HTTP(S), or whose host is an internal
    /// address literal. Names are checked again after DNS by the client's
    /// resolver.
    pub fn check_url(&self, url: &url::Url) -> Result<(), ProviderError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused(format!(
                "the scheme {} is not fetched",
                url.scheme()
            )));
        }
        let ip = match url.host() {
            None => return Err(refused("the address has no host".to_owned())),
            Some(url::Host::Domain(name)) if self.trusts(name) => return Ok(()),
            Some(url::Host::Domain(_)) => return Ok(()),
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        };
        if self.allow_private || !is_internal(ip) || self.trusts(&ip.to_string()) {
            Ok(())
        } else {
            Err(refused(format!("{ip} is an internal address")))
        }
    }

    /// An HTTP client that keeps to this policy on every connection and
    /// every redirect.
    pub fn client(&self, timeout: Duration) -> Result<reqwest::Client, ProviderError> {
        let policy = Arc::new(self.clone());
        let for_redirects = policy.clone();
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            // A proxy from the environment would resolve names itself,
            // past the resolver below.
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver { policy }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else if let Err(e) = for_redirects.check_url(attempt.url()) {
                    attempt.error(e.to_string())
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| ProviderError::Permanent {
                code: "http_client".to_owned(),
                message: e.to_string(),
            })
    }
}

fn refused(message: String) -> ProviderError {
    ProviderError::Permanent {
        code: "address_refused".to_owned(),
        message,
    }
}

/// Resolves names and drops internal addresses, unless the name is trusted
/// or the policy allows them; a name left with none fails to connect.
struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let keep_all = policy.allow_private || policy.trusts(&host);
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| keep_all || !is_internal(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves only to internal addresses; refused").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised_in_every_spelling() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(is_internal(ip), "{internal}");
        }
        for public in ["157.240.1.1", "8.8.8.8", "2a03:2880:f12f::1"] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(!is_internal(ip), "{public}");
        }
    }

    #[test]
    fn literal_internal_addresses_are_refused_unless_allowed_or_trusted() {
        let strict = OutboundPolicy::default();
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(strict
            .check_url(&url("http://169.254.169.254/latest/meta-data"))
            .is_err());
        assert!(strict
            .check_url(&url("http://[::ffff:7f00:1]:8080/"))
            .is_err());
        assert!(strict.check_url(&url("file:///etc/passwd")).is_err());
        assert!(strict
            .check_url(&url("https://lookaside.fbsbx.com/x"))
            .is_ok());
        let lab = OutboundPolicy {
            allow_private: true,
            ..OutboundPolicy::default()
        };
        assert!(lab.check_url(&url("http://10.0.0.5/")).is_ok());
        let trusted = OutboundPolicy {
            trusted_hosts: vec!["127.0.0.1".into()],
            ..OutboundPolicy::default()
        };
        assert!(trusted
            .check_url(&url("http://127.0.0.1:9000/graph"))
            .is_ok());
        assert!(trusted.check_url(&url("http://127.0.0.2/")).is_err());
    }

    #[tokio::test]
    async fn names_that_resolve_inside_are_refused_after_dns() {
        let client = OutboundPolicy::default()
            .client(Duration::from_secs(5))
            .unwrap();
        let err = client
            .get("http://localhost:9/")
            .send()
            .await
            .expect_err("localhost is internal");
        let chain = format!("{err:?}");
        assert!(chain.contains("internal addresses"), "{chain}");
    }
}
