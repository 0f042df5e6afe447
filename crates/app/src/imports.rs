//! Contact imports after the upload: the worker's side (claim, read and
//! check every row on a blocking thread, write them in one transaction,
//! spooled on SQLite) and the sweep of upload files nobody needs.

use store::{Store, StoreError};

use crate::ImportLimits;

/// How long a claimed import stays with its worker without news.
const IMPORT_LEASE_MINUTES: i64 = 10;

/// Claims the next queued import and runs it to its end; a failure is
/// recorded on the import. Answers whether there was one to run.
pub async fn process_next(store: &Store, limits: &ImportLimits) -> Result<bool, StoreError> {
    let Some(import) = store
        .claim_import(chrono::Duration::minutes(IMPORT_LEASE_MINUTES))
        .await?
    else {
        return Ok(false);
    };
    if let Err(error) = process_import(store, &import, limits.sheet()).await {
        tracing::warn!(import = %import.id, %error, "contact import failed");
        if let Err(e) = store.fail_import(&import, &error).await {
            tracing::error!(import = %import.id, error = %e, "recording a failed import failed");
        }
    }
    Ok(true)
}

/// How long an upload that nobody starts keeps its file (and its chance
/// to be started).
pub const ABANDONED_UPLOAD_DAYS: i64 = 7;

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
pub async fn process_import(
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
