//! Contact imports: the uploaded file's record, its queue state, and the one
//! transaction that applies it. Applying is all or nothing: a crash or a
//! cancel before the commit leaves no contact changed, and the import runs
//! again from the start (or stays cancelled).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use domain::contact::OptIn;
use domain::contact_import::{ImportOptions, ImportState, ImportedRow, Mapping};
use domain::TenantId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

use crate::entities::{contact, contact_import, contact_import_failure};
mod writes;

use crate::sql::{to_json, PgArray};
use crate::{PageRequest, Store, StoreError};
use writes::{
    write_chunk, write_failures, ChunkWrites, ContactUpdate, FailureRow, ImportContext,
    NewContactRow,
};

/// An import as its history shows it.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub created_by: Uuid,
    pub file_name: String,
    pub file_path: String,
    /// `uploaded`, `queued`, `running`, `completed`, `failed`, `cancelled`.
    pub state: ImportState,
    pub mapping: Option<Mapping>,
    pub options: Option<ImportOptions>,
    pub total_rows: u64,
    pub processed_rows: u64,
    pub added: u64,
    pub updated: u64,
    pub failed: u64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The outcome of one data row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum RowOutcome {
    Valid {
        line: u64,
        row: ImportedRow,
    },
    Invalid {
        line: u64,
        reason: String,
        cells: Vec<String>,
    },
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn record_from(m: contact_import::Model) -> ImportRecord {
    ImportRecord {
        id: m.id,
        tenant_id: TenantId(m.tenant_id),
        created_by: m.created_by,
        file_name: m.file_name,
        file_path: m.file_path,
        // Only this module writes the column; anything else reads as an
        // import that ended badly rather than one still to be worked on.
        state: ImportState::parse(&m.state).unwrap_or(ImportState::Failed),
        mapping: m
            .mapping
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok()),
        options: m
            .options
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok()),
        total_rows: count(m.total_rows),
        processed_rows: count(m.processed_rows),
        added: count(m.added),
        updated: count(m.updated),
        failed: count(m.failed),
        error: m.error,
        created_at: m.created_at,
        finished_at: m.finished_at,
    }
}

/// Rows applied together: one lookup of their phones, then one round of
/// writes. PostgreSQL writes a chunk with one statement per table, so its
/// chunks are larger; SQLite's phone lookup binds one parameter per row.
const APPLY_CHUNK_SQLITE: usize = 500;
const APPLY_CHUNK_POSTGRES: usize = 5_000;

/// The live contacts of a tenant with these phones, as (phone, id).
///
/// On PostgreSQL the phones go as one array, and each is looked up on its
/// own through a `LATERAL ... LIMIT 1` subquery, which the planner cannot
/// flatten: whatever the table's statistics say (they describe the table
/// before the import's transaction started filling it), every phone is one
/// probe of the phone index. Plain forms went wrong as the table grew
/// inside the transaction: an `IN ($1, $2 ...)` list or `= ANY` was
/// checked against every contact, and a join to `unnest` became a nested
/// loop reading the phones once per contact; seconds per chunk either way.
async fn live_contacts_by_phone(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    phones: &[&str],
) -> Result<HashMap<String, Uuid>, StoreError> {
    if phones.is_empty() {
        return Ok(HashMap::new());
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        let mut array = PgArray::with_rows(phones.len());
        for phone in phones {
            array.push(Some(phone));
        }
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT p.phone, c.id FROM unnest($2::text[]) AS p(phone) \
                 CROSS JOIN LATERAL (SELECT c.id FROM contacts c WHERE c.tenant_id = $1 \
                 AND c.deleted_at IS NULL AND c.phone = p.phone LIMIT 1) AS c",
                [tenant.0.into(), array.into()],
            ))
            .await?;
        return rows
            .iter()
            .map(|row| Ok((row.try_get("", "phone")?, row.try_get("", "id")?)))
            .collect();
    }
    Ok(contact::Entity::find()
        .select_only()
        .column(contact::Column::Phone)
        .column(contact::Column::Id)
        .filter(contact::Column::TenantId.eq(tenant.0))
        .filter(contact::Column::DeletedAt.is_null())
        .filter(contact::Column::Phone.is_in(phones.iter().copied()))
        .into_tuple::<(String, Uuid)>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

fn rows(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    pub async fn create_import(
        &self,
        tenant: TenantId,
        id: Uuid,
        created_by: Uuid,
        file_name: &str,
        file_path: &str,
        total_rows: usize,
    ) -> Result<ImportRecord, StoreError> {
        let model = contact_import::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            created_by: Set(created_by),
            file_name: Set(file_name.to_owned()),
            file_path: Set(file_path.to_owned()),
            state: Set(ImportState::Uploaded.as_str().to_owned()),
            mapping: Set(None),
            options: Set(None),
            total_rows: Set(rows(total_rows)),
            processed_rows: Set(0),
            added: Set(0),
            updated: Set(0),
            failed: Set(0),
            error: Set(None),
            created_at: Set(Utc::now()),
            started_at: Set(None),
            finished_at: Set(None),
            lease_until: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(record_from(model))
    }

    pub async fn import(&self, tenant: TenantId, id: Uuid) -> Result<ImportRecord, StoreError> {
        contact_import::Entity::find_by_id(id)
            .filter(contact_import::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .map(record_from)
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_imports(
        &self,
        tenant: TenantId,
        page: PageRequest,
    ) -> Result<Vec<ImportRecord>, StoreError> {
        let mut query =
            contact_import::Entity::find().filter(contact_import::Column::TenantId.eq(tenant.0));
        if let Some(after) = page.after {
            query = query.filter(contact_import::Column::Id.lt(after));
        }
        Ok(query
            .order_by_desc(contact_import::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(record_from)
            .collect())
    }

    /// Queues an uploaded import with its mapping and options.
    pub async fn queue_import(
        &self,
        tenant: TenantId,
        id: Uuid,
        mapping: &Mapping,
        options: &ImportOptions,
    ) -> Result<ImportRecord, StoreError> {
        let res = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::State,
                Expr::value(ImportState::Queued.as_str()),
            )
            .col_expr(
                contact_import::Column::Mapping,
                Expr::value(Some(to_json(mapping)?)),
            )
            .col_expr(
                contact_import::Column::Options,
                Expr::value(Some(to_json(options)?)),
            )
            .filter(contact_import::Column::TenantId.eq(tenant.0))
            .filter(contact_import::Column::Id.eq(id))
            .filter(contact_import::Column::State.eq(ImportState::Uploaded.as_str()))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            self.import(tenant, id).await?;
            return Err(StoreError::Conflict("import_not_waiting"));
        }
        self.imports_queued.notify_one();
        self.import(tenant, id).await
    }

    /// Resolves when an import has been queued through this store (or
    /// one was queued since the last call).
    pub async fn import_queued(&self) {
        self.imports_queued.notified().await;
    }

    /// Cancels an import that has not been applied; answers it.
    pub async fn cancel_import(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<ImportRecord, StoreError> {
        if !self
            .cancel_import_in(tenant, id, &ImportState::CANCELLABLE)
            .await?
        {
            self.import(tenant, id).await?;
            return Err(StoreError::Conflict("import_finished"));
        }
        self.import(tenant, id).await
    }

    /// Cancels an import that is still waiting to be started; answers
    /// whether it was (false once someone started or cancelled it).
    pub async fn cancel_unstarted_import(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<bool, StoreError> {
        self.cancel_import_in(tenant, id, &[ImportState::Uploaded])
            .await
    }

    /// Cancels the import if it is in one of `states`; answers whether it was.
    async fn cancel_import_in(
        &self,
        tenant: TenantId,
        id: Uuid,
        states: &[ImportState],
    ) -> Result<bool, StoreError> {
        let res = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::State,
                Expr::value(ImportState::Cancelled.as_str()),
            )
            .col_expr(
                contact_import::Column::FinishedAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(contact_import::Column::TenantId.eq(tenant.0))
            .filter(contact_import::Column::Id.eq(id))
            .filter(contact_import::Column::State.is_in(states.iter().map(|s| s.as_str())))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Takes the next queued import (or one whose worker died) for `lease`.
    pub async fn claim_import(&self, lease: Duration) -> Result<Option<ImportRecord>, StoreError> {
        let now = Utc::now();
        let due = Condition::any()
            .add(contact_import::Column::State.eq(ImportState::Queued.as_str()))
            .add(
                Condition::all()
                    .add(contact_import::Column::State.eq(ImportState::Running.as_str()))
                    .add(contact_import::Column::LeaseUntil.lt(now)),
            );
        let Some(candidate) = contact_import::Entity::find()
            .filter(due.clone())
            .order_by_asc(contact_import::Column::Id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let res = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::State,
                Expr::value(ImportState::Running.as_str()),
            )
            .col_expr(
                contact_import::Column::LeaseUntil,
                Expr::value(Some(now + lease)),
            )
            .col_expr(contact_import::Column::StartedAt, Expr::value(Some(now)))
            .filter(contact_import::Column::Id.eq(candidate.id))
            .filter(due)
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        Ok(Some(record_from(candidate)))
    }

    /// Records how many rows have been read and extends the worker's
    /// lease; answers false when the import is no longer running (someone
    /// cancelled it), so the worker can stop.
    pub async fn import_progress(
        &self,
        import: &ImportRecord,
        processed: u64,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let res = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::ProcessedRows,
                Expr::value(i64::try_from(processed).unwrap_or(i64::MAX)),
            )
            .col_expr(
                contact_import::Column::LeaseUntil,
                Expr::value(Some(Utc::now() + lease)),
            )
            .filter(contact_import::Column::TenantId.eq(import.tenant_id.0))
            .filter(contact_import::Column::Id.eq(import.id))
            .filter(contact_import::Column::State.eq(ImportState::Running.as_str()))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected > 0)
    }

    pub async fn fail_import(&self, import: &ImportRecord, error: &str) -> Result<(), StoreError> {
        contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::State,
                Expr::value(ImportState::Failed.as_str()),
            )
            .col_expr(
                contact_import::Column::Error,
                Expr::value(Some(error.to_owned())),
            )
            .col_expr(
                contact_import::Column::FinishedAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(contact_import::Column::TenantId.eq(import.tenant_id.0))
            .filter(contact_import::Column::Id.eq(import.id))
            .filter(contact_import::Column::State.eq(ImportState::Running.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Whether an import's rows are written while its file is still being
    /// read. On PostgreSQL they are: the import's one transaction takes
    /// each chunk as soon as it is checked, and other writers go on
    /// meanwhile. SQLite has one writer at a time, so there the checked
    /// rows wait (in a spool file the worker keeps) and are written in one
    /// short transaction at the end.
    pub fn writes_while_reading(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// Opens the one transaction that applies an import. Feed it every
    /// row's outcome with [`ImportApply::apply`], then call
    /// [`ImportApply::finish`]; dropping it before then changes nothing.
    pub async fn begin_import_apply(
        &self,
        import: &ImportRecord,
    ) -> Result<ImportApply, StoreError> {
        let options = import
            .options
            .clone()
            .ok_or_else(|| StoreError::Corrupt("import without options".into()))?;
        let postgres = self.backend() == DbBackend::Postgres;
        let txn = self.write_txn().await?;
        if postgres {
            // The first chunk's lookups read the contacts of before; plan
            // them from statistics that describe those contacts.
            analyze_contacts(&txn).await?;
        }
        Ok(ImportApply {
            db: self.db.clone(),
            txn,
            ctx: ImportContext {
                tenant: import.tenant_id,
                import_id: import.id,
                now: Utc::now(),
                group: options.group,
                event_detail: format!("Imported from {}", import.file_name),
                actor: import.created_by,
            },
            update_existing: options.update_existing,
            postgres,
            rows: 0,
            added: 0,
            updated: 0,
            failed: 0,
            counted: false,
            started: std::time::Instant::now(),
        })
    }

    /// Failed rows of an import, in file order: (line, reason, cells).
    pub async fn import_failures(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Vec<(u64, String, Vec<String>)>, StoreError> {
        self.import(tenant, id).await?;
        Ok(contact_import_failure::Entity::find()
            .filter(contact_import_failure::Column::TenantId.eq(tenant.0))
            .filter(contact_import_failure::Column::ImportId.eq(id))
            .order_by_asc(contact_import_failure::Column::Line)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| {
                (
                    count(f.line),
                    f.reason,
                    serde_json::from_str(&f.cells).unwrap_or_default(),
                )
            })
            .collect())
    }

    /// Lower-cased tag names of a tenant -> id, for matching imported tags.
    pub async fn tag_ids_by_name(
        &self,
        tenant: TenantId,
    ) -> Result<HashMap<String, Uuid>, StoreError> {
        Ok(self
            .list_tags(tenant)
            .await?
            .into_iter()
            .map(|t| (t.tag.name.to_lowercase(), t.tag.id))
            .collect())
    }
}

/// PostgreSQL plans each phone lookup from the statistics of `contacts`.
/// Before an import they may say the table is empty (or say nothing), and
/// then the lookup can pick the list's index and compare every contact of
/// the tenant with each phone: seconds per chunk, growing with the
/// table. ANALYZE inside the import's transaction counts what the
/// transaction sees, the import's own rows included, after which the phone
/// index is the only sane plan. It runs before the first chunk and once
/// after it, and its statistics roll back with the transaction. (It holds
/// ShareUpdateExclusiveLock on `contacts` until the commit, so another
/// instance's import waits at the same point for this one to finish.)
async fn analyze_contacts(txn: &DatabaseTransaction) -> Result<(), StoreError> {
    txn.execute_unprepared("ANALYZE contacts").await?;
    Ok(())
}

/// An import being applied: one open transaction and the counts so far.
/// Existing contacts are looked up a chunk of phones at a time and every
/// new row goes in through bulk INSERTs (one per table and chunk on
/// PostgreSQL, multi-row ones of 100 rows on SQLite), so 100,000 rows take
/// a few hundred statements rather than half a million.
pub struct ImportApply {
    db: sea_orm::DatabaseConnection,
    txn: DatabaseTransaction,
    ctx: ImportContext,
    update_existing: bool,
    postgres: bool,
    rows: u64,
    added: i64,
    updated: i64,
    failed: i64,
    /// PostgreSQL: whether the statistics of `contacts` describe the
    /// import's own rows yet (see [`analyze_contacts`]).
    counted: bool,
    started: std::time::Instant,
}

impl ImportApply {
    /// Writes these rows: valid ones upserted by phone, failed ones kept
    /// for the failure report. The worker has already refused a phone the
    /// file names twice.
    pub async fn apply(&mut self, outcomes: Vec<RowOutcome>) -> Result<(), StoreError> {
        self.rows += outcomes.len() as u64;
        let mut failures = Vec::new();
        let mut valid = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            match outcome {
                RowOutcome::Invalid {
                    line,
                    reason,
                    cells,
                } => failures.push(FailureRow {
                    line: i64::try_from(line).unwrap_or(i64::MAX),
                    reason,
                    cells: serde_json::to_string(&cells).unwrap_or_default(),
                }),
                RowOutcome::Valid { row, .. } => valid.push(row),
            }
        }
        self.failed += rows(failures.len());
        write_failures(&self.txn, &self.ctx, failures).await?;
        let chunk_rows = if self.postgres {
            APPLY_CHUNK_POSTGRES
        } else {
            APPLY_CHUNK_SQLITE
        };
        for chunk in valid.chunks(chunk_rows) {
            self.apply_valid(chunk).await?;
        }
        Ok(())
    }

    async fn apply_valid(&mut self, chunk: &[ImportedRow]) -> Result<(), StoreError> {
        let phones: Vec<&str> = chunk.iter().map(|r| r.phone.e164.as_str()).collect();
        let known = live_contacts_by_phone(&self.txn, self.ctx.tenant, &phones).await?;
        // New contacts of this chunk by phone (id, place in the chunk's
        // writes), for a chunk naming one twice.
        let mut created: HashMap<&str, (Uuid, usize)> = HashMap::new();
        let mut writes = ChunkWrites::default();
        let mut links = HashSet::new();
        let mut members = HashSet::new();
        let now = self.ctx.now;
        for row in chunk {
            let phone = &row.phone.e164;
            let id = if let Some(&id) = known.get(phone.as_str()) {
                // Existing contacts are left as they are unless asked.
                if !self.update_existing {
                    continue;
                }
                writes.updates.push(ContactUpdate {
                    id,
                    name: row.name.clone(),
                    email: row.email.clone(),
                    source: row.source.clone(),
                    first_message_tag: row.first_message_tag.clone(),
                    opt_in: row.opt_in.map(OptIn::key),
                    attributes: row.attributes.iter().cloned().collect(),
                });
                // An updated contact's journey records this import; a new
                // one's shows it through the contact's `import_id`.
                writes.events.push(id);
                self.updated += 1;
                id
            } else if let Some(&(id, at)) = created.get(phone.as_str()) {
                // The same phone twice in one chunk: the second row is an
                // update of the contact the first created.
                if !self.update_existing {
                    continue;
                }
                if let Some(contact) = writes.contacts.get_mut(at) {
                    contact.attributes.extend(row.attributes.iter().cloned());
                }
                self.updated += 1;
                id
            } else {
                let id = Uuid::now_v7();
                let opt_in = row.opt_in.unwrap_or(OptIn::Unknown);
                let opted = opt_in != OptIn::Unknown;
                writes.contacts.push(NewContactRow {
                    id,
                    name: row.name.clone(),
                    phone: phone.clone(),
                    email: row.email.clone(),
                    country_code: row.phone.country_code.clone(),
                    iso_code: row.phone.iso_code.clone(),
                    source: row.source.clone().unwrap_or_else(|| "import".to_owned()),
                    opt_in: opt_in.key(),
                    opt_in_at: opted.then_some(now),
                    opt_in_source: opted.then(|| "import".to_owned()),
                    first_message_tag: row.first_message_tag.clone(),
                    attributes: row.attributes.iter().cloned().collect(),
                });
                created.insert(phone.as_str(), (id, writes.contacts.len() - 1));
                self.added += 1;
                id
            };
            for tag in &row.tags {
                if links.insert((id, *tag)) {
                    writes.links.push((id, *tag));
                }
            }
            if self.ctx.group.is_some() && members.insert(id) {
                writes.members.push(id);
            }
        }
        write_chunk(&self.txn, &self.ctx, writes).await?;
        if self.postgres && !self.counted {
            // See `analyze_contacts`: from here on the statistics count
            // the import's own rows too.
            analyze_contacts(&self.txn).await?;
            self.counted = true;
        }
        Ok(())
    }

    /// Marks the import completed and commits everything; answers false
    /// (and changes nothing) when the import was cancelled meanwhile.
    pub async fn finish(self) -> Result<bool, StoreError> {
        let large = self.rows >= 1000;
        if self.postgres && large {
            // Statistics that count the new rows commit with them. Were
            // they refreshed only after the commit, the first list pages
            // read in between would be planned as if `contact_tags` were
            // empty (a scan of every tag link of the tenant per page),
            // and a connection could keep that plan.
            self.txn
                .execute_unprepared("ANALYZE contacts, contact_tags, group_members")
                .await?;
        }
        // The final state is written only if nobody cancelled meanwhile; a
        // cancelled import rolls back with everything above.
        let done = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::State,
                Expr::value(ImportState::Completed.as_str()),
            )
            .col_expr(
                contact_import::Column::ProcessedRows,
                Expr::value(i64::try_from(self.rows).unwrap_or(i64::MAX)),
            )
            .col_expr(contact_import::Column::Added, Expr::value(self.added))
            .col_expr(contact_import::Column::Updated, Expr::value(self.updated))
            .col_expr(contact_import::Column::Failed, Expr::value(self.failed))
            .col_expr(
                contact_import::Column::FinishedAt,
                Expr::value(Some(self.ctx.now)),
            )
            .filter(contact_import::Column::Id.eq(self.ctx.import_id))
            .filter(contact_import::Column::State.eq(ImportState::Running.as_str()))
            .exec(&self.txn)
            .await?;
        if done.rows_affected == 0 {
            return Ok(false);
        }
        self.txn.commit().await?;
        tracing::info!(
            import = %self.ctx.import_id,
            rows = self.rows,
            total_ms = self.started.elapsed().as_millis(),
            "import applied"
        );
        if large {
            // On PostgreSQL, VACUUM marks the new pages all-visible, so the
            // first page's count reads the index alone (the statistics are
            // fresh already, see above). SQLite's planner needs its
            // statistics refreshed too, or a tag filter takes seconds.
            let sql = if self.postgres {
                "VACUUM contacts, contact_tags, group_members"
            } else {
                "ANALYZE"
            };
            if let Err(e) = self.db.execute_unprepared(sql).await {
                tracing::warn!(error = %e, "tidying up after an import failed");
            }
        }
        Ok(true)
    }
}
