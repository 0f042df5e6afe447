//! Templates between our editor's shape ([`TemplateContent`]) and Meta's
//! component list, both ways: to submit one, and to read the ones a sync
//! brings back (including those made in Meta's own manager).

use std::collections::BTreeMap;

use domain::template::{
    variables, Button, Category, Header, ParameterFormat, TemplateContent, TemplateStatus,
};
use serde_json::{json, Value};

use crate::template::{NewTemplate, Template};

/// The submission for `content`. `header_handle` is the uploaded sample of a
/// media header (Meta's resumable-upload handle), when there is one.
pub fn meta_new_template(content: &TemplateContent, header_handle: Option<&str>) -> NewTemplate {
    let named = content.parameter_format == ParameterFormat::Named;
    let mut components = Vec::new();
    match &content.header {
        Header::None => {}
        Header::Text { text, example } => {
            let mut header = json!({"type": "HEADER", "format": "TEXT", "text": text});
            if let (Some(v), Some(example)) = (variables(text).first(), example) {
                header["example"] = if named {
                    json!({"header_text_named_params": [{"param_name": v, "example": example}]})
                } else {
                    json!({"header_text": [example]})
                };
            }
            components.push(header);
        }
        Header::Location => components.push(json!({"type": "HEADER", "format": "LOCATION"})),
        media => {
            let mut header = json!({"type": "HEADER", "format": media.kind().to_uppercase()});
            if let Some(handle) = header_handle {
                header["example"] = json!({"header_handle": [handle]});
            }
            components.push(header);
        }
    }
    let mut body = json!({"type": "BODY", "text": content.body});
    let mut order: Vec<String> = Vec::new();
    for v in variables(&content.body) {
        if !order.contains(&v) {
            order.push(v);
        }
    }
    if !order.is_empty() {
        let example = |v: &String| content.body_examples.get(v).cloned().unwrap_or_default();
        body["example"] = if named {
            json!({"body_text_named_params": order
                .iter()
                .map(|v| json!({"param_name": v, "example": example(v)}))
                .collect::<Vec<_>>()})
        } else {
            order.sort_by_key(|v| v.parse::<u32>().unwrap_or(u32::MAX));
            json!({"body_text": [order.iter().map(example).collect::<Vec<_>>()]})
        };
    }
    components.push(body);
    if let Some(footer) = content.footer.as_deref().filter(|f| !f.trim().is_empty()) {
        components.push(json!({"type": "FOOTER", "text": footer}));
    }
    if !content.buttons.is_empty() {
        let buttons: Vec<Value> = content
            .buttons
            .iter()
            .map(|b| match b {
                Button::QuickReply { text } => json!({"type": "QUICK_REPLY", "text": text}),
                Button::Url { text, url, example } => {
                    let mut button = json!({"type": "URL", "text": text, "url": url});
                    if let (Some(v), Some(example)) = (variables(url).first(), example) {
                        let full = url.replace(&format!("{{{{{v}}}}}"), example);
                        button["example"] = json!([full]);
                    }
                    button
                }
                Button::PhoneNumber { text, phone } => {
                    json!({"type": "PHONE_NUMBER", "text": text, "phone_number": phone})
                }
                Button::CopyCode { example } => json!({"type": "COPY_CODE", "example": example}),
            })
            .collect();
        components.push(json!({"type": "BUTTONS", "buttons": buttons}));
    }
    NewTemplate {
        name: content.name.clone(),
        language: content.language.clone(),
        category: content.category.meta().to_owned(),
        components: Value::Array(components),
        parameter_format: Some(if named { "NAMED" } else { "POSITIONAL" }.to_owned()),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A listed Meta template in our shape, with its status; `None` when it
/// lacks a body or a known category.
pub fn content_from_meta(t: &Template) -> Option<(TemplateContent, TemplateStatus)> {
    let category = Category::parse(t.category.as_deref()?)?;
    let parameter_format = match t.parameter_format.as_deref() {
        Some(f) if f.eq_ignore_ascii_case("NAMED") => ParameterFormat::Named,
        _ => ParameterFormat::Positional,
    };
    let components = t.components.as_array()?;
    let of_type = |kind: &str| {
        components.iter().find(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    };
    let header = match of_type("HEADER") {
        None => Header::None,
        Some(h) => match h.get("format").and_then(Value::as_str).unwrap_or("TEXT") {
            "IMAGE" => Header::Image { media_id: None },
            "VIDEO" => Header::Video { media_id: None },
            "DOCUMENT" => Header::Document { media_id: None },
            "LOCATION" => Header::Location,
            _ => Header::Text {
                text: text(h, "text").unwrap_or_default(),
                example: h
                    .pointer("/example/header_text/0")
                    .or_else(|| h.pointer("/example/header_text_named_params/0/example"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
        },
    };
    let body_component = of_type("BODY")?;
    let body = text(body_component, "text")?;
    let mut body_examples = BTreeMap::new();
    if let Some(values) = body_component
        .pointer("/example/body_text/0")
        .and_then(Value::as_array)
    {
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v.as_str() {
                body_examples.insert((i + 1).to_string(), v.to_owned());
            }
        }
    }
    if let Some(params) = body_component
        .pointer("/example/body_text_named_params")
        .and_then(Value::as_array)
    {
        for p in params {
            if let (Some(name), Some(example)) = (text(p, "param_name"), text(p, "example")) {
                body_examples.insert(name, example);
            }
        }
    }
    let footer = of_type("FOOTER").and_then(|f| text(f, "text"));
    let buttons = of_type("BUTTONS")
        .and_then(|b| b.get("buttons"))
        .and_then(Value::as_array)
        .map(|buttons| {
            buttons
                .iter()
                .filter_map(|b| {
                    let label = text(b, "text").unwrap_or_default();
                    Some(match b.get("type").and_then(Value::as_str)? {
                        "QUICK_REPLY" => Button::QuickReply { text: label },
                        "URL" => {
                            let url = text(b, "url").unwrap_or_default();
                            let example = b
                                .pointer("/example/0")
                                .and_then(Value::as_str)
                                .and_then(|full| {
                                    let prefix = url.split("{{").next()?;
                                    full.strip_prefix(prefix).map(str::to_owned)
                                })
                                .filter(|_| url.contains("{{"));
                            Button::Url {
                                text: label,
                                url,
                                example,
                            }
                        }
                        "PHONE_NUMBER" => Button::PhoneNumber {
                            text: label,
                            phone: text(b, "phone_number").unwrap_or_default(),
                        },
                        "COPY_CODE" | "OTP" => Button::CopyCode {
                            example: b
                                .get("example")
                                .and_then(|e| e.as_str().or_else(|| e.pointer("/0")?.as_str()))
                                .unwrap_or_default()
                                .to_owned(),
                        },
                        _ => return None,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let status = t
        .status
        .as_deref()
        .and_then(TemplateStatus::from_meta)
        .unwrap_or(TemplateStatus::Pending);
    Some((
        TemplateContent {
            name: t.name.clone(),
            language: t.language.clone(),
            category,
            parameter_format,
            header,
            body,
            body_examples,
            footer,
            buttons,
        },
        status,
    ))
}

/// A Twilio Content template (as the adapter lists it: `types` and
/// `variables` under `components`) in the editor's terms, for a read-only
/// listing. Twilio does not say whether WhatsApp approved it here, so it is
/// listed as approved: Twilio refuses the send when it is not.
pub fn content_from_twilio(t: &Template) -> Option<(TemplateContent, TemplateStatus)> {
    let types = t.components.get("types")?.as_object()?;
    // The richest type first: its body and actions are what WhatsApp shows.
    let order = [
        "twilio/card",
        "twilio/call-to-action",
        "twilio/quick-reply",
        "twilio/media",
        "twilio/text",
    ];
    let (kind, spec) = order
        .iter()
        .find_map(|k| types.get(*k).map(|v| (*k, v)))
        .or_else(|| types.iter().next().map(|(k, v)| (k.as_str(), v)))?;
    let body = text(spec, "body").or_else(|| text(spec, "title"))?;
    let header = match (kind, spec.get("media").and_then(Value::as_array)) {
        (_, Some(media)) if !media.is_empty() => {
            let url = media.first().and_then(Value::as_str).unwrap_or_default();
            let lower = url.to_ascii_lowercase();
            if lower.ends_with(".mp4") || lower.ends_with(".3gp") {
                Header::Video { media_id: None }
            } else if lower.ends_with(".pdf") {
                Header::Document { media_id: None }
            } else {
                Header::Image { media_id: None }
            }
        }
        _ => Header::None,
    };
    let buttons = spec
        .get("actions")
        .and_then(Value::as_array)
        .map(|actions| {
            actions
                .iter()
                .filter_map(|a| {
                    let title = text(a, "title").unwrap_or_default();
                    match a.get("type").and_then(Value::as_str) {
                        Some("URL") => Some(Button::Url {
                            text: title,
                            url: text(a, "url")?,
                            example: None,
                        }),
                        Some("PHONE_NUMBER") => Some(Button::PhoneNumber {
                            text: title,
                            phone: text(a, "phone")?,
                        }),
                        Some("COPY_CODE") => Some(Button::CopyCode {
                            example: text(a, "code").unwrap_or_default(),
                        }),
                        _ => Some(Button::QuickReply { text: title }),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let body_examples = t
        .components
        .get("variables")
        .and_then(Value::as_object)
        .map(|vars| {
            vars.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let parameter_format = if domain::template::variables(&body)
        .iter()
        .all(|v| v.chars().all(|c| c.is_ascii_digit()))
    {
        ParameterFormat::Positional
    } else {
        ParameterFormat::Named
    };
    let language = if t.language.is_empty() {
        "en".to_owned()
    } else {
        t.language.clone()
    };
    Some((
        TemplateContent {
            name: t.name.clone(),
            language,
            category: Category::Utility,
            parameter_format,
            header,
            body,
            body_examples,
            footer: None,
            buttons,
        },
        TemplateStatus::Approved,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> TemplateContent {
        TemplateContent {
            name: "order_update".into(),
            language: "en_US".into(),
            category: Category::Utility,
            parameter_format: ParameterFormat::Positional,
            header: Header::Text {
                text: "Order {{1}}".into(),
                example: Some("#1042".into()),
            },
            body: "Hi {{2}}, order {{1}} ships today.".into(),
            body_examples: [("1".into(), "#1042".into()), ("2".into(), "Ana".into())].into(),
            footer: Some("Thanks".into()),
            buttons: vec![
                Button::Url {
                    text: "Track".into(),
                    url: "https://shop.example/o/{{1}}".into(),
                    example: Some("1042".into()),
                },
                Button::QuickReply {
                    text: "Stop".into(),
                },
            ],
        }
    }

    #[test]
    fn a_submission_carries_every_component_with_examples_in_order() {
        let new = meta_new_template(&content(), None);
        assert_eq!(new.category, "UTILITY");
        assert_eq!(new.parameter_format.as_deref(), Some("POSITIONAL"));
        let c = new.components.as_array().unwrap();
        assert_eq!(c[0]["example"]["header_text"], json!(["#1042"]));
        assert_eq!(c[1]["example"]["body_text"], json!([["#1042", "Ana"]]));
        assert_eq!(c[2], json!({"type": "FOOTER", "text": "Thanks"}));
        assert_eq!(
            c[3]["buttons"][0]["example"],
            json!(["https://shop.example/o/1042"])
        );
        assert!(new.check().is_ok());
    }

    #[test]
    fn a_listed_template_reads_back_the_same() {
        let new = meta_new_template(&content(), None);
        let listed = Template {
            id: "123".into(),
            name: new.name.clone(),
            language: new.language.clone(),
            status: Some("APPROVED".into()),
            category: Some("UTILITY".into()),
            parameter_format: Some("POSITIONAL".into()),
            rejected_reason: None,
            components: new.components.clone(),
        };
        let (back, status) = content_from_meta(&listed).unwrap();
        assert_eq!(status, TemplateStatus::Approved);
        assert_eq!(back, content());
    }

    #[test]
    fn named_parameters_go_as_named_examples() {
        let named = TemplateContent {
            parameter_format: ParameterFormat::Named,
            header: Header::None,
            body: "Hi {{first_name}}".into(),
            body_examples: [("first_name".into(), "Ana".into())].into(),
            buttons: vec![],
            ..content()
        };
        let new = meta_new_template(&named, None);
        assert_eq!(
            new.components[0]["example"]["body_text_named_params"],
            json!([{"param_name": "first_name", "example": "Ana"}])
        );
        let listed = Template {
            id: "1".into(),
            name: named.name.clone(),
            language: named.language.clone(),
            status: Some("PENDING".into()),
            category: Some("UTILITY".into()),
            parameter_format: Some("NAMED".into()),
            rejected_reason: None,
            components: new.components,
        };
        assert_eq!(content_from_meta(&listed).unwrap().0, named);
    }

    #[test]
    fn a_media_header_sends_its_sample_handle() {
        let image = TemplateContent {
            header: Header::Image { media_id: None },
            ..content()
        };
        let new = meta_new_template(&image, Some("4::aGFuZGxl"));
        assert_eq!(
            new.components[0],
            json!({"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aGFuZGxl"]}})
        );
    }

    #[test]
    fn twilio_content_reads_body_variables_and_actions() {
        let t = Template {
            id: "HX123".into(),
            name: "order_update".into(),
            language: "en".into(),
            status: None,
            category: None,
            parameter_format: None,
            rejected_reason: None,
            components: json!({
                "types": {
                    "twilio/text": {"body": "fallback"},
                    "twilio/quick-reply": {"body": "Hi {{1}}, is {{2}} a good time?",
                        "actions": [{"title": "Yes", "id": "yes"}, {"title": "No", "id": "no"}]}
                },
                "variables": {"1": "Ana", "2": "3 pm"}
            }),
        };
        let (content, status) = content_from_twilio(&t).expect("readable");
        assert_eq!(status, TemplateStatus::Approved);
        assert_eq!(content.body, "Hi {{1}}, is {{2}} a good time?");
        assert_eq!(
            content.body_examples.get("2").map(String::as_str),
            Some("3 pm")
        );
        assert_eq!(content.buttons.len(), 2);
        assert_eq!(
            content.buttons[0],
            Button::QuickReply { text: "Yes".into() }
        );
        let empty = Template {
            components: json!({"types": {}}),
            ..t
        };
        assert!(content_from_twilio(&empty).is_none());
    }
}
