//! Contact imports: uploaded files, their mapping, progress and failed rows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contact_imports")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("created_by"))
                    .col(string("file_name"))
                    .col(string("file_path"))
                    .col(string("state"))
                    .col(text_null("mapping"))
                    .col(text_null("options"))
                    .col(big_integer("total_rows"))
                    .col(big_integer("processed_rows"))
                    .col(big_integer("added"))
                    .col(big_integer("updated"))
                    .col(big_integer("failed"))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("contact_imports", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_imports_tenant")
                    .table("contact_imports")
                    .col("tenant_id")
                    .col("id")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_imports_state")
                    .table("contact_imports")
                    .col("state")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("contact_import_failures")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("import_id"))
                    .col(big_integer("line"))
                    .col(text("reason"))
                    .col(text("cells"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("contact_import_failures", "import_id")
                            .to("contact_imports", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_import_failures_import")
                    .table("contact_import_failures")
                    .col("tenant_id")
                    .col("import_id")
                    .col("line")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contact_import_failures").take())
            .await?;
        manager
            .drop_table(Table::drop().table("contact_imports").take())
            .await?;
        Ok(())
    }
}
