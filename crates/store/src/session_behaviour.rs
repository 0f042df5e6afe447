//! Session behaviour: a channel's settings for closing inactive
//! conversations, the conversations a round of the worker should look at,
//! and the stage each conversation reached. Settings and stage changes are
//! scoped to a tenant; the worker's search goes across tenants, one enabled
//! channel at a time, through the `(tenant_id, channel_id, session_stage,
//! last_message_at)` index.

use chrono::{DateTime, Utc};
use domain::conversation::{
    window, Control, ConversationState, SessionClock, SessionSettings, SessionStage, SessionStep,
};
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::contacts::record;
use crate::conversations::{conversation_in, corrupt};
use crate::entities::{channel, channel_session_setting, conversation};
use crate::{ConversationRecord, Store, StoreError};

/// A channel's session behaviour as saved; `updated_at` is `None` while the
/// channel still has the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettingsRecord {
    pub channel_id: ChannelId,
    pub settings: SessionSettings,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A conversation the worker may have to act on, with what decides it.
#[derive(Debug, Clone)]
pub struct SessionCandidate {
    pub tenant_id: TenantId,
    pub channel_id: ChannelId,
    pub conversation_id: Uuid,
    pub settings: SessionSettings,
    pub clock: SessionClock,
}

fn minutes(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn settings_from(m: channel_session_setting::Model) -> SessionSettingsRecord {
    SessionSettingsRecord {
        channel_id: ChannelId(m.channel_id),
        settings: SessionSettings {
            enabled: m.enabled,
            ask_after_minutes: minutes(m.ask_after_minutes),
            end_after_minutes: minutes(m.end_after_minutes),
            ask_text: m.ask_text,
            end_text: m.end_text,
        },
        updated_at: Some(m.updated_at),
    }
}

fn clock_of(row: &conversation::Model) -> Result<SessionClock, StoreError> {
    Ok(SessionClock {
        state: ConversationState::parse(&row.state).ok_or_else(|| corrupt("state", &row.state))?,
        stage: SessionStage::from_number(row.session_stage),
        stage_at: row.session_stage_at,
        last_inbound_at: row.last_inbound_at,
        last_message_at: row.last_message_at,
    })
}

/// Conversations still open to the session behaviour: not resolved, not
/// archived or deleted, and inside the 24-hour window at `now`.
fn open_at<Q: QueryFilter>(query: Q, now: DateTime<Utc>) -> Q {
    query
        .filter(conversation::Column::State.ne(ConversationState::Resolved.key()))
        .filter(conversation::Column::ArchivedAt.is_null())
        .filter(conversation::Column::DeletedAt.is_null())
        .filter(conversation::Column::LastInboundAt.gt(now - window()))
}

impl Store {
    async fn own_channel(&self, tenant: TenantId, id: ChannelId) -> Result<(), StoreError> {
        channel::Entity::find_by_id(id.0)
            .select_only()
            .column(channel::Column::Id)
            .filter(channel::Column::TenantId.eq(tenant.0))
            .into_tuple::<Uuid>()
            .one(&self.db)
            .await?
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }

    /// A channel's session behaviour; the defaults (off) until saved.
    pub async fn session_settings(
        &self,
        tenant: TenantId,
        channel_id: ChannelId,
    ) -> Result<SessionSettingsRecord, StoreError> {
        self.own_channel(tenant, channel_id).await?;
        let row = channel_session_setting::Entity::find_by_id(channel_id.0)
            .filter(channel_session_setting::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?;
        Ok(row.map(settings_from).unwrap_or(SessionSettingsRecord {
            channel_id,
            settings: SessionSettings::default(),
            updated_at: None,
        }))
    }

    /// Saves a channel's session behaviour (checked by the caller).
    pub async fn save_session_settings(
        &self,
        tenant: TenantId,
        channel_id: ChannelId,
        settings: &SessionSettings,
    ) -> Result<SessionSettingsRecord, StoreError> {
        self.own_channel(tenant, channel_id).await?;
        let now = Utc::now();
        let to_i32 = |m: u32| i32::try_from(m).unwrap_or(i32::MAX);
        channel_session_setting::Entity::insert(channel_session_setting::ActiveModel {
            channel_id: Set(channel_id.0),
            tenant_id: Set(tenant.0),
            enabled: Set(settings.enabled),
            ask_after_minutes: Set(to_i32(settings.ask_after_minutes)),
            end_after_minutes: Set(to_i32(settings.end_after_minutes)),
            ask_text: Set(settings.ask_text.clone()),
            end_text: Set(settings.end_text.clone()),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(channel_session_setting::Column::ChannelId)
                .update_columns([
                    channel_session_setting::Column::Enabled,
                    channel_session_setting::Column::AskAfterMinutes,
                    channel_session_setting::Column::EndAfterMinutes,
                    channel_session_setting::Column::AskText,
                    channel_session_setting::Column::EndText,
                    channel_session_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        self.session_settings(tenant, channel_id).await
    }

    /// Conversations that may be due for a step at `now`, across
    /// tenants: per active channel with the behaviour on, those quiet for
    /// at least its delay, oldest first, at most `limit` in all. The rule
    /// itself ([`domain::conversation::session_step`]) has the last word.
    pub async fn session_candidates(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<SessionCandidate>, StoreError> {
        let enabled = channel_session_setting::Entity::find()
            .filter(channel_session_setting::Column::Enabled.eq(true))
            .order_by_asc(channel_session_setting::Column::ChannelId)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for row in enabled {
            let (tenant, channel_id) = (row.tenant_id, row.channel_id);
            let active = channel::Entity::find_by_id(channel_id)
                .select_only()
                .column(channel::Column::Active)
                .filter(channel::Column::TenantId.eq(tenant))
                .into_tuple::<bool>()
                .one(&self.db)
                .await?;
            if active != Some(true) {
                continue;
            }
            let settings = settings_from(row).settings;
            for step in [SessionStep::Ask, SessionStep::End] {
                let room = limit.saturating_sub(out.len() as u64);
                if room == 0 {
                    return Ok(out);
                }
                let (from, _) = step.stages();
                let cutoff = now - delay(&settings, step);
                let mut query = open_at(conversation::Entity::find(), now)
                    .filter(conversation::Column::TenantId.eq(tenant))
                    .filter(conversation::Column::ChannelId.eq(channel_id))
                    .filter(conversation::Column::SessionStage.eq(from.number()))
                    .filter(conversation::Column::LastMessageAt.lte(cutoff));
                if step == SessionStep::End {
                    query = query.filter(conversation::Column::SessionStageAt.lte(cutoff));
                }
                let rows = query
                    .order_by_asc(conversation::Column::LastMessageAt)
                    .limit(room)
                    .all(&self.db)
                    .await?;
                for r in rows {
                    out.push(SessionCandidate {
                        tenant_id: TenantId(tenant),
                        channel_id: ChannelId(channel_id),
                        conversation_id: r.id,
                        settings: settings.clone(),
                        clock: clock_of(&r)?,
                    });
                }
            }
        }
        Ok(out)
    }
}

fn delay(settings: &SessionSettings, step: SessionStep) -> chrono::Duration {
    match step {
        SessionStep::Ask => settings.ask_after(),
        SessionStep::End => settings.end_after(),
    }
}

impl Store {
    /// Moves a conversation to the stage after `step`, if it is still where
    /// the candidate search found it (same stage, still quiet, still open)
    /// at `now`. `false`: someone wrote meanwhile, or another instance took
    /// the step; send nothing.
    pub async fn advance_session_stage(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        settings: &SessionSettings,
        step: SessionStep,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (from, to) = step.stages();
        let cutoff = now - delay(settings, step);
        let mut update = open_at(conversation::Entity::update_many(), now)
            .col_expr(conversation::Column::SessionStage, Expr::value(to.number()))
            .col_expr(conversation::Column::SessionStageAt, Expr::value(now))
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.eq(conversation_id))
            .filter(conversation::Column::SessionStage.eq(from.number()))
            .filter(conversation::Column::LastMessageAt.lte(cutoff));
        if step == SessionStep::End {
            update = update.filter(conversation::Column::SessionStageAt.lte(cutoff));
        }
        Ok(update.exec(&self.db).await?.rows_affected == 1)
    }

    /// Resolves a conversation the customer left inactive, with a line in
    /// the contact's journey; nobody acted, so no person is named.
    pub async fn close_after_inactivity(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        let txn = self.write_txn().await?;
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The customer wrote after the end message: leave it open.
        if SessionStage::from_number(row.session_stage) != SessionStage::Closed {
            return Ok(None);
        }
        let control = Control {
            state: ConversationState::parse(&row.state)
                .ok_or_else(|| corrupt("state", &row.state))?,
            controller: row.controller_id,
            chatbot_enabled: row.chatbot_enabled,
        };
        let Ok(closed) = control.close_after_inactivity() else {
            return Ok(None);
        };
        let contact_id = row.contact_id;
        let mut active: conversation::ActiveModel = row.into();
        active.state = Set(closed.state.key().to_owned());
        active.controller_id = Set(closed.controller);
        active.updated_at = Set(Utc::now());
        active.update(&txn).await?;
        record(
            &txn,
            tenant,
            contact_id,
            "closed_after_inactivity",
            "Closed after inactivity",
            None,
        )
        .await?;
        let out = conversation_in(&txn, tenant, conversation_id).await?;
        txn.commit().await?;
        Ok(Some(out))
    }
}
