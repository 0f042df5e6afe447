//! Instance administrators: every tenant on this instance, and creating one.

use contract::tenants::{CreateTenantRequest, CreatedTenant};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{
    browser_country, browser_time_zone, copy_text, format_date, ErrorBanner, Loading,
};
use crate::components::modal::Modal;
use crate::geo::{country_options, time_zone_options};
use crate::i18n::{t, tf};
use crate::state::{me_state, toasts};

#[component]
pub fn Tenants() -> impl IntoView {
    let api = Authed::from_shell();
    let reload = RwSignal::new(0u32);
    let open = RwSignal::new(false);
    let tenants = LocalResource::new(move || {
        reload.track();
        async move { api.tenants().await }
    });
    view! {
        <section class="card" data-testid="tenants">
            <div class="card-head">
                <div>
                    <h2 class="card-title">{t("tenants.title")}</h2>
                    <p class="muted small">{t("tenants.subtitle")}</p>
                </div>
                <button type="button" class="btn btn-secondary" data-testid="create-tenant" on:click=move |_| open.set(true)>
                    <Icon icon=icondata::LuPlus />
                    <span>{t("tenants.create")}</span>
                </button>
            </div>
            {move || match tenants.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                Some(Ok(page)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="tenants-table">
                            <thead>
                                <tr>
                                    <th>{t("tenants.col.name")}</th>
                                    <th>{t("tenants.col.company")}</th>
                                    <th>{t("tenants.col.time_zone")}</th>
                                    <th>{t("tenants.col.country")}</th>
                                    <th>{t("tenants.col.created")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.items.into_iter().map(|tn| view! {
                                    <tr>
                                        <td class="cell-main">{tn.name}</td>
                                        <td class="cell-muted">{tn.company_name}</td>
                                        <td class="cell-muted">{tn.time_zone.replace('_', " ")}</td>
                                        <td class="cell-muted">{tn.default_country}</td>
                                        <td class="cell-muted nowrap">{format_date(&tn.created_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <Show when=move || open.get()>
            <CreateTenantDialog
                on_close=move |()| open.set(false)
                on_done=move |()| {
                    open.set(false);
                    reload.update(|n| *n += 1);
                }
            />
        </Show>
    }
}

#[component]
fn CreateTenantDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let me = me_state();
    let browser_zone = browser_time_zone().unwrap_or_else(|| "UTC".into());
    let name = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let zone = RwSignal::new(browser_zone.clone());
    let country = RwSignal::new(browser_country().unwrap_or_else(|| "US".into()));
    let owner_name = RwSignal::new(String::new());
    let owner_email = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedTenant>);
    // Naming yourself as the owner makes you one at once (no invitation).
    let done_yourself = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let zones = Signal::derive(move || time_zone_options(&[&browser_zone]));
    let countries = Signal::derive(|| country_options("en"));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let req = CreateTenantRequest {
            name: name.get_untracked().trim().to_string(),
            company_name: company.get_untracked().trim().to_string(),
            time_zone: zone.get_untracked(),
            default_country: country.get_untracked(),
            owner_email: owner_email.get_untracked().trim().to_string(),
            owner_name: owner_name.get_untracked().trim().to_string(),
        };
        let req_email = req.owner_email.clone();
        busy.set(true);
        spawn_local(async move {
            let result = api.create_tenant(&req).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    toasts.success(tf("tenants.created", &[("name", &done.tenant.name)]));
                    let mine = me.me.with_untracked(|m| {
                        m.as_ref()
                            .map(|m| m.profile.email.clone())
                            .unwrap_or_default()
                    });
                    done_yourself.set(req_email.eq_ignore_ascii_case(&mine));
                    // The creator may be the new owner: refresh the switcher.
                    me.reload();
                    created.set(Some(done));
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <Modal title=t("tenants.create") wide=true testid="create-tenant-dialog" on_close=move |()| {
            if created.with_untracked(Option::is_some) { on_done.run(()) } else { on_close.run(()) }
        }>
            {move || match created.get() {
                Some(done) => {
                    let url = done.invite_url.clone();
                    view! {
                        <div class="invite-result" data-testid="tenant-result">
                            {match url {
                                Some(url) => {
                                    let url_copy = url.clone();
                                    view! {
                                        <p>{t("tenants.invite_ready")}</p>
                                        <div class="copy-row">
                                            <input type="text" readonly=true class="mono" aria-label=t("users.invite_link") data-testid="invite-url" prop:value=url />
                                            <button type="button" class="btn btn-secondary" on:click=move |_| {
                                                let url = url_copy.clone();
                                                spawn_local(async move {
                                                    if copy_text(&url).await { copied.set(true) } else { toasts.error(t("common.copy_failed")) }
                                                });
                                            }>
                                                <Icon icon=icondata::LuCopy />
                                                <span>{move || if copied.get() { t("common.copied") } else { t("common.copy") }}</span>
                                            </button>
                                        </div>
                                    }.into_any()
                                }
                                None if done_yourself.get_untracked() => view! { <p>{t("tenants.you_own")}</p> }.into_any(),
                                None => view! { <p>{t("tenants.invite_emailed")}</p> }.into_any(),
                            }}
                            <div class="modal-actions">
                                <button type="button" class="btn btn-primary" on:click=move |_| on_done.run(())>{t("common.done")}</button>
                            </div>
                        </div>
                    }.into_any()
                }
                None => view! {
                    <ErrorBanner message=banner />
                    <form class="form" on:submit=on_submit novalidate=true>
                        <div class="grid-2">
                            <TextField id="ws_name" field="name" label=t("setup.tenant_name") value=name errors=errors required=true />
                            <TextField id="ws_company" field="company_name" label=t("setup.company_name") value=company errors=errors />
                            <SelectField id="ws_time_zone" field="time_zone" label=t("setup.time_zone") value=zone errors=errors options=zones required=true />
                            <SelectField id="ws_country" field="default_country" label=t("setup.default_country") value=country errors=errors options=countries required=true />
                            <TextField id="tenant_owner_name" field="owner_name" label=t("setup.owner_name") value=owner_name errors=errors required=true />
                            <TextField id="tenant_owner_email" field="owner_email" label=t("tenants.owner_email") value=owner_email errors=errors kind="email" required=true />
                        </div>
                        <p class="field-hint">{t("tenants.owner_hint")}</p>
                        <div class="modal-actions">
                            <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>{t("common.cancel")}</button>
                            <button type="submit" class="btn btn-primary" data-testid="create-tenant-submit" disabled=move || busy.get()>{t("tenants.create")}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Modal>
    }
}
