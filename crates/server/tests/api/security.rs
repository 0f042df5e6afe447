//! Attacks from the security review, each as the request sequence that
//! worked before the fix, run against the real app: hostile customer files,
//! crafted provider ids and media locations, the sandbox in production,
//! security headers, and NUL bytes.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::conversations::{fixture, meta_setup, post_webhook, MetaSetup, APP_SECRET};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// The media id of the `inbound_document` fixture.
const DOCUMENT_MEDIA_ID: &str = "1029384756102938";

/// The customer "sends" `bytes` as a document declared `declared`; answers
/// the stored message once it is in.
async fn customer_sends_document(
    setup: &MetaSetup,
    media_id: &str,
    bytes: &[u8],
    declared: &str,
) -> Value {
    setup.fake.put_media(media_id, bytes.to_vec(), declared);
    let body = String::from_utf8(fixture("inbound_document"))
        .unwrap()
        .replace(DOCUMENT_MEDIA_ID, media_id)
        .replace(
            "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA3",
            &format!("wamid.{media_id}"),
        );
    post_webhook(&setup.app, &setup.channel, body.as_bytes()).await;
    let list = setup
        .app
        .wait_for(&setup.owner, "/api/v1/conversations", |b| {
            b["items"][0]["id"].is_string()
        })
        .await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let mut found = Value::Null;
    for _ in 0..100 {
        let messages = setup
            .app
            .get(
                &format!("/api/v1/conversations/{id}/messages"),
                &setup.owner,
            )
            .await
            .body;
        if let Some(m) = messages["items"]
            .as_array()
            .and_then(|items| items.iter().find(|m| m["media"]["url"].is_string()))
        {
            found = m.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found.is_object(), "the document never arrived");
    found
}

async fn fetch_anonymously(app: &TestApp, link: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_html_document_from_a_customer_downloads_as_an_attachment_and_never_runs() {
    let setup = meta_setup().await;
    let html = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me',{headers:{authorization:'Bearer '+localStorage.token}})</script></body></html>";
    let message = customer_sends_document(&setup, DOCUMENT_MEDIA_ID, html, "text/html").await;
    assert_ne!(message["media"]["mime_type"], "text/html", "{message}");
    // The signed link needs no sign-in: exactly what a victim would open.
    let file = fetch_anonymously(&setup.app, message["media"]["url"].as_str().unwrap()).await;
    assert_eq!(file.status(), 200);
    let content_type = header(&file, "content-type").to_owned();
    assert!(!content_type.contains("html"), "served as {content_type}");
    assert!(
        header(&file, "content-disposition").starts_with("attachment"),
        "{}",
        header(&file, "content-disposition")
    );
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    let csp = header(&file, "content-security-policy");
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
}

#[tokio::test]
async fn an_svg_with_script_is_stored_as_opaque_bytes_not_as_the_declared_image() {
    let setup = meta_setup().await;
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"></svg>"#;
    let message = customer_sends_document(&setup, "4455667788990011", svg, "image/svg+xml").await;
    assert_eq!(
        message["media"]["mime_type"], "application/octet-stream",
        "{message}"
    );
    let file = fetch_anonymously(&setup.app, message["media"]["url"].as_str().unwrap()).await;
    assert_eq!(header(&file, "content-type"), "application/octet-stream");
    assert!(header(&file, "content-disposition").starts_with("attachment"));
}

#[tokio::test]
async fn customer_photos_still_show_inline() {
    let setup = meta_setup().await;
    let message = customer_sends_document(
        &setup,
        "5566778899001122",
        &crate::media::png(),
        "image/png",
    )
    .await;
    let file = fetch_anonymously(&setup.app, message["media"]["url"].as_str().unwrap()).await;
    assert_eq!(header(&file, "content-type"), "image/png");
    assert!(header(&file, "content-disposition").starts_with("inline"));
    assert!(header(&file, "content-security-policy").contains("sandbox"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/conversations",
        "/api/v1/setup",
        "/healthz",
        "/api/docs/",
    ] {
        let answer = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(header(&answer, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&answer, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(
            header(&answer, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        let csp = header(&answer, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(!script_src.contains("unsafe-inline"), "{path}: {csp}");
        // Plain HTTP here: no HSTS.
        assert!(answer.headers().get("strict-transport-security").is_none());
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_address_is_https() {
    let app = spawn_app_with(|s| s.public_url = Some("https://chat.example.com".into())).await;
    let answer = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert!(header(&answer, "strict-transport-security").contains("max-age="));
}

/// A Graph API double that answers one media lookup with `location`.
async fn graph_answering(location: &str) -> MockServer {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v25\.0/[0-9]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": location,
            "mime_type": "application/pdf",
            "id": DOCUMENT_MEDIA_ID,
        })))
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "verified_name": "Double", "display_phone_number": "+1 555 0100",
            "quality_rating": "GREEN", "data": []
        })))
        .mount(&graph)
        .await;
    graph
}

/// An app whose Meta channel talks to `graph`; answers (app, owner, channel).
async fn app_on_graph(graph: &MockServer) -> (TestApp, String, String) {
    let base = graph.uri();
    let app = spawn_app_with(move |s| s.meta_base_url = base).await;
    let owner = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "Support", "provider": "meta_cloud", "fields": {
            "phone_number_id": crate::conversations::PHONE_NUMBER_ID, "waba_id": crate::conversations::WABA_ID,
            "app_secret": APP_SECRET, "access_token": "token-of-the-business"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let channel = created.body["id"].as_str().unwrap().to_owned();
    (app, owner, channel)
}

async fn inbound_document_with_id(app: &TestApp, channel: &str, media_id: &str) {
    let body = String::from_utf8(fixture("inbound_document"))
        .unwrap()
        .replace(
            &format!("\"{DOCUMENT_MEDIA_ID}\""),
            &json!(media_id).to_string(),
        );
    post_webhook(app, channel, body.as_bytes()).await;
}

#[tokio::test]
async fn a_media_location_on_an_internal_host_is_never_fetched_with_the_token() {
    // "Internal": a service only reachable from the server, like a metadata endpoint.
    let internal = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("secret"))
        .mount(&internal)
        .await;
    let graph = graph_answering(&format!("{}/latest/meta-data/iam", internal.uri())).await;
    let (app, _owner, channel) = app_on_graph(&graph).await;
    inbound_document_with_id(&app, &channel, DOCUMENT_MEDIA_ID).await;
    // The lookup happens (and is retried); the location never is.
    for _ in 0..50 {
        let asked = graph.received_requests().await.unwrap_or_default();
        if asked
            .iter()
            .any(|r| r.url.path().ends_with(DOCUMENT_MEDIA_ID))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked = graph.received_requests().await.unwrap_or_default();
    assert!(
        asked
            .iter()
            .any(|r| r.url.path() == format!("/v25.0/{DOCUMENT_MEDIA_ID}")),
        "the media lookup was made"
    );
    assert!(
        internal
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "the internal host was fetched"
    );
}

#[tokio::test]
async fn a_crafted_media_id_never_becomes_a_path_of_its_choosing() {
    let graph =
        graph_answering("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1").await;
    let (app, _owner, channel) = app_on_graph(&graph).await;
    for crafted in [
        "../../webhooks/meta/x?hub.mode=subscribe",
        "123/../../v25.0/220300400500600/subscribed_apps",
        "%2e%2e/%2e%2e/admin",
        "123?fields=access_token",
    ] {
        inbound_document_with_id(&app, &channel, crafted).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for request in graph.received_requests().await.unwrap_or_default() {
        let path = request.url.path();
        assert!(
            !path.contains("..") && !path.contains("webhooks") && !path.contains("admin"),
            "the Graph double was asked for {path}"
        );
        assert!(
            !request
                .url
                .query()
                .unwrap_or_default()
                .contains("access_token"),
            "{}",
            request.url
        );
        assert!(
            !path.ends_with("subscribed_apps") || request.method.as_str() == "GET",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_sandbox_is_absent_in_a_normal_start() {
    let app = spawn_app_with(|s| s.sandbox = false).await;
    let owner = app.owner_token().await;
    for probe in [
        "/sandbox/graph/v25.0/110200300400500",
        "/sandbox/graph/media-files/1",
        "/sandbox/twilio/2010-04-01/Accounts/AC1/Messages.json",
    ] {
        let answer = app
            .client
            .get(format!("{}{probe}", app.address))
            .bearer_auth("sandbox-anything")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{probe}");
    }
    let posted = app
        .client
        .post(format!("{}/sandbox/graph/v25.0/1/messages", app.address))
        .bearer_auth("sandbox-anything")
        .json(&json!({"to": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404);
    let refused = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "Demo", "provider": "sandbox"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.code(), "sandbox_off");
    let providers = app.get("/api/v1/channels/providers", &owner).await.body;
    assert!(
        !providers.to_string().contains("\"sandbox\""),
        "{providers}"
    );
}

#[tokio::test]
async fn one_tenant_cannot_take_over_another_tenants_sandbox_number() {
    let app = spawn_app().await;
    let a = app.owner_token().await;
    let a_channel = app.sandbox_channel(&a).await;
    let a_number = app
        .get(&format!("/api/v1/channels/{a_channel}"), &a)
        .await
        .body["fields"]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another tenant, with a sandbox channel of its own.
    let created = app
        .post("/api/v1/tenants", Some(&a),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    app.accept_invite(
        created.body["invite_url"].as_str().unwrap(),
        crate::helpers::PASSWORD,
    )
    .await;
    let b = app.token_for("hank@globex.example").await;
    let b_channel = app.sandbox_channel(&b).await;
    // B names A's number on its own channel and checks it.
    let draft = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/channels/{b_channel}/draft"),
            Some(&b),
            Some(json!({"fields": {"phone_number_id": a_number}})),
        )
        .await;
    assert!(draft.status < 300, "{}", draft.body);
    let checked = app
        .post(
            &format!("/api/v1/channels/{b_channel}/draft/validate"),
            Some(&b),
            json!({}),
        )
        .await;
    assert_eq!(checked.status, 409, "{}", checked.body);
    // A's customers still reach A.
    let simulated = app
        .post(
            &format!("/api/v1/channels/{a_channel}/simulate-inbound"),
            Some(&a),
            json!({"from": "+14155550123", "text": "Is my order ready?"}),
        )
        .await;
    assert_eq!(simulated.status, 200, "{}", simulated.body);
    app.wait_for(&a, "/api/v1/conversations", |body| {
        body["items"].as_array().is_some_and(|i| i.len() == 1)
    })
    .await;
    let seen_by_b = app.get("/api/v1/conversations", &b).await.body;
    assert_eq!(
        seen_by_b["items"].as_array().map(Vec::len),
        Some(0),
        "{seen_by_b}"
    );
}

fn xlsx_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/xlsx/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn upload_xlsx(app: &TestApp, token: &str, bytes: Vec<u8>) -> crate::helpers::Answer {
    let response = app
        .client
        .post(format!(
            "{}/api/v1/contacts/imports?file_name=contacts.xlsx",
            app.address
        ))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::from(response).await
}

#[tokio::test]
async fn spreadsheet_bombs_are_refused_with_413_and_the_server_stays_up() {
    // The budget is lowered so the bomb can stay small in the repository; a
    // default start refuses past 1 GiB the same way.
    let app = spawn_app_with(|s| s.import_max_unpacked_bytes = 32 * 1024 * 1024).await;
    let owner = app.owner_token().await;
    for (fixture, says) in [
        ("claims-the-whole-grid.xlsx", "declares"),
        ("zip-bomb.xlsx", "unpacks"),
    ] {
        let bytes = xlsx_fixture(fixture);
        assert!(bytes.len() < 256 * 1024, "{fixture} is small");
        let answer = upload_xlsx(&app, &owner, bytes).await;
        assert_eq!(answer.status, 413, "{fixture}: {}", answer.body);
        let detail = answer.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(says), "{fixture}: {detail}");
    }
    let far = upload_xlsx(&app, &owner, xlsx_fixture("two-far-cells.xlsx")).await;
    assert_eq!(far.status, 422, "{}", far.body);
    // Still up, and nothing was kept.
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let imports = app.get("/api/v1/contacts/imports", &owner).await.body;
    assert_eq!(
        imports["items"].as_array().map(Vec::len),
        Some(0),
        "{imports}"
    );
}

#[tokio::test]
async fn the_contacts_export_streams_every_page() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    // More than one page of the export (1000 rows per page).
    let mut csv = String::from("Name,Phone\n");
    for i in 0..1203 {
        csv.push_str(&format!("Person {i},+1415555{i:04}\n"));
    }
    let uploaded = crate::imports::upload(&app, &owner, "people.csv", csv.into_bytes()).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let id = uploaded.body["import"]["id"].as_str().unwrap().to_owned();
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone"], "default_country": "US"}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    app.wait_for(&owner, &format!("/api/v1/contacts/imports/{id}"), |b| {
        b["state"] == "completed"
    })
    .await;
    let export = app
        .client
        .get(format!(
            "{}/api/v1/contacts/export?columns=name,phone",
            app.address
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(header(&export, "content-disposition").starts_with("attachment"));
    assert!(
        export.headers().get("content-length").is_none(),
        "the export is streamed, not built whole first"
    );
    let text = export.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,phone");
    assert_eq!(lines.len(), 1 + 1203, "every contact once");
}

/// A Meta channel with `secret` as its app secret; answers its id.
async fn meta_channel_with_secret(app: &TestApp, token: &str, phone: &str, secret: &str) -> String {
    let created = app
        .post(
            "/api/v1/channels",
            Some(token),
            json!({"name": format!("Line {phone}"), "provider": "meta_cloud", "fields": {
            "phone_number_id": phone, "waba_id": "220300400500600",
            "app_secret": secret, "access_token": "EAAG-not-used"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

async fn post_signed(app: &TestApp, channel: &str, secret: &str, body: &[u8]) -> u16 {
    app.client
        .post(format!("{}/webhooks/meta/{channel}", app.address))
        .header("x-hub-signature-256", sandbox::meta_signature(secret, body))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn another_tenant_cannot_pre_claim_a_webhook_event_id() {
    let app = spawn_app().await;
    let victim = app.owner_token().await;
    let created = app
        .post("/api/v1/tenants", Some(&victim),
              json!({"name": "Mallory Inc", "time_zone": "UTC", "default_country": "US", "owner_email": "mallory@evil.example", "owner_name": "Mallory"}))
        .await;
    app.accept_invite(
        created.body["invite_url"].as_str().unwrap(),
        crate::helpers::PASSWORD,
    )
    .await;
    let attacker = app.token_for("mallory@evil.example").await;
    let theirs = meta_channel_with_secret(&app, &attacker, "999000111", "mallory-secret").await;
    let ours = meta_channel_with_secret(&app, &victim, "110200300400500", APP_SECRET).await;
    // The attacker signs the victim's upcoming message (same wamid) with its
    // own secret and posts it to its own channel first.
    let event = fixture("inbound_text");
    assert_eq!(
        post_signed(&app, &theirs, "mallory-secret", &event).await,
        200
    );
    assert_eq!(post_signed(&app, &ours, APP_SECRET, &event).await, 200);
    assert_eq!(
        app.webhook_event_count(&victim, &ours).await,
        1,
        "the victim's own event was kept"
    );
}

#[tokio::test]
async fn nul_characters_in_text_get_422_never_a_server_error() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let answer = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Ana\u{0}Lima", "phone": "+5511987654321"}),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.code(), "nul_character");
    assert!(answer.body["detail"].as_str().unwrap().contains("name"));
    let nested = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Ana", "phone": "+5511987654321", "tags": ["vip\u{0}"]}),
        )
        .await;
    assert_eq!(nested.status, 422, "{}", nested.body);
    for probe in ["/api/v1/contacts?q=a%00b", "/api/v1/search?q=%00"] {
        let answer = app.get(probe, &owner).await;
        assert_eq!(answer.status, 422, "{probe}: {}", answer.body);
    }
    let csv = b"Name,Phone\nAna\0,+5511987654321\n".to_vec();
    let upload = crate::imports::upload(&app, &owner, "nul.csv", csv).await;
    assert_eq!(upload.status, 422, "{}", upload.body);
    // Nothing was stored along the way.
    let contacts = app.get("/api/v1/contacts", &owner).await.body;
    assert_eq!(
        contacts["items"].as_array().map(Vec::len),
        Some(0),
        "{contacts}"
    );
}

#[tokio::test]
async fn a_customer_message_with_nul_characters_still_arrives() {
    let setup = meta_setup().await;
    let body = String::from_utf8(fixture("inbound_text")).unwrap();
    let text = body
        .split("\"body\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let poisoned = body.replace(&text, &format!("{text}\\u0000 tail"));
    post_webhook(&setup.app, &setup.channel, poisoned.as_bytes()).await;
    let list = setup
        .app
        .wait_for(&setup.owner, "/api/v1/conversations", |b| {
            b["items"][0]["id"].is_string()
        })
        .await;
    let id = list["items"][0]["id"].as_str().unwrap();
    let messages = setup
        .app
        .get(
            &format!("/api/v1/conversations/{id}/messages"),
            &setup.owner,
        )
        .await
        .body;
    let stored = messages["items"][0]["text"].as_str().unwrap_or_default();
    assert_eq!(stored, format!("{text} tail"), "{messages}");
}

#[tokio::test]
async fn a_sandbox_channel_cannot_claim_a_real_businesss_number() {
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let base = fake.meta_base_url.clone();
    tokio::spawn(fake.server);
    let app = spawn_app_with(move |s| s.meta_base_url = base).await;
    let owner = app.owner_token().await;
    // A sandbox channel renamed to a real number id validates (the sandbox
    // accepts anything) but holds nothing.
    let squat = app.sandbox_channel(&owner).await;
    let draft = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/channels/{squat}/draft"),
            Some(&owner),
            Some(json!({"fields": {"phone_number_id": "106540352242922"}})),
        )
        .await;
    assert!(draft.status < 300, "{}", draft.body);
    for step in ["draft/validate", "draft/publish"] {
        let answer = app
            .post(
                &format!("/api/v1/channels/{squat}/{step}"),
                Some(&owner),
                json!({}),
            )
            .await;
        assert!(answer.status < 300, "{step}: {}", answer.body);
    }
    let real = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "Real", "provider": "meta_cloud", "fields": {
            "phone_number_id": "106540352242922", "waba_id": "220300400500600",
            "app_secret": "s", "access_token": "sandbox-real-business"}}),
        )
        .await;
    assert_eq!(real.status, 201, "{}", real.body);
    let id = real.body["id"].as_str().unwrap();
    let checked = app
        .post(
            &format!("/api/v1/channels/{id}/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
}
