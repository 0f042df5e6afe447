//! The API's request and response bodies. The server documents them in the
//! OpenAPI spec (feature `openapi`); the SPA deserialises the same types.

pub mod auth;
pub mod channels;
pub mod common;
pub mod contacts;
pub mod conversations;
/// WhatsApp's limits (lengths, counts, sizes) for the SPA's counters and
/// checks. The one definition is `domain::whatsapp`; this compiles the same
/// file rather than depending on `domain`, which would bring its
/// spreadsheet and phone-number crates into the wasm build.
#[path = "../../domain/src/whatsapp.rs"]
pub mod limits;
pub mod media;
pub mod notifications;
pub mod roles;
pub mod templates;
pub mod tenants;
pub mod users;

pub use common::*;
