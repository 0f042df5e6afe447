//! Assembles the actix application: routes, extractor configuration, the
//! OpenAPI document and Swagger UI, the SPA and the request middleware.

use std::path::{Component, Path};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, ResponseError};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{json_error, path_error, query_error, ApiError};
use crate::openapi::ApiDoc;
use crate::registry::{AccessTable, Routes};
use crate::routes::system;
use crate::state::AppState;

/// Every route, registered with its access rule into `table`.
fn routes(cfg: &mut ServiceConfig, table: &mut AccessTable) {
    crate::routes::configure(&mut Routes::new(cfg, table));
}

/// Who may call each route, as the areas registered them.
pub fn access_table() -> AccessTable {
    let mut table = AccessTable::default();
    let _ = App::new()
        .into_utoipa_app()
        .configure(|cfg| routes(cfg, &mut table));
    table
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(|cfg| routes(cfg, &mut AccessTable::default()))
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
    let mut table = AccessTable::default();
    let (app, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(|cfg| routes(cfg, &mut table))
        .split_for_parts();
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(table))
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
