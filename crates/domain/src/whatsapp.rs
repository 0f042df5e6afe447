//! WhatsApp's own limits, stated once: message texts, reply buttons and
//! lists, templates, and media sizes, as Meta's Cloud API documents them
//! (lengths are in characters, sizes in bytes). The domain's checks, the
//! providers' checks before a send, and the SPA's counters all read them
//! from here.
//!
//! The SPA does not depend on `domain` (it would pull the spreadsheet and
//! phone-number crates into the wasm build for a few numbers), so `contract`
//! compiles this same file as `contract::limits`. Keep it self-contained:
//! constants and plain functions, no `use crate::...`, no dependencies.

// ----- free-form messages ---------------------------------------------------

/// Longest text message body.
pub const TEXT_BODY_MAX: usize = 4096;
/// Longest media caption.
pub const CAPTION_MAX: usize = 1024;
/// Longest `biz_opaque_callback_data`, echoed back in status webhooks.
pub const CALLBACK_DATA_MAX: usize = 512;

// ----- interactive messages (reply buttons and lists) -----------------------

/// Longest header text of an interactive message.
pub const INTERACTIVE_HEADER_MAX: usize = 60;
/// Longest body of an interactive message.
pub const INTERACTIVE_BODY_MAX: usize = 1024;
/// Longest footer of an interactive message.
pub const INTERACTIVE_FOOTER_MAX: usize = 60;
/// Reply buttons in one message.
pub const REPLY_BUTTONS_MAX: usize = 3;
/// Longest reply-button title (titles are unique in a message).
pub const BUTTON_TITLE_MAX: usize = 20;
/// Longest reply-button id (also a template quick reply's payload).
pub const BUTTON_ID_MAX: usize = 256;
/// Longest label of the button that opens a list.
pub const LIST_BUTTON_MAX: usize = 20;
/// Sections in one list.
pub const LIST_SECTIONS_MAX: usize = 10;
/// Rows in one list, all sections together.
pub const LIST_ROWS_MAX: usize = 10;
/// Longest section title (required when there is more than one section).
pub const SECTION_TITLE_MAX: usize = 24;
/// Longest row id.
pub const ROW_ID_MAX: usize = 200;
/// Longest row title.
pub const ROW_TITLE_MAX: usize = 24;
/// Longest row description.
pub const ROW_DESCRIPTION_MAX: usize = 72;

// ----- templates -------------------------------------------------------------

/// Longest template name.
pub const TEMPLATE_NAME_MAX: usize = 512;
/// Longest text header (at most one variable).
pub const TEMPLATE_HEADER_TEXT_MAX: usize = 60;
/// Longest template body.
pub const TEMPLATE_BODY_MAX: usize = 1024;
/// Longest template footer (no variables).
pub const TEMPLATE_FOOTER_MAX: usize = 60;
/// Buttons in one template, all kinds together.
pub const TEMPLATE_BUTTONS_MAX: usize = 10;
/// Longest button text.
pub const TEMPLATE_BUTTON_TEXT_MAX: usize = 25;
/// Link buttons in one template.
pub const TEMPLATE_URL_BUTTONS_MAX: usize = 2;
/// Longest link of a link button.
pub const TEMPLATE_URL_MAX: usize = 2000;
/// Phone-number buttons in one template.
pub const TEMPLATE_PHONE_BUTTONS_MAX: usize = 1;
/// Digits of a phone-number button's number stay below this.
pub const TEMPLATE_PHONE_MAX: usize = 20;
/// Longest example code of a copy-code button.
pub const TEMPLATE_COPY_CODE_MAX: usize = 15;
/// Longest example value of a variable.
pub const TEMPLATE_EXAMPLE_MAX: usize = 1024;

/// A template name holds lowercase letters, digits and underscores only.
pub fn is_template_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// A name Meta accepts: 1 to [`TEMPLATE_NAME_MAX`] of
/// [`is_template_name_char`].
pub fn is_template_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= TEMPLATE_NAME_MAX
        && name.chars().all(is_template_name_char)
}

// ----- media sizes ------------------------------------------------------------

const KB: u64 = 1024;
const MB: u64 = 1024 * 1024;

/// JPEG and PNG images.
pub const IMAGE_MAX_BYTES: u64 = 5 * MB;
/// WebP stickers: the animated limit (static ones may have only 100 KB, but
/// the two look alike from outside).
pub const STICKER_MAX_BYTES: u64 = 500 * KB;
/// MP4 and 3GP videos.
pub const VIDEO_MAX_BYTES: u64 = 16 * MB;
/// AAC, AMR, MP3, M4A and OGG audio.
pub const AUDIO_MAX_BYTES: u64 = 16 * MB;
/// Documents: no file WhatsApp can send is larger.
pub const DOCUMENT_MAX_BYTES: u64 = 100 * MB;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_follow_metas_rule() {
        assert!(is_template_name("order_update_2"));
        assert!(!is_template_name(""));
        assert!(!is_template_name("Order"));
        assert!(!is_template_name("order-update"));
        assert!(is_template_name(&"a".repeat(TEMPLATE_NAME_MAX)));
        assert!(!is_template_name(&"a".repeat(TEMPLATE_NAME_MAX + 1)));
    }
}
