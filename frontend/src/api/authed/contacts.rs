//! Contacts, tags, custom attributes and groups.

use std::collections::BTreeMap;

use contract::contacts::{
    AttributeDefinition, AttributeRequest, BulkContactsRequest, BulkResult, Contact, ContactEvent,
    ContactGroup, CreateContactRequest, GroupMembersRequest, GroupRef, GroupRequest, Tag,
    TagRequest, UpdateContactRequest,
};
use contract::Page;
use uuid::Uuid;

use super::super::{encode, ApiError, Verb};
use super::Authed;

/// Which bulk action `POST /contacts/bulk/{action}` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Delete,
    Tag,
    Untag,
}

impl BulkAction {
    fn path(self) -> &'static str {
        match self {
            BulkAction::Delete => "/contacts/bulk/delete",
            BulkAction::Tag => "/contacts/bulk/tag",
            BulkAction::Untag => "/contacts/bulk/untag",
        }
    }
}

impl Authed {
    /// `filters` are the `GET /contacts` query pairs (empty values are skipped).
    pub async fn contacts(
        &self,
        filters: &[(String, String)],
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<Contact>, ApiError> {
        let mut path = format!("/contacts?limit={limit}");
        for (k, v) in filters.iter().filter(|(_, v)| !v.trim().is_empty()) {
            path.push_str(&format!("&{k}={}", encode(v.trim())));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", encode(c)));
        }
        self.get(&path).await
    }

    pub async fn contact(&self, id: Uuid) -> Result<Contact, ApiError> {
        self.get(&format!("/contacts/{id}")).await
    }

    pub async fn create_contact(&self, req: &CreateContactRequest) -> Result<Contact, ApiError> {
        self.with_body(Verb::Post, "/contacts", req).await
    }

    pub async fn update_contact(
        &self,
        id: Uuid,
        req: &UpdateContactRequest,
    ) -> Result<Contact, ApiError> {
        self.with_body(Verb::Patch, &format!("/contacts/{id}"), req)
            .await
    }

    pub async fn delete_contact(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/contacts/{id}"), None)
            .await
    }

    pub async fn contact_timeline(&self, id: Uuid) -> Result<Vec<ContactEvent>, ApiError> {
        self.get(&format!("/contacts/{id}/timeline")).await
    }

    pub async fn contact_groups(&self, id: Uuid) -> Result<Vec<GroupRef>, ApiError> {
        self.get(&format!("/contacts/{id}/groups")).await
    }

    pub async fn bulk_contacts(
        &self,
        action: BulkAction,
        req: &BulkContactsRequest,
    ) -> Result<BulkResult, ApiError> {
        self.with_body(Verb::Post, action.path(), req).await
    }

    // --- tags -------------------------------------------------------------------

    pub async fn tags(&self) -> Result<Vec<Tag>, ApiError> {
        self.get("/tags").await
    }

    pub async fn create_tag(&self, req: &TagRequest) -> Result<Tag, ApiError> {
        self.with_body(Verb::Post, "/tags", req).await
    }

    pub async fn update_tag(&self, id: Uuid, req: &TagRequest) -> Result<Tag, ApiError> {
        self.with_body(Verb::Patch, &format!("/tags/{id}"), req)
            .await
    }

    pub async fn delete_tag(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/tags/{id}"), None)
            .await
    }

    // --- custom attributes ------------------------------------------------------

    pub async fn attributes(&self) -> Result<Vec<AttributeDefinition>, ApiError> {
        self.get("/attributes").await
    }

    pub async fn create_attribute(
        &self,
        req: &AttributeRequest,
    ) -> Result<AttributeDefinition, ApiError> {
        self.with_body(Verb::Post, "/attributes", req).await
    }

    pub async fn delete_attribute(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/attributes/{id}"), None)
            .await
    }

    // --- groups -----------------------------------------------------------------

    pub async fn groups(&self) -> Result<Vec<ContactGroup>, ApiError> {
        self.get("/groups").await
    }

    pub async fn group(&self, id: Uuid) -> Result<ContactGroup, ApiError> {
        self.get(&format!("/groups/{id}")).await
    }

    pub async fn create_group(&self, req: &GroupRequest) -> Result<ContactGroup, ApiError> {
        self.with_body(Verb::Post, "/groups", req).await
    }

    pub async fn update_group(
        &self,
        id: Uuid,
        req: &GroupRequest,
    ) -> Result<ContactGroup, ApiError> {
        self.with_body(Verb::Patch, &format!("/groups/{id}"), req)
            .await
    }

    pub async fn delete_group(&self, id: Uuid) -> Result<(), ApiError> {
        self.no_content(Verb::Delete, &format!("/groups/{id}"), None)
            .await
    }

    /// Adds contacts by id, or every contact matching `match_filter`.
    pub async fn add_group_members(
        &self,
        id: Uuid,
        contact_ids: Vec<Uuid>,
        match_filter: Option<BTreeMap<String, String>>,
    ) -> Result<BulkResult, ApiError> {
        let req = GroupMembersRequest {
            contact_ids,
            match_filter,
        };
        self.with_body(Verb::Post, &format!("/groups/{id}/members"), &req)
            .await
    }

    pub async fn remove_group_members(
        &self,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> Result<BulkResult, ApiError> {
        let req = GroupMembersRequest {
            contact_ids,
            match_filter: None,
        };
        self.with_body(Verb::Post, &format!("/groups/{id}/members/remove"), &req)
            .await
    }
}
