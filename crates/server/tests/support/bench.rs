//! What the benchmarks share: the release server as its own process with a
//! signed-in owner and a Meta channel, signed webhooks posted in flight,
//! timing requests, percentiles and the server's memory.
#![allow(dead_code)] // each benchmark uses its own part

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

use crate::helpers;

pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

/// Peak resident memory of the server so far (Linux `VmHWM`), in MB.
pub fn peak_mb(pid: u32) -> f64 {
    status_mb(pid, "VmHWM:")
}

/// The server's resident memory now (Linux `VmRSS`), in MB.
pub fn rss_mb(pid: u32) -> f64 {
    status_mb(pid, "VmRSS:")
}

fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

pub async fn timed(app: &helpers::TestApp, token: &str, path: &str) -> (Duration, Value) {
    let started = Instant::now();
    let answer = app.get(path, token).await;
    let took = started.elapsed();
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    (took, answer.body)
}

/// Stops the server when the benchmark ends, however it ends.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the release binary on `db` and waits until it answers.
pub async fn start_server(db: &helpers::TestDatabase) -> (Server, String) {
    let binary = std::env::var("SWITCHBOARD_BIN").unwrap_or_else(|_| {
        format!(
            "{}/../../target/release/switchboard",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(&binary)
        .arg("serve")
        .env("SWITCHBOARD_BIND", format!("127.0.0.1:{port}"))
        .env("SWITCHBOARD_DATA_DIR", db.dir.path())
        .env("SWITCHBOARD_DATABASE_URL", &db.url)
        .env("SWITCHBOARD_SPA_DIR", "/nonexistent")
        .env(
            "SWITCHBOARD_LOG_LEVEL",
            std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| "warn".to_owned()),
        )
        .spawn()
        .unwrap_or_else(|e| panic!("starting {binary} (build it with cargo build --release): {e}"));
    let server = Server(child);
    let address = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{address}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (server, address);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// The channel's app secret: webhooks are signed with it.
pub const APP_SECRET: &str = "bench-app-secret";
/// The Meta number the benchmark's webhooks are addressed to.
pub const PHONE_NUMBER_ID: &str = "110200300400500";
const WABA_ID: &str = "220300400500600";

/// The release server on a fresh database, its owner signed in, and one
/// Meta Cloud channel taking signed webhooks.
pub struct MetaBench {
    pub server: Server,
    pub app: helpers::TestApp,
    /// The database the server runs on, for seeding and counting.
    pub url: String,
    pub token: String,
    /// "SQLite" or "PostgreSQL".
    pub backend: &'static str,
    pub tenant: uuid::Uuid,
    pub channel_id: String,
    /// Where the channel's webhooks are posted.
    pub hook: String,
}

impl MetaBench {
    pub async fn start() -> Self {
        let db = helpers::TestDatabase::new().await;
        let url = db.url.clone();
        let (server, address) = start_server(&db).await;
        let app = helpers::TestApp::attach(address, db);
        let token = app.owner_token().await;
        let backend = if helpers::postgres_requested() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        let tenant = app.get("/api/v1/me", &token).await.body["tenant"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let channel = app
            .post(
                "/api/v1/channels",
                Some(&token),
                json!({"name": "Bench", "provider": "meta_cloud", "fields": {
                "phone_number_id": PHONE_NUMBER_ID, "waba_id": WABA_ID,
                "app_secret": APP_SECRET, "access_token": "EAAG-bench"}}),
            )
            .await;
        assert_eq!(channel.status, 201, "{}", channel.body);
        let channel_id = channel.body["id"].as_str().unwrap().to_owned();
        let hook = format!("{}/webhooks/meta/{channel_id}", app.address);
        MetaBench {
            server,
            app,
            url,
            token,
            backend,
            tenant,
            channel_id,
            hook,
        }
    }

    /// The server process, for its memory.
    pub fn pid(&self) -> u32 {
        self.server.0.id()
    }
}

/// A Meta webhook body carrying one change of the bench number.
pub fn meta_envelope(value: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]
    }))
    .unwrap()
}

/// The `metadata` of the bench number's webhooks.
pub fn meta_metadata() -> Value {
    json!({"display_phone_number": "15550100200", "phone_number_id": PHONE_NUMBER_ID})
}

/// Posts every body to `hook`, signed, `in_flight` at a time. Returns the
/// rate they were taken at (per second) and how many were refused.
pub async fn post_signed(
    client: &reqwest::Client,
    hook: &str,
    bodies: Vec<Vec<u8>>,
    in_flight: usize,
) -> (f64, usize) {
    let started = Instant::now();
    let n = bodies.len();
    let refused = stream::iter(bodies)
        .map(|body| async move {
            let answer = client
                .post(hook)
                .header(
                    "x-hub-signature-256",
                    sandbox::meta_signature(APP_SECRET, &body),
                )
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            usize::from(!answer.status().is_success())
        })
        .buffer_unordered(in_flight)
        .fold(0, |refused, r| async move { refused + r })
        .await;
    (n as f64 / started.elapsed().as_secs_f64(), refused)
}
