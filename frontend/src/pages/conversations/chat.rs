//! The open conversation's state, shared by its parts: the conversation
//! view owns it and hands it to the composer, the interactive-message
//! dialog and the template picker, which depend on this module only.

use chrono::{DateTime, Utc};
use contract::conversations::{Conversation, Message};
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use super::logic::{self, window_left};
use crate::state::me_state;

/// The open conversation's state, shared by its parts.
#[derive(Clone, Copy)]
pub struct Chat {
    pub id: Uuid,
    pub conv: RwSignal<Option<Conversation>>,
    /// Oldest first.
    pub messages: RwSignal<Vec<Message>>,
    pub older: RwSignal<Option<String>>,
    pub loading_older: RwSignal<bool>,
    pub reply_to: RwSignal<Option<Message>>,
    /// The server refused free-form text: the window closed.
    pub window_refused: RwSignal<bool>,
    pub template_open: RwSignal<bool>,
    pub highlight: RwSignal<Option<Uuid>>,
    pub now: RwSignal<DateTime<Utc>>,
    pub scroller: NodeRef<html::Div>,
}

impl Chat {
    pub fn new(id: Uuid) -> Self {
        Self {
            id,
            conv: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            older: RwSignal::new(None),
            loading_older: RwSignal::new(false),
            reply_to: RwSignal::new(None),
            window_refused: RwSignal::new(false),
            template_open: RwSignal::new(false),
            highlight: RwSignal::new(None),
            now: RwSignal::new(Utc::now()),
            scroller: NodeRef::new(),
        }
    }

    /// Seconds left in the reply window (tracked, ticks every second).
    pub fn window_left(&self) -> Option<i64> {
        let now = self.now.get();
        let expires = self
            .conv
            .with(|c| c.as_ref().and_then(|c| c.window_expires_at));
        window_left(expires, now)
    }

    /// Whether only templates may be sent (tracked).
    pub fn window_closed(&self) -> bool {
        self.conv.with(Option::is_some)
            && (self.window_refused.get() || self.window_left().is_none())
    }

    /// Whether the signed-in person may write here (tracked): the one in
    /// control, or anyone allowed to edit conversations.
    pub fn may_send(&self) -> bool {
        let me = me_state();
        let my_id = me.me.with(|m| m.as_ref().map(|m| m.user_id));
        let controls = self.conv.with(|c| {
            c.as_ref()
                .and_then(|c| c.controller.as_ref())
                .is_some_and(|p| Some(p.id) == my_id)
        });
        controls || me.can("conversations.edit")
    }

    pub fn near_bottom(&self) -> bool {
        self.scroller
            .get_untracked()
            .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 160)
    }

    /// Scrolls to the newest message once the view has caught up.
    pub fn scroll_to_bottom(&self) {
        let scroller = self.scroller;
        request_animation_frame(move || {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    /// A message we sent or that arrived.
    pub fn add_message(&self, m: Message) {
        let follow = self.near_bottom() || m.direction == "outbound";
        self.messages.update(|l| logic::upsert_message(l, m));
        if follow {
            self.scroll_to_bottom();
        }
    }
}
