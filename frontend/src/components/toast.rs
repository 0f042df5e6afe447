//! The corner where toasts appear.

use leptos::prelude::*;
use leptos_icons::Icon;

use crate::i18n::t;
use crate::state::{toasts, ToastKind};

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = toasts();
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || toasts.list.get() key=|toast| toast.id let:toast>
                {
                    let (class, icon) = match toast.kind {
                        ToastKind::Success => ("toast toast-success", icondata::LuCircleCheck),
                        ToastKind::Error => ("toast toast-error", icondata::LuCircleAlert),
                        ToastKind::Info => ("toast toast-info", icondata::LuInfo),
                    };
                    let id = toast.id;
                    view! {
                        <div class=class role="status" data-testid="toast">
                            <Icon icon=icon />
                            <span class="toast-text">{toast.text}</span>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label=t("common.close")
                                on:click=move |_| toasts.dismiss(id)
                            >
                                <Icon icon=icondata::LuX />
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
