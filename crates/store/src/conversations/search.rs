//! Finding things in conversations: starred messages, message text search
//! and the contacts a search names.

use super::*;

impl Store {
    /// Stars (or unstars) a message for one person.
    pub async fn set_star(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        message_id: Uuid,
        starred: bool,
    ) -> Result<(), StoreError> {
        let message = self.message(tenant, message_id).await?;
        self.conversation(tenant, message.conversation_id).await?;
        let existing = message_star::Entity::find()
            .filter(message_star::Column::TenantId.eq(tenant.0))
            .filter(message_star::Column::UserId.eq(user_id))
            .filter(message_star::Column::MessageId.eq(message_id))
            .one(&self.db)
            .await?;
        match (existing, starred) {
            (None, true) => {
                message_star::ActiveModel {
                    tenant_id: Set(tenant.0),
                    user_id: Set(user_id),
                    message_id: Set(message_id),
                    starred_at: Set(Utc::now()),
                }
                .insert(&self.db)
                .await
                .map(|_| ())
                .or_else(|e| match StoreError::from(e) {
                    // Starred twice at once: starred.
                    StoreError::Conflict(_) => Ok(()),
                    other => Err(other),
                })?;
            }
            (Some(_), false) => {
                message_star::Entity::delete_many()
                    .filter(message_star::Column::TenantId.eq(tenant.0))
                    .filter(message_star::Column::UserId.eq(user_id))
                    .filter(message_star::Column::MessageId.eq(message_id))
                    .exec(&self.db)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// One person's starred messages, most recently starred first; the
    /// cursor is the message id of the last one shown.
    pub async fn starred(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        channel: Option<ChannelId>,
        page: PageRequest,
    ) -> Result<Vec<StarredRecord>, StoreError> {
        let mut cond = Condition::all()
            .add(message_star::Column::TenantId.eq(tenant.0))
            .add(message_star::Column::UserId.eq(user_id));
        if let Some(after) = page.after {
            let at = message_star::Entity::find()
                .select_only()
                .column(message_star::Column::StarredAt)
                .filter(message_star::Column::TenantId.eq(tenant.0))
                .filter(message_star::Column::UserId.eq(user_id))
                .filter(message_star::Column::MessageId.eq(after))
                .into_tuple::<DateTime<Utc>>()
                .one(&self.db)
                .await?;
            if let Some(at) = at {
                cond = cond.add(
                    Condition::any()
                        .add(message_star::Column::StarredAt.lt(at))
                        .add(
                            Condition::all()
                                .add(message_star::Column::StarredAt.eq(at))
                                .add(message_star::Column::MessageId.lt(after)),
                        ),
                );
            }
        }
        let mut out = Vec::new();
        let mut cursor_cond = cond;
        // Channel filtering happens after the join; read on until the page is full.
        loop {
            let stars = message_star::Entity::find()
                .filter(cursor_cond.clone())
                .order_by_desc(message_star::Column::StarredAt)
                .order_by_desc(message_star::Column::MessageId)
                .limit(page.limit)
                .all(&self.db)
                .await?;
            let Some(last) = stars.last().cloned() else {
                break;
            };
            let fetched = stars.len() as u64;
            let rows = message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::Id.is_in(stars.iter().map(|s| s.message_id)))
                .all(&self.db)
                .await?;
            let conversation_ids: HashSet<Uuid> = rows.iter().map(|r| r.conversation_id).collect();
            let conversations: HashMap<Uuid, ConversationRecord> = dress(
                &self.db,
                tenant,
                conversation::Entity::find()
                    .filter(conversation::Column::TenantId.eq(tenant.0))
                    .filter(conversation::Column::DeletedAt.is_null())
                    .filter(conversation::Column::Id.is_in(conversation_ids))
                    .all(&self.db)
                    .await?,
            )
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
            let views: HashMap<Uuid, MessageView> = self
                .views(tenant, user_id, rows)
                .await?
                .into_iter()
                .map(|v| (v.message.id, v))
                .collect();
            for star in stars {
                let Some(view) = views.get(&star.message_id) else {
                    continue;
                };
                let Some(conversation) = conversations.get(&view.message.conversation_id) else {
                    continue;
                };
                if channel.is_some_and(|c| c != conversation.channel_id) {
                    continue;
                }
                out.push(StarredRecord {
                    view: view.clone(),
                    conversation: conversation.clone(),
                    starred_at: star.starred_at,
                });
                if out.len() as u64 == page.limit {
                    return Ok(out);
                }
            }
            if fetched < page.limit {
                break;
            }
            cursor_cond = Condition::all()
                .add(message_star::Column::TenantId.eq(tenant.0))
                .add(message_star::Column::UserId.eq(user_id))
                .add(
                    Condition::any()
                        .add(message_star::Column::StarredAt.lt(last.starred_at))
                        .add(
                            Condition::all()
                                .add(message_star::Column::StarredAt.eq(last.starred_at))
                                .add(message_star::Column::MessageId.lt(last.message_id)),
                        ),
                );
        }
        Ok(out)
    }

    /// Messages whose text matches `q`, newest first (at most `limit`).
    pub async fn search_messages(
        &self,
        tenant: TenantId,
        q: &str,
        limit: u64,
    ) -> Result<Vec<MessageHit>, StoreError> {
        let words: Vec<String> = q
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(50);
        let backend = self.db.get_database_backend();
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                "SELECT m.id, m.conversation_id, m.body, m.created_at FROM messages m \
                 JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL \
                 WHERE m.tenant_id = $1 AND to_tsvector('simple', coalesce(m.body, '')) @@ to_tsquery('simple', $2) \
                 ORDER BY m.id DESC LIMIT $3",
                [
                    tenant.0.into(),
                    words
                        .iter()
                        .map(|w| format!("{w}:*"))
                        .collect::<Vec<_>>()
                        .join(" & ")
                        .into(),
                    limit.into(),
                ],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                "SELECT m.id, m.conversation_id, m.body, m.created_at FROM message_search s \
                 JOIN messages m ON m.id = s.message_id \
                 JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL \
                 WHERE s.tenant_id = ? AND message_search MATCH ? \
                 ORDER BY m.id DESC LIMIT ?",
                [
                    tenant.0.into(),
                    words
                        .iter()
                        .map(|w| format!("\"{w}\"*"))
                        .collect::<Vec<_>>()
                        .join(" ")
                        .into(),
                    limit.into(),
                ],
            ),
        };
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            conversation_id: Uuid,
            body: Option<String>,
            created_at: DateTime<Utc>,
        }
        Ok(Row::find_by_statement(statement)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| MessageHit {
                conversation_id: r.conversation_id,
                message_id: r.id,
                body: r.body.unwrap_or_default(),
                at: r.created_at,
            })
            .collect())
    }

    /// Contacts whose name or phone contains `q` (see
    /// [`crate::contact_search`]: any letter case, a phone in any
    /// formatting); the caller keeps those with a conversation.
    pub async fn contacts_matching(
        &self,
        tenant: TenantId,
        q: &str,
        limit: u64,
    ) -> Result<Vec<Uuid>, StoreError> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        Ok(contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::TenantId.eq(tenant.0))
            .filter(crate::contact_search::matches(
                self.backend(),
                q,
                crate::contact_search::Fields::NamePhone,
            ))
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await?)
    }
}
