//! Webhook events in product terms, shared by both providers. Every event
//! carries a dedupe key (providers deliver at least once, so the ingest table
//! is keyed on it) and the route telling which channel it belongs to.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A webhook body that cannot be turned into events. Never a panic: bodies
/// come from the network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("webhook body is not valid JSON: {0}")]
    NotJson(String),
    #[error("webhook body is not a WhatsApp notification: {0}")]
    NotWhatsApp(String),
    #[error("webhook body lacks {0}")]
    Missing(String),
}

/// Which account and sender an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum Route {
    Meta {
        /// The entry id: the WhatsApp Business Account.
        waba_id: String,
        /// Set for message and status events (`value.metadata`).
        phone_number_id: Option<String>,
        display_phone_number: Option<String>,
    },
    Twilio {
        account_sid: String,
        /// Our side of the conversation, `whatsapp:+E164`
        /// (`To` of an inbound message, `From` of a status callback).
        sender: String,
    },
}

impl Route {
    pub fn phone_number_id(&self) -> Option<&str> {
        match self {
            Route::Meta {
                phone_number_id, ..
            } => phone_number_id.as_deref(),
            Route::Twilio { .. } => None,
        }
    }
}

/// One thing a provider told us.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "webhook_event", rename_all = "snake_case")]
pub enum WebhookEvent {
    Message(InboundMessage),
    Status(StatusUpdate),
    TemplateStatus(TemplateStatusUpdate),
    /// Phone number quality, messaging limit and account changes.
    AccountUpdate(AccountUpdate),
    /// A field we do not model yet, kept whole.
    Other(OtherEvent),
}

impl WebhookEvent {
    /// The key the ingest table dedupes on.
    pub fn dedupe_key(&self) -> &str {
        match self {
            WebhookEvent::Message(e) => &e.key,
            WebhookEvent::Status(e) => &e.key,
            WebhookEvent::TemplateStatus(e) => &e.key,
            WebhookEvent::AccountUpdate(e) => &e.key,
            WebhookEvent::Other(e) => &e.key,
        }
    }

    /// The customer the event is about: the sender of a message, the
    /// recipient of a status report. Events about no customer answer `None`.
    pub fn customer(&self) -> Option<&str> {
        match self {
            WebhookEvent::Message(e) => Some(&e.from),
            WebhookEvent::Status(e) => e.recipient.as_deref(),
            WebhookEvent::TemplateStatus(_)
            | WebhookEvent::AccountUpdate(_)
            | WebhookEvent::Other(_) => None,
        }
    }

    pub fn route(&self) -> &Route {
        match self {
            WebhookEvent::Message(e) => &e.route,
            WebhookEvent::Status(e) => &e.route,
            WebhookEvent::TemplateStatus(e) => &e.route,
            WebhookEvent::AccountUpdate(e) => &e.route,
            WebhookEvent::Other(e) => &e.route,
        }
    }
}

/// A customer's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// `msg:{id}`.
    pub key: String,
    pub route: Route,
    /// Meta `wamid...`, Twilio `SM...`/`MM...`.
    pub id: String,
    /// The customer, E.164 with `+`.
    pub from: String,
    /// The customer's WhatsApp id (digits).
    pub wa_id: Option<String>,
    pub profile_name: Option<String>,
    /// Unix seconds (Meta only; Twilio does not send one).
    pub timestamp: Option<i64>,
    /// The provider's message type (`text`, `image`, `interactive`, ...).
    pub kind: String,
    pub content: InboundContent,
    /// The message this one replies to.
    pub context: Option<ReplyContext>,
    /// The message exactly as received (Meta: the `messages[]` item; Twilio:
    /// the form fields as an object), for types the summary does not cover.
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyContext {
    pub message_id: String,
    pub from: Option<String>,
}

/// A typed summary of what the customer sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundContent {
    Text {
        body: String,
    },
    /// Meta sends one media item per message, Twilio up to ten.
    Media {
        items: Vec<InboundMedia>,
        caption: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// A template's quick-reply button.
    Button {
        payload: Option<String>,
        text: Option<String>,
    },
    /// An interactive reply button.
    ButtonReply {
        id: String,
        title: String,
    },
    /// An interactive list row.
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    Reaction {
        message_id: String,
        /// Empty when the customer removed the reaction.
        emoji: String,
    },
    /// WhatsApp could not show us the message (e.g. a type the API lacks).
    Unsupported {
        errors: Vec<ProviderIssue>,
    },
    /// Contacts, orders, ...: read `raw`.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMedia {
    /// Meta media id (download through the Graph API).
    pub id: Option<String>,
    /// Twilio media URL (download with basic auth).
    pub url: Option<String>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub filename: Option<String>,
    /// Voice note rather than an audio file.
    pub voice: bool,
}

/// A provider's code and title for something that went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderIssue {
    pub code: String,
    pub title: String,
    pub details: Option<String>,
}

/// Where a sent message got to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// `status:{id}:{status}`.
    pub key: String,
    pub route: Route,
    /// The id the provider answered to our send.
    pub message_id: String,
    pub status: DeliveryStatus,
    /// The provider's word, as sent.
    pub raw_status: String,
    pub timestamp: Option<i64>,
    /// The customer (Meta `recipient_id` digits; Twilio `To` address).
    pub recipient: Option<String>,
    /// Our outbound-message id as given at send time (Meta only; Twilio's is
    /// in the callback URL).
    pub callback_data: Option<String>,
    pub errors: Vec<ProviderIssue>,
    pub conversation_id: Option<String>,
    pub pricing_category: Option<String>,
    pub billable: Option<bool>,
    pub raw: serde_json::Value,
}

/// Delivery progress in one vocabulary for both providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted, not yet on WhatsApp's servers (Twilio `queued`, `sending`, ...).
    Queued,
    Sent,
    Delivered,
    Read,
    /// Meta `failed`, Twilio `failed`/`undelivered`.
    Failed,
    /// A word we do not know yet (kept in `raw_status`).
    Other,
}

impl DeliveryStatus {
    pub fn from_provider(status: &str) -> Self {
        match status.to_ascii_lowercase().as_str() {
            "accepted" | "queued" | "scheduled" | "sending" => DeliveryStatus::Queued,
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "read" => DeliveryStatus::Read,
            "failed" | "undelivered" | "canceled" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Other,
        }
    }
}

/// Meta's review decision or a later change to a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    /// `template:{template_id}:{event}:{time}`.
    pub key: String,
    pub route: Route,
    pub template_id: String,
    pub name: Option<String>,
    pub language: Option<String>,
    /// `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`, ...
    pub event: String,
    pub reason: Option<String>,
    pub time: Option<i64>,
    pub raw: serde_json::Value,
}

/// A change to the number or the account (quality rating, messaging limit,
/// bans, review outcomes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `{field}:{entry id}:{time}`.
    pub key: String,
    pub route: Route,
    /// `phone_number_quality_update` or `account_update`.
    pub field: String,
    /// e.g. `FLAGGED`, `DOWNGRADE`, `ACCOUNT_RESTRICTION`.
    pub event: Option<String>,
    pub display_phone_number: Option<String>,
    /// e.g. `TIER_1K`.
    pub current_limit: Option<String>,
    pub time: Option<i64>,
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherEvent {
    /// `other:{field}:{entry id}:{time}`.
    pub key: String,
    pub route: Route,
    pub field: String,
    pub raw: serde_json::Value,
}

/// A stable short fingerprint, for keys when the provider gave no time.
pub(crate) fn fingerprint(value: &serde_json::Value) -> String {
    let digest = Sha256::digest(value.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A customer's number as E.164 with `+`, from Meta digits or a Twilio address.
pub(crate) fn e164(address: &str) -> String {
    let bare = address.strip_prefix("whatsapp:").unwrap_or(address).trim();
    if bare.starts_with('+') {
        bare.to_owned()
    } else {
        format!("+{bare}")
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;

    #[test]
    fn stored_events_read_back_as_they_were() {
        // The ingest table keeps events as JSON; the worker reads them back.
        let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":5,"changes":[{"field":"phone_number_quality_update","value":{"display_phone_number":"1","event":"FLAGGED","current_limit":"TIER_1K"}}]}]}"#;
        let events = crate::meta::parse_notification(body).unwrap_or_default();
        assert_eq!(events.len(), 1);
        for event in events {
            let text = serde_json::to_string(&event).unwrap_or_default();
            let back: Result<WebhookEvent, _> = serde_json::from_str(&text);
            assert_eq!(back.ok(), Some(event));
        }
    }
}
