//! The Twilio adapter against a wiremock Twilio: basic auth, the form fields
//! Twilio would see, its error codes, the Content API listing, and the
//! operations Twilio does not offer.

use providers::{
    MediaKind, MediaMessage, MediaSource, MediaUpload, MessageContent, NewTemplate,
    OutgoingMessage, ProviderClient, ProviderError, TemplateComponent, TemplateMessage,
    TemplateParameter, TwilioCredentials, TwilioSender, WhatsAppProvider,
};
use serde_json::json;
use wiremock::matchers::{basic_auth, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixture;
use crate::helpers::{
    field, form_of, settings_for, twilio, twilio_credentials, ACCOUNT_SID, AUTH_TOKEN,
};

const TO: &str = "+5511987654321";

fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
}

async fn accept_sends(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(basic_auth(ACCOUNT_SID, AUTH_TOKEN))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(
            ResponseTemplate::new(201).set_body_bytes(fixture!("twilio/send_response.json")),
        )
        .mount(server)
        .await;
}

async fn only_form(server: &MockServer) -> Vec<(String, String)> {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    form_of(&requests[0])
}

#[tokio::test]
async fn validate_checks_the_account_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT_SID}.json")))
        .and(basic_auth(ACCOUNT_SID, AUTH_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"sid": ACCOUNT_SID, "friendly_name": "Acme Retail", "status": "active"}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let info = twilio(&server).validate().await.unwrap();
    assert_eq!(info.display_phone_number, "+14155550123");
    assert_eq!(info.verified_name.as_deref(), Some("Acme Retail"));
    assert_eq!(info.account_mode.as_deref(), Some("active"));
}

#[tokio::test]
async fn bad_credentials_and_suspended_accounts_are_invalid() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_bytes(fixture!("twilio/error_auth.json")))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        twilio(&server).validate().await.unwrap_err(),
        ProviderError::InvalidCredentials {
            code: "20003".into(),
            message: "Authenticate".into()
        }
    );

    let suspended = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "suspended"})))
        .mount(&suspended)
        .await;
    let error = twilio(&suspended).validate().await.unwrap_err();
    assert!(
        matches!(error, ProviderError::InvalidCredentials { ref code, .. } if code == "account_suspended")
    );
}

#[tokio::test]
async fn a_text_is_a_form_with_whatsapp_addresses_and_the_callback_id() {
    let server = MockServer::start().await;
    accept_sends(&server).await;

    let message = OutgoingMessage::text(TO, "Olá, tudo bem? ✓").with_callback_data("outbound:42");
    let accepted = twilio(&server).send(&message).await.unwrap();
    assert_eq!(
        accepted.provider_message_id,
        "SM12121212343434345656565678787878"
    );

    let form = only_form(&server).await;
    assert_eq!(field(&form, "To"), Some("whatsapp:+5511987654321"));
    assert_eq!(field(&form, "From"), Some("whatsapp:+14155550123"));
    assert_eq!(field(&form, "Body"), Some("Olá, tudo bem? ✓"));
    assert_eq!(
        field(&form, "StatusCallback"),
        Some("https://switchboard.example.com/webhooks/twilio/status?callback_data=outbound%3A42")
    );
    assert_eq!(field(&form, "MessagingServiceSid"), None);
}

#[tokio::test]
async fn media_goes_by_url_with_the_caption_as_body() {
    let server = MockServer::start().await;
    accept_sends(&server).await;
    let message = OutgoingMessage::new(
        TO,
        MessageContent::Media(MediaMessage {
            kind: MediaKind::Image,
            source: MediaSource::Link("https://files.example.com/box.jpg".into()),
            caption: Some("Your parcel".into()),
            filename: None,
        }),
    );
    twilio(&server).send(&message).await.unwrap();

    let form = only_form(&server).await;
    assert_eq!(
        field(&form, "MediaUrl"),
        Some("https://files.example.com/box.jpg")
    );
    assert_eq!(field(&form, "Body"), Some("Your parcel"));
}

#[tokio::test]
async fn a_template_is_a_content_sid_with_json_variables() {
    let server = MockServer::start().await;
    accept_sends(&server).await;
    let credentials = TwilioCredentials {
        sender: TwilioSender::MessagingService("MG0123456789abcdef0123456789abcdef".into()),
        status_callback: None,
        ..twilio_credentials()
    };
    let channel = ProviderClient::new(settings_for(&server))
        .unwrap()
        .twilio(credentials);
    let template = TemplateMessage {
        name: "HX0123456789abcdef0123456789abcdef".into(),
        language: "pt_BR".into(),
        components: vec![TemplateComponent::Body {
            parameters: vec![
                TemplateParameter::text("Ana"),
                TemplateParameter::text("A-2041"),
            ],
        }],
    };
    channel
        .send(&OutgoingMessage::new(
            TO,
            MessageContent::Template(template),
        ))
        .await
        .unwrap();

    let form = only_form(&server).await;
    assert_eq!(
        field(&form, "MessagingServiceSid"),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(field(&form, "From"), None);
    assert_eq!(
        field(&form, "ContentSid"),
        Some("HX0123456789abcdef0123456789abcdef")
    );
    let variables: serde_json::Value =
        serde_json::from_str(field(&form, "ContentVariables").unwrap()).unwrap();
    assert_eq!(variables, json!({"1": "Ana", "2": "A-2041"}));
    assert_eq!(field(&form, "Body"), None);
    assert_eq!(field(&form, "StatusCallback"), None);
}

#[tokio::test]
async fn twilio_errors_become_typed_errors() {
    let cases = [
        (
            400,
            json!({"code": 63016, "message": "Outside the allowed window", "status": 400}),
            1,
        ),
        (
            429,
            json!({"code": 63018, "message": "Rate limit exceeded", "status": 429}),
            3,
        ),
        (
            400,
            json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
            1,
        ),
        (
            500,
            json!({"code": 20500, "message": "Internal Server Error", "status": 500}),
            3,
        ),
    ];
    for (status, body, expected_requests) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(&body))
            .mount(&server)
            .await;
        let error = twilio(&server)
            .send(&OutgoingMessage::text(TO, "hi"))
            .await
            .unwrap_err();
        let code = body["code"].to_string();
        match code.as_str() {
            "63016" => assert!(matches!(error, ProviderError::WindowClosed { .. })),
            "63018" => assert!(matches!(error, ProviderError::RateLimited { .. })),
            "21211" => assert!(matches!(error, ProviderError::Permanent { .. })),
            _ => assert!(matches!(error, ProviderError::Retryable { .. })),
        }
        assert_eq!(error.code(), code);
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            expected_requests,
            "{code}"
        );
    }
}

#[tokio::test]
async fn content_templates_are_listed_across_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/Content"))
        .and(query_param("PageSize", "100"))
        .and(basic_auth(ACCOUNT_SID, AUTH_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contents": [{
                "sid": "HX0123456789abcdef0123456789abcdef",
                "friendly_name": "order_shipped",
                "language": "en",
                "variables": {"1": "Ana"},
                "types": {"twilio/text": {"body": "Hi {{1}}, your order shipped."}}
            }],
            "meta": {"next_page_url": "https://content.twilio.com/v1/Content?PageSize=100&Page=1&PageToken=PT1"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/Content"))
        .and(query_param("PageToken", "PT1"))
        .and(basic_auth(ACCOUNT_SID, AUTH_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contents": [{"sid": "HXffff", "friendly_name": "login_code", "language": "en", "types": {}}],
            "meta": {"next_page_url": null}
        })))
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;

    let templates = twilio(&server).list_templates().await.unwrap();
    let names: Vec<_> = templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["order_shipped", "login_code"]);
    assert_eq!(templates[0].id, "HX0123456789abcdef0123456789abcdef");
    assert_eq!(
        templates[0].components["types"]["twilio/text"]["body"],
        "Hi {{1}}, your order shipped."
    );
}

#[tokio::test]
async fn operations_twilio_lacks_say_so() {
    let server = MockServer::start().await;
    let channel = twilio(&server);
    let unsupported = |result: Result<(), ProviderError>| {
        assert!(
            matches!(result, Err(ProviderError::Unsupported { ref provider, .. }) if provider == "Twilio"),
            "{result:?}"
        );
    };
    unsupported(channel.subscribe().await.map(drop));
    unsupported(channel.subscription_status().await.map(drop));
    unsupported(channel.mark_read("SM1").await);
    unsupported(
        channel
            .upload_media(&MediaUpload {
                bytes: vec![1],
                mime_type: "image/png".into(),
                filename: "a.png".into(),
            })
            .await
            .map(drop),
    );
    unsupported(
        channel
            .create_template(&NewTemplate {
                name: "x".into(),
                language: "en".into(),
                category: "UTILITY".into(),
                components: json!([{"type": "BODY", "text": "x"}]),
                parameter_format: None,
            })
            .await
            .map(drop),
    );
    unsupported(channel.delete_template("x").await);
    let by_id = OutgoingMessage::new(
        TO,
        MessageContent::Media(MediaMessage {
            kind: MediaKind::Image,
            source: MediaSource::Id("123".into()),
            caption: None,
            filename: None,
        }),
    );
    unsupported(channel.send(&by_id).await.map(drop));
    let error = channel.mark_read("SM1").await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "read receipts is not supported by Twilio"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
