//! The session behaviour's rounds: quiet customers are asked whether they
//! still need help, and told when their conversation closes.

use crate::{conversations, App};

/// Conversations one session behaviour round looks at, at most.
const SESSION_BATCH: u64 = 200;

/// One round at `now`: for each conversation due for a step, takes the
/// step in the database first (so no other round repeats it), then sends
/// the question or the session-end message as the system; after the end
/// message the conversation is resolved. Answers how many steps were taken.
pub async fn round(app: &App, now: chrono::DateTime<chrono::Utc>) -> usize {
    use domain::conversation::{session_step, SessionStep};
    let store = &app.store;
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
        if let Err(e) = conversations::send_system_text(app, tenant, id, text).await {
            // Not retried: asking twice is worse than not asking.
            tracing::warn!(conversation = %id, error = ?e, "a session behaviour message was not sent");
            continue;
        }
        if step == SessionStep::End {
            match store.close_after_inactivity(tenant, id).await {
                Ok(Some(conversation)) => {
                    conversations::publish_conversation(app, &conversation).await;
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
