use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn custom_roles_grant_exactly_their_permissions() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let created = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Team lead", "description": "Sees the team", "permissions": ["users.create", "conversations.view"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let perms: Vec<&str> = created.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        perms.contains(&"users.view"),
        "writing implies viewing: {perms:?}"
    );
    let role_id = created.body["id"].as_str().unwrap().to_owned();

    app.add_user_with_role(&owner, "lee@acme.example", &role_id)
        .await;
    let lee = app.token_for("lee@acme.example").await;
    assert_eq!(app.get("/api/v1/users", &lee).await.status, 200);
    assert_eq!(app.get("/api/v1/roles", &lee).await.status, 403);

    let holders = app
        .get(&format!("/api/v1/roles/{role_id}/users"), &owner)
        .await;
    assert_eq!(holders.body["items"][0]["email"], "lee@acme.example");

    // Taking users.view away applies to Lee's very next request.
    let edited = app
        .patch(
            &format!("/api/v1/roles/{role_id}"),
            &owner,
            json!({"permissions": ["conversations.view"]}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["user_count"], 1);
    assert_eq!(app.get("/api/v1/users", &lee).await.status, 403);

    let in_use = app
        .delete(&format!("/api/v1/roles/{role_id}"), &owner)
        .await;
    assert_eq!(in_use.status, 409);
    assert_eq!(in_use.code(), "role_in_use");
}

#[tokio::test]
async fn built_in_roles_are_fixed_and_names_unique() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let roles = app.get("/api/v1/roles", &owner).await;
    let names: Vec<&str> = roles.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Owner", "Admin", "Manager", "Agent"]);
    let agent = app.role_id(&owner, "agent").await;
    let edit = app
        .patch(
            &format!("/api/v1/roles/{agent}"),
            &owner,
            json!({"permissions": ["users.view"]}),
        )
        .await;
    assert_eq!(edit.status, 409);
    assert_eq!(
        app.delete(&format!("/api/v1/roles/{agent}"), &owner)
            .await
            .status,
        409
    );

    let body = json!({"name": "Support", "permissions": ["conversations.view"]});
    assert_eq!(
        app.post("/api/v1/roles", Some(&owner), body.clone())
            .await
            .status,
        201
    );
    let dup = app.post("/api/v1/roles", Some(&owner), body).await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "role_name_taken");
    let builtin_name = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "agent", "permissions": []}),
        )
        .await;
    assert_eq!(builtin_name.status, 422);
    let unknown = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Odd", "permissions": ["users.fly"]}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body["errors"]["permissions"].is_array());
}

#[tokio::test]
async fn nobody_defines_a_role_stronger_than_their_own() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let role = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Role admin", "permissions": ["roles.create", "roles.edit"]}),
        )
        .await;
    let role_id = role.body["id"].as_str().unwrap();
    app.add_user_with_role(&owner, "r@acme.example", role_id)
        .await;
    let r = app.token_for("r@acme.example").await;
    let sneaky = app
        .post(
            "/api/v1/roles",
            Some(&r),
            json!({"name": "Everything", "permissions": ["users.delete"]}),
        )
        .await;
    assert_eq!(sneaky.status, 403);
    assert_eq!(sneaky.code(), "privilege_escalation");
    let own = app
        .patch(
            &format!("/api/v1/roles/{role_id}"),
            &r,
            json!({"permissions": ["roles.create", "roles.edit", "settings.edit"]}),
        )
        .await;
    assert_eq!(own.status, 403);
}

#[tokio::test]
async fn the_permission_catalog_lists_every_module_and_action() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let catalog = app.get("/api/v1/permissions", &owner).await;
    assert_eq!(catalog.body["modules"].as_array().unwrap().len(), 14);
    assert_eq!(
        catalog.body["actions"],
        json!(["view", "create", "edit", "delete"])
    );
}
