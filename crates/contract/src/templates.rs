//! WhatsApp message templates: the editor's content, drafts and submitted
//! templates with their review status, previews with bound variables, and
//! the template library.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The optional first line of a template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TemplateHeader {
    #[default]
    None,
    /// At most 60 characters and one variable, with a sample for it.
    Text {
        text: String,
        #[serde(default)]
        example: Option<String>,
    },
    /// A media header; `media_id` is the gallery item used as the sample.
    Image {
        #[serde(default)]
        media_id: Option<Uuid>,
    },
    Video {
        #[serde(default)]
        media_id: Option<Uuid>,
    },
    Document {
        #[serde(default)]
        media_id: Option<Uuid>,
    },
    Location,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TemplateButton {
    QuickReply {
        text: String,
    },
    /// A link that may end with one variable (`{{1}}`), with a sample value.
    Url {
        text: String,
        url: String,
        #[serde(default)]
        example: Option<String>,
    },
    PhoneNumber {
        text: String,
        phone: String,
    },
    CopyCode {
        example: String,
    },
}

/// What a template says. Variables are `{{1}}`, `{{2}}`... (positional) or
/// `{{first_name}}` (named); every one needs a sample in `body_examples`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "order_shipped",
    "language": "en_US",
    "category": "utility",
    "parameter_format": "positional",
    "header": {"kind": "text", "text": "Order {{1}}", "example": "#1042"},
    "body": "Hi {{1}}, your order {{2}} is on its way.",
    "body_examples": {"1": "Ana", "2": "#1042"},
    "footer": "Reply STOP to opt out",
    "buttons": [{"kind": "url", "text": "Track", "url": "https://shop.example/t/{{1}}", "example": "1042"}]
})))]
#[serde(deny_unknown_fields)]
pub struct TemplateContent {
    /// Lowercase letters, digits and underscores.
    pub name: String,
    /// e.g. `en`, `en_US`, `pt_BR`.
    pub language: String,
    /// `marketing`, `utility` or `authentication`.
    pub category: String,
    /// `positional` (default) or `named`.
    #[serde(default)]
    pub parameter_format: Option<String>,
    #[serde(default)]
    pub header: TemplateHeader,
    pub body: String,
    #[serde(default)]
    pub body_examples: BTreeMap<String, String>,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
}

/// A template of the tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub id: Uuid,
    /// The channel it was created or last synced through; every channel on
    /// the same WhatsApp Business Account can send it.
    pub channel_id: Uuid,
    /// `draft`, `pending`, `approved`, `rejected`, `paused`, `disabled` or `in_appeal`.
    pub status: String,
    /// Meta's reason, when rejected.
    pub rejected_reason: Option<String>,
    /// Meta's template id once submitted.
    pub provider_id: Option<String>,
    /// Offered in the tenant's template library.
    pub shared: bool,
    pub content: TemplateContent,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub synced_at: Option<DateTime<Utc>>,
}

/// A new template: saved as a draft, or submitted to Meta at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTemplateRequest {
    pub channel_id: Uuid,
    pub content: TemplateContent,
    /// Submit for review now (default); false keeps a draft.
    #[serde(default)]
    pub submit: Option<bool>,
}

/// New content for a template. A submitted template is submitted again and
/// goes back to `pending`; a draft stays a draft unless `submit` is true.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplateRequest {
    pub content: TemplateContent,
    #[serde(default)]
    pub submit: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateTemplateRequest {
    /// The copy's name; it is saved as a draft.
    pub name: String,
    /// Another channel (WABA) for the copy; the same one by default.
    #[serde(default)]
    pub channel_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareTemplateRequest {
    pub shared: bool,
}

/// The outcome of a Refresh.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateSyncResult {
    /// Templates the provider listed.
    pub listed: u64,
    /// Of those, how many changed status.
    pub changed: u64,
}

/// What a variable takes its value from when sending.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VariableBinding {
    /// The same text for everyone.
    Fixed { value: String },
    /// `$name`, `$first_name`, `$last_name`, `$phone`, `$email` or
    /// `$<attribute key>`, with `fallback` when the contact's is empty.
    Field {
        field: String,
        #[serde(default)]
        fallback: String,
    },
}

/// Renders a template: a saved one (`template_id`) or unsaved content, for
/// a contact or with sample values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[serde(default)]
    pub template_id: Option<Uuid>,
    #[serde(default)]
    pub content: Option<TemplateContent>,
    /// Keyed `header.<var>`, `body.<var>` and `buttons[<index>]`.
    #[serde(default)]
    pub bindings: BTreeMap<String, VariableBinding>,
    #[serde(default)]
    pub contact_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// Per button, its link with the variable filled in (link buttons only).
    pub button_urls: Vec<Option<String>>,
    /// Variables without a value: `unbound` or `empty`, by key.
    pub problems: BTreeMap<String, String>,
    /// Whether every variable has a value.
    pub complete: bool,
}

/// A ready-made template to start from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryTemplate {
    /// `builtin:<name>` or the id of a template shared in the tenant.
    pub id: String,
    /// `builtin` or `tenant`.
    pub source: String,
    pub title: String,
    pub description: String,
    pub content: TemplateContent,
}
