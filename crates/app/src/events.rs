//! Webhook events, stored by the webhook routes, turned into their effects
//! by kind: phone quality updates, template review decisions, inbound
//! messages and delivery statuses. Every kind is handled here.
//!
//! [`drain_once`] is one round of the queue: it leases a set of groups
//! (one channel and one customer each), runs the groups side by side and
//! each group's events one after another in the order they arrived, then
//! records the outcomes in a few statements. So one conversation's events
//! are applied in order while different conversations proceed in parallel.

use std::collections::HashMap;

use futures_util::stream::{self, StreamExt};
use providers::WebhookEvent;
use store::{ClaimLimits, ClaimedEvent, EventOutcome};
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
        "template_status" => {
            templates::apply_review_decision(app, event).await?;
            processed
        }
        "message" => {
            conversations::apply_inbound(app, event.tenant(), event.channel(), &event.payload)
                .await?;
            processed
        }
        "status" => match conversations::apply_status(app, event.tenant(), &event.payload).await? {
            StatusApplied::Done => processed,
            StatusApplied::WaitsFor(id) => Ok(Applied::WaitsFor(id)),
        },
        _ => processed,
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
    let events = app.store.claim_event_groups(worker, settings.claim).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let taken = events.len();
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
    let keys: Vec<String> = groups.iter().map(|g| g[0].group_key.clone()).collect();
    let done: Vec<(Uuid, EventOutcome)> = stream::iter(groups)
        .map(|group| apply_group(app, group, settings.max_attempts))
        .buffer_unordered(settings.parallel.max(1))
        .flat_map(stream::iter)
        .collect()
        .await;
    app.store.finish_webhook_events(&done).await?;
    app.store.release_groups(worker, &keys).await?;
    Ok(taken)
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
