//! Meta webhooks: the `X-Hub-Signature-256` check over the raw bytes, the
//! subscription challenge, and turning a notification into typed events.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::webhook::{
    e164, fingerprint, AccountUpdate, DeliveryStatus, InboundContent, InboundMedia, InboundMessage,
    OtherEvent, ParseError, ProviderIssue, ReplyContext, Route, StatusUpdate, TemplateStatusUpdate,
    WebhookEvent,
};

/// Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
/// Must run on the exact bytes received, before any parsing. An empty secret
/// never verifies: a channel without one must not accept anything.
pub fn verify_signature(app_secret: &[u8], raw_body: &[u8], header: Option<&str>) -> bool {
    let Some(header) = header else {
        return false;
    };
    let Some(hex) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    if app_secret.is_empty() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(raw_body);
    // verify_slice compares in constant time.
    mac.verify_slice(&expected).is_ok()
}

/// The value for `X-Hub-Signature-256` (the sandbox and tests sign with it).
pub fn sign(app_secret: &[u8], raw_body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(raw_body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// Answers Meta's `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`:
/// the challenge to echo (200) when the mode and token match, else `None` (403).
pub fn verify_challenge(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_verify_token: &str,
) -> Option<String> {
    let (Some(mode), Some(token), Some(challenge)) = (mode, token, challenge) else {
        return None;
    };
    if mode != "subscribe" || expected_verify_token.is_empty() {
        return None;
    }
    let matches: bool = token
        .as_bytes()
        .ct_eq(expected_verify_token.as_bytes())
        .into();
    matches.then(|| challenge.to_owned())
}

/// Turns a notification body into events, in the order Meta listed them.
pub fn parse_notification(raw_body: &[u8]) -> Result<Vec<WebhookEvent>, ParseError> {
    let body: Value =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let object = body
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::Missing("object".into()))?;
    if object != "whatsapp_business_account" {
        return Err(ParseError::NotWhatsApp(format!("object is {object:?}")));
    }
    let entries = body
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::Missing("entry".into()))?;
    let mut events = Vec::new();
    for entry in entries {
        let waba_id =
            id_text(entry.get("id")).ok_or_else(|| ParseError::Missing("entry.id".into()))?;
        let time = entry.get("time").and_then(as_i64);
        let changes = entry
            .get("changes")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::Missing("entry.changes".into()))?;
        for change in changes {
            let field =
                text(change, "field").ok_or_else(|| ParseError::Missing("changes.field".into()))?;
            let value = change
                .get("value")
                .filter(|v| v.is_object())
                .ok_or_else(|| ParseError::Missing("changes.value".into()))?;
            parse_change(&waba_id, time, &field, value, &mut events)?;
        }
    }
    Ok(events)
}

fn parse_change(
    waba_id: &str,
    time: Option<i64>,
    field: &str,
    value: &Value,
    events: &mut Vec<WebhookEvent>,
) -> Result<(), ParseError> {
    let when = |value: &Value| match time {
        Some(t) => t.to_string(),
        None => fingerprint(value),
    };
    match field {
        "messages" => {
            let route = Route::Meta {
                waba_id: waba_id.to_owned(),
                phone_number_id: value
                    .pointer("/metadata/phone_number_id")
                    .and_then(|v| id_text(Some(v))),
                display_phone_number: value
                    .pointer("/metadata/display_phone_number")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            let contacts = value.get("contacts").and_then(Value::as_array);
            for message in value
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                events.push(WebhookEvent::Message(parse_message(
                    message, contacts, &route,
                )?));
            }
            for status in value
                .get("statuses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                events.push(WebhookEvent::Status(parse_status(status, &route)?));
            }
        }
        "message_template_status_update" => {
            let template_id = id_text(value.get("message_template_id"))
                .ok_or_else(|| ParseError::Missing("message_template_id".into()))?;
            let event = text(value, "event").ok_or_else(|| ParseError::Missing("event".into()))?;
            events.push(WebhookEvent::TemplateStatus(TemplateStatusUpdate {
                key: format!("template:{template_id}:{event}:{}", when(value)),
                route: meta_route(waba_id),
                template_id,
                name: text(value, "message_template_name"),
                language: text(value, "message_template_language"),
                event,
                reason: text(value, "reason").filter(|r| r != "NONE"),
                time,
                raw: value.clone(),
            }));
        }
        "phone_number_quality_update" | "account_update" => {
            events.push(WebhookEvent::AccountUpdate(AccountUpdate {
                key: format!("{field}:{waba_id}:{}", when(value)),
                route: meta_route(waba_id),
                field: field.to_owned(),
                event: text(value, "event"),
                display_phone_number: text(value, "display_phone_number"),
                current_limit: text(value, "current_limit"),
                time,
                raw: value.clone(),
            }));
        }
        _ => events.push(WebhookEvent::Other(OtherEvent {
            key: format!("other:{field}:{waba_id}:{}", when(value)),
            route: meta_route(waba_id),
            field: field.to_owned(),
            raw: value.clone(),
        })),
    }
    Ok(())
}

fn meta_route(waba_id: &str) -> Route {
    Route::Meta {
        waba_id: waba_id.to_owned(),
        phone_number_id: None,
        display_phone_number: None,
    }
}

fn parse_message(
    message: &Value,
    contacts: Option<&Vec<Value>>,
    route: &Route,
) -> Result<InboundMessage, ParseError> {
    let id = text(message, "id").ok_or_else(|| ParseError::Missing("messages.id".into()))?;
    let from = text(message, "from").ok_or_else(|| ParseError::Missing("messages.from".into()))?;
    let kind = text(message, "type").unwrap_or_else(|| "unknown".to_owned());
    // The contact for this sender; Meta lists one per message batch.
    let contact = contacts.and_then(|list| {
        list.iter()
            .find(|c| c.get("wa_id").and_then(Value::as_str) == Some(from.as_str()))
            .or_else(|| list.first())
    });
    let context = message.get("context").and_then(|c| {
        Some(ReplyContext {
            message_id: text(c, "id")?,
            from: text(c, "from"),
        })
    });
    Ok(InboundMessage {
        key: format!("msg:{id}"),
        route: route.clone(),
        from: e164(&from),
        wa_id: contact
            .and_then(|c| text(c, "wa_id"))
            .or_else(|| Some(from.clone())),
        profile_name: contact
            .and_then(|c| c.pointer("/profile/name"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        timestamp: message.get("timestamp").and_then(as_i64),
        content: message_content(&kind, message),
        kind,
        context,
        id,
        raw: message.clone(),
    })
}

fn message_content(kind: &str, message: &Value) -> InboundContent {
    let part = message.get(kind).unwrap_or(&Value::Null);
    match kind {
        "text" => match text(part, "body") {
            Some(body) => InboundContent::Text { body },
            None => InboundContent::Other,
        },
        "image" | "audio" | "video" | "document" | "sticker" => InboundContent::Media {
            items: vec![InboundMedia {
                id: id_text(part.get("id")),
                url: None,
                mime_type: text(part, "mime_type"),
                sha256: text(part, "sha256"),
                filename: text(part, "filename"),
                voice: part.get("voice").and_then(Value::as_bool).unwrap_or(false),
            }],
            caption: text(part, "caption"),
        },
        "location" => match (
            part.get("latitude").and_then(Value::as_f64),
            part.get("longitude").and_then(Value::as_f64),
        ) {
            (Some(latitude), Some(longitude)) => InboundContent::Location {
                latitude,
                longitude,
                name: text(part, "name"),
                address: text(part, "address"),
            },
            _ => InboundContent::Other,
        },
        "button" => InboundContent::Button {
            payload: text(part, "payload"),
            text: text(part, "text"),
        },
        "interactive" => {
            let reply_kind = text(part, "type").unwrap_or_default();
            let reply = part.get(&reply_kind).unwrap_or(&Value::Null);
            match (reply_kind.as_str(), text(reply, "id"), text(reply, "title")) {
                ("button_reply", Some(id), Some(title)) => {
                    InboundContent::ButtonReply { id, title }
                }
                ("list_reply", Some(id), Some(title)) => InboundContent::ListReply {
                    id,
                    title,
                    description: text(reply, "description"),
                },
                _ => InboundContent::Other,
            }
        }
        "reaction" => match text(part, "message_id") {
            Some(message_id) => InboundContent::Reaction {
                message_id,
                emoji: text(part, "emoji").unwrap_or_default(),
            },
            None => InboundContent::Other,
        },
        "unsupported" | "unknown" => InboundContent::Unsupported {
            errors: issues(message.get("errors")),
        },
        _ => InboundContent::Other,
    }
}

fn parse_status(status: &Value, route: &Route) -> Result<StatusUpdate, ParseError> {
    let id = text(status, "id").ok_or_else(|| ParseError::Missing("statuses.id".into()))?;
    let raw_status =
        text(status, "status").ok_or_else(|| ParseError::Missing("statuses.status".into()))?;
    Ok(StatusUpdate {
        key: format!("status:{id}:{raw_status}"),
        route: route.clone(),
        status: DeliveryStatus::from_provider(&raw_status),
        timestamp: status.get("timestamp").and_then(as_i64),
        recipient: text(status, "recipient_id"),
        callback_data: text(status, "biz_opaque_callback_data"),
        errors: issues(status.get("errors")),
        conversation_id: status
            .pointer("/conversation/id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        pricing_category: status
            .pointer("/pricing/category")
            .and_then(Value::as_str)
            .map(str::to_owned),
        billable: status.pointer("/pricing/billable").and_then(Value::as_bool),
        raw: status.clone(),
        message_id: id,
        raw_status,
    })
}

fn issues(errors: Option<&Value>) -> Vec<ProviderIssue> {
    errors
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| ProviderIssue {
            code: id_text(e.get("code")).unwrap_or_default(),
            title: text(e, "title")
                .or_else(|| text(e, "message"))
                .unwrap_or_default(),
            details: e
                .pointer("/error_data/details")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
        .collect()
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Ids and codes arrive as strings or numbers depending on the field.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Timestamps arrive as strings of seconds (messages) or numbers (entry time).
fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_and_verifying_agree() {
        let header = sign(b"secret", b"{}");
        assert!(verify_signature(b"secret", b"{}", Some(&header)));
        assert!(!verify_signature(b"", b"{}", Some(&sign(b"", b"{}"))));
        assert!(!verify_signature(b"secret", b"{}", Some("sha256=zz")));
        assert!(!verify_signature(b"secret", b"{}", Some("sha1=abc")));
    }

    #[test]
    fn challenge_needs_mode_and_token() {
        assert_eq!(
            verify_challenge(Some("subscribe"), Some("tok"), Some("42"), "tok").as_deref(),
            Some("42")
        );
        assert_eq!(
            verify_challenge(Some("subscribe"), Some("bad"), Some("42"), "tok"),
            None
        );
        assert_eq!(
            verify_challenge(Some("unsubscribe"), Some("tok"), Some("42"), "tok"),
            None
        );
        assert_eq!(
            verify_challenge(Some("subscribe"), Some(""), Some("42"), ""),
            None
        );
        assert_eq!(verify_challenge(None, Some("tok"), Some("42"), "tok"), None);
    }
}
