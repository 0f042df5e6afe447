//! `/conversations`, in three panes: the conversation list (tabs,
//! owner switch, search), the open conversation (control bar, reply
//! window, bubbles, composer) and the customer's contact card. Everything
//! follows the live event stream, so nothing needs a reload. Also
//! `/conversations/starred`, the starred messages.

mod bubble;
mod chat;
mod composer;
mod contact_panel;
mod conversation;
mod interactive;
mod list;
mod logic;
mod starred;
mod template_picker;

use chrono::{DateTime, Local, Utc};
use contract::conversations::Conversation;
use leptos::prelude::*;
use leptos_icons::Icon;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::ApiError;
use crate::i18n::t;
use crate::state::me_state;
use logic::ListFilter;

pub use starred::StarredPage;

/// Renders `inner` only for people who may view conversations.
fn gated<V: IntoView + 'static>(inner: impl Fn() -> V + Send + Sync + 'static) -> impl IntoView {
    crate::components::misc::gated("conversations.view", inner)
}

/// What the list and the open conversation share.
#[derive(Clone, Copy)]
pub struct ConversationsState {
    pub filter: RwSignal<ListFilter>,
    pub list: RwSignal<Vec<Conversation>>,
    /// The open conversation, from the address.
    pub open: Memo<Option<Uuid>>,
    pub me: Memo<Uuid>,
}

impl ConversationsState {
    /// A newer copy of a conversation: moved, added or dropped so the list
    /// keeps matching its tab. The open one counts as read.
    pub fn apply(&self, mut c: Conversation) {
        if self.open.get_untracked() == Some(c.id) {
            c.unread = 0;
        }
        let me = self.me.get_untracked();
        let admits = self.filter.with_untracked(|f| f.admits(&c, me));
        self.list.update(|l| {
            if admits {
                logic::upsert_conversation(l, c);
            } else {
                l.retain(|x| x.id != c.id);
            }
        });
    }

    pub fn remove(&self, id: Uuid) {
        self.list.update(|l| l.retain(|x| x.id != id));
    }
}

#[component]
pub fn ConversationsPage() -> impl IntoView {
    gated(|| view! { <Conversations /> })
}

#[component]
fn Conversations() -> impl IntoView {
    let params = use_params_map();
    let me = me_state();
    let open = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let state = ConversationsState {
        filter: RwSignal::new(ListFilter::default()),
        list: RwSignal::new(Vec::new()),
        open,
        me: Memo::new(move |_| {
            me.me
                .with(|m| m.as_ref().map(|m| m.user_id).unwrap_or_default())
        }),
    };
    provide_context(state);
    view! {
        <div class="conversations" class:conversations-has-open=move || open.get().is_some() data-testid="conversations">
            <list::ConversationList />
            {move || match open.get() {
                Some(id) => view! { <conversation::ConversationView id=id /> }.into_any(),
                None => view! {
                    <section class="conversations-pane conversations-none" data-testid="no-conversation">
                        <div class="empty-state">
                            <div class="empty-icon">
                                <Icon icon=icondata::LuMessagesSquare width="28" height="28" />
                            </div>
                            <h2>{t("conversations.none_title")}</h2>
                            <p>{t("conversations.none_body")}</p>
                        </div>
                    </section>
                }
                .into_any(),
            }}
        </div>
    }
}

pub fn conversations_state() -> ConversationsState {
    expect_context::<ConversationsState>()
}

/// A clock time today, the weekday this week, else the date.
pub fn short_time(at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local);
    let today = Local::now().date_naive();
    let days = (today - local.date_naive()).num_days();
    match days {
        0 => local.format("%H:%M").to_string(),
        1 => t("conversations.yesterday"),
        2..=6 => local.format("%a").to_string(),
        _ => local.format("%d %b %Y").to_string(),
    }
}

/// The clock time of a bubble.
pub fn clock(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

/// A day separator's label: Today, Yesterday or the date.
pub fn day_label(at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local);
    let days = (Local::now().date_naive() - local.date_naive()).num_days();
    match days {
        0 => t("conversations.today"),
        1 => t("conversations.yesterday"),
        _ => local.format("%A, %d %B %Y").to_string(),
    }
}

/// A state as a badge tone and label.
pub fn state_look(state: &str) -> (&'static str, String) {
    let tone = match state {
        "bot" => "info",
        "requesting" => "warning",
        "intervened" => "success",
        "resolved" => "neutral",
        _ => "neutral",
    };
    (tone, t(&format!("conversations.state.{state}")))
}

/// For control actions the server's own sentence says best what went wrong
/// (who controls it, which rule); fall back to the usual message.
pub fn problem_text(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) => p
            .detail
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| e.message()),
        _ => e.message(),
    }
}

/// The problem's machine code, if the server sent one.
pub fn problem_code(e: &ApiError) -> Option<&str> {
    match e {
        ApiError::Problem(p) => Some(p.code.as_str()),
        _ => None,
    }
}
