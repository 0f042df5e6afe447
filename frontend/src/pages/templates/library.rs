//! `/templates/library`: ready-made templates (the built-in examples and
//! those shared in the tenant). **Use** opens one in the editor.

use contract::templates::{LibraryTemplate, TemplateHeader};
use leptos::prelude::*;
use leptos_icons::Icon;

use super::preview::{PhonePreview, PreviewHeader, PreviewModel};
use super::{category_label, gated, language_label, Tab, TemplatesHeader};
use crate::api::Authed;
use crate::components::misc::{Badge, ErrorBanner, Loading};
use crate::i18n::t;
use crate::state::me_state;

#[component]
pub fn TemplateLibraryPage() -> impl IntoView {
    gated(|| view! { <TemplateLibrary /> })
}

/// The entry's look in the phone, with its sample values in place.
fn model_of(entry: &LibraryTemplate) -> PreviewModel {
    let c = &entry.content;
    let mut body = c.body.clone();
    for (k, v) in &c.body_examples {
        body = body.replace(&format!("{{{{{k}}}}}"), v);
    }
    let header = match &c.header {
        TemplateHeader::None => PreviewHeader::None,
        TemplateHeader::Text { text, example } => PreviewHeader::Text(match example {
            Some(e) => text.replace("{{1}}", e),
            None => text.clone(),
        }),
        TemplateHeader::Image { .. } => media("image"),
        TemplateHeader::Video { .. } => media("video"),
        TemplateHeader::Document { .. } => media("document"),
        TemplateHeader::Location => PreviewHeader::Location,
    };
    PreviewModel {
        header,
        body,
        footer: c.footer.clone(),
        buttons: c.buttons.clone(),
    }
}

fn media(kind: &str) -> PreviewHeader {
    PreviewHeader::Media {
        kind: kind.into(),
        url: None,
        name: None,
    }
}

#[component]
fn TemplateLibrary() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let can_create = Memo::new(move |_| me.can("templates.create"));
    let category = RwSignal::new(String::new());
    let entries = LocalResource::new(move || async move { api.template_library().await });

    let card = move |e: LibraryTemplate| {
        let model = model_of(&e);
        let href = format!("/templates/new?from={}", e.id);
        let shared = e.source == "tenant";
        view! {
            <article class="card library-card" data-testid="library-card" data-id=e.id.clone()>
                <div class="library-head">
                    <h3>{e.title.clone()}</h3>
                    <div class="library-badges">
                        <Badge tone="neutral" text=category_label(&e.content.category) />
                        {shared.then(|| view! { <Badge tone="accent" text=t("templates.library.shared") /> })}
                    </div>
                </div>
                <p class="cell-muted">{e.description.clone()}</p>
                <div class="library-preview">
                    <PhonePreview model=Signal::derive(move || model.clone()) />
                </div>
                <div class="library-foot">
                    <span class="cell-muted mono">{format!("{} · {}", e.content.name, language_label(&e.content.language))}</span>
                    <Show when=move || can_create.get()>
                        <a class="btn btn-primary btn-sm" href=href.clone() data-testid="use-template">
                            <Icon icon=icondata::LuCopyPlus />
                            <span>{t("templates.library.use")}</span>
                        </a>
                    </Show>
                </div>
            </article>
        }
    };

    view! {
        <TemplatesHeader tab=Tab::Library />
        <div class="segmented library-filter" role="radiogroup" aria-label=t("templates.filter.category")>
            {[("", "templates.filter.any_category"), ("marketing", "templates.category.marketing"), ("utility", "templates.category.utility"), ("authentication", "templates.category.authentication")]
                .into_iter()
                .map(|(v, key)| view! {
                    <button type="button" class="segment" role="radio"
                        aria-checked=move || if category.get() == v { "true" } else { "false" }
                        class:active=move || category.get() == v
                        on:click=move |_| category.set(v.to_string())>
                        {t(key)}
                    </button>
                })
                .collect_view()}
        </div>
        {move || match entries.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => {
                let m = e.message();
                view! { <ErrorBanner message=Signal::derive(move || Some(m.clone())) /> }.into_any()
            }
            Some(Ok(list)) => {
                let wanted = category.get();
                view! {
                    <div class="library-grid" data-testid="library-grid">
                        {list
                            .into_iter()
                            .filter(|e| wanted.is_empty() || e.content.category == wanted)
                            .map(card)
                            .collect_view()}
                    </div>
                }
                .into_any()
            }
        }}
    }
}
