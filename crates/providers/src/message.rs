//! Outgoing messages in product terms (text, media, template, reply buttons,
//! lists), with Meta's limits checked before anything is sent so a flow or a
//! broadcast learns about a fourth button from us, not from a failed send.

use serde::{Deserialize, Serialize};

use crate::ProviderError;

// Meta's message limits: stated once, in `domain::whatsapp`.
pub use domain::whatsapp::{
    BUTTON_ID_MAX, BUTTON_TITLE_MAX, CALLBACK_DATA_MAX, CAPTION_MAX, INTERACTIVE_BODY_MAX,
    INTERACTIVE_FOOTER_MAX, INTERACTIVE_HEADER_MAX, LIST_BUTTON_MAX, LIST_ROWS_MAX,
    LIST_SECTIONS_MAX, REPLY_BUTTONS_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX, ROW_TITLE_MAX,
    SECTION_TITLE_MAX, TEXT_BODY_MAX,
};

/// One message to one WhatsApp user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// E.164, with or without `+`.
    pub to: String,
    pub content: MessageContent,
    /// Provider id of the customer's message this one quotes (Meta only;
    /// Twilio's API has no reply context and ignores it).
    pub reply_to: Option<String>,
    /// Our outbound-message id, echoed in status callbacks
    /// (Meta `biz_opaque_callback_data`; Twilio: appended to the status callback URL).
    pub callback_data: Option<String>,
}

impl OutgoingMessage {
    pub fn new(to: impl Into<String>, content: MessageContent) -> Self {
        Self {
            to: to.into(),
            content,
            reply_to: None,
            callback_data: None,
        }
    }

    /// A plain text without link previews.
    pub fn text(to: impl Into<String>, body: impl Into<String>) -> Self {
        Self::new(
            to,
            MessageContent::Text {
                body: body.into(),
                preview_url: false,
            },
        )
    }

    pub fn replying_to(mut self, provider_message_id: impl Into<String>) -> Self {
        self.reply_to = Some(provider_message_id.into());
        self
    }

    pub fn with_callback_data(mut self, data: impl Into<String>) -> Self {
        self.callback_data = Some(data.into());
        self
    }

    /// The recipient as the digits Meta wants in `to`.
    pub fn recipient_digits(&self) -> Result<String, ProviderError> {
        recipient_digits(&self.to)
    }

    /// Checks every limit we know before the message leaves.
    pub fn check(&self) -> Result<(), ProviderError> {
        self.recipient_digits()?;
        if let Some(data) = &self.callback_data {
            max_chars("callback data", data, CALLBACK_DATA_MAX)?;
        }
        if let Some(reply_to) = &self.reply_to {
            required("reply context message id", reply_to)?;
        }
        match &self.content {
            MessageContent::Text { body, .. } => {
                required("text body", body)?;
                max_chars("text body", body, TEXT_BODY_MAX)
            }
            MessageContent::Media(media) => media.check(),
            MessageContent::Template(template) => template.check(),
            MessageContent::Buttons(buttons) => buttons.check(),
            MessageContent::List(list) => list.check(),
        }
    }
}

/// What the message says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MessageContent {
    Text { body: String, preview_url: bool },
    Media(MediaMessage),
    Template(TemplateMessage),
    Buttons(ReplyButtons),
    List(ListMessage),
}

/// The WhatsApp media types a business can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

impl MediaKind {
    /// Meta's name for the type, also the key of the media object.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    fn takes_caption(self) -> bool {
        !matches!(self, MediaKind::Audio | MediaKind::Sticker)
    }
}

/// Where the media comes from: a public URL the provider fetches, or an id
/// returned by an earlier upload (Meta only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    Link(String),
    Id(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaMessage {
    pub kind: MediaKind,
    pub source: MediaSource,
    /// Not allowed on audio and stickers.
    pub caption: Option<String>,
    /// Documents only: the name the user sees.
    pub filename: Option<String>,
}

impl MediaMessage {
    pub fn check(&self) -> Result<(), ProviderError> {
        match &self.source {
            MediaSource::Link(link) => {
                let url = url::Url::parse(link).map_err(|_| {
                    ProviderError::invalid(format!("media link {link:?} is not a URL"))
                })?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(ProviderError::invalid("media link must be http(s)"));
                }
            }
            MediaSource::Id(id) => required("media id", id)?,
        }
        if let Some(caption) = &self.caption {
            if !self.kind.takes_caption() {
                return Err(ProviderError::invalid(format!(
                    "{} messages cannot have a caption",
                    self.kind.as_str()
                )));
            }
            max_chars("caption", caption, CAPTION_MAX)?;
        }
        if self.filename.is_some() && self.kind != MediaKind::Document {
            return Err(ProviderError::invalid("only documents have a filename"));
        }
        Ok(())
    }
}

/// A pre-approved template with its parameters. On Twilio `name` is the
/// Content SID (`HX...`) and the text parameters become `ContentVariables`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateMessage {
    pub name: String,
    /// e.g. `en_US`.
    pub language: String,
    pub components: Vec<TemplateComponent>,
}

impl TemplateMessage {
    pub fn check(&self) -> Result<(), ProviderError> {
        required("template name", &self.name)?;
        required("template language", &self.language)?;
        for component in &self.components {
            for parameter in component.parameters() {
                parameter.check()?;
            }
        }
        Ok(())
    }
}

/// Values for one part of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateComponent {
    Header {
        parameters: Vec<TemplateParameter>,
    },
    Body {
        parameters: Vec<TemplateParameter>,
    },
    Button {
        sub_type: TemplateButtonKind,
        /// Position of the button in the template, from 0.
        index: u32,
        parameters: Vec<TemplateParameter>,
    },
}

impl TemplateComponent {
    pub fn parameters(&self) -> &[TemplateParameter] {
        match self {
            TemplateComponent::Header { parameters }
            | TemplateComponent::Body { parameters }
            | TemplateComponent::Button { parameters, .. } => parameters,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateButtonKind {
    QuickReply,
    Url,
    CopyCode,
}

impl TemplateButtonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateButtonKind::QuickReply => "quick_reply",
            TemplateButtonKind::Url => "url",
            TemplateButtonKind::CopyCode => "copy_code",
        }
    }
}

/// One value filling a template variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateParameter {
    /// `name` is set for templates with `parameter_format: NAMED`.
    Text {
        text: String,
        name: Option<String>,
    },
    Currency {
        fallback_value: String,
        /// ISO 4217, e.g. `EUR`.
        code: String,
        /// Amount times 1000.
        amount_1000: i64,
    },
    DateTime {
        fallback_value: String,
    },
    Image {
        source: MediaSource,
    },
    Video {
        source: MediaSource,
    },
    Document {
        source: MediaSource,
        filename: Option<String>,
    },
    /// Quick-reply button payload.
    Payload {
        payload: String,
    },
    /// Copy-code button value.
    CouponCode {
        code: String,
    },
}

impl TemplateParameter {
    pub fn text(text: impl Into<String>) -> Self {
        TemplateParameter::Text {
            text: text.into(),
            name: None,
        }
    }

    fn check(&self) -> Result<(), ProviderError> {
        match self {
            TemplateParameter::Text { text, .. } => required("template text parameter", text),
            TemplateParameter::Payload { payload } => {
                max_chars("button payload", payload, BUTTON_ID_MAX)
            }
            _ => Ok(()),
        }
    }
}

/// Up to three quick-reply buttons under a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButtons {
    /// Text header.
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<ReplyButton>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    /// Comes back in the customer's `button_reply.id`.
    pub id: String,
    pub title: String,
}

impl ReplyButtons {
    pub fn check(&self) -> Result<(), ProviderError> {
        check_frame(self.header.as_deref(), &self.body, self.footer.as_deref())?;
        if self.buttons.is_empty() {
            return Err(ProviderError::invalid(
                "at least one reply button is required",
            ));
        }
        if self.buttons.len() > REPLY_BUTTONS_MAX {
            return Err(ProviderError::invalid(format!(
                "at most {REPLY_BUTTONS_MAX} reply buttons, got {}",
                self.buttons.len()
            )));
        }
        let mut titles = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for button in &self.buttons {
            required("button id", &button.id)?;
            max_chars("button id", &button.id, BUTTON_ID_MAX)?;
            required("button title", &button.title)?;
            max_chars("button title", &button.title, BUTTON_TITLE_MAX)?;
            if !titles.insert(button.title.trim().to_lowercase()) {
                return Err(ProviderError::invalid(format!(
                    "button title {:?} is used twice",
                    button.title
                )));
            }
            if !ids.insert(button.id.as_str()) {
                return Err(ProviderError::invalid(format!(
                    "button id {:?} is used twice",
                    button.id
                )));
            }
        }
        Ok(())
    }
}

/// A menu: a button opening sections of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMessage {
    /// Text header.
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// Label of the button that opens the list.
    pub button: String,
    pub sections: Vec<ListSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSection {
    /// Required when there is more than one section.
    pub title: Option<String>,
    pub rows: Vec<ListRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// Comes back in the customer's `list_reply.id`.
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

impl ListMessage {
    pub fn check(&self) -> Result<(), ProviderError> {
        check_frame(self.header.as_deref(), &self.body, self.footer.as_deref())?;
        required("list button label", &self.button)?;
        max_chars("list button label", &self.button, LIST_BUTTON_MAX)?;
        if self.sections.is_empty() {
            return Err(ProviderError::invalid("a list needs at least one section"));
        }
        if self.sections.len() > LIST_SECTIONS_MAX {
            return Err(ProviderError::invalid(format!(
                "at most {LIST_SECTIONS_MAX} list sections, got {}",
                self.sections.len()
            )));
        }
        let total_rows: usize = self.sections.iter().map(|s| s.rows.len()).sum();
        if total_rows > LIST_ROWS_MAX {
            return Err(ProviderError::invalid(format!(
                "at most {LIST_ROWS_MAX} list rows in total, got {total_rows}"
            )));
        }
        let mut ids = std::collections::HashSet::new();
        for section in &self.sections {
            match &section.title {
                Some(title) => {
                    required("section title", title)?;
                    max_chars("section title", title, SECTION_TITLE_MAX)?;
                }
                None if self.sections.len() > 1 => {
                    return Err(ProviderError::invalid(
                        "every section needs a title when there are several",
                    ))
                }
                None => {}
            }
            if section.rows.is_empty() {
                return Err(ProviderError::invalid(
                    "a list section needs at least one row",
                ));
            }
            for row in &section.rows {
                required("row id", &row.id)?;
                max_chars("row id", &row.id, ROW_ID_MAX)?;
                required("row title", &row.title)?;
                max_chars("row title", &row.title, ROW_TITLE_MAX)?;
                if let Some(description) = &row.description {
                    max_chars("row description", description, ROW_DESCRIPTION_MAX)?;
                }
                if !ids.insert(row.id.as_str()) {
                    return Err(ProviderError::invalid(format!(
                        "row id {:?} is used twice",
                        row.id
                    )));
                }
            }
        }
        Ok(())
    }
}

fn check_frame(
    header: Option<&str>,
    body: &str,
    footer: Option<&str>,
) -> Result<(), ProviderError> {
    if let Some(header) = header {
        required("header", header)?;
        max_chars("header", header, INTERACTIVE_HEADER_MAX)?;
    }
    required("body", body)?;
    max_chars("body", body, INTERACTIVE_BODY_MAX)?;
    if let Some(footer) = footer {
        max_chars("footer", footer, INTERACTIVE_FOOTER_MAX)?;
    }
    Ok(())
}

fn required(what: &str, value: &str) -> Result<(), ProviderError> {
    if value.trim().is_empty() {
        Err(ProviderError::invalid(format!("{what} is required")))
    } else {
        Ok(())
    }
}

/// Meta counts characters, not bytes.
fn max_chars(what: &str, value: &str, max: usize) -> Result<(), ProviderError> {
    let count = value.chars().count();
    if count > max {
        Err(ProviderError::invalid(format!(
            "{what} is {count} characters, at most {max} allowed"
        )))
    } else {
        Ok(())
    }
}

/// `+44 7700-900123` → `447700900123`. Separators people type are dropped;
/// anything else is refused so a typo never reaches someone else.
pub fn recipient_digits(number: &str) -> Result<String, ProviderError> {
    let trimmed = number.trim();
    let trimmed = trimmed.strip_prefix("whatsapp:").unwrap_or(trimmed);
    let mut digits = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => {
                return Err(ProviderError::invalid(format!(
                    "recipient {number:?} is not a phone number"
                )))
            }
        }
    }
    if !(7..=15).contains(&digits.len()) {
        return Err(ProviderError::invalid(format!(
            "recipient {number:?} is not an E.164 number"
        )));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buttons(titles: &[&str]) -> ReplyButtons {
        ReplyButtons {
            header: None,
            body: "Pick one".into(),
            footer: None,
            buttons: titles
                .iter()
                .enumerate()
                .map(|(i, t)| ReplyButton {
                    id: format!("b{i}"),
                    title: (*t).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn recipients_become_digits() {
        assert_eq!(
            recipient_digits("+44 7700-900123").ok().as_deref(),
            Some("447700900123")
        );
        assert_eq!(
            recipient_digits("whatsapp:+5511987654321").ok().as_deref(),
            Some("5511987654321")
        );
        assert!(recipient_digits("+44abc").is_err());
        assert!(recipient_digits("12").is_err());
        assert!(recipient_digits("4+4123456789").is_err());
    }

    #[test]
    fn reply_buttons_follow_meta_limits() {
        assert!(buttons(&["Yes", "No"]).check().is_ok());
        assert!(buttons(&["a", "b", "c", "d"]).check().is_err());
        assert!(buttons(&[]).check().is_err());
        assert!(buttons(&["Yes", "yes"]).check().is_err());
        assert!(buttons(&["This title is far too long"]).check().is_err());
        // 20 characters of multi-byte text is fine: Meta counts characters.
        assert!(buttons(&["ééééééééééééééééééé✓"]).check().is_ok());
        let mut long_body = buttons(&["Yes"]);
        long_body.body = "x".repeat(1025);
        assert!(long_body.check().is_err());
    }

    fn list(sections: Vec<(Option<&str>, usize)>) -> ListMessage {
        let mut n = 0;
        ListMessage {
            header: None,
            body: "Choose".into(),
            footer: Some("Thanks".into()),
            button: "Menu".into(),
            sections: sections
                .into_iter()
                .map(|(title, rows)| ListSection {
                    title: title.map(Into::into),
                    rows: (0..rows)
                        .map(|_| {
                            n += 1;
                            ListRow {
                                id: format!("r{n}"),
                                title: format!("Row {n}"),
                                description: None,
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn lists_follow_meta_limits() {
        assert!(list(vec![(None, 10)]).check().is_ok());
        assert!(list(vec![(Some("A"), 6), (Some("B"), 5)]).check().is_err());
        assert!(list(vec![(Some("A"), 1), (None, 1)]).check().is_err());
        assert!(list(vec![(Some("A title longer than 24 chars"), 1)])
            .check()
            .is_err());
        assert!(list(vec![]).check().is_err());
        let mut bad_button = list(vec![(None, 1)]);
        bad_button.button = "A label over twenty chars".into();
        assert!(bad_button.check().is_err());
    }

    #[test]
    fn media_rules() {
        let audio = MediaMessage {
            kind: MediaKind::Audio,
            source: MediaSource::Id("123".into()),
            caption: Some("no".into()),
            filename: None,
        };
        assert!(audio.check().is_err());
        let doc = MediaMessage {
            kind: MediaKind::Document,
            source: MediaSource::Link("https://example.com/a.pdf".into()),
            caption: Some("Invoice".into()),
            filename: Some("a.pdf".into()),
        };
        assert!(doc.check().is_ok());
        let bad_link = MediaMessage {
            source: MediaSource::Link("file:///etc/passwd".into()),
            ..doc
        };
        assert!(bad_link.check().is_err());
    }

    #[test]
    fn callback_data_is_limited() {
        let message = OutgoingMessage::text("+15550100", "hi").with_callback_data("x".repeat(513));
        assert!(message.check().is_err());
    }
}
