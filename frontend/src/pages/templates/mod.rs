//! `/templates`: WhatsApp message templates. The list with filters and
//! review badges, the editor with its phone preview, and the library of
//! ready-made templates.

mod editor;
mod library;
mod list;
mod preview;

use contract::channels::Channel;
use leptos::prelude::*;

use crate::components::misc::PageHeader;
use crate::i18n::t;

pub use editor::{counter, variables, TemplateEditorPage};
pub use library::TemplateLibraryPage;
pub use list::TemplatesPage;
pub use preview::{formatted, PhonePreview, PreviewHeader, PreviewModel};

/// Which tab of the module is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Templates,
    Library,
}

/// Renders `inner` only for people who may view this module.
fn gated<V: IntoView + 'static>(inner: impl Fn() -> V + Send + Sync + 'static) -> impl IntoView {
    crate::components::misc::gated("templates.view", inner)
}

/// The module's title and tabs, with the page's own actions at the right.
#[component]
pub fn TemplatesHeader(tab: Tab, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let link = move |target: Tab, href: &'static str, key: &'static str, testid: &'static str| {
        let current = target == tab;
        view! {
            <a
                href=href
                class="tab"
                class:active=current
                aria-current=current.then_some("page")
                data-testid=testid
            >
                {t(key)}
            </a>
        }
    };
    view! {
        <PageHeader title=t("module.templates") subtitle=t("templates.subtitle") />
        <div class="tabs-bar">
            <nav class="tabs" aria-label=t("module.templates")>
                {link(Tab::Templates, "/templates", "templates.tab.mine", "tab-templates")}
                {link(Tab::Library, "/templates/library", "templates.tab.library", "tab-library")}
            </nav>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}

/// A review status as a badge tone and label.
pub fn status_look(status: &str) -> (&'static str, String) {
    let tone = match status {
        "approved" => "success",
        "pending" | "in_appeal" => "warning",
        "rejected" | "disabled" => "danger",
        "paused" => "violet",
        _ => "neutral",
    };
    (tone, t(&format!("templates.status.{status}")))
}

pub fn category_label(category: &str) -> String {
    t(&format!("templates.category.{category}"))
}

/// Channels whose templates live at Meta (the sandbox speaks Meta's API).
pub fn graph_channels(channels: &[Channel]) -> Vec<Channel> {
    channels
        .iter()
        .filter(|c| c.provider == "meta_cloud" || c.provider == "sandbox")
        .cloned()
        .collect()
}

/// Languages offered in the editor, as Meta names them.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("en_US", "English (US)"),
    ("en_GB", "English (UK)"),
    ("es", "Spanish"),
    ("es_MX", "Spanish (Mexico)"),
    ("pt_BR", "Portuguese (Brazil)"),
    ("pt_PT", "Portuguese (Portugal)"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("hi", "Hindi"),
    ("id", "Indonesian"),
    ("ar", "Arabic"),
    ("tr", "Turkish"),
    ("ru", "Russian"),
    ("zh_CN", "Chinese (simplified)"),
    ("ja", "Japanese"),
];

pub fn language_label(code: &str) -> String {
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, name)| (*name).to_string())
}
