//! The left pane: tabs, the owner switch, archived and channel filters,
//! search with highlighted hits, and the conversations with unread badges,
//! kept current by the live stream.

use std::time::Duration;

use contract::channels::Channel;
use contract::conversations::{Conversation, LiveEvent, SearchHit};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::logic::{ListFilter, OWNERS, TABS};
use super::{conversations_state, short_time};
use crate::api::live::{live_events, on_live_event};
use crate::api::{ApiError, Authed, ConversationQuery};
use crate::components::misc::{Avatar, Loading};
use crate::i18n::t;

const PAGE: u32 = 30;
/// Pause after typing before searching.
const SEARCH_DELAY: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Loading,
    Ready,
    Failed(String),
}

fn query_of(f: &ListFilter) -> ConversationQuery {
    ConversationQuery {
        tab: f.tab.clone(),
        owner: f.owner.clone(),
        channel_id: f.channel_id,
        archived: f.archived,
    }
}

#[component]
pub fn ConversationList() -> impl IntoView {
    let api = Authed::from_shell();
    let state = conversations_state();
    let live = live_events();
    let status = RwSignal::new(Status::Loading);
    let cursor = RwSignal::new(None::<String>);
    let more_busy = RwSignal::new(false);
    let generation = StoredValue::new(0u32);
    let search = RwSignal::new(String::new());
    let hits = RwSignal::new(None::<Result<Vec<SearchHit>, String>>);
    let search_gen = StoredValue::new(0u32);

    let channels = LocalResource::new(move || async move {
        api.channels().await.map(|p| p.items).unwrap_or_default()
    });

    let load = move || {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        let q = state.filter.with_untracked(query_of);
        status.set(Status::Loading);
        spawn_local(async move {
            let result = api.conversations(&q, PAGE, None).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match result {
                Ok(page) => {
                    let open = state.open.get_untracked();
                    let mut items = page.items;
                    for c in items.iter_mut().filter(|c| Some(c.id) == open) {
                        c.unread = 0;
                    }
                    state.list.set(items);
                    cursor.set(page.next_cursor);
                    status.set(Status::Ready);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => status.set(Status::Failed(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        state.filter.track();
        live.resumed.track();
        load();
    });

    let load_more = move || {
        let Some(next) = cursor.get_untracked() else {
            return;
        };
        if more_busy.get_untracked() {
            return;
        }
        more_busy.set(true);
        let gen = generation.get_value();
        let q = state.filter.with_untracked(query_of);
        spawn_local(async move {
            let result = api.conversations(&q, PAGE, Some(&next)).await;
            more_busy.set(false);
            if generation.try_get_value() != Some(gen) {
                return;
            }
            if let Ok(page) = result {
                state.list.update(|l| {
                    for c in page.items {
                        if !l.iter().any(|x| x.id == c.id) {
                            l.push(c);
                        }
                    }
                });
                cursor.set(page.next_cursor);
            }
        });
    };

    // Live: new messages and changes move conversations between tabs.
    on_live_event(move |ev| match ev {
        LiveEvent::Message { conversation, .. } | LiveEvent::Conversation { conversation } => {
            state.apply(conversation);
        }
        _ => {}
    });

    // Search, a moment after typing stops.
    Effect::new(move |_| {
        let q = search.get();
        let gen = search_gen.get_value().wrapping_add(1);
        search_gen.set_value(gen);
        if q.trim().is_empty() {
            hits.set(None);
            return;
        }
        set_timeout(
            move || {
                if search_gen.try_get_value() != Some(gen) {
                    return;
                }
                spawn_local(async move {
                    let result = api.conversation_search(&q).await;
                    if search_gen.try_get_value() == Some(gen) {
                        hits.set(Some(result.map_err(|e| e.message())));
                    }
                });
            },
            SEARCH_DELAY,
        );
    });

    let on_scroll = move |ev: leptos::ev::Event| {
        let el: web_sys::Element = event_target(&ev);
        if el.scroll_top() + el.client_height() >= el.scroll_height() - 120 {
            load_more();
        }
    };

    let tab_button = move |tab: &'static str| {
        let active = Memo::new(move |_| state.filter.with(|f| f.tab == tab));
        view! {
            <button
                type="button"
                role="tab"
                class="conversations-tab"
                class:active=move || active.get()
                aria-selected=move || active.get().to_string()
                data-testid=format!("conversations-tab-{tab}")
                on:click=move |_| state.filter.update(|f| f.tab = tab.to_string())
            >
                {t(&format!("conversations.tab.{tab}"))}
            </button>
        }
    };
    let owner_button = move |owner: &'static str| {
        let active = Memo::new(move |_| state.filter.with(|f| f.owner == owner));
        view! {
            <button
                type="button"
                class="segment"
                class:active=move || active.get()
                aria-pressed=move || active.get().to_string()
                data-testid=format!("conversations-owner-{owner}")
                on:click=move |_| state.filter.update(|f| f.owner = owner.to_string())
            >
                {t(&format!("conversations.owner.{owner}"))}
            </button>
        }
    };

    view! {
        <aside class="conversations-pane conversations-list" data-testid="conversation-list-pane" aria-label=t("conversations.list_label")>
            <div class="conversations-list-head">
                <label class="search conversations-search">
                    <Icon icon=icondata::LuSearch />
                    <span class="sr-only">{t("conversations.search")}</span>
                    <input
                        type="search"
                        placeholder=t("conversations.search_placeholder")
                        data-testid="conversations-search"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                </label>
                <div class="conversations-tabs" role="tablist" aria-label=t("conversations.tabs_label")>
                    {TABS.iter().map(|tab| tab_button(tab)).collect_view()}
                </div>
                <div class="conversations-filters">
                    <div class="segmented segmented-sm" role="group" aria-label=t("conversations.owner_label")>
                        {OWNERS.iter().map(|o| owner_button(o)).collect_view()}
                    </div>
                    <label class="inline-check" title=t("conversations.archived_hint")>
                        <input
                            type="checkbox"
                            data-testid="conversations-archived"
                            prop:checked=move || state.filter.with(|f| f.archived)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                state.filter.update(|f| f.archived = on);
                            }
                        />
                        <span>{t("conversations.archived")}</span>
                    </label>
                </div>
                {move || {
                    let list: Vec<Channel> = channels.get().unwrap_or_default();
                    (list.len() > 1)
                        .then(|| {
                            view! {
                                <div class="field field-inline conversations-channel">
                                    <label for="conversations-channel" class="sr-only">{t("conversations.channel")}</label>
                                    <select
                                        id="conversations-channel"
                                        data-testid="conversations-channel"
                                        on:change=move |ev| {
                                            let v = Uuid::parse_str(&event_target_value(&ev)).ok();
                                            state.filter.update(|f| f.channel_id = v);
                                        }
                                    >
                                        <option value="">{t("conversations.any_channel")}</option>
                                        {list
                                            .into_iter()
                                            .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                            }
                        })
                }}
            </div>
            <div class="conversations-list-body" on:scroll=on_scroll>
                {move || match hits.get() {
                    Some(result) => view! { <SearchResults result=result /> }.into_any(),
                    None => match status.get() {
                        Status::Loading => view! { <Loading /> }.into_any(),
                        Status::Failed(m) => view! {
                            <div class="conversations-list-empty" role="alert">
                                <p>{m}</p>
                                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| load()>
                                    {t("common.retry")}
                                </button>
                            </div>
                        }
                        .into_any(),
                        Status::Ready if state.list.with(Vec::is_empty) => view! {
                            <div class="conversations-list-empty" data-testid="conversations-empty">
                                <Icon icon=icondata::LuInbox width="24" height="24" />
                                <p>{t("conversations.list_empty")}</p>
                            </div>
                        }
                        .into_any(),
                        Status::Ready => view! {
                            <ul class="conv-list" data-testid="conversation-list">
                                <For
                                    each=move || state.list.get()
                                    key=|c| (c.id, c.updated_at, c.unread, c.last_message.as_ref().map(|m| m.at))
                                    children=move |c| view! { <ConversationItem conv=c /> }
                                />
                            </ul>
                            <Show when=move || more_busy.get()>
                                <Loading />
                            </Show>
                        }
                        .into_any(),
                    },
                }}
            </div>
        </aside>
    }
}

#[component]
fn ConversationItem(conv: Conversation) -> impl IntoView {
    let state = conversations_state();
    let id = conv.id;
    let active = Memo::new(move |_| state.open.get() == Some(id));
    let preview = conv.last_message.clone();
    let when = preview
        .as_ref()
        .map(|m| short_time(&m.at))
        .unwrap_or_default();
    let outbound = preview.as_ref().is_some_and(|m| m.direction == "outbound");
    let text = preview.map(|m| m.text).unwrap_or_default();
    let unread = conv.unread;
    let has_unread = unread > 0;
    view! {
        <li>
            <a
                href=format!("/conversations/{id}")
                class="conv-item"
                class:active=move || active.get()
                class:unread=has_unread
                aria-current=move || active.get().then_some("page")
                data-testid="conversation-item"
                data-id=id.to_string()
                data-phone=conv.contact.phone.clone()
                data-state=conv.state.clone()
                data-unread=unread.to_string()
            >
                <Avatar name=conv.contact.name.clone() />
                <span class="conv-main">
                    <span class="conv-top">
                        <span class="conv-name" data-testid="conversation-name">{conv.contact.name.clone()}</span>
                        <span class="conv-time">{when}</span>
                    </span>
                    <span class="conv-bottom">
                        <span class="conv-preview" data-testid="conversation-preview">
                            {outbound.then(|| view! { <span class="conv-you">{t("conversations.you")}</span> })}
                            {text}
                        </span>
                        {(unread > 0)
                            .then(|| {
                                view! {
                                    <span class="conv-unread" data-testid="unread-badge" aria-label=t("conversations.unread")>
                                        {if unread > 99 { "99+".to_string() } else { unread.to_string() }}
                                    </span>
                                }
                            })}
                    </span>
                    <span class="conv-channel">{conv.channel_name.clone()}</span>
                </span>
            </a>
        </li>
    }
}

#[component]
fn SearchResults(result: Result<Vec<SearchHit>, String>) -> impl IntoView {
    match result {
        Err(m) => view! { <p class="conversations-list-empty" role="alert">{m}</p> }.into_any(),
        Ok(list) if list.is_empty() => view! {
            <p class="conversations-list-empty" data-testid="search-empty">{t("conversations.search_empty")}</p>
        }
        .into_any(),
        Ok(list) => view! {
            <ul class="conv-list" data-testid="search-results">
                {list
                    .into_iter()
                    .map(|hit| {
                        let c = hit.conversation;
                        let href = match hit.message_id {
                            Some(m) => format!("/conversations/{}?message={m}", c.id),
                            None => format!("/conversations/{}", c.id),
                        };
                        let when = hit.at.as_ref().map(short_time).unwrap_or_default();
                        view! {
                            <li>
                                <a href=href class="conv-item" data-testid="search-hit" data-id=c.id.to_string()>
                                    <Avatar name=c.contact.name.clone() />
                                    <span class="conv-main">
                                        <span class="conv-top">
                                            <span class="conv-name">{c.contact.name.clone()}</span>
                                            <span class="conv-time">{when}</span>
                                        </span>
                                        // The server escapes everything but its <mark> tags.
                                        {match hit.snippet {
                                            Some(s) => view! { <span class="conv-preview conv-snippet" inner_html=s></span> }.into_any(),
                                            None => view! { <span class="conv-preview mono">{c.contact.phone.clone()}</span> }.into_any(),
                                        }}
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
}
