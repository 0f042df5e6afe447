//! `cargo xtask bench pipeline`: the release `switchboard` binary runs as
//! its own process with 2,000 customers who each have ten of our messages
//! waiting for their statuses. Signed Meta webhooks are offered at a steady
//! 1,000 events/s for 60 s (70% statuses of those sends, sent, delivered
//! and read a second apart; 30% customer texts), then a burst of 20,000 is
//! posted as fast as the server takes it. An owner's server-push stream is
//! open the whole time: every event's way from "webhook answered 200" to
//! "seen on the stream" is timed there.
//!
//! Reported, one table per database: ingest rate and response times,
//! processing rate, accepted-to-stream latency, the burst's drain time,
//! lost and doubled events, the server's peak memory, and a bare actix-web
//! handler taking the same burst on the same machine in the same run.
//!
//! Runs on SQLite, or on PostgreSQL with TEST_DB=postgres and
//! TEST_POSTGRES_URL. Ignored in normal test runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "support/bench.rs"]
mod bench_support;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench_support::{
    meta_envelope, meta_metadata, peak_mb, percentile, post_signed, MetaBench, APP_SECRET,
};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

const CUSTOMERS: u64 = 2_000;
const SENT_PER_CUSTOMER: u64 = 10;
const RATE: u64 = 1_000;
const STEADY_SECS: u64 = 60;
const BURST: usize = 20_000;
const BURST_IN_FLIGHT: usize = 64;

/// What the stream shows once an event is applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seen {
    Inbound(String),
    Status(String, &'static str),
}

struct Planned {
    /// Offset from the phase's start (steady phase only).
    at: Duration,
    body: Vec<u8>,
    seen: Seen,
}

/// Customer `i` (1-based): Indian mobile numbers `+91 98...`, which the
/// phone rules accept (the conversations benchmark's `+1555` seeds are not real
/// numbers, so their messages would be refused).
fn customer(i: u64) -> String {
    format!("{}", 919_800_000_000u64 + i)
}

fn inbound(n: usize) -> Planned {
    let from = customer(1 + (n as u64 * 7919) % CUSTOMERS);
    let marker = format!("Bench inbound {n}");
    let body = meta_envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": meta_metadata(),
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": from}],
        "messages": [{"from": from, "id": format!("wamid.in{n:08}"),
                      "timestamp": chrono::Utc::now().timestamp().to_string(),
                      "type": "text", "text": {"body": marker}}]
    }));
    Planned {
        at: Duration::ZERO,
        body,
        seen: Seen::Inbound(marker),
    }
}

fn status(provider_id: &str, ours: &str, word: &'static str) -> Planned {
    // wamid.out.{digits}.{j}
    let recipient = provider_id.split('.').nth(2).unwrap_or_default();
    let body = meta_envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": meta_metadata(),
        "statuses": [{"id": provider_id, "status": word,
                      "timestamp": chrono::Utc::now().timestamp().to_string(),
                      "recipient_id": recipient}]
    }));
    Planned {
        at: Duration::ZERO,
        body,
        seen: Seen::Status(ours.to_owned(), word),
    }
}

/// A deterministic shuffle (no randomness crate needed).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let j = (seed >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

/// The steady phase: `RATE` events in each of `STEADY_SECS` seconds. In
/// second `s`, the messages of batch `s` are reported sent, those of batch
/// `s - 1` delivered and those of `s - 2` read; the rest are customer texts.
fn steady_plan(sends: &[(String, String)], inbound_from: &mut usize) -> (Vec<Planned>, usize) {
    let per_second_statuses = (RATE * 7 / 10) as usize;
    let batch = per_second_statuses / 3;
    let mut plan = Vec::new();
    let mut used = 0;
    for s in 0..STEADY_SECS as usize {
        let mut second = Vec::new();
        for (phase, word) in [(0, "sent"), (1, "delivered"), (2, "read")] {
            if s < phase {
                continue;
            }
            let start = (s - phase) * batch;
            for (provider, ours) in sends.iter().skip(start).take(batch) {
                second.push(status(provider, ours, word));
            }
        }
        used = used.max((s + 1) * batch);
        while second.len() < RATE as usize {
            second.push(inbound(*inbound_from));
            *inbound_from += 1;
        }
        shuffle(&mut second, s as u64 + 1);
        let step = Duration::from_secs(1) / RATE as u32;
        for (k, mut p) in second.into_iter().enumerate() {
            p.at = Duration::from_secs(s as u64) + step * k as u32;
            plan.push(p);
        }
    }
    (plan, used)
}

/// The burst: 70% statuses of the remaining sends (each message sent,
/// delivered, read, in that order), 30% texts.
fn burst_plan(sends: &[(String, String)], inbound_from: &mut usize) -> Vec<Planned> {
    let statuses = BURST * 7 / 10;
    let mut plan = Vec::new();
    for (provider, ours) in sends.iter().take(statuses / 3) {
        for word in ["sent", "delivered", "read"] {
            plan.push(status(provider, ours, word));
        }
    }
    while plan.len() < BURST {
        plan.push(inbound(*inbound_from));
        *inbound_from += 1;
    }
    plan
}

/// Accepted instants and response times of the events posted.
#[derive(Default)]
struct Posted {
    accepted: HashMap<Seen, Instant>,
    took: Vec<Duration>,
    refused: usize,
}

/// Posts one planned event and, like a provider, tries again (up to three
/// times) when the answer is not 2xx or the connection failed; `refused`
/// counts the failed tries.
async fn post_one(client: &reqwest::Client, hook: &str, p: Planned, posted: &Mutex<Posted>) {
    let started = Instant::now();
    let signature = sandbox::meta_signature(APP_SECRET, &p.body);
    for _ in 0..3 {
        let answer = client
            .post(hook)
            .header("x-hub-signature-256", &signature)
            .header("content-type", "application/json")
            .body(p.body.clone())
            .send()
            .await;
        let done = Instant::now();
        let mut posted = posted.lock().unwrap();
        match answer {
            Ok(a) if a.status().is_success() => {
                posted.took.push(done - started);
                posted.accepted.insert(p.seen, done);
                return;
            }
            _ => posted.refused += 1,
        }
    }
}

/// The stream's sightings: first time each was seen, and how many twice.
#[derive(Default)]
struct Sightings {
    first: HashMap<Seen, Instant>,
    doubled: usize,
    resyncs: usize,
}

async fn watch(mut stream: reqwest::Response, sightings: Arc<Mutex<Sightings>>) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = stream.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let mut kind = "";
            let mut data = "";
            for line in frame.lines() {
                if let Some(k) = line.strip_prefix("event: ") {
                    kind = k;
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = d;
                }
            }
            let seen = match kind {
                "message" => serde_json::from_str::<Value>(data).ok().and_then(|v| {
                    v["message"]["text"]
                        .as_str()
                        .filter(|t| t.starts_with("Bench inbound"))
                        .map(|t| Seen::Inbound(t.to_owned()))
                }),
                "status" => serde_json::from_str::<Value>(data).ok().and_then(|v| {
                    let word = match v["status"].as_str()? {
                        "sent" => "sent",
                        "delivered" => "delivered",
                        "read" => "read",
                        _ => return None,
                    };
                    Some(Seen::Status(v["message_id"].as_str()?.to_owned(), word))
                }),
                "resync" => {
                    sightings.lock().unwrap().resyncs += 1;
                    None
                }
                _ => None,
            };
            if let Some(seen) = seen {
                let mut s = sightings.lock().unwrap();
                // The tick shows the furthest status a message reached: one
                // whose reports were applied in one round goes straight to
                // read, which a person watching sees as sent and delivered
                // too (never counted as doubled).
                if let Seen::Status(id, word) = &seen {
                    for earlier in passed_through(word) {
                        s.first
                            .entry(Seen::Status(id.clone(), earlier))
                            .or_insert(now);
                    }
                }
                match s.first.entry(seen) {
                    std::collections::hash_map::Entry::Occupied(_) => s.doubled += 1,
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(now);
                    }
                }
            }
        }
    }
}

/// The statuses a message has passed through once it shows `word`.
fn passed_through(word: &str) -> &'static [&'static str] {
    match word {
        "read" => &["sent", "delivered"],
        "delivered" => &["sent"],
        _ => &[],
    }
}

/// Waits until every planned sighting was seen (or `limit` passed);
/// answers when the last one was seen.
async fn wait_seen(
    sightings: &Mutex<Sightings>,
    expected: &[Seen],
    limit: Duration,
) -> Option<Instant> {
    let deadline = Instant::now() + limit;
    loop {
        {
            let s = sightings.lock().unwrap();
            let missing = expected
                .iter()
                .filter(|e| !s.first.contains_key(*e))
                .count();
            if missing == 0 {
                return expected
                    .iter()
                    .filter_map(|e| s.first.get(e))
                    .max()
                    .copied();
            }
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A bare actix-web handler (reads the body, answers 200) on its own
/// thread: the ceiling our webhook ingest is compared with.
fn start_bare_handler() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(|| {
                actix_web::App::new().route(
                    "/hook",
                    actix_web::web::post().to(|body: actix_web::web::Bytes| async move {
                        actix_web::HttpResponse::Ok().body(if body.is_empty() { "" } else { "ok" })
                    }),
                )
            })
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });
    address
}

/// Posts every body signed, as fast as `hook` takes them; all must be taken.
async fn burst_rate(client: &reqwest::Client, hook: &str, bodies: Vec<Vec<u8>>) -> f64 {
    let (rate, refused) = post_signed(client, hook, bodies, BURST_IN_FLIGHT).await;
    assert_eq!(refused, 0, "every signed webhook is taken");
    rate
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with cargo xtask bench pipeline"]
async fn pipeline_at_broadcast_rates() {
    let bench = MetaBench::start().await;
    let (app, token, url, tenant) = (&bench.app, &bench.token, &bench.url, bench.tenant);
    let backend = bench.backend;
    // Every customer writes once first: their contact and conversation.
    let hello: Vec<Vec<u8>> = (1..=CUSTOMERS)
        .map(|i| {
            let from = customer(i);
            meta_envelope(json!({
                "messaging_product": "whatsapp",
                "metadata": meta_metadata(),
                "contacts": [{"profile": {"name": format!("Customer {i}")}, "wa_id": from}],
                "messages": [{"from": from, "id": format!("wamid.hello{i:06}"),
                              "timestamp": chrono::Utc::now().timestamp().to_string(),
                              "type": "text", "text": {"body": "Hello"}}]
            }))
        })
        .collect();
    let setup_client = reqwest::Client::new();
    burst_rate(&setup_client, &bench.hook, hello).await;
    for _ in 0..600 {
        if store::scratch::count_messages(url, tenant).await.unwrap() >= CUSTOMERS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut sends: Vec<(String, String)> =
        store::scratch::seed_sent(url, tenant, SENT_PER_CUSTOMER)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, provider)| (provider, id.to_string()))
            .collect();
    sends.sort();
    shuffle(&mut sends, 42);
    let stored_before = store::scratch::count_messages(url, tenant).await.unwrap();
    let mut next_inbound = 0;
    let (steady, used) = steady_plan(&sends, &mut next_inbound);
    let burst = burst_plan(&sends[used..], &mut next_inbound);
    let expected_messages = next_inbound as u64;

    // The owner's live stream, open throughout.
    let ticket = app
        .post("/api/v1/events/ticket", Some(token), json!({}))
        .await;
    let ticket = ticket.body["ticket"].as_str().unwrap().to_owned();
    let stream = app
        .client
        .get(format!("{}/api/v1/events?ticket={ticket}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let sightings = Arc::new(Mutex::new(Sightings::default()));
    tokio::spawn(watch(stream, sightings.clone()));

    let hook = bench.hook.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .unwrap();
    println!(
        "\n== {backend}: {CUSTOMERS} customers, {} sends awaiting statuses; {} events at {RATE}/s for {STEADY_SECS} s, then a burst of {BURST}",
        sends.len(),
        steady.len()
    );

    // Steady: each event posted at its planned instant, however slow the
    // answers (an open loop, as providers do).
    let steady_expected: Vec<Seen> = steady.iter().map(|p| p.seen.clone()).collect();
    let posted = Arc::new(Mutex::new(Posted::default()));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(steady.len());
    for p in steady {
        tokio::time::sleep_until((started + p.at).into()).await;
        let (client, hook, posted) = (client.clone(), hook.clone(), posted.clone());
        tasks.push(tokio::spawn(async move {
            post_one(&client, &hook, p, &posted).await
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let offered_for = started.elapsed();
    let steady_done = wait_seen(&sightings, &steady_expected, Duration::from_secs(120)).await;
    let (mut steady_took, steady_latency, steady_refused) = {
        let posted = posted.lock().unwrap();
        let s = sightings.lock().unwrap();
        let latency: Vec<Duration> = posted
            .accepted
            .iter()
            .filter_map(|(k, at)| {
                s.first
                    .get(k)
                    .map(|seen| seen.saturating_duration_since(*at))
            })
            .collect();
        (posted.took.clone(), latency, posted.refused)
    };
    let mut steady_latency = steady_latency;

    // Burst: as fast as the server takes them.
    let burst_expected: Vec<Seen> = burst.iter().map(|p| p.seen.clone()).collect();
    let burst_posted = Arc::new(Mutex::new(Posted::default()));
    let burst_started = Instant::now();
    stream::iter(burst)
        .map(|p| {
            let (client, hook, posted) = (client.clone(), hook.clone(), burst_posted.clone());
            async move { post_one(&client, &hook, p, &posted).await }
        })
        .buffer_unordered(BURST_IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;
    let burst_accepted = burst_started.elapsed();
    let burst_last_seen = wait_seen(&sightings, &burst_expected, Duration::from_secs(300)).await;
    let drained = burst_last_seen.map(|at| at - burst_started);
    let peak = peak_mb(bench.pid());

    // Lost and doubled, from the stream and from the database.
    let (lost_stream, doubled, resyncs) = {
        let s = sightings.lock().unwrap();
        let lost = steady_expected
            .iter()
            .chain(&burst_expected)
            .filter(|e| !s.first.contains_key(*e))
            .count();
        (lost, s.doubled, s.resyncs)
    };
    let stored = store::scratch::count_messages(url, tenant).await.unwrap() - stored_before;
    let messages_lost = expected_messages.saturating_sub(stored);
    let messages_doubled = stored.saturating_sub(expected_messages);
    let burst_took = burst_posted.lock().unwrap().took.clone();
    let burst_refused = burst_posted.lock().unwrap().refused;

    // The ceiling: a bare actix-web handler taking the same burst.
    let bare = start_bare_handler();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bodies: Vec<Vec<u8>> = (0..BURST).map(|n| inbound(1_000_000 + n).body).collect();
    let bare_rate = burst_rate(&client, &format!("{bare}/hook"), bodies).await;

    let ingest = BURST as f64 / burst_accepted.as_secs_f64();
    let processing = drained.map(|d| BURST as f64 / d.as_secs_f64());
    let mut burst_took = burst_took;
    println!("{:<44} {:>14}", "", backend);
    println!(
        "{:<44} {:>12.0}/s",
        "offered (steady)",
        steady_expected.len() as f64 / offered_for.as_secs_f64()
    );
    println!(
        "{:<44} {:>8.1} / {:.1} ms",
        "steady: response p50 / p99",
        ms(percentile(&mut steady_took, 0.5)),
        ms(percentile(&mut steady_took, 0.99))
    );
    println!(
        "{:<44} {:>8.0} / {:.0} / {:.0} ms",
        "steady: accepted-to-stream p50 / p95 / p99",
        ms(percentile(&mut steady_latency, 0.5)),
        ms(percentile(&mut steady_latency, 0.95)),
        ms(percentile(&mut steady_latency, 0.99))
    );
    println!(
        "{:<44} {:>14}",
        "steady: everything on the stream",
        if steady_done.is_some() {
            "yes"
        } else {
            "NO (timed out)"
        }
    );
    println!("{:<44} {:>12.0}/s", "burst: ingest", ingest);
    println!(
        "{:<44} {:>8.1} / {:.1} ms",
        "burst: response p50 / p99",
        ms(percentile(&mut burst_took, 0.5)),
        ms(percentile(&mut burst_took, 0.99))
    );
    match (processing, drained) {
        (Some(rate), Some(d)) => {
            println!("{:<44} {:>12.0}/s", "burst: processing", rate);
            println!(
                "{:<44} {:>10.1} s",
                "burst: drained (start to last on the stream)",
                d.as_secs_f64()
            );
            println!(
                "{:<44} {:>10.1} s",
                "burst: backlog left when the last was accepted",
                (d.saturating_sub(burst_accepted)).as_secs_f64()
            );
        }
        _ => println!("{:<44} {:>14}", "burst: drained", "NO (timed out)"),
    }
    println!(
        "{:<44} {:>14}",
        "lost / doubled (stream)",
        format!("{lost_stream} / {doubled}")
    );
    println!(
        "{:<44} {:>14}",
        "lost / doubled (messages stored)",
        format!("{messages_lost} / {messages_doubled}")
    );
    println!(
        "{:<44} {:>14}",
        "failed tries, retried (as providers do)",
        steady_refused + burst_refused
    );
    println!("{:<44} {:>14}", "stream resyncs", resyncs);
    println!("{:<44} {:>11.0} MB", "server peak RSS (VmHWM)", peak);
    println!(
        "{:<44} {:>12.0}/s",
        "bare actix-web handler, same burst", bare_rate
    );
    println!(
        "{:<44} {:>13.0}%",
        "our ingest as a share of it",
        100.0 * ingest / bare_rate
    );
    assert_eq!(
        messages_lost + messages_doubled,
        0,
        "nothing lost or doubled in the database"
    );
    assert_eq!(doubled, 0, "nothing shown twice");
}
