//! `/contacts/groups`: groups with their counts, and one group's members.

use contract::contacts::{Contact, ContactGroup};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use super::dialogs::GroupFormDialog;
use super::{gated, opt_in_badge, tag_chips, ContactsHeader, Tab};
use crate::api::Authed;
use crate::components::actions::{run_busy, RowAction, RowActions};
use crate::components::misc::{format_date, format_time, Avatar, Badge, ErrorBanner, Loading};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{t, tc, tf};
use crate::state::{me_state, toasts};

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    Create,
    Edit(ContactGroup),
    Delete(ContactGroup),
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    gated(|| view! { <GroupsList /> })
}

#[component]
fn GroupsList() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_create = Memo::new(move |_| me.can("contacts.create"));
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let can_delete = Memo::new(move |_| me.can("contacts.delete"));
    let reload = RwSignal::new(0u32);
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let data = LocalResource::new(move || {
        reload.track();
        async move { api.groups().await }
    });
    let refresh = move || reload.update(|n| *n += 1);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let changed = Callback::new(move |()| {
        dialog.set(Dialog::None);
        refresh();
    });
    let remove = Callback::new(move |()| {
        let Dialog::Delete(g) = dialog.get_untracked() else {
            return;
        };
        let gid = g.id;
        run_busy(
            busy,
            toasts,
            async move { api.delete_group(gid).await },
            move |()| {
                toasts.success(tf("contacts.groups.deleted", &[("name", &g.name)]));
                dialog.set(Dialog::None);
                refresh();
            },
        );
    });

    let row = move |g: ContactGroup| {
        let g_edit = g.clone();
        let g_del = g.clone();
        view! {
            <tr data-testid="group-row" data-name=g.name.clone()>
                <td>
                    <a class="cell-main" href=format!("/contacts/groups/{}", g.id) data-testid="group-link">
                        {g.name.clone()}
                    </a>
                    {(!g.description.is_empty()).then(|| view! { <div class="cell-sub">{g.description.clone()}</div> })}
                </td>
                <td class="num" data-testid="group-members">{g.member_count}</td>
                <td class="num">{g.opted_in_count}</td>
                <td class="cell-muted nowrap">
                    {g.last_added_at.as_ref().map(format_time).unwrap_or_else(|| "—".to_string())}
                </td>
                <td class="cell-muted nowrap">{format_date(&g.created_at)}</td>
                <RowActions>
                    <RowAction
                        when=can_edit
                        label=t("contacts.groups.rename")
                        testid="group-edit"
                        icon=icondata::LuPencil
                        on_click=move |()| dialog.set(Dialog::Edit(g_edit.clone()))
                    />
                    <RowAction
                        when=can_delete
                        label=t("contacts.groups.delete")
                        testid="group-delete"
                        icon=icondata::LuTrash2
                        danger=true
                        on_click=move |()| dialog.set(Dialog::Delete(g_del.clone()))
                    />
                </RowActions>
            </tr>
        }
    };

    view! {
        <ContactsHeader tab=Tab::Groups>
            <Show when=move || can_create.get()>
                <button type="button" class="btn btn-primary" data-testid="create-group"
                    on:click=move |_| dialog.set(Dialog::Create)>
                    <Icon icon=icondata::LuPlus />
                    <span>{t("contacts.groups.create")}</span>
                </button>
            </Show>
        </ContactsHeader>
        <section class="card table-card">
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <div class="table-error">
                            <ErrorBanner message=Signal::derive(move || Some(e.message())) />
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <div class="empty-inline" data-testid="groups-empty">{t("contacts.groups.empty")}</div> }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="groups-table">
                                <thead>
                                    <tr>
                                        <th>{t("contacts.groups.col.name")}</th>
                                        <th class="num">{t("contacts.groups.col.members")}</th>
                                        <th class="num">{t("contacts.groups.col.opted_in")}</th>
                                        <th>{t("contacts.groups.col.last_added")}</th>
                                        <th>{t("contacts.groups.col.created")}</th>
                                        <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Create => view! { <GroupFormDialog existing=None on_close=close on_done=changed /> }.into_any(),
            Dialog::Edit(g) => view! { <GroupFormDialog existing=Some(g) on_close=close on_done=changed /> }.into_any(),
            Dialog::Delete(g) => {
                view! {
                    <ConfirmDialog
                        title=t("contacts.groups.delete_title")
                        body=tf("contacts.groups.delete_body", &[("name", &g.name)])
                        confirm_label=t("contacts.groups.delete")
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

const PAGE_SIZE: u32 = 50;

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    gated(|| view! { <GroupDetail /> })
}

#[component]
fn GroupDetail() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let navigate = use_navigate();
    let can_edit = Memo::new(move |_| me.can("contacts.edit"));
    let can_delete = Memo::new(move |_| me.can("contacts.delete"));
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let reload = RwSignal::new(0u32);
    let editing = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let members = RwSignal::new(Vec::<Contact>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<u64>);
    let members_error = RwSignal::new(None::<String>);
    let members_loaded = RwSignal::new(false);

    let group = LocalResource::new(move || {
        let id = id.get();
        reload.track();
        async move {
            match id {
                Some(id) => api.group(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let load = move |more: bool| {
        let Some(gid) = id.get_untracked() else {
            return;
        };
        let after = if more { cursor.get_untracked() } else { None };
        spawn_local(async move {
            let pairs = vec![("group".to_string(), gid.to_string())];
            match api.contacts(&pairs, PAGE_SIZE, after.as_deref()).await {
                Ok(page) => {
                    total.set(page.total);
                    cursor.set(page.next_cursor);
                    if more {
                        members.update(|m| m.extend(page.items));
                    } else {
                        members.set(page.items);
                    }
                    members_error.set(None);
                }
                Err(e) => members_error.set(Some(e.message())),
            }
            members_loaded.set(true);
        });
    };
    Effect::new(move |_| {
        id.track();
        reload.track();
        load(false);
    });

    let remove_member = move |c: Contact| {
        let Some(gid) = id.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api.remove_group_members(gid, vec![c.id]).await {
                Ok(_) => {
                    toasts.success(tf("contacts.groups.removed_member", &[("name", &c.name)]));
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    let delete = Callback::new(move |()| {
        let Some(gid) = id.get_untracked() else {
            return;
        };
        let navigate = navigate.clone();
        run_busy(
            busy,
            toasts,
            async move { api.delete_group(gid).await },
            move |()| {
                toasts.success(t("contacts.groups.deleted_plain"));
                navigate("/contacts/groups", Default::default());
            },
        );
    });

    let row = move |c: Contact| {
        let (tone, text) = opt_in_badge(&c.opt_in);
        let c_remove = c.clone();
        view! {
            <tr data-testid="member-row" data-name=c.name.clone()>
                <td>
                    <a class="cell-person link-plain" href=format!("/contacts/{}", c.id)>
                        <Avatar name=c.name.clone() />
                        <span class="cell-main">{c.name.clone()}</span>
                    </a>
                </td>
                <td class="mono nowrap">{c.phone.clone()}</td>
                <td>{tag_chips(&c.tags)}</td>
                <td><Badge tone=tone text=text /></td>
                <td class="col-actions">
                    <Show when=move || can_edit.get()>
                        {
                            let c = c_remove.clone();
                            view! {
                                <button type="button" class="icon-btn icon-btn-danger"
                                    title=t("contacts.groups.remove_member") aria-label=t("contacts.groups.remove_member")
                                    data-testid="member-remove"
                                    on:click=move |_| remove_member(c.clone())>
                                    <Icon icon=icondata::LuUserMinus />
                                </button>
                            }
                        }
                    </Show>
                </td>
            </tr>
        }
    };

    view! {
        <a class="back-link" href="/contacts/groups" data-testid="back-to-groups">
            <Icon icon=icondata::LuArrowLeft />
            <span>{t("contacts.groups.back")}</span>
        </a>
        {move || match group.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
            Some(Ok(None)) => view! { <div class="empty-state card">{t("contacts.groups.not_found")}</div> }.into_any(),
            Some(Ok(Some(g))) => {
                let g_edit = g.clone();
                let subtitle = if g.description.is_empty() {
                    tf("contacts.groups.summary", &[("members", &g.member_count.to_string()), ("opted_in", &g.opted_in_count.to_string())])
                } else {
                    format!(
                        "{} · {}",
                        g.description,
                        tf("contacts.groups.summary", &[("members", &g.member_count.to_string()), ("opted_in", &g.opted_in_count.to_string())]),
                    )
                };
                view! {
                    <header class="page-header">
                        <div>
                            <h1 class="page-title" data-testid="group-title">{g.name.clone()}</h1>
                            <p class="page-subtitle" data-testid="group-summary">{subtitle}</p>
                        </div>
                        <div class="page-actions">
                            <Show when=move || can_edit.get()>
                                <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                                    <Icon icon=icondata::LuPencil />
                                    <span>{t("contacts.groups.rename")}</span>
                                </button>
                            </Show>
                            <Show when=move || can_delete.get()>
                                <button type="button" class="btn btn-danger-outline" on:click=move |_| deleting.set(true)>
                                    <Icon icon=icondata::LuTrash2 />
                                    <span>{t("contacts.groups.delete")}</span>
                                </button>
                            </Show>
                        </div>
                    </header>
                    <Show when=move || editing.get()>
                        <GroupFormDialog
                            existing=Some(g_edit.clone())
                            on_close=Callback::new(move |()| editing.set(false))
                            on_done=Callback::new(move |()| {
                                editing.set(false);
                                reload.update(|n| *n += 1);
                            })
                        />
                    </Show>
                }
                    .into_any()
            }
        }}
        <section class="card table-card">
            <div class="table-toolbar">
                <h2 class="card-title flush">{t("contacts.groups.members")}</h2>
                <span class="toolbar-count">{move || total.get().map(|n| tc("contacts.count", n))}</span>
            </div>
            {move || {
                if let Some(m) = members_error.get() {
                    return view! { <div class="table-error"><ErrorBanner message=Signal::derive(move || Some(m.clone())) /></div> }.into_any();
                }
                if !members_loaded.get() {
                    return view! { <Loading /> }.into_any();
                }
                if members.with(Vec::is_empty) {
                    return view! {
                        <div class="empty-inline" data-testid="members-empty">
                            {t("contacts.groups.no_members")} " "
                            <a href="/contacts">{t("contacts.groups.no_members_link")}</a>
                        </div>
                    }
                        .into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="members-table">
                            <thead>
                                <tr>
                                    <th>{t("contacts.col.name")}</th>
                                    <th>{t("contacts.col.phone")}</th>
                                    <th>{t("contacts.col.tags")}</th>
                                    <th>{t("contacts.col.opt_in")}</th>
                                    <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                </tr>
                            </thead>
                            <tbody>{members.get().into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                    <Show when=move || cursor.with(Option::is_some)>
                        <div class="pager pager-center">
                            <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| load(true)>
                                {t("contacts.load_more")}
                            </button>
                        </div>
                    </Show>
                }
                    .into_any()
            }}
        </section>
        <Show when=move || deleting.get()>
            <ConfirmDialog
                title=t("contacts.groups.delete_title")
                body=t("contacts.groups.delete_body_plain")
                confirm_label=t("contacts.groups.delete")
                busy=busy
                on_confirm=delete
                on_close=Callback::new(move |()| deleting.set(false))
            />
        </Show>
    }
}
