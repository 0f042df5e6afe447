//! `/media`: the tenant's media gallery (upload by drag and drop or
//! picker with progress, grid and list views, type filter, search, rename,
//! delete), and the picker the template editor and composer use.

mod picker;

use std::collections::BTreeMap;

use contract::media::MediaItem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::{format_date, gated, ErrorBanner, Loading, PageHeader};
use crate::components::modal::{ConfirmDialog, Modal};
use crate::i18n::{t, tc, tf};
use crate::state::{me_state, toasts};

pub use picker::{MediaChoice, MediaPicker, PickerDialog};

/// The kinds the filter offers, with their label keys.
const KINDS: &[(&str, &str)] = &[
    ("", "media.kind.all"),
    ("image", "media.kind.images"),
    ("video", "media.kind.videos"),
    ("audio", "media.kind.audio"),
    ("document", "media.kind.documents"),
];

/// `12.3 MB`, `480 KB`.
pub fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / KB / KB)
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} B")
    }
}

pub fn kind_icon(kind: &str) -> icondata::Icon {
    match kind {
        "image" | "sticker" => icondata::LuImage,
        "video" => icondata::LuFilm,
        "audio" => icondata::LuMusic,
        _ => icondata::LuFileText,
    }
}

/// A square thumbnail: the picture itself, or the kind's icon.
pub fn thumbnail(item: &MediaItem) -> impl IntoView {
    if item.kind == "image" || item.kind == "sticker" {
        view! { <img class="media-thumb" src=item.url.clone() alt=item.name.clone() loading="lazy" /> }
            .into_any()
    } else {
        view! {
            <div class="media-thumb media-thumb-icon">
                <Icon icon=kind_icon(&item.kind) width="32" height="32" />
            </div>
        }
        .into_any()
    }
}

/// Files picked or dropped, as a list.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// An upload on its way: the file's name and the fraction sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub key: u32,
    pub name: String,
    pub sent: RwSignal<f64>,
}

/// Uploads `files` one after another, showing each in `uploads` until it
/// is done; `done` gets each stored item.
pub fn upload_files(
    api: Authed,
    files: Vec<web_sys::File>,
    uploads: RwSignal<Vec<Upload>>,
    done: Callback<MediaItem>,
) {
    let toasts = toasts();
    spawn_local(async move {
        for file in files {
            let key = (js_sys::Math::random() * 1e9) as u32;
            let sent = RwSignal::new(0.0);
            uploads.update(|u| {
                u.push(Upload {
                    key,
                    name: file.name(),
                    sent,
                })
            });
            let result = api.upload_media(&file, move |f| sent.set(f)).await;
            uploads.update(|u| u.retain(|x| x.key != key));
            match result {
                Ok(item) => done.run(item),
                Err(e) => toasts.error(tf(
                    "media.upload_failed",
                    &[("name", &file.name()), ("reason", &e.message())],
                )),
            }
        }
    });
}

/// The progress bars of running uploads.
#[component]
pub fn UploadProgress(uploads: RwSignal<Vec<Upload>>) -> impl IntoView {
    view! {
        <Show when=move || !uploads.with(Vec::is_empty)>
            <ul class="upload-list" data-testid="upload-progress">
                <For each=move || uploads.get() key=|u| u.key let:u>
                    <li class="upload-item">
                        <span class="upload-name">{u.name.clone()}</span>
                        <progress max="100" value=move || (u.sent.get() * 100.0).round().to_string()></progress>
                        <span class="upload-pct">{move || format!("{:.0}%", u.sent.get() * 100.0)}</span>
                    </li>
                </For>
            </ul>
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    None,
    Rename(MediaItem),
    Delete(MediaItem),
}

#[component]
pub fn MediaPage() -> impl IntoView {
    gated("media.view", || view! { <Gallery /> })
}

#[component]
fn Gallery() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_upload = Memo::new(move |_| me.can("media.create"));
    let can_edit = Memo::new(move |_| me.can("media.edit"));
    let can_delete = Memo::new(move |_| me.can("media.delete"));

    let kind = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let grid = RwSignal::new(true);
    let items = RwSignal::new(Vec::<MediaItem>::new());
    let cursor = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let dragging = RwSignal::new(false);
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let generation = StoredValue::new(0u32);
    let input = NodeRef::<leptos::html::Input>::new();

    let load = move || {
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        loading.set(true);
        let (k, text) = (kind.get_untracked(), q.get_untracked());
        spawn_local(async move {
            let result = api.media(&k, &text, None).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    failed.set(None);
                    items.set(page.items);
                    cursor.set(page.next_cursor);
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => failed.set(Some(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        kind.track();
        q.track();
        load();
    });
    let load_more = move |_| {
        let Some(next) = cursor.get_untracked() else {
            return;
        };
        let (k, text) = (kind.get_untracked(), q.get_untracked());
        spawn_local(async move {
            match api.media(&k, &text, Some(&next)).await {
                Ok(page) => {
                    items.update(|l| l.extend(page.items));
                    cursor.set(page.next_cursor);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };

    let uploaded = Callback::new(move |item: MediaItem| {
        toasts.success(tf("media.uploaded", &[("name", &item.name)]));
        let shown = kind.with_untracked(|k| k.is_empty() || *k == item.kind);
        if shown {
            items.update(|l| l.insert(0, item));
        }
    });
    let start = move |files: Vec<web_sys::File>| {
        if !files.is_empty() {
            upload_files(api, files, uploads, uploaded);
        }
    };

    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if !can_upload.get_untracked() {
            return;
        }
        start(files_of(ev.data_transfer().and_then(|d| d.files())));
    };

    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let delete = Callback::new(move |()| {
        let Dialog::Delete(item) = dialog.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = api.delete_media(item.id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(tf("media.deleted", &[("name", &item.name)]));
                    items.update(|l| l.retain(|x| x.id != item.id));
                    dialog.set(Dialog::None);
                }
                Err(e) => {
                    dialog.set(Dialog::None);
                    toasts.error(e.message());
                }
            }
        });
    });

    let actions = move |item: MediaItem| {
        let for_rename = item.clone();
        let for_delete = item.clone();
        view! {
            <div class="row-actions">
                <a class="icon-btn" href=item.url.clone() target="_blank" rel="noopener"
                    title=t("media.open") aria-label=t("media.open")>
                    <Icon icon=icondata::LuExternalLink />
                </a>
                <Show when=move || can_edit.get()>
                    {
                        let item = for_rename.clone();
                        view! {
                            <button type="button" class="icon-btn" title=t("media.rename") aria-label=t("media.rename")
                                data-testid="rename-media" on:click=move |_| dialog.set(Dialog::Rename(item.clone()))>
                                <Icon icon=icondata::LuPencil />
                            </button>
                        }
                    }
                </Show>
                <Show when=move || can_delete.get()>
                    {
                        let item = for_delete.clone();
                        view! {
                            <button type="button" class="icon-btn icon-btn-danger" title=t("common.delete")
                                aria-label=t("common.delete") data-testid="delete-media"
                                on:click=move |_| dialog.set(Dialog::Delete(item.clone()))>
                                <Icon icon=icondata::LuTrash2 />
                            </button>
                        }
                    }
                </Show>
            </div>
        }
    };

    let tile = move |item: MediaItem| {
        let meta = format!(
            "{} · {}",
            t(&format!("media.kind_one.{}", item.kind)),
            human_size(item.size_bytes)
        );
        view! {
            <figure class="media-tile" data-testid="media-item" data-name=item.name.clone() data-kind=item.kind.clone()>
                {thumbnail(&item)}
                <figcaption>
                    <span class="media-name" title=item.name.clone()>{item.name.clone()}</span>
                    <span class="cell-muted">{meta}</span>
                </figcaption>
                {actions(item.clone())}
            </figure>
        }
    };
    let row = move |item: MediaItem| {
        view! {
            <tr data-testid="media-item" data-name=item.name.clone() data-kind=item.kind.clone()>
                <td class="col-thumb">{thumbnail(&item)}</td>
                <td class="cell-main">{item.name.clone()}</td>
                <td class="cell-muted">{t(&format!("media.kind_one.{}", item.kind))}</td>
                <td class="cell-muted mono">{item.mime_type.clone()}</td>
                <td class="cell-muted nowrap">{human_size(item.size_bytes)}</td>
                <td class="cell-muted">{item.created_by_name.clone().unwrap_or_default()}</td>
                <td class="cell-muted nowrap">{format_date(&item.created_at)}</td>
                <td class="col-actions">{actions(item.clone())}</td>
            </tr>
        }
    };

    view! {
        <PageHeader title=t("module.media") subtitle=t("media.subtitle")>
            <Show when=move || can_upload.get()>
                <input type="file" class="sr-only" multiple node_ref=input data-testid="media-file-input"
                    accept="image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt"
                    on:change=move |ev| {
                        let el: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
                        if let Some(el) = el {
                            start(files_of(el.files()));
                            el.set_value("");
                        }
                    } />
                <button type="button" class="btn btn-primary" data-testid="upload-media"
                    on:click=move |_| { if let Some(el) = input.get_untracked() { el.click(); } }>
                    <Icon icon=icondata::LuUpload />
                    <span>{t("media.upload")}</span>
                </button>
            </Show>
        </PageHeader>
        <section
            class="card table-card media-card"
            class:dragging=move || dragging.get()
            data-testid="media-dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <div class="table-toolbar">
                <div class="toolbar-left toolbar-wrap">
                    <label class="search">
                        <Icon icon=icondata::LuSearch />
                        <span class="sr-only">{t("media.search")}</span>
                        <input type="search" placeholder=t("media.search_placeholder") data-testid="media-search"
                            prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
                    </label>
                    <div class="segmented" role="radiogroup" aria-label=t("media.filter")>
                        {KINDS.iter().map(|(k, key)| {
                            let k = *k;
                            view! {
                                <button type="button" class="segment" role="radio"
                                    data-testid=format!("media-kind-{}", if k.is_empty() { "all" } else { k })
                                    aria-checked=move || if kind.get() == k { "true" } else { "false" }
                                    class:active=move || kind.get() == k
                                    on:click=move |_| kind.set(k.to_string())>
                                    {t(key)}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
                <div class="toolbar-right">
                    <span class="toolbar-count">{move || items.with(|l| tc("media.count", l.len() as u64))}</span>
                    <div class="segmented segmented-sm" role="group" aria-label=t("media.view")>
                        <button type="button" class="segment" class:active=move || grid.get() title=t("media.grid")
                            aria-label=t("media.grid") aria-pressed=move || grid.get().to_string() data-testid="media-grid-view"
                            on:click=move |_| grid.set(true)>
                            <Icon icon=icondata::LuLayoutGrid />
                        </button>
                        <button type="button" class="segment" class:active=move || !grid.get() title=t("media.list")
                            aria-label=t("media.list") aria-pressed=move || (!grid.get()).to_string() data-testid="media-list-view"
                            on:click=move |_| grid.set(false)>
                            <Icon icon=icondata::LuList />
                        </button>
                    </div>
                </div>
            </div>
            <UploadProgress uploads=uploads />
            <div class="drop-hint" aria-hidden="true">
                <Icon icon=icondata::LuUpload width="28" height="28" />
                <span>{t("media.drop_here")}</span>
            </div>
            <ErrorBanner message=failed />
            {move || {
                if loading.get() && items.with(Vec::is_empty) {
                    return view! { <Loading /> }.into_any();
                }
                if items.with(Vec::is_empty) {
                    return view! {
                        <div class="empty-state" data-testid="media-empty">
                            <div class="empty-icon"><Icon icon=icondata::LuImages width="28" height="28" /></div>
                            <h2>{t("media.empty_title")}</h2>
                            <p>{t("media.empty_body")}</p>
                        </div>
                    }.into_any();
                }
                if grid.get() {
                    view! {
                        <div class="media-grid" data-testid="media-grid">
                            <For each=move || items.get() key=|m| (m.id, m.name.clone()) children=tile />
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="table-scroll">
                            <table class="table" data-testid="media-table">
                                <thead>
                                    <tr>
                                        <th class="col-thumb"><span class="sr-only">{t("media.col.preview")}</span></th>
                                        <th>{t("media.col.name")}</th>
                                        <th>{t("media.col.kind")}</th>
                                        <th>{t("media.col.type")}</th>
                                        <th>{t("media.col.size")}</th>
                                        <th>{t("media.col.by")}</th>
                                        <th>{t("media.col.added")}</th>
                                        <th class="col-actions"><span class="sr-only">{t("common.actions")}</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    <For each=move || items.get() key=|m| (m.id, m.name.clone()) children=row />
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
            <Show when=move || cursor.with(Option::is_some)>
                <div class="load-more">
                    <button type="button" class="btn btn-secondary" on:click=load_more>{t("common.load_more")}</button>
                </div>
            </Show>
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Delete(item) => view! {
                <ConfirmDialog
                    title=tf("media.delete_title", &[("name", &item.name)])
                    body=t("media.delete_body")
                    confirm_label=t("common.delete")
                    busy=busy
                    on_confirm=delete
                    on_close=close
                />
            }.into_any(),
            Dialog::Rename(item) => view! {
                <RenameDialog item=item on_close=close on_done=Callback::new(move |renamed: MediaItem| {
                    items.update(|l| {
                        if let Some(x) = l.iter_mut().find(|x| x.id == renamed.id) {
                            *x = renamed;
                        }
                    });
                    dialog.set(Dialog::None);
                }) />
            }.into_any(),
        }}
    }
}

#[component]
fn RenameDialog(
    item: MediaItem,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<MediaItem>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let name = RwSignal::new(item.name.clone());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id: Uuid = item.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let new_name = name.get_untracked();
        spawn_local(async move {
            let result = api.rename_media(id, new_name.trim()).await;
            busy.set(false);
            match result {
                Ok(renamed) => on_done.run(renamed),
                Err(e) => {
                    let fields: BTreeMap<_, _> = e.field_errors();
                    if fields.is_empty() {
                        error.set(Some(e.message()));
                    }
                    errors.set(fields);
                }
            }
        });
    };
    view! {
        <Modal title=t("media.rename") on_close=on_close testid="rename-dialog">
            <form on:submit=submit novalidate>
                <ErrorBanner message=error />
                <TextField id="name" label=t("media.col.name") value=name errors=errors required=true />
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>{t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="rename-confirm" disabled=move || busy.get()>{t("common.save")}</button>
                </div>
            </form>
        </Modal>
    }
}
