//! Drops `contacts_tenant_name`. No query reads contacts in name order or
//! looks one up by its exact name: a name search matches inside the name
//! (`LIKE '%…%'`), which a B-tree cannot serve. The index only cost every
//! insert and rename a comparison-heavy text index entry; an import of
//! 100,000 contacts paid that 100,000 times.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("contacts_tenant_name")
                    .table("contacts")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("contacts_tenant_name")
                    .table("contacts")
                    .col("tenant_id")
                    .col("name")
                    .take(),
            )
            .await
    }
}
