//! Add, edit and login-history dialogs of the users page.

use contract::roles::Role;
use contract::users::{CreateUserRequest, CreatedUser, UpdateUserRequest, User};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::role_options;
use crate::api::{Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{copy_text, format_time, Badge, ErrorBanner, Loading};
use crate::components::modal::Modal;
use crate::i18n::{t, tf};
use crate::state::toasts;

fn parse_role(id: &str) -> Result<Uuid, FieldErrors> {
    Uuid::parse_str(id).map_err(|_| {
        let mut errs = FieldErrors::new();
        errs.insert("role_id".into(), vec![t("users.pick_role")]);
        errs
    })
}

#[component]
pub fn AddUserDialog(
    #[prop(into)] roles: Signal<Vec<Role>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role_id = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedUser>);
    let copied = RwSignal::new(false);

    // Agent is the usual choice for a new member.
    Effect::new(move |_| {
        let list = roles.get();
        if role_id.with_untracked(String::is_empty) {
            let pick = list
                .iter()
                .find(|r| r.builtin.as_deref() == Some("agent"))
                .or_else(|| list.last());
            if let Some(r) = pick {
                role_id.set(r.id.to_string());
            }
        }
    });
    let options = Signal::derive(move || role_options(&roles.get()));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        let role = match parse_role(&role_id.get_untracked()) {
            Ok(r) => r,
            Err(errs) => {
                errors.set(errs);
                return;
            }
        };
        errors.set(FieldErrors::new());
        let req = CreateUserRequest {
            name: name.get_untracked().trim().to_string(),
            email: email.get_untracked().trim().to_string(),
            role_id: role,
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.create_user(&req).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    let who = done.user.name.clone();
                    if done.invite_url.is_some() {
                        toasts.success(tf("users.added", &[("name", &who)]));
                    } else {
                        toasts.success(tf("users.invite_emailed", &[("name", &who)]));
                    }
                    if done.invite_url.is_some() {
                        created.set(Some(done));
                    } else {
                        on_done.run(());
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
        <Modal title=t("users.add_title") on_close=move |()| {
            if created.with_untracked(Option::is_some) { on_done.run(()) } else { on_close.run(()) }
        } testid="add-user-dialog">
            {move || match created.get() {
                Some(done) => {
                    let url = done.invite_url.clone().unwrap_or_default();
                    let url_copy = url.clone();
                    view! {
                        <div class="invite-result" data-testid="invite-result">
                            <p>{tf("users.invite_ready", &[("name", &done.user.name)])}</p>
                            <div class="copy-row">
                                <input
                                    type="text"
                                    readonly=true
                                    class="mono"
                                    aria-label=t("users.invite_link")
                                    data-testid="invite-url"
                                    prop:value=url
                                />
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    data-testid="copy-invite"
                                    on:click=move |_| {
                                        let url = url_copy.clone();
                                        spawn_local(async move {
                                            if copy_text(&url).await {
                                                copied.set(true);
                                            } else {
                                                toasts.error(t("common.copy_failed"));
                                            }
                                        });
                                    }
                                >
                                    <Icon icon=icondata::LuCopy />
                                    <span>
                                        {move || if copied.get() { t("common.copied") } else { t("common.copy") }}
                                    </span>
                                </button>
                            </div>
                            <p class="field-hint">{t("users.invite_hint")}</p>
                            <div class="modal-actions">
                                <button type="button" class="btn btn-primary" on:click=move |_| on_done.run(())>
                                    {t("common.done")}
                                </button>
                            </div>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <ErrorBanner message=banner />
                        <form class="form" on:submit=on_submit novalidate=true data-testid="add-user-form">
                            <TextField id="user_name" field="name" label=t("field.name") value=name errors=errors required=true />
                            <TextField id="user_email" field="email" label=t("field.email") value=email errors=errors kind="email" required=true />
                            <SelectField id="user_role" field="role_id" label=t("field.role") value=role_id errors=errors options=options required=true />
                            <p class="field-hint">{t("users.add_hint")}</p>
                            <div class="modal-actions">
                                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                                    {t("common.cancel")}
                                </button>
                                <button type="submit" class="btn btn-primary" data-testid="add-user-submit" disabled=move || busy.get()>
                                    {t("users.add")}
                                </button>
                            </div>
                        </form>
                    }
                        .into_any()
                }
            }}
        </Modal>
    }
}

/// A fresh invitation link, shown once (when the instance cannot send email).
#[component]
pub fn InviteLinkDialog(
    name: String,
    url: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let toasts = toasts();
    let copied = RwSignal::new(false);
    let url_copy = url.clone();
    view! {
        <Modal title=t("users.resend") on_close=on_close testid="invite-link-dialog">
            <div class="invite-result" data-testid="invite-result">
                <p>{tf("users.invite_ready", &[("name", &name)])}</p>
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
                <p class="field-hint">{t("users.invite_hint")}</p>
                <div class="modal-actions">
                    <button type="button" class="btn btn-primary" on:click=move |_| on_close.run(())>
                        {t("common.done")}
                    </button>
                </div>
            </div>
        </Modal>
    }
}

#[component]
pub fn EditUserDialog(
    user: User,
    #[prop(into)] roles: Signal<Vec<Role>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let id = user.id;
    let original_name = user.name.clone();
    let original_role = user.role.id.to_string();
    let name = RwSignal::new(user.name.clone());
    let role_id = RwSignal::new(original_role.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let options = Signal::derive(move || role_options(&roles.get()));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        let role = match parse_role(&role_id.get_untracked()) {
            Ok(r) => r,
            Err(errs) => {
                errors.set(errs);
                return;
            }
        };
        errors.set(FieldErrors::new());
        let new_name = name.get_untracked().trim().to_string();
        let req = UpdateUserRequest {
            name: (new_name != original_name).then_some(new_name),
            role_id: (role.to_string() != original_role).then_some(role),
        };
        if req == UpdateUserRequest::default() {
            on_close.run(());
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api.update_user(id, &req).await;
            busy.set(false);
            match result {
                Ok(u) => {
                    toasts.success(tf("users.saved", &[("name", &u.name)]));
                    on_done.run(());
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };

    view! {
        <Modal title=tf("users.edit_title", &[("name", &user.name)]) on_close=on_close testid="edit-user-dialog">
            <ErrorBanner message=banner />
            <form class="form" on:submit=on_submit novalidate=true>
                <TextField id="edit_name" field="name" label=t("field.name") value=name errors=errors required=true hint=t("users.name_hint") />
                <div class="field">
                    <span class="label">{t("field.email")}</span>
                    <p class="static-value">{user.email.clone()}</p>
                </div>
                <SelectField id="edit_role" field="role_id" label=t("field.role") value=role_id errors=errors options=options required=true />
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t("common.cancel")}
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="edit-user-submit" disabled=move || busy.get()>
                        {t("common.save")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
pub fn HistoryDialog(user: User, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let api = Authed::from_shell();
    let id = user.id;
    let events = LocalResource::new(move || async move { api.login_history(id).await });
    view! {
        <Modal title=tf("users.history_title", &[("name", &user.name)]) on_close=on_close wide=true testid="history-dialog">
            {move || match events.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Signal::derive(move || Some(e.message())) /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => {
                    view! { <div class="empty-inline">{t("users.history_empty")}</div> }.into_any()
                }
                Some(Ok(page)) => {
                    view! {
                        <div class="table-wrap table-wrap-dialog">
                            <table class="table" data-testid="history-table">
                                <thead>
                                    <tr>
                                        <th>{t("history.col.time")}</th>
                                        <th>{t("history.col.ip")}</th>
                                        <th>{t("history.col.agent")}</th>
                                        <th>{t("history.col.result")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page
                                        .items
                                        .into_iter()
                                        .map(|ev| {
                                            let ua_title = ev.user_agent.clone();
                                            let (tone, text) = if ev.success {
                                                ("success", t("history.success"))
                                            } else {
                                                ("danger", t("history.failure"))
                                            };
                                            view! {
                                                <tr>
                                                    <td class="nowrap">{format_time(&ev.at)}</td>
                                                    <td class="mono">{ev.ip.unwrap_or_else(|| "—".into())}</td>
                                                    <td class="cell-muted ua" title=ua_title>
                                                        {ev.user_agent.unwrap_or_else(|| "—".into())}
                                                    </td>
                                                    <td>
                                                        <Badge tone=tone text=text />
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
        </Modal>
    }
}
