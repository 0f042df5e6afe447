//! The root: contexts and routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
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
use crate::pages::imports::{ImportHistoryPage, ImportWizardPage};
use crate::pages::inbox::{InboxPage, StarredPage};
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
                    <Route path=path!("/conversations") view=|| view! { <Redirect path="/inbox" /> } />
                    <Route path=path!("/inbox/starred") view=StarredPage />
                    <Route path=path!("/inbox/:id?") view=InboxPage />
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
