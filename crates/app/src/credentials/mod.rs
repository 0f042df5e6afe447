//! What proves who someone is: signed access and tenant-selection tokens
//! (JWT), argon2id password hashes, opaque random tokens kept only as
//! digests, and the sign-in throttle.

pub mod jwt;
pub mod limiter;
pub mod password;
pub mod tokens;
