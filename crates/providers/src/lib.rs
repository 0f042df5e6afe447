//! WhatsApp providers (Meta Cloud API, Twilio) behind one trait, with typed
//! errors classified from the providers' own codes, webhook signature checks
//! and webhook parsing into deduplicable events. Pure adapter code: no
//! database, no HTTP server.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

mod error;
pub mod message;
pub mod meta;
pub mod outbound;
pub mod retry;
mod settings;
pub mod template;
pub mod template_wire;
mod transport;
pub mod twilio;
pub mod webhook;

pub use error::ProviderError;
pub use message::{
    ListMessage, ListRow, ListSection, MediaKind, MediaMessage, MediaSource, MessageContent,
    OutgoingMessage, ReplyButton, ReplyButtons, TemplateButtonKind, TemplateComponent,
    TemplateMessage, TemplateParameter,
};
pub use meta::{MetaCloud, MetaCredentials};
pub use retry::{with_retries, Failure, RetryPolicy};
pub use settings::{ProviderClient, ProviderSettings};
pub use template::{CreatedTemplate, MediaUpload, NewTemplate, Template};
pub use twilio::{Twilio, TwilioCredentials, TwilioSender};
pub use webhook::{ParseError, WebhookEvent};

/// Which provider serves a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Meta,
    Twilio,
}

/// What a credentials check learned about a number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NumberInfo {
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` (Meta).
    pub quality_rating: Option<String>,
    pub code_verification_status: Option<String>,
    pub platform_type: Option<String>,
    /// Meta `throughput.level` (`STANDARD`, `HIGH`, ...).
    pub throughput_level: Option<String>,
    /// Meta `LIVE`/`SANDBOX`; Twilio account status (`active`).
    pub account_mode: Option<String>,
}

/// A customer's file fetched from the provider.
#[derive(Clone, PartialEq, Eq)]
pub struct DownloadedMedia {
    pub bytes: Vec<u8>,
    /// What the provider says the type is (the bytes are sniffed again).
    pub mime_type: Option<String>,
}

impl std::fmt::Debug for DownloadedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadedMedia")
            .field("bytes", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .finish()
    }
}

/// A message accepted by the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// Meta `wamid...` or Twilio `SM...`.
    pub provider_message_id: String,
}

/// One WhatsApp sender as a provider serves it. Implementations: Meta Cloud
/// API and Twilio (the sandbox is a Meta implementation pointed elsewhere).
/// Operations a provider lacks answer [`ProviderError::Unsupported`].
#[async_trait]
pub trait WhatsAppProvider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// Live check of the stored credentials ("Validate & Update").
    async fn validate(&self) -> Result<NumberInfo, ProviderError>;
    /// Subscribes the app to the account's webhooks; answers whether subscribed.
    async fn subscribe(&self) -> Result<bool, ProviderError>;
    /// Whether the app is subscribed to the account's webhooks.
    async fn subscription_status(&self) -> Result<bool, ProviderError>;
    /// Sends one message after checking it against the provider's limits.
    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, ProviderError>;
    /// Marks a customer's message as read.
    async fn mark_read(&self, provider_message_id: &str) -> Result<(), ProviderError>;
    /// Uploads a file; answers the media id to send it by.
    async fn upload_media(&self, media: &MediaUpload) -> Result<String, ProviderError>;
    /// Fetches a customer's file: by Meta media id, or by Twilio media URL.
    async fn download_media(
        &self,
        media: &webhook::InboundMedia,
    ) -> Result<DownloadedMedia, ProviderError> {
        let _ = media;
        Err(ProviderError::unsupported(
            "this provider",
            "media downloads",
        ))
    }
    /// Uploads a template's media-header sample; answers the handle Meta
    /// reviews it by (`example.header_handle`). Providers without template
    /// creation answer [`ProviderError::Unsupported`].
    async fn upload_template_sample(&self, media: &MediaUpload) -> Result<String, ProviderError> {
        let _ = media;
        Err(ProviderError::unsupported(
            "this provider",
            "template media samples",
        ))
    }
    /// Every template of the account, all pages.
    async fn list_templates(&self) -> Result<Vec<Template>, ProviderError>;
    /// Submits a template for approval.
    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<CreatedTemplate, ProviderError>;
    /// Deletes a template by name, in all its languages.
    async fn delete_template(&self, name: &str) -> Result<(), ProviderError>;
    /// Replaces a submitted template's components (and category); it goes
    /// back to review.
    async fn edit_template(
        &self,
        provider_id: &str,
        template: &NewTemplate,
    ) -> Result<(), ProviderError>;
}
