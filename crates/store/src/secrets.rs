//! Encryption of third-party secrets at rest: AES-256-GCM with a random
//! 96-bit nonce, stored as base64(key id || nonce || ciphertext). The tenant
//! and the purpose (which row and column) are associated data, so a sealed
//! value copied to another tenant or column does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::TenantId;
use rand::RngCore;

use crate::StoreError;

/// Identifies the key a value was sealed with, for future key rotation.
const KEY_ID: u8 = 1;

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

fn aad(tenant: TenantId, purpose: &str) -> Vec<u8> {
    let mut aad = tenant.0.as_bytes().to_vec();
    aad.push(b'|');
    aad.extend_from_slice(purpose.as_bytes());
    aad
}

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    pub fn seal(
        &self,
        tenant: TenantId,
        purpose: &str,
        plaintext: &[u8],
    ) -> Result<String, StoreError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = aad(tenant, purpose);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Corrupt("encryption failed".into()))?;
        let mut out = Vec::with_capacity(1 + 12 + sealed.len());
        out.push(KEY_ID);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    pub fn open(
        &self,
        tenant: TenantId,
        purpose: &str,
        stored: &str,
    ) -> Result<Vec<u8>, StoreError> {
        let bytes = STANDARD
            .decode(stored)
            .map_err(|_| StoreError::Corrupt("sealed value is not base64".into()))?;
        if bytes.len() < 1 + 12 + 16 || bytes[0] != KEY_ID {
            return Err(StoreError::Corrupt(
                "sealed value has an unknown layout".into(),
            ));
        }
        let aad = aad(tenant, purpose);
        let nonce: [u8; 12] = bytes[1..13]
            .try_into()
            .map_err(|_| StoreError::Corrupt("sealed value has an unknown layout".into()))?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &bytes[13..],
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Corrupt("sealed value does not open with this key".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_for_their_tenant_purpose_and_key() {
        let key = [9u8; 32];
        let secrets = SecretBox::new(&key);
        let tenant = TenantId::new();
        let sealed = secrets
            .seal(tenant, "channel:1:published", b"EAAG-token")
            .unwrap();
        assert!(!sealed.contains("EAAG"));
        assert_eq!(
            secrets
                .open(tenant, "channel:1:published", &sealed)
                .unwrap(),
            b"EAAG-token"
        );
        assert!(secrets
            .open(TenantId::new(), "channel:1:published", &sealed)
            .is_err());
        assert!(secrets.open(tenant, "channel:1:draft", &sealed).is_err());
        assert!(SecretBox::new(&[8u8; 32])
            .open(tenant, "channel:1:published", &sealed)
            .is_err());
        let again = secrets
            .seal(tenant, "channel:1:published", b"EAAG-token")
            .unwrap();
        assert_ne!(sealed, again, "a fresh nonce every time");
    }
}
