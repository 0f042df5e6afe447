//! Message templates: the list, the editor's calls, review, sync and the
//! library.

use contract::templates::{
    CreateTemplateRequest, DuplicateTemplateRequest, LibraryTemplate, Preview, PreviewRequest,
    ShareTemplateRequest, Template, TemplateSyncResult, UpdateTemplateRequest,
};
use contract::Page;
use uuid::Uuid;

use super::super::{encode, ApiError, Verb};
use super::Authed;

impl Authed {
    /// `filters` are the `GET /templates` query pairs (empty values are skipped).
    pub async fn templates(
        &self,
        filters: &[(String, String)],
        cursor: Option<&str>,
    ) -> Result<Page<Template>, ApiError> {
        let mut path = "/templates?limit=100".to_string();
        for (k, v) in filters.iter().filter(|(_, v)| !v.trim().is_empty()) {
            path.push_str(&format!("&{k}={}", encode(v.trim())));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn template(&self, id: Uuid) -> Result<Template, ApiError> {
        self.get(&format!("/templates/{id}")).await
    }

    pub async fn create_template(&self, req: &CreateTemplateRequest) -> Result<Template, ApiError> {
        self.with_body(Verb::Post, "/templates", req).await
    }

    pub async fn update_template(
        &self,
        id: Uuid,
        req: &UpdateTemplateRequest,
    ) -> Result<Template, ApiError> {
        self.with_body(Verb::Patch, &format!("/templates/{id}"), req)
            .await
    }

    pub async fn submit_template(&self, id: Uuid) -> Result<Template, ApiError> {
        decode_post(self, &format!("/templates/{id}/submit")).await
    }

    pub async fn duplicate_template(
        &self,
        id: Uuid,
        req: &DuplicateTemplateRequest,
    ) -> Result<Template, ApiError> {
        self.with_body(Verb::Post, &format!("/templates/{id}/duplicate"), req)
            .await
    }

    pub async fn share_template(&self, id: Uuid, shared: bool) -> Result<Template, ApiError> {
        self.with_body(
            Verb::Put,
            &format!("/templates/{id}/shared"),
            &ShareTemplateRequest { shared },
        )
        .await
    }

    pub async fn delete_template(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/templates/{id}"), None)
            .await
    }

    pub async fn preview_template(&self, req: &PreviewRequest) -> Result<Preview, ApiError> {
        self.with_body(Verb::Post, "/templates/preview", req).await
    }

    pub async fn template_library(&self) -> Result<Vec<LibraryTemplate>, ApiError> {
        self.get("/templates/library").await
    }

    /// Refresh: pulls the channel's WhatsApp account templates and statuses.
    pub async fn sync_templates(&self, channel_id: Uuid) -> Result<TemplateSyncResult, ApiError> {
        decode_post(self, &format!("/channels/{channel_id}/templates/sync")).await
    }
}

/// A POST without a body that answers JSON.
async fn decode_post<T: serde::de::DeserializeOwned>(
    api: &Authed,
    path: &str,
) -> Result<T, ApiError> {
    super::super::decode(api.send(Verb::Post, path, None).await?).await
}
