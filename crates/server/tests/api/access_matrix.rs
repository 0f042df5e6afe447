//! Every documented route x every role: the access table is complete, and the
//! server enforces it. The table is what the areas' `configure` functions
//! registered (`api::access::ROUTES`); a route served without a rule fails here.

use std::collections::BTreeSet;

use api::access::{rule_for, Access, ROUTES};
use domain::permissions::BuiltinRole;
use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

fn spec_routes() -> Vec<(String, String)> {
    let spec: serde_json::Value =
        serde_json::from_str(&api::openapi_spec().to_json().unwrap()).unwrap();
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

#[test]
fn every_documented_route_declares_its_access_and_nothing_else_is_declared() {
    let documented: BTreeSet<(String, String)> = spec_routes().into_iter().collect();
    for (method, path) in &documented {
        assert!(
            rule_for(method, path).is_some(),
            "{method} {path} has no entry in api::access::ROUTES"
        );
    }
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let stale: Vec<_> = declared.difference(&documented).collect();
    assert!(stale.is_empty(), "declared but not documented: {stale:?}");
}

#[tokio::test]
async fn every_route_answers_each_role_as_declared() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let mut tokens = vec![(
        "owner",
        owner.clone(),
        BuiltinRole::Owner.permissions(),
        true,
    )];
    for (key, builtin) in [
        ("admin", BuiltinRole::Admin),
        ("manager", BuiltinRole::Manager),
        ("agent", BuiltinRole::Agent),
    ] {
        let email = format!("{key}@acme.example");
        app.add_user(&owner, &email, key).await;
        tokens.push((
            key,
            app.token_for(&email).await,
            builtin.permissions(),
            false,
        ));
    }
    let empty = app
        .post(
            "/api/v1/roles",
            Some(&owner),
            json!({"name": "Nothing", "permissions": []}),
        )
        .await;
    let empty_id = empty.body["id"].as_str().unwrap();
    app.add_user_with_role(&owner, "none@acme.example", empty_id)
        .await;
    tokens.push((
        "no permissions",
        app.token_for("none@acme.example").await,
        Default::default(),
        false,
    ));

    // A channel's external API token is no user session.
    let channel = app
        .post(
            "/api/v1/channels",
            Some(&owner),
            json!({"name": "S", "provider": "sandbox"}),
        )
        .await;
    let channel_id = channel.body["id"].as_str().unwrap();
    let api_token = app
        .post(
            &format!("/api/v1/channels/{channel_id}/api-token"),
            Some(&owner),
            json!({}),
        )
        .await;
    let api_token = api_token.body["token"].as_str().unwrap().to_owned();

    for (method, path) in spec_routes() {
        let rule = rule_for(&method, &path).unwrap();
        let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let body = matches!(method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({}));

        let anonymous = app.call(m.clone(), &concrete, None, body.clone()).await;
        assert!(
            anonymous.status < 500,
            "{method} {path} anonymous: {} {}",
            anonymous.status,
            anonymous.body
        );
        if rule != Access::Public {
            assert_eq!(anonymous.status, 401, "{method} {path} without a token");
            let with_api_token = app
                .call(m.clone(), &concrete, Some(&api_token), body.clone())
                .await;
            assert_eq!(
                with_api_token.status, 401,
                "{method} {path} with a channel API token"
            );
        }

        for (name, token, permissions, instance_admin) in &tokens {
            let answer = app
                .call(m.clone(), &concrete, Some(token), body.clone())
                .await;
            assert!(
                answer.status < 500,
                "{method} {path} as {name}: {} {}",
                answer.status,
                answer.body
            );
            if rule == Access::Ticket {
                // A bearer token is no ticket.
                assert_eq!(answer.status, 401, "{method} {path} as {name}");
                continue;
            }
            let allowed = match rule {
                Access::Public | Access::SignedIn => true,
                Access::Permission(p) | Access::PermissionOrSignedLink(p) => {
                    permissions.contains(p)
                }
                Access::InstanceAdmin => *instance_admin,
                Access::Ticket => false,
            };
            if allowed {
                assert_ne!(
                    answer.status, 401,
                    "{method} {path} as {name}: {}",
                    answer.body
                );
                assert_ne!(
                    answer.code(),
                    "forbidden",
                    "{method} {path} as {name} should be allowed"
                );
            } else {
                assert_eq!(
                    answer.status, 403,
                    "{method} {path} as {name}: {}",
                    answer.body
                );
                assert_eq!(answer.code(), "forbidden");
            }
        }
    }
}
