//! One chat bubble: every message kind WhatsApp has, the quoted message of
//! a reply, delivery ticks and a provider's error, with Star and Reply.

use contract::conversations::{Message, MessageLocation};
use leptos::prelude::*;
use leptos_icons::Icon;

use super::clock;
use crate::i18n::{t, tf};
use crate::pages::media::human_size;
use crate::pages::templates::formatted;

/// The ticks of an outbound message, with the status as words for screen
/// readers and tests.
pub fn ticks(status: &str) -> impl IntoView {
    let (icon, class) = match status {
        "pending" => (icondata::LuClock, "tick tick-pending"),
        "sent" => (icondata::LuCheck, "tick tick-sent"),
        "delivered" => (icondata::LuCheckCheck, "tick tick-delivered"),
        "read" => (icondata::LuCheckCheck, "tick tick-read"),
        "failed" => (icondata::LuCircleAlert, "tick tick-failed"),
        _ => (icondata::LuCheck, "tick"),
    };
    let label = t(&format!("conversations.status.{status}"));
    let title = label.clone();
    view! {
        <span class=class data-testid="message-status" data-status=status.to_string() title=title>
            <Icon icon=icon width="15" height="15" />
            <span class="sr-only">{label}</span>
        </span>
    }
}

fn location_view(loc: MessageLocation) -> impl IntoView {
    let link = format!(
        "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}",
        lat = loc.latitude,
        lon = loc.longitude
    );
    view! {
        <div class="msg-location" data-testid="message-location">
            <Icon icon=icondata::LuMapPin width="20" height="20" />
            <div>
                {loc.name.map(|n| view! { <div class="msg-strong">{n}</div> })}
                {loc.address.map(|a| view! { <div>{a}</div> })}
                <a href=link target="_blank" rel="noopener noreferrer" class="mono">
                    {format!("{:.5}, {:.5}", loc.latitude, loc.longitude)}
                </a>
            </div>
        </div>
    }
}

/// The body of a message by kind.
fn content(m: &Message) -> AnyView {
    let text = m.text.clone().filter(|s| !s.is_empty());
    let caption = text
        .clone()
        .map(|c| view! { <div class="msg-text" data-testid="message-text">{formatted(&c)}</div> });
    match (m.kind.as_str(), m.media.clone()) {
        ("image" | "sticker", Some(media)) => view! {
            <a href=media.url.clone() target="_blank" rel="noopener" class="msg-media-link">
                <img
                    class=if m.kind == "sticker" { "msg-sticker" } else { "msg-image" }
                    src=media.url.clone()
                    alt=media.name.clone()
                    loading="lazy"
                    data-testid="message-image"
                />
            </a>
            {caption}
        }
        .into_any(),
        ("video", Some(media)) => view! {
            <video class="msg-video" controls=true preload="metadata" src=media.url.clone()></video>
            {caption}
        }
        .into_any(),
        ("audio", Some(media)) => view! {
            <audio class="msg-audio" controls=true preload="metadata" src=media.url.clone()></audio>
        }
        .into_any(),
        ("document", Some(media)) => view! {
            <a class="msg-doc" href=media.url.clone() download=media.name.clone() data-testid="message-document">
                <Icon icon=icondata::LuFileText width="22" height="22" />
                <span class="msg-doc-name">{media.name.clone()}</span>
                <span class="msg-doc-size">{human_size(media.size_bytes)}</span>
                <Icon icon=icondata::LuDownload width="16" height="16" />
            </a>
            {caption}
        }
        .into_any(),
        ("location", _) => match m.location.clone() {
            Some(loc) => location_view(loc).into_any(),
            None => view! { <div class="msg-text">{t("conversations.kind.location")}</div> }.into_any(),
        },
        ("contacts", _) => view! {
            <div class="msg-contacts" data-testid="message-contacts">
                {m.contacts
                    .iter()
                    .map(|line| view! {
                        <div class="msg-contact-line">
                            <Icon icon=icondata::LuContact width="16" height="16" />
                            <span>{line.clone()}</span>
                        </div>
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        ("reaction", _) => {
            let emoji = m.reaction.clone().unwrap_or_default();
            let label = if emoji.is_empty() {
                t("conversations.reaction_removed")
            } else {
                t("conversations.reacted")
            };
            view! {
                <div class="msg-reaction" data-testid="message-reaction">
                    <span class="msg-reaction-emoji">{emoji}</span>
                    <span class="msg-meta-text">{label}</span>
                </div>
            }
            .into_any()
        }
        ("button" | "button_reply" | "list_reply", _) => view! {
            <div class="msg-choice">
                <Icon icon=icondata::LuReply width="14" height="14" />
                <span>{text.unwrap_or_default()}</span>
            </div>
        }
        .into_any(),
        ("template", _) => view! {
            <div class="msg-template-name" data-testid="message-template">
                <Icon icon=icondata::LuFileText width="14" height="14" />
                <span>{m.template.clone().unwrap_or_else(|| t("conversations.kind.template"))}</span>
            </div>
            {caption}
            {options(&m.options)}
        }
        .into_any(),
        ("interactive", _) => view! {
            {caption}
            {options(&m.options)}
        }
        .into_any(),
        ("unsupported", _) => view! {
            <div class="msg-unsupported">{t("conversations.kind.unsupported")}</div>
        }
        .into_any(),
        (kind, _) => match text {
            Some(s) => view! { <div class="msg-text" data-testid="message-text">{formatted(&s)}</div> }.into_any(),
            None => view! { <div class="msg-unsupported">{tf("conversations.kind.other", &[("kind", kind)])}</div> }.into_any(),
        },
    }
}

fn options(list: &[String]) -> Option<impl IntoView> {
    (!list.is_empty()).then(|| {
        view! {
            <ul class="msg-options">
                {list.iter().map(|o| view! { <li data-testid="message-option">{o.clone()}</li> }).collect_view()}
            </ul>
        }
    })
}

#[component]
pub fn Bubble(
    msg: Message,
    #[prop(into)] highlighted: Signal<bool>,
    #[prop(into)] on_reply: Callback<Message>,
    #[prop(into)] on_star: Callback<Message>,
) -> impl IntoView {
    let outbound = msg.direction == "outbound";
    let body = if msg.kind == "text" {
        view! {
            <div class="msg-text" data-testid="message-text">
                {formatted(msg.text.as_deref().unwrap_or_default())}
            </div>
        }
        .into_any()
    } else {
        content(&msg)
    };
    let quote = msg.reply_to.clone().map(|q| {
        let who = if q.direction == "outbound" {
            t("conversations.you")
        } else {
            t("conversations.customer")
        };
        view! {
            <a class="msg-quote" href=format!("#msg-{}", q.id) data-testid="message-quote">
                <span class="msg-quote-who">{who}</span>
                <span class="msg-quote-text">{q.text}</span>
            </a>
        }
    });
    let error = msg.error.clone().map(|e| {
        view! {
            <div class="msg-error" role="note" data-testid="message-error">
                <Icon icon=icondata::LuCircleAlert width="14" height="14" />
                <span>
                    <strong>{e.title}</strong>
                    " (" <span class="mono">{e.code}</span> ")"
                    {e.detail.map(|d| view! { <span class="msg-error-detail">{d}</span> })}
                </span>
            </div>
        }
    });
    let starred = msg.starred;
    let star_label = t(if starred {
        "conversations.unstar"
    } else {
        "conversations.star"
    });
    let sender = msg
        .sent_by
        .as_ref()
        .map(|p| p.name.clone())
        .filter(|_| outbound);
    let (for_reply, for_star) = (msg.clone(), msg.clone());
    view! {
        <div
            class="msg"
            class:msg-out=outbound
            class:msg-in=!outbound
            class:msg-failed=msg.status == "failed"
            class:msg-highlight=move || highlighted.get()
            id=format!("msg-{}", msg.id)
            data-testid="message"
            data-id=msg.id.to_string()
            data-kind=msg.kind.clone()
            data-direction=msg.direction.clone()
            data-status=msg.status.clone()
            data-starred=starred.to_string()
        >
            <div class="msg-bubble">
                {quote}
                {body}
                {error}
                <div class="msg-meta">
                    {starred.then(|| view! {
                        <span class="msg-star-mark" aria-hidden="true"><Icon icon=icondata::LuStar width="12" height="12" /></span>
                    })}
                    {sender.map(|s| view! { <span class="msg-sender">{s}</span> })}
                    <time datetime=msg.created_at.to_rfc3339()>{clock(&msg.created_at)}</time>
                    {outbound.then(|| ticks(&msg.status))}
                </div>
            </div>
            <div class="msg-actions">
                <button
                    type="button"
                    class="icon-btn icon-btn-sm"
                    class:starred=starred
                    title=star_label.clone()
                    aria-label=star_label
                    aria-pressed=starred.to_string()
                    data-testid="star-message"
                    on:click=move |_| on_star.run(for_star.clone())
                >
                    <Icon icon=icondata::LuStar width="15" height="15" />
                </button>
                <button
                    type="button"
                    class="icon-btn icon-btn-sm"
                    title=t("conversations.reply")
                    aria-label=t("conversations.reply")
                    data-testid="reply-message"
                    on:click=move |_| on_reply.run(for_reply.clone())
                >
                    <Icon icon=icondata::LuReply width="15" height="15" />
                </button>
            </div>
        </div>
    }
}

/// One line about a message, for the reply preview above the composer.
pub fn summary(m: &Message) -> String {
    match m.text.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => m
            .media
            .as_ref()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| format!("[{}]", m.kind)),
    }
}
