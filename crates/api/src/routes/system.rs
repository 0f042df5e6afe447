//! Probes and metrics for operators.

use actix_web::{get, web, HttpRequest, HttpResponse};
use contract::Health;
use subtle::ConstantTimeEq;

use crate::auth::bearer_token;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;

/// The probes and metrics routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(Access::Public, healthz)
        .add(Access::Public, readyz)
        .add(Access::Public, metrics);
}

/// Liveness: the process answers.
#[utoipa::path(tag = "system", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
        reason: None,
    })
}

/// Readiness: the database answers.
#[utoipa::path(tag = "system", responses(
    (status = 200, description = "Ready to serve", body = Health),
    (status = 503, description = "The database does not answer", body = Health),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok".into(),
            reason: None,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable".into(),
                reason: Some("database".into()),
            })
        }
    }
}

/// Prometheus metrics: request counts and latencies by route and status.
/// With `metrics_token` set, only with that bearer token; with
/// `metrics_bind` set, only on that listener (404 here).
#[utoipa::path(tag = "system", responses(
    (status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String),
    (status = 401, description = "The metrics token is missing or wrong", body = contract::Problem, content_type = "application/problem+json"),
    (status = 404, description = "Metrics are served on their own listener", body = contract::Problem, content_type = "application/problem+json"),
))]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if state.http.metrics.own_listener {
        return Err(ApiError::NotFound);
    }
    dedicated_metrics(state, req).await
}

/// `/metrics` on its own listener (`metrics_bind`).
pub async fn dedicated_metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.http.metrics.token {
        let given = bearer_token(&req).unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(ApiError::unauthorized(
                "Send the metrics token as a Bearer token.",
            ));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()))
}
