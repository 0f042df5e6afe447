//! `/users`: the tenant's team.

mod dialogs;
mod list;

pub use list::UsersPage;

use contract::roles::{Role, RoleRef};

/// Badge colour of a role.
pub fn role_tone(role: &RoleRef) -> &'static str {
    match role.builtin.as_deref() {
        Some("owner") => "accent",
        Some("admin") => "info",
        Some("manager") => "warning",
        Some(_) => "neutral",
        None => "violet",
    }
}

/// `(id, name)` choices for a role select.
pub fn role_options(roles: &[Role]) -> Vec<(String, String)> {
    roles
        .iter()
        .map(|r| (r.id.to_string(), r.name.clone()))
        .collect()
}
