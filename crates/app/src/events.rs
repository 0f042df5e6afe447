//! Webhook events, stored by the webhook routes, turned into their effects
//! by kind: phone quality updates, template review decisions, inbound
//! messages and delivery statuses. The worker claims the events and
//! records the outcome; every kind is handled here.

use providers::WebhookEvent;
use store::{ClaimedEvent, EventOutcome};

use crate::{conversations, templates, App};

/// The effects of one claimed event, by kind. An error leaves the event
/// to be retried.
pub async fn apply(app: &App, event: &ClaimedEvent) -> Result<EventOutcome, String> {
    let store = &app.store;
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
        "template_status" => {
            templates::apply_review_decision(app, event).await?;
            Ok(EventOutcome::Processed)
        }
        "message" => {
            conversations::apply_inbound(app, event.tenant(), event.channel(), &event.payload)
                .await?;
            Ok(EventOutcome::Processed)
        }
        "status" => {
            conversations::apply_status(app, event.tenant(), &event.payload, event.attempts)
                .await?;
            Ok(EventOutcome::Processed)
        }
        _ => Ok(EventOutcome::Processed),
    }
}
