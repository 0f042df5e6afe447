//! Switchboard's persistence. Repositories take the tenant first and return
//! domain types; sea-orm entities stay inside this crate.

mod accounts;
mod channels;
mod contact_search;
mod contacts;
mod conversations;
mod entities;
mod error;
mod events;
mod imports;
mod like;
mod media;
mod notifications;
pub mod secrets;
mod session_behaviour;
mod sign_in_tokens;
mod sql;
mod templates;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use accounts::{MemberFilter, NewAccount, PageRequest};
pub use channels::{IncomingEvent, NewChannel};
pub use contacts::{
    AttributeDefinition, ContactChanges, ContactEventRecord, GroupStats, NewContact, TagUsage,
};
pub use conversations::{
    AppliedStatus, ConversationFilter, ConversationRecord, InboundOutcome, MessageHit,
    MessageRecord, MessageView, NewInbound, NewOutbound, OwnerFilter, QuickReplyRecord,
    StarredRecord, StatusOutcome, StatusReport,
};
pub use error::StoreError;
pub use events::{ClaimLimits, ClaimedEvent, EventOutcome};
pub use imports::{ImportApply, ImportRecord, RowOutcome};
pub use media::{MediaFilter, MediaRecord, MediaUse, NewMedia, ProviderUploadRecord};
pub use session_behaviour::{SessionCandidate, SessionSettingsRecord};
pub use sign_in_tokens::{PasswordToken, PasswordTokenPurpose, RefreshOutcome};
pub use templates::{NewTemplate, StatusChange, SyncedTemplate, TemplateFilter, TemplateRecord};

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    secrets: Option<std::sync::Arc<secrets::SecretBox>>,
    /// Wakes this process's import worker when an import is queued here
    /// (other instances find it on their next poll).
    imports_queued: std::sync::Arc<tokio::sync::Notify>,
}

/// When a pool's commits are on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Before the commit returns (SQLite `synchronous=FULL`, PostgreSQL
    /// `synchronous_commit=on`). Everything a person or a provider is
    /// answered about uses this.
    Flushed,
    /// Soon after the commit returns: a power loss or an OS crash (not a
    /// crashed or killed process) can drop the last commits, whole and in
    /// order, never half of one. Only for work that is redone when its
    /// effects are missing: applying the webhook event queue, whose
    /// "processed" marks are written after the effects, so a dropped tail
    /// leaves those events due again.
    Deferred,
}

impl Store {
    /// Connects to `url` (`sqlite://...` or `postgres://...`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect_with(url, max_connections, Durability::Flushed).await
    }

    /// Connects with the given durability of commits.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        durability: Durability,
    ) -> Result<Self, StoreError> {
        use sea_orm::sqlx::sqlite::SqliteSynchronous;
        let deferred = durability == Durability::Deferred;
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            // Multi-row INSERTs of imports vary in size; a smaller cache
            // keeps their prepared statements from piling up per connection.
            .map_sqlx_sqlite_opts(move |o| {
                let o = o.statement_cache_capacity(32);
                // In WAL mode NORMAL skips the fsync per commit; the WAL
                // stays a prefix of what was committed.
                if deferred {
                    o.synchronous(SqliteSynchronous::Normal)
                } else {
                    o
                }
            })
            .map_sqlx_postgres_opts(move |o| {
                if deferred {
                    o.options([("synchronous_commit", "off")])
                } else {
                    o
                }
            });
        let db = Database::connect(options).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL lets readers proceed while a writer commits.
            db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
                .await?;
        }
        Ok(Self {
            db,
            secrets: None,
            imports_queued: std::sync::Arc::default(),
        })
    }

    /// Lets this store seal and open third-party secrets with `key`.
    pub fn with_secrets(mut self, key: &[u8; 32]) -> Self {
        self.secrets = Some(std::sync::Arc::new(secrets::SecretBox::new(key)));
        self
    }

    /// A transaction that will write. SQLite starts it IMMEDIATE so that two
    /// writers queue on the busy timeout instead of failing on upgrade.
    pub(crate) async fn write_txn(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Rolls every migration back (used by tests of the down path).
    pub async fn migrate_down_all(&self) -> Result<(), StoreError> {
        Migrator::down(&self.db, None).await?;
        Ok(())
    }

    /// A trivial query, for readiness probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}

/// PostgreSQL databases for isolated test runs: each test gets its own.
pub mod scratch {
    use sea_orm::{ConnectionTrait, Database};

    use crate::StoreError;

    fn check_name(name: &str) -> Result<(), StoreError> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(StoreError::Corrupt(format!("unsafe database name {name}")));
        }
        Ok(())
    }

    /// Creates database `name` on the server of `admin_url`.
    pub async fn create_postgres_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
        check_name(name)?;
        let db = Database::connect(admin_url).await?;
        db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        db.close().await?;
        Ok(())
    }

    /// Drops database `name`, disconnecting anyone still on it.
    pub async fn drop_postgres_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
        check_name(name)?;
        let db = Database::connect(admin_url).await?;
        db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
        db.close().await?;
        Ok(())
    }

    /// Fills a tenant's conversations for benchmarks: `conversations` customers
    /// (contacts `+1555...`), one conversation each on `channel`, with
    /// `per_conversation` messages each, alternating in and out, spread
    /// over the past minutes. Plain SQL, so a million rows take seconds.
    pub async fn seed_conversations(
        url: &str,
        tenant: uuid::Uuid,
        channel: uuid::Uuid,
        conversations: u64,
        per_conversation: u64,
    ) -> Result<(), StoreError> {
        let db = Database::connect(url).await?;
        let statements = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let (t, c) = (format!("'{tenant}'::uuid"), format!("'{channel}'::uuid"));
                vec![
                    format!(
                        "INSERT INTO contacts (id, tenant_id, name, phone, email, country_code, iso_code, source, opt_in, \
                         opt_in_at, opt_in_source, first_message_tag, created_at, updated_at, last_active_at, deleted_at) \
                         SELECT gen_random_uuid(), {t}, 'Customer ' || i, '+1555' || lpad(i::text, 7, '0'), NULL, '1', 'US', \
                         'organic', 'unknown', NULL, NULL, NULL, ts, ts, ts, NULL \
                         FROM (SELECT i, now() - make_interval(mins => i) AS ts FROM generate_series(1, {conversations}) AS i) AS n"
                    ),
                    format!(
                        "INSERT INTO conversations (id, tenant_id, channel_id, contact_id, state, controller_id, chatbot_enabled, \
                         unread_count, last_message_at, last_inbound_at, last_preview, last_direction, last_status, archived_at, \
                         deleted_at, created_at, updated_at) \
                         SELECT gen_random_uuid(), tenant_id, {c}, id, (ARRAY['bot','requesting','intervened','resolved'])[1 + (abs(hashtext(phone)) % 4)], \
                         NULL, true, 0, created_at, created_at, 'Message {per_conversation}', 'inbound', 'received', NULL, NULL, created_at, created_at \
                         FROM contacts WHERE tenant_id = {t}"
                    ),
                    format!(
                        "INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, body, content, provider_message_id, \
                         status, error_code, error_title, error_detail, reply_to_id, media_id, sent_by, created_at, status_at) \
                         SELECT gen_random_uuid(), c.tenant_id, c.id, CASE WHEN j % 2 = 0 THEN 'outbound' ELSE 'inbound' END, 'text', \
                         'Message ' || j, '{{}}', NULL, CASE WHEN j % 2 = 0 THEN 'read' ELSE 'received' END, NULL, NULL, NULL, NULL, \
                         NULL, NULL, c.created_at, NULL \
                         FROM conversations c CROSS JOIN generate_series(1, {per_conversation}) AS j WHERE c.tenant_id = {t}"
                    ),
                    "ANALYZE".to_owned(),
                ]
            }
            _ => {
                let hex = |id: uuid::Uuid| format!("X'{}'", id.simple());
                let (t, c) = (hex(tenant), hex(channel));
                vec![
                    format!(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {conversations}) \
                         INSERT INTO contacts (id, tenant_id, name, phone, email, country_code, iso_code, source, opt_in, \
                         opt_in_at, opt_in_source, first_message_tag, created_at, updated_at, last_active_at, deleted_at) \
                         SELECT randomblob(16), {t}, 'Customer ' || i, '+1555' || printf('%07d', i), NULL, '1', 'US', \
                         'organic', 'unknown', NULL, NULL, NULL, ts, ts, ts, NULL \
                         FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || i || ' minutes') AS ts FROM n)"
                    ),
                    format!(
                        "INSERT INTO conversations (id, tenant_id, channel_id, contact_id, state, controller_id, chatbot_enabled, \
                         unread_count, last_message_at, last_inbound_at, last_preview, last_direction, last_status, archived_at, \
                         deleted_at, created_at, updated_at) \
                         SELECT randomblob(16), tenant_id, {c}, id, \
                         CASE abs(random()) % 4 WHEN 0 THEN 'bot' WHEN 1 THEN 'requesting' WHEN 2 THEN 'intervened' ELSE 'resolved' END, \
                         NULL, 1, 0, created_at, created_at, 'Message {per_conversation}', 'inbound', 'received', NULL, NULL, created_at, created_at \
                         FROM contacts WHERE tenant_id = {t}"
                    ),
                    format!(
                        "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {per_conversation}) \
                         INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, body, content, provider_message_id, \
                         status, error_code, error_title, error_detail, reply_to_id, media_id, sent_by, created_at, status_at) \
                         SELECT randomblob(16), c.tenant_id, c.id, CASE j % 2 WHEN 0 THEN 'outbound' ELSE 'inbound' END, 'text', \
                         'Message ' || j, '{{}}', NULL, CASE j % 2 WHEN 0 THEN 'read' ELSE 'received' END, NULL, NULL, NULL, NULL, \
                         NULL, NULL, c.created_at, NULL \
                         FROM conversations c CROSS JOIN k WHERE c.tenant_id = {t}"
                    ),
                    "ANALYZE".to_owned(),
                ]
            }
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        db.close().await?;
        Ok(())
    }

    /// Gives every conversation of a tenant `per_conversation` messages
    /// we sent, still pending, with provider ids
    /// `wamid.out.{contact phone digits}.{j}` (for benchmarks that then
    /// report their statuses). Answers each message's id and provider id.
    pub async fn seed_sent(
        url: &str,
        tenant: uuid::Uuid,
        per_conversation: u64,
    ) -> Result<Vec<(uuid::Uuid, String)>, StoreError> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let db = Database::connect(url).await?;
        let sql = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!(
                "INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, body, content, provider_message_id, \
                 status, error_code, error_title, error_detail, reply_to_id, media_id, sent_by, created_at, status_at) \
                 SELECT gen_random_uuid(), c.tenant_id, c.id, 'outbound', 'text', 'Offer ' || j, '{{}}', \
                 'wamid.out.' || substr(k.phone, 2) || '.' || j, 'pending', NULL, NULL, NULL, NULL, NULL, NULL, now(), NULL \
                 FROM conversations c JOIN contacts k ON k.id = c.contact_id \
                 CROSS JOIN generate_series(1, {per_conversation}) AS j WHERE c.tenant_id = '{tenant}'::uuid"
            ),
            _ => format!(
                "WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < {per_conversation}) \
                 INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, body, content, provider_message_id, \
                 status, error_code, error_title, error_detail, reply_to_id, media_id, sent_by, created_at, status_at) \
                 SELECT randomblob(16), c.tenant_id, c.id, 'outbound', 'text', 'Offer ' || j, '{{}}', \
                 'wamid.out.' || substr(k.phone, 2) || '.' || j, 'pending', NULL, NULL, NULL, NULL, NULL, NULL, \
                 strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NULL \
                 FROM conversations c JOIN contacts k ON k.id = c.contact_id CROSS JOIN n WHERE c.tenant_id = X'{}'",
                tenant.simple()
            ),
        };
        db.execute_unprepared(&sql).await?;
        let rows = crate::entities::message::Entity::find()
            .select_only()
            .column(crate::entities::message::Column::Id)
            .column(crate::entities::message::Column::ProviderMessageId)
            .filter(crate::entities::message::Column::TenantId.eq(tenant))
            .filter(crate::entities::message::Column::ProviderMessageId.starts_with("wamid.out."))
            .into_tuple::<(uuid::Uuid, String)>()
            .all(&db)
            .await?;
        db.close().await?;
        Ok(rows)
    }

    /// How many messages a tenant holds (benchmarks check nothing was lost).
    pub async fn count_messages(url: &str, tenant: uuid::Uuid) -> Result<u64, StoreError> {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let db = Database::connect(url).await?;
        let n = crate::entities::message::Entity::find()
            .filter(crate::entities::message::Column::TenantId.eq(tenant))
            .count(&db)
            .await?;
        db.close().await?;
        Ok(n)
    }

    /// One kept webhook event, as the queue recorded it (tests check that
    /// each was applied once and in order).
    #[derive(Debug, Clone)]
    pub struct LoggedEvent {
        pub group_key: String,
        pub state: String,
        pub attempts: i32,
        pub received_at: chrono::DateTime<chrono::Utc>,
        pub processed_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    /// Every kept webhook event of the instance, in arrival order.
    pub async fn event_log(url: &str) -> Result<Vec<LoggedEvent>, StoreError> {
        use crate::entities::webhook_event;
        use sea_orm::{EntityTrait, QueryOrder};
        let db = Database::connect(url).await?;
        let rows = webhook_event::Entity::find()
            .order_by_asc(webhook_event::Column::ReceivedAt)
            .order_by_asc(webhook_event::Column::Id)
            .all(&db)
            .await?;
        db.close().await?;
        Ok(rows
            .into_iter()
            .map(|e| LoggedEvent {
                group_key: e.group_key,
                state: e.state,
                attempts: e.attempts,
                received_at: e.received_at,
                processed_at: e.processed_at,
            })
            .collect())
    }

    /// `admin_url` with its database replaced by `name`.
    pub fn database_url(admin_url: &str, name: &str) -> String {
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (admin_url, None),
        };
        let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
        let base = match base[scheme_end..].find('/') {
            Some(slash) => &base[..scheme_end + slash],
            None => base,
        };
        match query {
            Some(q) => format!("{base}/{name}?{q}"),
            None => format!("{base}/{name}"),
        }
    }
}
