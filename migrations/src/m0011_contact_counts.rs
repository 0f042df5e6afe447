//! PostgreSQL keeps each workspace's number of live contacts in
//! `contact_counts`, so the contact list's total is one row read instead of
//! counting 100,000 rows. Statement-level triggers with transition tables
//! keep it right for every insert, update (a soft delete, an import's
//! upsert) and delete, however many rows a statement touches, in the same
//! transaction. SQLite counts through its covering index and needs none of
//! this, so the table exists on PostgreSQL only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE contact_counts (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    live bigint NOT NULL
);

INSERT INTO contact_counts (tenant_id, live)
SELECT tenant_id, count(*) FROM contacts WHERE deleted_at IS NULL GROUP BY tenant_id;

CREATE FUNCTION contact_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_counts AS c (tenant_id, live)
    SELECT tenant_id, count(*) FROM new_rows WHERE deleted_at IS NULL GROUP BY tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET live = c.live + EXCLUDED.live;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_counts AS c (tenant_id, live)
    SELECT tenant_id, sum(delta) FROM (
        SELECT tenant_id, 1 AS delta FROM new_rows WHERE deleted_at IS NULL
        UNION ALL
        SELECT tenant_id, -1 AS delta FROM old_rows WHERE deleted_at IS NULL
    ) changes
    GROUP BY tenant_id
    HAVING sum(delta) <> 0
    ON CONFLICT (tenant_id) DO UPDATE SET live = c.live + EXCLUDED.live;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts AS c SET live = c.live - gone.n
    FROM (SELECT tenant_id, count(*) AS n FROM old_rows WHERE deleted_at IS NULL GROUP BY tenant_id) gone
    WHERE c.tenant_id = gone.tenant_id;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_inserted();
CREATE TRIGGER contact_counts_update AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_updated();
CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_deleted();
"#;

const DOWN: &str = r#"
DROP TRIGGER contact_counts_delete ON contacts;
DROP TRIGGER contact_counts_update ON contacts;
DROP TRIGGER contact_counts_insert ON contacts;
DROP FUNCTION contact_counts_deleted();
DROP FUNCTION contact_counts_updated();
DROP FUNCTION contact_counts_inserted();
DROP TABLE contact_counts;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
