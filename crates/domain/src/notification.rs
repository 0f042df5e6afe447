//! Notifications: something a person should know about, addressed to the
//! members whose role lets them act on it.

use chrono::{DateTime, Utc};

use crate::permissions::Permission;

/// A notification to raise, before it is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Stable kind, e.g. `channel_invalid`; the SPA picks an icon from it.
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    /// Where in the app to look (a client route).
    pub link: Option<String>,
    /// Who receives it: active members holding this permission.
    pub audience: Permission,
}

/// A notification as a recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: uuid::Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The notice for a channel whose provider refused its credentials.
/// `provider_said` is the provider's answer, its code included.
pub fn channel_invalid(channel_name: &str, channel_id: uuid::Uuid, provider_said: &str) -> Notice {
    Notice {
        kind: "channel_invalid",
        title: format!("{channel_name} needs new credentials"),
        body: format!("The provider refused the channel's credentials: {provider_said}"),
        link: Some(format!("/channels#{channel_id}")),
        audience: Permission::new(
            crate::permissions::Module::Channels,
            crate::permissions::Action::Edit,
        ),
    }
}
