use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

const TOKEN: &str = "EAAGm0PX4ZCpsBAsecretsecret1234";

async fn meta_channel(
    app: &TestApp,
    token: &str,
    name: &str,
    phone: &str,
) -> crate::helpers::Answer {
    app.post(
        "/api/v1/channels",
        Some(token),
        json!({"name": name, "provider": "meta_cloud", "fields": {
            "company_name": "Acme Ltd", "phone_number_id": phone, "waba_id": "102290129340398",
            "app_id": "1234567890", "app_secret": "appsecret-0001", "access_token": TOKEN}}),
    )
    .await
}

#[tokio::test]
async fn secrets_are_masked_in_answers_and_never_stored_in_plain_text() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let created = meta_channel(&app, &owner, "Support", "106540352242922").await;
    assert_eq!(created.status, 201, "{}", created.body);
    let fields = &created.body["fields"];
    assert_eq!(fields["phone_number_id"], "106540352242922");
    assert_eq!(fields["access_token"], "••••••••1234");
    assert_eq!(created.body["status"], "pending", "never checked yet");
    assert_eq!(created.body["subscribed"], false);
    let id = created.body["id"].as_str().unwrap();
    assert!(created.body["callback_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/webhooks/meta/{id}")));

    // Sending the mask back keeps the stored token; the draft shows it masked again.
    let draft = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/channels/{id}/draft"),
            Some(&owner),
            Some(json!({"fields": {"access_token": "••••••••1234", "waba_id": "999"}})),
        )
        .await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    assert_eq!(
        draft.body["draft"]["fields"]["access_token"],
        "••••••••1234"
    );
    assert_eq!(draft.body["draft"]["fields"]["waba_id"], "999");
    assert_eq!(
        draft.body["fields"]["waba_id"], "102290129340398",
        "published stays"
    );
    let discarded = app
        .delete(&format!("/api/v1/channels/{id}/draft"), &owner)
        .await;
    assert!(discarded.body.get("draft").is_none());

    if !crate::helpers::postgres_requested() {
        let db_dir = app.data_dir();
        // Files only: the data directory also holds the (empty) media gallery.
        for entry in std::fs::read_dir(db_dir).unwrap().flatten() {
            if !entry.path().is_file() {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(TOKEN),
                "{:?} holds the access token in plain text",
                entry.path()
            );
            assert!(
                !text.contains("appsecret-0001"),
                "{:?} holds the app secret",
                entry.path()
            );
        }
    }
}

/// A Meta channel on a standalone sandbox Graph API, which accepts tokens
/// starting with `sandbox`; answers its id.
async fn graph_channel(
    app: &TestApp,
    token: &str,
    name: &str,
    phone: &str,
    access: &str,
) -> String {
    let created = app
        .post(
            "/api/v1/channels",
            Some(token),
            json!({"name": name, "provider": "meta_cloud", "fields": {
                "phone_number_id": phone, "waba_id": "102290129340398",
                "app_secret": "appsecret-0001", "access_token": access}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

async fn validate(app: &TestApp, token: &str, id: &str) -> crate::helpers::Answer {
    app.post(
        &format!("/api/v1/channels/{id}/validate"),
        Some(token),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn a_phone_number_is_claimed_by_validating_it_not_by_naming_it() {
    let fake = sandbox::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let base = fake.meta_base_url.clone();
    tokio::spawn(fake.server);
    let app = crate::helpers::spawn_app_with(move |s| s.meta_base_url = base).await;
    let admin = app.owner_token().await;
    let created = app
        .post("/api/v1/tenants", Some(&admin),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    app.accept_invite(created.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let b = app.token_for("hank@globex.example").await;

    // B types in A's number first, with credentials that do not work: it
    // claims nothing, so A can still connect its own number.
    let squat = graph_channel(&app, &b, "Squat", "111", "not-a-real-token").await;
    assert_eq!(validate(&app, &b, &squat).await.status, 422);
    let a_id = graph_channel(&app, &admin, "A", "111", "sandbox-token-a").await;
    let a_checked = validate(&app, &admin, &a_id).await;
    assert_eq!(a_checked.status, 200, "{}", a_checked.body);

    // Once A's number is connected, another tenant cannot connect it too,
    // while another number of the same WABA is fine.
    let clash = graph_channel(&app, &b, "B", "111", "sandbox-token-b").await;
    let refused = validate(&app, &b, &clash).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.code(), "phone_number_in_use");
    let other = graph_channel(&app, &b, "B other", "222", "sandbox-token-b").await;
    assert_eq!(validate(&app, &b, &other).await.status, 200);

    // Inactive elsewhere frees the number.
    let off = app
        .patch(
            &format!("/api/v1/channels/{a_id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(validate(&app, &b, &clash).await.status, 200);
    // And the first cannot come back on while the number is taken.
    let on = app
        .patch(
            &format!("/api/v1/channels/{a_id}"),
            &admin,
            json!({"active": true}),
        )
        .await;
    assert_eq!(on.status, 409);

    // Another tenant's channel does not exist for B.
    assert_eq!(
        app.get(&format!("/api/v1/channels/{a_id}"), &b)
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/channels/{a_id}"), &b)
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/channels/{a_id}/api-token"),
            Some(&b),
            json!({})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_replaced() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = meta_channel(&app, &owner, "Support", "106540352242922")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = app
        .post(
            &format!("/api/v1/channels/{id}/api-token"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(first.status, 200);
    let token = first.body["token"].as_str().unwrap();
    assert!(token.len() >= 43);
    let shown: Value = app
        .get(&format!("/api/v1/channels/{id}"), &owner)
        .await
        .body;
    assert_eq!(shown["api_token_set"], true);
    assert!(
        !shown.to_string().contains(token),
        "the token is never shown again"
    );
    let second = app
        .post(
            &format!("/api/v1/channels/{id}/api-token"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_ne!(second.body["token"], first.body["token"]);
    // A channel token is not a user session.
    assert_eq!(app.get("/api/v1/users", token).await.status, 401);
    assert_eq!(app.get("/api/v1/me", token).await.status, 401);
}

#[tokio::test]
async fn bad_channel_input_is_reported_per_field() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let answer = app
        .post("/api/v1/channels", Some(&owner),
              json!({"name": "", "provider": "twilio", "fields": {"account_sid": "nope", "sender": "+1415", "waba_id": "1"}}))
        .await;
    assert_eq!(answer.status, 422);
    for field in ["name", "account_sid", "sender", "waba_id"] {
        assert!(
            answer.body["errors"][field].is_array(),
            "{field}: {}",
            answer.body
        );
    }
    let unknown = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "X", "provider": "telegram"}),
        )
        .await;
    assert!(unknown.body["errors"]["provider"].is_array());
}

#[tokio::test]
async fn a_sandbox_channel_comes_with_credentials() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "Try it", "provider": "sandbox"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["missing"], json!([]));
    assert_eq!(created.body["fields"]["company_name"], "Acme Ltd");
    assert!(created.body["fields"]["access_token"]
        .as_str()
        .unwrap()
        .starts_with("••••"));
}
