//! Live events for the signed-in people: new messages, statuses,
//! conversation changes and notifications. Each instance keeps a broadcast
//! channel its event streams read; on PostgreSQL every event also goes out
//! through NOTIFY, and each instance re-broadcasts the events other
//! instances published, so a person connected anywhere hears everything.
//! The same path carries "sessions changed" signals, so a stream whose
//! session ended (sign-out, password or role change, deactivation,
//! removal) closes at once on every instance.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use store::{AppliedStatus, ConversationRecord};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::conversations::ShownMessage;

/// What happened, in the application's terms; the API's event stream
/// writes each in its wire shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A message arrived or was sent.
    Message {
        message: Box<ShownMessage>,
        conversation: Box<ConversationRecord>,
    },
    /// A sent message's status changed.
    Status(AppliedStatus),
    /// A conversation's state, control or flags changed.
    Conversation {
        conversation: Box<ConversationRecord>,
    },
    /// Something happened that the person should know about.
    Notification {
        notification: domain::notification::Notification,
    },
}

/// Who may hear an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// People who read conversations; with chat sync off, only the
    /// conversation's controller.
    Conversations { controller: Option<Uuid> },
    /// One person.
    User { id: Uuid },
}

/// An event on its way to the streams.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// The instance that published it.
    pub origin: Uuid,
    pub tenant: Uuid,
    pub audience: Audience,
    pub event: LiveEvent,
}

/// What travels to the streams.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Broadcast {
    Event(Box<Envelope>),
    /// A person's sessions changed (in one tenant, or in all of them): their
    /// open streams check whether they may stay open.
    SessionsChanged {
        origin: Uuid,
        user: Uuid,
        tenant: Option<Uuid>,
    },
}

impl Broadcast {
    fn origin(&self) -> Uuid {
        match self {
            Broadcast::Event(envelope) => envelope.origin,
            Broadcast::SessionsChanged { origin, .. } => *origin,
        }
    }
}

/// This instance's side of the live events.
pub struct LiveBus {
    instance: Uuid,
    sender: broadcast::Sender<Arc<Broadcast>>,
    store: store::Store,
}

/// Events a slow stream may fall behind by before it is told to reload.
const BACKLOG: usize = 1024;
/// PostgreSQL refuses NOTIFY payloads from 8,000 bytes.
const NOTIFY_MAX: usize = 7900;

impl LiveBus {
    pub fn new(store: store::Store) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        Self {
            instance: Uuid::now_v7(),
            sender,
            store,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Broadcast>> {
        self.sender.subscribe()
    }

    /// Delivers an event to this instance's streams and, on PostgreSQL, to
    /// the other instances.
    pub async fn publish(&self, tenant: Uuid, audience: Audience, event: LiveEvent) {
        self.send(Broadcast::Event(Box::new(Envelope {
            origin: self.instance,
            tenant,
            audience,
            event,
        })))
        .await;
    }

    /// Delivers many events at once: to this instance's streams one by
    /// one, and to the other instances in as few NOTIFYs as fit (a JSON
    /// array each), so a round of hundreds of statuses costs a handful of
    /// round trips rather than one each.
    pub async fn publish_many(&self, events: Vec<(Uuid, Audience, LiveEvent)>) {
        let envelopes: Vec<Broadcast> = events
            .into_iter()
            .map(|(tenant, audience, event)| {
                Broadcast::Event(Box::new(Envelope {
                    origin: self.instance,
                    tenant,
                    audience,
                    event,
                }))
            })
            .collect();
        if self.store.shares_live_events() {
            for payload in notify_payloads(&envelopes) {
                if let Err(e) = self.store.notify_live(&payload).await {
                    tracing::warn!(error = %e, "sharing live events with other instances failed");
                }
            }
        }
        for envelope in envelopes {
            let _ = self.sender.send(Arc::new(envelope));
        }
    }

    /// Tells `user`'s open streams (in `tenant`, or in every tenant) on
    /// every instance to check their session now; call after ending sessions.
    pub async fn sessions_changed(&self, user: domain::UserId, tenant: Option<domain::TenantId>) {
        self.send(Broadcast::SessionsChanged {
            origin: self.instance,
            user: user.0,
            tenant: tenant.map(|t| t.0),
        })
        .await;
    }

    async fn send(&self, envelope: Broadcast) {
        if self.store.shares_live_events() {
            match serde_json::to_string(&envelope) {
                Ok(json) if json.len() < NOTIFY_MAX => {
                    if let Err(e) = self.store.notify_live(&json).await {
                        tracing::warn!(error = %e, "sharing a live event with other instances failed");
                    }
                }
                Ok(json) => {
                    tracing::warn!(
                        bytes = json.len(),
                        "a live event is too large to share between instances"
                    )
                }
                Err(e) => tracing::warn!(error = %e, "a live event could not be encoded"),
            }
        }
        // Nobody listening is fine.
        let _ = self.sender.send(Arc::new(envelope));
    }

    /// Re-broadcasts the events other instances publish (PostgreSQL). Runs
    /// for the life of the server; reconnects after a lost connection.
    pub async fn relay_from_other_instances(self: Arc<Self>) {
        loop {
            let mut listener = match self.store.listen_live().await {
                Ok(Some(listener)) => listener,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "listening for other instances' events failed");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
            };
            loop {
                match listener.recv().await {
                    Ok(notification) => match read_payload(notification.payload()) {
                        Ok(envelopes) => {
                            for envelope in envelopes {
                                if envelope.origin() != self.instance {
                                    let _ = self.sender.send(Arc::new(envelope));
                                }
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "an unreadable live event"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "the live event connection dropped");
                        break;
                    }
                }
            }
        }
    }
}

/// NOTIFY payloads for `envelopes`: JSON arrays, each under the limit. An
/// event too large on its own is left out (and logged).
fn notify_payloads(envelopes: &[Broadcast]) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut current = String::from("[");
    for envelope in envelopes {
        let json = match serde_json::to_string(envelope) {
            Ok(json) => json,
            Err(e) => {
                tracing::warn!(error = %e, "a live event could not be encoded");
                continue;
            }
        };
        if json.len() + 2 >= NOTIFY_MAX {
            tracing::warn!(
                bytes = json.len(),
                "a live event is too large to share between instances"
            );
            continue;
        }
        if current.len() + json.len() + 2 >= NOTIFY_MAX {
            current.push(']');
            payloads.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    if current.len() > 1 {
        current.push(']');
        payloads.push(current);
    }
    payloads
}

/// One NOTIFY's events: a single event, or an array of them.
fn read_payload(payload: &str) -> Result<Vec<Broadcast>, serde_json::Error> {
    if payload.trim_start().starts_with('[') {
        serde_json::from_str(payload)
    } else {
        serde_json::from_str::<Broadcast>(payload).map(|b| vec![b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(n: usize) -> Vec<Broadcast> {
        (0..n)
            .map(|_| Broadcast::SessionsChanged {
                origin: Uuid::now_v7(),
                user: Uuid::now_v7(),
                tenant: None,
            })
            .collect()
    }

    #[test]
    fn many_events_travel_in_few_payloads_under_the_limit_and_read_back_whole() {
        let events = sessions(500);
        let payloads = notify_payloads(&events);
        assert!(
            payloads.len() > 1 && payloads.len() < 20,
            "{}",
            payloads.len()
        );
        assert!(payloads.iter().all(|p| p.len() < NOTIFY_MAX));
        let back: Vec<Broadcast> = payloads
            .iter()
            .flat_map(|p| read_payload(p).unwrap())
            .collect();
        assert_eq!(back.len(), 500);
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&events).unwrap()
        );
        // A single event (as `publish` sends it) still reads.
        let one = serde_json::to_string(&events[0]).unwrap();
        assert_eq!(read_payload(&one).unwrap().len(), 1);
        assert!(notify_payloads(&[]).is_empty());
    }
}
