//! Message templates as the providers list and create them, and media
//! uploads: the account-level objects a channel manages besides messages.

use serde::{Deserialize, Serialize};

use crate::ProviderError;

/// A template as the provider lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Meta template id; Twilio Content SID (`HX...`).
    pub id: String,
    /// Meta name; Twilio friendly name.
    pub name: String,
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, ...; Twilio's Content list has none.
    pub status: Option<String>,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: Option<String>,
    /// `POSITIONAL` or `NAMED`.
    pub parameter_format: Option<String>,
    /// Why Meta rejected it, when it did.
    pub rejected_reason: Option<String>,
    /// The provider's component description, kept as given (Meta
    /// `components`, Twilio `types`) for previews and the send form.
    pub components: serde_json::Value,
}

/// A template to submit for approval (Meta only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTemplate {
    pub name: String,
    pub language: String,
    pub category: String,
    /// Meta's component list (HEADER, BODY, FOOTER, BUTTONS with examples).
    pub components: serde_json::Value,
    pub parameter_format: Option<String>,
}

pub use domain::whatsapp::TEMPLATE_NAME_MAX;

impl NewTemplate {
    /// The rules Meta states for names, categories and the required body.
    pub fn check(&self) -> Result<(), ProviderError> {
        check_template_name(&self.name)?;
        if self.language.trim().is_empty() {
            return Err(ProviderError::invalid("template language is required"));
        }
        if !matches!(
            self.category.as_str(),
            "MARKETING" | "UTILITY" | "AUTHENTICATION"
        ) {
            return Err(ProviderError::invalid(format!(
                "template category {:?} is not MARKETING, UTILITY or AUTHENTICATION",
                self.category
            )));
        }
        if let Some(format) = &self.parameter_format {
            if !matches!(format.as_str(), "POSITIONAL" | "NAMED") {
                return Err(ProviderError::invalid(
                    "parameter format must be POSITIONAL or NAMED",
                ));
            }
        }
        let components = self
            .components
            .as_array()
            .ok_or_else(|| ProviderError::invalid("template components must be a list"))?;
        let has_body = components.iter().any(|c| {
            c.get("type")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
        });
        if !has_body {
            return Err(ProviderError::invalid("a template needs a BODY component"));
        }
        Ok(())
    }
}

/// Lowercase letters, digits and underscores, at most 512.
pub fn check_template_name(name: &str) -> Result<(), ProviderError> {
    if name.is_empty() || name.len() > TEMPLATE_NAME_MAX {
        return Err(ProviderError::invalid(format!(
            "template name must be 1 to {TEMPLATE_NAME_MAX} characters"
        )));
    }
    if !name.chars().all(domain::whatsapp::is_template_name_char) {
        return Err(ProviderError::invalid(format!(
            "template name {name:?} may hold only lowercase letters, digits and underscores"
        )));
    }
    Ok(())
}

/// What the provider answered to a new template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedTemplate {
    pub id: String,
    pub status: Option<String>,
    pub category: Option<String>,
}

/// A file to upload for later sends by media id (Meta only).
#[derive(Clone, PartialEq, Eq)]
pub struct MediaUpload {
    pub bytes: Vec<u8>,
    /// e.g. `image/jpeg`.
    pub mime_type: String,
    pub filename: String,
}

impl std::fmt::Debug for MediaUpload {
    // The bytes can be megabytes; logs need only their size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaUpload")
            .field("mime_type", &self.mime_type)
            .field("filename", &self.filename)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl MediaUpload {
    /// Checks Meta's per-type size limits before the bytes travel.
    pub fn check(&self) -> Result<(), ProviderError> {
        if self.bytes.is_empty() {
            return Err(ProviderError::invalid("the file is empty"));
        }
        let limit = media_size_limit(&self.mime_type).ok_or_else(|| {
            ProviderError::invalid(format!(
                "{} files cannot be sent on WhatsApp",
                self.mime_type
            ))
        })?;
        if self.bytes.len() > limit {
            return Err(ProviderError::invalid(format!(
                "{} files may be at most {} bytes, this one is {}",
                self.mime_type,
                limit,
                self.bytes.len()
            )));
        }
        Ok(())
    }
}

/// Meta's size limit for a media type, `None` for types WhatsApp refuses
/// (the rule lives in `domain::media`, shared with the media gallery).
pub fn media_size_limit(mime_type: &str) -> Option<usize> {
    domain::media::size_limit(mime_type).and_then(|limit| usize::try_from(limit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: usize = 1024 * 1024;

    #[test]
    fn template_names_follow_meta_rules() {
        assert!(check_template_name("order_shipped_2").is_ok());
        assert!(check_template_name("Order").is_err());
        assert!(check_template_name("order-shipped").is_err());
        assert!(check_template_name("").is_err());
    }

    #[test]
    fn new_templates_need_a_body_and_a_known_category() {
        let mut template = NewTemplate {
            name: "order_shipped".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: serde_json::json!([{"type": "BODY", "text": "Shipped"}]),
            parameter_format: None,
        };
        assert!(template.check().is_ok());
        template.category = "PROMO".into();
        assert!(template.check().is_err());
        template.category = "UTILITY".into();
        template.components = serde_json::json!([{"type": "FOOTER", "text": "x"}]);
        assert!(template.check().is_err());
    }

    #[test]
    fn uploads_respect_size_limits() {
        let upload = |mime: &str, len: usize| MediaUpload {
            bytes: vec![0; len],
            mime_type: mime.into(),
            filename: "f".into(),
        };
        assert!(upload("image/jpeg", 1000).check().is_ok());
        assert!(upload("image/jpeg", 5 * MB + 1).check().is_err());
        assert!(upload("audio/ogg; codecs=opus", 1000).check().is_ok());
        assert!(upload("application/x-msdownload", 10).check().is_err());
        assert!(upload("image/png", 0).check().is_err());
    }
}
