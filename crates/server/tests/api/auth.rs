use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.setup("ana@acme.example").await;
    let wrong_password = app
        .login("ana@acme.example", "not the password at all")
        .await;
    let unknown = app.login("nobody@acme.example", PASSWORD).await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong_password.body["code"], unknown.body["code"]);
    assert_eq!(wrong_password.body["detail"], unknown.body["detail"]);
}

#[tokio::test]
async fn logins_are_throttled_per_account_with_retry_after() {
    let app = spawn_app().await;
    app.setup("ana@acme.example").await;
    let mut last = None;
    for _ in 0..6 {
        last = Some(app.login("ana@acme.example", "wrong password here").await);
    }
    let last = last.unwrap();
    assert_eq!(last.status, 429, "{}", last.body);
    assert_eq!(last.code(), "rate_limited");
    let retry: u64 = last.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // Even the right password waits now.
    assert_eq!(app.login("ana@acme.example", PASSWORD).await.status, 429);
}

#[tokio::test]
async fn logins_are_throttled_per_address() {
    let app = spawn_app_with(|s| s.login_per_ip_per_minute = 3).await;
    for i in 0..3 {
        let a = app
            .login(&format!("user{i}@acme.example"), "whatever password")
            .await;
        assert_eq!(a.status, 401);
    }
    assert_eq!(
        app.login("user9@acme.example", "whatever password")
            .await
            .status,
        429
    );
}

async fn refresh(app: &TestApp, token: &str) -> crate::helpers::Answer {
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": token}),
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let session = app.setup("ana@acme.example").await;
    let first = session["refresh_token"].as_str().unwrap().to_owned();

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let second = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let access = rotated.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", access).await.status, 200);

    // Presenting the spent token again: refused, and the live one dies too.
    let reused = refresh(&app, &first).await;
    assert_eq!(reused.status, 401);
    assert_eq!(reused.code(), "refresh_reused");
    assert_eq!(refresh(&app, &second).await.status, 401);
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = spawn_app().await;
    let session = app.setup("ana@acme.example").await;
    let token = session["refresh_token"].as_str().unwrap();
    let out = app
        .post("/api/v1/auth/logout", None, json!({"refresh_token": token}))
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(refresh(&app, token).await.status, 401);
}

#[tokio::test]
async fn people_in_several_tenants_choose_and_switch() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/tenants",
            Some(&owner),
            json!({"name": "Second Shop", "time_zone": "Asia/Kolkata", "default_country": "IN",
                   "owner_email": "ana@acme.example", "owner_name": "Ana Owner"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Naming yourself as the owner makes you one at once: no invitation.
    assert!(created.body.get("invite_url").is_none());
    let second_id = created.body["tenant"]["id"].as_str().unwrap().to_owned();

    let login = app.login("ana@acme.example", PASSWORD).await;
    assert_eq!(login.status, 200);
    assert!(login.body.get("session").is_none());
    assert_eq!(login.body["tenants"].as_array().unwrap().len(), 2);
    let selection = login.body["selection_token"].as_str().unwrap();

    // A selection token is not an access token.
    assert_eq!(app.get("/api/v1/me", selection).await.status, 401);

    let chosen = app
        .post(
            "/api/v1/auth/tenant",
            None,
            json!({"selection_token": selection, "tenant_id": second_id}),
        )
        .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    let token = chosen.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", token).await;
    assert_eq!(me.body["tenant"]["name"], "Second Shop");
    assert_eq!(me.body["tenant"]["time_zone"], "Asia/Kolkata");

    let first_id = me.body["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Acme Support")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let switched = app
        .post(
            "/api/v1/auth/switch-tenant",
            Some(token),
            json!({"tenant_id": first_id}),
        )
        .await;
    assert_eq!(switched.status, 200, "{}", switched.body);
    let token = switched.body["access_token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/me", token).await.body["tenant"]["name"],
        "Acme Support"
    );

    // Nobody chooses a tenant they do not belong to.
    let stranger = app
        .post(
            "/api/v1/auth/switch-tenant",
            Some(token),
            json!({"tenant_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(stranger.status, 403);
}

fn claims(user: &str, tenant: &str, aud: &str, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": user, "tid": tenant, "iss": "switchboard", "aud": aud,
           "exp": now + exp_offset, "nbf": now - 10, "iat": now - 10, "jti": uuid::Uuid::now_v7()})
}

#[tokio::test]
async fn forged_expired_and_misdirected_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let me = app.get("/api/v1/me", &token).await;
    let user = me.body["user_id"].as_str().unwrap();
    let tenant = me.body["tenant"]["id"].as_str().unwrap();

    let other_key = EncodingKey::from_secret(b"not the server's key, not at all");
    let signed_elsewhere = encode(
        &Header::default(),
        &claims(user, tenant, "switchboard-api", 600),
        &other_key,
    )
    .unwrap();

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(user, tenant, "switchboard-api", 600).to_string());
    let alg_none = format!("{header}.{body}.");

    // Same payload as a real token but tampered tenant keeps the old signature.
    let mut parts: Vec<&str> = token.split('.').collect();
    let tampered_body = URL_SAFE_NO_PAD.encode(
        claims(
            user,
            &uuid::Uuid::now_v7().to_string(),
            "switchboard-api",
            600,
        )
        .to_string(),
    );
    parts[1] = &tampered_body;
    let tampered = parts.join(".");

    for (name, bad) in [
        ("signed with another key", signed_elsewhere),
        ("alg none", alg_none),
        ("tampered payload", tampered),
        ("garbage", "abc.def.ghi".to_owned()),
    ] {
        let answer = app.get("/api/v1/me", &bad).await;
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        assert!(answer.headers.get("www-authenticate").is_some());
    }
    let no_token = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(no_token.status, 401);
}

#[tokio::test]
async fn expired_and_wrong_audience_tokens_signed_with_the_real_key_are_refused() {
    // A known master key lets the test sign with the server's own JWT key.
    let master = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let key_text = master.clone();
    let app = spawn_app_with(move |s| s.master_key = Some(key_text)).await;
    let token = app.owner_token().await;
    let me = app.get("/api/v1/me", &token).await;
    let user = me.body["user_id"].as_str().unwrap();
    let tenant = me.body["tenant"]["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = server::keys::MasterKey::load_or_create(Some(&master), dir.path()).unwrap();
    let real = EncodingKey::from_secret(&key.derive("switchboard/jwt/v1"));
    // The session version the server issued, which a valid token must carry.
    let issued: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let claims = |user: &str, tenant: &str, aud: &str, exp_offset: i64| {
        let mut c = claims(user, tenant, aud, exp_offset);
        c["ver"] = issued["ver"].clone();
        c["mver"] = issued["mver"].clone();
        c
    };

    let valid = encode(
        &Header::default(),
        &claims(user, tenant, "switchboard-api", 600),
        &real,
    )
    .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &valid).await.status,
        200,
        "control: a correct token works"
    );

    let expired = encode(
        &Header::default(),
        &claims(user, tenant, "switchboard-api", -120),
        &real,
    )
    .unwrap();
    let wrong_aud = encode(
        &Header::default(),
        &claims(user, tenant, "someone-else", 600),
        &real,
    )
    .unwrap();
    let hs512 = encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(user, tenant, "switchboard-api", 600),
        &real,
    )
    .unwrap();
    let mut no_sub = claims(user, tenant, "switchboard-api", 600);
    no_sub.as_object_mut().unwrap().remove("sub");
    let no_sub = encode(&Header::default(), &no_sub, &real).unwrap();
    let mut no_nbf = claims(user, tenant, "switchboard-api", 600);
    no_nbf.as_object_mut().unwrap().remove("nbf");
    let no_nbf = encode(&Header::default(), &no_nbf, &real).unwrap();
    let mut old_session = claims(user, tenant, "switchboard-api", 600);
    old_session["mver"] = json!(issued["mver"].as_i64().unwrap() - 1);
    let old_session = encode(&Header::default(), &old_session, &real).unwrap();
    let mut no_ver = claims(user, tenant, "switchboard-api", 600);
    no_ver.as_object_mut().unwrap().remove("ver");
    let no_ver = encode(&Header::default(), &no_ver, &real).unwrap();
    for (name, bad) in [
        ("an earlier session version", old_session),
        ("no session version", no_ver),
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("HS512", hs512),
        ("no sub", no_sub),
        ("no nbf", no_nbf),
    ] {
        assert_eq!(app.get("/api/v1/me", &bad).await.status, 401, "{name}");
    }
}

pub async fn wait_for_mail(dir: &std::path::Path, needle: &str) -> String {
    for _ in 0..100 {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if text.contains(needle) {
                        return text;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email arrived");
}

pub fn token_from_mail(mail: &str) -> String {
    // The body may be quoted-printable: soft line breaks and `=3D` for `=`.
    let unwrapped = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unwrapped.find("token=").unwrap() + "token=".len();
    unwrapped[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let outbox = tempfile::tempdir().unwrap();
    let outbox_path = outbox.path().to_path_buf();
    let app = spawn_app_with(move |s| s.mail_outbox = Some(outbox_path)).await;
    let session = app.setup("ana@acme.example").await;

    let known = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "ana@acme.example"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "ghost@acme.example"}),
        )
        .await;
    assert_eq!(known.status, 202);
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        known.body, unknown.body,
        "the answer must not reveal which address exists"
    );

    let mail = wait_for_mail(outbox.path(), "reset-password?token=").await;
    assert!(mail.contains("ana@acme.example"));
    let token = token_from_mail(&mail);
    assert!(token.len() >= 40, "token {token}");

    let weak = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body["errors"]["new_password"].is_array());

    let new_password = "a brand new passphrase";
    let reset = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": new_password}),
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    let again = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": "yet another passphrase"}),
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(again.code(), "invalid_token");

    assert_eq!(app.login("ana@acme.example", PASSWORD).await.status, 401);
    assert_eq!(
        app.login("ana@acme.example", new_password).await.status,
        200
    );
    // Sessions from before the reset are gone.
    let old_refresh = session["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(&app, old_refresh).await.status, 401);
}

#[tokio::test]
async fn people_change_their_own_password_with_the_current_one() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let wrong = app
        .post(
            "/api/v1/me/password",
            Some(&token),
            json!({"current_password": "nope nope nope", "new_password": "fresh passphrase 1"}),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body["errors"]["current_password"].is_array());
    let ok = app
        .post(
            "/api/v1/me/password",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": "fresh passphrase 1"}),
        )
        .await;
    assert_eq!(ok.status, 204);
    assert_eq!(
        app.login("ana@acme.example", "fresh passphrase 1")
            .await
            .status,
        200
    );
}

/// Sign-ins into this tenant are its history; a failed attempt opened
/// no tenant and is not shown.
#[tokio::test]
async fn sign_ins_are_recorded_with_address_and_agent() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    app.login("ana@acme.example", "wrong password!!").await;
    app.client
        .post(format!("{}/api/v1/auth/login", app.address))
        .header("user-agent", "HistoryTest/1.0")
        .json(&json!({"email": "ana@acme.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let me = app.get("/api/v1/me", &token).await;
    let id = me.body["user_id"].as_str().unwrap();
    let history = app
        .get(&format!("/api/v1/users/{id}/login-history"), &token)
        .await;
    assert_eq!(history.status, 200, "{}", history.body);
    let items = history.body["items"].as_array().unwrap();
    // The sign-in at setup and the one above.
    assert_eq!(items.len(), 2, "{}", history.body);
    assert_eq!(items[0]["success"], true);
    assert_eq!(items[0]["user_agent"], "HistoryTest/1.0");
    assert_eq!(items[0]["ip"], "127.0.0.1");
    assert_eq!(items[1]["success"], true);
}
