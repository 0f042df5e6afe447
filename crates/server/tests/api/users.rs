use serde_json::json;

use crate::helpers::{spawn_app, PASSWORD};

#[tokio::test]
async fn owners_add_agents_who_then_sign_in_with_agent_rights() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.add_user(&owner, "sam@acme.example", "agent").await;

    let agent = app.token_for("sam@acme.example").await;
    let me = app.get("/api/v1/me", &agent).await;
    assert_eq!(me.body["role"]["builtin"], "agent");
    let modules: Vec<&str> = me.body["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(modules.contains(&"conversations"));
    assert!(!modules.contains(&"users"));
    assert!(!modules.contains(&"roles"));
    assert_eq!(me.body["instance_admin"], false);

    let denied = app.get("/api/v1/users", &agent).await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.code(), "forbidden");
}

#[tokio::test]
async fn members_are_listed_searched_and_paged() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    for i in 0..5 {
        app.add_user(&owner, &format!("agent{i}@acme.example"), "agent")
            .await;
    }
    app.add_user(&owner, "maya@other.example", "manager").await;

    let all = app.get("/api/v1/users", &owner).await;
    assert_eq!(all.body["total"], 7);

    let found = app.get("/api/v1/users?q=OTHER.example", &owner).await;
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["email"], "maya@other.example");
    assert_eq!(items[0]["role"]["builtin"], "manager");

    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=3".to_owned();
    loop {
        let page = app.get(&path, &owner).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for u in page.body["items"].as_array().unwrap() {
            seen.push(u["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=3&cursor={c}"),
            None => break,
        }
    }
    seen.dedup();
    assert_eq!(seen.len(), 7);

    assert_eq!(app.get("/api/v1/users?limit=0", &owner).await.status, 422);
    assert_eq!(app.get("/api/v1/users?limit=500", &owner).await.status, 422);
    assert_eq!(
        app.get("/api/v1/users?cursor=!!!", &owner).await.status,
        422
    );
    assert_eq!(
        app.get("/api/v1/users?status=sleeping", &owner)
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn deactivated_members_lose_access_at_once_and_can_come_back() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let id = app.add_user(&owner, "sam@acme.example", "agent").await;
    let agent = app.token_for("sam@acme.example").await;

    let off = app
        .post(
            &format!("/api/v1/users/{id}/deactivate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(off.body["status"], "deactivated");
    assert_eq!(
        app.get("/api/v1/me", &agent).await.status,
        401,
        "an issued token stops working"
    );
    let login = app.login("sam@acme.example", PASSWORD).await;
    assert_eq!(login.status, 403);
    assert_eq!(login.code(), "no_tenant");

    let on = app
        .post(
            &format!("/api/v1/users/{id}/reactivate"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(on.body["status"], "active");
    app.token_for("sam@acme.example").await;
}

#[tokio::test]
async fn the_last_owner_can_be_neither_removed_demoted_nor_deactivated() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let me = app.get("/api/v1/me", &owner).await;
    let owner_id = me.body["user_id"].as_str().unwrap().to_owned();

    // A second owner may act on the first, but only while another owner remains.
    let second = app.add_user(&owner, "bo@acme.example", "owner").await;
    let bo = app.token_for("bo@acme.example").await;
    let agent_role = app.role_id(&owner, "agent").await;
    let demoted = app
        .patch(
            &format!("/api/v1/users/{owner_id}"),
            &bo,
            json!({"role_id": agent_role}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);

    // Now bo is the only owner: nobody can take that away.
    let ana = app.token_for("ana@acme.example").await;
    assert_eq!(
        app.get("/api/v1/me", &ana).await.body["role"]["builtin"],
        "agent"
    );
    let admin_role = app.role_id(&bo, "admin").await;
    // Bo cannot change their own role.
    let self_demote = app
        .patch(
            &format!("/api/v1/users/{second}"),
            &bo,
            json!({"role_id": admin_role}),
        )
        .await;
    assert_eq!(self_demote.status, 422);
    // Give Ana admin; an admin cannot touch an owner.
    app.patch(
        &format!("/api/v1/users/{owner_id}"),
        &bo,
        json!({"role_id": admin_role}),
    )
    .await;
    let ana = app.token_for("ana@acme.example").await;
    for answer in [
        app.patch(
            &format!("/api/v1/users/{second}"),
            &ana,
            json!({"role_id": agent_role}),
        )
        .await,
        app.post(
            &format!("/api/v1/users/{second}/deactivate"),
            Some(&ana),
            json!({}),
        )
        .await,
        app.delete(&format!("/api/v1/users/{second}"), &ana).await,
    ] {
        assert_eq!(answer.status, 403, "{}", answer.body);
        assert_eq!(answer.code(), "owner_only");
    }
    // Promote Ana back to owner, then demote bo: fine. Then demoting Ana (the last) fails.
    let owner_role = app.role_id(&bo, "owner").await;
    assert_eq!(
        app.patch(
            &format!("/api/v1/users/{owner_id}"),
            &bo,
            json!({"role_id": owner_role})
        )
        .await
        .status,
        200
    );
    let ana = app.token_for("ana@acme.example").await;
    assert_eq!(
        app.delete(&format!("/api/v1/users/{second}"), &ana)
            .await
            .status,
        204
    );
    assert_eq!(app.get("/api/v1/users", &ana).await.body["total"], 1);
}

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let app = spawn_app().await;
    let ana = app.owner_token().await;
    let ana_id = app.get("/api/v1/me", &ana).await.body["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bo_id = app.add_user(&ana, "bo@acme.example", "owner").await;
    let bo = app.token_for("bo@acme.example").await;
    let agent_role = app.role_id(&ana, "agent").await;
    let (bo_path, ana_path) = (
        format!("/api/v1/users/{bo_id}"),
        format!("/api/v1/users/{ana_id}"),
    );
    let (a, b) = tokio::join!(
        app.patch(&bo_path, &ana, json!({"role_id": agent_role})),
        app.patch(&ana_path, &bo, json!({"role_id": agent_role})),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    let survivor = if a.status == 200 { &ana } else { &bo };
    let roles = app.get("/api/v1/roles", survivor).await;
    let owner = roles.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["builtin"] == "owner")
        .unwrap()
        .clone();
    assert_eq!(owner["user_count"], 1);
}

#[tokio::test]
async fn admins_cannot_grant_roles_above_their_own() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.add_user(&owner, "adam@acme.example", "admin").await;
    app.add_user(&owner, "maya@acme.example", "manager").await;
    let admin = app.token_for("adam@acme.example").await;
    let owner_role = app.role_id(&admin, "owner").await;
    let answer = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"name": "X", "email": "x@acme.example", "role_id": owner_role}),
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "owner_only");
}

#[tokio::test]
async fn adding_a_member_issues_an_invitation() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let role = app.role_id(&owner, "agent").await;
    let answer = app
        .post(
            "/api/v1/users",
            Some(&owner),
            json!({"name": "Ivy", "email": "IVY@acme.example", "role_id": role}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.body["user"]["email"], "ivy@acme.example");
    assert_eq!(answer.body["user"]["has_password"], false);
    assert_eq!(answer.body["user"]["status"], "invited");
    let url = answer.body["invite_url"].as_str().unwrap();
    let set = app.accept_invite(url, "ivy's own passphrase").await;
    assert_eq!(set.status, 200);
    assert_eq!(
        app.login("ivy@acme.example", "ivy's own passphrase")
            .await
            .status,
        200
    );

    let duplicate = app
        .post(
            "/api/v1/users",
            Some(&owner),
            json!({"name": "Ivy", "email": "ivy@acme.example", "role_id": role}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.code(), "already_member");
}

#[tokio::test]
async fn bad_member_input_is_reported_per_field() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let answer = app
        .post(
            "/api/v1/users",
            Some(&owner),
            json!({"name": " ", "email": "no", "role_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(answer.status, 422);
    for field in ["name", "email", "role_id"] {
        assert!(
            answer.body["errors"][field].is_array(),
            "{field}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn profile_settings_are_kept() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let updated = app
        .patch(
            "/api/v1/me/profile",
            &owner,
            json!({"name": "Ana B.", "sounds": {"conversations": false}, "chat_sync": false}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let me = app.get("/api/v1/me", &owner).await;
    assert_eq!(me.body["profile"]["name"], "Ana B.");
    assert_eq!(me.body["profile"]["sounds"]["conversations"], false);
    assert_eq!(me.body["profile"]["sounds"]["broadcasts"], true);
    assert_eq!(me.body["profile"]["chat_sync"], false);
    let bad = app
        .patch(
            "/api/v1/me/profile",
            &owner,
            json!({"language": "xx", "sounds": {"bogus": true}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["language"].is_array());
    assert!(bad.body["errors"]["sounds"].is_array());
}
