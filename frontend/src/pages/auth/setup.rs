//! `/setup`: the first run creates the tenant and its owner.

use contract::auth::SetupRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::{replace, AuthLayout};
use crate::api::{public, Auth, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{browser_country, browser_time_zone, ErrorBanner, Loading};
use crate::geo::{country_options, time_zone_options};
use crate::i18n::t;

#[component]
pub fn SetupPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let navigate = use_navigate();
    let checked = RwSignal::new(false);

    // Only an empty instance shows this page.
    {
        let navigate = navigate.clone();
        spawn_local(async move {
            match public::setup_status().await {
                Ok(s) if !s.setup_required => navigate("/login", replace()),
                _ => checked.set(true),
            }
        });
    }

    let browser_zone = browser_time_zone().unwrap_or_else(|| "UTC".into());
    let tenant_name = RwSignal::new(String::new());
    let company_name = RwSignal::new(String::new());
    let time_zone = RwSignal::new(browser_zone.clone());
    let default_country = RwSignal::new(browser_country().unwrap_or_else(|| "US".into()));
    let owner_name = RwSignal::new(String::new());
    let owner_email = RwSignal::new(String::new());
    let owner_password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let zones = Signal::derive(move || time_zone_options(&[&browser_zone]));
    let countries = Signal::derive(|| country_options("en"));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        let mut errs = FieldErrors::new();
        if owner_password.get_untracked() != confirm.get_untracked() {
            errs.insert("confirm_password".into(), vec![t("form.password_mismatch")]);
        }
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let req = SetupRequest {
            tenant_name: tenant_name.get_untracked().trim().to_string(),
            company_name: company_name.get_untracked().trim().to_string(),
            time_zone: time_zone.get_untracked(),
            default_country: default_country.get_untracked(),
            owner_name: owner_name.get_untracked().trim().to_string(),
            owner_email: owner_email.get_untracked().trim().to_string(),
            owner_password: owner_password.get_untracked(),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match public::setup(&req).await {
                Ok(resp) => {
                    busy.set(false);
                    match resp.session {
                        Some(session) => {
                            auth.set(session);
                            navigate("/", replace());
                        }
                        None => navigate("/login", replace()),
                    }
                }
                Err(e) => {
                    busy.set(false);
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <AuthLayout title=t("setup.title") subtitle=t("setup.subtitle") wide=true>
            <Show when=move || checked.get() fallback=|| view! { <Loading /> }>
                <ErrorBanner message=banner />
                <form class="form" on:submit=on_submit.clone() novalidate=true data-testid="setup-form">
                    <fieldset class="form-section">
                        <legend>{t("setup.tenant")}</legend>
                        <div class="grid-2">
                            <TextField
                                id="tenant_name"
                                label=t("setup.tenant_name")
                                value=tenant_name
                                errors=errors
                                required=true
                                hint=t("setup.tenant_name_hint")
                            />
                            <TextField
                                id="company_name"
                                label=t("setup.company_name")
                                value=company_name
                                errors=errors
                                autocomplete="organization"
                            />
                            <SelectField
                                id="time_zone"
                                label=t("setup.time_zone")
                                value=time_zone
                                errors=errors
                                options=zones
                                required=true
                            />
                            <SelectField
                                id="default_country"
                                label=t("setup.default_country")
                                value=default_country
                                errors=errors
                                options=countries
                                required=true
                            />
                        </div>
                    </fieldset>
                    <fieldset class="form-section">
                        <legend>{t("setup.owner")}</legend>
                        <div class="grid-2">
                            <TextField
                                id="owner_name"
                                label=t("setup.owner_name")
                                value=owner_name
                                errors=errors
                                required=true
                                autocomplete="name"
                            />
                            <TextField
                                id="owner_email"
                                label=t("field.email")
                                value=owner_email
                                errors=errors
                                kind="email"
                                required=true
                                autocomplete="email"
                            />
                            <TextField
                                id="owner_password"
                                label=t("field.password")
                                value=owner_password
                                errors=errors
                                kind="password"
                                required=true
                                autocomplete="new-password"
                                hint=t("form.password_hint")
                            />
                            <TextField
                                id="confirm_password"
                                label=t("field.confirm_password")
                                value=confirm
                                errors=errors
                                kind="password"
                                required=true
                                autocomplete="new-password"
                            />
                        </div>
                    </fieldset>
                    <button
                        type="submit"
                        class="btn btn-primary btn-block"
                        data-testid="setup-submit"
                        disabled=move || busy.get()
                    >
                        {move || if busy.get() { t("setup.submitting") } else { t("setup.submit") }}
                    </button>
                </form>
            </Show>
        </AuthLayout>
    }
}
