//! Channels of the current tenant: credentials, status, draft, tokens.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use contract::channels::{
    Channel as ChannelDto, ChannelDraft, CreateChannelRequest, CredentialsRequest, GeneratedToken,
    ProviderField, ProviderInfo, SessionBehaviour, SessionBehaviourRequest, UpdateChannelRequest,
};
use contract::Page;
use domain::channel::{check_channel_name, Channel, ChannelStatus, Draft, Provider};
use domain::ChannelId;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::{tokens, Authenticated};
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{perm, Routes};
use crate::state::AppState;
use app::channel_provider::{self, channel_store_error as store_error};
use domain::permissions::{Action, Module};

/// The channel routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Channels, Action::View), list_providers)
        .add(perm(Module::Channels, Action::View), list_channels)
        .add(perm(Module::Channels, Action::Create), create_channel)
        .add(perm(Module::Channels, Action::View), get_channel)
        .add(perm(Module::Channels, Action::Edit), update_channel)
        .add(perm(Module::Channels, Action::Delete), delete_channel)
        .add(perm(Module::Channels, Action::Edit), save_draft)
        .add(perm(Module::Channels, Action::Edit), discard_draft)
        .add(perm(Module::Channels, Action::Edit), generate_api_token)
        .add(perm(Module::Channels, Action::Edit), generate_verify_token)
        .add(perm(Module::Channels, Action::Edit), validate_channel)
        .add(perm(Module::Channels, Action::Edit), subscribe_channel)
        .add(perm(Module::Channels, Action::Edit), validate_draft)
        .add(perm(Module::Channels, Action::Edit), publish_draft)
        .add(perm(Module::Channels, Action::View), get_session_behaviour)
        .add(
            perm(Module::Channels, Action::Edit),
            update_session_behaviour,
        );
}

pub fn channel_dto(state: &AppState, c: &Channel) -> ChannelDto {
    let kind = if c.provider.speaks_graph_api() {
        "meta"
    } else {
        "twilio"
    };
    ChannelDto {
        id: c.id.0,
        name: c.name.clone(),
        provider: c.provider.key().to_owned(),
        active: c.active,
        status: c.status.key().to_owned(),
        status_code: c.status_code.clone(),
        status_message: c.status_message.clone(),
        checked_at: c.checked_at,
        subscribed: c.subscribed,
        quality_rating: c.quality_rating.clone(),
        fields: c.published.masked(),
        missing: c
            .published
            .missing(c.provider)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        draft: c.draft.as_ref().map(|d| draft_dto(d, c.provider)),
        api_token_set: c.api_token_created_at.is_some(),
        api_token_created_at: c.api_token_created_at,
        callback_url: format!("{}/webhooks/{kind}/{}", state.settings.public_url, c.id.0),
        created_at: c.created_at,
    }
}

/// New credentials being tried, masked, with their own check's outcome.
fn draft_dto(d: &Draft, provider: Provider) -> ChannelDraft {
    ChannelDraft {
        fields: d.credentials.masked(),
        status: d.status.key().to_owned(),
        status_code: d.status_code.clone(),
        status_message: d.status_message.clone(),
        missing: d
            .credentials
            .missing(provider)
            .into_iter()
            .map(str::to_owned)
            .collect(),
    }
}

/// Every provider and the credential fields it needs.
#[utoipa::path(tag = "channels", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<ProviderInfo>), Unauthenticated, Forbidden,
))]
#[get("/channels/providers")]
pub async fn list_providers(
    state: web::Data<AppState>,
    _auth: Authenticated,
) -> web::Json<Vec<ProviderInfo>> {
    web::Json(
        Provider::ALL
            .iter()
            .filter(|p| **p != Provider::Sandbox || state.settings.sandbox)
            .map(|p| ProviderInfo {
                provider: p.key().to_owned(),
                fields: p
                    .fields()
                    .iter()
                    .map(|f| ProviderField {
                        key: f.key.to_owned(),
                        secret: f.secret,
                        required: f.required,
                    })
                    .collect(),
            })
            .collect(),
    )
}

/// The tenant's channels.
#[utoipa::path(tag = "channels", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<ChannelDto>), Unauthenticated, Forbidden,
))]
#[get("/channels")]
pub async fn list_channels(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Page<ChannelDto>>, ApiError> {
    let channels = state.store.list_channels(auth.tenant()).await?;
    Ok(web::Json(Page {
        total: Some(channels.len() as u64),
        items: channels.iter().map(|c| channel_dto(&state, c)).collect(),
        next_cursor: None,
    }))
}

/// Adds a channel. Its credentials stay `pending` until checked with
/// Validate & Update. A `sandbox` channel gets generated credentials for the
/// built-in fake provider.
#[utoipa::path(tag = "channels", request_body = CreateChannelRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = ChannelDto), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/channels")]
pub async fn create_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateChannelRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let channel = channel_provider::create(
        &state,
        auth.tenant(),
        &body.name,
        &body.provider,
        &body.fields,
        body.active,
    )
    .await?;
    Ok(HttpResponse::Created().json(channel_dto(&state, &channel)))
}

/// One channel.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ChannelDto), Unauthenticated, Forbidden, NotFound,
))]
#[get("/channels/{id}")]
pub async fn get_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let channel = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Renames a channel or turns it on or off. A phone number can be active in
/// one tenant only.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), request_body = UpdateChannelRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ChannelDto), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/channels/{id}")]
pub async fn update_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<UpdateChannelRequest>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let name = match body.name.as_deref() {
        Some(n) => check_channel_name(n).map_err(|m| ApiError::field("name", m))?,
        None => current.name.clone(),
    };
    let channel = state
        .store
        .rename_channel(
            auth.tenant(),
            current.id,
            &name,
            body.active.unwrap_or(current.active),
        )
        .await
        .map_err(store_error)?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Deletes a channel and its stored webhook events.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/channels/{id}")]
pub async fn delete_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .delete_channel(auth.tenant(), ChannelId(*id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Saves credentials as a draft; the published ones keep serving until
/// the draft is checked and published.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), request_body = CredentialsRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ChannelDto), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[put("/channels/{id}/draft")]
pub async fn save_draft(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<CredentialsRequest>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let base = current
        .draft
        .as_ref()
        .map(|d| &d.credentials)
        .unwrap_or(&current.published);
    let credentials = base.merged(current.provider, &body.fields)?;
    let draft = Draft {
        credentials,
        status: ChannelStatus::Pending,
        status_code: None,
        status_message: None,
    };
    let channel = state
        .store
        .save_draft(auth.tenant(), current.id, &draft)
        .await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Throws the draft away.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = ChannelDto), Unauthenticated, Forbidden, NotFound,
))]
#[delete("/channels/{id}/draft")]
pub async fn discard_draft(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let channel = state
        .store
        .discard_draft(auth.tenant(), ChannelId(*id))
        .await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Generates the channel's external API token, shown this once. The previous
/// token stops working at once.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "The new token", body = GeneratedToken), Unauthenticated, Forbidden, NotFound,
))]
#[post("/channels/{id}/api-token")]
pub async fn generate_api_token(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<GeneratedToken>, ApiError> {
    let token = format!("sbk_{}", tokens::generate());
    let created_at = state
        .store
        .set_api_token(auth.tenant(), ChannelId(*id), &tokens::digest(&token))
        .await?;
    Ok(web::Json(GeneratedToken { token, created_at }))
}

/// Generates a new webhook verify token (Meta), shown this once; paste it
/// into Meta's webhook settings with the callback URL.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "The new verify token", body = GeneratedToken), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/channels/{id}/verify-token")]
pub async fn generate_verify_token(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<GeneratedToken>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    if !current.provider.speaks_graph_api() {
        return Err(ApiError::Unprocessable {
            code: "not_for_provider",
            detail: "Twilio signs its webhooks with the auth token; it needs no verify token."
                .into(),
        });
    }
    let token = tokens::generate();
    let mut credentials = current.published.clone();
    credentials
        .secrets
        .insert("verify_token".into(), token.clone());
    state
        .store
        .save_published(
            auth.tenant(),
            current.id,
            &credentials,
            current.status,
            current.status_code.clone(),
            current.status_message.clone(),
        )
        .await?;
    Ok(web::Json(GeneratedToken {
        token,
        created_at: chrono::Utc::now(),
    }))
}

/// Validate & Update: merges the submitted fields into the published
/// credentials, checks them live with the provider, and saves them only if
/// the provider accepts. A refusal answers 422 `provider_rejected` with the
/// provider's code and message; when the stored credentials themselves were
/// refused, the channel turns `invalid`.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), request_body = CredentialsRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Checked and saved", body = ChannelDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[post("/channels/{id}/validate")]
pub async fn validate_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<CredentialsRequest>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let credentials = current.published.merged(current.provider, &body.fields)?;
    let channel = channel_provider::validate_and_update(&state, &current, credentials).await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Subscribes the app to the WhatsApp Business Account's webhooks (Meta and
/// sandbox channels whose credentials are good), then reads the subscription back.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Subscribed", body = ChannelDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/channels/{id}/subscribe")]
pub async fn subscribe_channel(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let channel = channel_provider::subscribe(&state, &current).await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Checks the draft with the provider and records the outcome on the draft;
/// the published credentials are not touched.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Checked; see draft.status", body = ChannelDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/channels/{id}/draft/validate")]
pub async fn validate_draft(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let channel = channel_provider::validate_draft(&state, &current).await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

/// Publishes a checked draft: it replaces the published credentials.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Published", body = ChannelDto), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/channels/{id}/draft/publish")]
pub async fn publish_draft(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChannelDto>, ApiError> {
    let current = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let Some(draft) = current
        .draft
        .as_ref()
        .filter(|d| d.status == ChannelStatus::Good)
    else {
        return Err(ApiError::conflict(
            "draft_not_validated",
            "Check the draft with the provider before publishing it.",
        ));
    };
    state
        .store
        .save_published(
            auth.tenant(),
            current.id,
            &draft.credentials,
            ChannelStatus::Good,
            None,
            None,
        )
        .await
        .map_err(store_error)?;
    let channel = state.store.discard_draft(auth.tenant(), current.id).await?;
    Ok(web::Json(channel_dto(&state, &channel)))
}

fn session_dto(record: store::SessionSettingsRecord) -> SessionBehaviour {
    let s = record.settings;
    SessionBehaviour {
        enabled: s.enabled,
        ask_after_minutes: s.ask_after_minutes,
        end_after_minutes: s.end_after_minutes,
        ask_text: s.ask_text,
        end_text: s.end_text,
        updated_at: record.updated_at,
    }
}

/// The channel's session behaviour: whether and when inactive
/// conversations are asked about and closed. Off, with default texts,
/// until saved.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = SessionBehaviour), Unauthenticated, Forbidden, NotFound,
))]
#[get("/channels/{id}/session-behaviour")]
pub async fn get_session_behaviour(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<SessionBehaviour>, ApiError> {
    let record = state
        .store
        .session_settings(auth.tenant(), ChannelId(*id))
        .await?;
    Ok(web::Json(session_dto(record)))
}

/// Replaces the channel's session behaviour. Delays are 1 to 1,440
/// minutes; texts 1 to 1,024 characters.
#[utoipa::path(tag = "channels", params(("id" = Uuid, Path)), request_body = SessionBehaviourRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Saved", body = SessionBehaviour), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[put("/channels/{id}/session-behaviour")]
pub async fn update_session_behaviour(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<SessionBehaviourRequest>,
) -> Result<web::Json<SessionBehaviour>, ApiError> {
    let body = body.into_inner();
    let id = ChannelId(*id);
    // Another tenant's channel is absent before the body is judged.
    state.store.session_settings(auth.tenant(), id).await?;
    // Out of range for u32 fails the domain's range check like any other.
    let minutes = |m: i64| u32::try_from(m).unwrap_or(0);
    let settings = domain::conversation::SessionSettings {
        enabled: body.enabled,
        ask_after_minutes: minutes(body.ask_after_minutes),
        end_after_minutes: minutes(body.end_after_minutes),
        ask_text: body.ask_text,
        end_text: body.end_text,
    }
    .check()
    .map_err(ApiError::Validation)?;
    let record = state
        .store
        .save_session_settings(auth.tenant(), id, &settings)
        .await?;
    Ok(web::Json(session_dto(record)))
}
