//! Dialogs: a generic modal and a confirmation.

use leptos::prelude::*;
use leptos_icons::Icon;

use crate::i18n::t;

/// A centred dialog over a dimmed page. Escape or the close button call `on_close`.
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional)] wide: bool,
    #[prop(into, optional)] testid: Option<String>,
    children: Children,
) -> impl IntoView {
    let title_id = format!("dlg-{}", title.len());
    let labelled_by = title_id.clone();
    view! {
        <div
            class="modal-backdrop"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    on_close.run(());
                }
            }
        >
            <div
                class=if wide { "modal modal-wide" } else { "modal" }
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                data-testid=testid
            >
                <div class="modal-head">
                    <h2 id=title_id>{title}</h2>
                    <button
                        type="button"
                        class="icon-btn"
                        aria-label=t("common.close")
                        on:click=move |_| on_close.run(())
                    >
                        <Icon icon=icondata::LuX />
                    </button>
                </div>
                <div class="modal-body">{children()}</div>
            </div>
        </div>
    }
}

/// Asks before a destructive step.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] body: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal title=title on_close=on_close testid="confirm-dialog">
            <p class="confirm-text">{body}</p>
            <div class="modal-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    {t("common.cancel")}
                </button>
                <button
                    type="button"
                    class="btn btn-danger"
                    data-testid="confirm-button"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
            </div>
        </Modal>
    }
}
