//! Retries over real HTTP: backoff timing, `Retry-After`, and the line between
//! "not sent, try again" (connection refused) and "maybe sent" (timeout).

use std::time::{Duration, Instant};

use providers::{OutgoingMessage, ProviderError, ProviderSettings, WhatsAppProvider};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixture;
use crate::helpers::{meta_with, settings_for, PHONE_NUMBER_ID};

fn send_path() -> String {
    format!("/v25.0/{PHONE_NUMBER_ID}/messages")
}

fn hello() -> OutgoingMessage {
    OutgoingMessage::text("+919812345678", "hello")
}

#[tokio::test]
async fn a_server_error_then_success_is_retried_and_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(send_path()))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(
                json!({"error": {"code": 1, "message": "An unknown error occurred"}}),
            ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(send_path()))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/send_response.json")),
        )
        .mount(&server)
        .await;

    let accepted = meta_with(settings_for(&server))
        .send(&hello())
        .await
        .unwrap();
    assert_eq!(
        accepted.provider_message_id,
        "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT7"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn backoff_doubles_between_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let settings = ProviderSettings {
        retry_base_delay: Duration::from_millis(100),
        ..settings_for(&server)
    };

    let started = Instant::now();
    let error = meta_with(settings).send(&hello()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, ProviderError::Retryable { .. }));
    // 100 ms then 200 ms between the three attempts.
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_bytes(fixture!("meta/error_rate_limited.json")),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/send_response.json")),
        )
        .mount(&server)
        .await;

    let started = Instant::now();
    meta_with(settings_for(&server))
        .send(&hello())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_long_retry_after_goes_back_to_the_caller() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "3600")
                .set_body_bytes(fixture!("meta/error_rate_limited.json")),
        )
        .mount(&server)
        .await;

    let error = meta_with(settings_for(&server))
        .send(&hello())
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::RateLimited { .. }));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn no_retries_when_the_settings_say_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let settings = ProviderSettings {
        max_retries: 0,
        ..settings_for(&server)
    };
    assert!(meta_with(settings).send(&hello()).await.is_err());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_send_that_times_out_has_an_unknown_outcome_and_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture!("meta/send_response.json"))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let settings = ProviderSettings {
        timeout: Duration::from_millis(300),
        ..settings_for(&server)
    };

    let error = meta_with(settings).send(&hello()).await.unwrap_err();
    assert!(matches!(error, ProviderError::Unknown { .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_read_that_times_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": []}))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let settings = ProviderSettings {
        timeout: Duration::from_millis(300),
        ..settings_for(&server)
    };

    let error = meta_with(settings).subscription_status().await.unwrap_err();
    assert!(matches!(error, ProviderError::Retryable { ref code, .. } if code == "timeout"));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_refused_connection_was_never_sent_and_is_retryable() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = ProviderSettings {
        meta_base_url: format!("http://127.0.0.1:{port}"),
        retry_base_delay: Duration::from_millis(50),
        ..ProviderSettings::default()
    };

    let started = Instant::now();
    let error = meta_with(settings).send(&hello()).await.unwrap_err();
    assert!(
        matches!(error, ProviderError::Retryable { ref code, .. } if code == "connect"),
        "{error:?}"
    );
    // Two retries: 50 ms + 100 ms of backoff.
    assert!(started.elapsed() >= Duration::from_millis(150));
}
