//! Switchboard's browser app: a Leptos client-side single-page app talking to
//! the same origin's `/api/v1`.

mod api;
mod app;
mod components;
mod geo;
mod i18n;
mod pages;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
