//! Tags: their names and colours, and how many contacts carry each.

use super::*;

impl Store {
    pub async fn list_tags(&self, tenant: TenantId) -> Result<Vec<TagUsage>, StoreError> {
        let tags = tag::Entity::find()
            .filter(tag::Column::TenantId.eq(tenant.0))
            .order_by_asc(tag::Column::NameKey)
            .all(&self.db)
            .await?;
        let counts = self.tag_counts(tenant, None).await?;
        Ok(tags
            .into_iter()
            .map(|t| TagUsage {
                contact_count: counts.get(&t.id).copied().unwrap_or(0),
                tag: Tag {
                    id: t.id,
                    name: t.name,
                    colour: t.colour,
                },
            })
            .collect())
    }

    /// How many live contacts carry the tag.
    pub async fn tag_contact_count(&self, tenant: TenantId, tag: Uuid) -> Result<u64, StoreError> {
        Ok(self
            .tag_counts(tenant, Some(tag))
            .await?
            .get(&tag)
            .copied()
            .unwrap_or(0))
    }

    /// Live contacts per tag, of every tag or of `only`.
    async fn tag_counts(
        &self,
        tenant: TenantId,
        only: Option<Uuid>,
    ) -> Result<HashMap<Uuid, u64>, StoreError> {
        let mut query = contact_tag::Entity::find()
            .select_only()
            .column(contact_tag::Column::TagId)
            .column_as(contact_tag::Column::ContactId.count(), "n")
            .filter(contact_tag::Column::TenantId.eq(tenant.0));
        if let Some(tag) = only {
            query = query.filter(contact_tag::Column::TagId.eq(tag));
        }
        let counts: Vec<(Uuid, i64)> = query
            .filter(
                contact_tag::Column::ContactId.in_subquery(
                    Query::select()
                        .column("id")
                        .from("contacts")
                        .cond_where(
                            Condition::all()
                                .add(Expr::col("tenant_id").eq(tenant.0))
                                .add(Expr::col("deleted_at").is_null()),
                        )
                        .take(),
                ),
            )
            .group_by(contact_tag::Column::TagId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(counts
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    pub async fn create_tag(
        &self,
        tenant: TenantId,
        name: &str,
        colour: &str,
    ) -> Result<Tag, StoreError> {
        let model = tag::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            name: Set(name.to_owned()),
            name_key: Set(name.to_lowercase()),
            colour: Set(colour.to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(Tag {
            id: model.id,
            name: model.name,
            colour: model.colour,
        })
    }

    pub async fn update_tag(
        &self,
        tenant: TenantId,
        id: Uuid,
        name: &str,
        colour: &str,
    ) -> Result<Tag, StoreError> {
        let row = tag::Entity::find_by_id(id)
            .filter(tag::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: tag::ActiveModel = row.into();
        model.name = Set(name.to_owned());
        model.name_key = Set(name.to_lowercase());
        model.colour = Set(colour.to_owned());
        let model = model.update(&self.db).await?;
        Ok(Tag {
            id: model.id,
            name: model.name,
            colour: model.colour,
        })
    }

    pub async fn delete_tag(&self, tenant: TenantId, id: Uuid) -> Result<(), StoreError> {
        let res = tag::Entity::delete_many()
            .filter(tag::Column::TenantId.eq(tenant.0))
            .filter(tag::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
