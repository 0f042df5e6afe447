//! The rows one chunk of a contact import writes, and how each backend
//! writes them. SQLite takes multi-row INSERTs of a fixed size. PostgreSQL
//! takes one statement per table and chunk whatever its size: every column
//! travels as one array literal that `unnest` turns back into rows, so the
//! server parses one small statement (prepared once per connection) instead
//! of binding thousands of parameters per hundred rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use domain::TenantId;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, Value,
};
use uuid::Uuid;

use crate::contacts::{attributes_json, merged_attributes};
use crate::entities::{contact, contact_event, contact_import_failure, contact_tag, group_member};
use crate::sql::{is_postgres, pg_execute, to_json, PgArray};
use crate::StoreError;

/// Rows per multi-row INSERT on SQLite. Every full statement has the same
/// SQL, so a connection prepares (and caches) it once; bigger statements
/// save little time and each cached one holds megabytes. 100 rows x 16
/// columns stays far below SQLite's 32,766 bind parameters.
const ROWS_PER_INSERT: usize = 100;

/// What every row of an import shares.
pub(crate) struct ImportContext {
    pub tenant: TenantId,
    pub import_id: Uuid,
    pub now: DateTime<Utc>,
    pub group: Option<Uuid>,
    /// The timeline entry of each contact the import touches.
    pub event_detail: String,
    pub actor: Uuid,
}

/// A contact the import creates.
pub(crate) struct NewContactRow {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub country_code: String,
    pub iso_code: Option<String>,
    pub source: String,
    pub opt_in: &'static str,
    pub opt_in_at: Option<DateTime<Utc>>,
    pub opt_in_source: Option<String>,
    pub first_message_tag: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

/// An existing contact the import updates: the name always, the other
/// fields when the row has them, and the attribute values it names.
pub(crate) struct ContactUpdate {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub source: Option<String>,
    pub first_message_tag: Option<String>,
    pub opt_in: Option<&'static str>,
    pub attributes: BTreeMap<String, String>,
}

impl ContactUpdate {
    /// This update followed by `later`, as one.
    fn then(&mut self, later: ContactUpdate) {
        self.name = later.name;
        self.email = later.email.or(self.email.take());
        self.source = later.source.or(self.source.take());
        self.first_message_tag = later.first_message_tag.or(self.first_message_tag.take());
        self.opt_in = later.opt_in.or(self.opt_in);
        self.attributes.extend(later.attributes);
    }
}

/// A row the import could not take.
pub(crate) struct FailureRow {
    pub line: i64,
    pub reason: String,
    /// The row's cells as a JSON array.
    pub cells: String,
}

/// Everything one chunk of rows writes. Links and members hold each key
/// once (a PostgreSQL `ON CONFLICT` may not touch a row twice).
#[derive(Default)]
pub(crate) struct ChunkWrites {
    pub contacts: Vec<NewContactRow>,
    /// Updates of existing contacts, in file order.
    pub updates: Vec<ContactUpdate>,
    /// (contact, tag)
    pub links: Vec<(Uuid, Uuid)>,
    /// Contacts to add to the import's group.
    pub members: Vec<Uuid>,
    /// Contacts whose timeline records the import.
    pub events: Vec<Uuid>,
}

/// Records the failed rows.
pub(crate) async fn write_failures(
    txn: &DatabaseTransaction,
    ctx: &ImportContext,
    failures: Vec<FailureRow>,
) -> Result<(), StoreError> {
    if failures.is_empty() {
        return Ok(());
    }
    if is_postgres(txn) {
        let (mut ids, mut lines, mut reasons, mut cells) = (
            PgArray::new(),
            PgArray::new(),
            PgArray::new(),
            PgArray::new(),
        );
        for f in &failures {
            ids.push_uuid(Uuid::now_v7());
            lines.push(Some(&f.line.to_string()));
            reasons.push(Some(&f.reason));
            cells.push(Some(&f.cells));
        }
        return pg_execute(
            txn,
            "INSERT INTO contact_import_failures (id, tenant_id, import_id, line, reason, cells) \
             SELECT r.id, $1, $2, r.line, r.reason, r.cells \
             FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[]) \
             AS r(id, line, reason, cells)",
            vec![
                ctx.tenant.0.into(),
                ctx.import_id.into(),
                ids.into(),
                lines.into(),
                reasons.into(),
                cells.into(),
            ],
        )
        .await;
    }
    insert_chunks(
        txn,
        failures
            .into_iter()
            .map(|f| contact_import_failure::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(ctx.tenant.0),
                import_id: Set(ctx.import_id),
                line: Set(f.line),
                reason: Set(f.reason),
                cells: Set(f.cells),
            })
            .collect(),
        None,
    )
    .await
}

/// Writes one chunk's new contacts, tags, attributes, group memberships and
/// timeline entries.
pub(crate) async fn write_chunk(
    txn: &DatabaseTransaction,
    ctx: &ImportContext,
    writes: ChunkWrites,
) -> Result<(), StoreError> {
    if is_postgres(txn) {
        write_chunk_pg(txn, ctx, writes).await
    } else {
        write_chunk_multirow(txn, ctx, writes).await
    }
}

async fn write_chunk_multirow(
    txn: &DatabaseTransaction,
    ctx: &ImportContext,
    writes: ChunkWrites,
) -> Result<(), StoreError> {
    let tenant = ctx.tenant.0;
    let now = ctx.now;
    for update in writes.updates {
        update_contact(txn, ctx, update).await?;
    }
    insert_chunks(
        txn,
        writes
            .contacts
            .into_iter()
            .map(|c| contact::ActiveModel {
                id: Set(c.id),
                tenant_id: Set(tenant),
                name: Set(c.name),
                phone: Set(c.phone),
                email: Set(c.email),
                country_code: Set(c.country_code),
                iso_code: Set(c.iso_code),
                source: Set(c.source),
                opt_in: Set(c.opt_in.to_owned()),
                opt_in_at: Set(c.opt_in_at),
                opt_in_source: Set(c.opt_in_source),
                first_message_tag: Set(c.first_message_tag),
                created_at: Set(now),
                updated_at: Set(now),
                last_active_at: Set(None),
                deleted_at: Set(None),
                import_id: Set(Some(ctx.import_id)),
                attributes: Set(attributes_json(&c.attributes)),
            })
            .collect(),
        None,
    )
    .await?;
    insert_chunks(
        txn,
        writes
            .links
            .into_iter()
            .map(|(contact_id, tag_id)| contact_tag::ActiveModel {
                tenant_id: Set(tenant),
                contact_id: Set(contact_id),
                tag_id: Set(tag_id),
            })
            .collect(),
        Some(
            OnConflict::columns([contact_tag::Column::ContactId, contact_tag::Column::TagId])
                .do_nothing()
                .to_owned(),
        ),
    )
    .await?;
    if let Some(group) = ctx.group {
        insert_chunks(
            txn,
            writes
                .members
                .into_iter()
                .map(|contact_id| group_member::ActiveModel {
                    tenant_id: Set(tenant),
                    group_id: Set(group),
                    contact_id: Set(contact_id),
                    added_at: Set(now),
                })
                .collect(),
            Some(
                OnConflict::columns([
                    group_member::Column::GroupId,
                    group_member::Column::ContactId,
                ])
                .do_nothing()
                .to_owned(),
            ),
        )
        .await?;
    }
    insert_chunks(
        txn,
        writes
            .events
            .into_iter()
            .map(|contact_id| contact_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant),
                contact_id: Set(contact_id),
                kind: Set("imported".to_owned()),
                detail: Set(ctx.event_detail.clone()),
                actor_id: Set(Some(ctx.actor)),
                at: Set(now),
            })
            .collect(),
        None,
    )
    .await
}

async fn update_contact(
    txn: &DatabaseTransaction,
    ctx: &ImportContext,
    update: ContactUpdate,
) -> Result<(), StoreError> {
    let mut query = contact::Entity::update_many()
        .col_expr(contact::Column::Name, Expr::value(update.name))
        .col_expr(contact::Column::UpdatedAt, Expr::value(ctx.now));
    if let Some(email) = update.email {
        query = query.col_expr(contact::Column::Email, Expr::value(Some(email)));
    }
    if let Some(source) = update.source {
        query = query.col_expr(contact::Column::Source, Expr::value(source));
    }
    if let Some(tag) = update.first_message_tag {
        query = query.col_expr(contact::Column::FirstMessageTag, Expr::value(Some(tag)));
    }
    if !update.attributes.is_empty() {
        query = query.col_expr(
            contact::Column::Attributes,
            merged_attributes(txn.get_database_backend(), to_json(&update.attributes)?),
        );
    }
    if let Some(opt_in) = update.opt_in {
        query = query
            .col_expr(contact::Column::OptIn, Expr::value(opt_in))
            .col_expr(contact::Column::OptInAt, Expr::value(Some(ctx.now)))
            .col_expr(contact::Column::OptInSource, Expr::value(Some("import")));
    }
    query
        .filter(contact::Column::TenantId.eq(ctx.tenant.0))
        .filter(contact::Column::Id.eq(update.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Inserts `models` with multi-row INSERTs of [`ROWS_PER_INSERT`] rows.
async fn insert_chunks<A>(
    txn: &DatabaseTransaction,
    models: Vec<A>,
    on_conflict: Option<OnConflict>,
) -> Result<(), StoreError>
where
    A: ActiveModelTrait + Send,
{
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<A> = models.by_ref().take(ROWS_PER_INSERT).collect();
        let mut insert = A::Entity::insert_many(chunk);
        if let Some(conflict) = &on_conflict {
            insert = insert.on_conflict(conflict.clone());
        }
        insert.exec_without_returning(txn).await?;
    }
    Ok(())
}

async fn write_chunk_pg(
    txn: &DatabaseTransaction,
    ctx: &ImportContext,
    writes: ChunkWrites,
) -> Result<(), StoreError> {
    let tenant: Value = ctx.tenant.0.into();
    let now: Value = ctx.now.into();
    if !writes.updates.is_empty() {
        // One UPDATE joins the rows by id, so each contact appears once:
        // a contact named twice gets both updates merged, in order.
        let mut merged: Vec<ContactUpdate> = Vec::with_capacity(writes.updates.len());
        let mut at: HashMap<Uuid, usize> = HashMap::new();
        for update in writes.updates {
            match at.get(&update.id) {
                Some(&i) => merged[i].then(update),
                None => {
                    at.insert(update.id, merged.len());
                    merged.push(update);
                }
            }
        }
        let mut columns: [PgArray; 7] = std::array::from_fn(|_| PgArray::with_rows(merged.len()));
        for u in &merged {
            let [id, name, email, source, first_message_tag, opt_in, attributes] = &mut columns;
            id.push_uuid(u.id);
            name.push(Some(&u.name));
            email.push(u.email.as_deref());
            source.push(u.source.as_deref());
            first_message_tag.push(u.first_message_tag.as_deref());
            opt_in.push(u.opt_in);
            attributes.push(Some(&to_json(&u.attributes)?));
        }
        let mut values = vec![tenant.clone(), now.clone()];
        values.extend(columns.into_iter().map(Value::from));
        pg_execute(
            txn,
            "UPDATE contacts c SET name = r.name, updated_at = $2, \
             email = COALESCE(r.email, c.email), source = COALESCE(r.source, c.source), \
             first_message_tag = COALESCE(r.first_message_tag, c.first_message_tag), \
             opt_in = COALESCE(r.opt_in, c.opt_in), \
             opt_in_at = CASE WHEN r.opt_in IS NULL THEN c.opt_in_at ELSE $2 END, \
             opt_in_source = CASE WHEN r.opt_in IS NULL THEN c.opt_in_source ELSE 'import' END, \
             attributes = c.attributes || r.attributes \
             FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], \
             $9::jsonb[]) AS r(id, name, email, source, first_message_tag, opt_in, attributes) \
             WHERE c.tenant_id = $1 AND c.id = r.id",
            values,
        )
        .await?;
    }
    if !writes.contacts.is_empty() {
        let n = writes.contacts.len();
        let mut columns: [PgArray; 12] = std::array::from_fn(|_| PgArray::with_rows(n));
        for c in &writes.contacts {
            let [id, name, phone, email, country_code, iso_code, source, opt_in, opt_in_at, opt_in_source, first_message_tag, attributes] =
                &mut columns;
            id.push_uuid(c.id);
            name.push(Some(&c.name));
            phone.push(Some(&c.phone));
            email.push(c.email.as_deref());
            country_code.push(Some(&c.country_code));
            iso_code.push(c.iso_code.as_deref());
            source.push(Some(&c.source));
            opt_in.push(Some(c.opt_in));
            opt_in_at.push(
                c.opt_in_at
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
                    .as_deref(),
            );
            opt_in_source.push(c.opt_in_source.as_deref());
            first_message_tag.push(c.first_message_tag.as_deref());
            attributes.push(Some(&to_json(&c.attributes)?));
        }
        let mut values = vec![tenant.clone(), now.clone()];
        values.extend(columns.into_iter().map(Value::from));
        values.push(ctx.import_id.into());
        pg_execute(
            txn,
            "INSERT INTO contacts (id, tenant_id, name, phone, email, country_code, iso_code, \
             source, opt_in, opt_in_at, opt_in_source, first_message_tag, attributes, created_at, \
             updated_at, import_id) \
             SELECT r.id, $1, r.name, r.phone, r.email, r.country_code, r.iso_code, r.source, \
             r.opt_in, r.opt_in_at, r.opt_in_source, r.first_message_tag, r.attributes, $2, $2, $15 \
             FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], \
             $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::jsonb[]) \
             AS r(id, name, phone, email, country_code, iso_code, source, opt_in, opt_in_at, \
             opt_in_source, first_message_tag, attributes)",
            values,
        )
        .await?;
    }
    // Rows hanging off contacts this chunk creates cannot conflict with
    // anything, so they skip ON CONFLICT and its speculative insertion.
    let fresh: HashSet<Uuid> = writes.contacts.iter().map(|c| c.id).collect();
    let (new_links, old_links): (Vec<_>, Vec<_>) =
        writes.links.iter().partition(|(c, _)| fresh.contains(c));
    let (new_members, old_members): (Vec<&Uuid>, Vec<&Uuid>) =
        writes.members.iter().partition(|c| fresh.contains(c));
    for (links, existing) in [(new_links, false), (old_links, true)] {
        if links.is_empty() {
            continue;
        }
        let (mut contacts, mut tags) = (
            PgArray::with_rows(links.len()),
            PgArray::with_rows(links.len()),
        );
        for (contact_id, tag_id) in links {
            contacts.push_uuid(contact_id);
            tags.push_uuid(tag_id);
        }
        let sql = "INSERT INTO contact_tags (tenant_id, contact_id, tag_id) \
             SELECT $1, r.contact_id, r.tag_id FROM unnest($2::uuid[], $3::uuid[]) \
             AS r(contact_id, tag_id)";
        pg_execute(
            txn,
            &on_conflict(sql, existing, "(contact_id, tag_id) DO NOTHING"),
            vec![tenant.clone(), contacts.into(), tags.into()],
        )
        .await?;
    }
    if let Some(group) = ctx.group {
        for (members, existing) in [(new_members, false), (old_members, true)] {
            if members.is_empty() {
                continue;
            }
            let mut contacts = PgArray::with_rows(members.len());
            for contact_id in members {
                contacts.push_uuid(*contact_id);
            }
            let sql = "INSERT INTO group_members (tenant_id, group_id, contact_id, added_at) \
                 SELECT $1, $2, r.contact_id, $3 FROM unnest($4::uuid[]) AS r(contact_id)";
            pg_execute(
                txn,
                &on_conflict(sql, existing, "(group_id, contact_id) DO NOTHING"),
                vec![tenant.clone(), group.into(), now.clone(), contacts.into()],
            )
            .await?;
        }
    }
    if !writes.events.is_empty() {
        let n = writes.events.len();
        let (mut ids, mut contacts) = (PgArray::with_rows(n), PgArray::with_rows(n));
        for contact_id in &writes.events {
            ids.push_uuid(Uuid::now_v7());
            contacts.push_uuid(*contact_id);
        }
        pg_execute(
            txn,
            "INSERT INTO contact_events (id, tenant_id, contact_id, kind, detail, actor_id, at) \
             SELECT r.id, $1, r.contact_id, 'imported', $2, $3, $4 \
             FROM unnest($5::uuid[], $6::uuid[]) AS r(id, contact_id)",
            vec![
                tenant,
                ctx.event_detail.clone().into(),
                Some(ctx.actor).into(),
                now,
                ids.into(),
                contacts.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// `sql`, with `ON CONFLICT {clause}` when its rows may exist already.
fn on_conflict(sql: &str, existing: bool, clause: &str) -> String {
    if existing {
        format!("{sql} ON CONFLICT {clause}")
    } else {
        sql.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_updated_twice_takes_both_updates_in_order() {
        let id = Uuid::nil();
        let mut first = ContactUpdate {
            id,
            name: "First".into(),
            email: Some("first@example.com".into()),
            source: Some("fair".into()),
            first_message_tag: None,
            opt_in: Some("opted_in"),
            attributes: [
                ("city".to_owned(), "York".to_owned()),
                ("plan".to_owned(), "gold".to_owned()),
            ]
            .into(),
        };
        first.then(ContactUpdate {
            id,
            name: "Second".into(),
            email: None,
            source: Some("web".into()),
            first_message_tag: Some("welcome".into()),
            opt_in: None,
            attributes: [("city".to_owned(), "Leeds".to_owned())].into(),
        });
        assert_eq!(first.name, "Second");
        assert_eq!(first.email.as_deref(), Some("first@example.com"));
        assert_eq!(first.source.as_deref(), Some("web"));
        assert_eq!(first.first_message_tag.as_deref(), Some("welcome"));
        assert_eq!(first.opt_in, Some("opted_in"));
        assert_eq!(
            first.attributes,
            [
                ("city".to_owned(), "Leeds".to_owned()),
                ("plan".to_owned(), "gold".to_owned()),
            ]
            .into()
        );
    }
}
