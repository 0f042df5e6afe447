//! What every handler can reach: the application's use-cases and handles,
//! token keys, limits.

use std::sync::Arc;

use app::App;

use crate::auth::jwt::JwtKeys;
use crate::auth::limiter::{LoginLimiter, LoginLimits};
use crate::metrics::Metrics;

/// Settings of the HTTP side only; the use-cases' own are `app::AppSettings`.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Directory of the built SPA; `None` or missing serves a short notice.
    pub spa_dir: Option<std::path::PathBuf>,
    pub login_limits: LoginLimits,
    /// Proxies whose `X-Forwarded-For` names the client (see `client_ip`).
    pub trusted_proxies: crate::client_ip::TrustedProxies,
    /// Who may read `/metrics`, and where.
    pub metrics: MetricsAccess,
    /// Largest JSON body accepted, in bytes.
    pub json_limit: usize,
}

/// Who may read `/metrics`.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    /// When set, only requests with `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Metrics are served on their own listener and absent from the main one.
    pub own_listener: bool,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of logs.
        f.debug_struct("MetricsAccess")
            .field("token", &self.token.as_ref().map(|_| ".."))
            .field("own_listener", &self.own_listener)
            .finish()
    }
}

/// Shared by every worker thread of the server: the application (reached
/// through `Deref`, so `state.store` is the application's store) and what
/// only HTTP needs.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// The built-in fake providers, served at `/sandbox` when enabled.
    pub sandbox: Arc<sandbox::SandboxState>,
    pub jwt: Arc<JwtKeys>,
    pub http: Arc<ApiSettings>,
    pub login_limiter: Arc<LoginLimiter>,
    pub metrics: Metrics,
    /// Channels recently read by the webhook routes (see `routes::webhooks`).
    pub webhook_channels: Arc<
        std::sync::Mutex<
            std::collections::HashMap<uuid::Uuid, (std::time::Instant, domain::channel::Channel)>,
        >,
    >,
}

/// The sandbox's register of numbers, as the application layer sees it.
pub struct SandboxRegister(pub Arc<sandbox::SandboxState>);

impl app::SandboxNumbers for SandboxRegister {
    fn register_number(
        &self,
        phone_number_id: &str,
        waba_id: &str,
        app_secret: &str,
        callback_url: &str,
    ) -> bool {
        self.0.register_number(sandbox::SandboxNumber {
            phone_number_id: phone_number_id.to_owned(),
            waba_id: waba_id.to_owned(),
            app_secret: app_secret.to_owned(),
            callback_url: callback_url.to_owned(),
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

/// Failure to assemble the state at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
}

impl AppState {
    /// The HTTP side around `app`.
    pub fn new(
        app: App,
        sandbox: Arc<sandbox::SandboxState>,
        jwt_secret: &[u8],
        settings: ApiSettings,
    ) -> Result<Self, StateError> {
        let login_limiter = LoginLimiter::new(settings.login_limits);
        Ok(Self {
            sandbox,
            webhook_channels: Arc::default(),
            app,
            jwt: Arc::new(JwtKeys::new(jwt_secret)),
            http: Arc::new(settings),
            login_limiter: Arc::new(login_limiter),
            metrics: Metrics::new()?,
        })
    }
}
