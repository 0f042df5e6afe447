//! The live stream's plumbing: single-use stream tickets and, on
//! PostgreSQL, the LISTEN/NOTIFY channel live events travel on between
//! instances.

use super::*;

impl Store {
    /// Saves a ticket (by its hash) that opens the stream once before `expires_at`.
    pub async fn create_stream_ticket(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        ticket_hash: &str,
        expires_at: DateTime<Utc>,
        session: SessionVersion,
    ) -> Result<(), StoreError> {
        stream_ticket::Entity::delete_many()
            .filter(stream_ticket::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        stream_ticket::ActiveModel {
            ticket_hash: Set(ticket_hash.to_owned()),
            tenant_id: Set(tenant.0),
            user_id: Set(user_id),
            expires_at: Set(expires_at),
            account_version: Set(session.account),
            membership_version: Set(session.membership),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Uses a ticket up: answers whose it was and the session version it
    /// was issued under, once, while it is valid.
    pub async fn redeem_stream_ticket(
        &self,
        ticket_hash: &str,
    ) -> Result<Option<(TenantId, Uuid, SessionVersion)>, StoreError> {
        let row = stream_ticket::Entity::find_by_id(ticket_hash.to_owned())
            .one(&self.db)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let removed = stream_ticket::Entity::delete_many()
            .filter(stream_ticket::Column::TicketHash.eq(ticket_hash))
            .exec(&self.db)
            .await?
            .rows_affected;
        if removed == 0 || row.expires_at < Utc::now() {
            return Ok(None);
        }
        let session = SessionVersion {
            account: row.account_version,
            membership: row.membership_version,
        };
        Ok(Some((TenantId(row.tenant_id), row.user_id, session)))
    }

    /// Whether events must travel between instances (PostgreSQL).
    pub fn shares_live_events(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Sends a live event's JSON to every instance listening (PostgreSQL
    /// NOTIFY; payloads must stay under 8,000 bytes).
    pub async fn notify_live(&self, payload: &str) -> Result<(), StoreError> {
        if !self.shares_live_events() {
            return Ok(());
        }
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [LIVE_CHANNEL.into(), payload.into()],
            ))
            .await?;
        Ok(())
    }

    /// Listens for other instances' live events (PostgreSQL only).
    pub async fn listen_live(
        &self,
    ) -> Result<Option<sea_orm::sqlx::postgres::PgListener>, StoreError> {
        if !self.shares_live_events() {
            return Ok(None);
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        listener
            .listen(LIVE_CHANNEL)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(Some(listener))
    }
}
