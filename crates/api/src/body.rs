//! `Body<T>`: a JSON request body that must be an object. serde would also
//! accept a JSON array for a struct (`[null, null]`); the API does not.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct Body<T>(pub T);

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
