//! The media gallery: files of a tenant (images, videos, audio,
//! documents, stickers) for template headers and messages, renamed, served
//! through short-lived signed links, and uploaded to a channel's provider.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A file of the gallery.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0190f0c2-7d3e-7a4b-9c1d-2e3f4a5b6c7d",
    "name": "Spring menu.jpg",
    "kind": "image",
    "mime_type": "image/jpeg",
    "size_bytes": 48213,
    "width": 1080,
    "height": 720,
    "url": "/api/v1/media/0190f0c2-7d3e-7a4b-9c1d-2e3f4a5b6c7d/content?tenant=0190f0c2-0000-7000-8000-000000000001&exp=1767225600&sig=3q2-7w",
    "url_expires_at": "2026-01-01T00:00:00Z",
    "created_by": "0190f0c2-0000-7000-8000-000000000002",
    "created_by_name": "Ana Silva",
    "created_at": "2025-12-31T23:00:00Z",
    "updated_at": "2025-12-31T23:00:00Z"
})))]
pub struct MediaItem {
    pub id: Uuid,
    /// The name shown in the gallery (the uploaded file's name, or a new one).
    pub name: String,
    /// `image`, `video`, `audio`, `document` or `sticker`, from the file's content.
    pub kind: String,
    /// The type sniffed from the file's first bytes, e.g. `image/jpeg`.
    pub mime_type: String,
    pub size_bytes: u64,
    /// Images only, when the header tells.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The bytes, usable as `<img src>` without an Authorization header:
    /// a same-origin path signed for this tenant until `url_expires_at`.
    pub url: String,
    pub url_expires_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// The uploader's name, when the person still exists.
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of the gallery, newest first.
pub type MediaPage = crate::Page<MediaItem>;

/// Renames a gallery file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Summer menu.jpg"})))]
#[serde(deny_unknown_fields)]
pub struct RenameMedia {
    /// 1 to 200 characters, without slashes or control characters.
    pub name: String,
}

/// Which channel's provider should receive the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"channel_id": "0190f0c2-0000-7000-8000-000000000003"})))]
#[serde(deny_unknown_fields)]
pub struct ProviderUploadRequest {
    pub channel_id: Uuid,
}

/// The id a channel's provider knows the file by, to send it or to use it as
/// a template header sample.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "media_id": "0190f0c2-7d3e-7a4b-9c1d-2e3f4a5b6c7d",
    "channel_id": "0190f0c2-0000-7000-8000-000000000003",
    "provider_media_id": "1000000012345678",
    "expires_at": "2026-01-30T23:00:00Z",
    "uploaded_at": "2025-12-31T23:00:00Z",
    "reused": false
})))]
pub struct ProviderUpload {
    pub media_id: Uuid,
    pub channel_id: Uuid,
    pub provider_media_id: String,
    /// After this the provider forgets the file (Meta: 30 days); a later
    /// request uploads it again.
    pub expires_at: DateTime<Utc>,
    pub uploaded_at: DateTime<Utc>,
    /// True when a still-valid earlier upload was answered instead of a new one.
    pub reused: bool,
}
