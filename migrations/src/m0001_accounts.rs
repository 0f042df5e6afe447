//! Tenants, people, roles, memberships, sessions, password tokens, sign-in history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("tenants")
                    .col(pk_uuid("id"))
                    .col(string("name"))
                    .col(string("company_name"))
                    .col(string("time_zone"))
                    .col(string("default_country"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(string_uniq("email"))
                    .col(string("name"))
                    .col(string_null("password_hash"))
                    .col(string("language"))
                    .col(text("sounds"))
                    .col(boolean("chat_sync"))
                    .col(boolean("is_instance_admin"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("roles")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(string("name"))
                    .col(string("description"))
                    .col(string_null("builtin"))
                    .col(text("permissions"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(("roles", "tenant_id"), ("tenants", "id")))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("roles_tenant_name")
                    .table("roles")
                    .col("tenant_id")
                    .col("name")
                    .unique()
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("memberships")
                    .col(uuid("tenant_id"))
                    .col(uuid("user_id"))
                    .col(uuid("role_id"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("joined_at"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .primary_key(Index::create().col("tenant_id").col("user_id"))
                    .foreign_key(&mut fk(("memberships", "tenant_id"), ("tenants", "id")))
                    .foreign_key(&mut fk(("memberships", "user_id"), ("users", "id")))
                    .foreign_key(
                        ForeignKey::create()
                            .from("memberships", "role_id")
                            .to("roles", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("memberships_user")
                    .table("memberships")
                    .col("user_id")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("memberships_tenant_role")
                    .table("memberships")
                    .col("tenant_id")
                    .col("role_id")
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("user_id"))
                    .col(uuid("family_id"))
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk(("refresh_tokens", "tenant_id"), ("tenants", "id")))
                    .foreign_key(&mut fk(("refresh_tokens", "user_id"), ("users", "id")))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_tenant_user")
                    .table("refresh_tokens")
                    .col("tenant_id")
                    .col("user_id")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_family")
                    .table("refresh_tokens")
                    .col("family_id")
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("password_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_uniq("token_hash"))
                    .col(string("purpose"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(&mut fk(("password_tokens", "user_id"), ("users", "id")))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("login_events")
                    .col(pk_uuid("id"))
                    .col(uuid_null("user_id"))
                    .col(string("email"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_null("ip"))
                    .col(string_null("user_agent"))
                    .col(boolean("success"))
                    .foreign_key(&mut fk(("login_events", "user_id"), ("users", "id")))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("login_events_user_at")
                    .table("login_events")
                    .col("user_id")
                    .col("at")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "login_events",
            "password_tokens",
            "refresh_tokens",
            "memberships",
            "roles",
            "users",
            "tenants",
        ] {
            manager
                .drop_table(Table::drop().table(table).take())
                .await?;
        }
        Ok(())
    }
}
