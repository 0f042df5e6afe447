//! Conversations and their messages: the four states, who controls a
//! conversation and what that allows, WhatsApp's 24-hour window for
//! free-form messages, delivery statuses that only move forward, quick
//! replies, and the session behaviour that closes inactive conversations.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::FieldErrors;
use crate::{ChannelId, TenantId};

/// How long after the customer's last message free-form messages may be sent.
pub fn window() -> Duration {
    Duration::hours(24)
}

/// Until when free-form messages may be sent; `None` when the customer never wrote.
pub fn window_expires_at(last_inbound_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    last_inbound_at.map(|at| at + window())
}

/// Whether a free-form message may be sent now. The window is open until
/// exactly 24 hours after the customer's last message, and closed from then on.
pub fn window_open(last_inbound_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    window_expires_at(last_inbound_at).is_some_and(|until| now < until)
}

/// A conversation is listed under History when the customer has not written
/// for 24 hours; it moves back when they do.
pub fn in_history(last_inbound_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    !window_open(last_inbound_at, now)
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// The chatbot (or nobody yet) handles it.
    Bot,
    /// The customer or the flow asked for a person.
    Requesting,
    /// A person took control.
    Intervened,
    Resolved,
}

impl ConversationState {
    pub const ALL: [ConversationState; 4] = [
        ConversationState::Bot,
        ConversationState::Requesting,
        ConversationState::Intervened,
        ConversationState::Resolved,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ConversationState::Bot => "bot",
            ConversationState::Requesting => "requesting",
            ConversationState::Intervened => "intervened",
            ConversationState::Resolved => "resolved",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Who controls a conversation and how it stands: what the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    pub state: ConversationState,
    pub controller: Option<Uuid>,
    pub chatbot_enabled: bool,
}

/// Someone acting on a conversation. `act_on_all` is the role's
/// `conversations.edit`: acting on conversations other people control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: Uuid,
    pub act_on_all: bool,
}

/// Why an action on a conversation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("take control of the conversation first")]
    NotController,
    #[error("someone else controls this conversation")]
    ControlledByOther,
    #[error("the conversation is not resolved")]
    NotResolved,
    #[error("the conversation is already resolved")]
    AlreadyResolved,
}

impl ControlError {
    pub fn code(&self) -> &'static str {
        match self {
            ControlError::NotController => "not_controller",
            ControlError::ControlledByOther => "controlled_by_other",
            ControlError::NotResolved => "not_resolved",
            ControlError::AlreadyResolved => "already_resolved",
        }
    }
}

impl Control {
    fn is_controller(&self, actor: Actor) -> bool {
        self.controller == Some(actor.user)
    }

    /// Sending, toggling the chatbot and transferring belong to the
    /// controller, or to someone who may act on all conversations.
    pub fn may_steer(&self, actor: Actor) -> Result<(), ControlError> {
        if self.is_controller(actor) || actor.act_on_all {
            Ok(())
        } else {
            Err(ControlError::NotController)
        }
    }

    /// The state without a controller: the bot's when it is on, otherwise
    /// waiting for a person.
    fn unattended(&self) -> ConversationState {
        if self.chatbot_enabled {
            ConversationState::Bot
        } else {
            ConversationState::Requesting
        }
    }

    /// Takes control. Taking it from someone else needs `act_on_all`.
    pub fn take_control(self, actor: Actor) -> Result<Control, ControlError> {
        match self.controller {
            Some(other) if other != actor.user && !actor.act_on_all => {
                Err(ControlError::ControlledByOther)
            }
            _ => Ok(Control {
                state: ConversationState::Intervened,
                controller: Some(actor.user),
                ..self
            }),
        }
    }

    /// Hands the conversation to `to`, who then controls it.
    pub fn transfer(self, actor: Actor, to: Uuid) -> Result<Control, ControlError> {
        self.may_steer(actor)?;
        Ok(Control {
            state: ConversationState::Intervened,
            controller: Some(to),
            ..self
        })
    }

    /// Gives control back: the chatbot, or the queue of waiting conversations.
    pub fn release(self, actor: Actor) -> Result<Control, ControlError> {
        self.may_steer(actor)?;
        Ok(Control {
            state: self.unattended(),
            controller: None,
            ..self
        })
    }

    /// Resolves. Nobody controlling it means anyone permitted may resolve it.
    pub fn resolve(self, actor: Actor) -> Result<Control, ControlError> {
        if self.state == ConversationState::Resolved {
            return Err(ControlError::AlreadyResolved);
        }
        if self.controller.is_some() {
            self.may_steer(actor)?;
        }
        Ok(Control {
            state: ConversationState::Resolved,
            controller: None,
            ..self
        })
    }

    /// Reopens a resolved conversation; the person reopening it controls it.
    pub fn reopen(self, actor: Actor) -> Result<Control, ControlError> {
        if self.state != ConversationState::Resolved {
            return Err(ControlError::NotResolved);
        }
        Ok(Control {
            state: ConversationState::Intervened,
            controller: Some(actor.user),
            ..self
        })
    }

    pub fn set_chatbot(self, actor: Actor, enabled: bool) -> Result<Control, ControlError> {
        self.may_steer(actor)?;
        Ok(Control {
            chatbot_enabled: enabled,
            ..self
        })
    }

    /// The system resolves a conversation the customer left inactive; no
    /// person acts, so control does not matter.
    pub fn close_after_inactivity(self) -> Result<Control, ControlError> {
        if self.state == ConversationState::Resolved {
            return Err(ControlError::AlreadyResolved);
        }
        Ok(Control {
            state: ConversationState::Resolved,
            controller: None,
            ..self
        })
    }

    /// The customer wrote: a resolved conversation opens again, without a
    /// controller.
    pub fn customer_wrote(self) -> Control {
        if self.state == ConversationState::Resolved {
            Control {
                state: self.unattended(),
                controller: None,
                ..self
            }
        } else {
            self
        }
    }

    /// The customer or the flow asked for a person.
    pub fn handoff_requested(self) -> Control {
        match self.state {
            ConversationState::Bot | ConversationState::Resolved => Control {
                state: ConversationState::Requesting,
                controller: None,
                ..self
            },
            _ => self,
        }
    }
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn key(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// Where a message got to. Inbound messages are `Received`; outbound ones
/// move from `Pending` forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Received,
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 6] = [
        MessageStatus::Received,
        MessageStatus::Pending,
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Read,
        MessageStatus::Failed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    fn rank(self) -> u8 {
        match self {
            MessageStatus::Received | MessageStatus::Pending => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Read => 3,
            MessageStatus::Failed => 4,
        }
    }

    /// The status after the provider reports `next`, or `None` when the
    /// report changes nothing. Statuses only move forward: a late
    /// `delivered` never downgrades `read`. A failure counts only before
    /// the message was delivered, and nothing follows it.
    pub fn advance(self, next: MessageStatus) -> Option<MessageStatus> {
        use MessageStatus::*;
        match (self, next) {
            (Received, _) | (_, Received) | (_, Pending) | (Failed, _) => None,
            (Pending | Sent, Failed) => Some(Failed),
            (_, Failed) => None,
            (current, next) if next.rank() > current.rank() => Some(next),
            _ => None,
        }
    }

    /// The statuses `advance` may lead to, as SQL would check them: the
    /// ones a stored `next` may replace.
    pub fn replaceable_by(next: MessageStatus) -> Vec<MessageStatus> {
        Self::ALL
            .into_iter()
            .filter(|current| current.advance(next).is_some())
            .collect()
    }
}

/// A line for the conversation list: the text, or the kind in brackets.
pub fn preview(kind: &str, text: Option<&str>) -> String {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let line = match (kind, text) {
        (_, Some(text)) => text.to_owned(),
        (kind, None) => format!("[{}]", kind.replace('_', " ")),
    };
    // One line, at most 120 characters.
    let line = line.replace(['\n', '\r'], " ");
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// A quick reply as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickReplyDraft {
    pub shortcut: String,
    pub body: String,
    pub channel_ids: Vec<Uuid>,
}

pub const SHORTCUT_MAX: usize = 32;
/// A quick reply goes out as a text message.
pub const QUICK_REPLY_BODY_MAX: usize = crate::whatsapp::TEXT_BODY_MAX;

impl QuickReplyDraft {
    /// Checks the fields and normalises the shortcut (no leading `/`).
    pub fn check(mut self) -> Result<QuickReplyDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.shortcut = self.shortcut.trim().trim_start_matches('/').to_owned();
        if self.shortcut.is_empty() {
            errors.add("shortcut", "Enter a shortcut.");
        } else if self.shortcut.chars().count() > SHORTCUT_MAX {
            errors.add("shortcut", "Use at most 32 characters.");
        } else if !self
            .shortcut
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            errors.add(
                "shortcut",
                "Use letters, digits, dashes and underscores only.",
            );
        }
        if self.body.trim().is_empty() {
            errors.add("body", "Enter the message.");
        } else if self.body.chars().count() > QUICK_REPLY_BODY_MAX {
            errors.add("body", "Use at most 4,096 characters.");
        }
        self.channel_ids.sort();
        self.channel_ids.dedup();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The key shortcuts are unique by, whatever their case.
    pub fn key(&self) -> String {
        self.shortcut.to_lowercase()
    }
}

// ----- session behaviour ----------------------------------------------------

pub const SESSION_MINUTES_MIN: u32 = 1;
pub const SESSION_MINUTES_MAX: u32 = 1440;
pub const SESSION_TEXT_MAX: usize = 1024;

/// A channel's session behaviour: after `ask_after_minutes` of inactivity
/// ask the customer whether they still need help; `end_after_minutes`
/// later, tell them the conversation is being closed, and resolve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    pub enabled: bool,
    pub ask_after_minutes: u32,
    pub end_after_minutes: u32,
    pub ask_text: String,
    pub end_text: String,
}

impl Default for SessionSettings {
    /// Off, as every channel starts.
    fn default() -> Self {
        SessionSettings {
            enabled: false,
            ask_after_minutes: 30,
            end_after_minutes: 10,
            ask_text: "Do you still need help? Just reply to this message and we'll carry on."
                .to_owned(),
            end_text: "We haven't heard from you, so we're closing this conversation. \
                       You can write to us again any time."
                .to_owned(),
        }
    }
}

impl SessionSettings {
    /// Checks the fields (delays 1 to 1,440 minutes, texts 1 to 1,024
    /// characters) and trims the texts.
    pub fn check(mut self) -> Result<SessionSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, minutes) in [
            ("ask_after_minutes", self.ask_after_minutes),
            ("end_after_minutes", self.end_after_minutes),
        ] {
            if !(SESSION_MINUTES_MIN..=SESSION_MINUTES_MAX).contains(&minutes) {
                errors.add(field, "Use 1 to 1,440 minutes.");
            }
        }
        self.ask_text = self.ask_text.trim().to_owned();
        self.end_text = self.end_text.trim().to_owned();
        for (field, text) in [("ask_text", &self.ask_text), ("end_text", &self.end_text)] {
            if text.is_empty() {
                errors.add(field, "Write the message.");
            } else if text.chars().count() > SESSION_TEXT_MAX {
                errors.add(field, "Use at most 1,024 characters.");
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn ask_after(&self) -> Duration {
        Duration::minutes(i64::from(self.ask_after_minutes))
    }

    pub fn end_after(&self) -> Duration {
        Duration::minutes(i64::from(self.end_after_minutes))
    }
}

/// How far a conversation is in the session behaviour's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Nothing asked since the customer last wrote.
    Active,
    /// We asked whether they still need help.
    Asked,
    /// We told them the conversation is closing.
    Closed,
}

impl SessionStage {
    pub fn number(self) -> i32 {
        match self {
            SessionStage::Active => 0,
            SessionStage::Asked => 1,
            SessionStage::Closed => 2,
        }
    }

    /// Unknown numbers count as the start, so a bad row never blocks a conversation forever.
    pub fn from_number(n: i32) -> SessionStage {
        match n {
            1 => SessionStage::Asked,
            2 => SessionStage::Closed,
            _ => SessionStage::Active,
        }
    }
}

/// What the session behaviour does next in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStep {
    /// Ask whether the customer still needs help.
    Ask,
    /// Tell them the conversation is being closed, then resolve it.
    End,
}

impl SessionStep {
    /// The stage a conversation is in before and after this step.
    pub fn stages(self) -> (SessionStage, SessionStage) {
        match self {
            SessionStep::Ask => (SessionStage::Active, SessionStage::Asked),
            SessionStep::End => (SessionStage::Asked, SessionStage::Closed),
        }
    }
}

/// Where a conversation stands for the session behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionClock {
    pub state: ConversationState,
    pub stage: SessionStage,
    /// When the conversation entered `stage` (the ask or the end message).
    pub stage_at: Option<DateTime<Utc>>,
    /// The customer's last message.
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// The last message either way.
    pub last_message_at: DateTime<Utc>,
}

/// Since when a conversation is quiet: the later of the customer's last
/// message and ours. An agent writing counts as activity too.
pub fn quiet_since(clock: &SessionClock) -> DateTime<Utc> {
    match clock.last_inbound_at {
        Some(inbound) => inbound.max(clock.last_message_at),
        None => clock.last_message_at,
    }
}

/// The next step of the session behaviour, if one is due at `now`.
///
/// Inactivity is time without a message since [`quiet_since`]. With the
/// conversation `Active`, the ask is due once it has been quiet for
/// `ask_after` (exactly then, not a second later). Once `Asked`, the end is
/// due `end_after` after the later of the ask and our last message, as long
/// as the customer has not written since the ask; if they have, the
/// sequence starts again (the store also resets the stage when they write).
/// Nothing is due while the behaviour is off, for a resolved conversation,
/// after the end, or when the 24-hour window is closed at `now` (a
/// free-form message could not be sent).
pub fn session_step(
    settings: &SessionSettings,
    clock: &SessionClock,
    now: DateTime<Utc>,
) -> Option<SessionStep> {
    if !settings.enabled
        || clock.state == ConversationState::Resolved
        || !window_open(clock.last_inbound_at, now)
    {
        return None;
    }
    let customer_wrote_since_stage = match (clock.stage_at, clock.last_inbound_at) {
        (Some(stage_at), Some(inbound)) => inbound > stage_at,
        _ => false,
    };
    let stage = if customer_wrote_since_stage {
        SessionStage::Active
    } else {
        clock.stage
    };
    match stage {
        SessionStage::Active => {
            (now >= quiet_since(clock) + settings.ask_after()).then_some(SessionStep::Ask)
        }
        SessionStage::Asked => {
            let asked = clock
                .stage_at
                .map_or(clock.last_message_at, |at| at.max(clock.last_message_at));
            (now >= asked + settings.end_after()).then_some(SessionStep::End)
        }
        SessionStage::Closed => None,
    }
}

/// A conversation as people see it in lists and threads: its control,
/// counters and last message, with the channel's, contact's and
/// controller's names. Read from the store, sent on the live stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub contact_id: Uuid,
    pub contact_name: String,
    pub contact_phone: String,
    pub control: Control,
    pub controller_name: Option<String>,
    pub unread: u32,
    pub last_message_at: DateTime<Utc>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_preview: String,
    /// `None` while the conversation holds no message yet.
    pub last_direction: Option<Direction>,
    pub last_status: Option<MessageStatus>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One stored message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageRecord {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub direction: Direction,
    pub kind: String,
    pub body: Option<String>,
    /// The kind's details (location, reaction, options, template...).
    pub content: serde_json::Value,
    pub provider_message_id: Option<String>,
    pub status: MessageStatus,
    pub error: Option<(String, String, Option<String>)>,
    pub reply_to_id: Option<Uuid>,
    pub media_id: Option<Uuid>,
    pub sent_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub status_at: Option<DateTime<Utc>>,
}

/// A message with what the reader needs around it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageView {
    pub message: MessageRecord,
    pub sent_by_name: Option<String>,
    pub starred: bool,
    /// The quoted message's direction and preview.
    pub quoted: Option<(Uuid, Direction, String)>,
}

impl ConversationRecord {
    /// Whether any message was stored in it yet.
    pub fn has_messages(&self) -> bool {
        self.last_direction.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default()
            + Duration::hours(hours)
    }

    #[test]
    fn the_window_closes_exactly_24_hours_after_the_customer_wrote() {
        let wrote = Some(at(0));
        assert!(window_open(wrote, at(0)));
        assert!(window_open(wrote, at(24) - Duration::seconds(1)));
        assert!(!window_open(wrote, at(24)));
        assert!(!window_open(wrote, at(25)));
        assert!(!window_open(None, at(0)), "a customer who never wrote");
        assert_eq!(window_expires_at(wrote), Some(at(24)));
        assert!(in_history(wrote, at(24)));
        assert!(!in_history(wrote, at(23)));
    }

    fn agent(user: Uuid) -> Actor {
        Actor {
            user,
            act_on_all: false,
        }
    }

    fn bot() -> Control {
        Control {
            state: ConversationState::Bot,
            controller: None,
            chatbot_enabled: true,
        }
    }

    #[test]
    fn only_the_controller_steers_unless_the_role_acts_on_all() {
        let (ana, ben) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            bot().may_steer(agent(ana)),
            Err(ControlError::NotController)
        );
        let taken = bot().take_control(agent(ana)).unwrap_or(bot());
        assert_eq!(taken.state, ConversationState::Intervened);
        assert_eq!(taken.controller, Some(ana));
        assert!(taken.may_steer(agent(ana)).is_ok());
        assert_eq!(
            taken.may_steer(agent(ben)),
            Err(ControlError::NotController)
        );
        assert_eq!(
            taken.take_control(agent(ben)),
            Err(ControlError::ControlledByOther)
        );
        assert_eq!(
            taken.set_chatbot(agent(ben), false),
            Err(ControlError::NotController)
        );
        assert_eq!(
            taken.transfer(agent(ben), ben),
            Err(ControlError::NotController)
        );
        let admin = Actor {
            user: ben,
            act_on_all: true,
        };
        assert!(taken.may_steer(admin).is_ok());
        assert_eq!(
            taken.take_control(admin).map(|c| c.controller),
            Ok(Some(ben))
        );
    }

    #[test]
    fn transfer_release_resolve_and_reopen() {
        let (ana, ben) = (Uuid::now_v7(), Uuid::now_v7());
        let taken = bot().take_control(agent(ana)).unwrap_or(bot());
        let moved = taken.transfer(agent(ana), ben).unwrap_or(bot());
        assert_eq!(moved.controller, Some(ben));
        assert_eq!(moved.state, ConversationState::Intervened);
        let released = moved.release(agent(ben)).unwrap_or(moved);
        assert_eq!(released.state, ConversationState::Bot);
        assert_eq!(released.controller, None);
        let quiet = released
            .set_chatbot(
                Actor {
                    user: ana,
                    act_on_all: true,
                },
                false,
            )
            .unwrap_or(released);
        assert_eq!(
            quiet
                .take_control(agent(ana))
                .and_then(|c| c.release(agent(ana)))
                .map(|c| c.state),
            Ok(ConversationState::Requesting),
            "without the chatbot a released conversation waits for a person"
        );
        let resolved = bot().resolve(agent(ana)).unwrap_or(bot());
        assert_eq!(resolved.state, ConversationState::Resolved);
        assert_eq!(
            resolved.resolve(agent(ana)),
            Err(ControlError::AlreadyResolved)
        );
        assert_eq!(bot().reopen(agent(ana)), Err(ControlError::NotResolved));
        let reopened = resolved.reopen(agent(ben)).unwrap_or(bot());
        assert_eq!(reopened.controller, Some(ben));
        assert_eq!(resolved.customer_wrote().state, ConversationState::Bot);
        assert_eq!(
            taken.resolve(agent(ben)),
            Err(ControlError::NotController),
            "someone else's conversation"
        );
    }

    fn minutes(m: i64) -> DateTime<Utc> {
        at(0) + Duration::minutes(m)
    }

    fn on() -> SessionSettings {
        SessionSettings {
            enabled: true,
            ..SessionSettings::default()
        }
    }

    /// The customer wrote at minute 0 and nothing happened since.
    fn quiet() -> SessionClock {
        SessionClock {
            state: ConversationState::Bot,
            stage: SessionStage::Active,
            stage_at: None,
            last_inbound_at: Some(minutes(0)),
            last_message_at: minutes(0),
        }
    }

    #[test]
    fn the_ask_is_due_exactly_after_the_delay_of_quiet() {
        let s = on();
        assert_eq!(session_step(&s, &quiet(), minutes(29)), None);
        assert_eq!(
            session_step(&s, &quiet(), minutes(30) - Duration::seconds(1)),
            None
        );
        assert_eq!(
            session_step(&s, &quiet(), minutes(30)),
            Some(SessionStep::Ask)
        );
        assert_eq!(
            session_step(&s, &quiet(), minutes(45)),
            Some(SessionStep::Ask)
        );
    }

    #[test]
    fn our_last_message_restarts_the_quiet_time() {
        let replied = SessionClock {
            last_message_at: minutes(20),
            ..quiet()
        };
        assert_eq!(quiet_since(&replied), minutes(20));
        assert_eq!(session_step(&on(), &replied, minutes(49)), None);
        assert_eq!(
            session_step(&on(), &replied, minutes(50)),
            Some(SessionStep::Ask)
        );
        // A late-stored customer message newer than the list's time counts too.
        let odd = SessionClock {
            last_inbound_at: Some(minutes(5)),
            last_message_at: minutes(0),
            ..quiet()
        };
        assert_eq!(quiet_since(&odd), minutes(5));
    }

    #[test]
    fn the_end_is_due_exactly_after_the_second_delay() {
        let asked = SessionClock {
            stage: SessionStage::Asked,
            stage_at: Some(minutes(30)),
            last_message_at: minutes(30),
            ..quiet()
        };
        let s = on();
        assert_eq!(
            session_step(&s, &asked, minutes(40) - Duration::seconds(1)),
            None
        );
        assert_eq!(
            session_step(&s, &asked, minutes(40)),
            Some(SessionStep::End)
        );
        // An agent wrote after the ask: the end waits for quiet after it.
        let agent_wrote = SessionClock {
            last_message_at: minutes(35),
            ..asked
        };
        assert_eq!(session_step(&s, &agent_wrote, minutes(44)), None);
        assert_eq!(
            session_step(&s, &agent_wrote, minutes(45)),
            Some(SessionStep::End)
        );
        let closed = SessionClock {
            stage: SessionStage::Closed,
            stage_at: Some(minutes(40)),
            last_message_at: minutes(40),
            ..quiet()
        };
        assert_eq!(session_step(&s, &closed, minutes(600)), None);
    }

    #[test]
    fn a_customer_message_starts_the_sequence_again() {
        // Asked at 30; the customer answered at 35, after the ask.
        let answered = SessionClock {
            stage: SessionStage::Asked,
            stage_at: Some(minutes(30)),
            last_inbound_at: Some(minutes(35)),
            last_message_at: minutes(35),
            ..quiet()
        };
        let s = on();
        assert_eq!(session_step(&s, &answered, minutes(45)), None, "no end");
        assert_eq!(
            session_step(&s, &answered, minutes(65) - Duration::seconds(1)),
            None
        );
        assert_eq!(
            session_step(&s, &answered, minutes(65)),
            Some(SessionStep::Ask),
            "asked again after a fresh 30 minutes"
        );
        // The same second as the ask is not after it.
        let same_second = SessionClock {
            last_inbound_at: Some(minutes(30)),
            last_message_at: minutes(30),
            ..answered
        };
        assert_eq!(
            session_step(&s, &same_second, minutes(40)),
            Some(SessionStep::End)
        );
    }

    #[test]
    fn nothing_happens_when_off_resolved_or_outside_the_window() {
        assert_eq!(
            session_step(&SessionSettings::default(), &quiet(), minutes(60)),
            None,
            "off by default"
        );
        let resolved = SessionClock {
            state: ConversationState::Resolved,
            ..quiet()
        };
        assert_eq!(session_step(&on(), &resolved, minutes(60)), None);
        let never_wrote = SessionClock {
            last_inbound_at: None,
            ..quiet()
        };
        assert_eq!(session_step(&on(), &never_wrote, minutes(60)), None);
        // The window closes 24 hours after the customer wrote: skip, even if due.
        assert_eq!(session_step(&on(), &quiet(), minutes(24 * 60)), None);
        assert_eq!(
            session_step(&on(), &quiet(), minutes(24 * 60) - Duration::seconds(1)),
            Some(SessionStep::Ask)
        );
        let asked_late = SessionClock {
            stage: SessionStage::Asked,
            stage_at: Some(minutes(23 * 60 + 55)),
            last_message_at: minutes(23 * 60 + 55),
            ..quiet()
        };
        assert_eq!(
            session_step(&on(), &asked_late, minutes(24 * 60 + 5)),
            None,
            "the end would come after the window closed"
        );
    }

    #[test]
    fn session_settings_are_checked() {
        assert!(SessionSettings::default().check().is_ok());
        let edges = SessionSettings {
            ask_after_minutes: 1,
            end_after_minutes: 1440,
            ask_text: "x".repeat(1024),
            end_text: "  Bye  ".into(),
            enabled: true,
        }
        .check();
        assert_eq!(edges.map(|s| s.end_text), Ok("Bye".to_owned()));
        let bad = SessionSettings {
            ask_after_minutes: 0,
            end_after_minutes: 1441,
            ask_text: "x".repeat(1025),
            end_text: " ".into(),
            enabled: true,
        }
        .check()
        .err()
        .map(|e| e.into_map())
        .unwrap_or_default();
        for field in [
            "ask_after_minutes",
            "end_after_minutes",
            "ask_text",
            "end_text",
        ] {
            assert!(bad.contains_key(field), "{field}");
        }
    }

    #[test]
    fn the_system_closes_whoever_controls_it() {
        let taken = bot().take_control(agent(Uuid::now_v7())).unwrap_or(bot());
        let closed = taken.close_after_inactivity();
        assert_eq!(
            closed.as_ref().map(|c| (c.state, c.controller)),
            Ok((ConversationState::Resolved, None))
        );
        assert_eq!(
            closed.and_then(|c| c.close_after_inactivity()),
            Err(ControlError::AlreadyResolved)
        );
        assert_eq!(SessionStage::from_number(7), SessionStage::Active);
        assert_eq!(
            SessionStage::from_number(SessionStage::Asked.number()),
            SessionStage::Asked
        );
    }

    #[test]
    fn statuses_move_forward_only() {
        use MessageStatus::*;
        assert_eq!(Pending.advance(Sent), Some(Sent));
        assert_eq!(Read.advance(Delivered), None);
        assert_eq!(Delivered.advance(Read), Some(Read));
        assert_eq!(Sent.advance(Failed), Some(Failed));
        assert_eq!(Read.advance(Failed), None);
        assert_eq!(Failed.advance(Read), None);
        assert_eq!(Received.advance(Read), None);
        assert_eq!(
            MessageStatus::replaceable_by(Delivered),
            vec![Pending, Sent]
        );
    }

    fn status() -> impl Strategy<Value = MessageStatus> {
        prop::sample::select(vec![
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Failed,
        ])
    }

    proptest! {
        #[test]
        fn any_order_of_reports_never_moves_a_status_back(reports in prop::collection::vec(status(), 0..12)) {
            let mut current = MessageStatus::Pending;
            for next in &reports {
                if let Some(moved) = current.advance(*next) {
                    prop_assert!(moved.rank() > current.rank());
                    current = moved;
                }
            }
            // Without failures, the furthest report wins whatever the order.
            if !reports.contains(&MessageStatus::Failed) {
                let furthest = reports.iter().map(|s| s.rank()).max().unwrap_or(0);
                prop_assert_eq!(current.rank(), furthest);
            }
            // A failure counts only when nothing got further first.
            if current == MessageStatus::Failed {
                let before: Vec<_> = reports.iter().take_while(|s| **s != MessageStatus::Failed).collect();
                prop_assert!(before.iter().all(|s| **s == MessageStatus::Sent));
            }
        }
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("image", None), "[image]");
        assert_eq!(preview("button_reply", Some("  ")), "[button reply]");
        assert_eq!(preview("text", Some("a\nb")), "a b");
        let long = "x".repeat(200);
        assert_eq!(preview("text", Some(&long)).chars().count(), 121);
    }

    #[test]
    fn quick_replies_need_a_simple_shortcut_and_a_body() {
        let ok = QuickReplyDraft {
            shortcut: " /Hours ".into(),
            body: "We open at 9.".into(),
            channel_ids: vec![],
        }
        .check();
        assert_eq!(ok.as_ref().map(|d| d.shortcut.as_str()), Ok("Hours"));
        assert_eq!(ok.map(|d| d.key()), Ok("hours".to_owned()));
        let bad = QuickReplyDraft {
            shortcut: "two words".into(),
            body: String::new(),
            channel_ids: vec![],
        }
        .check()
        .err()
        .map(|e| e.into_map())
        .unwrap_or_default();
        assert!(bad.contains_key("shortcut"));
        assert!(bad.contains_key("body"));
    }
}
