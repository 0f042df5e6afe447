//! Session versions: access tokens and stream tickets carry the account's
//! and the membership's version, and a request is refused once either
//! stored version moved on. A password change bumps `users.session_version`;
//! signing out, a role change and deactivation bump
//! `memberships.session_version`. A new membership starts at the current
//! time in milliseconds, so a person removed and added again does not bring
//! the old membership's tokens back to life.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [(&str, &str); 4] = [
    ("users", "session_version"),
    ("memberships", "session_version"),
    ("stream_tickets", "account_version"),
    ("stream_tickets", "membership_version"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for (table, column) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(big_integer(column).default(0))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Plain SQL: SQLite (3.35+) and PostgreSQL both drop a column this way.
        for (table, column) in COLUMNS {
            manager
                .get_connection()
                .execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
