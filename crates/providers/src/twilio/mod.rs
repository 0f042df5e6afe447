//! The Twilio adapter (Programmable Messaging with WhatsApp senders, HTTP
//! basic auth, form-encoded bodies) and Twilio's webhook functions. Twilio
//! lacks several Meta operations (webhook subscription, read receipts,
//! uploads, template creation); those answer `Unsupported` instead of
//! pretending to succeed.

mod webhook;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::message::{MediaSource, MessageContent, OutgoingMessage, TemplateParameter};
use crate::retry::{with_retries, Failure};
use crate::template::{CreatedTemplate, MediaUpload, NewTemplate, Template};
use crate::transport::{execute, onto_base, parse_json, Repeat};
use crate::{
    Accepted, NumberInfo, ProviderError, ProviderKind, ProviderSettings, WhatsAppProvider,
};

pub use webhook::{form_params, parse_form, signature, verify_signature};

const PROVIDER: &str = "Twilio";
const MAX_CONTENT_PAGES: usize = 500;
/// Query parameter carrying our outbound-message id on the status callback
/// URL (Twilio has no `biz_opaque_callback_data`).
pub const CALLBACK_DATA_PARAM: &str = "callback_data";

/// Who the messages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioSender {
    /// A WhatsApp sender, `whatsapp:+E164` (the prefix is added if missing).
    Number(String),
    /// A Messaging Service SID (`MG...`) holding WhatsApp senders.
    MessagingService(String),
}

/// What a Twilio channel stores.
#[derive(Clone, PartialEq, Eq)]
pub struct TwilioCredentials {
    pub account_sid: String,
    pub auth_token: String,
    pub sender: TwilioSender,
    /// Public URL Twilio posts status callbacks to.
    pub status_callback: Option<String>,
}

impl std::fmt::Debug for TwilioCredentials {
    // The auth token never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioCredentials")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"***")
            .field("sender", &self.sender)
            .field("status_callback", &self.status_callback)
            .finish()
    }
}

/// One Twilio WhatsApp sender.
#[derive(Debug, Clone)]
pub struct Twilio {
    settings: Arc<ProviderSettings>,
    http: reqwest::Client,
    /// For media links and the redirects behind them: the outbound policy.
    outbound: reqwest::Client,
    credentials: TwilioCredentials,
}

impl Twilio {
    pub fn new(
        settings: Arc<ProviderSettings>,
        http: reqwest::Client,
        outbound: reqwest::Client,
        credentials: TwilioCredentials,
    ) -> Self {
        Self {
            settings,
            http,
            outbound,
            credentials,
        }
    }

    /// A `MediaUrl` is only fetched with the account's credentials when it
    /// is one of this account's media resources on Twilio's API (or on the
    /// configured API origin): `/2010-04-01/Accounts/{sid}/Messages/{sid}/Media/{sid}`.
    fn media_link(&self, link: &str) -> Result<String, ProviderError> {
        let refused = || ProviderError::Permanent {
            code: "media_host_refused".to_owned(),
            message: "the media link is not one of this account's Twilio media".to_owned(),
        };
        let url = url::Url::parse(link).map_err(|_| refused())?;
        let configured = url::Url::parse(&self.settings.twilio_base_url).ok();
        let on_configured = configured
            .as_ref()
            .filter(|base| base.origin() == url.origin());
        let on_twilio = (url.scheme() == "https"
            && url.host_str() == Some("api.twilio.com")
            && url.port().is_none())
            || on_configured.is_some();
        let sid = |s: &str| {
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        // A configured origin may serve the API under a prefix (the sandbox).
        let prefix = on_configured.map_or(0, |base| {
            base.path_segments()
                .map_or(0, |s| s.filter(|s| !s.is_empty()).count())
        });
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.skip(prefix).collect())
            .unwrap_or_default();
        let shaped = matches!(
            segments.as_slice(),
            ["2010-04-01", "Accounts", account, "Messages", message, "Media", media]
                if *account == self.credentials.account_sid && sid(message) && sid(media)
        );
        if !on_twilio || !shaped {
            return Err(refused());
        }
        onto_base(link, &self.settings.twilio_base_url)
    }

    pub fn credentials(&self) -> &TwilioCredentials {
        &self.credentials
    }

    fn api_url(&self, path: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}{}",
            self.settings.twilio_base_url.trim_end_matches('/'),
            self.credentials.account_sid,
            path
        )
    }

    async fn call<F>(&self, repeat: Repeat, build: F) -> Result<Value, ProviderError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
    {
        let policy = self.settings.retry_policy();
        with_retries(&policy, || {
            let request = build(&self.http).basic_auth(
                &self.credentials.account_sid,
                Some(&self.credentials.auth_token),
            );
            async move {
                let answer = execute(request, repeat).await?;
                if !answer.is_success() {
                    return Err(Failure {
                        error: ProviderError::from_twilio_body(answer.status, &answer.body),
                        retry_after: answer.retry_after,
                    });
                }
                parse_json(&answer, repeat)
            }
        })
        .await
    }

    /// The form fields of `POST .../Messages.json` for a message.
    pub fn message_form(
        &self,
        message: &OutgoingMessage,
    ) -> Result<Vec<(String, String)>, ProviderError> {
        message.check()?;
        let mut form: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: String| form.push((name.to_owned(), value));
        push("To", format!("whatsapp:+{}", message.recipient_digits()?));
        match &self.credentials.sender {
            TwilioSender::Number(number) => push("From", whatsapp_address(number)),
            TwilioSender::MessagingService(sid) => push("MessagingServiceSid", sid.clone()),
        }
        match &message.content {
            MessageContent::Text { body, .. } => push("Body", body.clone()),
            MessageContent::Media(media) => {
                let MediaSource::Link(link) = &media.source else {
                    return Err(ProviderError::unsupported(
                        PROVIDER,
                        "sending media by uploaded id (use a link)",
                    ));
                };
                push("MediaUrl", link.clone());
                if let Some(caption) = &media.caption {
                    push("Body", caption.clone());
                }
            }
            MessageContent::Template(template) => {
                push("ContentSid", template.name.clone());
                let variables =
                    content_variables(template.components.iter().flat_map(|c| c.parameters()));
                if !variables.is_empty() {
                    push("ContentVariables", Value::Object(variables).to_string());
                }
            }
            MessageContent::Buttons(_) | MessageContent::List(_) => {
                return Err(ProviderError::unsupported(
                    PROVIDER,
                    "interactive messages outside a Content template",
                ))
            }
        }
        if let Some(callback) = &self.credentials.status_callback {
            push(
                "StatusCallback",
                status_callback_url(callback, message.callback_data.as_deref())?,
            );
        }
        Ok(form)
    }
}

/// Twilio numbers its content variables `{{1}}`, `{{2}}`... across the whole
/// content; text parameters are numbered in the order given, named ones keep
/// their name.
fn content_variables<'a>(
    parameters: impl Iterator<Item = &'a TemplateParameter>,
) -> Map<String, Value> {
    let mut variables = Map::new();
    let mut position = 0;
    for parameter in parameters {
        let value = match parameter {
            TemplateParameter::Text { text, name } => {
                position += 1;
                let key = name.clone().unwrap_or_else(|| position.to_string());
                variables.insert(key, Value::String(text.clone()));
                continue;
            }
            TemplateParameter::Currency { fallback_value, .. }
            | TemplateParameter::DateTime { fallback_value } => fallback_value.clone(),
            TemplateParameter::Payload { payload } => payload.clone(),
            TemplateParameter::CouponCode { code } => code.clone(),
            TemplateParameter::Image { source }
            | TemplateParameter::Video { source }
            | TemplateParameter::Document { source, .. } => match source {
                MediaSource::Link(link) | MediaSource::Id(link) => link.clone(),
            },
        };
        position += 1;
        variables.insert(position.to_string(), Value::String(value));
    }
    variables
}

fn whatsapp_address(number: &str) -> String {
    if number.starts_with("whatsapp:") {
        number.to_owned()
    } else {
        format!("whatsapp:{number}")
    }
}

fn status_callback_url(base: &str, callback_data: Option<&str>) -> Result<String, ProviderError> {
    let Some(data) = callback_data else {
        return Ok(base.to_owned());
    };
    let mut url = url::Url::parse(base)
        .map_err(|e| ProviderError::invalid(format!("bad status callback URL {base}: {e}")))?;
    url.query_pairs_mut().append_pair(CALLBACK_DATA_PARAM, data);
    Ok(url.to_string())
}

#[async_trait]
impl WhatsAppProvider for Twilio {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Twilio
    }

    async fn validate(&self) -> Result<NumberInfo, ProviderError> {
        let url = self.api_url(".json");
        let account = self.call(Repeat::Safe, |http| http.get(&url)).await?;
        let text = |key: &str| account.get(key).and_then(Value::as_str).map(str::to_owned);
        let status = text("status").unwrap_or_default();
        if status != "active" {
            // A suspended or closed account cannot send: the channel is invalid.
            return Err(ProviderError::InvalidCredentials {
                code: format!("account_{status}"),
                message: format!("the Twilio account is {status}"),
            });
        }
        Ok(NumberInfo {
            display_phone_number: match &self.credentials.sender {
                TwilioSender::Number(number) => number
                    .strip_prefix("whatsapp:")
                    .unwrap_or(number)
                    .to_owned(),
                TwilioSender::MessagingService(sid) => sid.clone(),
            },
            verified_name: text("friendly_name"),
            account_mode: Some(status),
            ..NumberInfo::default()
        })
    }

    async fn subscribe(&self) -> Result<bool, ProviderError> {
        Err(ProviderError::unsupported(
            PROVIDER,
            "webhook subscription (set the sender's webhook URL in the Twilio console)",
        ))
    }

    async fn subscription_status(&self) -> Result<bool, ProviderError> {
        Err(ProviderError::unsupported(
            PROVIDER,
            "webhook subscription status",
        ))
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, ProviderError> {
        let form = self.message_form(message)?;
        let url = self.api_url("/Messages.json");
        let answer = self
            .call(Repeat::Unsafe, |http| http.post(&url).form(&form))
            .await?;
        match answer.get("sid").and_then(Value::as_str) {
            Some(sid) => Ok(Accepted {
                provider_message_id: sid.to_owned(),
            }),
            None => Err(ProviderError::Unknown {
                message: "Twilio accepted the message without a sid".to_owned(),
            }),
        }
    }

    async fn mark_read(&self, _provider_message_id: &str) -> Result<(), ProviderError> {
        Err(ProviderError::unsupported(PROVIDER, "read receipts"))
    }

    async fn upload_media(&self, _media: &MediaUpload) -> Result<String, ProviderError> {
        Err(ProviderError::unsupported(
            PROVIDER,
            "media upload (send media by public link)",
        ))
    }

    /// Fetches a `MediaUrl` of an inbound message with the account's basic
    /// auth (Twilio redirects to the file).
    async fn download_media(
        &self,
        media: &crate::webhook::InboundMedia,
    ) -> Result<crate::DownloadedMedia, ProviderError> {
        let url = media
            .url
            .as_deref()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ProviderError::invalid("the inbound media has no URL"))?;
        let url = self.media_link(url)?;
        let policy = self.settings.retry_policy();
        let bytes = with_retries(&policy, || {
            let request = self.outbound.get(&url).basic_auth(
                &self.credentials.account_sid,
                Some(&self.credentials.auth_token),
            );
            async move {
                let answer = execute(request, Repeat::Safe).await?;
                if !answer.is_success() {
                    return Err(Failure {
                        error: ProviderError::from_twilio_body(answer.status, &answer.body),
                        retry_after: answer.retry_after,
                    });
                }
                Ok(answer.body)
            }
        })
        .await?;
        Ok(crate::DownloadedMedia {
            bytes,
            mime_type: media.mime_type.clone(),
        })
    }

    async fn list_templates(&self) -> Result<Vec<Template>, ProviderError> {
        let base = self.settings.twilio_content_base_url.trim_end_matches('/');
        let mut url = format!("{base}/v1/Content?PageSize=100");
        let mut templates = Vec::new();
        for _ in 0..MAX_CONTENT_PAGES {
            let page = self.call(Repeat::Safe, |http| http.get(&url)).await?;
            templates.extend(
                page.get("contents")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(content_template),
            );
            match page.pointer("/meta/next_page_url").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    let next = onto_base(next, &self.settings.twilio_content_base_url)?;
                    if next == url {
                        break;
                    }
                    url = next;
                }
                _ => return Ok(templates),
            }
        }
        Ok(templates)
    }

    async fn create_template(
        &self,
        _template: &NewTemplate,
    ) -> Result<CreatedTemplate, ProviderError> {
        Err(ProviderError::unsupported(
            PROVIDER,
            "template creation (create Content templates in the Twilio console)",
        ))
    }

    async fn delete_template(&self, _name: &str) -> Result<(), ProviderError> {
        Err(ProviderError::unsupported(PROVIDER, "template deletion"))
    }

    async fn edit_template(
        &self,
        _provider_id: &str,
        _template: &NewTemplate,
    ) -> Result<(), ProviderError> {
        Err(ProviderError::unsupported(PROVIDER, "template editing"))
    }
}

/// A Content API item as a template: `components` keeps Twilio's `types`
/// and default `variables`.
fn content_template(item: &Value) -> Option<Template> {
    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut components = Map::new();
    components.insert(
        "types".into(),
        item.get("types").cloned().unwrap_or(Value::Null),
    );
    components.insert(
        "variables".into(),
        item.get("variables").cloned().unwrap_or(Value::Null),
    );
    Some(Template {
        id: text("sid")?,
        name: text("friendly_name").unwrap_or_default(),
        language: text("language").unwrap_or_default(),
        status: None,
        category: None,
        parameter_format: None,
        rejected_reason: None,
        components: Value::Object(components),
    })
}
