//! Conversations and their messages: sending, control (take, transfer,
//! release, resolve, reopen), the chatbot toggle, archive and delete,
//! stars, search, and the sandbox's simulated customer. ("Inbox" is kept
//! for the team inbox of the assignment work.)

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::Utc;
use contract::conversations::{
    ChatbotToggle, Conversation, ConversationPage, Message, MessagePage, PersonRef, SearchHit,
    SendMessageRequest, StarredMessage, StarredPage, TransferRequest,
};
use domain::ChannelId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::conversations::{conversation_dto, message_dto, message_dtos, outgoing};
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;
use app::conversation_control::{self, ControlAction};
use app::conversation_search::{self, ListQuery};
use app::conversations::{self, publish_conversation};
use domain::permissions::{Action, Module};

/// The conversations routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(
            perm(Module::Conversations, Action::View),
            list_conversations,
        )
        // Before `/conversations/{id}`, which would take `search` for an id.
        .add(perm(Module::Conversations, Action::View), search)
        .add(perm(Module::Conversations, Action::View), list_agents)
        .add(perm(Module::Conversations, Action::View), get_conversation)
        .add(perm(Module::Conversations, Action::View), list_messages)
        .add(perm(Module::Conversations, Action::Create), send_message)
        .add(
            perm(Module::Conversations, Action::View),
            mark_conversation_read,
        )
        .add(perm(Module::Conversations, Action::Create), take_control)
        .add(perm(Module::Conversations, Action::Create), release)
        .add(perm(Module::Conversations, Action::Create), resolve)
        .add(perm(Module::Conversations, Action::Create), reopen)
        .add(perm(Module::Conversations, Action::Create), transfer)
        .add(perm(Module::Conversations, Action::Create), set_chatbot)
        .add(
            perm(Module::Conversations, Action::Create),
            archive_conversation,
        )
        .add(
            perm(Module::Conversations, Action::Create),
            unarchive_conversation,
        )
        .add(
            perm(Module::Conversations, Action::Delete),
            delete_conversation,
        )
        .add(perm(Module::Conversations, Action::View), star)
        .add(perm(Module::Conversations, Action::View), unstar)
        .add(perm(Module::Conversations, Action::View), starred)
        .add(perm(Module::Channels, Action::Edit), simulate_inbound);
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// `bot`, `requesting`, `intervened`, `resolved` (excluding History) or
    /// `history` (no customer message for 24 hours). All when absent.
    pub tab: Option<String>,
    /// `mine`, `unassigned` or `all` (default).
    pub owner: Option<String>,
    pub channel_id: Option<Uuid>,
    /// Archived conversations instead of the others.
    #[serde(default)]
    pub archived: bool,
}

/// Conversations, most recent activity first. People whose chat sync is
/// off see only the conversations they control.
#[utoipa::path(tag = "conversations", params(ConversationQuery, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ConversationPage), Unauthenticated, Forbidden, Invalid,
))]
#[get("/conversations")]
pub async fn list_conversations(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ConversationQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<ConversationPage>, ApiError> {
    let page = page.request()?;
    let list = ListQuery {
        tab: query.tab.as_deref(),
        owner: query.owner.as_deref(),
        channel_id: query.channel_id,
        archived: query.archived,
    };
    let now = Utc::now();
    let found = conversation_search::list(&state, &auth.member, list, page, now).await?;
    Ok(web::Json(ConversationPage {
        next_cursor: next_cursor(&found, page.limit, |c| c.id),
        items: found.iter().map(|c| conversation_dto(c, now)).collect(),
        total: None,
    }))
}

/// One conversation.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Conversation), Unauthenticated, Forbidden, NotFound,
))]
#[get("/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    let c = state.store.conversation(auth.tenant(), *id).await?;
    Ok(web::Json(conversation_dto(&c, Utc::now())))
}

/// A conversation's messages, newest first; `next_cursor` reaches older ones.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path), PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = MessagePage), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[get("/conversations/{id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<MessagePage>, ApiError> {
    let page = page.request()?;
    let views = state
        .store
        .list_messages(auth.tenant(), auth.user_id().0, *id, page)
        .await?;
    let cursor = next_cursor(&views, page.limit, |v| v.message.id);
    Ok(web::Json(MessagePage {
        items: message_dtos(&state, auth.tenant(), views).await?,
        next_cursor: cursor,
        total: None,
    }))
}

/// Sends a message. Only the person in control may send, unless the role
/// has `conversations.edit` (who then takes an unattended conversation).
/// Free-form messages need the customer to have written in the last 24
/// hours (`window_closed` otherwise); templates may always be sent. A
/// provider's refusal is stored on the message (`status: failed`).
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), request_body = SendMessageRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Sent, or stored as failed with the provider's reason", body = Message),
    Unauthenticated, Forbidden, NotFound, Conflict, Invalid,
))]
#[post("/conversations/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<SendMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = outgoing(body.into_inner());
    let sent = conversations::send(&state, &auth.member, *id, &request).await?;
    Ok(HttpResponse::Created().json(message_dto(sent, &state.media_urls, Utc::now())))
}

/// Opens a conversation: clears its unread count and tells WhatsApp the
/// customer's messages were read (blue ticks on their phone).
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Read"), Unauthenticated, Forbidden, NotFound,
))]
#[post("/conversations/{id}/read")]
pub async fn mark_conversation_read(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let tenant = auth.tenant();
    if let Some(latest) = state.store.mark_conversation_read(tenant, *id).await? {
        let conversation = state.store.conversation(tenant, *id).await?;
        let channel = state.store.channel(tenant, conversation.channel_id).await?;
        conversations::send_read_receipt(&state, &channel, &latest).await;
        publish_conversation(&state, &conversation).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Answers the conversation after one change of its control.
async fn control(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
    action: ControlAction,
) -> Result<web::Json<Conversation>, ApiError> {
    let saved = conversation_control::change_control(state, &auth.member, id, action).await?;
    Ok(web::Json(conversation_dto(&saved, Utc::now())))
}

/// Takes control: the chatbot steps back and only you may send. Taking a
/// conversation someone else controls needs `conversations.edit`.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Taken", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/conversations/{id}/take-control")]
pub async fn take_control(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    control(&state, &auth, *id, ControlAction::Take).await
}

/// Gives control back to the chatbot (or to the queue when it is off).
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Released", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/conversations/{id}/release")]
pub async fn release(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    control(&state, &auth, *id, ControlAction::Release).await
}

/// Resolves the conversation; it opens again when the customer writes.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Resolved", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/conversations/{id}/resolve")]
pub async fn resolve(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    control(&state, &auth, *id, ControlAction::Resolve).await
}

/// Reopens a resolved conversation, in your control.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Reopened", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/conversations/{id}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    control(&state, &auth, *id, ControlAction::Reopen).await
}

/// Hands the conversation to another person who works conversations.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), request_body = TransferRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Transferred", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict, Invalid,
))]
#[post("/conversations/{id}/transfer")]
pub async fn transfer(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<TransferRequest>,
) -> Result<web::Json<Conversation>, ApiError> {
    let to = body.into_inner().user_id;
    let saved = conversation_control::transfer(&state, &auth.member, *id, to).await?;
    Ok(web::Json(conversation_dto(&saved, Utc::now())))
}

/// Turns the chatbot on or off for this conversation (the controller only,
/// unless the role has `conversations.edit`).
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), request_body = ChatbotToggle, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Changed", body = Conversation), Unauthenticated, Forbidden, NotFound, Conflict, Invalid,
))]
#[put("/conversations/{id}/chatbot")]
pub async fn set_chatbot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<ChatbotToggle>,
) -> Result<web::Json<Conversation>, ApiError> {
    let enabled = body.into_inner().enabled;
    let saved = conversation_control::set_chatbot(&state, &auth.member, *id, enabled).await?;
    Ok(web::Json(conversation_dto(&saved, Utc::now())))
}

async fn archive(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
    archived: bool,
) -> Result<web::Json<Conversation>, ApiError> {
    let saved = conversation_control::set_archived(state, auth.tenant(), id, archived).await?;
    Ok(web::Json(conversation_dto(&saved, Utc::now())))
}

/// Moves the conversation out of the lists (`?archived=true` shows it);
/// a new customer message brings it back.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Archived", body = Conversation), Unauthenticated, Forbidden, NotFound,
))]
#[post("/conversations/{id}/archive")]
pub async fn archive_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    archive(&state, &auth, *id, true).await
}

/// Brings an archived conversation back into the lists.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Back in the lists", body = Conversation), Unauthenticated, Forbidden, NotFound,
))]
#[post("/conversations/{id}/unarchive")]
pub async fn unarchive_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    archive(&state, &auth, *id, false).await
}

/// Deletes a conversation (owners and admins). Its messages are kept; it
/// comes back if the customer writes again.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/conversations/{id}")]
pub async fn delete_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.store.delete_conversation(auth.tenant(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Stars a message for you.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Starred"), Unauthenticated, Forbidden, NotFound,
))]
#[post("/messages/{id}/star")]
pub async fn star(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .set_star(auth.tenant(), auth.user_id().0, *id, true)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes your star.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Unstarred"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/messages/{id}/star")]
pub async fn unstar(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .set_star(auth.tenant(), auth.user_id().0, *id, false)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StarredQuery {
    pub channel_id: Option<Uuid>,
}

/// Your starred messages, most recently starred first.
#[utoipa::path(tag = "conversations", params(StarredQuery, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = StarredPage), Unauthenticated, Forbidden, Invalid,
))]
#[get("/starred")]
pub async fn starred(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<StarredQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<StarredPage>, ApiError> {
    let page = page.request()?;
    let tenant = auth.tenant();
    let found = state
        .store
        .starred(
            tenant,
            auth.user_id().0,
            query.channel_id.map(ChannelId),
            page,
        )
        .await?;
    let cursor = next_cursor(&found, page.limit, |s| s.view.message.id);
    let messages = message_dtos(
        &state,
        tenant,
        found.iter().map(|s| s.view.clone()).collect(),
    )
    .await?;
    let items = found
        .into_iter()
        .zip(messages)
        .map(|(s, message)| starred_dto(&s, message))
        .collect();
    Ok(web::Json(StarredPage {
        items,
        next_cursor: cursor,
        total: None,
    }))
}

/// A starred message with who sent it to whom: the customer and the
/// channel, or the member (the channel when nobody is named) and the customer.
fn starred_dto(s: &store::StarredRecord, message: Message) -> StarredMessage {
    let c = &s.conversation;
    let ours = message
        .sent_by
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| c.channel_name.clone());
    let (sender, recipient) = if message.direction == "inbound" {
        (c.contact_name.clone(), c.channel_name.clone())
    } else {
        (ours, c.contact_name.clone())
    };
    StarredMessage {
        message,
        channel_id: c.channel_id.0,
        channel_name: c.channel_name.clone(),
        contact_name: c.contact_name.clone(),
        sender,
        recipient,
        starred_at: s.starred_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of a message, or part of a contact's name or phone.
    pub q: String,
}

/// Conversations whose contact's name or phone matches, and messages whose
/// text contains the words (full-text), hits marked.
#[utoipa::path(tag = "conversations", params(SearchQuery), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<SearchHit>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/conversations/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<Vec<SearchHit>>, ApiError> {
    let hits = conversation_search::search(&state, auth.tenant(), &query.q).await?;
    let now = Utc::now();
    Ok(web::Json(
        hits.into_iter()
            .map(|hit| SearchHit {
                conversation: conversation_dto(&hit.conversation, now),
                message_id: hit.message_id,
                snippet: Some(hit.snippet),
                at: Some(hit.at),
            })
            .collect(),
    ))
}

/// The people a conversation can be transferred to.
#[utoipa::path(tag = "conversations", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<PersonRef>), Unauthenticated, Forbidden,
))]
#[get("/conversations/agents")]
pub async fn list_agents(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Vec<PersonRef>>, ApiError> {
    Ok(web::Json(
        state
            .store
            .conversation_agents(auth.tenant())
            .await?
            .into_iter()
            .map(|(id, name)| PersonRef { id, name })
            .collect(),
    ))
}

/// A customer's message to play through a sandbox channel.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"from": "+919812345678", "name": "Ravi Kumar", "text": "Is my order shipped?"}))]
#[serde(deny_unknown_fields)]
pub struct SimulateInbound {
    /// The customer's number, E.164.
    pub from: String,
    #[serde(default)]
    pub name: Option<String>,
    pub text: String,
    /// When the customer wrote (default now); an older time tests the
    /// 24-hour window.
    #[serde(default)]
    pub at: Option<chrono::DateTime<Utc>>,
}

#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct SimulatedInbound {
    /// The WhatsApp message id the sandbox gave it.
    pub message_id: String,
}

/// Sandbox channels only: plays a customer writing to the channel. The
/// sandbox posts a signed webhook exactly as Meta would, so the message
/// takes the real path into its conversation.
#[utoipa::path(tag = "conversations", params(("id" = Uuid, Path)), request_body = SimulateInbound, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Posted", body = SimulatedInbound), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/channels/{id}/simulate-inbound")]
pub async fn simulate_inbound(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<SimulateInbound>,
) -> Result<web::Json<SimulatedInbound>, ApiError> {
    let body = body.into_inner();
    let played = app::channel_provider::played_customer(
        &state,
        auth.tenant(),
        ChannelId(*id),
        &body.from,
        &body.text,
    )
    .await?;
    let message_id = sandbox::send_inbound_at(
        &state.sandbox,
        &played.phone_number_id,
        &played.from,
        body.name.as_deref(),
        &body.text,
        body.at.map(|t| t.timestamp()),
    )
    .await
    .map_err(|e| ApiError::Upstream {
        code: "sandbox_unavailable",
        detail: e,
    })?;
    Ok(web::Json(SimulatedInbound { message_id }))
}
