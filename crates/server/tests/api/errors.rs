//! Bad input gets a clear 4xx problem document, never a 5xx.

use reqwest::Method;

use crate::helpers::spawn_app;

async fn raw(
    app: &crate::helpers::TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> crate::helpers::Answer {
    let mut request = app
        .client
        .request(method, format!("{}{}", app.address, path))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    crate::helpers::Answer::from(request.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_unknown_oversize_and_bad_ids_are_4xx_problems() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;

    let malformed = raw(
        &app,
        Method::POST,
        "/api/v1/roles",
        Some(&owner),
        "{\"name\": ",
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.code(), "malformed_json");
    assert!(malformed.body["request_id"].is_string());
    assert_eq!(
        malformed.headers["content-type"],
        "application/problem+json"
    );

    let unknown_field = raw(
        &app,
        Method::POST,
        "/api/v1/roles",
        Some(&owner),
        r#"{"name":"X","permissions":[],"tenant_id":"x"}"#,
    )
    .await;
    assert_eq!(unknown_field.status, 422);
    assert_eq!(unknown_field.code(), "invalid_body");

    let wrong_type = raw(
        &app,
        Method::POST,
        "/api/v1/roles",
        Some(&owner),
        r#"{"name":5,"permissions":[]}"#,
    )
    .await;
    assert_eq!(wrong_type.status, 422);

    let huge = format!(
        r#"{{"name":"{}","permissions":[]}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let too_big = raw(&app, Method::POST, "/api/v1/roles", Some(&owner), &huge).await;
    assert_eq!(too_big.status, 413);

    let bad_id = app.get("/api/v1/users/not-a-uuid", &owner).await;
    assert_eq!(bad_id.status, 400);
    assert_eq!(bad_id.code(), "invalid_path");

    let no_content_type = app
        .client
        .post(format!("{}/api/v1/auth/login", app.address))
        .body("email=x")
        .send()
        .await
        .unwrap();
    assert_eq!(no_content_type.status(), 400);
}

#[tokio::test]
async fn auth_is_checked_before_the_body() {
    let app = spawn_app().await;
    app.owner_token().await;
    let answer = raw(&app, Method::POST, "/api/v1/users", None, "{not json").await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn a_json_array_is_not_an_object() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let answer = raw(
        &app,
        Method::PATCH,
        "/api/v1/me/profile",
        Some(&owner),
        "[null, null]",
    )
    .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.code(), "invalid_body");
}

#[tokio::test]
async fn undeclared_methods_answer_405_with_allow() {
    let app = spawn_app().await;
    let answer = app
        .call(Method::PUT, "/api/v1/auth/login", None, None)
        .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.headers["allow"], "POST");
    let answer = app.call(Method::DELETE, "/healthz", None, None).await;
    assert_eq!(answer.status, 405);
}
