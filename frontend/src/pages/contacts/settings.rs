//! `/contacts/settings`: tags (name, colour, counts) and custom attributes.

use contract::contacts::{AttributeDefinition, AttributeRequest, Tag, TagRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::{gated, kind_label, ContactsHeader, Tab, TagChip};
use crate::api::{Authed, FieldErrors};
use crate::components::actions::{RowAction, RowActions};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{ErrorBanner, Loading};
use crate::components::modal::{ConfirmDialog, Modal};
use crate::i18n::{t, tc, tf};
use crate::state::{me_state, toasts};

/// Colours offered for new tags, in turn.
const PALETTE: &[&str] = &[
    "#16a37f", "#1d64c8", "#6b46c1", "#c62f3b", "#a15c07", "#0e7490", "#be185d", "#4d5d6b",
];

const KINDS: &[&str] = &["text", "number", "date", "boolean"];

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    EditTag(Tag),
    DeleteTag(Tag),
    DeleteAttribute(AttributeDefinition),
}

#[component]
pub fn TagsAttributesPage() -> impl IntoView {
    gated(|| view! { <TagsAttributes /> })
}

#[component]
fn TagsAttributes() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let can_delete = Memo::new(move |_| me.can("contacts.delete"));
    let reload = RwSignal::new(0u32);
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let tags = LocalResource::new(move || {
        reload.track();
        async move { api.tags().await }
    });
    let attrs = LocalResource::new(move || {
        reload.track();
        async move { api.attributes().await }
    });
    let refresh = move || reload.update(|n| *n += 1);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let changed = Callback::new(move |()| {
        dialog.set(Dialog::None);
        refresh();
    });

    // New tag form.
    let tag_name = RwSignal::new(String::new());
    let tag_colour = RwSignal::new(PALETTE[0].to_string());
    let tag_errors = RwSignal::new(FieldErrors::new());
    let tag_banner = RwSignal::new(None::<String>);
    let add_tag = move |ev: SubmitEvent| {
        ev.prevent_default();
        tag_banner.set(None);
        tag_errors.set(FieldErrors::new());
        let req = TagRequest {
            name: tag_name.get_untracked().trim().to_string(),
            colour: Some(tag_colour.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.create_tag(&req).await;
            busy.set(false);
            match result {
                Ok(tag) => {
                    toasts.success(tf("contacts.tags.created", &[("name", &tag.name)]));
                    tag_name.set(String::new());
                    // The next tag gets the next colour.
                    let next = PALETTE
                        .iter()
                        .position(|c| *c == tag.colour)
                        .map(|i| PALETTE[(i + 1) % PALETTE.len()])
                        .unwrap_or(PALETTE[0]);
                    tag_colour.set(next.to_string());
                    refresh();
                }
                Err(e) => {
                    tag_errors.set(e.field_errors());
                    tag_banner.set(Some(e.message()));
                }
            }
        });
    };

    // New attribute form.
    let attr_key = RwSignal::new(String::new());
    let attr_name = RwSignal::new(String::new());
    let attr_kind = RwSignal::new("text".to_string());
    let attr_errors = RwSignal::new(FieldErrors::new());
    let attr_banner = RwSignal::new(None::<String>);
    // The key follows the name until someone edits it.
    let key_touched = RwSignal::new(false);
    Effect::new(move |_| {
        let name = attr_name.get();
        if !key_touched.get_untracked() {
            attr_key.set(key_from(&name));
        }
    });
    let add_attr = move |ev: SubmitEvent| {
        ev.prevent_default();
        attr_banner.set(None);
        attr_errors.set(FieldErrors::new());
        let req = AttributeRequest {
            key: attr_key.get_untracked().trim().to_string(),
            name: attr_name.get_untracked().trim().to_string(),
            kind: attr_kind.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.create_attribute(&req).await;
            busy.set(false);
            match result {
                Ok(a) => {
                    toasts.success(tf("contacts.attr.created", &[("name", &a.name)]));
                    attr_name.set(String::new());
                    attr_key.set(String::new());
                    key_touched.set(false);
                    refresh();
                }
                Err(e) => {
                    attr_errors.set(e.field_errors());
                    attr_banner.set(Some(e.message()));
                }
            }
        });
    };

    let delete = Callback::new(move |()| {
        let d = dialog.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let (result, name) = match d {
                Dialog::DeleteTag(tag) => (api.delete_tag(tag.id).await, tag.name),
                Dialog::DeleteAttribute(a) => (api.delete_attribute(a.id).await, a.name),
                _ => return,
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(tf("contacts.deleted_named", &[("name", &name)]));
                    dialog.set(Dialog::None);
                    refresh();
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });

    let tag_row = move |tag: Tag| {
        let t_edit = tag.clone();
        let t_del = tag.clone();
        view! {
            <tr data-testid="tag-row" data-name=tag.name.clone()>
                <td><TagChip name=tag.name.clone() colour=tag.colour.clone() /></td>
                <td class="mono cell-muted">{tag.colour.clone()}</td>
                <td class="num" data-testid="tag-count">{tc("contacts.count", tag.contact_count)}</td>
                <RowActions>
                    <RowAction
                        when=can_edit
                        label=t("common.edit")
                        testid="tag-edit"
                        icon=icondata::LuPencil
                        on_click=move |()| dialog.set(Dialog::EditTag(t_edit.clone()))
                    />
                    <RowAction
                        when=can_delete
                        label=t("contacts.delete")
                        testid="tag-delete"
                        icon=icondata::LuTrash2
                        danger=true
                        on_click=move |()| dialog.set(Dialog::DeleteTag(t_del.clone()))
                    />
                </RowActions>
            </tr>
        }
    };
    let attr_row = move |a: AttributeDefinition| {
        let a_del = a.clone();
        view! {
            <tr data-testid="attribute-row" data-key=a.key.clone()>
                <td class="cell-main">{a.name.clone()}</td>
                <td class="mono">{format!("${}", a.key)}</td>
                <td><span class="badge badge-neutral">{kind_label(&a.kind)}</span></td>
                <td class="col-actions">
                    <Show when=move || can_delete.get()>
                        {
                            let a = a_del.clone();
                            view! {
                                <button type="button" class="icon-btn icon-btn-danger" title=t("contacts.delete")
                                    aria-label=t("contacts.delete") data-testid="attribute-delete"
                                    on:click=move |_| dialog.set(Dialog::DeleteAttribute(a.clone()))>
                                    <Icon icon=icondata::LuTrash2 />
                                </button>
                            }
                        }
                    </Show>
                </td>
            </tr>
        }
    };
    let kind_options = Signal::derive(|| {
        KINDS
            .iter()
            .map(|k| ((*k).to_string(), kind_label(k)))
            .collect::<Vec<_>>()
    });

    view! {
        <ContactsHeader tab=Tab::Settings />
        <div class="settings-grid">
            <section class="card" data-testid="tags-card">
                <div class="card-head">
                    <div>
                        <h2 class="card-title">{t("contacts.tags.title")}</h2>
                        <p class="muted small">{t("contacts.tags.body")}</p>
                    </div>
                </div>
                <Show when=move || can_edit.get()>
                    <form class="inline-form" on:submit=add_tag novalidate=true data-testid="tag-form">
                        <ErrorBanner message=tag_banner />
                        <div class="inline-row">
                            <TextField id="tag-name" field="name" label=t("contacts.tags.name") value=tag_name errors=tag_errors autocomplete="off" />
                            <ColourField id="tag-colour" value=tag_colour />
                            <button type="submit" class="btn btn-primary" data-testid="tag-create" disabled=move || busy.get()>
                                <Icon icon=icondata::LuPlus />
                                <span>{t("contacts.tags.create")}</span>
                            </button>
                        </div>
                    </form>
                </Show>
                {move || match tags.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="empty-inline small">{t("contacts.tags.empty")}</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <div class="table-wrap table-wrap-full">
                            <table class="table" data-testid="tags-table">
                                <thead>
                                    <tr>
                                        <th>{t("contacts.tags.col.tag")}</th>
                                        <th>{t("contacts.tags.col.colour")}</th>
                                        <th class="num">{t("contacts.tags.col.contacts")}</th>
                                        <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(tag_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
            </section>
            <section class="card" data-testid="attributes-card">
                <div class="card-head">
                    <div>
                        <h2 class="card-title">{t("contacts.attr.title")}</h2>
                        <p class="muted small">{t("contacts.attr.body")}</p>
                    </div>
                </div>
                <Show when=move || can_edit.get()>
                    <form class="inline-form" on:submit=add_attr novalidate=true data-testid="attribute-form">
                        <ErrorBanner message=attr_banner />
                        <div class="grid-3">
                            <TextField id="attr-name" field="name" label=t("contacts.attr.name") value=attr_name errors=attr_errors autocomplete="off" />
                            <div class="key-wrap" on:input=move |_| key_touched.set(true)>
                                <TextField id="attr-key" field="key" label=t("contacts.attr.key") value=attr_key errors=attr_errors autocomplete="off" hint=t("contacts.attr.key_hint") />
                            </div>
                            <SelectField id="attr-kind" field="kind" label=t("contacts.attr.kind") value=attr_kind errors=attr_errors options=kind_options />
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" data-testid="attribute-create" disabled=move || busy.get()>
                                <Icon icon=icondata::LuPlus />
                                <span>{t("contacts.attr.create")}</span>
                            </button>
                        </div>
                    </form>
                </Show>
                {move || match attrs.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="empty-inline small">{t("contacts.attr.empty")}</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <div class="table-wrap table-wrap-full">
                            <table class="table" data-testid="attributes-table">
                                <thead>
                                    <tr>
                                        <th>{t("contacts.attr.name")}</th>
                                        <th>{t("contacts.attr.key")}</th>
                                        <th>{t("contacts.attr.kind")}</th>
                                        <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(attr_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
            </section>
        </div>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::EditTag(tag) => view! { <EditTagDialog tag=tag on_close=close on_done=changed /> }.into_any(),
            Dialog::DeleteTag(tag) => view! {
                <ConfirmDialog
                    title=t("contacts.tags.delete_title")
                    body=tf("contacts.tags.delete_body", &[("name", &tag.name), ("count", &tag.contact_count.to_string())])
                    confirm_label=t("contacts.delete")
                    busy=busy
                    on_confirm=delete
                    on_close=close
                />
            }.into_any(),
            Dialog::DeleteAttribute(a) => view! {
                <ConfirmDialog
                    title=t("contacts.attr.delete_title")
                    body=tf("contacts.attr.delete_body", &[("name", &a.name), ("key", &a.key)])
                    confirm_label=t("contacts.delete")
                    busy=busy
                    on_confirm=delete
                    on_close=close
                />
            }.into_any(),
        }}
    }
}

/// A suggested key for an attribute name: lower-case letters, digits and `_`.
fn key_from(name: &str) -> String {
    let mut key = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    key.trim_start_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

/// A colour picker with the palette as quick choices.
#[component]
fn ColourField(#[prop(into)] id: String, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field colour-field">
            <label for=id.clone()>{t("contacts.tags.colour")}</label>
            <div class="colour-row">
                <input
                    id=id
                    type="color"
                    class="colour-input"
                    data-testid="tag-colour"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <div class="swatches" role="group" aria-label=t("contacts.tags.colour")>
                    {PALETTE
                        .iter()
                        .map(|c| {
                            let c = (*c).to_string();
                            let c2 = c.clone();
                            let c3 = c.clone();
                            view! {
                                <button
                                    type="button"
                                    class="swatch"
                                    class:on=move || value.with(|v| *v == c3)
                                    style=format!("--tag: {c}")
                                    title=c.clone()
                                    aria-label=c.clone()
                                    on:click=move |_| value.set(c2.clone())
                                ></button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
        </div>
    }
}

#[component]
fn EditTagDialog(
    tag: Tag,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let id = tag.id;
    let name = RwSignal::new(tag.name.clone());
    let colour = RwSignal::new(tag.colour.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        banner.set(None);
        let req = TagRequest {
            name: name.get_untracked().trim().to_string(),
            colour: Some(colour.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.update_tag(id, &req).await;
            busy.set(false);
            match result {
                Ok(tag) => {
                    toasts.success(tf("contacts.tags.saved", &[("name", &tag.name)]));
                    on_done.run(());
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <Modal title=t("contacts.tags.edit_title") on_close=on_close testid="edit-tag-dialog">
            <form class="form" on:submit=on_submit novalidate=true>
                <ErrorBanner message=banner />
                <TextField id="edit-tag-name" field="name" label=t("contacts.tags.name") value=name errors=errors required=true autocomplete="off" />
                <ColourField id="edit-tag-colour" value=colour />
                <p class="field-error" role="alert">{move || errors.with(|e| e.get("colour").map(|m| m.join(" ")))}</p>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>{t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="edit-tag-submit" disabled=move || busy.get()>{t("common.save")}</button>
                </div>
            </form>
        </Modal>
    }
}
