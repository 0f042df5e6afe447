//! A channel card's "Session behaviour" section: whether and when inactive
//! conversations are asked about and closed, with the two messages.

use contract::channels::{SessionBehaviour, SessionBehaviourRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{Authed, FieldErrors};
use crate::components::form::{TextField, Toggle};
use crate::components::misc::ErrorBanner;
use crate::i18n::t;
use crate::state::toasts;

/// The form's values, as typed.
#[derive(Clone, Copy)]
struct Form {
    enabled: RwSignal<bool>,
    ask_after: RwSignal<String>,
    end_after: RwSignal<String>,
    ask_text: RwSignal<String>,
    end_text: RwSignal<String>,
}

impl Form {
    fn load(&self, s: &SessionBehaviour) {
        self.enabled.set(s.enabled);
        self.ask_after.set(s.ask_after_minutes.to_string());
        self.end_after.set(s.end_after_minutes.to_string());
        self.ask_text.set(s.ask_text.clone());
        self.end_text.set(s.end_text.clone());
    }

    /// The request, or the fields that are not whole numbers.
    fn request(&self) -> Result<SessionBehaviourRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut minutes = |field: &str, value: String| match value.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.insert(field.to_owned(), vec![t("channels.session.not_a_number")]);
                0
            }
        };
        let ask_after_minutes = minutes("ask_after_minutes", self.ask_after.get_untracked());
        let end_after_minutes = minutes("end_after_minutes", self.end_after.get_untracked());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SessionBehaviourRequest {
            enabled: self.enabled.get_untracked(),
            ask_after_minutes,
            end_after_minutes,
            ask_text: self.ask_text.get_untracked(),
            end_text: self.end_text.get_untracked(),
        })
    }
}

/// A labelled multi-line text with its field error.
#[component]
fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into)] field: String,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let error =
        move || errors.with(|e| e.get(&field).filter(|m| !m.is_empty()).map(|m| m.join(" ")));
    let invalid = {
        let error = error.clone();
        move || error().is_some()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id.clone()
                name=id
                rows="3"
                maxlength="1024"
                class:invalid=invalid
                aria-describedby=err_id.clone()
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <p class="field-error" id=err_id role="alert">{error}</p>
        </div>
    }
}

#[component]
pub fn SessionBehaviourSection(
    channel_id: Uuid,
    #[prop(into)] can_edit: Signal<bool>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let form = Form {
        enabled: RwSignal::new(false),
        ask_after: RwSignal::new(String::new()),
        end_after: RwSignal::new(String::new()),
        ask_text: RwSignal::new(String::new()),
        end_text: RwSignal::new(String::new()),
    };
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api.session_behaviour(channel_id).await {
            Ok(s) => {
                form.load(&s);
                loaded.set(true);
            }
            Err(e) => banner.set(Some(e.message())),
        }
    });
    let read_only = Signal::derive(move || !can_edit.get() || !loaded.get() || busy.get());
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = match form.request() {
            Ok(req) => req,
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        errors.set(FieldErrors::new());
        banner.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = api.save_session_behaviour(channel_id, &req).await;
            busy.set(false);
            match result {
                Ok(s) => {
                    form.load(&s);
                    toasts.success(t("channels.session.saved"));
                }
                Err(e) => {
                    let fields = e.field_errors();
                    if fields.is_empty() {
                        banner.set(Some(e.message()));
                    }
                    errors.set(fields);
                }
            }
        });
    };
    let id = |field: &str| format!("session-{}-{field}", channel_id.simple());
    view! {
        <section class="channel-section" data-testid="session-behaviour">
            <h3 class="section-title">{t("channels.session.title")}</h3>
            <p class="field-hint">{t("channels.session.explain")}</p>
            <ErrorBanner message=banner />
            <form class="form" on:submit=save novalidate=true>
                <Toggle
                    id=id("enabled")
                    label=t("channels.session.enabled")
                    description=t("channels.session.enabled_hint")
                    checked=form.enabled
                    disabled=read_only
                />
                <div class="grid-2">
                    <TextField
                        id=id("ask-after")
                        field="ask_after_minutes"
                        kind="number"
                        label=t("channels.session.ask_after")
                        hint=t("channels.session.ask_after_hint")
                        value=form.ask_after
                        errors=errors
                        disabled=read_only
                    />
                    <TextField
                        id=id("end-after")
                        field="end_after_minutes"
                        kind="number"
                        label=t("channels.session.end_after")
                        hint=t("channels.session.end_after_hint")
                        value=form.end_after
                        errors=errors
                        disabled=read_only
                    />
                </div>
                <TextArea
                    id=id("ask-text")
                    field="ask_text"
                    label=t("channels.session.ask_text")
                    value=form.ask_text
                    errors=errors
                    disabled=read_only
                />
                <TextArea
                    id=id("end-text")
                    field="end_text"
                    label=t("channels.session.end_text")
                    hint=t("channels.session.end_text_hint")
                    value=form.end_text
                    errors=errors
                    disabled=read_only
                />
                {move || {
                    can_edit
                        .get()
                        .then(|| {
                            view! {
                                <div class="form-actions">
                                    <button
                                        type="submit"
                                        class="btn btn-primary"
                                        data-testid="save-session-behaviour"
                                        disabled=move || busy.get() || !loaded.get()
                                    >
                                        {t("common.save")}
                                    </button>
                                </div>
                            }
                        })
                }}
            </form>
        </section>
    }
}
