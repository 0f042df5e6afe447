//! Notifications for the signed-in person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "kind": "channel_invalid",
    "title": "Support line needs new credentials",
    "body": "The provider refused the channel's credentials (190): Error validating access token",
    "link": "/channels#0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "created_at": "2026-11-20T08:02:11Z"
})))]
pub struct Notification {
    pub id: Uuid,
    /// Stable kind, e.g. `channel_invalid`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where in the app to look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of notifications and how many are unread in all.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    pub unread: u64,
}
