//! Conversations and their messages, as handlers and workers share them:
//! turning a provider's inbound message or status report into stored
//! effects, notifications and live events; sending a person's (or the
//! system's) message through the channel's provider; read receipts.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::channel::{Channel, Provider};
use domain::conversation::{window_open, Actor, ControlError, MessageStatus};
use domain::media::MediaKind;
use domain::permissions::{Action, Module, Permission};
use domain::template::{Binding, Header, TemplateStatus};
use domain::{ChannelId, TenantId};
use providers::message::{
    ListMessage, ListSection, MediaMessage, MediaSource, MessageContent, OutgoingMessage,
    ReplyButton, ReplyButtons, TemplateButtonKind, TemplateComponent, TemplateMessage,
    TemplateParameter,
};
use providers::webhook::DeliveryStatus;
use providers::webhook::{InboundContent, InboundMedia, InboundMessage, StatusUpdate};
use providers::{ProviderError, WebhookEvent};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{
    ConversationRecord, InboundOutcome, MediaRecord, MessageView, NewInbound, NewMedia,
    NewOutbound, StatusOutcome, StatusReport,
};
use uuid::Uuid;

use crate::channel_provider;
use crate::error::AppError;
use crate::live::{Audience, LiveEvent};
use crate::media_store::MediaStore;
use crate::App;

/// A stored message as its readers see it: with its gallery file, or
/// without one when the file was deleted from the gallery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShownMessage {
    pub view: MessageView,
    pub media: Option<MediaRecord>,
}

/// Looks up the gallery files of `views` (each file once).
pub async fn with_files(
    app: &App,
    tenant: TenantId,
    views: Vec<MessageView>,
) -> Result<Vec<ShownMessage>, AppError> {
    let mut media: HashMap<Uuid, Option<MediaRecord>> = HashMap::new();
    for id in views.iter().filter_map(|v| v.message.media_id) {
        if media.contains_key(&id) {
            continue;
        }
        let found = match app.store.media(tenant, id).await {
            Ok(r) => Some(r),
            // A file deleted from the gallery leaves the message without it.
            Err(store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        media.insert(id, found);
    }
    Ok(views
        .into_iter()
        .map(|view| {
            let file = view
                .message
                .media_id
                .and_then(|id| media.get(&id).cloned().flatten());
            ShownMessage { view, media: file }
        })
        .collect())
}

/// A message to send in a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub content: OutgoingContent,
    /// A message of this conversation to quote.
    pub reply_to: Option<Uuid>,
}

/// What a person (or the system) sends.
#[derive(Debug, Clone, PartialEq)]
pub enum OutgoingContent {
    Text {
        text: String,
    },
    /// A gallery file, with a caption for images, videos and documents.
    Media {
        media_id: Uuid,
        caption: Option<String>,
    },
    /// An approved template; `variables` fill it, keyed as the template
    /// preview names them (`body.1`, `header.1`, `buttons[0]`).
    Template {
        template_id: Uuid,
        variables: BTreeMap<String, String>,
    },
    /// Up to three reply buttons under a text.
    Buttons {
        body: String,
        buttons: Vec<ReplyButton>,
    },
    /// A menu of rows in sections, opened by a button.
    List {
        body: String,
        button: String,
        sections: Vec<ListSection>,
    },
}

// ----- inbound -------------------------------------------------------------

/// What an inbound message is stored as: kind, text, details, file.
fn inbound_parts(
    m: &InboundMessage,
) -> (
    String,
    Option<String>,
    serde_json::Value,
    Option<&InboundMedia>,
    Option<String>,
) {
    let context = m.context.as_ref().map(|c| c.message_id.clone());
    match &m.content {
        InboundContent::Text { body } => {
            ("text".into(), Some(body.clone()), json!({}), None, context)
        }
        InboundContent::Media { items, caption } => {
            let first = items.first();
            (
                media_kind(&m.kind, first),
                caption.clone(),
                json!({ "voice": first.is_some_and(|i| i.voice), "files": items.len() }),
                first,
                context,
            )
        }
        InboundContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => (
            "location".into(),
            name.clone().or_else(|| address.clone()),
            json!({"latitude": latitude, "longitude": longitude, "name": name, "address": address}),
            None,
            context,
        ),
        InboundContent::Button { payload, text } => (
            "button".into(),
            text.clone().or_else(|| payload.clone()),
            json!({ "payload": payload }),
            None,
            context,
        ),
        InboundContent::ButtonReply { id, title } => (
            "button_reply".into(),
            Some(title.clone()),
            json!({ "reply_id": id }),
            None,
            context,
        ),
        InboundContent::ListReply {
            id,
            title,
            description,
        } => (
            "list_reply".into(),
            Some(title.clone()),
            json!({ "reply_id": id, "description": description }),
            None,
            context,
        ),
        // A reaction points at the message it is on.
        InboundContent::Reaction { message_id, emoji } => (
            "reaction".into(),
            None,
            json!({ "reaction": emoji }),
            None,
            Some(message_id.clone()),
        ),
        InboundContent::Unsupported { errors } => (
            "unsupported".into(),
            None,
            json!({ "errors": errors.iter().map(|e| format!("{} ({})", e.title, e.code)).collect::<Vec<_>>() }),
            None,
            context,
        ),
        InboundContent::Other if m.kind == "contacts" => {
            let lines: Vec<String> = m
                .raw
                .get("contacts")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .map(|c| {
                    let name = c
                        .pointer("/name/formatted_name")
                        .and_then(|n| n.as_str())
                        .unwrap_or("Contact");
                    let phones: Vec<&str> = c
                        .get("phones")
                        .and_then(|p| p.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.get("phone").and_then(|v| v.as_str()))
                        .collect();
                    if phones.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{name}: {}", phones.join(", "))
                    }
                })
                .collect();
            (
                "contacts".into(),
                lines.first().cloned(),
                json!({ "contacts": lines }),
                None,
                context,
            )
        }
        InboundContent::Other => (m.kind.clone(), None, json!({}), None, context),
    }
}

/// A file's message kind: the provider's when it names one (Meta), else
/// from the file's type (Twilio says only "media").
fn media_kind(provider_kind: &str, item: Option<&InboundMedia>) -> String {
    match provider_kind {
        "image" | "video" | "audio" | "document" | "sticker" => provider_kind.to_owned(),
        _ => item
            .and_then(|i| i.mime_type.as_deref())
            .map(|mime| match mime.split('/').next().unwrap_or_default() {
                "image" => "image",
                "video" => "video",
                "audio" => "audio",
                _ => "document",
            })
            .unwrap_or("document")
            .to_owned(),
    }
}

/// A message as stored: one per file when a customer sends several at once
/// (Twilio puts up to ten in one message); the first keeps the provider's
/// id and the caption, the others get `{id}:2`, `{id}:3`...
struct Piece<'a> {
    provider_id: String,
    kind: String,
    body: Option<String>,
    content: serde_json::Value,
    media: Option<&'a InboundMedia>,
    reply_to: Option<String>,
}

fn inbound_pieces(m: &InboundMessage) -> Vec<Piece<'_>> {
    let (kind, body, content, media, reply_to) = inbound_parts(m);
    let mut pieces = vec![Piece {
        provider_id: m.id.clone(),
        kind,
        body,
        content,
        media,
        reply_to,
    }];
    if let InboundContent::Media { items, .. } = &m.content {
        for (i, item) in items.iter().enumerate().skip(1) {
            pieces.push(Piece {
                provider_id: format!("{}:{}", m.id, i + 1),
                kind: media_kind(&m.kind, Some(item)),
                body: None,
                content: json!({ "voice": item.voice }),
                media: Some(item),
                reply_to: None,
            });
        }
    }
    pieces
}

/// Fetches a customer's file from the provider into the gallery.
async fn save_inbound_media(
    app: &App,
    channel: &Channel,
    kind: &str,
    item: &InboundMedia,
    at: DateTime<Utc>,
) -> Result<Uuid, String> {
    let adapter = channel_provider::adapter(app, channel, &channel.published)
        .map_err(|e| format!("the channel cannot reach its provider: {e:?}"))?;
    let file = adapter
        .download_media(item)
        .await
        .map_err(|e| format!("downloading the customer's file failed: {e}"))?;
    if file.bytes.is_empty() {
        return Err("the provider answered an empty file".into());
    }
    let name_hint = item.filename.clone().unwrap_or_default();
    let sniffed = domain::media::sniff(&file.bytes, &name_hint).ok();
    let media_kind = sniffed
        .map(|s| s.kind)
        .or_else(|| MediaKind::parse(kind))
        .unwrap_or(MediaKind::Document);
    // Only what the bytes are counts: a provider's declared type is how an
    // HTML or SVG "document" would later render on our origin.
    let mime_type = domain::media::stored_type(sniffed.as_ref()).to_owned();
    let extension = sniffed.map(|s| s.extension).unwrap_or("bin");
    let name = item
        .filename
        .clone()
        .filter(|n| domain::media::check_name(n).is_ok())
        .unwrap_or_else(|| format!("{kind}-{}.{extension}", at.format("%Y%m%d-%H%M%S")));
    let id = Uuid::now_v7();
    let key = MediaStore::key(channel.tenant_id, id);
    let size = file.bytes.len() as u64;
    let dimensions = domain::media::dimensions(&file.bytes, &mime_type);
    let sha256 = crate::sha256_hex(&file.bytes);
    app.media
        .put(&key, file.bytes.into())
        .await
        .map_err(|e| format!("saving the customer's file failed: {e:?}"))?;
    let new = NewMedia {
        id,
        name,
        kind: media_kind,
        mime_type,
        size_bytes: size,
        width: dimensions.map(|(w, _)| w),
        height: dimensions.map(|(_, h)| h),
        object_key: key.clone(),
        sha256: Some(sha256),
        created_by: None,
    };
    if let Err(e) = app.store.create_media(channel.tenant_id, &new).await {
        let _ = app.media.delete(&key).await;
        return Err(format!("recording the customer's file failed: {e}"));
    }
    Ok(id)
}

/// Applies one stored `message` webhook event. An error leaves the event
/// to be retried (a file that could not be fetched, a database hiccup).
pub async fn apply_inbound(
    app: &App,
    tenant: TenantId,
    channel_id: ChannelId,
    payload: &str,
) -> Result<(), String> {
    let WebhookEvent::Message(m) = serde_json::from_str(payload).map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let Ok(phone) = domain::contact::parse_whatsapp_id(&m.from) else {
        tracing::warn!(from = %m.from, "an inbound message from a number that is not a phone number; kept in the event log only");
        return Ok(());
    };
    let at = m
        .timestamp
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    let pieces = inbound_pieces(&m);
    // The channel's credentials fetch files; a text needs none.
    let channel = if pieces.iter().any(|p| p.media.is_some()) {
        Some(
            app.store
                .channel(tenant, channel_id)
                .await
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    let mut first = None;
    for (n, piece) in pieces.into_iter().enumerate() {
        // A retry after one file failed: the files stored before are not
        // fetched again.
        if piece.media.is_some()
            && app
                .store
                .has_provider_message(tenant, &piece.provider_id)
                .await
                .map_err(|e| e.to_string())?
        {
            continue;
        }
        let media_id = match (piece.media, &channel) {
            (Some(item), Some(channel)) => {
                Some(save_inbound_media(app, channel, &piece.kind, item, at).await?)
            }
            _ => None,
        };
        let new = NewInbound {
            channel_id,
            phone: phone.clone(),
            profile_name: m.profile_name.clone(),
            provider_message_id: piece.provider_id,
            kind: piece.kind,
            body: piece.body,
            content: piece.content,
            media_id,
            reply_to_provider_id: piece.reply_to,
            // The files of one message keep their order in the thread.
            at: at + chrono::Duration::milliseconds(i64::try_from(n).unwrap_or(0)),
        };
        let outcome = app
            .store
            .record_inbound(tenant, &new)
            .await
            .map_err(|e| e.to_string())?;
        let stored = publish_inbound(app, tenant, outcome).await?;
        first = first.or(Some(stored));
    }
    // One notice for what the customer sent, however many files it held.
    if let Some(Some(stored)) = first {
        notify_inbound(app, tenant, stored).await;
    }
    Ok(())
}

/// What a stored inbound message means for notifications.
struct StoredInbound {
    conversation: ConversationRecord,
    preview: String,
    new_conversation: bool,
    controller: Option<Uuid>,
    previous_state: Option<domain::conversation::ConversationState>,
}

/// Sends a stored message to the open conversation views; `None` for a duplicate.
async fn publish_inbound(
    app: &App,
    tenant: TenantId,
    outcome: InboundOutcome,
) -> Result<Option<StoredInbound>, String> {
    let InboundOutcome::Stored {
        conversation,
        message,
        new_conversation,
        controller,
        previous_state,
    } = outcome
    else {
        return Ok(None);
    };
    let preview =
        domain::conversation::preview(&message.message.kind, message.message.body.as_deref());
    let shown = with_files(app, tenant, vec![*message])
        .await
        .map_err(|e| e.to_string())?
        .pop()
        .ok_or("the stored message vanished")?;
    app.live
        .publish(
            tenant.0,
            Audience::Conversations {
                controller: conversation.control.controller,
            },
            LiveEvent::Message {
                message: Box::new(shown),
                conversation: conversation.clone(),
            },
        )
        .await;
    Ok(Some(StoredInbound {
        conversation: *conversation,
        preview,
        new_conversation,
        controller,
        previous_state,
    }))
}

/// A new conversation tells everyone who works conversations; a message
/// in a controlled one tells its controller; a handoff is announced.
async fn notify_inbound(app: &App, tenant: TenantId, stored: StoredInbound) {
    let StoredInbound {
        conversation,
        preview,
        new_conversation,
        controller,
        previous_state,
    } = stored;
    if let Some(before) = previous_state {
        notify_if_handoff(app, before, &conversation).await;
    }
    let (name, id) = (&conversation.contact_name, conversation.id);
    if new_conversation {
        let notice = domain::notification::new_conversation(name, id, &preview);
        notify(app, tenant, &notice, None).await;
    } else if let Some(controller) = controller {
        let notice = domain::notification::new_message(name, id, &preview);
        notify(app, tenant, &notice, Some(controller)).await;
    }
}

/// Tells the people who work conversations when one starts waiting for a
/// person (the customer or the flow asked, or it was released with the
/// chatbot off).
pub async fn notify_if_handoff(
    app: &App,
    before: domain::conversation::ConversationState,
    after: &ConversationRecord,
) {
    use domain::conversation::ConversationState::Requesting;
    if before == Requesting || after.control.state != Requesting {
        return;
    }
    let notice =
        domain::notification::handoff_requested(&after.contact_name, after.id, &after.last_preview);
    notify(app, after.tenant_id, &notice, None).await;
}

/// Raises a notification (to everyone in its audience, or to one person)
/// and pushes it to their streams. Failing to notify loses no message.
pub async fn notify(
    app: &App,
    tenant: TenantId,
    notice: &domain::notification::Notice,
    only: Option<Uuid>,
) {
    let sent = match only {
        Some(user) => app.store.notify_user(tenant, user, notice).await,
        None => app.store.notify_all(tenant, notice).await,
    };
    match sent {
        Ok(list) => {
            for (user, n) in list {
                app.live
                    .publish(
                        tenant.0,
                        Audience::User { id: user },
                        LiveEvent::Notification { notification: n },
                    )
                    .await;
            }
        }
        Err(e) => tracing::warn!(error = %e, kind = notice.kind, "raising a notification failed"),
    }
}

fn status_of(status: &DeliveryStatus) -> Option<MessageStatus> {
    match status {
        DeliveryStatus::Sent => Some(MessageStatus::Sent),
        DeliveryStatus::Delivered => Some(MessageStatus::Delivered),
        DeliveryStatus::Read => Some(MessageStatus::Read),
        DeliveryStatus::Failed => Some(MessageStatus::Failed),
        DeliveryStatus::Queued | DeliveryStatus::Other => None,
    }
}

/// What became of a status report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusApplied {
    /// Applied, or nothing to do (an old report, a status we do not show).
    Done,
    /// No message with this provider id is stored yet (the send may still
    /// be saving it): the report waits for it and is never dropped.
    WaitsFor(String),
}

/// The report a stored `status` event carries; `None` for one that
/// carries nothing to apply (a status we do not show).
pub fn status_report(payload: &str) -> Result<Option<StatusReport>, String> {
    let WebhookEvent::Status(update) = serde_json::from_str(payload).map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let StatusUpdate {
        message_id,
        status,
        timestamp,
        callback_data,
        errors,
        ..
    } = update;
    let Some(status) = status_of(&status) else {
        return Ok(None);
    };
    let at = timestamp
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    let error = errors
        .first()
        .map(|e| (e.code.clone(), e.title.clone(), e.details.clone()));
    let our_id = callback_data
        .as_deref()
        .and_then(|d| Uuid::parse_str(d).ok());
    Ok(Some(StatusReport {
        provider_message_id: message_id,
        our_id,
        status,
        error,
        at,
    }))
}

/// Applies one stored `status` event. A report that goes backwards (read,
/// then delivered) changes nothing; one for a message not stored yet
/// answers [`StatusApplied::WaitsFor`].
pub async fn apply_status(
    app: &App,
    tenant: TenantId,
    payload: &str,
) -> Result<StatusApplied, String> {
    let Some(report) = status_report(payload)? else {
        return Ok(StatusApplied::Done);
    };
    let mut applied = apply_statuses(app, tenant, std::slice::from_ref(&report)).await?;
    Ok(applied.pop().unwrap_or(StatusApplied::Done))
}

/// Applies a tenant's status reports, in order, in one go (see
/// [`store::Store::apply_message_statuses`]); every move is shown on the
/// live streams, and a failed send is told to whoever sent it. Answers one
/// outcome per report.
pub async fn apply_statuses(
    app: &App,
    tenant: TenantId,
    reports: &[StatusReport],
) -> Result<Vec<StatusApplied>, String> {
    let outcomes = app
        .store
        .apply_message_statuses(tenant, reports)
        .await
        .map_err(|e| e.to_string())?;
    let mut answers = Vec::with_capacity(outcomes.len());
    let mut shown = Vec::new();
    let mut failed = Vec::new();
    for (report, outcome) in reports.iter().zip(outcomes) {
        match outcome {
            StatusOutcome::Moved {
                applied,
                controller,
            } => {
                if applied.status == MessageStatus::Failed {
                    failed.push(applied.clone());
                }
                // Who may see it: only the controller is needed for a tick.
                shown.push((
                    tenant.0,
                    Audience::Conversations { controller },
                    LiveEvent::Status(applied),
                ));
                answers.push(StatusApplied::Done);
            }
            StatusOutcome::Unchanged => answers.push(StatusApplied::Done),
            StatusOutcome::Unknown => {
                answers.push(StatusApplied::WaitsFor(report.provider_message_id.clone()))
            }
        }
    }
    app.live.publish_many(shown).await;
    for applied in failed {
        if let (Ok(conversation), Ok(message)) = (
            app.store
                .conversation(tenant, applied.conversation_id)
                .await,
            app.store.message(tenant, applied.message_id).await,
        ) {
            let (code, title, _) = applied.error.unwrap_or_default();
            let notice = send_failed_notice(&conversation, &code, &title);
            notify(
                app,
                tenant,
                &notice,
                message.sent_by.or(conversation.control.controller),
            )
            .await;
        }
    }
    Ok(answers)
}

fn send_failed_notice(
    conversation: &ConversationRecord,
    code: &str,
    title: &str,
) -> domain::notification::Notice {
    domain::notification::send_failed(&conversation.contact_name, conversation.id, code, title)
}

// ----- sending ---------------------------------------------------------------

fn window_closed() -> AppError {
    AppError::Unprocessable {
        code: "window_closed",
        detail: "The customer last wrote more than 24 hours ago, so WhatsApp only accepts an \
                 approved template until they write again."
            .into(),
    }
}

fn provider_title(err: &ProviderError) -> &'static str {
    match err {
        ProviderError::RateLimited { .. } => "Too many messages right now",
        ProviderError::PairRateLimited { .. } => "Too many messages to this customer",
        ProviderError::WindowClosed { .. } => "The 24-hour window is closed",
        ProviderError::InvalidCredentials { .. } => "The channel's credentials were refused",
        ProviderError::Retryable { .. } => "The provider is unavailable",
        ProviderError::Permanent { .. } => "The provider refused the message",
        ProviderError::Invalid { .. } => "The message breaks a WhatsApp rule",
        ProviderError::Unknown { .. } => "No answer from the provider",
        ProviderError::Unsupported { .. } => "The channel cannot send this",
    }
}

/// What will be stored and what will be sent.
struct Prepared {
    stored: NewOutbound,
    content: MessageContent,
    needs_window: bool,
}

async fn media_source(
    app: &App,
    channel: &Channel,
    record: &store::MediaRecord,
) -> Result<MediaSource, AppError> {
    if channel.provider.speaks_graph_api() {
        let (upload, _) = crate::media::ensure_on_channel(app, channel, record).await?;
        Ok(MediaSource::Id(upload.provider_media_id))
    } else {
        // Twilio fetches the file by link.
        let (path, _) = app
            .media_urls
            .link(record.tenant_id.0, record.id, Utc::now());
        Ok(MediaSource::Link(format!(
            "{}{path}",
            app.settings.public_url.trim_end_matches('/')
        )))
    }
}

async fn prepare(
    app: &App,
    tenant: TenantId,
    channel: &Channel,
    conversation: &ConversationRecord,
    content: &OutgoingContent,
    sent_by: Option<Uuid>,
) -> Result<Prepared, AppError> {
    let base = |kind: &str, body: Option<String>, content: serde_json::Value| NewOutbound {
        kind: kind.to_owned(),
        body,
        content,
        media_id: None,
        reply_to_id: None,
        sent_by,
    };
    Ok(match content {
        OutgoingContent::Text { text } => {
            if text.trim().is_empty() {
                return Err(AppError::field("content.text", "Write a message."));
            }
            Prepared {
                stored: base("text", Some(text.clone()), json!({})),
                content: MessageContent::Text {
                    body: text.clone(),
                    preview_url: text.contains("http"),
                },
                needs_window: true,
            }
        }
        OutgoingContent::Media { media_id, caption } => {
            let record =
                app.store
                    .media(tenant, *media_id)
                    .await
                    .map_err(AppError::missing_as_field(
                        "content.media_id",
                        "This file is not in the media gallery.",
                    ))?;
            let kind = match record.kind {
                MediaKind::Image => providers::message::MediaKind::Image,
                MediaKind::Video => providers::message::MediaKind::Video,
                MediaKind::Audio => providers::message::MediaKind::Audio,
                MediaKind::Document => providers::message::MediaKind::Document,
                MediaKind::Sticker => providers::message::MediaKind::Sticker,
            };
            let caption = caption.clone().filter(|c| !c.trim().is_empty());
            if caption.is_some() && matches!(record.kind, MediaKind::Audio | MediaKind::Sticker) {
                return Err(AppError::field(
                    "content.caption",
                    "Audio and stickers cannot have a caption.",
                ));
            }
            let source = media_source(app, channel, &record).await?;
            let mut stored = base(record.kind.key(), caption.clone(), json!({}));
            stored.media_id = Some(record.id);
            Prepared {
                stored,
                content: MessageContent::Media(MediaMessage {
                    kind,
                    source,
                    caption,
                    filename: (record.kind == MediaKind::Document).then(|| record.name.clone()),
                }),
                needs_window: true,
            }
        }
        OutgoingContent::Template {
            template_id,
            variables,
        } => {
            prepare_template(
                app,
                tenant,
                channel,
                conversation.contact_id,
                *template_id,
                variables,
                sent_by,
            )
            .await?
        }
        OutgoingContent::Buttons { body, buttons } => Prepared {
            stored: base(
                "interactive",
                Some(body.clone()),
                json!({ "options": buttons.iter().map(|b| b.title.clone()).collect::<Vec<_>>() }),
            ),
            content: MessageContent::Buttons(ReplyButtons {
                header: None,
                body: body.clone(),
                footer: None,
                buttons: buttons.clone(),
            }),
            needs_window: true,
        },
        OutgoingContent::List {
            body,
            button,
            sections,
        } => Prepared {
            stored: base(
                "interactive",
                Some(body.clone()),
                json!({ "options": sections.iter().flat_map(|s| s.rows.iter().map(|r| r.title.clone())).collect::<Vec<_>>() }),
            ),
            content: MessageContent::List(ListMessage {
                header: None,
                body: body.clone(),
                footer: None,
                button: button.clone(),
                sections: sections.clone(),
            }),
            needs_window: true,
        },
    })
}

/// Whether the person may act on every conversation (`conversations.edit`).
pub fn acts_on_all(member: &domain::team::Member) -> bool {
    member
        .role
        .permissions
        .contains(Permission::new(Module::Conversations, Action::Edit))
}

pub fn actor_of(member: &domain::team::Member) -> Actor {
    Actor {
        user: member.user.id.0,
        act_on_all: acts_on_all(member),
    }
}

/// A refused control transition in the caller's words (409).
pub fn control_error(e: ControlError) -> AppError {
    AppError::Conflict {
        code: e.code(),
        detail: match e {
            ControlError::NotController => {
                "Take control of the conversation first; only the person in control can do this."
                    .into()
            }
            ControlError::ControlledByOther => {
                "Someone else controls this conversation; ask them to transfer it.".into()
            }
            ControlError::NotResolved => "The conversation is not resolved.".into(),
            ControlError::AlreadyResolved => "The conversation is already resolved.".into(),
        },
    }
}

/// An approved template of `channel` rendered for the contact with
/// `variables`: the provider's components and what the conversation stores.
/// Missing variables answer 422 with a field per variable.
async fn prepare_template(
    app: &App,
    tenant: TenantId,
    channel: &Channel,
    contact_id: Uuid,
    template_id: Uuid,
    variables: &BTreeMap<String, String>,
    sent_by: Option<Uuid>,
) -> Result<Prepared, AppError> {
    let template =
        app.store
            .template(tenant, template_id)
            .await
            .map_err(AppError::missing_as_field(
                "content.template_id",
                "There is no such template.",
            ))?;
    if template.status != TemplateStatus::Approved {
        return Err(AppError::field(
            "content.template_id",
            "Only approved templates can be sent.",
        ));
    }
    if template.channel_id != channel.id {
        return Err(AppError::field(
            "content.template_id",
            "This template belongs to another channel.",
        ));
    }
    let contact = app.store.contact(tenant, contact_id).await?;
    let bindings: BTreeMap<String, Binding> = variables
        .iter()
        .map(|(k, v)| (k.clone(), Binding::Fixed { value: v.clone() }))
        .collect();
    let rendered = domain::template::render(&template.content, &bindings, Some(&contact));
    if !rendered.complete() {
        let mut errors = domain::account::FieldErrors::default();
        for key in rendered.problems.keys() {
            errors.add(
                &format!("content.variables.{key}"),
                "Fill in this variable.",
            );
        }
        return Err(AppError::Validation(errors));
    }
    let named = template.content.parameter_format == domain::template::ParameterFormat::Named;
    let mut components = Vec::new();
    match &template.content.header {
        Header::Text { .. } if !rendered.header_values.is_empty() => {
            components.push(TemplateComponent::Header {
                parameters: rendered
                    .header_values
                    .iter()
                    .map(|v| TemplateParameter::text(v.clone()))
                    .collect(),
            });
        }
        Header::Image { media_id } | Header::Video { media_id } | Header::Document { media_id } => {
            let Some(media_id) = media_id else {
                return Err(AppError::field(
                    "content.template_id",
                    "The template's header file is missing.",
                ));
            };
            let record = app.store.media(tenant, *media_id).await?;
            let source = media_source(app, channel, &record).await?;
            let parameter = match &template.content.header {
                Header::Image { .. } => TemplateParameter::Image { source },
                Header::Video { .. } => TemplateParameter::Video { source },
                _ => TemplateParameter::Document {
                    source,
                    filename: Some(record.name.clone()),
                },
            };
            components.push(TemplateComponent::Header {
                parameters: vec![parameter],
            });
        }
        _ => {}
    }
    if !rendered.body_values.is_empty() {
        components.push(TemplateComponent::Body {
            parameters: rendered
                .body_values
                .iter()
                .map(|(name, value)| TemplateParameter::Text {
                    text: value.clone(),
                    name: named.then(|| name.clone()),
                })
                .collect(),
        });
    }
    for (index, value) in &rendered.url_values {
        components.push(TemplateComponent::Button {
            sub_type: TemplateButtonKind::Url,
            index: u32::try_from(*index).unwrap_or(0),
            parameters: vec![TemplateParameter::text(value.clone())],
        });
    }
    let name = match channel.provider {
        Provider::Twilio => template.provider_id.clone().unwrap_or_default(),
        _ => template.content.name.clone(),
    };
    let label = format!("{} ({})", template.content.name, template.content.language);
    let mut text = rendered.body.clone();
    if let Some(header) = rendered.header.as_ref().filter(|h| !h.is_empty()) {
        text = format!("*{header}*\n{text}");
    }
    let options: Vec<String> = template
        .content
        .buttons
        .iter()
        .map(|b| match b {
            domain::template::Button::QuickReply { text }
            | domain::template::Button::Url { text, .. }
            | domain::template::Button::PhoneNumber { text, .. } => text.clone(),
            domain::template::Button::CopyCode { .. } => "Copy code".to_owned(),
        })
        .collect();
    let mut stored = NewOutbound {
        kind: "template".to_owned(),
        body: Some(text),
        content: json!({ "template": label, "options": options, "template_id": template.id }),
        media_id: None,
        reply_to_id: None,
        sent_by,
    };
    if let Header::Image { media_id } | Header::Video { media_id } | Header::Document { media_id } =
        &template.content.header
    {
        stored.media_id = *media_id;
    }
    Ok(Prepared {
        stored,
        content: MessageContent::Template(TemplateMessage {
            name,
            language: template.content.language.clone(),
            components,
        }),
        needs_window: false,
    })
}

/// Sends a person's message in a conversation: the control and window
/// rules first, then the message is stored as pending, handed to the
/// provider, and marked with its id or its failure.
pub async fn send(
    app: &App,
    member: &domain::team::Member,
    conversation_id: Uuid,
    request: &Outgoing,
) -> Result<ShownMessage, AppError> {
    let tenant = member.tenant_id;
    let actor = actor_of(member);
    let conversation = app.store.conversation(tenant, conversation_id).await?;
    conversation
        .control
        .may_steer(actor)
        .map_err(control_error)?;
    deliver(app, tenant, conversation, request, Some(actor)).await
}

/// Sends a text of the system's own (the session behaviour's questions):
/// no person sends it, so no control rule applies and nobody takes
/// control; the window rule does.
pub async fn send_system_text(
    app: &App,
    tenant: TenantId,
    conversation_id: Uuid,
    text: &str,
) -> Result<ShownMessage, AppError> {
    let conversation = app.store.conversation(tenant, conversation_id).await?;
    let request = Outgoing {
        content: OutgoingContent::Text {
            text: text.to_owned(),
        },
        reply_to: None,
    };
    deliver(app, tenant, conversation, &request, None).await
}

/// The body of a send once the sender may send: the window, the quote and
/// WhatsApp's limits are checked, the message is stored as pending, handed
/// to the provider, marked with its id or failure, and published live.
/// `actor` is the person sending, `None` for the system.
async fn deliver(
    app: &App,
    tenant: TenantId,
    mut conversation: ConversationRecord,
    request: &Outgoing,
    actor: Option<Actor>,
) -> Result<ShownMessage, AppError> {
    let sender = actor.map(|a| a.user);
    let channel = app.store.channel(tenant, conversation.channel_id).await?;
    let mut prepared = prepare(
        app,
        tenant,
        &channel,
        &conversation,
        &request.content,
        sender,
    )
    .await?;
    if prepared.needs_window && !window_open(conversation.last_inbound_at, Utc::now()) {
        return Err(window_closed());
    }
    let mut outgoing = OutgoingMessage::new(conversation.contact_phone.clone(), prepared.content);
    if let Some(reply_to) = request.reply_to {
        let quoted = match app.store.message(tenant, reply_to).await {
            Ok(m) if m.conversation_id == conversation.id => m,
            Ok(_) | Err(store::StoreError::NotFound) => {
                return Err(AppError::field(
                    "reply_to",
                    "Quote a message of this conversation.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        prepared.stored.reply_to_id = Some(quoted.id);
        if let Some(provider_id) = quoted.provider_message_id {
            outgoing = outgoing.replying_to(provider_id);
        }
    }
    // Our own checks of WhatsApp's limits answer 422 before anything is stored.
    outgoing.check().map_err(|e| AppError::Unprocessable {
        code: "invalid_message",
        detail: e.to_string(),
    })?;
    // Someone acting on all conversations takes an unattended one by replying.
    if let Some(actor) = actor.filter(|_| conversation.control.controller.is_none()) {
        if let Ok(taken) = conversation.control.take_control(actor) {
            conversation = app
                .store
                .set_control(
                    tenant,
                    conversation.id,
                    taken,
                    Some(("took_control", "Took control by replying")),
                    actor.user,
                )
                .await?;
        }
    }
    let stored = app
        .store
        .create_outbound(tenant, conversation.id, &prepared.stored)
        .await?;
    let outgoing = outgoing.with_callback_data(stored.id.to_string());
    let adapter = channel_provider::adapter(app, &channel, &channel.published)?;
    match adapter.send(&outgoing).await {
        Ok(accepted) => {
            app.store
                .outbound_accepted(tenant, stored.id, &accepted.provider_message_id)
                .await?;
        }
        Err(err) => {
            if channel_provider::is_credential_failure(&err) {
                channel_provider::record_failure(app, &channel, &err).await?;
            }
            let detail = err.to_string();
            app.store
                .outbound_failed(
                    tenant,
                    stored.id,
                    err.code(),
                    provider_title(&err),
                    Some(&detail),
                )
                .await?;
            let notice = send_failed_notice(&conversation, err.code(), provider_title(&err));
            // The system's failures go to whoever controls the conversation,
            // or to everyone who reads conversations.
            notify(
                app,
                tenant,
                &notice,
                sender.or(conversation.control.controller),
            )
            .await;
        }
    }
    let view = app
        .store
        .message_view(tenant, sender.unwrap_or(Uuid::nil()), stored.id)
        .await?;
    let message = with_files(app, tenant, vec![view])
        .await?
        .pop()
        .ok_or(AppError::Internal("the sent message vanished".into()))?;
    let conversation = app.store.conversation(tenant, conversation.id).await?;
    app.live
        .publish(
            tenant.0,
            Audience::Conversations {
                controller: conversation.control.controller,
            },
            LiveEvent::Message {
                message: Box::new(message.clone()),
                conversation: Box::new(conversation),
            },
        )
        .await;
    Ok(message)
}

/// Sends the read receipt for the customer's latest message (WhatsApp marks
/// everything before it read too). A failure is logged, not shown.
pub async fn send_read_receipt(app: &App, channel: &Channel, provider_message_id: &str) {
    let adapter = match channel_provider::adapter(app, channel, &channel.published) {
        Ok(adapter) => adapter,
        Err(_) => return,
    };
    if let Err(e) = adapter.mark_read(provider_message_id).await {
        tracing::info!(error = %e, channel = %channel.id.0, "a read receipt was not accepted");
    }
}

/// Pushes a conversation's new shape to the people who read it.
pub async fn publish_conversation(app: &App, conversation: &ConversationRecord) {
    app.live
        .publish(
            conversation.tenant_id.0,
            Audience::Conversations {
                controller: conversation.control.controller,
            },
            LiveEvent::Conversation {
                conversation: Box::new(conversation.clone()),
            },
        )
        .await;
}
