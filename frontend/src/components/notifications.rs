//! Notifications: the shared unread count and newest items, the bell in the
//! top bar with its panel, and one entry as both the panel and the
//! `/notifications` page show it.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use contract::conversations::LiveEvent;
use contract::notifications::Notification;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::api::live::on_live_event;
use crate::api::{ApiError, Authed};
use crate::components::misc::{format_date, format_time, Loading};
use crate::i18n::{t, tc};
use crate::state::{me_state, toasts, MeState, Toasts};

/// How many the bell's panel shows.
const PANEL_SIZE: u32 = 10;
/// How often the bell asks for news while the app is open.
const POLL_EVERY: Duration = Duration::from_secs(30);

/// What the bell knows, shared with the `/notifications` page so both agree
/// on what is read. Provided by the shell; reset when the tenant changes.
#[derive(Debug, Clone, Copy)]
pub struct NotificationCenter {
    /// Unread in all, as the server last said (adjusted for local marks).
    pub unread: RwSignal<u64>,
    /// The newest few; `None` until the first answer.
    pub recent: RwSignal<Option<Vec<Notification>>>,
    /// The last refresh failed (shown only when nothing was loaded yet).
    pub failed: RwSignal<bool>,
    /// Bumped by "Mark all as read", so lists reload.
    pub cleared: RwSignal<u32>,
    /// Marked read here since the lists were loaded.
    read_here: RwSignal<HashSet<Uuid>>,
    marking_all: RwSignal<bool>,
    // Kept here: the poll and the answers run outside any component.
    me: MeState,
    toasts: Toasts,
}

impl NotificationCenter {
    /// Needs the `MeState` and `Toasts` contexts.
    pub fn new() -> Self {
        Self {
            me: me_state(),
            toasts: toasts(),
            unread: RwSignal::new(0),
            recent: RwSignal::new(None),
            failed: RwSignal::new(false),
            cleared: RwSignal::new(0),
            read_here: RwSignal::new(HashSet::new()),
            marking_all: RwSignal::new(false),
        }
    }

    /// Forgets everything (another tenant, another person).
    pub fn reset(&self) {
        self.unread.set(0);
        self.recent.set(None);
        self.failed.set(false);
        self.read_here.set(HashSet::new());
    }

    /// Whether `n` still counts as unread (tracked).
    pub fn is_unread(&self, n: &Notification) -> bool {
        n.read_at.is_none() && !self.read_here.with(|r| r.contains(&n.id))
    }

    /// Fetches the newest few and the unread count.
    pub fn refresh(&self, api: Authed) {
        let this = *self;
        let me = self.me;
        let tenant = me.me.with_untracked(|m| m.as_ref().map(|m| m.tenant.id));
        spawn_local(async move {
            let result = api.notifications(false, PANEL_SIZE, None).await;
            // An answer for a tenant the person has left since is dropped.
            if me.me.with_untracked(|m| m.as_ref().map(|m| m.tenant.id)) != tenant {
                return;
            }
            match result {
                Ok(page) => {
                    this.unread.set(page.unread);
                    this.recent.set(Some(page.items));
                    this.failed.set(false);
                }
                Err(ApiError::SignedOut) => {}
                Err(_) => this.failed.set(true),
            }
        });
    }

    /// Marks one read at once here, then tells the server; undone on failure.
    pub fn mark_read(&self, api: Authed, n: &Notification) {
        if !self.is_unread_untracked(n) {
            return;
        }
        let this = *self;
        let id = n.id;
        self.read_here.update(|r| {
            r.insert(id);
        });
        self.unread.update(|u| *u = u.saturating_sub(1));
        spawn_local(async move {
            match api.mark_notification_read(id).await {
                Ok(()) | Err(ApiError::SignedOut) => {}
                Err(e) => {
                    this.read_here.update(|r| {
                        r.remove(&id);
                    });
                    this.unread.update(|u| *u += 1);
                    this.toasts.error(e.message());
                }
            }
        });
    }

    /// "Mark all as read".
    pub fn mark_all(&self, api: Authed) {
        if self.marking_all.get_untracked() {
            return;
        }
        let this = *self;
        let toasts = self.toasts;
        self.marking_all.set(true);
        spawn_local(async move {
            let result = api.mark_all_notifications_read().await;
            this.marking_all.set(false);
            match result {
                Ok(()) => {
                    let ids: Vec<Uuid> = this
                        .recent
                        .with_untracked(|r| r.iter().flatten().map(|n| n.id).collect());
                    this.read_here.update(|r| r.extend(ids));
                    this.unread.set(0);
                    this.cleared.update(|c| *c += 1);
                    toasts.success(t("notifications.all_read"));
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => toasts.error(e.message()),
            }
        });
    }

    /// Whether "Mark all as read" is in flight (tracked).
    pub fn marking_all(&self) -> bool {
        self.marking_all.get()
    }

    fn is_unread_untracked(&self, n: &Notification) -> bool {
        n.read_at.is_none() && !self.read_here.with_untracked(|r| r.contains(&n.id))
    }
}

pub fn notification_center() -> NotificationCenter {
    expect_context::<NotificationCenter>()
}

/// The icon and tone of a kind; kinds this build does not know get a bell.
pub fn kind_look(kind: &str) -> (icondata::Icon, &'static str) {
    match kind {
        "channel_invalid" => (icondata::LuRadioTower, "danger"),
        _ => (icondata::LuBell, "neutral"),
    }
}

/// "just now", "5 minutes ago", … and the date after a week.
pub fn relative_time(at: &DateTime<Utc>) -> String {
    let secs = (Utc::now() - *at).num_seconds().max(0);
    let secs = u64::try_from(secs).unwrap_or_default();
    match secs {
        0..60 => t("time.just_now"),
        60..3_600 => tc("time.minutes_ago", secs / 60),
        3_600..86_400 => tc("time.hours_ago", secs / 3_600),
        86_400..604_800 => tc("time.days_ago", secs / 86_400),
        _ => format_date(at),
    }
}

/// The in-app address a notification points at, when it is one (a path on
/// this origin; the `#fragment` is kept, the router scrolls to it).
pub fn app_link(n: &Notification) -> Option<String> {
    n.link
        .as_deref()
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(str::to_owned)
}

/// The badge text: nothing at 0, "9+" above nine.
fn count_text(n: u64) -> String {
    if n > 9 {
        "9+".to_string()
    } else {
        n.to_string()
    }
}

fn document_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// One notification. `on_open` runs when its main part is clicked;
/// `on_mark`, when given, adds a "Mark as read" button to unread ones.
#[component]
pub fn NotificationEntry(
    note: Notification,
    #[prop(optional)] compact: bool,
    #[prop(into)] on_open: Callback<Notification>,
    #[prop(into, optional)] on_mark: Option<Callback<Notification>>,
) -> impl IntoView {
    let center = notification_center();
    let unread = {
        let note = note.clone();
        Memo::new(move |_| center.is_unread(&note))
    };
    let (icon, tone) = kind_look(&note.kind);
    let when = relative_time(&note.created_at);
    let when_full = format_time(&note.created_at);
    let has_link = app_link(&note).is_some();
    let open_note = note.clone();
    let mark_note = note.clone();
    view! {
        <li
            class="notif"
            class:notif-compact=compact
            class:unread=move || unread.get()
            data-testid="notification-item"
            data-id=note.id.to_string()
            data-kind=note.kind.clone()
            data-unread=move || unread.get().to_string()
        >
            <button
                type="button"
                class="notif-main"
                class:notif-linked=has_link
                on:click=move |_| on_open.run(open_note.clone())
            >
                <span class=format!("notif-icon notif-icon-{tone}") aria-hidden="true">
                    <Icon icon=icon width="16" height="16" />
                </span>
                <span class="notif-text">
                    <span class="notif-title" data-testid="notification-title">
                        {note.title.clone()}
                    </span>
                    <span class="notif-body">{note.body.clone()}</span>
                    <time class="notif-time" datetime=note.created_at.to_rfc3339() title=when_full>
                        {when}
                    </time>
                </span>
                <Show when=move || unread.get()>
                    <span class="notif-dot" aria-hidden="true"></span>
                    <span class="sr-only">{t("notifications.unread")}</span>
                </Show>
            </button>
            {on_mark
                .map(|on_mark| {
                    view! {
                        <Show when=move || unread.get()>
                            {
                                let note = mark_note.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="icon-btn notif-mark"
                                        title=t("notifications.mark_read")
                                        aria-label=t("notifications.mark_read")
                                        data-testid="mark-read"
                                        on:click=move |_| on_mark.run(note.clone())
                                    >
                                        <Icon icon=icondata::LuCheck width="16" height="16" />
                                    </button>
                                }
                            }
                        </Show>
                    }
                })}
        </li>
    }
}

/// Opening a notification: it is marked read and, when it points somewhere
/// in the app, the router goes there.
pub fn open_callback(
    api: Authed,
    after: impl Fn() + Send + Sync + 'static,
) -> Callback<Notification> {
    let center = notification_center();
    let navigate = use_navigate();
    Callback::new(move |n: Notification| {
        center.mark_read(api, &n);
        after();
        if let Some(link) = app_link(&n) {
            navigate(&link, Default::default());
        }
    })
}

/// A short soft tone (Web Audio), so no sound file has to be shipped.
/// Browsers may refuse sound before the person has interacted with the
/// page; then nothing plays.
fn chime(frequency: f32) {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
        return;
    };
    oscillator.set_type(web_sys::OscillatorType::Sine);
    oscillator.frequency().set_value(frequency);
    let now = context.current_time();
    let volume = gain.gain();
    volume.set_value(0.0);
    let _ = volume.linear_ramp_to_value_at_time(0.15, now + 0.02);
    let _ = volume.linear_ramp_to_value_at_time(0.0, now + 0.35);
    if oscillator.connect_with_audio_node(&gain).is_err()
        || gain
            .connect_with_audio_node(&context.destination())
            .is_err()
    {
        return;
    }
    let _ = oscillator.start();
    let _ = oscillator.stop_with_when(now + 0.4);
}

/// The bell in the top bar: unread badge, polling, and the panel.
#[component]
pub fn NotificationBell() -> impl IntoView {
    let api = Authed::from_shell();
    let center = notification_center();
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();

    center.reset();
    center.refresh(api);
    // A notification on the live stream shows at once, not at the next poll;
    // a customer's message and a notification chime when the person's
    // profile turns that module's sound on.
    let me = crate::state::me_state();
    let sound_on = move |module: &str| {
        me.me.with_untracked(|m| {
            m.as_ref()
                .and_then(|m| m.profile.sounds.get(module).copied())
                .unwrap_or(false)
        })
    };
    on_live_event(move |ev| match ev {
        LiveEvent::Notification { .. } => {
            center.refresh(api);
            if sound_on("notifications") {
                chime(660.0);
            }
        }
        LiveEvent::Message { message, .. }
            if message.direction == "inbound" && sound_on("conversations") =>
        {
            chime(880.0);
        }
        _ => {}
    });
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if !document_hidden() {
                center.refresh(api);
            }
        },
        POLL_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            close(true);
        }
    });
    on_cleanup(move || keys.remove());

    let toggle = move |_| {
        let now = !open.get_untracked();
        open.set(now);
        if now {
            center.refresh(api);
        }
    };
    let label = move || {
        let n = center.unread.get();
        if n == 0 {
            t("notifications.title")
        } else {
            tc("notifications.bell_unread", n)
        }
    };
    let on_open = open_callback(api, move || open.set(false));

    let list = move || match center.recent.get() {
        None if center.failed.get() => view! {
            <div class="notif-panel-empty" role="alert">
                <p>{t("notifications.load_failed")}</p>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    on:click=move |_| center.refresh(api)
                >
                    {t("common.retry")}
                </button>
            </div>
        }
        .into_any(),
        None => view! { <Loading /> }.into_any(),
        Some(items) if items.is_empty() => view! {
            <div class="notif-panel-empty" data-testid="notifications-empty">
                <span class="empty-icon empty-icon-sm" aria-hidden="true">
                    <Icon icon=icondata::LuBellOff width="22" height="22" />
                </span>
                <p class="notif-empty-title">{t("notifications.empty_title")}</p>
                <p class="muted">{t("notifications.empty_body")}</p>
            </div>
        }
        .into_any(),
        Some(items) => view! {
            <ul class="notif-list" data-testid="notification-list">
                {items
                    .into_iter()
                    .map(|n| view! { <NotificationEntry note=n compact=true on_open=on_open /> })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    };

    view! {
        <div class="notif-menu">
            <button
                type="button"
                class="icon-btn bell-btn"
                node_ref=button
                data-testid="notification-bell"
                aria-label=label
                title=t("notifications.title")
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                aria-controls="notification-panel"
                on:click=toggle
            >
                <Icon icon=icondata::LuBell width="20" height="20" />
                {move || {
                    let n = center.unread.get();
                    (n > 0)
                        .then(|| {
                            view! {
                                <span class="bell-count" data-testid="notification-count" aria-hidden="true">
                                    {count_text(n)}
                                </span>
                            }
                        })
                }}
            </button>
            <Show when=move || open.get()>
                <div class="dropdown-scrim" on:click=move |_| close(false)></div>
                <div
                    class="dropdown dropdown-right notif-panel"
                    id="notification-panel"
                    role="dialog"
                    aria-label=t("notifications.title")
                    data-testid="notification-panel"
                >
                    <div class="notif-panel-head">
                        <h2 class="notif-panel-title">{t("notifications.title")}</h2>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            data-testid="mark-all-read"
                            disabled=move || center.unread.get() == 0 || center.marking_all()
                            on:click=move |_| center.mark_all(api)
                        >
                            <Icon icon=icondata::LuCheckCheck width="16" height="16" />
                            <span>{t("notifications.mark_all")}</span>
                        </button>
                    </div>
                    <div class="notif-panel-body">{list}</div>
                    <a
                        href="/notifications"
                        class="notif-panel-foot"
                        data-testid="see-all-notifications"
                        on:click=move |_| open.set(false)
                    >
                        {t("notifications.see_all")}
                        <Icon icon=icondata::LuArrowRight width="16" height="16" />
                    </a>
                </div>
            </Show>
        </div>
    }
}
