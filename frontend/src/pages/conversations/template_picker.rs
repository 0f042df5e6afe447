//! Sending a template: the approved templates of the conversation's
//! channel, an input per variable and the customer's view of the result,
//! rendered by the API's one renderer for this contact.

use std::collections::BTreeMap;

use contract::conversations::{SendContent, SendMessageRequest};
use contract::templates::{
    Preview, PreviewRequest, Template, TemplateButton, TemplateContent, TemplateHeader,
    VariableBinding,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::chat::Chat;
use crate::api::{ApiError, Authed};
use crate::components::misc::{ErrorBanner, Loading};
use crate::components::modal::Modal;
use crate::i18n::{t, tf};
use crate::pages::templates::{variables, PhonePreview, PreviewHeader, PreviewModel};
use crate::state::toasts;

/// A variable to fill: its key as the API names it (`body.1`,
/// `header.1`, `buttons[0]`), and the template's sample for it.
#[derive(Debug, Clone, PartialEq)]
struct Variable {
    key: String,
    sample: String,
}

fn template_variables(c: &TemplateContent) -> Vec<Variable> {
    let mut out = Vec::new();
    if let TemplateHeader::Text { text, example } = &c.header {
        for v in variables(text) {
            out.push(Variable {
                key: format!("header.{v}"),
                sample: example.clone().unwrap_or_default(),
            });
        }
    }
    for v in variables(&c.body) {
        out.push(Variable {
            sample: c.body_examples.get(&v).cloned().unwrap_or_default(),
            key: format!("body.{v}"),
        });
    }
    for (i, b) in c.buttons.iter().enumerate() {
        if let TemplateButton::Url { url, example, .. } = b {
            if url.contains("{{") {
                out.push(Variable {
                    key: format!("buttons[{i}]"),
                    sample: example.clone().unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn preview_model(tpl: &Template, p: Option<&Preview>) -> PreviewModel {
    let c = &tpl.content;
    let header = match &c.header {
        TemplateHeader::None => PreviewHeader::None,
        TemplateHeader::Text { text, .. } => {
            PreviewHeader::Text(p.and_then(|p| p.header.clone()).unwrap_or(text.clone()))
        }
        TemplateHeader::Image { .. } => media_header("image"),
        TemplateHeader::Video { .. } => media_header("video"),
        TemplateHeader::Document { .. } => media_header("document"),
        TemplateHeader::Location => PreviewHeader::Location,
    };
    PreviewModel {
        header,
        body: p.map_or_else(|| c.body.clone(), |p| p.body.clone()),
        footer: p.map_or_else(|| c.footer.clone(), |p| p.footer.clone()),
        buttons: c.buttons.clone(),
    }
}

fn media_header(kind: &str) -> PreviewHeader {
    PreviewHeader::Media {
        kind: kind.into(),
        url: None,
        name: None,
    }
}

#[component]
pub fn TemplatePicker(chat: Chat) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let channel = chat
        .conv
        .with_untracked(|c| c.as_ref().map(|c| c.channel_id));
    let contact = chat
        .conv
        .with_untracked(|c| c.as_ref().map(|c| c.contact.id));
    let templates = LocalResource::new(move || async move {
        let mut filters = vec![("status".to_string(), "approved".to_string())];
        if let Some(c) = channel {
            filters.push(("channel_id".into(), c.to_string()));
        }
        api.templates(&filters, None).await.map(|p| p.items)
    });
    let selected = RwSignal::new(None::<Template>);
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let preview = RwSignal::new(None::<Preview>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let generation = StoredValue::new(0u32);
    let close = Callback::new(move |()| chat.template_open.set(false));

    let vars = Memo::new(move |_| {
        selected.with(|s| {
            s.as_ref()
                .map(|t| template_variables(&t.content))
                .unwrap_or_default()
        })
    });

    // The preview follows the values.
    Effect::new(move |_| {
        let Some(id) = selected.with(|s| s.as_ref().map(|t| t.id)) else {
            return;
        };
        let bindings = values.with(|v| {
            v.iter()
                .map(|(k, v)| (k.clone(), VariableBinding::Fixed { value: v.clone() }))
                .collect()
        });
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        let req = PreviewRequest {
            template_id: Some(id),
            content: None,
            bindings,
            contact_id: contact,
        };
        spawn_local(async move {
            let result = api.preview_template(&req).await;
            if generation.try_get_value() == Some(gen) {
                preview.set(result.ok());
            }
        });
    });

    let pick = move |tpl: Template| {
        values.set(
            template_variables(&tpl.content)
                .into_iter()
                .map(|v| (v.key, String::new()))
                .collect(),
        );
        preview.set(None);
        error.set(None);
        selected.set(Some(tpl));
    };

    let send = move |_| {
        let Some(tpl) = selected.get_untracked() else {
            return;
        };
        let req = SendMessageRequest {
            content: SendContent::Template {
                template_id: tpl.id,
                variables: values.get_untracked(),
            },
            reply_to: None,
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.send_message(chat.id, &req).await;
            busy.set(false);
            match result {
                Ok(m) => {
                    chat.add_message(m);
                    chat.template_open.set(false);
                    toasts.success(tf(
                        "conversations.template_sent",
                        &[("name", &tpl.content.name)],
                    ));
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => {
                    let fields = e.field_errors();
                    let detail: Vec<String> = fields.values().flatten().cloned().collect();
                    error.set(Some(if detail.is_empty() {
                        e.message()
                    } else {
                        detail.join(" ")
                    }));
                }
            }
        });
    };

    let model = Signal::derive(move || {
        selected
            .with(|s| {
                s.as_ref()
                    .map(|t| preview.with(|p| preview_model(t, p.as_ref())))
            })
            .unwrap_or_default()
    });
    let complete = move || {
        preview.with(|p| p.as_ref().is_some_and(|p| p.complete))
            || (vars.with(Vec::is_empty) && selected.with(Option::is_some))
    };

    view! {
        <Modal title=t("conversations.tpl.title") on_close=close wide=true testid="template-picker">
            <ErrorBanner message=error />
            <div class="tpl-picker">
                <div class="tpl-picker-list">
                    {move || match templates.get() {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(e)) => view! { <p class="field-error">{e.message()}</p> }.into_any(),
                        Some(Ok(list)) if list.is_empty() => view! {
                            <p class="muted" data-testid="no-approved-templates">{t("conversations.tpl.none")}</p>
                        }.into_any(),
                        Some(Ok(list)) => list.into_iter().map(|tpl| {
                            let id: Uuid = tpl.id;
                            let on = Memo::new(move |_| selected.with(|s| s.as_ref().map(|t| t.id)) == Some(id));
                            let chosen = tpl.clone();
                            view! {
                                <button type="button" class="tpl-option" class:active=move || on.get()
                                    aria-pressed=move || on.get().to_string()
                                    data-testid="template-option" data-name=tpl.content.name.clone()
                                    on:click=move |_| pick(chosen.clone())>
                                    <span class="mono tpl-option-name">{tpl.content.name.clone()}</span>
                                    <span class="muted small">{tpl.content.language.clone()}</span>
                                    <span class="tpl-option-body">{tpl.content.body.chars().take(90).collect::<String>()}</span>
                                </button>
                            }
                        }).collect_view().into_any(),
                    }}
                </div>
                <div class="tpl-picker-form">
                    {move || if selected.with(Option::is_none) {
                        view! { <p class="muted">{t("conversations.tpl.choose")}</p> }.into_any()
                    } else {
                        view! {
                            <Show when=move || !vars.with(Vec::is_empty) fallback=|| view! { <p class="muted small">{t("conversations.tpl.no_variables")}</p> }>
                                <div class="examples" data-testid="template-variables">
                                    <p class="label">{t("conversations.tpl.variables")}</p>
                                    <For each=move || vars.get() key=|v| v.key.clone() let:var>
                                        {
                                            let k1 = var.key.clone();
                                            let k2 = var.key.clone();
                                            let input_id = format!("tplvar-{}", var.key.replace(['.', '[', ']'], "-"));
                                            view! {
                                                <div class="example-row">
                                                    <label for=input_id.clone() class="mono example-key">{var.key.clone()}</label>
                                                    <div class="example-input">
                                                        <input id=input_id data-testid="template-variable" data-key=var.key.clone()
                                                            placeholder=var.sample.clone()
                                                            prop:value=move || values.with(|v| v.get(&k1).cloned().unwrap_or_default())
                                                            on:input=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                let k = k2.clone();
                                                                values.update(|m| { m.insert(k, v); });
                                                            } />
                                                        {
                                                            let k3 = var.key.clone();
                                                            move || preview.with(|p| p.as_ref().and_then(|p| p.problems.get(&k3).cloned())).map(|_| view! {
                                                                <p class="field-hint">{t("conversations.tpl.needs_value")}</p>
                                                            })
                                                        }
                                                    </div>
                                                </div>
                                            }
                                        }
                                    </For>
                                </div>
                            </Show>
                            <PhonePreview model=model />
                        }.into_any()
                    }}
                </div>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>{t("common.cancel")}</button>
                <button type="button" class="btn btn-primary" data-testid="send-template"
                    disabled=move || busy.get() || !complete() on:click=send>
                    <Icon icon=icondata::LuSendHorizontal />
                    <span>{t("conversations.tpl.send")}</span>
                </button>
            </div>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_keyed_as_the_api_names_them() {
        let content = TemplateContent {
            name: "order".into(),
            language: "en".into(),
            category: "utility".into(),
            parameter_format: None,
            header: TemplateHeader::Text {
                text: "Order {{1}}".into(),
                example: Some("#1".into()),
            },
            body: "Hi {{1}}, {{2}}".into(),
            body_examples: [("2".to_string(), "soon".to_string())].into(),
            footer: None,
            buttons: vec![
                TemplateButton::QuickReply { text: "Ok".into() },
                TemplateButton::Url {
                    text: "Track".into(),
                    url: "https://x.example/{{1}}".into(),
                    example: None,
                },
            ],
        };
        let keys: Vec<String> = template_variables(&content)
            .into_iter()
            .map(|v| v.key)
            .collect();
        assert_eq!(keys, vec!["header.1", "body.1", "body.2", "buttons[1]"]);
    }
}
