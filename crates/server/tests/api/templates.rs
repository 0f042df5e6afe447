//! Message templates against the built-in sandbox over real HTTP: Meta's
//! rules before submitting, drafts, review outcomes through the status
//! webhook, Refresh (templates made in Meta's manager, many pages), edit,
//! duplicate, delete, previews, the library, and tenant isolation.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

fn content(name: &str) -> Value {
    json!({
        "name": name,
        "language": "en_US",
        "category": "utility",
        "header": {"kind": "text", "text": "Order {{1}}", "example": "#1042"},
        "body": "Hi {{1}}, your order {{2}} is on its way.",
        "body_examples": {"1": "Ana", "2": "#1042"},
        "footer": "Thanks for shopping with us",
        "buttons": [{"kind": "url", "text": "Track", "url": "https://shop.example/t/{{1}}", "example": "1042"}]
    })
}

async fn wait_status(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = app
            .get(&format!("/api/v1/templates/{id}"), token)
            .await
            .body;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("template {id} never became {status}: {last}");
}

#[tokio::test]
async fn templates_breaking_metas_rules_are_refused_by_field_before_reaching_meta() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&owner).await;
    let mut bad = content("Order Update");
    bad["body"] = json!("Hi {{1}}, order {{3}}");
    bad["body_examples"] = json!({"1": "Ana"});
    bad["footer"] = json!("x".repeat(61));
    bad["buttons"] = json!([
        {"kind": "quick_reply", "text": "Yes"},
        {"kind": "url", "text": "Go", "url": "https://x.example/o"},
        {"kind": "quick_reply", "text": "No"}
    ]);
    let refused = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": bad}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors = refused.body["errors"].as_object().unwrap();
    for field in [
        "content.name",
        "content.body",
        "content.body_examples.3",
        "content.footer",
        "content.buttons",
    ] {
        assert!(errors.contains_key(field), "{field} missing in {errors:?}");
    }
    // Nothing was created, here or at the provider.
    let list = app.get("/api/v1/templates", &owner).await;
    assert_eq!(list.body["items"], json!([]));

    let unknown = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": {"name": "a", "language": "en", "category": "promo", "body": "x"}}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body["errors"]["content.category"].is_array());
}

#[tokio::test]
async fn a_submitted_template_turns_approved_or_rejected_through_the_status_webhook() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&owner).await;
    let created = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": content("order_update")}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "pending");
    assert!(created.body["provider_id"].is_string());
    let id = created.body["id"].as_str().unwrap();
    let approved = wait_status(&app, &owner, id, "approved").await;
    assert_eq!(approved["rejected_reason"], Value::Null);

    let rejected = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": content("please_reject_me")}),
        )
        .await;
    assert_eq!(rejected.status, 201, "{}", rejected.body);
    let rid = rejected.body["id"].as_str().unwrap();
    let rejected = wait_status(&app, &owner, rid, "rejected").await;
    assert_eq!(rejected["rejected_reason"], "INVALID_FORMAT");

    // The notices follow the status change: wait for both.
    let mentions = |b: &Value, name: &str, word: &str| {
        b["items"].as_array().is_some_and(|items| {
            items.iter().any(|n| {
                n["title"]
                    .as_str()
                    .is_some_and(|t| t.contains(name) && t.contains(word))
            })
        })
    };
    let notes = app
        .wait_for(&owner, "/api/v1/notifications", |b| {
            mentions(b, "order_update", "approved") && mentions(b, "please_reject_me", "rejected")
        })
        .await;
    let titles: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("order_update") && t.contains("approved")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.contains("please_reject_me") && t.contains("rejected")),
        "{titles:?}"
    );

    // The same name and language again is a conflict, and nothing changes.
    let again = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": content("order_update")}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
}

#[tokio::test]
async fn drafts_are_saved_then_submitted_edited_duplicated_and_deleted() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&owner).await;
    // A draft may still be incomplete.
    let mut draft = content("welcome_note");
    draft["body_examples"] = json!({});
    let saved = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": draft, "submit": false}),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    assert_eq!(saved.body["status"], "draft");
    let id = saved.body["id"].as_str().unwrap().to_owned();
    let early = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(early.status, 422, "samples are missing");
    assert!(early.body["errors"]["content.body_examples.1"].is_array());

    let fixed = app
        .patch(
            &format!("/api/v1/templates/{id}"),
            &owner,
            json!({"content": content("welcome_note"), "submit": true}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(fixed.body["status"], "pending");
    wait_status(&app, &owner, &id, "approved").await;

    // Editing a submitted template submits it again.
    let mut edited = content("welcome_note");
    edited["body"] = json!("Hello {{1}}, order {{2}} ships today.");
    let edit = app
        .patch(
            &format!("/api/v1/templates/{id}"),
            &owner,
            json!({"content": edited}),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert_eq!(edit.body["status"], "pending");
    assert_eq!(
        edit.body["content"]["body"],
        "Hello {{1}}, order {{2}} ships today."
    );
    wait_status(&app, &owner, &id, "approved").await;
    let renamed = app
        .patch(
            &format!("/api/v1/templates/{id}"),
            &owner,
            json!({"content": content("another_name")}),
        )
        .await;
    assert_eq!(renamed.status, 422);

    let copy = app
        .post(
            &format!("/api/v1/templates/{id}/duplicate"),
            Some(&owner),
            json!({"name": "welcome_note_v2"}),
        )
        .await;
    assert_eq!(copy.status, 201, "{}", copy.body);
    assert_eq!(copy.body["status"], "draft");
    assert_eq!(
        copy.body["content"]["body"],
        "Hello {{1}}, order {{2}} ships today."
    );
    assert_eq!(copy.body["provider_id"], Value::Null);

    let deleted = app.delete(&format!("/api/v1/templates/{id}"), &owner).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/templates/{id}"), &owner)
            .await
            .status,
        404
    );
    // Refresh doesn't bring it back: it is gone at the provider too.
    let sync = app
        .post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(sync.status, 200, "{}", sync.body);
    let names: Vec<String> = app.get("/api/v1/templates", &owner).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["content"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["welcome_note_v2"]);
}

#[tokio::test]
async fn refresh_brings_in_templates_made_in_metas_manager_across_pages() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, waba) = app.validated_sandbox_channel(&owner).await;
    let client = reqwest::Client::new();
    // 105 templates straight at the (fake) Graph API: more than one page of 100.
    for i in 0..105 {
        let made = client
            .post(format!("{}/sandbox/graph/v25.0/{waba}/message_templates", app.address))
            .bearer_auth("sandbox-token")
            .json(&json!({
                "name": format!("made_in_meta_{i:03}"),
                "language": "en",
                "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Hello {{1}}", "example": {"body_text": [["Ana"]]}}]
            }))
            .send()
            .await
            .unwrap();
        assert!(made.status().is_success());
    }
    let sync = app
        .post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(sync.status, 200, "{}", sync.body);
    assert_eq!(sync.body["listed"], 105);
    let mut seen = 0;
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/templates?limit=50&q=made_in_meta&cursor={cursor}"),
                &owner,
            )
            .await
            .body;
        seen += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, 105);
    let one = &app
        .get("/api/v1/templates?q=made_in_meta_007", &owner)
        .await
        .body["items"][0];
    assert_eq!(one["content"]["body"], "Hello {{1}}");
    assert_eq!(one["content"]["category"], "marketing");
    assert_eq!(one["content"]["body_examples"]["1"], "Ana");
    // Their reviews finish meanwhile; a later Refresh picks up the new statuses.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let again = app
        .post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200);
    let approved = app
        .get(
            "/api/v1/templates?q=made_in_meta&status=approved&limit=200",
            &owner,
        )
        .await;
    assert_eq!(approved.body["items"].as_array().unwrap().len(), 105);
}

#[tokio::test]
async fn previews_fill_variables_from_a_contact_with_fallbacks() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let contact = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Ana Souza", "phone": "+14155550100"}),
        )
        .await;
    let contact_id = contact.body["id"].as_str().unwrap();
    let preview = app
        .post(
            "/api/v1/templates/preview",
            Some(&owner),
            json!({
                "content": content("order_update"),
                "contact_id": contact_id,
                "bindings": {
                    "header.1": {"kind": "fixed", "value": "#77"},
                    "body.1": {"kind": "field", "field": "$first_name"},
                    "body.2": {"kind": "field", "field": "$email", "fallback": "your order"}
                }
            }),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.body["header"], "Order #77");
    assert_eq!(
        preview.body["body"],
        "Hi Ana, your order your order is on its way."
    );
    assert_eq!(preview.body["problems"], json!({"buttons[0]": "unbound"}));
    assert_eq!(preview.body["complete"], false);

    let library = app.get("/api/v1/templates/library", &owner).await;
    assert_eq!(library.status, 200);
    let items = library.body.as_array().unwrap();
    assert!(items.len() >= 12);
    for category in ["marketing", "utility", "authentication"] {
        assert!(
            items.iter().any(|t| t["content"]["category"] == category),
            "{category}"
        );
    }
}

#[tokio::test]
async fn templates_are_private_to_their_tenant() {
    let app = spawn_app().await;
    let admin = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&admin).await;
    let created = app
        .post(
            "/api/v1/templates",
            Some(&admin),
            json!({"channel_id": channel, "content": content("private_one"), "submit": false}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap();
    let tenant = app
        .post("/api/v1/tenants", Some(&admin),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    app.accept_invite(tenant.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let other = app.token_for("hank@globex.example").await;
    assert_eq!(
        app.get(&format!("/api/v1/templates/{id}"), &other)
            .await
            .status,
        404
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/templates/{id}"),
            &other,
            json!({"content": content("x")})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/templates/{id}"), &other)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/templates", &other).await.body["items"],
        json!([])
    );
    // Another tenant's channel can't be used either.
    let theirs = app
        .post(
            "/api/v1/templates",
            Some(&other),
            json!({"channel_id": channel, "content": content("sneaky"), "submit": false}),
        )
        .await;
    assert_eq!(theirs.status, 422);
    assert_eq!(
        app.post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&other),
            json!({})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/templates/{id}"), &admin)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_twilio_channel_lists_its_content_templates_read_only() {
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let (twilio, content_api) = (
        fake.twilio_base_url.clone(),
        fake.twilio_content_base_url.clone(),
    );
    tokio::spawn(fake.server);
    let app = spawn_app_with(move |s| {
        s.twilio_base_url = twilio;
        s.twilio_content_base_url = content_api;
    })
    .await;
    let owner = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "Twilio line", "provider": "twilio", "fields": {
                "account_sid": "AC11112222333344445555666677778888",
                "sender": "whatsapp:+14155550123",
                "auth_token": "sandbox-token"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let channel = created.body["id"].as_str().unwrap().to_owned();

    let synced = app
        .post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(synced.status, 200, "{}", synced.body);
    assert_eq!(synced.body["listed"], 3);

    let listed = app
        .get(&format!("/api/v1/templates?channel_id={channel}"), &owner)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let by_name = |name: &str| {
        items
            .iter()
            .find(|t| t["content"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {}", listed.body))
    };
    let reminder = by_name("appointment_reminder");
    assert_eq!(
        reminder["provider_id"],
        "HX00000000000000000000000000000001"
    );
    assert_eq!(reminder["status"], "approved");
    assert_eq!(
        reminder["content"]["body"],
        "Hi {{1}}, see you on {{2}}. Reply C to cancel."
    );
    assert_eq!(reminder["content"]["body_examples"]["2"], "Tuesday 3 pm");
    let slot = by_name("delivery_slot");
    assert_eq!(slot["content"]["buttons"].as_array().unwrap().len(), 2);
    let support = by_name("support_contact");
    assert_eq!(support["content"]["language"], "es");
    assert_eq!(support["content"]["buttons"][0]["kind"], "url");

    // Read-only: Twilio's templates are made in Twilio's console.
    let id = reminder["id"].as_str().unwrap();
    let edit = app
        .patch(
            &format!("/api/v1/templates/{id}"),
            &owner,
            json!({"content": reminder["content"].clone()}),
        )
        .await;
    assert_eq!(edit.status, 422, "{}", edit.body);
    assert_eq!(edit.code(), "not_for_provider");
    let new = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": content("from_switchboard")}),
        )
        .await;
    assert_eq!(new.status, 422, "{}", new.body);

    // A second Refresh changes nothing.
    let again = app
        .post(
            &format!("/api/v1/channels/{channel}/templates/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(again.body["listed"], 3);
    assert_eq!(again.body["changed"], 0);
}
