//! Channels (published and draft credentials, secrets sealed) and the
//! webhook event inbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("channels")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("provider"))
                    .col(boolean("active"))
                    .col(string("status"))
                    .col(string_null("status_code"))
                    .col(text_null("status_message"))
                    .col(timestamp_with_time_zone_null("checked_at"))
                    .col(boolean_null("subscribed"))
                    .col(string_null("quality_rating"))
                    .col(string_null("phone_number_id"))
                    .col(string_null("waba_id"))
                    .col(text("fields"))
                    .col(text_null("secrets"))
                    .col(text_null("draft_fields"))
                    .col(text_null("draft_secrets"))
                    .col(string_null("draft_status"))
                    .col(string_null("draft_status_code"))
                    .col(text_null("draft_status_message"))
                    .col(string_null("api_token_hash"))
                    .col(timestamp_with_time_zone_null("api_token_created_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("channels", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channels_tenant_name")
                    .table("channels")
                    .col("tenant_id")
                    .col("name")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channels_api_token")
                    .table("channels")
                    .col("api_token_hash")
                    .unique()
                    .take(),
            )
            .await?;
        // One active channel per phone number across all tenants; a WABA may
        // be shared. Partial indexes read the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX channels_active_phone_number ON channels (phone_number_id) \
                 WHERE active AND phone_number_id IS NOT NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("webhook_events")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("channel_id"))
                    .col(string("provider"))
                    .col(string("event_key"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("received_at"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("processed_at"))
                    .col(text_null("last_error"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("webhook_events", "channel_id")
                            .to("channels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
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
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_due")
                    .table("webhook_events")
                    .col("state")
                    .col("next_attempt_at")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_tenant_channel")
                    .table("webhook_events")
                    .col("tenant_id")
                    .col("channel_id")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("webhook_events").take())
            .await?;
        manager
            .drop_table(Table::drop().table("channels").take())
            .await?;
        Ok(())
    }
}
