//! Twilio webhook forms from every fixture turned into events: inbound
//! messages (text, media, quick reply) and status callbacks.

use providers::twilio::{form_params, parse_form};
use providers::webhook::{DeliveryStatus, InboundContent, InboundMessage, Route, StatusUpdate};
use providers::WebhookEvent;

use crate::fixture;

fn inbound(body: &[u8]) -> InboundMessage {
    match parse_form(&form_params(body)).unwrap() {
        WebhookEvent::Message(message) => message,
        other => panic!("not a message: {other:?}"),
    }
}

fn status(body: &[u8]) -> StatusUpdate {
    match parse_form(&form_params(body)).unwrap() {
        WebhookEvent::Status(status) => status,
        other => panic!("not a status: {other:?}"),
    }
}

fn our_number() -> Route {
    Route::Twilio {
        account_sid: "AC11112222333344445555666677778888".into(),
        sender: "whatsapp:+14155550123".into(),
    }
}

#[test]
fn inbound_text() {
    let m = inbound(fixture!("twilio/inbound_text.form"));
    assert_eq!(m.key, "msg:SM0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(m.id, "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(m.route, our_number());
    assert_eq!(m.from, "+5511987654321");
    assert_eq!(m.wa_id.as_deref(), Some("5511987654321"));
    assert_eq!(m.profile_name.as_deref(), Some("Ana Souza"));
    assert_eq!(m.kind, "text");
    assert_eq!(
        m.content,
        InboundContent::Text {
            body: "Olá, preciso de ajuda".into()
        }
    );
    assert_eq!(m.raw["SmsStatus"], "received");
}

#[test]
fn inbound_image_keeps_media_urls_and_types() {
    let m = inbound(fixture!("twilio/inbound_image.form"));
    assert_eq!(m.key, "msg:MM9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    assert_eq!(m.kind, "image");
    let InboundContent::Media { items, caption } = m.content else {
        panic!("not media");
    };
    assert_eq!(caption, None);
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].url.as_deref(),
        Some(
            "https://api.twilio.com/2010-04-01/Accounts/AC11112222333344445555666677778888/\
             Messages/MM9f8e7d6c5b4a39281706f5e4d3c2b1a0/Media/ME0123456789abcdef0123456789abcdef"
        )
    );
    assert_eq!(items[0].mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(items[0].id, None);
}

#[test]
fn inbound_quick_reply_has_the_button_payload_and_context() {
    let m = inbound(fixture!("twilio/inbound_quick_reply.form"));
    assert_eq!(m.key, "msg:SM77776666555544443333222211110000");
    assert_eq!(
        m.content,
        InboundContent::Button {
            payload: Some("TALK_TO_AGENT".into()),
            text: Some("Talk to us".into())
        }
    );
    assert_eq!(
        m.context.unwrap().message_id,
        "SM12121212343434345656565678787878"
    );
}

#[test]
fn status_callbacks() {
    let delivered = status(fixture!("twilio/status_delivered.form"));
    assert_eq!(
        delivered.key,
        "status:SM12121212343434345656565678787878:delivered"
    );
    assert_eq!(delivered.message_id, "SM12121212343434345656565678787878");
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.route, our_number());
    assert_eq!(
        delivered.recipient.as_deref(),
        Some("whatsapp:+5511987654321")
    );
    assert!(delivered.errors.is_empty());

    let failed = status(fixture!("twilio/status_failed.form"));
    assert_eq!(
        failed.key,
        "status:SM34343434565656567878787890909090:undelivered"
    );
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.raw_status, "undelivered");
    assert_eq!(failed.errors.len(), 1);
    assert_eq!(failed.errors[0].code, "63016");
    assert_eq!(
        failed.errors[0].title,
        "Failed to send freeform message because you are outside the allowed window."
    );
}

#[test]
fn several_media_and_locations() {
    let body = b"MessageSid=MM1&AccountSid=AC1&From=whatsapp%3A%2B5511&To=whatsapp%3A%2B1415\
&NumMedia=2&MediaUrl0=https%3A%2F%2Fm%2F0&MediaContentType0=image%2Fpng\
&MediaUrl1=https%3A%2F%2Fm%2F1&MediaContentType1=video%2Fmp4&Body=two+files";
    let m = inbound(body);
    let InboundContent::Media { items, caption } = m.content else {
        panic!("not media");
    };
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(caption.as_deref(), Some("two files"));
    assert_eq!(m.kind, "media");

    let body = b"MessageSid=SM2&AccountSid=AC1&From=whatsapp%3A%2B5511&To=whatsapp%3A%2B1415\
&NumMedia=0&Latitude=-23.55&Longitude=-46.63&Label=Loja&Address=Av+Paulista";
    assert_eq!(
        inbound(body).content,
        InboundContent::Location {
            latitude: -23.55,
            longitude: -46.63,
            name: Some("Loja".into()),
            address: Some("Av Paulista".into()),
        }
    );
}

#[test]
fn malformed_forms_are_errors_not_panics() {
    let cases: &[&[u8]] = &[
        b"",
        b"garbage",
        b"AccountSid=AC1&From=whatsapp%3A%2B1",
        b"MessageSid=SM1&From=whatsapp%3A%2B1",
        b"MessageSid=SM1&AccountSid=AC1&Body=hello",
        b"MessageSid=&AccountSid=AC1&MessageStatus=sent",
    ];
    for body in cases {
        assert!(
            parse_form(&form_params(body)).is_err(),
            "{:?} parsed",
            String::from_utf8_lossy(body)
        );
    }
    // A forged media count does not blow up.
    let body = b"MessageSid=SM1&AccountSid=AC1&From=whatsapp%3A%2B1&NumMedia=99999999999";
    assert!(parse_form(&form_params(body)).is_ok());
    let body = b"MessageSid=SM1&AccountSid=AC1&From=whatsapp%3A%2B1&NumMedia=5&%FF%FE=%ZZ";
    assert!(parse_form(&form_params(body)).is_ok());
}
