//! `/templates/new` and `/templates/{id}`: the template editor. The form on
//! the left, the phone preview on the right (rendered by the API's one
//! renderer, with the sample values). Save as a draft or submit for review;
//! Meta's rules come back as field errors next to the fields they name.

use std::collections::BTreeMap;

use contract::templates::{
    CreateTemplateRequest, Preview, PreviewRequest, Template, TemplateButton, TemplateContent,
    TemplateHeader, UpdateTemplateRequest,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

// Meta's limits, shown as counters (the API enforces them).
use contract::limits::{
    TEMPLATE_BODY_MAX, TEMPLATE_BUTTONS_MAX, TEMPLATE_BUTTON_TEXT_MAX, TEMPLATE_FOOTER_MAX,
    TEMPLATE_HEADER_TEXT_MAX, TEMPLATE_NAME_MAX,
};

use super::preview::{PhonePreview, PreviewHeader, PreviewModel};
use super::{gated, graph_channels, status_look, LANGUAGES};
use crate::api::{Authed, FieldErrors};
use crate::components::misc::{Badge, ErrorBanner, Loading, PageHeader};
use crate::i18n::{t, tf};
use crate::pages::media::{MediaChoice, MediaPicker};
use crate::state::{me_state, toasts};

/// The variables of a text in the order they first appear: `{{1}}`,
/// `{{first_name}}`...
pub fn variables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let key = after[..end].trim().to_string();
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid && !out.contains(&key) {
            out.push(key);
        }
        rest = &after[end + 2..];
    }
    out
}

/// The editor's state, one signal per field.
#[derive(Clone, Copy)]
struct Form {
    channel_id: RwSignal<String>,
    name: RwSignal<String>,
    language: RwSignal<String>,
    category: RwSignal<String>,
    named: RwSignal<bool>,
    header_kind: RwSignal<String>,
    header_text: RwSignal<String>,
    header_example: RwSignal<String>,
    header_media: RwSignal<Option<MediaChoice>>,
    body: RwSignal<String>,
    examples: RwSignal<BTreeMap<String, String>>,
    footer: RwSignal<String>,
    buttons: RwSignal<Vec<TemplateButton>>,
}

impl Form {
    fn new() -> Self {
        Self {
            channel_id: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            language: RwSignal::new("en_US".into()),
            category: RwSignal::new("utility".into()),
            named: RwSignal::new(false),
            header_kind: RwSignal::new("none".into()),
            header_text: RwSignal::new(String::new()),
            header_example: RwSignal::new(String::new()),
            header_media: RwSignal::new(None),
            body: RwSignal::new(String::new()),
            examples: RwSignal::new(BTreeMap::new()),
            footer: RwSignal::new(String::new()),
            buttons: RwSignal::new(Vec::new()),
        }
    }

    /// Fills the form from saved content (a template or a library entry).
    fn load(&self, c: &TemplateContent) {
        self.name.set(c.name.clone());
        self.language.set(c.language.clone());
        self.category.set(c.category.clone());
        self.named
            .set(c.parameter_format.as_deref() == Some("named"));
        let (kind, text, example, media) = match &c.header {
            TemplateHeader::None => ("none", String::new(), String::new(), None),
            TemplateHeader::Text { text, example } => (
                "text",
                text.clone(),
                example.clone().unwrap_or_default(),
                None,
            ),
            TemplateHeader::Image { media_id } => {
                ("image", String::new(), String::new(), *media_id)
            }
            TemplateHeader::Video { media_id } => {
                ("video", String::new(), String::new(), *media_id)
            }
            TemplateHeader::Document { media_id } => {
                ("document", String::new(), String::new(), *media_id)
            }
            TemplateHeader::Location => ("location", String::new(), String::new(), None),
        };
        self.header_kind.set(kind.into());
        self.header_text.set(text);
        self.header_example.set(example);
        self.header_media.set(media.map(MediaChoice::unresolved));
        self.body.set(c.body.clone());
        self.examples.set(c.body_examples.clone());
        self.footer.set(c.footer.clone().unwrap_or_default());
        self.buttons.set(c.buttons.clone());
    }

    /// The content as the API takes it (tracked: the preview follows it).
    fn content(&self) -> TemplateContent {
        let media_id = self.header_media.with(|m| m.as_ref().map(|m| m.id));
        let header = match self.header_kind.get().as_str() {
            "text" => TemplateHeader::Text {
                text: self.header_text.get(),
                example: Some(self.header_example.get()).filter(|e| !e.trim().is_empty()),
            },
            "image" => TemplateHeader::Image { media_id },
            "video" => TemplateHeader::Video { media_id },
            "document" => TemplateHeader::Document { media_id },
            "location" => TemplateHeader::Location,
            _ => TemplateHeader::None,
        };
        let body = self.body.get();
        let wanted = variables(&body);
        let examples = self.examples.with(|e| {
            wanted
                .iter()
                .map(|k| (k.clone(), e.get(k).cloned().unwrap_or_default()))
                .collect()
        });
        TemplateContent {
            name: self.name.get().trim().to_string(),
            language: self.language.get(),
            category: self.category.get(),
            parameter_format: Some(
                if self.named.get() {
                    "named"
                } else {
                    "positional"
                }
                .into(),
            ),
            header,
            body,
            body_examples: examples,
            footer: Some(self.footer.get()).filter(|f| !f.trim().is_empty()),
            buttons: self.buttons.get(),
        }
    }
}

#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    gated(|| view! { <TemplateEditor /> })
}

#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Loading,
    Ready(Option<Box<Template>>),
    Failed(String),
}

#[component]
fn TemplateEditor() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let navigate = use_navigate();
    let params = use_params_map();
    let query = use_query_map();
    let id = params
        .with_untracked(|p| p.get("id"))
        .and_then(|s| Uuid::parse_str(&s).ok());
    let from = query.with_untracked(|q| q.get("from"));

    let form = Form::new();
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let loaded = RwSignal::new(Loaded::Loading);
    let can_save = Memo::new(move |_| {
        me.can(if id.is_some() {
            "templates.edit"
        } else {
            "templates.create"
        })
    });

    let channels = LocalResource::new(move || async move {
        api.channels()
            .await
            .map(|p| graph_channels(&p.items))
            .unwrap_or_default()
    });
    let channel_options = Signal::derive(move || {
        channels
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect::<Vec<_>>()
    });
    // The first channel is chosen for a new template.
    Effect::new(move |_| {
        if let Some(list) = channels.get() {
            if form.channel_id.get_untracked().is_empty() {
                if let Some(first) = list.first() {
                    form.channel_id.set(first.id.to_string());
                }
            }
        }
    });

    spawn_local(async move {
        let result = match (id, from) {
            (Some(id), _) => api.template(id).await.map(|tpl| {
                form.load(&tpl.content);
                form.channel_id.set(tpl.channel_id.to_string());
                Some(Box::new(tpl))
            }),
            (None, Some(from)) => api.template_library().await.map(|lib| {
                if let Some(entry) = lib.iter().find(|e| e.id == from) {
                    form.load(&entry.content);
                }
                None
            }),
            (None, None) => Ok(None),
        };
        match result {
            Ok(tpl) => loaded.set(Loaded::Ready(tpl)),
            Err(e) => loaded.set(Loaded::Failed(e.message())),
        }
    });

    // The preview: rendered by the API with the sample values, a moment
    // after typing stops; the raw text shows until then.
    let rendered = RwSignal::new(None::<Preview>);
    let generation = StoredValue::new(0u32);
    Effect::new(move |_| {
        let content = form.content();
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        set_timeout(
            move || {
                if generation.try_get_value() != Some(gen) {
                    return;
                }
                let req = PreviewRequest {
                    template_id: None,
                    content: Some(content),
                    bindings: BTreeMap::new(),
                    contact_id: None,
                };
                spawn_local(async move {
                    let result = api.preview_template(&req).await;
                    if generation.try_get_value() == Some(gen) {
                        rendered.set(result.ok());
                    }
                });
            },
            std::time::Duration::from_millis(200),
        );
    });
    let model = Signal::derive(move || {
        let r = rendered.get();
        let header = match form.header_kind.get().as_str() {
            "text" => PreviewHeader::Text(
                r.as_ref()
                    .and_then(|p| p.header.clone())
                    .unwrap_or_else(|| form.header_text.get()),
            ),
            kind @ ("image" | "video" | "document") => {
                let media = form.header_media.get();
                PreviewHeader::Media {
                    kind: kind.to_string(),
                    url: media.as_ref().and_then(|m| m.url.clone()),
                    name: media.map(|m| m.name),
                }
            }
            "location" => PreviewHeader::Location,
            _ => PreviewHeader::None,
        };
        PreviewModel {
            header,
            body: r.map_or_else(|| form.body.get(), |p| p.body),
            footer: Some(form.footer.get()),
            buttons: form.buttons.get(),
        }
    });

    let save = move |submit: bool| {
        let Ok(channel_id) = Uuid::parse_str(&form.channel_id.get_untracked()) else {
            errors.set(BTreeMap::from([(
                "channel_id".to_string(),
                vec![t("templates.pick_channel")],
            )]));
            return;
        };
        let content = form.content();
        errors.set(FieldErrors::default());
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id {
                Some(id) => {
                    let req = UpdateTemplateRequest {
                        content,
                        submit: Some(submit),
                    };
                    api.update_template(id, &req).await
                }
                None => {
                    let req = CreateTemplateRequest {
                        channel_id,
                        content,
                        submit: Some(submit),
                    };
                    api.create_template(&req).await
                }
            };
            busy.set(false);
            match result {
                Ok(tpl) => {
                    toasts.success(tf(
                        if submit {
                            "templates.submitted"
                        } else {
                            "templates.saved"
                        },
                        &[("name", &tpl.content.name)],
                    ));
                    navigate("/templates", Default::default());
                }
                Err(e) => {
                    let fields = e.field_errors();
                    error.set(Some(if fields.is_empty() {
                        e.message()
                    } else {
                        t("templates.fix_fields")
                    }));
                    errors.set(fields);
                }
            }
        });
    };
    let save_draft = save.clone();

    let title = if id.is_some() {
        t("templates.edit_title")
    } else {
        t("templates.new_title")
    };
    view! {
        <PageHeader title=title subtitle=t("templates.editor_subtitle")>
            <a class="btn btn-ghost" href="/templates">
                <Icon icon=icondata::LuArrowLeft />
                <span>{t("templates.back")}</span>
            </a>
        </PageHeader>
        {move || match loaded.get() {
            Loaded::Loading => view! { <Loading /> }.into_any(),
            Loaded::Failed(m) => view! { <ErrorBanner message=Signal::derive(move || Some(m.clone())) /> }.into_any(),
            Loaded::Ready(existing) => {
                let submitted = existing.as_ref().is_some_and(|t| t.provider_id.is_some());
                let status = existing.as_ref().map(|t| (t.status.clone(), t.rejected_reason.clone()));
                let save = save.clone();
                let save_draft = save_draft.clone();
                view! {
                    <div class="editor-layout">
                        <form class="card editor-form" novalidate on:submit=move |ev| { ev.prevent_default(); save(true); }>
                            <ErrorBanner message=error />
                            {status.map(|(s, reason)| {
                                let (tone, label) = status_look(&s);
                                view! {
                                    <div class="editor-status">
                                        <Badge tone=tone text=label />
                                        {reason.filter(|_| s == "rejected").map(|r| view! { <span class="cell-reason">{r}</span> })}
                                    </div>
                                }
                            })}
                            <Basics form=form errors=errors channel_options=channel_options locked=submitted />
                            <HeaderSection form=form errors=errors />
                            <BodySection form=form errors=errors />
                            <FooterSection form=form errors=errors />
                            <ButtonsSection form=form errors=errors />
                            <div class="editor-actions">
                                {(!submitted).then(|| view! {
                                    <button type="button" class="btn btn-secondary" data-testid="save-draft"
                                        disabled=move || busy.get() || !can_save.get()
                                        on:click=move |_| save_draft(false)>
                                        {t("templates.save_draft")}
                                    </button>
                                })}
                                <button type="submit" class="btn btn-primary" data-testid="submit-template"
                                    disabled=move || busy.get() || !can_save.get()>
                                    <Icon icon=icondata::LuSend />
                                    <span>{t(if submitted { "templates.resubmit" } else { "templates.submit" })}</span>
                                </button>
                            </div>
                            {submitted.then(|| view! { <p class="field-hint">{t("templates.resubmit_hint")}</p> })}
                        </form>
                        <aside class="editor-preview">
                            <h2 class="card-title">{t("templates.preview.title")}</h2>
                            <PhonePreview model=model />
                            <p class="field-hint">{t("templates.preview.hint")}</p>
                        </aside>
                    </div>
                }.into_any()
            }
        }}
    }
}

fn err(errors: RwSignal<FieldErrors>, key: &str) -> Option<String> {
    errors.with(|e| e.get(key).map(|m| m.join(" ")))
}

/// An error line under a field, for the API's `content.<field>` keys.
fn error_line(errors: RwSignal<FieldErrors>, key: String) -> impl IntoView {
    let testid = format!("error-{key}");
    view! {
        <p class="field-error" role="alert" data-testid=testid>
            {move || err(errors, &key)}
        </p>
    }
}

/// "n/max" under a field, red once over.
pub fn counter(value: impl Into<Signal<String>>, max: usize) -> impl IntoView {
    let value: Signal<String> = value.into();
    view! {
        <span class="char-count" class:over=move || value.with(|v| v.chars().count() > max)>
            {move || format!("{}/{max}", value.with(|v| v.chars().count()))}
        </span>
    }
}

#[component]
fn Basics(
    form: Form,
    errors: RwSignal<FieldErrors>,
    channel_options: Signal<Vec<(String, String)>>,
    locked: bool,
) -> impl IntoView {
    view! {
        <fieldset class="editor-section">
            <legend>{t("templates.section.basics")}</legend>
            <div class="grid-2">
                <div class="field">
                    <label for="tpl-channel">{t("templates.field.channel")}</label>
                    <select id="tpl-channel" data-testid="template-channel" disabled=locked
                        prop:value=move || form.channel_id.get()
                        on:change=move |ev| form.channel_id.set(event_target_value(&ev))>
                        {move || {
                            let current = form.channel_id.get_untracked();
                            channel_options.get().into_iter().map(|(v, l)| {
                                let sel = v == current;
                                view! { <option value=v selected=sel>{l}</option> }
                            }).collect_view()
                        }}
                    </select>
                    {move || channel_options.with(Vec::is_empty).then(|| view! {
                        <p class="field-hint">{t("templates.no_meta_channel")}</p>
                    })}
                    {error_line(errors, "channel_id".into())}
                </div>
                <div class="field">
                    <label for="tpl-name">{t("templates.field.name")}</label>
                    <input id="tpl-name" data-testid="template-name" class="mono" disabled=locked
                        placeholder="order_update" maxlength=TEMPLATE_NAME_MAX
                        prop:value=move || form.name.get()
                        on:input=move |ev| {
                            // Meta's names are lowercase with underscores; help as they type.
                            let v = event_target_value(&ev).to_lowercase().replace([' ', '-'], "_");
                            form.name.set(v);
                        } />
                    <p class="field-hint">{t("templates.field.name_hint")}</p>
                    {error_line(errors, "content.name".into())}
                </div>
                <div class="field">
                    <label for="tpl-language">{t("templates.field.language")}</label>
                    <select id="tpl-language" data-testid="template-language" disabled=locked
                        prop:value=move || form.language.get()
                        on:change=move |ev| form.language.set(event_target_value(&ev))>
                        {move || {
                            let current = form.language.get();
                            let mut list: Vec<(String, String)> = LANGUAGES.iter().map(|(c, l)| (c.to_string(), format!("{l} ({c})"))).collect();
                            if !list.iter().any(|(c, _)| *c == current) {
                                list.push((current.clone(), current.clone()));
                            }
                            list.into_iter().map(|(v, l)| {
                                let sel = v == current;
                                view! { <option value=v selected=sel>{l}</option> }
                            }).collect_view()
                        }}
                    </select>
                    {error_line(errors, "content.language".into())}
                </div>
                <div class="field">
                    <span class="label">{t("templates.field.category")}</span>
                    <div class="segmented" role="radiogroup" aria-label=t("templates.field.category")>
                        {["marketing", "utility", "authentication"].into_iter().map(|c| view! {
                            <button type="button" class="segment" role="radio"
                                data-testid=format!("category-{c}")
                                aria-checked=move || if form.category.get() == c { "true" } else { "false" }
                                class:active=move || form.category.get() == c
                                on:click=move |_| form.category.set(c.to_string())>
                                {super::category_label(c)}
                            </button>
                        }).collect_view()}
                    </div>
                    <p class="field-hint">{move || t(&format!("templates.category_hint.{}", form.category.get()))}</p>
                    {error_line(errors, "content.category".into())}
                </div>
            </div>
        </fieldset>
    }
}

#[component]
fn HeaderSection(form: Form, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let kinds = ["none", "text", "image", "video", "document", "location"];
    let has_var = Memo::new(move |_| !variables(&form.header_text.get()).is_empty());
    let media_kind = Signal::derive(move || form.header_kind.get());
    view! {
        <fieldset class="editor-section">
            <legend>{t("templates.section.header")}<span class="optional">{t("templates.optional")}</span></legend>
            <div class="segmented segmented-wrap" role="radiogroup" aria-label=t("templates.section.header")>
                {kinds.into_iter().map(|k| view! {
                    <button type="button" class="segment" role="radio"
                        data-testid=format!("header-{k}")
                        aria-checked=move || if form.header_kind.get() == k { "true" } else { "false" }
                        class:active=move || form.header_kind.get() == k
                        on:click=move |_| {
                            if form.header_kind.get_untracked() != k {
                                form.header_media.set(None);
                            }
                            form.header_kind.set(k.to_string());
                        }>
                        {t(&format!("templates.header.{k}"))}
                    </button>
                }).collect_view()}
            </div>
            {move || match form.header_kind.get().as_str() {
                "text" => view! {
                    <div class="field">
                        <div class="label-row">
                            <label for="tpl-header-text">{t("templates.field.header_text")}</label>
                            {counter(form.header_text, TEMPLATE_HEADER_TEXT_MAX)}
                        </div>
                        <input id="tpl-header-text" data-testid="header-text"
                            prop:value=move || form.header_text.get()
                            on:input=move |ev| form.header_text.set(event_target_value(&ev)) />
                        <p class="field-hint">{t("templates.field.header_hint")}</p>
                        {error_line(errors, "content.header.text".into())}
                    </div>
                    <Show when=move || has_var.get()>
                        <div class="field">
                            <label for="tpl-header-example">{t("templates.field.header_example")}</label>
                            <input id="tpl-header-example" data-testid="header-example"
                                prop:value=move || form.header_example.get()
                                on:input=move |ev| form.header_example.set(event_target_value(&ev)) />
                            {error_line(errors, "content.header.example".into())}
                        </div>
                    </Show>
                }.into_any(),
                "image" | "video" | "document" => view! {
                    <div class="field">
                        <span class="label">{t("templates.field.header_media")}</span>
                        <MediaPicker kind=media_kind selected=form.header_media />
                        <p class="field-hint">{t("templates.field.header_media_hint")}</p>
                        {error_line(errors, "content.header.media_id".into())}
                        {error_line(errors, "content.header".into())}
                    </div>
                }.into_any(),
                "location" => view! { <p class="field-hint">{t("templates.field.header_location_hint")}</p> }.into_any(),
                _ => ().into_any(),
            }}
        </fieldset>
    }
}

#[component]
fn BodySection(form: Form, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let vars = Memo::new(move |_| variables(&form.body.get()));
    // Inserts the next variable where the cursor is.
    let add_variable = move |_| {
        let next = if form.named.get_untracked() {
            let n = vars.with_untracked(Vec::len) + 1;
            format!("{{{{var_{n}}}}}")
        } else {
            let highest = vars.with_untracked(|v| {
                v.iter()
                    .filter_map(|k| k.parse::<u32>().ok())
                    .max()
                    .unwrap_or(0)
            });
            format!("{{{{{}}}}}", highest + 1)
        };
        let body = form.body.get_untracked();
        let at = textarea
            .get_untracked()
            .and_then(|el| el.selection_start().ok().flatten())
            .map_or(body.chars().count(), |n| n as usize);
        let split = body.char_indices().nth(at).map_or(body.len(), |(i, _)| i);
        form.body
            .set(format!("{}{next}{}", &body[..split], &body[split..]));
    };
    let wrap = move |marker: &'static str| {
        move |_| {
            let body = form.body.get_untracked();
            let (start, end) = textarea
                .get_untracked()
                .and_then(|el| {
                    Some((
                        el.selection_start().ok().flatten()? as usize,
                        el.selection_end().ok().flatten()? as usize,
                    ))
                })
                .unwrap_or((body.chars().count(), body.chars().count()));
            let byte = |n: usize| body.char_indices().nth(n).map_or(body.len(), |(i, _)| i);
            let (s, e) = (byte(start), byte(end));
            let inner = if s == e {
                t("templates.sample_text")
            } else {
                body[s..e].to_string()
            };
            form.body.set(format!(
                "{}{marker}{inner}{marker}{}",
                &body[..s],
                &body[e..]
            ));
        }
    };
    view! {
        <fieldset class="editor-section">
            <legend>{t("templates.section.body")}</legend>
            <div class="field">
                <div class="label-row">
                    <label for="tpl-body">{t("templates.field.body")}</label>
                    {counter(form.body, TEMPLATE_BODY_MAX)}
                </div>
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
                    <span class="format-sep"></span>
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="add-variable" on:click=add_variable>
                        <Icon icon=icondata::LuBraces />
                        <span>{t("templates.add_variable")}</span>
                    </button>
                    <label class="inline-check">
                        <input type="checkbox" prop:checked=move || form.named.get()
                            on:change=move |ev| form.named.set(event_target_checked(&ev)) />
                        <span>{t("templates.named_variables")}</span>
                    </label>
                </div>
                <textarea id="tpl-body" rows="7" node_ref=textarea data-testid="template-body"
                    placeholder=t("templates.field.body_placeholder")
                    prop:value=move || form.body.get()
                    on:input=move |ev| form.body.set(event_target_value(&ev))></textarea>
                {error_line(errors, "content.body".into())}
                {error_line(errors, "content.parameter_format".into())}
            </div>
            <Show when=move || !vars.with(Vec::is_empty)>
                <div class="examples">
                    <p class="label">{t("templates.examples")}</p>
                    <p class="field-hint">{t("templates.examples_hint")}</p>
                    <For each=move || vars.get() key=|k| k.clone() let:key>
                        {
                            let k1 = key.clone();
                            let k2 = key.clone();
                            let input_id = format!("example-{key}");
                            view! {
                                <div class="example-row">
                                    <label for=input_id.clone() class="mono example-key">{format!("{{{{{key}}}}}")}</label>
                                    <div class="example-input">
                                        <input id=input_id data-testid=format!("example-{key}")
                                            prop:value=move || form.examples.with(|e| e.get(&k1).cloned().unwrap_or_default())
                                            on:input=move |ev| {
                                                let v = event_target_value(&ev);
                                                let k = k2.clone();
                                                form.examples.update(|e| { e.insert(k, v); });
                                            } />
                                        {error_line(errors, format!("content.body_examples.{key}"))}
                                    </div>
                                </div>
                            }
                        }
                    </For>
                </div>
            </Show>
            {error_line(errors, "content.body_examples".into())}
        </fieldset>
    }
}

#[component]
fn FooterSection(form: Form, errors: RwSignal<FieldErrors>) -> impl IntoView {
    view! {
        <fieldset class="editor-section">
            <legend>{t("templates.section.footer")}<span class="optional">{t("templates.optional")}</span></legend>
            <div class="field">
                <div class="label-row">
                    <label for="tpl-footer">{t("templates.field.footer")}</label>
                    {counter(form.footer, TEMPLATE_FOOTER_MAX)}
                </div>
                <input id="tpl-footer" data-testid="template-footer"
                    placeholder=t("templates.field.footer_placeholder")
                    prop:value=move || form.footer.get()
                    on:input=move |ev| form.footer.set(event_target_value(&ev)) />
                {error_line(errors, "content.footer".into())}
            </div>
        </fieldset>
    }
}

fn button_kind(b: &TemplateButton) -> &'static str {
    match b {
        TemplateButton::QuickReply { .. } => "quick_reply",
        TemplateButton::Url { .. } => "url",
        TemplateButton::PhoneNumber { .. } => "phone_number",
        TemplateButton::CopyCode { .. } => "copy_code",
    }
}

#[component]
fn ButtonsSection(form: Form, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let add = move |kind: &'static str| {
        move |_| {
            let b = match kind {
                "url" => TemplateButton::Url {
                    text: String::new(),
                    url: "https://".into(),
                    example: None,
                },
                "phone_number" => TemplateButton::PhoneNumber {
                    text: String::new(),
                    phone: String::new(),
                },
                "copy_code" => TemplateButton::CopyCode {
                    example: String::new(),
                },
                _ => TemplateButton::QuickReply {
                    text: String::new(),
                },
            };
            form.buttons.update(|l| l.push(b));
        }
    };
    // Only the count re-renders the rows: typing in a row must keep its focus.
    let count = Memo::new(move |_| form.buttons.with(Vec::len));
    let full = Memo::new(move |_| count.get() >= TEMPLATE_BUTTONS_MAX);
    view! {
        <fieldset class="editor-section">
            <legend>{t("templates.section.buttons")}<span class="optional">{t("templates.optional")}</span></legend>
            <p class="field-hint">{t("templates.buttons_hint")}</p>
            {move || {
                (0..count.get()).map(|i| view! { <ButtonRow form=form errors=errors index=i /> }).collect_view()
            }}
            {error_line(errors, "content.buttons".into())}
            <div class="button-adders">
                {[("quick_reply", icondata::LuReply), ("url", icondata::LuExternalLink), ("phone_number", icondata::LuPhone), ("copy_code", icondata::LuCopy)]
                    .into_iter()
                    .map(|(k, icon)| view! {
                        <button type="button" class="btn btn-secondary btn-sm" data-testid=format!("add-button-{k}")
                            disabled=move || full.get() on:click=add(k)>
                            <Icon icon=icon />
                            <span>{t(&format!("templates.button.{k}"))}</span>
                        </button>
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

/// One button's fields; edits go straight into the form's list.
#[component]
fn ButtonRow(form: Form, errors: RwSignal<FieldErrors>, index: usize) -> impl IntoView {
    let Some(button) = form.buttons.with_untracked(|l| l.get(index).cloned()) else {
        return ().into_any();
    };
    let kind = button_kind(&button);
    let get = move |f: fn(&TemplateButton) -> String| {
        move || {
            form.buttons
                .with(|l| l.get(index).map(f).unwrap_or_default())
        }
    };
    let set = move |f: fn(&mut TemplateButton, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.buttons.update(|l| {
                if let Some(b) = l.get_mut(index) {
                    f(b, v);
                }
            });
        }
    };
    let key = move |field: &str| format!("content.buttons[{index}].{field}");
    let text_field = view! {
        <div class="field">
            <label for=format!("btn-{index}-text")>{t("templates.field.button_text")}</label>
            <input id=format!("btn-{index}-text") maxlength=TEMPLATE_BUTTON_TEXT_MAX data-testid="button-text"
                prop:value=get(|b| match b {
                    TemplateButton::QuickReply { text } | TemplateButton::Url { text, .. } | TemplateButton::PhoneNumber { text, .. } => text.clone(),
                    TemplateButton::CopyCode { .. } => String::new(),
                })
                on:input=set(|b, v| match b {
                    TemplateButton::QuickReply { text } | TemplateButton::Url { text, .. } | TemplateButton::PhoneNumber { text, .. } => *text = v,
                    TemplateButton::CopyCode { .. } => {}
                }) />
            {error_line(errors, key("text"))}
        </div>
    };
    let extra = match kind {
        "url" => view! {
            <div class="field">
                <label for=format!("btn-{index}-url")>{t("templates.field.button_url")}</label>
                <input id=format!("btn-{index}-url") type="url" data-testid="button-url"
                    prop:value=get(|b| match b { TemplateButton::Url { url, .. } => url.clone(), _ => String::new() })
                    on:input=set(|b, v| if let TemplateButton::Url { url, .. } = b { *url = v }) />
                <p class="field-hint">{t("templates.field.button_url_hint")}</p>
                {error_line(errors, key("url"))}
            </div>
            <Show when=move || form.buttons.with(|l| matches!(l.get(index), Some(TemplateButton::Url { url, .. }) if url.contains("{{")))>
                <div class="field">
                    <label for=format!("btn-{index}-example")>{t("templates.field.button_example")}</label>
                    <input id=format!("btn-{index}-example")
                        prop:value=get(|b| match b { TemplateButton::Url { example, .. } => example.clone().unwrap_or_default(), _ => String::new() })
                        on:input=set(|b, v| if let TemplateButton::Url { example, .. } = b { *example = Some(v).filter(|s| !s.is_empty()) }) />
                    {error_line(errors, key("example"))}
                </div>
            </Show>
        }
        .into_any(),
        "phone_number" => view! {
            <div class="field">
                <label for=format!("btn-{index}-phone")>{t("templates.field.button_phone")}</label>
                <input id=format!("btn-{index}-phone") type="tel" placeholder="+14155550100"
                    prop:value=get(|b| match b { TemplateButton::PhoneNumber { phone, .. } => phone.clone(), _ => String::new() })
                    on:input=set(|b, v| if let TemplateButton::PhoneNumber { phone, .. } = b { *phone = v }) />
                {error_line(errors, key("phone"))}
            </div>
        }
        .into_any(),
        "copy_code" => view! {
            <div class="field">
                <label for=format!("btn-{index}-code")>{t("templates.field.button_code")}</label>
                <input id=format!("btn-{index}-code") class="mono"
                    prop:value=get(|b| match b { TemplateButton::CopyCode { example } => example.clone(), _ => String::new() })
                    on:input=set(|b, v| if let TemplateButton::CopyCode { example } = b { *example = v }) />
                {error_line(errors, key("example"))}
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <div class="button-row" data-testid="button-row">
            <div class="button-row-head">
                <span class="badge badge-neutral">{t(&format!("templates.button.{kind}"))}</span>
                <button type="button" class="icon-btn icon-btn-danger" aria-label=t("templates.remove_button")
                    title=t("templates.remove_button")
                    on:click=move |_| form.buttons.update(|l| { if index < l.len() { l.remove(index); } })>
                    <Icon icon=icondata::LuX />
                </button>
            </div>
            <div class="grid-2">
                {(kind != "copy_code").then_some(text_field)}
                {extra}
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn variables_in_order_of_first_use() {
        assert_eq!(variables("Hi {{1}}, {{2}} and {{1}}"), vec!["1", "2"]);
        assert_eq!(variables("{{ first_name }} {{Bad}} {{"), vec!["first_name"]);
    }
}
