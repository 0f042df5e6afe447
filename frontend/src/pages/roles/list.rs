//! The roles of the tenant, with member counts.

use leptos::prelude::*;
use leptos_icons::Icon;

use crate::api::Authed;
use crate::components::misc::{Badge, ErrorBanner, Loading, NoAccess, PageHeader};
use crate::i18n::{t, tc};
use crate::state::me_state;

#[component]
pub fn RolesPage() -> impl IntoView {
    let me = me_state();
    let allowed = Memo::new(move |_| me.can("roles.view"));
    move || {
        if allowed.get() {
            view! { <RolesList /> }.into_any()
        } else {
            view! { <NoAccess /> }.into_any()
        }
    }
}

#[component]
fn RolesList() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let can_create = Memo::new(move |_| me.can("roles.create"));
    let roles = LocalResource::new(move || async move { api.roles().await });

    view! {
        <PageHeader title=t("module.roles") subtitle=t("roles.subtitle")>
            <Show when=move || can_create.get()>
                <a class="btn btn-primary" href="/roles/new" data-testid="new-role">
                    <Icon icon=icondata::LuPlus />
                    <span>{t("roles.new")}</span>
                </a>
            </Show>
        </PageHeader>
        <section class="card table-card">
            {move || match roles.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                Some(Ok(page)) => {
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="roles-table">
                                <thead>
                                    <tr>
                                        <th>{t("roles.col.name")}</th>
                                        <th>{t("roles.col.kind")}</th>
                                        <th>{t("roles.col.permissions")}</th>
                                        <th>{t("roles.col.members")}</th>
                                        <th class="col-actions">
                                            <span class="sr-only">{t("common.actions")}</span>
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page
                                        .items
                                        .into_iter()
                                        .map(|role| {
                                            let href = format!("/roles/{}", role.id);
                                            let builtin = role.builtin.is_some();
                                            view! {
                                                <tr data-testid="role-row" data-role=role.name.clone()>
                                                    <td>
                                                        <a class="cell-main link-plain" href=href.clone()>{role.name.clone()}</a>
                                                        {(!role.description.is_empty())
                                                            .then(|| view! { <div class="cell-sub">{role.description.clone()}</div> })}
                                                    </td>
                                                    <td>
                                                        {if builtin {
                                                            view! { <Badge tone="neutral" text=t("roles.builtin") /> }
                                                        } else {
                                                            view! { <Badge tone="violet" text=t("roles.custom") /> }
                                                        }}
                                                    </td>
                                                    <td class="cell-muted">
                                                        {tc("roles.permission_count", role.permissions.len() as u64)}
                                                    </td>
                                                    <td class="cell-muted" data-testid="role-user-count">
                                                        {tc("roles.member_count", role.user_count)}
                                                    </td>
                                                    <td class="col-actions">
                                                        <a class="btn btn-ghost btn-sm" href=href data-testid="role-open">
                                                            {if builtin { t("common.view") } else { t("common.open") }}
                                                        </a>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
