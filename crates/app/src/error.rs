//! The application layer's one error type. `api` maps it to HTTP problems
//! (status, code and message in one place); workers log it and retry.

use domain::account::FieldErrors;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing of that id in the tenant (or it belongs to another).
    #[error("not found")]
    NotFound,
    /// The request clashes with what exists (409).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// Well-formed but not possible now (422).
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// Fields to correct (422, with the fields).
    #[error("validation failed")]
    Validation(FieldErrors),
    /// Not signed in, or the credentials are wrong (401).
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// Signed in, but not allowed this (403).
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// Too many tries; again after `retry_after_secs` (429).
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A role rule said no (who may change whom, and to what).
    #[error("{0:?}")]
    Rule(domain::permissions::RoleRuleViolation),
    /// The request's body could not be read (400).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// A body longer than `limit` bytes (413, naming the limit).
    #[error("the body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// A file past what may be kept of its kind (413).
    #[error("{detail}")]
    TooLarge { detail: String },
    /// A file of a type that cannot be used (415).
    #[error("{detail}")]
    UnsupportedMediaType { code: &'static str, detail: String },
    /// A provider could not be reached or answered with trouble of its own.
    #[error("{detail}")]
    Upstream { code: &'static str, detail: String },
    /// The store's own failure, mapped by the caller (its conflicts carry
    /// codes the API words).
    #[error(transparent)]
    Store(StoreError),
    /// The media storage failed (a missing object reads as not found).
    #[error("media storage: {0}")]
    Media(#[from] object_store::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn conflict(code: &'static str, detail: &str) -> Self {
        AppError::Conflict {
            code,
            detail: detail.to_owned(),
        }
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Unprocessable {
            code,
            detail: detail.into(),
        }
    }

    pub fn field(field: &str, message: &str) -> Self {
        AppError::Validation(FieldErrors::single(field, message))
    }

    /// A store error where "not found" means the request named something
    /// that is not there: that becomes `message` on `field`.
    pub fn missing_as_field(field: &str, message: &str) -> impl FnOnce(StoreError) -> Self {
        let (field, message) = (field.to_owned(), message.to_owned());
        move |err| match err {
            StoreError::NotFound => AppError::field(&field, &message),
            other => other.into(),
        }
    }
}

impl From<domain::permissions::RoleRuleViolation> for AppError {
    fn from(rule: domain::permissions::RoleRuleViolation) -> Self {
        AppError::Rule(rule)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<crate::event_writer::WriteError> for AppError {
    fn from(err: crate::event_writer::WriteError) -> Self {
        AppError::Internal(err.to_string())
    }
}
