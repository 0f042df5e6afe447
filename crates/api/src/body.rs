//! `Body<T>`: a JSON request body that must be an object. serde would also
//! accept a JSON array for a struct (`[null, null]`); the API does not.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct Body<T>(pub T);

/// The path of the first string (or key) in `value` holding a NUL
/// character: no text field may (PostgreSQL cannot store one).
pub fn nul_at(value: &serde_json::Value, here: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(here.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, &format!("{here}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let at = if here.is_empty() {
                k.clone()
            } else {
                format!("{here}.{k}")
            };
            if k.contains('\0') {
                Some(at)
            } else {
                nul_at(v, &at)
            }
        }),
        _ => None,
    }
}

/// Refuses a NUL character anywhere in the address (`%00` in the path or
/// the query) with 422, before any handler reads it.
pub async fn address_middleware(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<
        actix_web::body::EitherBody<impl actix_web::body::MessageBody + 'static>,
    >,
    actix_web::Error,
> {
    let uri = req.uri();
    let raw_path = uri.path();
    let query = uri.query().unwrap_or_default();
    if raw_path.contains("%00") || query.contains("%00") {
        let err = nul_error(if query.contains("%00") {
            "the query"
        } else {
            "the path"
        });
        return Ok(req.error_response(err).map_into_right_body());
    }
    next.call(req)
        .await
        .map(actix_web::dev::ServiceResponse::map_into_left_body)
}

/// 422 for a NUL character in a text field.
pub fn nul_error(at: &str) -> ApiError {
    let at = if at.is_empty() { "the request" } else { at };
    ApiError::Unprocessable {
        code: "nul_character",
        detail: format!("`{at}` holds a NUL character, which no text may contain."),
    }
}

/// Removes NUL characters from every string (and key) of `value`: what
/// customers and providers send is kept, minus what cannot be stored.
pub fn strip_nul(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nul),
        serde_json::Value::Object(map) => {
            if map.keys().any(|k| k.contains('\0')) {
                let entries = std::mem::take(map);
                for (mut k, v) in entries {
                    k.retain(|c| c != '\0');
                    map.insert(k, v);
                }
            }
            map.values_mut().for_each(strip_nul);
        }
        _ => {}
    }
}

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        // Size limit, content type and syntax are checked by `web::Json` with
        // the app's JsonConfig; its errors are already problems.
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            if !value.is_object() {
                return Err(ApiError::Unprocessable {
                    code: "invalid_body",
                    detail: "The body must be a JSON object.".into(),
                }
                .into());
            }
            if let Some(at) = nul_at(&value, "") {
                return Err(nul_error(&at).into());
            }
            serde_json::from_value(value).map(Body).map_err(|e| {
                ApiError::Unprocessable {
                    code: "invalid_body",
                    detail: format!("The body does not match the expected shape: {e}"),
                }
                .into()
            })
        })
    }
}
