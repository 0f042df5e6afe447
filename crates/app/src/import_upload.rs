//! Contact imports before the worker takes them: the upload (the whole
//! file read and checked with the configured limits, its header and first
//! rows answered, the file kept for the worker) and the start, with its
//! column mapping and options. The worker's side is `imports`.

use bytes::Bytes;
use domain::contact_import::{ImportOptions, Mapping, Target};
use domain::spreadsheet::{visit_sheet, SheetError};
use domain::tenant::is_country;
use domain::TenantId;
use futures_util::{Stream, StreamExt};
use store::{ImportRecord, StoreError};
use uuid::Uuid;

use crate::error::AppError;
use crate::App;

/// An uploaded file as checked: the import waiting for its mapping, the
/// header and the first rows.
#[derive(Debug, Clone)]
pub struct UploadedImport {
    pub import: ImportRecord,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
}

/// How many rows of the file are answered at upload.
const SAMPLE_ROWS: usize = 10;

fn sheet_error(e: SheetError) -> AppError {
    match e {
        SheetError::TooManyRows(_) | SheetError::TooLarge(_) => AppError::TooLarge {
            detail: e.to_string(),
        },
        other => AppError::unprocessable("bad_file", other.to_string()),
    }
}

/// Reads `body` (at most the configured size), checks the whole file (and
/// counts its rows) with the configured sheet limits on a blocking thread,
/// keeps it under the data directory and records the import.
pub async fn upload<S, E>(
    app: &App,
    tenant: TenantId,
    uploaded_by: Uuid,
    file_name: &str,
    mut body: S,
) -> Result<UploadedImport, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let limits = app.settings.imports;
    let file_name: String = file_name.trim().chars().take(200).collect();
    if file_name.is_empty() {
        return Err(AppError::field("file_name", "Give the file's name."));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest {
            code: "bad_body",
            detail: e.to_string(),
        })?;
        if bytes.len() + chunk.len() > limits.max_bytes {
            return Err(AppError::BodyTooLarge {
                limit: limits.max_bytes,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    let sheet_limits = limits.sheet();
    // The whole file is checked (and its rows counted) now, but only the
    // sample is kept in memory. Parsing is CPU work: off the async threads.
    let name = file_name.clone();
    let _parsing = app
        .sheet_parses
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("parse slots closed: {e}")))?;
    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let mut total_rows = 0usize;
        let mut sample = Vec::new();
        let headers = visit_sheet(&bytes, &name, &sheet_limits, &mut |cells| {
            total_rows += 1;
            if sample.len() < SAMPLE_ROWS {
                sample.push(cells);
            }
        });
        (bytes, headers.map(|h| (h, sample, total_rows)))
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading the file failed: {e}")))?;
    let (headers, sample, total_rows) = checked.map_err(sheet_error)?;
    let id = Uuid::now_v7();
    let dir = app
        .settings
        .data_dir
        .join("imports")
        .join(tenant.0.to_string());
    let path = dir.join(id.to_string());
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| AppError::Internal(format!("saving {}: {e}", path.display())))?;
    let import = app
        .store
        .create_import(
            tenant,
            id,
            uploaded_by,
            &file_name,
            &path.to_string_lossy(),
            total_rows,
        )
        .await?;
    Ok(UploadedImport {
        import,
        headers,
        sample,
    })
}

/// What the person chose for an uploaded import.
#[derive(Debug, Clone)]
pub struct StartImport {
    /// One contact field (or `ignore`) per column.
    pub mapping: Vec<String>,
    /// For numbers without a country code; the tenant's when absent.
    pub default_country: Option<String>,
    pub update_existing: bool,
    pub tags: Vec<Uuid>,
    pub group: Option<Uuid>,
}

/// Checks the mapping and options against the tenant and queues the
/// import for the worker.
pub async fn start(
    app: &App,
    tenant: TenantId,
    id: Uuid,
    request: StartImport,
) -> Result<ImportRecord, AppError> {
    app.store.import(tenant, id).await?;
    let mut columns = Vec::with_capacity(request.mapping.len());
    for target in &request.mapping {
        columns.push(Target::parse(target).ok_or_else(|| {
            AppError::field("mapping", &format!("`{target}` is not a contact field; use name, phone, email, tags, source, first_message_tag, opt_in, attr:<key> or ignore."))
        })?);
    }
    let mapping = Mapping { columns };
    let attributes = app
        .store
        .list_attributes(tenant)
        .await?
        .into_iter()
        .map(|a| (a.key, a.kind))
        .collect();
    mapping
        .check(&attributes)
        .map_err(|m| AppError::field("mapping", &m))?;
    let importing = app.store.tenant(tenant).await?;
    let default_country = request
        .default_country
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .unwrap_or(importing.settings.default_country);
    if !is_country(&default_country) {
        return Err(AppError::field(
            "default_country",
            "Use a two-letter country code such as US or IN.",
        ));
    }
    let known_tags = app.store.tag_ids_by_name(tenant).await?;
    if request
        .tags
        .iter()
        .any(|t| !known_tags.values().any(|k| k == t))
    {
        return Err(AppError::field("tags", "Choose tags of this tenant."));
    }
    if let Some(group) = request.group {
        app.store
            .group(tenant, group)
            .await
            .map_err(AppError::missing_as_field(
                "group",
                "Choose a group of this tenant.",
            ))?;
    }
    let options = ImportOptions {
        default_country,
        update_existing: request.update_existing,
        tags: request.tags,
        group: request.group,
    };
    app.store
        .queue_import(tenant, id, &mapping, &options)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::conflict(
                "import_not_waiting",
                "This import has already been started.",
            ),
            other => other.into(),
        })
}
