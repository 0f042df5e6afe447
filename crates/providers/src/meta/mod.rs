//! The Meta WhatsApp Cloud API adapter (Graph API, Bearer token) and Meta's
//! webhook functions. Request bodies follow the wire formats in the Cloud
//! API documentation; every failure becomes a typed [`ProviderError`].

mod webhook;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Map, Value};

use crate::message::{
    ListMessage, MediaSource, MessageContent, OutgoingMessage, ReplyButtons, TemplateComponent,
    TemplateMessage, TemplateParameter,
};
use crate::retry::{with_retries, Failure};
use crate::template::{check_template_name, CreatedTemplate, MediaUpload, NewTemplate, Template};
use crate::transport::{execute, onto_base, parse_json, Repeat};
use crate::{
    Accepted, NumberInfo, ProviderError, ProviderKind, ProviderSettings, WhatsAppProvider,
};

pub use webhook::{parse_notification, sign, verify_challenge, verify_signature};

/// Fields asked of a phone number, so the answer does not depend on Graph defaults.
const NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,\
code_verification_status,platform_type,throughput,account_mode";
const TEMPLATE_FIELDS: &str =
    "id,name,language,status,category,parameter_format,components,rejected_reason";
/// Where Meta serves customers' files from (`lookaside.fbsbx.com` and its
/// CDNs); subdomains count.
const META_MEDIA_HOSTS: [&str; 3] = ["fbsbx.com", "fbcdn.net", "whatsapp.net"];
/// Graph ids are decimal numbers; 32 digits is far beyond any in use.
const GRAPH_ID_MAX: usize = 32;
/// A guard against a provider (or a fake) that pages forever.
const MAX_TEMPLATE_PAGES: usize = 500;

/// What a Meta channel stores to reach its number.
#[derive(Clone, PartialEq, Eq)]
pub struct MetaCredentials {
    pub phone_number_id: String,
    pub waba_id: String,
    pub access_token: String,
    /// Our Meta app id; when set, "subscribed" means this app is subscribed,
    /// not merely some app.
    pub app_id: Option<String>,
}

impl std::fmt::Debug for MetaCredentials {
    // The token never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaCredentials")
            .field("phone_number_id", &self.phone_number_id)
            .field("waba_id", &self.waba_id)
            .field("access_token", &"***")
            .field("app_id", &self.app_id)
            .finish()
    }
}

/// One Meta Cloud API number.
#[derive(Debug, Clone)]
pub struct MetaCloud {
    settings: Arc<ProviderSettings>,
    http: reqwest::Client,
    /// For URLs a provider answered (media locations): the outbound policy.
    outbound: reqwest::Client,
    credentials: MetaCredentials,
}

impl MetaCloud {
    pub fn new(
        settings: Arc<ProviderSettings>,
        http: reqwest::Client,
        outbound: reqwest::Client,
        credentials: MetaCredentials,
    ) -> Self {
        Self {
            settings,
            http,
            outbound,
            credentials,
        }
    }

    pub fn credentials(&self) -> &MetaCredentials {
        &self.credentials
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.settings.meta_base_url.trim_end_matches('/'),
            self.settings.graph_version.trim_matches('/'),
            path
        )
    }

    /// `{base}/{version}/{id}[/{edge}]` for a Graph node whose id must have
    /// Meta's shape (digits): a stored credential or an id from a webhook
    /// never becomes a path of its own choosing (`../`, `?`, `#`).
    fn node(&self, what: &str, id: &str, edge: &str) -> Result<String, ProviderError> {
        let id = graph_id(what, id)?;
        Ok(if edge.is_empty() {
            self.url(id)
        } else {
            self.url(&format!("{id}/{edge}"))
        })
    }

    /// Whether a file location the Graph API answered may be fetched with
    /// the channel's token: HTTPS on Meta's media hosts, or the configured
    /// Graph origin itself (the sandbox, a test double).
    fn media_location(&self, location: &str) -> Result<url::Url, ProviderError> {
        let refused = || ProviderError::Permanent {
            code: "media_host_refused".to_owned(),
            message: "Meta answered a media location outside Meta's media hosts".to_owned(),
        };
        let url = url::Url::parse(location).map_err(|_| refused())?;
        let configured = url::Url::parse(&self.settings.meta_base_url).ok();
        let same_origin = configured
            .as_ref()
            .is_some_and(|base| base.origin() == url.origin());
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let meta_host = url.scheme() == "https"
            && url.port().is_none()
            && META_MEDIA_HOSTS
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if same_origin || meta_host {
            Ok(url)
        } else {
            Err(refused())
        }
    }

    /// Sends one Graph call with retries and returns its JSON answer.
    async fn call<F>(&self, repeat: Repeat, build: F) -> Result<Value, ProviderError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
    {
        let policy = self.settings.retry_policy();
        with_retries(&policy, || {
            let request = build(&self.http).bearer_auth(&self.credentials.access_token);
            async move {
                let answer = execute(request, repeat).await?;
                if !answer.is_success() {
                    return Err(Failure {
                        error: ProviderError::from_meta_body(answer.status, &answer.body),
                        retry_after: answer.retry_after,
                    });
                }
                parse_json(&answer, repeat)
            }
        })
        .await
    }

    /// The apps subscribed to the account's webhooks.
    async fn subscribed_apps(&self) -> Result<Vec<Value>, ProviderError> {
        let url = self.node("WABA id", &self.credentials.waba_id, "subscribed_apps")?;
        let answer = self.call(Repeat::Safe, |http| http.get(&url)).await?;
        Ok(answer
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }
}

#[async_trait]
impl WhatsAppProvider for MetaCloud {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Meta
    }

    async fn validate(&self) -> Result<NumberInfo, ProviderError> {
        let number_url = self.node("phone number id", &self.credentials.phone_number_id, "")?;
        let number = self
            .call(Repeat::Safe, |http| {
                http.get(&number_url).query(&[("fields", NUMBER_FIELDS)])
            })
            .await?;
        // The number alone does not prove the token reaches the account.
        let templates_url = self.node("WABA id", &self.credentials.waba_id, "message_templates")?;
        self.call(Repeat::Safe, |http| {
            http.get(&templates_url).query(&[("limit", "1")])
        })
        .await?;
        let text = |key: &str| number.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(NumberInfo {
            display_phone_number: text("display_phone_number").unwrap_or_default(),
            verified_name: text("verified_name"),
            quality_rating: text("quality_rating"),
            code_verification_status: text("code_verification_status"),
            platform_type: text("platform_type"),
            throughput_level: number
                .pointer("/throughput/level")
                .and_then(Value::as_str)
                .map(str::to_owned),
            account_mode: text("account_mode"),
        })
    }

    async fn subscribe(&self) -> Result<bool, ProviderError> {
        let url = self.node("WABA id", &self.credentials.waba_id, "subscribed_apps")?;
        self.call(Repeat::Safe, |http| http.post(&url)).await?;
        // Read back rather than trusting `success`: the badge shows what Meta holds.
        self.subscription_status().await
    }

    async fn subscription_status(&self) -> Result<bool, ProviderError> {
        let apps = self.subscribed_apps().await?;
        Ok(match &self.credentials.app_id {
            Some(app_id) => apps.iter().any(|app| {
                app.pointer("/whatsapp_business_api_data/id")
                    .and_then(Value::as_str)
                    == Some(app_id.as_str())
            }),
            None => !apps.is_empty(),
        })
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, ProviderError> {
        let body = message_json(message)?;
        let url = self.node(
            "phone number id",
            &self.credentials.phone_number_id,
            "messages",
        )?;
        let answer = self
            .call(Repeat::Unsafe, |http| http.post(&url).json(&body))
            .await?;
        match answer.pointer("/messages/0/id").and_then(Value::as_str) {
            Some(id) => Ok(Accepted {
                provider_message_id: id.to_owned(),
            }),
            // Meta took the message but we cannot tell which id it got.
            None => Err(ProviderError::Unknown {
                message: "Meta accepted the message without a message id".to_owned(),
            }),
        }
    }

    async fn mark_read(&self, provider_message_id: &str) -> Result<(), ProviderError> {
        if provider_message_id.trim().is_empty() {
            return Err(ProviderError::invalid("message id is required"));
        }
        let url = self.node(
            "phone number id",
            &self.credentials.phone_number_id,
            "messages",
        )?;
        let body = json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": provider_message_id,
        });
        self.call(Repeat::Safe, |http| http.post(&url).json(&body))
            .await?;
        Ok(())
    }

    async fn upload_media(&self, media: &MediaUpload) -> Result<String, ProviderError> {
        media.check()?;
        let url = self.node(
            "phone number id",
            &self.credentials.phone_number_id,
            "media",
        )?;
        // Checked once here so that building each attempt's form cannot fail.
        reqwest::multipart::Part::bytes(Vec::new())
            .mime_str(&media.mime_type)
            .map_err(|_| ProviderError::invalid(format!("bad media type {}", media.mime_type)))?;
        // A repeated upload only leaves an unused media id that Meta expires.
        let answer = self
            .call(Repeat::Safe, |http| {
                let file = reqwest::multipart::Part::bytes(media.bytes.clone())
                    .file_name(media.filename.clone());
                let file = match file.mime_str(&media.mime_type) {
                    Ok(typed) => typed,
                    Err(_) => reqwest::multipart::Part::bytes(media.bytes.clone())
                        .file_name(media.filename.clone()),
                };
                let form = reqwest::multipart::Form::new()
                    .text("messaging_product", "whatsapp")
                    .text("type", media.mime_type.clone())
                    .part("file", file);
                http.post(&url).multipart(form)
            })
            .await?;
        id_of(&answer).ok_or_else(|| ProviderError::Permanent {
            code: "unexpected_answer".to_owned(),
            message: "Meta answered the upload without a media id".to_owned(),
        })
    }

    /// Asks the Graph API where the file is (`GET /{media_id}`), then
    /// fetches it with the same token, as Meta requires.
    async fn download_media(
        &self,
        media: &crate::webhook::InboundMedia,
    ) -> Result<crate::DownloadedMedia, ProviderError> {
        let id = media
            .id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ProviderError::invalid("the inbound media has no id"))?;
        let url = self.node("media id", id, "")?;
        let answer = self.call(Repeat::Safe, |http| http.get(&url)).await?;
        let location =
            answer
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| ProviderError::Permanent {
                    code: "unexpected_answer".to_owned(),
                    message: "Meta answered the media lookup without a URL".to_owned(),
                })?;
        let location = self.media_location(location)?;
        let mime_type = answer
            .get("mime_type")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| media.mime_type.clone());
        let policy = self.settings.retry_policy();
        let bytes = with_retries(&policy, || {
            let request = self
                .outbound
                .get(location.clone())
                .bearer_auth(&self.credentials.access_token);
            async move {
                let answer = execute(request, Repeat::Safe).await?;
                if !answer.is_success() {
                    return Err(Failure {
                        error: ProviderError::from_meta_body(answer.status, &answer.body),
                        retry_after: answer.retry_after,
                    });
                }
                Ok(answer.body)
            }
        })
        .await?;
        Ok(crate::DownloadedMedia { bytes, mime_type })
    }

    /// Meta's Resumable Upload API: open an upload session on the app
    /// (`POST /{app_id}/uploads`), send the bytes in one piece
    /// (`POST /{session}` with `file_offset: 0`), answer the handle `h`.
    /// A channel without an app id (the sandbox) falls back to a media id.
    async fn upload_template_sample(&self, media: &MediaUpload) -> Result<String, ProviderError> {
        media.check()?;
        let Some(app_id) = self.credentials.app_id.as_deref().filter(|a| !a.is_empty()) else {
            return self.upload_media(media).await;
        };
        let url = self.node("app id", app_id, "uploads")?;
        let length = media.bytes.len().to_string();
        // An unused session expires on Meta's side; opening one is safe to repeat.
        let session = self
            .call(Repeat::Safe, |http| {
                http.post(&url).query(&[
                    ("file_name", media.filename.as_str()),
                    ("file_length", length.as_str()),
                    ("file_type", media.mime_type.as_str()),
                ])
            })
            .await?;
        let session = session
            .get("id")
            .and_then(Value::as_str)
            // Its own path segment: never a way to another node.
            .filter(|id| id.starts_with("upload:") && !id.contains('/') && !id.contains(".."))
            .ok_or_else(|| ProviderError::Permanent {
                code: "unexpected_answer".to_owned(),
                message: "Meta opened no upload session".to_owned(),
            })?
            .to_owned();
        let url = self.url(&session);
        // Sending the same bytes at offset 0 again replaces them.
        let answer = self
            .call(Repeat::Safe, |http| {
                http.post(&url)
                    .header("file_offset", "0")
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(media.bytes.clone())
            })
            .await?;
        answer
            .get("h")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::Permanent {
                code: "unexpected_answer".to_owned(),
                message: "Meta answered the sample upload without a handle".to_owned(),
            })
    }

    async fn list_templates(&self) -> Result<Vec<Template>, ProviderError> {
        let mut url = self.node("WABA id", &self.credentials.waba_id, "message_templates")?;
        let mut first = true;
        let mut templates = Vec::new();
        for _ in 0..MAX_TEMPLATE_PAGES {
            let page = self
                .call(Repeat::Safe, |http| {
                    let request = http.get(&url);
                    // Paging links already carry their query.
                    if first {
                        request.query(&[("fields", TEMPLATE_FIELDS), ("limit", "100")])
                    } else {
                        request
                    }
                })
                .await?;
            templates.extend(
                page.get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(template_from_json),
            );
            match page.pointer("/paging/next").and_then(Value::as_str) {
                Some(next) => {
                    let next = onto_base(next, &self.settings.meta_base_url)?;
                    if next == url {
                        break;
                    }
                    url = next;
                    first = false;
                }
                None => return Ok(templates),
            }
        }
        Ok(templates)
    }

    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<CreatedTemplate, ProviderError> {
        template.check()?;
        let mut body = json!({
            "name": template.name,
            "language": template.language,
            "category": template.category,
            "components": template.components,
        });
        if let (Some(format), Some(object)) = (&template.parameter_format, body.as_object_mut()) {
            object.insert("parameter_format".into(), json!(format));
        }
        let url = self.node("WABA id", &self.credentials.waba_id, "message_templates")?;
        let answer = self
            .call(Repeat::Unsafe, |http| http.post(&url).json(&body))
            .await?;
        let text = |key: &str| answer.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(CreatedTemplate {
            id: id_of(&answer).ok_or_else(|| ProviderError::Unknown {
                message: "Meta answered the new template without an id".to_owned(),
            })?,
            status: text("status"),
            category: text("category"),
        })
    }

    async fn delete_template(&self, name: &str) -> Result<(), ProviderError> {
        check_template_name(name)?;
        let url = self.node("WABA id", &self.credentials.waba_id, "message_templates")?;
        self.call(Repeat::Safe, |http| {
            http.delete(&url).query(&[("name", name)])
        })
        .await?;
        Ok(())
    }

    async fn edit_template(
        &self,
        provider_id: &str,
        template: &NewTemplate,
    ) -> Result<(), ProviderError> {
        template.check()?;
        if provider_id.is_empty() || !provider_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProviderError::invalid(format!(
                "template id {provider_id:?} is not a Meta id"
            )));
        }
        let body = json!({"category": template.category, "components": template.components});
        let url = self.node("template id", provider_id, "")?;
        self.call(Repeat::Unsafe, |http| http.post(&url).json(&body))
            .await?;
        Ok(())
    }
}

fn id_of(answer: &Value) -> Option<String> {
    match answer.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn template_from_json(item: &Value) -> Option<Template> {
    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(Template {
        id: id_of(item)?,
        name: text("name")?,
        language: text("language").unwrap_or_default(),
        status: text("status"),
        category: text("category"),
        parameter_format: text("parameter_format"),
        rejected_reason: text("rejected_reason").filter(|r| r != "NONE"),
        components: item.get("components").cloned().unwrap_or(json!([])),
    })
}

/// The JSON body of `POST /{phone_number_id}/messages` for a message,
/// after checking it against Meta's limits.
pub fn message_json(message: &OutgoingMessage) -> Result<Value, ProviderError> {
    message.check()?;
    let mut body = Map::new();
    body.insert("messaging_product".into(), json!("whatsapp"));
    body.insert("recipient_type".into(), json!("individual"));
    body.insert("to".into(), json!(message.recipient_digits()?));
    let (kind, part) = match &message.content {
        MessageContent::Text { body, preview_url } => {
            ("text", json!({ "body": body, "preview_url": preview_url }))
        }
        MessageContent::Media(media) => {
            let mut object = media_object(&media.source);
            if let Some(caption) = &media.caption {
                object.insert("caption".into(), json!(caption));
            }
            if let Some(filename) = &media.filename {
                object.insert("filename".into(), json!(filename));
            }
            (media.kind.as_str(), Value::Object(object))
        }
        MessageContent::Template(template) => ("template", template_json(template)),
        MessageContent::Buttons(buttons) => ("interactive", buttons_json(buttons)),
        MessageContent::List(list) => ("interactive", list_json(list)),
    };
    body.insert("type".into(), json!(kind));
    body.insert(kind.into(), part);
    if let Some(reply_to) = &message.reply_to {
        body.insert("context".into(), json!({ "message_id": reply_to }));
    }
    if let Some(data) = &message.callback_data {
        body.insert("biz_opaque_callback_data".into(), json!(data));
    }
    Ok(Value::Object(body))
}

fn media_object(source: &MediaSource) -> Map<String, Value> {
    let mut object = Map::new();
    match source {
        MediaSource::Link(link) => object.insert("link".into(), json!(link)),
        MediaSource::Id(id) => object.insert("id".into(), json!(id)),
    };
    object
}

fn template_json(template: &TemplateMessage) -> Value {
    let components: Vec<Value> = template
        .components
        .iter()
        .map(|component| {
            let parameters: Vec<Value> =
                component.parameters().iter().map(parameter_json).collect();
            match component {
                TemplateComponent::Header { .. } => {
                    json!({ "type": "header", "parameters": parameters })
                }
                TemplateComponent::Body { .. } => {
                    json!({ "type": "body", "parameters": parameters })
                }
                TemplateComponent::Button {
                    sub_type, index, ..
                } => json!({
                    "type": "button",
                    "sub_type": sub_type.as_str(),
                    "index": index.to_string(),
                    "parameters": parameters,
                }),
            }
        })
        .collect();
    let mut object = json!({
        "name": template.name,
        "language": { "code": template.language, "policy": "deterministic" },
    });
    if !components.is_empty() {
        if let Some(map) = object.as_object_mut() {
            map.insert("components".into(), Value::Array(components));
        }
    }
    object
}

fn parameter_json(parameter: &TemplateParameter) -> Value {
    match parameter {
        TemplateParameter::Text { text, name } => match name {
            Some(name) => json!({ "type": "text", "parameter_name": name, "text": text }),
            None => json!({ "type": "text", "text": text }),
        },
        TemplateParameter::Currency {
            fallback_value,
            code,
            amount_1000,
        } => json!({
            "type": "currency",
            "currency": { "fallback_value": fallback_value, "code": code, "amount_1000": amount_1000 },
        }),
        TemplateParameter::DateTime { fallback_value } => json!({
            "type": "date_time",
            "date_time": { "fallback_value": fallback_value },
        }),
        TemplateParameter::Image { source } => {
            json!({ "type": "image", "image": media_object(source) })
        }
        TemplateParameter::Video { source } => {
            json!({ "type": "video", "video": media_object(source) })
        }
        TemplateParameter::Document { source, filename } => {
            let mut object = media_object(source);
            if let Some(filename) = filename {
                object.insert("filename".into(), json!(filename));
            }
            json!({ "type": "document", "document": object })
        }
        TemplateParameter::Payload { payload } => json!({ "type": "payload", "payload": payload }),
        TemplateParameter::CouponCode { code } => {
            json!({ "type": "coupon_code", "coupon_code": code })
        }
    }
}

fn interactive_frame(
    kind: &str,
    header: Option<&str>,
    body: &str,
    footer: Option<&str>,
    action: Value,
) -> Value {
    let mut object = Map::new();
    object.insert("type".into(), json!(kind));
    if let Some(header) = header {
        object.insert("header".into(), json!({ "type": "text", "text": header }));
    }
    object.insert("body".into(), json!({ "text": body }));
    if let Some(footer) = footer {
        object.insert("footer".into(), json!({ "text": footer }));
    }
    object.insert("action".into(), action);
    Value::Object(object)
}

fn buttons_json(buttons: &ReplyButtons) -> Value {
    let list: Vec<Value> = buttons
        .buttons
        .iter()
        .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
        .collect();
    interactive_frame(
        "button",
        buttons.header.as_deref(),
        &buttons.body,
        buttons.footer.as_deref(),
        json!({ "buttons": list }),
    )
}

fn list_json(list: &ListMessage) -> Value {
    let sections: Vec<Value> = list
        .sections
        .iter()
        .map(|section| {
            let rows: Vec<Value> = section
                .rows
                .iter()
                .map(|row| match &row.description {
                    Some(d) => json!({ "id": row.id, "title": row.title, "description": d }),
                    None => json!({ "id": row.id, "title": row.title }),
                })
                .collect();
            match &section.title {
                Some(title) => json!({ "title": title, "rows": rows }),
                None => json!({ "rows": rows }),
            }
        })
        .collect();
    interactive_frame(
        "list",
        list.header.as_deref(),
        &list.body,
        list.footer.as_deref(),
        json!({ "button": list.button, "sections": sections }),
    )
}

/// `id` when it has a Graph id's shape (1 to 32 ASCII digits).
fn graph_id<'a>(what: &str, id: &'a str) -> Result<&'a str, ProviderError> {
    if !id.is_empty() && id.len() <= GRAPH_ID_MAX && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(ProviderError::invalid(format!(
            "the {what} {:?} is not a Meta id (digits only)",
            id.chars().take(40).collect::<String>()
        )))
    }
}
