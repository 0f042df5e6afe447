use reqwest::Method;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, 200);
    assert!(ready.headers.get("x-request-id").is_some());

    app.call(Method::GET, "/api/v1/setup", None, None).await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"switchboard_http_requests_total{method="GET",route="/api/v1/setup",status="200"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("switchboard_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn unknown_api_addresses_answer_a_json_404() {
    let app = spawn_app().await;
    let answer = app
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.code(), "not_found");
}

#[tokio::test]
async fn swagger_ui_and_the_spec_are_served() {
    let app = spawn_app().await;
    let spec = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(spec.status, 200);
    assert!(spec.body["paths"]["/api/v1/auth/login"].is_object());
    let ui = app
        .client
        .get(format!("{}/api/docs/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let app = spawn_app_with(|s| s.metrics_token = Some("a-metrics-token-0123456789".into())).await;
    let read = |token: Option<&'static str>| {
        let app = &app;
        async move { app.call(Method::GET, "/metrics", token, None).await }
    };
    let anonymous = read(None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    assert!(anonymous.headers.get("www-authenticate").is_some());
    assert_eq!(read(Some("a-metrics-token-012345678")).await.status, 401);
    let allowed = read(Some("a-metrics-token-0123456789")).await;
    assert_eq!(allowed.status, 200);
    assert!(allowed
        .body
        .to_string()
        .contains("switchboard_http_requests_total"));
}

#[tokio::test]
async fn metrics_on_their_own_listener_are_absent_from_the_main_one() {
    let app = spawn_app_with(|s| s.metrics_bind = Some("127.0.0.1:0".into())).await;
    let main = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(main.status, 404, "{}", main.body);
    let own = app.metrics_address.clone().expect("a metrics listener");
    let metrics = app
        .client
        .get(format!("{own}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics
        .text()
        .await
        .unwrap()
        .contains("switchboard_http_requests_total"));
    // Nothing else is served there.
    let api = app
        .client
        .get(format!("{own}/api/v1/setup"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
}
