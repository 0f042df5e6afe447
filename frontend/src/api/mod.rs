//! The one HTTP client of the SPA, split in two: [`public`] for the calls
//! anyone may make (setup, sign-in, password reset) and [`authed::Authed`],
//! which can only be built from a signed-in [`session::Auth`] and so cannot
//! send a protected request without a token.

pub mod authed;
pub mod live;
pub mod public;
pub mod session;

use std::collections::BTreeMap;

use contract::Problem;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use crate::i18n::{lookup, t};

pub use authed::{Authed, ControlAction, ConversationQuery};
pub use session::Auth;

/// Every route lives under this prefix, on the SPA's own origin.
pub const BASE: &str = "/api/v1";

/// Field name -> messages, as in a problem's `errors`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an RFC 9457 problem (or an error we wrapped as one).
    Problem(Problem),
    /// The request never got an answer.
    Network(String),
    /// The answer did not have the expected shape.
    Decode(String),
    /// The session ended (refresh failed); the app returns to sign-in.
    SignedOut,
}

impl ApiError {
    /// Per-field messages to show next to inputs.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            ApiError::Problem(p) => p.errors.clone(),
            _ => FieldErrors::new(),
        }
    }

    /// A sentence for a toast or banner: the translated `code` when we know it,
    /// else the server's `detail`, else its `title`.
    pub fn message(&self) -> String {
        match self {
            ApiError::Problem(p) => lookup(&format!("error.{}", p.code))
                .or_else(|| p.detail.clone().filter(|d| !d.is_empty()))
                .unwrap_or_else(|| p.title.clone()),
            ApiError::Network(_) => t("error.network"),
            ApiError::Decode(_) => t("error.decode"),
            ApiError::SignedOut => t("error.signed_out"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

fn builder(verb: Verb, url: &str) -> RequestBuilder {
    match verb {
        Verb::Get => Request::get(url),
        Verb::Post => Request::post(url),
        Verb::Put => Request::put(url),
        Verb::Patch => Request::patch(url),
        Verb::Delete => Request::delete(url),
    }
}

/// Sends one request; `path` is relative to [`BASE`].
pub(crate) async fn send_raw(
    verb: Verb,
    path: &str,
    body: Option<&serde_json::Value>,
    token: Option<&str>,
) -> Result<Response, ApiError> {
    let url = format!("{BASE}{path}");
    let mut b = builder(verb, &url).header("Accept", "application/json");
    if let Some(token) = token {
        b = b.header("Authorization", &format!("Bearer {token}"));
    }
    let req = match body {
        Some(body) => b.json(body),
        None => b.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    req.send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// Turns an error answer into a [`Problem`], inventing one when the body is not
/// a problem document (a proxy's HTML page, for example).
pub(crate) async fn problem_of(resp: Response) -> ApiError {
    let status = resp.status();
    let status_text = resp.status_text();
    let text = resp.text().await.unwrap_or_default();
    problem_from(status, status_text, &text)
}

/// An error answer's body as a [`Problem`], or one made up from the status.
pub(crate) fn problem_from(status: u16, status_text: String, text: &str) -> ApiError {
    match serde_json::from_str::<Problem>(text) {
        Ok(p) => ApiError::Problem(p),
        Err(_) => ApiError::Problem(Problem {
            problem_type: "about:blank".into(),
            title: if status_text.is_empty() {
                format!("HTTP {status}")
            } else {
                status_text
            },
            status,
            detail: None,
            code: format!("http_{status}"),
            errors: FieldErrors::new(),
            request_id: None,
        }),
    }
}

pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if !resp.ok() {
        return Err(problem_of(resp).await);
    }
    resp.json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

pub(crate) async fn expect_ok(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        Err(problem_of(resp).await)
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Decode(e.to_string()))
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}
