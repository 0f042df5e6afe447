//! Tenants: the businesses sharing one instance, and their settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant as a member sees it in the tenant picker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSummary {
    pub id: Uuid,
    pub name: String,
    /// The member's role name in this tenant.
    pub role: String,
}

/// A tenant's settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d", "name": "Acme Support", "company_name": "Acme Ltd", "time_zone": "Europe/London", "default_country": "GB", "created_at": "2026-11-01T09:30:00Z"})))]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub company_name: String,
    /// IANA time zone, e.g. `Asia/Kolkata`.
    pub time_zone: String,
    /// ISO 3166-1 alpha-2; numbers without a country code are read as this country's.
    pub default_country: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub default_country: Option<String>,
}

/// Instance administrators create tenants and invite their first owner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Globex Sales",
    "company_name": "Globex Corp",
    "time_zone": "America/New_York",
    "default_country": "US",
    "owner_email": "hank@globex.example",
    "owner_name": "Hank Scorpio"
})))]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    pub name: String,
    #[serde(default)]
    pub company_name: String,
    pub time_zone: String,
    pub default_country: String,
    pub owner_email: String,
    pub owner_name: String,
}

/// The new tenant, and how its owner gets in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner_id: Uuid,
    /// The owner's invitation link (valid 7 days), only when this instance
    /// cannot send email; otherwise it was emailed to the owner. Absent when
    /// you made yourself the owner: you are in at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
}
