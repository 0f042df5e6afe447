//! Webhook events are deduplicated per channel, not per provider: with a
//! provider-wide key, one workspace could post (signed with its own secret)
//! an event id another workspace's channel will later receive, and that
//! event would then be dropped as a duplicate.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("webhook_events_provider_key")
                    .table("webhook_events")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_channel_key")
                    .table("webhook_events")
                    .col("channel_id")
                    .col("event_key")
                    .unique()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("webhook_events_channel_key")
                    .table("webhook_events")
                    .to_owned(),
            )
            .await?;
        // Events that differ only by channel cannot share the old key.
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM webhook_events WHERE EXISTS (SELECT 1 FROM webhook_events older \
                 WHERE older.provider = webhook_events.provider \
                 AND older.event_key = webhook_events.event_key \
                 AND CAST(older.id AS TEXT) < CAST(webhook_events.id AS TEXT))",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_provider_key")
                    .table("webhook_events")
                    .col("provider")
                    .col("event_key")
                    .unique()
                    .take(),
            )
            .await
    }
}
