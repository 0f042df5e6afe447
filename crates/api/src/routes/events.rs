//! The live event stream (Server-Sent Events). A browser's EventSource
//! cannot send an Authorization header, and the access token must not go
//! into a URL, so the client first trades its token for a single-use
//! ticket that expires within a minute, then opens `GET /events?ticket=`.

use std::time::Duration;

use crate::auth::tokens::sha256_hex;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use contract::inbox::{LiveEvent, StreamTicket};
use domain::permissions::{Action, Module, Permission};
use domain::team::MemberStatus;
use domain::UserId;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use super::docs::{Invalid, Unauthenticated};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::live::{Audience, Envelope};
use crate::state::AppState;

const TICKET_SECONDS: i64 = 60;
/// A comment line this often keeps proxies from closing a quiet stream.
const HEARTBEAT: Duration = Duration::from_secs(20);

fn ticket_hash(ticket: &str) -> String {
    sha256_hex(ticket.as_bytes())
}

/// A ticket for one `GET /events`, valid for a minute.
#[utoipa::path(tag = "events", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = StreamTicket), Unauthenticated,
))]
#[post("/events/ticket")]
pub async fn create_ticket(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<StreamTicket>, ApiError> {
    let ticket = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let expires_at = Utc::now() + chrono::Duration::seconds(TICKET_SECONDS);
    state
        .store
        .create_stream_ticket(
            auth.tenant(),
            auth.user_id().0,
            &ticket_hash(&ticket),
            expires_at,
        )
        .await?;
    Ok(web::Json(StreamTicket { ticket, expires_at }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// From `POST /events/ticket`; works once.
    pub ticket: Option<String>,
}

/// Who is listening, and what they may hear.
struct Listener {
    tenant: uuid::Uuid,
    user: uuid::Uuid,
    reads_conversations: bool,
    chat_sync: bool,
}

impl Listener {
    fn hears(&self, envelope: &Envelope) -> bool {
        if envelope.tenant != self.tenant {
            return false;
        }
        match envelope.audience {
            Audience::User { id } => id == self.user,
            Audience::Conversations { controller } => {
                self.reads_conversations && (self.chat_sync || controller == Some(self.user))
            }
        }
    }
}

fn frame(event: &LiveEvent) -> Option<Bytes> {
    let name = match event {
        LiveEvent::Message { .. } => "message",
        LiveEvent::Status(_) => "status",
        LiveEvent::Conversation { .. } => "conversation",
        LiveEvent::Notification { .. } => "notification",
    };
    let data = serde_json::to_string(event).ok()?;
    Some(Bytes::from(format!("event: {name}\ndata: {data}\n\n")))
}

/// The signed-in person's live events as `text/event-stream`: `message`,
/// `status`, `conversation` and `notification` events whose data is a
/// `LiveEvent`, and `resync` when the stream fell behind (reload then).
#[utoipa::path(tag = "events", params(StreamQuery), responses(
    (status = 200, description = "The event stream", content_type = "text/event-stream", body = LiveEvent),
    Unauthenticated, Invalid,
))]
#[get("/events")]
pub async fn stream(
    state: web::Data<AppState>,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let refused =
        || ApiError::unauthorized("This ticket is unknown, used or expired; ask for a new one.");
    let ticket = query
        .ticket
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(refused)?;
    let (tenant, user) = state
        .store
        .redeem_stream_ticket(&ticket_hash(ticket))
        .await?
        .ok_or_else(refused)?;
    let member = state
        .store
        .member(tenant, UserId(user))
        .await
        .map_err(|_| refused())?;
    if member.status != MemberStatus::Active {
        return Err(refused());
    }
    let listener = Listener {
        tenant: tenant.0,
        user,
        reads_conversations: member
            .role
            .permissions
            .contains(Permission::new(Module::Conversations, Action::View)),
        chat_sync: member.user.profile.chat_sync,
    };
    let receiver = state.live.subscribe();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.reset();
    let opening = Bytes::from_static(b"retry: 3000\n: connected\n\n");
    let events = futures_util::stream::unfold(
        (receiver, heartbeat, listener, Some(opening)),
        |(mut receiver, mut heartbeat, listener, opening)| async move {
            if let Some(first) = opening {
                return Some((
                    Ok::<_, actix_web::Error>(first),
                    (receiver, heartbeat, listener, None),
                ));
            }
            loop {
                tokio::select! {
                    _ = heartbeat.tick() => {
                        return Some((Ok(Bytes::from_static(b": ping\n\n")), (receiver, heartbeat, listener, None)));
                    }
                    next = receiver.recv() => match next {
                        Ok(envelope) if listener.hears(&envelope) => {
                            if let Some(bytes) = frame(&envelope.event) {
                                return Some((Ok(bytes), (receiver, heartbeat, listener, None)));
                            }
                        }
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => {
                            return Some((Ok(Bytes::from_static(b"event: resync\ndata: {}\n\n")), (receiver, heartbeat, listener, None)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}
