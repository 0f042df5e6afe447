//! The webhook event inbox as a work queue: workers claim due events with a
//! lease, and record the outcome. A claim whose worker died expires with its
//! lease, so the event is processed after a restart. On PostgreSQL several
//! instances claim side by side with `FOR UPDATE SKIP LOCKED`.

use chrono::{DateTime, Duration, Utc};
use domain::channel::{Channel, Provider};
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement,
};
use uuid::Uuid;

use crate::entities::{channel, webhook_event};
use crate::{Store, StoreError};

/// A claimed event.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ClaimedEvent {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub channel_id: Uuid,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
}

impl ClaimedEvent {
    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    pub fn channel(&self) -> ChannelId {
        ChannelId(self.channel_id)
    }
}

/// Where a processed event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// Its effects are done.
    Processed,
    /// Kept for a part of the product that will handle it (templates, inbox).
    Deferred,
}

impl Store {
    /// Claims up to `limit` due events for `lease`; a claim not finished by
    /// then is due again.
    pub async fn claim_webhook_events(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<ClaimedEvent>, StoreError> {
        let now = Utc::now();
        let until = now + lease;
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "UPDATE webhook_events SET state = 'processing', attempts = attempts + 1, next_attempt_at = $1 \
                 WHERE id IN (SELECT id FROM webhook_events \
                   WHERE state IN ('pending', 'processing') AND next_attempt_at <= $2 \
                   ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, tenant_id, channel_id, kind, payload, attempts"
            }
            _ => {
                // One writer at a time on SQLite: the plain UPDATE is the claim.
                "UPDATE webhook_events SET state = 'processing', attempts = attempts + 1, next_attempt_at = ? \
                 WHERE id IN (SELECT id FROM webhook_events \
                   WHERE state IN ('pending', 'processing') AND next_attempt_at <= ? \
                   ORDER BY received_at LIMIT ?) \
                 RETURNING id, tenant_id, channel_id, kind, payload, attempts"
            }
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let statement =
            Statement::from_sql_and_values(backend, sql, [until.into(), now.into(), limit.into()]);
        Ok(ClaimedEvent::find_by_statement(statement)
            .all(&self.db)
            .await?)
    }

    pub async fn finish_webhook_event(
        &self,
        event: &ClaimedEvent,
        outcome: EventOutcome,
    ) -> Result<(), StoreError> {
        let state = match outcome {
            EventOutcome::Processed => "processed",
            EventOutcome::Deferred => "deferred",
        };
        webhook_event::Entity::update_many()
            .col_expr(webhook_event::Column::State, Expr::value(state))
            .col_expr(
                webhook_event::Column::ProcessedAt,
                Expr::value(Some(Utc::now())),
            )
            .col_expr(
                webhook_event::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(webhook_event::Column::TenantId.eq(event.tenant_id))
            .filter(webhook_event::Column::Id.eq(event.id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Puts a failed event back in the queue for `retry_at`.
    pub async fn retry_webhook_event(
        &self,
        event: &ClaimedEvent,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        webhook_event::Entity::update_many()
            .col_expr(webhook_event::Column::State, Expr::value("pending"))
            .col_expr(webhook_event::Column::NextAttemptAt, Expr::value(retry_at))
            .col_expr(
                webhook_event::Column::LastError,
                Expr::value(Some(error.chars().take(2000).collect::<String>())),
            )
            .filter(webhook_event::Column::TenantId.eq(event.tenant_id))
            .filter(webhook_event::Column::Id.eq(event.id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Event counts of a channel by state (for the channel page and tests).
    pub async fn webhook_event_states(
        &self,
        tenant: TenantId,
        id: ChannelId,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        use sea_orm::QuerySelect;
        Ok(webhook_event::Entity::find()
            .select_only()
            .column(webhook_event::Column::State)
            .column_as(webhook_event::Column::Id.count(), "n")
            .filter(webhook_event::Column::TenantId.eq(tenant.0))
            .filter(webhook_event::Column::ChannelId.eq(id.0))
            .group_by(webhook_event::Column::State)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Every sandbox channel of the instance. Instance-wide on purpose: at
    /// start-up the built-in sandbox learns where to post their webhooks.
    pub async fn sandbox_channels(&self) -> Result<Vec<Channel>, StoreError> {
        channel::Entity::find()
            .filter(channel::Column::Provider.eq(Provider::Sandbox.key()))
            .order_by_asc(channel::Column::CreatedAt)
            .order_by_asc(channel::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| self.channel_from(m))
            .collect()
    }
}
