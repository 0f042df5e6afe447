//! Background workers. The webhook event processor turns stored events into
//! their effects: it claims due events with a lease, applies them, and marks
//! them processed only once the effects are saved; a failure is retried with
//! exponential backoff. Messages, statuses and template updates are kept
//! (`deferred`) for the inbox and templates areas, which pick them up.

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

pub async fn run_webhook_processor(store: Store) {
    loop {
        match store
            .claim_webhook_events(BATCH, chrono::Duration::seconds(LEASE_SECS))
            .await
        {
            Ok(events) if events.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(events) => {
                for event in events {
                    handle(&store, &event).await;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming webhook events failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

async fn handle(store: &Store, event: &ClaimedEvent) {
    let outcome = match apply(store, event).await {
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
async fn apply(store: &Store, event: &ClaimedEvent) -> Result<EventOutcome, String> {
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
        "message" | "status" | "template_status" => Ok(EventOutcome::Deferred),
        _ => Ok(EventOutcome::Processed),
    }
}

/// How long a claimed import stays with its worker without news.
const IMPORT_LEASE_MINUTES: i64 = 10;

/// Applies queued contact imports, one at a time per process.
pub async fn run_import_processor(store: Store) {
    loop {
        match store
            .claim_import(chrono::Duration::minutes(IMPORT_LEASE_MINUTES))
            .await
        {
            Ok(Some(import)) => {
                if let Err(error) = process_import(&store, &import).await {
                    tracing::warn!(import = %import.id, %error, "contact import failed");
                    if let Err(e) = store.fail_import(&import, &error).await {
                        tracing::error!(import = %import.id, error = %e, "recording a failed import failed");
                    }
                }
            }
            Ok(None) => tokio::time::sleep(IDLE * 2).await,
            Err(e) => {
                tracing::error!(error = %e, "claiming an import failed");
                tokio::time::sleep(IDLE * 4).await;
            }
        }
    }
}

async fn process_import(store: &Store, import: &store::ImportRecord) -> Result<(), String> {
    use domain::contact_import::{check_row, RowContext};
    let mapping = import.mapping.clone().ok_or("the import has no mapping")?;
    let options = import.options.clone().ok_or("the import has no options")?;
    let bytes = tokio::fs::read(&import.file_path)
        .await
        .map_err(|e| format!("the uploaded file is gone: {e}"))?;
    let file_name = import.file_name.clone();
    let sheet = tokio::task::spawn_blocking(move || {
        domain::spreadsheet::read_sheet(
            &bytes,
            &file_name,
            &domain::spreadsheet::SheetLimits::default(),
        )
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
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
    let ctx = RowContext {
        tags: &tags,
        attributes: &attributes,
        options: &options,
    };
    let mut outcomes = Vec::with_capacity(sheet.rows.len());
    let mut seen_phones = std::collections::HashSet::new();
    for (index, cells) in sheet.rows.into_iter().enumerate() {
        // The header is line 1.
        let line = index as u64 + 2;
        let outcome = match check_row(&mapping, &cells, &ctx) {
            Ok(row) if !seen_phones.insert(row.phone.e164.clone()) => store::RowOutcome::Invalid {
                line,
                reason: format!("the phone {} appears earlier in the file", row.phone.e164),
                cells,
            },
            Ok(row) => store::RowOutcome::Valid { line, row },
            Err(reason) => store::RowOutcome::Invalid {
                line,
                reason,
                cells,
            },
        };
        outcomes.push(outcome);
        if (index + 1) % 1000 == 0 {
            store
                .import_progress(
                    import,
                    index + 1,
                    chrono::Duration::minutes(IMPORT_LEASE_MINUTES),
                )
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let applied = store
        .apply_import(import, &outcomes)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(import = %import.id, rows = outcomes.len(), applied, "contact import finished");
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
