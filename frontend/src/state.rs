//! App-wide context: who is signed in (`Me`), toasts, and a pending tenant choice.

use std::time::Duration;

use contract::tenants::TenantSummary;
use contract::users::Me;
use leptos::prelude::*;

/// The signed-in person as `/me` reports it; `None` while loading.
#[derive(Debug, Clone, Copy)]
pub struct MeState {
    pub me: RwSignal<Option<Me>>,
    /// Bump to reload `/me` (after profile or tenant changes).
    pub version: RwSignal<u32>,
}

impl MeState {
    pub fn new() -> Self {
        Self {
            me: RwSignal::new(None),
            version: RwSignal::new(0),
        }
    }

    /// Whether the person holds `<module>.<action>` (tracked).
    pub fn can(&self, permission: &str) -> bool {
        self.me.with(|m| {
            m.as_ref()
                .is_some_and(|m| m.permissions.iter().any(|p| p == permission))
        })
    }

    /// Whether the sidebar shows `module` (tracked).
    pub fn has_module(&self, module: &str) -> bool {
        self.me.with(|m| {
            m.as_ref()
                .is_some_and(|m| m.modules.iter().any(|p| p == module))
        })
    }

    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }
}

impl Default for MeState {
    fn default() -> Self {
        Self::new()
    }
}

/// A sign-in that still needs a tenant chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChoice {
    pub selection_token: String,
    pub tenants: Vec<TenantSummary>,
}

#[derive(Debug, Clone, Copy)]
pub struct PendingTenant(pub RwSignal<Option<PendingChoice>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub kind: ToastKind,
    pub text: String,
}

/// Short messages in the corner that go away by themselves.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    pub list: RwSignal<Vec<Toast>>,
    next: StoredValue<u32>,
}

impl Toasts {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
        }
    }

    pub fn push(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.list.update(|l| {
            l.push(Toast {
                id,
                kind,
                text: text.into(),
            });
            // A few at a time; the oldest make way.
            if l.len() > 3 {
                l.remove(0);
            }
        });
        let list = self.list;
        let ms = if kind == ToastKind::Error { 7000 } else { 4000 };
        set_timeout(
            move || list.update(|l| l.retain(|t| t.id != id)),
            Duration::from_millis(ms),
        );
    }

    pub fn success(&self, text: impl Into<String>) {
        self.push(ToastKind::Success, text);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(ToastKind::Error, text);
    }

    pub fn info(&self, text: impl Into<String>) {
        self.push(ToastKind::Info, text);
    }

    pub fn dismiss(&self, id: u32) {
        self.list.update(|l| l.retain(|t| t.id != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

pub fn toasts() -> Toasts {
    expect_context::<Toasts>()
}

pub fn me_state() -> MeState {
    expect_context::<MeState>()
}
