//! The OpenAPI document's frame: info, security schemes, tags. Paths and
//! schemas come from the handlers' `#[utoipa::path]` attributes.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        description = "Self-hosted, multi-tenant WhatsApp Business platform. \
            People sign in with `POST /api/v1/auth/login` and send the access token as \
            `Authorization: Bearer <token>`; the token names one tenant. \
            Errors are RFC 9457 problem documents with a stable `code`.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&SecuritySchemes),
    components(schemas(
        contract::Problem,
        contract::conversations::Conversation,
        contract::conversations::Message,
        contract::conversations::StarredMessage
    )),
    tags(
        (name = "setup", description = "First run"),
        (name = "auth", description = "Sign-in, sessions and passwords"),
        (name = "me", description = "The signed-in person"),
        (name = "tenants", description = "Tenants and their settings"),
        (name = "users", description = "Team members"),
        (name = "roles", description = "Roles and permissions"),
        (name = "channels", description = "WhatsApp senders and their credentials"),
        (name = "templates", description = "WhatsApp message templates, their review and the library"),
        (name = "contacts", description = "Contacts, tags, custom attributes and groups"),
        (name = "media", description = "The media gallery: files for template headers and messages"),
        (name = "conversations", description = "Conversations, messages, control, stars and search"),
        (name = "quick replies", description = "Saved answers agents insert with /shortcut"),
        (name = "events", description = "The live event stream (Server-Sent Events)"),
        (name = "notifications", description = "What the signed-in person should know about"),
        (name = "webhooks", description = "Callbacks from Meta and Twilio, verified by signature"),
        (name = "system", description = "Probes and metrics"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut jwt = Http::new(HttpAuthScheme::Bearer);
        jwt.bearer_format = Some("JWT".to_owned());
        jwt.description = Some("Access token from /api/v1/auth/login (15 minutes).".to_owned());
        components.add_security_scheme("bearer_jwt", SecurityScheme::Http(jwt));
        let mut api = Http::new(HttpAuthScheme::Bearer);
        api.description = Some(
            "A channel's external API token, for /api/v1/external routes (CRM integrations)."
                .to_owned(),
        );
        components.add_security_scheme("api_token", SecurityScheme::Http(api));
    }
}
