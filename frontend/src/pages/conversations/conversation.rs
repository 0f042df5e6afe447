//! The middle pane: the open conversation. Its header with the control bar
//! (take control, transfer, release, resolve or reopen, archive, delete,
//! the chatbot switch), the reply window's countdown, the messages (oldest
//! at the top, older pages on scrolling up, day separators) and the
//! composer; the contact card sits at its right.

use std::time::Duration;

use chrono::{Local, Utc};
use contract::conversations::{Conversation, LiveEvent, Message, PersonRef};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use super::bubble::Bubble;
use super::chat::Chat;
use super::composer::Composer;
use super::contact_panel::ContactPanel;
use super::logic::{self, countdown};
use super::template_picker::TemplatePicker;
use super::{conversations_state, day_label, problem_text, state_look};
use crate::api::live::{live_events, on_live_event};
use crate::api::{ApiError, Authed, ControlAction};
use crate::components::misc::{Avatar, Badge, ErrorBanner, Loading};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{t, tf};
use crate::state::{me_state, toasts};

const PAGE: u32 = 40;
/// How many older pages a `?message=` jump reads at most.
const JUMP_PAGES: u32 = 25;

fn scroll_into_view(id: Uuid) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("msg-{id}")))
    else {
        return;
    };
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
}

#[component]
pub fn ConversationView(id: Uuid) -> impl IntoView {
    let api = Authed::from_shell();
    let state = conversations_state();
    let live = live_events();
    let query = use_query_map();
    let chat = Chat::new(id);
    let error = RwSignal::new(None::<String>);
    let target = Memo::new(move |_| {
        query
            .with(|q| q.get("message"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });

    let mark_read = move || {
        state.list.update(|l| {
            if let Some(c) = l.iter_mut().find(|c| c.id == id) {
                c.unread = 0;
            }
        });
        spawn_local(async move {
            let _ = api.mark_conversation_read(id).await;
        });
    };

    // The conversation, then the newest messages (or back to `?message=`).
    let load = move |jump: Option<Uuid>| {
        spawn_local(async move {
            match api.conversation(id).await {
                Ok(c) => {
                    chat.conv.set(Some(c.clone()));
                    state.apply(c);
                }
                Err(ApiError::SignedOut) => return,
                Err(e) => {
                    error.set(Some(e.message()));
                    return;
                }
            }
            mark_read();
            let page = match api.messages(id, PAGE, None).await {
                Ok(p) => p,
                Err(e) => {
                    error.set(Some(e.message()));
                    return;
                }
            };
            chat.messages.update(|l| {
                for m in page.items.into_iter().rev() {
                    logic::upsert_message(l, m);
                }
            });
            chat.older.set(page.next_cursor);
            let Some(jump) = jump else {
                chat.scroll_to_bottom();
                return;
            };
            let mut pages = 0;
            while !chat
                .messages
                .with_untracked(|l| l.iter().any(|m| m.id == jump))
                && pages < JUMP_PAGES
            {
                let Some(cursor) = chat.older.get_untracked() else {
                    break;
                };
                match api.messages(id, PAGE, Some(&cursor)).await {
                    Ok(p) => {
                        chat.messages.update(|l| logic::prepend_older(l, p.items));
                        chat.older.set(p.next_cursor);
                    }
                    Err(_) => break,
                }
                pages += 1;
            }
            chat.highlight.set(Some(jump));
            request_animation_frame(move || scroll_into_view(jump));
            set_timeout(
                move || {
                    let _ = chat.highlight.try_set(None);
                },
                Duration::from_secs(6),
            );
        });
    };
    load(target.get_untracked());

    // A jump within the open conversation (a search hit, say).
    Effect::new(move |prev: Option<Option<Uuid>>| {
        let t = target.get();
        if let (Some(_), Some(jump)) = (prev, t) {
            if chat
                .messages
                .with_untracked(|l| l.iter().any(|m| m.id == jump))
            {
                chat.highlight.set(Some(jump));
                request_animation_frame(move || scroll_into_view(jump));
            } else {
                load(Some(jump));
            }
        }
        t
    });

    // After a break in the stream, read what may have been missed.
    Effect::new(move |prev: Option<u32>| {
        let r = live.resumed.get();
        if prev.is_some() {
            load(None);
        }
        r
    });

    on_live_event(move |ev| match ev {
        LiveEvent::Message {
            message,
            conversation,
        } if message.conversation_id == id => {
            let inbound = message.direction == "inbound";
            chat.conv.set(Some(conversation));
            if inbound {
                chat.window_refused.set(false);
                mark_read();
            }
            chat.add_message(message);
        }
        LiveEvent::Status(change) if change.conversation_id == id => {
            chat.messages.update(|l| {
                logic::apply_status(l, &change);
            });
        }
        LiveEvent::Conversation { conversation } if conversation.id == id => {
            chat.conv.set(Some(conversation));
        }
        _ => {}
    });

    // The window's countdown.
    if let Ok(handle) =
        set_interval_with_handle(move || chat.now.set(Utc::now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }

    let load_older = move || {
        if chat.loading_older.get_untracked() {
            return;
        }
        let Some(cursor) = chat.older.get_untracked() else {
            return;
        };
        chat.loading_older.set(true);
        spawn_local(async move {
            let result = api.messages(id, PAGE, Some(&cursor)).await;
            chat.loading_older.set(false);
            let Ok(page) = result else {
                return;
            };
            // Keep the messages on screen where they are.
            let before = chat
                .scroller
                .get_untracked()
                .map(|el| (el.scroll_height(), el.scroll_top()));
            chat.messages
                .update(|l| logic::prepend_older(l, page.items));
            chat.older.set(page.next_cursor);
            if let Some((height, top)) = before {
                let scroller = chat.scroller;
                request_animation_frame(move || {
                    if let Some(el) = scroller.get_untracked() {
                        el.set_scroll_top(el.scroll_height() - height + top);
                    }
                });
            }
        });
    };
    let on_scroll = move |_| {
        if chat
            .scroller
            .get_untracked()
            .is_some_and(|el| el.scroll_top() < 80)
        {
            load_older();
        }
    };

    let toasts = toasts();
    let on_star = Callback::new(move |m: Message| {
        let on = !m.starred;
        let set = move |v: bool| {
            chat.messages.update(|l| {
                if let Some(x) = l.iter_mut().find(|x| x.id == m.id) {
                    x.starred = v;
                }
            })
        };
        set(on);
        spawn_local(async move {
            let result = if on {
                api.star_message(m.id).await
            } else {
                api.unstar_message(m.id).await
            };
            if let Err(e) = result {
                set(!on);
                toasts.error(e.message());
            }
        });
    });
    let on_reply = Callback::new(move |m: Message| {
        chat.reply_to.set(Some(m));
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("composer-text"))
        {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });

    let contact_id = Memo::new(move |_| chat.conv.with(|c| c.as_ref().map(|c| c.contact.id)));
    // What moves the contact's journey: control changes and new messages.
    let journey_key = Memo::new(move |_| {
        chat.conv.with(|c| {
            c.as_ref().map(|c| {
                (
                    c.state.clone(),
                    c.controller.as_ref().map(|p| p.id),
                    c.chatbot_enabled,
                    c.last_message.as_ref().map(|m| m.at),
                )
            })
        })
    });
    let has_conv = Memo::new(move |_| chat.conv.with(Option::is_some));

    view! {
        <section class="conversations-pane conversations-chat" data-testid="conversation" data-id=id.to_string()>
            <a class="conversations-back" href="/conversations">
                <Icon icon=icondata::LuArrowLeft />
                <span>{t("conversations.back")}</span>
            </a>
            <ErrorBanner message=error />
            {move || has_conv.get().then(|| view! { <ChatHeader chat=chat /> })}
            <WindowBanner chat=chat />
            <div class="chat-scroll" node_ref=chat.scroller on:scroll=on_scroll data-testid="message-list">
                <Show when=move || chat.loading_older.get()>
                    <Loading />
                </Show>
                <Show when=move || chat.older.with(Option::is_none) && chat.conv.with(Option::is_some)>
                    <p class="chat-start">{t("conversations.start")}</p>
                </Show>
                <For
                    each=move || {
                        let list = chat.messages.get();
                        let mut last_day = None;
                        list.into_iter()
                            .map(|m| {
                                let day = m.created_at.with_timezone(&Local).date_naive();
                                let first = last_day != Some(day);
                                last_day = Some(day);
                                (first, m)
                            })
                            .collect::<Vec<_>>()
                    }
                    key=|(first, m)| (m.id, m.status.clone(), m.starred, *first, m.error.is_some())
                    children=move |(first, m)| {
                        let mid = m.id;
                        let day = first.then(|| view! {
                            <div class="day-sep" role="separator"><span>{day_label(&m.created_at)}</span></div>
                        });
                        view! {
                            {day}
                            <Bubble
                                msg=m
                                highlighted=Signal::derive(move || chat.highlight.get() == Some(mid))
                                on_reply=on_reply
                                on_star=on_star
                            />
                        }
                    }
                />
            </div>
            <Composer chat=chat />
            <Show when=move || chat.template_open.get()>
                <TemplatePicker chat=chat />
            </Show>
        </section>
        {move || contact_id.get().map(|cid| view! { <ContactPanel contact_id=cid changed=journey_key /> })}
    }
}

/// The reply window: the time left, or why only templates can go out.
#[component]
fn WindowBanner(chat: Chat) -> impl IntoView {
    // Memos, so the banner is rebuilt when it flips, not every second.
    let has_conv = Memo::new(move |_| chat.conv.with(Option::is_some));
    let closed = Memo::new(move |_| chat.window_closed());
    let may_send = Memo::new(move |_| chat.may_send());
    move || {
        has_conv.get().then(|| {
            if closed.get() {
                view! {
                    <div class="window-banner window-closed" role="status" data-testid="window-closed">
                        <Icon icon=icondata::LuTimerOff />
                        <span>{t("conversations.window.closed")}</span>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            data-testid="window-send-template"
                            disabled=move || !may_send.get()
                            on:click=move |_| chat.template_open.set(true)
                        >
                            <Icon icon=icondata::LuFileText />
                            <span>{t("conversations.window.send_template")}</span>
                        </button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <div class="window-banner window-open" data-testid="window-open">
                        <Icon icon=icondata::LuTimer />
                        <span>
                            {move || tf("conversations.window.left", &[("time", &countdown(chat.window_left().unwrap_or(0)))])}
                        </span>
                    </div>
                }
                .into_any()
            }
        })
    }
}

#[component]
fn ChatHeader(chat: Chat) -> impl IntoView {
    let api = Authed::from_shell();
    let state = conversations_state();
    let me = me_state();
    let toasts = toasts();
    let navigate = use_navigate();
    let id = chat.id;
    let busy = RwSignal::new(false);
    let transfer_open = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let agents = RwSignal::new(None::<Result<Vec<PersonRef>, String>>);
    let my_id = Memo::new(move |_| me.me.with(|m| m.as_ref().map(|m| m.user_id)));
    let can_edit = Memo::new(move |_| me.can("conversations.edit"));
    let can_delete = Memo::new(move |_| me.can("conversations.delete"));
    let conv = move || chat.conv.get();
    let field = move |f: fn(&Conversation) -> String| {
        chat.conv.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let controller = Memo::new(move |_| {
        chat.conv
            .with(|c| c.as_ref().and_then(|c| c.controller.clone()))
    });
    let is_controller = Memo::new(move |_| {
        controller.with(|c| c.as_ref().map(|p| p.id)) == my_id.get() && my_id.get().is_some()
    });
    let resolved = Memo::new(move |_| {
        chat.conv
            .with(|c| c.as_ref().is_some_and(|c| c.state == "resolved"))
    });
    let archived = Memo::new(move |_| chat.conv.with(|c| c.as_ref().is_some_and(|c| c.archived)));
    let bot_on = Memo::new(move |_| {
        chat.conv
            .with(|c| c.as_ref().is_some_and(|c| c.chatbot_enabled))
    });

    let done = move |result: Result<Conversation, ApiError>, ok_key: &'static str| {
        busy.set(false);
        match result {
            Ok(c) => {
                chat.conv.set(Some(c.clone()));
                state.apply(c);
                toasts.success(t(ok_key));
            }
            Err(ApiError::SignedOut) => {}
            Err(e) => toasts.error(problem_text(&e)),
        }
    };
    let act = move |action: ControlAction, ok_key: &'static str| {
        move |_| {
            busy.set(true);
            spawn_local(async move {
                done(api.control_conversation(id, action).await, ok_key);
            });
        }
    };
    let toggle_bot = move |_| {
        let enabled = !bot_on.get_untracked();
        busy.set(true);
        spawn_local(async move {
            done(
                api.set_chatbot(id, enabled).await,
                if enabled {
                    "conversations.done.bot_on"
                } else {
                    "conversations.done.bot_off"
                },
            );
        });
    };
    let open_transfer = move |_| {
        let open = !transfer_open.get_untracked();
        transfer_open.set(open);
        if open && agents.with_untracked(Option::is_none) {
            spawn_local(async move {
                agents.set(Some(
                    api.conversation_agents().await.map_err(|e| e.message()),
                ));
            });
        }
    };
    let transfer_to = move |person: PersonRef| {
        transfer_open.set(false);
        busy.set(true);
        spawn_local(async move {
            let result = api.transfer_conversation(id, person.id).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    chat.conv.set(Some(c.clone()));
                    state.apply(c);
                    toasts.success(tf(
                        "conversations.done.transferred",
                        &[("name", &person.name)],
                    ));
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => toasts.error(problem_text(&e)),
            }
        });
    };
    let delete = Callback::new(move |()| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api.delete_conversation(id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    confirm_delete.set(false);
                    state.remove(id);
                    toasts.success(t("conversations.done.deleted"));
                    navigate("/conversations", Default::default());
                }
                Err(e) => toasts.error(problem_text(&e)),
            }
        });
    });

    view! {
        <header class="chat-head">
            <div class="chat-who">
                {move || view! { <Avatar name=field(|c| c.contact.name.clone()) /> }}
                <div class="chat-who-text">
                    <h2 class="chat-name" data-testid="chat-contact-name">{move || field(|c| c.contact.name.clone())}</h2>
                    <div class="chat-sub">
                        <span class="mono" data-testid="chat-contact-phone">{move || field(|c| c.contact.phone.clone())}</span>
                        <span class="muted">{move || field(|c| c.channel_name.clone())}</span>
                        {move || conv().map(|c| {
                            let (tone, label) = state_look(&c.state);
                            view! { <span data-testid="chat-state" data-state=c.state.clone()><Badge tone=tone text=label /></span> }
                        })}
                        {move || controller.get().map(|p| view! {
                            <span class="chat-controller" data-testid="chat-controller">
                                {tf("conversations.controlled_by", &[("name", &p.name)])}
                            </span>
                        })}
                    </div>
                </div>
            </div>
            <div class="chat-controls" role="toolbar" aria-label=t("conversations.controls")>
                <button
                    type="button"
                    class="icon-btn bot-toggle"
                    class:bot-on=move || bot_on.get()
                    data-testid="chatbot-toggle"
                    data-enabled=move || bot_on.get().to_string()
                    aria-pressed=move || bot_on.get().to_string()
                    title=move || t(if bot_on.get() { "conversations.bot.on_hint" } else { "conversations.bot.off_hint" })
                    aria-label=move || t(if bot_on.get() { "conversations.bot.on_hint" } else { "conversations.bot.off_hint" })
                    disabled=move || busy.get()
                    on:click=toggle_bot
                >
                    {move || if bot_on.get() {
                        view! { <Icon icon=icondata::LuBot width="20" height="20" /> }.into_any()
                    } else {
                        view! { <Icon icon=icondata::LuBotOff width="20" height="20" /> }.into_any()
                    }}
                </button>
                <Show when=move || !is_controller.get() && !resolved.get()>
                    <button type="button" class="btn btn-primary btn-sm" data-testid="take-control"
                        disabled=move || busy.get() on:click=act(ControlAction::TakeControl, "conversations.done.taken")>
                        <Icon icon=icondata::LuHand />
                        <span>{t("conversations.take_control")}</span>
                    </button>
                </Show>
                <Show when=move || is_controller.get() || (can_edit.get() && controller.with(Option::is_some))>
                    <button type="button" class="btn btn-secondary btn-sm" data-testid="release"
                        disabled=move || busy.get() on:click=act(ControlAction::Release, "conversations.done.released")>
                        <Icon icon=icondata::LuLogOut />
                        <span>{t("conversations.release")}</span>
                    </button>
                </Show>
                <Show when=move || is_controller.get() || can_edit.get()>
                    <div class="menu-anchor">
                        <button type="button" class="btn btn-secondary btn-sm" data-testid="transfer"
                            aria-haspopup="menu" aria-expanded=move || transfer_open.get().to_string()
                            disabled=move || busy.get() on:click=open_transfer>
                            <Icon icon=icondata::LuArrowRightLeft />
                            <span>{t("conversations.transfer")}</span>
                            <Icon icon=icondata::LuChevronDown />
                        </button>
                        <Show when=move || transfer_open.get()>
                            <div class="dropdown-scrim" on:click=move |_| transfer_open.set(false)></div>
                            <div class="dropdown dropdown-right" role="menu" data-testid="transfer-menu">
                                <div class="dropdown-label">{t("conversations.transfer_to")}</div>
                                {move || match agents.get() {
                                    None => view! { <Loading /> }.into_any(),
                                    Some(Err(m)) => view! { <p class="field-error">{m}</p> }.into_any(),
                                    Some(Ok(list)) => {
                                        let current = controller.with(|c| c.as_ref().map(|p| p.id));
                                        let list: Vec<PersonRef> = list.into_iter().filter(|p| Some(p.id) != current).collect();
                                        if list.is_empty() {
                                            view! { <p class="muted dropdown-label">{t("conversations.no_agents")}</p> }.into_any()
                                        } else {
                                            list.into_iter().map(|p| {
                                                let name = p.name.clone();
                                                view! {
                                                    <button type="button" role="menuitem" class="dropdown-item" data-testid="transfer-agent"
                                                        on:click=move |_| transfer_to(p.clone())>
                                                        <Avatar name=name.clone() />
                                                        <span class="dropdown-item-main">{name.clone()}</span>
                                                    </button>
                                                }
                                            }).collect_view().into_any()
                                        }
                                    }
                                }}
                            </div>
                        </Show>
                    </div>
                </Show>
                {move || if resolved.get() {
                    view! {
                        <button type="button" class="btn btn-secondary btn-sm" data-testid="reopen"
                            disabled=move || busy.get() on:click=act(ControlAction::Reopen, "conversations.done.reopened")>
                            <Icon icon=icondata::LuRotateCcw />
                            <span>{t("conversations.reopen")}</span>
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-secondary btn-sm" data-testid="resolve"
                            disabled=move || busy.get() on:click=act(ControlAction::Resolve, "conversations.done.resolved")>
                            <Icon icon=icondata::LuCircleCheckBig />
                            <span>{t("conversations.resolve")}</span>
                        </button>
                    }.into_any()
                }}
                {move || if archived.get() {
                    view! {
                        <button type="button" class="icon-btn" data-testid="unarchive" title=t("conversations.unarchive") aria-label=t("conversations.unarchive")
                            disabled=move || busy.get() on:click=act(ControlAction::Unarchive, "conversations.done.unarchived")>
                            <Icon icon=icondata::LuArchiveRestore />
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="icon-btn" data-testid="archive" title=t("conversations.archive") aria-label=t("conversations.archive")
                            disabled=move || busy.get() on:click=act(ControlAction::Archive, "conversations.done.archived")>
                            <Icon icon=icondata::LuArchive />
                        </button>
                    }.into_any()
                }}
                <Show when=move || can_delete.get()>
                    <button type="button" class="icon-btn icon-btn-danger" data-testid="delete-conversation"
                        title=t("conversations.delete") aria-label=t("conversations.delete") on:click=move |_| confirm_delete.set(true)>
                        <Icon icon=icondata::LuTrash2 />
                    </button>
                </Show>
            </div>
        </header>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title=t("conversations.delete_title")
                body=t("conversations.delete_body")
                confirm_label=t("conversations.delete")
                busy=busy
                on_confirm=delete
                on_close=Callback::new(move |()| confirm_delete.set(false))
            />
        </Show>
    }
}
