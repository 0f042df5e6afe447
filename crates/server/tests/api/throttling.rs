//! Throttling an attacker without locking out the people they target:
//! client addresses come from `X-Forwarded-For` only through a trusted
//! proxy, wrong passwords slow down one account from one address, and every
//! unauthenticated request that hashes a password is counted before hashing.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Answer, TestApp, PASSWORD};

const ATTACKER: &str = "203.0.113.9";
const VICTIM: &str = "198.51.100.7";

/// Posts `body` to `path` as if from `forwarded_for` (through the test's
/// connection, 127.0.0.1).
async fn post_from(app: &TestApp, forwarded_for: &str, path: &str, body: Value) -> Answer {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("x-forwarded-for", forwarded_for)
        .json(&body)
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

async fn login_from(app: &TestApp, forwarded_for: &str, password: &str) -> Answer {
    post_from(
        app,
        forwarded_for,
        "/api/v1/auth/login",
        json!({"email": "ana@acme.example", "password": password}),
    )
    .await
}

/// The addresses of the owner's sign-ins, newest first.
async fn sign_in_addresses(app: &TestApp, token: &str) -> Vec<String> {
    let me = app.get("/api/v1/me", token).await;
    let id = me.body["user_id"].as_str().unwrap();
    let history = app
        .get(&format!("/api/v1/users/{id}/login-history"), token)
        .await;
    assert_eq!(history.status, 200, "{}", history.body);
    history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ip"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn retry_after(answer: &Answer) -> u64 {
    answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_attacker_from_another_address_cannot_stop_the_victim_signing_in() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".into()]).await;
    app.setup("ana@acme.example").await;
    let mut refused = None;
    for _ in 0..8 {
        let answer = login_from(&app, ATTACKER, "guessing the password").await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.status, 401, "{}", answer.body);
    }
    let refused = refused.expect("the attacker's guesses are slowed down");
    assert_eq!(refused.code(), "rate_limited");
    assert!(retry_after(&refused) >= 1);
    // Even the right password waits at the attacker's address...
    assert_eq!(login_from(&app, ATTACKER, PASSWORD).await.status, 429);
    // ...but the victim, at their own address, signs in at once.
    let victim = login_from(&app, VICTIM, PASSWORD).await;
    assert_eq!(victim.status, 200, "{}", victim.body);
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    // Each guess claims another address; the server counts the real one.
    let mut statuses = Vec::new();
    for i in 0..7 {
        let spoofed = format!("192.0.2.{i}");
        statuses.push(
            login_from(&app, &spoofed, "guessing the password")
                .await
                .status,
        );
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert_eq!(statuses[6], 429, "{statuses:?}");
    let addresses = sign_in_addresses(&app, &token).await;
    assert!(!addresses.is_empty());
    assert!(
        addresses.iter().all(|ip| ip == "127.0.0.1"),
        "{addresses:?}"
    );
}

#[tokio::test]
async fn a_trusted_proxys_forwarded_for_names_the_client() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.0/8".into()]).await;
    let token = app.owner_token().await;
    // The client forged the first entry; the proxy appended the real address.
    let signed_in = login_from(&app, &format!("6.6.6.6, {VICTIM}"), PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(sign_in_addresses(&app, &token).await[0], VICTIM);
}

#[tokio::test]
async fn reset_password_floods_are_refused_before_any_hashing() {
    let app = spawn_app_with(|s| {
        s.login_per_ip_per_minute = 3;
        s.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let reset = |from: &'static str| {
        let app = &app;
        async move {
            post_from(
                app,
                from,
                "/api/v1/auth/reset-password",
                json!({"token": "not-a-real-token", "new_password": "a long new passphrase"}),
            )
            .await
        }
    };
    for _ in 0..3 {
        let answer = reset(ATTACKER).await;
        assert_eq!(answer.status, 422, "{}", answer.body);
    }
    let flooded = reset(ATTACKER).await;
    assert_eq!(flooded.status, 429, "{}", flooded.body);
    assert!(retry_after(&flooded) >= 1);
    // The address's share covers every endpoint that hashes a password.
    let setup = post_from(
        &app,
        ATTACKER,
        "/api/v1/setup",
        json!({
            "tenant_name": "Taken Over", "company_name": "Mallory Ltd",
            "time_zone": "Europe/London", "default_country": "GB",
            "owner_name": "Mallory", "owner_email": "mallory@evil.example",
            "owner_password": PASSWORD,
        }),
    )
    .await;
    assert_eq!(setup.status, 429, "{}", setup.body);
    // Someone else's reset goes through.
    assert_eq!(reset(VICTIM).await.status, 422);
}

#[tokio::test]
async fn a_stolen_access_token_cannot_guess_the_current_password_quickly() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let answer = app
            .post(
                "/api/v1/me/password",
                Some(&token),
                json!({"current_password": "guessing the password", "new_password": "a long new passphrase"}),
            )
            .await;
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429]);
}
