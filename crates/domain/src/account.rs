//! People and their sign-in: what a valid email, password and profile are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field name -> human-readable messages; the API returns it as `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn single(field: &str, message: &str) -> Self {
        let mut e = Self::default();
        e.add(field, message);
        e
    }

    pub fn add(&mut self, field: &str, message: &str) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    pub fn get(&self, field: &str) -> Option<&Vec<String>> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_map(self) -> BTreeMap<String, Vec<String>> {
        self.0
    }

    /// Keeps the value of `result`, or gathers its errors into `self`.
    pub fn take<T>(&mut self, result: Result<T, FieldErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                for (field, messages) in errors.0 {
                    self.0.entry(field).or_default().extend(messages);
                }
                None
            }
        }
    }

    /// The same errors with field `from` called `to` (a rule checked under
    /// one name but submitted under another).
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        if let Some(messages) = self.0.remove(from) {
            self.0.entry(to.to_owned()).or_default().extend(messages);
        }
        self
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;

/// Lower-cased, trimmed email if it looks deliverable (one `@`, a dotted domain).
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() || email.len() > EMAIL_MAX || email.chars().any(char::is_whitespace) {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    (!local.is_empty() && domain_ok).then_some(email)
}

/// The one message for an address that is not one.
pub const EMAIL_INVALID: &str = "Enter a valid email address.";

/// [`normalize_email`] as a field check: the address, or the message every
/// form shows for one that is not.
pub fn check_email(raw: &str) -> Result<String, &'static str> {
    normalize_email(raw).ok_or(EMAIL_INVALID)
}

/// Length bounds per OWASP ASVS: long passphrases welcome, no composition rules.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err("Use at least 10 characters.");
    }
    if len > PASSWORD_MAX {
        return Err("Use at most 128 characters.");
    }
    if password.trim().is_empty() {
        return Err("A password cannot be only spaces.");
    }
    Ok(())
}

pub fn check_display_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err("Use at most 100 characters.");
    }
    Ok(name.to_owned())
}

/// Languages the interface is translated into.
pub const LANGUAGES: &[&str] = &["en"];

/// Modules that can play a sound for new activity.
pub const SOUND_MODULES: &[&str] = &["conversations", "notifications", "broadcasts"];

/// A person's own preferences; every field is optional on update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub language: String,
    /// Module key -> sound on. Modules not listed use the default (on).
    pub sounds: BTreeMap<String, bool>,
    pub chat_sync: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            language: "en".to_owned(),
            sounds: SOUND_MODULES
                .iter()
                .map(|m| ((*m).to_owned(), true))
                .collect(),
            chat_sync: true,
        }
    }
}

impl Profile {
    /// Applies a partial update, refusing unknown languages and modules.
    pub fn updated(
        &self,
        language: Option<&str>,
        sounds: Option<&BTreeMap<String, bool>>,
        chat_sync: Option<bool>,
    ) -> Result<Profile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = self.clone();
        if let Some(language) = language {
            if LANGUAGES.contains(&language) {
                next.language = language.to_owned();
            } else {
                errors.add("language", "This language is not available.");
            }
        }
        if let Some(sounds) = sounds {
            for (module, on) in sounds {
                if SOUND_MODULES.contains(&module.as_str()) {
                    next.sounds.insert(module.clone(), *on);
                } else {
                    errors.add("sounds", "Unknown module for sounds.");
                }
            }
        }
        if let Some(chat_sync) = chat_sync {
            next.chat_sync = chat_sync;
        }
        errors.into_result(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normalize_email("  Ana@Example.COM "),
            Some("ana@example.com".into())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.io",
            "ana@localhost",
            "a b@x.io",
            "a@x..io",
            "a@.x.io",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_but_no_composition_rules() {
        assert!(check_password("short").is_err());
        assert!(check_password("          ").is_err());
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn profile_updates_only_known_settings() {
        let base = Profile::default();
        let mut sounds = BTreeMap::new();
        sounds.insert("conversations".to_owned(), false);
        let next = base.updated(None, Some(&sounds), Some(false)).unwrap();
        assert_eq!(next.sounds.get("conversations"), Some(&false));
        assert!(!next.chat_sync);
        sounds.insert("nonsense".to_owned(), true);
        assert!(base
            .updated(Some("xx"), Some(&sounds), None)
            .unwrap_err()
            .get("language")
            .is_some());
    }
}
