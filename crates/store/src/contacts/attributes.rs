//! Custom attribute definitions: the keys and kinds contacts' values are checked against.

use super::*;

impl Store {
    pub async fn list_attributes(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<AttributeDefinition>, StoreError> {
        attribute_definition::Entity::find()
            .filter(attribute_definition::Column::TenantId.eq(tenant.0))
            .order_by_asc(attribute_definition::Column::Key)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| {
                Ok(AttributeDefinition {
                    kind: AttributeKind::parse(&a.kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("attribute kind {}", a.kind)))?,
                    id: a.id,
                    key: a.key,
                    name: a.name,
                })
            })
            .collect()
    }

    pub async fn create_attribute(
        &self,
        tenant: TenantId,
        key: &str,
        name: &str,
        kind: AttributeKind,
    ) -> Result<AttributeDefinition, StoreError> {
        let model = attribute_definition::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            key: Set(key.to_owned()),
            name: Set(name.to_owned()),
            kind: Set(kind.key().to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(AttributeDefinition {
            id: model.id,
            key: model.key,
            name: model.name,
            kind,
        })
    }

    /// Deletes a definition and every value stored under its key.
    pub async fn delete_attribute(&self, tenant: TenantId, id: Uuid) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        let row = attribute_definition::Entity::find_by_id(id)
            .filter(attribute_definition::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut patch = serde_json::Map::new();
        patch.insert(row.key.clone(), serde_json::Value::Null);
        patch_attributes(
            &txn,
            tenant,
            Condition::all().add(attribute_value(&row.key).is_not_null()),
            patch,
        )
        .await?;
        attribute_definition::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
