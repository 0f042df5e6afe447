use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

async fn contact(app: &TestApp, token: &str, body: Value) -> Value {
    let answer = app.post("/api/v1/contacts", Some(token), body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

async fn id_of(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let answer = app.post(path, Some(token), body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

async fn find(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = app.get(&format!("/api/v1/contacts?{query}"), token).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    names(&page.body)
}

fn names(page: &Value) -> Vec<String> {
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn phones_are_stored_in_e164_and_unique_per_tenant() {
    let app = spawn_app().await;
    let owner = app.owner_token().await; // default country GB
    let c = contact(
        &app,
        &owner,
        json!({"name": "Priya Raman", "phone": "07400 123456"}),
    )
    .await;
    assert_eq!(c["phone"], "+447400123456");
    assert_eq!(c["country_code"], "44");
    assert_eq!(c["iso_code"], "GB");
    assert_eq!(c["first_name"], "Priya");
    assert_eq!(c["last_name"], "Raman");
    assert_eq!(c["source"], "manual");
    assert_eq!(c["opt_in"], "unknown");
    let dup = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Other", "phone": "+44 7400 123456"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "phone_taken");
    let bad = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "", "phone": "12", "email": "x", "opt_in": "maybe"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    for field in ["name", "phone", "email", "opt_in"] {
        assert!(
            bad.body["errors"][field].is_array(),
            "{field}: {}",
            bad.body
        );
    }
}

#[tokio::test]
async fn contacts_are_found_by_text_tags_groups_attributes_and_dates() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let vip = id_of(
        &app,
        &owner,
        "/api/v1/tags",
        json!({"name": "VIP", "colour": "#FF0000"}),
    )
    .await;
    let lead = id_of(&app, &owner, "/api/v1/tags", json!({"name": "Lead"})).await;
    assert_eq!(
        app.post("/api/v1/tags", Some(&owner), json!({"name": "vip"}))
            .await
            .status,
        409,
        "names ignore case"
    );
    assert_eq!(
        app.post(
            "/api/v1/attributes",
            Some(&owner),
            json!({"key": "city", "name": "City", "kind": "text"})
        )
        .await
        .status,
        201
    );
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "orders", "name": "Orders", "kind": "number"}),
    )
    .await;
    let bad_attr = app
        .post("/api/v1/contacts", Some(&owner), json!({"name": "X", "phone": "+14155550100", "attributes": {"orders": "many", "shoe": "9"}}))
        .await;
    assert_eq!(bad_attr.status, 422);
    assert!(bad_attr.body["errors"]["attributes.orders"].is_array());
    assert!(bad_attr.body["errors"]["attributes.shoe"].is_array());

    let ana = contact(&app, &owner, json!({"name": "Ana Lima", "phone": "+5511987654321", "email": "ana@x.io",
        "tags": [vip, lead], "attributes": {"city": "São Paulo", "orders": "3"}, "opt_in": "opted_in"})).await;
    contact(
        &app,
        &owner,
        json!({"name": "Bo Chen", "phone": "+8613800138000", "tags": [lead],
        "attributes": {"city": "Shanghai"}, "source": "Trade fair"}),
    )
    .await;
    contact(
        &app,
        &owner,
        json!({"name": "Cy Doe", "phone": "+14155550123"}),
    )
    .await;
    assert_eq!(ana["attributes"]["orders"], "3");

    assert_eq!(find(&app, &owner, "q=lima").await, ["Ana Lima"]);
    assert_eq!(find(&app, &owner, "q=%2B86138").await, ["Bo Chen"]);
    assert_eq!(
        find(&app, &owner, &format!("tag_any={vip},{lead}")).await,
        ["Ana Lima", "Bo Chen"]
    );
    assert_eq!(
        find(&app, &owner, &format!("tag_all={vip},{lead}")).await,
        ["Ana Lima"]
    );
    assert_eq!(
        find(
            &app,
            &owner,
            "attribute=city&attribute_value=shang&attribute_op=contains"
        )
        .await,
        ["Bo Chen"]
    );
    assert_eq!(
        find(&app, &owner, "attribute=city&attribute_value=Shanghai").await,
        ["Bo Chen"]
    );
    assert_eq!(find(&app, &owner, "source=Trade%20fair").await, ["Bo Chen"]);
    assert_eq!(find(&app, &owner, "opt_in=opted_in").await, ["Ana Lima"]);
    assert_eq!(
        find(
            &app,
            &owner,
            "created_from=2000-01-01&created_to=2999-12-31"
        )
        .await
        .len(),
        3
    );
    assert!(find(&app, &owner, "created_to=2000-01-01").await.is_empty());
    assert_eq!(
        app.get("/api/v1/contacts?created_from=yesterday", &owner)
            .await
            .status,
        422
    );
    assert_eq!(
        app.get("/api/v1/contacts?tag_any=nope", &owner)
            .await
            .status,
        422
    );

    let tags = app.get("/api/v1/tags", &owner).await.body;
    let lead_count = tags
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Lead")
        .unwrap()["contact_count"]
        .clone();
    assert_eq!(lead_count, 2);
    // Renaming keeps the count, and answers it.
    let renamed = app
        .patch(
            &format!("/api/v1/tags/{lead}"),
            &owner,
            json!({"name": "Hot lead", "colour": "#d9480f"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["name"], "Hot lead");
    assert_eq!(renamed.body["contact_count"], 2);

    // Groups: by filter, with statistics.
    let group = id_of(&app, &owner, "/api/v1/groups", json!({"name": "Leads"})).await;
    let added = app
        .post(
            &format!("/api/v1/groups/{group}/members"),
            Some(&owner),
            json!({"match_filter": {"tag_any": lead}}),
        )
        .await;
    assert_eq!(added.body["affected"], 2);
    let stats = app
        .get(&format!("/api/v1/groups/{group}"), &owner)
        .await
        .body;
    assert_eq!(stats["member_count"], 2);
    assert_eq!(stats["opted_in_count"], 1);
    assert!(stats["last_added_at"].is_string());
    assert_eq!(
        find(&app, &owner, &format!("group={group}")).await,
        ["Ana Lima", "Bo Chen"]
    );
    let ana_id = ana["id"].as_str().unwrap();
    let removed = app
        .post(
            &format!("/api/v1/groups/{group}/members/remove"),
            Some(&owner),
            json!({"contact_ids": [ana_id]}),
        )
        .await;
    assert_eq!(removed.body["affected"], 1);
    assert_eq!(
        find(&app, &owner, &format!("group={group}")).await,
        ["Bo Chen"]
    );

    let timeline = app
        .get(&format!("/api/v1/contacts/{ana_id}/timeline"), &owner)
        .await
        .body;
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"created") && kinds.contains(&"added_to_group"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn bulk_actions_tag_untag_and_delete() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let tag = id_of(&app, &owner, "/api/v1/tags", json!({"name": "Winter"})).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let c = contact(
            &app,
            &owner,
            json!({"name": format!("Person {i}"), "phone": format!("+1415555010{i}")}),
        )
        .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let tagged = app
        .post(
            "/api/v1/contacts/bulk/tag",
            Some(&owner),
            json!({"contact_ids": ids, "tags": [tag]}),
        )
        .await;
    assert_eq!(tagged.body["affected"], 5);
    let untagged = app
        .post(
            "/api/v1/contacts/bulk/untag",
            Some(&owner),
            json!({"contact_ids": &ids[..2], "tags": [tag]}),
        )
        .await;
    assert_eq!(untagged.body["affected"], 2);
    assert_eq!(
        app.get(&format!("/api/v1/contacts?tag_any={tag}"), &owner)
            .await
            .body["total"],
        3
    );
    let deleted = app
        .post(
            "/api/v1/contacts/bulk/delete",
            Some(&owner),
            json!({"contact_ids": &ids[..3]}),
        )
        .await;
    assert_eq!(deleted.body["affected"], 3);
    let page = app.get("/api/v1/contacts?limit=1", &owner).await;
    assert_eq!(page.body["total"], 2);
    let next = page.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("/api/v1/contacts?limit=1&cursor={next}"), &owner)
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert_ne!(second.body["items"][0]["id"], page.body["items"][0]["id"]);
}

#[tokio::test]
async fn contacts_are_private_to_their_tenant() {
    let app = spawn_app().await;
    let admin = app.owner_token().await;
    let c = contact(
        &app,
        &admin,
        json!({"name": "Ana", "phone": "+14155550100"}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    let created = app
        .post("/api/v1/tenants", Some(&admin),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    app.accept_invite(created.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let b = app.token_for("hank@globex.example").await;
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{id}"), &b).await.status,
        404
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/contacts/{id}"),
            &b,
            json!({"name": "Mine"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{id}"), &b)
            .await
            .status,
        404
    );
    let bulk = app
        .post(
            "/api/v1/contacts/bulk/delete",
            Some(&b),
            json!({"contact_ids": [id]}),
        )
        .await;
    assert_eq!(bulk.body["affected"], 0);
    // The same number is a different contact in another tenant.
    assert_eq!(
        app.post(
            "/api/v1/contacts",
            Some(&b),
            json!({"name": "Ana", "phone": "+14155550100"})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{id}"), &admin)
            .await
            .body["name"],
        "Ana"
    );
}

#[tokio::test]
async fn editing_a_contact_keeps_its_history() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "birthday", "name": "Birthday", "kind": "date"}),
    )
    .await;
    let c = contact(
        &app,
        &owner,
        json!({"name": "Ana", "phone": "+14155550100", "attributes": {"birthday": "1990-04-01"}}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    let edited = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &owner,
            json!({"name": "Ana Maria", "opt_in": "opted_in", "attributes": {"birthday": null}}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["first_name"], "Ana");
    assert_eq!(edited.body["last_name"], "Maria");
    assert_eq!(edited.body["opt_in"], "opted_in");
    assert!(edited.body["opt_in_at"].is_string());
    assert!(edited.body["attributes"].get("birthday").is_none());
    let bad = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &owner,
            json!({"attributes": {"birthday": "April"}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let timeline = app
        .get(&format!("/api/v1/contacts/{id}/timeline"), &owner)
        .await
        .body;
    assert_eq!(timeline.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn attribute_values_keep_any_text_and_go_with_their_definition() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let note = id_of(
        &app,
        &owner,
        "/api/v1/attributes",
        json!({"key": "note", "name": "Note", "kind": "text"}),
    )
    .await;
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "city", "name": "City", "kind": "text"}),
    )
    .await;
    let odd = "Ünïcode \"quoted\", back\\slash {braces} 'single' 100%";
    let c = contact(
        &app,
        &owner,
        json!({"name": "Ana", "phone": "+14155550100",
               "attributes": {"note": odd, "city": "São Paulo"}}),
    )
    .await;
    assert_eq!(c["attributes"]["note"], odd);
    contact(
        &app,
        &owner,
        json!({"name": "Bea", "phone": "+14155550101", "attributes": {"city": "Porto"}}),
    )
    .await;
    let equals = reqwest::Url::parse_with_params(
        "http://x/",
        [("attribute", "note"), ("attribute_value", odd)],
    )
    .unwrap();
    assert_eq!(
        find(&app, &owner, equals.query().unwrap()).await,
        vec!["Ana"]
    );
    assert_eq!(
        find(
            &app,
            &owner,
            "attribute=city&attribute_value=S%C3%A3o%20paulo&attribute_op=contains"
        )
        .await,
        vec!["Ana"],
        "contains ignores case"
    );
    assert_eq!(
        find(&app, &owner, "attribute=note&attribute_value=porto").await,
        Vec::<String>::new(),
        "a filter reads only its own key"
    );

    let gone = app
        .delete(&format!("/api/v1/attributes/{note}"), &owner)
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let id = c["id"].as_str().unwrap();
    let after = app
        .get(&format!("/api/v1/contacts/{id}"), &owner)
        .await
        .body;
    assert_eq!(
        after["attributes"],
        json!({"city": "São Paulo"}),
        "deleting a definition deletes its values and nothing else"
    );
}

#[tokio::test]
async fn exports_follow_the_filters_and_defuse_formulas() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let vip = id_of(&app, &owner, "/api/v1/tags", json!({"name": "VIP"})).await;
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "note", "name": "Note", "kind": "text"}),
    )
    .await;
    contact(
        &app,
        &owner,
        json!({"name": "Ana Lima", "phone": "+5511987654321", "tags": [vip],
        "attributes": {"note": "=HYPERLINK(\"http://evil\")"}}),
    )
    .await;
    contact(
        &app,
        &owner,
        json!({"name": "Bo Chen", "phone": "+8613800138000"}),
    )
    .await;
    let response = app
        .client
        .get(format!(
            "{}/api/v1/contacts/export?tag_any={vip}&columns=name,phone,tags,attr:note",
            app.address
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("name,phone,tags,attr:note"));
    let row = lines.next().unwrap();
    assert!(row.starts_with("Ana Lima,'+5511987654321,VIP,"), "{row}");
    assert!(row.contains("'=HYPERLINK"), "{row}");
    assert_eq!(lines.next(), None, "only the filtered contact");
    let bad = app
        .get("/api/v1/contacts/export?columns=name,password", &owner)
        .await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn search_ignores_letter_case_in_any_script_and_phone_formatting() {
    let app = spawn_app().await;
    let owner = app.owner_token().await; // default country GB
    let alvaro = contact(
        &app,
        &owner,
        json!({"name": "Álvaro Núñez", "phone": "+447911123456", "email": "Alvaro.Nunez@Example.es"}),
    )
    .await;
    contact(
        &app,
        &owner,
        json!({"name": "Zoë Ødegaard", "phone": "+4791234567", "email": "zoe@fjord.no"}),
    )
    .await;
    contact(
        &app,
        &owner,
        json!({"name": "Łukasz Żak", "phone": "+48601222333"}),
    )
    .await;

    for text in ["álv", "ÁLV", "Álvaro", "NÚÑEZ", "varo nú"] {
        assert_eq!(
            find(&app, &owner, &q(text)).await,
            ["Álvaro Núñez"],
            "{text}"
        );
    }
    assert_eq!(find(&app, &owner, &q("łuk")).await, ["Łukasz Żak"]);
    assert_eq!(find(&app, &owner, &q("ØDEG")).await, ["Zoë Ødegaard"]);
    // A phone by part of its digits, written as people write them.
    for text in [
        "7911 123",
        "07911 123456",
        "+44 7911-123",
        "(0)7911 12",
        "911123456",
    ] {
        assert_eq!(
            find(&app, &owner, &q(text)).await,
            ["Álvaro Núñez"],
            "{text}"
        );
    }
    // Short fragments still match.
    assert_eq!(find(&app, &owner, "q=60").await, ["Łukasz Żak"]);
    assert_eq!(find(&app, &owner, "q=zo").await, ["Zoë Ødegaard"]);
    // Part of an email, in any case.
    assert_eq!(
        find(&app, &owner, &q("nunez@example")).await,
        ["Álvaro Núñez"]
    );
    assert_eq!(find(&app, &owner, "q=FJORD.NO").await, ["Zoë Ødegaard"]);
    // Letters with digits are text, not a phone.
    assert!(find(&app, &owner, "q=zak1").await.is_empty());

    // A renamed contact is found by the new name only; a deleted one not at all.
    let id = alvaro["id"].as_str().unwrap();
    let renamed = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &owner,
            json!({"name": "Ágata Núñez"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(find(&app, &owner, &q("ÁLV")).await.is_empty());
    assert_eq!(find(&app, &owner, &q("ÁGATA")).await, ["Ágata Núñez"]);
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{id}"), &owner)
            .await
            .status,
        204
    );
    assert!(find(&app, &owner, &q("7911 123")).await.is_empty());
}

/// The query string `q=<text>`, percent-encoded.
fn q(text: &str) -> String {
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("q={encoded}")
}
