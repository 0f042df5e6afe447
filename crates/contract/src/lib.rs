//! The API's request and response bodies. The server documents them in the
//! OpenAPI spec (feature `openapi`); the SPA deserialises the same types.

pub mod auth;
pub mod channels;
pub mod common;
pub mod contacts;
pub mod inbox;
pub mod media;
pub mod notifications;
pub mod roles;
pub mod templates;
pub mod tenants;
pub mod users;

pub use common::*;
