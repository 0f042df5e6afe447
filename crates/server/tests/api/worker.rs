//! The webhook event processor: effects applied once,
//! and a claim abandoned by a crashed worker taken up again.

use serde_json::json;

use crate::helpers::{spawn_app, TestDatabase};

#[tokio::test]
async fn quality_updates_reach_the_channel_alongside_a_customer_message() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let created = app
        .post("/api/v1/channels", Some(&owner), json!({"name": "Meta", "provider": "meta_cloud", "fields": {
            "phone_number_id": "110200300400500", "waba_id": "220300400500600", "app_secret": "s3cret-app", "access_token": "EAAG"}}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let quality = json!({"object": "whatsapp_business_account", "entry": [{"id": "220300400500600", "time": 1763700100,
        "changes": [{"field": "phone_number_quality_update",
                     "value": {"display_phone_number": "15550100200", "event": "FLAGGED", "current_limit": "TIER_1K"}}]}]});
    let inbound: &[u8] = include_bytes!("../../../providers/tests/fixtures/meta/inbound_text.json");
    for body in [serde_json::to_vec(&quality).unwrap(), inbound.to_vec()] {
        let answer = app
            .client
            .post(format!("{}/webhooks/meta/{id}", app.address))
            .header(
                "x-hub-signature-256",
                sandbox::meta_signature("s3cret-app", &body),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let mut rating = serde_json::Value::Null;
    for _ in 0..100 {
        rating = app
            .get(&format!("/api/v1/channels/{id}"), &owner)
            .await
            .body["quality_rating"]
            .clone();
        if !rating.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rating, "FLAGGED · TIER_1K");
}

#[tokio::test]
async fn an_abandoned_claim_is_taken_up_again_after_its_lease() {
    let db = TestDatabase::new().await;
    let store = store::Store::connect(&db.url, 2)
        .await
        .unwrap()
        .with_secrets(&[3u8; 32]);
    store.migrate().await.unwrap();
    let settings = domain::tenant::TenantSettings::new("T", "", "UTC", "US").unwrap();
    let account = store::NewAccount {
        email: "a@b.io".into(),
        name: "A".into(),
        password_hash: None,
    };
    let (tenant, _) = store.setup_instance(&settings, &account).await.unwrap();
    let channel = store
        .create_channel(
            tenant.id,
            &store::NewChannel {
                name: "C".into(),
                provider: domain::channel::Provider::Sandbox,
                active: true,
                credentials: Default::default(),
            },
        )
        .await
        .unwrap();
    let events = [store::IncomingEvent {
        key: "msg:1".into(),
        kind: domain::webhook_event::EventKind::Message,
        payload: "{}".into(),
        customer: None,
    }];
    assert_eq!(
        store
            .insert_webhook_events(&channel, &events)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .insert_webhook_events(&channel, &events)
            .await
            .unwrap(),
        0,
        "replays are ignored"
    );

    // A worker claims it and dies before finishing.
    let claimed = store
        .claim_webhook_events(10, chrono::Duration::milliseconds(300))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        store
            .claim_webhook_events(10, chrono::Duration::seconds(60))
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let again = store
        .claim_webhook_events(10, chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(
        again.len(),
        1,
        "the lease ran out, so the event is due again"
    );
    assert_eq!(again[0].attempts, 2);
    store
        .finish_webhook_event(&again[0], store::EventOutcome::Deferred)
        .await
        .unwrap();
    assert!(store
        .claim_webhook_events(10, chrono::Duration::seconds(60))
        .await
        .unwrap()
        .is_empty());
    let states = store
        .webhook_event_states(tenant.id, channel.id)
        .await
        .unwrap();
    assert_eq!(
        states,
        vec![(domain::webhook_event::EventState::Deferred, 1)]
    );
}

#[tokio::test]
async fn one_caller_at_a_time_claims_a_periodic_job() {
    let db = crate::helpers::TestDatabase::new().await;
    let store = store::Store::connect(&db.url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let every = chrono::Duration::milliseconds(400);
    // The first round is due at once; racing callers get it once.
    let (a, b, c) = tokio::join!(
        store.claim_schedule("test_job", every),
        store.claim_schedule("test_job", every),
        store.claim_schedule("test_job", every),
    );
    let won = [a.unwrap(), b.unwrap(), c.unwrap()];
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    assert!(!store.claim_schedule("test_job", every).await.unwrap());
    // Another job has its own schedule.
    assert!(store.claim_schedule("other_job", every).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert!(store.claim_schedule("test_job", every).await.unwrap());
    store.close().await.ok();
}
