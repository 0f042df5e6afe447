//! Webhooks from Meta and Twilio. The signature is checked over the raw bytes
//! before anything else is read; a verified body is committed to the event
//! table (deduplicated by provider and event key) before 200 is answered, and
//! a worker processes it later. Nothing is stored for a bad signature.

use crate::auth::tokens::sha256_hex;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use domain::channel::Channel;
use domain::webhook_event::EventKind;
use domain::ChannelId;
use serde::Deserialize;
use store::IncomingEvent;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;

/// The provider callback routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        // Meta payloads can reach a few megabytes.
        .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
        .add(Access::Public, meta_verify)
        .add(Access::Public, meta_notification)
        .add(Access::Public, twilio_notification);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Challenge {
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    pub mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

fn unsigned() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_signature",
        detail: "The webhook signature is missing or does not match.".into(),
    }
}

/// How long a channel read for a webhook is reused: a burst of webhooks
/// reads (and decrypts) it once; a changed app secret applies within this.
const CHANNEL_CACHE: std::time::Duration = std::time::Duration::from_secs(5);

async fn channel(state: &AppState, id: Uuid) -> Result<Channel, ApiError> {
    let now = std::time::Instant::now();
    if let Ok(cache) = state.webhook_channels.lock() {
        if let Some((at, channel)) = cache.get(&id) {
            if now.duration_since(*at) < CHANNEL_CACHE {
                return Ok(channel.clone());
            }
        }
    }
    let channel = state.store.channel_for_webhook(ChannelId(id)).await?;
    if let Ok(mut cache) = state.webhook_channels.lock() {
        cache.retain(|_, (at, _)| now.duration_since(*at) < CHANNEL_CACHE);
        cache.insert(id, (now, channel.clone()));
    }
    Ok(channel)
}

fn raw_event(body: &[u8]) -> IncomingEvent {
    let digest = sha256_hex(body);
    let mut payload = String::from_utf8_lossy(body).into_owned();
    payload.retain(|c| c != '\0');
    IncomingEvent {
        key: format!("raw:{digest}"),
        kind: EventKind::Unparsed,
        payload,
        customer: None,
    }
}

/// An event as stored: NUL characters a customer typed are dropped, since
/// no text column can hold them (PostgreSQL refuses them outright).
fn stored_payload(event: &providers::WebhookEvent) -> String {
    let Ok(mut value) = serde_json::to_value(event) else {
        return String::new();
    };
    crate::body::strip_nul(&mut value);
    value.to_string()
}

fn kind_of(event: &providers::WebhookEvent) -> EventKind {
    match event {
        providers::WebhookEvent::Message(_) => EventKind::Message,
        providers::WebhookEvent::Status(_) => EventKind::Status,
        providers::WebhookEvent::TemplateStatus(_) => EventKind::TemplateStatus,
        providers::WebhookEvent::AccountUpdate(_) => EventKind::AccountUpdate,
        providers::WebhookEvent::Other(_) => EventKind::Other,
    }
}

fn to_incoming(
    events: Result<Vec<providers::WebhookEvent>, providers::ParseError>,
    body: &[u8],
) -> Vec<IncomingEvent> {
    match events {
        Ok(events) => events
            .iter()
            .map(|e| IncomingEvent {
                key: e.dedupe_key().replace('\0', ""),
                kind: kind_of(e),
                payload: stored_payload(e),
                customer: e.customer().map(str::to_owned),
            })
            .collect(),
        // Signed but not understood: kept whole, so nothing is lost.
        Err(_) => vec![raw_event(body)],
    }
}

/// Meta's subscription check: echoes `hub.challenge` when `hub.verify_token`
/// is the channel's verify token.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), Challenge), responses(
    (status = 200, description = "The challenge, as plain text", content_type = "text/plain", body = String),
    (status = 403, description = "Wrong verify token", body = contract::Problem, content_type = "application/problem+json"),
    (status = 400, description = "The channel id is not a UUID", body = contract::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such channel", body = contract::Problem, content_type = "application/problem+json"),
))]
#[get("/meta/{id}")]
pub async fn meta_verify(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<Challenge>,
) -> Result<HttpResponse, ApiError> {
    // Read fresh: the token was often just generated.
    let channel = state.store.channel_for_webhook(ChannelId(*id)).await?;
    let expected = channel.published.get("verify_token").unwrap_or_default();
    match providers::meta::verify_challenge(
        query.mode.as_deref(),
        query.verify_token.as_deref(),
        query.challenge.as_deref(),
        expected,
    ) {
        Some(challenge) => Ok(HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge)),
        None => Err(ApiError::forbidden(
            "verify_token_mismatch",
            "The verify token does not match this channel.",
        )),
    }
}

/// Meta notifications (messages, statuses, template and account updates),
/// signed with the app secret in `X-Hub-Signature-256`.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path)), request_body(content = serde_json::Value, content_type = "application/json"), responses(
    (status = 200, description = "Stored (or already stored)"),
    (status = 401, description = "Missing or wrong signature; nothing stored", body = contract::Problem, content_type = "application/problem+json"),
    (status = 400, description = "The channel id is not a UUID", body = contract::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such channel", body = contract::Problem, content_type = "application/problem+json"),
))]
#[post("/meta/{id}")]
pub async fn meta_notification(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let channel = channel(&state, *id).await?;
    let secret = channel.published.get("app_secret").unwrap_or_default();
    let header = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if secret.is_empty() || !providers::meta::verify_signature(secret.as_bytes(), &body, header) {
        return Err(unsigned());
    }
    let events = to_incoming(providers::meta::parse_notification(&body), &body);
    let received = events.len();
    state.events.write(&channel, events).await?;
    tracing::info!(channel = %channel.id, received, "meta webhook stored");
    Ok(HttpResponse::Ok().finish())
}

/// Twilio status callbacks and inbound messages (form-encoded), signed with
/// the auth token in `X-Twilio-Signature` over the public URL and parameters.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded"), responses(
    (status = 200, description = "Stored (or already stored)"),
    (status = 401, description = "Missing or wrong signature; nothing stored", body = contract::Problem, content_type = "application/problem+json"),
    (status = 400, description = "The channel id is not a UUID", body = contract::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such channel", body = contract::Problem, content_type = "application/problem+json"),
))]
#[post("/twilio/{id}")]
pub async fn twilio_notification(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let channel = channel(&state, *id).await?;
    let token = channel.published.get("auth_token").unwrap_or_default();
    let url = format!("{}{}", state.settings.public_url, req.uri());
    let params = providers::twilio::form_params(&body);
    let header = req
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok());
    if !providers::twilio::verify_signature(token, &url, &params, header) {
        return Err(unsigned());
    }
    let events = to_incoming(
        providers::twilio::parse_form(&params).map(|e| vec![e]),
        &body,
    );
    state.events.write(&channel, events).await?;
    tracing::info!(channel = %channel.id, "twilio webhook stored");
    Ok(HttpResponse::Ok()
        .content_type("text/xml")
        .body("<Response></Response>"))
}
