//! One folder per area of the product.

pub mod auth;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod imports;
pub mod media;
pub mod modules;
pub mod notifications;
pub mod profile;
pub mod quick_replies;
pub mod roles;
pub mod settings;
pub mod templates;
pub mod users;
