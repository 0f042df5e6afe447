//! Dialogs of the contacts area: add a contact, tag or untag many, add to a
//! group, and create or rename a group.

use std::collections::BTreeMap;

use contract::contacts::{
    AttributeDefinition, BulkContactsRequest, ContactGroup, CreateContactRequest, GroupRequest, Tag,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{opt_in_options, AttributeInput, TagPicker};
use crate::api::authed::BulkAction;
use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::ErrorBanner;
use crate::components::modal::Modal;
use crate::i18n::{t, tc, tf};
use crate::state::toasts;

/// Which contacts an "add to group" applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupTarget {
    Ids(Vec<Uuid>),
    /// Every contact matching these filters; the count is what the list showed.
    Filter(BTreeMap<String, String>, u64),
}

/// Attribute values to send: the filled-in ones only.
fn filled(values: &BTreeMap<String, String>) -> BTreeMap<String, Option<String>> {
    values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), Some(v.trim().to_string())))
        .collect()
}

fn none_if_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[component]
pub fn AddContactDialog(
    #[prop(into)] tags: Signal<Vec<Tag>>,
    #[prop(into)] attributes: Signal<Vec<AttributeDefinition>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let opt_in = RwSignal::new("unknown".to_string());
    let picked = RwSignal::new(Vec::<Uuid>::new());
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        errors.set(FieldErrors::new());
        let req = CreateContactRequest {
            name: name.get_untracked().trim().to_string(),
            phone: phone.get_untracked().trim().to_string(),
            email: none_if_empty(email.get_untracked()),
            source: None,
            opt_in: Some(opt_in.get_untracked()),
            tags: picked.get_untracked(),
            attributes: values.with_untracked(filled),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.create_contact(&req).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    toasts.success(tf(
                        "contacts.added",
                        &[("name", &c.name), ("phone", &c.phone)],
                    ));
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
        <Modal title=t("contacts.add_title") on_close=on_close wide=true testid="add-contact-dialog">
            <form class="form" on:submit=on_submit novalidate=true>
                <ErrorBanner message=banner />
                <div class="grid-2">
                    <TextField id="contact-name" field="name" label=t("contacts.field.name") value=name errors=errors required=true autocomplete="off" />
                    <TextField
                        id="contact-phone"
                        field="phone"
                        label=t("contacts.field.phone")
                        value=phone
                        errors=errors
                        kind="tel"
                        required=true
                        autocomplete="off"
                        hint=t("contacts.field.phone_hint")
                    />
                    <TextField id="contact-email" field="email" label=t("contacts.field.email") value=email errors=errors kind="email" autocomplete="off" />
                    <SelectField
                        id="contact-opt-in"
                        field="opt_in"
                        label=t("contacts.field.opt_in")
                        value=opt_in
                        errors=errors
                        options=Signal::derive(opt_in_options)
                    />
                </div>
                <div class="field">
                    <span class="label">{t("contacts.field.tags")}</span>
                    <TagPicker tags=tags selected=picked testid="contact-tags" />
                    <p class="field-error" role="alert">
                        {move || errors.with(|e| e.get("tags").map(|m| m.join(" ")))}
                    </p>
                </div>
                <Show when=move || attributes.with(|a| !a.is_empty())>
                    <fieldset class="form-section">
                        <legend>{t("contacts.field.attributes")}</legend>
                        <div class="grid-2">
                            {move || {
                                attributes
                                    .get()
                                    .into_iter()
                                    .map(|def| view! { <AttributeInput def=def values=values errors=errors /> })
                                    .collect_view()
                            }}
                        </div>
                    </fieldset>
                </Show>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="add-contact-submit" disabled=move || busy.get()>
                        {t("contacts.add")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// Adds (or removes) tags on the selected contacts.
#[component]
pub fn TagActionDialog(
    add: bool,
    contact_ids: Vec<Uuid>,
    #[prop(into)] tags: Signal<Vec<Tag>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let picked = RwSignal::new(Vec::<Uuid>::new());
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let count = contact_ids.len() as u64;
    let ids = StoredValue::new(contact_ids);
    let submit = move |_| {
        let req = BulkContactsRequest {
            contact_ids: ids.get_value(),
            tags: picked.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let action = if add {
                BulkAction::Tag
            } else {
                BulkAction::Untag
            };
            let result = api.bulk_contacts(action, &req).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    let key = if add {
                        "contacts.tagged_n"
                    } else {
                        "contacts.untagged_n"
                    };
                    toasts.success(tc(key, done.affected));
                    on_done.run(());
                }
                Err(e) => banner.set(Some(e.message())),
            }
        });
    };
    let title = if add {
        t("contacts.bulk.add_tags")
    } else {
        t("contacts.bulk.remove_tags")
    };
    view! {
        <Modal title=title on_close=on_close testid="tag-action-dialog">
            <div class="form">
                <ErrorBanner message=banner />
                <p class="confirm-text">
                    {if add { tc("contacts.bulk.add_tags_body", count) } else { tc("contacts.bulk.remove_tags_body", count) }}
                </p>
                <TagPicker tags=tags selected=picked testid="bulk-tags" />
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="tag-action-submit"
                        disabled=move || busy.get() || picked.with(Vec::is_empty)
                        on:click=submit
                    >
                        {if add { t("contacts.bulk.add_tags") } else { t("contacts.bulk.remove_tags") }}
                    </button>
                </div>
            </div>
        </Modal>
    }
}

const NEW_GROUP: &str = "__new";

/// Adds contacts (by id or by filter) to an existing or a new group.
#[component]
pub fn AddToGroupDialog(
    target: GroupTarget,
    #[prop(into)] groups: Signal<Vec<ContactGroup>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let choice = RwSignal::new(String::new());
    let new_name = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // With no groups yet, creating one is the only choice.
    Effect::new(move |_| {
        let list = groups.get();
        if choice.with_untracked(String::is_empty) {
            choice.set(
                list.first()
                    .map(|g| g.id.to_string())
                    .unwrap_or_else(|| NEW_GROUP.to_string()),
            );
        }
    });
    let options = Signal::derive(move || {
        let mut o: Vec<(String, String)> = groups
            .get()
            .into_iter()
            .map(|g| (g.id.to_string(), g.name))
            .collect();
        o.push((NEW_GROUP.to_string(), t("contacts.groups.new_option")));
        o
    });
    let body = match &target {
        GroupTarget::Ids(ids) => tc("contacts.groups.add_ids_body", ids.len() as u64),
        GroupTarget::Filter(_, n) => tc("contacts.groups.add_filter_body", *n),
    };
    let target = StoredValue::new(target);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        errors.set(FieldErrors::new());
        let picked = choice.get_untracked();
        let name = new_name.get_untracked().trim().to_string();
        busy.set(true);
        spawn_local(async move {
            let group = if picked == NEW_GROUP {
                let req = GroupRequest {
                    name,
                    description: String::new(),
                };
                match api.create_group(&req).await {
                    Ok(g) => Some((g.id, g.name)),
                    Err(e) => {
                        let mut errs = e.field_errors();
                        if let Some(m) = errs.remove("name") {
                            errs.insert("group_name".into(), m);
                        }
                        errors.set(errs);
                        banner.set(Some(e.message()));
                        None
                    }
                }
            } else {
                let found = groups.with_untracked(|list| {
                    list.iter()
                        .find(|g| g.id.to_string() == picked)
                        .map(|g| (g.id, g.name.clone()))
                });
                if found.is_none() {
                    banner.set(Some(t("contacts.groups.pick")));
                }
                found
            };
            let Some((id, group_name)) = group else {
                busy.set(false);
                return;
            };
            let result = match target.get_value() {
                GroupTarget::Ids(ids) => api.add_group_members(id, ids, None).await,
                GroupTarget::Filter(map, _) => {
                    api.add_group_members(id, Vec::new(), Some(map)).await
                }
            };
            busy.set(false);
            match result {
                Ok(done) => {
                    toasts.success(tf(
                        "contacts.groups.added_to",
                        &[
                            ("count", &done.affected.to_string()),
                            ("group", &group_name),
                        ],
                    ));
                    on_done.run(());
                }
                Err(e) => banner.set(Some(e.message())),
            }
        });
    };

    view! {
        <Modal title=t("contacts.bulk.add_to_group") on_close=on_close testid="group-add-dialog">
            <form class="form" on:submit=on_submit novalidate=true>
                <ErrorBanner message=banner />
                <p class="confirm-text">{body}</p>
                <SelectField id="group-choice" label=t("contacts.groups.group") value=choice errors=errors options=options />
                <Show when=move || choice.with(|c| c == NEW_GROUP)>
                    <TextField
                        id="group-new-name"
                        field="group_name"
                        label=t("contacts.groups.new_name")
                        value=new_name
                        errors=errors
                        required=true
                        autocomplete="off"
                    />
                </Show>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="group-add-submit" disabled=move || busy.get()>
                        {t("contacts.groups.add")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// Creates a group, or renames one (`existing`).
#[component]
pub fn GroupFormDialog(
    existing: Option<ContactGroup>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let id = existing.as_ref().map(|g| g.id);
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        existing
            .as_ref()
            .map(|g| g.description.clone())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        errors.set(FieldErrors::new());
        let req = GroupRequest {
            name: name.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
        };
        busy.set(true);
        spawn_local(async move {
            let result = match id {
                Some(id) => api.update_group(id, &req).await,
                None => api.create_group(&req).await,
            };
            busy.set(false);
            match result {
                Ok(g) => {
                    let key = if id.is_some() {
                        "contacts.groups.saved"
                    } else {
                        "contacts.groups.created"
                    };
                    toasts.success(tf(key, &[("name", &g.name)]));
                    on_done.run(());
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };
    let title = if id.is_some() {
        t("contacts.groups.edit_title")
    } else {
        t("contacts.groups.create_title")
    };
    view! {
        <Modal title=title on_close=on_close testid="group-form-dialog">
            <form class="form" on:submit=on_submit novalidate=true>
                <ErrorBanner message=banner />
                <TextField id="group-name" field="name" label=t("contacts.groups.name") value=name errors=errors required=true autocomplete="off" />
                <TextField id="group-description" field="description" label=t("contacts.groups.description") value=description errors=errors autocomplete="off" />
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="group-form-submit" disabled=move || busy.get()>
                        {if id.is_some() { t("common.save") } else { t("contacts.groups.create") }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
