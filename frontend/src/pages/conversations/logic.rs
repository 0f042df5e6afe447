//! The conversations' rules that need no browser: which list a conversation
//! belongs in, ordering, merging pages and live events, delivery ticks that
//! never go backwards, the reply window's countdown and the `/shortcut`
//! lookup. Unit-tested on the host.

use chrono::{DateTime, Utc};
use contract::conversations::{Conversation, Message, QuickReply, StatusChange};
use uuid::Uuid;

/// The list's tabs: four states, and History for customers silent 24 hours.
pub const TABS: &[&str] = &["bot", "requesting", "intervened", "resolved", "history"];
/// Whose conversations the list shows.
pub const OWNERS: &[&str] = &["mine", "unassigned", "all"];

/// What the conversation list shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    pub tab: String,
    pub owner: String,
    pub channel_id: Option<Uuid>,
    pub archived: bool,
}

impl Default for ListFilter {
    fn default() -> Self {
        Self {
            tab: "requesting".into(),
            owner: "all".into(),
            channel_id: None,
            archived: false,
        }
    }
}

impl ListFilter {
    /// Whether `c` belongs in this list, as the server would decide, so live
    /// changes move conversations between tabs without a reload.
    pub fn admits(&self, c: &Conversation, me: Uuid) -> bool {
        let tab = if self.tab == "history" {
            c.in_history
        } else {
            !c.in_history && c.state == self.tab
        };
        let owner = match self.owner.as_str() {
            "mine" => c.controller.as_ref().is_some_and(|p| p.id == me),
            "unassigned" => c.controller.is_none(),
            _ => true,
        };
        tab && owner
            && c.archived == self.archived
            && self.channel_id.is_none_or(|id| id == c.channel_id)
    }
}

/// When a conversation last moved: its latest message, else its update.
pub fn activity_at(c: &Conversation) -> DateTime<Utc> {
    c.last_message.as_ref().map_or(c.updated_at, |m| m.at)
}

/// Puts `c` in the list (replacing an older copy), most recent first.
pub fn upsert_conversation(list: &mut Vec<Conversation>, c: Conversation) {
    list.retain(|x| x.id != c.id);
    let at = activity_at(&c);
    let pos = list
        .iter()
        .position(|x| activity_at(x) < at)
        .unwrap_or(list.len());
    list.insert(pos, c);
}

/// How far a delivery got; ticks only move forward.
pub fn status_rank(status: &str) -> u8 {
    match status {
        "pending" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        "failed" => 4,
        _ => 0,
    }
}

/// Applies a status change to the message it names; `true` when it changed.
/// Webhooks may arrive out of order: a late `delivered` does not undo `read`.
pub fn apply_status(list: &mut [Message], change: &StatusChange) -> bool {
    let Some(m) = list.iter_mut().find(|m| m.id == change.message_id) else {
        return false;
    };
    if status_rank(&change.status) <= status_rank(&m.status) {
        return false;
    }
    m.status = change.status.clone();
    m.status_at = Some(change.at);
    if change.error.is_some() {
        m.error = change.error.clone();
    }
    true
}

/// Adds or replaces one message in a list kept oldest first.
pub fn upsert_message(list: &mut Vec<Message>, m: Message) {
    if let Some(old) = list.iter_mut().find(|x| x.id == m.id) {
        // A live copy may trail a status we already have.
        let keep_status = status_rank(&old.status) > status_rank(&m.status);
        let (status, status_at, error) = (old.status.clone(), old.status_at, old.error.clone());
        *old = m;
        if keep_status {
            old.status = status;
            old.status_at = status_at;
            old.error = error.or(old.error.take());
        }
        return;
    }
    let pos = list
        .iter()
        .rposition(|x| x.created_at <= m.created_at)
        .map_or(0, |i| i + 1);
    list.insert(pos, m);
}

/// Puts an older page (newest first, as the API sends it) in front of a
/// list kept oldest first, skipping messages already there.
pub fn prepend_older(list: &mut Vec<Message>, page_newest_first: Vec<Message>) {
    let mut older: Vec<Message> = page_newest_first
        .into_iter()
        .rev()
        .filter(|m| !list.iter().any(|x| x.id == m.id))
        .collect();
    older.append(list);
    *list = older;
}

/// Seconds until the reply window closes; `None` when it is closed or the
/// customer never wrote.
pub fn window_left(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    let left = (expires_at? - now).num_seconds();
    (left > 0).then_some(left)
}

/// `23:04:09`, hours first.
pub fn countdown(secs: i64) -> String {
    let secs = secs.max(0);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// What follows a `/` typed at the start of the composer, while it is one
/// word: the quick-reply lookup.
pub fn slash_query(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

/// Quick replies matching `q`: shortcuts starting with it first, then those
/// containing it in the shortcut or the body.
pub fn match_quick_replies<'a>(list: &'a [QuickReply], q: &str) -> Vec<&'a QuickReply> {
    let q = q.to_lowercase();
    let mut starts: Vec<&QuickReply> = Vec::new();
    let mut contains: Vec<&QuickReply> = Vec::new();
    for r in list {
        let shortcut = r.shortcut.to_lowercase();
        if shortcut.starts_with(&q) {
            starts.push(r);
        } else if shortcut.contains(&q) || r.body.to_lowercase().contains(&q) {
            contains.push(r);
        }
    }
    starts.sort_by_key(|r| r.shortcut.len());
    starts.extend(contains);
    starts
}

/// Inserts `piece` into `text` at character offset `at` (a caret position);
/// answers the new text and the caret after the piece.
pub fn insert_at(text: &str, at: usize, piece: &str) -> (String, usize) {
    let byte = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
    let caret = text[..byte].chars().count() + piece.chars().count();
    (format!("{}{piece}{}", &text[..byte], &text[byte..]), caret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::conversations::{ConversationContact, MessagePreview, PersonRef};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn conv(n: u128, state: &str, last: &str) -> Conversation {
        Conversation {
            id: Uuid::from_u128(n),
            channel_id: Uuid::from_u128(100),
            channel_name: "Line".into(),
            contact: ConversationContact {
                id: Uuid::from_u128(200 + n),
                name: format!("C{n}"),
                phone: "+100".into(),
            },
            state: state.into(),
            in_history: false,
            controller: None,
            chatbot_enabled: true,
            unread: 0,
            last_message: Some(MessagePreview {
                text: "hi".into(),
                direction: "inbound".into(),
                status: "received".into(),
                at: at(last),
            }),
            last_inbound_at: None,
            window_expires_at: None,
            archived: false,
            created_at: at(last),
            updated_at: at(last),
        }
    }

    fn msg(n: u128, created: &str, status: &str) -> Message {
        Message {
            id: Uuid::from_u128(n),
            conversation_id: Uuid::from_u128(1),
            direction: "outbound".into(),
            kind: "text".into(),
            text: Some(format!("m{n}")),
            media: None,
            location: None,
            reaction: None,
            contacts: vec![],
            options: vec![],
            template: None,
            reply_to: None,
            status: status.into(),
            error: None,
            sent_by: None,
            starred: false,
            created_at: at(created),
            status_at: None,
        }
    }

    #[test]
    fn a_conversation_is_listed_under_its_state_unless_in_history() {
        let me = Uuid::from_u128(9);
        let mut c = conv(1, "intervened", "2026-01-01T10:00:00Z");
        let intervened = ListFilter {
            tab: "intervened".into(),
            ..ListFilter::default()
        };
        let history = ListFilter {
            tab: "history".into(),
            ..ListFilter::default()
        };
        assert!(intervened.admits(&c, me));
        assert!(!history.admits(&c, me));
        c.in_history = true;
        assert!(!intervened.admits(&c, me));
        assert!(history.admits(&c, me));
    }

    #[test]
    fn owner_archive_and_channel_narrow_the_list() {
        let me = Uuid::from_u128(9);
        let mut c = conv(1, "intervened", "2026-01-01T10:00:00Z");
        let mine = ListFilter {
            tab: "intervened".into(),
            owner: "mine".into(),
            ..ListFilter::default()
        };
        let unassigned = ListFilter {
            owner: "unassigned".into(),
            ..mine.clone()
        };
        assert!(!mine.admits(&c, me));
        assert!(unassigned.admits(&c, me));
        c.controller = Some(PersonRef {
            id: me,
            name: "Me".into(),
        });
        assert!(mine.admits(&c, me));
        assert!(!unassigned.admits(&c, me));
        c.archived = true;
        assert!(!mine.admits(&c, me));
        let other_channel = ListFilter {
            channel_id: Some(Uuid::from_u128(5)),
            archived: true,
            ..mine
        };
        assert!(!other_channel.admits(&c, me));
    }

    #[test]
    fn upsert_keeps_the_most_recent_first_without_duplicates() {
        let mut list = vec![
            conv(1, "bot", "2026-01-01T12:00:00Z"),
            conv(2, "bot", "2026-01-01T11:00:00Z"),
        ];
        upsert_conversation(&mut list, conv(2, "bot", "2026-01-01T13:00:00Z"));
        let ids: Vec<u128> = list.iter().map(|c| c.id.as_u128()).collect();
        assert_eq!(ids, vec![2, 1]);
        upsert_conversation(&mut list, conv(3, "bot", "2026-01-01T11:30:00Z"));
        let ids: Vec<u128> = list.iter().map(|c| c.id.as_u128()).collect();
        assert_eq!(ids, vec![2, 1, 3]);
    }

    #[test]
    fn ticks_only_move_forward() {
        let mut list = vec![msg(1, "2026-01-01T10:00:00Z", "sent")];
        let change = |status: &str| StatusChange {
            conversation_id: Uuid::from_u128(1),
            message_id: Uuid::from_u128(1),
            status: status.into(),
            error: None,
            at: at("2026-01-01T10:00:01Z"),
        };
        assert!(apply_status(&mut list, &change("read")));
        assert!(!apply_status(&mut list, &change("delivered")));
        assert_eq!(list[0].status, "read");
        assert!(!apply_status(&mut list, &change("bogus")));
    }

    #[test]
    fn a_live_copy_does_not_undo_a_newer_status() {
        let mut list = vec![msg(1, "2026-01-01T10:00:00Z", "delivered")];
        upsert_message(&mut list, msg(1, "2026-01-01T10:00:00Z", "sent"));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].status, "delivered");
        upsert_message(&mut list, msg(2, "2026-01-01T09:00:00Z", "sent"));
        assert_eq!(list[0].id.as_u128(), 2, "kept in time order");
    }

    #[test]
    fn older_pages_go_in_front_oldest_first() {
        let mut list = vec![msg(3, "2026-01-01T12:00:00Z", "sent")];
        prepend_older(
            &mut list,
            vec![
                msg(3, "2026-01-01T12:00:00Z", "sent"),
                msg(2, "2026-01-01T11:00:00Z", "sent"),
                msg(1, "2026-01-01T10:00:00Z", "sent"),
            ],
        );
        let ids: Vec<u128> = list.iter().map(|m| m.id.as_u128()).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[test]
    fn the_window_counts_down_and_closes() {
        let now = at("2026-01-01T10:00:00Z");
        assert_eq!(window_left(None, now), None);
        assert_eq!(window_left(Some(at("2026-01-01T09:00:00Z")), now), None);
        assert_eq!(
            window_left(Some(at("2026-01-02T09:30:05Z")), now),
            Some(23 * 3600 + 30 * 60 + 5)
        );
        assert_eq!(countdown(23 * 3600 + 30 * 60 + 5), "23:30:05");
        assert_eq!(countdown(59), "00:00:59");
    }

    #[test]
    fn slash_at_the_start_looks_up_quick_replies() {
        assert_eq!(slash_query("/ho"), Some("ho"));
        assert_eq!(slash_query("/"), Some(""));
        assert_eq!(slash_query("/hours please"), None);
        assert_eq!(slash_query("hi /ho"), None);
        let qr = |s: &str, body: &str| QuickReply {
            id: Uuid::nil(),
            shortcut: s.into(),
            body: body.into(),
            channel_ids: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let list = vec![
            qr("opening-hours", "We open at 9"),
            qr("hours", "9 to 5"),
            qr("thanks", "Thank you for the hours"),
        ];
        let found: Vec<&str> = match_quick_replies(&list, "hours")
            .iter()
            .map(|r| r.shortcut.as_str())
            .collect();
        assert_eq!(found, vec!["hours", "opening-hours", "thanks"]);
    }

    #[test]
    fn insert_at_counts_characters_not_bytes() {
        assert_eq!(insert_at("héllo", 2, "X"), ("héXllo".to_string(), 3));
        assert_eq!(insert_at("hi", 99, "😀"), ("hi😀".to_string(), 3));
    }
}
