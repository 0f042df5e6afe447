//! Accounts cannot be pre-claimed across tenants (issue #16, points 5
//! and 8): each test is an attacker's request sequence that worked before
//! and must fail now.

use serde_json::{json, Value};

use crate::auth::{token_from_mail, wait_for_mail};
use crate::helpers::{spawn_app, spawn_app_with, token_of, TestApp, PASSWORD};

const HANK_PASSWORD: &str = "hank's very own passphrase";

/// Ana (instance admin) owns tenant A; Hank owns tenant B, with his
/// own password. Answers (ana's token in A, hank's token in B, B's id).
async fn two_tenants(app: &TestApp) -> (String, String, String) {
    let ana = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/tenants",
            Some(&ana),
            json!({"name": "Globex", "time_zone": "UTC", "default_country": "US",
                   "owner_email": "hank@globex.example", "owner_name": "Hank"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let url = created.body["invite_url"].as_str().unwrap();
    let session = app.accept_invite(url, HANK_PASSWORD).await;
    assert_eq!(session.status, 200, "{}", session.body);
    let hank = session.body["access_token"].as_str().unwrap().to_owned();
    let b = created.body["tenant"]["id"].as_str().unwrap().to_owned();
    (ana, hank, b)
}

async fn invite(app: &TestApp, token: &str, name: &str, email: &str, role: &str) -> Value {
    let role_id = app.role_id(token, role).await;
    let answer = app
        .post(
            "/api/v1/users",
            Some(token),
            json!({"name": name, "email": email, "role_id": role_id}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

fn tenant_names(login: &Value) -> Vec<String> {
    login["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Before: `POST /users` took a `password`, and a later tenant adding
/// the same email reused that account and its password.
#[tokio::test]
async fn an_admin_never_chooses_a_persons_password() {
    let app = spawn_app().await;
    let ana = app.owner_token().await;
    let role = app.role_id(&ana, "agent").await;
    let answer = app
        .post(
            "/api/v1/users",
            Some(&ana),
            json!({"name": "Vic", "email": "victim@x.example", "role_id": role, "password": "chosen by tenant A"}),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.code(), "invalid_body");
    assert_eq!(app.get("/api/v1/users", &ana).await.body["total"], 1);
    assert_eq!(
        app.login("victim@x.example", "chosen by tenant A")
            .await
            .status,
        401
    );
}

/// Tenant A adds victim@x and (holding the link, as on an instance that
/// cannot send mail) sets password P. Tenant B later adds the same email.
/// P must never open B.
#[tokio::test]
async fn a_password_set_through_one_tenant_never_opens_another() {
    let app = spawn_app().await;
    let (ana, hank, b) = two_tenants(&app).await;
    let p = "password chosen by A";
    let from_a = invite(&app, &ana, "Vic", "victim@x.example", "agent").await;
    let claimed = app
        .accept_invite(from_a["invite_url"].as_str().unwrap(), p)
        .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);

    let from_b = invite(&app, &hank, "Victoria", "victim@x.example", "admin").await;
    assert_eq!(from_b["user"]["status"], "invited");

    let login = app.login("victim@x.example", p).await;
    assert_eq!(login.status, 200);
    assert_eq!(tenant_names(&login.body), ["Acme Support"]);
    let a_session = login.body["session"]["access_token"].as_str().unwrap();
    let into_b = app
        .post(
            "/api/v1/auth/switch-tenant",
            Some(a_session),
            json!({"tenant_id": b}),
        )
        .await;
    assert_eq!(into_b.status, 403, "{}", into_b.body);

    // Joining B takes B's link (proof of the mailbox, which A never sees)
    // together with the account's password; the link never sets a new one.
    let b_token = token_of(from_b["invite_url"].as_str().unwrap());
    let wrong = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": b_token, "password": "a guess at the password"}),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body["errors"]["password"].is_array());
    let users_b = app.get("/api/v1/users?status=invited", &hank).await;
    assert_eq!(users_b.body["total"], 1);
}

/// Tenant A adds an email that already has an account in B. Before: the
/// answer said `existing_user: true`, the member was active in A at once,
/// and the response showed the account's own name.
#[tokio::test]
async fn adding_an_existing_account_reveals_nothing_and_waits_for_the_person() {
    let app = spawn_app().await;
    let (ana, hank, _) = two_tenants(&app).await;
    app.patch("/api/v1/me/profile", &hank, json!({"name": "Hank Scorpio"}))
        .await;

    let existing = invite(&app, &ana, "H. Guess", "hank@globex.example", "admin").await;
    let fresh = invite(&app, &ana, "Newcomer", "new@acme.example", "admin").await;
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&existing), keys(&fresh));
    assert_eq!(keys(&existing["user"]), keys(&fresh["user"]));
    assert!(existing.get("existing_user").is_none());
    for (answer, name) in [(&existing, "H. Guess"), (&fresh, "Newcomer")] {
        assert_eq!(answer["user"]["status"], "invited");
        assert_eq!(answer["user"]["has_password"], false);
        assert_eq!(answer["user"]["name"], name, "only what A typed shows");
        // Nor does the id: it carries no creation time, so an account made
        // earlier elsewhere does not show as older.
        let id: uuid::Uuid = answer["user"]["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(id.get_version_num(), 4, "{id}");
    }
    let hank_in_a = existing["user"]["id"].as_str().unwrap().to_owned();
    // Nor does a search by the account's own name find the invited member.
    let search = app.get("/api/v1/users?q=scorpio", &ana).await;
    assert_eq!(search.body["total"], 0, "{}", search.body);
    let search = app.get("/api/v1/users?q=guess", &ana).await;
    assert_eq!(search.body["total"], 1, "{}", search.body);

    // A cannot make the membership active, nor get in with a guess.
    for action in ["reactivate", "deactivate"] {
        let forced = app
            .post(
                &format!("/api/v1/users/{hank_in_a}/{action}"),
                Some(&ana),
                json!({}),
            )
            .await;
        assert_eq!(forced.status, 409, "{action}: {}", forced.body);
        assert_eq!(forced.code(), "invitation_pending");
    }
    let a_token = token_of(existing["invite_url"].as_str().unwrap());
    let guess = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": a_token, "password": "A picks a new password", "name": "Owned"}),
        )
        .await;
    assert_eq!(guess.status, 422, "{}", guess.body);
    assert_eq!(
        app.login("hank@globex.example", "A picks a new password")
            .await
            .status,
        401
    );
    // Not active in A: Hank's sign-in still lists only B.
    let login = app.login("hank@globex.example", HANK_PASSWORD).await;
    assert_eq!(tenant_names(&login.body), ["Globex"]);

    // Hank accepts with his own password; only now is he in A.
    let accepted = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": a_token, "password": HANK_PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["tenant"]["name"], "Acme Support");
    let member = app.get(&format!("/api/v1/users/{hank_in_a}"), &ana).await;
    assert_eq!(member.body["status"], "active");
    assert_eq!(member.body["name"], "Hank Scorpio", "his own name now");
    // The link worked once.
    let again = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": a_token, "password": HANK_PASSWORD}),
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(again.code(), "invalid_token");
}

/// An invited person who gets a password some other way (a reset) is still
/// not in the tenant until they accept its invitation.
#[tokio::test]
async fn an_invitation_is_the_only_way_in() {
    let outbox = tempfile::tempdir().unwrap();
    let dir = outbox.path().to_path_buf();
    let app = spawn_app_with(move |s| s.mail_outbox = Some(dir)).await;
    let ana = app.owner_token().await;
    let answer = invite(&app, &ana, "Ivy", "ivy@acme.example", "agent").await;
    assert!(
        answer.get("invite_url").is_none(),
        "with mail delivery the link goes only to the person"
    );
    let invitation = wait_for_mail(outbox.path(), "accept-invite?token=").await;
    let invite_token = token_from_mail(&invitation);

    // An invitation token is no reset token.
    let as_reset = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": invite_token, "new_password": "set through reset"}),
        )
        .await;
    assert_eq!(as_reset.status, 422);
    assert_eq!(as_reset.code(), "invalid_token");

    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": "ivy@acme.example"}),
    )
    .await;
    let reset_mail = wait_for_mail(outbox.path(), "reset-password?token=").await;
    let reset_token = token_from_mail(&reset_mail);
    // A reset token is no invitation.
    let as_invite = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": reset_token, "password": "set through invite"}),
        )
        .await;
    assert_eq!(as_invite.status, 422);
    assert_eq!(as_invite.code(), "invalid_token");

    let reset = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": reset_token, "new_password": "ivy resets her own"}),
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    let login = app.login("ivy@acme.example", "ivy resets her own").await;
    assert_eq!(login.status, 403, "{}", login.body);
    assert_eq!(login.code(), "no_tenant");

    let accepted = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": invite_token, "password": "ivy resets her own"}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

/// Before: a reset link kept working after the password was changed.
#[tokio::test]
async fn reset_links_die_with_a_password_change() {
    let outbox = tempfile::tempdir().unwrap();
    let dir = outbox.path().to_path_buf();
    let app = spawn_app_with(move |s| s.mail_outbox = Some(dir)).await;
    let ana = app.owner_token().await;
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": "ana@acme.example"}),
    )
    .await;
    let mail = wait_for_mail(outbox.path(), "reset-password?token=").await;
    let stolen = token_from_mail(&mail);
    let changed = app
        .post(
            "/api/v1/me/password",
            Some(&ana),
            json!({"current_password": PASSWORD, "new_password": "ana changed it herself"}),
        )
        .await;
    assert_eq!(changed.status, 204);
    let used = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": stolen, "new_password": "the thief's password"}),
        )
        .await;
    assert_eq!(used.status, 422);
    assert_eq!(used.code(), "invalid_token");
    assert_eq!(
        app.login("ana@acme.example", "ana changed it herself")
            .await
            .status,
        200
    );
}

/// Before: an invitation link sent before a password change still worked
/// afterwards.
#[tokio::test]
async fn invitation_links_die_with_a_password_change() {
    let app = spawn_app().await;
    let (ana, hank, _) = two_tenants(&app).await;
    let invited = invite(&app, &hank, "Ana", "ana@acme.example", "agent").await;
    let link = invited["invite_url"].as_str().unwrap().to_owned();
    let changed = app
        .post(
            "/api/v1/me/password",
            Some(&ana),
            json!({"current_password": PASSWORD, "new_password": "ana changed it herself"}),
        )
        .await;
    assert_eq!(changed.status, 204);
    let accepted = app.accept_invite(&link, "ana changed it herself").await;
    assert_eq!(accepted.status, 422, "{}", accepted.body);
    // Globex can send a fresh one, which works.
    let id = invited["user"]["id"].as_str().unwrap();
    let resent = app
        .post(
            &format!("/api/v1/users/{id}/invitation"),
            Some(&hank),
            json!({}),
        )
        .await;
    assert!(resent.status < 300, "{}", resent.body);
}

/// Before: a tenant saw every sign-in of the account, into any
/// tenant, and its renames changed the name everywhere.
#[tokio::test]
async fn history_and_names_stay_inside_the_tenant() {
    let app = spawn_app().await;
    let (ana, hank, _) = two_tenants(&app).await;
    let hank_in_a = invite(&app, &ana, "Hank", "hank@globex.example", "agent").await;
    let id = hank_in_a["user"]["id"].as_str().unwrap().to_owned();
    let accepted = app
        .accept_invite(hank_in_a["invite_url"].as_str().unwrap(), HANK_PASSWORD)
        .await;
    assert_eq!(accepted.status, 200);

    // Two sign-ins into B (Hank now has two tenants: choose B).
    let b_id = app.get("/api/v1/me", &hank).await.body["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let login = app.login("hank@globex.example", HANK_PASSWORD).await;
        let selection = login.body["selection_token"].as_str().unwrap();
        let chosen = app
            .post(
                "/api/v1/auth/tenant",
                None,
                json!({"selection_token": selection, "tenant_id": b_id}),
            )
            .await;
        assert_eq!(chosen.status, 200);
    }
    app.login("hank@globex.example", "a wrong password").await;
    let history = app
        .get(&format!("/api/v1/users/{id}/login-history"), &ana)
        .await;
    assert_eq!(history.status, 200);
    assert_eq!(
        history.body["total"], 1,
        "only the sign-in into A (accepting): {}",
        history.body
    );

    let renamed = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &ana,
            json!({"name": "Hacked"}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.body["name"], "Hacked");
    let me = app.get("/api/v1/me", &hank).await;
    assert_eq!(me.body["profile"]["name"], "Hank", "his own name stays");
    let in_b = app.get(&format!("/api/v1/users/{id}"), &hank).await;
    assert_eq!(in_b.body["name"], "Hank");
}

/// A custom role with `users.*` but less than an admin holds.
async fn team_lead(app: &TestApp, owner: &str) -> String {
    let role = app
        .post(
            "/api/v1/roles",
            Some(owner),
            json!({"name": "Team lead", "permissions": ["users.view", "users.create", "users.edit", "users.delete", "roles.view", "roles.edit"]}),
        )
        .await;
    assert_eq!(role.status, 201, "{}", role.body);
    let role_id = role.body["id"].as_str().unwrap().to_owned();
    app.add_user_with_role(owner, "lee@acme.example", &role_id)
        .await;
    app.token_for("lee@acme.example").await
}

/// Before: a custom role with `users.edit` could demote, deactivate, rename
/// and remove admins.
#[tokio::test]
async fn a_user_editor_below_admin_cannot_touch_admins() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let adam = app.add_user(&owner, "adam@acme.example", "admin").await;
    let viewer = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Viewer", "permissions": ["users.view"]}),
        )
        .await;
    let viewer = viewer.body["id"].as_str().unwrap().to_owned();
    let sam = app
        .add_user_with_role(&owner, "sam@acme.example", &viewer)
        .await;
    let lead = team_lead(&app, &owner).await;
    let agent_role = app.role_id(&owner, "agent").await;
    let admin_role = app.role_id(&owner, "admin").await;

    for (what, answer) in [
        (
            "demote",
            app.patch(
                &format!("/api/v1/users/{adam}"),
                &lead,
                json!({"role_id": agent_role}),
            )
            .await,
        ),
        (
            "rename",
            app.patch(
                &format!("/api/v1/users/{adam}"),
                &lead,
                json!({"name": "Demoted"}),
            )
            .await,
        ),
        (
            "deactivate",
            app.post(
                &format!("/api/v1/users/{adam}/deactivate"),
                Some(&lead),
                json!({}),
            )
            .await,
        ),
        (
            "remove",
            app.delete(&format!("/api/v1/users/{adam}"), &lead).await,
        ),
    ] {
        assert_eq!(answer.status, 403, "{what}: {}", answer.body);
        assert_eq!(answer.code(), "outranked", "{what}");
    }
    // Nor grant what it does not hold: promote a viewer, invite an admin.
    let promote = app
        .patch(
            &format!("/api/v1/users/{sam}"),
            &lead,
            json!({"role_id": admin_role}),
        )
        .await;
    assert_eq!(promote.status, 403);
    assert_eq!(promote.code(), "privilege_escalation");
    let invite_admin = app
        .post(
            "/api/v1/users",
            Some(&lead),
            json!({"name": "X", "email": "x@acme.example", "role_id": admin_role}),
        )
        .await;
    assert_eq!(invite_admin.status, 403);
    assert_eq!(invite_admin.code(), "privilege_escalation");
    // Rewriting the role an admin-like member holds is refused too.
    let wide = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Wide", "permissions": ["contacts.delete", "roles.view"]}),
        )
        .await;
    let wide_id = wide.body["id"].as_str().unwrap();
    let rewrite = app
        .patch(
            &format!("/api/v1/roles/{wide_id}"),
            &lead,
            json!({"permissions": ["roles.view"]}),
        )
        .await;
    assert_eq!(rewrite.status, 403, "{}", rewrite.body);
    assert_eq!(rewrite.code(), "outranked");

    // Adam is untouched, and the lead still manages the viewer.
    let adam_now = app.get(&format!("/api/v1/users/{adam}"), &owner).await;
    assert_eq!(adam_now.body["status"], "active");
    assert_eq!(adam_now.body["role"]["builtin"], "admin");
    let off = app
        .post(
            &format!("/api/v1/users/{sam}/deactivate"),
            Some(&lead),
            json!({}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
}

/// The invitation page's first call: what the link is for, without
/// spending it.
#[tokio::test]
async fn an_invitation_link_says_what_it_is_for() {
    let app = spawn_app().await;
    let ana = app.owner_token().await;
    let answer = invite(&app, &ana, "Ivy", "ivy@acme.example", "agent").await;
    let token = token_of(answer["invite_url"].as_str().unwrap());
    assert!(answer["invite_url"]
        .as_str()
        .unwrap()
        .contains("/accept-invite?token="));
    for _ in 0..2 {
        let info = app
            .post("/api/v1/auth/invitation", None, json!({"token": token}))
            .await;
        assert_eq!(info.status, 200, "{}", info.body);
        assert_eq!(info.body["tenant_name"], "Acme Support");
        assert_eq!(info.body["email"], "ivy@acme.example");
        assert_eq!(info.body["has_password"], false);
    }
    let bogus = app
        .post("/api/v1/auth/invitation", None, json!({"token": "nope"}))
        .await;
    assert_eq!(bogus.status, 422);
    // A withdrawn invitation (member removed) no longer works.
    let id = answer["user"]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/users/{id}"), &ana)
            .await
            .status,
        204
    );
    let withdrawn = app
        .accept_invite(&format!("x?token={token}"), PASSWORD)
        .await;
    assert_eq!(withdrawn.status, 422);
    assert_eq!(withdrawn.code(), "invalid_token");
}

/// An invitation can be sent again; only while it is pending.
#[tokio::test]
async fn invitations_are_resent_while_pending() {
    let app = spawn_app().await;
    let ana = app.owner_token().await;
    let answer = invite(&app, &ana, "Ivy", "ivy@acme.example", "agent").await;
    let id = answer["user"]["id"].as_str().unwrap();
    let again = app
        .post(
            &format!("/api/v1/users/{id}/invitation"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let url = again.body["invite_url"].as_str().unwrap();
    assert_ne!(url, answer["invite_url"].as_str().unwrap());
    assert_eq!(app.accept_invite(url, PASSWORD).await.status, 200);
    let joined = app
        .post(
            &format!("/api/v1/users/{id}/invitation"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert_eq!(joined.status, 409);
}

/// Before: removing an invited person and inviting them again brought the
/// first, withdrawn link back to life.
#[tokio::test]
async fn a_withdrawn_invitation_stays_withdrawn() {
    let app = spawn_app().await;
    let ana = app.owner_token().await;
    let first = invite(&app, &ana, "Ivy", "ivy@acme.example", "agent").await;
    let withdrawn = first["invite_url"].as_str().unwrap().to_owned();
    let id = first["user"]["id"].as_str().unwrap();
    let removed = app.delete(&format!("/api/v1/users/{id}"), &ana).await;
    assert!(removed.status < 300, "{}", removed.body);
    let again = invite(&app, &ana, "Ivy", "ivy@acme.example", "agent").await;
    let fresh = again["invite_url"].as_str().unwrap().to_owned();
    let old = app.accept_invite(&withdrawn, "ivy's own passphrase").await;
    assert_eq!(old.status, 422, "{}", old.body);
    let new = app.accept_invite(&fresh, "ivy's own passphrase").await;
    assert_eq!(new.status, 200, "{}", new.body);
}
