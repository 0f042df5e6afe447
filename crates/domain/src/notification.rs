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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// The notice for a template whose review status changed at the provider.
pub fn template_status(
    name: &str,
    language: &str,
    template_id: uuid::Uuid,
    status: crate::template::TemplateStatus,
    reason: Option<&str>,
) -> Notice {
    use crate::template::TemplateStatus as S;
    let (title, body) = match status {
        S::Approved => (
            format!("Template {name} ({language}) is approved"),
            "It can be sent now.".to_owned(),
        ),
        S::Rejected => (
            format!("Template {name} ({language}) was rejected"),
            match reason {
                Some(reason) => format!("Meta's reason: {reason}. Edit it and submit again."),
                None => "Edit it and submit again.".to_owned(),
            },
        ),
        S::Paused => (
            format!("Template {name} ({language}) is paused"),
            "Meta paused it after low ratings from customers; sends are refused meanwhile."
                .to_owned(),
        ),
        S::Disabled => (
            format!("Template {name} ({language}) is disabled"),
            "It can no longer be sent.".to_owned(),
        ),
        other => (
            format!(
                "Template {name} ({language}) is now {}",
                other.key().replace('_', " ")
            ),
            String::new(),
        ),
    };
    Notice {
        kind: "template_status",
        title,
        body,
        link: Some(format!("/templates/{template_id}")),
        audience: crate::permissions::Permission::new(
            crate::permissions::Module::Templates,
            crate::permissions::Action::View,
        ),
    }
}

/// Who hears about conversations: the members who may see them.
fn conversations_audience() -> Permission {
    Permission::new(
        crate::permissions::Module::Conversations,
        crate::permissions::Action::View,
    )
}

/// The SPA's route to one conversation.
fn conversation_link(conversation_id: uuid::Uuid) -> Option<String> {
    Some(format!("/conversations/{conversation_id}"))
}

/// A customer wrote for the first time (or after the last conversation
/// ended): `preview` is the message's short text.
pub fn new_conversation(contact_name: &str, conversation_id: uuid::Uuid, preview: &str) -> Notice {
    Notice {
        kind: "new_conversation",
        title: format!("New conversation with {contact_name}"),
        body: preview.to_owned(),
        link: conversation_link(conversation_id),
        audience: conversations_audience(),
    }
}

/// A customer wrote in a conversation a member controls (sent to that member).
pub fn new_message(contact_name: &str, conversation_id: uuid::Uuid, preview: &str) -> Notice {
    Notice {
        kind: "new_message",
        title: format!("{contact_name} wrote"),
        body: preview.to_owned(),
        link: conversation_link(conversation_id),
        audience: conversations_audience(),
    }
}

/// A conversation started waiting for a person.
pub fn handoff_requested(contact_name: &str, conversation_id: uuid::Uuid, preview: &str) -> Notice {
    Notice {
        kind: "handoff_requested",
        title: format!("{contact_name} is waiting for a person"),
        body: preview.to_owned(),
        link: conversation_link(conversation_id),
        audience: conversations_audience(),
    }
}

/// A message we sent was refused; `code` and `title` are the provider's.
pub fn send_failed(
    contact_name: &str,
    conversation_id: uuid::Uuid,
    code: &str,
    title: &str,
) -> Notice {
    Notice {
        kind: "send_failed",
        title: format!("A message to {contact_name} failed"),
        body: format!("{title} ({code})"),
        link: conversation_link(conversation_id),
        audience: conversations_audience(),
    }
}

/// `from_member` handed a conversation to the recipient.
pub fn conversation_transferred(
    from_member: &str,
    contact_name: &str,
    conversation_id: uuid::Uuid,
) -> Notice {
    Notice {
        kind: "conversation_transferred",
        title: format!("{from_member} handed you a conversation"),
        body: format!("With {contact_name}"),
        link: conversation_link(conversation_id),
        audience: conversations_audience(),
    }
}
