//! A file arriving in the media gallery: its bytes streamed into storage,
//! the type sniffed from the content (whatever the name says) and the size
//! held to WhatsApp's limit for that type, then the record.

use bytes::Bytes;
use domain::media::{
    check_name, check_size, dimensions, human_size, sniff, MediaError, Sniffed, MAX_MEDIA_BYTES,
    SNIFF_BYTES,
};
use domain::TenantId;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use store::{MediaRecord, NewMedia};
use uuid::Uuid;

use crate::error::AppError;
use crate::media_store::{MediaStore, MediaWriter};
use crate::App;

/// One upload as the person sent it.
pub struct MediaUpload<'a> {
    /// The name shown in the gallery.
    pub name: &'a str,
    /// The body's declared length, when it declares one.
    pub declared_bytes: Option<u64>,
    /// The body is a form (`multipart/*`) rather than the file's bytes.
    pub is_form: bool,
    pub uploaded_by: Uuid,
}

fn media_error(e: MediaError) -> AppError {
    match e {
        MediaError::Empty => AppError::unprocessable("empty_file", "The file is empty."),
        MediaError::Unsupported { .. } => AppError::UnsupportedMediaType {
            code: "unsupported_media_type",
            detail: e.to_string(),
        },
        MediaError::TooLarge { .. } => AppError::TooLarge {
            detail: e.to_string(),
        },
    }
}

fn over_global_limit() -> AppError {
    AppError::TooLarge {
        detail: format!(
            "Files may be at most {} (documents; images 5 MB, videos and audio 16 MB).",
            human_size(MAX_MEDIA_BYTES)
        ),
    }
}

/// Stores `body` as a new gallery file of `tenant`. A refused file is not
/// kept; the rest of its body is still read (up to 100 MB) so that a
/// browser still sending gets the answer rather than a reset connection.
pub async fn upload<S, E>(
    app: &App,
    tenant: TenantId,
    upload: MediaUpload<'_>,
    mut body: S,
) -> Result<MediaRecord, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let name = check_name(upload.name).map_err(|m| AppError::field("name", m))?;
    if upload.is_form {
        return Err(AppError::UnsupportedMediaType {
            code: "raw_body_expected",
            detail: "Send the file's bytes as the request body, not a multipart form.".into(),
        });
    }
    if upload
        .declared_bytes
        .is_some_and(|len| len > MAX_MEDIA_BYTES)
    {
        return Err(over_global_limit());
    }
    let id = Uuid::now_v7();
    let key = MediaStore::key(tenant, id);
    let mut writer = None;
    let mut read = 0;
    let received =
        match receive_into(&app.media, &key, &name, &mut body, &mut writer, &mut read).await {
            Ok(received) => received,
            Err(e) => {
                if let Some(w) = writer {
                    w.abort().await;
                }
                if matches!(
                    e,
                    AppError::TooLarge { .. } | AppError::UnsupportedMediaType { .. }
                ) {
                    discard_rest(&mut body, read).await?;
                }
                return Err(e);
            }
        };
    let new = NewMedia {
        id,
        name,
        kind: received.found.kind,
        mime_type: received.found.mime_type.to_owned(),
        size_bytes: received.size,
        width: received.dimensions.map(|(w, _)| w),
        height: received.dimensions.map(|(_, h)| h),
        object_key: key.clone(),
        sha256: Some(received.sha256),
        created_by: Some(upload.uploaded_by),
    };
    match app.store.create_media(tenant, &new).await {
        Ok(record) => Ok(record),
        Err(e) => {
            if let Err(cleanup) = app.media.delete(&key).await {
                tracing::warn!(%key, error = %cleanup, "removing an unrecorded media file");
            }
            Err(e.into())
        }
    }
}

/// What was received and stored.
struct Received {
    found: Sniffed,
    size: u64,
    sha256: String,
    dimensions: Option<(u32, u32)>,
}

/// Reads the body into storage under `key`, sniffing the type from the
/// first bytes and stopping as soon as the type's limit (or 100 MB) is
/// passed. A started multipart write is left in `writer` for the caller to
/// abort on failure.
async fn receive_into<S, E>(
    media: &MediaStore,
    key: &str,
    name: &str,
    body: &mut S,
    writer: &mut Option<MediaWriter>,
    read: &mut u64,
) -> Result<Received, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut head: Vec<u8> = Vec::new();
    let mut found: Option<(Sniffed, Option<(u32, u32)>)> = None;
    let mut size: u64 = 0;
    let mut hasher = Sha256::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest {
            code: "bad_body",
            detail: e.to_string(),
        })?;
        size += chunk.len() as u64;
        *read = size;
        if size > MAX_MEDIA_BYTES {
            return Err(over_global_limit());
        }
        hasher.update(&chunk);
        if let (Some((sniffed, _)), Some(w)) = (&found, writer.as_mut()) {
            check_size(sniffed, size).map_err(media_error)?;
            w.write(&chunk).await?;
            continue;
        }
        head.extend_from_slice(&chunk);
        if head.len() >= SNIFF_BYTES {
            let window = &head[..SNIFF_BYTES];
            let sniffed = sniff(window, name).map_err(media_error)?;
            check_size(&sniffed, size).map_err(media_error)?;
            found = Some((sniffed, dimensions(window, sniffed.mime_type)));
            let w = writer.insert(media.writer(key).await?);
            w.write(&head).await?;
            head = Vec::new();
        }
    }
    let (found, dims) = match found {
        Some(found) => {
            if let Some(w) = writer.take() {
                w.finish().await?;
            }
            found
        }
        None => {
            // The whole file fit in the sniffing window: one write.
            let sniffed = sniff(&head, name).map_err(media_error)?;
            check_size(&sniffed, size).map_err(media_error)?;
            let dims = dimensions(&head, sniffed.mime_type);
            media.put(key, Bytes::from(head)).await?;
            (sniffed, dims)
        }
    };
    let sha256 = hex::encode(hasher.finalize());
    Ok(Received {
        found,
        size,
        sha256,
        dimensions: dims,
    })
}

/// Reads what is left of a refused upload without keeping it; past 100 MB
/// in all it stops and answers "too large" at once.
async fn discard_rest<S, E>(body: &mut S, mut read: u64) -> Result<(), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return Ok(());
        };
        read += chunk.len() as u64;
        if read > MAX_MEDIA_BYTES {
            return Err(over_global_limit());
        }
    }
    Ok(())
}
