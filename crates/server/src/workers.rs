//! Background workers: thin loops over the application's use-cases. The
//! webhook event processor runs `app::events::drain_once` round after
//! round: groups of events (one conversation each) are leased, applied side
//! by side, each group in order, and marked processed only once their
//! effects are saved; a failure is retried with exponential backoff.
//! The other loops run template syncs, session behaviour rounds, imports
//! and the sweep of import files.

use std::time::Duration;

use app::App;
use store::Store;

/// The import file sweep (also run by the tests).
pub use app::imports::sweep_import_files;
/// One session behaviour round (also run by the tests).
pub use app::session_behaviour::round as session_behaviour_round;

/// How long a claim holds before another worker may take the events.
const LEASE_SECS: i64 = 60;
const IDLE: Duration = Duration::from_millis(500);

pub use app::events::backoff_secs;

/// How this process drains the webhook event queue: groups (one
/// conversation each) leased per round, and applied side by side.
pub fn drain_settings(parallel: usize) -> app::events::DrainSettings {
    app::events::DrainSettings {
        claim: store::ClaimLimits {
            groups: 128,
            events: 1000,
            lease: chrono::Duration::seconds(LEASE_SECS),
        },
        parallel,
        max_attempts: 12,
    }
}

/// Drains the webhook event queue: one round after another while events
/// are due, a short sleep when none are.
pub async fn run_webhook_processor(app: App, settings: app::events::DrainSettings) {
    let worker = uuid::Uuid::now_v7();
    loop {
        match app::events::drain_once(&app, worker, &settings).await {
            Ok(0) => tokio::time::sleep(IDLE).await,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "draining webhook events failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

/// Pulls every Meta account's templates every `every`, so templates made or
/// reviewed in Meta's manager show up even when a webhook was missed. One
/// instance runs each round (the schedule is claimed in the database).
pub async fn run_template_sync(app: App, every: Duration) {
    let every_db = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::minutes(15));
    loop {
        match app.store.claim_schedule("template_sync", every_db).await {
            Ok(true) => app::templates::sync_all(&app).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "claiming the template sync failed"),
        }
        // Check again well within the period; only a due round is claimed.
        tokio::time::sleep((every / 4).clamp(Duration::from_secs(5), Duration::from_secs(60)))
            .await;
    }
}

/// Runs the session behaviour every `every`: one instance per round (the
/// round is claimed in the database).
pub async fn run_session_behaviour(app: App, every: Duration) {
    let every_db = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::seconds(15));
    loop {
        match app
            .store
            .claim_schedule("session_behaviour", every_db)
            .await
        {
            Ok(true) => {
                session_behaviour_round(&app, chrono::Utc::now()).await;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "claiming the session behaviour round failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Applies queued contact imports, one at a time per process.
pub async fn run_import_processor(app: App) {
    loop {
        match app::imports::process_next(&app.store, &app.settings.imports).await {
            Ok(true) => {}
            Ok(false) => {
                // Another instance's import is found by polling; one queued
                // here starts at once.
                tokio::select! {
                    () = tokio::time::sleep(IDLE * 2) => {}
                    () = app.store.import_queued() => {}
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

/// Removes, once an hour, the uploaded import files this instance no
/// longer needs (see [`sweep_import_files`]).
pub async fn run_import_file_sweeper(store: Store, imports_dir: std::path::PathBuf) {
    loop {
        match sweep_import_files(
            &store,
            &imports_dir,
            chrono::Duration::days(app::imports::ABANDONED_UPLOAD_DAYS),
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
