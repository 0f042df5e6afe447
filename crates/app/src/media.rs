//! The media gallery's use-cases shared by sends, template submissions and
//! the gallery's own routes.

use chrono::Utc;
use domain::channel::Channel;
use store::{MediaRecord, ProviderUploadRecord};

use crate::channel_provider;
use crate::error::AppError;
use crate::App;

/// Meta keeps uploaded media for 30 days.
const PROVIDER_MEDIA_DAYS: i64 = 30;
/// A remembered provider id is reused only while it has this long left,
/// so that a send or a template review started now can still use it.
const PROVIDER_MEDIA_MARGIN_HOURS: i64 = 24;

/// The channel's provider id for a gallery file: a remembered one while it
/// has at least a day left, otherwise the file is uploaded now (Meta keeps
/// it 30 days). Answers the record and whether it was reused.
pub async fn ensure_on_channel(
    app: &App,
    channel: &Channel,
    record: &MediaRecord,
) -> Result<(ProviderUploadRecord, bool), AppError> {
    if !channel.provider.speaks_graph_api() {
        return Err(AppError::Unprocessable {
            code: "not_for_provider",
            detail: "Twilio sends media by link; uploads are for Meta channels.".into(),
        });
    }
    let now = Utc::now();
    if let Some(known) = app
        .store
        .provider_upload(record.tenant_id, record.id, channel.id)
        .await?
    {
        if known.expires_at > now + chrono::Duration::hours(PROVIDER_MEDIA_MARGIN_HOURS) {
            return Ok((known, true));
        }
    }
    let bytes = app.media.read_all(&record.object_key).await?;
    let adapter = channel_provider::adapter(app, channel, &channel.published)?;
    let upload = providers::MediaUpload {
        bytes,
        mime_type: record.mime_type.clone(),
        filename: record.name.clone(),
    };
    let provider_id = match adapter.upload_media(&upload).await {
        Ok(id) => id,
        Err(err) => {
            channel_provider::record_failure(app, channel, &err).await?;
            return Err(channel_provider::provider_error(&err));
        }
    };
    let saved = app
        .store
        .save_provider_upload(
            record.tenant_id,
            record.id,
            channel.id,
            &provider_id,
            now + chrono::Duration::days(PROVIDER_MEDIA_DAYS),
        )
        .await?;
    Ok((saved, false))
}
