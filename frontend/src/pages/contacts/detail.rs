//! `/contacts/{id}`: one contact, its fields, tags and attributes (editable),
//! the groups it is in, and its timeline.

use std::collections::BTreeMap;

use contract::contacts::{AttributeDefinition, Contact, ContactEvent, Tag, UpdateContactRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use super::{gated, opt_in_badge, opt_in_options, AttributeInput, TagPicker};
use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{format_time, Avatar, Badge, ErrorBanner, Loading};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{lookup, t, tf};
use crate::state::{me_state, toasts};

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    gated(|| view! { <ContactDetail /> })
}

#[component]
fn ContactDetail() -> impl IntoView {
    let api = Authed::from_shell();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let version = RwSignal::new(0u32);
    let contact = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api.contact(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let tags = LocalResource::new(move || async move { api.tags().await.unwrap_or_default() });
    let attrs =
        LocalResource::new(move || async move { api.attributes().await.unwrap_or_default() });
    let timeline = LocalResource::new(move || {
        let id = id.get();
        version.track();
        async move {
            match id {
                Some(id) => api.contact_timeline(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let groups = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api.contact_groups(id).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let tag_list = Signal::derive(move || tags.get().unwrap_or_default());

    view! {
        <a class="back-link" href="/contacts" data-testid="back-to-contacts">
            <Icon icon=icondata::LuArrowLeft />
            <span>{t("contacts.back")}</span>
        </a>
        {move || match (contact.get(), attrs.get()) {
            (None, _) | (_, None) => view! { <Loading /> }.into_any(),
            (Some(Err(e)), _) => {
                view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any()
            }
            (Some(Ok(None)), _) => {
                view! { <div class="empty-state card">{t("contacts.not_found")}</div> }.into_any()
            }
            (Some(Ok(Some(c))), Some(defs)) => {
                view! {
                    <ContactEditor
                        contact=c
                        tags=tag_list
                        attributes=defs
                        on_saved=Callback::new(move |()| version.update(|v| *v += 1))
                    />
                }
                    .into_any()
            }
        }}
        <div class="detail-side-grid">
            <section class="card" data-testid="contact-groups">
                <h2 class="card-title">{t("contacts.detail.groups")}</h2>
                {move || match groups.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(list) if list.is_empty() => {
                        view! { <p class="muted">{t("contacts.detail.no_groups")}</p> }.into_any()
                    }
                    Some(list) => {
                        view! {
                            <ul class="plain-list">
                                {list
                                    .into_iter()
                                    .map(|g| {
                                        view! {
                                            <li>
                                                <a href=format!("/contacts/groups/{}", g.id)>
                                                    <Icon icon=icondata::LuUsers />
                                                    <span>{g.name}</span>
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <section class="card" data-testid="contact-messages">
                <h2 class="card-title">{t("contacts.detail.messages")}</h2>
                <div class="callout callout-info">
                    <Icon icon=icondata::LuMessagesSquare />
                    <p>{t("contacts.detail.messages_body")}</p>
                </div>
            </section>
        </div>
        <section class="card" data-testid="contact-timeline">
            <h2 class="card-title">{t("contacts.detail.timeline")}</h2>
            {move || match timeline.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => {
                    view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted">{t("contacts.detail.no_events")}</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! { <ol class="timeline">{list.into_iter().map(event_row).collect_view()}</ol> }
                        .into_any()
                }
            }}
        </section>
    }
}

pub fn event_row(e: ContactEvent) -> impl IntoView {
    let icon = match e.kind.as_str() {
        "created" => icondata::LuUserPlus,
        "tagged" | "untagged" => icondata::LuTag,
        "added_to_group" | "removed_from_group" => icondata::LuUsers,
        "opted_in" | "opted_out" => icondata::LuCheck,
        "conversation_started" | "customer_returned" => icondata::LuMessageCircle,
        "template_sent" => icondata::LuSend,
        "took_control" | "transferred" | "released" => icondata::LuHeadphones,
        "resolved" | "closed_after_inactivity" | "reopened" => icondata::LuCircleCheck,
        "chatbot_on" | "chatbot_off" => icondata::LuBot,
        _ => icondata::LuSquarePen,
    };
    let label =
        lookup(&format!("contacts.event.{}", e.kind)).unwrap_or_else(|| e.kind.replace('_', " "));
    // The server's own words, unless they only repeat the label.
    let show_detail = !e.detail.is_empty() && !e.detail.eq_ignore_ascii_case(&label);
    view! {
        <li class="timeline-item" data-testid="timeline-event" data-kind=e.kind.clone()>
            <span class="timeline-icon" aria-hidden="true">
                <Icon icon=icon />
            </span>
            <div class="timeline-text">
                <div class="timeline-title">{label}</div>
                {show_detail.then(|| view! { <div class="timeline-detail">{e.detail.clone()}</div> })}
                {e.actor_name.clone().map(|name| view! {
                    <div class="timeline-actor" data-testid="timeline-actor">{tf("contacts.event.by", &[("name", &name)])}</div>
                })}
            </div>
            <time class="timeline-time" datetime=e.at.to_rfc3339()>{format_time(&e.at)}</time>
        </li>
    }
}

/// The editable part; built once the contact and attribute definitions are in.
#[component]
fn ContactEditor(
    contact: Contact,
    #[prop(into)] tags: Signal<Vec<Tag>>,
    attributes: Vec<AttributeDefinition>,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let navigate = use_navigate();
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let can_delete = Memo::new(move |_| me.can("contacts.delete"));
    let id = contact.id;
    let current = RwSignal::new(contact.clone());
    let name = RwSignal::new(contact.name.clone());
    let phone = RwSignal::new(contact.phone.clone());
    let email = RwSignal::new(contact.email.clone().unwrap_or_default());
    let source = RwSignal::new(contact.source.clone());
    let opt_in = RwSignal::new(contact.opt_in.clone());
    let picked = RwSignal::new(contact.tags.iter().map(|t| t.id).collect::<Vec<_>>());
    let values = RwSignal::new(contact.attributes.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let read_only = Signal::derive(move || !can_edit.get());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        errors.set(FieldErrors::new());
        let before = current.get_untracked();
        // Only what changed is sent; cleared attributes become null.
        let mut attrs: BTreeMap<String, Option<String>> = BTreeMap::new();
        values.with_untracked(|v| {
            for (k, val) in v {
                let val = val.trim();
                let old = before.attributes.get(k).map(String::as_str).unwrap_or("");
                if val != old {
                    attrs.insert(k.clone(), (!val.is_empty()).then(|| val.to_string()));
                }
            }
        });
        let changed = |new: String, old: &str| (new.trim() != old).then(|| new.trim().to_string());
        let new_tags = picked.get_untracked();
        let old_tags: Vec<Uuid> = before.tags.iter().map(|t| t.id).collect();
        let same_tags =
            new_tags.len() == old_tags.len() && new_tags.iter().all(|t| old_tags.contains(t));
        let req = UpdateContactRequest {
            name: changed(name.get_untracked(), &before.name),
            phone: changed(phone.get_untracked(), &before.phone),
            email: changed(email.get_untracked(), before.email.as_deref().unwrap_or("")),
            source: changed(source.get_untracked(), &before.source),
            opt_in: changed(opt_in.get_untracked(), &before.opt_in),
            tags: (!same_tags).then_some(new_tags),
            attributes: (!attrs.is_empty()).then_some(attrs),
        };
        if req == UpdateContactRequest::default() {
            toasts.info(t("contacts.detail.nothing_changed"));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api.update_contact(id, &req).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    toasts.success(tf("contacts.saved", &[("name", &c.name)]));
                    name.set(c.name.clone());
                    phone.set(c.phone.clone());
                    email.set(c.email.clone().unwrap_or_default());
                    source.set(c.source.clone());
                    opt_in.set(c.opt_in.clone());
                    values.set(c.attributes.clone());
                    current.set(c);
                    on_saved.run(());
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    let delete = Callback::new(move |()| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api.delete_contact(id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(tf(
                        "contacts.deleted",
                        &[("name", &current.get_untracked().name)],
                    ));
                    navigate("/contacts", Default::default());
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });

    let has_attrs = !attributes.is_empty();
    let attr_inputs = attributes
        .into_iter()
        .map(|def| view! { <AttributeInput def=def values=values errors=errors /> })
        .collect_view();

    view! {
        <header class="page-header contact-head">
            <div class="cell-person">
                {move || view! { <Avatar name=current.with(|c| c.name.clone()) large=true /> }}
                <div>
                    <h1 class="page-title" data-testid="contact-name">{move || current.with(|c| c.name.clone())}</h1>
                    <p class="page-subtitle">
                        <span class="mono" data-testid="contact-detail-phone">{move || current.with(|c| c.phone.clone())}</span>
                        {move || {
                            let (tone, text) = current.with(|c| opt_in_badge(&c.opt_in));
                            view! { <Badge tone=tone text=text /> }
                        }}
                        <span class="muted small">
                            {move || tf("contacts.detail.created", &[("at", &current.with(|c| format_time(&c.created_at)))])}
                        </span>
                    </p>
                </div>
            </div>
            <div class="page-actions">
                <Show when=move || can_delete.get()>
                    <button
                        type="button"
                        class="btn btn-danger-outline"
                        data-testid="delete-contact"
                        on:click=move |_| confirm_delete.set(true)
                    >
                        <Icon icon=icondata::LuTrash2 />
                        <span>{t("contacts.delete")}</span>
                    </button>
                </Show>
            </div>
        </header>
        <form class="card form contact-form" on:submit=on_submit novalidate=true data-testid="contact-form">
            <ErrorBanner message=banner />
            <fieldset class="form-section">
                <legend>{t("contacts.detail.fields")}</legend>
                <div class="grid-2">
                    <TextField id="contact-name" field="name" label=t("contacts.field.name") value=name errors=errors required=true disabled=read_only />
                    <TextField id="contact-phone" field="phone" label=t("contacts.field.phone") value=phone errors=errors kind="tel" required=true disabled=read_only hint=t("contacts.field.phone_hint") />
                    <TextField id="contact-email" field="email" label=t("contacts.field.email") value=email errors=errors kind="email" disabled=read_only />
                    <TextField id="contact-source" field="source" label=t("contacts.field.source") value=source errors=errors disabled=read_only />
                    <SelectField id="contact-opt-in" field="opt_in" label=t("contacts.field.opt_in") value=opt_in errors=errors options=Signal::derive(opt_in_options) disabled=read_only />
                </div>
            </fieldset>
            <fieldset class="form-section" disabled=move || read_only.get()>
                <legend>{t("contacts.field.tags")}</legend>
                <TagPicker tags=tags selected=picked testid="detail-tags" />
                <p class="field-error" role="alert">
                    {move || errors.with(|e| e.get("tags").map(|m| m.join(" ")))}
                </p>
            </fieldset>
            <fieldset class="form-section" disabled=move || read_only.get()>
                <legend>{t("contacts.field.attributes")}</legend>
                {if has_attrs {
                    view! { <div class="grid-2">{attr_inputs}</div> }.into_any()
                } else {
                    view! {
                        <p class="field-hint">
                            {t("contacts.detail.no_attributes")} " "
                            <a href="/contacts/settings">{t("contacts.tab.settings")}</a>
                        </p>
                    }
                        .into_any()
                }}
            </fieldset>
            <Show when=move || can_edit.get()>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="save-contact" disabled=move || busy.get()>
                        {t("common.save_changes")}
                    </button>
                </div>
            </Show>
        </form>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title=t("contacts.delete_title")
                body=tf("contacts.delete_body", &[("name", &current.get_untracked().name)])
                confirm_label=t("contacts.delete")
                busy=busy
                on_confirm=delete
                on_close=Callback::new(move |()| confirm_delete.set(false))
            />
        </Show>
    }
}
