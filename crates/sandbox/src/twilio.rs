//! The fake Twilio REST API: account lookup and message sending, with
//! Twilio's error bodies. Auth is HTTP basic (account SID, auth token).

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use serde_json::json;

use crate::{Failure, SandboxState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/twilio/2010-04-01/Accounts/{sid}.json",
        web::get().to(account),
    )
    .route(
        "/twilio/2010-04-01/Accounts/{sid}/Messages.json",
        web::post().to(send),
    );
}

fn twilio_error(status: u16, code: i64, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    }))
}

fn failure_answer(failure: Failure) -> HttpResponse {
    match failure {
        Failure::RateLimited | Failure::PairRateLimited => {
            twilio_error(429, 63018, "Rate limit exceeded")
        }
        Failure::WindowClosed => twilio_error(
            400,
            63016,
            "Failed to send freeform message because you are outside the allowed window.",
        ),
        Failure::ServerError => twilio_error(500, 20500, "Internal Server Error"),
        Failure::InvalidToken => twilio_error(401, 20003, "Authenticate"),
    }
}

/// Basic auth with the path's SID and a token starting with `sandbox`.
fn authorised(req: &HttpRequest, sid: &str) -> bool {
    let Some(encoded) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    let text = String::from_utf8_lossy(&decoded);
    matches!(text.split_once(':'), Some((user, token)) if user == sid && token.starts_with("sandbox"))
}

async fn gate(
    state: &SandboxState,
    req: &HttpRequest,
    sid: &str,
    body: &[u8],
) -> Option<HttpResponse> {
    if let Some(failure) = state.arrive(req, body).await {
        return Some(failure_answer(failure));
    }
    (!authorised(req, sid)).then(|| twilio_error(401, 20003, "Authenticate"))
}

async fn account(
    req: HttpRequest,
    sid: web::Path<String>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &sid, b"").await {
        return answer;
    }
    HttpResponse::Ok().json(json!({
        "sid": sid.as_str(),
        "friendly_name": "Switchboard Sandbox",
        "status": "active",
        "type": "Full",
    }))
}

async fn send(
    req: HttpRequest,
    sid: web::Path<String>,
    body: web::Bytes,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &sid, &body).await {
        return answer;
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let Some(to) = field("To") else {
        return twilio_error(400, 21604, "A 'To' phone number is required.");
    };
    let message_sid = format!("SM{:032x}", rand::random::<u128>());
    HttpResponse::Created().json(json!({
        "account_sid": sid.as_str(),
        "api_version": "2010-04-01",
        "body": field("Body"),
        "from": field("From"),
        "to": to,
        "messaging_service_sid": field("MessagingServiceSid"),
        "sid": message_sid,
        "status": "queued",
        "error_code": null,
        "error_message": null,
    }))
}
