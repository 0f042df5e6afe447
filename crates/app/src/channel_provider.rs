//! From a stored channel to a provider adapter, and from provider failures to
//! what the channel and the caller are told.

use std::collections::BTreeMap;

use domain::channel::{check_channel_name, Channel, ChannelStatus, Credentials, Draft, Provider};
use domain::TenantId;
use providers::{
    MetaCredentials, ProviderError, TwilioCredentials, TwilioSender, WhatsAppProvider,
};
use rand::Rng;
use store::{NewChannel, StoreError};

use crate::error::AppError;
use crate::App;

fn required(credentials: &Credentials, key: &str) -> Result<String, AppError> {
    credentials.get(key).map(str::to_owned).ok_or_else(|| {
        AppError::field(key, "Required before the channel can talk to its provider.")
    })
}

/// The adapter for `channel` using `credentials` (published or draft).
pub fn adapter(
    app: &App,
    channel: &Channel,
    credentials: &Credentials,
) -> Result<Box<dyn WhatsAppProvider>, AppError> {
    let missing = credentials.missing(channel.provider);
    if !missing.is_empty() {
        let mut errors = domain::account::FieldErrors::default();
        for key in missing {
            errors.add(key, "Required before the channel can be checked.");
        }
        return Err(errors.into());
    }
    Ok(match channel.provider {
        Provider::MetaCloud | Provider::Sandbox => {
            let meta = MetaCredentials {
                phone_number_id: required(credentials, "phone_number_id")?,
                waba_id: required(credentials, "waba_id")?,
                access_token: required(credentials, "access_token")?,
                app_id: if channel.provider == Provider::MetaCloud {
                    credentials.get("app_id").map(str::to_owned)
                } else {
                    None
                },
            };
            if channel.provider == Provider::Sandbox {
                ensure_sandbox(app)?;
                if !register_sandbox_number(app, channel, credentials) {
                    return Err(sandbox_number_taken());
                }
                Box::new(app.sandbox_providers.meta(meta))
            } else {
                Box::new(app.providers.meta(meta))
            }
        }
        Provider::Twilio => {
            let sender = match (
                credentials.get("sender"),
                credentials.get("messaging_service_sid"),
            ) {
                (_, Some(service)) => TwilioSender::MessagingService(service.to_owned()),
                (Some(number), None) => TwilioSender::Number(number.to_owned()),
                (None, None) => {
                    return Err(AppError::field(
                        "sender",
                        "Enter the sender or a messaging service SID.",
                    ))
                }
            };
            Box::new(app.providers.twilio(TwilioCredentials {
                account_sid: required(credentials, "account_sid")?,
                auth_token: required(credentials, "auth_token")?,
                sender,
                status_callback: Some(format!(
                    "{}/webhooks/twilio/{}",
                    app.settings.public_url, channel.id.0
                )),
            }))
        }
    })
}

/// 422 when this server runs without the built-in sandbox.
pub fn ensure_sandbox(app: &App) -> Result<(), AppError> {
    if app.settings.sandbox {
        Ok(())
    } else {
        Err(AppError::Unprocessable {
            code: "sandbox_off",
            detail: "The built-in sandbox is off on this server (it is for demos and tests); \
                     connect a Meta or Twilio number instead."
                .into(),
        })
    }
}

/// Where a played customer's message goes: the sandbox number and the
/// customer's phone in E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayedCustomer {
    pub phone_number_id: String,
    pub from: String,
}

/// Checks that a customer can be played on `channel` (a sandbox channel
/// of the tenant, with its number registered at the built-in sandbox) and
/// that the message is worth sending: a phone (read with the tenant's
/// default country) and some text.
pub async fn played_customer(
    app: &App,
    tenant: TenantId,
    channel: domain::ChannelId,
    from: &str,
    text: &str,
) -> Result<PlayedCustomer, AppError> {
    let channel = app.store.channel(tenant, channel).await?;
    if channel.provider != Provider::Sandbox {
        return Err(AppError::unprocessable(
            "not_for_provider",
            "Only sandbox channels can play a customer.",
        ));
    }
    let settings = app.store.tenant(tenant).await?.settings;
    let phone = domain::contact::parse_phone(from, &settings.default_country)
        .map_err(|m| AppError::field("from", m))?;
    if text.trim().is_empty() {
        return Err(AppError::field("text", "Write the customer's message."));
    }
    let phone_number_id = channel
        .published
        .get("phone_number_id")
        .ok_or_else(|| AppError::field("phone_number_id", "The channel has no number yet."))?
        .to_owned();
    ensure_sandbox(app)?;
    if !register_sandbox_number(app, &channel, &channel.published) {
        return Err(sandbox_number_taken());
    }
    Ok(PlayedCustomer {
        phone_number_id,
        from: phone.e164,
    })
}

/// A sandbox number another channel already uses.
pub fn sandbox_number_taken() -> AppError {
    AppError::conflict(
        "phone_number_in_use",
        "Another channel uses this sandbox number; create a new sandbox channel instead.",
    )
}

/// Lets the built-in sandbox post webhooks for a sandbox channel's number.
/// Answers false when the number already calls back another channel:
/// nobody redirects another tenant's sandbox webhooks by naming its number.
pub fn register_sandbox_number(app: &App, channel: &Channel, credentials: &Credentials) -> bool {
    let (Some(phone), Some(waba), Some(secret)) = (
        credentials.get("phone_number_id"),
        credentials.get("waba_id"),
        credentials.get("app_secret"),
    ) else {
        // Nothing to call back yet, so nothing anybody else's.
        return true;
    };
    app.sandbox_numbers.register_number(
        phone,
        waba,
        secret,
        &format!("{}/webhooks/meta/{}", app.settings.local_url, channel.id.0),
    )
}

/// Whether the failure says the credentials are wrong (rather than a
/// passing problem): such a failure marks the channel invalid.
pub fn is_credential_failure(err: &ProviderError) -> bool {
    matches!(
        err,
        ProviderError::InvalidCredentials { .. } | ProviderError::Permanent { .. }
    )
}

/// What the caller is told about a provider failure.
pub fn provider_error(err: &ProviderError) -> AppError {
    let detail = format!("The provider answered: {err}");
    if err.is_retryable() || matches!(err, ProviderError::Unknown { .. }) {
        AppError::Upstream {
            code: "provider_unavailable",
            detail,
        }
    } else {
        AppError::Unprocessable {
            code: "provider_rejected",
            detail,
        }
    }
}

/// After a failed call with the published credentials: an auth or permanent
/// failure turns the channel invalid with the provider's code and message.
pub async fn record_failure(
    app: &App,
    channel: &Channel,
    err: &ProviderError,
) -> Result<(), AppError> {
    if is_credential_failure(err) {
        app.store
            .set_channel_status(
                channel.tenant_id,
                channel.id,
                ChannelStatus::Invalid,
                Some(err.code().to_owned()),
                Some(err.to_string()),
            )
            .await?;
        if channel.status != ChannelStatus::Invalid {
            let notice = domain::notification::channel_invalid(
                &channel.name,
                channel.id.0,
                &err.to_string(),
            );
            app.store.notify(channel.tenant_id, &notice).await?;
        }
    }
    Ok(())
}

/// Validate & Update: checks `credentials` live and saves them as the
/// published ones only if the provider accepts. When the stored credentials
/// themselves are refused, the channel turns invalid.
pub async fn validate_and_update(
    app: &App,
    current: &Channel,
    credentials: Credentials,
) -> Result<Channel, AppError> {
    let adapter = adapter(app, current, &credentials)?;
    let info = match adapter.validate().await {
        Ok(info) => info,
        Err(err) => {
            if credentials == current.published {
                record_failure(app, current, &err).await?;
            }
            return Err(provider_error(&err));
        }
    };
    let tenant = current.tenant_id;
    app.store
        .save_published(
            tenant,
            current.id,
            &credentials,
            ChannelStatus::Good,
            None,
            None,
        )
        .await
        .map_err(channel_store_error)?;
    if let Some(rating) = info.quality_rating.as_deref() {
        app.store
            .set_quality_rating(tenant, current.id, rating)
            .await?;
    }
    if current.provider.speaks_graph_api() {
        // The badge shows what Meta says now; a failure here leaves it as it was.
        if let Ok(subscribed) = adapter.subscription_status().await {
            app.store
                .set_subscribed(tenant, current.id, subscribed)
                .await?;
        }
    }
    Ok(app.store.channel(tenant, current.id).await?)
}

/// Checks the draft credentials live and records the outcome on the draft;
/// the published credentials are not touched.
pub async fn validate_draft(app: &App, current: &Channel) -> Result<Channel, AppError> {
    let Some(draft) = current.draft.clone() else {
        return Err(AppError::Unprocessable {
            code: "no_draft",
            detail: "There is no draft to check.".into(),
        });
    };
    let adapter = adapter(app, current, &draft.credentials)?;
    let checked = match adapter.validate().await {
        Ok(_) => Draft {
            status: ChannelStatus::Good,
            status_code: None,
            status_message: None,
            ..draft
        },
        Err(err) if is_credential_failure(&err) => Draft {
            status: ChannelStatus::Invalid,
            status_code: Some(err.code().to_owned()),
            status_message: Some(err.to_string()),
            ..draft
        },
        Err(err) => return Err(provider_error(&err)),
    };
    Ok(app
        .store
        .save_draft(current.tenant_id, current.id, &checked)
        .await?)
}

/// Subscribes the app to the account's webhooks and records the answer.
pub async fn subscribe(app: &App, current: &Channel) -> Result<Channel, AppError> {
    if !current.provider.speaks_graph_api() {
        return Err(AppError::Unprocessable {
            code: "not_for_provider",
            detail: "Twilio delivers webhooks to the callback URL set in its console; there is nothing to subscribe.".into(),
        });
    }
    if current.status != ChannelStatus::Good {
        return Err(AppError::Unprocessable {
            code: "channel_not_validated",
            detail: "Validate the credentials first.".into(),
        });
    }
    let adapter = adapter(app, current, &current.published)?;
    let subscribed = match adapter.subscribe().await {
        Ok(true) => true,
        Ok(false) => adapter.subscription_status().await.unwrap_or(false),
        Err(err) => {
            record_failure(app, current, &err).await?;
            return Err(provider_error(&err));
        }
    };
    app.store
        .set_subscribed(current.tenant_id, current.id, subscribed)
        .await?;
    Ok(app.store.channel(current.tenant_id, current.id).await?)
}

/// Adds a channel of `provider_key` to `tenant` with the submitted
/// credential `fields` (a sandbox channel generates its own). Every field
/// is checked at once; a sandbox channel's new number calls back this
/// channel from then on.
pub async fn create(
    app: &App,
    tenant: TenantId,
    name: &str,
    provider_key: &str,
    fields: &BTreeMap<String, Option<String>>,
    active: bool,
) -> Result<Channel, AppError> {
    let mut errors = domain::account::FieldErrors::default();
    let name = check_channel_name(name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let provider = Provider::parse(provider_key);
    if provider.is_none() {
        errors.add("provider", "Choose meta_cloud, twilio or sandbox.");
    }
    let credentials = match provider {
        Some(Provider::Sandbox) => {
            ensure_sandbox(app)?;
            let tenant = app.store.tenant(tenant).await?;
            Some(sandbox_credentials(&tenant.settings.company_name))
        }
        Some(p) => errors.take(Credentials::default().merged(p, fields)),
        None => None,
    };
    let (Some(name), Some(provider), Some(credentials)) = (name, provider, credentials) else {
        return Err(errors.into());
    };
    let new = NewChannel {
        name,
        provider,
        active,
        credentials,
    };
    let channel = app
        .store
        .create_channel(tenant, &new)
        .await
        .map_err(channel_store_error)?;
    if channel.provider == Provider::Sandbox {
        register_sandbox_number(app, &channel, &channel.published);
    }
    Ok(channel)
}

/// Store conflicts of channels in the caller's words.
pub fn channel_store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("phone_number_in_use") => AppError::conflict(
            "phone_number_in_use",
            "This phone number id is already active in a tenant. Deactivate it there first.",
        ),
        StoreError::Conflict("channel_name_taken") | StoreError::Conflict("already_exists") => {
            AppError::conflict(
                "channel_name_taken",
                "Another channel already has this name.",
            )
        }
        other => other.into(),
    }
}

fn random_digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|i| char::from(b'0' + rng.gen_range(u8::from(i == 0)..10)))
        .collect()
}

/// Credentials of a new sandbox channel: the built-in fake provider accepts
/// whatever it generated, so the channel validates without real accounts.
pub fn sandbox_credentials(company: &str) -> Credentials {
    let mut c = Credentials::default();
    c.fields.insert("company_name".into(), company.to_owned());
    c.fields.insert("phone_number_id".into(), random_digits(15));
    c.fields.insert("waba_id".into(), random_digits(15));
    c.fields.insert("app_id".into(), random_digits(15));
    c.secrets.insert("app_secret".into(), crate::random_token());
    c.secrets.insert(
        "access_token".into(),
        format!("sandbox-{}", crate::random_token()),
    );
    c.secrets
        .insert("verify_token".into(), crate::random_token());
    c
}
