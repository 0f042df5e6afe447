//! A WhatsApp-style phone showing a template as the customer will see it:
//! header media or text, the body with WhatsApp's formatting, the footer,
//! and the buttons under the bubble.

use contract::templates::TemplateButton;
use leptos::prelude::*;
use leptos_icons::Icon;

use crate::i18n::t;

/// What the header shows in the preview.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PreviewHeader {
    #[default]
    None,
    Text(String),
    /// `kind` is image, video or document; `url` the chosen sample's.
    Media {
        kind: String,
        url: Option<String>,
        name: Option<String>,
    },
    Location,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviewModel {
    pub header: PreviewHeader,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<TemplateButton>,
}

/// One run of text with WhatsApp's formatting.
#[derive(Debug, Clone, PartialEq)]
enum Run {
    Plain(String),
    Bold(String),
    Italic(String),
    Strike(String),
    Mono(String),
    Break,
}

/// Splits text into formatted runs: `*bold*`, `_italic_`, `~strike~` and
/// ```` ```mono``` ````. A marker counts only when the closing one is on the
/// same line and the text inside does not start or end with a space, as in
/// WhatsApp.
fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Run::Break);
        }
        let mut plain = String::new();
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("```") {
                if let Some(end) = rest[3..].find("```") {
                    let inner = &rest[3..3 + end];
                    if !inner.is_empty() {
                        flush(&mut plain, &mut out);
                        out.push(Run::Mono(inner.to_string()));
                        rest = &rest[6 + end..];
                        continue;
                    }
                }
            }
            if matches!(c, '*' | '_' | '~') {
                let after = &rest[1..];
                if let Some(end) = after.find(c) {
                    let inner = &after[..end];
                    let trimmed_ok =
                        !inner.is_empty() && !inner.starts_with(' ') && !inner.ends_with(' ');
                    if trimmed_ok {
                        flush(&mut plain, &mut out);
                        out.push(match c {
                            '*' => Run::Bold(inner.to_string()),
                            '_' => Run::Italic(inner.to_string()),
                            _ => Run::Strike(inner.to_string()),
                        });
                        rest = &after[end + 1..];
                        continue;
                    }
                }
            }
            plain.push(c);
            rest = &rest[c.len_utf8()..];
        }
        flush(&mut plain, &mut out);
    }
    out
}

fn flush(plain: &mut String, out: &mut Vec<Run>) {
    if !plain.is_empty() {
        out.push(Run::Plain(std::mem::take(plain)));
    }
}

/// Text with WhatsApp's formatting as HTML elements.
pub fn formatted(text: &str) -> impl IntoView {
    runs(text)
        .into_iter()
        .map(|r| match r {
            Run::Plain(s) => view! { <span>{s}</span> }.into_any(),
            Run::Bold(s) => view! { <strong>{s}</strong> }.into_any(),
            Run::Italic(s) => view! { <em>{s}</em> }.into_any(),
            Run::Strike(s) => view! { <s>{s}</s> }.into_any(),
            Run::Mono(s) => view! { <code>{s}</code> }.into_any(),
            Run::Break => view! { <br /> }.into_any(),
        })
        .collect_view()
}

fn header_view(header: PreviewHeader) -> impl IntoView {
    match header {
        PreviewHeader::None => ().into_any(),
        PreviewHeader::Text(text) => {
            view! { <div class="wa-header-text" data-testid="preview-header">{text}</div> }.into_any()
        }
        PreviewHeader::Media { kind, url, name } => {
            let inner = match (kind.as_str(), url) {
                ("image", Some(url)) => view! {
                    <img src=url alt=name.clone().unwrap_or_default() data-testid="preview-header-image" />
                }
                .into_any(),
                ("video", _) => view! {
                    <div class="wa-media-placeholder"><Icon icon=icondata::LuCirclePlay width="40" height="40" /></div>
                }
                .into_any(),
                ("document", _) => view! {
                    <div class="wa-doc">
                        <Icon icon=icondata::LuFileText width="22" height="22" />
                        <span>{name.clone().unwrap_or_else(|| t("templates.preview.document"))}</span>
                    </div>
                }
                .into_any(),
                _ => view! {
                    <div class="wa-media-placeholder"><Icon icon=icondata::LuImage width="40" height="40" /></div>
                }
                .into_any(),
            };
            view! { <div class="wa-header-media" data-testid="preview-header">{inner}</div> }.into_any()
        }
        PreviewHeader::Location => view! {
            <div class="wa-header-media" data-testid="preview-header">
                <div class="wa-media-placeholder"><Icon icon=icondata::LuMapPin width="40" height="40" /></div>
            </div>
        }
        .into_any(),
    }
}

fn button_view(b: TemplateButton) -> impl IntoView {
    let (icon, label) = match b {
        TemplateButton::QuickReply { text } => (icondata::LuReply, text),
        TemplateButton::Url { text, .. } => (icondata::LuExternalLink, text),
        TemplateButton::PhoneNumber { text, .. } => (icondata::LuPhone, text),
        TemplateButton::CopyCode { .. } => (icondata::LuCopy, t("templates.preview.copy_code")),
    };
    view! {
        <div class="wa-button" data-testid="preview-button">
            <Icon icon=icon />
            <span>{label}</span>
        </div>
    }
}

/// The phone frame with one template bubble.
#[component]
pub fn PhonePreview(#[prop(into)] model: Signal<PreviewModel>) -> impl IntoView {
    let now = js_sys::Date::new_0();
    let clock = format!("{:02}:{:02}", now.get_hours(), now.get_minutes());
    view! {
        <div class="phone" data-testid="phone-preview" aria-label=t("templates.preview.title")>
            <div class="phone-top">
                <span class="phone-avatar"><Icon icon=icondata::LuStore /></span>
                <span class="phone-name">{t("templates.preview.business")}</span>
            </div>
            <div class="phone-chat">
                {move || {
                    let m = model.get();
                    let empty = m.body.trim().is_empty();
                    let buttons = m.buttons.clone();
                    view! {
                        <div class="wa-bubble">
                            {header_view(m.header.clone())}
                            <div class="wa-body" data-testid="preview-body">
                                {if empty {
                                    view! { <span class="wa-placeholder">{t("templates.preview.empty")}</span> }.into_any()
                                } else {
                                    formatted(&m.body).into_any()
                                }}
                            </div>
                            {m.footer.clone().filter(|f| !f.trim().is_empty()).map(|f| view! {
                                <div class="wa-footer" data-testid="preview-footer">{f}</div>
                            })}
                            <div class="wa-time">{clock.clone()}</div>
                        </div>
                        {(!buttons.is_empty()).then(|| view! {
                            <div class="wa-buttons">
                                {buttons.into_iter().map(button_view).collect_view()}
                            </div>
                        })}
                    }
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_formatting_is_split_into_runs() {
        assert_eq!(
            runs("Hi *Ana*, _today_ ~not~ ```code```"),
            vec![
                Run::Plain("Hi ".into()),
                Run::Bold("Ana".into()),
                Run::Plain(", ".into()),
                Run::Italic("today".into()),
                Run::Plain(" ".into()),
                Run::Strike("not".into()),
                Run::Plain(" ".into()),
                Run::Mono("code".into()),
            ]
        );
    }

    #[test]
    fn unmatched_or_spaced_markers_stay_plain() {
        assert_eq!(runs("5 * 3 = 15"), vec![Run::Plain("5 * 3 = 15".into())]);
        assert_eq!(
            runs("a *b\nc* d"),
            vec![
                Run::Plain("a *b".into()),
                Run::Break,
                Run::Plain("c* d".into()),
            ]
        );
    }
}
