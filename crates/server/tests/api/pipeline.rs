//! The inbound pipeline under load, over real HTTP: many customers writing
//! at once arrive in order per conversation with exact counts, statuses
//! that come before their message wait for it and never go backwards,
//! replays change nothing, and on PostgreSQL two server processes share
//! one queue without applying anything twice.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

use crate::conversations::{
    meta_setup, meta_setup_with, post_webhook, MetaSetup, APP_SECRET, PHONE_NUMBER_ID, WABA_ID,
};
use crate::helpers::{postgres_requested, TestApp, TestDatabase};

const CUSTOMERS: u64 = 100;
const PER_CUSTOMER: u64 = 30;
const IN_FLIGHT: usize = 32;
const FIRST_PHONE: u64 = 447_911_123_000;

/// An hour ago: the customers wrote recently, so their conversations are
/// open (not in History).
fn t0() -> i64 {
    static T0: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *T0.get_or_init(|| chrono::Utc::now().timestamp() - 3600)
}

fn envelope(value: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]
    }))
    .unwrap()
}

fn metadata() -> Value {
    json!({"display_phone_number": "15550100200", "phone_number_id": PHONE_NUMBER_ID})
}

/// Customer `c`'s message number `m`, written at second `t0() + m`.
fn inbound(c: u64, m: u64) -> Vec<u8> {
    let from = (FIRST_PHONE + c).to_string();
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{"profile": {"name": format!("Customer {c}")}, "wa_id": from}],
        "messages": [{"from": from, "id": format!("wamid.c{c:03}m{m:02}"),
                      "timestamp": (t0() + m as i64).to_string(),
                      "type": "text", "text": {"body": format!("c{c} m{m}")}}]
    }))
}

fn status(provider_id: &str, to: u64, status: &str, at: i64) -> Vec<u8> {
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "statuses": [{"id": provider_id, "status": status, "timestamp": at.to_string(),
                      "recipient_id": (FIRST_PHONE + to).to_string()}]
    }))
}

/// Every customer's messages, interleaved (customer after customer, message
/// after message) and then shuffled a little inside each window of
/// `IN_FLIGHT`, as concurrent deliveries arrive.
fn interleaved() -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    for m in 0..PER_CUSTOMER {
        for c in 0..CUSTOMERS {
            bodies.push(inbound(c, m));
        }
    }
    for window in bodies.chunks_mut(IN_FLIGHT) {
        window.reverse();
    }
    bodies
}

/// Posts `bodies` to `addresses` (taking turns), `IN_FLIGHT` at a time.
async fn post_all(
    client: &reqwest::Client,
    addresses: &[String],
    channel: &str,
    bodies: Vec<Vec<u8>>,
) {
    let client = Arc::new(client.clone());
    let targets: Vec<String> = addresses
        .iter()
        .map(|a| format!("{a}/webhooks/meta/{channel}"))
        .collect();
    let answers: Vec<u16> = stream::iter(bodies.into_iter().enumerate())
        .map(|(i, body)| {
            let client = client.clone();
            let target = targets[i % targets.len()].clone();
            async move {
                client
                    .post(target)
                    .header(
                        "x-hub-signature-256",
                        sandbox::meta_signature(APP_SECRET, &body),
                    )
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    assert!(
        answers.iter().all(|s| *s == 200),
        "every signed webhook is taken"
    );
}

/// Every conversation of the tenant, walking the list's pages.
async fn all_conversations(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=100&cursor={c}"),
            None => "/api/v1/conversations?limit=100".to_owned(),
        };
        let page = app.get(&path, token).await;
        assert_eq!(page.status, 200, "{}", page.body);
        out.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// A conversation's message bodies, oldest first.
async fn thread(app: &TestApp, token: &str, conversation: &str) -> Vec<String> {
    let page = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages?limit=100"),
            token,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut bodies: Vec<String> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    bodies.reverse();
    bodies
}

/// What a person sees of the tenant: per customer, the unread count,
/// the last preview and the thread; and the number of contacts.
async fn snapshot(
    app: &TestApp,
    token: &str,
) -> (HashMap<String, (u64, String, Vec<String>)>, u64) {
    let mut seen = HashMap::new();
    for c in all_conversations(app, token).await {
        let id = c["id"].as_str().unwrap();
        let who = c["contact"]["phone"].as_str().unwrap().to_owned();
        let entry = (
            c["unread"].as_u64().unwrap(),
            c["last_message"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            thread(app, token, id).await,
        );
        assert!(
            seen.insert(who, entry).is_none(),
            "one conversation per customer"
        );
    }
    let contacts = app.get("/api/v1/contacts?limit=1", token).await;
    let total = contacts.body["total"].as_u64().unwrap_or_default();
    (seen, total)
}

fn assert_every_customer_in_order(seen: &HashMap<String, (u64, String, Vec<String>)>) {
    assert_eq!(
        seen.len() as u64,
        CUSTOMERS,
        "one conversation per customer"
    );
    let mut checked = 0;
    for (unread, preview, bodies) in seen.values() {
        let c = bodies[0]
            .strip_prefix('c')
            .and_then(|rest| rest.split(' ').next())
            .unwrap()
            .to_owned();
        let expected: Vec<String> = (0..PER_CUSTOMER).map(|m| format!("c{c} m{m}")).collect();
        assert_eq!(
            bodies, &expected,
            "customer {c}: every message once, in the order written"
        );
        assert_eq!(*unread, PER_CUSTOMER, "customer {c}: exact unread count");
        assert_eq!(
            preview,
            &format!("c{c} m{}", PER_CUSTOMER - 1),
            "customer {c}: the last message is shown"
        );
        checked += 1;
    }
    assert_eq!(checked, CUSTOMERS);
}

/// Posts the interleaved webhooks `times` times, 32 at a time, and waits
/// until every event is processed.
async fn post_interleaved(setup: &MetaSetup, times: usize) {
    let (app, owner, channel) = (&setup.app, &setup.owner, &setup.channel);
    for _ in 0..times {
        post_all(
            &app.client,
            std::slice::from_ref(&app.address),
            channel,
            interleaved(),
        )
        .await;
    }
    app.wait_until_events_processed_within(owner, channel, CUSTOMERS * PER_CUSTOMER, 180)
        .await;
}

/// [`post_interleaved`], then every customer's messages whole and in
/// order, one contact per phone. Answers what a person sees.
async fn post_interleaved_and_check(
    setup: &MetaSetup,
    times: usize,
) -> (HashMap<String, (u64, String, Vec<String>)>, u64) {
    post_interleaved(setup, times).await;
    let (seen, contacts) = snapshot(&setup.app, &setup.owner).await;
    assert_every_customer_in_order(&seen);
    assert_eq!(contacts, CUSTOMERS, "one contact per phone");
    (seen, contacts)
}

#[tokio::test]
async fn a_hundred_customers_writing_at_once_arrive_whole_and_in_order() {
    let setup = meta_setup().await;
    let (app, owner) = (&setup.app, &setup.owner);
    let before = post_interleaved_and_check(&setup, 1).await;
    // Replaying every webhook three more times changes nothing a person sees.
    post_interleaved(&setup, 3).await;
    assert_eq!(snapshot(app, owner).await, before, "replays change nothing");
}

#[tokio::test]
async fn one_worker_flushing_every_commit_applies_the_same_in_order() {
    // Not the default: one event worker on the main connections, every
    // commit flushed before it returns.
    let setup = meta_setup_with(|s| {
        s.event_workers = 1;
        s.event_deferred_commits = false;
    })
    .await;
    post_interleaved_and_check(&setup, 1).await;
}

/// The tick of the one message in customer 0's conversation.
async fn tick(app: &TestApp, token: &str, conversation: &str, message: uuid::Uuid) -> String {
    let page = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages?limit=50"),
            token,
        )
        .await;
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == message.to_string())
        .map(|m| m["status"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn a_status_before_its_message_waits_for_it_and_ticks_never_go_back() {
    let setup = meta_setup().await;
    let (app, owner, channel) = (&setup.app, &setup.owner, &setup.channel);
    post_webhook(app, channel, &inbound(0, 0)).await;
    app.wait_until_events_processed(owner, channel, 1).await;
    let conversation = all_conversations(app, owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The report that our message was sent lands before the send has
    // saved the provider's id.
    post_webhook(app, channel, &status("wamid.ours1", 0, "sent", t0() + 10)).await;
    app.wait_until_events_processed(owner, channel, 2).await;
    let store = app.store().await;
    let me = app.get("/api/v1/me", owner).await.body;
    let tenant = domain::TenantId(me["tenant"]["id"].as_str().unwrap().parse().unwrap());
    let sent = store
        .create_outbound(
            tenant,
            conversation.parse().unwrap(),
            &store::NewOutbound {
                kind: "text".into(),
                body: Some("Thanks, on its way".into()),
                content: json!({"text": "Thanks, on its way"}),
                media_id: None,
                reply_to_id: None,
                sent_by: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(tick(app, owner, &conversation, sent.id).await, "pending");
    store
        .outbound_accepted(tenant, sent.id, "wamid.ours1")
        .await
        .unwrap();
    app.wait_until_events_processed(owner, channel, 2).await;
    assert_eq!(
        tick(app, owner, &conversation, sent.id).await,
        "sent",
        "the early report was kept and applied once the message was saved"
    );

    // Read, then a late report of an earlier step: the tick stays at read.
    post_webhook(app, channel, &status("wamid.ours1", 0, "read", t0() + 20)).await;
    app.wait_until_events_processed(owner, channel, 3).await;
    assert_eq!(tick(app, owner, &conversation, sent.id).await, "read");
    post_webhook(
        app,
        channel,
        &status("wamid.ours1", 0, "delivered", t0() + 21),
    )
    .await;
    app.wait_until_events_processed(owner, channel, 4).await;
    assert_eq!(tick(app, owner, &conversation, sent.id).await, "read");
    store.close().await.ok();
}

/// A `switchboard serve` process on `db`, with its workers.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_process(db: &TestDatabase, meta_base_url: &str) -> (Process, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("serve")
        .env("SWITCHBOARD_BIND", format!("127.0.0.1:{port}"))
        .env("SWITCHBOARD_DATA_DIR", db.dir.path())
        .env("SWITCHBOARD_DATABASE_URL", &db.url)
        .env("SWITCHBOARD_SPA_DIR", "/nonexistent")
        .env("SWITCHBOARD_META_BASE_URL", meta_base_url)
        .env("SWITCHBOARD_LOG_LEVEL", "warn")
        .spawn()
        .unwrap();
    let process = Process(child);
    let address = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{address}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (process, address);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server process did not start");
}

#[tokio::test]
async fn two_server_processes_share_one_queue_and_apply_each_event_once() {
    if !postgres_requested() {
        // Several processes share one database on PostgreSQL only.
        return;
    }
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let meta = fake.meta_base_url.clone();
    tokio::spawn(fake.server);
    let db = TestDatabase::new().await;
    let url = db.url.clone();
    let (first, a) = start_process(&db, &meta).await;
    let (second, b) = start_process(&db, &meta).await;
    let app = TestApp::attach(a.clone(), db);
    let owner = app.owner_token().await;
    let created = app
        .post("/api/v1/channels", Some(&owner), json!({"name": "Support", "provider": "meta_cloud", "fields": {
            "phone_number_id": PHONE_NUMBER_ID, "waba_id": WABA_ID, "app_secret": APP_SECRET, "access_token": "sandbox-token"}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let channel = created.body["id"].as_str().unwrap().to_owned();

    post_all(&app.client, &[a, b], &channel, interleaved()).await;
    app.wait_until_events_processed_within(&owner, &channel, CUSTOMERS * PER_CUSTOMER, 180)
        .await;
    let (seen, contacts) = snapshot(&app, &owner).await;
    assert_every_customer_in_order(&seen);
    assert_eq!(contacts, CUSTOMERS);

    // Each event was claimed once, by one of the two, and finished.
    let log = store::scratch::event_log(&url).await.unwrap();
    assert_eq!(log.len() as u64, CUSTOMERS * PER_CUSTOMER);
    assert!(
        log.iter()
            .all(|e| e.attempts == 1 && e.state == "processed"),
        "each event applied exactly once"
    );
    // And within one conversation, in the order the events arrived.
    let mut last: HashMap<&str, chrono::DateTime<chrono::Utc>> = HashMap::new();
    for e in &log {
        let done = e.processed_at.unwrap();
        if let Some(before) = last.insert(&e.group_key, done) {
            assert!(before <= done, "group {} applied out of order", e.group_key);
        }
    }
    drop((first, second));
}
