//! Background workers: thin loops over the application's use-cases. The
//! webhook event processor claims due events with a lease, has
//! `app::events::apply` turn each into its effects, and marks it processed
//! only once they are saved; a failure is retried with exponential backoff.
//! The other loops run template syncs, session behaviour rounds, imports
//! and the sweep of import files.

use std::time::Duration;

use app::App;
use store::{ClaimedEvent, Store};

/// The import file sweep (also run by the tests).
pub use app::imports::sweep_import_files;
/// One session behaviour round (also run by the tests).
pub use app::session_behaviour::round as session_behaviour_round;

/// How long a claim holds before another worker may take the event.
const LEASE_SECS: i64 = 60;
const BATCH: u64 = 50;
const IDLE: Duration = Duration::from_millis(500);

/// Seconds to wait before attempt `attempts + 1`: 2, 4, 8 ... capped at one hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    2i64.saturating_pow(exponent).min(3600)
}

pub async fn run_webhook_processor(app: App) {
    let store = &app.store;
    loop {
        match store
            .claim_webhook_events(BATCH, chrono::Duration::seconds(LEASE_SECS))
            .await
        {
            Ok(events) if events.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(events) => {
                for event in events {
                    handle(&app, &event).await;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming webhook events failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

async fn handle(app: &App, event: &ClaimedEvent) {
    let store = &app.store;
    let outcome = match app::events::apply(app, event).await {
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
