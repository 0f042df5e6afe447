//! Small SQL helpers shared by the store's modules: JSON text for columns,
//! PostgreSQL array literals for bulk statements, and which database a
//! transaction talks to.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::StoreError;

/// A value as JSON text, for a JSON column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn is_postgres(txn: &DatabaseTransaction) -> bool {
    txn.get_database_backend() == DbBackend::Postgres
}

/// Runs one PostgreSQL statement with its values.
pub(crate) async fn pg_execute(
    txn: &DatabaseTransaction,
    sql: &str,
    values: Vec<Value>,
) -> Result<(), StoreError> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// A PostgreSQL array literal (`{"a","b",NULL}`) built as text: bound as
/// one text parameter and cast in SQL (`$1::uuid[]`), it carries a whole
/// column, with NULLs, whatever the number of rows.
pub(crate) struct PgArray(String);

impl PgArray {
    pub(crate) fn new() -> Self {
        Self::with_rows(0)
    }

    /// Room for `n` short elements.
    pub(crate) fn with_rows(n: usize) -> Self {
        let mut text = String::with_capacity(2 + n.saturating_mul(24));
        text.push('{');
        Self(text)
    }

    fn separate(&mut self) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
    }

    /// Appends a value (quoted, so any text survives) or NULL.
    pub(crate) fn push(&mut self, value: Option<&str>) {
        self.separate();
        match value {
            None => self.0.push_str("NULL"),
            Some(text) => {
                self.0.push('"');
                for ch in text.chars() {
                    if ch == '"' || ch == '\\' {
                        self.0.push('\\');
                    }
                    self.0.push(ch);
                }
                self.0.push('"');
            }
        }
    }

    pub(crate) fn push_uuid(&mut self, id: Uuid) {
        self.separate();
        self.0
            .push_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
    }
}

impl From<PgArray> for Value {
    fn from(mut array: PgArray) -> Self {
        array.0.push('}');
        array.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(array: PgArray) -> String {
        match Value::from(array) {
            Value::String(Some(s)) => s,
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn array_literals_quote_text_and_keep_nulls() {
        let mut a = PgArray::new();
        a.push(Some(r#"Smith, "Jo" \ NULL"#));
        a.push(None);
        a.push(Some(""));
        a.push(Some("NULL"));
        assert_eq!(literal(a), r#"{"Smith, \"Jo\" \\ NULL",NULL,"","NULL"}"#);
        assert_eq!(literal(PgArray::new()), "{}");
        let mut ids = PgArray::new();
        ids.push_uuid(Uuid::nil());
        ids.push_uuid(Uuid::nil());
        assert_eq!(
            literal(ids),
            "{00000000-0000-0000-0000-000000000000,00000000-0000-0000-0000-000000000000}"
        );
    }
}
