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
    // Rows are read and checked one at a time on a blocking thread; only
    // their outcomes are kept. Progress is written every 1,000 rows.
    let runtime = tokio::runtime::Handle::current();
    let (progress_store, progress_import) = (store.clone(), import.clone());
    let file_name = import.file_name.clone();
    // The upload counted the rows; one allocation holds all outcomes.
    let expected_rows = usize::try_from(import.total_rows).unwrap_or(0);
    let started = std::time::Instant::now();
    let outcomes = tokio::task::spawn_blocking(move || {
        let ctx = RowContext {
            tags: &tags,
            attributes: &attributes,
            options: &options,
        };
        let mut outcomes = Vec::with_capacity(expected_rows);
        // E.164 numbers are at most 15 digits: as u64s they take 8 bytes.
        let mut seen_phones = std::collections::HashSet::with_capacity(expected_rows);
        let phone_key = |e164: &str| e164.trim_start_matches('+').parse::<u64>().ok();
        let mut progress_error = None;
        domain::spreadsheet::visit_sheet(
            &bytes,
            &file_name,
            &domain::spreadsheet::SheetLimits::default(),
            &mut |cells| {
                // The header is line 1.
                let line = outcomes.len() as u64 + 2;
                let outcome = match check_row(&mapping, &cells, &ctx) {
                    Ok(row)
                        if phone_key(&row.phone.e164).is_some_and(|k| !seen_phones.insert(k)) =>
                    {
                        store::RowOutcome::Invalid {
                            line,
                            reason: format!(
                                "the phone {} appears earlier in the file",
                                row.phone.e164
                            ),
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
                outcomes.push(outcome);
                if outcomes.len() % 1000 == 0 && progress_error.is_none() {
                    if let Err(e) = runtime.block_on(progress_store.import_progress(
                        &progress_import,
                        outcomes.len(),
                        chrono::Duration::minutes(IMPORT_LEASE_MINUTES),
                    )) {
                        progress_error = Some(e.to_string());
                    }
                }
            },
        )
        .map_err(|e| e.to_string())?;
        match progress_error {
            Some(e) => Err(e),
            None => Ok(outcomes),
        }
    })
    .await
    .map_err(|e| e.to_string())??;
    tracing::info!(import = %import.id, rows = outcomes.len(), check_ms = started.elapsed().as_millis(), "import rows checked");
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
