//! `/forgot-password`: ask for a reset link (the answer never tells whether
//! the address has an account).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AuthLayout;
use crate::api::{public, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::ErrorBanner;
use crate::i18n::t;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let address = email.get_untracked().trim().to_string();
        busy.set(true);
        spawn_local(async move {
            let result = public::forgot_password(&address).await;
            busy.set(false);
            match result {
                Ok(_) => sent.set(true),
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <AuthLayout title=t("forgot.title") subtitle=t("forgot.subtitle")>
            <Show
                when=move || sent.get()
                fallback=move || {
                    view! {
                        <ErrorBanner message=banner />
                        <form class="form" on:submit=on_submit novalidate=true>
                            <TextField
                                id="email"
                                label=t("field.email")
                                value=email
                                errors=errors
                                kind="email"
                                autocomplete="email"
                                required=true
                            />
                            <button
                                type="submit"
                                class="btn btn-primary btn-block"
                                disabled=move || busy.get()
                            >
                                {t("forgot.submit")}
                            </button>
                        </form>
                    }
                }
            >
                <div class="banner banner-success" role="status" data-testid="forgot-sent">
                    {t("forgot.sent")}
                </div>
            </Show>
            <p class="auth-alt">
                <a href="/login" class="link">
                    {t("auth.back_to_login")}
                </a>
            </p>
        </AuthLayout>
    }
}
