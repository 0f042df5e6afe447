//! Message templates: list and filter, drafts, submit to Meta with every
//! rule checked first, edit (back to review), duplicate, delete, Refresh from
//! the provider, previews with bound variables, and the template library.

use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use contract::templates::{
    CreateTemplateRequest, DuplicateTemplateRequest, LibraryTemplate, Preview, PreviewRequest,
    ShareTemplateRequest, Template as TemplateDto, TemplateContent as ContentDto,
    TemplateSyncResult, UpdateTemplateRequest, VariableBinding,
};
use contract::Page;
use domain::account::FieldErrors;
use domain::channel::Channel;
use domain::template::{
    render, Binding, Category, ParameterFormat, TemplateContent, TemplateStatus,
};
use domain::ChannelId;
use serde::Deserialize;
use store::{NewTemplate, TemplateFilter, TemplateRecord};
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;
use app::templates;
use domain::permissions::{Action, Module};

/// The template routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Templates, Action::Edit), sync_templates)
        .add(perm(Module::Templates, Action::View), list_templates)
        .add(perm(Module::Templates, Action::Create), create_template)
        .add(perm(Module::Templates, Action::View), template_library)
        .add(perm(Module::Templates, Action::View), preview_template)
        .add(perm(Module::Templates, Action::View), get_template)
        .add(perm(Module::Templates, Action::Edit), update_template)
        .add(perm(Module::Templates, Action::Delete), delete_template)
        .add(perm(Module::Templates, Action::Edit), submit_template)
        .add(perm(Module::Templates, Action::Create), duplicate_template)
        .add(perm(Module::Templates, Action::Edit), share_template);
}

/// The editor's content in domain terms; a bad category or format is a
/// field error.
fn content_in(dto: &ContentDto) -> Result<TemplateContent, ApiError> {
    let mut errors = FieldErrors::default();
    let category = Category::parse(&dto.category);
    if category.is_none() {
        errors.add(
            "content.category",
            "Choose marketing, utility or authentication.",
        );
    }
    let format = parameter_format_in(dto.parameter_format.as_deref(), &mut errors);
    let header = serde_json::to_value(&dto.header)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::Internal(format!("template header: {e}")))?;
    let buttons = serde_json::to_value(&dto.buttons)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::Internal(format!("template buttons: {e}")))?;
    match (category, format) {
        (Some(category), Some(parameter_format)) if errors.is_empty() => Ok(TemplateContent {
            name: dto.name.trim().to_owned(),
            language: dto.language.trim().to_owned(),
            category,
            parameter_format,
            header,
            body: dto.body.clone(),
            body_examples: dto.body_examples.clone(),
            footer: dto.footer.clone().filter(|f| !f.trim().is_empty()),
            buttons,
        }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Positional (the default) or named variables.
fn parameter_format_in(value: Option<&str>, errors: &mut FieldErrors) -> Option<ParameterFormat> {
    match value {
        None | Some("positional") => Some(ParameterFormat::Positional),
        Some("named") => Some(ParameterFormat::Named),
        Some(_) => {
            errors.add(
                "content.parameter_format",
                "Choose positional ({{1}}) or named ({{name}}) variables.",
            );
            None
        }
    }
}

fn content_out(c: &TemplateContent) -> Result<ContentDto, ApiError> {
    serde_json::to_value(c)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::Internal(format!("template content: {e}")))
}

fn template_dto(r: &TemplateRecord) -> Result<TemplateDto, ApiError> {
    Ok(TemplateDto {
        id: r.id,
        channel_id: r.channel_id.0,
        status: r.status.key().to_owned(),
        rejected_reason: r.rejected_reason.clone(),
        provider_id: r.provider_id.clone(),
        shared: r.shared,
        content: content_out(&r.content)?,
        created_at: r.created_at,
        updated_at: r.updated_at,
        submitted_at: r.submitted_at,
        synced_at: r.synced_at,
    })
}

async fn channel_of(state: &AppState, auth: &Authenticated, id: Uuid) -> Result<Channel, ApiError> {
    state
        .store
        .channel(auth.tenant(), ChannelId(id))
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => {
                ApiError::field("channel_id", "Choose a channel of this tenant.")
            }
            other => other.into(),
        })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `draft`, `pending`, `approved`, `rejected`, `paused`, `disabled`, `in_appeal`.
    pub status: Option<String>,
    /// `marketing`, `utility` or `authentication`.
    pub category: Option<String>,
    /// e.g. `en_US`.
    pub language: Option<String>,
    /// Templates a channel can send (those of its WhatsApp account).
    pub channel_id: Option<Uuid>,
    /// Part of the name.
    pub q: Option<String>,
}

impl TemplateQuery {
    /// The status and category asked for; an unknown one is a field error.
    fn status_and_category(&self) -> Result<(Option<TemplateStatus>, Option<Category>), ApiError> {
        let mut errors = FieldErrors::default();
        let status = self
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                let parsed = TemplateStatus::parse(s);
                if parsed.is_none() {
                    errors.add("status", "Unknown status.");
                }
                parsed
            });
        let category = self
            .category
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                let parsed = Category::parse(s);
                if parsed.is_none() {
                    errors.add("category", "Choose marketing, utility or authentication.");
                }
                parsed
            });
        if errors.is_empty() {
            Ok((status, category))
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Templates of the tenant, most recent first.
#[utoipa::path(tag = "templates", params(TemplateQuery, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<TemplateDto>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<TemplateQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<TemplateDto>>, ApiError> {
    let page = page.request()?;
    let (status, category) = query.status_and_category()?;
    let accounts = match query.channel_id {
        Some(id) => Some(vec![templates::account_of(
            &channel_of(&state, &auth, id).await?,
        )?]),
        None => None,
    };
    let filter = TemplateFilter {
        status,
        category,
        language: query.language.clone().filter(|l| !l.is_empty()),
        accounts,
        q: query.q.clone(),
        shared: None,
    };
    let found = state
        .store
        .list_templates(auth.tenant(), &filter, page)
        .await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&found, page.limit, |t| t.id),
        items: found.iter().map(template_dto).collect::<Result<_, _>>()?,
        total: None,
    }))
}

/// Creates a template on a Meta channel's WhatsApp account. Every Meta rule
/// is checked first (422 with the broken rules by field); then it is
/// submitted for review, or kept as a draft with `submit: false`.
#[utoipa::path(tag = "templates", request_body = CreateTemplateRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = TemplateDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateTemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let content = content_in(&request.content)?;
    let submit_now = request.submit.unwrap_or(true);
    let channel = ChannelId(request.channel_id);
    let actor = Some(auth.user_id().0);
    let record =
        templates::create(&state, auth.tenant(), channel, actor, content, submit_now).await?;
    Ok(HttpResponse::Created().json(template_dto(&record)?))
}

#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = TemplateDto), Unauthenticated, Forbidden, NotFound,
))]
#[get("/templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<TemplateDto>, ApiError> {
    let record = state.store.template(auth.tenant(), *id).await?;
    Ok(web::Json(template_dto(&record)?))
}

/// Edits a template. A draft is saved (and submitted with `submit: true`);
/// a submitted template is re-submitted with its new content and goes back
/// to `pending`. A submitted template keeps its name and language.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), request_body = UpdateTemplateRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Saved", body = TemplateDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<UpdateTemplateRequest>,
) -> Result<web::Json<TemplateDto>, ApiError> {
    let request = body.into_inner();
    let content = content_in(&request.content)?;
    let submit = request.submit.unwrap_or(false);
    let record = templates::update(&state, auth.tenant(), *id, &content, submit).await?;
    Ok(web::Json(template_dto(&record)?))
}

/// Submits a draft for review.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Submitted", body = TemplateDto),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[post("/templates/{id}/submit")]
pub async fn submit_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<TemplateDto>, ApiError> {
    let current = state.store.template(auth.tenant(), *id).await?;
    if current.provider_id.is_some() {
        return Err(ApiError::conflict(
            "already_submitted",
            "This template was submitted already; edit it to submit changes.",
        ));
    }
    templates::check_for_submit(&current.content)?;
    let channel = state
        .store
        .channel(auth.tenant(), current.channel_id)
        .await?;
    templates::require_meta(&channel)?;
    let record = templates::submit(&state, &channel, &current).await?;
    Ok(web::Json(template_dto(&record)?))
}

/// Copies a template under a new name as a draft (not submitted).
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), request_body = DuplicateTemplateRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "The copy", body = TemplateDto), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[post("/templates/{id}/duplicate")]
pub async fn duplicate_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<DuplicateTemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let current = state.store.template(auth.tenant(), *id).await?;
    let content = TemplateContent {
        name: request.name.trim().to_owned(),
        ..current.content.clone()
    };
    templates::check_for_draft(&content)?;
    let channel = match request.channel_id {
        Some(other) => channel_of(&state, &auth, other).await?,
        None => {
            state
                .store
                .channel(auth.tenant(), current.channel_id)
                .await?
        }
    };
    templates::require_meta(&channel)?;
    let new = NewTemplate {
        channel_id: channel.id,
        account_id: templates::account_of(&channel)?,
        content,
        created_by: Some(auth.user_id().0),
    };
    let copy = state
        .store
        .create_template(auth.tenant(), &new, TemplateStatus::Draft)
        .await
        .map_err(templates::template_conflict)?;
    Ok(HttpResponse::Created().json(template_dto(&copy)?))
}

/// Deletes a template. A submitted one is deleted at Meta by name, in every
/// language, and Meta keeps the name blocked for 30 days.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[delete("/templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let current = state.store.template(auth.tenant(), *id).await?;
    if current.provider_id.is_none() {
        state
            .store
            .delete_template(auth.tenant(), current.id)
            .await?;
        return Ok(HttpResponse::NoContent().finish());
    }
    let channel = state
        .store
        .channel(auth.tenant(), current.channel_id)
        .await?;
    templates::require_meta(&channel)?;
    templates::delete_at_provider(&state, &channel, &current.content.name).await?;
    state
        .store
        .delete_templates_named(auth.tenant(), &current.account_id, &current.content.name)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Offers a template in the tenant's library, or stops offering it.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), request_body = ShareTemplateRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Saved", body = TemplateDto), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[put("/templates/{id}/shared")]
pub async fn share_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<ShareTemplateRequest>,
) -> Result<web::Json<TemplateDto>, ApiError> {
    let record = state
        .store
        .set_template_shared(auth.tenant(), *id, body.into_inner().shared)
        .await?;
    Ok(web::Json(template_dto(&record)?))
}

/// Refresh: pulls every template of the channel's WhatsApp account from
/// Meta (all pages). New ones appear, statuses and reasons update, and each
/// status change notifies the team. On a Twilio channel it lists the
/// account's Content API templates (ContentSid and variables), read-only.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Synced", body = TemplateSyncResult),
    (status = 502, description = "The provider could not be reached", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/channels/{id}/templates/sync")]
pub async fn sync_templates(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<TemplateSyncResult>, ApiError> {
    let channel = state.store.channel(auth.tenant(), ChannelId(*id)).await?;
    let synced = templates::sync_channel(&state, &channel).await?;
    Ok(web::Json(TemplateSyncResult {
        listed: synced.listed,
        changed: synced.changed,
    }))
}

/// Renders a template with bound variables, for a contact or with sample
/// values; `problems` names variables that would go out empty.
#[utoipa::path(tag = "templates", request_body = PreviewRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Rendered", body = Preview), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/templates/preview")]
pub async fn preview_template(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<PreviewRequest>,
) -> Result<web::Json<Preview>, ApiError> {
    let request = body.into_inner();
    let content = match (&request.content, request.template_id) {
        (Some(content), _) => content_in(content)?,
        (None, Some(id)) => state.store.template(auth.tenant(), id).await?.content,
        (None, None) => {
            return Err(ApiError::field(
                "content",
                "Send the template's content or its template_id.",
            ))
        }
    };
    let contact = match request.contact_id {
        Some(id) => Some(state.store.contact(auth.tenant(), id).await?),
        None => None,
    };
    let bindings: BTreeMap<String, Binding> = request
        .bindings
        .into_iter()
        .map(|(key, b)| (key, binding_in(b)))
        .collect();
    Ok(web::Json(preview_dto(render(
        &content,
        &bindings,
        contact.as_ref(),
    ))))
}

fn binding_in(binding: VariableBinding) -> Binding {
    match binding {
        VariableBinding::Fixed { value } => Binding::Fixed { value },
        VariableBinding::Field { field, fallback } => Binding::Field { field, fallback },
    }
}

fn preview_dto(rendered: domain::template::Rendered) -> Preview {
    Preview {
        complete: rendered.complete(),
        header: rendered.header,
        body: rendered.body,
        footer: rendered.footer,
        button_urls: rendered.button_urls,
        problems: rendered
            .problems
            .into_iter()
            .map(|(k, p)| {
                let word = match p {
                    domain::template::VariableProblem::Unbound => "unbound",
                    domain::template::VariableProblem::Empty => "empty",
                };
                (k, word.to_owned())
            })
            .collect(),
    }
}

/// Ready-made templates: the built-in examples and the tenant's shared ones.
#[utoipa::path(tag = "templates", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Vec<LibraryTemplate>), Unauthenticated, Forbidden,
))]
#[get("/templates/library")]
pub async fn template_library(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Vec<LibraryTemplate>>, ApiError> {
    let mut out = Vec::new();
    for e in domain::template_library::builtin() {
        out.push(LibraryTemplate {
            id: format!("builtin:{}", e.key),
            source: "builtin".into(),
            title: e.title.into(),
            description: e.description.into(),
            content: content_out(&e.content)?,
        });
    }
    let filter = TemplateFilter {
        shared: Some(true),
        ..TemplateFilter::default()
    };
    let shared = state
        .store
        .list_templates(
            auth.tenant(),
            &filter,
            store::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await?;
    for t in shared {
        out.push(LibraryTemplate {
            id: t.id.to_string(),
            source: "tenant".into(),
            title: t.content.name.replace('_', " "),
            description: format!("Shared in this tenant ({})", t.content.language),
            content: content_out(&t.content)?,
        });
    }
    Ok(web::Json(out))
}
