//! Message templates. A template belongs to a WhatsApp Business Account
//! (`account_id`: the WABA id for Meta, the account SID for Twilio), so every
//! channel of the workspace on that account sees it; `channel_id` is the
//! channel it was created or last synced through. `scheduled_jobs` lets one
//! instance at a time run a periodic job (the template sync).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("templates")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("channel_id"))
                    .col(string("account_id"))
                    .col(string("name"))
                    .col(string("language"))
                    .col(string("category"))
                    .col(string("status"))
                    .col(text_null("rejected_reason"))
                    .col(string_null("provider_id"))
                    .col(text("content"))
                    .col(boolean("shared").default(false))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone_null("synced_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("templates", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("templates", "channel_id")
                            .to("channels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        // One template per name and language on an account in a workspace.
        manager
            .create_index(
                Index::create()
                    .name("templates_account_name_language")
                    .table("templates")
                    .col("tenant_id")
                    .col("account_id")
                    .col("name")
                    .col("language")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("templates_tenant_updated")
                    .table("templates")
                    .col("tenant_id")
                    .col("updated_at")
                    .take(),
            )
            .await?;
        // Periodic jobs shared by every instance: whoever moves next_run_at
        // forward runs the job this time.
        manager
            .create_table(
                Table::create()
                    .table("scheduled_jobs")
                    .col(string("name").primary_key())
                    .col(timestamp_with_time_zone("next_run_at"))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("scheduled_jobs").take())
            .await?;
        manager
            .drop_table(Table::drop().table("templates").take())
            .await?;
        Ok(())
    }
}
