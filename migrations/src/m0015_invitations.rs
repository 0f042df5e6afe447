//! Invitations and workspace-scoped account views.
//!
//! - `memberships.display_name`: the name a workspace knows a member by. It is
//!   what its admins type when inviting and what they rename; the account's
//!   own name (the person's choice) is never changed by a workspace.
//! - `password_tokens.tenant_id`: the workspace an invitation is for (NULL for
//!   password resets).
//! - `login_events.tenant_id`: the workspace a sign-in was into (NULL for an
//!   attempt that opened no workspace), so a workspace's login history lists
//!   only sign-ins into itself.
//!
//! Memberships gain the status value `invited` (no schema change: the column
//! is free text, checked in `domain::team::MemberStatus`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("memberships")
                    .add_column(string_null("display_name"))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("password_tokens")
                    .add_column(uuid_null("tenant_id"))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("login_events")
                    .add_column(uuid_null("tenant_id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("login_events_tenant_user")
                    .table("login_events")
                    .col("tenant_id")
                    .col("user_id")
                    .col("id")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("login_events_tenant_user")
                    .table("login_events")
                    .to_owned(),
            )
            .await?;
        // Plain SQL: SQLite (3.35+) and PostgreSQL both drop a column this way.
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE login_events DROP COLUMN tenant_id")
            .await?;
        db.execute_unprepared("ALTER TABLE password_tokens DROP COLUMN tenant_id")
            .await?;
        db.execute_unprepared("DELETE FROM memberships WHERE status = 'invited'")
            .await?;
        db.execute_unprepared("ALTER TABLE memberships DROP COLUMN display_name")
            .await?;
        Ok(())
    }
}
