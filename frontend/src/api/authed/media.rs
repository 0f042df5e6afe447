//! The media gallery: list, upload with progress, rename, delete, and
//! pushing an item to a channel's provider.

use contract::media::{MediaItem, RenameMedia};
use contract::Page;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{ProgressEvent, XmlHttpRequest};

use super::super::{encode, problem_from, ApiError, Verb, BASE};
use super::Authed;

impl Authed {
    /// `kind` is image, video, audio, document or sticker; empty for all.
    pub async fn media(
        &self,
        kind: &str,
        q: &str,
        cursor: Option<&str>,
    ) -> Result<Page<MediaItem>, ApiError> {
        let mut path = "/media?limit=60".to_string();
        if !kind.is_empty() {
            path.push_str(&format!("&kind={}", encode(kind)));
        }
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", encode(q.trim())));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn media_item(&self, id: Uuid) -> Result<MediaItem, ApiError> {
        self.get(&format!("/media/{id}")).await
    }

    pub async fn rename_media(&self, id: Uuid, name: &str) -> Result<MediaItem, ApiError> {
        let req = RenameMedia {
            name: name.to_string(),
        };
        self.with_body(Verb::Patch, &format!("/media/{id}"), &req)
            .await
    }

    pub async fn delete_media(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/media/{id}"), None)
            .await
    }

    /// Uploads a file to the gallery; `progress` gets the sent fraction
    /// (0.0 to 1.0) as the bytes go. XMLHttpRequest, because fetch does not
    /// report upload progress.
    pub async fn upload_media(
        &self,
        file: &web_sys::File,
        progress: impl Fn(f64) + 'static,
    ) -> Result<MediaItem, ApiError> {
        let (mut token, _, expires_at) = self.current()?;
        if expires_at - js_sys::Date::now() < super::EARLY_REFRESH_MS {
            token = self.refresh(&token).await?;
        }
        let (status, text) = xhr_upload(file, &token, progress).await?;
        if status == 401 {
            let token = self.refresh(&token).await?;
            let (status, text) = xhr_upload(file, &token, |_| {}).await?;
            return answer(status, &text);
        }
        answer(status, &text)
    }
}

fn network(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network(format!("{e:?}"))
}

async fn xhr_upload(
    file: &web_sys::File,
    token: &str,
    progress: impl Fn(f64) + 'static,
) -> Result<(u16, String), ApiError> {
    let xhr = XmlHttpRequest::new().map_err(network)?;
    let url = format!("{BASE}/media?name={}", encode(&file.name()));
    xhr.open("POST", &url).map_err(network)?;
    xhr.set_request_header("Authorization", &format!("Bearer {token}"))
        .map_err(network)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(network)?;
    let content_type = if file.type_().is_empty() {
        "application/octet-stream".to_string()
    } else {
        file.type_()
    };
    xhr.set_request_header("Content-Type", &content_type)
        .map_err(network)?;
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            progress(ev.loaded() / ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(file)).map_err(network)?;
    let finished = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);
    finished.map_err(|_| ApiError::Network("upload interrupted".into()))?;
    let status = xhr.status().map_err(network)?;
    let text = xhr.response_text().map_err(network)?.unwrap_or_default();
    Ok((status, text))
}

fn answer(status: u16, text: &str) -> Result<MediaItem, ApiError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()));
    }
    Err(problem_from(status, String::new(), text))
}
