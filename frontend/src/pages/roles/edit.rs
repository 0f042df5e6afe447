//! One role: name, description, the permission matrix (modules x actions)
//! and who holds it. Built-in roles are shown read-only.

use std::collections::BTreeSet;

use contract::roles::{CreateRoleRequest, PermissionCatalog, Role, UpdateRoleRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::{Avatar, Badge, ErrorBanner, Loading, NoAccess, PageHeader};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{lookup, t, tc, tf};
use crate::state::{me_state, toasts};

#[component]
pub fn RoleEditPage() -> impl IntoView {
    let me = me_state();
    let params = use_params_map();
    let allowed = Memo::new(move |_| me.can("roles.view"));
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    move || {
        if !allowed.get() {
            return view! { <NoAccess /> }.into_any();
        }
        let id = id.get();
        if id == "new" {
            if me.can("roles.create") {
                view! { <RoleLoader id=None /> }.into_any()
            } else {
                view! { <NoAccess /> }.into_any()
            }
        } else {
            match Uuid::parse_str(&id) {
                Ok(id) => view! { <RoleLoader id=Some(id) /> }.into_any(),
                Err(_) => view! { <NoAccess /> }.into_any(),
            }
        }
    }
}

/// Loads the catalog (and the role when editing), then shows the editor.
#[component]
fn RoleLoader(id: Option<Uuid>) -> impl IntoView {
    let api = Authed::from_shell();
    let data = LocalResource::new(move || async move {
        let catalog = api.permissions().await?;
        let role = match id {
            Some(id) => Some(api.role(id).await?),
            None => None,
        };
        Ok::<(PermissionCatalog, Option<Role>), ApiError>((catalog, role))
    });
    move || match data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! {
            <BackLink />
            <ErrorBanner message=Signal::derive(move || Some(e.message())) />
        }
        .into_any(),
        Some(Ok((catalog, role))) => view! { <RoleEditor catalog=catalog role=role /> }.into_any(),
    }
}

#[component]
fn BackLink() -> impl IntoView {
    view! {
        <a class="back-link" href="/roles">
            <Icon icon=icondata::LuArrowLeft />
            <span>{t("roles.back")}</span>
        </a>
    }
}

fn module_label(module: &str) -> String {
    lookup(&format!("module.{module}")).unwrap_or_else(|| module.replace('_', " "))
}

fn action_label(action: &str) -> String {
    lookup(&format!("action.{action}")).unwrap_or_else(|| action.to_string())
}

#[component]
fn RoleEditor(catalog: PermissionCatalog, role: Option<Role>) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let navigate = use_navigate();

    let role_id = role.as_ref().map(|r| r.id);
    let builtin = role.as_ref().is_some_and(|r| r.builtin.is_some());
    let creating = role.is_none();
    let can_write = if creating {
        me.can("roles.create")
    } else {
        me.can("roles.edit")
    };
    let read_only = builtin || !can_write;
    let can_delete = !creating && !builtin && me.can("roles.delete");

    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        role.as_ref()
            .map(|r| r.description.clone())
            .unwrap_or_default(),
    );
    let perms = RwSignal::new(
        role.as_ref()
            .map(|r| r.permissions.iter().cloned().collect::<BTreeSet<String>>())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);

    let actions = catalog.actions.clone();
    let view_action = actions
        .iter()
        .find(|a| a.as_str() == "view")
        .cloned()
        .unwrap_or_else(|| "view".into());

    // Ticking any action also grants `view`; clearing `view` clears the row.
    let set_perm = {
        let view_action = view_action.clone();
        let actions = actions.clone();
        move |module: &str, action: &str, on: bool| {
            perms.update(|p| {
                let key = format!("{module}.{action}");
                if on {
                    p.insert(key);
                    p.insert(format!("{module}.{view_action}"));
                } else {
                    p.remove(&key);
                    if action == view_action {
                        for a in &actions {
                            p.remove(&format!("{module}.{a}"));
                        }
                    }
                }
            })
        }
    };
    let set_row = {
        let actions = actions.clone();
        move |module: &str, on: bool| {
            perms.update(|p| {
                for a in &actions {
                    let key = format!("{module}.{a}");
                    if on {
                        p.insert(key);
                    } else {
                        p.remove(&key);
                    }
                }
            })
        }
    };

    let nav = navigate.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if read_only || busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        banner.set(None);
        let permissions: Vec<String> = perms.get_untracked().into_iter().collect();
        let name_v = name.get_untracked().trim().to_string();
        let desc_v = description.get_untracked().trim().to_string();
        busy.set(true);
        let navigate = nav.clone();
        spawn_local(async move {
            let result = match role_id {
                None => {
                    api.create_role(&CreateRoleRequest {
                        name: name_v,
                        description: desc_v,
                        permissions,
                    })
                    .await
                }
                Some(id) => {
                    api.update_role(
                        id,
                        &UpdateRoleRequest {
                            name: Some(name_v),
                            description: Some(desc_v),
                            permissions: Some(permissions),
                        },
                    )
                    .await
                }
            };
            busy.set(false);
            match result {
                Ok(saved) => {
                    if role_id.is_none() {
                        toasts.success(tf("roles.created", &[("name", &saved.name)]));
                        navigate(&format!("/roles/{}", saved.id), Default::default());
                    } else {
                        toasts.success(tf("roles.saved", &[("name", &saved.name)]));
                    }
                    // The signed-in person's own role may have changed.
                    me.reload();
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    let perm_errors = e.field_errors().get("permissions").cloned();
                    banner.set(Some(
                        perm_errors
                            .map(|m| m.join(" "))
                            .unwrap_or_else(|| e.message()),
                    ));
                }
            }
        });
    };

    let nav = navigate.clone();
    let do_delete = Callback::new(move |()| {
        let Some(id) = role_id else {
            return;
        };
        busy.set(true);
        let navigate = nav.clone();
        spawn_local(async move {
            let result = api.delete_role(id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    confirm_delete.set(false);
                    toasts.success(t("roles.deleted"));
                    navigate("/roles", Default::default());
                }
                Err(e) => {
                    confirm_delete.set(false);
                    toasts.error(e.message());
                }
            }
        });
    });

    let title = match &role {
        Some(r) => r.name.clone(),
        None => t("roles.new"),
    };
    let subtitle = if builtin {
        t("roles.builtin_notice")
    } else if creating {
        t("roles.new_subtitle")
    } else {
        t("roles.edit_subtitle")
    };

    let matrix_rows = catalog
        .modules
        .iter()
        .map(|module| {
            let module = module.clone();
            let cells = actions
                .iter()
                .map(|action| {
                    let key = format!("{module}.{action}");
                    let id = format!("perm-{module}-{action}");
                    let label = format!("{} — {}", module_label(&module), action_label(action));
                    let (m, a) = (module.clone(), action.clone());
                    let set_perm = set_perm.clone();
                    let key2 = key.clone();
                    view! {
                        <td class="matrix-cell">
                            <input
                                type="checkbox"
                                class="check"
                                id=id
                                aria-label=label
                                data-testid=format!("perm-{key}")
                                disabled=read_only
                                prop:checked=move || perms.with(|p| p.contains(&key2))
                                on:change=move |ev| set_perm(&m, &a, event_target_checked(&ev))
                            />
                        </td>
                    }
                })
                .collect_view();
            let all_keys: Vec<String> = actions.iter().map(|a| format!("{module}.{a}")).collect();
            let m2 = module.clone();
            let set_row = set_row.clone();
            view! {
                <tr data-module=module.clone()>
                    <th scope="row" class="matrix-module">{module_label(&module)}</th>
                    {cells}
                    <td class="matrix-cell matrix-all">
                        <input
                            type="checkbox"
                            class="check"
                            aria-label=tf("roles.row_all", &[("module", &module_label(&module))])
                            data-testid=format!("perm-row-{module}")
                            disabled=read_only
                            prop:checked=move || perms.with(|p| all_keys.iter().all(|k| p.contains(k)))
                            on:change=move |ev| set_row(&m2, event_target_checked(&ev))
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();

    let members = role_id.map(|id| view! { <RoleMembers id=id /> });

    view! {
        <BackLink />
        <PageHeader title=title subtitle=subtitle>
            {builtin.then(|| view! { <Badge tone="neutral" text=t("roles.builtin") /> })}
            {can_delete
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-danger-outline"
                            data-testid="delete-role"
                            on:click=move |_| confirm_delete.set(true)
                        >
                            <Icon icon=icondata::LuTrash2 />
                            <span>{t("roles.delete")}</span>
                        </button>
                    }
                })}
        </PageHeader>
        <ErrorBanner message=banner />
        <div class="stack">
        <form class="stack" on:submit=on_submit novalidate=true data-testid="role-form">
            <section class="card">
                <h2 class="card-title">{t("roles.details")}</h2>
                <div class="grid-2">
                    <TextField id="role_name" field="name" label=t("field.name") value=name errors=errors required=!read_only disabled=read_only />
                    <TextField id="role_description" field="description" label=t("field.description") value=description errors=errors disabled=read_only />
                </div>
            </section>
            <section class="card">
                <div class="card-head">
                    <div>
                        <h2 class="card-title">{t("roles.permissions")}</h2>
                        {(!read_only).then(|| view! { <p class="muted small">{t("roles.matrix_hint")}</p> })}
                    </div>
                    <span class="muted small" data-testid="perm-count">
                        {move || tc("roles.permission_count", perms.with(|p| p.len()) as u64)}
                    </span>
                </div>
                <div class="table-wrap table-wrap-full">
                    <table class="table matrix" data-testid="permission-matrix">
                        <thead>
                            <tr>
                                <th>{t("roles.col.module")}</th>
                                {actions.iter().map(|a| view! { <th class="matrix-cell">{action_label(a)}</th> }).collect_view()}
                                <th class="matrix-cell">{t("roles.col.all")}</th>
                            </tr>
                        </thead>
                        <tbody>{matrix_rows}</tbody>
                    </table>
                </div>
            </section>
            {(!read_only)
                .then(|| {
                    view! {
                        <div class="form-actions">
                            <a class="btn btn-secondary" href="/roles">{t("common.cancel")}</a>
                            <button type="submit" class="btn btn-primary" data-testid="save-role" disabled=move || busy.get()>
                                {if creating { t("roles.create") } else { t("common.save") }}
                            </button>
                        </div>
                    }
                })}
        </form>
        {members}
        </div>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title=t("roles.delete_title")
                body=t("roles.delete_body")
                confirm_label=t("roles.delete")
                busy=busy
                on_confirm=do_delete
                on_close=move |()| confirm_delete.set(false)
            />
        </Show>
    }
}

/// "Who holds this role".
#[component]
fn RoleMembers(id: Uuid) -> impl IntoView {
    let api = Authed::from_shell();
    let users = LocalResource::new(move || async move { api.role_users(id).await });
    view! {
        <section class="card" data-testid="role-members">
            <h2 class="card-title">{t("roles.members")}</h2>
            {move || match users.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => {
                    view! { <p class="muted">{t("roles.no_members")}</p> }.into_any()
                }
                Some(Ok(page)) => {
                    view! {
                        <ul class="member-list">
                            {page
                                .items
                                .into_iter()
                                .map(|u| {
                                    view! {
                                        <li class="member">
                                            <Avatar name=u.name.clone() />
                                            <div>
                                                <div class="cell-main">{u.name.clone()}</div>
                                                <div class="cell-sub">{u.email.clone()}</div>
                                            </div>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
