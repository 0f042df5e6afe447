//! The media gallery: upload a file (its type sniffed from its bytes and
//! held to WhatsApp's limit for that type), list and search, rename, serve
//! the bytes (to a member, or through a short-lived signed link for
//! `<img src>`), delete when nothing uses the file, and upload it to a
//! channel's provider, remembering the provider's id while it is valid.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use contract::media::{MediaItem, ProviderUpload, ProviderUploadRequest, RenameMedia};
use contract::Page;
use domain::media::{check_name, MediaKind};
use domain::{ChannelId, TenantId};
use futures_util::StreamExt;
use serde::Deserialize;
use store::{MediaFilter, MediaRecord, MediaUse};
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Access, Routes};
use crate::state::AppState;
use app::media_store::LinkProblem;
use app::media_upload::{self, MediaUpload};
use domain::permissions::{Action, Module, Permission};

/// The media gallery routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Media, Action::View), list_media)
        .add(perm(Module::Media, Action::Create), upload_media)
        .add(perm(Module::Media, Action::View), get_media)
        .add(perm(Module::Media, Action::Edit), rename_media)
        .add(perm(Module::Media, Action::Delete), delete_media)
        .add(
            Access::PermissionOrSignedLink(Permission::new(Module::Media, Action::View)),
            media_content,
        )
        .add(perm(Module::Media, Action::Create), upload_to_provider);
}

pub fn media_dto(state: &AppState, r: &MediaRecord) -> MediaItem {
    let (url, url_expires_at) = state.media_urls.link(r.tenant_id.0, r.id, Utc::now());
    MediaItem {
        id: r.id,
        name: r.name.clone(),
        kind: r.kind.key().to_owned(),
        mime_type: r.mime_type.clone(),
        size_bytes: r.size_bytes,
        width: r.width,
        height: r.height,
        url,
        url_expires_at,
        created_by: r.created_by,
        created_by_name: r.created_by_name.clone(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name as shown in the gallery (1 to 200 characters). Its
    /// extension does not decide the type: the content does.
    pub name: String,
}

/// Uploads a file to the gallery: the raw bytes as the body (a browser can
/// send a `File` as is, with progress), the name as `?name=`. The type is
/// read from the content, whatever the name or `Content-Type` say; the size
/// is held to WhatsApp's limit for that type (images 5 MB, stickers 500 KB,
/// video and audio 16 MB, documents 100 MB).
#[utoipa::path(tag = "media", params(UploadParams), request_body(content = Vec<u8>, content_type = "application/octet-stream",
    description = "The file's bytes (JPEG, PNG, WebP, MP4, 3GP, AAC, AMR, MP3, M4A, OGG, PDF, Word, Excel, PowerPoint or text)"),
    security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Stored", body = MediaItem),
    (status = 413, description = "Larger than WhatsApp allows for the file's type", body = contract::Problem, content_type = "application/problem+json"),
    (status = 415, description = "A type WhatsApp cannot send (or a multipart body)", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, Invalid,
))]
#[post("/media")]
pub async fn upload_media(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: web::Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let value_of = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let upload = MediaUpload {
        name: &query.name,
        declared_bytes: value_of(header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        is_form: value_of(header::CONTENT_TYPE)
            .unwrap_or_default()
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/"),
        uploaded_by: auth.user_id().0,
    };
    let record = media_upload::upload(&state, auth.tenant(), upload, payload).await?;
    Ok(HttpResponse::Created().json(media_dto(&state, &record)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaQuery {
    /// `image`, `video`, `audio`, `document` or `sticker`.
    pub kind: Option<String>,
    /// Part of the name, any case.
    pub q: Option<String>,
}

/// The tenant's gallery, newest first.
#[utoipa::path(tag = "media", params(MediaQuery, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<MediaItem>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/media")]
pub async fn list_media(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<MediaQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<MediaItem>>, ApiError> {
    let page = page.request()?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(MediaKind::parse(k).ok_or_else(|| {
            ApiError::field("kind", "Choose image, video, audio, document or sticker.")
        })?),
    };
    let filter = MediaFilter {
        kind,
        q: query.q.clone(),
    };
    let found = state.store.list_media(auth.tenant(), &filter, page).await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&found, page.limit, |m| m.id),
        items: found.iter().map(|m| media_dto(&state, m)).collect(),
        total: None,
    }))
}

/// One gallery file, with a fresh signed link to its bytes.
#[utoipa::path(tag = "media", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = MediaItem), Unauthenticated, Forbidden, NotFound,
))]
#[get("/media/{id}")]
pub async fn get_media(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<MediaItem>, ApiError> {
    let record = state.store.media(auth.tenant(), *id).await?;
    Ok(web::Json(media_dto(&state, &record)))
}

/// Renames a gallery file (its type and bytes stay).
#[utoipa::path(tag = "media", params(("id" = Uuid, Path)), request_body = RenameMedia, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Renamed", body = MediaItem), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[patch("/media/{id}")]
pub async fn rename_media(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<RenameMedia>,
) -> Result<web::Json<MediaItem>, ApiError> {
    let name = check_name(&body.into_inner().name).map_err(|m| ApiError::field("name", m))?;
    let record = state.store.rename_media(auth.tenant(), *id, &name).await?;
    Ok(web::Json(media_dto(&state, &record)))
}

/// "template order_update (en_US, created by Ana Silva)".
fn describe_use(u: &MediaUse) -> String {
    match u {
        MediaUse::Template {
            name,
            language,
            created_by_name,
            ..
        } => match created_by_name {
            Some(person) => format!("template {name} ({language}, created by {person})"),
            None => format!("template {name} ({language})"),
        },
        MediaUse::Messages { count, customers } => {
            let messages = if *count == 1 {
                "1 message".to_owned()
            } else {
                format!("{count} messages")
            };
            if customers.is_empty() {
                messages
            } else {
                format!("{messages} in conversations with {}", customers.join(", "))
            }
        }
    }
}

/// Deletes a gallery file and its bytes. Refused (409, naming them) while a
/// template's header uses it as its sample or a message shows it in a
/// conversation: deleting it would silently empty those messages.
#[utoipa::path(tag = "media", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[delete("/media/{id}")]
pub async fn delete_media(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let tenant = auth.tenant();
    state.store.media(tenant, *id).await?;
    // Templates and messages; broadcasts will add their uses in
    // `Store::media_uses`, and this refusal covers them unchanged.
    let uses = state.store.media_uses(tenant, *id).await?;
    if !uses.is_empty() {
        let named: Vec<String> = uses.iter().map(describe_use).collect();
        return Err(ApiError::Conflict {
            code: "media_in_use",
            detail: format!(
                "Used by {}. Choose another file there first.",
                named.join("; ")
            ),
        });
    }
    let removed = state.store.delete_media(tenant, *id).await?;
    if let Err(e) = state.media.delete(&removed.object_key).await {
        // The row is gone; an orphaned object only costs space.
        tracing::warn!(key = %removed.object_key, error = %e, "removing a deleted media file");
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContentParams {
    /// Signed links only: the tenant.
    pub tenant: Option<Uuid>,
    /// Signed links only: expiry, Unix seconds.
    pub exp: Option<i64>,
    /// Signed links only: the signature. Without it, a bearer token with
    /// `media.view` is needed.
    pub sig: Option<String>,
}

/// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size`; anything
/// else (several ranges, nonsense) is ignored and the whole file is served.
fn byte_range(value: Option<&str>, size: u64) -> Option<std::ops::Range<u64>> {
    let spec = value?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.checked_sub(n.min(size))?, size - 1)
        }
        (start, "") => (start.parse().ok()?, size - 1),
        (start, end) => (start.parse().ok()?, end.parse::<u64>().ok()?.min(size - 1)),
    };
    (start <= end && start < size).then_some(start..end + 1)
}

/// Every file response: a document opened directly can run nothing, load
/// nothing and be framed by nobody.
pub const FILE_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

/// `inline; filename="menu.jpg"; filename*=UTF-8''men%C3%BA.jpg`.
fn content_disposition(disposition: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The file's bytes. Allow-listed images, audio and video are served
/// inline; everything else downloads as an attachment, and nothing is ever
/// rendered as a page of ours (`nosniff`, a sandboxing CSP). Members send their bearer
/// token; `<img src>`, `<video>` and links use the signed `url` of the
/// item (`?tenant=&exp=&sig=`): 401 once expired, 403 when the signature
/// does not match. Single byte ranges are honoured for players.
#[utoipa::path(tag = "media", params(("id" = Uuid, Path), ContentParams), security(("bearer_jwt" = []), ()), responses(
    (status = 200, description = "The bytes", content_type = "application/octet-stream", body = Vec<u8>),
    (status = 206, description = "Part of the bytes (Range)", content_type = "application/octet-stream", body = Vec<u8>),
    Unauthenticated, Forbidden, NotFound,
))]
#[get("/media/{id}/content")]
pub async fn media_content(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Option<Authenticated>,
    id: web::Path<Uuid>,
    query: web::Query<ContentParams>,
) -> Result<HttpResponse, ApiError> {
    let tenant = content_tenant(&state, &query, auth, *id)?;
    let record = state.store.media(tenant, *id).await?;
    let range = byte_range(
        req.headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok()),
        record.size_bytes,
    );
    let stream = state
        .media
        .read(&record.object_key, range.clone())
        .await?
        .map(|chunk| chunk.map_err(actix_web::error::ErrorInternalServerError));
    Ok(file_response(&record, range.as_ref()).streaming(stream))
}

/// Whose file a content request may read: the tenant of a valid signed
/// link, else the signed-in member's.
fn content_tenant(
    state: &AppState,
    query: &ContentParams,
    auth: Option<Authenticated>,
    id: Uuid,
) -> Result<TenantId, ApiError> {
    match (&query.sig, auth) {
        (Some(sig), _) => {
            let (Some(tenant), Some(exp)) = (query.tenant, query.exp) else {
                return Err(ApiError::forbidden(
                    "bad_signature",
                    "This link is incomplete. Open the file from the gallery again.",
                ));
            };
            match state.media_urls.check(tenant, id, exp, sig, Utc::now()) {
                Ok(()) => Ok(TenantId(tenant)),
                Err(LinkProblem::Expired) => Err(ApiError::Unauthorized {
                    code: "link_expired",
                    detail: "This link has expired. Open the file from the gallery again.".into(),
                }),
                Err(LinkProblem::BadSignature) => Err(ApiError::forbidden(
                    "bad_signature",
                    "This link is not valid. Open the file from the gallery again.",
                )),
            }
        }
        (None, Some(auth)) => Ok(auth.tenant()),
        (None, None) => Err(ApiError::unauthorized(
            "Sign in and send the access token as a Bearer token, or use the file's signed url.",
        )),
    }
}

/// The headers of a file's bytes (or of the requested range of them):
/// shown inline only for allow-listed types, never sniffed, never run.
fn file_response(
    record: &store::MediaRecord,
    range: Option<&std::ops::Range<u64>>,
) -> actix_web::HttpResponseBuilder {
    let content_type = domain::media::served_type(&record.mime_type);
    let disposition = if domain::media::shows_inline(content_type) {
        "inline"
    } else {
        "attachment"
    };
    let mut response = match range {
        Some(r) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{}", r.start, r.end - 1, record.size_bytes),
            ));
            partial
        }
        None => HttpResponse::Ok(),
    };
    let length = range.map_or(record.size_bytes, |r| r.end - r.start);
    response
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(disposition, &record.name),
        ))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, FILE_CSP))
        .no_chunking(length);
    response
}

/// Uploads a gallery file to a channel's provider (Meta), or answers the
/// id of an earlier upload that is still valid.
#[utoipa::path(tag = "media", params(("id" = Uuid, Path)), request_body = ProviderUploadRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "The provider's id for the file", body = ProviderUpload),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/media/{id}/provider-upload")]
pub async fn upload_to_provider(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<ProviderUploadRequest>,
) -> Result<web::Json<ProviderUpload>, ApiError> {
    let request = body.into_inner();
    let record = state.store.media(auth.tenant(), *id).await?;
    let channel = state
        .store
        .channel(auth.tenant(), ChannelId(request.channel_id))
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => {
                ApiError::field("channel_id", "Choose a channel of this tenant.")
            }
            other => other.into(),
        })?;
    let (upload, reused) = app::media::ensure_on_channel(&state, &channel, &record).await?;
    Ok(web::Json(ProviderUpload {
        media_id: upload.media_id,
        channel_id: upload.channel_id.0,
        provider_media_id: upload.provider_media_id,
        expires_at: upload.expires_at,
        uploaded_at: upload.uploaded_at,
        reused,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_byte_ranges_are_read_and_others_ignored() {
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Some(0..10));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Some(90..100));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Some(90..100));
        assert_eq!(byte_range(Some("bytes=50-500"), 100), Some(50..100));
        assert_eq!(byte_range(Some("bytes=100-"), 100), None);
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), None);
        assert_eq!(byte_range(Some("items=0-1"), 100), None);
        assert_eq!(byte_range(None, 100), None);
    }

    #[test]
    fn file_names_are_quoted_safely() {
        assert_eq!(
            content_disposition("inline", "menú \"v2\".pdf"),
            "inline; filename=\"men_ _v2_.pdf\"; filename*=UTF-8''men%C3%BA%20%22v2%22.pdf"
        );
    }
}
