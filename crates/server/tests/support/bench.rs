//! What the benchmarks share: the release server as its own process, timing
//! requests, percentiles and the server's memory.
#![allow(dead_code)] // each benchmark uses its own part

use std::time::{Duration, Instant};

use serde_json::Value;

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
