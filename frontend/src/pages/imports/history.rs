//! `/contacts/imports`: every import of the tenant, newest first, with
//! its counts and the failed rows to download. The contacts filter in the
//! address (`?tag_any=…`) is what "Export CSV" downloads.

use contract::contacts::ContactImport;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{
    gated, grouped, in_progress, rows_label, save_download, state_badge, ImportExportMenu,
};
use crate::api::Authed;
use crate::components::misc::{format_time, Badge, ErrorBanner, Loading, PageHeader};
use crate::i18n::t;
use crate::state::{me_state, toasts};

const PAGE_SIZE: u32 = 25;

/// The `GET /contacts` filters an address may carry.
const FILTER_KEYS: [&str; 11] = [
    "q",
    "tag_any",
    "tag_all",
    "group",
    "attribute",
    "attribute_op",
    "attribute_value",
    "source",
    "opt_in",
    "created_from",
    "created_to",
];

#[component]
pub fn ImportHistoryPage() -> impl IntoView {
    gated("contacts.view", || view! { <History /> })
}

#[component]
fn History() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let query = use_query_map();
    let can_import = Memo::new(move |_| me.can("contacts.create"));
    let my_id = Memo::new(move |_| me.me.with(|m| m.as_ref().map(|m| m.user_id)));

    let items = RwSignal::new(Vec::<ContactImport>::new());
    let cursor = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<Result<(), String>>);
    let more = RwSignal::new(false);
    let downloading = RwSignal::new(None::<Uuid>);

    let filters = Signal::derive(move || {
        query.with(|q| {
            FILTER_KEYS
                .iter()
                .filter_map(|k| q.get(k).map(|v| ((*k).to_string(), v)))
                .filter(|(_, v)| !v.trim().is_empty())
                .collect::<Vec<_>>()
        })
    });

    let load = move |after: Option<String>| {
        let first = after.is_none();
        if first {
            status.set(None);
        } else {
            more.set(true);
        }
        spawn_local(async move {
            match api.contact_imports(PAGE_SIZE, after.as_deref()).await {
                Ok(page) => {
                    if first {
                        items.try_set(page.items);
                    } else {
                        items.try_update(|l| l.extend(page.items));
                    }
                    cursor.try_set(page.next_cursor);
                    status.try_set(Some(Ok(())));
                }
                Err(e) => {
                    if first {
                        status.try_set(Some(Err(e.message())));
                    } else {
                        toasts.error(e.message());
                    }
                }
            }
            more.try_set(false);
        });
    };
    load(None);

    let download = move |id: Uuid| {
        downloading.set(Some(id));
        spawn_local(async move {
            match api.import_failures(id).await {
                Ok(file) => {
                    if let Err(e) = save_download(&file) {
                        toasts.error(e);
                    }
                }
                Err(e) => toasts.error(e.message()),
            }
            downloading.try_set(None);
        });
    };

    let who = move |user: Uuid| {
        if my_id.get() == Some(user) {
            view! { <span class="you">{t("imports.by_you")}</span> }.into_any()
        } else {
            let short: String = user.to_string().chars().take(8).collect();
            view! { <span class="mono cell-muted" title=user.to_string()>{short}</span> }.into_any()
        }
    };

    let row = move |i: ContactImport| {
        let (tone, text) = state_badge(&i.state);
        let id = i.id;
        let open = matches!(
            i.state.as_str(),
            "queued" | "running" | "completed" | "failed" | "cancelled"
        );
        let file = if open {
            view! {
                <a class="cell-main link-plain" href=format!("/contacts/import?id={id}")>
                    {i.file_name.clone()}
                </a>
            }
            .into_any()
        } else {
            view! { <span class="cell-main">{i.file_name.clone()}</span> }.into_any()
        };
        let progress = in_progress(&i.state).then(|| {
            view! {
                <span class="cell-sub">
                    {format!("{} / {}", grouped(i.processed_rows), grouped(i.total_rows))}
                </span>
            }
        });
        let failed = i.failed;
        view! {
            <tr data-testid="import-row" data-state=i.state.clone()>
                <td>
                    <div class="cell-stack">
                        {file}
                        <span class="cell-sub">{rows_label(i.total_rows)}</span>
                    </div>
                </td>
                <td>{who(i.created_by)}</td>
                <td class="nowrap cell-muted">{format_time(&i.created_at)}</td>
                <td>
                    <Badge tone=tone text=text />
                    {progress}
                </td>
                <td class="num" data-testid="row-added">{grouped(i.added)}</td>
                <td class="num" data-testid="row-updated">{grouped(i.updated)}</td>
                <td class="num" class:text-danger={failed > 0} data-testid="row-failed">{grouped(i.failed)}</td>
                <td class="col-actions">
                    {(failed > 0).then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-sm"
                                data-testid="row-download-failures"
                                disabled=move || downloading.get() == Some(id)
                                on:click=move |_| download(id)
                            >
                                <Icon icon=icondata::LuFileDown />
                                <span>{t("imports.failure_report")}</span>
                            </button>
                        }
                    })}
                </td>
            </tr>
        }
    };

    view! {
        <PageHeader title=t("imports.history_title") subtitle=t("imports.history_subtitle")>
            <ImportExportMenu filters=filters />
            <Show when=move || can_import.get()>
                <a class="btn btn-primary" href="/contacts/import" data-testid="new-import">
                    <Icon icon=icondata::LuUpload />
                    <span>{t("imports.new_import")}</span>
                </a>
            </Show>
        </PageHeader>
        <a class="back-link" href="/contacts">
            <Icon icon=icondata::LuArrowLeft />
            <span>{t("imports.back_to_contacts")}</span>
        </a>
        {move || {
            (!filters.with(Vec::is_empty))
                .then(|| {
                    view! {
                        <div class="banner banner-info" role="status" data-testid="export-filter-note">
                            <Icon icon=icondata::LuInfo />
                            <span>{t("imports.export_filter_note")}</span>
                        </div>
                    }
                })
        }}
        {move || match status.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(m)) => {
                view! {
                    <ErrorBanner message=Signal::derive(move || Some(m.clone())) />
                    <button type="button" class="btn btn-secondary" on:click=move |_| load(None)>
                        {t("common.retry")}
                    </button>
                }
                    .into_any()
            }
            Some(Ok(())) => {
                view! {
                    <Show
                        when=move || items.with(|l| !l.is_empty())
                        fallback=move || {
                            view! {
                                <div class="empty-state card" data-testid="imports-empty">
                                    <div class="empty-icon">
                                        <Icon icon=icondata::LuFileUp width="28" height="28" />
                                    </div>
                                    <h2>{t("imports.empty_title")}</h2>
                                    <p>{t("imports.empty_body")}</p>
                                </div>
                            }
                        }
                    >
                        <div class="card table-card">
                            <div class="table-wrap">
                                <table class="table" data-testid="import-history">
                                    <thead>
                                        <tr>
                                            <th>{t("imports.h_file")}</th>
                                            <th>{t("imports.h_who")}</th>
                                            <th>{t("imports.h_when")}</th>
                                            <th>{t("imports.h_state")}</th>
                                            <th class="num">{t("imports.added")}</th>
                                            <th class="num">{t("imports.updated")}</th>
                                            <th class="num">{t("imports.failed")}</th>
                                            <th class="col-actions">
                                                <span class="sr-only">{t("common.actions")}</span>
                                            </th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        <For each=move || items.get() key=|i| (i.id, i.state.clone(), i.processed_rows) let:i>
                                            {row(i)}
                                        </For>
                                    </tbody>
                                </table>
                            </div>
                            <Show when=move || cursor.with(Option::is_some)>
                                <div class="pager">
                                    <button
                                        type="button"
                                        class="btn btn-secondary btn-sm"
                                        data-testid="imports-more"
                                        disabled=move || more.get()
                                        on:click=move |_| load(cursor.get_untracked())
                                    >
                                        {t("imports.load_more")}
                                    </button>
                                </div>
                            </Show>
                        </div>
                    </Show>
                }
                    .into_any()
            }
        }}
    }
}
