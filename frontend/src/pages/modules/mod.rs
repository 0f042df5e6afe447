//! Modules that are not built yet say so plainly; no made-up data.

use leptos::prelude::*;
use leptos_icons::Icon;

use crate::components::icons::module_icon;
use crate::components::misc::{NoAccess, PageHeader};
use crate::i18n::{t, tf};
use crate::state::me_state;

#[component]
pub fn ModulePlaceholder(module: &'static str) -> impl IntoView {
    let me = me_state();
    let name = t(&format!("module.{module}"));
    move || {
        if !me.has_module(module) {
            return view! { <NoAccess /> }.into_any();
        }
        let name = name.clone();
        view! {
            <PageHeader title=name.clone() />
            <div class="empty-state card" data-testid="module-unavailable" data-module=module>
                <div class="empty-icon">
                    <Icon icon=module_icon(module) width="28" height="28" />
                </div>
                <h2>{t("placeholder.title")}</h2>
                <p>{tf("placeholder.body", &[("module", &name)])}</p>
            </div>
        }
        .into_any()
    }
}

/// Unknown addresses.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="fullscreen-center">
            <div class="empty-state card narrow" data-testid="not-found">
                <h1>{t("not_found.title")}</h1>
                <p>{t("not_found.body")}</p>
                <a class="btn btn-primary" href="/">
                    {t("access.home")}
                </a>
            </div>
        </div>
    }
}
