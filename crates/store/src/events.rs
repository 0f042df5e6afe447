//! The webhook event queue: workers claim due events with a
//! lease, and record the outcome. A claim whose worker died expires with its
//! lease, so the event is processed after a restart. On PostgreSQL several
//! instances claim side by side with `FOR UPDATE SKIP LOCKED`.

use chrono::{DateTime, Duration, Utc};
use domain::channel::{Channel, Provider};
use domain::webhook_event::{EventKind, EventState};
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement,
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
    /// The stored spelling of its [`EventKind`]; read it with
    /// [`ClaimedEvent::kind`].
    kind: String,
    pub payload: String,
    pub attempts: i32,
    /// Events of one group are applied in order, one at a time.
    pub group_key: String,
    pub received_at: DateTime<Utc>,
}

impl ClaimedEvent {
    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    pub fn channel(&self) -> ChannelId {
        ChannelId(self.channel_id)
    }

    /// What the event is about; `None` for a spelling this build does not
    /// know (written by a newer one), which is left alone.
    pub fn kind(&self) -> Option<EventKind> {
        EventKind::parse(&self.kind)
    }
}

/// Where a processed event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// Its effects are done.
    Processed,
    /// Kept for a part of the product that will handle it (templates, conversations).
    Deferred,
}

impl EventOutcome {
    fn state(self) -> EventState {
        match self {
            EventOutcome::Processed => EventState::Processed,
            EventOutcome::Deferred => EventState::Deferred,
        }
    }
}

/// The claimable states as an SQL list: `'pending', 'processing'`.
fn claimable_sql() -> String {
    EventState::CLAIMABLE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a worker asks of the queue in one claim.
#[derive(Debug, Clone, Copy)]
pub struct ClaimLimits {
    /// Groups (channel and customer) leased at once.
    pub groups: u64,
    /// Events taken from those groups, at most.
    pub events: u64,
    /// How long the claim holds before another worker may take it.
    pub lease: Duration,
}

/// The `n`th bound value: `$n` (SQLite reads the numbered form too).
fn placeholder(n: usize) -> String {
    format!("${n}")
}

/// `p1, p2, ...` for `count` values numbered from `first`.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(placeholder)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Claims up to `limit` due events for `lease` as one worker (see
    /// [`Store::claim_event_groups`]); a claim not finished by then is due
    /// again.
    pub async fn claim_webhook_events(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<ClaimedEvent>, StoreError> {
        self.claim_event_groups(
            Uuid::now_v7(),
            ClaimLimits {
                groups: limit,
                events: limit,
                lease,
            },
        )
        .await
    }

    /// Leases up to `limits.groups` groups with due events to `worker` and
    /// claims their due events, oldest first. A group is held by one worker
    /// at a time (on PostgreSQL across instances), and a group's events are
    /// taken only up to its first event that is not due (one waiting for a
    /// retry): the events of one conversation are applied in order. The
    /// answer is sorted by group, then by arrival.
    pub async fn claim_event_groups(
        &self,
        worker: Uuid,
        limits: ClaimLimits,
    ) -> Result<Vec<ClaimedEvent>, StoreError> {
        let now = Utc::now();
        let until = now + limits.lease;
        let backend = self.db.get_database_backend();
        let groups = i64::try_from(limits.groups).unwrap_or(i64::MAX);
        // Candidates: the groups with the oldest due events. More than we
        // lease, since another worker may hold some of them.
        let candidates_sql = format!(
            "SELECT group_key FROM webhook_events \
             WHERE state IN ({claimable}) AND next_attempt_at <= {} \
             GROUP BY group_key ORDER BY MIN(received_at) LIMIT {}",
            placeholder(1),
            placeholder(2),
            claimable = claimable_sql(),
        );
        let candidates: Vec<String> = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                &candidates_sql,
                [now.into(), groups.saturating_mul(4).into()],
            ))
            .await?
            .iter()
            .map(|row| row.try_get::<String>("", "group_key"))
            .collect::<Result<_, _>>()?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let leased = self
            .lease_groups(worker, candidates, limits.groups, now, until)
            .await?;
        if leased.is_empty() {
            return Ok(Vec::new());
        }
        // The leased groups' due events, each only if no earlier event of
        // its group is unfinished and not due.
        let n = leased.len();
        let sql = format!(
            "UPDATE webhook_events SET state = '{processing}', attempts = attempts + 1, next_attempt_at = {until} \
             WHERE id IN (SELECT e.id FROM webhook_events e \
               WHERE e.group_key IN ({keys}) AND e.state IN ({claimable}) AND e.next_attempt_at <= {now} \
               AND NOT EXISTS (SELECT 1 FROM webhook_events b WHERE b.group_key = e.group_key \
                 AND b.state IN ({claimable}) AND b.next_attempt_at > {now} \
                 AND (b.received_at < e.received_at OR (b.received_at = e.received_at AND b.id < e.id))) \
               ORDER BY e.received_at, e.id LIMIT {limit}) \
             RETURNING id, tenant_id, channel_id, kind, payload, attempts, group_key, received_at",
            until = placeholder(1),
            now = placeholder(2),
            limit = placeholder(3),
            keys = placeholders(4, n),
            processing = EventState::Processing.as_str(),
            claimable = claimable_sql(),
        );
        let mut values: Vec<sea_orm::Value> = vec![
            until.into(),
            now.into(),
            i64::try_from(limits.events).unwrap_or(i64::MAX).into(),
        ];
        values.extend(leased.iter().map(|k| k.clone().into()));
        let mut events =
            ClaimedEvent::find_by_statement(Statement::from_sql_and_values(backend, &sql, values))
                .all(&self.db)
                .await?;
        events.sort_by(|a, b| {
            (&a.group_key, a.received_at, a.id).cmp(&(&b.group_key, b.received_at, b.id))
        });
        // A leased group with nothing to take now is let go at once.
        let taken: std::collections::HashSet<&str> =
            events.iter().map(|e| e.group_key.as_str()).collect();
        let idle: Vec<String> = leased
            .iter()
            .filter(|k| !taken.contains(k.as_str()))
            .cloned()
            .collect();
        self.release_groups(worker, &idle).await?;
        Ok(events)
    }

    /// Leases up to `max` of `candidates` to `worker`: a group no one holds,
    /// or whose lease ran out. Keys are taken in sorted order, so two
    /// workers leasing together never wait on each other in a circle.
    async fn lease_groups(
        &self,
        worker: Uuid,
        mut candidates: Vec<String>,
        max: u64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        candidates.sort();
        candidates.dedup();
        let backend = self.db.get_database_backend();
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        let mut leased = Vec::new();
        // On PostgreSQL one statement per few groups keeps row locks short;
        // SQLite has one writer, so one statement does.
        for chunk in candidates.chunks(64) {
            if leased.len() >= max {
                break;
            }
            let rows: Vec<String> = chunk.to_vec();
            let values_sql = (0..rows.len())
                .map(|i| {
                    format!(
                        "({}, {}, {})",
                        placeholder(3 * i + 1),
                        placeholder(3 * i + 2),
                        placeholder(3 * i + 3)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO webhook_event_groups (group_key, claimed_by, lease_until) VALUES {values_sql} \
                 ON CONFLICT (group_key) DO UPDATE SET claimed_by = excluded.claimed_by, lease_until = excluded.lease_until \
                 WHERE webhook_event_groups.lease_until IS NULL OR webhook_event_groups.lease_until <= {now} \
                 RETURNING group_key",
                now = placeholder(3 * rows.len() + 1)
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(3 * rows.len() + 1);
            for key in &rows {
                values.push(key.clone().into());
                values.push(worker.into());
                values.push(until.into());
            }
            values.push(now.into());
            let got = self
                .db
                .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
                .await?;
            for row in got {
                leased.push(row.try_get::<String>("", "group_key")?);
            }
        }
        // Leased beyond `max` (a whole chunk came back): let the rest go.
        if leased.len() > max {
            let extra = leased.split_off(max);
            self.release_groups(worker, &extra).await?;
        }
        Ok(leased)
    }

    /// Lets `worker`'s groups go (a group whose lease ran out and was taken
    /// by another worker is left to it).
    pub async fn release_groups(&self, worker: Uuid, keys: &[String]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let backend = self.db.get_database_backend();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "UPDATE webhook_event_groups SET claimed_by = NULL, lease_until = NULL \
                 WHERE claimed_by = {} AND group_key IN ({})",
                placeholder(1),
                placeholders(2, chunk.len())
            );
            let mut values: Vec<sea_orm::Value> = vec![worker.into()];
            values.extend(chunk.iter().map(|k| k.clone().into()));
            self.db
                .execute_raw(Statement::from_sql_and_values(backend, &sql, values))
                .await?;
        }
        Ok(())
    }

    /// Marks events done, in one statement per few hundred.
    pub async fn finish_webhook_events(
        &self,
        done: &[(Uuid, EventOutcome)],
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        for outcome in [EventOutcome::Processed, EventOutcome::Deferred] {
            let ids: Vec<Uuid> = done
                .iter()
                .filter(|(_, o)| *o == outcome)
                .map(|(id, _)| *id)
                .collect();
            for chunk in ids.chunks(500) {
                webhook_event::Entity::update_many()
                    .col_expr(
                        webhook_event::Column::State,
                        Expr::value(outcome.state().as_str()),
                    )
                    .col_expr(webhook_event::Column::ProcessedAt, Expr::value(Some(now)))
                    .col_expr(
                        webhook_event::Column::LastError,
                        Expr::value(Option::<String>::None),
                    )
                    .filter(webhook_event::Column::Id.is_in(chunk.iter().copied()))
                    .exec(&self.db)
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn finish_webhook_event(
        &self,
        event: &ClaimedEvent,
        outcome: EventOutcome,
    ) -> Result<(), StoreError> {
        self.finish_webhook_events(&[(event.id, outcome)]).await
    }

    /// A status whose message is not stored yet: kept, waiting, until the
    /// message with `provider_message_id` is (see
    /// [`wake_statuses_for`]).
    pub async fn park_webhook_event(
        &self,
        event: &ClaimedEvent,
        provider_message_id: &str,
    ) -> Result<(), StoreError> {
        webhook_event::Entity::update_many()
            .col_expr(
                webhook_event::Column::State,
                Expr::value(EventState::Waiting.as_str()),
            )
            .col_expr(
                webhook_event::Column::WaitsFor,
                Expr::value(Some(provider_message_id.to_owned())),
            )
            .filter(this_event(event))
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
            .col_expr(
                webhook_event::Column::State,
                Expr::value(EventState::Pending.as_str()),
            )
            .col_expr(webhook_event::Column::NextAttemptAt, Expr::value(retry_at))
            .col_expr(
                webhook_event::Column::LastError,
                Expr::value(Some(error_text(error))),
            )
            .filter(this_event(event))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Gives claimed events back untouched (their group stopped at an
    /// earlier event that failed): due again at once, behind that event.
    pub async fn unclaim_webhook_events(&self, ids: &[Uuid]) -> Result<(), StoreError> {
        for chunk in ids.chunks(500) {
            webhook_event::Entity::update_many()
                .col_expr(
                    webhook_event::Column::State,
                    Expr::value(EventState::Pending.as_str()),
                )
                .col_expr(
                    webhook_event::Column::NextAttemptAt,
                    Expr::value(Utc::now()),
                )
                .col_expr(
                    webhook_event::Column::Attempts,
                    Expr::col(webhook_event::Column::Attempts).sub(1),
                )
                .filter(webhook_event::Column::Id.is_in(chunk.iter().copied()))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// An event that failed too often: kept, marked failed, and out of the
    /// way of its group's later events.
    pub async fn give_up_webhook_event(
        &self,
        event: &ClaimedEvent,
        error: &str,
    ) -> Result<(), StoreError> {
        webhook_event::Entity::update_many()
            .col_expr(
                webhook_event::Column::State,
                Expr::value(EventState::Failed.as_str()),
            )
            .col_expr(
                webhook_event::Column::ProcessedAt,
                Expr::value(Some(Utc::now())),
            )
            .col_expr(
                webhook_event::Column::LastError,
                Expr::value(Some(error_text(error))),
            )
            .filter(this_event(event))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Event counts of a channel by state (for the channel page and tests).
    pub async fn webhook_event_states(
        &self,
        tenant: TenantId,
        id: ChannelId,
    ) -> Result<Vec<(EventState, i64)>, StoreError> {
        use sea_orm::QuerySelect;
        let counts: Vec<(String, i64)> = webhook_event::Entity::find()
            .select_only()
            .column(webhook_event::Column::State)
            .column_as(webhook_event::Column::Id.count(), "n")
            .filter(webhook_event::Column::TenantId.eq(tenant.0))
            .filter(webhook_event::Column::ChannelId.eq(id.0))
            .group_by(webhook_event::Column::State)
            .into_tuple()
            .all(&self.db)
            .await?;
        counts
            .into_iter()
            .map(|(state, n)| {
                EventState::parse(&state)
                    .map(|s| (s, n))
                    .ok_or_else(|| StoreError::Corrupt(format!("webhook event state {state:?}")))
            })
            .collect()
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

/// Puts the statuses waiting for `provider_message_id` back in the queue.
pub(crate) async fn wake_statuses_for<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    provider_message_id: &str,
) -> Result<(), StoreError> {
    webhook_event::Entity::update_many()
        .col_expr(
            webhook_event::Column::State,
            Expr::value(EventState::Pending.as_str()),
        )
        .col_expr(
            webhook_event::Column::NextAttemptAt,
            Expr::value(Utc::now()),
        )
        .col_expr(
            webhook_event::Column::WaitsFor,
            Expr::value(Option::<String>::None),
        )
        .filter(webhook_event::Column::TenantId.eq(tenant.0))
        .filter(webhook_event::Column::WaitsFor.eq(provider_message_id))
        .filter(webhook_event::Column::State.eq(EventState::Waiting.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// The one claimed event, in its tenant.
fn this_event(event: &ClaimedEvent) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(webhook_event::Column::TenantId.eq(event.tenant_id))
        .add(webhook_event::Column::Id.eq(event.id))
}

/// A failure as kept with its event (bounded).
fn error_text(error: &str) -> String {
    error.chars().take(2000).collect()
}
