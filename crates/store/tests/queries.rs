//! The store's tricky queries against a real database (#17 point 7): cursor
//! pages that walk every row once, upserts that keep one row, and counters.
//! SQLite by default; PostgreSQL with
//! `TEST_DB=postgres TEST_POSTGRES_URL=postgres://...` (a scratch database
//! per test, dropped afterwards), as the API tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::channel::{Credentials, Provider};
use domain::contact::{AttributeKind, ContactFilter, OptIn, Phone};
use domain::conversation::{MessageStatus, QuickReplyDraft};
use domain::team::MemberStatus;
use domain::tenant::TenantSettings;
use domain::{ChannelId, TenantId};
use store::{
    ContactChanges, ConversationFilter, InboundOutcome, NewAccount, NewChannel, NewContact,
    NewInbound, NewOutbound, PageRequest, StatusOutcome, StatusReport, Store, StoreError,
};
use uuid::Uuid;

/// A migrated database of its own; a PostgreSQL one is dropped afterwards.
struct TestStore {
    store: Store,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestStore {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let postgres = std::env::var("TEST_DB").is_ok_and(|v| v == "postgres");
        let (url, postgres) = if postgres {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .expect("TEST_DB=postgres needs TEST_POSTGRES_URL");
            let name = format!("sb_store_{}", Uuid::new_v4().simple());
            store::scratch::create_postgres_database(&admin, &name)
                .await
                .expect("create test database");
            (
                store::scratch::database_url(&admin, &name),
                Some((admin, name)),
            )
        } else {
            (
                format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
                None,
            )
        };
        let store = Store::connect(&url, 4)
            .await
            .expect("connect")
            .with_secrets(&[7; 32]);
        store.migrate().await.expect("migrate");
        TestStore {
            store,
            _dir: dir,
            postgres,
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // The test's runtime is shutting down; drop from a fresh one.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    let _ = rt.block_on(store::scratch::drop_postgres_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

async fn tenant(store: &Store, name: &str) -> TenantId {
    let settings = TenantSettings {
        name: name.into(),
        company_name: name.into(),
        time_zone: "UTC".into(),
        default_country: "US".into(),
    };
    let owner = NewAccount {
        email: format!("{}@example.com", name.to_lowercase()),
        name: "Owner".into(),
        password_hash: None,
    };
    let (tenant, _, _) = store
        .create_tenant(&settings, &owner, MemberStatus::Active)
        .await
        .expect("tenant");
    tenant.id
}

async fn channel(store: &Store, tenant: TenantId) -> ChannelId {
    let new = NewChannel {
        name: "Support".into(),
        provider: Provider::Sandbox,
        active: true,
        credentials: Credentials {
            fields: BTreeMap::new(),
            secrets: BTreeMap::new(),
        },
    };
    store
        .create_channel(tenant, &new)
        .await
        .expect("channel")
        .id
}

fn phone(n: u32) -> Phone {
    Phone {
        e164: format!("+1415555{n:04}"),
        country_code: "1".into(),
        iso_code: Some("US".into()),
    }
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(minute.into())
}

async fn inbound(
    store: &Store,
    tenant: TenantId,
    channel: ChannelId,
    customer: u32,
    provider_id: &str,
    when: DateTime<Utc>,
) -> InboundOutcome {
    let new = NewInbound {
        channel_id: channel,
        phone: phone(customer),
        profile_name: Some(format!("Customer {customer}")),
        provider_message_id: provider_id.into(),
        kind: "text".into(),
        body: Some(format!("Hello from {customer}")),
        content: serde_json::json!({}),
        media_id: None,
        reply_to_provider_id: None,
        at: when,
    };
    store.record_inbound(tenant, &new).await.expect("inbound")
}

fn contact(n: u32) -> NewContact {
    NewContact {
        name: format!("Contact {n}"),
        phone: phone(n),
        email: None,
        source: "manual".into(),
        opt_in: OptIn::Unknown,
        tags: vec![],
        attributes: BTreeMap::new(),
    }
}

#[tokio::test]
async fn conversation_pages_walk_every_conversation_once_in_order_with_tied_times() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let ch = channel(store, t).await;
    // Seven customers; three last wrote at the same minute, two at another.
    let minutes = [5, 9, 9, 9, 2, 7, 7];
    for (i, minute) in minutes.iter().enumerate() {
        let n = u32::try_from(i).unwrap();
        inbound(store, t, ch, n, &format!("wamid.{n}"), at(*minute)).await;
    }
    // Someone else's conversation never shows.
    let other = tenant(store, "Other").await;
    let other_ch = channel(store, other).await;
    inbound(store, other, other_ch, 99, "wamid.other", at(9)).await;

    let filter = ConversationFilter::default();
    let now = at(10);
    let everything = store
        .list_conversations(
            t,
            &filter,
            PageRequest {
                after: None,
                limit: 100,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(everything.len(), 7);
    let keys: Vec<_> = everything
        .iter()
        .map(|c| (c.last_message_at, c.id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "most recent first, ties by id");
    let times: HashSet<_> = keys.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        times.len(),
        4,
        "three conversations share a time, two another"
    );

    for limit in [1, 2, 3] {
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_conversations(t, &filter, PageRequest { after, limit }, now)
                .await
                .unwrap();
            assert!(page.len() as u64 <= limit);
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            walked.extend(page.iter().map(|c| c.id));
        }
        let ids: Vec<Uuid> = everything.iter().map(|c| c.id).collect();
        assert_eq!(
            walked, ids,
            "pages of {limit} walk every row once, in order"
        );
    }
}

#[tokio::test]
async fn contact_pages_walk_every_contact_once_and_count_only_live_ones() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(store.create_contact(t, &contact(n), None).await.unwrap().id);
    }
    let other = tenant(store, "Other").await;
    store
        .create_contact(other, &contact(50), None)
        .await
        .unwrap();

    let filter = ContactFilter::default();
    let mut walked = Vec::new();
    let mut totals = Vec::new();
    let mut after = None;
    loop {
        let (page, total) = store
            .list_contacts(t, &filter, PageRequest { after, limit: 3 })
            .await
            .unwrap();
        totals.push(total);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        walked.extend(page.iter().map(|c| c.id));
    }
    let newest_first: Vec<Uuid> = created.iter().rev().copied().collect();
    assert_eq!(walked, newest_first);
    // The first page carries the total; later pages reuse it.
    assert_eq!(totals, vec![Some(7), None, None, None]);

    // A filter pages and counts the same way.
    let filter = ContactFilter {
        q: Some("Contact 1".into()),
        ..ContactFilter::default()
    };
    let (page, total) = store
        .list_contacts(
            t,
            &filter,
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, Some(1));
    assert_eq!(page[0].name, "Contact 1");

    // Deleted contacts leave the count (PostgreSQL keeps it by trigger).
    assert_eq!(store.delete_contacts(t, &created[..2]).await.unwrap(), 2);
    let (_, total) = store
        .list_contacts(
            t,
            &ContactFilter::default(),
            PageRequest {
                after: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, Some(5));
    let (_, total) = store
        .list_contacts(
            other,
            &ContactFilter::default(),
            PageRequest {
                after: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, Some(1));
}

#[tokio::test]
async fn tagging_twice_keeps_one_tag_and_counts_count_live_contacts() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let ch = channel(store, t).await;
    let vip = store.create_tag(t, "VIP", "#1f9d55").await.unwrap();
    let a = store.create_contact(t, &contact(1), None).await.unwrap().id;
    let b = store.create_contact(t, &contact(2), None).await.unwrap().id;

    assert_eq!(
        store
            .tag_contacts(t, &[a], &[vip.id], true, None)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .tag_contacts(t, &[a, b], &[vip.id], true, None)
            .await
            .unwrap(),
        2
    );
    let tags = store.contact(t, a).await.unwrap().tags;
    assert_eq!(tags.len(), 1, "tagged twice, carried once");
    assert_eq!(store.tag_contact_count(t, vip.id).await.unwrap(), 2);

    // A contact who talked with us is only marked deleted: no longer counted.
    inbound(store, t, ch, 2, "wamid.b", at(1)).await;
    store.delete_contacts(t, &[b]).await.unwrap();
    assert_eq!(store.tag_contact_count(t, vip.id).await.unwrap(), 1);
    let listed = store.list_tags(t).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].contact_count, 1);

    assert_eq!(
        store
            .tag_contacts(t, &[a], &[vip.id], false, None)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.tag_contact_count(t, vip.id).await.unwrap(), 0);

    // Another tenant's tag is not applied.
    let other = tenant(store, "Other").await;
    let theirs = store.create_tag(other, "Gold", "#aa0000").await.unwrap();
    assert_eq!(
        store
            .tag_contacts(t, &[a], &[theirs.id], true, None)
            .await
            .unwrap(),
        0
    );
    assert!(store.contact(t, a).await.unwrap().tags.is_empty());
}

#[tokio::test]
async fn attribute_values_merge_into_what_the_contact_holds() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    store
        .create_attribute(t, "city", "City", AttributeKind::Text)
        .await
        .unwrap();
    store
        .create_attribute(t, "plan", "Plan", AttributeKind::Text)
        .await
        .unwrap();
    let id = store.create_contact(t, &contact(1), None).await.unwrap().id;
    let set = |pairs: &[(&str, Option<&str>)]| ContactChanges {
        attributes: Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect(),
        ),
        ..ContactChanges::default()
    };
    let values = |c: domain::contact::Contact| c.attributes;

    let c = store
        .update_contact(t, id, &set(&[("city", Some("York"))]), None)
        .await
        .unwrap();
    assert_eq!(values(c), [("city".to_owned(), "York".to_owned())].into());
    let c = store
        .update_contact(t, id, &set(&[("plan", Some("gold"))]), None)
        .await
        .unwrap();
    assert_eq!(
        values(c),
        [
            ("city".to_owned(), "York".to_owned()),
            ("plan".to_owned(), "gold".to_owned())
        ]
        .into(),
        "a new key is added beside the old"
    );
    let c = store
        .update_contact(t, id, &set(&[("city", Some("Leeds"))]), None)
        .await
        .unwrap();
    assert_eq!(values(c)["city"], "Leeds", "a key set again is replaced");
    let c = store
        .update_contact(t, id, &set(&[("city", None)]), None)
        .await
        .unwrap();
    assert_eq!(values(c), [("plan".to_owned(), "gold".to_owned())].into());
}

#[tokio::test]
async fn a_quick_reply_saved_again_is_updated_and_shortcuts_stay_unique() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let actor = Uuid::now_v7();
    let draft = |shortcut: &str, body: &str| QuickReplyDraft {
        shortcut: shortcut.into(),
        body: body.into(),
        channel_ids: vec![],
    };
    let saved = store
        .save_quick_reply(t, None, &draft("Thanks", "Thank you!"), actor)
        .await
        .unwrap();
    // The same shortcut in another case is taken.
    let again = store
        .save_quick_reply(t, None, &draft("thanks", "Cheers"), actor)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("shortcut_taken"))));

    let edited = store
        .save_quick_reply(t, Some(saved.id), &draft("Thanks", "Many thanks!"), actor)
        .await
        .unwrap();
    assert_eq!(edited.id, saved.id);
    assert_eq!(edited.body, "Many thanks!");
    let listed = store.list_quick_replies(t, None, None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].body, "Many thanks!");

    // Renaming onto another reply's shortcut is refused too.
    let hello = store
        .save_quick_reply(t, None, &draft("hello", "Hi!"), actor)
        .await
        .unwrap();
    let clash = store
        .save_quick_reply(t, Some(hello.id), &draft("THANKS", "Hi!"), actor)
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict("shortcut_taken"))));

    // Another tenant may use the shortcut, and cannot edit ours.
    let other = tenant(store, "Other").await;
    store
        .save_quick_reply(other, None, &draft("thanks", "Ta"), actor)
        .await
        .unwrap();
    let foreign = store
        .save_quick_reply(other, Some(saved.id), &draft("x", "y"), actor)
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn unread_counts_count_each_customer_message_once_until_read() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let ch = channel(store, t).await;
    for n in 0..3 {
        inbound(store, t, ch, 1, &format!("wamid.{n}"), at(n)).await;
    }
    // The provider delivers a message again: stored once, counted once.
    assert!(matches!(
        inbound(store, t, ch, 1, "wamid.2", at(2)).await,
        InboundOutcome::Duplicate
    ));
    let InboundOutcome::Stored { conversation, .. } =
        inbound(store, t, ch, 2, "wamid.other", at(3)).await
    else {
        panic!("stored");
    };
    assert_eq!(conversation.unread, 1);
    let list = store
        .list_conversations(
            t,
            &ConversationFilter::default(),
            PageRequest {
                after: None,
                limit: 10,
            },
            at(10),
        )
        .await
        .unwrap();
    let first = list
        .iter()
        .find(|c| c.contact_phone == phone(1).e164)
        .unwrap();
    assert_eq!(first.unread, 3);

    // Reading answers the latest customer message to mark read, once.
    assert_eq!(
        store
            .mark_conversation_read(t, first.id)
            .await
            .unwrap()
            .as_deref(),
        Some("wamid.2")
    );
    assert_eq!(store.conversation(t, first.id).await.unwrap().unread, 0);
    assert_eq!(
        store.mark_conversation_read(t, first.id).await.unwrap(),
        None
    );
    // The other conversation keeps its count.
    assert_eq!(
        store.conversation(t, conversation.id).await.unwrap().unread,
        1
    );

    // A new message counts from zero again.
    inbound(store, t, ch, 1, "wamid.3", at(4)).await;
    assert_eq!(store.conversation(t, first.id).await.unwrap().unread, 1);
    let distinct: HashSet<Uuid> = list.iter().map(|c| c.id).collect();
    assert_eq!(distinct.len(), 2);
}

#[tokio::test]
async fn messages_of_one_provider_second_keep_the_order_they_came_in() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let ch = channel(store, t).await;
    // Providers stamp whole seconds: forty messages written in one second,
    // applied over however long it takes (across clock seconds too), then
    // one written a second earlier whose webhook came in last.
    let second = at(4);
    let mut conversation_id = None;
    for n in 0..40 {
        if let InboundOutcome::Stored { conversation, .. } =
            inbound(store, t, ch, 1, &format!("wamid.{n}"), second).await
        {
            conversation_id = Some(conversation.id);
        }
    }
    inbound(
        store,
        t,
        ch,
        1,
        "wamid.earlier",
        second - Duration::seconds(1),
    )
    .await;
    let thread = store
        .list_messages(
            t,
            Uuid::now_v7(),
            conversation_id.unwrap(),
            PageRequest {
                after: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let mut order: Vec<String> = thread
        .iter()
        .map(|m| m.message.provider_message_id.clone().unwrap_or_default())
        .collect();
    order.reverse();
    let mut expected = vec!["wamid.earlier".to_owned()];
    expected.extend((0..40).map(|n| format!("wamid.{n}")));
    assert_eq!(order, expected);
    // The times shown stay in the second the customer wrote in.
    assert!(thread
        .iter()
        .filter(|m| m.message.provider_message_id.as_deref() != Some("wamid.earlier"))
        .all(|m| m.message.created_at.timestamp() == second.timestamp()));
}

fn report(provider_id: &str, status: MessageStatus, minute: u32) -> StatusReport {
    StatusReport {
        provider_message_id: provider_id.into(),
        our_id: None,
        status,
        error: None,
        at: at(minute),
    }
}

#[tokio::test]
async fn statuses_applied_together_move_each_message_forward_in_report_order() {
    let db = TestStore::new().await;
    let store = &db.store;
    let t = tenant(store, "Acme").await;
    let other = tenant(store, "Other").await;
    let ch = channel(store, t).await;
    let InboundOutcome::Stored { conversation, .. } =
        inbound(store, t, ch, 1, "wamid.in", at(0)).await
    else {
        panic!("stored");
    };
    let mut sent = Vec::new();
    for n in 0..3 {
        let m = store
            .create_outbound(
                t,
                conversation.id,
                &NewOutbound {
                    kind: "text".into(),
                    body: Some(format!("Reply {n}")),
                    content: serde_json::json!({}),
                    media_id: None,
                    reply_to_id: None,
                    sent_by: None,
                },
            )
            .await
            .unwrap();
        sent.push(m.id);
    }
    store
        .outbound_accepted(t, sent[0], "wamid.a")
        .await
        .unwrap();
    store
        .outbound_accepted(t, sent[1], "wamid.b")
        .await
        .unwrap();
    // The third is known only by our id, echoed back by the provider.
    let mut echoed = report("wamid.c", MessageStatus::Failed, 4);
    echoed.our_id = Some(sent[2]);
    echoed.error = Some(("131026".into(), "Undeliverable".into(), None));
    let reports = vec![
        report("wamid.a", MessageStatus::Sent, 1),
        report("wamid.b", MessageStatus::Delivered, 1),
        report("wamid.a", MessageStatus::Delivered, 2),
        report("wamid.a", MessageStatus::Read, 3),
        // Late and backwards: nothing changes.
        report("wamid.a", MessageStatus::Delivered, 4),
        report("wamid.b", MessageStatus::Sent, 4),
        // A failure after delivery does not count.
        report("wamid.b", MessageStatus::Failed, 5),
        echoed,
        report("wamid.unknown", MessageStatus::Sent, 5),
    ];
    // Another tenant naming our messages changes nothing of ours.
    let foreign = store
        .apply_message_statuses(other, &reports[..4])
        .await
        .unwrap();
    assert!(foreign.iter().all(|o| matches!(o, StatusOutcome::Unknown)));

    let outcomes = store.apply_message_statuses(t, &reports).await.unwrap();
    let shape: Vec<String> = outcomes
        .iter()
        .map(|o| match o {
            StatusOutcome::Moved { applied, .. } => format!("moved:{}", applied.status.key()),
            StatusOutcome::Unchanged => "unchanged".into(),
            StatusOutcome::Unknown => "unknown".into(),
        })
        .collect();
    assert_eq!(
        shape,
        [
            "moved:sent",
            "moved:delivered",
            "moved:delivered",
            "moved:read",
            "unchanged",
            "unchanged",
            "unchanged",
            "moved:failed",
            "unknown"
        ]
    );
    let a = store.message(t, sent[0]).await.unwrap();
    assert_eq!((a.status, a.status_at), (MessageStatus::Read, Some(at(3))));
    let b = store.message(t, sent[1]).await.unwrap();
    assert_eq!(b.status, MessageStatus::Delivered);
    let c = store.message(t, sent[2]).await.unwrap();
    assert_eq!(c.status, MessageStatus::Failed);
    assert_eq!(c.provider_message_id.as_deref(), Some("wamid.c"));
    assert_eq!(c.error.map(|(code, _, _)| code).as_deref(), Some("131026"));
    // The same reports again: nothing moves.
    let again = store.apply_message_statuses(t, &reports).await.unwrap();
    assert!(!again
        .iter()
        .any(|o| matches!(o, StatusOutcome::Moved { .. })));
}
