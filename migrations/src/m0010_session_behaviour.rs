//! Session behaviour: a channel can close inactive conversations by asking
//! the customer whether they still need help, then telling them the
//! conversation is closing. `channel_session_settings` holds a channel's
//! choice (no row: off, with the defaults); each conversation remembers how
//! far it got (`session_stage`: 0 nothing asked, 1 asked, 2 closed) and
//! since when. The worker reads one channel's quiet conversations at a time
//! through `conversations_session`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("channel_session_settings")
                    .col(uuid("channel_id").primary_key())
                    .col(uuid("tenant_id"))
                    .col(boolean("enabled"))
                    .col(integer("ask_after_minutes"))
                    .col(integer("end_after_minutes"))
                    .col(text("ask_text"))
                    .col(text("end_text"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("channel_session_settings", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("channel_session_settings", "channel_id")
                            .to("channels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_session_settings_tenant")
                    .table("channel_session_settings")
                    .col("tenant_id")
                    .col("channel_id")
                    .unique()
                    .take(),
            )
            .await?;
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table("conversations")
                    .add_column(integer("session_stage").default(0))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("conversations")
                    .add_column(timestamp_with_time_zone_null("session_stage_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_session")
                    .table("conversations")
                    .col("tenant_id")
                    .col("channel_id")
                    .col("session_stage")
                    .col("last_message_at")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX conversations_session")
            .await?;
        // Plain SQL: SQLite (3.35+) and PostgreSQL both drop a column this way.
        db.execute_unprepared("ALTER TABLE conversations DROP COLUMN session_stage_at")
            .await?;
        db.execute_unprepared("ALTER TABLE conversations DROP COLUMN session_stage")
            .await?;
        manager
            .drop_table(Table::drop().table("channel_session_settings").take())
            .await?;
        Ok(())
    }
}
