//! `/contacts`: the audience module. One area with tabs: the contacts list
//! (filters, bulk actions, add), a contact's page, groups, and tags with
//! custom attributes.

mod detail;
mod dialogs;
mod groups;
mod list;
mod settings;

use std::collections::BTreeMap;

use contract::contacts::{AttributeDefinition, Tag, TagRef};
use leptos::prelude::*;
use leptos_icons::Icon;
use uuid::Uuid;

use crate::api::FieldErrors;
use crate::components::misc::PageHeader;
use crate::i18n::t;

pub use detail::{event_row, ContactDetailPage};
pub use groups::{GroupDetailPage, GroupsPage};
pub use list::ContactsPage;
pub use settings::TagsAttributesPage;

/// Which tab of the module is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Contacts,
    Groups,
    Settings,
}

/// Renders `inner` only for people who may view this module.
fn gated<V: IntoView + 'static>(inner: impl Fn() -> V + Send + Sync + 'static) -> impl IntoView {
    crate::components::misc::gated("contacts.view", inner)
}

/// The module's title and tabs, with the page's own actions at the tabs' right.
#[component]
pub fn ContactsHeader(tab: Tab, #[prop(optional)] children: Option<Children>) -> impl IntoView {
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
        <PageHeader title=t("module.contacts") subtitle=t("contacts.subtitle") />
        <div class="tabs-bar">
            <nav class="tabs" aria-label=t("module.contacts")>
                {link(Tab::Contacts, "/contacts", "contacts.tab.contacts", "tab-contacts")}
                {link(Tab::Groups, "/contacts/groups", "contacts.tab.groups", "tab-groups")}
                {link(Tab::Settings, "/contacts/settings", "contacts.tab.settings", "tab-settings")}
            </nav>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}

/// A tag as a coloured pill.
#[component]
pub fn TagChip(#[prop(into)] name: String, #[prop(into)] colour: String) -> impl IntoView {
    view! {
        <span class="tag-chip" style=format!("--tag: {colour}") data-testid="tag-chip">
            <span class="tag-dot" aria-hidden="true"></span>
            {name}
        </span>
    }
}

/// The tags of a contact, in a wrapping row.
pub fn tag_chips(tags: &[TagRef]) -> impl IntoView {
    let chips = tags
        .iter()
        .map(|tag| view! { <TagChip name=tag.name.clone() colour=tag.colour.clone() /> })
        .collect_view();
    view! { <div class="tag-row">{chips}</div> }
}

/// Every tag as a toggle; `selected` holds the ids switched on.
#[component]
pub fn TagPicker(
    #[prop(into)] tags: Signal<Vec<Tag>>,
    selected: RwSignal<Vec<Uuid>>,
    #[prop(into, optional)] testid: Option<String>,
) -> impl IntoView {
    view! {
        <div class="tag-picker" data-testid=testid>
            {move || {
                let list = tags.get();
                if list.is_empty() {
                    return view! { <p class="field-hint">{t("contacts.tags.none_yet")}</p> }
                        .into_any();
                }
                list.into_iter()
                    .map(|tag| {
                        let id = tag.id;
                        let on = Memo::new(move |_| selected.with(|s| s.contains(&id)));
                        view! {
                            <button
                                type="button"
                                class="tag-chip tag-toggle"
                                class:on=move || on.get()
                                style=format!("--tag: {}", tag.colour)
                                aria-pressed=move || if on.get() { "true" } else { "false" }
                                data-testid="tag-option"
                                data-tag=tag.name.clone()
                                on:click=move |_| {
                                    selected.update(|s| {
                                        if let Some(i) = s.iter().position(|x| *x == id) {
                                            s.remove(i);
                                        } else {
                                            s.push(id);
                                        }
                                    });
                                }
                            >
                                <span class="tag-dot" aria-hidden="true"></span>
                                {tag.name.clone()}
                                {move || on.get().then(|| view! { <Icon icon=icondata::LuCheck /> })}
                            </button>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </div>
    }
}

/// Badge tone and text of an opt-in state.
pub fn opt_in_badge(opt_in: &str) -> (&'static str, String) {
    match opt_in {
        "opted_in" => ("success", t("contacts.opt_in.opted_in")),
        "opted_out" => ("danger", t("contacts.opt_in.opted_out")),
        _ => ("neutral", t("contacts.opt_in.unknown")),
    }
}

/// `(value, label)` choices of the opt-in select.
pub fn opt_in_options() -> Vec<(String, String)> {
    ["unknown", "opted_in", "opted_out"]
        .iter()
        .map(|k| ((*k).to_string(), t(&format!("contacts.opt_in.{k}"))))
        .collect()
}

/// The label of an attribute kind.
pub fn kind_label(kind: &str) -> String {
    t(&format!("contacts.kind.{kind}"))
}

/// One custom attribute's input, shaped by its kind: text, number, date or a
/// yes/no choice. Errors come under `attributes.<key>`.
#[component]
pub fn AttributeInput(
    def: AttributeDefinition,
    values: RwSignal<BTreeMap<String, String>>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let id = format!("attr-{}", def.key);
    let err_key = format!("attributes.{}", def.key);
    let key = def.key.clone();
    let key_in = def.key.clone();
    let value = move || values.with(|v| v.get(&key).cloned().unwrap_or_default());
    let set = move |v: String| {
        values.update(|m| {
            m.insert(key_in.clone(), v);
        })
    };
    let err_key2 = err_key.clone();
    let error = move || {
        errors.with(|e| {
            e.get(&err_key)
                .filter(|m| !m.is_empty())
                .map(|m| m.join(" "))
        })
    };
    let invalid = move || errors.with(|e| e.contains_key(&err_key2));
    let input = match def.kind.as_str() {
        "boolean" => view! {
            <select
                id=id.clone()
                data-testid="attribute-input"
                data-key=def.key.clone()
                class:invalid=invalid.clone()
                prop:value=value.clone()
                on:change=move |ev| set(event_target_value(&ev))
            >
                <option value="">{t("contacts.attr.not_set")}</option>
                <option value="true">{t("contacts.attr.yes")}</option>
                <option value="false">{t("contacts.attr.no")}</option>
            </select>
        }
        .into_any(),
        kind => {
            let input_type = match kind {
                "number" => "number",
                "date" => "date",
                _ => "text",
            };
            view! {
                <input
                    id=id.clone()
                    type=input_type
                    step=(input_type == "number").then_some("any")
                    data-testid="attribute-input"
                    data-key=def.key.clone()
                    class:invalid=invalid.clone()
                    prop:value=value.clone()
                    on:input=move |ev| set(event_target_value(&ev))
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>
                {def.name.clone()}
                <span class="attr-key">{format!("${}", def.key)}</span>
            </label>
            {input}
            <p class="field-error" role="alert">{error}</p>
        </div>
    }
}
