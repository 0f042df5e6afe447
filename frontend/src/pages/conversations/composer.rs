//! The composer: Enter sends, Shift+Enter breaks the line; `/` at the start
//! looks up quick replies; buttons for quick replies, emoji, a gallery file
//! and a template. Only the person in control (or someone allowed to edit
//! conversations) may write, and after 24 hours of customer silence only a
//! template may go out.

use contract::conversations::{QuickReply, SendContent, SendMessageRequest};
use contract::media::MediaItem;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::bubble::summary;
use super::chat::Chat;
use super::interactive::InteractiveDialog;
use super::logic::{insert_at, match_quick_replies, slash_query};
use super::problem_code;
use crate::api::{ApiError, Authed, FieldErrors};
use crate::i18n::t;
use crate::pages::media::PickerDialog;
use crate::pages::templates::formatted;
use crate::state::toasts;

/// The palette: the faces and signs agents use most.
const EMOJIS: &[&str] = &[
    "😀", "😁", "😂", "🙂", "😉", "😊", "😍", "🤔", "😅", "😢", "😮", "😎", "🙏", "👍", "👎", "👏",
    "👋", "🤝", "💪", "🙌", "✅", "❌", "⚠️", "❤️", "🎉", "🔥", "⭐", "📦", "🚚", "📞", "📧", "🕒",
    "📅", "💳", "🛒", "🎁",
];

/// How many quick replies the `/` lookup lists.
const SLASH_MAX: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    None,
    QuickReplies,
    Emoji,
}

#[component]
pub fn Composer(chat: Chat) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let text = RwSignal::new(String::new());
    let textarea = NodeRef::<html::Textarea>::new();
    let attachment = RwSignal::new(None::<MediaItem>);
    let sending = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let quick = RwSignal::new(Vec::<QuickReply>::new());
    let dismissed = RwSignal::new(false);
    let index = RwSignal::new(0usize);
    let panel = RwSignal::new(Panel::None);
    let picker_open = RwSignal::new(false);
    let interactive_open = RwSignal::new(false);
    let qr_filter = RwSignal::new(String::new());

    let may_send = Memo::new(move |_| chat.may_send());
    let closed = Memo::new(move |_| chat.window_closed());
    let channel = Memo::new(move |_| chat.conv.with(|c| c.as_ref().map(|c| c.channel_id)));

    // The quick replies offered on this conversation's channel.
    Effect::new(move |_| {
        let Some(channel) = channel.get() else {
            return;
        };
        spawn_local(async move {
            if let Ok(list) = api.quick_replies("", Some(channel)).await {
                quick.set(list);
            }
        });
    });

    let matches = Memo::new(move |_| {
        let q = text.with(|s| slash_query(s).map(str::to_string));
        match q {
            Some(q) => quick.with(|l| {
                match_quick_replies(l, &q)
                    .into_iter()
                    .take(SLASH_MAX)
                    .cloned()
                    .collect::<Vec<_>>()
            }),
            None => Vec::new(),
        }
    });
    let slash_open = Memo::new(move |_| !dismissed.get() && !matches.with(Vec::is_empty));

    let focus_end = move || {
        if let Some(el) = textarea.get_untracked() {
            let _ = el.focus();
            let n = el.value().chars().count() as u32;
            let _ = el.set_selection_range(n, n);
        }
    };
    let choose = move |qr: QuickReply| {
        text.set(qr.body);
        dismissed.set(true);
        panel.set(Panel::None);
        request_animation_frame(focus_end);
    };
    let insert = move |piece: &str| {
        let current = text.get_untracked();
        let caret = textarea
            .get_untracked()
            .and_then(|el| el.selection_start().ok().flatten())
            .map_or(current.chars().count(), |n| n as usize);
        let (next, caret) = insert_at(&current, caret, piece);
        text.set(next);
        request_animation_frame(move || {
            if let Some(el) = textarea.get_untracked() {
                let _ = el.focus();
                let _ = el.set_selection_range(caret as u32, caret as u32);
            }
        });
    };

    let send = move || {
        if sending.get_untracked() || !may_send.get_untracked() || closed.get_untracked() {
            return;
        }
        let body = text.get_untracked();
        let content = match attachment.get_untracked() {
            Some(item) => SendContent::Media {
                media_id: item.id,
                caption: Some(body.trim().to_string()).filter(|c| !c.is_empty()),
            },
            None if body.trim().is_empty() => return,
            None => SendContent::Text {
                text: body.trim_end().to_string(),
            },
        };
        let req = SendMessageRequest {
            content,
            reply_to: chat.reply_to.with_untracked(|r| r.as_ref().map(|m| m.id)),
        };
        sending.set(true);
        errors.set(FieldErrors::new());
        spawn_local(async move {
            let result = api.send_message(chat.id, &req).await;
            sending.set(false);
            match result {
                // A provider's refusal comes back as a failed message; its
                // bubble shows why.
                Ok(m) => {
                    text.set(String::new());
                    attachment.set(None);
                    chat.reply_to.set(None);
                    chat.add_message(m);
                    request_animation_frame(focus_end);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) if problem_code(&e) == Some("window_closed") => {
                    chat.window_refused.set(true);
                }
                Err(e) => {
                    let fields = e.field_errors();
                    if fields.is_empty() {
                        toasts.error(e.message());
                    } else {
                        errors.set(fields);
                    }
                }
            }
        });
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.is_composing() {
            return;
        }
        let key = ev.key();
        if slash_open.get_untracked() {
            let n = matches.with_untracked(Vec::len);
            match key.as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    index.update(|i| *i = (*i + 1) % n.max(1));
                    return;
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    index.update(|i| *i = (*i + n.max(1) - 1) % n.max(1));
                    return;
                }
                "Enter" | "Tab" => {
                    ev.prevent_default();
                    let i = index.get_untracked();
                    if let Some(qr) = matches.with_untracked(|m| m.get(i).cloned()) {
                        choose(qr);
                    }
                    return;
                }
                "Escape" => {
                    ev.prevent_default();
                    dismissed.set(true);
                    return;
                }
                _ => {}
            }
        }
        if key == "Enter" && !ev.shift_key() {
            ev.prevent_default();
            send();
        }
    };

    let error_text =
        move || errors.with(|e| e.values().flatten().cloned().collect::<Vec<_>>().join(" "));
    let hint = move || {
        if !may_send.get() {
            Some(t("conversations.composer.take_control_first"))
        } else if closed.get() {
            Some(t("conversations.composer.window_closed"))
        } else {
            None
        }
    };
    let locked = move || !may_send.get() || closed.get();

    view! {
        <div class="composer" data-testid="composer">
            {move || chat.reply_to.get().map(|m| {
                let who = if m.direction == "outbound" { t("conversations.you") } else { t("conversations.customer") };
                view! {
                    <div class="composer-reply" data-testid="reply-preview">
                        <Icon icon=icondata::LuReply />
                        <div class="composer-reply-text">
                            <span class="msg-quote-who">{who}</span>
                            <span>{summary(&m)}</span>
                        </div>
                        <button type="button" class="icon-btn icon-btn-sm" aria-label=t("conversations.cancel_reply")
                            title=t("conversations.cancel_reply") data-testid="cancel-reply" on:click=move |_| chat.reply_to.set(None)>
                            <Icon icon=icondata::LuX />
                        </button>
                    </div>
                }
            })}
            {move || attachment.get().map(|item| view! {
                <div class="composer-attachment" data-testid="composer-attachment">
                    <Icon icon=crate::pages::media::kind_icon(&item.kind) />
                    <span class="media-name">{item.name.clone()}</span>
                    <span class="muted small">{t("conversations.composer.caption_hint")}</span>
                    <button type="button" class="icon-btn icon-btn-sm" aria-label=t("media.clear") title=t("media.clear")
                        on:click=move |_| attachment.set(None)>
                        <Icon icon=icondata::LuX />
                    </button>
                </div>
            })}
            {move || hint().map(|h| view! {
                <div class="composer-hint" role="note" data-testid="composer-hint">
                    <Icon icon=icondata::LuInfo />
                    <span>{h}</span>
                </div>
            })}
            <Show when=move || slash_open.get()>
                <ul class="slash-menu" role="listbox" aria-label=t("conversations.quick_replies") data-testid="slash-menu">
                    {move || matches.get().into_iter().enumerate().map(|(i, qr)| {
                        let pick = qr.clone();
                        view! {
                            <li
                                role="option"
                                class="slash-item"
                                class:active=move || index.get() == i
                                aria-selected=move || (index.get() == i).to_string()
                                data-testid="slash-option"
                                data-shortcut=qr.shortcut.clone()
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    choose(pick.clone());
                                }
                            >
                                <span class="mono slash-shortcut">{format!("/{}", qr.shortcut)}</span>
                                <span class="slash-body">{qr.body.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <div class="composer-row">
                <div class="composer-tools">
                    <div class="menu-anchor">
                        <button type="button" class="icon-btn" title=t("conversations.quick_replies") aria-label=t("conversations.quick_replies")
                            data-testid="quick-reply-button" disabled=locked
                            aria-expanded=move || (panel.get() == Panel::QuickReplies).to_string()
                            on:click=move |_| panel.update(|p| *p = if *p == Panel::QuickReplies { Panel::None } else { Panel::QuickReplies })>
                            <Icon icon=icondata::LuZap />
                        </button>
                        <Show when=move || panel.get() == Panel::QuickReplies>
                            <div class="dropdown-scrim" on:click=move |_| panel.set(Panel::None)></div>
                            <div class="dropdown dropdown-up qr-panel" data-testid="quick-reply-panel">
                                <label class="search">
                                    <Icon icon=icondata::LuSearch />
                                    <span class="sr-only">{t("conversations.qr_search")}</span>
                                    <input type="search" placeholder=t("conversations.qr_search")
                                        prop:value=move || qr_filter.get()
                                        on:input=move |ev| qr_filter.set(event_target_value(&ev)) />
                                </label>
                                {move || {
                                    let list = quick.with(|l| match_quick_replies(l, &qr_filter.get()).into_iter().cloned().collect::<Vec<_>>());
                                    if list.is_empty() {
                                        view! {
                                            <p class="muted small qr-empty">
                                                {t("conversations.qr_none")} " "
                                                <a href="/quick-replies">{t("module.quick_replies")}</a>
                                            </p>
                                        }.into_any()
                                    } else {
                                        list.into_iter().map(|qr| {
                                            let pick = qr.clone();
                                            view! {
                                                <button type="button" class="dropdown-item qr-item" data-testid="quick-reply-option"
                                                    data-shortcut=qr.shortcut.clone() on:click=move |_| choose(pick.clone())>
                                                    <span class="mono slash-shortcut">{format!("/{}", qr.shortcut)}</span>
                                                    <span class="slash-body">{formatted(&qr.body)}</span>
                                                </button>
                                            }
                                        }).collect_view().into_any()
                                    }
                                }}
                            </div>
                        </Show>
                    </div>
                    <div class="menu-anchor">
                        <button type="button" class="icon-btn" title=t("conversations.emoji") aria-label=t("conversations.emoji")
                            data-testid="emoji-button" disabled=locked
                            aria-expanded=move || (panel.get() == Panel::Emoji).to_string()
                            on:click=move |_| panel.update(|p| *p = if *p == Panel::Emoji { Panel::None } else { Panel::Emoji })>
                            <Icon icon=icondata::LuSmile />
                        </button>
                        <Show when=move || panel.get() == Panel::Emoji>
                            <div class="dropdown-scrim" on:click=move |_| panel.set(Panel::None)></div>
                            <div class="dropdown dropdown-up emoji-panel" data-testid="emoji-panel" role="group" aria-label=t("conversations.emoji")>
                                {EMOJIS.iter().map(|e| view! {
                                    <button type="button" class="emoji-btn" data-testid="emoji" on:click=move |_| insert(e)>{*e}</button>
                                }).collect_view()}
                            </div>
                        </Show>
                    </div>
                    <button type="button" class="icon-btn" title=t("conversations.attach") aria-label=t("conversations.attach")
                        data-testid="media-button" disabled=locked on:click=move |_| picker_open.set(true)>
                        <Icon icon=icondata::LuPaperclip />
                    </button>
                    <button type="button" class="icon-btn" title=t("conversations.interactive") aria-label=t("conversations.interactive")
                        data-testid="interactive-button" disabled=locked on:click=move |_| interactive_open.set(true)>
                        <Icon icon=icondata::LuListChecks />
                    </button>
                    <button type="button" class="icon-btn" title=t("conversations.template") aria-label=t("conversations.template")
                        data-testid="template-button" disabled=move || !may_send.get()
                        on:click=move |_| chat.template_open.set(true)>
                        <Icon icon=icondata::LuFileText />
                    </button>
                </div>
                <label for="composer-text" class="sr-only">{t("conversations.composer.label")}</label>
                <textarea
                    id="composer-text"
                    class="composer-text"
                    rows="1"
                    node_ref=textarea
                    data-testid="composer-input"
                    placeholder=move || if locked() { String::new() } else { t("conversations.composer.placeholder") }
                    disabled=locked
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        if slash_query(&v).is_none() {
                            dismissed.set(false);
                        }
                        index.set(0);
                        text.set(v);
                    }
                    on:keydown=on_keydown
                ></textarea>
                <button
                    type="button"
                    class="btn btn-primary composer-send"
                    data-testid="send-button"
                    aria-label=t("conversations.send")
                    title=t("conversations.send")
                    disabled=move || locked() || sending.get() || (text.with(|s| s.trim().is_empty()) && attachment.with(Option::is_none))
                    on:click=move |_| send()
                >
                    <Icon icon=icondata::LuSendHorizontal />
                </button>
            </div>
            <p class="field-error" role="alert" data-testid="composer-error">{error_text}</p>
            <Show when=move || interactive_open.get()>
                <InteractiveDialog
                    chat=chat
                    body=text.get_untracked()
                    on_close=Callback::new(move |()| interactive_open.set(false))
                    on_sent=Callback::new(move |()| {
                        interactive_open.set(false);
                        text.set(String::new());
                    })
                />
            </Show>
            <Show when=move || picker_open.get()>
                <PickerDialog
                    kind=Signal::derive(String::new)
                    on_close=Callback::new(move |()| picker_open.set(false))
                    on_pick=Callback::new(move |item: MediaItem| {
                        attachment.set(Some(item));
                        picker_open.set(false);
                        request_animation_frame(focus_end);
                    })
                />
            </Show>
        </div>
    }
}
