//! `/channels`: the tenant's WhatsApp senders, one expandable card each,
//! with their provider credentials, checks, webhook details and tokens.

mod card;
mod dialogs;
mod guide;
mod session;

use contract::channels::{Channel, ProviderInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use crate::api::Authed;
use crate::components::misc::{ErrorBanner, Loading, NoAccess, PageHeader};
use crate::i18n::{lookup, t, tc};
use crate::state::me_state;

use card::ChannelCard;
use dialogs::AddChannelDialog;

/// One card: the channel's id and its latest state from the server.
#[derive(Debug, Clone, Copy)]
struct Item {
    id: Uuid,
    data: RwSignal<Channel>,
    /// Opened when the page loads (needs attention) or right after adding.
    open: bool,
}

/// The people's name of a provider.
fn provider_label(provider: &str) -> String {
    lookup(&format!("channels.provider.{provider}")).unwrap_or_else(|| provider.to_string())
}

/// Meta and the sandbox speak the Graph API: webhooks need a verify token
/// and a subscription.
fn speaks_graph(provider: &str) -> bool {
    matches!(provider, "meta_cloud" | "sandbox")
}

/// `(tone, text)` of a status badge.
fn status_badge(status: &str) -> (&'static str, String) {
    match status {
        "good" => ("success", t("channels.status.good")),
        "invalid" => ("danger", t("channels.status.invalid")),
        _ => ("warning", t("channels.status.pending")),
    }
}

/// The channel a `/channels#<id>` address points at (notifications link so).
fn linked_channel() -> Option<Uuid> {
    let hash = web_sys::window()?.location().hash().ok()?;
    Uuid::parse_str(hash.trim_start_matches('#')).ok()
}

/// Brings the linked channel's card into view once it is on the page.
fn scroll_to_linked() {
    let Some(id) = linked_channel() else {
        return;
    };
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id.to_string()))
        {
            el.scroll_into_view();
        }
    });
}

/// The label of a credential field.
fn field_label(key: &str) -> String {
    lookup(&format!("channels.field.{key}")).unwrap_or_else(|| key.replace('_', " "))
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let me = me_state();
    let can_view = Memo::new(move |_| me.has_module("channels") || me.can("channels.view"));
    move || {
        if can_view.get() {
            view! { <ChannelsView /> }.into_any()
        } else {
            view! { <NoAccess /> }.into_any()
        }
    }
}

#[component]
fn ChannelsView() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let can_create = Memo::new(move |_| me.can("channels.create"));
    let items = RwSignal::new(Vec::<Item>::new());
    let providers = RwSignal::new(Vec::<ProviderInfo>::new());
    // None while loading; Some(Err) when either list failed.
    let loaded = RwSignal::new(None::<Result<(), String>>);
    let adding = RwSignal::new(false);

    let load = move || {
        loaded.set(None);
        spawn_local(async move {
            let result = async {
                let provs = api.channel_providers().await?;
                let list = api.channels().await?;
                Ok::<_, crate::api::ApiError>((provs, list.items))
            }
            .await;
            match result {
                Ok((provs, list)) => {
                    providers.set(provs);
                    let single = list.len() == 1;
                    let linked = linked_channel();
                    items.set(
                        list.into_iter()
                            .map(|c| Item {
                                id: c.id,
                                open: single
                                    || (c.active && c.status != "good")
                                    || Some(c.id) == linked,
                                data: RwSignal::new(c),
                            })
                            .collect(),
                    );
                    loaded.set(Some(Ok(())));
                    scroll_to_linked();
                }
                Err(e) => loaded.set(Some(Err(e.message()))),
            }
        });
    };
    load();
    // A link to another channel while the page is open.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.hash.track();
        if loaded.with_untracked(|l| matches!(l, Some(Ok(())))) {
            scroll_to_linked();
        }
    });

    let added = Callback::new(move |channel: Channel| {
        adding.set(false);
        items.update(|l| {
            l.push(Item {
                id: channel.id,
                open: true,
                data: RwSignal::new(channel),
            })
        });
    });
    let removed = Callback::new(move |id: Uuid| items.update(|l| l.retain(|i| i.id != id)));

    let pending_count = Memo::new(move |_| {
        items.with(|l| {
            l.iter()
                .filter(|i| i.data.with(|c| c.active && c.status != "good"))
                .count()
        })
    });

    let add_button = move || {
        can_create.get().then(|| {
            view! {
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="add-channel"
                    on:click=move |_| adding.set(true)
                >
                    <Icon icon=icondata::LuPlus />
                    <span>{t("channels.add")}</span>
                </button>
            }
        })
    };

    view! {
        <PageHeader title=t("module.channels") subtitle=t("channels.subtitle")>
            {add_button}
        </PageHeader>
        {move || match loaded.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(message)) => {
                view! {
                    <ErrorBanner message=Signal::derive(move || Some(message.clone())) />
                    <button type="button" class="btn btn-secondary" on:click=move |_| load()>
                        {t("common.retry")}
                    </button>
                }
                    .into_any()
            }
            Some(Ok(())) => {
                view! {
                    {move || {
                        let n = pending_count.get();
                        (n > 0)
                            .then(|| {
                                view! {
                                    <div class="banner banner-warning" role="status" data-testid="channels-pending-note">
                                        <Icon icon=icondata::LuTriangleAlert />
                                        <span>{tc("channels.pending_note", n as u64)}</span>
                                    </div>
                                }
                            })
                    }}
                    <Show
                        when=move || items.with(|l| !l.is_empty())
                        fallback=move || {
                            view! {
                                <div class="empty-state card" data-testid="channels-empty">
                                    <div class="empty-icon">
                                        <Icon icon=icondata::LuRadioTower width="28" height="28" />
                                    </div>
                                    <h2>{t("channels.empty_title")}</h2>
                                    <p>{t("channels.empty_body")}</p>
                                    {add_button}
                                </div>
                            }
                        }
                    >
                        <div class="channel-list" data-testid="channel-list">
                            <For each=move || items.get() key=|item| item.id let:item>
                                <ChannelCard
                                    channel=item.data
                                    initially_open=item.open
                                    providers=providers
                                    on_removed=removed
                                />
                            </For>
                        </div>
                    </Show>
                }
                    .into_any()
            }
        }}
        {move || {
            adding
                .get()
                .then(|| {
                    view! {
                        <AddChannelDialog
                            providers=providers
                            on_close=move |()| adding.set(false)
                            on_done=added
                        />
                    }
                })
        }}
    }
}
