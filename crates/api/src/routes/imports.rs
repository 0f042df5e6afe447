//! Contact imports: upload a CSV or Excel file, see its header and first rows,
//! choose the mapping and options, follow the progress, download the failed
//! rows with their reasons. A worker applies each import in one transaction.

use actix_web::{get, post, web, HttpResponse};
use contract::contacts::{ContactImport, ImportPreview, StartImportRequest};
use contract::Page;
use serde::Deserialize;
use store::ImportRecord;
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;
use app::import_upload::{self, StartImport};
use domain::permissions::{Action, Module};

/// The contact import routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Contacts, Action::Create), upload_import)
        .add(perm(Module::Contacts, Action::View), list_imports)
        .add(perm(Module::Contacts, Action::View), get_import)
        .add(perm(Module::Contacts, Action::Create), start_import)
        .add(perm(Module::Contacts, Action::Create), cancel_import)
        .add(perm(Module::Contacts, Action::View), import_failures);
}

pub fn import_dto(i: &ImportRecord) -> ContactImport {
    ContactImport {
        id: i.id,
        file_name: i.file_name.clone(),
        state: i.state.as_str().to_owned(),
        total_rows: i.total_rows,
        processed_rows: i.processed_rows,
        added: i.added,
        updated: i.updated,
        failed: i.failed,
        error: i.error.clone(),
        created_by: i.created_by,
        created_at: i.created_at,
        finished_at: i.finished_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Upload {
    /// The file's name; `.xlsx` files are read as Excel, anything else as CSV.
    pub file_name: String,
}

/// Uploads a contacts file (the raw bytes as the body). Answers its header
/// and first rows; nothing is imported until it is started with a mapping.
#[utoipa::path(tag = "contacts", params(Upload), request_body(content = String, content_type = "text/csv",
    description = "The CSV (any delimiter, UTF-8 with or without BOM) or .xlsx bytes"),
    security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Uploaded", body = ImportPreview),
    (status = 413, description = "Larger than the size or row limit, or an .xlsx that declares or unpacks to more than is read", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, Invalid,
))]
#[post("/contacts/imports")]
pub async fn upload_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<Upload>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let uploaded = import_upload::upload(
        &state,
        auth.tenant(),
        auth.user_id().0,
        &query.file_name,
        payload,
    )
    .await?;
    Ok(HttpResponse::Created().json(ImportPreview {
        import: import_dto(&uploaded.import),
        headers: uploaded.headers,
        sample: uploaded.sample,
    }))
}

/// Starts an uploaded import with its column mapping and options.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), request_body = StartImportRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Queued", body = ContactImport), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[post("/contacts/imports/{id}/start")]
pub async fn start_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<StartImportRequest>,
) -> Result<web::Json<ContactImport>, ApiError> {
    let body = body.into_inner();
    let request = StartImport {
        mapping: body.mapping,
        default_country: body.default_country,
        update_existing: body.update_existing,
        tags: body.tags,
        group: body.group,
    };
    let record = import_upload::start(&state, auth.tenant(), *id, request).await?;
    Ok(web::Json(import_dto(&record)))
}

/// Import history, newest first.
#[utoipa::path(tag = "contacts", params(PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<ContactImport>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/contacts/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    auth: Authenticated,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ContactImport>>, ApiError> {
    let page = page.request()?;
    let imports = state.store.list_imports(auth.tenant(), page).await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&imports, page.limit, |i| i.id),
        items: imports.iter().map(import_dto).collect(),
        total: None,
    }))
}

/// One import, with its progress.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ContactImport), Unauthenticated, Forbidden, NotFound,
))]
#[get("/contacts/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ContactImport>, ApiError> {
    Ok(web::Json(import_dto(
        &state.store.import(auth.tenant(), *id).await?,
    )))
}

/// Cancels an import not yet applied: no contact is changed.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Cancelled", body = ContactImport), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/contacts/imports/{id}/cancel")]
pub async fn cancel_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ContactImport>, ApiError> {
    let record = state
        .store
        .cancel_import(auth.tenant(), *id)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => {
                ApiError::conflict("import_finished", "This import has already finished.")
            }
            other => other.into(),
        })?;
    Ok(web::Json(import_dto(&record)))
}

/// The rows that failed, as CSV: line, reason, then the row's cells.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "CSV file", content_type = "text/csv", body = String), Unauthenticated, Forbidden, NotFound,
))]
#[get("/contacts/imports/{id}/failures")]
pub async fn import_failures(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let failures = state.store.import_failures(auth.tenant(), *id).await?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let err = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    writer
        .write_record(["line", "reason", "row"])
        .map_err(err)?;
    for (line, reason, cells) in failures {
        let mut record = vec![line.to_string(), domain::contact::spreadsheet_safe(&reason)];
        record.extend(cells.iter().map(|c| domain::contact::spreadsheet_safe(c)));
        writer.write_record(&record).map_err(err)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"import-{id}-failures.csv\""),
        ))
        .body(bytes))
}
