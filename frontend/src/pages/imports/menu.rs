//! "Import / Export": one button opening a small menu with the import wizard,
//! the import history and a CSV export of the contacts the page shows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::save_download;
use crate::api::Authed;
use crate::i18n::t;
use crate::state::{me_state, toasts};

/// The contacts pages' import and export menu.
///
/// `filters` gives the current contacts filter as `GET /contacts` query
/// pairs (`q`, `tag_any`, `tag_all`, `group`, `attribute`, `attribute_op`,
/// `attribute_value`, `source`, `opt_in`, `created_from`, `created_to`;
/// empty values are skipped); "Export CSV" downloads exactly those contacts.
/// Pass `Signal::derive(move || filters.with(Filters::pairs))`, or
/// `Signal::derive(Vec::new)` for every contact.
#[component]
pub fn ImportExportMenu(
    #[prop(into)] filters: Signal<Vec<(String, String)>>,
    /// Export only these columns (`name`, `phone`, `email`, `tags`, `source`,
    /// `opt_in`, `created_at`, `attr:<key>`…); empty: the server's default.
    #[prop(into, optional)]
    columns: Signal<Vec<String>>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_import = Memo::new(move |_| me.can("contacts.create"));
    let open = RwSignal::new(false);
    let exporting = RwSignal::new(false);

    let export = move |_| {
        open.set(false);
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        let pairs = filters.get_untracked();
        let cols = columns.get_untracked();
        spawn_local(async move {
            match api.export_contacts(&pairs, &cols).await {
                Ok(file) => match save_download(&file) {
                    Ok(()) => toasts.success(t("imports.export_done")),
                    Err(e) => toasts.error(e),
                },
                Err(e) => toasts.error(e.message()),
            }
            exporting.set(false);
        });
    };

    view! {
        <div class="menu-anchor">
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="import-export-menu"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                disabled=move || exporting.get()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || {
                    if exporting.get() {
                        view! { <span class="spinner spinner-sm" aria-hidden="true"></span> }
                            .into_any()
                    } else {
                        view! { <Icon icon=icondata::LuArrowDownUp /> }.into_any()
                    }
                }}
                <span>{t("imports.menu")}</span>
                <Icon icon=icondata::LuChevronDown width="16" height="16" />
            </button>
            <Show when=move || open.get()>
                <div class="dropdown-scrim" on:click=move |_| open.set(false)></div>
                <div class="dropdown dropdown-right" role="menu" data-testid="import-export-items">
                    <Show when=move || can_import.get()>
                        <a
                            href="/contacts/import"
                            role="menuitem"
                            class="dropdown-item"
                            data-testid="menu-import"
                            on:click=move |_| open.set(false)
                        >
                            <Icon icon=icondata::LuUpload width="16" height="16" />
                            <span>{t("imports.menu_import")}</span>
                        </a>
                    </Show>
                    <a
                        href="/contacts/imports"
                        role="menuitem"
                        class="dropdown-item"
                        data-testid="menu-import-history"
                        on:click=move |_| open.set(false)
                    >
                        <Icon icon=icondata::LuHistory width="16" height="16" />
                        <span>{t("imports.menu_history")}</span>
                    </a>
                    <button
                        type="button"
                        role="menuitem"
                        class="dropdown-item"
                        data-testid="menu-export"
                        on:click=export
                    >
                        <Icon icon=icondata::LuDownload width="16" height="16" />
                        <span class="menu-item-text">
                        <span>{t("imports.menu_export")}</span>
                        <span class="dropdown-item-sub">
                            {move || {
                                if filters.with(|f| f.iter().any(|(_, v)| !v.trim().is_empty())) {
                                    t("imports.export_filtered")
                                } else {
                                    t("imports.export_all")
                                }
                            }}
                        </span>
                        </span>
                    </button>
                </div>
            </Show>
        </div>
    }
}
