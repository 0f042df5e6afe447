//! The live event stream (Server-Sent Events). A browser's EventSource
//! cannot send an Authorization header, and the access token must not go
//! into a URL, so the client first trades its token for a single-use
//! ticket that expires within a minute, then opens `GET /events?ticket=`.
//! A stream lives only as long as the session that asked for its ticket:
//! it closes when that session ends (sign-out, password or role change,
//! deactivation, removal), at once when this or another instance signals
//! it and at the latest after `SESSION_RECHECK`.

use std::time::Duration;

use crate::auth::tokens::sha256_hex;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use contract::conversations::{LiveEvent, StreamTicket};
use domain::permissions::{Action, Module, Permission};
use domain::team::{MemberStatus, SessionVersion};
use domain::{TenantId, UserId};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use super::docs::{Invalid, Unauthenticated};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;
use app::live::{Audience, Broadcast, Envelope};

/// The live event stream routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(Access::SignedIn, create_ticket)
        .add(Access::Ticket, stream);
}

const TICKET_SECONDS: i64 = 60;
/// A comment line this often keeps proxies from closing a quiet stream.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// How often an open stream checks its session even without a signal (a
/// signal can be lost while an instance reconnects to PostgreSQL).
const SESSION_RECHECK: Duration = Duration::from_secs(5);

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
            auth.member.session,
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
    /// The session the ticket was issued under.
    session: SessionVersion,
}

impl Listener {
    /// Whether a signal is about this listener's sessions.
    fn concerns(&self, user: uuid::Uuid, tenant: Option<uuid::Uuid>) -> bool {
        user == self.user && tenant.is_none_or(|t| t == self.tenant)
    }

    /// Whether the session the stream was opened under is still current.
    async fn still_signed_in(&self, store: &store::Store) -> bool {
        match store
            .session_state(TenantId(self.tenant), UserId(self.user))
            .await
        {
            Ok(Some((MemberStatus::Active, session))) => session == self.session,
            Ok(_) => false,
            Err(e) => {
                // Closing is safe: the client reconnects with a new ticket.
                tracing::warn!(error = %e, "an event stream could not check its session");
                false
            }
        }
    }

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

fn frame(event: &app::live::LiveEvent, urls: &app::MediaUrls) -> Option<Bytes> {
    let event = &crate::conversations::live_event_dto(event, urls);
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
    let listener = listener_for(&state, query.ticket.as_deref()).await?;
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.reset();
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.reset();
    let open = OpenStream {
        receiver: state.live.subscribe(),
        heartbeat,
        recheck,
        listener,
        store: state.store.clone(),
        urls: state.media_urls.clone(),
        opening: true,
    };
    let events = futures_util::stream::unfold(open, |mut open| async move {
        let bytes = open.next_frame().await?;
        Some((Ok::<_, actix_web::Error>(bytes), open))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}

/// Who a stream ticket opens a stream for: an active member still in the
/// sign-in session the ticket was issued in. A ticket is used up here.
async fn listener_for(state: &AppState, ticket: Option<&str>) -> Result<Listener, ApiError> {
    let refused =
        || ApiError::unauthorized("This ticket is unknown, used or expired; ask for a new one.");
    let ticket = ticket.filter(|t| !t.is_empty()).ok_or_else(refused)?;
    let (tenant, user, session) = state
        .store
        .redeem_stream_ticket(&ticket_hash(ticket))
        .await?
        .ok_or_else(refused)?;
    let member = state
        .store
        .member(tenant, UserId(user))
        .await
        .map_err(|_| refused())?;
    if member.status != MemberStatus::Active || member.session != session {
        return Err(refused());
    }
    Ok(Listener {
        tenant: tenant.0,
        user,
        reads_conversations: member
            .role
            .permissions
            .contains(Permission::new(Module::Conversations, Action::View)),
        chat_sync: member.user.profile.chat_sync,
        session,
    })
}

/// One open stream's state between frames.
struct OpenStream {
    receiver: tokio::sync::broadcast::Receiver<std::sync::Arc<Broadcast>>,
    heartbeat: tokio::time::Interval,
    recheck: tokio::time::Interval,
    listener: Listener,
    store: store::Store,
    /// Signs the links to files in message events as they are written.
    urls: std::sync::Arc<app::MediaUrls>,
    opening: bool,
}

impl OpenStream {
    /// The next bytes to send; `None` ends the stream.
    async fn next_frame(&mut self) -> Option<Bytes> {
        if std::mem::take(&mut self.opening) {
            return Some(Bytes::from_static(b"retry: 3000\n: connected\n\n"));
        }
        loop {
            tokio::select! {
                _ = self.heartbeat.tick() => return Some(Bytes::from_static(b": ping\n\n")),
                _ = self.recheck.tick() => {
                    if !self.listener.still_signed_in(&self.store).await {
                        return None;
                    }
                }
                next = self.receiver.recv() => match next {
                    Ok(message) => match message.as_ref() {
                        Broadcast::Event(envelope) if self.listener.hears(envelope) => {
                            if let Some(bytes) = frame(&envelope.event, &self.urls) {
                                return Some(bytes);
                            }
                        }
                        Broadcast::SessionsChanged { user, tenant, .. } => {
                            let concerned = self.listener.concerns(*user, *tenant);
                            if concerned && !self.listener.still_signed_in(&self.store).await {
                                return None;
                            }
                        }
                        _ => {}
                    },
                    Err(RecvError::Lagged(_)) => {
                        // A signal may have been among the missed messages.
                        if !self.listener.still_signed_in(&self.store).await {
                            return None;
                        }
                        return Some(Bytes::from_static(b"event: resync\ndata: {}\n\n"));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    }
}
