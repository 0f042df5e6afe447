//! `/profile`: the signed-in person's name, language, sounds, chat sync and
//! password.

use contract::users::{ChangePasswordRequest, Profile, UpdateProfileRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField, Toggle};
use crate::components::misc::{Avatar, ErrorBanner, Loading, PageHeader};
use crate::i18n::{set_language, t, LANGUAGES};
use crate::state::{me_state, toasts};

/// Modules that can play a sound, in display order.
const SOUND_MODULES: &[&str] = &["conversations", "notifications", "broadcasts"];

#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = me_state();
    let profile = me
        .me
        .with_untracked(|m| m.as_ref().map(|m| m.profile.clone()));
    view! {
        <PageHeader title=t("profile.title") subtitle=t("profile.subtitle") />
        {match profile {
            Some(p) => view! {
                <div class="stack">
                    <ProfileForm profile=p />
                    <PasswordForm />
                </div>
            }
            .into_any(),
            None => view! { <Loading /> }.into_any(),
        }}
    }
}

#[component]
fn ProfileForm(profile: Profile) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let name = RwSignal::new(profile.name.clone());
    let language = RwSignal::new(profile.language.clone());
    let chat_sync = RwSignal::new(profile.chat_sync);
    let sounds: Vec<(&'static str, RwSignal<bool>)> = SOUND_MODULES
        .iter()
        .map(|m| {
            (
                *m,
                RwSignal::new(profile.sounds.get(*m).copied().unwrap_or(false)),
            )
        })
        .collect();
    let base_sounds = profile.sounds.clone();
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let languages = Signal::derive(|| {
        LANGUAGES
            .iter()
            .map(|(code, label, _)| (code.to_string(), label.to_string()))
            .collect::<Vec<_>>()
    });

    let sounds_for_submit = sounds.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let mut map = base_sounds.clone();
        for (module, on) in &sounds_for_submit {
            map.insert(module.to_string(), on.get_untracked());
        }
        let req = UpdateProfileRequest {
            name: Some(name.get_untracked().trim().to_string()),
            language: Some(language.get_untracked()),
            sounds: Some(map),
            chat_sync: Some(chat_sync.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.update_profile(&req).await;
            busy.set(false);
            match result {
                Ok(saved) => {
                    set_language(&saved.language);
                    me.me.update(|m| {
                        if let Some(m) = m {
                            m.profile = saved;
                        }
                    });
                    toasts.success(t("profile.saved"));
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <form class="stack" on:submit=on_submit novalidate=true data-testid="profile-form">
            <ErrorBanner message=banner />
            <section class="card">
                <div class="profile-head">
                    {move || view! { <Avatar name=name.get() large=true /> }}
                    <div>
                        <div class="cell-main">{move || name.get()}</div>
                        <div class="cell-sub">{profile.email.clone()}</div>
                    </div>
                </div>
                <div class="grid-2">
                    <TextField id="profile_name" field="name" label=t("field.name") value=name errors=errors required=true autocomplete="name" />
                    <SelectField id="profile_language" field="language" label=t("profile.language") value=language errors=errors options=languages />
                </div>
            </section>
            <section class="card">
                <h2 class="card-title">{t("profile.sounds")}</h2>
                <p class="muted small">{t("profile.sounds_hint")}</p>
                <div class="toggle-list">
                    {sounds
                        .iter()
                        .map(|(module, on)| {
                            view! {
                                <Toggle
                                    id=format!("sound-{module}")
                                    label=t(&format!("module.{module}"))
                                    description=t(&format!("profile.sound.{module}"))
                                    checked=*on
                                />
                            }
                        })
                        .collect_view()}
                </div>
                <h2 class="card-title spaced">{t("profile.sync")}</h2>
                <div class="toggle-list">
                    <Toggle id="chat-sync" label=t("profile.chat_sync") description=t("profile.chat_sync_hint") checked=chat_sync />
                </div>
            </section>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-profile" disabled=move || busy.get()>
                    {t("common.save_changes")}
                </button>
            </div>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let current = RwSignal::new(String::new());
    let new_pw = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        if new_pw.get_untracked() != confirm.get_untracked() {
            let mut errs = FieldErrors::new();
            errs.insert("confirm_password".into(), vec![t("form.password_mismatch")]);
            errors.set(errs);
            return;
        }
        errors.set(FieldErrors::new());
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new_pw.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.change_password(&req).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    current.set(String::new());
                    new_pw.set(String::new());
                    confirm.set(String::new());
                    toasts.success(t("profile.password_changed"));
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

    view! {
        <section class="card">
            <h2 class="card-title">{t("profile.password")}</h2>
            <ErrorBanner message=banner />
            <form class="form" on:submit=on_submit novalidate=true data-testid="password-form">
                <div class="grid-3">
                    <TextField id="current_password" label=t("field.current_password") value=current errors=errors kind="password" autocomplete="current-password" required=true />
                    <TextField id="new_password" label=t("field.new_password") value=new_pw errors=errors kind="password" autocomplete="new-password" required=true />
                    <TextField id="confirm_password" label=t("field.confirm_password") value=confirm errors=errors kind="password" autocomplete="new-password" required=true />
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-secondary" data-testid="change-password" disabled=move || busy.get()>
                        {t("profile.change_password")}
                    </button>
                </div>
            </form>
        </section>
    }
}
