//! Contacts: the people a tenant messages. Phone numbers are kept in E.164;
//! a number written without its country code is read as the tenant's default
//! country's. Tags, custom attributes and groups organise them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::account::FieldErrors;

pub const NAME_MAX: usize = 120;
pub const TAG_MAX: usize = 50;
pub const SOURCE_MAX: usize = 50;
pub const ATTRIBUTE_VALUE_MAX: usize = 1000;
pub const TAGS_PER_CONTACT_MAX: usize = 100;

/// A phone number in E.164 with what it tells about its country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// `+14155550100`.
    pub e164: String,
    /// Calling code without `+`, e.g. `1`.
    pub country_code: String,
    /// ISO 3166-1 alpha-2 of the number's region, when known.
    pub iso_code: Option<String>,
}

/// Parses `raw` as a phone number; `default_country` (ISO alpha-2) applies
/// when the number has no `+` country code. `00` is read as `+`.
pub fn parse_phone(raw: &str, default_country: &str) -> Result<Phone, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("Enter a phone number.");
    }
    let normalised = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    let country = default_country.parse::<phonenumber::country::Id>().ok();
    let national = phonenumber::parse(country, &normalised)
        .ok()
        .filter(phonenumber::is_valid);
    // Digits that already start with a country code but lack the `+` (e.g.
    // `919876543452` in India) are read as international when the national
    // reading is not a real number.
    let number = match national {
        Some(number) => number,
        None if !normalised.starts_with('+') => phonenumber::parse(None, format!("+{normalised}"))
            .ok()
            .filter(phonenumber::is_valid)
            .ok_or("This phone number does not exist in its country's numbering plan.")?,
        None => {
            let number = phonenumber::parse(country, &normalised)
                .map_err(|_| "This is not a phone number.")?;
            if !phonenumber::is_valid(&number) {
                return Err("This phone number does not exist in its country's numbering plan.");
            }
            number
        }
    };
    Ok(Phone {
        e164: number.format().mode(phonenumber::Mode::E164).to_string(),
        country_code: number.country().code().to_string(),
        iso_code: number.country().id().map(|id| id.as_ref().to_owned()),
    })
}

/// Parses the sender of a WhatsApp message. Providers always give the full
/// international number (Meta's `wa_id` without the `+`, Twilio's with it),
/// so no tenant default country can apply.
pub fn parse_whatsapp_id(from: &str) -> Result<Phone, &'static str> {
    let digits = from
        .trim()
        .trim_start_matches("whatsapp:")
        .trim_start_matches('+');
    parse_phone(&format!("+{digits}"), "")
}

/// `$FirstName` / `$LastName`: the first word, and the rest.
pub fn split_name(name: &str) -> (String, String) {
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or_default().to_owned();
    let last = words.collect::<Vec<_>>().join(" ");
    (first, last)
}

pub fn check_contact_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > NAME_MAX {
        return Err("Use at most 120 characters.");
    }
    Ok(name.to_owned())
}

/// Tag names: short, and without `|`, which separates tags in imports.
pub fn check_tag_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a tag name.");
    }
    if name.chars().count() > TAG_MAX {
        return Err("Use at most 50 characters.");
    }
    if name.contains('|') {
        return Err("A tag name cannot contain |, which separates tags in imports.");
    }
    Ok(name.to_owned())
}

/// `#rrggbb`.
pub fn check_colour(colour: &str) -> Result<String, &'static str> {
    let hex = colour.trim().strip_prefix('#').unwrap_or_default();
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err("Use a colour such as #1f9d55.")
    }
}

/// Where a contact came from: the built-in sources or a name from a file.
pub fn check_source(source: &str) -> Result<String, &'static str> {
    let source = source.trim();
    if source.is_empty() {
        return Err("Enter a source.");
    }
    if source.chars().count() > SOURCE_MAX {
        return Err("Use at most 50 characters.");
    }
    Ok(source.to_owned())
}

/// The kind of value a custom attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Number,
    Date,
    Boolean,
}

impl AttributeKind {
    pub fn key(self) -> &'static str {
        match self {
            AttributeKind::Text => "text",
            AttributeKind::Number => "number",
            AttributeKind::Date => "date",
            AttributeKind::Boolean => "boolean",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AttributeKind::Text,
            AttributeKind::Number,
            AttributeKind::Date,
            AttributeKind::Boolean,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }

    /// The stored form of a value of this kind: numbers as written by Rust,
    /// dates as `YYYY-MM-DD`, booleans as `true`/`false`.
    pub fn normalise(self, raw: &str) -> Result<String, &'static str> {
        let raw = raw.trim();
        if raw.chars().count() > ATTRIBUTE_VALUE_MAX {
            return Err("Use at most 1000 characters.");
        }
        match self {
            AttributeKind::Text => Ok(raw.to_owned()),
            AttributeKind::Number => raw
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|n| n.to_string())
                .ok_or("Enter a number."),
            AttributeKind::Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| d.format("%Y-%m-%d").to_string())
                .map_err(|_| "Enter a date as YYYY-MM-DD."),
            AttributeKind::Boolean => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "y" => Ok("true".to_owned()),
                "false" | "no" | "0" | "n" => Ok("false".to_owned()),
                _ => Err("Enter yes or no."),
            },
        }
    }
}

/// Keys that templates already use for built-in fields.
pub const RESERVED_KEYS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "phone",
    "email",
    "country",
];

/// An attribute key: lower-case letters, digits and `_`, starting with a
/// letter; used as `$key` in templates.
pub fn check_attribute_key(key: &str) -> Result<String, &'static str> {
    let key = key.trim();
    let mut chars = key.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_well
        || key.len() > 40
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("Use lower-case letters, digits and _, starting with a letter (at most 40).");
    }
    if RESERVED_KEYS.contains(&key) {
        return Err("This key belongs to a built-in contact field.");
    }
    Ok(key.to_owned())
}

/// Whether a contact agreed to receive messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptIn {
    Unknown,
    OptedIn,
    OptedOut,
}

impl OptIn {
    pub fn key(self) -> &'static str {
        match self {
            OptIn::Unknown => "unknown",
            OptIn::OptedIn => "opted_in",
            OptIn::OptedOut => "opted_out",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [OptIn::Unknown, OptIn::OptedIn, OptIn::OptedOut]
            .into_iter()
            .find(|o| o.key() == s)
    }
}

/// Checks attribute values against their definitions (key -> kind).
pub fn check_attributes(
    definitions: &BTreeMap<String, AttributeKind>,
    values: &BTreeMap<String, Option<String>>,
) -> Result<BTreeMap<String, Option<String>>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = BTreeMap::new();
    for (key, value) in values {
        let field = format!("attributes.{key}");
        let Some(kind) = definitions.get(key) else {
            errors.add(&field, "There is no attribute with this key.");
            continue;
        };
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                out.insert(key.clone(), None);
            }
            Some(v) => match kind.normalise(v) {
                Ok(v) => {
                    out.insert(key.clone(), Some(v));
                }
                Err(m) => errors.add(&field, m),
            },
        }
    }
    errors.into_result(out)
}

/// A contact's fields as given (by a person's form, a row of a file, or a
/// CRM), still as text. A field left `None` is not touched: an edit keeps
/// it, a new contact takes its default.
#[derive(Debug, Default, Clone)]
pub struct ContactInput<'a> {
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// Blank clears the address.
    pub email: Option<&'a str>,
    pub source: Option<&'a str>,
    /// `unknown`, `opted_in` or `opted_out`.
    pub opt_in: Option<&'a str>,
    /// key -> value; a blank or `None` value removes the attribute.
    pub attributes: BTreeMap<String, Option<String>>,
}

/// [`ContactInput`] checked: every given field in the form it is stored in.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CheckedContact {
    pub name: Option<String>,
    pub phone: Option<Phone>,
    /// `Some(None)` clears the address.
    pub email: Option<Option<String>>,
    pub source: Option<String>,
    pub opt_in: Option<OptIn>,
    /// `None` values remove the attribute.
    pub attributes: BTreeMap<String, Option<String>>,
}

/// The one check of a contact's fields, for every way a contact arrives:
/// created or edited in the app, imported from a file, sent by a CRM. A
/// phone without a country code is read as `default_country`'s; attribute
/// values are checked against their definitions (key -> kind). Errors are
/// keyed by field (`name`, `phone`, `email`, `source`, `opt_in`,
/// `attributes.<key>`).
pub fn check_contact(
    input: &ContactInput<'_>,
    default_country: &str,
    definitions: &BTreeMap<String, AttributeKind>,
) -> Result<CheckedContact, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = CheckedContact {
        name: input.name.and_then(|n| {
            check_contact_name(n)
                .map_err(|m| errors.add("name", m))
                .ok()
        }),
        phone: input.phone.and_then(|p| {
            parse_phone(p, default_country)
                .map_err(|m| errors.add("phone", m))
                .ok()
        }),
        ..CheckedContact::default()
    };
    if let Some(email) = input.email {
        out.email = if email.trim().is_empty() {
            Some(None)
        } else {
            crate::account::check_email(email)
                .map_err(|m| errors.add("email", m))
                .ok()
                .map(Some)
        };
    }
    out.source = input
        .source
        .and_then(|s| check_source(s).map_err(|m| errors.add("source", m)).ok());
    if let Some(opt_in) = input.opt_in {
        out.opt_in = OptIn::parse(opt_in);
        if out.opt_in.is_none() {
            errors.add("opt_in", "Use unknown, opted_in or opted_out.");
        }
    }
    if !input.attributes.is_empty() {
        out.attributes = errors
            .take(check_attributes(definitions, &input.attributes))
            .unwrap_or_default();
    }
    errors.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_takes_the_columns_asked_for_or_the_main_ones_and_every_attribute() {
        assert_eq!(
            export_columns(Some(" phone, attr:city ,"), ["city"]),
            Ok(vec!["phone".to_owned(), "attr:city".to_owned()])
        );
        let default = export_columns(None, ["city", "plan"]).unwrap();
        assert_eq!(default.first().map(String::as_str), Some("name"));
        assert_eq!(
            &default[default.len() - 2..],
            &["attr:city".to_owned(), "attr:plan".to_owned()]
        );
        assert_eq!(
            export_columns(Some("  "), ["city"]),
            export_columns(None, ["city"])
        );
        assert_eq!(
            export_columns(Some("name,password,attr:ghost"), ["city"]),
            Err(vec!["password".to_owned(), "attr:ghost".to_owned()])
        );
    }

    #[test]
    fn numbers_without_a_country_code_take_the_default_country() {
        let p = parse_phone("9876543452", "IN").unwrap();
        assert_eq!(p.e164, "+919876543452");
        assert_eq!(p.country_code, "91");
        assert_eq!(p.iso_code.as_deref(), Some("IN"));
        assert_eq!(
            parse_phone("+919876543452", "US").unwrap().e164,
            "+919876543452"
        );
        assert_eq!(
            parse_phone("0044 20 7946 0958", "IN").unwrap().e164,
            "+442079460958"
        );
        assert_eq!(
            parse_phone("(415) 555-2671", "US").unwrap().e164,
            "+14155552671"
        );
    }

    #[test]
    fn whatsapp_senders_are_always_international() {
        assert_eq!(
            parse_whatsapp_id("14155552671").unwrap().e164,
            "+14155552671"
        );
        assert_eq!(
            parse_whatsapp_id("whatsapp:+919876543452").unwrap().e164,
            "+919876543452"
        );
        // Ten digits are not read as a national number of any country.
        assert!(parse_whatsapp_id("9876543452").is_err());
        assert!(parse_whatsapp_id("not a number").is_err());
    }

    #[test]
    fn the_phone_table_from_the_import_rules() {
        // Indian numbers: 10 digits, with 91, or with +91 all mean the same.
        for written in [
            "9876543452",
            "919876543452",
            "+919876543452",
            "+91 98765 43452",
        ] {
            assert_eq!(
                parse_phone(written, "IN").unwrap().e164,
                "+919876543452",
                "{written}"
            );
        }
        // Other countries need their code.
        assert_eq!(
            parse_phone("+15417543010", "IN").unwrap().e164,
            "+15417543010"
        );
        assert_eq!(
            parse_phone("+61412345678", "IN").unwrap().e164,
            "+61412345678"
        );
        assert!(parse_phone("12345", "IN").is_err());
        assert!(parse_phone("+91 12", "IN").is_err());
    }

    #[test]
    fn impossible_numbers_are_refused() {
        for bad in ["", "abc", "123", "+999 1234"] {
            assert!(parse_phone(bad, "US").is_err(), "{bad}");
        }
    }

    #[test]
    fn names_split_for_templates() {
        assert_eq!(split_name("John Doe"), ("John".into(), "Doe".into()));
        assert_eq!(split_name("  Cher "), ("Cher".into(), String::new()));
        assert_eq!(
            split_name("Ana Maria da Silva"),
            ("Ana".into(), "Maria da Silva".into())
        );
    }

    #[test]
    fn attribute_values_are_checked_by_kind() {
        assert_eq!(AttributeKind::Number.normalise("42.50").unwrap(), "42.5");
        assert!(AttributeKind::Number.normalise("forty").is_err());
        assert_eq!(
            AttributeKind::Date.normalise("2026-02-03").unwrap(),
            "2026-02-03"
        );
        assert!(AttributeKind::Date.normalise("03/02/2026").is_err());
        assert_eq!(AttributeKind::Boolean.normalise("Yes").unwrap(), "true");
        assert!(check_attribute_key("City").is_err());
        assert!(check_attribute_key("first_name").is_err());
        assert_eq!(check_attribute_key("city_2").unwrap(), "city_2");
    }

    #[test]
    fn tags_cannot_hold_the_import_separator() {
        assert!(check_tag_name("VIP | gold").is_err());
        assert_eq!(check_tag_name(" VIP ").unwrap(), "VIP");
        assert_eq!(check_colour("#1F9D55").unwrap(), "#1f9d55");
        assert!(check_colour("green").is_err());
    }
}

/// A tag as a contact carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: uuid::Uuid,
    pub name: String,
    pub colour: String,
}

/// A stored contact with its tags and attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: uuid::Uuid,
    pub tenant_id: crate::TenantId,
    pub name: String,
    pub phone: String,
    pub country_code: String,
    pub iso_code: Option<String>,
    pub email: Option<String>,
    pub source: String,
    pub opt_in: OptIn,
    pub opt_in_at: Option<chrono::DateTime<chrono::Utc>>,
    pub opt_in_source: Option<String>,
    pub first_message_tag: Option<String>,
    pub tags: Vec<Tag>,
    pub attributes: BTreeMap<String, String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_active_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How an attribute filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeMatch {
    Equals,
    Contains,
}

/// Which contacts to list, export or act on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFilter {
    /// Part of the name, phone or email.
    pub q: Option<String>,
    /// At least one of these tags.
    pub tags_any: Vec<uuid::Uuid>,
    /// Every one of these tags.
    pub tags_all: Vec<uuid::Uuid>,
    pub group: Option<uuid::Uuid>,
    pub attribute: Option<(String, AttributeMatch, String)>,
    pub source: Option<String>,
    pub opt_in: Option<OptIn>,
    pub created_from: Option<chrono::DateTime<chrono::Utc>>,
    pub created_to: Option<chrono::DateTime<chrono::Utc>>,
    pub active_from: Option<chrono::DateTime<chrono::Utc>>,
    pub active_to: Option<chrono::DateTime<chrono::Utc>>,
}

/// A spreadsheet cell made safe to open: a value a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
/// leading `'` (CWE-1236).
pub fn spreadsheet_safe(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

/// Columns an export can hold, besides `attr:<key>` for custom attributes.
pub const EXPORT_COLUMNS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "phone",
    "email",
    "country_code",
    "tags",
    "source",
    "opt_in",
    "created_at",
    "last_active_at",
];

/// The columns of an export: the requested comma-separated list, or by
/// default the main fields and then every custom attribute (`attr:<key>`)
/// of `attribute_keys`. Unknown names are answered as the error, in order.
pub fn export_columns<'a>(
    requested: Option<&str>,
    attribute_keys: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, Vec<String>> {
    let keys: Vec<&str> = attribute_keys.into_iter().collect();
    let columns: Vec<String> = match requested.filter(|c| !c.trim().is_empty()) {
        Some(list) => list
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        None => [
            "name",
            "phone",
            "email",
            "tags",
            "source",
            "opt_in",
            "created_at",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .chain(keys.iter().map(|k| format!("attr:{k}")))
        .collect(),
    };
    let unknown: Vec<String> = columns
        .iter()
        .filter(|c| {
            !EXPORT_COLUMNS.contains(&c.as_str())
                && !c.strip_prefix("attr:").is_some_and(|k| keys.contains(&k))
        })
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(columns)
    } else {
        Err(unknown)
    }
}

/// One exported cell of `contact` for `column` (already checked).
pub fn export_cell(contact: &Contact, column: &str) -> String {
    let value = match column {
        "name" => contact.name.clone(),
        "first_name" => split_name(&contact.name).0,
        "last_name" => split_name(&contact.name).1,
        "phone" => contact.phone.clone(),
        "email" => contact.email.clone().unwrap_or_default(),
        "country_code" => contact.country_code.clone(),
        "tags" => contact
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        "source" => contact.source.clone(),
        "opt_in" => contact.opt_in.key().to_owned(),
        "created_at" => contact.created_at.to_rfc3339(),
        "last_active_at" => contact
            .last_active_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        other => other
            .strip_prefix("attr:")
            .and_then(|key| contact.attributes.get(key).cloned())
            .unwrap_or_default(),
    };
    spreadsheet_safe(&value)
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_defused() {
        for risky in ["=SUM(A1)", "+1 555", "-2", "@cmd", "\tx", "\rx"] {
            assert!(spreadsheet_safe(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(spreadsheet_safe("Ana"), "Ana");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
