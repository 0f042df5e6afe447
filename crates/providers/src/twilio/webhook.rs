//! Twilio webhooks: the `X-Twilio-Signature` check (HMAC-SHA1 over the public
//! URL and the sorted form fields) and turning a form post into an event.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::webhook::{
    e164, DeliveryStatus, InboundContent, InboundMedia, InboundMessage, ParseError, ProviderIssue,
    ReplyContext, Route, StatusUpdate, WebhookEvent,
};

/// Twilio's signature: base64(HMAC-SHA1(auth token, URL + each field's name
/// and value, sorted by name)). Like Twilio's own libraries, identical
/// name/value pairs count once and repeated names are sorted by value.
pub fn signature(auth_token: &str, full_url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        // HMAC takes keys of any length; this branch cannot be reached.
        return String::new();
    };
    mac.update(full_url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// Checks `X-Twilio-Signature` in constant time. `full_url` is the public URL
/// Twilio called, query included. As Twilio's libraries do, the URL is also
/// tried with and without the scheme's default port, since proxies differ in
/// whether Twilio's signed URL carried one.
pub fn verify_signature(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return false;
    };
    if auth_token.is_empty() {
        return false;
    }
    let mut candidates = vec![full_url.to_owned()];
    candidates.extend(without_port(full_url));
    candidates.extend(with_default_port(full_url));
    // Every candidate is checked (no early exit) to keep timing uniform.
    candidates.iter().fold(false, |found, url| {
        let expected = signature(auth_token, url, params);
        let same: bool = expected.as_bytes().ct_eq(header.as_bytes()).into();
        found | same
    })
}

/// Splits `scheme://[userinfo@]host[:port]rest` at the authority.
fn authority(url: &str) -> Option<(&str, &str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((&url[..scheme_end], &rest[..end], &rest[end..]))
}

/// The port part of an authority, if any (IPv6 literals keep their colons).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host = &authority[host_start..];
    match host.rfind(':') {
        Some(i)
            if !host[i..].contains(']') && host[i + 1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            (&authority[..host_start + i], Some(&host[i + 1..]))
        }
        _ => (authority, None),
    }
}

fn without_port(url: &str) -> Option<String> {
    let (scheme, authority, rest) = authority(url)?;
    let (host, port) = split_port(authority);
    port.map(|_| format!("{scheme}{host}{rest}"))
}

fn with_default_port(url: &str) -> Option<String> {
    let (scheme, authority, rest) = authority(url)?;
    let (_, port) = split_port(authority);
    if port.is_some() {
        return None;
    }
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https://" => 443,
        "http://" => 80,
        _ => return None,
    };
    Some(format!("{scheme}{authority}:{default}{rest}"))
}

/// Decodes a form-encoded body into its fields, in order, repeats kept.
pub fn form_params(raw_body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw_body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Turns a Twilio webhook form into an event: a status callback (it carries
/// `MessageStatus`) or an inbound message.
pub fn parse_form(params: &[(String, String)]) -> Result<WebhookEvent, ParseError> {
    let field = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let present = |name: &str| field(name).filter(|v| !v.is_empty());
    let raw = Value::Object(
        params
            .iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect::<Map<_, _>>(),
    );
    let sid = present("MessageSid")
        .or_else(|| present("SmsSid"))
        .ok_or_else(|| ParseError::Missing("MessageSid".into()))?;
    let account_sid =
        present("AccountSid").ok_or_else(|| ParseError::Missing("AccountSid".into()))?;

    if let Some(status) = present("MessageStatus") {
        let errors = present("ErrorCode")
            .filter(|code| code != "0")
            .map(|code| ProviderIssue {
                code,
                title: field("ErrorMessage").unwrap_or_default(),
                details: None,
            })
            .into_iter()
            .collect();
        return Ok(WebhookEvent::Status(StatusUpdate {
            key: format!("status:{sid}:{status}"),
            route: Route::Twilio {
                account_sid,
                sender: field("From").unwrap_or_default(),
            },
            message_id: sid,
            status: DeliveryStatus::from_provider(&status),
            raw_status: status,
            timestamp: None,
            recipient: present("To"),
            callback_data: None,
            errors,
            conversation_id: None,
            pricing_category: None,
            billable: None,
            raw,
        }));
    }

    let from = present("From").ok_or_else(|| ParseError::Missing("From".into()))?;
    let body = present("Body");
    let media_count: usize = field("NumMedia").and_then(|n| n.parse().ok()).unwrap_or(0);
    let content = if present("ButtonPayload").is_some() || present("ButtonText").is_some() {
        InboundContent::Button {
            payload: present("ButtonPayload"),
            text: present("ButtonText"),
        }
    } else if media_count > 0 {
        InboundContent::Media {
            // Twilio allows ten media per message; the cap bounds a forged count.
            items: (0..media_count.min(10))
                .filter_map(|i| {
                    Some(InboundMedia {
                        id: None,
                        url: Some(present(&format!("MediaUrl{i}"))?),
                        mime_type: present(&format!("MediaContentType{i}")),
                        sha256: None,
                        filename: None,
                        voice: false,
                    })
                })
                .collect(),
            caption: body,
        }
    } else if let (Some(latitude), Some(longitude)) = (
        present("Latitude").and_then(|v| v.parse().ok()),
        present("Longitude").and_then(|v| v.parse().ok()),
    ) {
        InboundContent::Location {
            latitude,
            longitude,
            name: present("Label"),
            address: present("Address"),
        }
    } else if let Some(body) = body {
        InboundContent::Text { body }
    } else {
        InboundContent::Other
    };
    let kind = present("MessageType").unwrap_or_else(|| {
        match content {
            InboundContent::Media { .. } => "media",
            InboundContent::Button { .. } => "button",
            InboundContent::Location { .. } => "location",
            _ => "text",
        }
        .to_owned()
    });
    Ok(WebhookEvent::Message(InboundMessage {
        key: format!("msg:{sid}"),
        route: Route::Twilio {
            account_sid,
            sender: field("To").unwrap_or_default(),
        },
        from: e164(&from),
        wa_id: present("WaId"),
        profile_name: present("ProfileName"),
        timestamp: None,
        kind,
        content,
        context: present("OriginalRepliedMessageSid").map(|message_id| ReplyContext {
            message_id,
            from: None,
        }),
        id: sid,
        raw,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_added_and_removed_like_twilio_does() {
        assert_eq!(
            without_port("https://example.com:443/hook?a=1").as_deref(),
            Some("https://example.com/hook?a=1")
        );
        assert_eq!(without_port("https://example.com/hook"), None);
        assert_eq!(
            with_default_port("https://user:pw@example.com/hook").as_deref(),
            Some("https://user:pw@example.com:443/hook")
        );
        assert_eq!(
            with_default_port("http://example.com?x=1").as_deref(),
            Some("http://example.com:80?x=1")
        );
        assert_eq!(with_default_port("http://[::1]:8080/x"), None);
        assert_eq!(
            without_port("http://[::1]:8080/x").as_deref(),
            Some("http://[::1]/x")
        );
    }
}
