//! Shapes shared by every area: pages, problems.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One page of a list. Pass `next_cursor` back as `?cursor=` for the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `null` on the last page.
    pub next_cursor: Option<String>,
    /// Total matching items, where cheap to count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// An RFC 9457 problem document: every error answer has this shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://switchboard.dev/problems/validation_failed",
    "title": "Some fields need attention",
    "status": 422,
    "detail": "Check the highlighted fields and try again.",
    "code": "validation_failed",
    "errors": { "email": ["Enter a valid email address."] },
    "request_id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d"
})))]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable, machine-readable; the SPA translates it.
    pub code: String,
    /// Field name -> messages, for validation failures.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Answer of the health probes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or `unavailable` with a reason.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
