//! `/select-tenant`: a person in several tenants picks one after signing in.

use contract::auth::SelectTenantRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::use_navigate;

use super::{replace, AuthLayout};
use crate::api::{public, Auth};
use crate::components::misc::ErrorBanner;
use crate::i18n::t;
use crate::state::PendingTenant;

#[component]
pub fn SelectTenantPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let pending = expect_context::<PendingTenant>();
    let navigate = use_navigate();
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let Some(choice) = pending.0.get_untracked() else {
        navigate("/login", replace());
        return ().into_any();
    };

    let pick = move |tenant_id: uuid::Uuid, token: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        banner.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let req = SelectTenantRequest {
                selection_token: token,
                tenant_id,
            };
            match public::select_tenant(&req).await {
                Ok(session) => {
                    busy.set(false);
                    auth.set(session);
                    pending.0.set(None);
                    navigate("/", replace());
                }
                Err(e) => {
                    busy.set(false);
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <AuthLayout title=t("select_tenant.title") subtitle=t("select_tenant.subtitle")>
            <ErrorBanner message=banner />
            <div class="tenant-cards" data-testid="tenant-picker">
                {choice
                    .tenants
                    .into_iter()
                    .map(|tenant| {
                        let token = choice.selection_token.clone();
                        let id = tenant.id;
                        let pick = pick.clone();
                        view! {
                            <button
                                type="button"
                                class="tenant-card"
                                data-testid="tenant-card"
                                disabled=move || busy.get()
                                on:click=move |_| pick(id, token.clone())
                            >
                                <span class="tenant-card-icon">
                                    <Icon icon=icondata::LuBuilding2 width="20" height="20" />
                                </span>
                                <span class="tenant-card-text">
                                    <span class="tenant-card-name">{tenant.name}</span>
                                    <span class="tenant-card-role">{tenant.role}</span>
                                </span>
                                <Icon icon=icondata::LuChevronRight width="18" height="18" />
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="auth-alt">
                <a href="/login" class="link">
                    {t("select_tenant.other_account")}
                </a>
            </p>
        </AuthLayout>
    }
    .into_any()
}
