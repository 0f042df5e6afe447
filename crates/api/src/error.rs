//! The API's one error type, answered as RFC 9457 `application/problem+json`.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use contract::Problem;
use domain::account::FieldErrors;
use domain::permissions::RoleRuleViolation;
use store::StoreError;

use crate::request_context;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("request body too large")]
    PayloadTooLarge { limit: usize },
    #[error("{detail}")]
    TooLarge { detail: String },
    /// A file of a type that cannot be used here (415).
    #[error("{detail}")]
    UnsupportedMediaType { code: &'static str, detail: String },
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// A provider could not be reached or answered with trouble of its own.
    #[error("{detail}")]
    Upstream { code: &'static str, detail: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn unauthorized(detail: &str) -> Self {
        ApiError::Unauthorized {
            code: "unauthenticated",
            detail: detail.to_owned(),
        }
    }

    pub fn forbidden(code: &'static str, detail: &str) -> Self {
        ApiError::Forbidden {
            code,
            detail: detail.to_owned(),
        }
    }

    pub fn conflict(code: &'static str, detail: &str) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.to_owned(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn field(field: &str, message: &str) -> Self {
        ApiError::Validation(FieldErrors::single(field, message))
    }

    fn parts(&self) -> (&'static str, &'static str, Option<String>) {
        match self {
            ApiError::BadRequest { code, detail } => (code, "Bad request", Some(detail.clone())),
            ApiError::Unauthorized { code, detail } => {
                (code, "Not signed in", Some(detail.clone()))
            }
            ApiError::Forbidden { code, detail } => (code, "Not allowed", Some(detail.clone())),
            ApiError::NotFound => (
                "not_found",
                "Not found",
                Some("Nothing exists at this address, or it belongs to someone else.".into()),
            ),
            ApiError::MethodNotAllowed { allow } => (
                "method_not_allowed",
                "Method not allowed",
                Some(format!("This address accepts: {allow}.")),
            ),
            ApiError::Conflict { code, detail } => (code, "Conflict", Some(detail.clone())),
            ApiError::PayloadTooLarge { limit } => (
                "payload_too_large",
                "Request too large",
                Some(format!("The request body may be at most {limit} bytes.")),
            ),
            ApiError::TooLarge { detail } => ("too_large", "Too large", Some(detail.clone())),
            ApiError::UnsupportedMediaType { code, detail } => {
                (code, "Unsupported file type", Some(detail.clone()))
            }
            ApiError::Validation(_) => (
                "validation_failed",
                "Some fields need attention",
                Some("Check the highlighted fields and try again.".into()),
            ),
            ApiError::Unprocessable { code, detail } => {
                (code, "Cannot do that", Some(detail.clone()))
            }
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                "Too many attempts",
                Some(format!(
                    "Wait {retry_after_secs} seconds before trying again."
                )),
            ),
            ApiError::Upstream { code, detail } => {
                (code, "The provider did not answer", Some(detail.clone()))
            }
            ApiError::Internal(_) => (
                "internal_error",
                "Something went wrong",
                Some("The server could not complete the request. It has been logged.".into()),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (code, title, detail) = self.parts();
        let errors = match self {
            ApiError::Validation(fields) => fields.clone().into_map(),
            _ => BTreeMap::new(),
        };
        Problem {
            problem_type: format!("https://switchboard.dev/problems/{code}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            code: code.to_owned(),
            errors,
            request_id: request_context::current_request_id(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } | ApiError::TooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let ApiError::RateLimited { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if let ApiError::MethodNotAllowed { allow } = self {
            response.insert_header((header::ALLOW, allow.clone()));
        }
        if matches!(self, ApiError::Unauthorized { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<app::AppError> for ApiError {
    /// The use-cases' failures keep the statuses, codes and words the API
    /// always answered.
    fn from(err: app::AppError) -> Self {
        use app::AppError as E;
        match err {
            E::NotFound => ApiError::NotFound,
            E::Conflict { code, detail } => ApiError::Conflict { code, detail },
            E::Unprocessable { code, detail } => ApiError::Unprocessable { code, detail },
            E::Validation(fields) => ApiError::Validation(fields),
            E::Unauthorized { code, detail } => ApiError::Unauthorized { code, detail },
            E::Forbidden { code, detail } => ApiError::Forbidden { code, detail },
            E::RateLimited { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
            E::BadRequest { code, detail } => ApiError::BadRequest { code, detail },
            E::BodyTooLarge { limit } => ApiError::PayloadTooLarge { limit },
            E::TooLarge { detail } => ApiError::TooLarge { detail },
            E::UnsupportedMediaType { code, detail } => {
                ApiError::UnsupportedMediaType { code, detail }
            }
            E::Upstream { code, detail } => ApiError::Upstream { code, detail },
            E::Rule(rule) => rule.into(),
            E::Store(e) => e.into(),
            E::Media(e) => e.into(),
            E::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<app::event_writer::WriteError> for ApiError {
    /// A 5xx tells the provider to deliver the webhook again later.
    fn from(err: app::event_writer::WriteError) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict("last_owner") => ApiError::conflict(
                "last_owner",
                "A tenant must keep at least one active owner.",
            ),
            StoreError::Conflict("already_member") => ApiError::conflict(
                "already_member",
                "This person is already a member of the tenant.",
            ),
            StoreError::Conflict("invitation_pending") => ApiError::conflict(
                "invitation_pending",
                "This person has not accepted the invitation yet. Remove them to withdraw it.",
            ),
            StoreError::Conflict("password_set") => ApiError::conflict(
                "password_set",
                "This account already has a password. Sign in with it to accept the invitation.",
            ),
            StoreError::Conflict("setup_done") => ApiError::conflict(
                "setup_done",
                "This instance is already set up. Sign in instead.",
            ),
            StoreError::Conflict("role_in_use") => ApiError::conflict(
                "role_in_use",
                "Members still hold this role. Give them another role first.",
            ),
            StoreError::Conflict("builtin_role") => ApiError::conflict(
                "builtin_role",
                "Built-in roles cannot be changed or deleted.",
            ),
            StoreError::Conflict(code) => {
                ApiError::conflict(code, "This conflicts with something that already exists.")
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<object_store::Error> for ApiError {
    fn from(err: object_store::Error) -> Self {
        match err {
            // A row whose file is gone: nothing to serve.
            object_store::Error::NotFound { path, .. } => {
                tracing::warn!(%path, "media file missing from storage");
                ApiError::NotFound
            }
            other => ApiError::Internal(format!("media storage: {other}")),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<RoleRuleViolation> for ApiError {
    fn from(v: RoleRuleViolation) -> Self {
        let detail = v.to_string();
        match v {
            RoleRuleViolation::LastOwner => ApiError::Conflict {
                code: "last_owner",
                detail,
            },
            RoleRuleViolation::BuiltinImmutable => ApiError::Conflict {
                code: "builtin_role",
                detail,
            },
            RoleRuleViolation::OwnerOnly => ApiError::Forbidden {
                code: "owner_only",
                detail,
            },
            RoleRuleViolation::Escalation => ApiError::Forbidden {
                code: "privilege_escalation",
                detail,
            },
            RoleRuleViolation::Outranked => ApiError::Forbidden {
                code: "outranked",
                detail,
            },
            RoleRuleViolation::SelfChange => ApiError::Unprocessable {
                code: "self_change",
                detail,
            },
        }
    }
}

/// Turns actix's extractor failures into problems: malformed JSON is 400,
/// well-formed JSON of the wrong shape (unknown or missing fields) is 422,
/// oversize is 413.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        E::ContentType => ApiError::BadRequest {
            code: "unsupported_content_type",
            detail: "Send the body as application/json.".into(),
        },
        E::Deserialize(e) if e.is_data() => ApiError::Unprocessable {
            code: "invalid_body",
            detail: format!("The body does not match the expected shape: {e}"),
        },
        E::Deserialize(e) => ApiError::BadRequest {
            code: "malformed_json",
            detail: format!("The body is not valid JSON: {e}"),
        },
        other => ApiError::BadRequest {
            code: "bad_body",
            detail: other.to_string(),
        },
    }
}

pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_path",
        detail: format!("A value in the address is not valid: {err}"),
    }
}

pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        detail: format!("A query parameter is not valid: {err}"),
    }
}
