//! Switchboard's HTTP API: thin actix-web handlers over `domain` rules and
//! `store` repositories, JWT role auth, and the OpenAPI document.

pub mod access;
mod app;
pub mod auth;
mod body;
pub mod client_ip;
pub mod conversations;
pub mod error;
mod metrics;
mod openapi;
mod pagination;
mod registry;
mod request_context;
mod routes;
mod security_headers;
mod state;

/// The gallery's storage and signed links, from the application layer.
pub use ::app::media_store;
pub use app::{build_app, build_metrics_app, openapi_spec};
pub use auth::limiter::LoginLimits;
pub use metrics::Metrics;
pub use state::{ApiSettings, AppState, MetricsAccess, SandboxRegister, StateError};
