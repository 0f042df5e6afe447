//! Who may call each route, as the areas' `configure` functions declared
//! it (see `registry`): the same table the auth middleware applies, for
//! tests and tools. Nothing here is kept by hand.

use std::sync::LazyLock;

pub use crate::registry::{Access, AccessTable, Rule};

/// Every route with its rule: (method, path as in the OpenAPI document, rule).
pub static ROUTES: LazyLock<AccessTable> = LazyLock::new(crate::app::access_table);

/// The rule for a matched route, if declared.
pub fn rule_for(method: &str, pattern: &str) -> Option<Access> {
    ROUTES.rule_for(method, pattern)
}

/// Methods declared for a route pattern (empty for an unknown pattern).
pub fn methods_for(pattern: &str) -> Vec<&'static str> {
    ROUTES.methods_for(pattern)
}
