//! Webhook events applied side by side, one conversation at a time: each
//! event carries the group it belongs to (a channel and a customer), and a
//! group is leased to one worker at a time, so that the events of one
//! conversation are applied in the order they arrived even when several
//! workers (or several instances) drain the queue together. A status that
//! arrives before the message it reports on waits for that message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Events kept before this migration share the empty group: they
        // are applied one after another, in the order they arrived.
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_events")
                    .add_column(ColumnDef::new("group_key").string().not_null().default(""))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_events")
                    .add_column(ColumnDef::new("waits_for").string().null())
                    .take(),
            )
            .await?;
        let db = manager.get_connection();
        // A group's unfinished events, oldest first: what a worker that
        // holds the group takes next.
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS webhook_events_group_open \
             ON webhook_events (group_key, received_at, id) \
             WHERE state IN ('pending', 'processing')",
        )
        .await?;
        // Statuses waiting for their message, found when it is stored.
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS webhook_events_waiting \
             ON webhook_events (tenant_id, waits_for) WHERE waits_for IS NOT NULL",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_event_groups")
                    .col(
                        ColumnDef::new("group_key")
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new("claimed_by").uuid().null())
                    .col(
                        ColumnDef::new("lease_until")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("webhook_event_groups").take())
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS webhook_events_waiting")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS webhook_events_group_open")
            .await?;
        for column in ["waits_for", "group_key"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhook_events")
                        .drop_column(column)
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
