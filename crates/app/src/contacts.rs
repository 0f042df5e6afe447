//! Contacts created and edited by people (the import has its own path, and
//! the same check): the one field check of `domain::contact`, with the
//! tenant's default country and attribute definitions, then the store.

use std::collections::BTreeMap;

use domain::contact::{check_contact, AttributeKind, Contact, ContactInput, OptIn};
use domain::TenantId;
use store::{ContactChanges, NewContact, StoreError};
use uuid::Uuid;

use crate::{App, AppError};

/// A contact as a person typed it, before the check.
#[derive(Debug, Clone, Default)]
pub struct ContactDraft {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    /// Blank: `manual`.
    pub source: Option<String>,
    /// Blank: `unknown`.
    pub opt_in: Option<String>,
    pub tags: Vec<Uuid>,
    pub attributes: BTreeMap<String, Option<String>>,
}

/// Changes to a contact as a person typed them; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct ContactEdit {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// Blank clears the address.
    pub email: Option<String>,
    pub source: Option<String>,
    pub opt_in: Option<String>,
    pub tags: Option<Vec<Uuid>>,
    /// A `None` (or blank) value removes the attribute.
    pub attributes: Option<BTreeMap<String, Option<String>>>,
}

/// The tenant's attribute definitions: key -> kind.
pub async fn attribute_kinds(
    app: &App,
    tenant: TenantId,
) -> Result<BTreeMap<String, AttributeKind>, AppError> {
    Ok(app
        .store
        .list_attributes(tenant)
        .await?
        .into_iter()
        .map(|a| (a.key, a.kind))
        .collect())
}

/// Creates a contact; `actor` is who made it (for its timeline).
pub async fn create(
    app: &App,
    tenant: TenantId,
    actor: Option<Uuid>,
    draft: ContactDraft,
) -> Result<Contact, AppError> {
    let settings = app.store.tenant(tenant).await?.settings;
    let kinds = attribute_kinds(app, tenant).await?;
    let input = ContactInput {
        name: Some(&draft.name),
        phone: Some(&draft.phone),
        email: draft.email.as_deref(),
        source: draft.source.as_deref().filter(|s| !s.trim().is_empty()),
        opt_in: draft.opt_in.as_deref().filter(|s| !s.is_empty()),
        attributes: draft.attributes,
    };
    let checked = check_contact(&input, &settings.default_country, &kinds)?;
    let (Some(name), Some(phone)) = (checked.name, checked.phone) else {
        return Err(AppError::Internal(
            "a checked contact lost its name or phone".into(),
        ));
    };
    let new = NewContact {
        name,
        phone,
        email: checked.email.flatten(),
        source: checked.source.unwrap_or_else(|| "manual".to_owned()),
        opt_in: checked.opt_in.unwrap_or(OptIn::Unknown),
        tags: draft.tags,
        attributes: checked
            .attributes
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect(),
    };
    app.store
        .create_contact(tenant, &new, actor)
        .await
        .map_err(contact_conflict)
}

/// Edits a contact of the tenant; `actor` is who changed it.
pub async fn update(
    app: &App,
    tenant: TenantId,
    id: Uuid,
    actor: Option<Uuid>,
    edit: ContactEdit,
) -> Result<Contact, AppError> {
    app.store.contact(tenant, id).await?;
    let settings = app.store.tenant(tenant).await?.settings;
    let kinds = match &edit.attributes {
        Some(_) => attribute_kinds(app, tenant).await?,
        None => BTreeMap::new(),
    };
    let input = ContactInput {
        name: edit.name.as_deref(),
        phone: edit.phone.as_deref(),
        email: edit.email.as_deref(),
        source: edit.source.as_deref(),
        opt_in: edit.opt_in.as_deref(),
        attributes: edit.attributes.clone().unwrap_or_default(),
    };
    let checked = check_contact(&input, &settings.default_country, &kinds)?;
    let changes = ContactChanges {
        name: checked.name,
        phone: checked.phone,
        email: checked.email,
        source: checked.source,
        opt_in: checked.opt_in,
        tags: edit.tags,
        attributes: edit.attributes.map(|_| checked.attributes),
    };
    app.store
        .update_contact(tenant, id, &changes, actor)
        .await
        .map_err(contact_conflict)
}

/// The store's contact conflicts, worded for the person who caused them.
pub fn contact_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("phone_taken") => AppError::conflict(
            "phone_taken",
            "Another contact already has this phone number.",
        ),
        StoreError::Conflict("unknown_tag") => {
            AppError::field("tags", "Choose tags of this tenant.")
        }
        other => other.into(),
    }
}
