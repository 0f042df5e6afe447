//! Tags, custom attribute definitions and contact groups of the current tenant.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use contract::contacts::{
    AttributeDefinition, AttributeRequest, BulkResult, ContactGroup, GroupMembersRequest,
    GroupRequest, Tag, TagRequest,
};
use domain::account::FieldErrors;
use domain::contact::{check_attribute_key, check_colour, check_tag_name, AttributeKind};
use domain::permissions::{Action, Module};
use store::{GroupStats, StoreError};
use uuid::Uuid;

use super::contacts::ContactQuery;
use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The tags, attributes and groups routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Contacts, Action::View), list_tags)
        .add(perm(Module::Contacts, Action::Edit), create_tag)
        .add(perm(Module::Contacts, Action::Edit), update_tag)
        .add(perm(Module::Contacts, Action::Delete), delete_tag)
        .add(perm(Module::Contacts, Action::View), list_attributes)
        .add(perm(Module::Contacts, Action::Edit), create_attribute)
        .add(perm(Module::Contacts, Action::Delete), delete_attribute)
        .add(perm(Module::Contacts, Action::View), list_groups)
        .add(perm(Module::Contacts, Action::Create), create_group)
        .add(perm(Module::Contacts, Action::View), get_group)
        .add(perm(Module::Contacts, Action::Edit), update_group)
        .add(perm(Module::Contacts, Action::Delete), delete_group)
        .add(perm(Module::Contacts, Action::Edit), add_members)
        .add(perm(Module::Contacts, Action::Edit), remove_members);
}

const DEFAULT_COLOUR: &str = "#64748b";

fn taken(code: &'static str, detail: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Conflict("already_exists") => ApiError::conflict(code, detail),
        other => other.into(),
    }
}

fn tag_fields(body: &TagRequest) -> Result<(String, String), ApiError> {
    let mut errors = FieldErrors::default();
    let name = check_tag_name(&body.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let colour = match body.colour.as_deref() {
        None | Some("") => Some(DEFAULT_COLOUR.to_owned()),
        Some(c) => check_colour(c).map_err(|m| errors.add("colour", m)).ok(),
    };
    match (name, colour) {
        (Some(n), Some(c)) => Ok((n, c)),
        _ => Err(errors.into()),
    }
}

/// Tags with how many contacts carry each.
#[utoipa::path(tag = "contacts", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<Tag>), Unauthenticated, Forbidden,
))]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Vec<Tag>>, ApiError> {
    let tags = state.store.list_tags(auth.tenant()).await?;
    Ok(web::Json(
        tags.into_iter()
            .map(|t| Tag {
                id: t.tag.id,
                name: t.tag.name,
                colour: t.tag.colour,
                contact_count: t.contact_count,
            })
            .collect(),
    ))
}

/// Creates a tag (names are unique regardless of case).
#[utoipa::path(tag = "contacts", request_body = TagRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = Tag), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<TagRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, colour) = tag_fields(&body)?;
    let tag = state
        .store
        .create_tag(auth.tenant(), &name, &colour)
        .await
        .map_err(taken("tag_name_taken", "A tag with this name exists."))?;
    Ok(HttpResponse::Created().json(Tag {
        id: tag.id,
        name: tag.name,
        colour: tag.colour,
        contact_count: 0,
    }))
}

/// Renames or recolours a tag.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = TagRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Tag), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/tags/{id}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<TagRequest>,
) -> Result<web::Json<Tag>, ApiError> {
    let (name, colour) = tag_fields(&body)?;
    let tag = state
        .store
        .update_tag(auth.tenant(), *id, &name, &colour)
        .await
        .map_err(taken("tag_name_taken", "A tag with this name exists."))?;
    let count = state.store.tag_contact_count(auth.tenant(), tag.id).await?;
    Ok(web::Json(Tag {
        id: tag.id,
        name: tag.name,
        colour: tag.colour,
        contact_count: count,
    }))
}

/// Deletes a tag; contacts lose it.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/tags/{id}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.store.delete_tag(auth.tenant(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Custom attribute definitions.
#[utoipa::path(tag = "contacts", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<AttributeDefinition>), Unauthenticated, Forbidden,
))]
#[get("/attributes")]
pub async fn list_attributes(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Vec<AttributeDefinition>>, ApiError> {
    let list = state.store.list_attributes(auth.tenant()).await?;
    Ok(web::Json(
        list.into_iter()
            .map(|a| AttributeDefinition {
                id: a.id,
                key: a.key,
                name: a.name,
                kind: a.kind.key().to_owned(),
            })
            .collect(),
    ))
}

/// Defines a custom attribute; its key becomes `$key` in templates.
#[utoipa::path(tag = "contacts", request_body = AttributeRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = AttributeDefinition), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/attributes")]
pub async fn create_attribute(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<AttributeRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let key = check_attribute_key(&body.key)
        .map_err(|m| errors.add("key", m))
        .ok();
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 60 {
        errors.add("name", "Enter a name of at most 60 characters.");
    }
    let kind = AttributeKind::parse(&body.kind);
    if kind.is_none() {
        errors.add("kind", "Use text, number, date or boolean.");
    }
    let (Some(key), Some(kind), true) = (key, kind, errors.is_empty()) else {
        return Err(errors.into());
    };
    let a = state
        .store
        .create_attribute(auth.tenant(), &key, &name, kind)
        .await
        .map_err(taken(
            "attribute_key_taken",
            "An attribute with this key exists.",
        ))?;
    Ok(HttpResponse::Created().json(AttributeDefinition {
        id: a.id,
        key: a.key,
        name: a.name,
        kind: a.kind.key().to_owned(),
    }))
}

/// Deletes an attribute definition and every value stored under it.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/attributes/{id}")]
pub async fn delete_attribute(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.store.delete_attribute(auth.tenant(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn group_dto(g: GroupStats) -> ContactGroup {
    ContactGroup {
        id: g.id,
        name: g.name,
        description: g.description,
        member_count: g.member_count,
        opted_in_count: g.opted_in_count,
        last_added_at: g.last_added_at,
        created_at: g.created_at,
    }
}

fn group_fields(body: &GroupRequest) -> Result<(String, String), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::field(
            "name",
            "Enter a name of at most 80 characters.",
        ));
    }
    if body.description.chars().count() > 500 {
        return Err(ApiError::field(
            "description",
            "Use at most 500 characters.",
        ));
    }
    Ok((name.to_owned(), body.description.trim().to_owned()))
}

/// Contact groups with their statistics.
#[utoipa::path(tag = "contacts", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<ContactGroup>), Unauthenticated, Forbidden,
))]
#[get("/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Vec<ContactGroup>>, ApiError> {
    Ok(web::Json(
        state
            .store
            .list_groups(auth.tenant())
            .await?
            .into_iter()
            .map(group_dto)
            .collect(),
    ))
}

#[utoipa::path(tag = "contacts", request_body = GroupRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = ContactGroup), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<GroupRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, description) = group_fields(&body)?;
    let group = state
        .store
        .create_group(auth.tenant(), &name, &description)
        .await
        .map_err(taken("group_name_taken", "A group with this name exists."))?;
    Ok(HttpResponse::Created().json(group_dto(group)))
}

#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ContactGroup), Unauthenticated, Forbidden, NotFound,
))]
#[get("/groups/{id}")]
pub async fn get_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ContactGroup>, ApiError> {
    Ok(web::Json(group_dto(
        state.store.group(auth.tenant(), *id).await?,
    )))
}

#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = GroupRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ContactGroup), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/groups/{id}")]
pub async fn update_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<GroupRequest>,
) -> Result<web::Json<ContactGroup>, ApiError> {
    let (name, description) = group_fields(&body)?;
    let group = state
        .store
        .update_group(auth.tenant(), *id, &name, &description)
        .await
        .map_err(taken("group_name_taken", "A group with this name exists."))?;
    Ok(web::Json(group_dto(group)))
}

/// Deletes a group; its contacts stay.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/groups/{id}")]
pub async fn delete_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.store.delete_group(auth.tenant(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn members(
    state: &AppState,
    auth: &Authenticated,
    group: Uuid,
    body: &GroupMembersRequest,
    add: bool,
) -> Result<BulkResult, ApiError> {
    let mut ids = body.contact_ids.clone();
    if let Some(map) = &body.match_filter {
        let filter = ContactQuery::from_map(map)?.filter()?;
        ids.extend(state.store.contact_ids(auth.tenant(), &filter).await?);
    }
    if ids.is_empty() {
        return Err(ApiError::field(
            "contact_ids",
            "Choose contacts, or a filter that matches some.",
        ));
    }
    ids.sort_unstable();
    ids.dedup();
    let affected = state
        .store
        .change_group_members(auth.tenant(), group, &ids, add, Some(auth.user_id().0))
        .await?;
    Ok(BulkResult { affected })
}

/// Adds contacts to a group: by id, or every contact matching a filter.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = GroupMembersRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Added", body = BulkResult), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/groups/{id}/members")]
pub async fn add_members(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<GroupMembersRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    state.store.group(auth.tenant(), *id).await?;
    Ok(web::Json(members(&state, &auth, *id, &body, true).await?))
}

/// Removes contacts from a group.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = GroupMembersRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Removed", body = BulkResult), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/groups/{id}/members/remove")]
pub async fn remove_members(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<GroupMembersRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    state.store.group(auth.tenant(), *id).await?;
    Ok(web::Json(members(&state, &auth, *id, &body, false).await?))
}
