//! Finding conversations: the lists (tab, owner, channel, archived; people
//! whose chat sync is off see only the conversations they control), and
//! search over contacts whose name or phone matches and messages whose
//! text contains the words (full-text), each hit with the words marked.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::conversation::ConversationState;
use domain::team::Member;
use domain::{ChannelId, TenantId};
use store::{ConversationFilter, ConversationRecord, OwnerFilter, PageRequest};
use uuid::Uuid;

use crate::error::AppError;
use crate::App;

/// Which conversations a list shows, as the person asked.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    /// `bot`, `requesting`, `intervened`, `resolved` (excluding History) or
    /// `history`; all when absent or empty.
    pub tab: Option<&'a str>,
    /// `mine`, `unassigned` or `all` (default).
    pub owner: Option<&'a str>,
    pub channel_id: Option<Uuid>,
    pub archived: bool,
}

/// A page of the conversations `member` may see, most recent activity first.
pub async fn list(
    app: &App,
    member: &Member,
    query: ListQuery<'_>,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<Vec<ConversationRecord>, AppError> {
    let mut filter = ConversationFilter {
        channel_id: query.channel_id.map(ChannelId),
        archived: query.archived,
        ..ConversationFilter::default()
    };
    match query.tab.filter(|t| !t.is_empty()) {
        None => {}
        Some("history") => filter.history = Some(true),
        Some(tab) => {
            filter.state = Some(ConversationState::parse(tab).ok_or_else(|| {
                AppError::field(
                    "tab",
                    "Choose bot, requesting, intervened, resolved or history.",
                )
            })?);
            filter.history = Some(false);
        }
    }
    let me = member.user.id.0;
    filter.owner = match query.owner.filter(|o| !o.is_empty()) {
        None | Some("all") => OwnerFilter::All,
        Some("mine") => OwnerFilter::Mine(me),
        Some("unassigned") => OwnerFilter::Unassigned,
        Some(_) => return Err(AppError::field("owner", "Choose mine, unassigned or all.")),
    };
    if !member.user.profile.chat_sync {
        filter.only_controlled_by = Some(me);
    }
    Ok(app
        .store
        .list_conversations(member.tenant_id, &filter, page, now)
        .await?)
}

/// Longest query, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// One search hit: a conversation, and the message when a message matched.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub conversation: ConversationRecord,
    pub message_id: Option<Uuid>,
    /// HTML-escaped text with the words wrapped in `<mark>`.
    pub snippet: String,
    pub at: DateTime<Utc>,
}

/// Conversations of matching contacts (up to 20), then matching messages
/// (up to 50) in conversations still there.
pub async fn search(app: &App, tenant: TenantId, q: &str) -> Result<Vec<SearchHit>, AppError> {
    let q = q.trim();
    if q.is_empty() {
        return Err(AppError::field("q", "Type something to search for."));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field("q", "Use at most 200 characters."));
    }
    let now = Utc::now();
    let words: Vec<String> = q.split_whitespace().map(str::to_owned).collect();
    let mut hits = Vec::new();
    let contacts = app.store.contacts_matching(tenant, q, 50).await?;
    if !contacts.is_empty() {
        let filter = ConversationFilter {
            contact_ids: Some(contacts),
            ..ConversationFilter::default()
        };
        let page = PageRequest {
            after: None,
            limit: 20,
        };
        for c in app
            .store
            .list_conversations(tenant, &filter, page, now)
            .await?
        {
            hits.push(SearchHit {
                snippet: highlight(&format!("{} · {}", c.contact_name, c.contact_phone), &words),
                message_id: None,
                at: c.last_message_at,
                conversation: c,
            });
        }
    }
    let messages = app.store.search_messages(tenant, q, 50).await?;
    let ids: Vec<Uuid> = messages.iter().map(|m| m.conversation_id).collect();
    let conversations: HashMap<Uuid, ConversationRecord> = app
        .store
        .conversations_by_ids(tenant, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for m in messages {
        if let Some(c) = conversations.get(&m.conversation_id) {
            hits.push(SearchHit {
                conversation: c.clone(),
                message_id: Some(m.message_id),
                snippet: highlight(&m.body, &words),
                at: m.at,
            });
        }
    }
    Ok(hits)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` escaped, with every occurrence of the words wrapped in `<mark>`.
pub fn highlight(text: &str, words: &[String]) -> String {
    let lower = text.to_lowercase();
    // Marks are placed on character boundaries of the lowercased text,
    // which has the same boundaries for the scripts we lowercase.
    if lower.len() != text.len() {
        return escape_html(text);
    }
    let mut marks = vec![false; text.len()];
    for word in words.iter().filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        let mut from = 0;
        while let Some(at) = lower.get(from..).and_then(|rest| rest.find(&word)) {
            let start = from + at;
            for m in marks.iter_mut().skip(start).take(word.len()) {
                *m = true;
            }
            from = start + word.len().max(1);
        }
    }
    let mut out = String::new();
    let mut open = false;
    for (i, ch) in text.char_indices() {
        let marked = marks.get(i).copied().unwrap_or(false);
        if marked && !open {
            out.push_str("<mark>");
            open = true;
        } else if !marked && open {
            out.push_str("</mark>");
            open = false;
        }
        out.push_str(&escape_html(&ch.to_string()));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}
