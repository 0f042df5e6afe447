//! The Meta Cloud API adapter against a wiremock Graph API: the requests Meta
//! would see, the answers it gives, and how its errors are classified.

use providers::{
    ListMessage, ListRow, ListSection, MediaKind, MediaMessage, MediaSource, MediaUpload,
    MessageContent, NewTemplate, OutgoingMessage, ProviderError, ReplyButton, ReplyButtons,
    TemplateButtonKind, TemplateComponent, TemplateMessage, TemplateParameter, WhatsAppProvider,
};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixture;
use crate::helpers::{json, meta, APP_ID, PHONE_NUMBER_ID, WABA_ID};

const TO: &str = "+91 98123-45678";
const WAMID: &str = "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT7";

fn messages_path() -> String {
    format!("/v25.0/{PHONE_NUMBER_ID}/messages")
}

/// Mounts a send endpoint that answers only to exactly `expected`.
async fn expect_send(server: &MockServer, expected: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(bearer_token("EAAG-test-token"))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/send_response.json")),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn validate_reads_the_number_and_reaches_the_account() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{PHONE_NUMBER_ID}")))
        .and(bearer_token("EAAG-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture!("meta/phone_number.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{WABA_ID}/message_templates")))
        .and(query_param("limit", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/templates_page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let info = meta(&server).validate().await.unwrap();
    assert_eq!(info.display_phone_number, "+1 555-010-0200");
    assert_eq!(info.verified_name.as_deref(), Some("Acme Retail"));
    assert_eq!(info.quality_rating.as_deref(), Some("GREEN"));
    assert_eq!(info.code_verification_status.as_deref(), Some("VERIFIED"));
    assert_eq!(info.platform_type.as_deref(), Some("CLOUD_API"));
    assert_eq!(info.throughput_level.as_deref(), Some("STANDARD"));
    assert_eq!(info.account_mode.as_deref(), Some("LIVE"));
}

#[tokio::test]
async fn an_expired_token_is_invalid_credentials_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_bytes(fixture!("meta/error_token_expired.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error = meta(&server).validate().await.unwrap_err();
    assert_eq!(
        error,
        ProviderError::InvalidCredentials {
            code: "190".into(),
            message: "Error validating access token: Session has expired.: subcode 463".into()
        }
    );
}

#[tokio::test]
async fn subscribe_posts_then_reads_the_subscription_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{WABA_ID}/subscribed_apps")))
        .and(bearer_token("EAAG-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{WABA_ID}/subscribed_apps")))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/subscribed_apps.json")),
        )
        .expect(2)
        .mount(&server)
        .await;

    let channel = meta(&server);
    assert!(channel.subscribe().await.unwrap());
    assert!(channel.subscription_status().await.unwrap());
}

#[tokio::test]
async fn another_apps_subscription_does_not_count() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{WABA_ID}/subscribed_apps")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"whatsapp_business_api_data": {"id": "999", "name": "Other"}}]}),
        ))
        .mount(&server)
        .await;
    assert!(!meta(&server).subscription_status().await.unwrap());

    let empty = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&empty)
        .await;
    assert!(!meta(&empty).subscription_status().await.unwrap());
}

#[tokio::test]
async fn a_text_goes_out_with_digits_context_and_callback_data() {
    let server = MockServer::start().await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "text",
            "text": {"body": "Your order shipped ✓", "preview_url": false},
            "context": {"message_id": "wamid.customer"},
            "biz_opaque_callback_data": "outbound:0193a6f2",
        }),
    )
    .await;

    let message = OutgoingMessage::text(TO, "Your order shipped ✓")
        .replying_to("wamid.customer")
        .with_callback_data("outbound:0193a6f2");
    let accepted = meta(&server).send(&message).await.unwrap();
    assert_eq!(accepted.provider_message_id, WAMID);
}

#[tokio::test]
async fn media_goes_out_by_link_or_by_id() {
    let server = MockServer::start().await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "document",
            "document": {
                "link": "https://files.example.com/invoice.pdf",
                "caption": "Invoice",
                "filename": "invoice-2041.pdf"
            },
        }),
    )
    .await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "image",
            "image": {"id": "1458391047712093"},
            "biz_opaque_callback_data": "outbound:7",
        }),
    )
    .await;

    let channel = meta(&server);
    let document = OutgoingMessage::new(
        TO,
        MessageContent::Media(MediaMessage {
            kind: MediaKind::Document,
            source: MediaSource::Link("https://files.example.com/invoice.pdf".into()),
            caption: Some("Invoice".into()),
            filename: Some("invoice-2041.pdf".into()),
        }),
    );
    channel.send(&document).await.unwrap();
    let image = OutgoingMessage::new(
        TO,
        MessageContent::Media(MediaMessage {
            kind: MediaKind::Image,
            source: MediaSource::Id("1458391047712093".into()),
            caption: None,
            filename: None,
        }),
    )
    .with_callback_data("outbound:7");
    channel.send(&image).await.unwrap();
}

#[tokio::test]
async fn a_template_carries_header_body_and_button_parameters() {
    let server = MockServer::start().await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "template",
            "template": {
                "name": "order_shipped",
                "language": {"code": "en_US", "policy": "deterministic"},
                "components": [
                    {"type": "header", "parameters": [
                        {"type": "image", "image": {"link": "https://files.example.com/box.jpg"}}
                    ]},
                    {"type": "body", "parameters": [
                        {"type": "text", "text": "Priya"},
                        {"type": "text", "parameter_name": "order", "text": "A-2041"},
                        {"type": "currency", "currency": {"fallback_value": "€12.50", "code": "EUR", "amount_1000": 12500}},
                        {"type": "date_time", "date_time": {"fallback_value": "May 1"}}
                    ]},
                    {"type": "button", "sub_type": "url", "index": "0", "parameters": [
                        {"type": "text", "text": "A-2041"}
                    ]},
                    {"type": "button", "sub_type": "quick_reply", "index": "1", "parameters": [
                        {"type": "payload", "payload": "TALK_TO_AGENT"}
                    ]}
                ]
            },
            "biz_opaque_callback_data": "outbound:9",
        }),
    )
    .await;

    let template = TemplateMessage {
        name: "order_shipped".into(),
        language: "en_US".into(),
        components: vec![
            TemplateComponent::Header {
                parameters: vec![TemplateParameter::Image {
                    source: MediaSource::Link("https://files.example.com/box.jpg".into()),
                }],
            },
            TemplateComponent::Body {
                parameters: vec![
                    TemplateParameter::text("Priya"),
                    TemplateParameter::Text {
                        text: "A-2041".into(),
                        name: Some("order".into()),
                    },
                    TemplateParameter::Currency {
                        fallback_value: "€12.50".into(),
                        code: "EUR".into(),
                        amount_1000: 12500,
                    },
                    TemplateParameter::DateTime {
                        fallback_value: "May 1".into(),
                    },
                ],
            },
            TemplateComponent::Button {
                sub_type: TemplateButtonKind::Url,
                index: 0,
                parameters: vec![TemplateParameter::text("A-2041")],
            },
            TemplateComponent::Button {
                sub_type: TemplateButtonKind::QuickReply,
                index: 1,
                parameters: vec![TemplateParameter::Payload {
                    payload: "TALK_TO_AGENT".into(),
                }],
            },
        ],
    };
    let message = OutgoingMessage::new(TO, MessageContent::Template(template))
        .with_callback_data("outbound:9");
    meta(&server).send(&message).await.unwrap();
}

fn two_buttons() -> ReplyButtons {
    ReplyButtons {
        header: Some("Order A-2041".into()),
        body: "What would you like to do?".into(),
        footer: Some("Acme Retail".into()),
        buttons: vec![
            ReplyButton {
                id: "step-2:opt-1".into(),
                title: "Track order".into(),
            },
            ReplyButton {
                id: "step-2:opt-2".into(),
                title: "Talk to us".into(),
            },
        ],
    }
}

#[tokio::test]
async fn reply_buttons_and_lists_use_the_interactive_shape() {
    let server = MockServer::start().await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": "Order A-2041"},
                "body": {"text": "What would you like to do?"},
                "footer": {"text": "Acme Retail"},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "step-2:opt-1", "title": "Track order"}},
                    {"type": "reply", "reply": {"id": "step-2:opt-2", "title": "Talk to us"}}
                ]}
            },
        }),
    )
    .await;
    expect_send(
        &server,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919812345678",
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "How can we help?"},
                "action": {"button": "Menu", "sections": [
                    {"title": "Orders", "rows": [
                        {"id": "step-3:row-1", "title": "Track", "description": "Where is my parcel"}
                    ]},
                    {"title": "Other", "rows": [
                        {"id": "step-3:row-4", "title": "Returns"}
                    ]}
                ]}
            },
            "context": {"message_id": "wamid.q"},
        }),
    )
    .await;

    let channel = meta(&server);
    channel
        .send(&OutgoingMessage::new(
            TO,
            MessageContent::Buttons(two_buttons()),
        ))
        .await
        .unwrap();
    let list = ListMessage {
        header: None,
        body: "How can we help?".into(),
        footer: None,
        button: "Menu".into(),
        sections: vec![
            ListSection {
                title: Some("Orders".into()),
                rows: vec![ListRow {
                    id: "step-3:row-1".into(),
                    title: "Track".into(),
                    description: Some("Where is my parcel".into()),
                }],
            },
            ListSection {
                title: Some("Other".into()),
                rows: vec![ListRow {
                    id: "step-3:row-4".into(),
                    title: "Returns".into(),
                    description: None,
                }],
            },
        ],
    };
    channel
        .send(&OutgoingMessage::new(TO, MessageContent::List(list)).replying_to("wamid.q"))
        .await
        .unwrap();
}

#[tokio::test]
async fn messages_breaking_meta_limits_never_reach_meta() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/send_response.json")),
        )
        .expect(0)
        .mount(&server)
        .await;
    let channel = meta(&server);

    let mut four = two_buttons();
    for title in ["Returns", "Invoices"] {
        four.buttons.push(ReplyButton {
            id: title.to_lowercase(),
            title: title.into(),
        });
    }
    let mut duplicate = two_buttons();
    duplicate.buttons[1].title = "Track order".into();
    let mut long_title = two_buttons();
    long_title.buttons[0].title = "Track my order please!".into();
    let eleven_rows = ListMessage {
        header: None,
        body: "Pick".into(),
        footer: None,
        button: "Menu".into(),
        sections: vec![ListSection {
            title: None,
            rows: (0..11)
                .map(|i| ListRow {
                    id: format!("r{i}"),
                    title: format!("Row {i}"),
                    description: None,
                })
                .collect(),
        }],
    };
    let cases = [
        OutgoingMessage::new(TO, MessageContent::Buttons(four)),
        OutgoingMessage::new(TO, MessageContent::Buttons(duplicate)),
        OutgoingMessage::new(TO, MessageContent::Buttons(long_title)),
        OutgoingMessage::new(TO, MessageContent::List(eleven_rows)),
        OutgoingMessage::text(TO, "x".repeat(4097)),
        OutgoingMessage::text("not a number", "hi"),
        OutgoingMessage::text(TO, "hi").with_callback_data("x".repeat(513)),
    ];
    for message in &cases {
        let error = channel.send(message).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Invalid { .. }),
            "{message:?} gave {error:?}"
        );
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn mark_read_posts_a_read_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA1",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    meta(&server)
        .mark_read("wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA1")
        .await
        .unwrap();
}

#[tokio::test]
async fn media_uploads_are_multipart_with_the_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PHONE_NUMBER_ID}/media")))
        .and(bearer_token("EAAG-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "4490709327384033"})))
        .expect(1)
        .mount(&server)
        .await;

    let upload = MediaUpload {
        bytes: b"\x89PNG fake image bytes".to_vec(),
        mime_type: "image/png".into(),
        filename: "box.png".into(),
    };
    let id = meta(&server).upload_media(&upload).await.unwrap();
    assert_eq!(id, "4490709327384033");

    let requests = server.received_requests().await.unwrap();
    let content_type = requests[0]
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&requests[0].body);
    assert!(body.contains("name=\"messaging_product\"\r\n\r\nwhatsapp"));
    assert!(body.contains("name=\"type\"\r\n\r\nimage/png"));
    assert!(body.contains("name=\"file\"; filename=\"box.png\""));
    assert!(body.contains("Content-Type: image/png"));
    assert!(body.contains("PNG fake image bytes"));
}

#[tokio::test]
async fn template_samples_go_through_the_resumable_upload_api() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{APP_ID}/uploads")))
        .and(bearer_token("EAAG-test-token"))
        .and(query_param("file_name", "menu.png"))
        .and(query_param("file_length", "21"))
        .and(query_param("file_type", "image/png"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "upload:MTphdHRhY2htZW50"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v25.0/upload:MTphdHRhY2htZW50"))
        .and(bearer_token("EAAG-test-token"))
        .and(header("file_offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"h": "4::aW1hZ2UvcG5n"})))
        .expect(1)
        .mount(&server)
        .await;
    let sample = MediaUpload {
        bytes: b"\x89PNG fake image bytes".to_vec(),
        mime_type: "image/png".into(),
        filename: "menu.png".into(),
    };
    let handle = meta(&server).upload_template_sample(&sample).await.unwrap();
    assert_eq!(handle, "4::aW1hZ2UvcG5n");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[1].body, sample.bytes,
        "the bytes travel whole at offset 0"
    );
}

#[tokio::test]
async fn oversized_uploads_are_refused_before_sending() {
    let server = MockServer::start().await;
    let upload = MediaUpload {
        bytes: vec![0; 5 * 1024 * 1024 + 1],
        mime_type: "image/jpeg".into(),
        filename: "big.jpg".into(),
    };
    let error = meta(&server).upload_media(&upload).await.unwrap_err();
    assert!(matches!(error, ProviderError::Invalid { .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn template_listing_follows_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{WABA_ID}/message_templates")))
        .and(bearer_token("EAAG-test-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/templates_page1.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    // The fixture's `paging.next` names graph.facebook.com; the adapter must
    // follow it on the configured origin, token included.
    Mock::given(method("GET"))
        .and(path(format!("/v24.0/{WABA_ID}/message_templates")))
        .and(query_param("after", "QVFIUl"))
        .and(query_param("limit", "1"))
        .and(bearer_token("EAAG-test-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture!("meta/templates_page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let templates = meta(&server).list_templates().await.unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0].name, "order_shipped");
    assert_eq!(templates[0].id, "794512365987412");
    assert_eq!(templates[0].status.as_deref(), Some("APPROVED"));
    assert_eq!(templates[0].category.as_deref(), Some("UTILITY"));
    assert_eq!(templates[0].parameter_format.as_deref(), Some("POSITIONAL"));
    assert_eq!(templates[0].components.as_array().unwrap().len(), 4);
    assert_eq!(templates[1].name, "login_code");
    assert_eq!(templates[1].status.as_deref(), Some("PENDING"));
    assert_eq!(templates[1].language, "en_US");
}

#[tokio::test]
async fn a_new_template_is_submitted_as_meta_expects() {
    let server = MockServer::start().await;
    let components = json!([
        {"type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way.",
         "example": {"body_text": [["Priya", "A-2041"]]}},
        {"type": "FOOTER", "text": "Reply STOP to opt out"}
    ]);
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{WABA_ID}/message_templates")))
        .and(body_json(json!({
            "name": "order_shipped",
            "language": "en_US",
            "category": "UTILITY",
            "components": components,
            "parameter_format": "POSITIONAL",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "794512365987412", "status": "PENDING", "category": "UTILITY"}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let created = meta(&server)
        .create_template(&NewTemplate {
            name: "order_shipped".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components,
            parameter_format: Some("POSITIONAL".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.id, "794512365987412");
    assert_eq!(created.status.as_deref(), Some("PENDING"));
}

#[tokio::test]
async fn bad_template_names_never_reach_meta() {
    let server = MockServer::start().await;
    let channel = meta(&server);
    let error = channel
        .create_template(&NewTemplate {
            name: "Order Shipped".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: json!([{"type": "BODY", "text": "x"}]),
            parameter_format: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::Invalid { .. }));
    assert!(channel.delete_template("a/../b").await.is_err());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn deleting_a_template_removes_it_by_name() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v25.0/{WABA_ID}/message_templates")))
        .and(query_param("name", "big_sale_now"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    meta(&server).delete_template("big_sale_now").await.unwrap();
}

/// Sends a text against a fake answering `status` with `body`; returns the
/// error and how many requests Meta saw.
async fn send_failing_with(status: u16, body: &[u8]) -> (ProviderError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(status).set_body_bytes(body.to_vec()))
        .mount(&server)
        .await;
    let error = meta(&server)
        .send(&OutgoingMessage::text(TO, "hello"))
        .await
        .unwrap_err();
    (error, server.received_requests().await.unwrap().len())
}

#[tokio::test]
async fn meta_errors_become_typed_errors() {
    let (error, requests) = send_failing_with(429, fixture!("meta/error_rate_limited.json")).await;
    assert!(matches!(error, ProviderError::RateLimited { ref code, .. } if code == "130429"));
    assert_eq!(requests, 3, "rate limits are retried, then given up");

    let (error, requests) = send_failing_with(400, fixture!("meta/error_pair_rate.json")).await;
    assert!(matches!(error, ProviderError::PairRateLimited { ref code, .. } if code == "131056"));
    assert_eq!(requests, 3);

    let (error, requests) = send_failing_with(400, fixture!("meta/error_window_closed.json")).await;
    assert_eq!(
        error,
        ProviderError::WindowClosed {
            code: "131047".into(),
            message: "(#131047) Re-engagement message: More than 24 hours have passed since the \
                      recipient last replied to the sender number."
                .into()
        }
    );
    assert_eq!(requests, 1);

    let (error, requests) = send_failing_with(401, fixture!("meta/error_token_expired.json")).await;
    assert!(matches!(error, ProviderError::InvalidCredentials { ref code, .. } if code == "190"));
    assert_eq!(requests, 1);

    let (error, requests) =
        send_failing_with(400, fixture!("meta/error_param_mismatch.json")).await;
    assert!(matches!(error, ProviderError::Permanent { ref code, .. } if code == "132000"));
    assert_eq!(requests, 1, "permanent errors are not retried");

    let (error, requests) = send_failing_with(503, b"Service Unavailable").await;
    assert!(matches!(error, ProviderError::Retryable { ref code, .. } if code == "503"));
    assert_eq!(requests, 3, "5xx is retried, then given up");

    let body = json(fixture!("meta/error_rate_limited.json"));
    assert_eq!(body["error"]["code"], 130429);
}
