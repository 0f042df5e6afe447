//! Quick replies: saved answers agents insert with `/shortcut`, offered on
//! every channel or on some.

use actix_web::{delete, get, post, put, web, HttpResponse};
use contract::conversations::{Affected, IdList, QuickReply, QuickReplyInput};
use domain::conversation::QuickReplyDraft;
use domain::permissions::{Action, Module};
use domain::ChannelId;
use serde::Deserialize;
use store::{QuickReplyRecord, StoreError};
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The quick-reply routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::QuickReplies, Action::View), list_quick_replies)
        .add(
            perm(Module::QuickReplies, Action::Delete),
            bulk_delete_quick_replies,
        )
        .add(
            perm(Module::QuickReplies, Action::Create),
            create_quick_reply,
        )
        .add(perm(Module::QuickReplies, Action::Edit), update_quick_reply)
        .add(
            perm(Module::QuickReplies, Action::Delete),
            delete_quick_reply,
        );
}

fn dto(r: QuickReplyRecord) -> QuickReply {
    QuickReply {
        id: r.id,
        shortcut: r.shortcut,
        body: r.body,
        channel_ids: r.channel_ids,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuickReplyQuery {
    /// Part of the shortcut or the text, any case.
    pub q: Option<String>,
    /// Only those offered on this channel.
    pub channel_id: Option<Uuid>,
}

/// The tenant's quick replies, by shortcut.
#[utoipa::path(tag = "quick replies", params(QuickReplyQuery), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<QuickReply>), Unauthenticated, Forbidden,
))]
#[get("/quick-replies")]
pub async fn list_quick_replies(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<QuickReplyQuery>,
) -> Result<web::Json<Vec<QuickReply>>, ApiError> {
    let found = state
        .store
        .list_quick_replies(
            auth.tenant(),
            query.q.as_deref(),
            query.channel_id.map(ChannelId),
        )
        .await?;
    Ok(web::Json(found.into_iter().map(dto).collect()))
}

/// Checks the fields, and that every channel is one of the tenant's.
async fn draft(
    state: &AppState,
    auth: &Authenticated,
    input: QuickReplyInput,
) -> Result<QuickReplyDraft, ApiError> {
    let draft = QuickReplyDraft {
        shortcut: input.shortcut,
        body: input.body,
        channel_ids: input.channel_ids,
    }
    .check()?;
    for id in &draft.channel_ids {
        match state.store.channel(auth.tenant(), ChannelId(*id)).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(ApiError::field(
                    "channel_ids",
                    "Choose channels of this tenant.",
                ))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(draft)
}

fn shortcut_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict("shortcut_taken") => {
            ApiError::field("shortcut", "Another quick reply uses this shortcut.")
        }
        other => other.into(),
    }
}

/// Saves a new quick reply.
#[utoipa::path(tag = "quick replies", request_body = QuickReplyInput, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = QuickReply), Unauthenticated, Forbidden, Invalid,
))]
#[post("/quick-replies")]
pub async fn create_quick_reply(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<QuickReplyInput>,
) -> Result<HttpResponse, ApiError> {
    let draft = draft(&state, &auth, body.into_inner()).await?;
    let saved = state
        .store
        .save_quick_reply(auth.tenant(), None, &draft, auth.user_id().0)
        .await
        .map_err(shortcut_taken)?;
    Ok(HttpResponse::Created().json(dto(saved)))
}

/// Replaces a quick reply's shortcut, text and channels.
#[utoipa::path(tag = "quick replies", params(("id" = Uuid, Path)), request_body = QuickReplyInput, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Saved", body = QuickReply), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[put("/quick-replies/{id}")]
pub async fn update_quick_reply(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<QuickReplyInput>,
) -> Result<web::Json<QuickReply>, ApiError> {
    let draft = draft(&state, &auth, body.into_inner()).await?;
    let saved = state
        .store
        .save_quick_reply(auth.tenant(), Some(*id), &draft, auth.user_id().0)
        .await
        .map_err(shortcut_taken)?;
    Ok(web::Json(dto(saved)))
}

/// Deletes one quick reply.
#[utoipa::path(tag = "quick replies", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/quick-replies/{id}")]
pub async fn delete_quick_reply(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    match state
        .store
        .delete_quick_replies(auth.tenant(), &[*id])
        .await?
    {
        0 => Err(ApiError::NotFound),
        _ => Ok(HttpResponse::NoContent().finish()),
    }
}

/// Deletes several quick replies; answers how many went.
#[utoipa::path(tag = "quick replies", request_body = IdList, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Deleted", body = Affected), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/quick-replies/bulk-delete")]
pub async fn bulk_delete_quick_replies(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<IdList>,
) -> Result<web::Json<Affected>, ApiError> {
    let ids = body.into_inner().ids;
    if ids.len() > 1000 {
        return Err(ApiError::field("ids", "Delete at most 1,000 at once."));
    }
    let affected = state
        .store
        .delete_quick_replies(auth.tenant(), &ids)
        .await?;
    Ok(web::Json(Affected { affected }))
}
