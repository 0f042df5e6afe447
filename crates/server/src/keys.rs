//! The master key: from configuration, or generated on first start into the
//! data directory (mode 0600). Other secrets are derived from it.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub struct MasterKey([u8; 32]);

impl MasterKey {
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(text) = configured {
            return Self::parse(text).context("SWITCHBOARD_MASTER_KEY must be base64 of 32 bytes");
        }
        let path = data_dir.join("master.key");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            return Self::parse(&text)
                .with_context(|| format!("{} is not a valid key", path.display()));
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        file.write_all(STANDARD.encode(bytes).as_bytes())?;
        tracing::info!(path = %path.display(), "generated a new master key; back it up with the database");
        Ok(Self(bytes))
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD.decode(text.trim())?;
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!("expected 32 bytes, got {}", bytes.len());
        };
        Ok(Self(key))
    }

    /// A sub-key for one purpose, so no two uses share key material.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load_or_create(None, dir.path()).unwrap();
        let second = MasterKey::load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.derive("jwt"), second.derive("jwt"));
        assert_ne!(first.derive("jwt"), first.derive("other"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_must_be_32_bytes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(MasterKey::load_or_create(Some("c2hvcnQ="), dir.path()).is_err());
    }
}
