//! Adding a channel, and showing a freshly generated token once.

use contract::channels::{Channel, CreateChannelRequest, ProviderField, ProviderInfo};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::guide::SetupGuide;
use super::{field_label, provider_label};
use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{copy_text, ErrorBanner};
use crate::components::modal::Modal;
use crate::i18n::{lookup, t, tf};
use crate::state::toasts;

/// One provider's inputs in the add dialog.
#[derive(Debug, Clone)]
struct ProviderInputs {
    provider: String,
    inputs: Vec<(ProviderField, RwSignal<String>)>,
}

#[component]
pub fn AddChannelDialog(
    providers: RwSignal<Vec<ProviderInfo>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<Channel>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let name = RwSignal::new(String::new());
    let first = providers.with_untracked(|l| {
        l.iter()
            .find(|p| p.provider == "meta_cloud")
            .or_else(|| l.first())
            .map(|p| p.provider.clone())
            .unwrap_or_default()
    });
    let provider = RwSignal::new(first);
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Inputs for every provider, so switching back and forth keeps what was typed.
    let all_inputs = StoredValue::new(providers.with_untracked(|l| {
        l.iter()
            .map(|p| ProviderInputs {
                provider: p.provider.clone(),
                inputs: p
                    .fields
                    .iter()
                    .map(|f| (f.clone(), RwSignal::new(String::new())))
                    .collect(),
            })
            .collect::<Vec<_>>()
    }));
    let options = Signal::derive(move || {
        providers.with(|l| {
            l.iter()
                .map(|p| (p.provider.clone(), provider_label(&p.provider)))
                .collect()
        })
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let chosen = provider.get_untracked();
        // The sandbox makes up its own credentials.
        let fields = if chosen == "sandbox" {
            Default::default()
        } else {
            all_inputs.with_value(|all| {
                all.iter()
                    .filter(|p| p.provider == chosen)
                    .flat_map(|p| p.inputs.iter())
                    .filter_map(|(f, v)| {
                        let v = v.get_untracked().trim().to_string();
                        (!v.is_empty()).then(|| (f.key.clone(), Some(v)))
                    })
                    .collect()
            })
        };
        let req = CreateChannelRequest {
            name: name.get_untracked().trim().to_string(),
            provider: chosen,
            active: true,
            fields,
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.create_channel(&req).await;
            busy.set(false);
            match result {
                Ok(channel) => {
                    toasts.success(tf("channels.added", &[("name", &channel.name)]));
                    on_done.run(channel);
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    let provider_fields = move || {
        let chosen = provider.get();
        if chosen == "sandbox" {
            return view! {
                <div class="callout callout-info" data-testid="sandbox-note">
                    <Icon icon=icondata::LuFlaskConical />
                    <p>{t("channels.sandbox_note")}</p>
                </div>
            }
            .into_any();
        }
        let fields = all_inputs.with_value(|all| {
            all.iter()
                .filter(|p| p.provider == chosen)
                .flat_map(|p| p.inputs.iter().cloned())
                .collect::<Vec<_>>()
        });
        view! {
            <p class="field-hint">{t("channels.add_fields_hint")}</p>
            <div class="grid-2">
                {fields
                    .into_iter()
                    .map(|(f, value)| {
                        let hint = lookup(&format!("channels.hint.{}", f.key)).unwrap_or_default();
                        let placeholder = lookup(&format!("channels.placeholder.{}", f.key))
                            .unwrap_or_default();
                        view! {
                            <TextField
                                id=format!("new-{}", f.key)
                                field=f.key.clone()
                                label=field_label(&f.key)
                                value=value
                                errors=errors
                                kind=if f.secret { "password" } else { "text" }
                                autocomplete="off"
                                hint=hint
                                placeholder=placeholder
                                required=f.required
                            />
                        }
                    })
                    .collect_view()}
            </div>
            <SetupGuide provider=chosen />
        }
        .into_any()
    };

    view! {
        <Modal title=t("channels.add_title") on_close=on_close wide=true testid="add-channel-dialog">
            <ErrorBanner message=banner />
            <form class="form" on:submit=on_submit novalidate=true data-testid="add-channel-form">
                <div class="grid-2">
                    <TextField
                        id="channel_name"
                        field="name"
                        label=t("channels.name")
                        value=name
                        errors=errors
                        hint=t("channels.name_hint")
                        required=true
                    />
                    <SelectField
                        id="channel_provider"
                        field="provider"
                        label=t("channels.provider")
                        value=provider
                        errors=errors
                        options=options
                        required=true
                    />
                </div>
                {provider_fields}
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="add-channel-submit"
                        disabled=move || busy.get()
                    >
                        {t("channels.add")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// A token shown this one time, with a copy button.
#[component]
pub fn TokenDialog(
    #[prop(into)] title: String,
    #[prop(into)] intro: String,
    token: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let toasts = toasts();
    let copied = RwSignal::new(false);
    let to_copy = token.clone();
    view! {
        <Modal title=title on_close=on_close testid="token-dialog">
            <div class="invite-result">
                <p>{intro}</p>
                <div class="banner banner-warning" role="note">
                    <Icon icon=icondata::LuTriangleAlert />
                    <span>{t("channels.token.once")}</span>
                </div>
                <div class="copy-row">
                    <input
                        type="text"
                        readonly=true
                        class="mono"
                        aria-label=t("channels.token.label")
                        data-testid="token-value"
                        prop:value=token
                    />
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="copy-token"
                        on:click=move |_| {
                            let text = to_copy.clone();
                            spawn_local(async move {
                                if copy_text(&text).await {
                                    copied.set(true);
                                } else {
                                    toasts.error(t("common.copy_failed"));
                                }
                            });
                        }
                    >
                        <Icon icon=icondata::LuCopy />
                        <span>{move || if copied.get() { t("common.copied") } else { t("common.copy") }}</span>
                    </button>
                </div>
                <div class="modal-actions">
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="token-done"
                        on:click=move |_| on_close.run(())
                    >
                        {t("common.done")}
                    </button>
                </div>
            </div>
        </Modal>
    }
}
