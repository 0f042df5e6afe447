//! API integration tests: each spawns the real application on port 0 with a
//! fresh database (SQLite; PostgreSQL with TEST_DB=postgres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_matrix;
mod accounts_security;
mod auth;
mod channels;
mod channels_live;
mod contacts;
mod conversations;
mod errors;
mod helpers;
mod imports;
mod media;
mod migrations;
mod openapi;
mod pipeline;
mod roles;
mod security;
mod session_behaviour;
mod sessions_security;
mod setup;
mod system;
mod templates;
mod tenants;
mod throttling;
mod users;
mod worker;
