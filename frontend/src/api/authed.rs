//! The authorised client: exists only while signed in, adds the bearer token,
//! refreshes an expired access token once, and clears the session when that
//! fails (the shell then shows sign-in).

use std::cell::Cell;

use contract::auth::{Session, SwitchTenantRequest};
use contract::channels::{
    Channel, CreateChannelRequest, CredentialsRequest, GeneratedToken, ProviderInfo,
    SessionBehaviour, SessionBehaviourRequest, UpdateChannelRequest,
};
use contract::notifications::NotificationPage;
use contract::roles::{CreateRoleRequest, PermissionCatalog, Role, UpdateRoleRequest};
use contract::tenants::{CreateTenantRequest, CreatedTenant, Tenant, UpdateTenantRequest};
use contract::users::{
    ChangePasswordRequest, CreateUserRequest, CreatedUser, LoginEvent, Me, Profile,
    UpdateProfileRequest, UpdateUserRequest, User,
};
use contract::Page;
use gloo_net::http::Response;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::{decode, encode, expect_ok, public, send_raw, to_json, ApiError, Auth, Verb};

mod contacts;
pub use contacts::BulkAction;
mod conversations;
mod imports;
pub use conversations::{ControlAction, ConversationQuery};
mod media;
mod templates;
pub use imports::Download;

thread_local! {
    /// True while a refresh is in flight, so parallel 401s share one refresh
    /// (refresh tokens are single use).
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
}

/// Refresh this long before the access token expires.
const EARLY_REFRESH_MS: f64 = 20_000.0;

#[derive(Debug, Clone, Copy)]
pub struct Authed {
    auth: Auth,
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Authed {
    /// The client for the current session; `None` when signed out.
    pub fn new(auth: Auth) -> Option<Self> {
        auth.session
            .with_untracked(Option::is_some)
            .then_some(Self { auth })
    }

    /// The client the signed-in shell provides. Only pages under the shell
    /// call this, and the shell renders them only with a session.
    pub fn from_shell() -> Self {
        expect_context::<Authed>()
    }

    fn current(&self) -> Result<(String, String, f64), ApiError> {
        self.auth
            .session
            .with_untracked(|s| {
                s.as_ref().map(|s| {
                    (
                        s.session.access_token.clone(),
                        s.session.refresh_token.clone(),
                        s.expires_at,
                    )
                })
            })
            .ok_or(ApiError::SignedOut)
    }

    /// Trades the refresh token for a new session unless another call already
    /// did since `stale` was read.
    async fn refresh(&self, stale: &str) -> Result<String, ApiError> {
        while REFRESHING.with(Cell::get) {
            sleep(50).await;
        }
        let (access, refresh, _) = self.current()?;
        if access != stale {
            return Ok(access);
        }
        REFRESHING.with(|r| r.set(true));
        let result = public::refresh(&refresh).await;
        REFRESHING.with(|r| r.set(false));
        match result {
            Ok(session) => {
                let token = session.access_token.clone();
                self.auth.set(session);
                Ok(token)
            }
            Err(ApiError::Network(e)) => Err(ApiError::Network(e)),
            Err(_) => {
                self.auth.clear();
                Err(ApiError::SignedOut)
            }
        }
    }

    async fn send(
        &self,
        verb: Verb,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Response, ApiError> {
        let (mut token, _, expires_at) = self.current()?;
        if expires_at - js_sys::Date::now() < EARLY_REFRESH_MS {
            token = self.refresh(&token).await?;
        }
        let resp = send_raw(verb, path, body.as_ref(), Some(&token)).await?;
        if resp.status() != 401 {
            return Ok(resp);
        }
        let token = self.refresh(&token).await?;
        let resp = send_raw(verb, path, body.as_ref(), Some(&token)).await?;
        if resp.status() == 401 {
            self.auth.clear();
            return Err(ApiError::SignedOut);
        }
        Ok(resp)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        decode(self.send(Verb::Get, path, None).await?).await
    }

    async fn with_body<B: Serialize, T: DeserializeOwned>(
        &self,
        verb: Verb,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let body = to_json(body)?;
        decode(self.send(verb, path, Some(body)).await?).await
    }

    async fn no_content(
        &self,
        verb: Verb,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(), ApiError> {
        expect_ok(self.send(verb, path, body).await?).await
    }

    // --- the signed-in person -------------------------------------------------

    pub async fn me(&self) -> Result<Me, ApiError> {
        self.get("/me").await
    }

    pub async fn update_profile(&self, req: &UpdateProfileRequest) -> Result<Profile, ApiError> {
        self.with_body(Verb::Patch, "/me/profile", req).await
    }

    pub async fn change_password(&self, req: &ChangePasswordRequest) -> Result<(), ApiError> {
        self.no_content(Verb::Post, "/me/password", Some(to_json(req)?))
            .await
    }

    pub async fn switch_tenant(&self, tenant_id: Uuid) -> Result<Session, ApiError> {
        let (_, refresh, _) = self.current()?;
        let req = SwitchTenantRequest {
            tenant_id,
            refresh_token: Some(refresh),
        };
        self.with_body(Verb::Post, "/auth/switch-tenant", &req)
            .await
    }

    /// Revokes the session server-side (best effort) and forgets it here.
    pub async fn logout(&self) {
        if let Ok((access, refresh, _)) = self.current() {
            let _ = public::logout(&refresh, Some(&access)).await;
        }
        self.auth.clear();
    }

    // --- tenants ----------------------------------------------------------------

    pub async fn tenant(&self) -> Result<Tenant, ApiError> {
        self.get("/tenant").await
    }

    pub async fn update_tenant(&self, req: &UpdateTenantRequest) -> Result<Tenant, ApiError> {
        self.with_body(Verb::Patch, "/tenant", req).await
    }

    pub async fn tenants(&self) -> Result<Page<Tenant>, ApiError> {
        self.get("/tenants?limit=200").await
    }

    pub async fn create_tenant(
        &self,
        req: &CreateTenantRequest,
    ) -> Result<CreatedTenant, ApiError> {
        self.with_body(Verb::Post, "/tenants", req).await
    }

    // --- users ------------------------------------------------------------------

    pub async fn users(
        &self,
        q: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<User>, ApiError> {
        let mut path = format!("/users?limit={limit}");
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", encode(q.trim())));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn create_user(&self, req: &CreateUserRequest) -> Result<CreatedUser, ApiError> {
        self.with_body(Verb::Post, "/users", req).await
    }

    pub async fn update_user(&self, id: Uuid, req: &UpdateUserRequest) -> Result<User, ApiError> {
        self.with_body(Verb::Patch, &format!("/users/{id}"), req)
            .await
    }

    pub async fn delete_user(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/users/{id}"), None)
            .await
    }

    pub async fn deactivate_user(&self, id: Uuid) -> Result<User, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/users/{id}/deactivate"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn reactivate_user(&self, id: Uuid) -> Result<User, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/users/{id}/reactivate"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn resend_invitation(&self, id: Uuid) -> Result<CreatedUser, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/users/{id}/invitation"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn login_history(&self, id: Uuid) -> Result<Page<LoginEvent>, ApiError> {
        self.get(&format!("/users/{id}/login-history?limit=100"))
            .await
    }

    // --- roles ------------------------------------------------------------------

    pub async fn roles(&self) -> Result<Page<Role>, ApiError> {
        self.get("/roles?limit=200").await
    }

    pub async fn role(&self, id: Uuid) -> Result<Role, ApiError> {
        self.get(&format!("/roles/{id}")).await
    }

    pub async fn create_role(&self, req: &CreateRoleRequest) -> Result<Role, ApiError> {
        self.with_body(Verb::Post, "/roles", req).await
    }

    pub async fn update_role(&self, id: Uuid, req: &UpdateRoleRequest) -> Result<Role, ApiError> {
        self.with_body(Verb::Patch, &format!("/roles/{id}"), req)
            .await
    }

    pub async fn delete_role(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/roles/{id}"), None)
            .await
    }

    pub async fn role_users(&self, id: Uuid) -> Result<Page<User>, ApiError> {
        self.get(&format!("/roles/{id}/users?limit=200")).await
    }

    pub async fn permissions(&self) -> Result<PermissionCatalog, ApiError> {
        self.get("/permissions").await
    }

    // --- channels ---------------------------------------------------------------

    pub async fn channel_providers(&self) -> Result<Vec<ProviderInfo>, ApiError> {
        self.get("/channels/providers").await
    }

    pub async fn channels(&self) -> Result<Page<Channel>, ApiError> {
        self.get("/channels?limit=200").await
    }

    pub async fn channel(&self, id: Uuid) -> Result<Channel, ApiError> {
        self.get(&format!("/channels/{id}")).await
    }

    pub async fn create_channel(&self, req: &CreateChannelRequest) -> Result<Channel, ApiError> {
        self.with_body(Verb::Post, "/channels", req).await
    }

    pub async fn update_channel(
        &self,
        id: Uuid,
        req: &UpdateChannelRequest,
    ) -> Result<Channel, ApiError> {
        self.with_body(Verb::Patch, &format!("/channels/{id}"), req)
            .await
    }

    pub async fn session_behaviour(&self, id: Uuid) -> Result<SessionBehaviour, ApiError> {
        self.get(&format!("/channels/{id}/session-behaviour")).await
    }

    pub async fn save_session_behaviour(
        &self,
        id: Uuid,
        req: &SessionBehaviourRequest,
    ) -> Result<SessionBehaviour, ApiError> {
        self.with_body(Verb::Put, &format!("/channels/{id}/session-behaviour"), req)
            .await
    }

    pub async fn delete_channel(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/channels/{id}"), None)
            .await
    }

    /// "Validate & Update": checks the merged credentials with the provider
    /// and saves them only when it accepts.
    pub async fn validate_channel(
        &self,
        id: Uuid,
        req: &CredentialsRequest,
    ) -> Result<Channel, ApiError> {
        self.with_body(Verb::Post, &format!("/channels/{id}/validate"), req)
            .await
    }

    pub async fn subscribe_channel(&self, id: Uuid) -> Result<Channel, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/channels/{id}/subscribe"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn save_channel_draft(
        &self,
        id: Uuid,
        req: &CredentialsRequest,
    ) -> Result<Channel, ApiError> {
        self.with_body(Verb::Put, &format!("/channels/{id}/draft"), req)
            .await
    }

    pub async fn check_channel_draft(&self, id: Uuid) -> Result<Channel, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/channels/{id}/draft/validate"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn publish_channel_draft(&self, id: Uuid) -> Result<Channel, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/channels/{id}/draft/publish"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn discard_channel_draft(&self, id: Uuid) -> Result<Channel, ApiError> {
        decode(
            self.send(Verb::Delete, &format!("/channels/{id}/draft"), None)
                .await?,
        )
        .await
    }

    pub async fn channel_api_token(&self, id: Uuid) -> Result<GeneratedToken, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/channels/{id}/api-token"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn channel_verify_token(&self, id: Uuid) -> Result<GeneratedToken, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/channels/{id}/verify-token"),
            &serde_json::json!({}),
        )
        .await
    }

    // --- notifications ----------------------------------------------------------

    /// Newest first; `unread` (the total) comes with every page.
    pub async fn notifications(
        &self,
        unread_only: bool,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<NotificationPage, ApiError> {
        let mut path = format!("/notifications?unread={unread_only}&limit={limit}");
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn mark_notification_read(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(
            Verb::Post,
            &format!("/notifications/{id}/read"),
            Some(serde_json::json!({})),
        )
        .await
    }

    pub async fn mark_all_notifications_read(&self) -> Result<(), ApiError> {
        self.no_content(
            Verb::Post,
            "/notifications/read-all",
            Some(serde_json::json!({})),
        )
        .await
    }
}
