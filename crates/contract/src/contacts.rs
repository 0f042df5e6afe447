//! Contacts, tags, custom attributes and groups.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tag {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Live contacts carrying the tag.
    pub contact_count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TagRequest {
    pub name: String,
    #[serde(default)]
    pub colour: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributeDefinition {
    pub id: Uuid,
    /// Used as `$key` in templates.
    pub key: String,
    pub name: String,
    /// `text`, `number`, `date` or `boolean`.
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttributeRequest {
    pub key: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagRef {
    pub id: Uuid,
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "name": "Priya Raman", "first_name": "Priya", "last_name": "Raman",
    "phone": "+919812345678", "country_code": "91", "iso_code": "IN",
    "email": "priya@example.com", "source": "import", "opt_in": "opted_in",
    "tags": [{"id": "0193a6b0-8a10-7d2e-a1b2-c3d4e5f6a7b8", "name": "VIP", "colour": "#1f9d55"}],
    "attributes": {"city": "Chennai"},
    "created_at": "2026-11-01T09:30:00Z"
})))]
pub struct Contact {
    pub id: Uuid,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    /// E.164.
    pub phone: String,
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `manual`, `import`, `organic`, `api`, or a name from an imported file.
    pub source: String,
    /// `unknown`, `opted_in` or `opted_out`.
    pub opt_in: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_in_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_in_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message_tag: Option<String>,
    pub tags: Vec<TagRef>,
    /// Attribute key -> value.
    pub attributes: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<DateTime<Utc>>,
}

/// A new contact. The phone may omit its country code: the tenant's
/// default country applies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateContactRequest {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    /// `unknown` (default), `opted_in` or `opted_out`.
    #[serde(default)]
    pub opt_in: Option<String>,
    /// Tag ids.
    #[serde(default)]
    pub tags: Vec<Uuid>,
    #[serde(default)]
    pub attributes: BTreeMap<String, Option<String>>,
}

/// Changes to a contact; omitted fields stay. Attributes set to null are removed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateContactRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub opt_in: Option<String>,
    /// Replaces the contact's tags when given.
    #[serde(default)]
    pub tags: Option<Vec<Uuid>>,
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, Option<String>>>,
}

/// A bulk action on many contacts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkContactsRequest {
    pub contact_ids: Vec<Uuid>,
    /// Tag ids, for tag and untag.
    #[serde(default)]
    pub tags: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    /// Contacts the action changed.
    pub affected: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactGroup {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub member_count: u64,
    pub opted_in_count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_added_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Contacts to add to or remove from a group: by id, or every contact
/// matching the same filters as `GET /contacts` (`match_filter`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupMembersRequest {
    #[serde(default)]
    pub contact_ids: Vec<Uuid>,
    /// Filters as query-string pairs, e.g. `{"tag_any": "…", "q": "ana"}`.
    #[serde(default)]
    pub match_filter: Option<BTreeMap<String, String>>,
}

/// One event in a contact's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactEvent {
    /// `created`, `updated`, `tagged`, `untagged`, `added_to_group`,
    /// `conversation_started`, `customer_returned`, `template_sent`,
    /// `took_control`, `transferred`, `resolved`, ...
    pub kind: String,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// Who acted, for events a person caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRef {
    pub id: Uuid,
    pub name: String,
}

/// An import of a contacts file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactImport {
    pub id: Uuid,
    pub file_name: String,
    /// `uploaded` (waiting for its mapping), `queued`, `running`, `completed`,
    /// `failed` or `cancelled`.
    pub state: String,
    pub total_rows: u64,
    pub processed_rows: u64,
    pub added: u64,
    pub updated: u64,
    pub failed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// An uploaded file's header and first rows, to choose the mapping.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    pub import: ContactImport,
    pub headers: Vec<String>,
    /// Up to 10 rows.
    pub sample: Vec<Vec<String>>,
}

/// How to import: one target per column, in the header's order: `name`,
/// `phone`, `email`, `tags` (`|`-separated names), `source`,
/// `first_message_tag`, `opt_in`, `attr:<key>` or `ignore`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "mapping": ["name", "phone", "tags", "attr:city", "ignore"],
    "update_existing": true,
    "tags": [],
    "group": null
})))]
#[serde(deny_unknown_fields)]
pub struct StartImportRequest {
    pub mapping: Vec<String>,
    /// For numbers without a country code; the tenant's by default.
    #[serde(default)]
    pub default_country: Option<String>,
    /// Update contacts whose phone already exists (otherwise skip them).
    #[serde(default = "yes")]
    pub update_existing: bool,
    /// Tag ids given to every imported contact.
    #[serde(default)]
    pub tags: Vec<Uuid>,
    /// A group every imported contact joins.
    #[serde(default)]
    pub group: Option<Uuid>,
}

fn yes() -> bool {
    true
}
