//! `/accept-invite?token=...`: joins a tenant from an invitation link.
//! A new account chooses its name and password here; an account that
//! already has a password signs in with it. Either way the person lands in
//! the tenant, signed in.

use contract::auth::{AcceptInvitationRequest, Invitation};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{replace, AuthLayout};
use crate::api::{public, Auth, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::{ErrorBanner, Loading};
use crate::i18n::{t, tf};
use crate::state::toasts;

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
    let info = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move {
                if token.is_empty() {
                    return None;
                }
                public::invitation(&token).await.ok()
            }
        }
    });
    move || match info.get() {
        None => view! {
            <AuthLayout title=t("common.loading")>
                <Loading />
            </AuthLayout>
        }
        .into_any(),
        Some(None) => view! {
            <AuthLayout title=t("reset.missing_token")>
                <div class="banner banner-error" role="alert" data-testid="invite-invalid">
                    {t("accept.invalid")}
                </div>
                <p class="auth-alt">
                    <a href="/login" class="link">{t("auth.back_to_login")}</a>
                </p>
            </AuthLayout>
        }
        .into_any(),
        Some(Some(invitation)) => {
            view! { <AcceptForm token=token.clone() invitation=invitation /> }.into_any()
        }
    }
}

#[component]
fn AcceptForm(token: String, invitation: Invitation) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = toasts();
    let navigate = use_navigate();
    let new_account = !invitation.has_password;
    let tenant_name = invitation.tenant_name.clone();
    let name = RwSignal::new(invitation.name.clone());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = {
        let tenant_name = tenant_name.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            banner.set(None);
            if new_account && password.get_untracked() != confirm.get_untracked() {
                let mut errs = FieldErrors::new();
                errs.insert("confirm_password".into(), vec![t("form.password_mismatch")]);
                errors.set(errs);
                return;
            }
            errors.set(FieldErrors::new());
            let req = AcceptInvitationRequest {
                token: token.clone(),
                password: password.get_untracked(),
                name: new_account.then(|| name.get_untracked().trim().to_string()),
            };
            busy.set(true);
            let navigate = navigate.clone();
            let tenant_name = tenant_name.clone();
            spawn_local(async move {
                let result = public::accept_invitation(&req).await;
                busy.set(false);
                match result {
                    Ok(session) => {
                        auth.set(session);
                        toasts.success(tf("accept.joined", &[("tenant", &tenant_name)]));
                        navigate("/", replace());
                    }
                    Err(e) => {
                        errors.set(e.field_errors());
                        banner.set(Some(e.message()));
                    }
                }
            });
        }
    };

    let title = tf("accept.title", &[("tenant", &tenant_name)]);
    let subtitle = if new_account {
        tf("accept.subtitle_new", &[("tenant", &tenant_name)])
    } else {
        tf("accept.subtitle_existing", &[("tenant", &tenant_name)])
    };
    view! {
        <AuthLayout title=title subtitle=subtitle>
            <ErrorBanner message=banner />
            <form
                class="form"
                on:submit=on_submit
                novalidate=true
                data-testid="accept-invite-form"
                data-mode=if new_account { "new" } else { "existing" }
            >
                <div class="field">
                    <span class="label">{t("field.email")}</span>
                    <p class="static-value" data-testid="invite-email">{invitation.email.clone()}</p>
                </div>
                {new_account.then(|| view! {
                    <TextField id="name" label=t("field.name") value=name errors=errors autocomplete="name" required=true />
                })}
                <TextField
                    id="password"
                    label=t("field.password")
                    value=password
                    errors=errors
                    kind="password"
                    autocomplete=if new_account { "new-password" } else { "current-password" }
                    hint=if new_account { t("form.password_hint") } else { String::new() }
                    required=true
                />
                {new_account.then(|| view! {
                    <TextField
                        id="confirm_password"
                        label=t("field.confirm_password")
                        value=confirm
                        errors=errors
                        kind="password"
                        autocomplete="new-password"
                        required=true
                    />
                })}
                {(!new_account).then(|| view! {
                    <div class="form-row-end">
                        <a href="/forgot-password" class="link">{t("accept.forgot")}</a>
                    </div>
                })}
                <button type="submit" class="btn btn-primary btn-block" data-testid="accept-invite-submit" disabled=move || busy.get()>
                    {if new_account { t("accept.submit_new") } else { t("accept.submit_existing") }}
                </button>
            </form>
        </AuthLayout>
    }
}
