//! `/quick-replies`: saved answers agents insert with `/shortcut`. The list
//! with search and checkboxes for bulk delete, and a form for the shortcut,
//! the body (with WhatsApp formatting) and the channels it is offered on.

use std::time::Duration;

use contract::channels::Channel;
use contract::conversations::{QuickReply, QuickReplyInput};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::actions::{run_busy, RowAction, RowActions};
use crate::components::form::TextField;
use crate::components::misc::{gated, ErrorBanner, Loading, PageHeader};
use crate::components::modal::{ConfirmDialog, Modal};
use crate::i18n::{t, tc, tf};
use crate::pages::templates::formatted;
use crate::state::{me_state, toasts};

const SEARCH_DELAY: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    New,
    Edit(QuickReply),
    Delete(QuickReply),
    DeleteSelected,
}

#[component]
pub fn QuickRepliesPage() -> impl IntoView {
    gated("quick_replies.view", || view! { <QuickReplies /> })
}

#[component]
fn QuickReplies() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_create = Memo::new(move |_| me.can("quick_replies.create"));
    let can_edit = Memo::new(move |_| me.can("quick_replies.edit"));
    let can_delete = Memo::new(move |_| me.can("quick_replies.delete"));
    let q = RwSignal::new(String::new());
    let items = RwSignal::new(None::<Result<Vec<QuickReply>, String>>);
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let generation = StoredValue::new(0u32);
    let channels = LocalResource::new(move || async move {
        api.channels().await.map(|p| p.items).unwrap_or_default()
    });
    let channel_list = Signal::derive(move || channels.get().unwrap_or_default());

    let load = move || {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        let text = q.get_untracked();
        spawn_local(async move {
            let result = api.quick_replies(&text, None).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            if !matches!(result, Err(ApiError::SignedOut)) {
                let ids: Vec<Uuid> = result
                    .as_ref()
                    .map(|l| l.iter().map(|r| r.id).collect())
                    .unwrap_or_default();
                selected.update(|s| s.retain(|id| ids.contains(id)));
                items.set(Some(result.map_err(|e| e.message())));
            }
        });
    };
    Effect::new(move |first: Option<()>| {
        q.track();
        if first.is_none() {
            load();
        } else {
            let gen = generation.get_value();
            set_timeout(
                move || {
                    if generation.try_get_value() == Some(gen) {
                        load();
                    }
                },
                SEARCH_DELAY,
            );
        }
    });

    let channel_names = move |ids: &[Uuid]| {
        if ids.is_empty() {
            return t("quick_replies.all_channels");
        }
        channel_list.with(|list| {
            ids.iter()
                .map(|id| {
                    list.iter()
                        .find(|c| c.id == *id)
                        .map_or_else(|| t("quick_replies.unknown_channel"), |c| c.name.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };

    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let confirm_delete = Callback::new(move |()| {
        let ids = match dialog.get_untracked() {
            Dialog::Delete(r) => vec![r.id],
            Dialog::DeleteSelected => selected.get_untracked(),
            _ => return,
        };
        let request = async move {
            if ids.len() == 1 {
                api.delete_quick_reply(ids[0]).await.map(|()| 1)
            } else {
                api.bulk_delete_quick_replies(ids).await.map(|a| a.affected)
            }
        };
        run_busy(busy, toasts, request, move |n| {
            toasts.success(tc("quick_replies.deleted", n));
            dialog.set(Dialog::None);
            selected.set(Vec::new());
            load();
        });
    });

    let row = move |r: QuickReply| {
        let id = r.id;
        let select_label = tf("quick_replies.select", &[("shortcut", &r.shortcut)]);
        let checked = Memo::new(move |_| selected.with(|s| s.contains(&id)));
        let (for_edit, for_delete) = (r.clone(), r.clone());
        view! {
            <tr data-testid="quick-reply-row" data-shortcut=r.shortcut.clone() class:selected=move || checked.get()>
                <Show when=move || can_delete.get()>
                    <td class="col-check">
                        <input type="checkbox" class="check" data-testid="select-quick-reply"
                            aria-label=select_label.clone()
                            prop:checked=move || checked.get()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|s| {
                                    s.retain(|x| *x != id);
                                    if on {
                                        s.push(id);
                                    }
                                });
                            } />
                    </td>
                </Show>
                <td class="mono cell-main nowrap">{format!("/{}", r.shortcut)}</td>
                <td class="qr-body-cell">{formatted(&r.body)}</td>
                <td class="cell-muted">{channel_names(&r.channel_ids)}</td>
                <RowActions>
                    <RowAction
                        when=can_edit
                        label=t("common.edit")
                        testid="edit-quick-reply"
                        icon=icondata::LuPencil
                        on_click=move |()| dialog.set(Dialog::Edit(for_edit.clone()))
                    />
                    <RowAction
                        when=can_delete
                        label=t("common.delete")
                        testid="delete-quick-reply"
                        icon=icondata::LuTrash2
                        danger=true
                        on_click=move |()| dialog.set(Dialog::Delete(for_delete.clone()))
                    />
                </RowActions>
            </tr>
        }
    };

    let all_ids = move || {
        items.with(|i| match i {
            Some(Ok(l)) => l.iter().map(|r| r.id).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };

    view! {
        <PageHeader title=t("module.quick_replies") subtitle=t("quick_replies.subtitle")>
            <Show when=move || can_create.get()>
                <button type="button" class="btn btn-primary" data-testid="new-quick-reply" on:click=move |_| dialog.set(Dialog::New)>
                    <Icon icon=icondata::LuPlus />
                    <span>{t("quick_replies.new")}</span>
                </button>
            </Show>
        </PageHeader>
        <section class="card table-card">
            <div class="table-toolbar">
                <div class="toolbar-left">
                    <label class="search">
                        <Icon icon=icondata::LuSearch />
                        <span class="sr-only">{t("quick_replies.search")}</span>
                        <input type="search" placeholder=t("quick_replies.search_placeholder") data-testid="quick-replies-search"
                            prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
                    </label>
                </div>
                <div class="toolbar-right">
                    <Show when=move || !selected.with(Vec::is_empty)>
                        <div class="bulk-bar" data-testid="bulk-bar">
                            <span class="bulk-count">{move || tc("quick_replies.selected", selected.with(Vec::len) as u64)}</span>
                            <button type="button" class="btn btn-danger btn-sm" data-testid="bulk-delete"
                                on:click=move |_| dialog.set(Dialog::DeleteSelected)>
                                <Icon icon=icondata::LuTrash2 />
                                <span>{t("quick_replies.delete_selected")}</span>
                            </button>
                        </div>
                    </Show>
                </div>
            </div>
            {move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(m)) => view! { <ErrorBanner message=Signal::derive(move || Some(m.clone())) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="quick-replies-empty">
                        <div class="empty-icon"><Icon icon=icondata::LuZap width="28" height="28" /></div>
                        <h2>{t(if q.with(|q| q.trim().is_empty()) { "quick_replies.empty_title" } else { "quick_replies.empty_filtered" })}</h2>
                        <p>{t("quick_replies.empty_body")}</p>
                    </div>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-scroll">
                        <table class="table" data-testid="quick-replies-table">
                            <thead>
                                <tr>
                                    <Show when=move || can_delete.get()>
                                        <th class="col-check">
                                            <input type="checkbox" class="check" data-testid="select-all-quick-replies"
                                                aria-label=t("quick_replies.select_all")
                                                prop:checked=move || { let all = all_ids(); !all.is_empty() && selected.with(|s| all.iter().all(|id| s.contains(id))) }
                                                on:change=move |ev| {
                                                    if event_target_checked(&ev) { selected.set(all_ids()) } else { selected.set(Vec::new()) }
                                                } />
                                        </th>
                                    </Show>
                                    <th>{t("quick_replies.col.shortcut")}</th>
                                    <th>{t("quick_replies.col.body")}</th>
                                    <th>{t("quick_replies.col.channels")}</th>
                                    <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(row).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::New => view! {
                <QuickReplyForm existing=None channels=channel_list on_close=close
                    on_saved=Callback::new(move |r: QuickReply| {
                        dialog.set(Dialog::None);
                        toasts.success(tf("quick_replies.created", &[("shortcut", &r.shortcut)]));
                        load();
                    }) />
            }.into_any(),
            Dialog::Edit(r) => view! {
                <QuickReplyForm existing=Some(r) channels=channel_list on_close=close
                    on_saved=Callback::new(move |r: QuickReply| {
                        dialog.set(Dialog::None);
                        toasts.success(tf("quick_replies.saved", &[("shortcut", &r.shortcut)]));
                        load();
                    }) />
            }.into_any(),
            Dialog::Delete(r) => view! {
                <ConfirmDialog
                    title=tf("quick_replies.delete_title", &[("shortcut", &r.shortcut)])
                    body=t("quick_replies.delete_body")
                    confirm_label=t("common.delete")
                    busy=busy
                    on_confirm=confirm_delete
                    on_close=close
                />
            }.into_any(),
            Dialog::DeleteSelected => view! {
                <ConfirmDialog
                    title=tc("quick_replies.delete_many_title", selected.get_untracked().len() as u64)
                    body=t("quick_replies.delete_body")
                    confirm_label=t("common.delete")
                    busy=busy
                    on_confirm=confirm_delete
                    on_close=close
                />
            }.into_any(),
        }}
    }
}

/// Create or edit one quick reply.
#[component]
fn QuickReplyForm(
    existing: Option<QuickReply>,
    #[prop(into)] channels: Signal<Vec<Channel>>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<QuickReply>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let id = existing.as_ref().map(|r| r.id);
    let shortcut = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.shortcut.clone())
            .unwrap_or_default(),
    );
    let body = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.body.clone())
            .unwrap_or_default(),
    );
    let picked = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.channel_ids.clone())
            .unwrap_or_default(),
    );
    let some_channels = RwSignal::new(existing.as_ref().is_some_and(|r| !r.channel_ids.is_empty()));
    let errors = RwSignal::new(FieldErrors::new());
    let banner = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let textarea = NodeRef::<html::Textarea>::new();

    let wrap = move |marker: &'static str| {
        move |_| {
            let text = body.get_untracked();
            let (start, end) = textarea
                .get_untracked()
                .and_then(|el| {
                    Some((
                        el.selection_start().ok().flatten()? as usize,
                        el.selection_end().ok().flatten()? as usize,
                    ))
                })
                .unwrap_or((text.chars().count(), text.chars().count()));
            let byte = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
            let (s, e) = (byte(start), byte(end));
            let inner = if s == e {
                t("templates.sample_text")
            } else {
                text[s..e].to_string()
            };
            body.set(format!(
                "{}{marker}{inner}{marker}{}",
                &text[..s],
                &text[e..]
            ));
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = QuickReplyInput {
            shortcut: shortcut
                .get_untracked()
                .trim()
                .trim_start_matches('/')
                .to_string(),
            body: body.get_untracked(),
            channel_ids: if some_channels.get_untracked() {
                picked.get_untracked()
            } else {
                Vec::new()
            },
        };
        busy.set(true);
        errors.set(FieldErrors::new());
        banner.set(None);
        spawn_local(async move {
            let result = match id {
                Some(id) => api.update_quick_reply(id, &req).await,
                None => api.create_quick_reply(&req).await,
            };
            busy.set(false);
            match result {
                Ok(r) => on_saved.run(r),
                Err(e) => {
                    errors.set(e.field_errors());
                    banner.set(Some(e.message()));
                }
            }
        });
    };
    let err = move |key: &'static str| {
        move || errors.with(|e| e.get(key).filter(|m| !m.is_empty()).map(|m| m.join(" ")))
    };
    let title = if id.is_some() {
        t("quick_replies.edit_title")
    } else {
        t("quick_replies.new_title")
    };

    view! {
        <Modal title=title on_close=on_close testid="quick-reply-dialog">
            <form on:submit=submit novalidate=true data-testid="quick-reply-form">
                <ErrorBanner message=banner />
                <TextField id="qr-shortcut" field="shortcut" label=t("quick_replies.field.shortcut") value=shortcut errors=errors
                    hint=t("quick_replies.field.shortcut_hint") placeholder="hours" required=true />
                <div class="field">
                    <label for="qr-body">{t("quick_replies.field.body")}<span class="req" aria-hidden="true">" *"</span></label>
                    <div class="format-bar" role="toolbar" aria-label=t("templates.formatting")>
                        <button type="button" class="icon-btn" title=t("templates.bold") aria-label=t("templates.bold") on:click=wrap("*")>
                            <Icon icon=icondata::LuBold />
                        </button>
                        <button type="button" class="icon-btn" title=t("templates.italic") aria-label=t("templates.italic") on:click=wrap("_")>
                            <Icon icon=icondata::LuItalic />
                        </button>
                        <button type="button" class="icon-btn" title=t("templates.strike") aria-label=t("templates.strike") on:click=wrap("~")>
                            <Icon icon=icondata::LuStrikethrough />
                        </button>
                        <button type="button" class="icon-btn" title=t("templates.mono") aria-label=t("templates.mono") on:click=wrap("```")>
                            <Icon icon=icondata::LuCode />
                        </button>
                    </div>
                    <textarea id="qr-body" rows="5" node_ref=textarea data-testid="quick-reply-body"
                        class:invalid=move || errors.with(|e| e.contains_key("body"))
                        prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    <p class="field-error" role="alert" data-testid="error-body">{err("body")}</p>
                    <Show when=move || !body.with(|b| b.trim().is_empty())>
                        <div class="qr-preview">
                            <span class="label">{t("quick_replies.preview")}</span>
                            <div class="wa-bubble">{move || formatted(&body.get())}</div>
                        </div>
                    </Show>
                </div>
                <fieldset class="choice-group">
                    <legend>{t("quick_replies.field.channels")}</legend>
                    <label class="choice">
                        <input type="radio" name="qr-channels" data-testid="qr-all-channels"
                            prop:checked=move || !some_channels.get() on:change=move |_| some_channels.set(false) />
                        <span>{t("quick_replies.all_channels")}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="qr-channels" data-testid="qr-some-channels"
                            prop:checked=move || some_channels.get() on:change=move |_| some_channels.set(true) />
                        <span>{t("quick_replies.some_channels")}</span>
                    </label>
                    <Show when=move || some_channels.get()>
                        <div class="qr-channel-list">
                            {move || channels.get().into_iter().map(|c| {
                                let cid = c.id;
                                view! {
                                    <label class="inline-check">
                                        <input type="checkbox" data-testid="qr-channel" data-name=c.name.clone()
                                            prop:checked=move || picked.with(|p| p.contains(&cid))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                picked.update(|p| { p.retain(|x| *x != cid); if on { p.push(cid); } });
                                            } />
                                        <span>{c.name.clone()}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </Show>
                    <p class="field-error" role="alert" data-testid="error-channel_ids">{err("channel_ids")}</p>
                </fieldset>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>{t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="save-quick-reply" disabled=move || busy.get()>
                        {t("common.save")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
