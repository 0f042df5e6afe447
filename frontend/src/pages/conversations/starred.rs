//! `/conversations/starred`: the messages the signed-in person starred, grouped by
//! day, with who said it to whom, a channel filter and more on scrolling
//! down. A click opens the conversation at that message.

use chrono::Local;
use contract::conversations::StarredMessage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::bubble::summary;
use super::{clock, day_label, gated};
use crate::api::{ApiError, Authed};
use crate::components::misc::{ErrorBanner, Loading, PageHeader};
use crate::i18n::t;

const PAGE: u32 = 30;

#[component]
pub fn StarredPage() -> impl IntoView {
    gated(|| view! { <Starred /> })
}

#[component]
fn Starred() -> impl IntoView {
    let api = Authed::from_shell();
    let channel = RwSignal::new(None::<Uuid>);
    let items = RwSignal::new(Vec::<StarredMessage>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let channels = LocalResource::new(move || async move {
        api.channels().await.map(|p| p.items).unwrap_or_default()
    });

    let fetch = move |more: bool| {
        let next = if more {
            match cursor.get_untracked() {
                Some(c) => Some(c),
                None => return,
            }
        } else {
            None
        };
        if more && loading.get_untracked() {
            return;
        }
        let gen = if more {
            generation.get_value()
        } else {
            let g = generation.get_value().wrapping_add(1);
            generation.set_value(g);
            g
        };
        loading.set(true);
        let ch = channel.get_untracked();
        spawn_local(async move {
            let result = api.starred(ch, PAGE, next.as_deref()).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    if more {
                        items.update(|l| l.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    cursor.set(page.next_cursor);
                    error.set(None);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        channel.track();
        fetch(false);
    });

    // More on reaching the bottom of the page.
    let handle = window_event_listener(leptos::ev::scroll, move |_| {
        let Some(w) = web_sys::window() else {
            return;
        };
        let Some(doc) = w.document().and_then(|d| d.document_element()) else {
            return;
        };
        let bottom = w
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0)
            + w.scroll_y().unwrap_or(0.0);
        if bottom >= f64::from(doc.scroll_height()) - 200.0 {
            fetch(true);
        }
    });
    on_cleanup(move || handle.remove());

    let open = move |s: &StarredMessage| {
        format!(
            "/conversations/{}?message={}",
            s.message.conversation_id, s.message.id
        )
    };

    let groups = Memo::new(move |_| {
        let mut out: Vec<(String, Vec<StarredMessage>)> = Vec::new();
        let mut last = None;
        for s in items.get() {
            let day = s.starred_at.with_timezone(&Local).date_naive();
            if last != Some(day) {
                last = Some(day);
                out.push((day_label(&s.starred_at), Vec::new()));
            }
            if let Some((_, list)) = out.last_mut() {
                list.push(s);
            }
        }
        out
    });

    view! {
        <PageHeader title=t("conversations.starred.title") subtitle=t("conversations.starred.subtitle")>
            <a class="btn btn-secondary" href="/conversations">
                <Icon icon=icondata::LuInbox />
                <span>{t("conversations.starred.to_list")}</span>
            </a>
        </PageHeader>
        <section class="card table-card">
            <div class="table-toolbar">
                <div class="toolbar-left">
                    <div class="field field-inline">
                        <label for="starred-channel" class="sr-only">{t("conversations.channel")}</label>
                        <select id="starred-channel" data-testid="starred-channel"
                            on:change=move |ev| channel.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            <option value="">{t("conversations.any_channel")}</option>
                            {move || channels.get().unwrap_or_default().into_iter().map(|c| view! {
                                <option value=c.id.to_string()>{c.name}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
            </div>
            <ErrorBanner message=error />
            {move || {
                if items.with(Vec::is_empty) {
                    return if loading.get() {
                        view! { <Loading /> }.into_any()
                    } else {
                        view! {
                            <div class="empty-state" data-testid="starred-empty">
                                <div class="empty-icon"><Icon icon=icondata::LuStar width="28" height="28" /></div>
                                <h2>{t("conversations.starred.empty_title")}</h2>
                                <p>{t("conversations.starred.empty_body")}</p>
                            </div>
                        }.into_any()
                    };
                }
                view! {
                    <div class="starred-list" data-testid="starred-list">
                        {groups.get().into_iter().map(|(label, list)| {
                            view! {
                                <div class="starred-day">
                                    <h2 class="starred-day-label">{label}</h2>
                                    <ul class="plain-list starred-items">
                                        {list.into_iter().map(|s| {
                                            let href = open(&s);
                                            view! {
                                                <li>
                                                    <a class="starred-item" href=href data-testid="starred-item"
                                                        data-message=s.message.id.to_string()>
                                                        <span class="starred-who">
                                                            <span class="starred-sender">{s.sender.clone()}</span>
                                                            <Icon icon=icondata::LuChevronRight width="14" height="14" />
                                                            <span>{s.recipient.clone()}</span>
                                                            <span class="muted small">{s.channel_name.clone()}</span>
                                                        </span>
                                                        <span class="starred-text" data-testid="starred-text">{summary(&s.message)}</span>
                                                        <time class="muted small" datetime=s.message.created_at.to_rfc3339()>{clock(&s.message.created_at)}</time>
                                                    </a>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    <Show when=move || cursor.with(Option::is_some)>
                        <div class="load-more">
                            <button type="button" class="btn btn-secondary" disabled=move || loading.get()
                                on:click=move |_| fetch(true)>{t("common.load_more")}</button>
                        </div>
                    </Show>
                }.into_any()
            }}
        </section>
    }
}
