//! `/notifications`: everything the person was told, newest first, with an
//! All / Unread filter, "Load more", and marking read one by one or all.

use contract::notifications::Notification;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use crate::api::{ApiError, Authed};
use crate::components::misc::{ErrorBanner, Loading, NoAccess, PageHeader};
use crate::components::notifications::{notification_center, open_callback, NotificationEntry};
use crate::i18n::{t, tc};
use crate::state::{me_state, toasts};

const PAGE_SIZE: u32 = 20;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Loading,
    Ready,
    Failed(String),
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let me = me_state();
    let allowed = Memo::new(move |_| me.can("notifications.view"));
    move || {
        if allowed.get() {
            view! { <NotificationsList /> }.into_any()
        } else {
            view! { <NoAccess /> }.into_any()
        }
    }
}

#[component]
fn NotificationsList() -> impl IntoView {
    let api = Authed::from_shell();
    let center = notification_center();
    let toasts = toasts();
    let unread_only = RwSignal::new(false);
    let items = RwSignal::new(Vec::<Notification>::new());
    let cursor = RwSignal::new(None::<String>);
    let status = RwSignal::new(Status::Loading);
    let loading_more = RwSignal::new(false);
    // Answers to an older filter are dropped.
    let generation = StoredValue::new(0u32);

    let load_first = move || {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        status.set(Status::Loading);
        loading_more.set(false);
        let only = unread_only.get_untracked();
        spawn_local(async move {
            let result = api.notifications(only, PAGE_SIZE, None).await;
            if generation.get_value() != gen {
                return;
            }
            match result {
                Ok(page) => {
                    center.unread.set(page.unread);
                    items.set(page.items);
                    cursor.set(page.next_cursor);
                    status.set(Status::Ready);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => status.set(Status::Failed(e.message())),
            }
        });
    };
    // First load, and again on a new filter or after "Mark all as read".
    Effect::new(move |_| {
        unread_only.track();
        center.cleared.track();
        load_first();
    });

    let load_more = move |_| {
        let Some(after) = cursor.get_untracked() else {
            return;
        };
        let gen = generation.get_value();
        let only = unread_only.get_untracked();
        loading_more.set(true);
        spawn_local(async move {
            let result = api.notifications(only, PAGE_SIZE, Some(&after)).await;
            if generation.get_value() != gen {
                return;
            }
            loading_more.set(false);
            match result {
                Ok(page) => {
                    center.unread.set(page.unread);
                    items.update(|list| {
                        for n in page.items {
                            if !list.iter().any(|x| x.id == n.id) {
                                list.push(n);
                            }
                        }
                    });
                    cursor.set(page.next_cursor);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let on_open = open_callback(api, || {});
    let on_mark = Callback::new(move |n: Notification| center.mark_read(api, &n));

    let subtitle = Signal::derive(move || {
        let n = center.unread.get();
        if n == 0 {
            t("notifications.none_unread")
        } else {
            tc("notifications.unread_count", n)
        }
    });

    let filter_button = move |only: bool, key: &'static str, testid: &'static str| {
        view! {
            <button
                type="button"
                class="segment"
                class:active=move || unread_only.get() == only
                aria-pressed=move || (unread_only.get() == only).to_string()
                data-testid=testid
                on:click=move |_| {
                    if unread_only.get_untracked() != only {
                        unread_only.set(only);
                    }
                }
            >
                {t(key)}
            </button>
        }
    };

    let empty = Memo::new(move |_| items.with(Vec::is_empty));
    let list = move || match status.get() {
        Status::Loading => view! { <Loading /> }.into_any(),
        Status::Failed(message) => view! {
            <div class="notif-page-error">
                <ErrorBanner message=Signal::derive(move || Some(message.clone())) />
                <button type="button" class="btn btn-secondary" on:click=move |_| load_first()>
                    {t("common.retry")}
                </button>
            </div>
        }
        .into_any(),
        Status::Ready => {
            if empty.get() {
                let (title, body) = if unread_only.get_untracked() {
                    (
                        "notifications.empty_unread_title",
                        "notifications.empty_unread_body",
                    )
                } else {
                    ("notifications.empty_title", "notifications.empty_body")
                };
                view! {
                    <div class="empty-state" data-testid="notifications-empty">
                        <div class="empty-icon">
                            <Icon icon=icondata::LuBellOff width="28" height="28" />
                        </div>
                        <h2>{t(title)}</h2>
                        <p>{t(body)}</p>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <ul class="notif-list notif-list-page" data-testid="notification-list">
                        <For each=move || items.get() key=|n| n.id let:n>
                            <NotificationEntry note=n on_open=on_open on_mark=on_mark />
                        </For>
                    </ul>
                    <Show when=move || cursor.with(Option::is_some)>
                        <div class="notif-more">
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-testid="load-more"
                                disabled=move || loading_more.get()
                                on:click=load_more
                            >
                                {move || {
                                    if loading_more.get() {
                                        t("common.loading")
                                    } else {
                                        t("notifications.load_more")
                                    }
                                }}
                            </button>
                        </div>
                    </Show>
                }
                .into_any()
            }
        }
    };

    view! {
        <PageHeader title=t("module.notifications")>
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="page-mark-all-read"
                disabled=move || center.unread.get() == 0 || center.marking_all()
                on:click=move |_| center.mark_all(api)
            >
                <Icon icon=icondata::LuCheckCheck />
                <span>{t("notifications.mark_all")}</span>
            </button>
        </PageHeader>
        <div class="notif-toolbar">
            <div class="segmented" role="group" aria-label=t("notifications.filter")>
                {filter_button(false, "notifications.filter_all", "filter-all")}
                {filter_button(true, "notifications.filter_unread", "filter-unread")}
            </div>
            <span class="muted notif-summary" data-testid="notifications-summary">{subtitle}</span>
        </div>
        <div class="card notif-card">{list}</div>
    }
}
