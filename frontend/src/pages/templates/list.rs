//! The templates table: search, filters, review badges with Meta's reasons,
//! Refresh (sync from Meta), and per-row edit, duplicate, share and delete.
//! While a template waits for review the list re-reads itself, so Pending
//! turns into Approved or Rejected without a reload.

use std::time::Duration;

use contract::channels::Channel;
use contract::templates::{DuplicateTemplateRequest, Template};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::{category_label, gated, graph_channels, language_label, status_look, Tab};
use super::{TemplatesHeader, LANGUAGES};
use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::{format_time, Badge, ErrorBanner, Loading};
use crate::components::modal::{ConfirmDialog, Modal};
use crate::i18n::{t, tc, tf};
use crate::state::{me_state, toasts};

/// How often the list re-reads itself while a review is pending.
const POLL_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    q: String,
    status: String,
    category: String,
    language: String,
    channel_id: String,
}

impl Filters {
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("category", &self.category),
            ("language", &self.language),
            ("channel_id", &self.channel_id),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Loading,
    Ready,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    Duplicate(Template),
    Delete(Template),
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    gated(|| view! { <TemplatesList /> })
}

#[component]
fn TemplatesList() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_create = Memo::new(move |_| me.can("templates.create"));
    let can_edit = Memo::new(move |_| me.can("templates.edit"));
    let can_delete = Memo::new(move |_| me.can("templates.delete"));

    let filters = RwSignal::new(Filters::default());
    let items = RwSignal::new(Vec::<Template>::new());
    let cursor = RwSignal::new(None::<String>);
    let status = RwSignal::new(Status::Loading);
    let dialog = RwSignal::new(Dialog::None);
    let syncing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let generation = StoredValue::new(0u32);

    let channels = LocalResource::new(move || async move {
        api.channels().await.map(|p| p.items).unwrap_or_default()
    });
    let channel_list = Signal::derive(move || channels.get().unwrap_or_default());
    let channel_name = move |id: Uuid| {
        channel_list.with(|list| {
            list.iter()
                .find(|c| c.id == id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        })
    };

    // `quiet` re-reads without the loading state (the pending-review poll).
    let load = move |quiet: bool| {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        if !quiet {
            status.set(Status::Loading);
        }
        let pairs = filters.with_untracked(Filters::pairs);
        spawn_local(async move {
            let result = api.templates(&pairs, None).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match result {
                Ok(page) => {
                    items.set(page.items);
                    cursor.set(page.next_cursor);
                    status.set(Status::Ready);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) if quiet => leptos::logging::warn!("template poll: {}", e.message()),
                Err(e) => status.set(Status::Failed(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        filters.track();
        load(false);
    });
    let any_pending =
        Memo::new(move |_| items.with(|list| list.iter().any(|t| t.status == "pending")));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if any_pending.get_untracked() && dialog.with_untracked(|d| *d == Dialog::None) {
                load(true);
            }
        },
        POLL_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }

    let load_more = move |_| {
        let Some(next) = cursor.get_untracked() else {
            return;
        };
        let pairs = filters.with_untracked(Filters::pairs);
        spawn_local(async move {
            match api.templates(&pairs, Some(&next)).await {
                Ok(page) => {
                    items.update(|list| list.extend(page.items));
                    cursor.set(page.next_cursor);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let refresh = move |_| {
        let targets = channel_list.with_untracked(|l| graph_channels(l));
        if targets.is_empty() {
            toasts.error(t("templates.no_meta_channel"));
            return;
        }
        syncing.set(true);
        spawn_local(async move {
            let (mut listed, mut changed, mut failed) = (0u64, 0u64, Vec::new());
            for c in &targets {
                match api.sync_templates(c.id).await {
                    Ok(r) => {
                        listed += r.listed;
                        changed += r.changed;
                    }
                    Err(e) => failed.push(format!("{}: {}", c.name, e.message())),
                }
            }
            syncing.set(false);
            if failed.is_empty() {
                toasts.success(tf(
                    "templates.synced",
                    &[
                        ("listed", &listed.to_string()),
                        ("changed", &changed.to_string()),
                    ],
                ));
            } else {
                toasts.error(failed.join(" · "));
            }
            load(false);
        });
    };

    let toggle_share = move |tpl: Template| {
        spawn_local(async move {
            match api.share_template(tpl.id, !tpl.shared).await {
                Ok(updated) => {
                    toasts.success(t(if updated.shared {
                        "templates.shared_on"
                    } else {
                        "templates.shared_off"
                    }));
                    items.update(|l| {
                        if let Some(x) = l.iter_mut().find(|x| x.id == updated.id) {
                            *x = updated;
                        }
                    });
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let submit_draft = move |tpl: Template| {
        spawn_local(async move {
            match api.submit_template(tpl.id).await {
                Ok(done) => {
                    toasts.success(tf("templates.submitted", &[("name", &done.content.name)]));
                    load(true);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let delete = Callback::new(move |()| {
        let Dialog::Delete(tpl) = dialog.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.delete_template(tpl.id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(tf("templates.deleted", &[("name", &tpl.content.name)]));
                    dialog.set(Dialog::None);
                    load(false);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });

    let row = move |tpl: Template| {
        let (tone, label) = status_look(&tpl.status);
        let id = tpl.id;
        let reason = tpl
            .rejected_reason
            .clone()
            .filter(|_| tpl.status == "rejected");
        let for_dup = tpl.clone();
        let for_share = tpl.clone();
        let for_delete = tpl.clone();
        let for_submit = tpl.clone();
        let draft = tpl.status == "draft";
        let shareable = tpl.status == "approved";
        let shared = tpl.shared;
        let updated = format_time(&tpl.updated_at);
        view! {
            <tr data-testid="template-row" data-name=tpl.content.name.clone() data-status=tpl.status.clone()>
                <td>
                    <a class="link-plain cell-stack" href=format!("/templates/{id}") data-testid="template-link">
                        <span class="cell-main mono">{tpl.content.name.clone()}</span>
                        <span class="cell-sub">{tpl.content.body.chars().take(80).collect::<String>()}</span>
                    </a>
                </td>
                <td class="cell-muted nowrap">{language_label(&tpl.content.language)}</td>
                <td>
                    <Badge tone="neutral" text=category_label(&tpl.content.category) />
                </td>
                <td>
                    <span data-testid="template-status">
                        <Badge tone=tone text=label />
                    </span>
                    {shared.then(|| view! {
                        <span class="shared-mark" title=t("templates.shared_hint")>
                            <Icon icon=icondata::LuShare2 />
                        </span>
                    })}
                    {reason.map(|r| view! {
                        <p class="cell-reason" data-testid="rejected-reason">{r}</p>
                    })}
                </td>
                <td class="cell-muted">{channel_name(tpl.channel_id)}</td>
                <td class="cell-muted nowrap">{updated}</td>
                <td class="col-actions">
                    <div class="row-actions">
                        <Show when=move || can_edit.get() && draft>
                            {
                                let tpl = for_submit.clone();
                                view! {
                                    <button type="button" class="icon-btn" title=t("templates.submit")
                                        aria-label=t("templates.submit") data-testid="submit-draft"
                                        on:click=move |_| submit_draft(tpl.clone())>
                                        <Icon icon=icondata::LuSend />
                                    </button>
                                }
                            }
                        </Show>
                        <a class="icon-btn" href=format!("/templates/{id}") title=t("common.edit") aria-label=t("common.edit")>
                            <Icon icon=icondata::LuPencil />
                        </a>
                        <Show when=move || can_create.get()>
                            {
                                let tpl = for_dup.clone();
                                view! {
                                    <button type="button" class="icon-btn" title=t("templates.duplicate")
                                        aria-label=t("templates.duplicate") data-testid="duplicate-template"
                                        on:click=move |_| dialog.set(Dialog::Duplicate(tpl.clone()))>
                                        <Icon icon=icondata::LuCopy />
                                    </button>
                                }
                            }
                        </Show>
                        <Show when=move || can_edit.get() && shareable>
                            {
                                let tpl = for_share.clone();
                                view! {
                                    <button type="button" class="icon-btn"
                                        title=t(if shared { "templates.unshare" } else { "templates.share" })
                                        aria-label=t(if shared { "templates.unshare" } else { "templates.share" })
                                        data-testid="share-template"
                                        on:click=move |_| toggle_share(tpl.clone())>
                                        <Icon icon=if shared { icondata::LuShare } else { icondata::LuShare2 } />
                                    </button>
                                }
                            }
                        </Show>
                        <Show when=move || can_delete.get()>
                            {
                                let tpl = for_delete.clone();
                                view! {
                                    <button type="button" class="icon-btn icon-btn-danger" title=t("common.delete")
                                        aria-label=t("common.delete") data-testid="delete-template"
                                        on:click=move |_| dialog.set(Dialog::Delete(tpl.clone()))>
                                        <Icon icon=icondata::LuTrash2 />
                                    </button>
                                }
                            }
                        </Show>
                    </div>
                </td>
            </tr>
        }
    };

    let set = move |f: fn(&mut Filters, String)| {
        move |ev| filters.update(|x| f(x, event_target_value(&ev)))
    };
    let select = |id: &'static str,
                  label: &'static str,
                  any: &'static str,
                  options: Vec<(String, String)>,
                  on_change: Box<dyn Fn(leptos::ev::Event) + 'static>| {
        view! {
            <div class="field field-inline">
                <label for=id class="sr-only">{t(label)}</label>
                <select id=id data-testid=id on:change=on_change>
                    <option value="">{t(any)}</option>
                    {options
                        .into_iter()
                        .map(|(v, l)| view! { <option value=v>{l}</option> })
                        .collect_view()}
                </select>
            </div>
        }
    };
    let statuses = [
        "draft", "pending", "approved", "rejected", "paused", "disabled",
    ]
    .iter()
    .map(|s| (s.to_string(), t(&format!("templates.status.{s}"))))
    .collect();
    let categories = ["marketing", "utility", "authentication"]
        .iter()
        .map(|c| (c.to_string(), category_label(c)))
        .collect();
    let languages = LANGUAGES
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect();

    view! {
        <TemplatesHeader tab=Tab::Templates>
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="refresh-templates"
                disabled=move || syncing.get()
                title=t("templates.refresh_hint")
                on:click=refresh
            >
                <span class:spin=move || syncing.get()>
                    <Icon icon=icondata::LuRefreshCw />
                </span>
                <span>{t("templates.refresh")}</span>
            </button>
            <Show when=move || can_create.get()>
                <a class="btn btn-primary" href="/templates/new" data-testid="new-template">
                    <Icon icon=icondata::LuPlus />
                    <span>{t("templates.new")}</span>
                </a>
            </Show>
        </TemplatesHeader>
        <section class="card table-card">
            <div class="table-toolbar">
                <div class="toolbar-left toolbar-wrap">
                    <label class="search">
                        <Icon icon=icondata::LuSearch />
                        <span class="sr-only">{t("templates.search")}</span>
                        <input
                            type="search"
                            placeholder=t("templates.search_placeholder")
                            data-testid="templates-search"
                            prop:value=move || filters.with(|f| f.q.clone())
                            on:input=set(|f, v| f.q = v)
                        />
                    </label>
                    {select("filter-status", "templates.filter.status", "templates.filter.any_status", statuses, Box::new(set(|f, v| f.status = v)))}
                    {select("filter-category", "templates.filter.category", "templates.filter.any_category", categories, Box::new(set(|f, v| f.category = v)))}
                    {select("filter-language", "templates.filter.language", "templates.filter.any_language", languages, Box::new(set(|f, v| f.language = v)))}
                    <div class="field field-inline">
                        <label for="filter-channel" class="sr-only">{t("templates.filter.channel")}</label>
                        <select id="filter-channel" data-testid="filter-channel" on:change=set(|f, v| f.channel_id = v)>
                            <option value="">{t("templates.filter.any_channel")}</option>
                            {move || channel_list.get().into_iter().map(|c: Channel| {
                                view! { <option value=c.id.to_string()>{c.name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="toolbar-right">
                    <span class="toolbar-count" data-testid="templates-count">
                        {move || items.with(|l| tc("templates.count", l.len() as u64))}
                    </span>
                </div>
            </div>
            {move || match status.get() {
                Status::Loading => view! { <Loading /> }.into_any(),
                Status::Failed(m) => view! { <ErrorBanner message=Signal::derive(move || Some(m.clone())) /> }.into_any(),
                Status::Ready if items.with(Vec::is_empty) => {
                    let filtered = filters.with(|f| !f.pairs().is_empty());
                    view! {
                        <div class="empty-state" data-testid="templates-empty">
                            <div class="empty-icon"><Icon icon=icondata::LuFileText width="28" height="28" /></div>
                            <h2>{t(if filtered { "templates.empty_filtered" } else { "templates.empty_title" })}</h2>
                            <p>{t("templates.empty_body")}</p>
                            <div class="empty-actions">
                                <a class="btn btn-secondary" href="/templates/library">{t("templates.browse_library")}</a>
                            </div>
                        </div>
                    }.into_any()
                }
                Status::Ready => view! {
                    <div class="table-scroll">
                        <table class="table" data-testid="templates-table">
                            <thead>
                                <tr>
                                    <th>{t("templates.col.name")}</th>
                                    <th>{t("templates.col.language")}</th>
                                    <th>{t("templates.col.category")}</th>
                                    <th>{t("templates.col.status")}</th>
                                    <th>{t("templates.col.channel")}</th>
                                    <th>{t("templates.col.updated")}</th>
                                    <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || items.get() key=|t| (t.id, t.status.clone(), t.updated_at, t.shared) children=row />
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || cursor.with(Option::is_some)>
                        <div class="load-more">
                            <button type="button" class="btn btn-secondary" on:click=load_more>{t("common.load_more")}</button>
                        </div>
                    </Show>
                }.into_any(),
            }}
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Delete(tpl) => view! {
                <ConfirmDialog
                    title=tf("templates.delete_title", &[("name", &tpl.content.name)])
                    body=t(if tpl.provider_id.is_some() { "templates.delete_body_submitted" } else { "templates.delete_body_draft" })
                    confirm_label=t("common.delete")
                    busy=busy
                    on_confirm=delete
                    on_close=close
                />
            }.into_any(),
            Dialog::Duplicate(tpl) => view! {
                <DuplicateDialog template=tpl on_close=close on_done=Callback::new(move |copy: Template| {
                    dialog.set(Dialog::None);
                    toasts.success(tf("templates.duplicated", &[("name", &copy.content.name)]));
                    load(false);
                }) />
            }.into_any(),
        }}
    }
}

/// Asks for the copy's name; the copy is saved as a draft.
#[component]
fn DuplicateDialog(
    template: Template,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<Template>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let name = RwSignal::new(format!("{}_copy", template.content.name));
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = template.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let req = DuplicateTemplateRequest {
            name: name.get_untracked().trim().to_string(),
            channel_id: None,
        };
        spawn_local(async move {
            let result = api.duplicate_template(id, &req).await;
            busy.set(false);
            match result {
                Ok(copy) => on_done.run(copy),
                Err(e) => {
                    errors.set(e.field_errors());
                    error.set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <Modal title=tf("templates.duplicate_title", &[("name", &template.content.name)]) on_close=on_close testid="duplicate-dialog">
            <form on:submit=submit novalidate>
                <ErrorBanner message=error />
                <TextField id="name" label=t("templates.field.name") value=name errors=errors
                    hint=t("templates.field.name_hint") required=true />
                <p class="field-hint">{t("templates.duplicate_hint")}</p>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="duplicate-confirm" disabled=move || busy.get()>
                        {t("templates.duplicate")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
