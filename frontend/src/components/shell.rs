//! The signed-in frame: sidebar with the person's modules, top bar with the
//! tenant switcher and the user menu, and the page in between.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use uuid::Uuid;

use crate::api::live::LiveEvents;
use crate::api::{ApiError, Auth, Authed};
use crate::components::icons::module_icon;
use crate::components::misc::{Avatar, Loading};
use crate::components::notifications::{NotificationBell, NotificationCenter};
use crate::i18n::{set_language, t};
use crate::state::{me_state, toasts};

/// Sidebar groups, in order; a module shows only when `Me.modules` lists it.
pub const NAV_GROUPS: &[(&str, &[&str])] = &[
    ("nav.group.overview", &["dashboard", "notifications"]),
    (
        "nav.group.messaging",
        &[
            "conversations",
            "broadcasts",
            "templates",
            "quick_replies",
            "flows",
            "media",
        ],
    ),
    ("nav.group.audience", &["contacts"]),
    (
        "nav.group.admin",
        &["channels", "users", "roles", "settings", "api"],
    ),
];

/// Entries shown under a module's own link: `(module, label key, path, testid)`.
const NAV_CHILDREN: &[(&str, &str, &str, &str)] = &[(
    "conversations",
    "nav.starred",
    "/conversations/starred",
    "nav-starred",
)];

/// The client route of a module (`quick_replies` -> `/quick-replies`).
pub fn module_path(module: &str) -> String {
    format!("/{}", module.replace('_', "-"))
}

/// Whether `path` is the page of a sidebar link to `base`; a link with
/// sub-entries gives way to the one that matches more closely.
fn nav_active(path: &str, base: &str) -> bool {
    let inside = path == base || path.starts_with(&format!("{base}/"));
    inside
        && !NAV_CHILDREN.iter().any(|(_, _, child, _)| {
            *child != base && child.starts_with(base) && path.starts_with(child)
        })
}

fn replace() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

#[component]
pub fn Shell() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let me_state = me_state();
    let navigate = use_navigate();
    let load_error = RwSignal::new(None::<String>);
    let sidebar_open = RwSignal::new(false);
    // Pages below the shell reach the API through this; it exists only while
    // signed in.
    if let Some(api) = Authed::new(auth) {
        provide_context(api);
    }
    // The bell and the notifications page share what is read.
    provide_context(NotificationCenter::new());
    // The live event stream, open while someone is signed in.
    let live = LiveEvents::new();
    provide_context(live);

    // Signed out, or the session ended: back to sign-in.
    Effect::new(move |_| {
        if !auth.is_signed_in() {
            live.stop();
            me_state.me.set(None);
            navigate("/login", replace());
        }
    });

    // (Re)load `/me` for the current tenant.
    let tenant_key = Memo::new(move |_| {
        auth.session
            .with(|s| s.as_ref().map(|s| s.session.tenant.id))
    });
    Effect::new(move |_| {
        let key = tenant_key.get();
        me_state.version.track();
        if key.is_none() {
            return;
        }
        let Some(api) = Authed::new(auth) else {
            return;
        };
        load_error.set(None);
        spawn_local(async move {
            match api.me().await {
                Ok(me) => {
                    set_language(&me.profile.language);
                    me_state.me.set(Some(me));
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => load_error.set(Some(e.message())),
            }
        });
    });

    // One stream per tenant: reopened when the tenant changes.
    Effect::new(move |_| {
        if tenant_key.get().is_some() {
            if let Some(api) = Authed::new(auth) {
                live.start(api);
            }
        }
    });
    on_cleanup(move || live.stop());

    let ready = Memo::new(move |_| me_state.me.with(Option::is_some));
    move || {
        if ready.get() {
            view! {
                <div class="app" class:nav-open=move || sidebar_open.get()>
                    <Sidebar open=sidebar_open />
                    <div
                        class="sidebar-scrim"
                        on:click=move |_| sidebar_open.set(false)
                        aria-hidden="true"
                    ></div>
                    <div class="main">
                        <Topbar sidebar_open=sidebar_open />
                        <main class="content" id="content">
                            <Outlet />
                        </main>
                    </div>
                </div>
            }
            .into_any()
        } else if let Some(err) = load_error.get() {
            view! {
                <div class="fullscreen-center">
                    <div class="card narrow">
                        <h1 class="card-title">{t("shell.load_failed")}</h1>
                        <p class="muted">{err}</p>
                        <div class="row-actions">
                            <button class="btn btn-primary" on:click=move |_| me_state.reload()>
                                {t("common.retry")}
                            </button>
                            <button class="btn btn-secondary" on:click=move |_| auth.clear()>
                                {t("user_menu.sign_out")}
                            </button>
                        </div>
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="fullscreen-center">
                    <Loading />
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn BrandMark() -> impl IntoView {
    view! {
        <span class="brand-mark" aria-hidden="true">
            <Icon icon=icondata::LuMessageCircle width="18" height="18" />
        </span>
    }
}

/// The product name with its mark, for sidebars and sign-in cards.
#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <span class="brand">
            <BrandMark />
            <span class="brand-name">{t("app.name")}</span>
        </span>
    }
}

#[component]
fn Sidebar(open: RwSignal<bool>) -> impl IntoView {
    let me_state = me_state();
    let location = use_location();
    let modules = Memo::new(move |_| {
        me_state
            .me
            .with(|m| m.as_ref().map(|m| m.modules.clone()).unwrap_or_default())
    });
    view! {
        <aside class="sidebar" data-testid="sidebar">
            <a class="sidebar-brand" href="/">
                <Brand />
            </a>
            <nav class="nav" aria-label=t("nav.label")>
                {move || {
                    let mods = modules.get();
                    NAV_GROUPS
                        .iter()
                        .filter_map(|(label, items)| {
                            let present: Vec<&'static str> = items
                                .iter()
                                .copied()
                                .filter(|m| mods.iter().any(|x| x == m))
                                .collect();
                            if present.is_empty() {
                                return None;
                            }
                            Some(
                                view! {
                                    <div class="nav-group">
                                        <div class="nav-group-label">{t(label)}</div>
                                        <ul>
                                            {present
                                                .into_iter()
                                                .map(|m| {
                                                    let path = module_path(m);
                                                    let base = path.clone();
                                                    let active = Memo::new(move |_| {
                                                        location.pathname.with(|p| nav_active(p, &base))
                                                    });
                                                    view! {
                                                        <li>
                                                            <a
                                                                href=path
                                                                class="nav-link"
                                                                class:active=move || active.get()
                                                                aria-current=move || active.get().then_some("page")
                                                                data-testid=format!("nav-{m}")
                                                                data-module=m
                                                                on:click=move |_| open.set(false)
                                                            >
                                                                <Icon icon=module_icon(m) width="18" height="18" />
                                                                <span>{t(&format!("module.{m}"))}</span>
                                                            </a>
                                                            {nav_children(m, location.pathname, open)}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </div>
                                },
                            )
                        })
                        .collect_view()
                }}
            </nav>
        </aside>
    }
}

/// The entries under a module's link (Starred under conversations).
fn nav_children(module: &str, pathname: Memo<String>, open: RwSignal<bool>) -> impl IntoView {
    NAV_CHILDREN
        .iter()
        .filter(|(m, ..)| *m == module)
        .map(|(_, label, path, testid)| {
            let path = *path;
            let active = Memo::new(move |_| pathname.with(|p| nav_active(p, path)));
            view! {
                <a
                    href=path
                    class="nav-link nav-sublink"
                    class:active=move || active.get()
                    aria-current=move || active.get().then_some("page")
                    data-testid=*testid
                    on:click=move |_| open.set(false)
                >
                    <Icon icon=icondata::LuStar width="16" height="16" />
                    <span>{t(label)}</span>
                </a>
            }
        })
        .collect_view()
}

#[component]
fn Topbar(sidebar_open: RwSignal<bool>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let me_state = me_state();
    let toasts = toasts();
    let navigate = use_navigate();
    let tenant_open = RwSignal::new(false);
    let user_open = RwSignal::new(false);
    let switching = RwSignal::new(false);

    let me = move || me_state.me.get();
    let tenant_name = move || me().map(|m| m.tenant.name).unwrap_or_default();
    let user_name = move || me().map(|m| m.profile.name).unwrap_or_default();
    let user_email = move || me().map(|m| m.profile.email).unwrap_or_default();
    let role_name = move || me().map(|m| m.role.name).unwrap_or_default();
    let several = move || {
        me_state
            .me
            .with(|m| m.as_ref().is_some_and(|m| m.tenants.len() > 1))
    };

    let nav_switch = navigate.clone();
    let switch_to = move |id: Uuid| {
        tenant_open.set(false);
        let current = me_state
            .me
            .with_untracked(|m| m.as_ref().map(|m| m.tenant.id));
        if current == Some(id) {
            return;
        }
        let Some(api) = Authed::new(auth) else {
            return;
        };
        switching.set(true);
        let navigate = nav_switch.clone();
        spawn_local(async move {
            match api.switch_tenant(id).await {
                Ok(session) => {
                    let name = session.tenant.name.clone();
                    navigate("/", replace());
                    me_state.me.set(None);
                    auth.set(session);
                    toasts.success(crate::i18n::tf("tenant.switched", &[("name", &name)]));
                }
                Err(e) => toasts.error(e.message()),
            }
            switching.set(false);
        });
    };

    let sign_out = move |_| {
        user_open.set(false);
        match Authed::new(auth) {
            Some(api) => spawn_local(async move {
                api.logout().await;
                toasts.info(t("user_menu.signed_out"));
            }),
            None => auth.clear(),
        }
    };

    view! {
        <header class="topbar">
            <button
                type="button"
                class="icon-btn menu-btn"
                aria-label=t("nav.toggle")
                on:click=move |_| sidebar_open.update(|o| *o = !*o)
            >
                <Icon icon=icondata::LuMenu width="20" height="20" />
            </button>
            <div class="tenant-switcher">
                {move || {
                    if several() {
                        view! {
                            <button
                                type="button"
                                class="tenant-btn"
                                data-testid="tenant-switcher"
                                aria-haspopup="menu"
                                aria-expanded=move || tenant_open.get().to_string()
                                disabled=move || switching.get()
                                on:click=move |_| tenant_open.update(|o| *o = !*o)
                            >
                                <Icon icon=icondata::LuBuilding2 width="16" height="16" />
                                <span class="tenant-name" data-testid="tenant-name">{tenant_name}</span>
                                <Icon icon=icondata::LuChevronDown width="16" height="16" />
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <div class="tenant-static">
                                <Icon icon=icondata::LuBuilding2 width="16" height="16" />
                                <span class="tenant-name" data-testid="tenant-name">{tenant_name}</span>
                            </div>
                        }
                            .into_any()
                    }
                }}
                <Show when=move || tenant_open.get()>
                    <div class="dropdown-scrim" on:click=move |_| tenant_open.set(false)></div>
                    <div class="dropdown" role="menu" data-testid="tenant-menu">
                        <div class="dropdown-label">{t("tenant.switch_to")}</div>
                        {
                            let switch_to = switch_to.clone();
                            move || {
                            let (list, current) = me_state
                                .me
                                .with(|m| {
                                    m.as_ref()
                                        .map(|m| (m.tenants.clone(), Some(m.tenant.id)))
                                        .unwrap_or_default()
                                });
                            list.into_iter()
                                .map(|tn| {
                                    let id = tn.id;
                                    let is_current = current == Some(id);
                                    let switch_to = switch_to.clone();
                                    view! {
                                        <button
                                            type="button"
                                            role="menuitem"
                                            class="dropdown-item"
                                            class:current=is_current
                                            on:click=move |_| switch_to(id)
                                        >
                                            <span class="dropdown-item-main">{tn.name}</span>
                                            <span class="dropdown-item-sub">{tn.role}</span>
                                            {is_current
                                                .then(|| {
                                                    view! {
                                                        <Icon icon=icondata::LuCheck width="16" height="16" />
                                                    }
                                                })}
                                        </button>
                                    }
                                })
                                .collect_view()
                        }}
                    </div>
                </Show>
            </div>
            <div class="topbar-spacer"></div>
            <Show when=move || me_state.can("notifications.view")>
                <NotificationBell />
            </Show>
            <div class="user-menu">
                <button
                    type="button"
                    class="user-btn"
                    data-testid="user-menu"
                    aria-haspopup="menu"
                    aria-expanded=move || user_open.get().to_string()
                    on:click=move |_| user_open.update(|o| *o = !*o)
                >
                    {move || view! { <Avatar name=user_name() /> }}
                    <span class="user-name" data-testid="user-name">{user_name}</span>
                    <Icon icon=icondata::LuChevronDown width="16" height="16" />
                </button>
                <Show when=move || user_open.get()>
                    <div class="dropdown-scrim" on:click=move |_| user_open.set(false)></div>
                    <div class="dropdown dropdown-right" role="menu">
                        <div class="dropdown-header">
                            <div class="dropdown-item-main">{user_name}</div>
                            <div class="dropdown-item-sub">{user_email}</div>
                            <div class="dropdown-item-sub">{role_name}</div>
                        </div>
                        <a
                            href="/profile"
                            role="menuitem"
                            class="dropdown-item"
                            data-testid="menu-profile"
                            on:click=move |_| user_open.set(false)
                        >
                            <Icon icon=icondata::LuUser width="16" height="16" />
                            <span>{t("user_menu.profile")}</span>
                        </a>
                        <button
                            type="button"
                            role="menuitem"
                            class="dropdown-item"
                            data-testid="sign-out"
                            on:click=sign_out
                        >
                            <Icon icon=icondata::LuLogOut width="16" height="16" />
                            <span>{t("user_menu.sign_out")}</span>
                        </button>
                    </div>
                </Show>
            </div>
        </header>
    }
}

/// `/`: the first module the person may use, except that someone who can edit
/// channels goes to `/channels` while an active channel still awaits its
/// credentials check: nothing else works before that.
#[component]
pub fn Home() -> impl IntoView {
    let me_state = me_state();
    let navigate = use_navigate();
    let (target, check_channels) = me_state.me.with_untracked(|m| {
        let Some(m) = m.as_ref() else {
            return (None, false);
        };
        let target = NAV_GROUPS
            .iter()
            .flat_map(|(_, items)| items.iter())
            .find(|item| m.modules.iter().any(|x| x == *item))
            .map(|item| module_path(item));
        let has = |p: &str| m.permissions.iter().any(|x| x == p);
        (target, has("channels.view") && has("channels.edit"))
    });
    let target = target.unwrap_or_else(|| "/profile".to_string());
    if !check_channels {
        return view! { <Redirect path=target /> }.into_any();
    }
    let api = Authed::from_shell();
    spawn_local(async move {
        let pending = api
            .channels()
            .await
            .is_ok_and(|page| page.items.iter().any(|c| c.active && c.status == "pending"));
        let to = if pending {
            "/channels"
        } else {
            target.as_str()
        };
        navigate(to, replace());
    });
    view! { <Loading /> }.into_any()
}
