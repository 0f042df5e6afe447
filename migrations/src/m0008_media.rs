//! The media gallery. `media` describes each file of a workspace (the bytes
//! live in the object store under `object_key`); `media_provider_uploads`
//! remembers the id a provider gave the file when it was uploaded through a
//! channel, and until when that id may be used (Meta keeps media 30 days).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("media")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("kind"))
                    .col(string("mime_type"))
                    .col(big_integer("size_bytes"))
                    .col(integer_null("width"))
                    .col(integer_null("height"))
                    .col(string("object_key"))
                    .col(string_null("sha256"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("media", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        // The gallery lists newest first (ids are UUID v7), narrowed by kind.
        manager
            .create_index(
                Index::create()
                    .name("media_tenant_kind_id")
                    .table("media")
                    .col("tenant_id")
                    .col("kind")
                    .col("id")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("media_tenant_id")
                    .table("media")
                    .col("tenant_id")
                    .col("id")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("media_provider_uploads")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("media_id"))
                    .col(uuid("channel_id"))
                    .col(string("provider_media_id"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("media_provider_uploads", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("media_provider_uploads", "media_id")
                            .to("media", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("media_provider_uploads", "channel_id")
                            .to("channels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        // One remembered provider id per file and channel.
        manager
            .create_index(
                Index::create()
                    .name("media_provider_uploads_media_channel")
                    .table("media_provider_uploads")
                    .col("tenant_id")
                    .col("media_id")
                    .col("channel_id")
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("media_provider_uploads").take())
            .await?;
        manager
            .drop_table(Table::drop().table("media").take())
            .await?;
        Ok(())
    }
}
