//! WhatsApp message templates: what Meta accepts, checked before anything is
//! submitted, and how a template is filled in for one contact.
//!
//! [`check_template`] answers every broken rule at once, keyed by the field
//! it concerns (`name`, `body`, `buttons[1].url`...), so the editor can show
//! each next to its input. [`render`] is the one place where variables get
//! their values, for the editor's preview and for real sends alike.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::account::FieldErrors;
use crate::contact::{split_name, Contact};

// Meta's template limits, under the names this module's checks use.
pub use crate::whatsapp::{
    TEMPLATE_BODY_MAX as BODY_MAX, TEMPLATE_BUTTONS_MAX as BUTTONS_MAX,
    TEMPLATE_BUTTON_TEXT_MAX as BUTTON_TEXT_MAX, TEMPLATE_COPY_CODE_MAX as COPY_CODE_MAX,
    TEMPLATE_EXAMPLE_MAX as EXAMPLE_MAX, TEMPLATE_FOOTER_MAX as FOOTER_MAX,
    TEMPLATE_HEADER_TEXT_MAX as HEADER_TEXT_MAX, TEMPLATE_NAME_MAX as NAME_MAX,
    TEMPLATE_PHONE_BUTTONS_MAX as PHONE_BUTTONS_MAX, TEMPLATE_PHONE_MAX as PHONE_MAX,
    TEMPLATE_URL_BUTTONS_MAX as URL_BUTTONS_MAX, TEMPLATE_URL_MAX as URL_MAX,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
}

impl Category {
    pub fn key(self) -> &'static str {
        match self {
            Category::Marketing => "marketing",
            Category::Utility => "utility",
            Category::Authentication => "authentication",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_lowercase().as_str() {
            "marketing" => Some(Category::Marketing),
            "utility" => Some(Category::Utility),
            "authentication" => Some(Category::Authentication),
            _ => None,
        }
    }

    /// Meta's spelling: `MARKETING`...
    pub fn meta(self) -> &'static str {
        match self {
            Category::Marketing => "MARKETING",
            Category::Utility => "UTILITY",
            Category::Authentication => "AUTHENTICATION",
        }
    }
}

/// How variables are written: `{{1}}`, `{{2}}`... or `{{first_name}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterFormat {
    #[default]
    Positional,
    Named,
}

/// Where a template's review stands at Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateStatus {
    /// Saved here, never submitted.
    Draft,
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
}

impl TemplateStatus {
    pub fn key(self) -> &'static str {
        match self {
            TemplateStatus::Draft => "draft",
            TemplateStatus::Pending => "pending",
            TemplateStatus::Approved => "approved",
            TemplateStatus::Rejected => "rejected",
            TemplateStatus::Paused => "paused",
            TemplateStatus::Disabled => "disabled",
            TemplateStatus::InAppeal => "in_appeal",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.to_ascii_lowercase().as_str() {
            "draft" => TemplateStatus::Draft,
            "pending" => TemplateStatus::Pending,
            "approved" => TemplateStatus::Approved,
            "rejected" => TemplateStatus::Rejected,
            "paused" => TemplateStatus::Paused,
            "disabled" => TemplateStatus::Disabled,
            "in_appeal" => TemplateStatus::InAppeal,
            _ => return None,
        })
    }

    /// Meta's status words (`APPROVED`, `PENDING_DELETION`...) in ours;
    /// `None` for events that don't change what can be sent.
    pub fn from_meta(raw: &str) -> Option<Self> {
        Some(match raw.to_ascii_uppercase().as_str() {
            "PENDING" | "IN_REVIEW" => TemplateStatus::Pending,
            "APPROVED" | "REINSTATED" => TemplateStatus::Approved,
            "REJECTED" => TemplateStatus::Rejected,
            "PAUSED" | "FLAGGED" => TemplateStatus::Paused,
            "DISABLED" | "PENDING_DELETION" | "DELETED" | "ARCHIVED" => TemplateStatus::Disabled,
            "IN_APPEAL" | "APPEAL_REQUESTED" => TemplateStatus::InAppeal,
            _ => return None,
        })
    }

    /// Only approved templates can be sent.
    pub fn sendable(self) -> bool {
        self == TemplateStatus::Approved
    }
}

/// The optional first line of a template.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Header {
    #[default]
    None,
    /// Up to 60 characters with at most one variable.
    Text {
        text: String,
        #[serde(default)]
        example: Option<String>,
    },
    /// A sample from the media gallery is needed for review.
    Image {
        #[serde(default)]
        media_id: Option<uuid::Uuid>,
    },
    Video {
        #[serde(default)]
        media_id: Option<uuid::Uuid>,
    },
    Document {
        #[serde(default)]
        media_id: Option<uuid::Uuid>,
    },
    Location,
}

impl Header {
    pub fn kind(&self) -> &'static str {
        match self {
            Header::None => "none",
            Header::Text { .. } => "text",
            Header::Image { .. } => "image",
            Header::Video { .. } => "video",
            Header::Document { .. } => "document",
            Header::Location => "location",
        }
    }

    /// The kind of gallery item a media header shows.
    pub fn media_kind(&self) -> Option<crate::media::MediaKind> {
        use crate::media::MediaKind;
        match self {
            Header::Image { .. } => Some(MediaKind::Image),
            Header::Video { .. } => Some(MediaKind::Video),
            Header::Document { .. } => Some(MediaKind::Document),
            _ => None,
        }
    }

    /// The gallery item a media header shows.
    pub fn media(&self) -> Option<uuid::Uuid> {
        match self {
            Header::Image { media_id }
            | Header::Video { media_id }
            | Header::Document { media_id } => *media_id,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Button {
    QuickReply {
        text: String,
    },
    /// A link; it may end with one variable, e.g. `https://shop.example/o/{{1}}`.
    Url {
        text: String,
        url: String,
        #[serde(default)]
        example: Option<String>,
    },
    PhoneNumber {
        text: String,
        phone: String,
    },
    /// Copies a code (a coupon, a one-time password) to the clipboard.
    CopyCode {
        example: String,
    },
}

impl Button {
    pub fn kind(&self) -> &'static str {
        match self {
            Button::QuickReply { .. } => "quick_reply",
            Button::Url { .. } => "url",
            Button::PhoneNumber { .. } => "phone_number",
            Button::CopyCode { .. } => "copy_code",
        }
    }
}

/// A template as the editor holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContent {
    pub name: String,
    pub language: String,
    pub category: Category,
    #[serde(default)]
    pub parameter_format: ParameterFormat,
    #[serde(default)]
    pub header: Header,
    pub body: String,
    /// One sample value per body variable: by position (`"1"`, `"2"`) or by name.
    #[serde(default)]
    pub body_examples: BTreeMap<String, String>,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<Button>,
}

/// The `{{...}}` placeholders of `text`, in order of appearance (repeats
/// included), trimmed of spaces.
pub fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim().to_owned());
        rest = &after[end + 2..];
    }
    out
}

fn is_named_variable(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks the variables of one text against the template's format: answers
/// their distinct names in order, or adds the broken rules to `errors`.
fn check_variables(
    field: &str,
    text: &str,
    format: ParameterFormat,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let found = variables(text);
    let mut distinct: Vec<String> = Vec::new();
    for v in &found {
        if !distinct.contains(v) {
            distinct.push(v.clone());
        }
    }
    if text.matches("{{").count() != found.len() || text.matches("}}").count() != found.len() {
        errors.add(field, "Close every variable: write {{1}} or {{name}}.");
        return distinct;
    }
    match format {
        ParameterFormat::Positional => {
            if let Some(bad) = distinct.iter().find(|v| v.parse::<u32>().is_err()) {
                errors.add(
                    field,
                    &format!("Numbered variables only: {{{{{bad}}}}} should be {{{{1}}}}, {{{{2}}}}… (or switch to named variables)."),
                );
                return distinct;
            }
            let mut numbers: Vec<u32> = distinct.iter().filter_map(|v| v.parse().ok()).collect();
            numbers.sort_unstable();
            let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
            if numbers != expected {
                errors.add(
                    field,
                    "Number the variables from {{1}} without gaps: {{1}}, {{2}}, {{3}}…",
                );
            }
        }
        ParameterFormat::Named => {
            if let Some(bad) = distinct.iter().find(|v| !is_named_variable(v)) {
                errors.add(
                    field,
                    &format!("Name variables with lowercase letters, digits and underscores, starting with a letter: {{{{{bad}}}}} is not allowed."),
                );
            }
        }
    }
    distinct
}

fn too_long(errors: &mut FieldErrors, field: &str, text: &str, max: usize, what: &str) {
    let n = text.chars().count();
    if n > max {
        errors.add(
            field,
            &format!("{what} can have at most {max} characters ({n} now)."),
        );
    }
}

fn is_language(code: &str) -> bool {
    let (lang, region) = match code.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (code, None),
    };
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && region.is_none_or(|r| {
            (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Every Meta rule for a template, checked before it is submitted. Answers
/// the errors by field; empty means Meta's automatic checks will pass.
pub fn check_template(t: &TemplateContent) -> FieldErrors {
    let mut errors = FieldErrors::default();

    // Name and language.
    if t.name.is_empty() {
        errors.add("name", "Enter a name.");
    } else if !t.name.chars().all(crate::whatsapp::is_template_name_char) {
        errors.add(
            "name",
            "Use lowercase letters, digits and underscores only, e.g. order_update_2.",
        );
    }
    too_long(&mut errors, "name", &t.name, NAME_MAX, "A name");
    if !is_language(&t.language) {
        errors.add(
            "language",
            "Choose a language code such as en, en_US or pt_BR.",
        );
    }

    // Header.
    if let Header::Text { text, example } = &t.header {
        if text.trim().is_empty() {
            errors.add("header.text", "Enter the header text or choose no header.");
        }
        too_long(
            &mut errors,
            "header.text",
            text,
            HEADER_TEXT_MAX,
            "A text header",
        );
        let vars = check_variables("header.text", text, t.parameter_format, &mut errors);
        if vars.len() > 1 {
            errors.add(
                "header.text",
                "A text header can have at most one variable.",
            );
        }
        if !vars.is_empty() && example.as_deref().is_none_or(|e| e.trim().is_empty()) {
            errors.add(
                "header.example",
                "Give a sample value for the header's variable; Meta reviews it.",
            );
        }
    }
    if t.header.media_kind().is_some() && t.header.media().is_none() {
        errors.add(
            "header.media_id",
            "Choose a sample file from the media gallery; Meta reviews it.",
        );
    }
    if t.header.kind() != "none" && t.category == Category::Authentication {
        errors.add("header", "Authentication templates have no header.");
    }

    // Body.
    if t.body.trim().is_empty() {
        errors.add("body", "Enter the message body.");
    }
    too_long(&mut errors, "body", &t.body, BODY_MAX, "The body");
    let body_vars = check_variables("body", &t.body, t.parameter_format, &mut errors);
    for v in &body_vars {
        if t.body_examples.get(v).is_none_or(|e| e.trim().is_empty()) {
            errors.add(
                &format!("body_examples.{v}"),
                &format!("Give a sample value for {{{{{v}}}}}; Meta reviews templates with their samples."),
            );
        }
    }
    for (key, example) in &t.body_examples {
        if !body_vars.contains(key) {
            errors.add(
                &format!("body_examples.{key}"),
                &format!("The body has no {{{{{key}}}}}; remove this sample."),
            );
        }
        too_long(
            &mut errors,
            &format!("body_examples.{key}"),
            example,
            EXAMPLE_MAX,
            "A sample",
        );
    }

    // Footer.
    if let Some(footer) = &t.footer {
        too_long(&mut errors, "footer", footer, FOOTER_MAX, "The footer");
        if footer.contains("{{") {
            errors.add("footer", "The footer can't have variables.");
        }
    }

    check_buttons(t, &mut errors);
    errors
}

fn check_buttons(t: &TemplateContent, errors: &mut FieldErrors) {
    let buttons = &t.buttons;
    if buttons.len() > BUTTONS_MAX {
        errors.add(
            "buttons",
            &format!("A template can have at most {BUTTONS_MAX} buttons."),
        );
    }
    let count = |kind: &str| buttons.iter().filter(|b| b.kind() == kind).count();
    if count("url") > URL_BUTTONS_MAX {
        errors.add(
            "buttons",
            &format!("A template can have at most {URL_BUTTONS_MAX} link buttons."),
        );
    }
    if count("phone_number") > PHONE_BUTTONS_MAX {
        errors.add("buttons", "A template can have at most one call button.");
    }
    if count("copy_code") > 1 {
        errors.add(
            "buttons",
            "A template can have at most one copy-code button.",
        );
    }
    // Quick replies sit together, before or after the other buttons.
    let kinds: Vec<bool> = buttons
        .iter()
        .map(|b| matches!(b, Button::QuickReply { .. }))
        .collect();
    let switches = kinds.windows(2).filter(|w| w[0] != w[1]).count();
    if switches > 1 {
        errors.add(
            "buttons",
            "Keep the quick replies together, before or after the other buttons.",
        );
    }
    if t.category == Category::Authentication
        && buttons
            .iter()
            .any(|b| !matches!(b, Button::CopyCode { .. }))
    {
        errors.add(
            "buttons",
            "Authentication templates can only have a copy-code button.",
        );
    }
    let mut labels = BTreeSet::new();
    for (i, button) in buttons.iter().enumerate() {
        let field = |part: &str| format!("buttons[{i}].{part}");
        let text = match button {
            Button::QuickReply { text }
            | Button::Url { text, .. }
            | Button::PhoneNumber { text, .. } => Some(text),
            Button::CopyCode { .. } => None,
        };
        if let Some(text) = text {
            if text.trim().is_empty() {
                errors.add(&field("text"), "Enter the button's label.");
            } else if !labels.insert(text.trim().to_lowercase()) {
                errors.add(&field("text"), "Two buttons can't have the same label.");
            }
            too_long(
                errors,
                &field("text"),
                text,
                BUTTON_TEXT_MAX,
                "A button label",
            );
            if text.contains("{{") {
                errors.add(&field("text"), "A button label can't have variables.");
            }
        }
        match button {
            Button::Url { url, example, .. } => {
                too_long(errors, &field("url"), url, URL_MAX, "A link");
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://"))
                    || url.len() < 12
                    || url.contains(char::is_whitespace)
                {
                    errors.add(
                        &field("url"),
                        "Enter a full web address starting with https://.",
                    );
                }
                let vars = variables(url);
                if vars.len() > 1 {
                    errors.add(&field("url"), "A link can have at most one variable.");
                } else if let Some(v) = vars.first() {
                    let placeholder = format!("{{{{{v}}}}}");
                    if !url.trim_end().ends_with(&placeholder) {
                        errors.add(&field("url"), "A link's variable goes at its very end.");
                    }
                    if t.parameter_format == ParameterFormat::Positional && v != "1" {
                        errors.add(&field("url"), "Write a link's variable as {{1}}.");
                    }
                    if example.as_deref().is_none_or(|e| e.trim().is_empty()) {
                        errors.add(
                            &field("example"),
                            "Give a sample value for the link's variable.",
                        );
                    }
                }
            }
            Button::PhoneNumber { phone, .. } => {
                let digits = phone.trim().strip_prefix('+').unwrap_or_default();
                if !(phone.trim().starts_with('+')
                    && (8..PHONE_MAX).contains(&digits.len())
                    && digits.chars().all(|c| c.is_ascii_digit()))
                {
                    errors.add(
                        &field("phone"),
                        "Enter the number with its country code, e.g. +14155550100.",
                    );
                }
            }
            Button::CopyCode { example } => {
                if example.trim().is_empty() {
                    errors.add(&field("example"), "Give a sample code.");
                }
                too_long(errors, &field("example"), example, COPY_CODE_MAX, "A code");
            }
            Button::QuickReply { .. } => {}
        }
    }
}

/// What a variable takes its value from when a template is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Binding {
    /// The same text for every recipient.
    Fixed { value: String },
    /// A contact field (`$name`, `$first_name`, `$last_name`, `$phone`,
    /// `$email`) or attribute (`$<key>`), with `fallback` when it is empty.
    Field {
        field: String,
        #[serde(default)]
        fallback: String,
    },
}

/// Why a variable has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableProblem {
    /// Nothing was bound to it.
    Unbound,
    /// It was bound, but the value (and its fallback) is empty.
    Empty,
}

/// A template filled in for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Rendered {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// Per button, its link with the variable filled in (URL buttons only).
    pub button_urls: Vec<Option<String>>,
    /// Values in send order: the header's, then the body's, by variable.
    pub header_values: Vec<String>,
    pub body_values: Vec<(String, String)>,
    pub url_values: Vec<(usize, String)>,
    /// Variables without a value, keyed `header.1`, `body.name`, `buttons[0]`.
    pub problems: BTreeMap<String, VariableProblem>,
}

impl Rendered {
    /// Whether every variable has a value, so the template can be sent.
    pub fn complete(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The value of a contact field or attribute, `None` for an unknown one.
pub fn contact_field(contact: &Contact, field: &str) -> Option<String> {
    let key = field.strip_prefix('$').unwrap_or(field);
    let (first, last) = split_name(&contact.name);
    Some(match key.to_ascii_lowercase().as_str() {
        "name" => contact.name.clone(),
        "first_name" | "firstname" => first,
        "last_name" | "lastname" => last,
        "phone" => contact.phone.clone(),
        "email" => contact.email.clone().unwrap_or_default(),
        _ => return contact.attributes.get(key).cloned(),
    })
}

/// Fills a template in. `bindings` are keyed like the problems: `header.<var>`,
/// `body.<var>` and `buttons[<index>]`. Without a contact (a preview),
/// contact fields show their fallback, or the template's sample value, or the
/// field's name in brackets.
pub fn render(
    t: &TemplateContent,
    bindings: &BTreeMap<String, Binding>,
    contact: Option<&Contact>,
) -> Rendered {
    let mut out = Rendered::default();
    let mut problems = BTreeMap::new();
    let mut value_of = |key: &str, sample: Option<&str>| -> String {
        let value = match bindings.get(key) {
            None => {
                problems.insert(key.to_owned(), VariableProblem::Unbound);
                return sample.map_or_else(|| format!("{{{{{key}}}}}"), str::to_owned);
            }
            Some(Binding::Fixed { value }) => value.clone(),
            Some(Binding::Field { field, fallback }) => {
                let found = match contact {
                    Some(c) => contact_field(c, field).unwrap_or_default(),
                    None => String::new(),
                };
                if !found.trim().is_empty() {
                    found
                } else if !fallback.trim().is_empty() {
                    fallback.clone()
                } else if contact.is_none() {
                    // A preview: show what would go there.
                    return sample.map_or_else(|| format!("[{field}]"), str::to_owned);
                } else {
                    String::new()
                }
            }
        };
        if value.trim().is_empty() {
            problems.insert(key.to_owned(), VariableProblem::Empty);
        }
        value
    };

    if let Header::Text { text, example } = &t.header {
        let mut header = text.clone();
        for v in variables(text) {
            let value = value_of(&format!("header.{v}"), example.as_deref());
            header = header.replace(&format!("{{{{{v}}}}}"), &value);
            out.header_values.push(value);
        }
        out.header = Some(header);
    }

    let mut body = t.body.clone();
    let mut seen = Vec::new();
    for v in variables(&t.body) {
        if seen.contains(&v) {
            continue;
        }
        seen.push(v.clone());
        let sample = t.body_examples.get(&v).map(String::as_str);
        let value = value_of(&format!("body.{v}"), sample);
        body = body.replace(&format!("{{{{{v}}}}}"), &value);
        out.body_values.push((v, value));
    }
    // Positional values go in number order.
    if t.parameter_format == ParameterFormat::Positional {
        out.body_values
            .sort_by_key(|(v, _)| v.parse::<u32>().unwrap_or(u32::MAX));
    }
    out.body = body;
    out.footer = t.footer.clone();

    for (i, button) in t.buttons.iter().enumerate() {
        let url = match button {
            Button::Url { url, example, .. } => match variables(url).first() {
                Some(v) => {
                    let value = value_of(&format!("buttons[{i}]"), example.as_deref());
                    let filled = url.replace(&format!("{{{{{v}}}}}"), &value);
                    out.url_values.push((i, value));
                    Some(filled)
                }
                None => Some(url.clone()),
            },
            _ => None,
        };
        out.button_urls.push(url);
    }
    out.problems = problems;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> TemplateContent {
        TemplateContent {
            name: "order_update".into(),
            language: "en_US".into(),
            category: Category::Utility,
            parameter_format: ParameterFormat::Positional,
            header: Header::None,
            body: "Hi {{1}}, your order {{2}} is on its way.".into(),
            body_examples: [("1".into(), "Ana".into()), ("2".into(), "#1042".into())].into(),
            footer: Some("Reply STOP to opt out".into()),
            buttons: vec![],
        }
    }

    fn errors_of(t: &TemplateContent) -> BTreeMap<String, Vec<String>> {
        check_template(t).into_map()
    }

    fn contact(name: &str, email: Option<&str>) -> Contact {
        Contact {
            id: uuid::Uuid::nil(),
            tenant_id: crate::TenantId(uuid::Uuid::nil()),
            name: name.into(),
            phone: "+14155550100".into(),
            country_code: "1".into(),
            iso_code: Some("US".into()),
            email: email.map(str::to_owned),
            source: "manual".into(),
            opt_in: crate::contact::OptIn::OptedIn,
            opt_in_at: None,
            opt_in_source: None,
            first_message_tag: None,
            tags: vec![],
            attributes: [("city".to_owned(), "Leeds".to_owned())].into(),
            created_at: chrono::Utc::now(),
            last_active_at: None,
        }
    }

    #[test]
    fn a_well_formed_template_passes() {
        assert!(
            errors_of(&template()).is_empty(),
            "{:?}",
            errors_of(&template())
        );
    }

    #[test]
    fn names_are_lowercase_digits_and_underscores() {
        for good in ["order_update", "promo2", "a"] {
            let t = TemplateContent {
                name: good.into(),
                ..template()
            };
            assert!(errors_of(&t).is_empty(), "{good}");
        }
        for bad in ["Order", "order-update", "order update", "", "ordér"] {
            let t = TemplateContent {
                name: bad.into(),
                ..template()
            };
            assert!(errors_of(&t).contains_key("name"), "{bad}");
        }
        let t = TemplateContent {
            name: "a".repeat(513),
            ..template()
        };
        assert!(errors_of(&t).contains_key("name"));
    }

    #[test]
    fn languages_are_meta_locale_codes() {
        for good in ["en", "en_US", "pt_BR", "fil", "zh_CN"] {
            let t = TemplateContent {
                language: good.into(),
                ..template()
            };
            assert!(errors_of(&t).is_empty(), "{good}");
        }
        for bad in ["", "english", "EN", "en-US", "e"] {
            let t = TemplateContent {
                language: bad.into(),
                ..template()
            };
            assert!(errors_of(&t).contains_key("language"), "{bad}");
        }
    }

    #[test]
    fn positional_variables_start_at_one_without_gaps() {
        let gap = TemplateContent {
            body: "Hi {{1}}, order {{3}}".into(),
            body_examples: [("1".into(), "a".into()), ("3".into(), "b".into())].into(),
            ..template()
        };
        assert!(errors_of(&gap)["body"][0].contains("without gaps"));
        let zero = TemplateContent {
            body: "Hi {{0}}".into(),
            body_examples: [("0".into(), "a".into())].into(),
            ..template()
        };
        assert!(errors_of(&zero).contains_key("body"));
        let named = TemplateContent {
            body: "Hi {{name}}".into(),
            body_examples: [("name".into(), "a".into())].into(),
            ..template()
        };
        assert!(errors_of(&named)["body"][0].contains("Numbered variables only"));
        // Out of order and repeated is fine.
        let reordered = TemplateContent {
            body: "{{2}} for {{1}}, again {{2}}.".into(),
            ..template()
        };
        assert!(
            errors_of(&reordered).is_empty(),
            "{:?}",
            errors_of(&reordered)
        );
    }

    #[test]
    fn named_variables_are_lowercase_words() {
        let named = TemplateContent {
            parameter_format: ParameterFormat::Named,
            body: "Hi {{first_name}}, code {{code_2}}".into(),
            body_examples: [
                ("first_name".into(), "Ana".into()),
                ("code_2".into(), "X".into()),
            ]
            .into(),
            ..template()
        };
        assert!(errors_of(&named).is_empty(), "{:?}", errors_of(&named));
        let bad = TemplateContent {
            body: "Hi {{First Name}}".into(),
            body_examples: [("First Name".into(), "Ana".into())].into(),
            ..named.clone()
        };
        assert!(errors_of(&bad).contains_key("body"));
    }

    #[test]
    fn unclosed_variables_are_refused() {
        let t = TemplateContent {
            body: "Hi {{1}, welcome".into(),
            ..template()
        };
        assert!(errors_of(&t)["body"][0].contains("Close every variable"));
    }

    #[test]
    fn every_variable_needs_a_sample_and_every_sample_a_variable() {
        let missing = TemplateContent {
            body_examples: [("1".into(), "Ana".into())].into(),
            ..template()
        };
        assert!(errors_of(&missing).contains_key("body_examples.2"));
        let blank = TemplateContent {
            body_examples: [("1".into(), "Ana".into()), ("2".into(), "  ".into())].into(),
            ..template()
        };
        assert!(errors_of(&blank).contains_key("body_examples.2"));
        let extra = TemplateContent {
            body_examples: [
                ("1".into(), "Ana".into()),
                ("2".into(), "#1".into()),
                ("3".into(), "x".into()),
            ]
            .into(),
            ..template()
        };
        assert!(errors_of(&extra).contains_key("body_examples.3"));
    }

    #[test]
    fn lengths_are_meta_limits() {
        let body = TemplateContent {
            body: "a".repeat(1025),
            body_examples: BTreeMap::new(),
            ..template()
        };
        assert!(errors_of(&body).contains_key("body"));
        let ok = TemplateContent {
            body: "a".repeat(1024),
            body_examples: BTreeMap::new(),
            ..template()
        };
        assert!(errors_of(&ok).is_empty());
        let footer = TemplateContent {
            footer: Some("f".repeat(61)),
            ..template()
        };
        assert!(errors_of(&footer).contains_key("footer"));
        let header = TemplateContent {
            header: Header::Text {
                text: "h".repeat(61),
                example: None,
            },
            ..template()
        };
        assert!(errors_of(&header).contains_key("header.text"));
        let empty = TemplateContent {
            body: " ".into(),
            body_examples: BTreeMap::new(),
            ..template()
        };
        assert!(errors_of(&empty).contains_key("body"));
    }

    #[test]
    fn footers_have_no_variables() {
        let t = TemplateContent {
            footer: Some("Bye {{1}}".into()),
            ..template()
        };
        assert!(errors_of(&t).contains_key("footer"));
    }

    #[test]
    fn a_text_header_has_one_variable_with_a_sample() {
        let one = TemplateContent {
            header: Header::Text {
                text: "Hello {{1}}".into(),
                example: Some("Ana".into()),
            },
            ..template()
        };
        assert!(errors_of(&one).is_empty(), "{:?}", errors_of(&one));
        let no_sample = TemplateContent {
            header: Header::Text {
                text: "Hello {{1}}".into(),
                example: None,
            },
            ..template()
        };
        assert!(errors_of(&no_sample).contains_key("header.example"));
        let two = TemplateContent {
            header: Header::Text {
                text: "{{1}} and {{2}}".into(),
                example: Some("x".into()),
            },
            ..template()
        };
        assert!(errors_of(&two)["header.text"]
            .iter()
            .any(|e| e.contains("at most one")));
    }

    #[test]
    fn buttons_follow_meta_counts_and_kinds() {
        let qr = |t: &str| Button::QuickReply { text: t.into() };
        let url = |t: &str| Button::Url {
            text: t.into(),
            url: "https://shop.example/o".into(),
            example: None,
        };
        let good = TemplateContent {
            buttons: vec![
                qr("Yes"),
                qr("No"),
                url("Track"),
                Button::PhoneNumber {
                    text: "Call".into(),
                    phone: "+14155550100".into(),
                },
            ],
            ..template()
        };
        assert!(errors_of(&good).is_empty(), "{:?}", errors_of(&good));

        let eleven = TemplateContent {
            buttons: (0..11).map(|i| qr(&format!("b{i}"))).collect(),
            ..template()
        };
        assert!(errors_of(&eleven)["buttons"][0].contains("at most 10"));
        let three_links = TemplateContent {
            buttons: vec![url("a"), url("b"), url("c")],
            ..template()
        };
        assert!(errors_of(&three_links)["buttons"][0].contains("link buttons"));
        let mixed = TemplateContent {
            buttons: vec![qr("a"), url("b"), qr("c")],
            ..template()
        };
        assert!(errors_of(&mixed)["buttons"][0].contains("together"));
        let dup = TemplateContent {
            buttons: vec![qr("Yes"), qr("yes")],
            ..template()
        };
        assert!(errors_of(&dup).contains_key("buttons[1].text"));
        let long = TemplateContent {
            buttons: vec![qr(&"x".repeat(26))],
            ..template()
        };
        assert!(errors_of(&long).contains_key("buttons[0].text"));
        let two_calls = TemplateContent {
            buttons: vec![
                Button::PhoneNumber {
                    text: "A".into(),
                    phone: "+14155550100".into(),
                },
                Button::PhoneNumber {
                    text: "B".into(),
                    phone: "+14155550101".into(),
                },
            ],
            ..template()
        };
        assert!(errors_of(&two_calls)["buttons"][0].contains("call button"));
        let bad_phone = TemplateContent {
            buttons: vec![Button::PhoneNumber {
                text: "A".into(),
                phone: "4155550100".into(),
            }],
            ..template()
        };
        assert!(errors_of(&bad_phone).contains_key("buttons[0].phone"));
        let code = TemplateContent {
            buttons: vec![Button::CopyCode {
                example: "SAVE20".into(),
            }],
            ..template()
        };
        assert!(errors_of(&code).is_empty());
        let long_code = TemplateContent {
            buttons: vec![Button::CopyCode {
                example: "X".repeat(16),
            }],
            ..template()
        };
        assert!(errors_of(&long_code).contains_key("buttons[0].example"));
    }

    #[test]
    fn a_link_variable_sits_at_the_end_with_a_sample() {
        let button = |url: &str, example: Option<&str>| TemplateContent {
            buttons: vec![Button::Url {
                text: "Track".into(),
                url: url.into(),
                example: example.map(str::to_owned),
            }],
            ..template()
        };
        assert!(errors_of(&button("https://shop.example/o/{{1}}", Some("1042"))).is_empty());
        assert!(errors_of(&button("https://shop.example/o/{{1}}", None))
            .contains_key("buttons[0].example"));
        assert!(
            errors_of(&button("https://shop.example/{{1}}/track", Some("1")))
                .contains_key("buttons[0].url")
        );
        assert!(errors_of(&button("shop.example/o", None)).contains_key("buttons[0].url"));
        assert!(
            errors_of(&button("https://x.example/{{1}}{{2}}", Some("1")))
                .contains_key("buttons[0].url")
        );
    }

    #[test]
    fn authentication_templates_have_only_a_code_button_and_no_header() {
        let auth = TemplateContent {
            category: Category::Authentication,
            body: "{{1}} is your verification code.".into(),
            body_examples: [("1".into(), "123456".into())].into(),
            footer: None,
            buttons: vec![Button::CopyCode {
                example: "123456".into(),
            }],
            ..template()
        };
        assert!(errors_of(&auth).is_empty(), "{:?}", errors_of(&auth));
        let with_link = TemplateContent {
            buttons: vec![Button::QuickReply {
                text: "Not me".into(),
            }],
            ..auth.clone()
        };
        assert!(errors_of(&with_link).contains_key("buttons"));
        let with_header = TemplateContent {
            header: Header::Image { media_id: None },
            ..auth
        };
        assert!(errors_of(&with_header).contains_key("header"));
    }

    #[test]
    fn a_media_header_needs_a_sample_from_the_gallery() {
        let without = TemplateContent {
            header: Header::Video { media_id: None },
            ..template()
        };
        assert!(errors_of(&without).contains_key("header.media_id"));
        let with = TemplateContent {
            header: Header::Video {
                media_id: Some(uuid::Uuid::nil()),
            },
            ..template()
        };
        assert!(!errors_of(&with).contains_key("header.media_id"));
        assert_eq!(
            with.header.media_kind(),
            Some(crate::media::MediaKind::Video)
        );
        assert_eq!(Header::Location.media_kind(), None);
    }

    #[test]
    fn rendering_fills_fixed_values_and_contact_fields_with_fallbacks() {
        let t = template();
        let bindings: BTreeMap<String, Binding> = [
            (
                "body.1".to_owned(),
                Binding::Field {
                    field: "$first_name".into(),
                    fallback: "there".into(),
                },
            ),
            (
                "body.2".to_owned(),
                Binding::Fixed {
                    value: "#2001".into(),
                },
            ),
        ]
        .into();
        let ana = contact("Ana María Souza", None);
        let r = render(&t, &bindings, Some(&ana));
        assert_eq!(r.body, "Hi Ana, your order #2001 is on its way.");
        assert!(r.complete());
        assert_eq!(
            r.body_values,
            vec![
                ("1".to_owned(), "Ana".to_owned()),
                ("2".to_owned(), "#2001".to_owned())
            ]
        );

        let nameless = contact("", None);
        assert_eq!(
            render(&t, &bindings, Some(&nameless)).body,
            "Hi there, your order #2001 is on its way."
        );
    }

    #[test]
    fn rendering_reports_unbound_and_empty_variables() {
        let t = template();
        let bindings: BTreeMap<String, Binding> = [(
            "body.1".to_owned(),
            Binding::Field {
                field: "$email".into(),
                fallback: String::new(),
            },
        )]
        .into();
        let r = render(&t, &bindings, Some(&contact("Ana", None)));
        assert_eq!(r.problems.get("body.1"), Some(&VariableProblem::Empty));
        assert_eq!(r.problems.get("body.2"), Some(&VariableProblem::Unbound));
        assert!(!r.complete());
    }

    #[test]
    fn a_preview_without_a_contact_shows_samples() {
        let t = TemplateContent {
            header: Header::Text {
                text: "Order {{1}}".into(),
                example: Some("#1042".into()),
            },
            buttons: vec![Button::Url {
                text: "Track".into(),
                url: "https://shop.example/o/{{1}}".into(),
                example: Some("1042".into()),
            }],
            ..template()
        };
        let bindings: BTreeMap<String, Binding> = [
            (
                "body.1".to_owned(),
                Binding::Field {
                    field: "$first_name".into(),
                    fallback: String::new(),
                },
            ),
            (
                "body.2".to_owned(),
                Binding::Field {
                    field: "$city".into(),
                    fallback: String::new(),
                },
            ),
        ]
        .into();
        let r = render(&t, &bindings, None);
        assert_eq!(r.body, "Hi Ana, your order #1042 is on its way.");
        assert_eq!(r.header.as_deref(), Some("Order #1042"));
        assert_eq!(
            r.button_urls,
            vec![Some("https://shop.example/o/1042".to_owned())]
        );
    }

    #[test]
    fn attributes_and_named_variables_render() {
        let t = TemplateContent {
            parameter_format: ParameterFormat::Named,
            body: "Hello {{name}} from {{city}}".into(),
            body_examples: [("name".into(), "A".into()), ("city".into(), "B".into())].into(),
            ..template()
        };
        let bindings: BTreeMap<String, Binding> = [
            (
                "body.name".to_owned(),
                Binding::Field {
                    field: "$name".into(),
                    fallback: String::new(),
                },
            ),
            (
                "body.city".to_owned(),
                Binding::Field {
                    field: "$city".into(),
                    fallback: String::new(),
                },
            ),
        ]
        .into();
        let r = render(
            &t,
            &bindings,
            Some(&contact("Ana Souza", Some("a@example.com"))),
        );
        assert_eq!(r.body, "Hello Ana Souza from Leeds");
        assert!(r.complete());
    }

    #[test]
    fn meta_status_words_map_to_ours() {
        assert_eq!(
            TemplateStatus::from_meta("APPROVED"),
            Some(TemplateStatus::Approved)
        );
        assert_eq!(
            TemplateStatus::from_meta("rejected"),
            Some(TemplateStatus::Rejected)
        );
        assert_eq!(
            TemplateStatus::from_meta("PAUSED"),
            Some(TemplateStatus::Paused)
        );
        assert_eq!(
            TemplateStatus::from_meta("DISABLED"),
            Some(TemplateStatus::Disabled)
        );
        assert_eq!(TemplateStatus::from_meta("SOMETHING_NEW"), None);
        assert!(TemplateStatus::Approved.sendable());
        assert!(!TemplateStatus::Pending.sendable());
    }
}
