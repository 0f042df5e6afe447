//! Probes and metrics for operators.

use actix_web::{get, web, HttpResponse};
use contract::Health;

use crate::state::AppState;

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
#[utoipa::path(tag = "system", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
