//! The actions at the end of a table row: icon buttons that each open a
//! dialog (edit, delete behind its confirmation, ...), shown only to those
//! allowed to use them; and the request such a button or confirmation
//! runs, with its busy state and error toast.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use crate::api::ApiError;
use crate::state::Toasts;

/// The row's last cell, holding its action buttons.
#[component]
pub fn RowActions(children: Children) -> impl IntoView {
    view! {
        <td class="col-actions">
            <div class="row-actions">{children()}</div>
        </td>
    }
}

/// One icon button of a row, shown while `when` holds; `label` is both its
/// tooltip and its accessible name, `danger` paints it as destructive.
#[component]
pub fn RowAction(
    #[prop(into)] when: Signal<bool>,
    #[prop(into)] label: String,
    testid: &'static str,
    icon: icondata::Icon,
    #[prop(optional)] danger: bool,
    #[prop(into)] on_click: Callback<()>,
) -> impl IntoView {
    let class = if danger {
        "icon-btn icon-btn-danger"
    } else {
        "icon-btn"
    };
    view! {
        <Show when=move || when.get()>
            <button
                type="button"
                class=class
                title=label.clone()
                aria-label=label.clone()
                data-testid=testid
                on:click=move |_| on_click.run(())
            >
                <Icon icon=icon />
            </button>
        </Show>
    }
}

/// The async action behind a button or a confirmation: holds `busy` while
/// `request` runs, then hands its value to `done`, or shows its error as a
/// toast.
pub fn run_busy<T, F>(
    busy: RwSignal<bool>,
    toasts: Toasts,
    request: F,
    done: impl FnOnce(T) + 'static,
) where
    T: 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    busy.set(true);
    spawn_local(async move {
        let result = request.await;
        busy.set(false);
        match result {
            Ok(value) => done(value),
            Err(e) => toasts.error(e.message()),
        }
    });
}
