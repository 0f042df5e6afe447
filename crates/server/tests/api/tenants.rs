use serde_json::json;

use crate::helpers::{spawn_app, PASSWORD};

#[tokio::test]
async fn tenant_settings_are_edited_with_checks() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let updated = app
        .patch("/api/v1/tenant", &owner, json!({"company_name": "Acme Global", "time_zone": "America/Sao_Paulo", "default_country": "br"}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["default_country"], "BR");
    assert_eq!(updated.body["name"], "Acme Support");
    let bad = app
        .patch(
            "/api/v1/tenant",
            &owner,
            json!({"time_zone": "Nowhere/Land"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["time_zone"].is_array());
    assert_eq!(
        app.get("/api/v1/tenant", &owner).await.body["time_zone"],
        "America/Sao_Paulo"
    );
}

#[tokio::test]
async fn instance_admins_create_tenants_and_invite_their_owners() {
    let app = spawn_app().await;
    let admin = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/tenants",
            Some(&admin),
            json!({"name": "Globex", "time_zone": "UTC", "default_country": "US",
                   "owner_email": "hank@globex.example", "owner_name": "Hank"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body.get("existing_user").is_none());
    let url = created.body["invite_url"].as_str().unwrap();
    assert_eq!(app.accept_invite(url, PASSWORD).await.status, 200);
    let hank = app.token_for("hank@globex.example").await;
    let me = app.get("/api/v1/me", &hank).await;
    assert_eq!(me.body["tenant"]["name"], "Globex");
    assert_eq!(me.body["role"]["builtin"], "owner");
    assert_eq!(
        me.body["instance_admin"], false,
        "owning a tenant does not administer the instance"
    );
    assert_eq!(app.get("/api/v1/tenants", &hank).await.status, 403);

    let list = app.get("/api/v1/tenants", &admin).await;
    assert_eq!(list.body["total"], 2);
}

#[tokio::test]
async fn tenants_cannot_see_each_other() {
    let app = spawn_app().await;
    let admin = app.owner_token().await;
    let a_user = app.add_user(&admin, "sam@acme.example", "agent").await;
    let a_role = app.role_id(&admin, "agent").await;
    let custom = app
        .post(
            "/api/v1/roles",
            Some(&admin),
            json!({"name": "A only", "permissions": []}),
        )
        .await;
    let a_custom = custom.body["id"].as_str().unwrap().to_owned();

    let created = app
        .post("/api/v1/tenants", Some(&admin),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    let url = created.body["invite_url"].as_str().unwrap();
    app.accept_invite(url, PASSWORD).await;
    let b = app.token_for("hank@globex.example").await;

    for path in [
        format!("/api/v1/users/{a_user}"),
        format!("/api/v1/users/{a_user}/login-history"),
        format!("/api/v1/roles/{a_role}"),
        format!("/api/v1/roles/{a_role}/users"),
        format!("/api/v1/roles/{a_custom}"),
    ] {
        assert_eq!(app.get(&path, &b).await.status, 404, "GET {path}");
    }
    assert_eq!(
        app.patch(
            &format!("/api/v1/users/{a_user}"),
            &b,
            json!({"name": "Hacked"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/users/{a_user}/deactivate"),
            Some(&b),
            json!({})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/users/{a_user}"), &b)
            .await
            .status,
        404
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/roles/{a_custom}"),
            &b,
            json!({"name": "Mine"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/roles/{a_custom}"), &b)
            .await
            .status,
        404
    );
    // Another tenant's role cannot be given to one's own members either.
    let answer = app
        .post(
            "/api/v1/users",
            Some(&b),
            json!({"name": "X", "email": "x@globex.example", "role_id": a_role}),
        )
        .await;
    assert_eq!(answer.status, 422);
    let users = app.get("/api/v1/users", &b).await;
    assert_eq!(users.body["total"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/users/{a_user}"), &admin)
            .await
            .body["name"],
        "Test Person"
    );
}
