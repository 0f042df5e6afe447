//! Contact groups: fixed lists and filter-defined segments, with their counts.

use super::*;

impl Store {
    /// Member counts, opted-in counts and the last addition of `rows`, in
    /// two grouped queries whatever the number of groups.
    async fn group_stats(
        &self,
        tenant: TenantId,
        rows: Vec<contact_group::Model>,
    ) -> Result<Vec<GroupStats>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|g| g.id).collect();
        let live = |opted_in: bool| {
            let mut contacts = Query::select()
                .column(contact::Column::Id)
                .from(contact::Entity)
                .and_where(contact::Column::TenantId.eq(tenant.0))
                .and_where(contact::Column::DeletedAt.is_null())
                .take();
            if opted_in {
                contacts.and_where(contact::Column::OptIn.eq(OptIn::OptedIn.key()));
            }
            group_member::Entity::find()
                .select_only()
                .column(group_member::Column::GroupId)
                .filter(group_member::Column::TenantId.eq(tenant.0))
                .filter(group_member::Column::GroupId.is_in(ids.clone()))
                .filter(group_member::Column::ContactId.in_subquery(contacts))
                .group_by(group_member::Column::GroupId)
        };
        let members: HashMap<Uuid, (i64, Option<chrono::DateTime<Utc>>)> = live(false)
            .column_as(group_member::Column::ContactId.count(), "members")
            .column_as(group_member::Column::AddedAt.max(), "last_added_at")
            .into_tuple::<(Uuid, i64, Option<chrono::DateTime<Utc>>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, n, last)| (id, (n, last)))
            .collect();
        let opted_in: HashMap<Uuid, i64> = live(true)
            .column_as(group_member::Column::ContactId.count(), "opted_in")
            .into_tuple::<(Uuid, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(rows
            .into_iter()
            .map(|g| {
                let (members, last_added_at) = members.get(&g.id).copied().unwrap_or((0, None));
                GroupStats {
                    member_count: count(members),
                    opted_in_count: count(opted_in.get(&g.id).copied().unwrap_or(0)),
                    last_added_at,
                    id: g.id,
                    name: g.name,
                    description: g.description,
                    created_at: g.created_at,
                }
            })
            .collect())
    }

    pub async fn list_groups(&self, tenant: TenantId) -> Result<Vec<GroupStats>, StoreError> {
        let rows = contact_group::Entity::find()
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .order_by_asc(contact_group::Column::Name)
            .all(&self.db)
            .await?;
        self.group_stats(tenant, rows).await
    }

    pub async fn group(&self, tenant: TenantId, id: Uuid) -> Result<GroupStats, StoreError> {
        let row = contact_group::Entity::find_by_id(id)
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.group_stats(tenant, vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_group(
        &self,
        tenant: TenantId,
        name: &str,
        description: &str,
    ) -> Result<GroupStats, StoreError> {
        let model = contact_group::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            name: Set(name.to_owned()),
            description: Set(description.to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        self.group(tenant, model.id).await
    }

    pub async fn update_group(
        &self,
        tenant: TenantId,
        id: Uuid,
        name: &str,
        description: &str,
    ) -> Result<GroupStats, StoreError> {
        let row = contact_group::Entity::find_by_id(id)
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: contact_group::ActiveModel = row.into();
        model.name = Set(name.to_owned());
        model.description = Set(description.to_owned());
        model.update(&self.db).await?;
        self.group(tenant, id).await
    }

    pub async fn delete_group(&self, tenant: TenantId, id: Uuid) -> Result<(), StoreError> {
        let res = contact_group::Entity::delete_many()
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .filter(contact_group::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Adds or removes live contacts of the tenant; answers how many changed.
    pub async fn change_group_members(
        &self,
        tenant: TenantId,
        group: Uuid,
        contacts: &[Uuid],
        add: bool,
        actor: Option<Uuid>,
    ) -> Result<u64, StoreError> {
        let txn = self.write_txn().await?;
        let g = contact_group::Entity::find_by_id(group)
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let live = live_ids(&txn, tenant, contacts).await?;
        let mut changed = 0;
        let now = Utc::now();
        for chunk in live.chunks(500) {
            if add {
                let rows = chunk.iter().map(|c| group_member::ActiveModel {
                    tenant_id: Set(tenant.0),
                    group_id: Set(group),
                    contact_id: Set(*c),
                    added_at: Set(now),
                });
                changed += group_member::Entity::insert_many(rows)
                    .on_conflict(
                        OnConflict::columns([
                            group_member::Column::GroupId,
                            group_member::Column::ContactId,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(&txn)
                    .await?;
            } else {
                changed += group_member::Entity::delete_many()
                    .filter(group_member::Column::TenantId.eq(tenant.0))
                    .filter(group_member::Column::GroupId.eq(group))
                    .filter(group_member::Column::ContactId.is_in(chunk.to_vec()))
                    .exec(&txn)
                    .await?
                    .rows_affected;
            }
        }
        if add && live.len() <= 1000 {
            for c in &live {
                record(
                    &txn,
                    tenant,
                    *c,
                    "added_to_group",
                    &format!("Added to {}", g.name),
                    actor,
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(changed)
    }

    /// Groups a contact belongs to.
    pub async fn groups_of(
        &self,
        tenant: TenantId,
        contact: Uuid,
    ) -> Result<Vec<(Uuid, String)>, StoreError> {
        let ids: Vec<Uuid> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::GroupId)
            .filter(group_member::Column::TenantId.eq(tenant.0))
            .filter(group_member::Column::ContactId.eq(contact))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(contact_group::Entity::find()
            .filter(contact_group::Column::TenantId.eq(tenant.0))
            .filter(contact_group::Column::Id.is_in(ids))
            .order_by_asc(contact_group::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect())
    }
}
