//! `cargo xtask bench conversations`: the release `switchboard` binary runs as its
//! own process on a tenant holding 100,000 conversations and 1,000,000
//! messages (seeded with plain SQL), and the conversations are timed over HTTP: the
//! conversation list's first page, a page deep in it, a tab, and a
//! conversation's latest 50 messages. Then signed Meta webhooks carrying
//! customer messages are posted as fast as the server takes them, and the
//! benchmark waits until every one became a message: the ingest rate and
//! that nothing was lost.
//!
//! Runs on SQLite, or on a fresh PostgreSQL database with TEST_DB=postgres
//! and TEST_POSTGRES_URL. Ignored in normal test runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "support/bench.rs"]
mod bench_support;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::time::{Duration, Instant};

use bench_support::{
    meta_envelope, meta_metadata, peak_mb, percentile, post_signed, timed, MetaBench,
};
use serde_json::json;

const CONVERSATIONS: u64 = 100_000;
const PER_CONVERSATION: u64 = 10;
const SAMPLES: usize = 40;
const WEBHOOKS: usize = 20_000;
const IN_FLIGHT: usize = 32;

fn inbound(i: usize) -> Vec<u8> {
    let from = 919_800_000_000u64 + (i % 2_000) as u64;
    meta_envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": meta_metadata(),
        "contacts": [{"profile": {"name": format!("Bench {}", i % 2_000)}, "wa_id": from.to_string()}],
        "messages": [{"from": from.to_string(), "id": format!("wamid.bench{i:08}"),
                      "timestamp": chrono::Utc::now().timestamp().to_string(),
                      "type": "text", "text": {"body": format!("Benchmark message {i}")}}]
    }))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with cargo xtask bench conversations"]
async fn conversations_at_100k() {
    let bench = MetaBench::start().await;
    let (app, token, url, tenant) = (&bench.app, &bench.token, &bench.url, bench.tenant);
    let backend = bench.backend;

    let started = Instant::now();
    store::scratch::seed_conversations(
        url,
        tenant,
        bench.channel_id.parse().unwrap(),
        CONVERSATIONS,
        PER_CONVERSATION,
    )
    .await
    .unwrap();
    println!(
        "\n== {backend}: {CONVERSATIONS} conversations, {} messages (seeded in {:.1} s)",
        CONVERSATIONS * PER_CONVERSATION,
        started.elapsed().as_secs_f64()
    );

    // A cursor deep in the list: walk it 200 at a time.
    let mut deep = None;
    let mut cursor: Option<String> = None;
    let mut seen = 0u64;
    let mut sample_ids = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=200&cursor={c}"),
            None => "/api/v1/conversations?limit=200".to_owned(),
        };
        let (_, page) = timed(app, token, &path).await;
        let items = page["items"].as_array().unwrap();
        seen += items.len() as u64;
        if let Some(first) = items.first() {
            if sample_ids.len() < SAMPLES && seen % 5_000 < 200 {
                sample_ids.push(first["id"].as_str().unwrap().to_owned());
            }
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if seen == CONVERSATIONS - 1_000 {
            deep = cursor.clone();
        }
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(
        seen, CONVERSATIONS,
        "walking the list saw every conversation once"
    );
    let deep = deep.unwrap();
    let mut cases = vec![
        (
            "first page".to_owned(),
            "/api/v1/conversations?limit=50".to_owned(),
        ),
        (
            "page at conversation 99,000".to_owned(),
            format!("/api/v1/conversations?limit=50&cursor={deep}"),
        ),
        (
            "tab Requesting".to_owned(),
            "/api/v1/conversations?limit=50&tab=requesting".to_owned(),
        ),
        (
            "tab History".to_owned(),
            "/api/v1/conversations?limit=50&tab=history".to_owned(),
        ),
    ];
    println!("{:<34} {:>10} {:>10}", "request", "median", "p95");
    let report = |name: &str, samples: &mut Vec<Duration>| {
        println!(
            "{name:<34} {:>8.1}ms {:>8.1}ms",
            percentile(samples, 0.5).as_secs_f64() * 1000.0,
            percentile(samples, 0.95).as_secs_f64() * 1000.0
        );
    };
    for (name, path) in cases.drain(..) {
        let mut samples = Vec::new();
        for _ in 0..SAMPLES {
            samples.push(timed(app, token, &path).await.0);
        }
        report(&name, &mut samples);
    }
    let mut samples = Vec::new();
    for id in &sample_ids {
        let path = format!("/api/v1/conversations/{id}/messages?limit=50");
        let (took, page) = timed(app, token, &path).await;
        assert_eq!(
            page["items"].as_array().unwrap().len() as u64,
            PER_CONVERSATION
        );
        samples.push(took);
    }
    report(
        &format!("latest 50 messages ({} chats)", sample_ids.len()),
        &mut samples,
    );

    // Webhook ingest: signed bodies, IN_FLIGHT at a time.
    let bodies: Vec<Vec<u8>> = (0..WEBHOOKS).rev().map(inbound).collect();
    let before = store::scratch::count_messages(url, tenant).await.unwrap();
    let started = Instant::now();
    let (_, refused) = post_signed(&app.client, &bench.hook, bodies, IN_FLIGHT).await;
    let accepted_in = started.elapsed();
    assert_eq!(refused, 0, "every signed webhook is taken");
    let after = loop {
        let now = store::scratch::count_messages(url, tenant).await.unwrap();
        if now - before >= WEBHOOKS as u64 || started.elapsed() > Duration::from_secs(600) {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let processed_in = started.elapsed();
    println!(
        "webhook ingest: {WEBHOOKS} signed events accepted in {:.2} s = {:.0} events/s ({IN_FLIGHT} in flight)",
        accepted_in.as_secs_f64(),
        WEBHOOKS as f64 / accepted_in.as_secs_f64()
    );
    println!(
        "all of them stored as messages after {:.2} s = {:.0} messages/s; lost: {}",
        processed_in.as_secs_f64(),
        WEBHOOKS as f64 / processed_in.as_secs_f64(),
        WEBHOOKS as u64 - (after - before).min(WEBHOOKS as u64)
    );
    assert_eq!(
        after - before,
        WEBHOOKS as u64,
        "no message lost or doubled"
    );
    println!("server peak memory (VmHWM): {:.0} MB", peak_mb(bench.pid()));
}
