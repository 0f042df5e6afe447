//! A contact's custom attribute values move into the contact's own row:
//! `contacts.attributes`, one JSON object of key -> text value (`jsonb` on
//! PostgreSQL, JSON text on SQLite). The `contact_attributes` table cost an
//! import one more indexed row per value, with its foreign-key check, and
//! every page of the list one more query; the values are only ever read
//! with their contact, or filtered one key at a time
//! (`attributes ->> 'city'`, which both backends answer).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let steps: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "ALTER TABLE contacts ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb",
                "UPDATE contacts c SET attributes = a.values \
                 FROM (SELECT contact_id, jsonb_object_agg(key, value) AS values \
                       FROM contact_attributes GROUP BY contact_id) a \
                 WHERE c.id = a.contact_id",
                "DROP TABLE contact_attributes",
            ],
            _ => &[
                "ALTER TABLE contacts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}'",
                "UPDATE contacts SET attributes = \
                 (SELECT json_group_object(key, value) FROM contact_attributes a \
                  WHERE a.contact_id = contacts.id) \
                 WHERE id IN (SELECT contact_id FROM contact_attributes)",
                "DROP TABLE contact_attributes",
            ],
        };
        for sql in steps {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contact_attributes")
                    .col(uuid("tenant_id"))
                    .col(uuid("contact_id"))
                    .col(string("key"))
                    .col(text("value"))
                    .primary_key(Index::create().col("contact_id").col("key"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("contact_attributes", "contact_id")
                            .to("contacts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_attributes_tenant_key")
                    .table("contact_attributes")
                    .col("tenant_id")
                    .col("key")
                    .take(),
            )
            .await?;
        let each = match manager.get_database_backend() {
            DbBackend::Postgres => "jsonb_each_text(c.attributes)",
            _ => "json_each(c.attributes)",
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO contact_attributes (tenant_id, contact_id, key, value) \
             SELECT c.tenant_id, c.id, e.key, e.value FROM contacts c, {each} e"
        ))
        .await?;
        db.execute_unprepared("ALTER TABLE contacts DROP COLUMN attributes")
            .await?;
        Ok(())
    }
}
