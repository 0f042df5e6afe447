//! The right pane: the customer's contact card. Name, phone and email,
//! tags to add or remove, attributes to edit, groups, and the journey
//! (the contact's timeline). Editing needs `contacts.edit`.

use std::collections::BTreeMap;

use contract::contacts::{Contact, UpdateContactRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::misc::{Avatar, Loading};
use crate::i18n::{t, tf};
use crate::pages::contacts::{event_row, AttributeInput, TagChip};
use crate::state::{me_state, toasts};

/// A conversation's state, controller, chatbot switch and latest message.
pub type JourneyKey = (
    String,
    Option<Uuid>,
    bool,
    Option<chrono::DateTime<chrono::Utc>>,
);

#[component]
pub fn ContactPanel(
    contact_id: Uuid,
    /// Changes whenever the conversation did, so the journey shows it.
    #[prop(into)]
    changed: Signal<Option<JourneyKey>>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_view = Memo::new(move |_| me.can("contacts.view"));
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let contact = RwSignal::new(None::<Result<Contact, String>>);
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let errors = RwSignal::new(FieldErrors::new());
    let busy = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let adding = RwSignal::new(String::new());

    spawn_local(async move {
        let result = api.contact(contact_id).await;
        if let Ok(c) = &result {
            values.set(c.attributes.clone());
        }
        if !matches!(result, Err(ApiError::SignedOut)) {
            contact.set(Some(result.map_err(|e| e.message())));
        }
    });
    let tags = LocalResource::new(move || async move { api.tags().await.unwrap_or_default() });
    let defs =
        LocalResource::new(move || async move { api.attributes().await.unwrap_or_default() });
    let groups = LocalResource::new(move || async move {
        api.contact_groups(contact_id).await.unwrap_or_default()
    });
    let timeline = LocalResource::new(move || {
        version.track();
        changed.track();
        async move { api.contact_timeline(contact_id).await }
    });

    let save = move |req: UpdateContactRequest| {
        busy.set(true);
        errors.set(FieldErrors::new());
        spawn_local(async move {
            let result = api.update_contact(contact_id, &req).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    toasts.success(tf("contacts.saved", &[("name", &c.name)]));
                    values.set(c.attributes.clone());
                    contact.set(Some(Ok(c)));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    toasts.error(e.message());
                }
            }
        });
    };
    let current_tags = move || {
        contact.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .map(|c| c.tags.iter().map(|t| t.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let remove_tag = move |id: Uuid| {
        let tags: Vec<Uuid> = current_tags().into_iter().filter(|t| *t != id).collect();
        save(UpdateContactRequest {
            tags: Some(tags),
            ..Default::default()
        });
    };
    let add_tag = move |_| {
        let Ok(id) = Uuid::parse_str(&adding.get_untracked()) else {
            return;
        };
        let mut tags = current_tags();
        if !tags.contains(&id) {
            tags.push(id);
        }
        adding.set(String::new());
        save(UpdateContactRequest {
            tags: Some(tags),
            ..Default::default()
        });
    };
    let save_attributes = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let before = contact.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .map(|c| c.attributes.clone())
                .unwrap_or_default()
        });
        let mut changed: BTreeMap<String, Option<String>> = BTreeMap::new();
        values.with_untracked(|v| {
            for (k, val) in v {
                let val = val.trim();
                if val != before.get(k).map(String::as_str).unwrap_or("") {
                    changed.insert(k.clone(), (!val.is_empty()).then(|| val.to_string()));
                }
            }
        });
        if changed.is_empty() {
            toasts.info(t("contacts.detail.nothing_changed"));
            return;
        }
        save(UpdateContactRequest {
            attributes: Some(changed),
            ..Default::default()
        });
    };

    let body = move || {
        if !can_view.get() {
            return view! { <p class="muted small">{t("conversations.contact.no_access")}</p> }
                .into_any();
        }
        match contact.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(m)) => view! { <p class="field-error">{m}</p> }.into_any(),
            Some(Ok(c)) => {
                let owned: Vec<Uuid> = c.tags.iter().map(|t| t.id).collect();
                view! {
                    <div class="contact-card-head">
                        <Avatar name=c.name.clone() large=true />
                        <div>
                            <a class="contact-card-name" href=format!("/contacts/{}", c.id) data-testid="panel-contact-name">{c.name.clone()}</a>
                            <div class="mono small" data-testid="panel-contact-phone">{c.phone.clone()}</div>
                            {c.email.clone().map(|e| view! { <div class="small muted" data-testid="panel-contact-email">{e}</div> })}
                        </div>
                    </div>
                    <section class="panel-section" data-testid="panel-tags">
                        <h3 class="panel-title">{t("contacts.field.tags")}</h3>
                        <div class="tag-row">
                            {c.tags.iter().map(|tag| {
                                let id = tag.id;
                                view! {
                                    <span class="tag-with-remove">
                                        <TagChip name=tag.name.clone() colour=tag.colour.clone() />
                                        <Show when=move || can_edit.get()>
                                            <button type="button" class="icon-btn icon-btn-sm" title=t("conversations.contact.remove_tag")
                                                aria-label=t("conversations.contact.remove_tag") data-testid="remove-tag"
                                                disabled=move || busy.get() on:click=move |_| remove_tag(id)>
                                                <Icon icon=icondata::LuX width="12" height="12" />
                                            </button>
                                        </Show>
                                    </span>
                                }
                            }).collect_view()}
                            {c.tags.is_empty().then(|| view! { <span class="muted small">{t("conversations.contact.no_tags")}</span> })}
                        </div>
                        <Show when=move || can_edit.get()>
                            {
                                let owned = owned.clone();
                                view! {
                                    <div class="inline-row panel-add-tag">
                                        <label for="panel-add-tag" class="sr-only">{t("conversations.contact.add_tag")}</label>
                                        <select id="panel-add-tag" data-testid="add-tag-select"
                                            prop:value=move || adding.get()
                                            on:change=move |ev| adding.set(event_target_value(&ev))>
                                            <option value="">{t("conversations.contact.add_tag")}</option>
                                            {
                                                let owned = owned.clone();
                                                move || tags.get().unwrap_or_default().into_iter()
                                                    .filter(|tag| !owned.contains(&tag.id))
                                                    .map(|tag| view! { <option value=tag.id.to_string()>{tag.name}</option> })
                                                    .collect_view()
                                            }
                                        </select>
                                        <button type="button" class="btn btn-secondary btn-sm" data-testid="add-tag"
                                            disabled=move || busy.get() || adding.with(String::is_empty) on:click=add_tag>
                                            <Icon icon=icondata::LuPlus />
                                        </button>
                                    </div>
                                }
                            }
                        </Show>
                    </section>
                    <section class="panel-section" data-testid="panel-attributes">
                        <h3 class="panel-title">{t("contacts.field.attributes")}</h3>
                        {move || {
                            let list = defs.get().unwrap_or_default();
                            if list.is_empty() {
                                return view! { <p class="muted small">{t("conversations.contact.no_attributes")}</p> }.into_any();
                            }
                            view! {
                                <form class="panel-form" on:submit=save_attributes novalidate=true>
                                    <fieldset class="form-section" disabled=move || !can_edit.get()>
                                        {list.into_iter().map(|def| view! { <AttributeInput def=def values=values errors=errors /> }).collect_view()}
                                    </fieldset>
                                    <Show when=move || can_edit.get()>
                                        <button type="submit" class="btn btn-secondary btn-sm" data-testid="save-attributes" disabled=move || busy.get()>
                                            {t("common.save")}
                                        </button>
                                    </Show>
                                </form>
                            }.into_any()
                        }}
                    </section>
                    <section class="panel-section" data-testid="panel-groups">
                        <h3 class="panel-title">{t("contacts.detail.groups")}</h3>
                        {move || match groups.get() {
                            None => view! { <Loading /> }.into_any(),
                            Some(list) if list.is_empty() => view! { <p class="muted small">{t("contacts.detail.no_groups")}</p> }.into_any(),
                            Some(list) => view! {
                                <ul class="plain-list">
                                    {list.into_iter().map(|g| view! {
                                        <li><a href=format!("/contacts/groups/{}", g.id)><Icon icon=icondata::LuUsers /><span>{g.name}</span></a></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }}
                    </section>
                    <section class="panel-section" data-testid="panel-journey">
                        <h3 class="panel-title">{t("conversations.contact.journey")}</h3>
                        {move || match timeline.get() {
                            None => view! { <Loading /> }.into_any(),
                            Some(Err(e)) => view! { <p class="field-error">{e.message()}</p> }.into_any(),
                            Some(Ok(list)) if list.is_empty() => view! { <p class="muted small">{t("contacts.detail.no_events")}</p> }.into_any(),
                            Some(Ok(list)) => view! {
                                <ol class="timeline timeline-compact">{list.into_iter().map(event_row).collect_view()}</ol>
                            }.into_any(),
                        }}
                    </section>
                }
                .into_any()
            }
        }
    };

    view! {
        <aside class="conversations-pane conversations-contact" data-testid="contact-panel" aria-label=t("conversations.contact.label")>
            {body}
        </aside>
    }
}
