//! `/roles` and `/roles/:id` (`/roles/new` creates): roles and their
//! permission matrix.

mod edit;
mod list;

pub use edit::RoleEditPage;
pub use list::RolesPage;
