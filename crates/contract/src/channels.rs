//! Channels: WhatsApp senders and their provider credentials.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Credentials being edited while the published ones keep serving.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelDraft {
    /// Field -> value; secrets masked.
    pub fields: BTreeMap<String, String>,
    /// `pending` until checked, then `good` or `invalid`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "name": "Support line",
    "provider": "meta_cloud",
    "active": true,
    "status": "good",
    "subscribed": true,
    "fields": {"company_name": "Acme Ltd", "phone_number_id": "106540352242922", "waba_id": "102290129340398",
               "app_id": "1234567890", "app_secret": "••••••••3f9a", "access_token": "••••••••ZDZD"},
    "missing": [],
    "api_token_set": true,
    "callback_url": "https://switchboard.example.com/webhooks/meta/0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "created_at": "2026-11-01T09:30:00Z"
})))]
pub struct Channel {
    pub id: Uuid,
    pub name: String,
    /// `meta_cloud`, `twilio` or `sandbox`.
    pub provider: String,
    pub active: bool,
    /// `pending` (incomplete or never checked), `good` or `invalid`.
    pub status: String,
    /// The provider's error code when `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<DateTime<Utc>>,
    /// Meta channels: whether the app receives the account's webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<String>,
    /// Published credentials; secrets masked.
    pub fields: BTreeMap<String, String>,
    /// Required fields still empty.
    pub missing: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<ChannelDraft>,
    pub api_token_set: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token_created_at: Option<DateTime<Utc>>,
    /// Where the provider must send webhooks.
    pub callback_url: String,
    pub created_at: DateTime<Utc>,
}

/// Fields to set: a secret sent back as its mask (or left out) keeps the
/// stored value; an empty string or null clears a field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CredentialsRequest {
    #[serde(default)]
    pub fields: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Support line",
    "provider": "meta_cloud",
    "fields": {"company_name": "Acme Ltd", "phone_number_id": "106540352242922", "waba_id": "102290129340398"}
})))]
#[serde(deny_unknown_fields)]
pub struct CreateChannelRequest {
    pub name: String,
    /// `meta_cloud`, `twilio` or `sandbox`.
    pub provider: String,
    #[serde(default = "default_true")]
    pub active: bool,
    #[serde(default)]
    pub fields: BTreeMap<String, Option<String>>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateChannelRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// A token shown this once; only its hash is kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneratedToken {
    pub token: String,
    pub created_at: DateTime<Utc>,
}

/// One credential field a provider needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderField {
    pub key: String,
    pub secret: bool,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderInfo {
    pub provider: String,
    pub fields: Vec<ProviderField>,
}

/// A channel's session behaviour: after `ask_after_minutes` without a
/// message, ask the customer whether they still need help; after
/// `end_after_minutes` more, tell them the conversation is being closed,
/// and resolve it. A customer message starts the sequence again. Off until
/// turned on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "enabled": true,
    "ask_after_minutes": 30,
    "end_after_minutes": 10,
    "ask_text": "Do you still need help? Just reply to this message and we'll carry on.",
    "end_text": "We haven't heard from you, so we're closing this conversation. You can write to us again any time.",
    "updated_at": "2026-11-01T09:30:00Z"
})))]
pub struct SessionBehaviour {
    pub enabled: bool,
    /// Minutes of inactivity before asking whether the customer still needs help (1 to 1,440).
    pub ask_after_minutes: u32,
    /// Minutes after the question before the session-end message (1 to 1,440).
    pub end_after_minutes: u32,
    /// The question (1 to 1,024 characters).
    pub ask_text: String,
    /// The session-end message (1 to 1,024 characters).
    pub end_text: String,
    /// When it was last saved; absent while the channel has the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// Replaces a channel's session behaviour.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "enabled": true,
    "ask_after_minutes": 30,
    "end_after_minutes": 10,
    "ask_text": "Do you still need help?",
    "end_text": "We're closing this conversation now. Write to us again any time."
})))]
#[serde(deny_unknown_fields)]
pub struct SessionBehaviourRequest {
    pub enabled: bool,
    pub ask_after_minutes: i64,
    pub end_after_minutes: i64,
    pub ask_text: String,
    pub end_text: String,
}
