//! Webhook events, stored by the webhook routes, turned into their effects
//! by kind: phone quality updates, template review decisions, inbound
//! messages and delivery statuses. Every kind is handled here.
//!
//! [`drain_once`] is one round of the queue: it leases a set of groups
//! (one channel and one customer each), runs the groups side by side and
//! each group's events one after another in the order they arrived, then
//! records the outcomes in a few statements. So one conversation's events
//! are applied in order while different conversations proceed in parallel.
//! The round's delivery statuses go first, all together in one
//! transaction per tenant: they commute with the rest of their group, and
//! the reports about one message keep their order.

use std::collections::{HashMap, HashSet};

use domain::webhook_event::EventKind;
use futures_util::stream::{self, StreamExt};
use providers::WebhookEvent;
use store::{ClaimLimits, ClaimedEvent, EventOutcome, StatusReport};
use uuid::Uuid;

use crate::conversations::StatusApplied;
use crate::{conversations, templates, App};

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Done(EventOutcome),
    /// A status for a message not stored yet: kept until it is.
    WaitsFor(String),
}

/// The effects of one claimed event, by kind. An error leaves the event
/// to be retried.
pub async fn apply(app: &App, event: &ClaimedEvent) -> Result<Applied, String> {
    let store = &app.store;
    let processed = Ok(Applied::Done(EventOutcome::Processed));
    match event.kind() {
        Some(EventKind::AccountUpdate) => {
            let parsed: WebhookEvent =
                serde_json::from_str(&event.payload).map_err(|e| e.to_string())?;
            if let WebhookEvent::AccountUpdate(update) = parsed {
                if update.field == "phone_number_quality_update" {
                    let rating = match (&update.event, &update.current_limit) {
                        (Some(e), Some(limit)) => format!("{e} · {limit}"),
                        (Some(e), None) => e.clone(),
                        (None, Some(limit)) => limit.clone(),
                        (None, None) => return processed,
                    };
                    store
                        .set_quality_rating(event.tenant(), event.channel(), &rating)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            processed
        }
        Some(EventKind::TemplateStatus) => {
            templates::apply_review_decision(app, event).await?;
            processed
        }
        Some(EventKind::Message) => {
            conversations::apply_inbound(app, event.tenant(), event.channel(), &event.payload)
                .await?;
            processed
        }
        Some(EventKind::Status) => {
            match conversations::apply_status(app, event.tenant(), &event.payload).await? {
                StatusApplied::Done => processed,
                StatusApplied::WaitsFor(id) => Ok(Applied::WaitsFor(id)),
            }
        }
        Some(EventKind::Other | EventKind::Unparsed) | None => processed,
    }
}

/// How a worker drains the queue.
#[derive(Debug, Clone, Copy)]
pub struct DrainSettings {
    pub claim: ClaimLimits,
    /// Groups applied at the same time.
    pub parallel: usize,
    /// Attempts before an event is marked failed and its group moves on.
    pub max_attempts: i32,
}

/// Seconds to wait before attempt `attempts + 1`: 2, 4, 8 ... capped at one hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    2i64.saturating_pow(exponent).min(3600)
}

/// One round: claims groups for `worker`, applies their events and records
/// the outcomes. Answers how many events it took (0: nothing was due).
pub async fn drain_once(
    app: &App,
    worker: Uuid,
    settings: &DrainSettings,
) -> Result<usize, store::StoreError> {
    let started = std::time::Instant::now();
    let events = app.store.claim_event_groups(worker, settings.claim).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let claimed = started.elapsed();
    // Every group leased this round is released, also those whose events
    // were all statuses applied at once.
    let leased_keys: Vec<String> = events.iter().map(|e| e.group_key.clone()).collect();
    let taken = events.len();
    let (mut done, handled) = apply_statuses_at_once(app, &events).await;
    let statuses = started.elapsed();
    let at_once = handled.len();
    let events: Vec<ClaimedEvent> = events
        .into_iter()
        .filter(|e| !handled.contains(&e.id))
        .collect();
    let mut groups: Vec<Vec<ClaimedEvent>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for event in events {
        match index.get(&event.group_key) {
            Some(&i) => groups[i].push(event),
            None => {
                index.insert(event.group_key.clone(), groups.len());
                groups.push(vec![event]);
            }
        }
    }
    let mut keys: Vec<String> = groups.iter().map(|g| g[0].group_key.clone()).collect();
    let applied: Vec<(Uuid, EventOutcome)> = stream::iter(groups)
        .map(|group| apply_group(app, group, settings.max_attempts))
        .buffer_unordered(settings.parallel.max(1))
        .flat_map(stream::iter)
        .collect()
        .await;
    let one_by_one = applied.len();
    let applied_at = started.elapsed();
    done.extend(applied);
    app.store.finish_webhook_events(&done).await?;
    keys.extend(leased_keys);
    keys.sort_unstable();
    keys.dedup();
    let groups = keys.len();
    app.store.release_groups(worker, &keys).await?;
    // Where a round's time goes, for tuning (RUST_LOG=app::events=debug).
    tracing::debug!(
        taken,
        groups,
        at_once,
        one_by_one,
        claim_ms = claimed.as_millis() as u64,
        statuses_ms = (statuses - claimed).as_millis() as u64,
        groups_ms = (applied_at - statuses).as_millis() as u64,
        finish_ms = (started.elapsed() - applied_at).as_millis() as u64,
        "webhook round"
    );
    Ok(taken)
}

/// The round's delivery statuses, applied together, one call per tenant
/// (see [`conversations::apply_statuses`]): a broadcast's statuses are
/// most of the queue, and one transaction for hundreds of them beats one
/// each. A status commutes with everything else in its group (it touches
/// only its own message, and only forward), and reports about one message
/// keep their order, so this keeps each conversation's order. Answers the
/// events done and every event handled here (done or left waiting for its
/// message); on an error nothing is handled and the events take the
/// one-by-one path with its retries.
async fn apply_statuses_at_once(
    app: &App,
    events: &[ClaimedEvent],
) -> (Vec<(Uuid, EventOutcome)>, HashSet<Uuid>) {
    let mut by_tenant: HashMap<Uuid, Vec<(&ClaimedEvent, StatusReport)>> = HashMap::new();
    for event in events
        .iter()
        .filter(|e| e.kind() == Some(EventKind::Status))
    {
        // Unreadable or not for us: the one-by-one path decides.
        if let Ok(Some(report)) = conversations::status_report(&event.payload) {
            by_tenant
                .entry(event.tenant_id)
                .or_default()
                .push((event, report));
        }
    }
    let mut done = Vec::new();
    let mut handled = HashSet::new();
    for (tenant, batch) in by_tenant {
        let reports: Vec<StatusReport> = batch.iter().map(|(_, r)| r.clone()).collect();
        let answers = match conversations::apply_statuses(app, domain::TenantId(tenant), &reports)
            .await
        {
            Ok(answers) => answers,
            Err(error) => {
                tracing::warn!(%error, "applying a round's statuses together failed; one by one instead");
                continue;
            }
        };
        for ((event, _), answer) in batch.iter().zip(answers) {
            match answer {
                StatusApplied::Done => {
                    done.push((event.id, EventOutcome::Processed));
                    handled.insert(event.id);
                }
                StatusApplied::WaitsFor(message) => {
                    match app.store.park_webhook_event(event, &message).await {
                        Ok(()) => {
                            handled.insert(event.id);
                        }
                        // Applied already (nothing changes a second time);
                        // left to the lease like any unrecorded outcome.
                        Err(e) => {
                            tracing::error!(event = %event.id, error = %e, "recording a webhook event's outcome failed");
                            handled.insert(event.id);
                        }
                    }
                }
            }
        }
    }
    (done, handled)
}

/// Applies one group's events in order. Answers the events that are done;
/// the rest were recorded here (waiting, retried, failed or handed back).
async fn apply_group(
    app: &App,
    group: Vec<ClaimedEvent>,
    max_attempts: i32,
) -> Vec<(Uuid, EventOutcome)> {
    let store = &app.store;
    let mut done = Vec::with_capacity(group.len());
    let mut rest = group.into_iter();
    while let Some(event) = rest.next() {
        let recorded = match apply(app, &event).await {
            Ok(Applied::Done(outcome)) => {
                done.push((event.id, outcome));
                continue;
            }
            Ok(Applied::WaitsFor(message)) => store.park_webhook_event(&event, &message).await,
            Err(error) if event.attempts >= max_attempts => {
                tracing::error!(event = %event.id, attempts = event.attempts, %error, "a webhook event failed too often; kept as failed");
                store.give_up_webhook_event(&event, &error).await
            }
            Err(error) => {
                let retry_at =
                    chrono::Utc::now() + chrono::Duration::seconds(backoff_secs(event.attempts));
                tracing::warn!(event = %event.id, attempts = event.attempts, %error, "webhook event failed; will retry");
                let retried = store.retry_webhook_event(&event, &error, retry_at).await;
                // The group's later events wait behind this one.
                let later: Vec<Uuid> = rest.by_ref().map(|e| e.id).collect();
                match retried {
                    Ok(()) => store.unclaim_webhook_events(&later).await,
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = recorded {
            // The lease runs out and the events are claimed again.
            tracing::error!(event = %event.id, error = %e, "recording a webhook event's outcome failed");
            break;
        }
    }
    done
}
