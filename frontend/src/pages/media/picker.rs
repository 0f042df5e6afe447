//! Choosing a gallery item of one kind (a template's header sample, a file
//! to send): the current choice with its thumbnail, and a dialog listing
//! the gallery with an upload on the spot.

use contract::media::MediaItem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{files_of, human_size, kind_icon, thumbnail, upload_files, Upload, UploadProgress};
use crate::api::Authed;
use crate::components::misc::Loading;
use crate::components::modal::Modal;
use crate::i18n::t;

/// A chosen gallery item. `url` and `name` may be missing until looked up
/// (a saved template names only the id).
#[derive(Debug, Clone, PartialEq)]
pub struct MediaChoice {
    pub id: Uuid,
    pub name: String,
    pub url: Option<String>,
    pub resolved: bool,
}

impl MediaChoice {
    pub fn unresolved(id: Uuid) -> Self {
        Self {
            id,
            name: String::new(),
            url: None,
            resolved: false,
        }
    }

    pub fn of(item: &MediaItem) -> Self {
        Self {
            id: item.id,
            name: item.name.clone(),
            url: Some(item.url.clone()),
            resolved: true,
        }
    }
}

#[component]
pub fn MediaPicker(
    /// image, video, document or audio.
    #[prop(into)]
    kind: Signal<String>,
    selected: RwSignal<Option<MediaChoice>>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let open = RwSignal::new(false);
    // A saved choice names only the id: look the rest up once.
    Effect::new(move |_| {
        if let Some(choice) = selected.get().filter(|c| !c.resolved) {
            spawn_local(async move {
                if let Ok(item) = api.media_item(choice.id).await {
                    selected.set(Some(MediaChoice::of(&item)));
                }
            });
        }
    });
    view! {
        <div class="media-picker" data-testid="media-picker">
            {move || match selected.get() {
                Some(choice) => {
                    let is_image = kind.get() == "image";
                    view! {
                        <div class="media-choice" data-testid="media-choice">
                            {match (is_image, choice.url.clone()) {
                                (true, Some(url)) => view! { <img class="media-thumb media-thumb-sm" src=url alt=choice.name.clone() /> }.into_any(),
                                _ => view! { <span class="media-thumb media-thumb-sm media-thumb-icon"><Icon icon=kind_icon(&kind.get()) /></span> }.into_any(),
                            }}
                            <span class="media-name">{choice.name.clone()}</span>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| open.set(true)>{t("media.change")}</button>
                            <button type="button" class="icon-btn" aria-label=t("media.clear") title=t("media.clear")
                                on:click=move |_| selected.set(None)>
                                <Icon icon=icondata::LuX />
                            </button>
                        </div>
                    }.into_any()
                }
                None => view! {
                    <button type="button" class="btn btn-secondary" data-testid="choose-media" on:click=move |_| open.set(true)>
                        <Icon icon=icondata::LuImages />
                        <span>{t("media.choose")}</span>
                    </button>
                }.into_any(),
            }}
            <Show when=move || open.get()>
                <PickerDialog kind=kind on_close=Callback::new(move |()| open.set(false))
                    on_pick=Callback::new(move |item: MediaItem| {
                        selected.set(Some(MediaChoice::of(&item)));
                        open.set(false);
                    }) />
            </Show>
        </div>
    }
}

/// The gallery in a dialog; `kind` narrows it (empty for every kind).
/// A file uploaded here of the wanted kind is picked at once.
#[component]
pub fn PickerDialog(
    #[prop(into)] kind: Signal<String>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_pick: Callback<MediaItem>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let q = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let items = LocalResource::new(move || {
        let (k, text) = (kind.get(), q.get());
        version.track();
        async move { api.media(&k, &text, None).await }
    });
    let input = NodeRef::<leptos::html::Input>::new();
    let uploaded = Callback::new(move |item: MediaItem| {
        let wanted = kind.get_untracked();
        if wanted.is_empty() || item.kind == wanted {
            on_pick.run(item);
        } else {
            version.update(|v| *v += 1);
        }
    });
    let accept = move || {
        match kind.get().as_str() {
        "image" => "image/jpeg,image/png",
        "video" => "video/mp4,video/3gpp",
        "audio" => "audio/*",
        "" => "image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt",
        _ => "application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt",
    }
    };
    view! {
        <Modal title=t("media.choose") on_close=on_close wide=true testid="media-picker-dialog">
            <div class="picker-toolbar">
                <label class="search">
                    <Icon icon=icondata::LuSearch />
                    <span class="sr-only">{t("media.search")}</span>
                    <input type="search" placeholder=t("media.search_placeholder")
                        prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
                </label>
                <input type="file" class="sr-only" node_ref=input accept=accept data-testid="picker-file-input"
                    on:change=move |ev| {
                        let el: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
                        if let Some(el) = el {
                            upload_files(api, files_of(el.files()), uploads, uploaded);
                            el.set_value("");
                        }
                    } />
                <button type="button" class="btn btn-secondary" data-testid="picker-upload"
                    on:click=move |_| { if let Some(el) = input.get_untracked() { el.click(); } }>
                    <Icon icon=icondata::LuUpload />
                    <span>{t("media.upload")}</span>
                </button>
            </div>
            <UploadProgress uploads=uploads />
            {move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e.message()}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="cell-muted picker-empty">{t("media.picker_empty")}</p>
                }.into_any(),
                Some(Ok(page)) => view! {
                    <div class="media-grid media-grid-sm">
                        {page.items.into_iter().map(|item| {
                            let pick = item.clone();
                            view! {
                                <button type="button" class="media-tile media-pick" data-testid="pick-media"
                                    data-name=item.name.clone() on:click=move |_| on_pick.run(pick.clone())>
                                    {thumbnail(&item)}
                                    <span class="media-name">{item.name.clone()}</span>
                                    <span class="cell-muted">{human_size(item.size_bytes)}</span>
                                </button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </Modal>
    }
}
