//! The contacts table: search, filters, "Load more", selection with bulk
//! actions, and the add dialog.

use std::collections::{BTreeMap, BTreeSet};

use contract::contacts::{AttributeDefinition, BulkContactsRequest, Contact, ContactGroup, Tag};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::dialogs::{AddContactDialog, AddToGroupDialog, GroupTarget, TagActionDialog};
use super::{gated, opt_in_badge, opt_in_options, tag_chips, ContactsHeader, Tab, TagPicker};
use crate::api::authed::BulkAction;
use crate::api::{ApiError, Authed};
use crate::components::actions::run_busy;
use crate::components::misc::{format_date, Avatar, Badge, ErrorBanner, Loading};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{t, tc};
use crate::pages::imports::ImportExportMenu;
use crate::state::{me_state, toasts};

const PAGE_SIZE: u32 = 50;

/// The list's filters, as the `GET /contacts` query takes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub q: String,
    pub tags: Vec<Uuid>,
    /// Contacts with all the tags rather than any.
    pub tags_all: bool,
    pub group: String,
    pub source: String,
    pub opt_in: String,
    pub attribute: String,
    pub attribute_op: String,
    pub attribute_value: String,
    pub created_from: String,
    pub created_to: String,
}

impl Filters {
    /// Query pairs; empty ones are left out.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |k: &str, v: &str| {
            if !v.trim().is_empty() {
                out.push((k.to_string(), v.trim().to_string()));
            }
        };
        push("q", &self.q);
        let ids = self
            .tags
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",");
        push(if self.tags_all { "tag_all" } else { "tag_any" }, &ids);
        push("group", &self.group);
        push("source", &self.source);
        push("opt_in", &self.opt_in);
        // An attribute filter needs both the key and a value.
        if !self.attribute.is_empty() && !self.attribute_value.trim().is_empty() {
            push("attribute", &self.attribute);
            push("attribute_op", &self.attribute_op);
            push("attribute_value", &self.attribute_value);
        }
        push("created_from", &self.created_from);
        push("created_to", &self.created_to);
        out
    }

    pub fn as_map(&self) -> BTreeMap<String, String> {
        self.pairs().into_iter().collect()
    }

    /// How many filters besides the search are set.
    pub fn active(&self) -> usize {
        self.pairs()
            .iter()
            .filter(|(k, _)| k != "q" && k != "attribute_op" && k != "attribute_value")
            .count()
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
    Add,
    Tag(bool),
    Group(GroupTarget),
    Delete,
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    gated(|| view! { <ContactsList /> })
}

#[component]
fn ContactsList() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_create = Memo::new(move |_| me.can("contacts.create"));
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let can_delete = Memo::new(move |_| me.can("contacts.delete"));

    let filters = RwSignal::new(Filters::default());
    let show_filters = RwSignal::new(false);
    let items = RwSignal::new(Vec::<Contact>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<u64>);
    let status = RwSignal::new(Status::Loading);
    let loading_more = RwSignal::new(false);
    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let generation = StoredValue::new(0u32);

    let tags = LocalResource::new(move || {
        reload.track();
        async move { api.tags().await.unwrap_or_default() }
    });
    let tag_list = Signal::derive(move || tags.get().unwrap_or_default());
    let attrs =
        LocalResource::new(move || async move { api.attributes().await.unwrap_or_default() });
    let attr_list = Signal::derive(move || attrs.get().unwrap_or_default());
    let groups = LocalResource::new(move || {
        reload.track();
        async move { api.groups().await.unwrap_or_default() }
    });
    let group_list = Signal::derive(move || groups.get().unwrap_or_default());

    // The filter's tag choice lives apart so the picker can share its type.
    let filter_tags = RwSignal::new(Vec::<Uuid>::new());
    Effect::new(move |_| {
        let picked = filter_tags.get();
        filters.update(|f| f.tags = picked);
    });

    let load_first = move || {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        status.set(Status::Loading);
        loading_more.set(false);
        let pairs = filters.with_untracked(Filters::pairs);
        spawn_local(async move {
            let result = api.contacts(&pairs, PAGE_SIZE, None).await;
            if generation.get_value() != gen {
                return;
            }
            match result {
                Ok(page) => {
                    total.set(page.total);
                    items.set(page.items);
                    cursor.set(page.next_cursor);
                    status.set(Status::Ready);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => status.set(Status::Failed(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        filters.track();
        reload.track();
        selected.set(BTreeSet::new());
        load_first();
    });

    let load_more = move |_| {
        let Some(next) = cursor.get_untracked() else {
            return;
        };
        let gen = generation.get_value();
        loading_more.set(true);
        let pairs = filters.with_untracked(Filters::pairs);
        spawn_local(async move {
            let result = api.contacts(&pairs, PAGE_SIZE, Some(&next)).await;
            if generation.get_value() != gen {
                return;
            }
            loading_more.set(false);
            match result {
                Ok(page) => {
                    items.update(|list| list.extend(page.items));
                    cursor.set(page.next_cursor);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let refresh = move || reload.update(|n| *n += 1);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let changed = Callback::new(move |()| {
        dialog.set(Dialog::None);
        refresh();
    });
    let selected_ids = move || selected.with_untracked(|s| s.iter().copied().collect::<Vec<_>>());

    let bulk_delete = Callback::new(move |()| {
        let ids = selected_ids();
        let request = async move {
            let req = BulkContactsRequest {
                contact_ids: ids,
                tags: Vec::new(),
            };
            api.bulk_contacts(BulkAction::Delete, &req).await
        };
        run_busy(busy, toasts, request, move |done| {
            toasts.success(tc("contacts.deleted_n", done.affected));
            dialog.set(Dialog::None);
            refresh();
        });
    });

    let all_selected = Memo::new(move |_| {
        items.with(|list| {
            !list.is_empty() && selected.with(|s| list.iter().all(|c| s.contains(&c.id)))
        })
    });
    let toggle_all = move |on: bool| {
        if on {
            let ids = items.with_untracked(|l| l.iter().map(|c| c.id).collect());
            selected.set(ids);
        } else {
            selected.set(BTreeSet::new());
        }
    };

    view! {
        <ContactsHeader tab=Tab::Contacts>
            <ImportExportMenu filters=Signal::derive(move || filters.with(Filters::pairs)) />
            <Show when=move || can_create.get()>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="add-contact"
                    on:click=move |_| dialog.set(Dialog::Add)
                >
                    <Icon icon=icondata::LuPlus />
                    <span>{t("contacts.add")}</span>
                </button>
            </Show>
        </ContactsHeader>
        <section class="card table-card">
            <ListToolbar filters=filters show_filters=show_filters total=total dialog=dialog can_edit=can_edit />
            <Show when=move || show_filters.get()>
                <FilterBar
                    filters=filters
                    filter_tags=filter_tags
                    tag_list=tag_list
                    group_list=group_list
                    attr_list=attr_list
                />
            </Show>
            <Show when=move || !selected.with(BTreeSet::is_empty)>
                <BulkBar selected=selected dialog=dialog can_edit=can_edit can_delete=can_delete />
            </Show>
            {move || match status.get() {
                Status::Loading => view! { <Loading /> }.into_any(),
                Status::Failed(m) => {
                    view! {
                        <div class="table-error">
                            <ErrorBanner message=Signal::derive(move || Some(m.clone())) />
                        </div>
                    }
                        .into_any()
                }
                Status::Ready if items.with(Vec::is_empty) => {
                    let filtered = filters.with_untracked(|f| !f.pairs().is_empty());
                    view! {
                        <div class="empty-inline" data-testid="contacts-empty">
                            {if filtered { t("contacts.no_match") } else { t("contacts.empty") }}
                        </div>
                    }
                        .into_any()
                }
                Status::Ready => {
                    view! {
                        <ContactsTable
                            items=items
                            selected=selected
                            cursor=cursor
                            loading_more=loading_more
                            all_selected=all_selected
                            on_toggle_all=toggle_all
                            on_more=load_more
                        />
                    }
                        .into_any()
                }
            }}
        </section>
        <ListDialogs
            dialog=dialog
            selected=selected
            busy=busy
            tag_list=tag_list
            attr_list=attr_list
            group_list=group_list
            on_close=close
            on_done=changed
            on_bulk_delete=bulk_delete
        />
    }
}

/// The toolbar over the table: search, the filters toggle, "add matching to
/// a group" and the count.
#[component]
fn ListToolbar(
    filters: RwSignal<Filters>,
    show_filters: RwSignal<bool>,
    total: RwSignal<Option<u64>>,
    dialog: RwSignal<Dialog>,
    can_edit: Memo<bool>,
) -> impl IntoView {
    let set = move |f: fn(&mut Filters, String)| {
        move |ev| filters.update(|x| f(x, event_target_value(&ev)))
    };

    view! {
    <div class="table-toolbar">
        <div class="toolbar-left">
            <label class="search">
                <Icon icon=icondata::LuSearch />
                <span class="sr-only">{t("contacts.search")}</span>
                <input
                    type="search"
                    placeholder=t("contacts.search_placeholder")
                    data-testid="contacts-search"
                    prop:value=move || filters.with(|f| f.q.clone())
                    on:input=set(|f, v| f.q = v)
                />
            </label>
            <button
                type="button"
                class="btn btn-secondary"
                class:pressed=move || show_filters.get()
                aria-expanded=move || if show_filters.get() { "true" } else { "false" }
                data-testid="toggle-filters"
                on:click=move |_| show_filters.update(|s| *s = !*s)
            >
                <Icon icon=icondata::LuListFilter />
                <span>{t("contacts.filters")}</span>
                {move || {
                    let n = filters.with(Filters::active);
                    (n > 0).then(|| view! { <span class="count-pill">{n}</span> })
                }}
            </button>
        </div>
        <div class="toolbar-right">
            <Show when=move || {
                can_edit.get() && filters.with(|f| !f.pairs().is_empty())
                    && total.get().unwrap_or(0) > 0
            }>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    data-testid="add-matching-to-group"
                    on:click=move |_| {
                        let map = filters.with_untracked(Filters::as_map);
                        dialog.set(Dialog::Group(GroupTarget::Filter(map, total.get_untracked().unwrap_or(0))));
                    }
                >
                    <Icon icon=icondata::LuUsers />
                    <span>{t("contacts.add_matching")}</span>
                </button>
            </Show>
            <span class="toolbar-count" data-testid="contacts-total">
                {move || total.get().map(|n| tc("contacts.count", n))}
            </span>
        </div>
    </div>
    }
}

/// The filters: tags (any or all), group, source, opt-in, created between,
/// an attribute's value, and clear.
#[component]
fn FilterBar(
    filters: RwSignal<Filters>,
    filter_tags: RwSignal<Vec<Uuid>>,
    tag_list: Signal<Vec<Tag>>,
    group_list: Signal<Vec<ContactGroup>>,
    attr_list: Signal<Vec<AttributeDefinition>>,
) -> impl IntoView {
    let set = move |f: fn(&mut Filters, String)| {
        move |ev| filters.update(|x| f(x, event_target_value(&ev)))
    };

    view! {
        <div class="filter-bar" data-testid="filter-bar">
            <div class="field filter-tags">
                <div class="filter-label-row">
                    <span class="label">{t("contacts.filter.tags")}</span>
                    <div class="segmented segmented-sm" role="group">
                        <button
                            type="button"
                            class="segment"
                            class:active=move || !filters.with(|f| f.tags_all)
                            data-testid="tags-any"
                            on:click=move |_| filters.update(|f| f.tags_all = false)
                        >
                            {t("contacts.filter.any")}
                        </button>
                        <button
                            type="button"
                            class="segment"
                            class:active=move || filters.with(|f| f.tags_all)
                            data-testid="tags-all"
                            on:click=move |_| filters.update(|f| f.tags_all = true)
                        >
                            {t("contacts.filter.all")}
                        </button>
                    </div>
                </div>
                <TagPicker tags=tag_list selected=filter_tags testid="filter-tags" />
            </div>
            <div class="filter-grid">
                <div class="field">
                    <label for="filter-group">{t("contacts.filter.group")}</label>
                    <select
                        id="filter-group"
                        data-testid="filter-group"
                        prop:value=move || filters.with(|f| f.group.clone())
                        on:change=set(|f, v| f.group = v)
                    >
                        <option value="">{t("contacts.filter.any_group")}</option>
                        {move || {
                            let current = filters.with_untracked(|f| f.group.clone());
                            group_list
                                .get()
                                .into_iter()
                                .map(|g| {
                                    let v = g.id.to_string();
                                    let sel = v == current;
                                    view! { <option value=v selected=sel>{g.name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-source">{t("contacts.filter.source")}</label>
                    <input
                        id="filter-source"
                        list="source-options"
                        placeholder=t("contacts.filter.any_source")
                        data-testid="filter-source"
                        prop:value=move || filters.with(|f| f.source.clone())
                        on:input=set(|f, v| f.source = v)
                    />
                    <datalist id="source-options">
                        <option value="manual"></option>
                        <option value="import"></option>
                        <option value="organic"></option>
                        <option value="api"></option>
                    </datalist>
                </div>
                <div class="field">
                    <label for="filter-opt-in">{t("contacts.filter.opt_in")}</label>
                    <select
                        id="filter-opt-in"
                        data-testid="filter-opt-in"
                        prop:value=move || filters.with(|f| f.opt_in.clone())
                        on:change=set(|f, v| f.opt_in = v)
                    >
                        <option value="">{t("contacts.filter.any_opt_in")}</option>
                        {opt_in_options()
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-from">{t("contacts.filter.created_from")}</label>
                    <input
                        id="filter-from"
                        type="date"
                        data-testid="filter-created-from"
                        prop:value=move || filters.with(|f| f.created_from.clone())
                        on:change=set(|f, v| f.created_from = v)
                    />
                </div>
                <div class="field">
                    <label for="filter-to">{t("contacts.filter.created_to")}</label>
                    <input
                        id="filter-to"
                        type="date"
                        data-testid="filter-created-to"
                        prop:value=move || filters.with(|f| f.created_to.clone())
                        on:change=set(|f, v| f.created_to = v)
                    />
                </div>
            </div>
            <div class="filter-attr">
                <div class="field">
                    <label for="filter-attr">{t("contacts.filter.attribute")}</label>
                    <select
                        id="filter-attr"
                        data-testid="filter-attribute"
                        prop:value=move || filters.with(|f| f.attribute.clone())
                        on:change=set(|f, v| f.attribute = v)
                    >
                        <option value="">{t("contacts.filter.any_attribute")}</option>
                        {move || {
                            let current = filters.with_untracked(|f| f.attribute.clone());
                            attr_list
                                .get()
                                .into_iter()
                                .map(|a| {
                                    let sel = a.key == current;
                                    view! { <option value=a.key.clone() selected=sel>{a.name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-attr-op">{t("contacts.filter.attribute_op")}</label>
                    <select
                        id="filter-attr-op"
                        data-testid="filter-attribute-op"
                        prop:value=move || {
                            filters.with(|f| {
                                if f.attribute_op.is_empty() {
                                    "equals".to_string()
                                } else {
                                    f.attribute_op.clone()
                                }
                            })
                        }
                        on:change=set(|f, v| f.attribute_op = v)
                    >
                        <option value="equals">{t("contacts.filter.equals")}</option>
                        <option value="contains">{t("contacts.filter.contains")}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="filter-attr-value">{t("contacts.filter.attribute_value")}</label>
                    <input
                        id="filter-attr-value"
                        data-testid="filter-attribute-value"
                        disabled=move || filters.with(|f| f.attribute.is_empty())
                        prop:value=move || filters.with(|f| f.attribute_value.clone())
                        on:input=set(|f, v| f.attribute_value = v)
                    />
                </div>
                <div class="filter-clear">
                    <button
                        type="button"
                        class="btn btn-ghost btn-sm"
                        data-testid="clear-filters"
                        disabled=move || filters.with(|f| f.pairs().is_empty())
                        on:click=move |_| {
                            filter_tags.set(Vec::new());
                            filters.set(Filters::default());
                        }
                    >
                        {t("contacts.filter.clear")}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// What can be done with the selected contacts.
#[component]
fn BulkBar(
    selected: RwSignal<BTreeSet<Uuid>>,
    dialog: RwSignal<Dialog>,
    can_edit: Memo<bool>,
    can_delete: Memo<bool>,
) -> impl IntoView {
    let selected_ids = move || selected.with_untracked(|s| s.iter().copied().collect::<Vec<_>>());
    view! {
        <div class="bulk-bar" data-testid="bulk-bar" role="region" aria-label=t("contacts.bulk.label")>
            <span class="bulk-count" data-testid="bulk-count">
                {move || tc("contacts.selected", selected.with(|s| s.len() as u64))}
            </span>
            <Show when=move || can_edit.get()>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-tag"
                    on:click=move |_| dialog.set(Dialog::Tag(true))>
                    <Icon icon=icondata::LuTag />
                    <span>{t("contacts.bulk.add_tags")}</span>
                </button>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-untag"
                    on:click=move |_| dialog.set(Dialog::Tag(false))>
                    <Icon icon=icondata::LuTags />
                    <span>{t("contacts.bulk.remove_tags")}</span>
                </button>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-group"
                    on:click=move |_| dialog.set(Dialog::Group(GroupTarget::Ids(selected_ids())))>
                    <Icon icon=icondata::LuUsers />
                    <span>{t("contacts.bulk.add_to_group")}</span>
                </button>
            </Show>
            <Show when=move || can_delete.get()>
                <button type="button" class="btn btn-danger-outline btn-sm" data-testid="bulk-delete"
                    on:click=move |_| dialog.set(Dialog::Delete)>
                    <Icon icon=icondata::LuTrash2 />
                    <span>{t("contacts.bulk.delete")}</span>
                </button>
            </Show>
            <button type="button" class="btn btn-ghost btn-sm bulk-clear"
                on:click=move |_| selected.set(BTreeSet::new())>
                {t("contacts.bulk.clear")}
            </button>
        </div>
    }
}

/// The contacts table and its "load more".
#[component]
fn ContactsTable(
    items: RwSignal<Vec<Contact>>,
    selected: RwSignal<BTreeSet<Uuid>>,
    cursor: RwSignal<Option<String>>,
    loading_more: RwSignal<bool>,
    all_selected: Memo<bool>,
    #[prop(into)] on_toggle_all: Callback<bool>,
    #[prop(into)] on_more: Callback<()>,
) -> impl IntoView {
    let toggle_all = move |on: bool| on_toggle_all.run(on);
    let load_more = move |_| on_more.run(());
    let row = move |c: Contact| view! { <ContactRow contact=c selected=selected /> };
    view! {
        <div class="table-wrap">
            <table class="table contacts-table" data-testid="contacts-table">
                <thead>
                    <tr>
                        <th class="col-check">
                            <input
                                type="checkbox"
                                class="check"
                                aria-label=t("contacts.select_all")
                                data-testid="select-all"
                                prop:checked=move || all_selected.get()
                                on:change=move |ev| toggle_all(event_target_checked(&ev))
                            />
                        </th>
                        <th>{t("contacts.col.name")}</th>
                        <th>{t("contacts.col.phone")}</th>
                        <th>{t("contacts.col.email")}</th>
                        <th>{t("contacts.col.tags")}</th>
                        <th>{t("contacts.col.source")}</th>
                        <th>{t("contacts.col.opt_in")}</th>
                        <th>{t("contacts.col.created")}</th>
                    </tr>
                </thead>
                <tbody>{move || items.get().into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <Show when=move || cursor.with(Option::is_some)>
            <div class="pager pager-center">
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    data-testid="contacts-more"
                    disabled=move || loading_more.get()
                    on:click=load_more
                >
                    {t("contacts.load_more")}
                </button>
            </div>
        </Show>
    }
}

/// One contact's row, with its selection box.
#[component]
fn ContactRow(contact: Contact, selected: RwSignal<BTreeSet<Uuid>>) -> impl IntoView {
    let c = contact;
    let id = c.id;
    let (tone, opt_text) = opt_in_badge(&c.opt_in);
    let checked = Memo::new(move |_| selected.with(|s| s.contains(&id)));
    view! {
        <tr data-testid="contact-row" data-name=c.name.clone() class:selected=move || checked.get()>
            <td class="col-check">
                <input
                    type="checkbox"
                    class="check"
                    aria-label=format!("{} {}", t("contacts.select"), c.name)
                    data-testid="contact-select"
                    prop:checked=move || checked.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| {
                            if on {
                                s.insert(id);
                            } else {
                                s.remove(&id);
                            }
                        });
                    }
                />
            </td>
            <td>
                <a class="cell-person link-plain" href=format!("/contacts/{id}") data-testid="contact-link">
                    <Avatar name=c.name.clone() />
                    <span class="cell-main">{c.name.clone()}</span>
                </a>
            </td>
            <td class="mono nowrap" data-testid="contact-phone">{c.phone.clone()}</td>
            <td class="cell-muted">{c.email.clone().unwrap_or_default()}</td>
            <td>{tag_chips(&c.tags)}</td>
            <td class="cell-muted">{c.source.clone()}</td>
            <td>
                <Badge tone=tone text=opt_text />
            </td>
            <td class="cell-muted nowrap">{format_date(&c.created_at)}</td>
        </tr>
    }
}

/// What the list shows over the page: add, tag, group, delete.
#[component]
#[allow(clippy::too_many_arguments)]
fn ListDialogs(
    dialog: RwSignal<Dialog>,
    selected: RwSignal<BTreeSet<Uuid>>,
    busy: RwSignal<bool>,
    tag_list: Signal<Vec<Tag>>,
    attr_list: Signal<Vec<AttributeDefinition>>,
    group_list: Signal<Vec<ContactGroup>>,
    on_close: Callback<()>,
    on_done: Callback<()>,
    on_bulk_delete: Callback<()>,
) -> impl IntoView {
    let close = on_close;
    let changed = on_done;
    let bulk_delete = on_bulk_delete;
    let selected_ids = move || selected.with_untracked(|s| s.iter().copied().collect::<Vec<_>>());
    {
        move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Add => view! {
                <AddContactDialog
                    tags=tag_list
                    attributes=attr_list
                    on_close=close
                    on_done=changed
                />
            }
            .into_any(),
            Dialog::Tag(add) => view! {
                <TagActionDialog
                    add=add
                    contact_ids=selected_ids()
                    tags=tag_list
                    on_close=close
                    on_done=changed
                />
            }
            .into_any(),
            Dialog::Group(target) => view! {
                <AddToGroupDialog
                    target=target
                    groups=group_list
                    on_close=close
                    on_done=changed
                />
            }
            .into_any(),
            Dialog::Delete => {
                let n = selected.with_untracked(|s| s.len() as u64);
                view! {
                    <ConfirmDialog
                        title=t("contacts.delete_title")
                        body=tc("contacts.delete_many_body", n)
                        confirm_label=t("contacts.bulk.delete")
                        busy=busy
                        on_confirm=bulk_delete
                        on_close=close
                    />
                }
                .into_any()
            }
        }
    }
}
