//! Background workers. The webhook event processor turns stored events into
//! their effects: it claims due events with a lease, applies them, and marks
//! them processed only once the effects are saved; a failure is retried with
//! exponential backoff. Inbound messages and statuses go to the inbox,
//! template decisions to the templates. The session behaviour asks quiet
//! customers whether they still need help and closes their conversations.

use std::time::Duration;

use providers::WebhookEvent;
use store::{ClaimedEvent, EventOutcome, Store};

/// How long a claim holds before another worker may take the event.
const LEASE_SECS: i64 = 60;
const BATCH: u64 = 50;
const IDLE: Duration = Duration::from_millis(500);

/// Seconds to wait before attempt `attempts + 1`: 2, 4, 8 ... capped at one hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    2i64.saturating_pow(exponent).min(3600)
}

pub async fn run_webhook_processor(state: api::AppState) {
    let store = &state.store;
    loop {
        match store
            .claim_webhook_events(BATCH, chrono::Duration::seconds(LEASE_SECS))
            .await
        {
            Ok(events) if events.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(events) => {
                for event in events {
                    handle(&state, &event).await;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming webhook events failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

async fn handle(state: &api::AppState, event: &ClaimedEvent) {
    let store = &state.store;
    let outcome = match apply(state, event).await {
        Ok(outcome) => store.finish_webhook_event(event, outcome).await,
        Err(error) => {
            let retry_at =
                chrono::Utc::now() + chrono::Duration::seconds(backoff_secs(event.attempts));
            tracing::warn!(event = %event.id, attempts = event.attempts, %error, "webhook event failed; will retry");
            store.retry_webhook_event(event, &error, retry_at).await
        }
    };
    if let Err(e) = outcome {
        // The lease expires and the event is claimed again.
        tracing::error!(event = %event.id, error = %e, "recording a webhook event's outcome failed");
    }
}

/// The effects of one event.
async fn apply(state: &api::AppState, event: &ClaimedEvent) -> Result<EventOutcome, String> {
    let store = &state.store;
    match event.kind.as_str() {
        "account_update" => {
            let parsed: WebhookEvent =
                serde_json::from_str(&event.payload).map_err(|e| e.to_string())?;
            if let WebhookEvent::AccountUpdate(update) = parsed {
                if update.field == "phone_number_quality_update" {
                    let rating = match (&update.event, &update.current_limit) {
                        (Some(e), Some(limit)) => format!("{e} · {limit}"),
                        (Some(e), None) => e.clone(),
                        (None, Some(limit)) => limit.clone(),
                        (None, None) => return Ok(EventOutcome::Processed),
                    };
                    store
                        .set_quality_rating(event.tenant(), event.channel(), &rating)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok(EventOutcome::Processed)
        }
        "template_status" => apply_template_status(store, event).await,
        "message" => {
            api::inbox::apply_inbound(state, event.tenant(), event.channel(), &event.payload)
                .await?;
            Ok(EventOutcome::Processed)
        }
        "status" => {
            api::inbox::apply_status(state, event.tenant(), &event.payload, event.attempts).await?;
            Ok(EventOutcome::Processed)
        }
        _ => Ok(EventOutcome::Processed),
    }
}

/// Meta's review decision: the template takes the new status at once and
/// the people who work with templates hear about it.
async fn apply_template_status(
    store: &Store,
    event: &ClaimedEvent,
) -> Result<EventOutcome, String> {
    let WebhookEvent::TemplateStatus(update) =
        serde_json::from_str(&event.payload).map_err(|e| e.to_string())?
    else {
        return Ok(EventOutcome::Processed);
    };
    let Some(status) = domain::template::TemplateStatus::from_meta(&update.event) else {
        return Ok(EventOutcome::Processed);
    };
    let channel = store
        .channel(event.tenant(), event.channel())
        .await
        .map_err(|e| e.to_string())?;
    let Some(account) = channel.published.get("waba_id") else {
        return Ok(EventOutcome::Processed);
    };
    let name_and_language = match (&update.name, &update.language) {
        (Some(name), Some(language)) => Some((name.as_str(), language.as_str())),
        _ => None,
    };
    let change = store
        .apply_template_status(
            event.tenant(),
            account,
            Some(&update.template_id),
            name_and_language,
            status,
            update.reason.as_deref(),
        )
        .await
        .map_err(|e| e.to_string())?;
    // A template nobody here knows yet arrives with the next sync.
    if let Some(change) = change {
        let t = &change.template;
        let notice = domain::notification::template_status(
            &t.content.name,
            &t.content.language,
            t.id,
            t.status,
            t.rejected_reason.as_deref(),
        );
        store
            .notify(event.tenant(), &notice)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(EventOutcome::Processed)
}

/// Pulls every Meta account's templates every `every`, so templates made or
/// reviewed in Meta's manager show up even when a webhook was missed. One
/// instance runs each round (the schedule is claimed in the database).
pub async fn run_template_sync(state: api::AppState, every: Duration) {
    let every_db = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::minutes(15));
    loop {
        match state.store.claim_schedule("template_sync", every_db).await {
            Ok(true) => sync_all_templates(&state).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "claiming the template sync failed"),
        }
        // Check again well within the period; only a due round is claimed.
        tokio::time::sleep((every / 4).clamp(Duration::from_secs(5), Duration::from_secs(60)))
            .await;
    }
}

async fn sync_all_templates(state: &api::AppState) {
    let channels = match state.store.graph_channels().await {
        Ok(channels) => channels,
        Err(e) => {
            tracing::warn!(error = %e, "listing channels for the template sync failed");
            return;
        }
    };
    let mut done = std::collections::HashSet::new();
    for channel in channels {
        let account = (
            channel.tenant_id,
            channel.published.get("waba_id").map(str::to_owned),
        );
        if !done.insert(account) {
            continue; // another channel of the same account was synced
        }
        match api::sync_channel_templates(state, &channel).await {
            Ok(result) => {
                tracing::debug!(channel = %channel.id.0, listed = result.listed, changed = result.changed, "templates synced")
            }
            Err(e) => tracing::warn!(channel = %channel.id.0, error = %e, "template sync failed"),
        }
    }
}

/// Conversations one session behaviour round looks at, at most.
const SESSION_BATCH: u64 = 200;

/// Runs the session behaviour every `every`: one instance per round (the
/// round is claimed in the database).
pub async fn run_session_behaviour(state: api::AppState, every: Duration) {
    let every_db = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::seconds(15));
    loop {
        match state
            .store
            .claim_schedule("session_behaviour", every_db)
            .await
        {
            Ok(true) => {
                session_behaviour_round(&state, chrono::Utc::now()).await;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "claiming the session behaviour round failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// One round at `now`: for each conversation due for a step, takes the
/// step in the database first (so no other round repeats it), then sends
/// the question or the session-end message as the system; after the end
/// message the conversation is resolved. Answers how many steps were taken.
pub async fn session_behaviour_round(
    state: &api::AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> usize {
    use domain::conversation::{session_step, SessionStep};
    let store = &state.store;
    let candidates = match store.session_candidates(now, SESSION_BATCH).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "finding quiet conversations failed");
            return 0;
        }
    };
    let mut taken = 0;
    for c in candidates {
        let Some(step) = session_step(&c.settings, &c.clock, now) else {
            continue;
        };
        let (tenant, id) = (c.tenant_id, c.conversation_id);
        match store
            .advance_session_stage(tenant, id, &c.settings, step, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(conversation = %id, error = %e, "moving the session stage failed");
                continue;
            }
        }
        taken += 1;
        let text = match step {
            SessionStep::Ask => &c.settings.ask_text,
            SessionStep::End => &c.settings.end_text,
        };
        if let Err(e) = api::inbox::send_system_text(state, tenant, id, text).await {
            // Not retried: asking twice is worse than not asking.
            tracing::warn!(conversation = %id, error = ?e, "a session behaviour message was not sent");
            continue;
        }
        if step == SessionStep::End {
            match store.close_after_inactivity(tenant, id).await {
                Ok(Some(conversation)) => {
                    api::inbox::publish_conversation(state, &conversation).await;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(conversation = %id, error = %e, "closing an inactive conversation failed")
                }
            }
        }
    }
    taken
}

/// How long a claimed import stays with its worker without news.
const IMPORT_LEASE_MINUTES: i64 = 10;

/// Applies queued contact imports, one at a time per process.
pub async fn run_import_processor(store: Store, limits: api::ImportLimits) {
    loop {
        match store
            .claim_import(chrono::Duration::minutes(IMPORT_LEASE_MINUTES))
            .await
        {
            Ok(Some(import)) => {
                if let Err(error) = process_import(&store, &import, limits.sheet()).await {
                    tracing::warn!(import = %import.id, %error, "contact import failed");
                    if let Err(e) = store.fail_import(&import, &error).await {
                        tracing::error!(import = %import.id, error = %e, "recording a failed import failed");
                    }
                }
            }
            Ok(None) => {
                // Another instance's import is found by polling; one queued
                // here starts at once.
                tokio::select! {
                    () = tokio::time::sleep(IDLE * 2) => {}
                    () = store.import_queued() => {}
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming an import failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

/// How often this instance looks over its uploaded import files.
const IMPORT_SWEEP_EVERY: Duration = Duration::from_secs(60 * 60);

/// How long an upload that nobody starts keeps its file (and its chance
/// to be started).
const ABANDONED_UPLOAD_DAYS: i64 = 7;

/// Removes, once an hour, the uploaded import files this instance no
/// longer needs (see [`sweep_import_files`]).
pub async fn run_import_file_sweeper(store: Store, imports_dir: std::path::PathBuf) {
    loop {
        match sweep_import_files(
            &store,
            &imports_dir,
            chrono::Duration::days(ABANDONED_UPLOAD_DAYS),
        )
        .await
        {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed import files nobody needs any more"),
            Err(error) => tracing::warn!(%error, "looking over the import files failed"),
        }
        tokio::time::sleep(IMPORT_SWEEP_EVERY).await;
    }
}

/// Looks over `imports_dir` (`<tenant>/<import>`, and `<import>.checked`
/// spool files beside them) and removes every file whose import no longer
/// needs it: a finished import (completed, failed or cancelled), one that
/// does not exist, or an upload nobody started within `abandoned_after`,
/// which is cancelled first. Files of queued and running imports stay, and
/// so does anything not named like an import. The files live on the disk
/// of the instance that received them, so each instance sweeps its own.
/// Answers how many files went.
pub async fn sweep_import_files(
    store: &Store,
    imports_dir: &std::path::Path,
    abandoned_after: chrono::Duration,
) -> Result<usize, String> {
    let io = |e: std::io::Error| format!("{}: {e}", imports_dir.display());
    let mut tenants = match tokio::fs::read_dir(imports_dir).await {
        Ok(dir) => dir,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io(e)),
    };
    let abandoned_before = chrono::Utc::now() - abandoned_after;
    let mut removed = 0;
    while let Some(tenant_dir) = tenants.next_entry().await.map_err(io)? {
        let Some(tenant) = tenant_dir
            .file_name()
            .to_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
        else {
            continue;
        };
        let mut files = tokio::fs::read_dir(tenant_dir.path()).await.map_err(io)?;
        while let Some(file) = files.next_entry().await.map_err(io)? {
            let name = file.file_name();
            let Some(name) = name.to_str() else { continue };
            let (stem, spool) = match name.strip_suffix(".checked") {
                Some(stem) => (stem, true),
                None => (name, false),
            };
            let Ok(id) = uuid::Uuid::parse_str(stem) else {
                continue;
            };
            let needed = match store.import(domain::TenantId(tenant), id).await {
                Ok(import) => match import.state {
                    state if state.is_in_progress() => true,
                    domain::contact_import::ImportState::Uploaded if !spool => {
                        import.created_at >= abandoned_before
                            || !store
                                .cancel_unstarted_import(import.tenant_id, id)
                                .await
                                .map_err(|e| e.to_string())?
                    }
                    _ => false,
                },
                Err(store::StoreError::NotFound) => false,
                Err(e) => return Err(e.to_string()),
            };
            if needed {
                continue;
            }
            match tokio::fs::remove_file(file.path()).await {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
    }
    Ok(removed)
}

/// Rows read, checked and written per chunk: memory holds a few chunks at
/// most, whatever the size of the file.
const IMPORT_CHUNK_ROWS: usize = 5_000;

/// One chunk of checked rows on its way from the reading thread.
struct CheckedChunk {
    rows: u64,
    /// Empty when the chunk went to the spool file instead.
    outcomes: Vec<store::RowOutcome>,
}

/// The checked rows of an import on SQLite, one JSON line each, kept until
/// the import's transaction has taken them. Removed when dropped.
struct Spool(std::path::PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %self.0.display(), error = %e, "removing an import spool failed");
            }
        }
    }
}

/// Where an import's checked rows go while the file is being read.
enum Sink {
    /// Into the import's transaction as they come (PostgreSQL).
    Direct(Box<store::ImportApply>),
    /// Into a spool file, written in one go at the end (SQLite).
    Spooled(Spool),
}

/// Reads an import's file and applies its rows in one transaction.
///
/// A blocking thread reads and checks the rows a chunk at a time. On
/// PostgreSQL each chunk is written as soon as it is checked, so reading
/// and writing overlap; on SQLite the chunks go to a spool file first and
/// are written together at the end, which keeps SQLite's single write lock
/// short. Progress is recorded after every chunk; a cancel seen there stops
/// the import and rolls back what it wrote.
async fn process_import(
    store: &Store,
    import: &store::ImportRecord,
    limits: domain::spreadsheet::SheetLimits,
) -> Result<(), String> {
    let mapping = import.mapping.clone().ok_or("the import has no mapping")?;
    let options = import.options.clone().ok_or("the import has no options")?;
    let bytes = tokio::fs::read(&import.file_path)
        .await
        .map_err(|e| format!("the uploaded file is gone: {e}"))?;
    let tags = store
        .tag_ids_by_name(import.tenant_id)
        .await
        .map_err(|e| e.to_string())?;
    let attributes = store
        .list_attributes(import.tenant_id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|a| (a.key, a.kind))
        .collect();
    let lease = chrono::Duration::minutes(IMPORT_LEASE_MINUTES);
    let mut sink = if store.writes_while_reading() {
        Sink::Direct(Box::new(
            store
                .begin_import_apply(import)
                .await
                .map_err(|e| e.to_string())?,
        ))
    } else {
        Sink::Spooled(Spool(std::path::PathBuf::from(format!(
            "{}.checked",
            import.file_path
        ))))
    };
    let started = std::time::Instant::now();
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<CheckedChunk>(2);
    let reader = {
        let file_name = import.file_name.clone();
        let expected_rows = usize::try_from(import.total_rows).unwrap_or(0);
        let spool = match &sink {
            Sink::Spooled(spool) => Some(spool.0.clone()),
            Sink::Direct(_) => None,
        };
        tokio::task::spawn_blocking(move || {
            let rules = RowRules {
                mapping: &mapping,
                ctx: domain::contact_import::RowContext {
                    tags: &tags,
                    attributes: &attributes,
                    options: &options,
                },
            };
            let sink = ChunkSink::new(spool, sender)?;
            check_rows(&bytes, &file_name, &limits, &rules, expected_rows, sink)
        })
    };
    let mut read = 0;
    while let Some(chunk) = chunks.recv().await {
        read += chunk.rows;
        if let Sink::Direct(apply) = &mut sink {
            apply
                .apply(chunk.outcomes)
                .await
                .map_err(|e| e.to_string())?;
        }
        let running = store
            .import_progress(import, read, lease)
            .await
            .map_err(|e| e.to_string())?;
        if !running {
            // Cancelled: dropping the transaction undoes what it wrote, and
            // the reading thread stops at its next chunk.
            tracing::info!(import = %import.id, rows = read, "contact import cancelled");
            return Ok(());
        }
    }
    reader.await.map_err(|e| e.to_string())??;
    tracing::info!(import = %import.id, rows = read, read_ms = started.elapsed().as_millis(), "import rows read");
    let apply = match sink {
        Sink::Direct(apply) => *apply,
        Sink::Spooled(spool) => {
            let mut apply = store
                .begin_import_apply(import)
                .await
                .map_err(|e| e.to_string())?;
            let (sender, mut chunks) = tokio::sync::mpsc::channel(2);
            let path = spool.0.clone();
            let replay = tokio::task::spawn_blocking(move || replay_spool(&path, &sender));
            while let Some(outcomes) = chunks.recv().await {
                apply.apply(outcomes).await.map_err(|e| e.to_string())?;
            }
            replay.await.map_err(|e| e.to_string())??;
            apply
        }
    };
    let applied = apply.finish().await.map_err(|e| e.to_string())?;
    tracing::info!(import = %import.id, rows = read, applied, total_ms = started.elapsed().as_millis(), "contact import finished");
    Ok(())
}

/// What a row is checked against.
struct RowRules<'a> {
    mapping: &'a domain::contact_import::Mapping,
    ctx: domain::contact_import::RowContext<'a>,
}

/// The reading thread's end of the pipe: each full chunk goes to the
/// worker, or, with a spool file, to that file, the worker then hearing
/// only its size.
struct ChunkSink {
    spool: Option<std::io::BufWriter<std::fs::File>>,
    sender: tokio::sync::mpsc::Sender<CheckedChunk>,
}

impl ChunkSink {
    fn new(
        spool: Option<std::path::PathBuf>,
        sender: tokio::sync::mpsc::Sender<CheckedChunk>,
    ) -> Result<Self, String> {
        let spool = match spool {
            Some(path) => Some(std::io::BufWriter::new(
                std::fs::File::create(&path)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?,
            )),
            None => None,
        };
        Ok(Self { spool, sender })
    }

    /// Fails when the worker has stopped listening (a cancel or an error).
    fn send(&mut self, chunk: Vec<store::RowOutcome>) -> Result<(), String> {
        use std::io::Write;
        let rows = chunk.len() as u64;
        let outcomes = match self.spool.as_mut() {
            Some(file) => {
                for outcome in &chunk {
                    serde_json::to_writer(&mut *file, outcome).map_err(|e| e.to_string())?;
                    file.write_all(b"\n").map_err(|e| e.to_string())?;
                }
                Vec::new()
            }
            None => chunk,
        };
        self.sender
            .blocking_send(CheckedChunk { rows, outcomes })
            .map_err(|_| "stopped".to_owned())
    }

    /// Makes the spool file durable before the worker replays it.
    fn finish(self) -> Result<(), String> {
        if let Some(file) = self.spool {
            file.into_inner()
                .map_err(|e| e.to_string())?
                .sync_all()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// Reads and checks every row, passing them on a chunk at a time. Stops
/// early when the receiving side has gone (a cancel or an error).
fn check_rows(
    bytes: &[u8],
    file_name: &str,
    limits: &domain::spreadsheet::SheetLimits,
    rules: &RowRules<'_>,
    expected_rows: usize,
    mut sink: ChunkSink,
) -> Result<(), String> {
    // E.164 numbers are at most 15 digits: as u64s they take 8 bytes.
    let mut seen_phones = std::collections::HashSet::with_capacity(expected_rows);
    let phone_key = |e164: &str| e164.trim_start_matches('+').parse::<u64>().ok();
    let mut chunk = Vec::with_capacity(IMPORT_CHUNK_ROWS);
    let mut line = 1u64; // the header
    let mut failure: Option<String> = None;
    domain::spreadsheet::visit_sheet(bytes, file_name, limits, &mut |cells| {
        if failure.is_some() {
            return;
        }
        line += 1;
        let outcome = match domain::contact_import::check_row(rules.mapping, &cells, &rules.ctx) {
            Ok(row) if phone_key(&row.phone.e164).is_some_and(|k| !seen_phones.insert(k)) => {
                store::RowOutcome::Invalid {
                    line,
                    reason: format!("the phone {} appears earlier in the file", row.phone.e164),
                    cells,
                }
            }
            Ok(row) => store::RowOutcome::Valid { line, row },
            Err(reason) => store::RowOutcome::Invalid {
                line,
                reason,
                cells,
            },
        };
        chunk.push(outcome);
        if chunk.len() == IMPORT_CHUNK_ROWS {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(IMPORT_CHUNK_ROWS));
            if let Err(e) = sink.send(full) {
                failure = Some(e);
            }
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(e) = failure {
        return Err(e);
    }
    if !chunk.is_empty() {
        sink.send(chunk)?;
    }
    sink.finish()
}

/// Sends a spool file's rows back, a chunk at a time.
fn replay_spool(
    path: &std::path::Path,
    sender: &tokio::sync::mpsc::Sender<Vec<store::RowOutcome>>,
) -> Result<(), String> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut chunk = Vec::with_capacity(IMPORT_CHUNK_ROWS);
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| e.to_string())?;
        chunk.push(serde_json::from_str(&line).map_err(|e| e.to_string())?);
        if chunk.len() == IMPORT_CHUNK_ROWS {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(IMPORT_CHUNK_ROWS));
            sender
                .blocking_send(full)
                .map_err(|_| "stopped".to_owned())?;
        }
    }
    if !chunk.is_empty() {
        sender
            .blocking_send(chunk)
            .map_err(|_| "stopped".to_owned())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(1), 2);
        assert_eq!(backoff_secs(3), 8);
        assert_eq!(backoff_secs(40), 3600);
        assert_eq!(backoff_secs(0), 2);
    }
}
