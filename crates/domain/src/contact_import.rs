//! Turning rows of an uploaded file into contacts: the column mapping, the
//! options, and the check of each row with a reason when it fails.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::account::normalize_email;
use crate::contact::{
    check_contact_name, check_source, check_tag_name, parse_phone, AttributeKind, OptIn, Phone,
};

/// What a column of the file becomes.
/// Where an import is in its life: uploaded (previewable, not started),
/// queued (started, waiting for a worker), running, then one of the three
/// ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Uploaded,
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl ImportState {
    pub const ALL: [ImportState; 6] = [
        ImportState::Uploaded,
        ImportState::Queued,
        ImportState::Running,
        ImportState::Completed,
        ImportState::Failed,
        ImportState::Cancelled,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Uploaded => "uploaded",
            ImportState::Queued => "queued",
            ImportState::Running => "running",
            ImportState::Completed => "completed",
            ImportState::Failed => "failed",
            ImportState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Started and not yet ended: its file is still needed.
    pub fn is_in_progress(self) -> bool {
        matches!(self, ImportState::Queued | ImportState::Running)
    }

    /// States from which a person may still cancel it.
    pub const CANCELLABLE: [ImportState; 3] = [
        ImportState::Uploaded,
        ImportState::Queued,
        ImportState::Running,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Name,
    Phone,
    Email,
    /// Tag names separated by `|`.
    Tags,
    Source,
    FirstMessageTag,
    OptIn,
    /// A custom attribute, by key.
    Attribute(String),
    Ignore,
}

impl Target {
    /// `name`, `phone`, `email`, `tags`, `source`, `first_message_tag`,
    /// `opt_in`, `attr:<key>` or `ignore`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => Target::Name,
            "phone" => Target::Phone,
            "email" => Target::Email,
            "tags" => Target::Tags,
            "source" => Target::Source,
            "first_message_tag" => Target::FirstMessageTag,
            "opt_in" => Target::OptIn,
            "ignore" | "" => Target::Ignore,
            other => Target::Attribute(other.strip_prefix("attr:")?.to_owned()),
        })
    }
}

/// How the file's columns map, by column index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<Target>,
}

impl Mapping {
    /// Checks that name and phone are mapped once and attributes exist.
    pub fn check(&self, attributes: &BTreeMap<String, AttributeKind>) -> Result<(), String> {
        let count = |t: &Target| self.columns.iter().filter(|c| *c == t).count();
        if count(&Target::Phone) != 1 {
            return Err("Map exactly one column to the phone number.".into());
        }
        if count(&Target::Name) != 1 {
            return Err("Map exactly one column to the name.".into());
        }
        for t in &self.columns {
            if let Target::Attribute(key) = t {
                if !attributes.contains_key(key) {
                    return Err(format!(
                        "There is no attribute with the key {key}; create it first."
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Choices that apply to every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// ISO country for numbers without a country code.
    pub default_country: String,
    /// Update contacts whose phone already exists (otherwise skip them).
    pub update_existing: bool,
    /// Tag ids given to every imported row.
    pub tags: Vec<uuid::Uuid>,
    /// A group every imported contact joins.
    pub group: Option<uuid::Uuid>,
}

/// A row that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRow {
    pub name: String,
    pub phone: Phone,
    pub email: Option<String>,
    /// Tag ids.
    pub tags: Vec<uuid::Uuid>,
    pub source: Option<String>,
    pub first_message_tag: Option<String>,
    pub opt_in: Option<OptIn>,
    /// (key, value) pairs in column order; a later column wins. (A list,
    /// not a map: 100,000 rows of imports hold one each.)
    pub attributes: Vec<(String, String)>,
}

/// What a row's checks need to know about the tenant.
pub struct RowContext<'a> {
    /// Lower-cased tag name -> id.
    pub tags: &'a HashMap<String, uuid::Uuid>,
    pub attributes: &'a BTreeMap<String, AttributeKind>,
    pub options: &'a ImportOptions,
}

fn opt_in_from(cell: &str) -> Option<OptIn> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" => None,
        "yes" | "y" | "true" | "1" | "opted_in" | "opt-in" | "opted in" => Some(OptIn::OptedIn),
        "no" | "n" | "false" | "0" | "opted_out" | "opt-out" | "opted out" => Some(OptIn::OptedOut),
        _ => Some(OptIn::Unknown),
    }
}

/// Checks one data row; the error is the reason shown in the failure report.
pub fn check_row(
    mapping: &Mapping,
    cells: &[String],
    ctx: &RowContext<'_>,
) -> Result<ImportedRow, String> {
    let mut name = None;
    let mut phone = None;
    let mut row = ImportedRow {
        name: String::new(),
        phone: Phone {
            e164: String::new(),
            country_code: String::new(),
            iso_code: None,
        },
        email: None,
        tags: ctx.options.tags.clone(),
        source: None,
        first_message_tag: None,
        opt_in: None,
        attributes: Vec::new(),
    };
    for (index, target) in mapping.columns.iter().enumerate() {
        let cell = cells
            .get(index)
            .map(String::as_str)
            .unwrap_or_default()
            .trim();
        match target {
            Target::Ignore => {}
            Target::Name => name = Some(cell),
            Target::Phone => phone = Some(cell),
            Target::Email if !cell.is_empty() => {
                row.email =
                    Some(normalize_email(cell).ok_or_else(|| format!("bad email: {cell}"))?);
            }
            Target::Tags => {
                for tag in cell.split('|').map(str::trim).filter(|t| !t.is_empty()) {
                    let id = ctx
                        .tags
                        .get(&tag.to_lowercase())
                        .ok_or_else(|| format!("unknown tag: {tag}"))?;
                    if !row.tags.contains(id) {
                        row.tags.push(*id);
                    }
                }
            }
            Target::Source if !cell.is_empty() => {
                row.source = Some(check_source(cell).map_err(|m| format!("bad source: {m}"))?);
            }
            Target::FirstMessageTag if !cell.is_empty() => {
                row.first_message_tag =
                    Some(check_tag_name(cell).map_err(|m| format!("bad first-message tag: {m}"))?);
            }
            Target::OptIn => row.opt_in = opt_in_from(cell),
            Target::Attribute(key) if !cell.is_empty() => {
                let kind = ctx
                    .attributes
                    .get(key)
                    .ok_or_else(|| format!("unknown attribute: {key}"))?;
                let value = kind
                    .normalise(cell)
                    .map_err(|m| format!("bad {key}: {m}"))?;
                row.attributes.push((key.clone(), value));
            }
            _ => {}
        }
    }
    let name = name.filter(|n| !n.is_empty()).ok_or("missing name")?;
    row.name = check_contact_name(name).map_err(|m| format!("bad name: {m}"))?;
    let phone = phone.filter(|p| !p.is_empty()).ok_or("missing phone")?;
    row.phone = parse_phone(phone, &ctx.options.default_country)
        .map_err(|m| format!("bad phone {phone}: {m}"))?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_states_read_back_as_written() {
        for state in ImportState::ALL {
            assert_eq!(ImportState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ImportState::parse("done"), None);
        assert!(ImportState::Running.is_in_progress());
        assert!(!ImportState::Uploaded.is_in_progress());
    }

    fn options() -> ImportOptions {
        ImportOptions {
            default_country: "IN".into(),
            update_existing: true,
            tags: vec![],
            group: None,
        }
    }

    #[test]
    fn rows_are_checked_with_reasons() {
        let vip = uuid::Uuid::now_v7();
        let tags: HashMap<String, uuid::Uuid> = [("vip".to_owned(), vip)].into();
        let attributes: BTreeMap<String, AttributeKind> =
            [("age".to_owned(), AttributeKind::Number)].into();
        let mapping = Mapping {
            columns: vec![
                Target::Name,
                Target::Phone,
                Target::Tags,
                Target::Attribute("age".into()),
                Target::Ignore,
            ],
        };
        assert!(mapping.check(&attributes).is_ok());
        let opts = options();
        let ctx = RowContext {
            tags: &tags,
            attributes: &attributes,
            options: &opts,
        };
        let cells = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let ok = check_row(
            &mapping,
            &cells(&["John Doe", "9876543452", "VIP", "42", "x"]),
            &ctx,
        )
        .unwrap();
        assert_eq!(ok.phone.e164, "+919876543452");
        assert_eq!(ok.tags, vec![vip]);
        assert_eq!(ok.attributes, vec![("age".to_owned(), "42".to_owned())]);
        assert_eq!(
            check_row(&mapping, &cells(&["", "9876543452", "", "", ""]), &ctx),
            Err("missing name".into())
        );
        assert!(check_row(&mapping, &cells(&["A", "12", "", "", ""]), &ctx)
            .unwrap_err()
            .starts_with("bad phone"));
        assert_eq!(
            check_row(&mapping, &cells(&["A", "9876543452", "Gold", "", ""]), &ctx),
            Err("unknown tag: Gold".into())
        );
        assert!(
            check_row(&mapping, &cells(&["A", "9876543452", "", "old", ""]), &ctx)
                .unwrap_err()
                .starts_with("bad age")
        );
    }

    #[test]
    fn a_mapping_needs_one_name_and_one_phone() {
        let none = BTreeMap::new();
        assert!(Mapping {
            columns: vec![Target::Name]
        }
        .check(&none)
        .is_err());
        assert!(Mapping {
            columns: vec![Target::Phone, Target::Phone, Target::Name]
        }
        .check(&none)
        .is_err());
        assert!(Mapping {
            columns: vec![Target::Phone, Target::Name, Target::Attribute("x".into())]
        }
        .check(&none)
        .is_err());
        assert_eq!(
            Target::parse("attr:city"),
            Some(Target::Attribute("city".into()))
        );
        assert_eq!(Target::parse("nonsense"), None);
    }
}
