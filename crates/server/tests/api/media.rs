//! The media gallery over real HTTP: types sniffed from the bytes whatever
//! the name says, WhatsApp's size limits, listing and search, renaming,
//! signed links to the bytes, deletes refused while a template uses a file,
//! uploads to the sandbox provider (remembered and reused), template
//! submission with a gallery sample, and tenant isolation.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Answer, TestApp, PASSWORD};

pub(crate) fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&[0, 0, 0, 13]);
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&3u32.to_be_bytes());
    b.extend_from_slice(&2u32.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0x12, 0x16, 0xF1, 0x4D]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"IEND");
    b.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    b
}

fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    b.extend_from_slice(b"JFIF\0");
    b.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
    b.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0x01, 0xE0, 0x02, 0x80, 3]);
    b.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn mp4() -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0x18];
    b.extend_from_slice(b"ftypisom");
    b.extend_from_slice(&[0, 0, 2, 0]);
    b.extend_from_slice(b"isomiso2");
    b.extend_from_slice(&[0, 0, 0, 8]);
    b.extend_from_slice(b"free");
    b
}

fn ogg() -> Vec<u8> {
    let mut b = b"OggS\0\x02".to_vec();
    b.extend_from_slice(&[0; 20]);
    b.extend_from_slice(b"\x01\x1e\x01vorbis\0\0\0\0\x02\x44\xac\0\0");
    b
}

fn webp(len: usize) -> Vec<u8> {
    let mut b = b"RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x1f\0\0\x1f\0\0".to_vec();
    b.resize(len.max(b.len()), 0);
    b
}

async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> Answer {
    let response = app
        .client
        .post(format!("{}/api/v1/media", app.address))
        .query(&[("name", name)])
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

async fn stored(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let answer = upload(app, token, name, bytes, "application/octet-stream").await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

fn image_template(name: &str, media_id: Option<&str>) -> Value {
    json!({
        "name": name,
        "language": "en_US",
        "category": "utility",
        "header": {"kind": "image", "media_id": media_id},
        "body": "Hi {{1}}, your order is on its way.",
        "body_examples": {"1": "Ana"}
    })
}

#[tokio::test]
async fn every_kind_is_stored_as_its_bytes_say_whatever_the_name_claims() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let cases = [
        ("photo.pdf", png(), "image", "image/png"),
        ("scan.png", jpeg(), "image", "image/jpeg"),
        ("menu.pdf", pdf(), "document", "application/pdf"),
        ("clip.mp4", mp4(), "video", "video/mp4"),
        ("voice.ogg", ogg(), "audio", "audio/ogg"),
        ("smile.webp", webp(64), "sticker", "image/webp"),
        (
            "notes.txt",
            b"Opening hours: 9-17\n".to_vec(),
            "document",
            "text/plain",
        ),
    ];
    for (name, bytes, kind, mime) in cases {
        let size = bytes.len();
        // The client's type lies too; it is ignored.
        let answer = upload(&app, &owner, name, bytes, "application/pdf").await;
        assert_eq!(answer.status, 201, "{name}: {}", answer.body);
        let item = &answer.body;
        assert_eq!(item["name"], name);
        assert_eq!(item["kind"], kind, "{name}");
        assert_eq!(item["mime_type"], mime, "{name}");
        assert_eq!(item["size_bytes"], size);
        assert_eq!(item["created_by_name"], "Ana Owner");
        assert!(item["url"].as_str().unwrap().contains("sig="));
    }
    let list = app.get("/api/v1/media", &owner).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    // Newest first.
    assert_eq!(items[0]["name"], "notes.txt");
    let photo = &items[6];
    assert_eq!(
        (photo["width"].clone(), photo["height"].clone()),
        (json!(3), json!(2))
    );
}

#[tokio::test]
async fn a_large_file_streams_into_storage_and_back_whole() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    // Larger than the sniffing window, so it goes up in parts.
    let mut big = pdf();
    big.extend((0..3_000_000u32).map(|i| b'a' + (i % 26) as u8));
    let item = stored(&app, &owner, "catalogue.pdf", big.clone()).await;
    assert_eq!(item["size_bytes"], big.len());
    assert_eq!(item["mime_type"], "application/pdf");
    let url = format!("{}{}", app.address, item["url"].as_str().unwrap());
    let served = app.client.get(&url).send().await.unwrap();
    assert_eq!(
        served.headers()["content-length"],
        big.len().to_string().as_str()
    );
    assert!(served.bytes().await.unwrap().to_vec() == big);
    let tail = app
        .client
        .get(&url)
        .header("range", "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), 206);
    assert_eq!(
        tail.headers()["content-range"],
        format!("bytes {}-{}/{}", big.len() - 5, big.len() - 1, big.len()).as_str()
    );
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &big[big.len() - 5..]);
}

#[tokio::test]
async fn files_whatsapp_cannot_take_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let octets = "application/octet-stream";

    let mut big_png = png();
    big_png.resize(5 * 1024 * 1024 + 1, 0);
    let big = upload(&app, &owner, "big.png", big_png, octets).await;
    assert_eq!(big.status, 413, "{}", big.body);
    assert_eq!(big.code(), "too_large");
    assert!(big.body["detail"].as_str().unwrap().contains("5 MB"));
    let sticker = upload(&app, &owner, "s.webp", webp(600 * 1024), octets).await;
    assert_eq!(sticker.status, 413);

    let mut zip =
        b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0a.txt".to_vec();
    zip.extend_from_slice(b"hello");
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0".to_vec();
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, bytes) in [("a.zip", zip), ("photo.jpg", exe), ("noise.png", random)] {
        let refused = upload(&app, &owner, name, bytes, "image/jpeg").await;
        assert_eq!(refused.status, 415, "{name}: {}", refused.body);
        assert_eq!(refused.code(), "unsupported_media_type");
    }
    let form = upload(
        &app,
        &owner,
        "a.png",
        png(),
        "multipart/form-data; boundary=x",
    )
    .await;
    assert_eq!(form.status, 415);

    let empty = upload(&app, &owner, "empty.pdf", Vec::new(), octets).await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.code(), "empty_file");
    for bad in ["   ", &"a".repeat(201), "../x.png"] {
        let named = upload(&app, &owner, bad, png(), octets).await;
        assert_eq!(named.status, 422, "{bad:?}");
        assert!(named.body["errors"]["name"].is_array());
    }
    assert_eq!(
        app.get("/api/v1/media", &owner).await.body["items"],
        json!([])
    );
    // Nothing of the refused files stayed in storage, partial parts included.
    let left = walk(&app.data_dir().join("media"));
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn the_gallery_filters_by_kind_and_searches_names() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    stored(&app, &owner, "Spring Menu.pdf", pdf()).await;
    stored(&app, &owner, "Logo.png", png()).await;
    stored(&app, &owner, "menu photo.jpg", jpeg()).await;
    stored(&app, &owner, "50%_off.png", png()).await;

    let names = |answer: Answer| -> Vec<String> {
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(app.get("/api/v1/media?kind=image", &owner).await),
        ["50%_off.png", "menu photo.jpg", "Logo.png"]
    );
    assert_eq!(
        names(app.get("/api/v1/media?q=MENU", &owner).await),
        ["menu photo.jpg", "Spring Menu.pdf"]
    );
    assert_eq!(
        names(app.get("/api/v1/media?kind=document&q=menu", &owner).await),
        ["Spring Menu.pdf"]
    );
    assert_eq!(
        names(app.get("/api/v1/media?q=%25_", &owner).await),
        ["50%_off.png"]
    );
    let bad = app.get("/api/v1/media?kind=gif", &owner).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["kind"].is_array());

    let first = app.get("/api/v1/media?limit=3", &owner).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = names(
        app.get(&format!("/api/v1/media?limit=3&cursor={cursor}"), &owner)
            .await,
    );
    assert_eq!(rest, ["Spring Menu.pdf"]);
}

#[tokio::test]
async fn renaming_checks_the_name() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let item = stored(&app, &owner, "IMG_0001.png", png()).await;
    let path = format!("/api/v1/media/{}", item["id"].as_str().unwrap());
    let renamed = app
        .patch(&path, &owner, json!({"name": "  Shop front.png "}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["name"], "Shop front.png");
    assert_eq!(renamed.body["mime_type"], "image/png");
    for bad in [
        json!({"name": ""}),
        json!({"name": "x".repeat(201)}),
        json!({"name": "a/b"}),
    ] {
        let refused = app.patch(&path, &owner, bad).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body["errors"]["name"].is_array(),
            "{}",
            refused.body
        );
    }
    assert_eq!(app.get(&path, &owner).await.body["name"], "Shop front.png");
}

#[tokio::test]
async fn the_bytes_are_served_with_their_type_to_members_and_through_signed_links() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let item = stored(&app, &owner, "menú.pdf", pdf()).await;
    let id = item["id"].as_str().unwrap();
    let url = format!("{}{}", app.address, item["url"].as_str().unwrap());

    // A signed link works without a token, as <img src> needs.
    let signed = app.client.get(&url).send().await.unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.headers()["content-type"], "application/pdf");
    let disposition = signed.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    // A document downloads; only pictures, sound and video show in the page.
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''men%C3%BA.pdf"),
        "{disposition}"
    );
    assert_eq!(signed.headers()["x-content-type-options"], "nosniff");
    assert_eq!(signed.bytes().await.unwrap().to_vec(), pdf());

    // A member's bearer token works too.
    let content = format!("{}/api/v1/media/{id}/content", app.address);
    let bearer = app
        .client
        .get(&content)
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);
    let ranged = app
        .client
        .get(&content)
        .bearer_auth(&owner)
        .header("range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.bytes().await.unwrap().as_ref(), b"%PDF");
    assert_eq!(app.client.get(&content).send().await.unwrap().status(), 401);

    // Tampered, moved to another file or expired links are refused.
    let query: std::collections::HashMap<String, String> = reqwest::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let tampered = url.replace(&format!("sig={}", query["sig"]), "sig=AAAA");
    let answer = Answer::from(app.client.get(&tampered).send().await.unwrap()).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "bad_signature");
    let other = stored(&app, &owner, "x.png", png()).await;
    let moved = url.replace(id, other["id"].as_str().unwrap());
    assert_eq!(app.client.get(&moved).send().await.unwrap().status(), 403);
    let later = url.replace(&format!("exp={}", query["exp"]), "exp=4102444800");
    assert_eq!(app.client.get(&later).send().await.unwrap().status(), 403);
    let expired = format!("{content}?tenant={}&exp=1000&sig=AAAA", query["tenant"]);
    let answer = Answer::from(app.client.get(&expired).send().await.unwrap()).await;
    assert_eq!(
        answer.status, 403,
        "a forged signature is refused before its expiry is read"
    );
    let incomplete = format!("{content}?sig={}", query["sig"]);
    assert_eq!(
        app.client.get(&incomplete).send().await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    // A known master key lets the test sign links with the server's own key.
    use base64::Engine;
    let master = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    let key_text = master.clone();
    let app = crate::helpers::spawn_app_with(move |s| s.master_key = Some(key_text)).await;
    let owner = app.owner_token().await;
    let item = stored(&app, &owner, "a.png", png()).await;
    let id: uuid::Uuid = item["id"].as_str().unwrap().parse().unwrap();
    let me = app.get("/api/v1/me", &owner).await;
    let tenant: uuid::Uuid = me.body["tenant"]["id"].as_str().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = server::keys::MasterKey::load_or_create(Some(&master), dir.path()).unwrap();
    let urls = api::media_store::MediaUrls::from_token_key(
        &key.derive("switchboard/jwt/v1"),
        std::time::Duration::from_secs(3600),
    );
    let (fresh, _) = urls.link(tenant, id, chrono::Utc::now());
    let works = app
        .client
        .get(format!("{}{fresh}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), 200, "the test signs as the server does");
    let (old, _) = urls.link(tenant, id, chrono::Utc::now() - chrono::Duration::hours(3));
    let answer = Answer::from(
        app.client
            .get(format!("{}{old}", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.code(), "link_expired");
}

#[tokio::test]
async fn a_file_a_template_uses_cannot_be_deleted_and_the_template_is_named() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&owner).await;
    let photo = stored(&app, &owner, "banner.png", png()).await;
    let photo_id = photo["id"].as_str().unwrap();
    let draft = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": image_template("order_update", Some(photo_id)), "submit": false}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);

    let refused = app
        .delete(&format!("/api/v1/media/{photo_id}"), &owner)
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.code(), "media_in_use");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("order_update"), "{detail}");
    assert!(detail.contains("Ana Owner"), "{detail}");
    assert_eq!(
        app.get(&format!("/api/v1/media/{photo_id}"), &owner)
            .await
            .status,
        200
    );

    // Once the template lets go, the file and its bytes go.
    let template_id = draft.body["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/templates/{template_id}"), &owner)
        .await;
    let url = format!("{}{}", app.address, photo["url"].as_str().unwrap());
    let deleted = app
        .delete(&format!("/api/v1/media/{photo_id}"), &owner)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        app.get(&format!("/api/v1/media/{photo_id}"), &owner)
            .await
            .status,
        404
    );
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 404);
    let tenant_dir = app.data_dir().join("media");
    let files: Vec<_> = walk(&tenant_dir);
    assert!(files.is_empty(), "{files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn uploading_to_a_channel_remembers_and_reuses_the_provider_id() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, _) = app.validated_sandbox_channel(&owner).await;
    let clip = stored(&app, &owner, "clip.mp4", mp4()).await;
    let path = format!(
        "/api/v1/media/{}/provider-upload",
        clip["id"].as_str().unwrap()
    );

    let first = app
        .post(&path, Some(&owner), json!({"channel_id": channel}))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["reused"], false);
    let provider_id = first.body["provider_media_id"].as_str().unwrap().to_owned();
    assert!(!provider_id.is_empty());
    let expires: chrono::DateTime<chrono::Utc> =
        first.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{days}");

    let again = app
        .post(&path, Some(&owner), json!({"channel_id": channel}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["reused"], true);
    assert_eq!(again.body["provider_media_id"], provider_id.as_str());

    let unknown = app
        .post(
            &path,
            Some(&owner),
            json!({"channel_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body["errors"]["channel_id"].is_array());
}

#[tokio::test]
async fn a_media_header_template_is_submitted_with_its_gallery_sample() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let (channel, waba) = app.validated_sandbox_channel(&owner).await;

    let missing = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": image_template("no_sample", None)}),
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    let message = missing.body["errors"]["content.header.media_id"][0]
        .as_str()
        .unwrap();
    assert!(
        message.contains("Choose a sample file from the media gallery"),
        "{message}"
    );

    let document = stored(&app, &owner, "terms.pdf", pdf()).await;
    let wrong_kind = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": image_template("wrong_kind", document["id"].as_str())}),
        )
        .await;
    assert_eq!(wrong_kind.status, 422, "{}", wrong_kind.body);
    assert!(wrong_kind.body["errors"]["content.header.media_id"].is_array());
    assert_eq!(
        app.get("/api/v1/templates", &owner).await.body["items"],
        json!([])
    );

    let photo = stored(&app, &owner, "banner.jpg", jpeg()).await;
    let photo_id = photo["id"].as_str().unwrap();
    let created = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({"channel_id": channel, "content": image_template("order_photo", Some(photo_id))}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "pending");

    // The template went to the provider with the uploaded file as its sample,
    // and the same provider id is what the gallery remembers.
    let upload = app
        .post(
            &format!("/api/v1/media/{photo_id}/provider-upload"),
            Some(&owner),
            json!({"channel_id": channel}),
        )
        .await;
    assert_eq!(upload.body["reused"], true, "{}", upload.body);
    let handle = upload.body["provider_media_id"].as_str().unwrap();
    let listed: Value = app
        .client
        .get(format!(
            "{}/sandbox/graph/v25.0/{waba}/message_templates",
            app.address
        ))
        .bearer_auth("sandbox-test")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let template = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "order_photo")
        .unwrap_or_else(|| panic!("{listed}"));
    let header = template["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "HEADER")
        .unwrap();
    assert_eq!(header["format"], "IMAGE");
    assert_eq!(header["example"]["header_handle"][0], handle);

    // An edit goes back to review with the same, still valid, sample.
    let mut edited = image_template("order_photo", Some(photo_id));
    edited["body"] = json!("Hi {{1}}, your order has shipped.");
    let resubmitted = app
        .patch(
            &format!("/api/v1/templates/{}", created.body["id"].as_str().unwrap()),
            &owner,
            json!({"content": edited}),
        )
        .await;
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.body);
    assert_eq!(resubmitted.body["status"], "pending");

    // The file is now in use.
    assert_eq!(
        app.delete(&format!("/api/v1/media/{photo_id}"), &owner)
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn another_tenant_sees_none_of_the_gallery() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let item = stored(&app, &owner, "private.png", png()).await;
    let id = item["id"].as_str().unwrap();

    let admin = app.login("ana@acme.example", PASSWORD).await;
    let admin = admin.body["session"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = app
        .post("/api/v1/tenants", Some(&admin),
              json!({"name": "Globex", "time_zone": "UTC", "default_country": "US", "owner_email": "hank@globex.example", "owner_name": "Hank"}))
        .await;
    assert_eq!(tenant.status, 201, "{}", tenant.body);
    app.accept_invite(tenant.body["invite_url"].as_str().unwrap(), PASSWORD)
        .await;
    let other = app.token_for("hank@globex.example").await;
    let (other_channel, _) = app.validated_sandbox_channel(&other).await;

    assert_eq!(
        app.get("/api/v1/media", &other).await.body["items"],
        json!([])
    );
    let path = format!("/api/v1/media/{id}");
    assert_eq!(app.get(&path, &other).await.status, 404);
    assert_eq!(
        app.patch(&path, &other, json!({"name": "mine.png"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, &other).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/content"), &other).await.status,
        404
    );
    assert_eq!(
        app.post(
            &format!("{path}/provider-upload"),
            Some(&other),
            json!({"channel_id": other_channel})
        )
        .await
        .status,
        404
    );
    // A link signed for the first tenant names it; rewritten, it fails.
    let url = item["url"].as_str().unwrap();
    let other_tenant = app.get("/api/v1/me", &other).await.body["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let owner_tenant = app.get("/api/v1/me", &owner).await.body["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rewritten = url.replace(&owner_tenant, &other_tenant);
    let answer = app.call(Method::GET, &rewritten, None, None).await;
    assert_eq!(answer.status, 403);
    // The owner's channel cannot receive the other tenant's file either.
    let (own_channel, _) = app.validated_sandbox_channel(&owner).await;
    let theirs = stored(&app, &other, "theirs.png", png()).await;
    let cross = app
        .post(
            &format!(
                "/api/v1/media/{}/provider-upload",
                theirs["id"].as_str().unwrap()
            ),
            Some(&owner),
            json!({"channel_id": own_channel}),
        )
        .await;
    assert_eq!(cross.status, 404);
    assert_eq!(
        app.get("/api/v1/media", &owner).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// A file a customer sent sits in the gallery and in the chat; deleting it
/// from the gallery would empty that message, so it is refused, naming the
/// conversation, and the message keeps showing the file.
#[tokio::test]
async fn a_file_shown_in_a_conversation_cannot_be_deleted_and_the_conversation_is_named() {
    let crate::conversations::MetaSetup {
        app,
        owner,
        channel,
        fake,
    } = crate::conversations::meta_setup().await;
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    jpeg.extend([0u8; 64]);
    fake.put_media("1458391047712093", jpeg, "image/jpeg");
    crate::conversations::post_webhook(
        &app,
        &channel,
        &crate::conversations::fixture("inbound_image"),
    )
    .await;
    // The file is kept before its message: wait for the whole event.
    app.wait_until_events_processed(&owner, &channel, 1).await;
    let gallery = app
        .wait_for(&owner, "/api/v1/media", |b| {
            b["items"].as_array().is_some_and(|a| a.len() == 1)
        })
        .await;
    let file = gallery["items"][0]["id"].as_str().unwrap().to_owned();

    let refused = app.delete(&format!("/api/v1/media/{file}"), &owner).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.code(), "media_in_use");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("1 message"), "{detail}");
    assert!(detail.contains("Priya Raman"), "{detail}");

    // Nothing was lost: the file is in the gallery and the chat shows it.
    assert_eq!(
        app.get(&format!("/api/v1/media/{file}"), &owner)
            .await
            .status,
        200
    );
    let list = app.get("/api/v1/conversations", &owner).await.body;
    let id = list["items"][0]["id"].as_str().unwrap();
    let messages = app
        .get(&format!("/api/v1/conversations/{id}/messages"), &owner)
        .await
        .body;
    let image = &messages["items"][0];
    assert_eq!(image["kind"], "image");
    let link = image["media"]["url"].as_str().unwrap();
    let bytes = app
        .client
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(bytes.status(), 200);
}
