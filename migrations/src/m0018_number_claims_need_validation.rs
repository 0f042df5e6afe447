//! A channel holds its phone number id against other workspaces only once
//! the provider accepted its credentials. Channels saved before that rule
//! whose credentials were never accepted give their number back.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("UPDATE channels SET phone_number_id = NULL WHERE status <> 'good'")
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Nothing to undo: the claims come back as channels are validated.
        Ok(())
    }
}
