//! The signed-in person's notifications in the current tenant.

use actix_web::{get, post, web, HttpResponse};
use contract::notifications::{Notification, NotificationPage};
use domain::permissions::{Action, Module};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The notification routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(
            perm(Module::Notifications, Action::View),
            list_notifications,
        )
        .add(perm(Module::Notifications, Action::View), mark_all_read)
        .add(perm(Module::Notifications, Action::View), mark_read);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
}

pub fn dto(n: domain::notification::Notification) -> Notification {
    Notification {
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        link: n.link,
        created_at: n.created_at,
        read_at: n.read_at,
    }
}

/// Newest first, with the unread count for the bell.
#[utoipa::path(tag = "notifications", params(NotificationFilter, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = NotificationPage), Unauthenticated, Forbidden, Invalid,
))]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    auth: Authenticated,
    filter: web::Query<NotificationFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<NotificationPage>, ApiError> {
    let page = page.request()?;
    let (items, unread) = state
        .store
        .notifications(auth.tenant(), auth.user_id(), filter.unread, page)
        .await?;
    Ok(web::Json(NotificationPage {
        next_cursor: next_cursor(&items, page.limit, |n| n.id),
        items: items.into_iter().map(dto).collect(),
        unread,
    }))
}

/// Marks one notification read.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Read"), Unauthenticated, Forbidden, NotFound,
))]
#[post("/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .mark_notification_read(auth.tenant(), auth.user_id(), *id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks every notification read.
#[utoipa::path(tag = "notifications", security(("bearer_jwt" = [])), responses(
    (status = 204, description = "All read"), Unauthenticated, Forbidden,
))]
#[post("/notifications/read-all")]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .mark_all_notifications_read(auth.tenant(), auth.user_id())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
