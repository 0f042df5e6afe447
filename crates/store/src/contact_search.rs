//! Finding contacts by what a person types in a search box: part of a
//! name or email, in any letter case (non-ASCII letters included), or part
//! of a phone number written any way ("07911 123", "+44 7911-123").
//!
//! Both databases answer from a trigram index (migration m0021), so a
//! search reads the matching contacts, not all of them:
//! - PostgreSQL: `lower(col) LIKE '%fragment%'`, which the `pg_trgm` GIN
//!   indexes on `lower(name)`, `lower(email)` and `phone` serve.
//! - SQLite: a `MATCH` on the FTS5 trigram table `contact_search` (kept by
//!   triggers), whose tokenizer folds case for every script; SQLite's own
//!   `lower` and `LIKE` fold only ASCII. A trigram needs three characters,
//!   so a shorter fragment falls back to `LIKE` over the rows (few people
//!   stop typing at two characters, and such a search matches most rows
//!   anyway).

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend};

use crate::entities::contact;
use crate::like::contains_ci;

/// Characters a phone number is written with besides its digits.
const PHONE_PUNCTUATION: &[char] = &['+', '-', '(', ')', '.', '/', ' '];

/// The digits of `q` when it reads as (part of) a phone number: only
/// digits and phone punctuation. Leading zeros go (a trunk prefix such as
/// the UK's `0`, or an international `00`), as does a `(0)`, since numbers
/// are stored in E.164 without them; what is left is matched anywhere in
/// the number. `None` for text with letters or no digits.
pub(crate) fn phone_digits(q: &str) -> Option<String> {
    let q = q.replace("(0)", "");
    if !q
        .chars()
        .all(|c| c.is_ascii_digit() || PHONE_PUNCTUATION.contains(&c) || c.is_whitespace())
    {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    (!digits.is_empty()).then(|| digits.to_owned())
}

/// Which of a contact's fields a search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fields {
    /// Name, email and phone: the contact list.
    NameEmailPhone,
    /// Name and phone: the conversation search.
    NamePhone,
}

/// The condition "this contact matches `q`" (`q` trimmed and not empty).
pub(crate) fn matches(backend: DbBackend, q: &str, fields: Fields) -> Condition {
    let digits = phone_digits(q);
    let email = fields == Fields::NameEmailPhone;
    let mut any = Condition::any();
    if backend == DbBackend::Postgres {
        any = any.add(contains_ci(contact::Column::Name, q));
        if email {
            any = any.add(contains_ci(contact::Column::Email, q));
        }
        if let Some(digits) = digits {
            any = any.add(contact::Column::Phone.contains(&digits));
        }
        return any;
    }
    // SQLite: the trigram table for fragments of three characters or
    // more, `LIKE` for shorter ones.
    let mut phrases = Vec::new();
    if q.chars().count() >= 3 {
        let columns = if email { "{name email}" } else { "name" };
        phrases.push(format!("{columns} : {}", fts_phrase(q)));
    } else {
        any = any.add(contains_ci(contact::Column::Name, q));
        if email {
            any = any.add(contains_ci(contact::Column::Email, q));
        }
    }
    match digits {
        Some(digits) if digits.len() >= 3 => {
            phrases.push(format!("phone : {}", fts_phrase(&digits)))
        }
        Some(digits) => any = any.add(contact::Column::Phone.contains(&digits)),
        None => {}
    }
    if !phrases.is_empty() {
        any = any.add(in_search_table(phrases.join(" OR ")));
    }
    any
}

/// `q` as one FTS5 phrase: with the trigram tokenizer, the rows holding
/// `q` anywhere in the column, case folded.
fn fts_phrase(q: &str) -> String {
    format!("\"{}\"", q.replace('"', "\"\""))
}

/// SQLite: the contacts whose `contact_search` row matches the FTS5 query.
fn in_search_table(query: String) -> SimpleExpr {
    Expr::cust_with_values(
        "\"contacts\".rowid IN (SELECT rowid FROM contact_search WHERE contact_search MATCH ?)",
        [query],
    )
}

#[cfg(test)]
mod tests {
    use super::phone_digits;

    #[test]
    fn phone_fragments_in_any_formatting_give_their_digits() {
        assert_eq!(phone_digits("7911 123").as_deref(), Some("7911123"));
        assert_eq!(phone_digits("07911 123-456").as_deref(), Some("7911123456"));
        assert_eq!(
            phone_digits("+44 (0)7911 123").as_deref(),
            Some("447911123")
        );
        assert_eq!(phone_digits("0044 7911").as_deref(), Some("447911"));
    }

    #[test]
    fn text_with_letters_is_not_a_phone() {
        assert_eq!(phone_digits("person42"), None);
        assert_eq!(phone_digits("42@example"), None);
        assert_eq!(phone_digits("- -"), None);
    }
}
