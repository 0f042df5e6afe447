//! Form fields with labels tied to inputs and inline errors from the API's
//! `errors` map.

use leptos::prelude::*;

use crate::api::FieldErrors;

fn error_text(errors: RwSignal<FieldErrors>, key: &str) -> Option<String> {
    errors.with(|e| e.get(key).filter(|m| !m.is_empty()).map(|m| m.join(" ")))
}

/// A labelled text input (also email and password).
#[component]
pub fn TextField(
    /// The input's id and name.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    /// Key of this field in the problem's `errors` (defaults to `id`).
    #[prop(into, optional)]
    field: Option<String>,
    #[prop(into, optional)] kind: Option<String>,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into, optional)] placeholder: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let key = field.unwrap_or_else(|| id.clone());
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let key2 = key.clone();
    let has_error = move || error_text(errors, &key2).is_some();
    let has_error2 = has_error.clone();
    let has_hint = hint.is_some();
    let described = {
        let err_id = err_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if has_error2() {
                ids.push(err_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id.clone()
                name=id
                type=kind.unwrap_or_else(|| "text".into())
                class:invalid=has_error.clone()
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=described
                autocomplete=autocomplete
                placeholder=placeholder
                required=required
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=err_id role="alert">
                {move || error_text(errors, &key)}
            </p>
        </div>
    }
}

/// A labelled select; `options` are `(value, label)` pairs.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into, optional)] field: Option<String>,
    #[prop(into, optional)] placeholder: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let key = field.unwrap_or_else(|| id.clone());
    let err_id = format!("{id}-error");
    let key2 = key.clone();
    let has_error = move || error_text(errors, &key2).is_some();
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <select
                id=id.clone()
                name=id
                class:invalid=has_error.clone()
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=err_id.clone()
                required=required
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {placeholder.map(|p| view! { <option value="" disabled=true>{p}</option> })}
                {move || {
                    // Re-rendered when the choices change; the selection itself
                    // follows `prop:value`.
                    let current = value.get_untracked();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! {
                                <option value=v selected=selected>
                                    {l}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <p class="field-error" id=err_id role="alert">
                {move || error_text(errors, &key)}
            </p>
        </div>
    }
}

/// An on/off switch with a label and optional explanation.
#[component]
pub fn Toggle(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] description: Option<String>,
    checked: RwSignal<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="toggle-row">
            <div class="toggle-text">
                <label for=id.clone()>{label}</label>
                {description.map(|d| view! { <p class="field-hint">{d}</p> })}
            </div>
            <input
                id=id.clone()
                name=id
                type="checkbox"
                role="switch"
                class="switch"
                disabled=move || disabled.get()
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
        </div>
    }
}
