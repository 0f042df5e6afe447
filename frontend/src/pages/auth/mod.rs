//! Signing in and everything before it: first-run setup, tenant choice,
//! forgotten and reset passwords, accepting an invitation.

mod accept;
mod forgot;
mod login;
mod reset;
mod select_tenant;
mod setup;

pub use accept::AcceptInvitePage;
pub use forgot::ForgotPasswordPage;
pub use login::LoginPage;
pub use reset::ResetPasswordPage;
pub use select_tenant::SelectTenantPage;
pub use setup::SetupPage;

use leptos::prelude::*;
use leptos_router::NavigateOptions;

use crate::components::shell::Brand;
use crate::i18n::t;

/// The centred card the pages before sign-in share.
#[component]
pub fn AuthLayout(
    #[prop(into)] title: String,
    #[prop(into, optional)] subtitle: Option<String>,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class=if wide { "card auth-card auth-card-wide" } else { "card auth-card" }>
                <div class="auth-brand">
                    <Brand />
                </div>
                <h1 class="auth-title">{title}</h1>
                {subtitle.map(|s| view! { <p class="auth-subtitle">{s}</p> })}
                {children()}
            </div>
            <p class="auth-foot">{t("auth.footer")}</p>
        </div>
    }
}

pub(crate) fn replace() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}
