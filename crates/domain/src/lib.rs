//! Switchboard's business rules. Nothing here performs I/O: no HTTP, no SQL,
//! no async. Every other crate asks this one what is allowed and what is valid.

pub mod account;
pub mod channel;
pub mod contact;
pub mod contact_import;
pub mod conversation;
pub mod ids;
pub mod media;
pub mod notification;
pub mod permissions;
pub mod spreadsheet;
pub mod team;
pub mod template;
pub mod template_library;
pub mod tenant;
pub mod webhook_event;
pub mod whatsapp;

pub use ids::{ChannelId, RoleId, TenantId, UserId};
