//! Contact imports (upload, start, progress, cancel, history, failed rows)
//! and the CSV export. Uploads send the file's raw bytes; downloads come back
//! as a [`Download`] the page hands to the browser.

use contract::contacts::{ContactImport, ImportPreview, StartImportRequest};
use contract::Page;
use gloo_net::http::{Request, Response};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::super::{decode, encode, problem_of, ApiError, Verb, BASE};
use super::Authed;

/// A file the server sent, ready to save.
#[derive(Debug, Clone)]
pub struct Download {
    /// From `Content-Disposition`, else the fallback the caller gave.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The file name in a `Content-Disposition: attachment; filename="…"` header.
fn disposition_name(header: &str) -> Option<String> {
    let start = header.find("filename=")? + "filename=".len();
    let name = header[start..]
        .split(';')
        .next()?
        .trim()
        .trim_matches('"')
        .to_string();
    (!name.is_empty()).then_some(name)
}

/// The query string of export filters (empty values are skipped).
pub fn filter_query(filters: &[(String, String)]) -> String {
    filters
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

impl Authed {
    /// Sends a request whose body is not JSON (a file) or whose answer is not
    /// JSON (a CSV), with the same token refresh as every other call.
    async fn send_other(
        &self,
        verb: Verb,
        path: &str,
        body: Option<(&JsValue, &str)>,
        accept: &str,
    ) -> Result<Response, ApiError> {
        let build = |token: &str| {
            let url = format!("{BASE}{path}");
            let b = match verb {
                Verb::Post => Request::post(&url),
                _ => Request::get(&url),
            }
            .header("Accept", accept)
            .header("Authorization", &format!("Bearer {token}"));
            match body {
                Some((data, content_type)) => {
                    b.header("Content-Type", content_type).body(data.clone())
                }
                None => b.build(),
            }
            .map_err(|e| ApiError::Network(e.to_string()))
        };
        let send = |token: String| async move {
            build(&token)?
                .send()
                .await
                .map_err(|e| ApiError::Network(e.to_string()))
        };
        let (mut token, _, expires_at) = self.current()?;
        if expires_at - js_sys::Date::now() < super::EARLY_REFRESH_MS {
            token = self.refresh(&token).await?;
        }
        let resp = send(token.clone()).await?;
        if resp.status() != 401 {
            return Ok(resp);
        }
        let token = self.refresh(&token).await?;
        let resp = send(token).await?;
        if resp.status() == 401 {
            self.auth.clear();
            return Err(ApiError::SignedOut);
        }
        Ok(resp)
    }

    async fn download(&self, path: &str, fallback: &str) -> Result<Download, ApiError> {
        let resp = self
            .send_other(Verb::Get, path, None, "text/csv, application/problem+json")
            .await?;
        if !resp.ok() {
            return Err(problem_of(resp).await);
        }
        let file_name = resp
            .headers()
            .get("content-disposition")
            .and_then(|h| disposition_name(&h))
            .unwrap_or_else(|| fallback.to_string());
        let bytes = resp
            .binary()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Download { file_name, bytes })
    }

    /// Uploads a CSV or .xlsx file (a `File` or `Blob`) and answers its
    /// header and first rows.
    pub async fn upload_import(
        &self,
        file_name: &str,
        content_type: &str,
        file: &JsValue,
    ) -> Result<ImportPreview, ApiError> {
        let path = format!("/contacts/imports?file_name={}", encode(file_name));
        let resp = self
            .send_other(
                Verb::Post,
                &path,
                Some((file, content_type)),
                "application/json",
            )
            .await?;
        decode(resp).await
    }

    pub async fn start_import(
        &self,
        id: Uuid,
        req: &StartImportRequest,
    ) -> Result<ContactImport, ApiError> {
        self.with_body(Verb::Post, &format!("/contacts/imports/{id}/start"), req)
            .await
    }

    pub async fn contact_import(&self, id: Uuid) -> Result<ContactImport, ApiError> {
        self.get(&format!("/contacts/imports/{id}")).await
    }

    pub async fn cancel_import(&self, id: Uuid) -> Result<ContactImport, ApiError> {
        self.with_body(
            Verb::Post,
            &format!("/contacts/imports/{id}/cancel"),
            &serde_json::json!({}),
        )
        .await
    }

    /// Import history, newest first.
    pub async fn contact_imports(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<ContactImport>, ApiError> {
        let mut path = format!("/contacts/imports?limit={limit}");
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    /// The failed rows of an import as CSV: line, reason, then the cells.
    pub async fn import_failures(&self, id: Uuid) -> Result<Download, ApiError> {
        self.download(
            &format!("/contacts/imports/{id}/failures"),
            &format!("import-{id}-failures.csv"),
        )
        .await
    }

    /// The contacts matching `filters` (the `GET /contacts` query pairs) as
    /// CSV; `columns` empty means the server's default set.
    pub async fn export_contacts(
        &self,
        filters: &[(String, String)],
        columns: &[String],
    ) -> Result<Download, ApiError> {
        let mut query = filter_query(filters);
        if !columns.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&format!("columns={}", encode(&columns.join(","))));
        }
        let path = if query.is_empty() {
            "/contacts/export".to_string()
        } else {
            format!("/contacts/export?{query}")
        };
        self.download(&path, "contacts.csv").await
    }
}

#[cfg(test)]
mod tests {
    use super::disposition_name;

    #[test]
    fn reads_the_file_name_of_a_disposition() {
        assert_eq!(
            disposition_name("attachment; filename=\"contacts-1.csv\"").as_deref(),
            Some("contacts-1.csv")
        );
        assert_eq!(disposition_name("attachment"), None);
    }
}
