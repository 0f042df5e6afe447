//! The members table with search, paging and per-row actions.

use contract::users::{MemberStatus, User};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::dialogs::{AddUserDialog, EditUserDialog, HistoryDialog, InviteLinkDialog};
use super::role_tone;
use crate::api::Authed;
use crate::components::misc::{
    format_time, Avatar, Badge, ErrorBanner, Loading, NoAccess, PageHeader,
};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{t, tc, tf};
use crate::state::{me_state, toasts};

const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    Add,
    Edit(User),
    History(User),
    Remove(User),
    /// A fresh invitation link to pass on (name, link).
    Invite(String, String),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = me_state();
    let allowed = Memo::new(move |_| me.can("users.view"));
    move || {
        if allowed.get() {
            view! { <UsersList /> }.into_any()
        } else {
            view! { <NoAccess /> }.into_any()
        }
    }
}

#[component]
fn UsersList() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_create = Memo::new(move |_| me.can("users.create"));
    let can_edit = Memo::new(move |_| me.can("users.edit"));
    let can_delete = Memo::new(move |_| me.can("users.delete"));
    let my_id = me.me.with_untracked(|m| m.as_ref().map(|m| m.user_id));

    let query = RwSignal::new(String::new());
    // The cursors of the pages walked so far; the last one is shown.
    let cursors = RwSignal::new(vec![None::<String>]);
    let reload = RwSignal::new(0u32);
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);

    let data = LocalResource::new(move || {
        let q = query.get();
        let cursor = cursors.with(|c| c.last().cloned().flatten());
        reload.track();
        async move { api.users(&q, PAGE_SIZE, cursor.as_deref()).await }
    });
    // Roles feed the add and edit dialogs; only people who may use them load them.
    let roles = LocalResource::new(move || {
        let wanted = can_create.get() || can_edit.get();
        async move {
            if wanted {
                api.roles().await.map(|p| p.items).unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let role_list = Signal::derive(move || roles.get().unwrap_or_default());

    let refresh = move || reload.update(|n| *n += 1);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let changed = Callback::new(move |()| {
        dialog.set(Dialog::None);
        refresh();
    });

    let set_active = move |user: User, active: bool| {
        busy.set(true);
        spawn_local(async move {
            let result = if active {
                api.reactivate_user(user.id).await
            } else {
                api.deactivate_user(user.id).await
            };
            busy.set(false);
            match result {
                Ok(u) => {
                    let key = if active {
                        "users.reactivated"
                    } else {
                        "users.deactivated"
                    };
                    toasts.success(tf(key, &[("name", &u.name)]));
                    refresh();
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let resend = move |user: User| {
        busy.set(true);
        spawn_local(async move {
            let result = api.resend_invitation(user.id).await;
            busy.set(false);
            match result {
                Ok(done) => match done.invite_url {
                    Some(url) => dialog.set(Dialog::Invite(done.user.name, url)),
                    None => {
                        toasts.success(tf("users.invite_emailed", &[("name", &done.user.name)]))
                    }
                },
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let remove = Callback::new(move |()| {
        let Dialog::Remove(user) = dialog.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.delete_user(user.id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(tf("users.removed", &[("name", &user.name)]));
                    dialog.set(Dialog::None);
                    refresh();
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });

    let row = move |user: User| {
        let is_me = Some(user.id) == my_id;
        let active = user.status == MemberStatus::Active;
        let invited = user.status == MemberStatus::Invited;
        let (status_tone, status_text) = match user.status {
            MemberStatus::Active => ("success", t("users.status.active")),
            MemberStatus::Invited => ("warning", t("users.status.invited")),
            MemberStatus::Deactivated => ("neutral", t("users.status.deactivated")),
        };
        let last_login = user
            .last_login_at
            .as_ref()
            .map(format_time)
            .unwrap_or_else(|| t("users.never"));
        let u_hist = user.clone();
        let u_edit = user.clone();
        let u_toggle = user.clone();
        let u_remove = user.clone();
        let u_resend = user.clone();
        view! {
            <tr data-testid="user-row" data-email=user.email.clone()>
                <td>
                    <div class="cell-person">
                        <Avatar name=user.name.clone() />
                        <div>
                            <div class="cell-main">
                                {user.name.clone()}
                                {is_me.then(|| view! { <span class="you">{t("users.you")}</span> })}
                            </div>
                            {invited
                                .then(|| view! { <div class="cell-sub">{t("users.invited")}</div> })}
                        </div>
                    </div>
                </td>
                <td class="cell-muted">{user.email.clone()}</td>
                <td>
                    <Badge tone=role_tone(&user.role) text=user.role.name.clone() />
                </td>
                <td>
                    <Badge tone=status_tone text=status_text />
                </td>
                <td class="cell-muted nowrap">{last_login}</td>
                <td class="col-actions">
                    <div class="row-actions">
                        <button
                            type="button"
                            class="icon-btn"
                            title=t("users.history")
                            aria-label=t("users.history")
                            data-testid="user-history"
                            on:click=move |_| dialog.set(Dialog::History(u_hist.clone()))
                        >
                            <Icon icon=icondata::LuHistory />
                        </button>
                        <Show when=move || can_edit.get()>
                            {
                                let u_edit = u_edit.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="icon-btn"
                                        title=t("common.edit")
                                        aria-label=t("common.edit")
                                        data-testid="user-edit"
                                        on:click=move |_| dialog.set(Dialog::Edit(u_edit.clone()))
                                    >
                                        <Icon icon=icondata::LuPencil />
                                    </button>
                                }
                            }
                        </Show>
                        <Show when=move || can_create.get() && invited>
                            {
                                let u_resend = u_resend.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="icon-btn"
                                        title=t("users.resend")
                                        aria-label=t("users.resend")
                                        data-testid="user-resend"
                                        disabled=move || busy.get()
                                        on:click=move |_| resend(u_resend.clone())
                                    >
                                        <Icon icon=icondata::LuMailPlus />
                                    </button>
                                }
                            }
                        </Show>
                        <Show when=move || can_edit.get() && !is_me && !invited>
                            {
                                let u_toggle = u_toggle.clone();
                                let label = if active { t("users.deactivate") } else { t("users.reactivate") };
                                view! {
                                    <button
                                        type="button"
                                        class="icon-btn"
                                        title=label.clone()
                                        aria-label=label
                                        data-testid=if active { "user-deactivate" } else { "user-reactivate" }
                                        disabled=move || busy.get()
                                        on:click={
                                            let u = u_toggle.clone();
                                            move |_| set_active(u.clone(), !active)
                                        }
                                    >
                                        {if active {
                                            view! { <Icon icon=icondata::LuUserX /> }
                                        } else {
                                            view! { <Icon icon=icondata::LuUserCheck /> }
                                        }}
                                    </button>
                                }
                            }
                        </Show>
                        <Show when=move || can_delete.get() && !is_me>
                            {
                                let u_remove = u_remove.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="icon-btn icon-btn-danger"
                                        title=t("users.remove")
                                        aria-label=t("users.remove")
                                        data-testid="user-remove"
                                        on:click=move |_| dialog.set(Dialog::Remove(u_remove.clone()))
                                    >
                                        <Icon icon=icondata::LuTrash2 />
                                    </button>
                                }
                            }
                        </Show>
                    </div>
                </td>
            </tr>
        }
    };

    view! {
        <PageHeader title=t("module.users") subtitle=t("users.subtitle")>
            <Show when=move || can_create.get()>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="add-user"
                    on:click=move |_| dialog.set(Dialog::Add)
                >
                    <Icon icon=icondata::LuPlus />
                    <span>{t("users.add")}</span>
                </button>
            </Show>
        </PageHeader>
        <section class="card table-card">
            <div class="table-toolbar">
                <label class="search">
                    <Icon icon=icondata::LuSearch />
                    <span class="sr-only">{t("users.search")}</span>
                    <input
                        type="search"
                        placeholder=t("users.search_placeholder")
                        data-testid="users-search"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            cursors.set(vec![None]);
                        }
                    />
                </label>
                <span class="toolbar-count">
                    {move || {
                        data.get()
                            .and_then(|r| r.ok())
                            .and_then(|p| p.total)
                            .map(|n| tc("users.count", n))
                    }}
                </span>
            </div>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => {
                    view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }
                        .into_any()
                }
                Some(Ok(page)) if page.items.is_empty() => {
                    view! {
                        <div class="empty-inline">
                            {if query.get_untracked().is_empty() {
                                t("users.empty")
                            } else {
                                t("users.no_match")
                            }}
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(page)) => {
                    let has_next = page.next_cursor.is_some();
                    let next = page.next_cursor.clone();
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="users-table">
                                <thead>
                                    <tr>
                                        <th>{t("users.col.name")}</th>
                                        <th>{t("users.col.email")}</th>
                                        <th>{t("users.col.role")}</th>
                                        <th>{t("users.col.status")}</th>
                                        <th>{t("users.col.last_login")}</th>
                                        <th class="col-actions">
                                            <span class="sr-only">{t("common.actions")}</span>
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>{page.items.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                        <Show when=move || { has_next || cursors.with(|c| c.len() > 1) }>
                            {
                                let next = next.clone();
                                view! {
                                    <div class="pager">
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-sm"
                                            disabled=move || cursors.with(|c| c.len() <= 1)
                                            on:click=move |_| cursors.update(|c| {
                                                c.pop();
                                            })
                                        >
                                            {t("common.previous")}
                                        </button>
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-sm"
                                            disabled=!has_next
                                            on:click={
                                                let next = next.clone();
                                                move |_| cursors.update(|c| c.push(next.clone()))
                                            }
                                        >
                                            {t("common.next")}
                                        </button>
                                    </div>
                                }
                            }
                        </Show>
                    }
                        .into_any()
                }
            }}
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Add => {
                view! { <AddUserDialog roles=role_list on_close=close on_done=changed /> }.into_any()
            }
            Dialog::Edit(user) => {
                view! { <EditUserDialog user=user roles=role_list on_close=close on_done=changed /> }
                    .into_any()
            }
            Dialog::History(user) => view! { <HistoryDialog user=user on_close=close /> }.into_any(),
            Dialog::Invite(name, url) => {
                view! { <InviteLinkDialog name=name url=url on_close=close /> }.into_any()
            }
            Dialog::Remove(user) => {
                view! {
                    <ConfirmDialog
                        title=t("users.remove_title")
                        body=tf("users.remove_body", &[("name", &user.name)])
                        confirm_label=t("users.remove")
                        busy=busy
                        on_confirm=remove
                        on_close=close
                    />
                }
                    .into_any()
            }
        }}
    }
}
