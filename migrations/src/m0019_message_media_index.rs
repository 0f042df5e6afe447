//! Which messages show a gallery file: a file in use by a chat cannot be
//! deleted, and the check must not read every message of the workspace.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A partial index: most messages carry no file. Both databases
        // accept this statement as written.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS messages_tenant_media \
                 ON messages (tenant_id, media_id) WHERE media_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS messages_tenant_media")
            .await?;
        Ok(())
    }
}
