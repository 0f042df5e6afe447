//! Channels against providers over real HTTP: the built-in sandbox, and a
//! standalone sandbox standing in for Meta and Twilio.

use std::net::TcpListener;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const INBOUND: &[u8] = include_bytes!("../../../providers/tests/fixtures/meta/inbound_text.json");
const TWILIO_STATUS: &[u8] =
    include_bytes!("../../../providers/tests/fixtures/twilio/status_delivered.form");

fn fake_providers() -> sandbox::Sandbox {
    sandbox::start(TcpListener::bind("127.0.0.1:0").unwrap()).unwrap()
}

async fn create(app: &TestApp, token: &str, body: serde_json::Value) -> String {
    let created = app.post("/api/v1/channels", Some(token), body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_sandbox_channel_validates_and_subscribes() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = create(&app, &owner, json!({"name": "Demo", "provider": "sandbox"})).await;
    let checked = app
        .post(
            &format!("/api/v1/channels/{id}/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.body["status"], "good");
    assert_eq!(checked.body["subscribed"], false);
    assert_eq!(checked.body["quality_rating"], "GREEN");
    let subscribed = app
        .post(
            &format!("/api/v1/channels/{id}/subscribe"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(subscribed.status, 200, "{}", subscribed.body);
    assert_eq!(subscribed.body["subscribed"], true);
}

#[tokio::test]
async fn validate_and_update_saves_only_what_the_provider_accepts() {
    let fake = fake_providers();
    let base = fake.meta_base_url.clone();
    let log = fake.state.clone();
    tokio::spawn(fake.server);
    let app = spawn_app_with(move |s| s.meta_base_url = base).await;
    let owner = app.owner_token().await;
    app.add_user(&owner, "sam@acme.example", "agent").await;
    let agent = app.token_for("sam@acme.example").await;
    let id = create(
        &app,
        &owner,
        json!({"name": "Meta", "provider": "meta_cloud", "fields": {
            "phone_number_id": "110200300400500", "waba_id": "220300400500600",
            "app_secret": "s3cret-app", "access_token": "EAAG-expired-token"}}),
    )
    .await;

    // The stored token is refused: the channel turns invalid with Meta's code.
    let refused = app
        .post(
            &format!("/api/v1/channels/{id}/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.code(), "provider_rejected");
    assert!(refused.body["detail"].as_str().unwrap().contains("190"));
    let channel = app
        .get(&format!("/api/v1/channels/{id}"), &owner)
        .await
        .body;
    assert_eq!(channel["status"], "invalid");
    assert_eq!(channel["status_code"], "190");

    // Those who can fix it are told; a second refusal does not repeat it.
    app.post(
        &format!("/api/v1/channels/{id}/validate"),
        Some(&owner),
        json!({}),
    )
    .await;
    let bell = app.get("/api/v1/notifications", &owner).await;
    assert_eq!(bell.status, 200, "{}", bell.body);
    assert_eq!(bell.body["unread"], 1);
    assert_eq!(bell.body["items"][0]["kind"], "channel_invalid");
    assert!(bell.body["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("190"));
    let agent_bell = app.get("/api/v1/notifications", &agent).await;
    assert_eq!(agent_bell.body["unread"], 0, "agents cannot fix channels");
    let note = bell.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.post(
            &format!("/api/v1/notifications/{note}/read"),
            Some(&owner),
            json!({})
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.get("/api/v1/notifications", &owner).await.body["unread"],
        0
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/notifications/{note}/read"),
            Some(&agent),
            json!({})
        )
        .await
        .status,
        404
    );

    // A refused new token is not saved.
    let still = app
        .post(
            &format!("/api/v1/channels/{id}/validate"),
            Some(&owner),
            json!({"fields": {"access_token": "EAAG-another-bad-one"}}),
        )
        .await;
    assert_eq!(still.status, 422);
    let channel = app
        .get(&format!("/api/v1/channels/{id}"), &owner)
        .await
        .body;
    assert!(
        channel["fields"]["access_token"]
            .as_str()
            .unwrap()
            .ends_with("oken"),
        "{channel}"
    );

    // A good one is checked against the number and the account, then saved.
    let good = app
        .post(
            &format!("/api/v1/channels/{id}/validate"),
            Some(&owner),
            json!({"fields": {"access_token": "sandbox-good-token"}}),
        )
        .await;
    assert_eq!(good.status, 200, "{}", good.body);
    assert_eq!(good.body["status"], "good");
    assert!(good.body.get("status_code").is_none());
    let paths: Vec<String> = log.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/graph/v25.0/110200300400500?")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.contains("/220300400500600/message_templates") && p.contains("limit=1")),
        "{paths:?}"
    );

    // Missing fields are named before any provider call.
    let id2 = create(
        &app,
        &owner,
        json!({"name": "Empty", "provider": "meta_cloud"}),
    )
    .await;
    let missing = app
        .post(
            &format!("/api/v1/channels/{id2}/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body["errors"]["access_token"].is_array());
}

#[tokio::test]
async fn a_draft_is_checked_and_published_while_the_published_one_serves() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = create(&app, &owner, json!({"name": "Demo", "provider": "sandbox"})).await;
    app.post(
        &format!("/api/v1/channels/{id}/validate"),
        Some(&owner),
        json!({}),
    )
    .await;

    let draft = app
        .call(
            Method::PUT,
            &format!("/api/v1/channels/{id}/draft"),
            Some(&owner),
            Some(json!({"fields": {"access_token": "not-a-sandbox-token"}})),
        )
        .await;
    assert_eq!(draft.body["draft"]["status"], "pending");
    assert_eq!(
        app.post(
            &format!("/api/v1/channels/{id}/draft/publish"),
            Some(&owner),
            json!({})
        )
        .await
        .status,
        409
    );
    let checked = app
        .post(
            &format!("/api/v1/channels/{id}/draft/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.body["draft"]["status"], "invalid");
    assert_eq!(
        checked.body["status"], "good",
        "the published credentials keep serving"
    );

    app.call(
        Method::PUT,
        &format!("/api/v1/channels/{id}/draft"),
        Some(&owner),
        Some(json!({"fields": {"access_token": "sandbox-rotated-token"}})),
    )
    .await;
    let checked = app
        .post(
            &format!("/api/v1/channels/{id}/draft/validate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(checked.body["draft"]["status"], "good");
    let published = app
        .post(
            &format!("/api/v1/channels/{id}/draft/publish"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert!(published.body.get("draft").is_none());
    assert!(published.body["fields"]["access_token"]
        .as_str()
        .unwrap()
        .ends_with("oken"));
    assert_eq!(published.body["status"], "good");
}

fn meta_signature(secret: &str, body: &[u8]) -> String {
    sandbox::meta_signature(secret, body)
}

#[tokio::test]
async fn meta_webhooks_need_the_signature_and_are_stored_once() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = create(
        &app,
        &owner,
        json!({"name": "Meta", "provider": "meta_cloud", "fields": {
            "phone_number_id": "110200300400500", "waba_id": "220300400500600",
            "app_secret": "s3cret-app", "access_token": "EAAG"}}),
    )
    .await;
    let url = format!("{}/webhooks/meta/{id}", app.address);
    let post = |signature: Option<String>, body: &'static [u8]| {
        let mut request = app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(sig) = signature {
            request = request.header("x-hub-signature-256", sig);
        }
        request.send()
    };
    assert_eq!(post(None, INBOUND).await.unwrap().status(), 401);
    assert_eq!(
        post(Some(meta_signature("wrong", INBOUND)), INBOUND)
            .await
            .unwrap()
            .status(),
        401
    );
    let mut tampered = INBOUND.to_vec();
    tampered[10] ^= 1;
    let sig = meta_signature("s3cret-app", INBOUND);
    let tampered_answer = app
        .client
        .post(&url)
        .header("x-hub-signature-256", &sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(tampered_answer.status(), 401);
    let events = app.get(&format!("/api/v1/channels/{id}"), &owner).await;
    assert_eq!(events.status, 200);

    for _ in 0..3 {
        assert_eq!(
            post(Some(sig.clone()), INBOUND).await.unwrap().status(),
            200
        );
    }
    assert_eq!(
        app.webhook_event_count(&owner, &id).await,
        1,
        "three deliveries, one event"
    );

    let verify = app
        .client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(verify.status(), 403);
    let token = app
        .post(
            &format!("/api/v1/channels/{id}/verify-token"),
            Some(&owner),
            json!({}),
        )
        .await;
    let token = token.body["token"].as_str().unwrap();
    let verify = app
        .client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(verify.status(), 200);
    assert_eq!(verify.text().await.unwrap(), "1158201444");
}

#[tokio::test]
async fn twilio_webhooks_are_checked_against_the_public_url() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = create(
        &app,
        &owner,
        json!({"name": "Twilio", "provider": "twilio", "fields": {
            "account_sid": "AC11112222333344445555666677778888", "sender": "whatsapp:+14155550123",
            "auth_token": "twilio-auth-token"}}),
    )
    .await;
    let url = format!("{}/webhooks/twilio/{id}", app.address);
    let params = providers::twilio::form_params(TWILIO_STATUS);
    let signature = providers::twilio::signature("twilio-auth-token", &url, &params);
    let send = |sig: &str, body: Vec<u8>| {
        app.client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", sig.to_owned())
            .body(body)
            .send()
    };
    let altered = String::from_utf8_lossy(TWILIO_STATUS)
        .replace("delivered", "read")
        .into_bytes();
    assert_eq!(send(&signature, altered).await.unwrap().status(), 401);
    assert_eq!(
        send("bm9wZQ==", TWILIO_STATUS.to_vec())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        app.webhook_event_count(&owner, &id).await,
        0,
        "nothing stored for bad signatures"
    );
    for _ in 0..2 {
        assert_eq!(
            send(&signature, TWILIO_STATUS.to_vec())
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(app.webhook_event_count(&owner, &id).await, 1);
}
