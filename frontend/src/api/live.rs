//! The live event stream (`GET /events`, server-sent events), in one place
//! for the whole app: the shell opens it while someone is signed in, and
//! views subscribe to the events they care about (the conversations, the bell).
//!
//! A stream needs a single-use ticket, so the browser's own reconnect cannot
//! work: on an error the stream is closed and reopened with a fresh ticket,
//! waiting longer after each failure. Events sent while it was down are lost,
//! so [`LiveEvents::resumed`] tells views to read their data again (as does
//! the server's `resync` event when it had to drop some).

use std::time::Duration;

use contract::conversations::LiveEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use super::{encode, ApiError, Authed, BASE};

/// The SSE `event:` names; each carries a [`LiveEvent`] of that `type`.
const EVENT_TYPES: &[&str] = &["message", "status", "conversation", "notification"];
const FIRST_RETRY_MS: u64 = 1_000;
const MAX_RETRY_MS: u64 = 30_000;

/// An open `EventSource` and the closures it calls; closed when dropped.
struct Connection {
    source: EventSource,
    _on_event: Closure<dyn Fn(MessageEvent)>,
    _on_resync: Closure<dyn Fn(web_sys::Event)>,
    _on_open: Closure<dyn Fn(web_sys::Event)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// The app's one stream, provided as context by the shell.
#[derive(Clone, Copy)]
pub struct LiveEvents {
    subscribers: StoredValue<Vec<(u32, Callback<LiveEvent>)>>,
    next_id: StoredValue<u32>,
    connection: StoredValue<Option<Connection>, LocalStorage>,
    /// Bumped by every start and stop, so a late ticket or retry of an old
    /// stream does nothing.
    generation: StoredValue<u32>,
    retry_ms: StoredValue<u64>,
    opened_before: StoredValue<bool>,
    /// Whether the stream is open now (tracked).
    pub connected: RwSignal<bool>,
    /// Bumped when the stream opens again after a break (tracked).
    pub resumed: RwSignal<u32>,
}

impl LiveEvents {
    pub fn new() -> Self {
        Self {
            subscribers: StoredValue::new(Vec::new()),
            next_id: StoredValue::new(1),
            connection: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            retry_ms: StoredValue::new(FIRST_RETRY_MS),
            opened_before: StoredValue::new(false),
            connected: RwSignal::new(false),
            resumed: RwSignal::new(0),
        }
    }

    /// Calls `f` with every event until [`LiveEvents::unsubscribe`].
    pub fn subscribe(&self, f: impl Fn(LiveEvent) + Send + Sync + 'static) -> u32 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.subscribers
            .update_value(|s| s.push((id, Callback::new(f))));
        id
    }

    pub fn unsubscribe(&self, id: u32) {
        self.subscribers
            .update_value(|s| s.retain(|(x, _)| *x != id));
    }

    /// (Re)opens the stream for the current session.
    pub fn start(&self, api: Authed) {
        let gen = self.bump();
        self.opened_before.set_value(false);
        self.retry_ms.set_value(FIRST_RETRY_MS);
        self.connect(api, gen);
    }

    /// Closes the stream (signing out, leaving the shell).
    pub fn stop(&self) {
        self.bump();
        self.connected.set(false);
    }

    fn bump(&self) -> u32 {
        let gen = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(gen);
        self.connection.set_value(None);
        gen
    }

    fn current(&self, gen: u32) -> bool {
        self.generation.try_get_value() == Some(gen)
    }

    fn dispatch(&self, event: LiveEvent) {
        let subscribers = self.subscribers.get_value();
        for (_, callback) in subscribers {
            callback.run(event.clone());
        }
    }

    fn connect(&self, api: Authed, gen: u32) {
        let this = *self;
        spawn_local(async move {
            let ticket = api.stream_ticket().await;
            if !this.current(gen) {
                return;
            }
            match ticket {
                Ok(ticket) => {
                    if let Err(e) = this.open(api, gen, &ticket.ticket) {
                        leptos::logging::warn!("event stream: {e:?}");
                        this.retry(api, gen);
                    }
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => {
                    leptos::logging::warn!("event stream ticket: {}", e.message());
                    this.retry(api, gen);
                }
            }
        });
    }

    fn open(&self, api: Authed, gen: u32, ticket: &str) -> Result<(), wasm_bindgen::JsValue> {
        let this = *self;
        let source = EventSource::new(&format!("{BASE}/events?ticket={}", encode(ticket)))?;
        let on_event = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(data) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<LiveEvent>(&data) {
                Ok(event) => this.dispatch(event),
                // A kind this build does not know yet.
                Err(e) => leptos::logging::warn!("event stream: {e}"),
            }
        });
        for kind in EVENT_TYPES {
            source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref())?;
        }
        // The server fell behind and dropped events: views read again.
        let on_resync = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            if this.current(gen) {
                this.resumed.update(|r| *r += 1);
            }
        });
        source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref())?;
        let on_open = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            if !this.current(gen) {
                return;
            }
            this.retry_ms.set_value(FIRST_RETRY_MS);
            this.connected.set(true);
            if this.opened_before.get_value() {
                this.resumed.update(|r| *r += 1);
            }
            this.opened_before.set_value(true);
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            // The ticket is spent: stop the browser's own retry and get a new one.
            if let Some(s) = ev.target().and_then(|t| t.dyn_into::<EventSource>().ok()) {
                s.close();
            }
            if this.current(gen) {
                this.connected.set(false);
                this.retry(api, gen);
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.connection.set_value(Some(Connection {
            source,
            _on_event: on_event,
            _on_resync: on_resync,
            _on_open: on_open,
            _on_error: on_error,
        }));
        Ok(())
    }

    /// Tries again after a pause that doubles up to half a minute. The old
    /// connection is dropped from the timer, never from its own callback.
    fn retry(&self, api: Authed, gen: u32) {
        let this = *self;
        let wait = self.retry_ms.get_value();
        self.retry_ms.set_value((wait * 2).min(MAX_RETRY_MS));
        set_timeout(
            move || {
                if this.current(gen) {
                    this.connection.set_value(None);
                    this.connect(api, gen);
                }
            },
            Duration::from_millis(wait),
        );
    }
}

impl Default for LiveEvents {
    fn default() -> Self {
        Self::new()
    }
}

pub fn live_events() -> LiveEvents {
    expect_context::<LiveEvents>()
}

/// Subscribes the calling component to the stream until it is unmounted.
pub fn on_live_event(f: impl Fn(LiveEvent) + Send + Sync + 'static) {
    let live = live_events();
    let id = live.subscribe(f);
    on_cleanup(move || live.unsubscribe(id));
}
