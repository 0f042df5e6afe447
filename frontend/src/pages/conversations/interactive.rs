//! Sending an interactive message: up to three reply buttons, or a menu of
//! rows in sections behind one button. The customer's tap comes back as a
//! reply carrying the option's id, which chatbot flows can match.

use contract::conversations::{
    ButtonInput, ListRowInput, ListSectionInput, SendContent, SendMessageRequest,
};
use contract::templates::TemplateButton;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;

use super::chat::Chat;
use crate::api::{ApiError, Authed};
use crate::components::misc::ErrorBanner;
use crate::components::modal::Modal;
use crate::i18n::{t, tf};
use crate::pages::templates::{counter, PhonePreview, PreviewHeader, PreviewModel};

// WhatsApp's limits for interactive messages, as the server checks them.
use contract::limits::{
    BUTTON_TITLE_MAX, INTERACTIVE_BODY_MAX, LIST_BUTTON_MAX, LIST_ROWS_MAX, REPLY_BUTTONS_MAX,
    ROW_DESCRIPTION_MAX, ROW_TITLE_MAX, SECTION_TITLE_MAX,
};

/// A section of a list as typed: its title and its rows' titles and
/// descriptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionText {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// Why a draft cannot go out yet, as a translation key and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl Problem {
    fn new(key: &'static str) -> Self {
        Self {
            key,
            values: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.values.push((name, value.to_string()));
        self
    }

    pub fn text(&self) -> String {
        let values: Vec<(&str, &str)> = self.values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tf(self.key, &values)
    }
}

/// The id an option carries back in the customer's reply: its title in
/// lower case with runs of other characters as `_`, made unique with a
/// number; `option_N` when the title has no letters or digits.
pub fn option_ids(titles: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(titles.len());
    for (i, title) in titles.iter().enumerate() {
        let mut slug = String::new();
        for c in title.trim().chars() {
            if c.is_alphanumeric() {
                slug.extend(c.to_lowercase());
            } else if !slug.ends_with('_') && !slug.is_empty() {
                slug.push('_');
            }
        }
        let slug = slug.trim_end_matches('_').to_string();
        let base = if slug.is_empty() {
            format!("option_{}", i + 1)
        } else {
            slug
        };
        let mut id = base.clone();
        let mut n = 2;
        while out.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        out.push(id);
    }
    out
}

fn check_len(what: &'static str, value: &str, max: usize) -> Result<(), Problem> {
    let n = value.chars().count();
    if value.trim().is_empty() {
        return Err(Problem::new("conversations.ix.problem.required").with("what", t(what)));
    }
    if n > max {
        return Err(Problem::new("conversations.ix.problem.too_long")
            .with("what", t(what))
            .with("max", max));
    }
    Ok(())
}

fn check_body(body: &str) -> Result<(), Problem> {
    check_len("conversations.ix.body", body, INTERACTIVE_BODY_MAX)
}

/// Reply buttons from what was typed; blank button rows are ignored.
pub fn buttons_content(body: &str, titles: &[String]) -> Result<SendContent, Problem> {
    check_body(body)?;
    let titles: Vec<&str> = titles
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if titles.is_empty() {
        return Err(Problem::new("conversations.ix.problem.no_buttons"));
    }
    if titles.len() > REPLY_BUTTONS_MAX {
        return Err(Problem::new("conversations.ix.problem.too_many_buttons")
            .with("max", REPLY_BUTTONS_MAX));
    }
    for (i, title) in titles.iter().enumerate() {
        check_len("conversations.ix.button_title", title, BUTTON_TITLE_MAX)?;
        let twice = titles[..i]
            .iter()
            .any(|other| other.to_lowercase() == title.to_lowercase());
        if twice {
            return Err(Problem::new("conversations.ix.problem.twice").with("title", title));
        }
    }
    let buttons = option_ids(&titles)
        .into_iter()
        .zip(&titles)
        .map(|(id, title)| ButtonInput {
            id,
            title: (*title).to_string(),
        })
        .collect();
    Ok(SendContent::Buttons {
        body: body.trim().to_string(),
        buttons,
    })
}

/// A list from what was typed; blank rows and empty untitled sections are
/// ignored.
pub fn list_content(
    body: &str,
    button: &str,
    sections: &[SectionText],
) -> Result<SendContent, Problem> {
    check_body(body)?;
    check_len("conversations.ix.list_button", button, LIST_BUTTON_MAX)?;
    let kept: Vec<(&str, Vec<(&str, &str)>)> = sections
        .iter()
        .map(|s| {
            let rows = s
                .rows
                .iter()
                .map(|(title, description)| (title.trim(), description.trim()))
                .filter(|(title, description)| !title.is_empty() || !description.is_empty())
                .collect::<Vec<_>>();
            (s.title.trim(), rows)
        })
        .filter(|(title, rows)| !title.is_empty() || !rows.is_empty())
        .collect();
    let total: usize = kept.iter().map(|(_, rows)| rows.len()).sum();
    if total == 0 {
        return Err(Problem::new("conversations.ix.problem.no_rows"));
    }
    if total > LIST_ROWS_MAX {
        return Err(
            Problem::new("conversations.ix.problem.too_many_rows").with("max", LIST_ROWS_MAX)
        );
    }
    let several = kept.len() > 1;
    let mut titles: Vec<&str> = Vec::with_capacity(total);
    for (section, rows) in &kept {
        // One section may go untitled; several each need a title.
        if several || !section.is_empty() {
            check_len("conversations.ix.section_title", section, SECTION_TITLE_MAX)?;
        }
        if rows.is_empty() {
            return Err(
                Problem::new("conversations.ix.problem.empty_section").with("title", section)
            );
        }
        for (title, description) in rows {
            check_len("conversations.ix.row_title", title, ROW_TITLE_MAX)?;
            if description.chars().count() > ROW_DESCRIPTION_MAX {
                return Err(Problem::new("conversations.ix.problem.too_long")
                    .with("what", t("conversations.ix.row_description"))
                    .with("max", ROW_DESCRIPTION_MAX));
            }
            titles.push(title);
        }
    }
    let mut ids = option_ids(&titles).into_iter();
    let sections = kept
        .into_iter()
        .map(|(title, rows)| ListSectionInput {
            title: Some(title.to_string()).filter(|s| !s.is_empty()),
            rows: rows
                .into_iter()
                .map(|(title, description)| ListRowInput {
                    id: ids.next().unwrap_or_default(),
                    title: title.to_string(),
                    description: Some(description.to_string()).filter(|s| !s.is_empty()),
                })
                .collect(),
        })
        .collect();
    Ok(SendContent::List {
        body: body.trim().to_string(),
        button: button.trim().to_string(),
        sections,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Buttons,
    List,
}

/// A button or a list row being typed; `key` keeps its inputs in place
/// while others come and go.
#[derive(Debug, Clone, PartialEq)]
struct RowData {
    key: u32,
    title: String,
    description: String,
}

#[derive(Debug, Clone, PartialEq)]
struct SectionData {
    key: u32,
    title: String,
    rows: Vec<RowData>,
}

/// Hands out keys for new rows and sections.
#[derive(Debug, Clone, Copy)]
struct Keys(StoredValue<u32>);

impl Keys {
    fn next(self) -> u32 {
        let n = self.0.get_value().wrapping_add(1);
        self.0.set_value(n);
        n
    }

    fn row(self) -> RowData {
        RowData {
            key: self.next(),
            title: String::new(),
            description: String::new(),
        }
    }

    fn section(self) -> SectionData {
        SectionData {
            key: self.next(),
            title: String::new(),
            rows: vec![self.row(), self.row()],
        }
    }
}

fn row_mut(rows: &mut [RowData], key: u32) -> Option<&mut RowData> {
    rows.iter_mut().find(|r| r.key == key)
}

fn section_mut(sections: &mut [SectionData], key: u32) -> Option<&mut SectionData> {
    sections.iter_mut().find(|s| s.key == key)
}

#[component]
pub fn InteractiveDialog(
    chat: Chat,
    /// What the composer held: the message's text to start from.
    #[prop(into)]
    body: String,
    #[prop(into)] on_close: Callback<()>,
    /// Called once the message went out.
    #[prop(into)]
    on_sent: Callback<()>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let keys = Keys(StoredValue::new(0));
    let kind = RwSignal::new(Kind::Buttons);
    let body = RwSignal::new(body);
    let buttons = RwSignal::new(vec![keys.row(), keys.row()]);
    let list_button = RwSignal::new(String::new());
    let sections = RwSignal::new(vec![keys.section()]);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let tried = RwSignal::new(false);
    let close = on_close;

    let draft = Memo::new(move |_| match kind.get() {
        Kind::Buttons => {
            let titles: Vec<String> = buttons.with(|b| b.iter().map(|r| r.title.clone()).collect());
            body.with(|b| buttons_content(b, &titles))
        }
        Kind::List => {
            let typed: Vec<SectionText> = sections.with(|s| {
                s.iter()
                    .map(|s| SectionText {
                        title: s.title.clone(),
                        rows: s
                            .rows
                            .iter()
                            .map(|r| (r.title.clone(), r.description.clone()))
                            .collect(),
                    })
                    .collect()
            });
            body.with(|b| list_button.with(|l| list_content(b, l, &typed)))
        }
    });
    let total_rows =
        Memo::new(move |_| sections.with(|s| s.iter().map(|s| s.rows.len()).sum::<usize>()));

    let model = Signal::derive(move || {
        let shown = match kind.get() {
            Kind::Buttons => buttons.with(|b| {
                b.iter()
                    .map(|r| r.title.clone())
                    .filter(|s| !s.trim().is_empty())
                    .map(|text| TemplateButton::QuickReply { text })
                    .collect()
            }),
            Kind::List => {
                let label = list_button.get();
                let text = if label.trim().is_empty() {
                    t("conversations.ix.list_button")
                } else {
                    label
                };
                vec![TemplateButton::QuickReply {
                    text: format!("☰ {text}"),
                }]
            }
        };
        PreviewModel {
            header: PreviewHeader::None,
            body: body.get(),
            footer: None,
            buttons: shown,
        }
    });

    let send = move |_| {
        tried.set(true);
        let Ok(content) = draft.get_untracked() else {
            return;
        };
        let req = SendMessageRequest {
            content,
            reply_to: chat.reply_to.with_untracked(|r| r.as_ref().map(|m| m.id)),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.send_message(chat.id, &req).await;
            match result {
                Ok(m) => {
                    chat.add_message(m);
                    chat.reply_to.set(None);
                    // Closing the dialog disposes of its signals: last.
                    on_sent.run(());
                }
                Err(ApiError::SignedOut) => {}
                Err(e) => {
                    busy.set(false);
                    let detail: Vec<String> =
                        e.field_errors().values().flatten().cloned().collect();
                    error.set(Some(if detail.is_empty() {
                        e.message()
                    } else {
                        detail.join(" ")
                    }));
                }
            }
        });
    };

    let problem = move || {
        if !tried.get() {
            return None;
        }
        draft.with(|d| d.as_ref().err().map(Problem::text))
    };

    let kind_tab = move |k: Kind, label: &'static str, testid: &'static str| {
        view! {
            <button type="button" role="tab" class="segment" class:active=move || kind.get() == k
                aria-selected=move || (kind.get() == k).to_string() data-testid=testid
                on:click=move |_| { kind.set(k); tried.set(false); }>
                {t(label)}
            </button>
        }
    };

    let button_title = move |key: u32| {
        Signal::derive(move || {
            buttons.with(|b| {
                b.iter()
                    .find(|r| r.key == key)
                    .map(|r| r.title.clone())
                    .unwrap_or_default()
            })
        })
    };
    let button_rows = move || {
        view! {
            <div class="ix-options" data-testid="ix-buttons">
                <For each=move || buttons.with(|b| b.iter().map(|r| r.key).collect::<Vec<_>>()) key=|k| *k let:key>
                    <div class="ix-row" data-testid="ix-button-row">
                        <label class="sr-only" for=format!("ix-button-{key}")>{t("conversations.ix.button_title")}</label>
                        <input id=format!("ix-button-{key}") data-testid="ix-button-title" maxlength="40"
                            placeholder=t("conversations.ix.button_placeholder")
                            prop:value=button_title(key)
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                buttons.update(|b| if let Some(r) = row_mut(b, key) { r.title = v; });
                            } />
                        {counter(button_title(key), BUTTON_TITLE_MAX)}
                        <button type="button" class="icon-btn icon-btn-sm" title=t("conversations.ix.remove") aria-label=t("conversations.ix.remove")
                            disabled=move || buttons.with(Vec::len) <= 1
                            on:click=move |_| buttons.update(|b| b.retain(|r| r.key != key))>
                            <Icon icon=icondata::LuX />
                        </button>
                    </div>
                </For>
                <Show when=move || buttons.with(Vec::len) < REPLY_BUTTONS_MAX>
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="ix-add-button"
                        on:click=move |_| buttons.update(|b| b.push(keys.row()))>
                        <Icon icon=icondata::LuPlus />
                        <span>{t("conversations.ix.add_button")}</span>
                    </button>
                </Show>
            </div>
        }
    };

    let section_placeholder = move || {
        if sections.with(Vec::len) > 1 {
            t("conversations.ix.section_title")
        } else {
            t("conversations.ix.section_title_optional")
        }
    };
    let section_title = move |skey: u32| {
        Signal::derive(move || {
            sections.with(|s| {
                s.iter()
                    .find(|x| x.key == skey)
                    .map(|x| x.title.clone())
                    .unwrap_or_default()
            })
        })
    };
    let row_field = move |skey: u32, rkey: u32, description: bool| {
        Signal::derive(move || {
            sections.with(|s| {
                s.iter()
                    .find(|x| x.key == skey)
                    .and_then(|x| x.rows.iter().find(|r| r.key == rkey))
                    .map(|r| {
                        if description {
                            r.description.clone()
                        } else {
                            r.title.clone()
                        }
                    })
                    .unwrap_or_default()
            })
        })
    };
    let set_row = move |skey: u32, rkey: u32, description: bool, value: String| {
        sections.update(|s| {
            if let Some(r) = section_mut(s, skey).and_then(|x| row_mut(&mut x.rows, rkey)) {
                if description {
                    r.description = value;
                } else {
                    r.title = value;
                }
            }
        });
    };
    let row_keys = move |skey: u32| {
        sections.with(|s| {
            s.iter()
                .find(|x| x.key == skey)
                .map(|x| x.rows.iter().map(|r| r.key).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };

    let list_rows = move || {
        view! {
            <div class="ix-options" data-testid="ix-list">
                <div class="field">
                    <label for="ix-list-button">{t("conversations.ix.list_button")}</label>
                    <div class="ix-row">
                        <input id="ix-list-button" data-testid="ix-list-button" maxlength="40"
                            placeholder=t("conversations.ix.list_button_placeholder")
                            prop:value=move || list_button.get()
                            on:input=move |ev| list_button.set(event_target_value(&ev)) />
                        {counter(list_button, LIST_BUTTON_MAX)}
                    </div>
                </div>
                <For each=move || sections.with(|s| s.iter().map(|x| x.key).collect::<Vec<_>>()) key=|k| *k let:skey>
                    <fieldset class="ix-section" data-testid="ix-section">
                        <legend class="sr-only">{t("conversations.ix.section")}</legend>
                        <div class="ix-row">
                            <input data-testid="ix-section-title" maxlength="48" aria-label=t("conversations.ix.section_title")
                                placeholder=section_placeholder
                                prop:value=section_title(skey)
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    sections.update(|s| if let Some(x) = section_mut(s, skey) { x.title = v; });
                                } />
                            {counter(section_title(skey), SECTION_TITLE_MAX)}
                            <button type="button" class="icon-btn icon-btn-sm" title=t("conversations.ix.remove_section") aria-label=t("conversations.ix.remove_section")
                                disabled=move || sections.with(Vec::len) <= 1
                                on:click=move |_| sections.update(|s| s.retain(|x| x.key != skey))>
                                <Icon icon=icondata::LuTrash2 />
                            </button>
                        </div>
                        <For each=move || row_keys(skey) key=|k| *k let:rkey>
                            <div class="ix-row ix-list-row" data-testid="ix-row">
                                <input data-testid="ix-row-title" maxlength="48" aria-label=t("conversations.ix.row_title")
                                    placeholder=t("conversations.ix.row_title")
                                    prop:value=row_field(skey, rkey, false)
                                    on:input=move |ev| set_row(skey, rkey, false, event_target_value(&ev)) />
                                <input data-testid="ix-row-description" maxlength="144" aria-label=t("conversations.ix.row_description")
                                    placeholder=t("conversations.ix.row_description")
                                    prop:value=row_field(skey, rkey, true)
                                    on:input=move |ev| set_row(skey, rkey, true, event_target_value(&ev)) />
                                <button type="button" class="icon-btn icon-btn-sm" title=t("conversations.ix.remove") aria-label=t("conversations.ix.remove")
                                    disabled=move || row_keys(skey).len() <= 1
                                    on:click=move |_| sections.update(|s| if let Some(x) = section_mut(s, skey) { x.rows.retain(|r| r.key != rkey); })>
                                    <Icon icon=icondata::LuX />
                                </button>
                            </div>
                        </For>
                        <Show when=move || total_rows.get() < LIST_ROWS_MAX>
                            <button type="button" class="btn btn-ghost btn-sm" data-testid="ix-add-row"
                                on:click=move |_| sections.update(|s| if let Some(x) = section_mut(s, skey) { x.rows.push(keys.row()); })>
                                <Icon icon=icondata::LuPlus />
                                <span>{t("conversations.ix.add_row")}</span>
                            </button>
                        </Show>
                    </fieldset>
                </For>
                <Show when=move || total_rows.get() < LIST_ROWS_MAX>
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="ix-add-section"
                        on:click=move |_| sections.update(|s| s.push(keys.section()))>
                        <Icon icon=icondata::LuListPlus />
                        <span>{t("conversations.ix.add_section")}</span>
                    </button>
                </Show>
                <p class="muted small">{move || tf("conversations.ix.rows_used", &[("n", &total_rows.get().to_string()), ("max", &LIST_ROWS_MAX.to_string())])}</p>
            </div>
        }
    };

    view! {
        <Modal title=t("conversations.ix.title") on_close=close wide=true testid="interactive-dialog">
            <ErrorBanner message=error />
            <div class="ix-layout">
                <div class="ix-form">
                    <div class="segmented" role="tablist" aria-label=t("conversations.ix.kind")>
                        {kind_tab(Kind::Buttons, "conversations.ix.kind_buttons", "ix-kind-buttons")}
                        {kind_tab(Kind::List, "conversations.ix.kind_list", "ix-kind-list")}
                    </div>
                    <p class="muted small">{move || match kind.get() {
                        Kind::Buttons => t("conversations.ix.buttons_help"),
                        Kind::List => t("conversations.ix.list_help"),
                    }}</p>
                    <div class="field">
                        <label for="ix-body">{t("conversations.ix.body")}</label>
                        <textarea id="ix-body" rows="3" data-testid="ix-body"
                            prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        {counter(body, INTERACTIVE_BODY_MAX)}
                    </div>
                    {move || match kind.get() {
                        Kind::Buttons => button_rows().into_any(),
                        Kind::List => list_rows().into_any(),
                    }}
                    <p class="field-error" role="alert" data-testid="ix-problem">{problem}</p>
                </div>
                <div class="tpl-picker-form">
                    <PhonePreview model=model />
                </div>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>{t("common.cancel")}</button>
                <button type="button" class="btn btn-primary" data-testid="ix-send"
                    disabled=move || busy.get() || (tried.get() && draft.with(Result::is_err)) on:click=send>
                    <Icon icon=icondata::LuSendHorizontal />
                    <span>{t("conversations.send")}</span>
                </button>
            </div>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn option_ids_follow_titles_and_stay_unique() {
        assert_eq!(
            option_ids(&["Track my order", "Talk to us!", "Track my order", "🙂"]),
            vec![
                "track_my_order",
                "talk_to_us",
                "track_my_order_2",
                "option_4"
            ]
        );
    }

    #[test]
    fn buttons_skip_blank_rows_and_keep_titles() {
        let content = buttons_content(" Need help? ", &titles(&["Yes", " ", "No thanks"])).unwrap();
        assert_eq!(
            content,
            SendContent::Buttons {
                body: "Need help?".into(),
                buttons: vec![
                    ButtonInput {
                        id: "yes".into(),
                        title: "Yes".into()
                    },
                    ButtonInput {
                        id: "no_thanks".into(),
                        title: "No thanks".into()
                    },
                ],
            }
        );
    }

    #[test]
    fn buttons_refuse_what_whatsapp_refuses() {
        let problem =
            |body: &str, list: &[&str]| buttons_content(body, &titles(list)).unwrap_err().key;
        assert_eq!(problem("", &["Yes"]), "conversations.ix.problem.required");
        assert_eq!(
            problem("Hi", &["", " "]),
            "conversations.ix.problem.no_buttons"
        );
        assert_eq!(
            problem("Hi", &["a", "b", "c", "d"]),
            "conversations.ix.problem.too_many_buttons"
        );
        assert_eq!(
            problem("Hi", &["Yes", "yes"]),
            "conversations.ix.problem.twice"
        );
        assert_eq!(
            problem("Hi", &["This title is far too long"]),
            "conversations.ix.problem.too_long"
        );
        assert_eq!(
            problem(&"x".repeat(INTERACTIVE_BODY_MAX + 1), &["Yes"]),
            "conversations.ix.problem.too_long"
        );
    }

    fn section(title: &str, rows: &[(&str, &str)]) -> SectionText {
        SectionText {
            title: title.into(),
            rows: rows
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_list_with_one_untitled_section() {
        let content = list_content(
            "Pick a size",
            "Sizes",
            &[section(
                "",
                &[("Small", ""), ("Large", "Extra room"), ("", "")],
            )],
        )
        .unwrap();
        assert_eq!(
            content,
            SendContent::List {
                body: "Pick a size".into(),
                button: "Sizes".into(),
                sections: vec![ListSectionInput {
                    title: None,
                    rows: vec![
                        ListRowInput {
                            id: "small".into(),
                            title: "Small".into(),
                            description: None
                        },
                        ListRowInput {
                            id: "large".into(),
                            title: "Large".into(),
                            description: Some("Extra room".into()),
                        },
                    ],
                }],
            }
        );
    }

    #[test]
    fn row_ids_are_unique_across_sections() {
        let Ok(SendContent::List { sections, .. }) = list_content(
            "Menu",
            "Open",
            &[
                section("Pizza", &[("Large", "")]),
                section("Drinks", &[("Large", "")]),
            ],
        ) else {
            panic!("expected a list");
        };
        let ids: Vec<&str> = sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.id.as_str()))
            .collect();
        assert_eq!(ids, vec!["large", "large_2"]);
    }

    #[test]
    fn lists_refuse_what_whatsapp_refuses() {
        let problem = |button: &str, sections: &[SectionText]| {
            list_content("Menu", button, sections).unwrap_err().key
        };
        assert_eq!(
            problem("", &[section("", &[("A", "")])]),
            "conversations.ix.problem.required"
        );
        assert_eq!(
            problem("Open", &[section("", &[("", "")])]),
            "conversations.ix.problem.no_rows"
        );
        let eleven: Vec<(String, String)> = (0..11)
            .map(|i| (format!("Row {i}"), String::new()))
            .collect();
        let big = SectionText {
            title: String::new(),
            rows: eleven,
        };
        assert_eq!(
            problem("Open", &[big]),
            "conversations.ix.problem.too_many_rows"
        );
        // With several sections each needs a title.
        assert_eq!(
            problem(
                "Open",
                &[section("A", &[("x", "")]), section("", &[("y", "")])]
            ),
            "conversations.ix.problem.required"
        );
        assert_eq!(
            problem("Open", &[section("A", &[("x", "")]), section("B", &[])]),
            "conversations.ix.problem.empty_section"
        );
        assert_eq!(
            problem(
                "Open",
                &[section("", &[("x", &"d".repeat(ROW_DESCRIPTION_MAX + 1))])]
            ),
            "conversations.ix.problem.too_long"
        );
    }
}
