//! `/login`: email and password; several tenants lead to the picker.

use contract::auth::LoginRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{replace, AuthLayout};
use crate::api::{public, Auth, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::ErrorBanner;
use crate::i18n::t;
use crate::state::{PendingChoice, PendingTenant};

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let pending = expect_context::<PendingTenant>();
    let navigate = use_navigate();
    let query = use_query_map();
    let notice = query.with_untracked(|q| {
        if q.get("reset").is_some() {
            Some(t("login.password_set"))
        } else {
            None
        }
    });

    if auth.session.with_untracked(Option::is_some) {
        navigate("/", replace());
    } else {
        // A fresh instance goes to first-run setup.
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Ok(s) = public::setup_status().await {
                if s.setup_required {
                    navigate("/setup", replace());
                }
            }
        });
    }

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let req = LoginRequest {
            email: email.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = public::login(&req).await;
            busy.set(false);
            match result {
                Ok(resp) => {
                    if let Some(session) = resp.session {
                        auth.set(session);
                        navigate("/", replace());
                    } else if let Some(token) = resp.selection_token {
                        pending.0.set(Some(PendingChoice {
                            selection_token: token,
                            tenants: resp.tenants,
                        }));
                        navigate("/select-tenant", Default::default());
                    } else {
                        banner.set(Some(t("login.no_tenant")));
                    }
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <AuthLayout title=t("login.title") subtitle=t("login.subtitle")>
            {notice
                .map(|n| {
                    view! {
                        <div class="banner banner-success" role="status">
                            {n}
                        </div>
                    }
                })}
            <ErrorBanner message=banner />
            <form class="form" on:submit=on_submit novalidate=true data-testid="login-form">
                <TextField
                    id="email"
                    label=t("field.email")
                    value=email
                    errors=errors
                    kind="email"
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="password"
                    label=t("field.password")
                    value=password
                    errors=errors
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <div class="form-row-end">
                    <a href="/forgot-password" class="link" data-testid="forgot-link">
                        {t("login.forgot")}
                    </a>
                </div>
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    data-testid="login-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { t("login.submitting") } else { t("login.submit") }}
                </button>
            </form>
        </AuthLayout>
    }
}
