//! The contract shapes of conversations, messages and live events, mapped
//! from what the application layer (`app::conversations`) answers.

use app::conversations::{Outgoing, OutgoingContent, ShownMessage};
use app::media_store::MediaUrls;
use chrono::{DateTime, Utc};
use contract::conversations::{
    Conversation, ConversationContact, LiveEvent, Message, MessageError, MessageLocation,
    MessageMedia, MessagePreview, PersonRef, QuotedMessage, SendContent, SendMessageRequest,
    StatusChange,
};
use domain::conversation::window_expires_at;
use domain::TenantId;
use store::{ConversationRecord, MessageView};

use crate::error::ApiError;
use crate::state::AppState;

pub fn conversation_dto(c: &ConversationRecord, now: DateTime<Utc>) -> Conversation {
    Conversation {
        id: c.id,
        channel_id: c.channel_id.0,
        channel_name: c.channel_name.clone(),
        contact: ConversationContact {
            id: c.contact_id,
            name: c.contact_name.clone(),
            phone: c.contact_phone.clone(),
        },
        state: c.control.state.key().to_owned(),
        in_history: domain::conversation::in_history(c.last_inbound_at, now),
        controller: c.control.controller.map(|id| PersonRef {
            id,
            name: c.controller_name.clone().unwrap_or_default(),
        }),
        chatbot_enabled: c.control.chatbot_enabled,
        unread: c.unread,
        last_message: c.last_direction.map(|direction| MessagePreview {
            text: c.last_preview.clone(),
            direction: direction.key().to_owned(),
            status: c
                .last_status
                .map(|s| s.key().to_owned())
                .unwrap_or_default(),
            at: c.last_message_at,
        }),
        last_inbound_at: c.last_inbound_at,
        window_expires_at: window_expires_at(c.last_inbound_at),
        archived: c.archived_at.is_some(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn strings(value: &serde_json::Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A message in the contract's shape; its gallery file gets a fresh signed link.
pub fn message_dto(shown: ShownMessage, urls: &MediaUrls, now: DateTime<Utc>) -> Message {
    let v = shown.view;
    let m = v.message;
    let c = &m.content;
    let location = (m.kind == "location").then(|| MessageLocation {
        latitude: c
            .get("latitude")
            .and_then(|v| v.as_f64())
            .unwrap_or_default(),
        longitude: c
            .get("longitude")
            .and_then(|v| v.as_f64())
            .unwrap_or_default(),
        name: c.get("name").and_then(|v| v.as_str()).map(str::to_owned),
        address: c.get("address").and_then(|v| v.as_str()).map(str::to_owned),
    });
    Message {
        id: m.id,
        conversation_id: m.conversation_id,
        direction: m.direction.key().to_owned(),
        kind: m.kind.clone(),
        text: m.body.clone(),
        media: shown.media.as_ref().map(|r| MessageMedia {
            media_id: r.id,
            kind: r.kind.key().to_owned(),
            mime_type: r.mime_type.clone(),
            name: r.name.clone(),
            size_bytes: r.size_bytes,
            url: urls.link(r.tenant_id.0, r.id, now).0,
        }),
        location,
        reaction: c
            .get("reaction")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        contacts: strings(c, "contacts"),
        options: strings(c, "options"),
        template: c
            .get("template")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        reply_to: v.quoted.map(|(id, direction, text)| QuotedMessage {
            id,
            direction: direction.key().to_owned(),
            text,
        }),
        status: m.status.key().to_owned(),
        error: m.error.map(|(code, title, detail)| MessageError {
            code,
            title,
            detail,
        }),
        sent_by: m.sent_by.map(|id| PersonRef {
            id,
            name: v.sent_by_name.unwrap_or_default(),
        }),
        starred: v.starred,
        created_at: m.created_at,
        status_at: m.status_at,
    }
}

/// Messages in the contract's shape; gallery files get fresh signed links.
pub async fn message_dtos(
    state: &AppState,
    tenant: TenantId,
    views: Vec<MessageView>,
) -> Result<Vec<Message>, ApiError> {
    let now = Utc::now();
    Ok(app::conversations::with_files(state, tenant, views)
        .await?
        .into_iter()
        .map(|shown| message_dto(shown, &state.media_urls, now))
        .collect())
}

/// A live event in the shape the event stream writes.
pub fn live_event_dto(event: &app::live::LiveEvent, urls: &MediaUrls) -> LiveEvent {
    use app::live::LiveEvent as E;
    let now = Utc::now();
    match event {
        E::Message {
            message,
            conversation,
        } => LiveEvent::Message {
            message: message_dto((**message).clone(), urls, now),
            conversation: conversation_dto(conversation, now),
        },
        E::Status(applied) => LiveEvent::Status(StatusChange {
            conversation_id: applied.conversation_id,
            message_id: applied.message_id,
            status: applied.status.key().to_owned(),
            error: applied
                .error
                .clone()
                .map(|(code, title, detail)| MessageError {
                    code,
                    title,
                    detail,
                }),
            at: applied.at,
        }),
        E::Conversation { conversation } => LiveEvent::Conversation {
            conversation: conversation_dto(conversation, now),
        },
        E::Notification { notification } => LiveEvent::Notification {
            notification: crate::routes::notifications::dto(notification.clone()),
        },
    }
}

/// The request's message in the application's terms.
pub fn outgoing(request: SendMessageRequest) -> Outgoing {
    use providers::message::{ListRow, ListSection, ReplyButton};
    let content = match request.content {
        SendContent::Text { text } => OutgoingContent::Text { text },
        SendContent::Media { media_id, caption } => OutgoingContent::Media { media_id, caption },
        SendContent::Template {
            template_id,
            variables,
        } => OutgoingContent::Template {
            template_id,
            variables,
        },
        SendContent::Buttons { body, buttons } => OutgoingContent::Buttons {
            body,
            buttons: buttons
                .into_iter()
                .map(|b| ReplyButton {
                    id: b.id,
                    title: b.title,
                })
                .collect(),
        },
        SendContent::List {
            body,
            button,
            sections,
        } => OutgoingContent::List {
            body,
            button,
            sections: sections
                .into_iter()
                .map(|s| ListSection {
                    title: s.title,
                    rows: s
                        .rows
                        .into_iter()
                        .map(|r| ListRow {
                            id: r.id,
                            title: r.title,
                            description: r.description,
                        })
                        .collect(),
                })
                .collect(),
        },
    };
    Outgoing {
        content,
        reply_to: request.reply_to,
    }
}
