//! Small presentational pieces: page headers, badges, empty and no-access
//! states, avatars, dates.

use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;
use leptos_icons::Icon;

use crate::i18n::t;
use crate::state::me_state;

/// A page's title row with an optional action area.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(into, optional)] subtitle: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div>
                <h1 class="page-title">{title}</h1>
                {subtitle.map(|s| view! { <p class="page-subtitle">{s}</p> })}
            </div>
            <div class="page-actions">{children.map(|c| c())}</div>
        </header>
    }
}

/// A coloured pill: `tone` is one of neutral, info, success, warning, danger, accent.
#[component]
pub fn Badge(#[prop(into)] tone: String, #[prop(into)] text: String) -> impl IntoView {
    view! { <span class=format!("badge badge-{tone}")>{text}</span> }
}

/// Initials in a circle.
#[component]
pub fn Avatar(#[prop(into)] name: String, #[prop(optional)] large: bool) -> impl IntoView {
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    // A stable hue per name, so the same person keeps the same colour.
    let hue = name.bytes().fold(0u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 360;
    view! {
        <span
            class=if large { "avatar avatar-lg" } else { "avatar" }
            style=format!("--avatar-hue: {hue}")
            aria-hidden="true"
        >
            {if initials.is_empty() { "?".to_string() } else { initials }}
        </span>
    }
}

/// A spinner with a label, for loading states.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span>{t("common.loading")}</span>
        </div>
    }
}

/// A red notice for errors that are not about one field.
#[component]
pub fn ErrorBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="banner banner-error" role="alert" data-testid="error-banner">
                    <Icon icon=icondata::LuCircleAlert />
                    <span>{m}</span>
                </div>
            }
        })
    }
}

/// Shown instead of a page the person's role does not allow.
#[component]
pub fn NoAccess() -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="no-access">
            <div class="empty-icon">
                <Icon icon=icondata::LuLock width="28" height="28" />
            </div>
            <h2>{t("access.title")}</h2>
            <p>{t("access.body")}</p>
            <a class="btn btn-secondary" href="/">
                {t("access.home")}
            </a>
        </div>
    }
}

/// Renders `inner` only for people holding `permission`, else [`NoAccess`].
pub fn gated<V: IntoView + 'static>(
    permission: &'static str,
    inner: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let me = me_state();
    let allowed = Memo::new(move |_| me.can(permission));
    move || {
        if allowed.get() {
            inner().into_any()
        } else {
            view! { <NoAccess /> }.into_any()
        }
    }
}

/// Formats a UTC time in the browser's zone.
pub fn format_time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%d %b %Y, %H:%M")
        .to_string()
}

pub fn format_date(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%d %b %Y").to_string()
}

/// Copies text to the clipboard; returns whether the browser accepted.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// The browser's IANA time zone, e.g. `Europe/Berlin`.
pub fn browser_time_zone() -> Option<String> {
    let fmt = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let opts = fmt.resolved_options();
    js_sys::Reflect::get(&opts, &wasm_bindgen::JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
}

/// The region of the browser's language (`en-GB` -> `GB`), if any.
pub fn browser_country() -> Option<String> {
    let lang = web_sys::window()?.navigator().language()?;
    lang.split(['-', '_'])
        .nth(1)
        .filter(|r| r.len() == 2)
        .map(str::to_uppercase)
}
