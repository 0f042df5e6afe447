//! Turning rows of an uploaded file into contacts: the column mapping, the
//! options, and the check of each row with a reason when it fails.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::contact::{check_contact, check_tag_name, AttributeKind, ContactInput, OptIn, Phone};

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
    /// (key, value) pairs, one per key; of two columns with one key the
    /// later wins. (A list, not a map: 100,000 rows of imports hold one
    /// each.)
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
///
/// The contact's own fields (name, phone, email, source, attributes) go
/// through [`check_contact`], the same check as a contact created or edited
/// in the app; only what is peculiar to a file is checked here: tags named
/// by text, the first-message tag, the loose opt-in words, and blank cells
/// meaning "not given". The reason is the first failing column in the
/// file's order, then the name, then the phone.
pub fn check_row(
    mapping: &Mapping,
    cells: &[String],
    ctx: &RowContext<'_>,
) -> Result<ImportedRow, String> {
    let cell_at = |index: usize| {
        cells
            .get(index)
            .map(String::as_str)
            .unwrap_or_default()
            .trim()
    };
    let mut input = ContactInput::default();
    for (index, target) in mapping.columns.iter().enumerate() {
        let cell = cell_at(index);
        // A blank cell gives nothing; for name and phone that is "missing".
        match target {
            Target::Name => input.name = Some(cell),
            Target::Phone => input.phone = Some(cell),
            Target::Email if !cell.is_empty() => input.email = Some(cell),
            Target::Source if !cell.is_empty() => input.source = Some(cell),
            Target::Attribute(key) if !cell.is_empty() => {
                input.attributes.insert(key.clone(), Some(cell.to_owned()));
            }
            _ => {}
        }
    }
    let name = input.name.unwrap_or_default();
    let phone = input.phone.unwrap_or_default();
    let checked = check_contact(&input, &ctx.options.default_country, ctx.attributes);
    let first = |field: &str| {
        checked
            .as_ref()
            .err()
            .and_then(|e| e.get(field))
            .and_then(|m| m.first())
            .cloned()
    };

    let mut tags = ctx.options.tags.clone();
    let mut first_message_tag = None;
    let mut opt_in = None;
    for (index, target) in mapping.columns.iter().enumerate() {
        let cell = cell_at(index);
        match target {
            Target::Email if first("email").is_some() && !cell.is_empty() => {
                return Err(format!("bad email: {cell}"));
            }
            Target::Tags => {
                for tag in cell.split('|').map(str::trim).filter(|t| !t.is_empty()) {
                    let id = ctx
                        .tags
                        .get(&tag.to_lowercase())
                        .ok_or_else(|| format!("unknown tag: {tag}"))?;
                    if !tags.contains(id) {
                        tags.push(*id);
                    }
                }
            }
            Target::Source if !cell.is_empty() => {
                if let Some(m) = first("source") {
                    return Err(format!("bad source: {m}"));
                }
            }
            Target::FirstMessageTag if !cell.is_empty() => {
                first_message_tag =
                    Some(check_tag_name(cell).map_err(|m| format!("bad first-message tag: {m}"))?);
            }
            Target::OptIn => opt_in = opt_in_from(cell),
            Target::Attribute(key) if !cell.is_empty() => {
                let kind = ctx
                    .attributes
                    .get(key)
                    .ok_or_else(|| format!("unknown attribute: {key}"))?;
                // The contact check saw the last column of a key; an earlier
                // column of the same key is held to the same kind's rule.
                let message = match input.attributes.get(key) {
                    Some(Some(last)) if last != cell => {
                        kind.normalise(cell).err().map(str::to_owned)
                    }
                    // (Only a row with errors needs the field's name.)
                    _ if checked.is_ok() => None,
                    _ => first(&format!("attributes.{key}")),
                };
                if let Some(m) = message {
                    return Err(format!("bad {key}: {m}"));
                }
            }
            _ => {}
        }
    }
    if name.is_empty() {
        return Err("missing name".into());
    }
    if let Some(m) = first("name") {
        return Err(format!("bad name: {m}"));
    }
    if phone.is_empty() {
        return Err("missing phone".into());
    }
    if let Some(m) = first("phone") {
        return Err(format!("bad phone {phone}: {m}"));
    }
    // Every field error became a reason above, so what is left is checked.
    let checked = checked.map_err(|e| {
        let (field, messages) = e.into_map().into_iter().next().unwrap_or_default();
        format!("bad {field}: {}", messages.join(" "))
    })?;
    let (Some(name), Some(phone)) = (checked.name, checked.phone) else {
        return Err("missing name".into());
    };
    Ok(ImportedRow {
        name,
        phone,
        email: checked.email.flatten(),
        tags,
        source: checked.source,
        first_message_tag,
        opt_in,
        attributes: checked
            .attributes
            .into_iter()
            .filter_map(|(key, value)| Some((key, value?)))
            .collect(),
    })
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
    fn a_row_is_held_to_the_same_rules_as_a_contact_form() {
        let tags = HashMap::new();
        let attributes: BTreeMap<String, AttributeKind> =
            [("age".to_owned(), AttributeKind::Number)].into();
        let mapping = Mapping {
            columns: vec![
                Target::Name,
                Target::Phone,
                Target::Email,
                Target::Source,
                Target::Attribute("age".into()),
                Target::Attribute("age".into()),
            ],
        };
        let opts = options();
        let ctx = RowContext {
            tags: &tags,
            attributes: &attributes,
            options: &opts,
        };
        let row = |v: &[&str]| {
            let cells = v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
            check_row(&mapping, &cells, &ctx)
        };
        let form = |name: &str, email: &str, source: &str| {
            let input = ContactInput {
                name: Some(name),
                phone: Some("9876543452"),
                email: Some(email),
                source: Some(source),
                ..ContactInput::default()
            };
            check_contact(&input, "IN", &attributes).map_err(|e| e.into_map())
        };
        let long = "x".repeat(121);
        let form_name = form(&long, "", "file").unwrap_err();
        assert_eq!(
            row(&[&long, "9876543452", "", "", "", ""]),
            Err(format!("bad name: {}", form_name["name"][0]))
        );
        assert!(form("Ana", "ana@", "file").is_err());
        assert_eq!(
            row(&["Ana", "9876543452", "ana@", "", "", ""]),
            Err("bad email: ana@".into())
        );
        let long_source = "s".repeat(51);
        let form_source = form("Ana", "", &long_source).unwrap_err();
        assert_eq!(
            row(&["Ana", "9876543452", "", &long_source, "", ""]),
            Err(format!("bad source: {}", form_source["source"][0]))
        );
        let ok = row(&["Ana", "9876543452", "ANA@Example.com", "fair", "41", "42.0"]).unwrap();
        assert_eq!(ok.email.as_deref(), Some("ana@example.com"));
        assert_eq!(ok.source.as_deref(), Some("fair"));
        assert_eq!(ok.attributes, vec![("age".to_owned(), "42".to_owned())]);
        // Either column of a key is checked, not only the one that is kept.
        assert!(row(&["Ana", "9876543452", "", "", "old", "42"])
            .unwrap_err()
            .starts_with("bad age"));
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
