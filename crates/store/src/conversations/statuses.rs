//! Delivery statuses, applied many at a time. A round of the event queue
//! holds hundreds of status reports (a broadcast's sends come back as
//! sent, delivered and read); they are applied in one transaction: the
//! messages are read (and locked, on PostgreSQL) in one query, each
//! report is checked against [`MessageStatus::advance`] in the order the
//! reports came in, and every message that moved is written once (one
//! statement for all of them on PostgreSQL).

use super::*;
use crate::sql::{is_postgres, pg_execute, PgArray};

/// A provider's report about one of our messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub provider_message_id: String,
    /// Our id, when the provider echoes it back.
    pub our_id: Option<Uuid>,
    pub status: MessageStatus,
    /// Code, title and detail of a failure.
    pub error: Option<(String, String, Option<String>)>,
    pub at: DateTime<Utc>,
}

/// What one report did.
#[derive(Debug, Clone)]
pub enum StatusOutcome {
    /// The message moved on; `controller` is whoever controls its
    /// conversation now (who may see the tick when chats are not shared).
    Moved {
        applied: AppliedStatus,
        controller: Option<Uuid>,
    },
    /// An old or repeated report: nothing changed.
    Unchanged,
    /// No such message (yet): the report waits for it.
    Unknown,
}

/// A message as the reports find it, and where they leave it.
struct Tracked {
    conversation_id: Uuid,
    status: MessageStatus,
    moved: bool,
    provider_message_id: Option<String>,
    status_at: Option<DateTime<Utc>>,
    error: Option<(String, String, Option<String>)>,
}

impl Store {
    /// Applies `reports`, in their order, to the tenant's outbound
    /// messages in one transaction. Answers one outcome per report. A
    /// message reported sent, delivered and read in one call moves three
    /// times (three outcomes to show) and is written once.
    pub async fn apply_message_statuses(
        &self,
        tenant: TenantId,
        reports: &[StatusReport],
    ) -> Result<Vec<StatusOutcome>, StoreError> {
        if reports.is_empty() {
            return Ok(Vec::new());
        }
        let provider_ids: HashSet<&str> = reports
            .iter()
            .map(|r| r.provider_message_id.as_str())
            .collect();
        let our_ids: HashSet<Uuid> = reports.iter().filter_map(|r| r.our_id).collect();
        let txn = self.write_txn().await?;
        let mut which =
            Condition::any().add(message::Column::ProviderMessageId.is_in(provider_ids));
        if !our_ids.is_empty() {
            which = which.add(message::Column::Id.is_in(our_ids));
        }
        let mut query = message::Entity::find()
            .select_only()
            .columns([
                message::Column::Id,
                message::Column::ConversationId,
                message::Column::Status,
                message::Column::ProviderMessageId,
            ])
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Direction.eq(Direction::Outbound.key()))
            .filter(which)
            .order_by_asc(message::Column::Id);
        if is_postgres(&txn) {
            // The send path moves these rows too (accepted, failed): it
            // waits until the statuses are in.
            query = query.lock_exclusive();
        }
        let rows: Vec<(Uuid, Uuid, String, Option<String>)> = query.into_tuple().all(&txn).await?;
        let mut messages: HashMap<Uuid, Tracked> = HashMap::with_capacity(rows.len());
        let mut by_provider: HashMap<String, Uuid> = HashMap::with_capacity(rows.len());
        for (id, conversation_id, status, provider_id) in rows {
            let status = MessageStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            if let Some(p) = &provider_id {
                by_provider.insert(p.clone(), id);
            }
            messages.insert(
                id,
                Tracked {
                    conversation_id,
                    status,
                    moved: false,
                    provider_message_id: provider_id,
                    status_at: None,
                    error: None,
                },
            );
        }

        let mut outcomes = Vec::with_capacity(reports.len());
        for report in reports {
            let found = by_provider
                .get(&report.provider_message_id)
                .copied()
                .or(report.our_id.filter(|id| messages.contains_key(id)));
            let Some((id, tracked)) = found.and_then(|id| messages.get_mut(&id).map(|t| (id, t)))
            else {
                outcomes.push(StatusOutcome::Unknown);
                continue;
            };
            let Some(next) = tracked.status.advance(report.status) else {
                outcomes.push(StatusOutcome::Unchanged);
                continue;
            };
            tracked.status = next;
            tracked.moved = true;
            tracked.status_at = Some(report.at);
            tracked.provider_message_id = Some(report.provider_message_id.clone());
            let error = (next == MessageStatus::Failed)
                .then(|| report.error.clone())
                .flatten();
            if next == MessageStatus::Failed {
                tracked.error = error.clone();
            }
            by_provider.insert(report.provider_message_id.clone(), id);
            outcomes.push(StatusOutcome::Moved {
                applied: AppliedStatus {
                    conversation_id: tracked.conversation_id,
                    message_id: id,
                    status: next,
                    error,
                    at: report.at,
                },
                controller: None,
            });
        }

        let moved: Vec<(Uuid, &Tracked)> = messages
            .iter()
            .filter(|(_, t)| t.moved)
            .map(|(id, t)| (*id, t))
            .collect();
        if moved.is_empty() {
            txn.commit().await?;
            return Ok(outcomes);
        }
        write_statuses(&txn, tenant, &moved).await?;
        let conversations: HashSet<Uuid> = moved.iter().map(|(_, t)| t.conversation_id).collect();
        let controllers: HashMap<Uuid, Option<Uuid>> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .column(conversation::Column::ControllerId)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.is_in(conversations))
            .into_tuple::<(Uuid, Option<Uuid>)>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        txn.commit().await?;
        for outcome in &mut outcomes {
            if let StatusOutcome::Moved {
                applied,
                controller,
            } = outcome
            {
                *controller = controllers.get(&applied.conversation_id).copied().flatten();
            }
        }
        Ok(outcomes)
    }
}

/// Writes where the reports left each message: one statement on
/// PostgreSQL; on SQLite (in-process, no round trips) one per message.
async fn write_statuses(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    moved: &[(Uuid, &Tracked)],
) -> Result<(), StoreError> {
    if is_postgres(txn) {
        let mut ids = PgArray::with_rows(moved.len());
        let mut statuses = PgArray::with_rows(moved.len());
        let mut times = PgArray::with_rows(moved.len());
        let mut providers = PgArray::with_rows(moved.len());
        let mut codes = PgArray::with_rows(moved.len());
        let mut titles = PgArray::with_rows(moved.len());
        let mut details = PgArray::with_rows(moved.len());
        for (id, t) in moved {
            ids.push_uuid(*id);
            statuses.push(Some(t.status.key()));
            times.push(t.status_at.map(|at| at.to_rfc3339()).as_deref());
            providers.push(t.provider_message_id.as_deref());
            let (code, title, detail) = match &t.error {
                Some((c, ti, d)) => (Some(c.as_str()), Some(ti.as_str()), d.as_deref()),
                None => (None, None, None),
            };
            codes.push(code);
            titles.push(title);
            details.push(detail);
        }
        let failed = MessageStatus::Failed.key();
        pg_execute(
            txn,
            &format!(
                "UPDATE messages AS m SET status = v.status, status_at = v.status_at, \
                 provider_message_id = v.provider_message_id, \
                 error_code = CASE WHEN v.status = '{failed}' THEN v.code ELSE m.error_code END, \
                 error_title = CASE WHEN v.status = '{failed}' THEN v.title ELSE m.error_title END, \
                 error_detail = CASE WHEN v.status = '{failed}' THEN v.detail ELSE m.error_detail END \
                 FROM UNNEST($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], \
                 $6::text[], $7::text[]) AS v(id, status, status_at, provider_message_id, code, title, detail) \
                 WHERE m.id = v.id AND m.tenant_id = $8"
            ),
            vec![
                ids.into(),
                statuses.into(),
                times.into(),
                providers.into(),
                codes.into(),
                titles.into(),
                details.into(),
                tenant.0.into(),
            ],
        )
        .await?;
        return Ok(());
    }
    for (id, t) in moved {
        let mut update = message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value(t.status.key()))
            .col_expr(message::Column::StatusAt, Expr::value(t.status_at))
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(t.provider_message_id.clone()),
            );
        if t.status == MessageStatus::Failed {
            let (code, title, detail) = match &t.error {
                Some((c, ti, d)) => (Some(c.clone()), Some(ti.clone()), d.clone()),
                None => (None, None, None),
            };
            update = update
                .col_expr(message::Column::ErrorCode, Expr::value(code))
                .col_expr(message::Column::ErrorTitle, Expr::value(title))
                .col_expr(message::Column::ErrorDetail, Expr::value(detail));
        }
        update
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(*id))
            .exec(txn)
            .await?;
    }
    Ok(())
}
