//! The fake Twilio REST API: account lookup, message sending, customers'
//! files and the Content API's template list, with Twilio's error bodies. Auth is HTTP
//! basic (account SID, auth token).

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
    )
    .route(
        "/twilio/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}",
        web::get().to(media_file),
    )
    .route("/twilio/content/v1/Content", web::get().to(contents));
}

/// A customer's file (`MediaUrl{n}` of an inbound message), held with
/// `SandboxState::put_media` under its media SID.
async fn media_file(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    let (sid, _message, media) = path.into_inner();
    if let Some(answer) = gate(&state, &req, &sid, b"").await {
        return answer;
    }
    match state.media_file(&media) {
        Some((bytes, mime_type)) => HttpResponse::Ok().content_type(mime_type).body(bytes),
        None => twilio_error(404, 20404, "The requested resource was not found"),
    }
}

/// The Content templates every sandbox account has: plain text with two
/// variables, quick replies, and a call to action with a link and a phone.
fn demo_contents(account: &str) -> Vec<serde_json::Value> {
    vec![
        json!({
            "sid": "HX00000000000000000000000000000001",
            "account_sid": account,
            "friendly_name": "appointment_reminder",
            "language": "en",
            "variables": {"1": "Ana", "2": "Tuesday 3 pm"},
            "types": {"twilio/text": {"body": "Hi {{1}}, see you on {{2}}. Reply C to cancel."}},
        }),
        json!({
            "sid": "HX00000000000000000000000000000002",
            "account_sid": account,
            "friendly_name": "delivery_slot",
            "language": "en",
            "variables": {"1": "#1042"},
            "types": {
                "twilio/text": {"body": "Order {{1}} is ready. Pick a slot."},
                "twilio/quick-reply": {
                    "body": "Order {{1}} is ready. When should we deliver?",
                    "actions": [{"title": "Morning", "id": "am"}, {"title": "Afternoon", "id": "pm"}]
                }
            },
        }),
        json!({
            "sid": "HX00000000000000000000000000000003",
            "account_sid": account,
            "friendly_name": "support_contact",
            "language": "es",
            "variables": {},
            "types": {"twilio/call-to-action": {
                "body": "¿Necesitas ayuda? Escríbenos o llámanos.",
                "actions": [
                    {"type": "URL", "title": "Centro de ayuda", "url": "https://help.example/es"},
                    {"type": "PHONE_NUMBER", "title": "Llamar", "phone": "+14155550100"}
                ]
            }},
        }),
    ]
}

/// `GET /v1/Content`: pages of `PageSize` (default 50) with `Page`,
/// linked by `meta.next_page_url` as Twilio does.
async fn contents(
    req: HttpRequest,
    query: web::Query<std::collections::HashMap<String, String>>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(failure) = state.arrive(&req, b"").await {
        return failure_answer(failure);
    }
    let account = basic_user(&req)
        .filter(|(user, token)| user.starts_with("AC") && token.starts_with("sandbox"));
    let Some((account, _)) = account else {
        return twilio_error(401, 20003, "Authenticate");
    };
    let size = query
        .get("PageSize")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=1000).contains(n))
        .unwrap_or(50);
    let page = query
        .get("Page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let all = demo_contents(&account);
    let items: Vec<_> = all.iter().skip(page * size).take(size).cloned().collect();
    let next = ((page + 1) * size < all.len()).then(|| {
        format!(
            "https://content.twilio.com/v1/Content?PageSize={size}&Page={}",
            page + 1
        )
    });
    HttpResponse::Ok().json(json!({
        "contents": items,
        "meta": {"page": page, "page_size": size, "next_page_url": next},
    }))
}

/// The user and password of HTTP basic auth.
fn basic_user(req: &HttpRequest) -> Option<(String, String)> {
    let encoded = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8_lossy(&decoded);
    let (user, token) = text.split_once(':')?;
    Some((user.to_owned(), token.to_owned()))
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
    matches!(basic_user(req), Some((user, token)) if user == sid && token.starts_with("sandbox"))
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
