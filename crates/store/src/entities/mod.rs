//! sea-orm entities. They never leave this crate: repositories return domain types.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod tenant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tenants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub company_name: String,
        pub time_zone: String,
        pub default_country: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub email: String,
        pub name: String,
        pub password_hash: Option<String>,
        pub language: String,
        pub sounds: String,
        pub chat_sync: bool,
        pub is_instance_admin: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Bumped when every session of the account must end (m0016).
        pub session_version: i64,
    }
    no_relations!();
}

pub mod role {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub name: String,
        pub description: String,
        pub builtin: Option<String>,
        pub permissions: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod membership {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "memberships")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub role_id: Uuid,
        pub status: String,
        pub joined_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
        /// Bumped when the member's sessions in this tenant must end (m0016).
        pub session_version: i64,
        pub display_name: Option<String>,
    }
    no_relations!();
}

pub mod refresh_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub user_id: Uuid,
        pub family_id: Uuid,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod password_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub purpose: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        pub tenant_id: Option<Uuid>,
    }
    no_relations!();
}

pub mod login_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Option<Uuid>,
        pub email: String,
        pub at: DateTimeUtc,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub success: bool,
        pub tenant_id: Option<Uuid>,
    }
    no_relations!();
}

pub mod channel {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "channels")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub name: String,
        pub provider: String,
        pub active: bool,
        pub status: String,
        pub status_code: Option<String>,
        pub status_message: Option<String>,
        pub checked_at: Option<DateTimeUtc>,
        pub subscribed: Option<bool>,
        pub quality_rating: Option<String>,
        pub phone_number_id: Option<String>,
        pub waba_id: Option<String>,
        pub fields: String,
        pub secrets: Option<String>,
        pub draft_fields: Option<String>,
        pub draft_secrets: Option<String>,
        pub draft_status: Option<String>,
        pub draft_status_code: Option<String>,
        pub draft_status_message: Option<String>,
        pub api_token_hash: Option<String>,
        pub api_token_created_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod webhook_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub channel_id: Uuid,
        pub provider: String,
        pub event_key: String,
        pub kind: String,
        pub payload: String,
        pub state: String,
        pub attempts: i32,
        pub received_at: DateTimeUtc,
        pub next_attempt_at: DateTimeUtc,
        pub processed_at: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        /// The channel and customer whose events are applied in order.
        pub group_key: String,
        /// A status waiting for its message: that message's provider id.
        pub waits_for: Option<String>,
    }
    no_relations!();
}

pub mod notification {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub user_id: Uuid,
        pub kind: String,
        pub title: String,
        pub body: String,
        pub link: Option<String>,
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

macro_rules! simple_entity {
    ($module:ident, $table:literal, { $($(#[$attr:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                $($(#[$attr])* pub $field: $ty,)*
            }
            no_relations!();
        }
    };
}

simple_entity!(contact, "contacts", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    name: String,
    phone: String,
    email: Option<String>,
    country_code: String,
    iso_code: Option<String>,
    source: String,
    opt_in: String,
    opt_in_at: Option<DateTimeUtc>,
    opt_in_source: Option<String>,
    first_message_tag: Option<String>,
    created_at: DateTimeUtc,
    updated_at: DateTimeUtc,
    last_active_at: Option<DateTimeUtc>,
    deleted_at: Option<DateTimeUtc>,
    /// The import that created the contact, if one did.
    import_id: Option<Uuid>,
    /// Custom attribute values: a JSON object of key -> text.
    attributes: Json,
});

simple_entity!(tag, "tags", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    name: String,
    name_key: String,
    colour: String,
    created_at: DateTimeUtc,
});

simple_entity!(contact_tag, "contact_tags", {
    tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] contact_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] tag_id: Uuid,
});

simple_entity!(attribute_definition, "attribute_definitions", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    key: String,
    name: String,
    kind: String,
    created_at: DateTimeUtc,
});

simple_entity!(contact_group, "contact_groups", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    name: String,
    description: String,
    created_at: DateTimeUtc,
});

simple_entity!(group_member, "group_members", {
    tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] group_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] contact_id: Uuid,
    added_at: DateTimeUtc,
});

simple_entity!(contact_event, "contact_events", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    contact_id: Uuid,
    kind: String,
    detail: String,
    actor_id: Option<Uuid>,
    at: DateTimeUtc,
});

simple_entity!(contact_import, "contact_imports", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    created_by: Uuid,
    file_name: String,
    file_path: String,
    state: String,
    mapping: Option<String>,
    options: Option<String>,
    total_rows: i64,
    processed_rows: i64,
    added: i64,
    updated: i64,
    failed: i64,
    error: Option<String>,
    created_at: DateTimeUtc,
    started_at: Option<DateTimeUtc>,
    finished_at: Option<DateTimeUtc>,
    lease_until: Option<DateTimeUtc>,
});

simple_entity!(contact_import_failure, "contact_import_failures", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    import_id: Uuid,
    line: i64,
    reason: String,
    cells: String,
});

simple_entity!(template, "templates", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    channel_id: Uuid,
    account_id: String,
    name: String,
    language: String,
    category: String,
    status: String,
    rejected_reason: Option<String>,
    provider_id: Option<String>,
    content: String,
    shared: bool,
    created_by: Option<Uuid>,
    created_at: DateTimeUtc,
    updated_at: DateTimeUtc,
    submitted_at: Option<DateTimeUtc>,
    synced_at: Option<DateTimeUtc>,
});

simple_entity!(scheduled_job, "scheduled_jobs", {
    #[sea_orm(primary_key, auto_increment = false)] name: String,
    next_run_at: DateTimeUtc,
});

simple_entity!(media, "media", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    name: String,
    kind: String,
    mime_type: String,
    size_bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    object_key: String,
    sha256: Option<String>,
    created_by: Option<Uuid>,
    created_at: DateTimeUtc,
    updated_at: DateTimeUtc,
    deleted_at: Option<DateTimeUtc>,
});

simple_entity!(media_provider_upload, "media_provider_uploads", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    media_id: Uuid,
    channel_id: Uuid,
    provider_media_id: String,
    expires_at: DateTimeUtc,
    uploaded_at: DateTimeUtc,
});

simple_entity!(conversation, "conversations", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    channel_id: Uuid,
    contact_id: Uuid,
    state: String,
    controller_id: Option<Uuid>,
    chatbot_enabled: bool,
    unread_count: i32,
    last_message_at: DateTimeUtc,
    last_inbound_at: Option<DateTimeUtc>,
    last_preview: String,
    last_direction: String,
    last_status: String,
    archived_at: Option<DateTimeUtc>,
    deleted_at: Option<DateTimeUtc>,
    created_at: DateTimeUtc,
    updated_at: DateTimeUtc,
    session_stage: i32,
    session_stage_at: Option<DateTimeUtc>,
});

simple_entity!(channel_session_setting, "channel_session_settings", {
    #[sea_orm(primary_key, auto_increment = false)] channel_id: Uuid,
    tenant_id: Uuid,
    enabled: bool,
    ask_after_minutes: i32,
    end_after_minutes: i32,
    ask_text: String,
    end_text: String,
    updated_at: DateTimeUtc,
});

simple_entity!(message, "messages", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    conversation_id: Uuid,
    direction: String,
    kind: String,
    body: Option<String>,
    content: String,
    provider_message_id: Option<String>,
    status: String,
    error_code: Option<String>,
    error_title: Option<String>,
    error_detail: Option<String>,
    reply_to_id: Option<Uuid>,
    media_id: Option<Uuid>,
    sent_by: Option<Uuid>,
    created_at: DateTimeUtc,
    status_at: Option<DateTimeUtc>,
});

simple_entity!(message_star, "message_stars", {
    tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)] message_id: Uuid,
    starred_at: DateTimeUtc,
});

simple_entity!(quick_reply, "quick_replies", {
    #[sea_orm(primary_key, auto_increment = false)] id: Uuid,
    tenant_id: Uuid,
    shortcut: String,
    shortcut_key: String,
    body: String,
    channel_ids: String,
    created_by: Option<Uuid>,
    created_at: DateTimeUtc,
    updated_at: DateTimeUtc,
});

simple_entity!(stream_ticket, "stream_tickets", {
    #[sea_orm(primary_key, auto_increment = false)] ticket_hash: String,
    tenant_id: Uuid,
    user_id: Uuid,
    expires_at: DateTimeUtc,
    account_version: i64,
    membership_version: i64,
});
