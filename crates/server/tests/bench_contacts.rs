//! Two benchmarks over the release `switchboard` binary, run as its own
//! process, at 100,000 contacts imported from a CSV file through its HTTP
//! API and background worker (upload, mapping, the job to its end):
//!
//! - `cargo xtask bench import` (`import_and_list_at_100k`): the import's
//!   time and memory, then the contact list over HTTP: the first page,
//!   pages deep in the list, and the filters people use.
//! - `cargo xtask bench contacts` (`search_at_100k`): contact search over
//!   HTTP by name fragments (non-ASCII ones in both cases), partial phone
//!   digits written several ways and email fragments, beside `GET /healthz`
//!   and `GET /readyz` timed the same way as the floor.
//!
//! Runs on SQLite, or on a fresh PostgreSQL database with TEST_DB=postgres
//! and TEST_POSTGRES_URL (as the API tests do). Ignored in normal test runs;
//! prints, per request, the median and 95th percentile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "support/bench.rs"]
mod bench_support;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use bench_support::{peak_mb, percentile, rss_mb, start_server, timed};

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CONTACTS: usize = 100_000;
const SAMPLES: usize = 40;

/// A spreadsheet export as people make them: a BOM, semicolons, quoted
/// names with commas, UK numbers written three ways, tags joined with `|`.
fn people_csv() -> Vec<u8> {
    let cities = ["London", "Leeds", "Bristol", "York", "Bath", "Derby"];
    let mut csv = String::from("\u{FEFF}Name;Mobile;Email;Labels;City;Opted in\n");
    for i in 0..CONTACTS {
        let phone = match i % 3 {
            0 => format!("+44 7911 {i:06}"),
            1 => format!("07911 {i:06}"),
            _ => format!("+447911{i:06}"),
        };
        let tags = match i % 10 {
            0 => "VIP|Newsletter",
            1..=3 => "Newsletter",
            _ => "",
        };
        let opted = if i % 3 == 0 { "yes" } else { "" };
        csv.push_str(&format!(
            "\"Surname{}, Person {i}\";{phone};person{i}@example.com;{tags};{};{opted}\n",
            i % 977,
            cities[i % cities.len()],
        ));
    }
    csv.into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with cargo xtask bench import"]
async fn import_and_list_at_100k() {
    let db = helpers::TestDatabase::new().await;
    let (server, address) = start_server(&db).await;
    let pid = server.0.id();
    let app = helpers::TestApp::attach(address, db);
    let token = app.owner_token().await; // default country GB
    let backend = if helpers::postgres_requested() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut tag_ids = Vec::new();
    for name in ["VIP", "Newsletter"] {
        let tag = app
            .post("/api/v1/tags", Some(&token), json!({"name": name}))
            .await;
        assert_eq!(tag.status, 201, "{}", tag.body);
        tag_ids.push(tag.body["id"].as_str().unwrap().to_owned());
    }
    let city = app
        .post(
            "/api/v1/attributes",
            Some(&token),
            json!({"key": "city", "name": "City", "kind": "text"}),
        )
        .await;
    assert_eq!(city.status, 201, "{}", city.body);
    let before_mb = peak_mb(pid);

    let file = people_csv();
    let file_mb = file.len() as f64 / 1_048_576.0;
    let started = Instant::now();
    let uploaded = app
        .client
        .post(format!(
            "{}/api/v1/contacts/imports?file_name=people.csv",
            app.address
        ))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    let uploaded = helpers::Answer::from(uploaded).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    assert_eq!(uploaded.body["import"]["total_rows"], CONTACTS);
    let preview_time = started.elapsed();
    let id = uploaded.body["import"]["id"].as_str().unwrap().to_owned();
    let start = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(&token),
            json!({"mapping": ["name", "phone", "email", "tags", "attr:city", "opt_in"]}),
        )
        .await;
    assert_eq!(start.status, 200, "{}", start.body);
    let after_upload = rss_mb(pid);
    let (mut checking_mb, mut applying_mb) = (0f64, 0f64);
    let done = loop {
        let import = app
            .get(&format!("/api/v1/contacts/imports/{id}"), &token)
            .await
            .body;
        let rss = rss_mb(pid);
        if import["processed_rows"].as_u64() < Some(CONTACTS as u64) {
            checking_mb = checking_mb.max(rss);
        } else {
            applying_mb = applying_mb.max(rss);
        }
        if ["completed", "failed", "cancelled"].contains(&import["state"].as_str().unwrap()) {
            break import;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the import is still running: {import}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let import_time = started.elapsed();
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["added"], CONTACTS, "{done}");
    assert_eq!(done["failed"], 0, "{done}");
    let after_mb = peak_mb(pid);

    println!("\n== {backend}: {CONTACTS} contacts from a {file_mb:.1} MB CSV");
    println!(
        "import, upload to completed: {:.2} s (upload and preview {:.2} s)",
        import_time.as_secs_f64(),
        preview_time.as_secs_f64()
    );
    println!("server peak memory (VmHWM): {after_mb:.0} MB (before the import {before_mb:.0} MB)");
    println!(
        "server resident memory seen: after the upload {after_upload:.0} MB, reading rows {checking_mb:.0} MB, applying {applying_mb:.0} MB"
    );

    // Cursors deep in the list: walk it 200 at a time.
    let mut cursors = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/contacts?limit=200&cursor={c}"),
            None => "/api/v1/contacts?limit=200".to_owned(),
        };
        let (_, page) = timed(&app, &token, &path).await;
        seen += page["items"].as_array().unwrap().len();
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if let Some(c) = &cursor {
            if seen == CONTACTS / 2 || seen == CONTACTS - 1000 {
                cursors.push((seen, c.clone()));
            }
        }
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, CONTACTS, "walking the list saw every contact once");

    let mut cases = vec![(
        "first page".to_owned(),
        "/api/v1/contacts?limit=50".to_owned(),
    )];
    for (at, c) in &cursors {
        cases.push((
            format!("page at contact {at}"),
            format!("/api/v1/contacts?limit=50&cursor={c}"),
        ));
    }
    cases.extend([
        (
            "search by name".to_owned(),
            "/api/v1/contacts?limit=50&q=surname42".to_owned(),
        ),
        (
            "search by phone digits".to_owned(),
            "/api/v1/contacts?limit=50&q=791100012".to_owned(),
        ),
        (
            "tag VIP".to_owned(),
            format!("/api/v1/contacts?limit=50&tag_any={}", tag_ids[0]),
        ),
        (
            "tags VIP and Newsletter".to_owned(),
            format!(
                "/api/v1/contacts?limit=50&tag_all={},{}",
                tag_ids[0], tag_ids[1]
            ),
        ),
        (
            "city = York".to_owned(),
            "/api/v1/contacts?limit=50&attribute=city&attribute_value=York".to_owned(),
        ),
        (
            "opted in + tag VIP".to_owned(),
            format!(
                "/api/v1/contacts?limit=50&opt_in=opted_in&tag_any={}",
                tag_ids[0]
            ),
        ),
    ]);
    println!(
        "{:<28} {:>8} {:>10} {:>10}",
        "GET /contacts (50 a page)", "matches", "median", "p95"
    );
    for (name, path) in cases {
        let mut samples = Vec::new();
        let mut total = Value::Null;
        for _ in 0..SAMPLES {
            let (took, page) = timed(&app, &token, &path).await;
            samples.push(took);
            total = page["total"].clone();
        }
        let median = percentile(&mut samples, 0.5);
        let p95 = percentile(&mut samples, 0.95);
        let total = if total.is_null() {
            "-".to_owned()
        } else {
            total.to_string()
        };
        println!(
            "{name:<28} {total:>8} {:>8.1}ms {:>8.1}ms",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0
        );
    }
}

const FIRST: [&str; 30] = [
    "Álvaro",
    "Zoë",
    "Łukasz",
    "Anna",
    "John",
    "Mary",
    "Peter",
    "Sofia",
    "Mohammed",
    "Chen",
    "Olivia",
    "James",
    "Émile",
    "Søren",
    "Ana",
    "Priya",
    "Ángel",
    "Noah",
    "Chloé",
    "Jürgen",
    "Fatima",
    "Oliver",
    "Amélie",
    "Mateo",
    "Ingrid",
    "Kenji",
    "Lucía",
    "Thomas",
    "Agnieszka",
    "Raj",
];
const LAST: [&str; 30] = [
    "Núñez",
    "Smith",
    "Jones",
    "Kowalski",
    "Brown",
    "Müller",
    "García",
    "Lee",
    "Wright",
    "O'Brien",
    "Dubois",
    "Novák",
    "Ødegaard",
    "Żak",
    "Patel",
    "Rossi",
    "Silva",
    "Nguyen",
    "Kim",
    "Taylor",
    "Fernández",
    "Schäfer",
    "Wiśniewski",
    "Andersson",
    "Costa",
    "Yılmaz",
    "Murphy",
    "Moreau",
    "Khan",
    "Walsh",
];
const DOMAINS: [&str; 4] = ["gmail.com", "outlook.com", "example.co.uk", "correo.es"];

/// The search benchmark's people: 900 name pairs (a third with letters
/// beyond ASCII), UK mobiles in three formattings, emails by name.
fn search_csv() -> Vec<u8> {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                'á' | 'Á' => Some('a'),
                'é' | 'É' => Some('e'),
                'í' => Some('i'),
                'ó' => Some('o'),
                'ú' | 'ü' => Some('u'),
                'ñ' => Some('n'),
                'ë' => Some('e'),
                'ł' | 'Ł' => Some('l'),
                'ø' | 'Ø' | 'ö' => Some('o'),
                'ż' | 'Ż' => Some('z'),
                'ś' => Some('s'),
                'ä' => Some('a'),
                'ı' => Some('i'),
                '\'' => None,
                c => Some(c.to_ascii_lowercase()),
            })
            .collect()
    };
    let mut csv = String::from("Name,Phone,Email\n");
    for i in 0..CONTACTS {
        let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
        // Unique six digits per contact, scattered over the range.
        let number = (i * 7919) % 1_000_000;
        let prefix = "7400";
        let phone = match i % 3 {
            0 => format!("+44 {prefix} {number:06}"),
            1 => format!("0{prefix} {number:06}"),
            _ => format!("+44{prefix}{number:06}"),
        };
        let email = format!(
            "{}.{}{}@{}",
            ascii(first),
            ascii(last),
            i % 1000,
            DOMAINS[i % DOMAINS.len()]
        );
        csv.push_str(&format!("{first} {last},{phone},{email}\n"));
    }
    csv.into_bytes()
}

/// Uploads `file`, starts it with `mapping` and waits for its end; answers
/// how long it took and the finished import.
async fn import(
    app: &helpers::TestApp,
    token: &str,
    file: Vec<u8>,
    mapping: Value,
) -> (Duration, Value) {
    let started = Instant::now();
    let uploaded = app
        .client
        .post(format!(
            "{}/api/v1/contacts/imports?file_name=people.csv",
            app.address
        ))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    let uploaded = helpers::Answer::from(uploaded).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let id = uploaded.body["import"]["id"].as_str().unwrap().to_owned();
    let start = app
        .post(
            &format!("/api/v1/contacts/imports/{id}/start"),
            Some(token),
            json!({ "mapping": mapping }),
        )
        .await;
    assert_eq!(start.status, 200, "{}", start.body);
    loop {
        let import = app
            .get(&format!("/api/v1/contacts/imports/{id}"), token)
            .await
            .body;
        if ["completed", "failed", "cancelled"].contains(&import["state"].as_str().unwrap()) {
            return (started.elapsed(), import);
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the import is still running: {import}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with cargo xtask bench contacts"]
async fn search_at_100k() {
    let db = helpers::TestDatabase::new().await;
    let (server, address) = start_server(&db).await;
    let pid = server.0.id();
    let app = helpers::TestApp::attach(address, db);
    let token = app.owner_token().await; // default country GB
    let backend = if helpers::postgres_requested() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let (took, done) = import(
        &app,
        &token,
        search_csv(),
        json!(["name", "phone", "email"]),
    )
    .await;
    assert_eq!(done["state"], "completed", "{done}");
    if done["added"] != CONTACTS {
        let id = done["id"].as_str().unwrap();
        let failures = app
            .get(&format!("/api/v1/contacts/imports/{id}/failures"), &token)
            .await;
        panic!(
            "{done}\n{}",
            &failures.body.to_string()[..2000.min(failures.body.to_string().len())]
        );
    }
    println!(
        "\n== {backend}: contact search at {CONTACTS} contacts (imported in {:.2} s, server peak memory {:.0} MB)",
        took.as_secs_f64(),
        peak_mb(pid)
    );

    // (kind, what is typed, at least how many contacts it must find)
    let cases: [(&str, &str, u64); 17] = [
        ("floor", "GET /healthz", 0),
        ("floor", "GET /readyz", 0),
        ("name", "álv", 3000),
        ("name", "ÁLV", 3000),
        ("name", "łuk", 3000),
        ("name", "ZOË", 3000),
        ("name", "smith", 3000),
        ("name", "álvaro núñez", 100),
        ("name", "Chloé Dub", 100),
        ("phone", "7400 123", 10),
        ("phone", "07400 55", 10),
        ("phone", "+44 7400-98", 10),
        ("phone", "(0)7400 9876", 1),
        ("phone", "2345", 10),
        ("email", "nunez900@", 1),
        ("email", "zoe.smith", 100),
        // A quarter of the tenant: the total counts 25,000 rows.
        ("broad", "correo.es", 20000),
    ];
    println!(
        "{:<7} {:<24} {:>8} {:>10} {:>10}",
        "kind", "GET /contacts?q=", "matches", "median", "p95"
    );
    let mut worst: std::collections::BTreeMap<&str, f64> = Default::default();
    for (kind, text, at_least) in cases {
        let path = match text.strip_prefix("GET ") {
            Some(path) => path.to_owned(),
            None => format!("/api/v1/contacts?limit=50&q={}", encoded(text)),
        };
        let mut samples = Vec::new();
        let mut total = Value::Null;
        for _ in 0..SAMPLES * 2 {
            let started = Instant::now();
            let answer = app.get(&path, &token).await;
            samples.push(started.elapsed());
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            total = answer.body["total"].clone();
        }
        if kind != "floor" {
            let found = total.as_u64().unwrap_or(0);
            assert!(
                found >= at_least,
                "{text}: {found} found, expected at least {at_least}"
            );
        }
        let median = percentile(&mut samples, 0.5).as_secs_f64() * 1000.0;
        let p95 = percentile(&mut samples, 0.95).as_secs_f64() * 1000.0;
        let entry = worst.entry(kind).or_default();
        *entry = entry.max(p95);
        let total = if total.is_null() {
            "-".to_owned()
        } else {
            total.to_string()
        };
        println!("{kind:<7} {text:<24} {total:>8} {median:>8.1}ms {p95:>8.1}ms");
    }
    for (kind, p95) in worst {
        println!("worst p95, {kind}: {p95:.1} ms");
    }
}
