//! Switchboard's use-cases: what HTTP routes and background workers both
//! do (conversations, channels, templates, media, imports, webhook events,
//! live events, mail). Nothing here knows about HTTP or the API's wire
//! types; `api` maps requests to these calls and their answers to
//! `contract`, and `server`'s workers loop over them.

use std::sync::Arc;

use store::Store;

pub mod channel_provider;
pub mod contacts;
pub mod conversation_control;
pub mod conversation_search;
pub mod conversations;
pub mod credentials;
pub mod error;
pub mod event_writer;
pub mod events;
pub mod import_upload;
pub mod imports;
pub mod live;
pub mod mail;
pub mod media;
pub mod media_store;
pub mod media_upload;
pub mod members;
pub mod session_behaviour;
pub mod sign_in;
pub mod templates;
pub mod tenants;

pub use error::AppError;
pub use mail::{Mailer, SmtpSettings};
pub use media_store::{MediaStorage, MediaStore, MediaStoreError, MediaUrls};

/// What the use-cases need from the server's configuration.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Where people reach this instance, for links in emails and the
    /// callback URLs providers are given (no trailing slash).
    pub public_url: String,
    /// This process's own address, for the built-in sandbox provider
    /// (`{local_url}/sandbox/graph`) and its webhooks back to us.
    pub local_url: String,
    /// Where and how to reach Meta and Twilio.
    pub providers: providers::ProviderSettings,
    /// Where uploaded files are kept.
    pub data_dir: std::path::PathBuf,
    pub imports: ImportLimits,
    /// Where the media gallery's files are kept.
    pub media: MediaStorage,
    /// How long a signed link to a gallery file works, at least.
    pub media_url_ttl: std::time::Duration,
    /// Serve the built-in fake providers at `/sandbox` and allow `sandbox`
    /// channels: demo and test set-ups only, never a production surface.
    pub sandbox: bool,
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

/// Everything a use-case may reach; cheap to clone (handles and `Arc`s).
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub settings: Arc<AppSettings>,
    pub mailer: Arc<Mailer>,
    /// Real providers.
    pub providers: providers::ProviderClient,
    /// The same adapters pointed at the built-in sandbox.
    pub sandbox_providers: providers::ProviderClient,
    /// The built-in sandbox's register of numbers it posts webhooks for
    /// (the sandbox itself is served by `api`; app does not reach actix).
    pub sandbox_numbers: Arc<dyn SandboxNumbers>,
    /// The media gallery's bytes.
    pub media: MediaStore,
    /// Signs links to gallery files.
    pub media_urls: Arc<MediaUrls>,
    /// Stores verified webhook events, batching concurrent requests.
    pub events: event_writer::EventWriter,
    /// Live events for the signed-in people's streams.
    pub live: Arc<live::LiveBus>,
    /// Spreadsheet uploads parsed at once on this instance: each may use up
    /// to its memory budget, so a burst of them waits instead of adding up.
    pub sheet_parses: Arc<tokio::sync::Semaphore>,
}

/// How many uploaded spreadsheets one instance parses at a time.
const SHEET_PARSES: usize = 2;

/// Where the built-in sandbox learns which channel a fake number calls back.
pub trait SandboxNumbers: Send + Sync {
    /// Registers `phone_number_id`; answers false when the number already
    /// calls back another URL.
    fn register_number(
        &self,
        phone_number_id: &str,
        waba_id: &str,
        app_secret: &str,
        callback_url: &str,
    ) -> bool;
}

/// Failure to assemble the application at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("provider client: {0}")]
    Providers(#[from] providers::ProviderError),
    #[error("media storage: {0}")]
    Media(#[from] MediaStoreError),
}

impl App {
    /// Assembles the application; needs a Tokio runtime (it starts the
    /// webhook event writer). `link_key` keys the signed links to gallery
    /// files (the access-token key, derived for that one purpose).
    pub fn new(
        store: Store,
        link_key: &[u8],
        mailer: Mailer,
        settings: AppSettings,
        sandbox_numbers: Arc<dyn SandboxNumbers>,
    ) -> Result<Self, StartError> {
        let providers = providers::ProviderClient::new(settings.providers.clone())?;
        let sandbox_settings = providers::ProviderSettings {
            meta_base_url: format!("{}/sandbox/graph", settings.local_url),
            twilio_base_url: format!("{}/sandbox/twilio", settings.local_url),
            ..settings.providers.clone()
        };
        let sandbox_providers = providers::ProviderClient::new(sandbox_settings)?;
        let media = MediaStore::open(&settings.media)?;
        let media_urls = MediaUrls::from_token_key(link_key, settings.media_url_ttl);
        let events = event_writer::EventWriter::start(store.clone());
        let live = Arc::new(live::LiveBus::new(store.clone()));
        Ok(Self {
            live,
            events,
            store,
            mailer: Arc::new(mailer),
            settings: Arc::new(settings),
            providers,
            sandbox_providers,
            sandbox_numbers,
            media,
            media_urls: Arc::new(media_urls),
            sheet_parses: Arc::new(tokio::sync::Semaphore::new(SHEET_PARSES)),
        })
    }
}

/// A random URL-safe token (32 bytes of the OS's randomness).
pub(crate) fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of `bytes` in lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
