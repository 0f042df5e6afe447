//! Conversations, their messages and control, starred
//! messages, quick replies and the ticket that opens the live stream.

use contract::conversations::{
    Affected, ChatbotToggle, Conversation, ConversationPage, IdList, Message, MessagePage,
    PersonRef, QuickReply, QuickReplyInput, SearchHit, SendMessageRequest, StarredPage,
    StreamTicket, TransferRequest,
};
use uuid::Uuid;

use super::super::{encode, ApiError, Verb};
use super::Authed;

/// Which conversations the list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationQuery {
    /// `bot`, `requesting`, `intervened`, `resolved` or `history`.
    pub tab: String,
    /// `mine`, `unassigned` or `all`.
    pub owner: String,
    pub channel_id: Option<Uuid>,
    pub archived: bool,
}

/// A state change of a conversation, `POST /conversations/{id}/<action>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    TakeControl,
    Release,
    Resolve,
    Reopen,
    Archive,
    Unarchive,
}

impl ControlAction {
    pub fn path(self) -> &'static str {
        match self {
            ControlAction::TakeControl => "take-control",
            ControlAction::Release => "release",
            ControlAction::Resolve => "resolve",
            ControlAction::Reopen => "reopen",
            ControlAction::Archive => "archive",
            ControlAction::Unarchive => "unarchive",
        }
    }
}

impl Authed {
    pub async fn conversations(
        &self,
        q: &ConversationQuery,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<ConversationPage, ApiError> {
        let mut path = format!(
            "/conversations?tab={}&owner={}&archived={}&limit={limit}",
            encode(&q.tab),
            encode(&q.owner),
            q.archived
        );
        if let Some(c) = q.channel_id {
            path.push_str(&format!("&channel_id={c}"));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn conversation(&self, id: Uuid) -> Result<Conversation, ApiError> {
        self.get(&format!("/conversations/{id}")).await
    }

    /// Newest first; `next_cursor` reaches older ones.
    pub async fn messages(
        &self,
        conversation: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<MessagePage, ApiError> {
        let mut path = format!("/conversations/{conversation}/messages?limit={limit}");
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn send_message(
        &self,
        conversation: Uuid,
        req: &SendMessageRequest,
    ) -> Result<Message, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/conversations/{conversation}/messages"),
            req,
        )
        .await
    }

    pub async fn mark_conversation_read(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Post, &format!("/conversations/{id}/read"), None)
            .await
    }

    pub async fn control_conversation(
        &self,
        id: Uuid,
        action: ControlAction,
    ) -> Result<Conversation, ApiError> {
        let path = format!("/conversations/{id}/{}", action.path());
        super::super::decode(self.send(Verb::Post, &path, None).await?).await
    }

    pub async fn transfer_conversation(
        &self,
        id: Uuid,
        user_id: Uuid,
    ) -> Result<Conversation, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/conversations/{id}/transfer"),
            &TransferRequest { user_id },
        )
        .await
    }

    pub async fn set_chatbot(&self, id: Uuid, enabled: bool) -> Result<Conversation, ApiError> {
        self.with_body(
            Verb::Put,
            &format!("/conversations/{id}/chatbot"),
            &ChatbotToggle { enabled },
        )
        .await
    }

    pub async fn delete_conversation(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/conversations/{id}"), None)
            .await
    }

    /// People a conversation can be handed to.
    pub async fn conversation_agents(&self) -> Result<Vec<PersonRef>, ApiError> {
        self.get("/conversations/agents").await
    }

    pub async fn conversation_search(&self, q: &str) -> Result<Vec<SearchHit>, ApiError> {
        self.get(&format!("/conversations/search?q={}", encode(q.trim())))
            .await
    }

    pub async fn star_message(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Post, &format!("/messages/{id}/star"), None)
            .await
    }

    pub async fn unstar_message(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/messages/{id}/star"), None)
            .await
    }

    pub async fn starred(
        &self,
        channel_id: Option<Uuid>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<StarredPage, ApiError> {
        let mut path = format!("/starred?limit={limit}");
        if let Some(c) = channel_id {
            path.push_str(&format!("&channel_id={c}"));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    // --- quick replies ----------------------------------------------------------

    /// `q` matches the shortcut or the body; `channel_id` keeps those offered there.
    pub async fn quick_replies(
        &self,
        q: &str,
        channel_id: Option<Uuid>,
    ) -> Result<Vec<QuickReply>, ApiError> {
        let mut path = format!("/quick-replies?q={}", encode(q.trim()));
        if let Some(c) = channel_id {
            path.push_str(&format!("&channel_id={c}"));
        }
        self.get(&path).await
    }

    pub async fn create_quick_reply(&self, req: &QuickReplyInput) -> Result<QuickReply, ApiError> {
        self.with_body(Verb::Post, "/quick-replies", req).await
    }

    pub async fn update_quick_reply(
        &self,
        id: Uuid,
        req: &QuickReplyInput,
    ) -> Result<QuickReply, ApiError> {
        self.with_body(Verb::Put, &format!("/quick-replies/{id}"), req)
            .await
    }

    pub async fn delete_quick_reply(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/quick-replies/{id}"), None)
            .await
    }

    pub async fn bulk_delete_quick_replies(&self, ids: Vec<Uuid>) -> Result<Affected, ApiError> {
        self.with_body(Verb::Post, "/quick-replies/bulk-delete", &IdList { ids })
            .await
    }

    // --- live events ------------------------------------------------------------

    /// A single-use ticket for `GET /events?ticket=`.
    pub async fn stream_ticket(&self) -> Result<StreamTicket, ApiError> {
        super::super::decode(self.send(Verb::Post, "/events/ticket", None).await?).await
    }
}
