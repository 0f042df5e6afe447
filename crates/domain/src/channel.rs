//! Channels: one WhatsApp sender of a tenant, through Meta's Cloud API, Twilio,
//! or the built-in sandbox (a Meta channel pointed at a local fake). This
//! module knows each provider's fields, which are secret, which are required,
//! how they are checked, masked and merged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    MetaCloud,
    Twilio,
    Sandbox,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::MetaCloud, Provider::Twilio, Provider::Sandbox];

    pub fn key(self) -> &'static str {
        match self {
            Provider::MetaCloud => "meta_cloud",
            Provider::Twilio => "twilio",
            Provider::Sandbox => "sandbox",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Meta and the sandbox speak the Graph API; their webhooks arrive at
    /// `/webhooks/meta/{id}`.
    pub fn speaks_graph_api(self) -> bool {
        matches!(self, Provider::MetaCloud | Provider::Sandbox)
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Provider::MetaCloud | Provider::Sandbox => META_FIELDS,
            Provider::Twilio => TWILIO_FIELDS,
        }
    }

    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.key == key)
    }
}

/// How a credential field is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Digits only (Meta ids).
    Digits,
    /// `whatsapp:+` and an E.164 number.
    WhatsAppAddress,
    /// A Twilio SID: two letters then 32 hex digits.
    TwilioSid(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    /// Stored encrypted, never shown again in full.
    pub secret: bool,
    /// Needed before the channel can be validated.
    pub required: bool,
    pub kind: FieldKind,
    pub max_len: usize,
}

const fn field(
    key: &'static str,
    secret: bool,
    required: bool,
    kind: FieldKind,
    max_len: usize,
) -> FieldSpec {
    FieldSpec {
        key,
        secret,
        required,
        kind,
        max_len,
    }
}

const META_FIELDS: &[FieldSpec] = &[
    field("company_name", false, false, FieldKind::Text, 100),
    field("phone_number_id", false, true, FieldKind::Digits, 32),
    field("app_id", false, false, FieldKind::Digits, 32),
    field("waba_id", false, true, FieldKind::Digits, 32),
    field("app_secret", true, true, FieldKind::Text, 256),
    field("access_token", true, true, FieldKind::Text, 4096),
    field("verify_token", true, false, FieldKind::Text, 256),
];

const TWILIO_FIELDS: &[FieldSpec] = &[
    field("account_sid", false, true, FieldKind::TwilioSid("AC"), 34),
    field("sender", false, false, FieldKind::WhatsAppAddress, 32),
    field(
        "messaging_service_sid",
        false,
        false,
        FieldKind::TwilioSid("MG"),
        34,
    ),
    field("auth_token", true, true, FieldKind::Text, 256),
];

/// A channel's credentials: plain fields and secrets, by field key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub fields: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

const MASK: &str = "••••••••";

/// The form a secret takes in every answer once it is saved.
pub fn mask(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if secret.chars().count() <= 8 {
        MASK.to_owned()
    } else {
        format!("{MASK}{tail}")
    }
}

impl Credentials {
    /// Applies what a person submitted on top of what is stored. A secret
    /// left as its mask (or left out) keeps the stored value; an empty string
    /// clears a field. Unknown fields and bad formats are field errors.
    pub fn merged(
        &self,
        provider: Provider,
        submitted: &BTreeMap<String, Option<String>>,
    ) -> Result<Credentials, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = self.clone();
        for (key, value) in submitted {
            let Some(spec) = provider.field(key) else {
                errors.add(key, "This field does not belong to this provider.");
                continue;
            };
            let target = if spec.secret {
                &mut next.secrets
            } else {
                &mut next.fields
            };
            let value = value.as_deref().map(str::trim).unwrap_or_default();
            // A mask is never a real secret: sent back, it keeps what is stored.
            if spec.secret && value.starts_with(MASK) {
                continue;
            }
            if value.is_empty() {
                target.remove(key);
                continue;
            }
            if let Err(message) = check_field(spec, value) {
                errors.add(key, message);
                continue;
            }
            target.insert(key.clone(), value.to_owned());
        }
        errors.into_result(next)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .or_else(|| self.secrets.get(key))
            .map(String::as_str)
    }

    /// Required fields still empty; a channel with any is `pending`.
    pub fn missing(&self, provider: Provider) -> Vec<&'static str> {
        let mut missing: Vec<&'static str> = provider
            .fields()
            .iter()
            .filter(|f| f.required && self.get(f.key).is_none())
            .map(|f| f.key)
            .collect();
        if provider == Provider::Twilio
            && self.get("sender").is_none()
            && self.get("messaging_service_sid").is_none()
        {
            missing.push("sender");
        }
        missing
    }

    /// Every field as an answer shows it: plain fields in full, secrets masked.
    pub fn masked(&self) -> BTreeMap<String, String> {
        let mut out = self.fields.clone();
        for (key, value) in &self.secrets {
            out.insert(key.clone(), mask(value));
        }
        out
    }
}

fn check_field(spec: &FieldSpec, value: &str) -> Result<(), &'static str> {
    if value.chars().count() > spec.max_len {
        return Err("This value is too long.");
    }
    match spec.kind {
        FieldKind::Text => Ok(()),
        FieldKind::Digits => {
            if value.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err("Use digits only, as shown in Meta's dashboard.")
            }
        }
        FieldKind::WhatsAppAddress => {
            let digits = value.strip_prefix("whatsapp:+").unwrap_or_default();
            if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err("Write the sender as whatsapp:+ followed by the number with its country code, e.g. whatsapp:+14155550100.")
            }
        }
        FieldKind::TwilioSid(prefix) => {
            let hex = value.strip_prefix(prefix).unwrap_or_default();
            if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else if prefix == "AC" {
                Err("An account SID starts with AC followed by 32 letters and digits.")
            } else {
                Err("A messaging service SID starts with MG followed by 32 letters and digits.")
            }
        }
    }
}

/// Where a channel's credentials stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelStatus {
    /// Incomplete, or never checked against the provider.
    Pending,
    /// The provider accepted them at the last check.
    Good,
    /// The provider refused them; the code and message say why.
    Invalid,
}

impl ChannelStatus {
    pub fn key(self) -> &'static str {
        match self {
            ChannelStatus::Pending => "pending",
            ChannelStatus::Good => "good",
            ChannelStatus::Invalid => "invalid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ChannelStatus::Pending,
            ChannelStatus::Good,
            ChannelStatus::Invalid,
        ]
        .into_iter()
        .find(|v| v.key() == s)
    }
}

pub const CHANNEL_NAME_MAX: usize = 80;

pub fn check_channel_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the channel a name.");
    }
    if name.chars().count() > CHANNEL_NAME_MAX {
        return Err("Use at most 80 characters.");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn secrets_are_masked_and_a_mask_sent_back_keeps_the_secret() {
        let stored = Credentials::default()
            .merged(
                Provider::MetaCloud,
                &submit(&[
                    ("access_token", Some("EAAGsecretvalue1234")),
                    ("waba_id", Some("1001")),
                ]),
            )
            .unwrap();
        let shown = stored.masked();
        assert_eq!(shown["access_token"], "••••••••1234");
        assert_eq!(shown["waba_id"], "1001");
        let again = stored
            .merged(
                Provider::MetaCloud,
                &submit(&[
                    ("access_token", Some("••••••••1234")),
                    ("waba_id", Some("1002")),
                ]),
            )
            .unwrap();
        assert_eq!(again.secrets["access_token"], "EAAGsecretvalue1234");
        assert_eq!(again.fields["waba_id"], "1002");
        let replaced = stored
            .merged(
                Provider::MetaCloud,
                &submit(&[("access_token", Some("EAAGnew"))]),
            )
            .unwrap();
        assert_eq!(replaced.secrets["access_token"], "EAAGnew");
    }

    #[test]
    fn fields_are_checked_per_provider() {
        let err = Credentials::default()
            .merged(
                Provider::Twilio,
                &submit(&[
                    ("account_sid", Some("XX123")),
                    ("sender", Some("+14155550100")),
                    ("waba_id", Some("1")),
                ]),
            )
            .unwrap_err();
        assert!(err.get("account_sid").is_some());
        assert!(err.get("sender").is_some());
        assert!(
            err.get("waba_id").is_some(),
            "Meta fields do not belong to Twilio"
        );
        let ok = Credentials::default()
            .merged(
                Provider::Twilio,
                &submit(&[
                    ("account_sid", Some("AC0123456789abcdef0123456789abcdef")),
                    ("sender", Some("whatsapp:+14155550100")),
                    ("auth_token", Some("tok")),
                ]),
            )
            .unwrap();
        assert!(ok.missing(Provider::Twilio).is_empty());
    }

    #[test]
    fn a_channel_with_missing_required_fields_is_incomplete() {
        let creds = Credentials::default()
            .merged(
                Provider::MetaCloud,
                &submit(&[("phone_number_id", Some("123"))]),
            )
            .unwrap();
        let missing = creds.missing(Provider::MetaCloud);
        assert!(missing.contains(&"waba_id"));
        assert!(missing.contains(&"access_token"));
        assert!(!missing.contains(&"phone_number_id"));
        let twilio = Credentials::default();
        assert!(twilio.missing(Provider::Twilio).contains(&"sender"));
    }

    #[test]
    fn any_mask_keeps_the_stored_secret() {
        let stored = Credentials::default()
            .merged(
                Provider::MetaCloud,
                &submit(&[("access_token", Some("EAAGsecretvalue1234"))]),
            )
            .unwrap();
        let kept = stored
            .merged(
                Provider::MetaCloud,
                &submit(&[("access_token", Some("••••••••zzzz"))]),
            )
            .unwrap();
        assert_eq!(kept.secrets["access_token"], "EAAGsecretvalue1234");
    }

    #[test]
    fn short_secrets_reveal_nothing() {
        assert_eq!(mask("abc"), "••••••••");
        assert_eq!(mask("12345678"), "••••••••");
    }
}

/// Credentials being edited while the published ones keep serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub credentials: Credentials,
    pub status: ChannelStatus,
    pub status_code: Option<String>,
    pub status_message: Option<String>,
}

/// A stored channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: crate::ChannelId,
    pub tenant_id: crate::TenantId,
    pub name: String,
    pub provider: Provider,
    pub active: bool,
    pub status: ChannelStatus,
    pub status_code: Option<String>,
    pub status_message: Option<String>,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Meta only: whether the app receives the account's webhooks.
    pub subscribed: Option<bool>,
    pub quality_rating: Option<String>,
    pub published: Credentials,
    pub draft: Option<Draft>,
    pub api_token_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The status a channel shows given its credentials and the last check:
/// incomplete credentials are pending whatever was checked before.
pub fn effective_status(
    provider: Provider,
    credentials: &Credentials,
    checked: ChannelStatus,
) -> ChannelStatus {
    if credentials.missing(provider).is_empty() {
        checked
    } else {
        ChannelStatus::Pending
    }
}
