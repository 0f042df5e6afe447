//! Case-insensitive "contains" filters with `LIKE`, the same on SQLite and
//! PostgreSQL: what a person types is matched literally, `%` and `_`
//! included.

use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr, SimpleExpr};

/// `s` with `LIKE`'s wildcards (and the escape character) escaped by `\`.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `lower(col) LIKE '%needle%'`, with `needle` lower-cased and escaped.
pub(crate) fn contains_ci(col: impl IntoColumnRef, needle: &str) -> SimpleExpr {
    contains_ci_expr(Expr::col(col), needle)
}

/// [`contains_ci`] over any text expression.
pub(crate) fn contains_ci_expr(text: SimpleExpr, needle: &str) -> SimpleExpr {
    let pattern = format!("%{}%", escape_like(&needle.to_lowercase()));
    Expr::expr(Func::lower(text)).like(LikeExpr::new(pattern).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
    }
}
