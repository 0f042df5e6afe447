//! A contact remembers the import that created it (`import_id`). The
//! contact's journey shows that import as its first line, so an import no
//! longer writes one `contact_events` row per new contact: 100,000 rows
//! fewer to insert into an indexed table for an import of 100,000 people.
//! Contacts an import updates still get an event row each. No foreign key:
//! the history of imports may be pruned without touching contacts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contacts")
                    .add_column(uuid_null("import_id"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Plain SQL: SQLite (3.35+) and PostgreSQL both drop a column this way.
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE contacts DROP COLUMN import_id")
            .await?;
        Ok(())
    }
}
