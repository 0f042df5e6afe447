//! Message templates: drafts written here, templates submitted to the
//! provider, and those a sync or a status webhook brought in. Every query is
//! scoped to a tenant; a template belongs to a provider account (WABA) and
//! so to every channel of the tenant on that account.

use chrono::{DateTime, Utc};
use domain::template::{Category, TemplateContent, TemplateStatus};
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use uuid::Uuid;

use crate::entities::{channel, scheduled_job, template};
use crate::sql::to_json;
use crate::{PageRequest, Store, StoreError};

/// A template as the list and the editor show it.
#[derive(Debug, Clone)]
pub struct TemplateRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub channel_id: ChannelId,
    /// The provider account: WABA id (Meta) or account SID (Twilio).
    pub account_id: String,
    pub content: TemplateContent,
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub provider_id: Option<String>,
    /// Offered in the tenant's template library.
    pub shared: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub synced_at: Option<DateTime<Utc>>,
}

/// A new template: a draft, or one about to be submitted.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub channel_id: ChannelId,
    pub account_id: String,
    pub content: TemplateContent,
    pub created_by: Option<Uuid>,
}

/// What the template list can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct TemplateFilter {
    pub status: Option<TemplateStatus>,
    pub category: Option<Category>,
    pub language: Option<String>,
    /// Templates of these provider accounts (a channel's account).
    pub accounts: Option<Vec<String>>,
    /// Part of the name.
    pub q: Option<String>,
    pub shared: Option<bool>,
}

/// A template as a provider sync found it.
#[derive(Debug, Clone)]
pub struct SyncedTemplate {
    pub content: TemplateContent,
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub provider_id: String,
}

/// A status change a sync or a webhook made, for notifications.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub template: TemplateRecord,
    pub from: Option<TemplateStatus>,
}

fn record_from(m: template::Model) -> Result<TemplateRecord, StoreError> {
    let content: TemplateContent = serde_json::from_str(&m.content)
        .map_err(|e| StoreError::Corrupt(format!("template {}: {e}", m.id)))?;
    Ok(TemplateRecord {
        id: m.id,
        tenant_id: TenantId(m.tenant_id),
        channel_id: ChannelId(m.channel_id),
        account_id: m.account_id,
        content,
        status: TemplateStatus::parse(&m.status).unwrap_or(TemplateStatus::Pending),
        rejected_reason: m.rejected_reason,
        provider_id: m.provider_id,
        shared: m.shared,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        submitted_at: m.submitted_at,
        synced_at: m.synced_at,
    })
}

fn name_taken(err: sea_orm::DbErr) -> StoreError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            StoreError::Conflict("template_exists")
        }
        _ => err.into(),
    }
}

impl Store {
    pub async fn create_template(
        &self,
        tenant: TenantId,
        new: &NewTemplate,
        status: TemplateStatus,
    ) -> Result<TemplateRecord, StoreError> {
        let now = Utc::now();
        let model = template::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            channel_id: Set(new.channel_id.0),
            account_id: Set(new.account_id.clone()),
            name: Set(new.content.name.clone()),
            language: Set(new.content.language.clone()),
            category: Set(new.content.category.key().to_owned()),
            status: Set(status.key().to_owned()),
            rejected_reason: Set(None),
            provider_id: Set(None),
            content: Set(to_json(&new.content)?),
            shared: Set(false),
            created_by: Set(new.created_by),
            created_at: Set(now),
            updated_at: Set(now),
            submitted_at: Set(None),
            synced_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(name_taken)?;
        record_from(model)
    }

    pub async fn template(&self, tenant: TenantId, id: Uuid) -> Result<TemplateRecord, StoreError> {
        let model = template::Entity::find_by_id(id)
            .filter(template::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        record_from(model)
    }

    /// Templates matching `filter`, most recently changed first.
    pub async fn list_templates(
        &self,
        tenant: TenantId,
        filter: &TemplateFilter,
        page: PageRequest,
    ) -> Result<Vec<TemplateRecord>, StoreError> {
        let mut cond = Condition::all().add(template::Column::TenantId.eq(tenant.0));
        if let Some(status) = filter.status {
            cond = cond.add(template::Column::Status.eq(status.key()));
        }
        if let Some(category) = filter.category {
            cond = cond.add(template::Column::Category.eq(category.key()));
        }
        if let Some(language) = &filter.language {
            cond = cond.add(template::Column::Language.eq(language.clone()));
        }
        if let Some(accounts) = &filter.accounts {
            cond = cond.add(template::Column::AccountId.is_in(accounts.clone()));
        }
        if let Some(shared) = filter.shared {
            cond = cond.add(template::Column::Shared.eq(shared));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!(
                "%{}%",
                q.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            cond = cond.add(
                Expr::col(template::Column::Name)
                    .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
            );
        }
        let mut query = template::Entity::find().filter(cond);
        if let Some(after) = page.after {
            query = query.filter(template::Column::Id.lt(after));
        }
        query
            .order_by_desc(template::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(record_from)
            .collect()
    }

    /// Replaces a template's content (an edit); the status becomes `status`
    /// (a draft stays a draft, an edited submitted one goes back to review).
    pub async fn update_template(
        &self,
        tenant: TenantId,
        id: Uuid,
        content: &TemplateContent,
        status: TemplateStatus,
    ) -> Result<TemplateRecord, StoreError> {
        let found = template::Entity::find_by_id(id)
            .filter(template::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: template::ActiveModel = found.into();
        model.name = Set(content.name.clone());
        model.language = Set(content.language.clone());
        model.category = Set(content.category.key().to_owned());
        model.content = Set(to_json(content)?);
        model.status = Set(status.key().to_owned());
        model.rejected_reason = Set(None);
        model.updated_at = Set(Utc::now());
        record_from(model.update(&self.db).await.map_err(name_taken)?)
    }

    /// Records what the provider answered to a submission.
    pub async fn mark_template_submitted(
        &self,
        tenant: TenantId,
        id: Uuid,
        provider_id: &str,
        status: TemplateStatus,
        category: Option<Category>,
    ) -> Result<TemplateRecord, StoreError> {
        let found = template::Entity::find_by_id(id)
            .filter(template::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut content: TemplateContent =
            serde_json::from_str(&found.content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut model: template::ActiveModel = found.into();
        // Meta may move a template to another category on creation.
        if let Some(category) = category {
            content.category = category;
            model.category = Set(category.key().to_owned());
            model.content = Set(to_json(&content)?);
        }
        let now = Utc::now();
        model.provider_id = Set(Some(provider_id.to_owned()));
        model.status = Set(status.key().to_owned());
        model.rejected_reason = Set(None);
        model.submitted_at = Set(Some(now));
        model.updated_at = Set(now);
        record_from(model.update(&self.db).await?)
    }

    pub async fn set_template_shared(
        &self,
        tenant: TenantId,
        id: Uuid,
        shared: bool,
    ) -> Result<TemplateRecord, StoreError> {
        let found = template::Entity::find_by_id(id)
            .filter(template::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: template::ActiveModel = found.into();
        model.shared = Set(shared);
        record_from(model.update(&self.db).await?)
    }

    pub async fn delete_template(&self, tenant: TenantId, id: Uuid) -> Result<(), StoreError> {
        let done = template::Entity::delete_many()
            .filter(template::Column::TenantId.eq(tenant.0))
            .filter(template::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes every language of a name on an account (Meta deletes by name).
    pub async fn delete_templates_named(
        &self,
        tenant: TenantId,
        account_id: &str,
        name: &str,
    ) -> Result<u64, StoreError> {
        Ok(template::Entity::delete_many()
            .filter(template::Column::TenantId.eq(tenant.0))
            .filter(template::Column::AccountId.eq(account_id))
            .filter(template::Column::Name.eq(name))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Applies a provider's status for a template known by account, name and
    /// language (or by the provider's id). Answers the change, if any.
    pub async fn apply_template_status(
        &self,
        tenant: TenantId,
        account_id: &str,
        provider_id: Option<&str>,
        name_and_language: Option<(&str, &str)>,
        status: TemplateStatus,
        reason: Option<&str>,
    ) -> Result<Option<StatusChange>, StoreError> {
        let mut match_on = Condition::any();
        if let Some(id) = provider_id {
            match_on = match_on.add(template::Column::ProviderId.eq(id));
        }
        if let Some((name, language)) = name_and_language {
            match_on = match_on.add(
                Condition::all()
                    .add(template::Column::Name.eq(name))
                    .add(template::Column::Language.eq(language)),
            );
        }
        let Some(found) = template::Entity::find()
            .filter(template::Column::TenantId.eq(tenant.0))
            .filter(template::Column::AccountId.eq(account_id))
            .filter(match_on)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let from = TemplateStatus::parse(&found.status);
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONE"))
            .map(str::to_owned);
        if from == Some(status) && found.rejected_reason == reason {
            return Ok(None);
        }
        let mut model: template::ActiveModel = found.into();
        model.status = Set(status.key().to_owned());
        model.rejected_reason = Set(reason);
        model.updated_at = Set(Utc::now());
        let template = record_from(model.update(&self.db).await?)?;
        Ok((from != Some(status)).then_some(StatusChange { template, from }))
    }

    /// Brings a provider's template list in: new ones are added, known ones
    /// take the provider's status and content. Answers the status changes.
    pub async fn sync_templates(
        &self,
        tenant: TenantId,
        channel: ChannelId,
        account_id: &str,
        found: &[SyncedTemplate],
    ) -> Result<Vec<StatusChange>, StoreError> {
        let txn = self.write_txn().await?;
        let now = Utc::now();
        let known = template::Entity::find()
            .filter(template::Column::TenantId.eq(tenant.0))
            .filter(template::Column::AccountId.eq(account_id))
            .all(&txn)
            .await?;
        let mut changes = Vec::new();
        for t in found {
            let existing = known.iter().find(|k| {
                k.provider_id.as_deref() == Some(t.provider_id.as_str())
                    || (k.name == t.content.name && k.language == t.content.language)
            });
            let reason = t
                .rejected_reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONE"))
                .map(str::to_owned);
            let model = match existing {
                Some(k) => {
                    let from = TemplateStatus::parse(&k.status);
                    let mut model: template::ActiveModel = k.clone().into();
                    model.status = Set(t.status.key().to_owned());
                    model.rejected_reason = Set(reason);
                    model.provider_id = Set(Some(t.provider_id.clone()));
                    model.category = Set(t.content.category.key().to_owned());
                    model.content = Set(to_json(&t.content)?);
                    model.synced_at = Set(Some(now));
                    if from != Some(t.status) {
                        model.updated_at = Set(now);
                    }
                    let model = model.update(&txn).await?;
                    if from != Some(t.status) {
                        changes.push(StatusChange {
                            template: record_from(model)?,
                            from,
                        });
                    }
                    continue;
                }
                None => template::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant.0),
                    channel_id: Set(channel.0),
                    account_id: Set(account_id.to_owned()),
                    name: Set(t.content.name.clone()),
                    language: Set(t.content.language.clone()),
                    category: Set(t.content.category.key().to_owned()),
                    status: Set(t.status.key().to_owned()),
                    rejected_reason: Set(reason),
                    provider_id: Set(Some(t.provider_id.clone())),
                    content: Set(to_json(&t.content)?),
                    shared: Set(false),
                    created_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    submitted_at: Set(None),
                    synced_at: Set(Some(now)),
                },
            };
            model.insert(&txn).await?;
        }
        txn.commit().await?;
        Ok(changes)
    }

    /// Claims this round of a periodic job: true for exactly one caller
    /// (across instances) once `next_run_at` has passed, which then moves
    /// `every` ahead.
    pub async fn claim_schedule(
        &self,
        name: &str,
        every: chrono::Duration,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        scheduled_job::Entity::insert(scheduled_job::ActiveModel {
            name: Set(name.to_owned()),
            next_run_at: Set(now),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(scheduled_job::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let claimed = scheduled_job::Entity::update_many()
            .col_expr(scheduled_job::Column::NextRunAt, Expr::value(now + every))
            .filter(scheduled_job::Column::Name.eq(name))
            .filter(scheduled_job::Column::NextRunAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// Every active, validated channel that speaks the Graph API (Meta and
    /// sandbox), across tenants: the accounts whose templates are synced.
    pub async fn graph_channels(&self) -> Result<Vec<domain::channel::Channel>, StoreError> {
        use domain::channel::{ChannelStatus, Provider};
        let models = channel::Entity::find()
            .filter(
                channel::Column::Provider
                    .is_in([Provider::MetaCloud.key(), Provider::Sandbox.key()]),
            )
            .filter(channel::Column::Active.eq(true))
            .order_by_asc(channel::Column::Id)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for m in models {
            let c = self.channel_from(m)?;
            if c.status == ChannelStatus::Good {
                out.push(c);
            }
        }
        Ok(out)
    }
}
