//! Who handles a conversation, as a person changes it: taking control,
//! releasing, resolving and reopening, transferring to someone else, the
//! chatbot toggle, and archiving. Each change is stored with its journey
//! entry and published to the live stream; the answer is the saved
//! conversation.

use domain::team::Member;
use domain::TenantId;
use store::ConversationRecord;
use uuid::Uuid;

use crate::conversations::{
    actor_of, control_error, notify, notify_if_handoff, publish_conversation,
};
use crate::error::AppError;
use crate::App;

/// The changes of who controls a conversation that need nothing but the
/// person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    Take,
    Release,
    Resolve,
    Reopen,
}

/// Applies `action` for `member`; a hand-off to the queue notifies the team.
pub async fn change_control(
    app: &App,
    member: &Member,
    id: Uuid,
    action: ControlAction,
) -> Result<ConversationRecord, AppError> {
    let tenant = member.tenant_id;
    let actor = actor_of(member);
    let current = app.store.conversation(tenant, id).await?;
    let (next, journey) = match action {
        ControlAction::Take => (
            current.control.take_control(actor),
            ("took_control", "Took control of the conversation"),
        ),
        ControlAction::Release => (
            current.control.release(actor),
            ("released", "Released the conversation"),
        ),
        ControlAction::Resolve => (
            current.control.resolve(actor),
            ("resolved", "Resolved the conversation"),
        ),
        ControlAction::Reopen => (
            current.control.reopen(actor),
            ("reopened", "Reopened the conversation"),
        ),
    };
    let next = next.map_err(control_error)?;
    let saved = app
        .store
        .set_control(tenant, id, next, Some(journey), actor.user)
        .await?;
    publish_conversation(app, &saved).await;
    notify_if_handoff(app, current.control.state, &saved).await;
    Ok(saved)
}

/// Hands the conversation to `to`, who must be an active member working
/// conversations; they are notified unless they handed it to themselves.
pub async fn transfer(
    app: &App,
    member: &Member,
    id: Uuid,
    to: Uuid,
) -> Result<ConversationRecord, AppError> {
    let tenant = member.tenant_id;
    let people = app.store.conversation_agents(tenant).await?;
    let Some((_, name)) = people.iter().find(|(id, _)| *id == to) else {
        return Err(AppError::field(
            "user_id",
            "Choose an active member who works conversations.",
        ));
    };
    let actor = actor_of(member);
    let current = app.store.conversation(tenant, id).await?;
    let next = current.control.transfer(actor, to).map_err(control_error)?;
    let detail = format!("Transferred the conversation to {name}");
    let saved = app
        .store
        .set_control(tenant, id, next, Some(("transferred", &detail)), actor.user)
        .await?;
    publish_conversation(app, &saved).await;
    if to != actor.user {
        let notice = domain::notification::conversation_transferred(
            member.name(),
            &saved.contact_name,
            saved.id,
        );
        notify(app, tenant, &notice, Some(to)).await;
    }
    Ok(saved)
}

/// Turns the chatbot on or off (the controller only, unless the member
/// acts on all conversations).
pub async fn set_chatbot(
    app: &App,
    member: &Member,
    id: Uuid,
    enabled: bool,
) -> Result<ConversationRecord, AppError> {
    let tenant = member.tenant_id;
    let actor = actor_of(member);
    let current = app.store.conversation(tenant, id).await?;
    let next = current
        .control
        .set_chatbot(actor, enabled)
        .map_err(control_error)?;
    let journey = if enabled {
        ("chatbot_on", "Turned the chatbot on")
    } else {
        ("chatbot_off", "Turned the chatbot off")
    };
    let saved = app
        .store
        .set_control(tenant, id, next, Some(journey), actor.user)
        .await?;
    publish_conversation(app, &saved).await;
    Ok(saved)
}

/// Moves the conversation out of the lists, or back.
pub async fn set_archived(
    app: &App,
    tenant: TenantId,
    id: Uuid,
    archived: bool,
) -> Result<ConversationRecord, AppError> {
    let saved = app.store.set_archived(tenant, id, archived).await?;
    publish_conversation(app, &saved).await;
    Ok(saved)
}
