//! The shared inbox. `conversations` is one row per customer and channel,
//! carrying what the list shows (state, controller, unread count, the latest
//! message) so the list reads one table. `messages` holds both directions;
//! a provider's message id is unique per workspace, so a replayed webhook
//! or a retried send never stores a message twice. `message_stars` is per
//! person; `quick_replies` are the workspace's saved answers;
//! `stream_tickets` open the live event stream once. Message text is
//! searchable: an FTS5 table on SQLite, a GIN full-text index on PostgreSQL.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tenant_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "tenant_id")
        .to("tenants", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.take()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("conversations")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("channel_id"))
                    .col(uuid("contact_id"))
                    .col(string("state"))
                    .col(uuid_null("controller_id"))
                    .col(boolean("chatbot_enabled"))
                    .col(integer("unread_count"))
                    .col(timestamp_with_time_zone("last_message_at"))
                    .col(timestamp_with_time_zone_null("last_inbound_at"))
                    .col(text("last_preview"))
                    .col(string("last_direction"))
                    .col(string("last_status"))
                    .col(timestamp_with_time_zone_null("archived_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk("conversations"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("conversations", "channel_id")
                            .to("channels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("conversations", "contact_id")
                            .to("contacts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(
            manager,
            "conversations_channel_contact",
            "conversations",
            &["tenant_id", "channel_id", "contact_id"],
            true,
        )
        .await?;
        // The list: most recent activity first, optionally by state.
        index(
            manager,
            "conversations_recent",
            "conversations",
            &["tenant_id", "last_message_at", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "conversations_state_recent",
            "conversations",
            &["tenant_id", "state", "last_message_at", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "conversations_contact",
            "conversations",
            &["tenant_id", "contact_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("messages")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("conversation_id"))
                    .col(string("direction"))
                    .col(string("kind"))
                    .col(text_null("body"))
                    .col(text("content"))
                    .col(string_null("provider_message_id"))
                    .col(string("status"))
                    .col(string_null("error_code"))
                    .col(text_null("error_title"))
                    .col(text_null("error_detail"))
                    .col(uuid_null("reply_to_id"))
                    .col(uuid_null("media_id"))
                    .col(uuid_null("sent_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("status_at"))
                    .foreign_key(&mut tenant_fk("messages"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("messages", "conversation_id")
                            .to("conversations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(
            manager,
            "messages_conversation",
            "messages",
            &["tenant_id", "conversation_id", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "messages_provider_id",
            "messages",
            &["tenant_id", "provider_message_id"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("message_stars")
                    .col(uuid("tenant_id"))
                    .col(uuid("user_id"))
                    .col(uuid("message_id"))
                    .col(timestamp_with_time_zone("starred_at"))
                    .primary_key(Index::create().col("user_id").col("message_id"))
                    .foreign_key(&mut tenant_fk("message_stars"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("message_stars", "message_id")
                            .to("messages", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(
            manager,
            "message_stars_user",
            "message_stars",
            &["tenant_id", "user_id", "starred_at"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("quick_replies")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("shortcut"))
                    .col(string("shortcut_key"))
                    .col(text("body"))
                    .col(text("channel_ids"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk("quick_replies"))
                    .take(),
            )
            .await?;
        index(
            manager,
            "quick_replies_shortcut",
            "quick_replies",
            &["tenant_id", "shortcut_key"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("stream_tickets")
                    .col(string("ticket_hash").primary_key())
                    .col(uuid("tenant_id"))
                    .col(uuid("user_id"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(&mut tenant_fk("stream_tickets"))
                    .take(),
            )
            .await?;

        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX messages_body_search ON messages \
                     USING GIN (to_tsvector('simple', coalesce(body, '')))",
                )
                .await?;
            }
            _ => {
                // Kept by the store next to each message write.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE message_search USING fts5(\
                     body, message_id UNINDEXED, tenant_id UNINDEXED, tokenize = 'unicode61')",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS message_search")
                .await?;
        }
        for table in [
            "stream_tickets",
            "quick_replies",
            "message_stars",
            "messages",
            "conversations",
        ] {
            manager
                .drop_table(Table::drop().table(table).take())
                .await?;
        }
        Ok(())
    }
}
