//! Session behaviour over real HTTP: a channel asks a quiet customer whether
//! they still need help, then tells them the conversation is closing and
//! resolves it; a customer message starts over; it is off by default, its
//! settings are checked, and another tenant cannot see or change them.
//! The customer's messages are backdated through the sandbox, and rounds
//! run either on the worker's short period or directly with a later clock.

use std::path::PathBuf;

use chrono::Utc;
use serde_json::{json, Value};
use server::{Application, Settings};

use crate::helpers::{TestApp, TestDatabase, PASSWORD};

const ASK: &str = "Still there? Reply if you need anything else.";
const END: &str = "Closing this chat now; write again any time.";

/// The app with its state, so a test can run a round at a time of its choosing.
async fn spawn(check_secs: u64) -> (TestApp, api::AppState) {
    let db = TestDatabase::new().await;
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: db.dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        spa_dir: PathBuf::from("/nonexistent-spa"),
        database_max_connections: 5,
        // The tests' channels talk to the built-in fake providers.
        sandbox: true,
        session_check_secs: check_secs,
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    (TestApp::attach(address, db), state)
}

/// The customer writes `minutes_ago`; answers the conversation's id once
/// the message is in.
async fn customer_writes(
    app: &TestApp,
    token: &str,
    channel: &str,
    text: &str,
    minutes_ago: i64,
) -> String {
    let at = Utc::now() - chrono::Duration::minutes(minutes_ago);
    let posted = app
        .post(
            &format!("/api/v1/channels/{channel}/simulate-inbound"),
            Some(token),
            json!({"from": "+14155550123", "name": "Priya", "text": text, "at": at}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    let list = app
        .wait_for(token, "/api/v1/conversations", |b| {
            b["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["last_message"]["text"] == text)
        })
        .await;
    list["items"][0]["id"].as_str().unwrap().to_owned()
}

async fn turn_on(app: &TestApp, token: &str, channel: &str) {
    let saved = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/channels/{channel}/session-behaviour"),
            Some(token),
            Some(
                json!({"enabled": true, "ask_after_minutes": 30, "end_after_minutes": 10,
                        "ask_text": ASK, "end_text": END}),
            ),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
}

/// Our texts in the conversation, oldest first.
async fn our_texts(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let messages = app
        .get(&format!("/api/v1/conversations/{id}/messages"), token)
        .await;
    assert_eq!(messages.status, 200, "{}", messages.body);
    let mut texts: Vec<String> = messages.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    texts.reverse();
    texts
}

#[tokio::test]
async fn a_quiet_customer_is_asked_then_told_and_the_conversation_is_resolved() {
    let (app, state) = spawn(1).await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(&app, &owner, &channel, "Where is my order?", 40).await;

    // Off by default: forty quiet minutes change nothing.
    let round = server::workers::session_behaviour_round(&state, Utc::now()).await;
    assert_eq!(round, 0);
    assert!(our_texts(&app, &owner, &id).await.is_empty());

    turn_on(&app, &owner, &channel).await;
    // The worker, every second, asks: quiet for 40 minutes, more than 30.
    let path = format!("/api/v1/conversations/{id}/messages");
    let asked = app
        .wait_for(&owner, &path, |b| {
            b["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["text"] == ASK)
        })
        .await;
    let question = asked["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == ASK)
        .unwrap()
        .clone();
    assert_eq!(question["direction"], "outbound");
    assert!(
        question["sent_by"].is_null(),
        "the system sent it: {question}"
    );
    // Nine minutes later the end is not due; further rounds do not ask again.
    let nine = Utc::now() + chrono::Duration::minutes(9);
    assert_eq!(
        server::workers::session_behaviour_round(&state, nine).await,
        0
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK]);

    // Ten minutes after the question: the end message, then resolved.
    let eleven = Utc::now() + chrono::Duration::minutes(11);
    assert_eq!(
        server::workers::session_behaviour_round(&state, eleven).await,
        1
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK, END]);
    let conversation = app
        .get(&format!("/api/v1/conversations/{id}"), &owner)
        .await;
    assert_eq!(
        conversation.body["state"], "resolved",
        "{}",
        conversation.body
    );
    assert!(conversation.body["controller"].is_null());
    let contact = conversation.body["contact"]["id"].as_str().unwrap();
    let timeline = app
        .get(&format!("/api/v1/contacts/{contact}/timeline"), &owner)
        .await
        .body;
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "closed_after_inactivity"
                && e["detail"] == "Closed after inactivity"),
        "{timeline}"
    );
    // Resolved: nothing more, however long it stays quiet.
    let later = Utc::now() + chrono::Duration::hours(2);
    assert_eq!(
        server::workers::session_behaviour_round(&state, later).await,
        0
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK, END]);
}

#[tokio::test]
async fn a_customer_reply_starts_the_sequence_again() {
    // Rounds run only when the test says (the worker's first round finds nothing).
    let (app, state) = spawn(3600).await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(&app, &owner, &channel, "Hello?", 40).await;
    turn_on(&app, &owner, &channel).await;
    let now = Utc::now();
    assert_eq!(
        server::workers::session_behaviour_round(&state, now).await,
        1
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK]);

    // The customer answers: no end message ten minutes on.
    customer_writes(&app, &owner, &channel, "Yes, one more thing", 0).await;
    let at = |m: i64| Utc::now() + chrono::Duration::minutes(m);
    assert_eq!(
        server::workers::session_behaviour_round(&state, at(11)).await,
        0
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK]);
    let conversation = app
        .get(&format!("/api/v1/conversations/{id}"), &owner)
        .await;
    assert_ne!(conversation.body["state"], "resolved");

    // Thirty quiet minutes after the answer, the question comes again.
    assert_eq!(
        server::workers::session_behaviour_round(&state, at(29)).await,
        0
    );
    assert_eq!(
        server::workers::session_behaviour_round(&state, at(31)).await,
        1
    );
    assert_eq!(our_texts(&app, &owner, &id).await, [ASK, ASK]);
}

#[tokio::test]
async fn nothing_is_sent_once_the_window_has_closed() {
    let (app, state) = spawn(3600).await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let id = customer_writes(&app, &owner, &channel, "Old question", 25 * 60).await;
    turn_on(&app, &owner, &channel).await;
    assert_eq!(
        server::workers::session_behaviour_round(&state, Utc::now()).await,
        0
    );
    assert!(our_texts(&app, &owner, &id).await.is_empty());
}

#[tokio::test]
async fn settings_are_off_by_default_checked_and_private_to_the_tenant() {
    let (app, _state) = spawn(3600).await;
    let owner = app.owner_token().await;
    let channel = app.sandbox_channel(&owner).await;
    let path = format!("/api/v1/channels/{channel}/session-behaviour");

    let defaults = app.get(&path, &owner).await;
    assert_eq!(defaults.status, 200, "{}", defaults.body);
    assert_eq!(defaults.body["enabled"], false);
    assert_eq!(defaults.body["ask_after_minutes"], 30);
    assert_eq!(defaults.body["end_after_minutes"], 10);
    assert!(!defaults.body["ask_text"].as_str().unwrap().is_empty());
    assert!(defaults.body["updated_at"].is_null());

    let put = |body: Value| {
        let app = &app;
        let (path, owner) = (path.clone(), owner.clone());
        async move {
            app.call(reqwest::Method::PUT, &path, Some(&owner), Some(body))
                .await
        }
    };
    let invalid = put(
        json!({"enabled": true, "ask_after_minutes": 0, "end_after_minutes": 1441,
                             "ask_text": " ", "end_text": "x".repeat(1025)}),
    )
    .await;
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    for field in [
        "ask_after_minutes",
        "end_after_minutes",
        "ask_text",
        "end_text",
    ] {
        assert!(invalid.body["errors"][field].is_array(), "{}", invalid.body);
    }
    let negative = put(
        json!({"enabled": true, "ask_after_minutes": -5, "end_after_minutes": 10,
                              "ask_text": "a", "end_text": "b"}),
    )
    .await;
    assert_eq!(negative.status, 422, "{}", negative.body);
    assert!(negative.body["errors"]["ask_after_minutes"].is_array());

    let saved = put(
        json!({"enabled": true, "ask_after_minutes": 1, "end_after_minutes": 1440,
                           "ask_text": "  Still there?  ", "end_text": "Bye"}),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["ask_text"], "Still there?");
    let read = app.get(&path, &owner).await;
    assert_eq!(read.body["enabled"], true);
    assert_eq!(read.body["end_after_minutes"], 1440);
    assert!(read.body["updated_at"].is_string());

    // Another tenant: absent, whether reading or writing.
    let tenant = app
        .post("/api/v1/tenants", Some(&owner),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    assert_eq!(tenant.status, 201, "{}", tenant.body);
    app.accept_invite(tenant.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let other = app.token_for("hank@globex.example").await;
    assert_eq!(app.get(&path, &other).await.status, 404);
    let stolen = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&other),
            Some(
                json!({"enabled": false, "ask_after_minutes": 30, "end_after_minutes": 10,
                        "ask_text": "a", "end_text": "b"}),
            ),
        )
        .await;
    assert_eq!(stolen.status, 404, "{}", stolen.body);
    assert_eq!(app.get(&path, &owner).await.body["enabled"], true);
    let missing = format!(
        "/api/v1/channels/{}/session-behaviour",
        uuid::Uuid::now_v7()
    );
    assert_eq!(app.get(&missing, &owner).await.status, 404);
}
