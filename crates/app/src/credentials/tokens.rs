//! Opaque random tokens (refresh, password reset, invitations): shown once,
//! stored only as SHA-256.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of `bytes` in lower-case hex: how tokens, tickets, webhook
/// bodies and files are fingerprinted.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    sha256_hex(token.as_bytes())
}
