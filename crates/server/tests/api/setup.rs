use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, PASSWORD};

#[tokio::test]
async fn first_run_creates_the_owner_once() {
    let app = spawn_app().await;
    let status = app.call(Method::GET, "/api/v1/setup", None, None).await;
    assert_eq!(status.body["setup_required"], true);

    let session = app.setup("ana@acme.example").await;
    assert_eq!(session["tenant"]["role"], "Owner");
    let token = session["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["instance_admin"], true);
    assert_eq!(me.body["tenant"]["default_country"], "GB");
    assert_eq!(me.body["permissions"].as_array().unwrap().len(), 56);

    let status = app.call(Method::GET, "/api/v1/setup", None, None).await;
    assert_eq!(status.body["setup_required"], false);
    let again = app
        .post(
            "/api/v1/setup",
            None,
            json!({"tenant_name": "X", "time_zone": "UTC", "default_country": "US",
                   "owner_name": "Eve", "owner_email": "eve@evil.example", "owner_password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "setup_done");
    assert_eq!(app.login("eve@evil.example", PASSWORD).await.status, 401);
}

#[tokio::test]
async fn setup_reports_every_bad_field() {
    let app = spawn_app().await;
    let answer = app
        .post(
            "/api/v1/setup",
            None,
            json!({"tenant_name": "", "time_zone": "Mars/Base", "default_country": "ZZ",
                   "owner_name": "", "owner_email": "nope", "owner_password": "short"}),
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.code(), "validation_failed");
    for field in [
        "tenant_name",
        "time_zone",
        "default_country",
        "owner_name",
        "owner_email",
        "owner_password",
    ] {
        assert!(
            answer.body["errors"][field].is_array(),
            "missing error for {field}: {}",
            answer.body
        );
    }
    let status = app.call(Method::GET, "/api/v1/setup", None, None).await;
    assert_eq!(status.body["setup_required"], true, "nothing may be stored");
}
