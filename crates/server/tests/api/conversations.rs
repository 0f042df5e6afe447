//! Conversations over real HTTP: inbound messages of every type from
//! recorded-format webhooks, statuses that only move forward, sending with
//! the 24-hour window, control rules, stars, search, quick replies, the live
//! stream, and tenant isolation.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

pub(crate) const PHONE_NUMBER_ID: &str = "110200300400500";
pub(crate) const WABA_ID: &str = "220300400500600";
pub(crate) const APP_SECRET: &str = "s3cret-app";

/// A Meta channel whose Graph API is a standalone sandbox.
pub(crate) struct MetaSetup {
    pub app: TestApp,
    pub owner: String,
    pub channel: String,
    pub fake: std::sync::Arc<sandbox::SandboxState>,
}

pub(crate) async fn meta_setup() -> MetaSetup {
    meta_setup_with(|_| {}).await
}

/// [`meta_setup`] with settings of the test's own.
pub(crate) async fn meta_setup_with(customise: impl FnOnce(&mut server::Settings)) -> MetaSetup {
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let base = fake.meta_base_url.clone();
    let state = fake.state.clone();
    tokio::spawn(fake.server);
    let app = spawn_app_with(move |s| {
        s.meta_base_url = base;
        customise(s);
    })
    .await;
    let owner = app.owner_token().await;
    let created = app
        .post("/api/v1/channels", Some(&owner), json!({"name": "Support", "provider": "meta_cloud", "fields": {
            "phone_number_id": PHONE_NUMBER_ID, "waba_id": WABA_ID, "app_secret": APP_SECRET, "access_token": "sandbox-token"}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let channel = created.body["id"].as_str().unwrap().to_owned();
    state.register_number(sandbox::SandboxNumber {
        phone_number_id: PHONE_NUMBER_ID.into(),
        waba_id: WABA_ID.into(),
        app_secret: APP_SECRET.into(),
        callback_url: format!("{}/webhooks/meta/{channel}", app.address),
    });
    MetaSetup {
        app,
        owner,
        channel,
        fake: state,
    }
}

pub(crate) async fn post_webhook(app: &TestApp, channel: &str, body: &[u8]) {
    let answer = app
        .client
        .post(format!("{}/webhooks/meta/{channel}", app.address))
        .header(
            "x-hub-signature-256",
            sandbox::meta_signature(APP_SECRET, body),
        )
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../providers/tests/fixtures/meta/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn every_inbound_type_becomes_a_message_once() {
    let MetaSetup {
        app,
        owner,
        channel,
        fake,
    } = meta_setup().await;
    // The files the customer "sent", as Meta would serve them.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    jpeg.extend([0u8; 64]);
    fake.put_media("1458391047712093", jpeg.clone(), "image/jpeg");
    let mut ogg = b"OggS".to_vec();
    ogg.extend([0u8; 60]);
    fake.put_media("5647382910564738", ogg, "audio/ogg");
    let document = String::from_utf8(fixture("inbound_document")).unwrap();
    let doc_id = document
        .split("\"id\": \"")
        .filter_map(|s| s.split('"').next())
        .find(|id| {
            id.chars().all(|c| c.is_ascii_digit())
                && id.len() > 8
                && *id != WABA_ID
                && *id != PHONE_NUMBER_ID
        })
        .unwrap()
        .to_owned();
    fake.put_media(&doc_id, b"%PDF-1.4\n%test\n".to_vec(), "application/pdf");

    let kinds = [
        "inbound_text",
        "inbound_image",
        "inbound_audio",
        "inbound_document",
        "inbound_location",
        "inbound_contacts",
        "inbound_reaction",
        "inbound_button_reply",
        "inbound_list_reply",
        "inbound_template_button",
        "inbound_unsupported",
    ];
    for round in 0..2 {
        for kind in kinds {
            post_webhook(&app, &channel, &fixture(kind)).await;
        }
        if round == 0 {
            app.wait_for(&owner, "/api/v1/conversations", |b| {
                b["items"][0]["unread"] == 11
            })
            .await;
        }
    }
    // Replays changed nothing: once the worker has finished every event
    // kept, what they would have changed has changed.
    app.wait_until_events_processed(&owner, &channel, 11).await;
    let list = app.get("/api/v1/conversations", &owner).await.body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one conversation per channel and contact");
    let conversation = &items[0];
    assert_eq!(conversation["contact"]["phone"], "+919812345678");
    assert_eq!(conversation["state"], "bot");
    assert_eq!(conversation["chatbot_enabled"], true);
    assert_eq!(conversation["in_history"], true, "the fixtures are old");
    let id = conversation["id"].as_str().unwrap();
    let messages = app
        .get(
            &format!("/api/v1/conversations/{id}/messages?limit=50"),
            &owner,
        )
        .await
        .body;
    let messages = messages["items"].as_array().unwrap();
    assert_eq!(messages.len(), 11);
    let by_kind = |k: &str| {
        messages
            .iter()
            .find(|m| m["kind"] == k)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        by_kind("text")["text"],
        "Hi! Is my order on the way? ¿Hola? ✓"
    );
    assert_eq!(by_kind("text")["direction"], "inbound");
    assert_eq!(by_kind("text")["status"], "received");
    let image = by_kind("image");
    assert_eq!(image["text"], "Damaged box");
    assert_eq!(image["media"]["mime_type"], "image/jpeg");
    let url = image["media"]["url"].as_str().unwrap();
    let bytes = app
        .client
        .get(format!("{}{url}", app.address))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        bytes.to_vec(),
        jpeg,
        "the customer's file is in the gallery"
    );
    assert_eq!(by_kind("audio")["media"]["kind"], "audio");
    assert_eq!(by_kind("document")["media"]["name"], "invoice-2041.pdf");
    assert_eq!(by_kind("location")["location"]["latitude"], 12.9716);
    assert_eq!(by_kind("location")["text"], "MG Road Store");
    assert!(by_kind("contacts")["contacts"][0]
        .as_str()
        .unwrap()
        .starts_with("Arjun Mehta: +91"));
    assert_eq!(by_kind("reaction")["reaction"], "👍");
    assert_eq!(
        by_kind("button_reply")["text"],
        by_kind("button_reply")["text"]
    );
    assert!(by_kind("button_reply")["text"]
        .as_str()
        .unwrap()
        .starts_with("Track"));
    assert_eq!(by_kind("list_reply")["text"], "Returns");
    assert_eq!(by_kind("button")["text"], "Stop promotions");
    assert_eq!(by_kind("unsupported")["kind"], "unsupported");

    let contact = app
        .get(
            &format!(
                "/api/v1/contacts/{}",
                conversation["contact"]["id"].as_str().unwrap()
            ),
            &owner,
        )
        .await;
    assert_eq!(contact.body["source"], "organic");
    // A free-form reply is refused: the customer wrote over 24 hours ago.
    let refused = app
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&owner),
            json!({"content": {"type": "text", "text": "Hello"}}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.code(), "window_closed");
}

#[tokio::test]
async fn a_burst_of_concurrent_and_replayed_webhooks_stores_each_message_once() {
    let MetaSetup {
        app,
        owner,
        channel,
        fake: _fake,
    } = meta_setup().await;
    let base: Value = serde_json::from_slice(&fixture("inbound_text")).unwrap();
    let bodies: Vec<Vec<u8>> = (0..30)
        .map(|i| {
            let mut body = base.clone();
            let message = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
            message["id"] = json!(format!("wamid.burst-{i}"));
            message["text"]["body"] = json!(format!("Burst message {i}"));
            serde_json::to_vec(&body).unwrap()
        })
        .collect();
    // Every body three times, all at once: the writer batches requests
    // that arrive together, and replays within a batch or across batches
    // are stored once.
    let app = std::sync::Arc::new(app);
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..3 {
        for body in &bodies {
            let (app, channel, body) = (app.clone(), channel.clone(), body.clone());
            posts.spawn(async move { post_webhook(&app, &channel, &body).await });
        }
    }
    while let Some(done) = posts.join_next().await {
        done.unwrap();
    }
    let list = app
        .wait_for(&owner, "/api/v1/conversations", |b| {
            b["items"][0]["unread"].as_u64() == Some(30)
        })
        .await;
    let id = list["items"][0]["id"].as_str().unwrap();
    let messages = app
        .get(
            &format!("/api/v1/conversations/{id}/messages?limit=100"),
            &owner,
        )
        .await
        .body;
    let mut texts: Vec<String> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    let mut expected: Vec<String> = (0..30).map(|i| format!("Burst message {i}")).collect();
    expected.sort();
    assert_eq!(texts, expected, "each message once, none lost");
    // Settled: every kept event is processed, and no late duplicate shows up.
    app.wait_until_events_processed(&owner, &channel, 30).await;
    let again = app.get("/api/v1/conversations", &owner).await.body;
    assert_eq!(again["items"][0]["unread"], 30);
}

/// `application/x-www-form-urlencoded`, as Twilio posts it.
fn form(params: &[(&str, &str)]) -> Vec<u8> {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

#[tokio::test]
async fn a_twilio_message_with_several_files_becomes_a_message_per_file() {
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let twilio = fake.twilio_base_url.clone();
    let customer_files = fake.state.clone();
    tokio::spawn(fake.server);
    let app = spawn_app_with(move |s| s.twilio_base_url = twilio).await;
    let owner = app.owner_token().await;
    let account = "AC11112222333344445555666677778888";
    let created = app
        .post("/api/v1/channels", Some(&owner), json!({"name": "Twilio line", "provider": "twilio", "fields": {
            "account_sid": account, "sender": "whatsapp:+14155550123", "auth_token": "sandbox-token"}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let channel = created.body["id"].as_str().unwrap().to_owned();
    // The second file is not there yet: its download fails at first.
    customer_files.put_media("ME0001", crate::media::png(), "image/png");
    let sid = "MM00000000000000000000000000000042";
    let media_url = |id: &str| {
        format!("https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{sid}/Media/{id}")
    };
    let (first, second) = (media_url("ME0001"), media_url("ME0002"));
    let params = [
        ("MessageSid", sid),
        ("AccountSid", account),
        ("From", "whatsapp:+5511987654321"),
        ("To", "whatsapp:+14155550123"),
        ("ProfileName", "Ana Souza"),
        ("Body", "The label and the invoice"),
        ("NumMedia", "2"),
        ("MediaUrl0", &first),
        ("MediaContentType0", "image/png"),
        ("MediaUrl1", &second),
        ("MediaContentType1", "application/pdf"),
    ];
    let body = form(&params);
    let url = format!("{}/webhooks/twilio/{channel}", app.address);
    let signature = providers::twilio::signature(
        "sandbox-token",
        &url,
        &providers::twilio::form_params(&body),
    );
    for _ in 0..2 {
        let answer = app
            .client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature.clone())
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    app.wait_for(&owner, "/api/v1/conversations", |b| {
        b["items"][0]["unread"].as_u64() == Some(1)
    })
    .await;
    // Once the file is there, the retried event stores the rest, and the
    // file stored the first time is not fetched again.
    customer_files.put_media("ME0002", crate::media::pdf(), "application/pdf");
    let list = app
        .wait_for(&owner, "/api/v1/conversations", |b| {
            b["items"][0]["unread"].as_u64() == Some(2)
        })
        .await;
    let id = list["items"][0]["id"].as_str().unwrap();
    let messages = app
        .get(&format!("/api/v1/conversations/{id}/messages"), &owner)
        .await
        .body;
    let items = messages["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{messages}");
    let gallery = app.get("/api/v1/media", &owner).await.body;
    assert_eq!(gallery["items"].as_array().unwrap().len(), 2, "{gallery}");
    // Newest first: the document came second.
    let (document, image) = (&items[0], &items[1]);
    assert_eq!(image["kind"], "image");
    assert_eq!(image["text"], "The label and the invoice");
    assert_eq!(image["media"]["mime_type"], "image/png");
    assert_eq!(document["kind"], "document");
    assert!(document["text"].is_null());
    assert_eq!(document["media"]["mime_type"], "application/pdf");
    // Both files are in the gallery and their links work.
    for m in [image, document] {
        let link = m["media"]["url"].as_str().unwrap();
        let fetched = app
            .client
            .get(format!("{}{link}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(fetched.status(), 200, "{link}");
    }
}

#[tokio::test]
async fn statuses_only_move_forward_and_failures_keep_the_reason() {
    let MetaSetup {
        app,
        owner,
        channel,
        fake,
    } = meta_setup().await;
    sandbox::send_inbound_at(
        &fake,
        PHONE_NUMBER_ID,
        "+919812345678",
        Some("Ravi"),
        "Where is my order?",
        None,
    )
    .await
    .unwrap();
    let list = app
        .wait_for(&owner, "/api/v1/conversations", |b| {
            b["items"][0]["id"].is_string()
        })
        .await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["items"][0]["contact"]["name"], "Ravi");
    assert_eq!(list["items"][0]["in_history"], false);

    let sent = app
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&owner),
            json!({"content": {"type": "text", "text": "It left *today*."}}),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(sent.body["status"], "pending");
    assert_eq!(sent.body["sent_by"]["name"], "Ana Owner");
    let message = sent.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/conversations/{id}/messages");
    let read = |b: &Value| b["items"][0]["status"] == "read";
    app.wait_for(&owner, &path, read).await;
    // An owner replying takes the conversation.
    let conversation = app
        .get(&format!("/api/v1/conversations/{id}"), &owner)
        .await
        .body;
    assert_eq!(conversation["state"], "intervened");

    // A late "delivered" (echoing our id) does not undo "read".
    let late = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550100200", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": "wamid.late-report", "status": "delivered", "timestamp": "1763700030", "recipient_id": "919812345678",
                      "biz_opaque_callback_data": message}]}}]}]});
    let kept = app.webhook_event_count(&owner, &channel).await;
    post_webhook(&app, &channel, &serde_json::to_vec(&late).unwrap()).await;
    // The late report is kept (a new event) and the worker has applied it.
    app.wait_until_events_processed(&owner, &channel, kept + 1)
        .await;
    let after = app.get(&path, &owner).await.body;
    assert_eq!(after["items"][0]["status"], "read");

    // The provider's refusal is kept on the message with its code.
    fake.fail_next(sandbox::Failure::WindowClosed, 1);
    let failed = app
        .post(
            &path,
            Some(&owner),
            json!({"content": {"type": "text", "text": "Again"}}),
        )
        .await;
    assert_eq!(failed.status, 201, "{}", failed.body);
    assert_eq!(failed.body["status"], "failed");
    assert_eq!(failed.body["error"]["code"], "131047");
    assert!(failed.body["error"]["title"]
        .as_str()
        .unwrap()
        .contains("window"));
    let bell = app.get("/api/v1/notifications", &owner).await.body;
    assert!(bell["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "send_failed"));

    // Opening the conversation sends a read receipt for the customer's message.
    let opened = app
        .post(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(opened.status, 204);
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/messages") && r.body.contains("\"status\":\"read\"")));
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{id}"), &owner)
            .await
            .body["unread"],
        0
    );
}

async fn customer_writes(
    app: &TestApp,
    token: &str,
    channel: &str,
    from: &str,
    text: &str,
    hours_ago: i64,
) -> String {
    let at = chrono::Utc::now() - chrono::Duration::hours(hours_ago);
    let posted = app
        .post(
            &format!("/api/v1/channels/{channel}/simulate-inbound"),
            Some(token),
            json!({"from": from, "name": "Priya", "text": text, "at": at}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    let digits: String = from.chars().filter(char::is_ascii_digit).collect();
    let list = app
        .wait_for(token, "/api/v1/conversations", |b| {
            b["items"].as_array().unwrap().iter().any(|c| {
                c["contact"]["phone"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(&digits)
                    && c["last_message"]["text"] == text
            })
        })
        .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["contact"]["phone"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&digits)
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_window_blocks_free_form_messages_but_not_templates() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(
        &app,
        &owner,
        &channel,
        "+14155550101",
        "Hello from yesterday",
        25,
    )
    .await;
    let conversation = app
        .get(&format!("/api/v1/conversations/{id}"), &owner)
        .await
        .body;
    assert_eq!(conversation["in_history"], true);
    let history = app
        .get("/api/v1/conversations?tab=history", &owner)
        .await
        .body;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    let bot = app.get("/api/v1/conversations?tab=bot", &owner).await.body;
    assert_eq!(
        bot["items"].as_array().unwrap().len(),
        0,
        "History is its own tab"
    );
    let path = format!("/api/v1/conversations/{id}/messages");
    let refused = app
        .post(
            &path,
            Some(&owner),
            json!({"content": {"type": "text", "text": "Hi"}}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.code(), "window_closed");
    let buttons = app
        .post(&path, Some(&owner), json!({"content": {"type": "buttons", "body": "Pick", "buttons": [{"id": "a", "title": "A"}]}}))
        .await;
    assert_eq!(buttons.code(), "window_closed");

    // An approved template goes through, its variables filled.
    let created = app
        .post("/api/v1/templates", Some(&owner), json!({"channel_id": channel, "submit": true, "content": {
            "name": "order_update", "language": "en_US", "category": "utility",
            "body": "Hi {{1}}, your order {{2}} shipped.", "body_examples": {"1": "Ana", "2": "#1"}, "buttons": []}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let template = created.body["id"].as_str().unwrap().to_owned();
    app.wait_for(&owner, &format!("/api/v1/templates/{template}"), |b| {
        b["status"] == "approved"
    })
    .await;
    let missing = app
        .post(&path, Some(&owner), json!({"content": {"type": "template", "template_id": template, "variables": {"body.1": "Priya"}}}))
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.body["errors"]["content.variables.body.2"].is_array());
    let sent = app
        .post(&path, Some(&owner), json!({"content": {"type": "template", "template_id": template, "variables": {"body.1": "Priya", "body.2": "#77"}}}))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(sent.body["kind"], "template");
    assert_eq!(sent.body["text"], "Hi Priya, your order #77 shipped.");
    assert_eq!(sent.body["template"], "order_update (en_US)");

    // A customer writing again opens the window and leaves History.
    customer_writes(&app, &owner, &channel, "+14155550101", "Still there?", 0).await;
    let ok = app
        .post(
            &path,
            Some(&owner),
            json!({"content": {"type": "text", "text": "Yes!"}}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let history = app
        .get("/api/v1/conversations?tab=history", &owner)
        .await
        .body;
    assert_eq!(history["items"].as_array().unwrap().len(), 0);

    // The contact's journey tells the story: started, taken over and a
    // template sent by a named person, the customer coming back after the
    // silence. Not a line per message.
    let contact = conversation["contact"]["id"].as_str().unwrap();
    let journey = app
        .get(&format!("/api/v1/contacts/{contact}/timeline"), &owner)
        .await
        .body;
    let kinds: Vec<&str> = journey
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "customer_returned",
            "template_sent",
            "took_control",
            "conversation_started",
            "created"
        ],
        "{journey}"
    );
    let template_line = &journey[1];
    assert_eq!(template_line["detail"], "order_update (en_US)");
    assert!(
        template_line["actor_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{template_line}"
    );
    assert_eq!(journey[0]["detail"], "Still there?");
    assert!(journey[0].get("actor_name").is_none());
    assert_eq!(journey[2]["actor_name"], template_line["actor_name"]);
}

#[tokio::test]
async fn deleting_a_contact_who_wrote_keeps_the_history_out_of_sight() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(&app, &owner, &channel, "+14155550123", "First visit", 0).await;
    let conversation = app
        .get(&format!("/api/v1/conversations/{id}"), &owner)
        .await
        .body;
    let contact = conversation["contact"]["id"].as_str().unwrap().to_owned();
    let deleted = app
        .delete(&format!("/api/v1/contacts/{contact}"), &owner)
        .await;
    assert!(deleted.status < 300, "{}", deleted.body);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"), &owner)
            .await
            .status,
        404
    );
    let list = app.get("/api/v1/conversations", &owner).await.body;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
    assert_eq!(
        app.get("/api/v1/contacts", &owner).await.body["total"],
        0,
        "the hidden contact is not counted"
    );
    // The phone is free again: the customer writing back is a new contact
    // with a new conversation, not the deleted one's history.
    let again = customer_writes(&app, &owner, &channel, "+14155550123", "Back again", 0).await;
    assert_ne!(again, id);
    let fresh = app
        .get(&format!("/api/v1/conversations/{again}/messages"), &owner)
        .await
        .body;
    let texts: Vec<&str> = fresh["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["Back again"]);
    // A contact who never wrote is removed outright; its phone is free too.
    let made = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Never wrote", "phone": "+14155550124"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let quiet = made.body["id"].as_str().unwrap();
    assert!(
        app.delete(&format!("/api/v1/contacts/{quiet}"), &owner)
            .await
            .status
            < 300
    );
    let remade = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Never wrote", "phone": "+14155550124"}),
        )
        .await;
    assert_eq!(remade.status, 201, "{}", remade.body);
    assert_eq!(app.get("/api/v1/contacts", &owner).await.body["total"], 2);
}

#[tokio::test]
async fn only_the_controller_steers_a_conversation() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let ana = app
        .add_user(&owner, "ana.agent@acme.example", "agent")
        .await;
    let ben = app
        .add_user(&owner, "ben.agent@acme.example", "agent")
        .await;
    app.add_user(&owner, "max.manager@acme.example", "manager")
        .await;
    let ana_token = app.token_for("ana.agent@acme.example").await;
    let ben_token = app.token_for("ben.agent@acme.example").await;
    let manager = app.token_for("max.manager@acme.example").await;
    let id = customer_writes(&app, &owner, &channel, "+14155550102", "I need help", 0).await;
    let base = format!("/api/v1/conversations/{id}");
    let text = json!({"content": {"type": "text", "text": "Hello"}});

    // Everyone permitted reads it; nobody sends before taking control.
    assert_eq!(app.get(&base, &ben_token).await.status, 200);
    let early = app
        .post(&format!("{base}/messages"), Some(&ana_token), text.clone())
        .await;
    assert_eq!(early.status, 409);
    assert_eq!(early.code(), "not_controller");
    let taken = app
        .post(&format!("{base}/take-control"), Some(&ana_token), json!({}))
        .await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(taken.body["state"], "intervened");
    assert_eq!(taken.body["controller"]["id"], ana);
    assert_eq!(
        app.get("/api/v1/conversations?owner=mine", &ana_token)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/conversations?owner=unassigned", &ana_token)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let stolen = app
        .post(&format!("{base}/take-control"), Some(&ben_token), json!({}))
        .await;
    assert_eq!(stolen.code(), "controlled_by_other");
    for (method, path, body) in [
        (Method::POST, format!("{base}/messages"), text.clone()),
        (
            Method::PUT,
            format!("{base}/chatbot"),
            json!({"enabled": false}),
        ),
        (
            Method::POST,
            format!("{base}/transfer"),
            json!({"user_id": ben}),
        ),
        (Method::POST, format!("{base}/release"), json!({})),
    ] {
        let answer = app.call(method, &path, Some(&ben_token), Some(body)).await;
        assert_eq!(answer.status, 409, "{path}: {}", answer.body);
        assert_eq!(answer.code(), "not_controller", "{path}");
    }
    let sent = app
        .post(&format!("{base}/messages"), Some(&ana_token), text.clone())
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let off = app
        .call(
            Method::PUT,
            &format!("{base}/chatbot"),
            Some(&ana_token),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(off.body["chatbot_enabled"], false);
    let moved = app
        .post(
            &format!("{base}/transfer"),
            Some(&ana_token),
            json!({"user_id": ben}),
        )
        .await;
    assert_eq!(moved.body["controller"]["id"], ben);
    let bell = app.get("/api/v1/notifications", &ben_token).await.body;
    assert!(bell["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "conversation_transferred"));
    // A manager acts on every conversation.
    let released = app
        .post(&format!("{base}/release"), Some(&manager), json!({}))
        .await;
    assert_eq!(released.status, 200, "{}", released.body);
    assert_eq!(
        released.body["state"], "requesting",
        "the chatbot is off, so it waits for a person"
    );
    let resolved = app
        .post(&format!("{base}/resolve"), Some(&ana_token), json!({}))
        .await;
    assert_eq!(resolved.body["state"], "resolved");
    assert_eq!(
        app.get("/api/v1/conversations?tab=resolved", &owner)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let reopened = app
        .post(&format!("{base}/reopen"), Some(&ben_token), json!({}))
        .await;
    assert_eq!(reopened.body["controller"]["id"], ben);
    // The journey shows the agents' actions.
    let contact = reopened.body["contact"]["id"].as_str().unwrap();
    let events = app
        .get(&format!("/api/v1/contacts/{contact}/timeline"), &owner)
        .await
        .body;
    let kinds: Vec<&str> = events
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    for kind in ["took_control", "transferred", "resolved", "reopened"] {
        assert!(kinds.contains(&kind), "{kind} missing from {events}");
    }
    // Deleting is for owners and admins; the customer writing brings it back.
    assert_eq!(app.delete(&base, &manager).await.status, 403);
    assert_eq!(app.delete(&base, &owner).await.status, 204);
    assert_eq!(app.get(&base, &owner).await.status, 404);
    customer_writes(&app, &owner, &channel, "+14155550102", "Hello again", 0).await;
    assert_eq!(app.get(&base, &owner).await.status, 200);
    let _ = PASSWORD;
}

#[tokio::test]
async fn stars_search_and_quick_replies() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(
        &app,
        &owner,
        &channel,
        "+14155550103",
        "My parcel tracking number is ZX-42",
        0,
    )
    .await;
    let messages = app
        .get(&format!("/api/v1/conversations/{id}/messages"), &owner)
        .await
        .body;
    let message = messages["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(
            &format!("/api/v1/messages/{message}/star"),
            Some(&owner),
            json!({})
        )
        .await
        .status,
        204
    );
    let starred = app.get("/api/v1/starred", &owner).await.body;
    assert_eq!(starred["items"][0]["message"]["id"], message);
    assert_eq!(starred["items"][0]["sender"], "Priya");
    assert_eq!(starred["items"][0]["recipient"], "Demo");
    assert_eq!(
        app.get(
            &format!("/api/v1/starred?channel_id={}", uuid::Uuid::now_v7()),
            &owner
        )
        .await
        .body["items"],
        json!([])
    );
    let again = app
        .get(&format!("/api/v1/conversations/{id}/messages"), &owner)
        .await
        .body;
    assert_eq!(again["items"][0]["starred"], true);
    assert_eq!(
        app.delete(&format!("/api/v1/messages/{message}/star"), &owner)
            .await
            .status,
        204
    );
    assert_eq!(
        app.get("/api/v1/starred", &owner).await.body["items"],
        json!([])
    );

    let hits = app
        .get("/api/v1/conversations/search?q=tracking", &owner)
        .await
        .body;
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["message_id"] == message.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{hits}"));
    assert_eq!(
        hit["snippet"],
        "My parcel <mark>tracking</mark> number is ZX-42"
    );
    let by_name = app
        .get("/api/v1/conversations/search?q=pri", &owner)
        .await
        .body;
    assert_eq!(by_name[0]["conversation"]["id"], id);
    assert_eq!(
        app.get("/api/v1/conversations/search?q=", &owner)
            .await
            .status,
        422
    );

    let created = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "/hours", "body": "We open at *9*."}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["shortcut"], "hours");
    let taken = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "HOURS", "body": "x"}),
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.body["errors"]["shortcut"].is_array());
    let bad = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "a b", "body": ""}),
        )
        .await;
    assert!(bad.body["errors"]["body"].is_array());
    let other_channel = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "bye", "body": "Goodbye", "channel_ids": [uuid::Uuid::now_v7()]}),
        )
        .await;
    assert_eq!(other_channel.status, 422);
    let second = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "bye", "body": "Goodbye", "channel_ids": [channel]}),
        )
        .await;
    assert_eq!(second.status, 201);
    let found = app.get("/api/v1/quick-replies?q=open", &owner).await.body;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let qid = created.body["id"].as_str().unwrap();
    let edited = app
        .call(
            Method::PUT,
            &format!("/api/v1/quick-replies/{qid}"),
            Some(&owner),
            Some(json!({"shortcut": "hours", "body": "We open at 10."})),
        )
        .await;
    assert_eq!(edited.body["body"], "We open at 10.");
    let gone = app
        .post(
            "/api/v1/quick-replies/bulk-delete",
            Some(&owner),
            json!({"ids": [qid, second.body["id"]]}),
        )
        .await;
    assert_eq!(gone.body["affected"], 2);
    assert_eq!(
        app.get("/api/v1/quick-replies", &owner).await.body,
        json!([])
    );
}

#[tokio::test]
async fn the_live_stream_delivers_new_messages_and_tickets_work_once() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let ticket = app
        .post("/api/v1/events/ticket", Some(&owner), json!({}))
        .await;
    assert_eq!(ticket.status, 200, "{}", ticket.body);
    let ticket = ticket.body["ticket"].as_str().unwrap().to_owned();
    let mut stream = app
        .client
        .get(format!("{}/api/v1/events?ticket={ticket}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let reuse = app
        .client
        .get(format!("{}/api/v1/events?ticket={ticket}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(reuse.status(), 401, "a ticket opens one stream");
    app.post(
        &format!("/api/v1/channels/{channel}/simulate-inbound"),
        Some(&owner),
        json!({"from": "+14155550104", "text": "Live hello"}),
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !seen.contains("Live hello") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: message"), "{seen}");
}

#[tokio::test]
async fn events_reach_people_connected_to_another_instance() {
    // Several instances share events through PostgreSQL; SQLite runs one.
    if !crate::helpers::postgres_requested() {
        return;
    }
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let other = app.second_instance().await;
    let ticket = app
        .post("/api/v1/events/ticket", Some(&owner), json!({}))
        .await;
    let ticket = ticket.body["ticket"].as_str().unwrap().to_owned();
    // The stream is opened on the second instance; the customer writes to the first.
    let mut stream = app
        .client
        .get(format!("{other}/api/v1/events?ticket={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    // Let the second instance's listener start.
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.post(
        &format!("/api/v1/channels/{channel}/simulate-inbound"),
        Some(&owner),
        json!({"from": "+14155550106", "text": "Across instances"}),
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("Across instances") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the event crossed instances")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn another_tenant_never_sees_these_conversations() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(&app, &owner, &channel, "+14155550105", "private words", 0).await;
    let message = app
        .get(&format!("/api/v1/conversations/{id}/messages"), &owner)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let quick = app
        .post(
            "/api/v1/quick-replies",
            Some(&owner),
            json!({"shortcut": "mine", "body": "x"}),
        )
        .await;
    let quick = quick.body["id"].as_str().unwrap().to_owned();
    let tenant = app
        .post("/api/v1/tenants", Some(&owner),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    app.accept_invite(tenant.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let other = app.token_for("hank@globex.example").await;
    let base = format!("/api/v1/conversations/{id}");
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (Method::GET, format!("{base}/messages"), None),
        (
            Method::POST,
            format!("{base}/messages"),
            Some(json!({"content": {"type": "text", "text": "x"}})),
        ),
        (Method::POST, format!("{base}/read"), Some(json!({}))),
        (
            Method::POST,
            format!("{base}/take-control"),
            Some(json!({})),
        ),
        (Method::POST, format!("{base}/release"), Some(json!({}))),
        (Method::POST, format!("{base}/resolve"), Some(json!({}))),
        (Method::POST, format!("{base}/reopen"), Some(json!({}))),
        (Method::POST, format!("{base}/archive"), Some(json!({}))),
        (Method::POST, format!("{base}/unarchive"), Some(json!({}))),
        (
            Method::PUT,
            format!("{base}/chatbot"),
            Some(json!({"enabled": false})),
        ),
        (Method::DELETE, base.clone(), None),
        (
            Method::POST,
            format!("/api/v1/messages/{message}/star"),
            Some(json!({})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/messages/{message}/star"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/quick-replies/{quick}"),
            Some(json!({"shortcut": "x", "body": "y"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/quick-replies/{quick}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/channels/{channel}/simulate-inbound"),
            Some(json!({"from": "+14155550109", "text": "x"})),
        ),
    ] {
        let answer = app.call(method.clone(), &path, Some(&other), body).await;
        assert_eq!(answer.status, 404, "{method} {path}: {}", answer.body);
    }
    let transfer = app
        .post(
            &format!("{base}/transfer"),
            Some(&other),
            json!({"user_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert!(
        transfer.status == 404 || transfer.status == 422,
        "{}",
        transfer.body
    );
    assert_eq!(
        app.get("/api/v1/conversations", &other).await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/conversations/search?q=private", &other)
            .await
            .body,
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/starred", &other).await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/quick-replies", &other).await.body,
        json!([])
    );
    let bulk = app
        .post(
            "/api/v1/quick-replies/bulk-delete",
            Some(&other),
            json!({"ids": [quick]}),
        )
        .await;
    assert_eq!(bulk.body["affected"], 0);
    assert_eq!(
        app.get("/api/v1/quick-replies", &owner)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The owner still has everything.
    assert_eq!(app.get(&base, &owner).await.status, 200);
}

#[tokio::test]
async fn conversation_search_finds_a_customer_by_any_case_of_a_non_ascii_name_or_by_phone_digits() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    for (from, name) in [
        ("+14155550177", "Álvaro Núñez"),
        ("+14155550188", "Zoë Brown"),
    ] {
        let posted = app
            .post(
                &format!("/api/v1/channels/{channel}/simulate-inbound"),
                Some(&owner),
                json!({"from": from, "name": name, "text": "Hola", "at": chrono::Utc::now()}),
            )
            .await;
        assert_eq!(posted.status, 200, "{}", posted.body);
    }
    app.wait_for(&owner, "/api/v1/conversations", |b| {
        b["items"].as_array().unwrap().len() == 2
    })
    .await;
    let found = |q: &'static str| {
        let app = &app;
        let owner = &owner;
        async move {
            let path = format!(
                "/api/v1/conversations/search?q={}",
                q.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    })
                    .collect::<String>()
            );
            let hits = app.get(&path, owner).await;
            assert_eq!(hits.status, 200, "{q}: {}", hits.body);
            let mut names: Vec<String> = hits
                .body
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["message_id"].is_null())
                .map(|h| {
                    h["conversation"]["contact"]["name"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            names.sort();
            names
        }
    };
    for q in ["álv", "ÁLV", "núñez", "NÚÑ"] {
        assert_eq!(found(q).await, ["Álvaro Núñez"], "{q}");
    }
    assert_eq!(found("ZOË").await, ["Zoë Brown"]);
    assert_eq!(found("(415) 555-0177").await, ["Álvaro Núñez"]);
    assert_eq!(found("555 01").await, ["Zoë Brown", "Álvaro Núñez"]);
}
