//! Message templates' use-cases that talk to the provider: submitting
//! (with a media header's sample), editing and deleting at the provider,
//! syncing an account's templates, and applying review decisions.

use domain::account::FieldErrors;
use domain::channel::{Channel, Provider};
use domain::template::{check_template, Category, TemplateContent, TemplateStatus};
use domain::{ChannelId, TenantId};
use providers::WebhookEvent;
use store::{ClaimedEvent, NewTemplate, SyncedTemplate, TemplateRecord};

use crate::channel_provider;
use crate::error::AppError;
use crate::App;

/// The provider account a channel's templates belong to.
pub fn account_of(channel: &Channel) -> Result<String, AppError> {
    let key = match channel.provider {
        Provider::Twilio => "account_sid",
        _ => "waba_id",
    };
    channel
        .published
        .get(key)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| AppError::Unprocessable {
            code: "channel_incomplete",
            detail: "Complete and validate the channel's credentials first.".into(),
        })
}

/// Meta (and the sandbox) take templates by API; Twilio's are made in its console.
pub fn require_meta(channel: &Channel) -> Result<(), AppError> {
    if channel.provider.speaks_graph_api() {
        Ok(())
    } else {
        Err(AppError::Unprocessable {
            code: "not_for_provider",
            detail: "Twilio templates are created in the Twilio console; Refresh lists them here."
                .into(),
        })
    }
}

/// The sample Meta reviews a media header with: the header's gallery file,
/// uploaded through the channel (or an earlier upload that is still valid).
async fn header_handle(
    app: &App,
    channel: &Channel,
    content: &TemplateContent,
) -> Result<Option<String>, AppError> {
    const FIELD: &str = "content.header.media_id";
    let Some(kind) = content.header.media_kind() else {
        return Ok(None);
    };
    let Some(media_id) = content.header.media() else {
        return Err(AppError::field(
            FIELD,
            "Choose a sample file from the media gallery.",
        ));
    };
    let record =
        app.store
            .media(channel.tenant_id, media_id)
            .await
            .map_err(AppError::missing_as_field(
                FIELD,
                "This file is no longer in the media gallery; choose another.",
            ))?;
    if record.kind != kind {
        return Err(AppError::field(
            FIELD,
            &format!(
                "The header shows a {}; choose a {} file, not a {}.",
                kind.key(),
                kind.key(),
                record.kind.key()
            ),
        ));
    }
    // A Meta channel with its app id uploads the sample through Meta's
    // Resumable Upload API, whose handle Meta's review expects. Without an
    // app id (the sandbox) the channel's media id of the file stands in.
    let has_app = channel.provider == domain::channel::Provider::MetaCloud
        && channel
            .published
            .get("app_id")
            .is_some_and(|a| !a.is_empty());
    if !has_app {
        let (upload, _) = crate::media::ensure_on_channel(app, channel, &record).await?;
        return Ok(Some(upload.provider_media_id));
    }
    let sample = providers::MediaUpload {
        bytes: app.media.read_all(&record.object_key).await?,
        mime_type: record.mime_type.clone(),
        filename: record.name.clone(),
    };
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    match adapter.upload_template_sample(&sample).await {
        Ok(handle) => Ok(Some(handle)),
        Err(err) => {
            channel_provider::record_failure(app, channel, &err).await?;
            Err(channel_provider::provider_error(&err))
        }
    }
}

/// Submits a saved template to the provider; on refusal the caller's record
/// is left as it was and the provider's reason is answered.
pub async fn submit(
    app: &App,
    channel: &Channel,
    record: &TemplateRecord,
) -> Result<TemplateRecord, AppError> {
    let handle = header_handle(app, channel, &record.content).await?;
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    let wire = providers::template_wire::meta_new_template(&record.content, handle.as_deref());
    let created = match adapter.create_template(&wire).await {
        Ok(created) => created,
        Err(err) => {
            channel_provider::record_failure(app, channel, &err).await?;
            return Err(channel_provider::provider_error(&err));
        }
    };
    let status = created
        .status
        .as_deref()
        .and_then(TemplateStatus::from_meta)
        .unwrap_or(TemplateStatus::Pending);
    let category = created.category.as_deref().and_then(Category::parse);
    Ok(app
        .store
        .mark_template_submitted(record.tenant_id, record.id, &created.id, status, category)
        .await?)
}

/// Sends a submitted template's new content to the provider for review.
pub async fn edit(
    app: &App,
    channel: &Channel,
    provider_id: &str,
    content: &TemplateContent,
) -> Result<(), AppError> {
    let handle = header_handle(app, channel, content).await?;
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    let wire = providers::template_wire::meta_new_template(content, handle.as_deref());
    if let Err(err) = adapter.edit_template(provider_id, &wire).await {
        channel_provider::record_failure(app, channel, &err).await?;
        return Err(channel_provider::provider_error(&err));
    }
    Ok(())
}

/// Every rule a template must meet before it is submitted, as field
/// errors under `content.`.
pub fn check_for_submit(content: &TemplateContent) -> Result<(), AppError> {
    let found = check_template(content);
    if found.is_empty() {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    for (field, messages) in found.into_map() {
        for m in messages {
            errors.add(&format!("content.{field}"), &m);
        }
    }
    Err(AppError::Validation(errors))
}

/// A draft needs only what identifies it: a valid name and language.
pub fn check_for_draft(content: &TemplateContent) -> Result<(), AppError> {
    let found = check_template(content).into_map();
    let mut errors = FieldErrors::default();
    for field in ["name", "language"] {
        for m in found.get(field).into_iter().flatten() {
            errors.add(&format!("content.{field}"), m);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The store's "same name and language" clash, worded for the person.
pub fn template_conflict(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::Conflict("template_exists") => AppError::conflict(
            "template_exists",
            "A template with this name and language already exists on this WhatsApp account.",
        ),
        other => other.into(),
    }
}

/// Makes a template of `channel` (a Meta one): a draft, or submitted for
/// review at once. A template Meta refuses is not kept, so the person can
/// fix it and try again.
pub async fn create(
    app: &App,
    tenant: TenantId,
    channel: ChannelId,
    created_by: Option<uuid::Uuid>,
    content: TemplateContent,
    submit_now: bool,
) -> Result<TemplateRecord, AppError> {
    if submit_now {
        check_for_submit(&content)?;
    } else {
        check_for_draft(&content)?;
    }
    let channel = app
        .store
        .channel(tenant, channel)
        .await
        .map_err(AppError::missing_as_field(
            "channel_id",
            "Choose a channel of this tenant.",
        ))?;
    require_meta(&channel)?;
    let new = NewTemplate {
        channel_id: channel.id,
        account_id: account_of(&channel)?,
        content,
        created_by,
    };
    let record = app
        .store
        .create_template(tenant, &new, TemplateStatus::Draft)
        .await
        .map_err(template_conflict)?;
    if !submit_now {
        return Ok(record);
    }
    match submit(app, &channel, &record).await {
        Ok(submitted) => Ok(submitted),
        Err(e) => {
            app.store.delete_template(tenant, record.id).await?;
            Err(e)
        }
    }
}

/// Edits template `id` of `tenant`. A draft is saved with any name and
/// language (and submitted when `submit`); a submitted template keeps its
/// name and language, and its new content goes to review again (pending).
pub async fn update(
    app: &App,
    tenant: TenantId,
    id: uuid::Uuid,
    content: &TemplateContent,
    submit_now: bool,
) -> Result<TemplateRecord, AppError> {
    let current = app.store.template(tenant, id).await?;
    let channel = app.store.channel(tenant, current.channel_id).await?;
    let Some(provider_id) = &current.provider_id else {
        if submit_now {
            check_for_submit(content)?;
        } else {
            check_for_draft(content)?;
        }
        let saved = app
            .store
            .update_template(tenant, current.id, content, TemplateStatus::Draft)
            .await
            .map_err(template_conflict)?;
        if !submit_now {
            return Ok(saved);
        }
        require_meta(&channel)?;
        return submit(app, &channel, &saved).await;
    };
    check_for_submit(content)?;
    let mut errors = FieldErrors::default();
    if content.name != current.content.name {
        errors.add(
            "content.name",
            "A submitted template keeps its name; duplicate it to use another.",
        );
    }
    if content.language != current.content.language {
        errors.add(
            "content.language",
            "A submitted template keeps its language; duplicate it for another.",
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    require_meta(&channel)?;
    edit(app, &channel, provider_id, content).await?;
    Ok(app
        .store
        .update_template(tenant, current.id, content, TemplateStatus::Pending)
        .await?)
}

/// Deletes a template at the provider by name (every language).
pub async fn delete_at_provider(app: &App, channel: &Channel, name: &str) -> Result<(), AppError> {
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    if let Err(err) = adapter.delete_template(name).await {
        channel_provider::record_failure(app, channel, &err).await?;
        return Err(channel_provider::provider_error(&err));
    }
    Ok(())
}

/// What a sync found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    /// Templates the provider listed (that we can show).
    pub listed: u64,
    /// Of those, the ones new here or whose status changed.
    pub changed: u64,
}

/// Pulls every template of the channel's account from the provider (all
/// pages): new ones appear, statuses and reasons update, and each status
/// change notifies the team. Shared by Refresh and the periodic job.
pub async fn sync_channel(app: &App, channel: &Channel) -> Result<Synced, AppError> {
    let account = account_of(channel)?;
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    let listed = match adapter.list_templates().await {
        Ok(listed) => listed,
        Err(err) => {
            channel_provider::record_failure(app, channel, &err).await?;
            return Err(channel_provider::provider_error(&err));
        }
    };
    let found: Vec<SyncedTemplate> = listed
        .iter()
        .filter_map(|t| {
            // Twilio's Content templates are listed read-only.
            let (content, status) = if channel.provider.speaks_graph_api() {
                providers::template_wire::content_from_meta(t)?
            } else {
                providers::template_wire::content_from_twilio(t)?
            };
            Some(SyncedTemplate {
                content,
                status,
                rejected_reason: t.rejected_reason.clone(),
                provider_id: t.id.clone(),
            })
        })
        .collect();
    let changes = app
        .store
        .sync_templates(channel.tenant_id, channel.id, &account, &found)
        .await?;
    for change in &changes {
        notify_status_change(&app.store, channel.tenant_id, change).await?;
    }
    Ok(Synced {
        listed: found.len() as u64,
        changed: changes.len() as u64,
    })
}

/// Meta's review decision: the template takes the new status at once and
/// the people who work with templates hear about it.
pub async fn apply_review_decision(app: &App, event: &ClaimedEvent) -> Result<(), String> {
    let store = &app.store;
    let WebhookEvent::TemplateStatus(update) =
        serde_json::from_str(&event.payload).map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let Some(status) = domain::template::TemplateStatus::from_meta(&update.event) else {
        return Ok(());
    };
    let channel = store
        .channel(event.tenant(), event.channel())
        .await
        .map_err(|e| e.to_string())?;
    let Some(account) = channel.published.get("waba_id") else {
        return Ok(());
    };
    let name_and_language = match (&update.name, &update.language) {
        (Some(name), Some(language)) => Some((name.as_str(), language.as_str())),
        _ => None,
    };
    let change = store
        .apply_template_status(
            event.tenant(),
            account,
            Some(&update.template_id),
            name_and_language,
            status,
            update.reason.as_deref(),
        )
        .await
        .map_err(|e| e.to_string())?;
    // A template nobody here knows yet arrives with the next sync.
    if let Some(change) = change {
        notify_status_change(store, event.tenant(), &change)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Tells the people who work with templates that one changed status.
async fn notify_status_change(
    store: &store::Store,
    tenant: domain::TenantId,
    change: &store::StatusChange,
) -> Result<(), store::StoreError> {
    let t = &change.template;
    let notice = domain::notification::template_status(
        &t.content.name,
        &t.content.language,
        t.id,
        t.status,
        t.rejected_reason.as_deref(),
    );
    store.notify(tenant, &notice).await?;
    Ok(())
}

/// Syncs every Graph channel's account once (the periodic job's round).
pub async fn sync_all(app: &App) {
    let channels = match app.store.graph_channels().await {
        Ok(channels) => channels,
        Err(e) => {
            tracing::warn!(error = %e, "listing channels for the template sync failed");
            return;
        }
    };
    let mut done = std::collections::HashSet::new();
    for channel in channels {
        let account = (
            channel.tenant_id,
            channel.published.get("waba_id").map(str::to_owned),
        );
        if !done.insert(account) {
            continue; // another channel of the same account was synced
        }
        match sync_channel(app, &channel).await {
            Ok(result) => {
                tracing::debug!(channel = %channel.id.0, listed = result.listed, changed = result.changed, "templates synced")
            }
            Err(e) => tracing::warn!(channel = %channel.id.0, error = %e, "template sync failed"),
        }
    }
}
