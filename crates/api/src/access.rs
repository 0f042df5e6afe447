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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::ROUTES;

    #[test]
    fn each_route_is_registered_once() {
        let mut seen = HashSet::new();
        for (method, path, _) in ROUTES.iter() {
            assert!(seen.insert((method, path)), "{method} {path} twice");
        }
        assert!(ROUTES.len() > 100, "{} routes", ROUTES.len());
    }

    #[test]
    fn scoped_routes_carry_their_prefix() {
        assert_eq!(
            super::methods_for("/api/v1/conversations/{id}"),
            ["GET", "DELETE"]
        );
        assert_eq!(super::methods_for("/webhooks/meta/{id}"), ["GET", "POST"]);
        assert_eq!(super::methods_for("/healthz"), ["GET"]);
    }
}
