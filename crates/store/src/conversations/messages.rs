//! Messages: an inbound message stored once per provider id with its
//! contact and conversation, outbound messages stored before they leave, and
//! statuses that only move forward.

use super::*;

impl Store {
    /// Stores a customer's message: its contact (new ones come from
    /// `organic`), its conversation (one per channel and contact; a resolved,
    /// archived or deleted one opens again) and the message, once per
    /// provider id.
    pub async fn record_inbound(
        &self,
        tenant: TenantId,
        new: &NewInbound,
    ) -> Result<InboundOutcome, StoreError> {
        let txn = self.write_txn().await?;
        if provider_message_exists(&txn, tenant, &new.provider_message_id).await? {
            return Ok(InboundOutcome::Duplicate);
        }
        let now = Utc::now();
        let (contact_id, new_contact) = upsert_inbound_contact(&txn, tenant, new, now).await?;
        if new_contact {
            record(
                &txn,
                tenant,
                contact_id,
                "created",
                "Wrote to us first on WhatsApp",
                None,
            )
            .await?;
        }
        let preview_line = preview(&new.kind, new.body.as_deref());
        // The conversation (one per channel and contact), locked on
        // PostgreSQL until the message is in: a person taking control
        // meanwhile waits, and then sees the new message. The first message
        // makes it, with an insert that yields to one made meanwhile.
        let (row, opened) = match locked_conversation(&txn, tenant, new.channel_id, contact_id)
            .await?
        {
            Some(row) => (row, false),
            None => {
                let opened =
                    open_conversation(&txn, tenant, new, contact_id, &preview_line, now).await?;
                let row = locked_conversation(&txn, tenant, new.channel_id, contact_id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                (row, opened)
            }
        };
        let conversation_id = row.id;
        let (new_conversation, controller, previous_state) = if opened {
            record(
                &txn,
                tenant,
                contact_id,
                "conversation_started",
                &preview_line,
                None,
            )
            .await?;
            (true, None, None)
        } else {
            let state =
                ConversationState::parse(&row.state).ok_or_else(|| corrupt("state", &row.state))?;
            let before = Control {
                state,
                controller: row.controller_id,
                chatbot_enabled: row.chatbot_enabled,
            };
            let after = before.customer_wrote();
            // After a silence, a close or a delete, the customer coming
            // back is a step of their journey; every message is not.
            let returned = row.deleted_at.is_some()
                || state == ConversationState::Resolved
                || in_history(row.last_inbound_at, new.at);
            if returned {
                record(
                    &txn,
                    tenant,
                    contact_id,
                    "customer_returned",
                    &preview_line,
                    None,
                )
                .await?;
            }
            customer_wrote(
                &txn,
                tenant,
                conversation_id,
                after,
                new,
                &preview_line,
                now,
            )
            .await?;
            (
                row.deleted_at.is_some(),
                before.controller,
                Some(before.state),
            )
        };
        let quoted = match &new.reply_to_provider_id {
            Some(provider_id) => message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::ProviderMessageId.eq(provider_id))
                .one(&txn)
                .await?
                .and_then(|m| {
                    let direction = Direction::parse(&m.direction)?;
                    Some((m.id, direction, preview(&m.kind, m.body.as_deref())))
                }),
            None => None,
        };
        let reply_to_id = quoted.as_ref().map(|(id, _, _)| *id);
        let (id, at) = inbound_message_id(&txn, tenant, conversation_id, new.at).await?;
        let model = message::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            conversation_id: Set(conversation_id),
            direction: Set(Direction::Inbound.key().to_owned()),
            kind: Set(new.kind.clone()),
            body: Set(new.body.clone()),
            content: Set(new.content.to_string()),
            provider_message_id: Set(Some(new.provider_message_id.clone())),
            status: Set(MessageStatus::Received.key().to_owned()),
            error_code: Set(None),
            error_title: Set(None),
            error_detail: Set(None),
            reply_to_id: Set(reply_to_id),
            media_id: Set(new.media_id),
            sent_by: Set(None),
            created_at: Set(at),
            status_at: Set(None),
        }
        .insert(&txn)
        .await?;
        index_text(&txn, tenant, id, new.body.as_deref()).await?;
        let conversation = conversation_in(&txn, tenant, conversation_id).await?;
        txn.commit().await?;
        Ok(InboundOutcome::Stored {
            conversation: Box::new(conversation),
            message: Box::new(MessageView {
                message: message_from(model)?,
                sent_by_name: None,
                starred: false,
                quoted,
            }),
            new_conversation,
            controller,
            previous_state,
        })
    }

    /// Stores a message a person is about to send, as `pending`.
    pub async fn create_outbound(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        new: &NewOutbound,
    ) -> Result<MessageRecord, StoreError> {
        let txn = self.write_txn().await?;
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let model = message::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            conversation_id: Set(conversation_id),
            direction: Set(Direction::Outbound.key().to_owned()),
            kind: Set(new.kind.clone()),
            body: Set(new.body.clone()),
            content: Set(new.content.to_string()),
            provider_message_id: Set(None),
            status: Set(MessageStatus::Pending.key().to_owned()),
            error_code: Set(None),
            error_title: Set(None),
            error_detail: Set(None),
            reply_to_id: Set(new.reply_to_id),
            media_id: Set(new.media_id),
            sent_by: Set(new.sent_by),
            created_at: Set(now),
            status_at: Set(None),
        }
        .insert(&txn)
        .await?;
        // Templates (and the broadcasts made of them) are what a business
        // sends first; they belong on the contact's journey.
        if new.kind == "template" {
            let label = new
                .content
                .get("template")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            record(
                &txn,
                tenant,
                row.contact_id,
                "template_sent",
                label,
                new.sent_by,
            )
            .await?;
        }
        let mut active: conversation::ActiveModel = row.into();
        active.last_message_at = Set(now);
        active.last_preview = Set(preview(&new.kind, new.body.as_deref()));
        active.last_direction = Set(Direction::Outbound.key().to_owned());
        active.last_status = Set(MessageStatus::Pending.key().to_owned());
        active.updated_at = Set(now);
        active.update(&txn).await?;
        index_text(&txn, tenant, id, new.body.as_deref()).await?;
        txn.commit().await?;
        message_from(model)
    }

    /// The provider took the message: remember its id, and let the status
    /// reports that arrived before it (waiting for this id) be applied.
    pub async fn outbound_accepted(
        &self,
        tenant: TenantId,
        id: Uuid,
        provider_message_id: &str,
    ) -> Result<MessageRecord, StoreError> {
        message::Entity::update_many()
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(provider_message_id),
            )
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        crate::events::wake_statuses_for(&self.db, tenant, provider_message_id).await?;
        self.message(tenant, id).await
    }

    /// The provider refused the message.
    pub async fn outbound_failed(
        &self,
        tenant: TenantId,
        id: Uuid,
        code: &str,
        title: &str,
        detail: Option<&str>,
    ) -> Result<MessageRecord, StoreError> {
        let now = Utc::now();
        message::Entity::update_many()
            .col_expr(
                message::Column::Status,
                Expr::value(MessageStatus::Failed.key()),
            )
            .col_expr(message::Column::StatusAt, Expr::value(now))
            .col_expr(message::Column::ErrorCode, Expr::value(code))
            .col_expr(message::Column::ErrorTitle, Expr::value(title))
            .col_expr(
                message::Column::ErrorDetail,
                Expr::value(detail.map(str::to_owned)),
            )
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.message(tenant, id).await
    }

    pub async fn message(&self, tenant: TenantId, id: Uuid) -> Result<MessageRecord, StoreError> {
        let row = message::Entity::find_by_id(id)
            .filter(message::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        message_from(row)
    }

    /// Whether a message with this provider id is already stored (a retried
    /// event skips fetching its files again).
    pub async fn has_provider_message(
        &self,
        tenant: TenantId,
        provider_message_id: &str,
    ) -> Result<bool, StoreError> {
        provider_message_exists(&self.db, tenant, provider_message_id).await
    }

    /// A message as `viewer` reads it.
    pub async fn message_view(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        id: Uuid,
    ) -> Result<MessageView, StoreError> {
        let row = message::Entity::find_by_id(id)
            .filter(message::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.views(tenant, viewer, vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub(super) async fn views(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        rows: Vec<message::Model>,
    ) -> Result<Vec<MessageView>, StoreError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let starred: HashSet<Uuid> = if ids.is_empty() {
            HashSet::new()
        } else {
            message_star::Entity::find()
                .select_only()
                .column(message_star::Column::MessageId)
                .filter(message_star::Column::TenantId.eq(tenant.0))
                .filter(message_star::Column::UserId.eq(viewer))
                .filter(message_star::Column::MessageId.is_in(ids))
                .into_tuple::<Uuid>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        let names =
            crate::accounts::member_names(&self.db, tenant, rows.iter().filter_map(|r| r.sent_by))
                .await?;
        let quoted_ids: HashSet<Uuid> = rows.iter().filter_map(|r| r.reply_to_id).collect();
        let quoted: HashMap<Uuid, (Direction, String)> = if quoted_ids.is_empty() {
            HashMap::new()
        } else {
            message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::Id.is_in(quoted_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .filter_map(|m| {
                    let direction = Direction::parse(&m.direction)?;
                    Some((m.id, (direction, preview(&m.kind, m.body.as_deref()))))
                })
                .collect()
        };
        rows.into_iter()
            .map(|row| {
                let message = message_from(row)?;
                Ok(MessageView {
                    sent_by_name: message.sent_by.and_then(|id| names.get(&id).cloned()),
                    starred: starred.contains(&message.id),
                    quoted: message
                        .reply_to_id
                        .and_then(|id| quoted.get(&id).map(|(d, p)| (id, *d, p.clone()))),
                    message,
                })
            })
            .collect()
    }

    /// A conversation's messages, newest first; `page.after` is the oldest
    /// message already shown.
    pub async fn list_messages(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        conversation_id: Uuid,
        page: PageRequest,
    ) -> Result<Vec<MessageView>, StoreError> {
        self.conversation(tenant, conversation_id).await?;
        let mut query = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::ConversationId.eq(conversation_id));
        if let Some(after) = page.after {
            query = query.filter(message::Column::Id.lt(after));
        }
        let rows = query
            .order_by_desc(message::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        self.views(tenant, viewer, rows).await
    }
}

/// An inbound message's id and time: a UUIDv7 stamped with the provider's
/// time, so a thread (ordered by id) shows the customer's messages in the
/// order they were written, whatever order their webhooks arrived in.
/// Providers give whole seconds, and one customer's events are applied one
/// after another in the order they came in; so a message lands just after
/// whatever the thread already holds in its second (a millisecond on).
/// Never the clock's sub-second part: two messages of one second, applied
/// either side of a second boundary, would swap.
async fn inbound_message_id(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(Uuid, DateTime<Utc>), StoreError> {
    let secs = at.timestamp();
    let start = lowest_id_at(secs);
    let end = lowest_id_at(secs.saturating_add(1));
    let latest = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::TenantId.eq(tenant.0))
        .filter(message::Column::ConversationId.eq(conversation_id))
        .filter(message::Column::Id.gte(start))
        .filter(message::Column::Id.lt(end))
        .order_by_desc(message::Column::Id)
        .into_tuple::<Uuid>()
        .one(txn)
        .await?;
    let wanted = at.timestamp_subsec_millis();
    let millis = match latest.as_ref().and_then(Uuid::get_timestamp) {
        Some(ts) => {
            let (_, nanos) = ts.to_unix();
            // A thousand messages in one second: the last ones share 999.
            Ord::min(Ord::max(wanted, nanos / 1_000_000 + 1), 999)
        }
        None => wanted,
    };
    let id = stamp(secs, millis * 1_000_000);
    let at = DateTime::<Utc>::from_timestamp(secs, millis * 1_000_000).unwrap_or(at);
    Ok((id, at))
}

/// Below every UUIDv7 made in or after that second (ids compare as bytes,
/// and the first 48 bits are the milliseconds).
fn lowest_id_at(secs: i64) -> Uuid {
    let millis = u128::try_from(secs).unwrap_or(0).saturating_mul(1000);
    Uuid::from_u128(millis << 80)
}

fn stamp(secs: i64, nanos: u32) -> Uuid {
    let secs = u64::try_from(secs).unwrap_or(0);
    Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos))
}

/// The customer's contact: found by phone, or made (source `organic`). The
/// insert yields to a contact made meanwhile by another message (the
/// partial unique index on live phones), so two first messages make one.
/// Answers the id and whether it was made now.
async fn upsert_inbound_contact(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    new: &NewInbound,
    now: DateTime<Utc>,
) -> Result<(Uuid, bool), StoreError> {
    let name = new
        .profile_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&new.phone.e164)
        .to_owned();
    let known = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::TenantId.eq(tenant.0))
        .filter(contact::Column::Phone.eq(&new.phone.e164))
        .filter(contact::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .one(txn)
        .await?;
    if let Some(id) = known {
        touch_contact(txn, tenant, id, new.at).await?;
        return Ok((id, false));
    }
    let made = contact::Entity::insert(contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        name: Set(name),
        phone: Set(new.phone.e164.clone()),
        email: Set(None),
        country_code: Set(new.phone.country_code.clone()),
        iso_code: Set(new.phone.iso_code.clone()),
        source: Set("organic".to_owned()),
        opt_in: Set("unknown".to_owned()),
        opt_in_at: Set(None),
        opt_in_source: Set(None),
        first_message_tag: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_active_at: Set(Some(new.at)),
        deleted_at: Set(None),
        import_id: Set(None),
        attributes: Set(serde_json::json!({})),
    })
    .on_conflict(
        OnConflict::columns([contact::Column::TenantId, contact::Column::Phone])
            .target_and_where(Expr::col(contact::Column::DeletedAt).is_null())
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?
        == 1;
    let id = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::TenantId.eq(tenant.0))
        .filter(contact::Column::Phone.eq(&new.phone.e164))
        .filter(contact::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !made {
        touch_contact(txn, tenant, id, new.at).await?;
    }
    Ok((id, made))
}

/// The contact was active at `at` (only forward: an older message applied
/// late does not move it back).
async fn touch_contact(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    contact::Entity::update_many()
        .col_expr(contact::Column::LastActiveAt, Expr::value(Some(at)))
        .filter(contact::Column::TenantId.eq(tenant.0))
        .filter(contact::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(contact::Column::LastActiveAt.is_null())
                .add(contact::Column::LastActiveAt.lt(at)),
        )
        .exec(txn)
        .await?;
    Ok(())
}

/// A customer's message in an existing conversation, in one statement of
/// counters and guarded fields: the unread count goes up by one, the last
/// message moves only forward, and the conversation opens again.
async fn customer_wrote(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    conversation_id: Uuid,
    after: Control,
    new: &NewInbound,
    preview_line: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use conversation::Column as C;
    // Providers give whole seconds: a customer message of the same second
    // as our last one came after it.
    let next_second =
        DateTime::<Utc>::from_timestamp(new.at.timestamp().saturating_add(1), 0).unwrap_or(new.at);
    let newer = |value: sea_orm::Value, column: C| {
        Expr::case(
            Expr::col(C::LastMessageAt).lt(next_second),
            Expr::val(value),
        )
        .finally(Expr::col(column))
    };
    conversation::Entity::update_many()
        .col_expr(C::State, Expr::value(after.state.key()))
        .col_expr(C::ControllerId, Expr::value(after.controller))
        .col_expr(C::UnreadCount, Expr::col(C::UnreadCount).add(1))
        .col_expr(
            C::LastPreview,
            newer(preview_line.to_owned().into(), C::LastPreview).into(),
        )
        .col_expr(
            C::LastDirection,
            newer(Direction::Inbound.key().into(), C::LastDirection).into(),
        )
        .col_expr(
            C::LastStatus,
            newer(MessageStatus::Received.key().into(), C::LastStatus).into(),
        )
        .col_expr(
            C::LastMessageAt,
            Expr::case(Expr::col(C::LastMessageAt).lt(new.at), Expr::val(new.at))
                .finally(Expr::col(C::LastMessageAt))
                .into(),
        )
        .col_expr(
            C::LastInboundAt,
            Expr::case(
                Condition::any()
                    .add(Expr::col(C::LastInboundAt).is_null())
                    .add(Expr::col(C::LastInboundAt).lt(new.at)),
                Expr::val(Some(new.at)),
            )
            .finally(Expr::col(C::LastInboundAt))
            .into(),
        )
        .col_expr(C::ArchivedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(C::DeletedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(C::UpdatedAt, Expr::value(now))
        // The customer wrote: the session behaviour starts over.
        .col_expr(C::SessionStage, Expr::value(SessionStage::Active.number()))
        .col_expr(
            C::SessionStageAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(C::TenantId.eq(tenant.0))
        .filter(C::Id.eq(conversation_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The conversation of `contact` on `channel`, locked for this transaction
/// on PostgreSQL (SQLite's write transaction already holds the database).
async fn locked_conversation(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    channel: ChannelId,
    contact_id: Uuid,
) -> Result<Option<conversation::Model>, StoreError> {
    let mut find = conversation::Entity::find()
        .filter(conversation::Column::TenantId.eq(tenant.0))
        .filter(conversation::Column::ChannelId.eq(channel.0))
        .filter(conversation::Column::ContactId.eq(contact_id));
    if txn.get_database_backend() == DbBackend::Postgres {
        find = find.lock_exclusive();
    }
    Ok(find.one(txn).await?)
}

/// Opens the conversation a customer's first message starts; answers
/// false when one was made meanwhile (the unique key decides).
async fn open_conversation(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    new: &NewInbound,
    contact_id: Uuid,
    preview_line: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conversation::Entity::insert(conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        channel_id: Set(new.channel_id.0),
        contact_id: Set(contact_id),
        state: Set(ConversationState::Bot.key().to_owned()),
        controller_id: Set(None),
        chatbot_enabled: Set(true),
        unread_count: Set(1),
        last_message_at: Set(new.at),
        last_inbound_at: Set(Some(new.at)),
        last_preview: Set(preview_line.to_owned()),
        last_direction: Set(Direction::Inbound.key().to_owned()),
        last_status: Set(MessageStatus::Received.key().to_owned()),
        archived_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        session_stage: Set(SessionStage::Active.number()),
        session_stage_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            conversation::Column::TenantId,
            conversation::Column::ChannelId,
            conversation::Column::ContactId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?
        == 1)
}
