//! Contact imports and the CSV export: the import wizard
//! (`/contacts/import`), the import history (`/contacts/imports`) and the
//! [`ImportExportMenu`] the contacts pages carry.

mod history;
mod menu;
mod wizard;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::authed::Download;
pub(crate) use crate::components::misc::gated;
use crate::i18n::{lookup, t, tf};

pub use history::ImportHistoryPage;
pub use menu::ImportExportMenu;
pub use wizard::ImportWizardPage;

/// The limits the server applies to an uploaded file.
pub const MAX_BYTES: f64 = 50.0 * 1024.0 * 1024.0;

/// A count with thousands separators: `1000000` -> `1,000,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 row" / "1,000 rows".
pub fn rows_label(n: u64) -> String {
    if n == 1 {
        t("imports.rows.one")
    } else {
        tf("imports.rows.other", &[("count", &grouped(n))])
    }
}

/// Whether an import is still on its way (poll it).
pub fn in_progress(state: &str) -> bool {
    matches!(state, "queued" | "running")
}

/// `(tone, text)` of an import's state badge.
pub fn state_badge(state: &str) -> (&'static str, String) {
    let tone = match state {
        "completed" => "success",
        "failed" => "danger",
        "cancelled" => "neutral",
        "running" | "queued" => "info",
        _ => "warning",
    };
    let text = lookup(&format!("imports.state.{state}")).unwrap_or_else(|| state.to_string());
    (tone, text)
}

/// Hands a downloaded file to the browser: an object URL clicked through a
/// temporary `<a download>`.
pub fn save_download(download: &Download) -> Result<(), String> {
    let fail = |_| t("imports.download_failed");
    let window = web_sys::window().ok_or_else(|| t("imports.download_failed"))?;
    let document = window
        .document()
        .ok_or_else(|| t("imports.download_failed"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(download.bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let anchor = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| t("imports.download_failed"))?;
    anchor.set_href(&url);
    anchor.set_download(&download.file_name);
    anchor.set_attribute("hidden", "").map_err(fail)?;
    if let Some(body) = document.body() {
        let _ = body.append_child(&anchor);
        anchor.click();
        let _ = body.remove_child(&anchor);
    } else {
        anchor.click();
    }
    // Let the browser start the download before the URL goes away.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(980), "980");
        assert_eq!(super::grouped(1000), "1,000");
        assert_eq!(super::grouped(1_000_000), "1,000,000");
    }
}
