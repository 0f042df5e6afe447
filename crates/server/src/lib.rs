//! The `switchboard` binary's library: configuration, start-up and commands,
//! shared by `main` and the integration tests (which spawn the real app).

pub mod config;
pub mod demo;
pub mod keys;
pub mod startup;
pub mod telemetry;
pub mod workers;

pub use config::Settings;
pub use startup::Application;
