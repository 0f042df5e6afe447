//! Reusable error answers for the OpenAPI document.

use contract::Problem;
use utoipa::IntoResponses;

/// 401: no token, a forged or expired one, or a membership that ended.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Unauthenticated {
    #[response(
        status = 401,
        description = "Missing, invalid or expired access token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
}

/// 403: the role lacks the route's permission.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Forbidden {
    #[response(
        status = 403,
        description = "The role lacks the permission this route needs",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

/// 404: absent, or another tenant's; 400: the id is not a UUID.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum NotFound {
    #[response(
        status = 400,
        description = "The id in the address is not a UUID",
        content_type = "application/problem+json"
    )]
    BadId(Problem),
    #[response(
        status = 404,
        description = "Absent, or belongs to another tenant",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// 400 and 422: malformed or invalid input, with field errors.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Invalid {
    #[response(
        status = 400,
        description = "Malformed request (bad JSON, id or query)",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 422,
        description = "Invalid input; `errors` maps fields to messages",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
}

/// 409: conflicts with existing state.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Conflict {
    #[response(
        status = 409,
        description = "Conflicts with existing state",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
}

/// 429: too many attempts; see `Retry-After`.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum RateLimited {
    #[response(status = 429, description = "Too many attempts; retry after `Retry-After` seconds", content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooMany(Problem),
}
