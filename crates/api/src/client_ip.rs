//! The client's address. Behind a reverse proxy every request comes from the
//! proxy, so the address must come from `X-Forwarded-For`, but only when the
//! request really came through a proxy we trust: anybody can send the header.
//! With the peer in `trusted_proxies`, the right-most address of the header
//! that is not itself a trusted proxy is the client (every hop appends the
//! address it saw, so entries left of it may be forged); otherwise the peer
//! is the client and the header is ignored.

use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// Addresses and networks of the reverse proxies in front of the server.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.1`, `::1`) and networks (`10.0.0.0/8`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|e| e.as_ref().trim())
            .filter(|e| !e.is_empty())
            .map(|e| {
                IpNet::from_str(e)
                    .or_else(|_| IpAddr::from_str(e).map(IpNet::from))
                    .map_err(|_| {
                        format!("`{e}` is neither an IP address nor a network in CIDR form")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for `peer` that sent `forwarded_for` (the
    /// `X-Forwarded-For` values in order).
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Garbage: the nearest hop we could read is the best we know.
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }

    /// The client's address of `req`.
    pub fn client_ip(&self, req: &HttpRequest) -> IpAddr {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        self.client(peer, forwarded)
    }
}

/// IPv4 addresses mapped into IPv6 (`::ffff:a.b.c.d`) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(canonical(ip));
    }
    if let Ok(addr) = std::net::SocketAddr::from_str(hop) {
        return Some(canonical(addr.ip()));
    }
    let inner = hop.strip_prefix('[')?.split(']').next()?;
    IpAddr::from_str(inner).ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peers_header_is_ignored() {
        let none = TrustedProxies::default();
        let peer = ip("203.0.113.9");
        assert_eq!(none.client(peer, ["198.51.100.7"].into_iter()), peer);
        let other = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(other.client(peer, ["198.51.100.7"].into_iter()), peer);
    }

    #[test]
    fn a_trusted_proxy_names_the_right_most_untrusted_address() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.1"]).unwrap();
        let peer = ip("10.1.2.3");
        // The client forged the first entry; the proxies appended the rest.
        let header = ["6.6.6.6, 198.51.100.7", "192.0.2.1"];
        assert_eq!(proxies.client(peer, header.into_iter()), ip("198.51.100.7"));
        assert_eq!(proxies.client(peer, [].into_iter()), peer);
        assert_eq!(
            proxies.client(peer, ["[2001:db8::1]:443"].into_iter()),
            ip("2001:db8::1")
        );
        assert_eq!(
            proxies.client(peer, ["198.51.100.7, nonsense"].into_iter()),
            peer
        );
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), ["198.51.100.7"].into_iter()),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn entries_must_be_addresses_or_networks() {
        assert!(TrustedProxies::parse(&["127.0.0.1", "::1", "fd00::/8", " "]).is_ok());
        let err = TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(TrustedProxies::parse(&["proxy.internal"]).is_err());
    }
}
