//! The root: contexts and routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::Auth;
use crate::components::shell::{Home, Shell};
use crate::components::toast::ToastHost;
use crate::pages::auth::{
    AcceptInvitePage, ForgotPasswordPage, LoginPage, ResetPasswordPage, SelectTenantPage, SetupPage,
};
use crate::pages::channels::ChannelsPage;
use crate::pages::contacts::{
    ContactDetailPage, ContactsPage, GroupDetailPage, GroupsPage, TagsAttributesPage,
};
use crate::pages::conversations::{ConversationsPage, StarredPage};
use crate::pages::imports::{ImportHistoryPage, ImportWizardPage};
use crate::pages::media::MediaPage;
use crate::pages::modules::{ModulePlaceholder, NotFound};
use crate::pages::notifications::NotificationsPage;
use crate::pages::profile::ProfilePage;
use crate::pages::quick_replies::QuickRepliesPage;
use crate::pages::roles::{RoleEditPage, RolesPage};
use crate::pages::settings::SettingsPage;
use crate::pages::templates::{TemplateEditorPage, TemplateLibraryPage, TemplatesPage};
use crate::pages::users::UsersPage;
use crate::state::{MeState, PendingTenant, Toasts};

#[component]
pub fn App() -> impl IntoView {
    provide_context(Auth::load());
    provide_context(MeState::new());
    provide_context(Toasts::new());
    provide_context(PendingTenant(RwSignal::new(None)));

    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/setup") view=SetupPage />
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/select-tenant") view=SelectTenantPage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset-password") view=ResetPasswordPage />
                <Route path=path!("/accept-invite") view=AcceptInvitePage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=Home />
                    <Route path=path!("/users") view=UsersPage />
                    <Route path=path!("/roles") view=RolesPage />
                    <Route path=path!("/roles/:id") view=RoleEditPage />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/profile") view=ProfilePage />
                    <Route path=path!("/dashboard") view=|| view! { <ModulePlaceholder module="dashboard" /> } />
                    <Route path=path!("/notifications") view=NotificationsPage />
                    // Links kept from before the rename (a notification stores its link).
                    <Route path=path!("/inbox") view=LegacyInboxRedirect />
                    <Route path=path!("/inbox/*rest") view=LegacyInboxRedirect />
                    <Route path=path!("/conversations/starred") view=StarredPage />
                    <Route path=path!("/conversations/:id?") view=ConversationsPage />
                    <Route path=path!("/broadcasts") view=|| view! { <ModulePlaceholder module="broadcasts" /> } />
                    <Route path=path!("/templates") view=TemplatesPage />
                    <Route path=path!("/templates/library") view=TemplateLibraryPage />
                    <Route path=path!("/templates/new") view=TemplateEditorPage />
                    <Route path=path!("/templates/:id") view=TemplateEditorPage />
                    <Route path=path!("/quick-replies") view=QuickRepliesPage />
                    <Route path=path!("/flows") view=|| view! { <ModulePlaceholder module="flows" /> } />
                    <Route path=path!("/media") view=MediaPage />
                    <Route path=path!("/contacts") view=ContactsPage />
                    <Route path=path!("/contacts/groups") view=GroupsPage />
                    <Route path=path!("/contacts/groups/:id") view=GroupDetailPage />
                    <Route path=path!("/contacts/settings") view=TagsAttributesPage />
                    <Route path=path!("/contacts/import") view=ImportWizardPage />
                    <Route path=path!("/contacts/imports") view=ImportHistoryPage />
                    <Route path=path!("/contacts/:id") view=ContactDetailPage />
                    <Route path=path!("/channels") view=ChannelsPage />
                    <Route path=path!("/api") view=|| view! { <ModulePlaceholder module="api" /> } />
                </ParentRoute>
            </Routes>
        </Router>
        <ToastHost />
    }
}

/// `/inbox...`, the conversations' route before it was renamed: the same
/// page under `/conversations`, query included.
#[component]
fn LegacyInboxRedirect() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let rest = path.strip_prefix("/inbox").unwrap_or_default();
    let search = location.search.get_untracked();
    let query = if search.is_empty() {
        String::new()
    } else {
        format!("?{search}")
    };
    view! { <Redirect path=format!("/conversations{rest}{query}") /> }
}
