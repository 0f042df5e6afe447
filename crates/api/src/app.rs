//! Assembles the actix application: routes, extractor configuration, the
//! OpenAPI document and Swagger UI, the SPA and the request middleware.

use std::path::{Component, Path};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, ResponseError};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{json_error, path_error, query_error, ApiError};
use crate::openapi::ApiDoc;
use crate::routes::{
    audience, auth, channels, contacts, conversations, events, imports, me, media, notifications,
    quick_replies, roles, setup, system, templates, tenants, users, webhooks,
};
use crate::state::AppState;

fn routes(cfg: &mut ServiceConfig) {
    cfg.service(system::healthz)
        .service(system::readyz)
        .service(system::metrics)
        .service(
            scope::scope("/webhooks")
                // Meta payloads can reach a few megabytes.
                .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
                .service(webhooks::meta_verify)
                .service(webhooks::meta_notification)
                .service(webhooks::twilio_notification),
        )
        .service(
            scope::scope("/api/v1")
                .service(setup::setup_status)
                .service(setup::run_setup)
                .service(auth::login)
                .service(auth::select_tenant)
                .service(auth::switch_tenant)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::forgot_password)
                .service(auth::reset_password)
                .service(auth::invitation)
                .service(auth::accept_invitation)
                .service(conversations::list_conversations)
                .service(conversations::get_conversation)
                .service(conversations::list_messages)
                .service(conversations::send_message)
                .service(conversations::mark_conversation_read)
                .service(conversations::take_control)
                .service(conversations::release)
                .service(conversations::resolve)
                .service(conversations::reopen)
                .service(conversations::transfer)
                .service(conversations::set_chatbot)
                .service(conversations::archive_conversation)
                .service(conversations::unarchive_conversation)
                .service(conversations::delete_conversation)
                .service(conversations::star)
                .service(conversations::unstar)
                .service(conversations::starred)
                .service(conversations::search)
                .service(conversations::list_agents)
                .service(conversations::simulate_inbound)
                .service(quick_replies::list_quick_replies)
                .service(quick_replies::bulk_delete_quick_replies)
                .service(quick_replies::create_quick_reply)
                .service(quick_replies::update_quick_reply)
                .service(quick_replies::delete_quick_reply)
                .service(events::create_ticket)
                .service(events::stream)
                .service(me::get_me)
                .service(me::update_profile)
                .service(me::change_password)
                .service(me::permission_catalog)
                .service(tenants::get_current_tenant)
                .service(tenants::update_current_tenant)
                .service(tenants::list_tenants)
                .service(tenants::create_tenant)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::remove_user)
                .service(users::deactivate_user)
                .service(users::reactivate_user)
                .service(users::resend_invitation)
                .service(users::user_login_history)
                .service(roles::list_roles)
                .service(roles::create_role)
                .service(roles::get_role)
                .service(roles::update_role)
                .service(roles::delete_role)
                .service(roles::role_users)
                .service(channels::list_providers)
                .service(channels::list_channels)
                .service(channels::create_channel)
                .service(channels::get_channel)
                .service(channels::update_channel)
                .service(channels::delete_channel)
                .service(channels::save_draft)
                .service(channels::discard_draft)
                .service(channels::generate_api_token)
                .service(channels::generate_verify_token)
                .service(channels::validate_channel)
                .service(channels::subscribe_channel)
                .service(channels::validate_draft)
                .service(channels::publish_draft)
                .service(channels::get_session_behaviour)
                .service(channels::update_session_behaviour)
                .service(templates::sync_templates)
                .service(templates::list_templates)
                .service(templates::create_template)
                .service(templates::template_library)
                .service(templates::preview_template)
                .service(templates::get_template)
                .service(templates::update_template)
                .service(templates::delete_template)
                .service(templates::submit_template)
                .service(templates::duplicate_template)
                .service(templates::share_template)
                .service(notifications::list_notifications)
                .service(notifications::mark_all_read)
                .service(notifications::mark_read)
                .service(contacts::list_contacts)
                .service(contacts::create_contact)
                .service(contacts::bulk_delete)
                .service(contacts::bulk_tag)
                .service(contacts::bulk_untag)
                .service(contacts::export_contacts)
                .service(imports::upload_import)
                .service(imports::list_imports)
                .service(imports::get_import)
                .service(imports::start_import)
                .service(imports::cancel_import)
                .service(imports::import_failures)
                .service(contacts::get_contact)
                .service(contacts::update_contact)
                .service(contacts::delete_contact)
                .service(contacts::contact_timeline)
                .service(contacts::contact_groups)
                .service(audience::list_tags)
                .service(audience::create_tag)
                .service(audience::update_tag)
                .service(audience::delete_tag)
                .service(audience::list_attributes)
                .service(audience::create_attribute)
                .service(audience::delete_attribute)
                .service(audience::list_groups)
                .service(audience::create_group)
                .service(audience::get_group)
                .service(audience::update_group)
                .service(audience::delete_group)
                .service(audience::add_members)
                .service(audience::remove_members)
                .service(media::upload_media)
                .service(media::list_media)
                .service(media::get_media)
                .service(media::rename_media)
                .service(media::delete_media)
                .service(media::media_content)
                .service(media::upload_to_provider),
        );
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    spec
}

/// The whole application for one server worker.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_limit = state.http.json_limit;
    let metrics = web::Data::new(state.metrics.clone());
    let sandbox = state.settings.sandbox.then(|| state.sandbox.clone());
    let (app, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    app.app_data(web::Data::new(state))
        .app_data(metrics)
        .app_data(
            web::JsonConfig::default()
                .limit(json_limit)
                .error_handler(|err, _| json_error(err).into()),
        )
        .app_data(web::PathConfig::default().error_handler(|err, _| path_error(err).into()))
        .app_data(web::QueryConfig::default().error_handler(|err, _| query_error(err).into()))
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", spec))
        .configure(move |cfg| {
            if let Some(sandbox) = sandbox {
                cfg.service(
                    web::scope("/sandbox").configure(move |cfg| sandbox::configure(cfg, sandbox)),
                );
            }
        })
        .service(web::redirect("/api/docs", "/api/docs/"))
        .default_service(web::to(spa))
        .wrap(from_fn(crate::auth::middleware))
        .wrap(from_fn(crate::body::address_middleware))
        .wrap(from_fn(crate::security_headers::middleware))
        .wrap(from_fn(crate::request_context::middleware))
}

/// The listener of `metrics_bind`: `GET /metrics` and nothing else.
pub fn build_metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .route("/metrics", web::get().to(system::dedicated_metrics))
        .default_service(web::to(|| async { ApiError::NotFound.error_response() }))
}

/// Serves the single-page app: real files from its directory, `index.html`
/// for client-side routes. Unknown API addresses get a JSON 404.
async fn spa(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    // The sandbox, when off, is absent rather than an SPA page.
    if path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/webhooks")
        || path == "/sandbox"
        || path.starts_with("/sandbox/")
    {
        return Err(ApiError::NotFound);
    }
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD
    {
        return Err(ApiError::NotFound);
    }
    let Some(dir) = state
        .http
        .spa_dir
        .as_deref()
        .filter(|d| d.join("index.html").is_file())
    else {
        return Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
            "<!doctype html><title>Switchboard</title><p>The web app is not built. \
             Run <code>cargo xtask run</code>, or use the API at <a href=\"/api/docs/\">/api/docs/</a>.</p>",
        ));
    };
    let relative = path.trim_start_matches('/');
    let safe = Path::new(relative)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let candidate = dir.join(relative);
    let (file, is_index) = if safe && !relative.is_empty() && candidate.is_file() {
        (candidate, false)
    } else {
        (dir.join("index.html"), true)
    };
    if is_index {
        // Read each time: a rebuilt SPA has new start-up script hashes.
        let html = tokio::fs::read_to_string(&file)
            .await
            .map_err(|e| ApiError::Internal(format!("serving {}: {e}", file.display())))?;
        let csp =
            crate::security_headers::spa_csp(&crate::security_headers::inline_script_hashes(&html));
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
            .insert_header((actix_web::http::header::CONTENT_SECURITY_POLICY, csp))
            .body(html));
    }
    let named = actix_files::NamedFile::open_async(&file)
        .await
        .map_err(|e| ApiError::Internal(format!("serving {}: {e}", file.display())))?;
    Ok(named.into_response(&req))
}
