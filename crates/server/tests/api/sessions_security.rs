//! Sessions follow the account: an access token, refresh token or event
//! stream kept by someone (a thief, an ex-colleague) stops working within
//! seconds of signing out, a password change, a role change, deactivation
//! or removal, not when the token would have expired.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "another long test passphrase";

/// Signs `email` in; answers the whole session (access and refresh token).
async fn sign_in(app: &TestApp, email: &str, password: &str) -> Value {
    let answer = app.login(email, password).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["session"].clone()
}

fn access(session: &Value) -> &str {
    session["access_token"].as_str().unwrap()
}

fn refresh_token(session: &Value) -> &str {
    session["refresh_token"].as_str().unwrap()
}

async fn refresh(app: &TestApp, session: &Value) -> crate::helpers::Answer {
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh_token(session)}),
    )
    .await
}

/// Opens the live event stream with `token`'s ticket.
async fn open_stream(app: &TestApp, base: &str, token: &str) -> reqwest::Response {
    let ticket = app
        .post("/api/v1/events/ticket", Some(token), json!({}))
        .await;
    assert_eq!(ticket.status, 200, "{}", ticket.body);
    let ticket = ticket.body["ticket"].as_str().unwrap();
    let stream = app
        .client
        .get(format!("{base}/api/v1/events?ticket={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    stream
}

/// Whether the server closes `stream` within `limit`.
async fn ends_within(mut stream: reqwest::Response, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Err(_) => return false,
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => return true,
        }
    }
}

#[tokio::test]
async fn an_access_token_kept_after_signing_out_is_refused_while_other_devices_carry_on() {
    let app = spawn_app().await;
    app.setup("ana@acme.example").await;
    let laptop = sign_in(&app, "ana@acme.example", PASSWORD).await;
    let phone = sign_in(&app, "ana@acme.example", PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", access(&laptop)).await.status, 200);

    let out = app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": refresh_token(&laptop)}),
        )
        .await;
    assert_eq!(out.status, 204);
    let kept = app.get("/api/v1/me", access(&laptop)).await;
    assert_eq!(kept.status, 401, "{}", kept.body);
    assert_eq!(refresh(&app, &laptop).await.status, 401);

    // The phone's access token is re-issued through its own refresh token.
    let renewed = refresh(&app, &phone).await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_eq!(
        app.get("/api/v1/me", access(&renewed.body)).await.status,
        200
    );
}

#[tokio::test]
async fn tokens_kept_after_a_password_change_are_refused() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.add_user(&owner, "bo@acme.example", "agent").await;
    let thief = sign_in(&app, "bo@acme.example", PASSWORD).await;
    let bo = sign_in(&app, "bo@acme.example", PASSWORD).await;

    let changed = app
        .post(
            "/api/v1/me/password",
            Some(access(&bo)),
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(app.get("/api/v1/me", access(&thief)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", access(&bo)).await.status, 401);
    assert_eq!(refresh(&app, &thief).await.status, 401);
    let ticket = app
        .post("/api/v1/events/ticket", Some(access(&thief)), json!({}))
        .await;
    assert_eq!(ticket.status, 401);
    // The new password signs in as usual.
    let fresh = sign_in(&app, "bo@acme.example", NEW_PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", access(&fresh)).await.status, 200);
}

#[tokio::test]
async fn a_role_change_ends_the_old_access_token_and_a_refresh_brings_the_new_role() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let bo_id = app.add_user(&owner, "bo@acme.example", "admin").await;
    let bo = sign_in(&app, "bo@acme.example", PASSWORD).await;
    assert_eq!(app.get("/api/v1/users", access(&bo)).await.status, 200);

    let agent_role = app.role_id(&owner, "agent").await;
    let demoted = app
        .patch(
            &format!("/api/v1/users/{bo_id}"),
            &owner,
            json!({"role_id": agent_role}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_eq!(app.get("/api/v1/me", access(&bo)).await.status, 401);

    let renewed = refresh(&app, &bo).await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    let me = app.get("/api/v1/me", access(&renewed.body)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["role"]["id"], agent_role.as_str());
}

#[tokio::test]
async fn a_deactivated_members_tokens_and_refresh_tokens_stop_working() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let bo_id = app.add_user(&owner, "bo@acme.example", "agent").await;
    let bo = sign_in(&app, "bo@acme.example", PASSWORD).await;
    let off = app
        .post(
            &format!("/api/v1/users/{bo_id}/deactivate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(app.get("/api/v1/me", access(&bo)).await.status, 401);
    assert_eq!(refresh(&app, &bo).await.status, 401);
    // Reactivation does not bring the old session back.
    let on = app
        .post(
            &format!("/api/v1/users/{bo_id}/reactivate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(app.get("/api/v1/me", access(&bo)).await.status, 401);
}

#[tokio::test]
async fn open_event_streams_end_when_the_session_ends() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let agent_role = app.role_id(&owner, "agent").await;
    for case in [
        "sign-out",
        "password change",
        "role change",
        "deactivation",
        "removal",
    ] {
        let email = format!("{}@acme.example", case.replace([' ', '-'], "."));
        let id = app.add_user(&owner, &email, "admin").await;
        let session = sign_in(&app, &email, PASSWORD).await;
        let stream = open_stream(&app, &app.address, access(&session)).await;
        let done = match case {
            "sign-out" => {
                app.post(
                    "/api/v1/auth/logout",
                    None,
                    json!({"refresh_token": refresh_token(&session)}),
                )
                .await
            }
            "password change" => {
                app.post(
                    "/api/v1/me/password",
                    Some(access(&session)),
                    json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
                )
                .await
            }
            "role change" => {
                app.patch(
                    &format!("/api/v1/users/{id}"),
                    &owner,
                    json!({"role_id": agent_role}),
                )
                .await
            }
            "deactivation" => {
                app.post(
                    &format!("/api/v1/users/{id}/deactivate"),
                    Some(&owner),
                    json!({}),
                )
                .await
            }
            _ => app.delete(&format!("/api/v1/users/{id}"), &owner).await,
        };
        assert!(done.status < 300, "{case}: {}", done.body);
        assert!(
            ends_within(stream, Duration::from_secs(3)).await,
            "the stream stayed open after {case}"
        );
    }
    // A stream whose session goes on stays open.
    let stream = open_stream(&app, &app.address, &owner).await;
    assert!(!ends_within(stream, Duration::from_secs(1)).await);
}

#[tokio::test]
async fn a_stream_on_another_instance_ends_when_the_member_is_deactivated() {
    // Several instances share one PostgreSQL database; SQLite runs one.
    if !crate::helpers::postgres_requested() {
        return;
    }
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let bo_id = app.add_user(&owner, "bo@acme.example", "agent").await;
    let bo = sign_in(&app, "bo@acme.example", PASSWORD).await;
    let other = app.second_instance().await;
    let stream = open_stream(&app, &other, access(&bo)).await;
    // Let the second instance's listener start.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let off = app
        .post(
            &format!("/api/v1/users/{bo_id}/deactivate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert!(ends_within(stream, Duration::from_secs(8)).await);
}
