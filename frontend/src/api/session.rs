//! The signed-in session: tokens and tenant, kept in localStorage and shared
//! through a context signal.

use contract::auth::Session;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

const KEY: &str = "switchboard.session";

/// A session plus when its access token runs out (milliseconds since the epoch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    pub session: Session,
    pub expires_at: f64,
}

/// The session signal, provided as context by the app root.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<StoredSession>>,
}

impl Auth {
    /// Reads the saved session, if any.
    pub fn load() -> Self {
        let saved = LocalStorage::get::<StoredSession>(KEY).ok();
        Self {
            session: RwSignal::new(saved),
        }
    }

    /// Stores a fresh session (after sign-in, refresh or a tenant switch).
    pub fn set(&self, session: Session) {
        let expires_at = js_sys::Date::now() + (session.expires_in as f64) * 1000.0;
        let stored = StoredSession {
            session,
            expires_at,
        };
        // A full or blocked storage only costs persistence across reloads.
        let _ = LocalStorage::set(KEY, &stored);
        self.session.set(Some(stored));
    }

    /// Forgets the session; the app shell then returns to sign-in.
    pub fn clear(&self) {
        LocalStorage::delete(KEY);
        self.session.set(None);
    }

    pub fn is_signed_in(&self) -> bool {
        self.session.with(Option::is_some)
    }
}
