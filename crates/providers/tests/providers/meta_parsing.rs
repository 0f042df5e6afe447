//! Meta notifications from every fixture turned into events: dedupe keys,
//! routes and the typed summary; malformed bodies give errors, never panics.

use providers::meta::parse_notification;
use providers::webhook::{
    DeliveryStatus, InboundContent, InboundMessage, ParseError, Route, StatusUpdate,
    TemplateStatusUpdate,
};
use providers::WebhookEvent;
use serde_json::json;

use crate::fixture;

fn one(body: &[u8]) -> WebhookEvent {
    let mut events = parse_notification(body).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

fn message(body: &[u8]) -> InboundMessage {
    match one(body) {
        WebhookEvent::Message(message) => message,
        other => panic!("not a message: {other:?}"),
    }
}

fn status(body: &[u8]) -> StatusUpdate {
    match one(body) {
        WebhookEvent::Status(status) => status,
        other => panic!("not a status: {other:?}"),
    }
}

fn template_status(body: &[u8]) -> TemplateStatusUpdate {
    match one(body) {
        WebhookEvent::TemplateStatus(update) => update,
        other => panic!("not a template status: {other:?}"),
    }
}

fn number_route() -> Route {
    Route::Meta {
        waba_id: "220300400500600".into(),
        phone_number_id: Some("110200300400500".into()),
        display_phone_number: Some("15550100200".into()),
    }
}

#[test]
fn inbound_text() {
    let m = message(fixture!("meta/inbound_text.json"));
    assert_eq!(m.key, "msg:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA1");
    assert_eq!(m.id, "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA1");
    assert_eq!(m.route, number_route());
    assert_eq!(m.from, "+919812345678");
    assert_eq!(m.wa_id.as_deref(), Some("919812345678"));
    assert_eq!(m.profile_name.as_deref(), Some("Priya Raman"));
    assert_eq!(m.timestamp, Some(1_763_700_000));
    assert_eq!(m.kind, "text");
    assert_eq!(
        m.content,
        InboundContent::Text {
            body: "Hi! Is my order on the way? ¿Hola? ✓".into()
        }
    );
    assert_eq!(m.context, None);
    assert_eq!(
        m.raw["text"]["body"],
        "Hi! Is my order on the way? ¿Hola? ✓"
    );
}

#[test]
fn inbound_media_of_each_kind() {
    let cases = [
        (
            fixture!("meta/inbound_image.json"),
            "image",
            "1458391047712093",
            "image/jpeg",
            Some("Damaged box"),
            None,
            false,
        ),
        (
            fixture!("meta/inbound_audio.json"),
            "audio",
            "5647382910564738",
            "audio/ogg; codecs=opus",
            None,
            None,
            true,
        ),
        (
            fixture!("meta/inbound_document.json"),
            "document",
            "1029384756102938",
            "application/pdf",
            Some("Invoice"),
            Some("invoice-2041.pdf"),
            false,
        ),
    ];
    for (body, kind, id, mime, expected_caption, filename, voice) in cases {
        let m = message(body);
        assert_eq!(m.kind, kind);
        assert!(m.key.starts_with("msg:wamid."));
        let InboundContent::Media { items, caption } = m.content else {
            panic!("{kind} is not media");
        };
        assert_eq!(caption.as_deref(), expected_caption);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id.as_deref(), Some(id));
        assert_eq!(items[0].mime_type.as_deref(), Some(mime));
        assert_eq!(items[0].filename.as_deref(), filename);
        assert_eq!(items[0].voice, voice);
        assert_eq!(items[0].sha256.as_ref().map(String::len), Some(64));
        assert_eq!(items[0].url, None);
    }
}

#[test]
fn inbound_location() {
    let m = message(fixture!("meta/inbound_location.json"));
    assert_eq!(
        m.content,
        InboundContent::Location {
            latitude: 12.9716,
            longitude: 77.5946,
            name: Some("MG Road Store".into()),
            address: Some("MG Road, Bengaluru".into()),
        }
    );
}

#[test]
fn inbound_interactive_replies_carry_ids_and_context() {
    let m = message(fixture!("meta/inbound_button_reply.json"));
    assert_eq!(m.key, "msg:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA8");
    assert_eq!(
        m.content,
        InboundContent::ButtonReply {
            id: "step-2:opt-1".into(),
            title: "Track order".into()
        }
    );
    let context = m.context.unwrap();
    assert_eq!(context.message_id, "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT2");
    assert_eq!(context.from.as_deref(), Some("15550100200"));

    let m = message(fixture!("meta/inbound_list_reply.json"));
    assert_eq!(
        m.content,
        InboundContent::ListReply {
            id: "step-3:row-4".into(),
            title: "Returns".into(),
            description: Some("Start a return or exchange".into()),
        }
    );
    assert_eq!(
        m.context.unwrap().message_id,
        "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT3"
    );
}

#[test]
fn inbound_template_button() {
    let m = message(fixture!("meta/inbound_template_button.json"));
    assert_eq!(m.kind, "button");
    assert_eq!(
        m.content,
        InboundContent::Button {
            payload: Some("STOP_PROMOTIONS".into()),
            text: Some("Stop promotions".into())
        }
    );
    assert_eq!(
        m.context.unwrap().message_id,
        "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT4"
    );
}

#[test]
fn inbound_reaction_contacts_and_unsupported() {
    let m = message(fixture!("meta/inbound_reaction.json"));
    assert_eq!(
        m.content,
        InboundContent::Reaction {
            message_id: "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT1".into(),
            emoji: "👍".into()
        }
    );

    let m = message(fixture!("meta/inbound_contacts.json"));
    assert_eq!(m.kind, "contacts");
    assert_eq!(m.content, InboundContent::Other);
    assert_eq!(
        m.raw["contacts"][0]["name"]["formatted_name"],
        "Arjun Mehta"
    );

    let m = message(fixture!("meta/inbound_unsupported.json"));
    let InboundContent::Unsupported { errors } = m.content else {
        panic!("not unsupported");
    };
    assert_eq!(errors[0].code, "131051");
    assert_eq!(errors[0].title, "Message type unknown");
    assert_eq!(
        errors[0].details.as_deref(),
        Some("Message type is currently not supported.")
    );
}

#[test]
fn statuses_carry_callback_data_pricing_and_errors() {
    let sent = status(fixture!("meta/status_sent.json"));
    assert_eq!(
        sent.key,
        "status:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT5:sent"
    );
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert_eq!(sent.route, number_route());
    assert_eq!(sent.timestamp, Some(1_763_700_010));
    assert_eq!(sent.recipient.as_deref(), Some("919812345678"));
    assert_eq!(
        sent.callback_data.as_deref(),
        Some("outbound:0193a6f2-7c1e-7000-8000-000000000001")
    );
    assert_eq!(
        sent.conversation_id.as_deref(),
        Some("c0a8f1e2d3c4b5a6978877665544332211")
    );
    assert_eq!(sent.pricing_category.as_deref(), Some("utility"));
    assert_eq!(sent.billable, Some(true));
    assert!(sent.errors.is_empty());

    let delivered = status(fixture!("meta/status_delivered.json"));
    assert_eq!(
        delivered.key,
        "status:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT5:delivered"
    );
    assert_eq!(delivered.status, DeliveryStatus::Delivered);

    let read = status(fixture!("meta/status_read.json"));
    assert_eq!(
        read.key,
        "status:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT5:read"
    );
    assert_eq!(read.status, DeliveryStatus::Read);
    assert_eq!(read.pricing_category, None);

    let failed = status(fixture!("meta/status_failed_window.json"));
    assert_eq!(
        failed.key,
        "status:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT6:failed"
    );
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.callback_data, None);
    assert_eq!(failed.errors.len(), 1);
    assert_eq!(failed.errors[0].code, "131047");
    assert_eq!(failed.errors[0].title, "Re-engagement message");
}

#[test]
fn template_status_updates() {
    let approved = template_status(fixture!("meta/template_status_approved.json"));
    assert_eq!(approved.key, "template:794512365987412:APPROVED:1763700100");
    assert_eq!(approved.template_id, "794512365987412");
    assert_eq!(approved.name.as_deref(), Some("order_shipped"));
    assert_eq!(approved.language.as_deref(), Some("en_US"));
    assert_eq!(approved.event, "APPROVED");
    assert_eq!(approved.reason, None);
    assert_eq!(approved.time, Some(1_763_700_100));
    assert_eq!(approved.route.phone_number_id(), None);
    assert!(matches!(&approved.route, Route::Meta { waba_id, .. } if waba_id == "220300400500600"));

    let rejected = template_status(fixture!("meta/template_status_rejected.json"));
    assert_eq!(rejected.key, "template:794512365987413:REJECTED:1763700200");
    assert_eq!(rejected.reason.as_deref(), Some("INVALID_FORMAT"));
}

fn envelope(field: &str, value: serde_json::Value) -> Vec<u8> {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "220300400500600", "time": 1763700300,
                   "changes": [{"field": field, "value": value}]}]
    })
    .to_string()
    .into_bytes()
}

#[test]
fn quality_and_account_updates() {
    let body = envelope(
        "phone_number_quality_update",
        json!({"display_phone_number": "15550100200", "event": "DOWNGRADE", "current_limit": "TIER_1K"}),
    );
    let WebhookEvent::AccountUpdate(update) = one(&body) else {
        panic!("not an account update");
    };
    assert_eq!(
        update.key,
        "phone_number_quality_update:220300400500600:1763700300"
    );
    assert_eq!(update.field, "phone_number_quality_update");
    assert_eq!(update.event.as_deref(), Some("DOWNGRADE"));
    assert_eq!(update.current_limit.as_deref(), Some("TIER_1K"));
    assert_eq!(update.display_phone_number.as_deref(), Some("15550100200"));

    let body = envelope("account_update", json!({"event": "ACCOUNT_VIOLATION"}));
    let event = one(&body);
    assert_eq!(
        event.dedupe_key(),
        "account_update:220300400500600:1763700300"
    );
}

#[test]
fn unknown_fields_are_kept_whole() {
    let body = envelope("message_echoes", json!({"anything": [1, 2, 3]}));
    let WebhookEvent::Other(other) = one(&body) else {
        panic!("not other");
    };
    assert_eq!(other.key, "other:message_echoes:220300400500600:1763700300");
    assert_eq!(other.raw, json!({"anything": [1, 2, 3]}));
}

#[test]
fn keys_without_a_time_are_still_stable_and_distinct() {
    let body = |event: &str| {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "account_update", "value": {"event": event}}]}]})
        .to_string()
        .into_bytes()
    };
    let first = one(&body("A")).dedupe_key().to_owned();
    assert_eq!(one(&body("A")).dedupe_key(), first);
    assert_ne!(one(&body("B")).dedupe_key(), first);
}

#[test]
fn one_body_can_hold_several_events() {
    let mut value: serde_json::Value =
        serde_json::from_slice(fixture!("meta/inbound_text.json")).unwrap();
    let statuses: serde_json::Value =
        serde_json::from_slice(fixture!("meta/status_read.json")).unwrap();
    value["entry"][0]["changes"][0]["value"]["statuses"] =
        statuses["entry"][0]["changes"][0]["value"]["statuses"].clone();
    let template: serde_json::Value =
        serde_json::from_slice(fixture!("meta/template_status_approved.json")).unwrap();
    value["entry"]
        .as_array_mut()
        .unwrap()
        .push(template["entry"][0].clone());

    let events = parse_notification(value.to_string().as_bytes()).unwrap();
    let keys: Vec<_> = events.iter().map(WebhookEvent::dedupe_key).collect();
    assert_eq!(
        keys,
        [
            "msg:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggA1",
            "status:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOUT5:read",
            "template:794512365987412:APPROVED:1763700100",
        ]
    );
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    let cases: &[&[u8]] = &[
        b"",
        b"not json",
        b"[]",
        b"null",
        b"{}",
        br#"{"object":"page","entry":[]}"#,
        br#"{"object":"whatsapp_business_account"}"#,
        br#"{"object":"whatsapp_business_account","entry":{}}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"changes":[]}]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{}}]}]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":[]}]}]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"1"}]}}]}]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"w"}]}}]}]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}"#,
        &[0xff, 0xfe, 0x00],
    ];
    for body in cases {
        assert!(
            parse_notification(body).is_err(),
            "{:?} parsed",
            String::from_utf8_lossy(body)
        );
    }
    assert!(matches!(
        parse_notification(b"{"),
        Err(ParseError::NotJson(_))
    ));
    assert!(matches!(
        parse_notification(br#"{"object":"page","entry":[]}"#),
        Err(ParseError::NotWhatsApp(_))
    ));
}

#[test]
fn odd_but_valid_shapes_do_not_panic() {
    // Wrong types inside a message degrade the summary, they do not fail the body.
    let body = envelope(
        "messages",
        json!({"messages": [{"id": "wamid.x", "from": "1555", "type": "interactive",
                             "interactive": {"type": 5}, "timestamp": {}}]}),
    );
    let m = message(&body);
    assert_eq!(m.content, InboundContent::Other);
    assert_eq!(m.timestamp, None);
    assert_eq!(m.route.phone_number_id(), None);

    // Every prefix of a real body parses or fails cleanly.
    let full = fixture!("meta/status_failed_window.json");
    for end in 0..full.len() {
        let _ = parse_notification(&full[..end]);
    }
}
