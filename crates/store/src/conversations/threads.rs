//! Conversations themselves: reading and listing them, read marks, who has
//! control, archiving and deleting.

use super::*;

impl Store {
    pub async fn conversation(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<ConversationRecord, StoreError> {
        conversation_in(&self.db, tenant, id).await
    }

    /// Conversations, most recent activity first, `page.after` being the
    /// last conversation of the previous page.
    pub async fn list_conversations(
        &self,
        tenant: TenantId,
        filter: &ConversationFilter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        use conversation::Column as C;
        let mut cond = Condition::all()
            .add(C::TenantId.eq(tenant.0))
            .add(C::DeletedAt.is_null());
        cond = if filter.archived {
            cond.add(C::ArchivedAt.is_not_null())
        } else {
            cond.add(C::ArchivedAt.is_null())
        };
        if let Some(state) = filter.state {
            cond = cond.add(C::State.eq(state.key()));
        }
        let cutoff = now - domain::conversation::window();
        match filter.history {
            Some(true) => {
                cond = cond.add(
                    Condition::any()
                        .add(C::LastInboundAt.is_null())
                        .add(C::LastInboundAt.lte(cutoff)),
                )
            }
            Some(false) => cond = cond.add(C::LastInboundAt.gt(cutoff)),
            None => {}
        }
        match filter.owner {
            OwnerFilter::All => {}
            OwnerFilter::Mine(user) => cond = cond.add(C::ControllerId.eq(user)),
            OwnerFilter::Unassigned => cond = cond.add(C::ControllerId.is_null()),
        }
        if let Some(user) = filter.only_controlled_by {
            cond = cond.add(C::ControllerId.eq(user));
        }
        if let Some(channel) = filter.channel_id {
            cond = cond.add(C::ChannelId.eq(channel.0));
        }
        if let Some(contacts) = &filter.contact_ids {
            cond = cond.add(C::ContactId.is_in(contacts.iter().copied()));
        }
        if let Some(after) = page.after {
            let at = conversation::Entity::find_by_id(after)
                .select_only()
                .column(C::LastMessageAt)
                .filter(C::TenantId.eq(tenant.0))
                .into_tuple::<DateTime<Utc>>()
                .one(&self.db)
                .await?;
            if let Some(at) = at {
                // A row comparison, which PostgreSQL turns into one index
                // range (an OR of the two cases makes it scan from the top).
                cond = cond.add(
                    Expr::tuple([Expr::col(C::LastMessageAt), Expr::col(C::Id)])
                        .lt(Expr::tuple([Expr::value(at), Expr::value(after)])),
                );
            }
        }
        let rows = conversation::Entity::find()
            .filter(cond)
            .order_by_desc(C::LastMessageAt)
            .order_by_desc(C::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        dress(&self.db, tenant, rows).await
    }

    /// The customer's messages not yet marked read with the provider, and
    /// the unread count reset.
    pub async fn mark_conversation_read(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
    ) -> Result<Option<String>, StoreError> {
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let latest = message::Entity::find()
            .select_only()
            .column(message::Column::ProviderMessageId)
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(Direction::Inbound.key()))
            .order_by_desc(message::Column::Id)
            .into_tuple::<Option<String>>()
            .one(&self.db)
            .await?
            .flatten();
        if row.unread_count > 0 {
            conversation::Entity::update_many()
                .col_expr(conversation::Column::UnreadCount, Expr::value(0))
                .filter(conversation::Column::TenantId.eq(tenant.0))
                .filter(conversation::Column::Id.eq(conversation_id))
                .exec(&self.db)
                .await?;
            Ok(latest)
        } else {
            Ok(None)
        }
    }

    /// Saves a conversation's new control, and a journey event on its contact.
    pub async fn set_control(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        control: Control,
        journey: Option<(&str, &str)>,
        actor: Uuid,
    ) -> Result<ConversationRecord, StoreError> {
        let txn = self.write_txn().await?;
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact_id = row.contact_id;
        // Resolving or reopening ends any session behaviour sequence: a
        // reopened conversation starts with nothing asked.
        let was_resolved = row.state == ConversationState::Resolved.key();
        let reset_session = was_resolved != (control.state == ConversationState::Resolved);
        let mut active: conversation::ActiveModel = row.into();
        active.state = Set(control.state.key().to_owned());
        active.controller_id = Set(control.controller);
        active.chatbot_enabled = Set(control.chatbot_enabled);
        active.updated_at = Set(Utc::now());
        if reset_session {
            active.session_stage = Set(SessionStage::Active.number());
            active.session_stage_at = Set(None);
        }
        active.update(&txn).await?;
        if let Some((kind, detail)) = journey {
            record(&txn, tenant, contact_id, kind, detail, Some(actor)).await?;
        }
        let out = conversation_in(&txn, tenant, conversation_id).await?;
        txn.commit().await?;
        Ok(out)
    }

    pub async fn set_archived(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        archived: bool,
    ) -> Result<ConversationRecord, StoreError> {
        let now = Utc::now();
        let result = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::ArchivedAt,
                Expr::value(archived.then_some(now)),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.eq(conversation_id))
            .filter(conversation::Column::DeletedAt.is_null())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        self.conversation(tenant, conversation_id).await
    }

    /// Hides a conversation; its messages stay, and it comes back when the
    /// customer writes again.
    pub async fn delete_conversation(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let result = conversation::Entity::update_many()
            .col_expr(conversation::Column::DeletedAt, Expr::value(now))
            .col_expr(
                conversation::Column::ControllerId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.eq(conversation_id))
            .filter(conversation::Column::DeletedAt.is_null())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Conversations by id (search results), skipping deleted ones.
    pub async fn conversations_by_ids(
        &self,
        tenant: TenantId,
        ids: &[Uuid],
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .filter(conversation::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        dress(&self.db, tenant, rows).await
    }

    /// People of the tenant who may work conversations, for transfers.
    pub async fn conversation_agents(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<(Uuid, String)>, StoreError> {
        const PAGE: u64 = 1000;
        let view = domain::permissions::Permission::new(
            domain::permissions::Module::Conversations,
            domain::permissions::Action::Create,
        );
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let (members, _) = self
                .list_members(
                    tenant,
                    &crate::MemberFilter::default(),
                    PageRequest { after, limit: PAGE },
                )
                .await?;
            let full = members.len() as u64 == PAGE;
            after = members.last().map(|m| m.user.id.0);
            out.extend(
                members
                    .into_iter()
                    .filter(|m| {
                        m.status == domain::team::MemberStatus::Active
                            && m.role.permissions.contains(view)
                    })
                    .map(|m| (m.user.id.0, m.name().to_owned())),
            );
            if !full || after.is_none() {
                return Ok(out);
            }
        }
    }

    // ----- quick replies ---------------------------------------------------
}
