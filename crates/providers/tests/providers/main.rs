//! Integration tests of the providers crate: the adapters against wiremock
//! fakes of Meta and Twilio, webhook signatures against known vectors, and
//! webhook parsing over the shared fixtures (copied into tests/fixtures).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod meta_adapter;
mod meta_parsing;
mod retries;
mod signatures;
mod twilio_adapter;
mod twilio_parsing;
