//! A short, collapsible "where do I find these values" per provider.

use leptos::prelude::*;
use leptos_icons::Icon;

use super::provider_label;
use crate::i18n::{lookup, t, tf};

/// Links to the provider's consoles: `(label key, address)`.
fn links(provider: &str) -> &'static [(&'static str, &'static str)] {
    match provider {
        "meta_cloud" => &[
            (
                "channels.guide.link.meta_apps",
                "https://developers.facebook.com/apps/",
            ),
            (
                "channels.guide.link.meta_business",
                "https://business.facebook.com/",
            ),
        ],
        "twilio" => &[("channels.guide.link.twilio", "https://console.twilio.com/")],
        _ => &[],
    }
}

#[component]
pub fn SetupGuide(#[prop(into)] provider: String) -> impl IntoView {
    let steps: Vec<String> = (1..=12)
        .map_while(|i| lookup(&format!("channels.guide.{provider}.{i}")))
        .collect();
    if steps.is_empty() {
        return ().into_any();
    }
    let title = if provider == "sandbox" {
        t("channels.guide.sandbox_title")
    } else {
        tf(
            "channels.guide.title",
            &[("provider", &provider_label(&provider))],
        )
    };
    view! {
        <details class="guide" data-testid="setup-guide">
            <summary>
                <Icon icon=icondata::LuBookOpen />
                <span>{title}</span>
            </summary>
            <ol class="guide-steps">
                {steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
            {(!links(&provider).is_empty())
                .then(|| {
                    view! {
                        <div class="guide-links">
                            {links(&provider)
                                .iter()
                                .map(|(label, href)| {
                                    view! {
                                        <a href=*href target="_blank" rel="noopener noreferrer" class="link">
                                            {t(label)}
                                            <Icon icon=icondata::LuExternalLink width="14" height="14" />
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })}
        </details>
    }
    .into_any()
}
