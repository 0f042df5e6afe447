//! The media gallery's rules: what a file is (sniffed from its first bytes,
//! never taken from the name or the client's content type), whether WhatsApp
//! can send it and up to what size, gallery item names, and image sizes read
//! from headers. Pure: callers hand in the bytes they have read.

use serde::{Deserialize, Serialize};

use crate::whatsapp;

const KB: u64 = 1024;
const MB: u64 = 1024 * 1024;

/// No file WhatsApp can send is larger (documents); uploads stop reading here.
pub const MAX_MEDIA_BYTES: u64 = whatsapp::DOCUMENT_MAX_BYTES;

/// How many leading bytes [`sniff`] and [`dimensions`] want to see (fewer
/// when the file is shorter). Office files need the most: their type shows
/// in the first entries of a ZIP or OLE container.
pub const SNIFF_BYTES: usize = 256 * 1024;

/// The longest gallery item name, in characters.
pub const NAME_MAX: usize = 200;

/// How WhatsApp sends a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    /// WebP images go out as stickers.
    Sticker,
}

impl MediaKind {
    pub const ALL: [MediaKind; 5] = [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Document,
        MediaKind::Sticker,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The type WhatsApp knows it by, e.g. `image/jpeg`.
    pub mime_type: &'static str,
    pub kind: MediaKind,
    /// The usual file extension, without the dot.
    pub extension: &'static str,
}

impl Sniffed {
    /// WhatsApp's size limit for this type, in bytes.
    pub fn size_limit(&self) -> u64 {
        size_limit(self.mime_type).unwrap_or(0)
    }
}

/// Why a file cannot go into the gallery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    /// `found` names the type when it was recognised (`application/zip`).
    #[error("{}", unsupported_message(.found.as_deref()))]
    Unsupported { found: Option<String> },
    #[error("{} files may be at most {} on WhatsApp", .mime_type, human_size(*.limit))]
    TooLarge { mime_type: String, limit: u64 },
}

fn unsupported_message(found: Option<&str>) -> String {
    let what = match found {
        Some(mime) => format!("{mime} files"),
        None => "Files of this type".to_owned(),
    };
    format!(
        "{what} cannot be sent on WhatsApp. Use JPEG or PNG images, WebP stickers, MP4 or 3GP \
         videos, AAC, AMR, MP3, M4A or OGG audio, or PDF, Word, Excel, PowerPoint or text documents."
    )
}

/// `5 MB`, `500 KB`: limits as people read them.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB && bytes.is_multiple_of(KB) {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// WhatsApp's size limit for a type, `None` for types it refuses. Stickers
/// get the animated limit: static and animated ones look alike here.
pub fn size_limit(mime_type: &str) -> Option<u64> {
    let essence = mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/jpeg" | "image/png" => Some(whatsapp::IMAGE_MAX_BYTES),
        "image/webp" => Some(whatsapp::STICKER_MAX_BYTES),
        "video/mp4" | "video/3gpp" => Some(whatsapp::VIDEO_MAX_BYTES),
        "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => {
            Some(whatsapp::AUDIO_MAX_BYTES)
        }
        "text/plain"
        | "application/pdf"
        | "application/msword"
        | "application/vnd.ms-excel"
        | "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            Some(whatsapp::DOCUMENT_MAX_BYTES)
        }
        _ => None,
    }
}

/// The type stored for a file nobody could identify: browsers never render it.
pub const OPAQUE_TYPE: &str = "application/octet-stream";

/// The type to record for a file: the sniffed one when it is on the
/// allow-list (images, audio, video, PDF, Office documents, plain text),
/// otherwise [`OPAQUE_TYPE`]. A provider's or uploader's declared type is
/// never used: it is how an HTML or SVG "document" would end up rendered
/// on our origin.
pub fn stored_type(sniffed: Option<&Sniffed>) -> &'static str {
    match sniffed {
        Some(s) if size_limit(s.mime_type).is_some() => s.mime_type,
        _ => OPAQUE_TYPE,
    }
}

/// The `Content-Type` a stored file is served with: its recorded type when
/// that is on the allow-list (rows written before the allow-list existed
/// may hold anything), otherwise [`OPAQUE_TYPE`]. Text gets its charset.
pub fn served_type(recorded: &str) -> &'static str {
    let essence = recorded
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    ALLOWED_TYPES
        .iter()
        .find(|(mime, _)| *mime == essence)
        .map_or(OPAQUE_TYPE, |(_, served)| served)
}

/// Whether a served type may be shown in the page (`Content-Disposition:
/// inline`): images, audio and video from the allow-list. Documents, text
/// and anything unknown download as attachments.
pub fn shows_inline(served: &str) -> bool {
    served.starts_with("image/") || served.starts_with("audio/") || served.starts_with("video/")
}

/// Every type a file may be stored and served as, with the header value.
const ALLOWED_TYPES: [(&str, &str); 18] = [
    ("image/jpeg", "image/jpeg"),
    ("image/png", "image/png"),
    ("image/webp", "image/webp"),
    ("video/mp4", "video/mp4"),
    ("video/3gpp", "video/3gpp"),
    ("audio/aac", "audio/aac"),
    ("audio/amr", "audio/amr"),
    ("audio/mpeg", "audio/mpeg"),
    ("audio/mp4", "audio/mp4"),
    ("audio/ogg", "audio/ogg"),
    ("text/plain", "text/plain; charset=utf-8"),
    ("application/pdf", "application/pdf"),
    ("application/msword", "application/msword"),
    ("application/vnd.ms-excel", "application/vnd.ms-excel"),
    (
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-powerpoint",
    ),
    (DOCX, DOCX),
    (XLSX, XLSX),
    (PPTX, PPTX),
];

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

fn sniffed(mime_type: &'static str, kind: MediaKind, extension: &'static str) -> Sniffed {
    Sniffed {
        mime_type,
        kind,
        extension,
    }
}

/// What `head` (the first [`SNIFF_BYTES`] of a file, or all of a shorter
/// one) is. `name` only tells apart old Office files whose container is
/// recognised but whose kind the first bytes do not show.
pub fn sniff(head: &[u8], name: &str) -> Result<Sniffed, MediaError> {
    use MediaKind::*;
    if head.is_empty() {
        return Err(MediaError::Empty);
    }
    if let Some(found) = sniff_iso_media(head) {
        return found;
    }
    let unsupported = |mime: &str| MediaError::Unsupported {
        found: Some(mime.to_owned()),
    };
    match infer::get(head).map(|t| t.mime_type()) {
        Some("image/jpeg") => Ok(sniffed("image/jpeg", Image, "jpg")),
        Some("image/png") => Ok(sniffed("image/png", Image, "png")),
        Some("image/webp") => Ok(sniffed("image/webp", Sticker, "webp")),
        Some("audio/mpeg") => Ok(sniffed("audio/mpeg", Audio, "mp3")),
        Some("audio/aac") => Ok(sniffed("audio/aac", Audio, "aac")),
        Some("audio/amr") => Ok(sniffed("audio/amr", Audio, "amr")),
        Some("audio/ogg" | "audio/opus") => Ok(sniffed("audio/ogg", Audio, "ogg")),
        Some("application/pdf") => Ok(sniffed("application/pdf", Document, "pdf")),
        Some("application/msword") => Ok(sniffed("application/msword", Document, "doc")),
        Some("application/vnd.ms-excel") => {
            Ok(sniffed("application/vnd.ms-excel", Document, "xls"))
        }
        Some("application/vnd.ms-powerpoint") => {
            Ok(sniffed("application/vnd.ms-powerpoint", Document, "ppt"))
        }
        Some(DOCX) => Ok(sniffed(DOCX, Document, "docx")),
        Some(XLSX) => Ok(sniffed(XLSX, Document, "xlsx")),
        Some(PPTX) => Ok(sniffed(PPTX, Document, "pptx")),
        Some("application/zip") => {
            office_open_xml(head).ok_or_else(|| unsupported("application/zip"))
        }
        Some(other) if head.starts_with(OLE2_MAGIC) || other == "application/x-ole-storage" => {
            old_office(name).ok_or_else(|| unsupported(other))
        }
        Some(other) => Err(unsupported(other)),
        None if head.starts_with(OLE2_MAGIC) => old_office(name).ok_or(MediaError::Unsupported {
            found: Some("application/x-ole-storage".to_owned()),
        }),
        None if is_text(head) => Ok(sniffed("text/plain", Document, "txt")),
        None => Err(MediaError::Unsupported { found: None }),
    }
}

/// Sniffs `head` and checks the whole file's size against the type's limit.
pub fn check_file(head: &[u8], name: &str, size: u64) -> Result<Sniffed, MediaError> {
    if size == 0 {
        return Err(MediaError::Empty);
    }
    let found = sniff(head, name)?;
    check_size(&found, size)?;
    Ok(found)
}

/// Whether `size` bytes of this type may still go out on WhatsApp.
pub fn check_size(found: &Sniffed, size: u64) -> Result<(), MediaError> {
    if size > found.size_limit() {
        return Err(MediaError::TooLarge {
            mime_type: found.mime_type.to_owned(),
            limit: found.size_limit(),
        });
    }
    Ok(())
}

/// ISO base media files (`ftyp` box): MP4 and 3GP video, M4A audio; QuickTime
/// and HEIF images are recognised but refused.
fn sniff_iso_media(head: &[u8]) -> Option<Result<Sniffed, MediaError>> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    let brand = &head[8..12];
    let refused = |mime: &str| {
        Some(Err(MediaError::Unsupported {
            found: Some(mime.to_owned()),
        }))
    };
    match brand {
        b"M4A " | b"M4B " | b"M4P " | b"F4A " => {
            Some(Ok(sniffed("audio/mp4", MediaKind::Audio, "m4a")))
        }
        b"qt  " => refused("video/quicktime"),
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"mif1" | b"msf1" => {
            refused("image/heif")
        }
        b"avif" | b"avis" => refused("image/avif"),
        b"crx " => refused("image/x-canon-cr3"),
        _ if brand.starts_with(b"3gp") || brand.starts_with(b"3g2") => {
            Some(Ok(sniffed("video/3gpp", MediaKind::Video, "3gp")))
        }
        _ => Some(Ok(sniffed("video/mp4", MediaKind::Video, "mp4"))),
    }
}

const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Word 97-2003 and friends share one container; when its first sector does
/// not say which, the extension decides among the three.
fn old_office(name: &str) -> Option<Sniffed> {
    match extension_of(name).as_deref() {
        Some("doc" | "dot") => Some(sniffed("application/msword", MediaKind::Document, "doc")),
        Some("xls" | "xlt") => Some(sniffed(
            "application/vnd.ms-excel",
            MediaKind::Document,
            "xls",
        )),
        Some("ppt" | "pps" | "pot") => Some(sniffed(
            "application/vnd.ms-powerpoint",
            MediaKind::Document,
            "ppt",
        )),
        _ => None,
    }
}

/// A ZIP whose first entries are those of a Word, Excel or PowerPoint file
/// (writers that stream their ZIP leave the sizes the detector needs out).
fn office_open_xml(head: &[u8]) -> Option<Sniffed> {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if !has(b"[Content_Types].xml") {
        return None;
    }
    if has(b"word/") {
        Some(sniffed(DOCX, MediaKind::Document, "docx"))
    } else if has(b"xl/") {
        Some(sniffed(XLSX, MediaKind::Document, "xlsx"))
    } else if has(b"ppt/") {
        Some(sniffed(PPTX, MediaKind::Document, "pptx"))
    } else {
        None
    }
}

/// UTF-8 text (a sequence cut off at the end of `head` is fine) without
/// NULs or other control characters than tab, line breaks and form feed.
fn is_text(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() && head.len() >= SNIFF_BYTES => {
            // Cut inside a character by the sniffing window.
            match std::str::from_utf8(&head[..e.valid_up_to()]) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    !text.trim().is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

fn extension_of(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.trim().to_ascii_lowercase())
}

/// A gallery item's name: trimmed, 1 to [`NAME_MAX`] characters, without
/// control characters or path separators. Answers the cleaned name or why not.
pub fn check_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the file a name.");
    }
    if name.chars().count() > NAME_MAX {
        return Err("Use at most 200 characters.");
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err("Leave out slashes and control characters.");
    }
    Ok(name.to_owned())
}

/// Width and height of a JPEG, PNG or WebP image from its first bytes.
pub fn dimensions(head: &[u8], mime_type: &str) -> Option<(u32, u32)> {
    match mime_type {
        "image/png" => png_dimensions(head),
        "image/jpeg" => jpeg_dimensions(head),
        "image/webp" => webp_dimensions(head),
        _ => None,
    }
}

fn be_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}

fn png_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    if head.get(12..16)? != b"IHDR" {
        return None;
    }
    let (w, h) = (be_u32(head.get(16..)?)?, be_u32(head.get(20..)?)?);
    (w > 0 && h > 0).then_some((w, h))
}

fn jpeg_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < head.len() {
        if head[i] != 0xFF {
            return None;
        }
        let marker = head[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([head[i + 2], head[i + 3]]));
        // Start of frame, any coding (not DHT, JPG or DAC, which share the range).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([head[i + 5], head[i + 6]]);
            let w = u16::from_be_bytes([head[i + 7], head[i + 8]]);
            return (w > 0 && h > 0).then_some((u32::from(w), u32::from(h)));
        }
        if length < 2 {
            return None;
        }
        i += 2 + length;
    }
    None
}

fn webp_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    if head.get(0..4)? != b"RIFF" || head.get(8..12)? != b"WEBP" {
        return None;
    }
    let le24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    match head.get(12..16)? {
        b"VP8X" => {
            let b = head.get(24..30)?;
            Some((le24(&b[0..3]) + 1, le24(&b[3..6]) + 1))
        }
        b"VP8 " => {
            let b = head.get(26..30)?;
            let w = u32::from(u16::from_le_bytes([b[0], b[1]]) & 0x3FFF);
            let h = u32::from(u16::from_le_bytes([b[2], b[3]]) & 0x3FFF);
            Some((w, h))
        }
        b"VP8L" => {
            let b = head.get(21..25)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG signature and IHDR chunk for a 3x2 image.
    pub fn png() -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        b.extend_from_slice(&[0, 0, 0, 13]);
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&3u32.to_be_bytes());
        b.extend_from_slice(&2u32.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    fn jpeg() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        b.extend_from_slice(b"JFIF\0");
        b.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
        // SOF0: length 17, precision 8, height 480, width 640.
        b.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0x01, 0xE0, 0x02, 0x80, 3]);
        b.extend_from_slice(&[0; 9]);
        b
    }

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 0x18];
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(brand);
        b.extend_from_slice(&[0, 0, 2, 0]);
        b.extend_from_slice(b"isomiso2");
        b
    }

    #[test]
    fn common_formats_are_told_by_their_first_bytes() {
        let cases: Vec<(Vec<u8>, &str, MediaKind)> = vec![
            (png(), "image/png", MediaKind::Image),
            (jpeg(), "image/jpeg", MediaKind::Image),
            (
                b"RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x1f\0\0\x1f\0\0".to_vec(),
                "image/webp",
                MediaKind::Sticker,
            ),
            (ftyp(b"isom"), "video/mp4", MediaKind::Video),
            (ftyp(b"mp42"), "video/mp4", MediaKind::Video),
            (ftyp(b"3gp5"), "video/3gpp", MediaKind::Video),
            (ftyp(b"M4A "), "audio/mp4", MediaKind::Audio),
            (
                b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec(),
                "audio/ogg",
                MediaKind::Audio,
            ),
            (
                b"ID3\x03\0\0\0\0\0\0".to_vec(),
                "audio/mpeg",
                MediaKind::Audio,
            ),
            (vec![0xFF, 0xF1, 0x50, 0x80], "audio/aac", MediaKind::Audio),
            (
                b"#!AMR\n\x3c\0\0\0\0\0\0".to_vec(),
                "audio/amr",
                MediaKind::Audio,
            ),
            (
                b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec(),
                "application/pdf",
                MediaKind::Document,
            ),
            (
                "Opening hours: 9–17\r\n".as_bytes().to_vec(),
                "text/plain",
                MediaKind::Document,
            ),
        ];
        for (bytes, mime, kind) in cases {
            let found = sniff(&bytes, "whatever.bin").unwrap_or_else(|e| panic!("{mime}: {e}"));
            assert_eq!((found.mime_type, found.kind), (mime, kind));
        }
    }

    #[test]
    fn the_name_does_not_change_what_a_file_is() {
        assert_eq!(sniff(&png(), "photo.pdf").unwrap().mime_type, "image/png");
        assert_eq!(sniff(&jpeg(), "x.png").unwrap().mime_type, "image/jpeg");
        assert!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "photo.jpg").is_err());
    }

    #[test]
    fn types_whatsapp_cannot_send_are_refused() {
        let zip = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0a.txt";
        assert_eq!(
            sniff(zip, "a.zip"),
            Err(MediaError::Unsupported {
                found: Some("application/zip".into())
            })
        );
        assert!(matches!(
            sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "setup.exe"),
            Err(MediaError::Unsupported { found: Some(_) })
        ));
        assert!(sniff(&[0x00, 0x9F, 0x13, 0xFE, 0x42, 0x00, 0x01], "r.bin").is_err());
        assert!(sniff(&ftyp(b"qt  "), "clip.mp4").is_err());
        assert!(sniff(&ftyp(b"heic"), "photo.jpg").is_err());
        assert!(sniff(b"GIF89a\x01\0\x01\0", "a.gif").is_err());
        assert_eq!(sniff(b"", "a.txt"), Err(MediaError::Empty));
        assert!(sniff(b"   \n", "blank.txt").is_err());
    }

    #[test]
    fn office_files_are_documents() {
        let mut docx =
            b"PK\x03\x04\x14\0\x08\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x13\0\0\0".to_vec();
        docx.extend_from_slice(b"[Content_Types].xml<xml/>PK\x03\x04....word/document.xml");
        assert_eq!(sniff(&docx, "report").unwrap().mime_type, DOCX);
        let mut ole = OLE2_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 504]);
        assert_eq!(
            sniff(&ole, "budget.XLS").unwrap().mime_type,
            "application/vnd.ms-excel"
        );
        assert!(sniff(&ole, "budget.msi").is_err());
    }

    #[test]
    fn sizes_are_checked_against_whatsapps_limit_for_the_type() {
        let image = sniff(&png(), "a.png").unwrap();
        assert!(check_size(&image, 5 * MB).is_ok());
        assert_eq!(
            check_size(&image, 5 * MB + 1),
            Err(MediaError::TooLarge {
                mime_type: "image/png".into(),
                limit: 5 * MB
            })
        );
        let sticker = sniff(b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f\0\0\0\0", "s").unwrap();
        assert_eq!(sticker.size_limit(), 500 * KB);
        assert_eq!(sniff(&ftyp(b"isom"), "v").unwrap().size_limit(), 16 * MB);
        assert_eq!(size_limit("audio/ogg; codecs=opus"), Some(16 * MB));
        assert_eq!(size_limit("application/pdf"), Some(MAX_MEDIA_BYTES));
        assert_eq!(size_limit("application/zip"), None);
        assert_eq!(check_file(&png(), "a.png", 0), Err(MediaError::Empty));
        let message = MediaError::TooLarge {
            mime_type: "image/png".into(),
            limit: 5 * MB,
        }
        .to_string();
        assert_eq!(message, "image/png files may be at most 5 MB on WhatsApp");
    }

    #[test]
    fn image_sizes_come_from_the_headers() {
        assert_eq!(dimensions(&png(), "image/png"), Some((3, 2)));
        assert_eq!(dimensions(&jpeg(), "image/jpeg"), Some((640, 480)));
        assert_eq!(
            dimensions(
                b"RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x1f\0\0\x0f\0\0",
                "image/webp"
            ),
            Some((32, 16))
        );
        assert_eq!(dimensions(b"%PDF-1.4", "application/pdf"), None);
        assert_eq!(dimensions(&png()[..20], "image/png"), None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Menu.pdf "), Ok("Menu.pdf".to_owned()));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"a".repeat(201)).is_err());
        assert!(check_name(&"é".repeat(200)).is_ok());
        assert!(check_name("../etc/passwd").is_err());
        assert!(check_name("a\u{0}b").is_err());
    }

    #[test]
    fn kinds_round_trip_through_their_keys() {
        for kind in MediaKind::ALL {
            assert_eq!(MediaKind::parse(kind.key()), Some(kind));
        }
        assert_eq!(MediaKind::parse("gif"), None);
    }

    #[test]
    fn only_allow_listed_sniffed_types_are_stored() {
        let html = b"<!doctype html><script>alert(document.domain)</script>";
        // Recognised as HTML, which is not on the list: opaque bytes.
        let sniffed = sniff(html, "invoice.html").ok();
        assert_eq!(stored_type(sniffed.as_ref()), OPAQUE_TYPE);
        let text = sniff(b"Order 1042: two boxes", "note.txt").ok();
        assert_eq!(stored_type(text.as_ref()), "text/plain");
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
        let sniffed = sniff(svg, "logo.svg").ok();
        assert_eq!(stored_type(sniffed.as_ref()), OPAQUE_TYPE);
        assert_eq!(stored_type(None), OPAQUE_TYPE);
        let png = png();
        assert_eq!(stored_type(sniff(&png, "a.png").ok().as_ref()), "image/png");
    }

    #[test]
    fn recorded_types_off_the_allow_list_are_served_opaque_and_as_attachments() {
        for hostile in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "",
        ] {
            assert_eq!(served_type(hostile), OPAQUE_TYPE, "{hostile}");
            assert!(!shows_inline(served_type(hostile)));
        }
        assert_eq!(served_type("Image/PNG"), "image/png");
        assert_eq!(served_type("text/plain"), "text/plain; charset=utf-8");
        assert!(shows_inline(served_type("image/jpeg")));
        assert!(shows_inline(served_type("video/mp4")));
        assert!(!shows_inline(served_type("application/pdf")));
        assert!(!shows_inline(served_type("text/plain")));
        for (mime, _) in ALLOWED_TYPES {
            assert!(size_limit(mime).is_some(), "{mime} is sendable");
        }
    }
}
