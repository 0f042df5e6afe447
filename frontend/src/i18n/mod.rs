//! Every string the interface shows goes through [`t`]. Translations are flat
//! JSON files (`key -> text`) in this folder; adding a language means adding a
//! file and one line in [`LANGUAGES`].

use std::cell::RefCell;
use std::collections::HashMap;

/// `(code, display name, translation file)`. English is the fallback for keys a
/// translation lacks.
pub const LANGUAGES: &[(&str, &str, &str)] = &[("en", "English", include_str!("en.json"))];

const FALLBACK: &str = "en";

thread_local! {
    static CATALOGS: RefCell<HashMap<&'static str, HashMap<String, String>>> = RefCell::new(load());
    static CURRENT: RefCell<String> = RefCell::new(FALLBACK.to_string());
}

fn load() -> HashMap<&'static str, HashMap<String, String>> {
    LANGUAGES
        .iter()
        .map(|(code, _, text)| {
            let map: HashMap<String, String> = serde_json::from_str(text).unwrap_or_default();
            (*code, map)
        })
        .collect()
}

/// Switches the interface language; unknown codes keep English.
pub fn set_language(code: &str) {
    let known = LANGUAGES.iter().any(|(c, _, _)| *c == code);
    CURRENT.with(|c| *c.borrow_mut() = if known { code } else { FALLBACK }.to_string());
}

/// The text for `key` in the current language, English when missing there,
/// and the key itself when missing everywhere (so gaps are visible).
pub fn t(key: &str) -> String {
    lookup(key).unwrap_or_else(|| key.to_string())
}

/// Like [`t`], but `None` when no translation has the key.
pub fn lookup(key: &str) -> Option<String> {
    let lang = CURRENT.with(|c| c.borrow().clone());
    CATALOGS.with(|cats| {
        let cats = cats.borrow();
        cats.get(lang.as_str())
            .and_then(|m| m.get(key))
            .or_else(|| cats.get(FALLBACK).and_then(|m| m.get(key)))
            .cloned()
    })
}

/// [`t`] with `{name}` placeholders filled in.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(key);
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A counted phrase: `{key}.one` for one, `{key}.other` otherwise, with
/// `{count}` filled in. (Languages with more plural forms can add keys.)
pub fn tc(key: &str, count: u64) -> String {
    let form = if count == 1 { "one" } else { "other" };
    tf(&format!("{key}.{form}"), &[("count", &count.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_file_parses_and_fills_placeholders() {
        assert_eq!(t("app.name"), "Switchboard");
        assert_eq!(t("no.such.key"), "no.such.key");
        assert_eq!(tc("users.count", 1), "1 user");
        assert_eq!(tc("users.count", 3), "3 users");
    }
}
