//! A fake Meta Graph API and Twilio API, served over real HTTP for tests,
//! end-to-end runs and demo mode. It speaks the providers' wire formats,
//! records every request, fails on demand, and posts signed webhooks (status
//! updates, simulated customer messages) back to a channel's callback URL.
//!
//! Credentials: a Meta bearer token, or a Twilio auth token, is accepted when
//! it starts with `sandbox`; anything else gets the provider's auth error. So
//! a `sandbox` channel validates without real accounts, and a test can still
//! exercise the invalid-credentials path.
//!
//! Two ways to run it: [`start`] serves it alone on a listener (tests), with
//! control routes under `/control`; [`configure`] mounts it inside the
//! Switchboard server for demo mode, without the control routes, so nobody
//! can point it at arbitrary URLs.

mod meta;
mod twilio;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{dev::Server, web, App, HttpRequest, HttpResponse, HttpServer};
use serde::{Deserialize, Serialize};

/// How many requests the log keeps: a long-running demo must not grow
/// without bound.
pub const LOG_CAPACITY: usize = 1000;
/// How much of each request body the log keeps.
pub const LOG_BODY_BYTES: usize = 64 * 1024;

/// One request the sandbox received.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// A failure to answer with, in place of the next matching request.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// HTTP 429 / Meta 130429 (Twilio 63018).
    RateLimited,
    /// Meta 131047 / Twilio 63016: the 24-hour window is closed.
    WindowClosed,
    /// Meta 131056: too many messages to one recipient.
    PairRateLimited,
    /// HTTP 500.
    ServerError,
    /// Meta 190 / Twilio 20003 even for good credentials.
    InvalidToken,
}

/// A phone number the sandbox knows how to call back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SandboxNumber {
    pub phone_number_id: String,
    pub waba_id: String,
    /// Signs the webhooks (X-Hub-Signature-256).
    pub app_secret: String,
    /// Where status and inbound webhooks go.
    pub callback_url: String,
}

/// Shared state of one sandbox.
#[derive(Default)]
pub struct SandboxState {
    /// The latest [`LOG_CAPACITY`] requests, oldest first.
    log: Mutex<VecDeque<RecordedRequest>>,
    failures: Mutex<VecDeque<Failure>>,
    delay: Mutex<Option<Duration>>,
    numbers: Mutex<HashMap<String, SandboxNumber>>,
    subscribed: Mutex<HashSet<String>>,
    http: reqwest::Client,
    /// Delay between the status webhooks of one sent message.
    status_gap: Mutex<Duration>,
    /// Message templates by WABA id, in creation order.
    templates: Mutex<HashMap<String, Vec<SandboxTemplate>>>,
    /// How long a submitted template waits for its review.
    review_delay: Mutex<Option<Duration>>,
    /// Uploaded and customer files by media id: bytes and type.
    media: Mutex<HashMap<String, (Vec<u8>, String)>>,
}

/// A template the sandbox holds, as Meta lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SandboxTemplate {
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub rejected_reason: Option<String>,
    pub parameter_format: Option<String>,
    pub components: serde_json::Value,
}

impl SandboxState {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            status_gap: Mutex::new(Duration::from_millis(200)),
            ..Self::default()
        })
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Answers the next `count` provider requests with `failure`.
    pub fn fail_next(&self, failure: Failure, count: usize) {
        if let Ok(mut queue) = self.failures.lock() {
            queue.extend(std::iter::repeat_n(failure, count));
        }
    }

    /// Delays every provider answer (None: answer at once).
    pub fn set_delay(&self, delay: Option<Duration>) {
        if let Ok(mut d) = self.delay.lock() {
            *d = delay;
        }
    }

    /// Lets the sandbox post webhooks for a number. A number already
    /// registered with another callback stays with it: one channel (or
    /// tenant) cannot redirect another's webhooks by naming its number.
    /// Answers whether the number now calls back `number.callback_url`.
    pub fn register_number(&self, number: SandboxNumber) -> bool {
        let Ok(mut numbers) = self.numbers.lock() else {
            return false;
        };
        match numbers.get(&number.phone_number_id) {
            Some(known) if known.callback_url != number.callback_url => false,
            _ => {
                numbers.insert(number.phone_number_id.clone(), number);
                true
            }
        }
    }

    /// Forgets a number (its channel was deleted), if `callback_url` is
    /// the one it calls back.
    pub fn unregister_number(&self, phone_number_id: &str, callback_url: &str) {
        if let Ok(mut numbers) = self.numbers.lock() {
            if numbers
                .get(phone_number_id)
                .is_some_and(|n| n.callback_url == callback_url)
            {
                numbers.remove(phone_number_id);
            }
        }
    }

    pub fn number(&self, phone_number_id: &str) -> Option<SandboxNumber> {
        self.numbers
            .lock()
            .ok()
            .and_then(|n| n.get(phone_number_id).cloned())
    }

    pub fn is_subscribed(&self, waba_id: &str) -> bool {
        self.subscribed
            .lock()
            .map(|s| s.contains(waba_id))
            .unwrap_or(false)
    }

    fn subscribe(&self, waba_id: &str) {
        if let Ok(mut s) = self.subscribed.lock() {
            s.insert(waba_id.to_owned());
        }
    }

    fn record(&self, req: &HttpRequest, body: &[u8]) {
        let entry = RecordedRequest {
            method: req.method().to_string(),
            path: req.uri().to_string(),
            authorization: req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: String::from_utf8_lossy(&body[..body.len().min(LOG_BODY_BYTES)]).into_owned(),
        };
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_CAPACITY {
                log.pop_front();
            }
            log.push_back(entry);
        }
    }

    /// Records the request, waits any configured delay, and answers the
    /// next injected failure if there is one.
    async fn arrive(&self, req: &HttpRequest, body: &[u8]) -> Option<Failure> {
        self.record(req, body);
        let delay = self.delay.lock().ok().and_then(|d| *d);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        self.failures.lock().ok().and_then(|mut q| q.pop_front())
    }

    /// Every template of a WABA.
    pub fn templates(&self, waba_id: &str) -> Vec<SandboxTemplate> {
        self.templates
            .lock()
            .ok()
            .and_then(|t| t.get(waba_id).cloned())
            .unwrap_or_default()
    }

    /// Adds a template as if made in Meta's own manager (no webhook).
    pub fn put_template(&self, waba_id: &str, template: SandboxTemplate) {
        if let Ok(mut all) = self.templates.lock() {
            let list = all.entry(waba_id.to_owned()).or_default();
            list.retain(|t| !(t.name == template.name && t.language == template.language));
            list.push(template);
        }
    }

    /// Sets a template's status, as a review would; answers the template.
    pub fn set_template_status(
        &self,
        waba_id: &str,
        id: &str,
        status: &str,
        reason: Option<&str>,
    ) -> Option<SandboxTemplate> {
        let mut all = self.templates.lock().ok()?;
        let template = all.get_mut(waba_id)?.iter_mut().find(|t| t.id == id)?;
        template.status = status.to_owned();
        template.rejected_reason = reason.map(str::to_owned);
        Some(template.clone())
    }

    /// Applies an edit to the template with `id`: answers its WABA and the
    /// template, back in review.
    fn edit_template(
        &self,
        id: &str,
        edit: &serde_json::Value,
    ) -> Option<(String, SandboxTemplate)> {
        let mut all = self.templates.lock().ok()?;
        for (waba, list) in all.iter_mut() {
            if let Some(t) = list.iter_mut().find(|t| t.id == id) {
                if let Some(components) = edit.get("components").filter(|c| c.is_array()) {
                    t.components = components.clone();
                }
                if let Some(category) = edit.get("category").and_then(|c| c.as_str()) {
                    t.category = category.to_owned();
                }
                t.status = "PENDING".to_owned();
                t.rejected_reason = None;
                return Some((waba.clone(), t.clone()));
            }
        }
        None
    }

    fn remove_templates(&self, waba_id: &str, name: &str) -> usize {
        let Ok(mut all) = self.templates.lock() else {
            return 0;
        };
        let Some(list) = all.get_mut(waba_id) else {
            return 0;
        };
        let before = list.len();
        list.retain(|t| t.name != name);
        before - list.len()
    }

    /// A number of the WABA to post its account-level webhooks to.
    fn number_of_waba(&self, waba_id: &str) -> Option<SandboxNumber> {
        let numbers = self.numbers.lock().ok()?;
        let mut of_waba: Vec<&SandboxNumber> =
            numbers.values().filter(|n| n.waba_id == waba_id).collect();
        of_waba.sort_by(|a, b| a.phone_number_id.cmp(&b.phone_number_id));
        of_waba.first().map(|n| (*n).clone())
    }

    /// How long template reviews take (default 1.5 s).
    /// Holds a file under a media id, as if a customer had sent it; the
    /// Graph API then serves it (`GET /{media_id}`, then its URL).
    pub fn put_media(&self, id: &str, bytes: Vec<u8>, mime_type: &str) {
        if let Ok(mut media) = self.media.lock() {
            media.insert(id.to_owned(), (bytes, mime_type.to_owned()));
        }
    }

    pub fn media_file(&self, id: &str) -> Option<(Vec<u8>, String)> {
        self.media.lock().ok().and_then(|m| m.get(id).cloned())
    }

    pub fn set_review_delay(&self, delay: Duration) {
        if let Ok(mut d) = self.review_delay.lock() {
            *d = Some(delay);
        }
    }

    fn review_delay(&self) -> Duration {
        self.review_delay
            .lock()
            .ok()
            .and_then(|d| *d)
            .unwrap_or(Duration::from_millis(1500))
    }

    fn status_gap(&self) -> Duration {
        self.status_gap
            .lock()
            .map(|g| *g)
            .unwrap_or(Duration::from_millis(200))
    }
}

/// Mounts the fake provider routes (`/graph/...` for Meta, `/twilio/...`
/// for Twilio) into an app or scope.
pub fn configure(cfg: &mut web::ServiceConfig, state: Arc<SandboxState>) {
    cfg.app_data(web::Data::from(state))
        .configure(meta::routes)
        .configure(twilio::routes);
}

#[derive(Deserialize)]
struct FailureRequest {
    failure: Failure,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
struct InboundRequest {
    phone_number_id: String,
    from: String,
    #[serde(default)]
    name: Option<String>,
    text: String,
}

fn control(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/control/requests",
        web::get().to(|state: web::Data<SandboxState>| async move {
            HttpResponse::Ok().json(state.requests())
        }),
    )
    .route(
        "/control/failures",
        web::post().to(
            |state: web::Data<SandboxState>, body: web::Json<FailureRequest>| async move {
                state.fail_next(body.failure, body.count);
                HttpResponse::NoContent().finish()
            },
        ),
    )
    .route(
        "/control/numbers",
        web::post().to(
            |state: web::Data<SandboxState>, body: web::Json<SandboxNumber>| async move {
                state.register_number(body.into_inner());
                HttpResponse::NoContent().finish()
            },
        ),
    )
    .route(
        "/control/inbound",
        web::post().to(
            |state: web::Data<SandboxState>, body: web::Json<InboundRequest>| async move {
                match meta::send_inbound(
                    &state,
                    &body.phone_number_id,
                    &body.from,
                    body.name.as_deref(),
                    &body.text,
                    None,
                )
                .await
                {
                    Ok(id) => HttpResponse::Ok().json(serde_json::json!({ "message_id": id })),
                    Err(e) => HttpResponse::BadRequest().json(serde_json::json!({ "error": e })),
                }
            },
        ),
    );
}

/// A sandbox running on its own listener.
pub struct Sandbox {
    /// Base URL of the fake Graph API (append `/{version}/...`).
    pub meta_base_url: String,
    /// Base URL of the fake Twilio API (append `/2010-04-01/...`).
    pub twilio_base_url: String,
    /// Base URL of the fake Twilio Content API (append `/v1/Content`).
    pub twilio_content_base_url: String,
    pub state: Arc<SandboxState>,
    pub server: Server,
}

/// Serves a sandbox with control routes on `listener` (port 0 for tests).
pub fn start(listener: TcpListener) -> std::io::Result<Sandbox> {
    let port = listener.local_addr()?.port();
    let state = SandboxState::new();
    if let Ok(mut gap) = state.status_gap.lock() {
        *gap = Duration::from_millis(20);
    }
    let shared = state.clone();
    let server = HttpServer::new(move || {
        let shared = shared.clone();
        App::new().configure(move |cfg| {
            configure(cfg, shared);
            control(cfg);
        })
    })
    .workers(1)
    .listen(listener)?
    .run();
    let base = format!("http://127.0.0.1:{port}");
    Ok(Sandbox {
        meta_base_url: format!("{base}/graph"),
        twilio_base_url: format!("{base}/twilio"),
        twilio_content_base_url: format!("{base}/twilio/content"),
        state,
        server,
    })
}

/// Posts a customer's text message to a registered number's callback, as
/// Meta would; `at` (Unix seconds) backdates it. Answers the message id.
pub async fn send_inbound_at(
    state: &SandboxState,
    phone_number_id: &str,
    from: &str,
    name: Option<&str>,
    text: &str,
    at: Option<i64>,
) -> Result<String, String> {
    meta::send_inbound(state, phone_number_id, from, name, text, at).await
}

/// Signs a body as Meta does: `sha256=` and the hex HMAC-SHA256 with the app secret.
pub fn meta_signature(app_secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}
