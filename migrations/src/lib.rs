//! Switchboard's schema as sea-orm migrations. They run on SQLite and
//! PostgreSQL, up and down; `switchboard migrate` and start-up apply them.

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_channels;
mod m0003_notifications;
mod m0004_contacts;
mod m0005_imports;
mod m0006_contact_list_index;
mod m0007_templates;
mod m0008_media;
mod m0009_inbox;
mod m0010_session_behaviour;
mod m0011_contact_counts;
mod m0012_contact_import_origin;
mod m0013_drop_contact_name_index;
mod m0014_contact_attributes_inline;
mod m0015_invitations;
mod m0016_session_versions;
mod m0017_webhook_events_per_channel;
mod m0018_number_claims_need_validation;
mod m0019_message_media_index;
mod m0020_event_groups;
mod m0021_contact_search;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_channels::Migration),
            Box::new(m0003_notifications::Migration),
            Box::new(m0004_contacts::Migration),
            Box::new(m0005_imports::Migration),
            Box::new(m0006_contact_list_index::Migration),
            Box::new(m0007_templates::Migration),
            Box::new(m0008_media::Migration),
            Box::new(m0009_inbox::Migration),
            Box::new(m0010_session_behaviour::Migration),
            Box::new(m0011_contact_counts::Migration),
            Box::new(m0012_contact_import_origin::Migration),
            Box::new(m0013_drop_contact_name_index::Migration),
            Box::new(m0014_contact_attributes_inline::Migration),
            Box::new(m0015_invitations::Migration),
            Box::new(m0016_session_versions::Migration),
            Box::new(m0017_webhook_events_per_channel::Migration),
            Box::new(m0018_number_claims_need_validation::Migration),
            Box::new(m0019_message_media_index::Migration),
            Box::new(m0020_event_groups::Migration),
            Box::new(m0021_contact_search::Migration),
        ]
    }
}
