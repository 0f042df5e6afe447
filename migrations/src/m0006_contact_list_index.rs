//! The contact list's own index: a workspace's live contacts in id order.
//! The list pages newest first by id and counts the first page; with this
//! partial index both read only that workspace's live rows, however many
//! other workspaces and deleted contacts the table holds.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX contacts_tenant_live_id ON contacts (tenant_id, id) WHERE deleted_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX contacts_tenant_live_id")
            .await?;
        Ok(())
    }
}
