//! `/reset-password?token=...`: choose a new password. (Invitations have
//! their own page, `/accept-invite`.)

use contract::auth::ResetPasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{replace, AuthLayout};
use crate::api::{public, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::ErrorBanner;
use crate::i18n::t;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();

    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let (title, subtitle, submit) = ("reset.title", "reset.subtitle", "reset.submit");

    if token.is_empty() {
        return view! {
            <AuthLayout title=t(title)>
                <div class="banner banner-error" role="alert">
                    {t("reset.missing_token")}
                </div>
                <p class="auth-alt">
                    <a href="/forgot-password" class="link">
                        {t("reset.request_new")}
                    </a>
                </p>
            </AuthLayout>
        }
        .into_any();
    }

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        if password.get_untracked() != confirm.get_untracked() {
            let mut errs = FieldErrors::new();
            errs.insert("confirm_password".into(), vec![t("form.password_mismatch")]);
            errors.set(errs);
            return;
        }
        errors.set(FieldErrors::new());
        let req = ResetPasswordRequest {
            token: token.clone(),
            new_password: password.get_untracked(),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = public::reset_password(&req).await;
            busy.set(false);
            match result {
                Ok(()) => navigate("/login?reset=1", replace()),
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <AuthLayout title=t(title) subtitle=t(subtitle)>
            <ErrorBanner message=banner />
            <form class="form" on:submit=on_submit novalidate=true>
                <TextField
                    id="new_password"
                    label=t("field.new_password")
                    value=password
                    errors=errors
                    kind="password"
                    autocomplete="new-password"
                    hint=t("form.password_hint")
                    required=true
                />
                <TextField
                    id="confirm_password"
                    label=t("field.confirm_password")
                    value=confirm
                    errors=errors
                    kind="password"
                    autocomplete="new-password"
                    required=true
                />
                <button type="submit" class="btn btn-primary btn-block" disabled=move || busy.get()>
                    {t(submit)}
                </button>
            </form>
            <p class="auth-alt">
                <a href="/login" class="link">
                    {t("auth.back_to_login")}
                </a>
            </p>
        </AuthLayout>
    }
    .into_any()
}
