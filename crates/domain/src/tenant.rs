//! Tenant settings: the business behind a tenant and its local defaults.

use crate::account::FieldErrors;

/// Company name, time zone and default country of a tenant, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    pub name: String,
    pub company_name: String,
    pub time_zone: String,
    pub default_country: String,
}

pub const NAME_MAX: usize = 100;

impl TenantSettings {
    /// Checks and normalises settings submitted by a person. The country is an
    /// ISO 3166-1 alpha-2 code WhatsApp numbers can belong to; the time zone an
    /// IANA name.
    pub fn new(
        name: &str,
        company_name: &str,
        time_zone: &str,
        default_country: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = name.trim();
        let company_name = company_name.trim();
        if name.is_empty() {
            errors.add("name", "Enter a name for the tenant.");
        } else if name.chars().count() > NAME_MAX {
            errors.add("name", "Use at most 100 characters.");
        }
        if company_name.chars().count() > NAME_MAX {
            errors.add("company_name", "Use at most 100 characters.");
        }
        let time_zone = time_zone.trim();
        if !is_time_zone(time_zone) {
            errors.add(
                "time_zone",
                "Choose a time zone such as Europe/Berlin or UTC.",
            );
        }
        let default_country = default_country.trim().to_ascii_uppercase();
        if !is_country(&default_country) {
            errors.add(
                "default_country",
                "Use a two-letter country code such as US or IN.",
            );
        }
        errors.into_result(TenantSettings {
            name: name.to_owned(),
            company_name: if company_name.is_empty() {
                name
            } else {
                company_name
            }
            .to_owned(),
            time_zone: time_zone.to_owned(),
            default_country,
        })
    }
}

pub fn is_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

/// A region that has a WhatsApp-capable phone numbering plan.
pub fn is_country(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && code.parse::<phonenumber::country::Id>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_settings_and_normalises_them() {
        let s = TenantSettings::new(" Acme ", "", "Asia/Kolkata", "in").unwrap();
        assert_eq!(s.name, "Acme");
        assert_eq!(s.company_name, "Acme");
        assert_eq!(s.default_country, "IN");
    }

    #[test]
    fn rejects_unknown_zones_and_countries_with_field_errors() {
        let err = TenantSettings::new("", "x", "Mars/Olympus", "XX").unwrap_err();
        assert!(err.get("name").is_some());
        assert!(err.get("time_zone").is_some());
        assert!(err.get("default_country").is_some());
        assert!(err.get("company_name").is_none());
    }
}

/// A stored tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: crate::TenantId,
    pub settings: TenantSettings,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
