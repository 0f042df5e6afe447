//! The fake Graph API: number info, templates, webhook subscription, sending
//! and media upload, with Meta's error bodies; and the signed webhooks it
//! posts back.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::{meta_signature, Failure, SandboxState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Before `/{version}/{id}`, which would match it too.
    cfg.route("/graph/media-files/{id}", web::get().to(media_file))
        .route("/graph/{version}/{id}", web::get().to(node))
        .route("/graph/{version}/{id}", web::post().to(edit_template))
        .route(
            "/graph/{version}/{id}/message_templates",
            web::get().to(templates),
        )
        .route(
            "/graph/{version}/{id}/message_templates",
            web::post().to(create_template),
        )
        .route(
            "/graph/{version}/{id}/message_templates",
            web::delete().to(delete_template),
        )
        .route(
            "/graph/{version}/{id}/subscribed_apps",
            web::get().to(subscriptions),
        )
        .route(
            "/graph/{version}/{id}/subscribed_apps",
            web::post().to(subscribe),
        )
        .route("/graph/{version}/{id}/messages", web::post().to(messages))
        .route("/graph/{version}/{id}/media", web::post().to(media));
}

fn meta_error(status: u16, code: i64, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(json!({
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "SandboxTrace"
        }
    }))
}

fn failure_answer(failure: Failure) -> HttpResponse {
    match failure {
        Failure::RateLimited => meta_error(429, 130429, "(#130429) Rate limit hit"),
        Failure::WindowClosed => meta_error(400, 131047, "(#131047) Re-engagement message"),
        Failure::PairRateLimited => meta_error(
            400,
            131056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        ),
        Failure::ServerError => meta_error(500, 1, "An unknown error occurred"),
        Failure::InvalidToken => invalid_token(),
    }
}

fn invalid_token() -> HttpResponse {
    meta_error(
        401,
        190,
        "Error validating access token: the sandbox accepts tokens starting with `sandbox`.",
    )
}

fn authorised(req: &HttpRequest) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token.starts_with("sandbox"))
}

/// Records, fails on demand, checks the token: `Some` answer ends the request.
async fn gate(state: &SandboxState, req: &HttpRequest, body: &[u8]) -> Option<HttpResponse> {
    if let Some(failure) = state.arrive(req, body).await {
        return Some(failure_answer(failure));
    }
    (!authorised(req)).then(invalid_token)
}

async fn node(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    let id = path.into_inner().1;
    if let Some((bytes, mime_type)) = state.media_file(&id) {
        // Where the file is: this sandbox's own address, under the same prefix.
        let prefix = req.path().split("/graph/").next().unwrap_or_default();
        let info = req.connection_info();
        let url = format!(
            "{}://{}{prefix}/graph/media-files/{id}",
            info.scheme(),
            info.host()
        );
        return HttpResponse::Ok().json(json!({
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": mime_type,
            "file_size": bytes.len(),
            "id": id,
        }));
    }
    let suffix: String = id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    HttpResponse::Ok().json(json!({
        "verified_name": "Switchboard Sandbox",
        "code_verification_status": "VERIFIED",
        "display_phone_number": format!("+1 555-010-{suffix:0>4}"),
        "quality_rating": "GREEN",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "account_mode": "SANDBOX",
        "id": id,
    }))
}

#[derive(serde::Deserialize)]
struct TemplatePage {
    limit: Option<usize>,
    after: Option<String>,
    name: Option<String>,
}

fn template_json(t: &crate::SandboxTemplate) -> Value {
    let mut v = json!({
        "id": t.id,
        "name": t.name,
        "language": t.language,
        "category": t.category,
        "status": t.status,
        "components": t.components,
    });
    if let Some(format) = &t.parameter_format {
        v["parameter_format"] = json!(format);
    }
    if let Some(reason) = &t.rejected_reason {
        v["rejected_reason"] = json!(reason);
    }
    v
}

/// Meta's list: `limit` per page (25 by default), `paging.next` while more.
async fn templates(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<TemplatePage>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    let (version, waba) = path.into_inner();
    let all: Vec<crate::SandboxTemplate> = state
        .templates(&waba)
        .into_iter()
        .filter(|t| query.name.as_ref().is_none_or(|n| &t.name == n))
        .collect();
    let limit = query.limit.unwrap_or(25).clamp(1, 1000);
    let start = query
        .after
        .as_deref()
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0)
        .min(all.len());
    let end = (start + limit).min(all.len());
    let data: Vec<Value> = all[start..end].iter().map(template_json).collect();
    let mut paging = json!({"cursors": {"before": start.to_string(), "after": end.to_string()}});
    if end < all.len() {
        let info = req.connection_info();
        let prefix = req
            .path()
            .trim_end_matches(&format!("/graph/{version}/{waba}/message_templates"));
        paging["next"] = json!(format!(
            "{}://{}{prefix}/graph/{version}/{waba}/message_templates?limit={limit}&after={end}",
            info.scheme(),
            info.host()
        ));
    }
    HttpResponse::Ok().json(json!({"data": data, "paging": paging}))
}

/// Takes a template for review: approved after the review delay, or
/// rejected when its name contains `reject`; either way a
/// `message_template_status_update` webhook follows.
async fn create_template(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &body).await {
        return answer;
    }
    let waba = path.into_inner().1;
    let Ok(new) = serde_json::from_slice::<Value>(&body) else {
        return meta_error(400, 100, "(#100) Invalid parameter");
    };
    let text = |key: &str| new[key].as_str().unwrap_or_default().to_owned();
    let (name, language, category) = (text("name"), text("language"), text("category"));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return meta_error(400, 100, "(#100) Invalid parameter: name");
    }
    if !matches!(
        category.as_str(),
        "MARKETING" | "UTILITY" | "AUTHENTICATION"
    ) {
        return meta_error(400, 100, "(#100) Invalid parameter: category");
    }
    let has_body = new["components"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "BODY"));
    if language.is_empty() || !has_body {
        return meta_error(400, 100, "(#100) Invalid parameter: components");
    }
    // A media header is reviewed with a sample: an uploaded file's handle.
    let media_header_without_sample = new["components"].as_array().is_some_and(|c| {
        c.iter().any(|c| {
            c["type"] == "HEADER"
                && matches!(c["format"].as_str(), Some("IMAGE" | "VIDEO" | "DOCUMENT"))
                && c["example"]["header_handle"][0]
                    .as_str()
                    .is_none_or(|h| h.trim().is_empty())
        })
    });
    if media_header_without_sample {
        return meta_error(
            400,
            100,
            "(#100) Invalid parameter: a media header needs example.header_handle",
        );
    }
    if state
        .templates(&waba)
        .iter()
        .any(|t| t.name == name && t.language == language)
    {
        return meta_error(
            400,
            100,
            "(#2388023) Message template language is being deleted or already exists",
        );
    }
    let id = format!(
        "{}",
        1_000_000_000_000_000u64 + u64::from(rand::random::<u32>())
    );
    state.put_template(
        &waba,
        crate::SandboxTemplate {
            id: id.clone(),
            name: name.clone(),
            language,
            category: category.clone(),
            status: "PENDING".to_owned(),
            rejected_reason: None,
            parameter_format: new["parameter_format"].as_str().map(str::to_owned),
            components: new["components"].clone(),
        },
    );
    let verdict = if name.contains("reject") {
        ("REJECTED", Some("INVALID_FORMAT"))
    } else {
        ("APPROVED", None)
    };
    tokio::spawn(review(state.into_inner(), waba, id.clone(), verdict));
    HttpResponse::Ok().json(json!({"id": id, "status": "PENDING", "category": category}))
}

async fn review(
    state: Arc<SandboxState>,
    waba: String,
    id: String,
    (status, reason): (&'static str, Option<&'static str>),
) {
    tokio::time::sleep(state.review_delay()).await;
    let Some(template) = state.set_template_status(&waba, &id, status, reason) else {
        return; // deleted meanwhile
    };
    let Some(number) = state.number_of_waba(&waba) else {
        return;
    };
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": waba,
            "time": chrono_seconds(),
            "changes": [{
                "field": "message_template_status_update",
                "value": {
                    "event": status,
                    "message_template_id": template.id.parse::<u64>().unwrap_or_default(),
                    "message_template_name": template.name,
                    "message_template_language": template.language,
                    "reason": reason.unwrap_or("NONE"),
                }
            }]
        }]
    });
    for attempt in 0..5u32 {
        match post_signed(&state, &number, &body).await {
            Ok(()) => return,
            Err(e) => {
                tracing::debug!(error = %e, attempt, "sandbox template webhook failed");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
        }
    }
}

/// Meta's template edit: new components (and category), back to review.
async fn edit_template(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &body).await {
        return answer;
    }
    let id = path.into_inner().1;
    let Ok(edit) = serde_json::from_slice::<Value>(&body) else {
        return meta_error(400, 100, "(#100) Invalid parameter");
    };
    let Some((waba, template)) = state.edit_template(&id, &edit) else {
        return meta_error(400, 100, "(#100) Message template not found");
    };
    let verdict = if template.name.contains("reject") {
        ("REJECTED", Some("INVALID_FORMAT"))
    } else {
        ("APPROVED", None)
    };
    tokio::spawn(review(state.into_inner(), waba, id, verdict));
    HttpResponse::Ok().json(json!({"success": true}))
}

fn chrono_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

async fn delete_template(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<TemplatePage>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    let waba = path.into_inner().1;
    let Some(name) = query.name.as_deref() else {
        return meta_error(400, 100, "(#100) The parameter name is required");
    };
    if state.remove_templates(&waba, name) == 0 {
        return meta_error(400, 100, "(#100) Message template not found");
    }
    HttpResponse::Ok().json(json!({"success": true}))
}

fn app_entry() -> Value {
    json!({"whatsapp_business_api_data": {"name": "Switchboard", "id": "100000000000001"}})
}

async fn subscriptions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    let data: Vec<Value> = if state.is_subscribed(&path.1) {
        vec![app_entry()]
    } else {
        vec![]
    };
    HttpResponse::Ok().json(json!({ "data": data }))
}

async fn subscribe(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    state.subscribe(&path.1);
    HttpResponse::Ok().json(json!({"success": true}))
}

/// Takes a multipart upload (`messaging_product=whatsapp`, `type`, `file`)
/// and answers a media id, as Meta does.
async fn media(req: HttpRequest, body: web::Bytes, state: web::Data<SandboxState>) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &body).await {
        return answer;
    }
    let multipart = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    if !multipart || !has(b"name=\"messaging_product\"") || !has(b"name=\"file\"") {
        return meta_error(
            400,
            100,
            "(#100) The parameter messaging_product and a file are required.",
        );
    }
    let id = format!(
        "{}",
        1_000_000_000_000_000u64 + u64::from(rand::random::<u32>())
    );
    if let Some((bytes, mime_type)) = file_part(&body) {
        state.put_media(&id, bytes, &mime_type);
    }
    HttpResponse::Ok().json(json!({ "id": id }))
}

/// The bytes behind a media URL (bearer token required, as at Meta).
async fn media_file(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, b"").await {
        return answer;
    }
    match state.media_file(&id) {
        Some((bytes, mime_type)) => HttpResponse::Ok().content_type(mime_type).body(bytes),
        None => meta_error(404, 100, "(#100) Unknown media"),
    }
}

/// The `file` part of a multipart body, with its content type.
fn file_part(body: &[u8]) -> Option<(Vec<u8>, String)> {
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let start = find(body, b"name=\"file\"", 0)?;
    let headers_end = find(body, b"\r\n\r\n", start)?;
    let headers = String::from_utf8_lossy(body.get(start..headers_end)?).to_string();
    let mime_type = headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let data_start = headers_end + 4;
    let end = find(body, b"\r\n--", data_start)?;
    Some((body.get(data_start..end)?.to_vec(), mime_type))
}

fn new_wamid() -> String {
    use base64::Engine;
    let bytes: [u8; 18] = rand::random();
    format!(
        "wamid.{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    )
}

async fn messages(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<SandboxState>,
) -> HttpResponse {
    if let Some(answer) = gate(&state, &req, &body).await {
        return answer;
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return meta_error(
            400,
            100,
            "(#100) The parameter messaging_product is required.",
        );
    };
    if message["messaging_product"] != "whatsapp" {
        return meta_error(
            400,
            100,
            "(#100) The parameter messaging_product is required.",
        );
    }
    if message["status"] == "read" {
        return HttpResponse::Ok().json(json!({"success": true}));
    }
    let to = message["to"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('+')
        .to_owned();
    if to.is_empty() || !to.bytes().all(|b| b.is_ascii_digit()) {
        return meta_error(400, 100, "(#100) Invalid parameter: to");
    }
    let id = new_wamid();
    let phone_number_id = path.into_inner().1;
    let callback = message["biz_opaque_callback_data"]
        .as_str()
        .map(str::to_owned);
    let state = state.into_inner();
    tokio::spawn(post_statuses(
        state,
        phone_number_id,
        id.clone(),
        to.clone(),
        callback,
    ));
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": message["to"], "wa_id": to}],
        "messages": [{"id": id, "message_status": "accepted"}]
    }))
}

fn envelope(number: &crate::SandboxNumber, value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": number.waba_id,
            "changes": [{"value": value, "field": "messages"}]
        }]
    })
}

fn metadata(number: &crate::SandboxNumber) -> Value {
    json!({"display_phone_number": "15550100000", "phone_number_id": number.phone_number_id})
}

async fn post_signed(
    state: &SandboxState,
    number: &crate::SandboxNumber,
    body: &Value,
) -> Result<(), String> {
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let signature = meta_signature(&number.app_secret, &bytes);
    let response = state
        .http
        .post(&number.callback_url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(bytes)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("callback answered {}", response.status()))
    }
}

/// Sent, delivered, read: posted to the number's callback, as Meta would.
async fn post_statuses(
    state: Arc<SandboxState>,
    phone_number_id: String,
    message_id: String,
    recipient: String,
    callback_data: Option<String>,
) {
    let Some(number) = state.number(&phone_number_id) else {
        return;
    };
    for status in ["sent", "delivered", "read"] {
        tokio::time::sleep(state.status_gap()).await;
        let mut entry = json!({
            "id": message_id,
            "status": status,
            "timestamp": chrono::Utc::now().timestamp().to_string(),
            "recipient_id": recipient,
        });
        if let Some(data) = &callback_data {
            entry["biz_opaque_callback_data"] = json!(data);
        }
        let body = envelope(
            &number,
            json!({
                "messaging_product": "whatsapp",
                "metadata": metadata(&number),
                "statuses": [entry],
            }),
        );
        if let Err(e) = post_signed(&state, &number, &body).await {
            tracing::warn!(error = %e, status, "sandbox could not deliver a status webhook");
        }
    }
}

/// Posts a customer's text message to the number's callback; answers its id.
pub async fn send_inbound(
    state: &SandboxState,
    phone_number_id: &str,
    from: &str,
    name: Option<&str>,
    text: &str,
    at: Option<i64>,
) -> Result<String, String> {
    let number = state
        .number(phone_number_id)
        .ok_or_else(|| format!("the sandbox does not know number {phone_number_id}"))?;
    let from = from.trim_start_matches('+');
    let id = new_wamid();
    let body = envelope(
        &number,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(&number),
            "contacts": [{"profile": {"name": name.unwrap_or("Sandbox Customer")}, "wa_id": from}],
            "messages": [{
                "from": from,
                "timestamp": at.unwrap_or_else(|| chrono::Utc::now().timestamp()).to_string(),
                "id": id,
                "type": "text",
                "text": {"body": text}
            }]
        }),
    );
    post_signed(state, &number, &body).await?;
    Ok(id)
}
