//! Contacts, tags, custom attributes, groups and the contact timeline.

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

fn cascade(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
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
                    .table("contacts")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("phone"))
                    .col(string_null("email"))
                    .col(string("country_code"))
                    .col(string_null("iso_code"))
                    .col(string("source"))
                    .col(string("opt_in"))
                    .col(timestamp_with_time_zone_null("opt_in_at"))
                    .col(string_null("opt_in_source"))
                    .col(string_null("first_message_tag"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("last_active_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(&mut tenant_fk("contacts"))
                    .take(),
            )
            .await?;
        // One live contact per phone number in a tenant; deleted ones free it.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX contacts_tenant_phone ON contacts (tenant_id, phone) WHERE deleted_at IS NULL",
            )
            .await?;
        index(
            manager,
            "contacts_tenant_created",
            "contacts",
            &["tenant_id", "created_at"],
            false,
        )
        .await?;
        index(
            manager,
            "contacts_tenant_name",
            "contacts",
            &["tenant_id", "name"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("tags")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("name_key"))
                    .col(string("colour"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk("tags"))
                    .take(),
            )
            .await?;
        index(
            manager,
            "tags_tenant_name",
            "tags",
            &["tenant_id", "name_key"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("contact_tags")
                    .col(uuid("tenant_id"))
                    .col(uuid("contact_id"))
                    .col(uuid("tag_id"))
                    .primary_key(Index::create().col("contact_id").col("tag_id"))
                    .foreign_key(&mut cascade(
                        ("contact_tags", "contact_id"),
                        ("contacts", "id"),
                    ))
                    .foreign_key(&mut cascade(("contact_tags", "tag_id"), ("tags", "id")))
                    .take(),
            )
            .await?;
        index(
            manager,
            "contact_tags_tenant_tag",
            "contact_tags",
            &["tenant_id", "tag_id", "contact_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("attribute_definitions")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("key"))
                    .col(string("name"))
                    .col(string("kind"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk("attribute_definitions"))
                    .take(),
            )
            .await?;
        index(
            manager,
            "attribute_definitions_tenant_key",
            "attribute_definitions",
            &["tenant_id", "key"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("contact_attributes")
                    .col(uuid("tenant_id"))
                    .col(uuid("contact_id"))
                    .col(string("key"))
                    .col(text("value"))
                    .primary_key(Index::create().col("contact_id").col("key"))
                    .foreign_key(&mut cascade(
                        ("contact_attributes", "contact_id"),
                        ("contacts", "id"),
                    ))
                    .take(),
            )
            .await?;
        index(
            manager,
            "contact_attributes_tenant_key",
            "contact_attributes",
            &["tenant_id", "key"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("contact_groups")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("description"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk("contact_groups"))
                    .take(),
            )
            .await?;
        index(
            manager,
            "contact_groups_tenant_name",
            "contact_groups",
            &["tenant_id", "name"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("group_members")
                    .col(uuid("tenant_id"))
                    .col(uuid("group_id"))
                    .col(uuid("contact_id"))
                    .col(timestamp_with_time_zone("added_at"))
                    .primary_key(Index::create().col("group_id").col("contact_id"))
                    .foreign_key(&mut cascade(
                        ("group_members", "group_id"),
                        ("contact_groups", "id"),
                    ))
                    .foreign_key(&mut cascade(
                        ("group_members", "contact_id"),
                        ("contacts", "id"),
                    ))
                    .take(),
            )
            .await?;
        index(
            manager,
            "group_members_tenant_contact",
            "group_members",
            &["tenant_id", "contact_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("contact_events")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("contact_id"))
                    .col(string("kind"))
                    .col(text("detail"))
                    .col(uuid_null("actor_id"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut cascade(
                        ("contact_events", "contact_id"),
                        ("contacts", "id"),
                    ))
                    .take(),
            )
            .await?;
        index(
            manager,
            "contact_events_tenant_contact",
            "contact_events",
            &["tenant_id", "contact_id", "at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "contact_events",
            "group_members",
            "contact_groups",
            "contact_attributes",
            "attribute_definitions",
            "contact_tags",
            "tags",
            "contacts",
        ] {
            manager
                .drop_table(Table::drop().table(table).take())
                .await?;
        }
        Ok(())
    }
}
