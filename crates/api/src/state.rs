//! What every handler can reach: the store, token keys, the mailer, limits.

use std::sync::Arc;

use store::Store;

use crate::auth::jwt::JwtKeys;
use crate::auth::limiter::LoginLimiter;
use crate::mail::Mailer;
use crate::media_store::{MediaStorage, MediaStore, MediaStoreError, MediaUrls};
use crate::metrics::Metrics;

/// Settings the API needs from the server's configuration.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Where people reach this instance, for links in emails (no trailing slash).
    pub public_url: String,
    /// Directory of the built SPA; `None` or missing serves a short notice.
    pub spa_dir: Option<std::path::PathBuf>,
    pub login_limits: LoginLimits,
    /// Proxies whose `X-Forwarded-For` names the client (see `client_ip`).
    pub trusted_proxies: crate::client_ip::TrustedProxies,
    /// Who may read `/metrics`, and where.
    pub metrics: MetricsAccess,
    /// Largest JSON body accepted, in bytes.
    pub json_limit: usize,
    /// Where and how to reach Meta and Twilio.
    pub providers: providers::ProviderSettings,
    /// Where uploaded files are kept.
    pub data_dir: std::path::PathBuf,
    pub imports: ImportLimits,
    /// This process's own address, for the built-in sandbox provider
    /// (`{local_url}/sandbox/graph`) and its webhooks back to us.
    pub local_url: String,
    /// Where the media gallery's files are kept.
    pub media: MediaStorage,
    /// How long a signed link to a gallery file works, at least.
    pub media_url_ttl: std::time::Duration,
    /// Serve the built-in fake providers at `/sandbox` and allow `sandbox`
    /// channels: demo and test set-ups only, never a production surface.
    pub sandbox: bool,
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

/// What an uploaded contacts file may hold.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    pub max_bytes: usize,
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cell_bytes: usize,
    /// What an `.xlsx` may unpack to (zip bombs).
    pub max_unpacked_bytes: u64,
}

impl ImportLimits {
    /// The limits a file's sheet is read with: the same at upload and when
    /// the worker applies the import, so a file accepted at upload is never
    /// refused later for a limit it met.
    pub fn sheet(&self) -> domain::spreadsheet::SheetLimits {
        domain::spreadsheet::SheetLimits {
            max_rows: self.max_rows,
            max_columns: self.max_columns,
            max_cell_bytes: self.max_cell_bytes,
            max_unpacked_bytes: self.max_unpacked_bytes,
        }
    }
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_rows: 1_000_000,
            max_columns: 100,
            max_cell_bytes: 4096,
            max_unpacked_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// How sign-ins and other password work are throttled (see `auth::limiter`).
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Wrong passwords for one account from one address before each
    /// further attempt waits (1 s, doubling up to 15 minutes).
    pub failures_before_delay: u32,
    /// Sign-in, reset and setup requests per client address and minute.
    pub per_ip_per_minute: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            failures_before_delay: 5,
            per_ip_per_minute: 30,
        }
    }
}

/// How many uploaded spreadsheets one instance parses at a time.
const SHEET_PARSES: usize = 2;

/// Shared by every worker thread of the server.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub jwt: Arc<JwtKeys>,
    pub mailer: Arc<Mailer>,
    pub settings: Arc<ApiSettings>,
    pub login_limiter: Arc<LoginLimiter>,
    pub metrics: Metrics,
    /// Real providers.
    pub providers: providers::ProviderClient,
    /// The same adapters pointed at the built-in sandbox.
    pub sandbox_providers: providers::ProviderClient,
    pub sandbox: Arc<sandbox::SandboxState>,
    /// The media gallery's bytes.
    pub media: MediaStore,
    /// Signs links to gallery files.
    pub media_urls: Arc<MediaUrls>,
    /// Spreadsheet uploads parsed at once on this instance: each may use up
    /// to its memory budget, so a burst of them waits instead of adding up.
    pub sheet_parses: Arc<tokio::sync::Semaphore>,
    /// Live events for the signed-in people's streams.
    pub live: Arc<crate::live::LiveBus>,
    /// Stores verified webhook events, batching concurrent requests.
    pub events: crate::event_writer::EventWriter,
    /// Channels recently read by the webhook routes (see `routes::webhooks`).
    pub webhook_channels: Arc<
        std::sync::Mutex<
            std::collections::HashMap<uuid::Uuid, (std::time::Instant, domain::channel::Channel)>,
        >,
    >,
}

/// Failure to assemble the state at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("provider client: {0}")]
    Providers(#[from] providers::ProviderError),
    #[error("media storage: {0}")]
    Media(#[from] MediaStoreError),
}

impl AppState {
    /// Assembles the state; needs a Tokio runtime (it starts the webhook
    /// event writer).
    pub fn new(
        store: Store,
        jwt_secret: &[u8],
        mailer: Mailer,
        settings: ApiSettings,
    ) -> Result<Self, StateError> {
        let login_limiter = LoginLimiter::new(settings.login_limits);
        let providers = providers::ProviderClient::new(settings.providers.clone())?;
        let sandbox_settings = providers::ProviderSettings {
            meta_base_url: format!("{}/sandbox/graph", settings.local_url),
            twilio_base_url: format!("{}/sandbox/twilio", settings.local_url),
            ..settings.providers.clone()
        };
        let sandbox_providers = providers::ProviderClient::new(sandbox_settings)?;
        let media = MediaStore::open(&settings.media)?;
        let media_urls = MediaUrls::from_token_key(jwt_secret, settings.media_url_ttl);
        let live = Arc::new(crate::live::LiveBus::new(store.clone()));
        let events = crate::event_writer::EventWriter::start(store.clone());
        Ok(Self {
            sheet_parses: Arc::new(tokio::sync::Semaphore::new(SHEET_PARSES)),
            live,
            events,
            webhook_channels: Arc::default(),
            store,
            jwt: Arc::new(JwtKeys::new(jwt_secret)),
            mailer: Arc::new(mailer),
            settings: Arc::new(settings),
            login_limiter: Arc::new(login_limiter),
            metrics: Metrics::new()?,
            providers,
            sandbox_providers,
            sandbox: sandbox::SandboxState::new(),
            media,
            media_urls: Arc::new(media_urls),
        })
    }
}
