//! `/settings`: the tenant's own settings, and for instance administrators
//! the list of tenants with a way to create one.

mod tenants;

use contract::tenants::{Tenant, UpdateTenantRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{ErrorBanner, Loading, NoAccess, PageHeader};
use crate::geo::{country_options, time_zone_options};
use crate::i18n::t;
use crate::state::{me_state, toasts};

use tenants::Tenants;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let me = me_state();
    let can_view = Memo::new(move |_| me.can("settings.view"));
    let admin = Memo::new(move |_| me.me.with(|m| m.as_ref().is_some_and(|m| m.instance_admin)));
    move || {
        if !can_view.get() && !admin.get() {
            return view! { <NoAccess /> }.into_any();
        }
        view! {
            <PageHeader title=t("module.settings") subtitle=t("settings.subtitle") />
            <div class="stack">
                {can_view.get().then(|| view! { <TenantSettings /> })}
                {admin.get().then(|| view! { <Tenants /> })}
            </div>
        }
        .into_any()
    }
}

#[component]
fn TenantSettings() -> impl IntoView {
    let api = Authed::from_shell();
    let tenant = LocalResource::new(move || async move { api.tenant().await });
    view! {
        <section class="card" data-testid="tenant-settings">
            <h2 class="card-title">{t("settings.tenant")}</h2>
            {move || match tenant.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                Some(Ok(tenant)) => view! { <TenantForm tenant=tenant /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TenantForm(tenant: Tenant) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_edit = me.can("settings.edit");
    let read_only = !can_edit;

    let name = RwSignal::new(tenant.name.clone());
    let company = RwSignal::new(tenant.company_name.clone());
    let zone = RwSignal::new(tenant.time_zone.clone());
    let country = RwSignal::new(tenant.default_country.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let saved_zone = tenant.time_zone.clone();
    let zones = Signal::derive(move || time_zone_options(&[&saved_zone]));
    let countries = Signal::derive(|| country_options("en"));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if read_only || busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let req = UpdateTenantRequest {
            name: Some(name.get_untracked().trim().to_string()),
            company_name: Some(company.get_untracked().trim().to_string()),
            time_zone: Some(zone.get_untracked()),
            default_country: Some(country.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.update_tenant(&req).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    toasts.success(t("settings.saved"));
                    me.reload();
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <ErrorBanner message=banner />
        <form class="form" on:submit=on_submit novalidate=true data-testid="tenant-form">
            <div class="grid-2">
                <TextField id="tenant_name" field="name" label=t("setup.tenant_name") value=name errors=errors required=true disabled=read_only />
                <TextField id="company_name" label=t("setup.company_name") value=company errors=errors disabled=read_only />
                <SelectField id="time_zone" label=t("setup.time_zone") value=zone errors=errors options=zones disabled=read_only />
                <SelectField id="default_country" label=t("setup.default_country") value=country errors=errors options=countries disabled=read_only />
            </div>
            {if can_edit {
                view! {
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" data-testid="save-tenant" disabled=move || busy.get()>
                            {t("common.save")}
                        </button>
                    </div>
                }
                    .into_any()
            } else {
                view! { <p class="muted small">{t("settings.read_only")}</p> }.into_any()
            }}
        </form>
    }
}
