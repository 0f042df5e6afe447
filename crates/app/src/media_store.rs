//! Where the media gallery's bytes live: a directory on this instance's disk
//! by default, or an S3-compatible bucket (shared by every instance) when
//! configured. Objects are keyed `{tenant}/{media id}`; rows in the database
//! describe them. Signed links let `<img src>` fetch a file without the
//! bearer token, which never goes into a URL.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::Sha256;
use uuid::Uuid;

/// Where gallery files are kept.
#[derive(Clone)]
pub enum MediaStorage {
    /// A directory on this instance's disk (default `{data_dir}/media`).
    Local { dir: PathBuf },
    /// An S3-compatible bucket (AWS, MinIO, Ceph, R2...).
    S3 {
        bucket: String,
        /// e.g. `http://127.0.0.1:9000` for MinIO; AWS when unset.
        endpoint: Option<String>,
        region: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
    },
}

impl std::fmt::Debug for MediaStorage {
    // The secret key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaStorage::Local { dir } => f.debug_struct("Local").field("dir", dir).finish(),
            MediaStorage::S3 {
                bucket,
                endpoint,
                region,
                ..
            } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("endpoint", endpoint)
                .field("region", region)
                .finish_non_exhaustive(),
        }
    }
}

/// Failure to open the configured storage at start-up.
#[derive(Debug, thiserror::Error)]
pub enum MediaStoreError {
    #[error("creating {0}: {1}")]
    Directory(PathBuf, std::io::Error),
    #[error("{0}")]
    ObjectStore(#[from] object_store::Error),
}

/// S3 multipart parts must be at least 5 MB (but the last).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts in flight at once while an upload streams in.
const PARTS_IN_FLIGHT: usize = 2;

/// The gallery's object storage; cheap to clone.
#[derive(Clone, Debug)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
}

impl MediaStore {
    pub fn open(storage: &MediaStorage) -> Result<Self, MediaStoreError> {
        let objects: Arc<dyn ObjectStore> = match storage {
            MediaStorage::Local { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| MediaStoreError::Directory(dir.clone(), e))?;
                Arc::new(LocalFileSystem::new_with_prefix(dir)?)
            }
            MediaStorage::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        // MinIO and most self-hosted stores want path-style addresses.
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(region) = region {
                    builder = builder.with_region(region);
                }
                if let Some(key) = access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                Arc::new(builder.build()?)
            }
        };
        Ok(Self { objects })
    }

    /// The object key of a tenant's file.
    pub fn key(tenant: domain::TenantId, id: Uuid) -> String {
        format!("{}/{}", tenant.0, id)
    }

    /// Stores a whole (small) file at once.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), object_store::Error> {
        self.objects
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// Starts storing a file that arrives in pieces.
    pub async fn writer(&self, key: &str) -> Result<MediaWriter, object_store::Error> {
        let upload = self.objects.put_multipart(&ObjectPath::from(key)).await?;
        Ok(MediaWriter {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
        })
    }

    /// The file's bytes, or a range of them.
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, object_store::Error> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let found = self
            .objects
            .get_opts(&ObjectPath::from(key), options)
            .await?;
        Ok(found.into_stream().boxed())
    }

    /// The whole file in memory (for provider uploads, at most 100 MB).
    pub async fn read_all(&self, key: &str) -> Result<Vec<u8>, object_store::Error> {
        let found = self.objects.get(&ObjectPath::from(key)).await?;
        Ok(found.bytes().await?.to_vec())
    }

    /// Removes a file; one already gone is fine.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        match self.objects.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// A file being stored piece by piece; abort it when the upload fails.
pub struct MediaWriter {
    inner: WriteMultipart,
}

impl MediaWriter {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), object_store::Error> {
        self.inner.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        self.inner.write(bytes);
        Ok(())
    }

    pub async fn finish(self) -> Result<(), object_store::Error> {
        self.inner.finish().await?;
        Ok(())
    }

    pub async fn abort(self) {
        if let Err(e) = self.inner.abort().await {
            tracing::warn!(error = %e, "abandoning a partial media upload");
        }
    }
}

/// Signs and checks links to a file's bytes. A link names the tenant, the
/// file and an expiry; it grants reading that one file until then.
pub struct MediaUrls {
    key: [u8; 32],
    /// A link stays valid at least this long (and at most twice as long):
    /// expiries are rounded up so that a link, and the browser's cache of
    /// the file, stay the same for a while.
    ttl_secs: i64,
}

/// Why a signed link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Expired,
    BadSignature,
}

impl MediaUrls {
    pub fn new(key: [u8; 32], ttl: std::time::Duration) -> Self {
        Self {
            key,
            ttl_secs: i64::try_from(ttl.as_secs()).unwrap_or(3600).max(60),
        }
    }

    /// Links keyed from the access-token key, derived for this one purpose.
    pub fn from_token_key(token_key: &[u8], ttl: std::time::Duration) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(token_key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"switchboard/media-urls/v1");
        Self::new(mac.finalize().into_bytes().into(), ttl)
    }

    fn signature(&self, tenant: Uuid, id: Uuid, exp: i64) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(format!("media-content/v1:{tenant}:{id}:{exp}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The signed path of a file's bytes and until when it works.
    pub fn link(&self, tenant: Uuid, id: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let exp = (now.timestamp().div_euclid(self.ttl_secs) + 2) * self.ttl_secs;
        let sig = self.signature(tenant, id, exp);
        let expires = DateTime::from_timestamp(exp, 0).unwrap_or(now);
        (
            format!("/api/v1/media/{id}/content?tenant={tenant}&exp={exp}&sig={sig}"),
            expires,
        )
    }

    pub fn check(
        &self,
        tenant: Uuid,
        id: Uuid,
        exp: i64,
        sig: &str,
        now: DateTime<Utc>,
    ) -> Result<(), LinkProblem> {
        use subtle::ConstantTimeEq;
        let expected = self.signature(tenant, id, exp);
        if !bool::from(expected.as_bytes().ct_eq(sig.as_bytes())) {
            return Err(LinkProblem::BadSignature);
        }
        if exp < now.timestamp() {
            return Err(LinkProblem::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_work_for_their_file_until_they_expire() {
        let urls = MediaUrls::new([7; 32], std::time::Duration::from_secs(3600));
        let (tenant, id, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let now = Utc::now();
        let (link, expires) = urls.link(tenant, id, now);
        assert!(expires - now >= chrono::Duration::hours(1));
        assert!(expires - now <= chrono::Duration::hours(2));
        let query: std::collections::HashMap<&str, &str> = link
            .split_once('?')
            .map(|(_, q)| q.split('&').filter_map(|p| p.split_once('=')).collect())
            .unwrap_or_default();
        let exp: i64 = query["exp"].parse().unwrap_or_default();
        let sig = query["sig"];
        assert_eq!(urls.check(tenant, id, exp, sig, now), Ok(()));
        assert_eq!(
            urls.check(tenant, other, exp, sig, now),
            Err(LinkProblem::BadSignature)
        );
        assert_eq!(
            urls.check(other, id, exp, sig, now),
            Err(LinkProblem::BadSignature)
        );
        assert_eq!(
            urls.check(tenant, id, exp + 3600, sig, now),
            Err(LinkProblem::BadSignature)
        );
        assert_eq!(
            urls.check(tenant, id, exp, sig, expires + chrono::Duration::seconds(1)),
            Err(LinkProblem::Expired)
        );
        // The same link for a while, so browsers keep the file cached.
        assert_eq!(urls.link(tenant, id, now).0, link);
    }
}
