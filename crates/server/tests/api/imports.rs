//! Contact imports from CSV: preview, mapping, the job, counts and failures.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    body: Vec<u8>,
) -> crate::helpers::Answer {
    let response = app
        .client
        .post(format!(
            "{}/api/v1/contacts/imports?file_name={name}",
            app.address
        ))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::from(response).await
}

async fn wait_done(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..200 {
        let import = app
            .get(&format!("/api/v1/contacts/imports/{id}"), token)
            .await
            .body;
        if ["completed", "failed", "cancelled"]
            .contains(&import["state"].as_str().unwrap_or_default())
        {
            return import;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn a_thousand_rows_with_twenty_bad_ones_import_as_980_and_20() {
    let app = spawn_app().await;
    let owner = app.owner_token().await; // default country GB
    let vip = app
        .post("/api/v1/tags", Some(&owner), json!({"name": "VIP"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "city", "name": "City", "kind": "text"}),
    )
    .await;
    let group = app
        .post("/api/v1/groups", Some(&owner), json!({"name": "Imported"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut csv = String::from("\u{FEFF}Full name;Mobile;Labels;City;Notes\n");
    for i in 0..1000 {
        if i % 50 == 7 {
            csv.push_str(&format!("Bad {i};12;;Nowhere;x\n"));
        } else {
            let tags = if i % 2 == 0 { "vip" } else { "" };
            csv.push_str(&format!("Person {i};+1415555{i:04};{tags};City {i};n\n"));
        }
    }
    let preview = upload(&app, &owner, "people.csv", csv.into_bytes()).await;
    assert_eq!(preview.status, 201, "{}", preview.body);
    assert_eq!(
        preview.body["headers"],
        json!(["Full name", "Mobile", "Labels", "City", "Notes"])
    );
    assert_eq!(preview.body["sample"].as_array().unwrap().len(), 10);
    assert_eq!(preview.body["import"]["total_rows"], 1000);
    assert_eq!(preview.body["import"]["state"], "uploaded");
    let id = preview.body["import"]["id"].as_str().unwrap().to_owned();

    let bad_mapping = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "ignore", "tags", "attr:city", "ignore"]}),
        )
        .await;
    assert_eq!(bad_mapping.status, 422, "a phone column is required");
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone", "tags", "attr:city", "ignore"], "tags": [], "group": group}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let again = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone", "tags", "attr:city", "ignore"]}),
        )
        .await;
    assert_eq!(again.status, 409);

    let done = wait_done(&app, &owner, &id).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["added"], 980);
    assert_eq!(done["failed"], 20);
    assert_eq!(
        app.get("/api/v1/contacts?limit=1", &owner).await.body["total"],
        980
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts?tag_any={vip}&limit=1"), &owner)
            .await
            .body["total"],
        500
    );
    assert_eq!(
        app.get(&format!("/api/v1/groups/{group}"), &owner)
            .await
            .body["member_count"],
        980
    );
    let one = app
        .get("/api/v1/contacts?q=%2B14155550012", &owner)
        .await
        .body;
    let person = one["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Person 12")
        .unwrap()
        .clone();
    assert_eq!(person["source"], "import");
    assert_eq!(person["attributes"]["city"], "City 12");

    let report = app
        .client
        .get(format!(
            "{}/api/v1/contacts/imports/{id}/failures",
            app.address
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 21, "a header and 20 failed rows");
    assert!(lines[1].starts_with("9,bad phone 12"), "{}", lines[1]);

    let history = app.get("/api/v1/contacts/imports", &owner).await.body;
    assert_eq!(history["items"][0]["id"], id.as_str());

    // Importing again without updating: every good row already exists.
    let mut csv = String::from("Name,Phone\n");
    csv.push_str("Renamed,+14155550000\nNew person,+14155559999\n");
    let id = upload(&app, &owner, "again.csv", csv.into_bytes())
        .await
        .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/contacts/imports/{id}/start"),
        Some(&owner),
        json!({"mapping": ["name", "phone"], "update_existing": false}),
    )
    .await;
    let done = wait_done(&app, &owner, &id).await;
    assert_eq!(done["added"], 1);
    assert_eq!(done["updated"], 0);
    assert_eq!(
        app.get("/api/v1/contacts?q=Renamed", &owner).await.body["total"],
        0
    );
}

#[tokio::test]
async fn bad_files_are_refused_whole_with_a_reason() {
    let app = spawn_app_with(|s| {
        s.import_max_bytes = 2000;
        s.import_max_rows = 5;
    })
    .await;
    let owner = app.owner_token().await;
    let malformed = upload(
        &app,
        &owner,
        "x.csv",
        b"Name,Phone\nAna,1\nBo,2,3\n".to_vec(),
    )
    .await;
    assert_eq!(malformed.status, 422);
    assert_eq!(malformed.code(), "bad_file");
    assert!(
        malformed.body["detail"]
            .as_str()
            .unwrap()
            .contains("Line 3"),
        "{}",
        malformed.body
    );
    let big = upload(&app, &owner, "x.csv", vec![b'a'; 3000]).await;
    assert_eq!(big.status, 413);
    let rows = upload(&app, &owner, "x.csv", b"Name\n1\n2\n3\n4\n5\n6\n".to_vec()).await;
    assert_eq!(rows.status, 413);
    let not_xlsx = upload(&app, &owner, "x.xlsx", b"PK\x03\x04junk".to_vec()).await;
    assert_eq!(not_xlsx.status, 422);
    assert_eq!(
        app.get("/api/v1/contacts/imports", &owner).await.body["items"],
        json!([]),
        "nothing kept"
    );
}

#[tokio::test]
async fn a_cancelled_import_changes_nothing() {
    let app = spawn_app_with(|s| s.workers = false).await;
    let owner = app.owner_token().await;
    let id = upload(
        &app,
        &owner,
        "x.csv",
        b"Name,Phone\nAna,+14155550100\n".to_vec(),
    )
    .await
    .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/contacts/imports/{id}/start"),
        Some(&owner),
        json!({"mapping": ["name", "phone"]}),
    )
    .await;
    let cancelled = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/cancel"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, 200);
    assert_eq!(cancelled.body["state"], "cancelled");
    assert_eq!(
        app.post(
            &format!("/api/v1/contacts/imports/{id}/cancel"),
            Some(&owner),
            json!({})
        )
        .await
        .status,
        409
    );
    assert_eq!(app.get("/api/v1/contacts", &owner).await.body["total"], 0);
}

#[tokio::test]
async fn an_import_updates_existing_contacts_by_phone_and_keeps_their_history() {
    let app = spawn_app().await;
    let owner = app.owner_token().await; // default country GB
    let tag = |name: &'static str| {
        let app = &app;
        let owner = owner.clone();
        async move {
            app.post("/api/v1/tags", Some(&owner), json!({"name": name}))
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let vip = tag("VIP").await;
    let news = tag("Newsletter").await;
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "city", "name": "City", "kind": "text"}),
    )
    .await;
    app.post(
        "/api/v1/attributes",
        Some(&owner),
        json!({"key": "plan", "name": "Plan", "kind": "text"}),
    )
    .await;
    let existing = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Old Name", "phone": "07400 900123", "email": "old@example.com",
                   "tags": [vip], "attributes": {"city": "Leeds", "plan": "Gold \"Plus\" \\ 1"}}),
        )
        .await;
    assert_eq!(existing.status, 201, "{}", existing.body);
    let contact = existing.body["id"].as_str().unwrap().to_owned();

    // The same phone written another way, and one new person.
    let csv = "Name,Phone,Labels,City\nNew Name,+44 7400 900123,Newsletter,York\nSomeone Else,07400 900456,,Bath\n";
    let id = upload(&app, &owner, "update.csv", csv.as_bytes().to_vec())
        .await
        .body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone", "tags", "attr:city"], "update_existing": true}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let done = wait_done(&app, &owner, &id).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["added"], 1);
    assert_eq!(done["updated"], 1);
    assert_eq!(done["failed"], 0);

    let updated = app
        .get(&format!("/api/v1/contacts/{contact}"), &owner)
        .await
        .body;
    assert_eq!(updated["name"], "New Name");
    assert_eq!(updated["phone"], "+447400900123");
    assert_eq!(
        updated["email"], "old@example.com",
        "an unmapped column keeps its value"
    );
    assert_eq!(updated["attributes"]["city"], "York");
    assert_eq!(
        updated["attributes"]["plan"], "Gold \"Plus\" \\ 1",
        "an attribute the file does not name keeps its value"
    );
    let mut tags: Vec<&str> = updated["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    tags.sort_unstable();
    let mut expected = vec![vip.as_str(), news.as_str()];
    expected.sort_unstable();
    assert_eq!(tags, expected, "imported tags are added to the ones it had");
    let timeline = app
        .get(&format!("/api/v1/contacts/{contact}/timeline"), &owner)
        .await
        .body;
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"created"), "{kinds:?}");
    assert!(kinds.contains(&"imported"), "{kinds:?}");
    assert_eq!(
        app.get("/api/v1/contacts?limit=1", &owner).await.body["total"],
        2
    );

    // The person the import created: their journey starts with the import,
    // naming the file and who ran it.
    let found = app
        .get("/api/v1/contacts?q=Someone%20Else", &owner)
        .await
        .body;
    let new_contact = found["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found["items"][0]["source"], "import", "{found}");
    let journey = app
        .get(&format!("/api/v1/contacts/{new_contact}/timeline"), &owner)
        .await
        .body;
    let lines = journey.as_array().unwrap();
    assert_eq!(lines.len(), 1, "{journey}");
    assert_eq!(lines[0]["kind"], "imported");
    assert_eq!(lines[0]["detail"], "Imported from update.csv");
    assert!(
        lines[0]["actor_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{journey}"
    );
}

/// More rows than one chunk: the import is read, checked and written a
/// chunk at a time (5,000 rows), and the rules still hold across chunks.
#[tokio::test]
async fn an_import_larger_than_a_chunk_keeps_every_rule_across_chunks() {
    const ROWS: usize = 11_000;
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let group = app
        .post("/api/v1/groups", Some(&owner), json!({"name": "Big"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone who exists already, named in the third chunk.
    let existing = app
        .post(
            "/api/v1/contacts",
            Some(&owner),
            json!({"name": "Before", "phone": "+14155000500"}),
        )
        .await;
    assert_eq!(existing.status, 201, "{}", existing.body);
    let mut csv = String::from("Name,Phone\n");
    for i in 0..ROWS {
        // Row 10,800 repeats row 3's phone: a duplicate two chunks apart.
        let n = if i == 10_800 { 3 } else { i };
        csv.push_str(&format!("Person {i},+1415{}\n", 5_000_000 + n));
    }
    let id = upload(&app, &owner, "big.csv", csv.into_bytes()).await.body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone"], "update_existing": true, "group": group}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let mut done = Value::Null;
    for _ in 0..600 {
        done = app
            .get(&format!("/api/v1/contacts/imports/{id}"), &owner)
            .await
            .body;
        if done["state"] != "queued" && done["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["processed_rows"], ROWS);
    assert_eq!(done["added"], ROWS - 2, "{done}");
    assert_eq!(done["updated"], 1, "{done}");
    assert_eq!(done["failed"], 1, "{done}");
    assert_eq!(
        app.get("/api/v1/contacts?limit=1", &owner).await.body["total"],
        ROWS - 1
    );
    assert_eq!(
        app.get(&format!("/api/v1/groups/{group}"), &owner)
            .await
            .body["member_count"],
        ROWS - 1,
        "new and updated people both join the group"
    );
    let renamed = app
        .get("/api/v1/contacts?q=%2B14155000500", &owner)
        .await
        .body;
    assert_eq!(renamed["items"][0]["name"], "Person 500", "{renamed}");

    let report = app
        .client
        .get(format!(
            "{}/api/v1/contacts/imports/{id}/failures",
            app.address
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert!(
        lines[1].starts_with("10802,") && lines[1].contains("appears earlier"),
        "{}",
        lines[1]
    );
    // Nothing of the work in progress is left beside the upload.
    let leftovers: Vec<_> = walk(app.data_dir())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "checked"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn finished_and_abandoned_uploads_lose_their_files() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let csv = || b"Name,Phone\nAna,+14155550100\n".to_vec();
    let id_of = |answer: crate::helpers::Answer| {
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body["import"]["id"].as_str().unwrap().to_owned()
    };
    let done = id_of(upload(&app, &owner, "done.csv", csv()).await);
    let waiting = id_of(upload(&app, &owner, "waiting.csv", csv()).await);
    let dropped = id_of(upload(&app, &owner, "dropped.csv", csv()).await);
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{done}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone"]}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(wait_done(&app, &owner, &done).await["state"], "completed");
    let cancelled = app
        .post(
            &format!("/api/v1/contacts/imports/{dropped}/cancel"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);

    let imports = app.data_dir().join("imports");
    let tenant_dir = std::fs::read_dir(&imports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let file = |id: &str| tenant_dir.join(id);
    let stray = tenant_dir.join("notes.txt");
    std::fs::write(&stray, "not an import").unwrap();
    let orphan = tenant_dir.join(uuid::Uuid::now_v7().to_string());
    std::fs::write(&orphan, "no import has this id").unwrap();
    assert!(file(&done).exists() && file(&waiting).exists() && file(&dropped).exists());

    let store = app.store().await;
    let week = chrono::Duration::days(7);
    let removed = server::workers::sweep_import_files(&store, &imports, week)
        .await
        .unwrap();
    assert_eq!(removed, 3, "the finished, the cancelled and the orphan");
    assert!(!file(&done).exists());
    assert!(!file(&dropped).exists());
    assert!(!orphan.exists());
    assert!(
        file(&waiting).exists(),
        "a fresh upload may still be started"
    );
    assert!(stray.exists(), "only files named like imports are touched");
    let history = app
        .get(&format!("/api/v1/contacts/imports/{done}"), &owner)
        .await;
    assert_eq!(history.body["added"], 1, "the history outlives the file");

    // Nobody started it in time: it is cancelled, and its file goes.
    let removed = server::workers::sweep_import_files(&store, &imports, chrono::Duration::zero())
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(!file(&waiting).exists());
    let expired = app
        .get(&format!("/api/v1/contacts/imports/{waiting}"), &owner)
        .await;
    assert_eq!(expired.body["state"], "cancelled");
    let late = app
        .post(
            &format!("/api/v1/contacts/imports/{waiting}/start"),
            Some(&owner),
            json!({"mapping": ["name", "phone"]}),
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
}

/// Before: the upload checked the configured limits but the worker re-read
/// the file with the defaults, so a file past a default but within a raised
/// limit was accepted at upload and then failed.
#[tokio::test]
async fn raised_limits_hold_from_upload_to_finish() {
    let app = spawn_app_with(|s| {
        s.import_max_columns = 150;
        s.import_max_cell_bytes = 8192;
    })
    .await;
    let owner = app.owner_token().await;
    // 120 columns (default 100) and a 6,000-byte cell (default 4,096).
    let mut header = vec!["Name".to_owned(), "Phone".to_owned()];
    header.extend((3..=120).map(|i| format!("Extra {i}")));
    let mut row = vec!["Ana".to_owned(), "+5511987654321".to_owned()];
    row.push("x".repeat(6000));
    row.extend((4..=120).map(|_| String::new()));
    let csv = format!("{}\n{}\n", header.join(","), row.join(","));
    let uploaded = upload(&app, &owner, "wide.csv", csv.into_bytes()).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let id = uploaded.body["import"]["id"].as_str().unwrap().to_owned();
    let mut mapping = vec!["name", "phone"];
    mapping.extend(std::iter::repeat_n("ignore", 118));
    let started = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&owner),
            json!({"mapping": mapping}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let done = wait_done(&app, &owner, &id).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["added"], 1, "{done}");
}
