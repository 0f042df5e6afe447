//! The contact timeline: what happened to a contact, newest first.

use super::*;

impl Store {
    pub async fn contact_events(
        &self,
        tenant: TenantId,
        contact: Uuid,
    ) -> Result<Vec<ContactEventRecord>, StoreError> {
        const SHOWN: usize = 200;
        let (import_id, created_at) = contact::Entity::find_by_id(contact)
            .select_only()
            .column(contact::Column::ImportId)
            .column(contact::Column::CreatedAt)
            .filter(contact::Column::TenantId.eq(tenant.0))
            .filter(contact::Column::DeletedAt.is_null())
            .into_tuple::<(Option<Uuid>, DateTime<Utc>)>()
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut events = contact_event::Entity::find()
            .filter(contact_event::Column::TenantId.eq(tenant.0))
            .filter(contact_event::Column::ContactId.eq(contact))
            .order_by_desc(contact_event::Column::Id)
            .limit(SHOWN as u64)
            .all(&self.db)
            .await?;
        // A contact an import created has no event row for it: its first
        // line comes from the import itself.
        if let Some(import) = import_id.filter(|_| events.len() < SHOWN) {
            let origin = contact_import::Entity::find_by_id(import)
                .filter(contact_import::Column::TenantId.eq(tenant.0))
                .one(&self.db)
                .await?;
            if let Some(origin) = origin {
                events.push(contact_event::Model {
                    id: origin.id,
                    tenant_id: tenant.0,
                    contact_id: contact,
                    kind: "imported".to_owned(),
                    detail: format!("Imported from {}", origin.file_name),
                    actor_id: Some(origin.created_by),
                    at: created_at,
                });
            }
        }
        let actors: HashSet<Uuid> = events.iter().filter_map(|e| e.actor_id).collect();
        let names = crate::accounts::member_names(&self.db, tenant, actors).await?;
        Ok(events
            .into_iter()
            .map(|e| ContactEventRecord {
                actor_name: e.actor_id.and_then(|id| names.get(&id).cloned()),
                kind: e.kind,
                detail: e.detail,
                actor_id: e.actor_id,
                at: e.at,
            })
            .collect())
    }
}
