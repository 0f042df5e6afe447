//! Contacts of the current tenant: list with filters, create, edit, delete,
//! bulk tag/untag/delete, and the contact's timeline and groups.

use domain::permissions::{Action, Module};
use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use app::contacts::{self, ContactDraft, ContactEdit};
use chrono::{DateTime, NaiveDate, Utc};
use contract::contacts::{
    BulkContactsRequest, BulkResult, Contact as ContactDto, ContactEvent, CreateContactRequest,
    GroupRef, TagRef, UpdateContactRequest,
};
use contract::Page;
use domain::account::FieldErrors;
use domain::contact::{split_name, AttributeMatch, Contact, ContactFilter, OptIn};
use domain::TenantId;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The contact routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Contacts, Action::View), list_contacts)
        .add(perm(Module::Contacts, Action::Create), create_contact)
        .add(perm(Module::Contacts, Action::Delete), bulk_delete)
        .add(perm(Module::Contacts, Action::Edit), bulk_tag)
        .add(perm(Module::Contacts, Action::Edit), bulk_untag)
        .add(perm(Module::Contacts, Action::View), export_contacts)
        .add(perm(Module::Contacts, Action::View), get_contact)
        .add(perm(Module::Contacts, Action::Edit), update_contact)
        .add(perm(Module::Contacts, Action::Delete), delete_contact)
        .add(perm(Module::Contacts, Action::View), contact_timeline)
        .add(perm(Module::Contacts, Action::View), contact_groups);
}

pub fn contact_dto(c: &Contact) -> ContactDto {
    let (first_name, last_name) = split_name(&c.name);
    ContactDto {
        id: c.id,
        name: c.name.clone(),
        first_name,
        last_name,
        phone: c.phone.clone(),
        country_code: c.country_code.clone(),
        iso_code: c.iso_code.clone(),
        email: c.email.clone(),
        source: c.source.clone(),
        opt_in: c.opt_in.key().to_owned(),
        opt_in_at: c.opt_in_at,
        opt_in_source: c.opt_in_source.clone(),
        first_message_tag: c.first_message_tag.clone(),
        tags: c
            .tags
            .iter()
            .map(|t| TagRef {
                id: t.id,
                name: t.name.clone(),
                colour: t.colour.clone(),
            })
            .collect(),
        attributes: c.attributes.clone(),
        created_at: c.created_at,
        last_active_at: c.last_active_at,
    }
}

/// Filters shared by the list, exports and group membership.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Part of the name, phone or email.
    pub q: Option<String>,
    /// Comma-separated tag ids: contacts with at least one.
    pub tag_any: Option<String>,
    /// Comma-separated tag ids: contacts with all of them.
    pub tag_all: Option<String>,
    /// A group id.
    pub group: Option<Uuid>,
    /// An attribute key, with `attribute_value` (and `attribute_op`).
    pub attribute: Option<String>,
    /// `equals` (default) or `contains`.
    pub attribute_op: Option<String>,
    pub attribute_value: Option<String>,
    pub source: Option<String>,
    /// `unknown`, `opted_in` or `opted_out`.
    pub opt_in: Option<String>,
    /// RFC 3339 time or `YYYY-MM-DD` (from the start of that day, UTC).
    pub created_from: Option<String>,
    /// RFC 3339 time or `YYYY-MM-DD` (until the end of that day, UTC).
    pub created_to: Option<String>,
    pub active_from: Option<String>,
    pub active_to: Option<String>,
}

fn ids(field: &str, raw: Option<&str>, errors: &mut FieldErrors) -> Vec<Uuid> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| match s.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(field, "Use comma-separated tag ids.");
                None
            }
        })
        .collect()
}

fn time(
    field: &str,
    raw: Option<&str>,
    end_of_day: bool,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => {
            let day = if end_of_day {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            };
            day.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
        }
        Err(_) => {
            errors.add(field, "Use a date (YYYY-MM-DD) or an RFC 3339 time.");
            None
        }
    }
}

impl ContactQuery {
    pub fn filter(&self) -> Result<ContactFilter, ApiError> {
        let mut errors = FieldErrors::default();
        let attribute = match (&self.attribute, &self.attribute_value) {
            (Some(key), Some(value)) if !key.is_empty() => {
                let how = match self.attribute_op.as_deref() {
                    None | Some("") | Some("equals") => AttributeMatch::Equals,
                    Some("contains") => AttributeMatch::Contains,
                    Some(_) => {
                        errors.add("attribute_op", "Use equals or contains.");
                        AttributeMatch::Equals
                    }
                };
                Some((key.clone(), how, value.clone()))
            }
            (Some(key), None) if !key.is_empty() => {
                errors.add("attribute_value", "Give the value to look for.");
                None
            }
            _ => None,
        };
        let opt_in = match self.opt_in.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let parsed = OptIn::parse(s);
                if parsed.is_none() {
                    errors.add("opt_in", "Use unknown, opted_in or opted_out.");
                }
                parsed
            }
        };
        let filter = ContactFilter {
            q: self.q.clone(),
            tags_any: ids("tag_any", self.tag_any.as_deref(), &mut errors),
            tags_all: ids("tag_all", self.tag_all.as_deref(), &mut errors),
            group: self.group,
            attribute,
            source: self.source.clone().filter(|s| !s.is_empty()),
            opt_in,
            created_from: time(
                "created_from",
                self.created_from.as_deref(),
                false,
                &mut errors,
            ),
            created_to: time("created_to", self.created_to.as_deref(), true, &mut errors),
            active_from: time(
                "active_from",
                self.active_from.as_deref(),
                false,
                &mut errors,
            ),
            active_to: time("active_to", self.active_to.as_deref(), true, &mut errors),
        };
        Ok(errors.into_result(filter)?)
    }

    /// The same filters given as a map (group membership by filter).
    pub fn from_map(map: &BTreeMap<String, String>) -> Result<Self, ApiError> {
        let value = serde_json::to_value(map).map_err(|e| ApiError::Internal(e.to_string()))?;
        serde_json::from_value(value).map_err(|e| ApiError::field("match_filter", &e.to_string()))
    }
}

/// Contacts matching the filters, newest first. `total` comes with the
/// first page (no cursor); later pages leave it out.
#[utoipa::path(tag = "contacts", params(ContactQuery, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<ContactDto>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ContactQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ContactDto>>, ApiError> {
    let page = page.request()?;
    let filter = query.filter()?;
    let (contacts, total) = state
        .store
        .list_contacts(auth.tenant(), &filter, page)
        .await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&contacts, page.limit, |c| c.id),
        items: contacts.iter().map(contact_dto).collect(),
        total,
    }))
}

/// Adds a contact. A phone without a country code takes the tenant's default country.
#[utoipa::path(tag = "contacts", request_body = CreateContactRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = ContactDto), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let draft = ContactDraft {
        name: body.name,
        phone: body.phone,
        email: body.email,
        source: body.source,
        opt_in: body.opt_in,
        tags: body.tags,
        attributes: body.attributes,
    };
    let contact = contacts::create(&state, auth.tenant(), Some(auth.user_id().0), draft).await?;
    Ok(HttpResponse::Created().json(contact_dto(&contact)))
}

/// One contact.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ContactDto), Unauthenticated, Forbidden, NotFound,
))]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ContactDto>, ApiError> {
    Ok(web::Json(contact_dto(
        &state.store.contact(auth.tenant(), *id).await?,
    )))
}

/// Edits a contact's fields, tags and attributes.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = UpdateContactRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ContactDto), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<UpdateContactRequest>,
) -> Result<web::Json<ContactDto>, ApiError> {
    let body = body.into_inner();
    let edit = ContactEdit {
        name: body.name,
        phone: body.phone,
        email: body.email,
        source: body.source,
        opt_in: body.opt_in,
        tags: body.tags,
        attributes: body.attributes,
    };
    let actor = Some(auth.user_id().0);
    let contact = contacts::update(&state, auth.tenant(), *id, actor, edit).await?;
    Ok(web::Json(contact_dto(&contact)))
}

/// Deletes a contact.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    if state.store.delete_contacts(auth.tenant(), &[*id]).await? == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}

fn bulk_limit(ids: &[Uuid]) -> Result<(), ApiError> {
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(ApiError::field(
            "contact_ids",
            "Give between 1 and 10,000 contact ids.",
        ));
    }
    Ok(())
}

/// Deletes many contacts.
#[utoipa::path(tag = "contacts", request_body = BulkContactsRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Deleted", body = BulkResult), Unauthenticated, Forbidden, Invalid,
))]
#[post("/contacts/bulk/delete")]
pub async fn bulk_delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<BulkContactsRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    bulk_limit(&body.contact_ids)?;
    let affected = state
        .store
        .delete_contacts(auth.tenant(), &body.contact_ids)
        .await?;
    Ok(web::Json(BulkResult { affected }))
}

async fn bulk_tags(
    state: &AppState,
    auth: &Authenticated,
    body: &BulkContactsRequest,
    add: bool,
) -> Result<BulkResult, ApiError> {
    bulk_limit(&body.contact_ids)?;
    if body.tags.is_empty() {
        return Err(ApiError::field("tags", "Choose at least one tag."));
    }
    let affected = state
        .store
        .tag_contacts(
            auth.tenant(),
            &body.contact_ids,
            &body.tags,
            add,
            Some(auth.user_id().0),
        )
        .await?;
    Ok(BulkResult { affected })
}

/// Adds tags to many contacts.
#[utoipa::path(tag = "contacts", request_body = BulkContactsRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Tagged", body = BulkResult), Unauthenticated, Forbidden, Invalid,
))]
#[post("/contacts/bulk/tag")]
pub async fn bulk_tag(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<BulkContactsRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    Ok(web::Json(bulk_tags(&state, &auth, &body, true).await?))
}

/// Removes tags from many contacts.
#[utoipa::path(tag = "contacts", request_body = BulkContactsRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Untagged", body = BulkResult), Unauthenticated, Forbidden, Invalid,
))]
#[post("/contacts/bulk/untag")]
pub async fn bulk_untag(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<BulkContactsRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    Ok(web::Json(bulk_tags(&state, &auth, &body, false).await?))
}

/// What happened to a contact, newest first.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<ContactEvent>), Unauthenticated, Forbidden, NotFound,
))]
#[get("/contacts/{id}/timeline")]
pub async fn contact_timeline(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ContactEvent>>, ApiError> {
    let events = state.store.contact_events(auth.tenant(), *id).await?;
    Ok(web::Json(
        events
            .into_iter()
            .map(|e| ContactEvent {
                kind: e.kind,
                detail: e.detail,
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                at: e.at,
            })
            .collect(),
    ))
}

/// The groups a contact belongs to.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<GroupRef>), Unauthenticated, Forbidden, NotFound,
))]
#[get("/contacts/{id}/groups")]
pub async fn contact_groups(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<GroupRef>>, ApiError> {
    state.store.contact(auth.tenant(), *id).await?;
    let groups = state.store.groups_of(auth.tenant(), *id).await?;
    Ok(web::Json(
        groups
            .into_iter()
            .map(|(id, name)| GroupRef { id, name })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportColumns {
    /// Comma-separated columns: name, first_name, last_name, phone, email,
    /// country_code, tags, source, opt_in, created_at, last_active_at, and
    /// `attr:<key>` for custom attributes. Default: the main fields and every attribute.
    pub columns: Option<String>,
}

/// The contacts matching the filters as CSV (tags joined with `|`). Cells a
/// spreadsheet would run as formulas are prefixed with `'`.
#[utoipa::path(tag = "contacts", params(ContactQuery, ExportColumns), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "CSV file", content_type = "text/csv", body = String), Unauthenticated, Forbidden, Invalid,
))]
#[get("/contacts/export")]
pub async fn export_contacts(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ContactQuery>,
    columns: web::Query<ExportColumns>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let attributes = contacts::attribute_kinds(&state, auth.tenant()).await?;
    let columns = domain::contact::export_columns(
        columns.columns.as_deref(),
        attributes.keys().map(String::as_str),
    )
    .map_err(|unknown| ApiError::field("columns", &format!("Unknown columns: {unknown:?}")))?;
    let body = export_stream(state, auth.tenant(), filter, columns)?;
    let name = format!("contacts-{}.csv", Utc::now().format("%Y%m%d-%H%M"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body))
}

/// The export's CSV, streamed a page at a time: a large audience is never
/// held in memory. A failure part-way ends the download short (the header
/// has gone) and is logged.
fn export_stream(
    state: web::Data<AppState>,
    tenant: TenantId,
    filter: ContactFilter,
    columns: Vec<String>,
) -> Result<impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>>, ApiError> {
    let header = csv_rows(std::iter::once(columns.clone()))?;
    let pages = futures_util::stream::try_unfold(
        ExportCursor {
            state,
            tenant,
            filter,
            columns,
            after: None,
            done: false,
        },
        next_export_page,
    );
    Ok(
        futures_util::stream::once(async move { Ok::<_, ApiError>(header) })
            .chain(pages)
            .map(|chunk| {
                chunk.map_err(|e| {
                    tracing::error!(error = %e, "the contacts export stopped part-way");
                    actix_web::error::ErrorInternalServerError("export failed")
                })
            }),
    )
}

/// Where a streamed export has got to.
struct ExportCursor {
    state: web::Data<AppState>,
    tenant: TenantId,
    filter: domain::contact::ContactFilter,
    columns: Vec<String>,
    after: Option<Uuid>,
    done: bool,
}

const EXPORT_PAGE: u64 = 1000;

/// The next page of an export as CSV lines, or the end.
async fn next_export_page(
    mut cursor: ExportCursor,
) -> Result<Option<(web::Bytes, ExportCursor)>, ApiError> {
    if cursor.done {
        return Ok(None);
    }
    let page = store::PageRequest {
        after: cursor.after,
        limit: EXPORT_PAGE,
    };
    let (contacts, _) = cursor
        .state
        .store
        .list_contacts(cursor.tenant, &cursor.filter, page)
        .await?;
    let chunk = csv_rows(contacts.iter().map(|c| {
        cursor
            .columns
            .iter()
            .map(|col| domain::contact::export_cell(c, col))
            .collect::<Vec<_>>()
    }))?;
    match contacts.last() {
        Some(last) if contacts.len() as u64 == EXPORT_PAGE => cursor.after = Some(last.id),
        _ => cursor.done = true,
    }
    Ok(Some((chunk, cursor)))
}

/// Rows as CSV bytes.
fn csv_rows<R, C>(rows: impl Iterator<Item = R>) -> Result<web::Bytes, ApiError>
where
    R: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row)
            .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    }
    writer
        .into_inner()
        .map(web::Bytes::from)
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}
