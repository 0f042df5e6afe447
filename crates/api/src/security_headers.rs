//! Security headers on every response: no MIME sniffing, no framing, no
//! referrer, HSTS when the public address is HTTPS, and a Content Security
//! Policy chosen by what the response is (the SPA, Swagger UI, or anything
//! else, which may run nothing at all).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// Responses that are not pages (JSON, files, CSV): nothing in them runs.
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Swagger UI sets inline styles and data: images; its scripts are files.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'";

/// A year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The SPA's policy. Scripts: our own files, the WebAssembly module
/// (`wasm-unsafe-eval`) and exactly the inline start-up scripts trunk wrote
/// into `index.html`, by hash. Styles allow inline attributes: Leptos sets
/// `style` attributes, and styles cannot run code.
pub fn spa_csp(inline_script_hashes: &[String]) -> String {
    let hashes: String = inline_script_hashes
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action 'self'; object-src 'none'; frame-ancestors 'none'"
    )
}

/// The SHA-256 (base64) of each inline `<script>` of a page: the start-up
/// snippet trunk writes. Scripts with a `src` are not inline.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start + "<script".len()..];
        let Some(tag_end) = rest.find('>') else { break };
        let attributes = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(close) = rest.find("</script>") else {
            break;
        };
        let body = &rest[..close];
        rest = &rest[close..];
        if !attributes.contains("src=") && !body.is_empty() {
            hashes.push(STANDARD.encode(Sha256::digest(body.as_bytes())));
        }
    }
    hashes
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.public_url.starts_with("https://"));
    let docs = req.path().starts_with("/api/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = match (page, docs) {
            (true, true) => HeaderValue::from_static(DOCS_CSP),
            // A page we did not hash (the "not built" notice) runs nothing.
            (true, false) => HeaderValue::from_str(&spa_csp(&[]))
                .unwrap_or_else(|_| HeaderValue::from_static(NON_PAGE_CSP)),
            (false, _) => HeaderValue::from_static(NON_PAGE_CSP),
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<head><script type="module" src="/app.js"></script>
<script type="module">import init from '/app.js';await init();</script></head>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(
            hashes,
            vec![STANDARD.encode(Sha256::digest(b"import init from '/app.js';await init();"))]
        );
        let csp = spa_csp(&hashes);
        assert!(csp.contains(&format!("'sha256-{}'", hashes[0])));
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
        assert!(!script_src.contains("'unsafe-eval'"), "{script_src}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
