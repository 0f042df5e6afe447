//! Spawns the real application on port 0 with its own database: a SQLite file
//! in a temporary directory, or (with TEST_DB=postgres) a fresh PostgreSQL
//! database on TEST_POSTGRES_URL's server, dropped afterwards.

use std::path::PathBuf;

use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use server::{Application, Settings};

pub const PASSWORD: &str = "a long test passphrase";

pub struct TestApp {
    pub address: String,
    /// The `metrics_bind` listener, when the test set one.
    pub metrics_address: Option<String>,
    pub client: Client,
    _db: TestDatabase,
}

/// A database of its own for one test; a PostgreSQL one is dropped afterwards.
pub struct TestDatabase {
    pub dir: tempfile::TempDir,
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        if postgres_requested() {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .expect("TEST_DB=postgres needs TEST_POSTGRES_URL");
            let name = format!("sb_test_{}", uuid::Uuid::new_v4().simple());
            store::scratch::create_postgres_database(&admin, &name)
                .await
                .expect("create test database");
            let url = store::scratch::database_url(&admin, &name);
            return TestDatabase {
                dir,
                url,
                postgres: Some((admin, name)),
            };
        }
        let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
        TestDatabase {
            dir,
            url,
            postgres: None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // The test's runtime is shutting down; drop the database from a fresh one.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    let _ = rt.block_on(store::scratch::drop_postgres_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

pub fn postgres_requested() -> bool {
    std::env::var("TEST_DB")
        .map(|v| v == "postgres")
        .unwrap_or(false)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDatabase::new().await;
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: db.dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        spa_dir: PathBuf::from("/nonexistent-spa"),
        database_max_connections: 5,
        // The tests' channels talk to the built-in fake providers.
        sandbox: true,
        ..Settings::default()
    };
    customise(&mut settings);
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        metrics_address,
        client: Client::new(),
        _db: db,
    }
}

/// An answer: status and JSON body (Null when empty).
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub async fn from(response: Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

impl TestApp {
    /// A client for a server started elsewhere (the benchmark runs the
    /// release binary as its own process) on `db`.
    #[allow(dead_code)] // used by the benchmark, which includes this module
    pub fn attach(address: String, db: TestDatabase) -> Self {
        TestApp {
            address,
            metrics_address: None,
            client: Client::new(),
            _db: db,
        }
    }

    /// Starts another instance of the application on the same database and
    /// data directory (as a scaled-out deployment would), without background
    /// workers; answers its address.
    #[allow(dead_code)] // not every test binary including this module uses it
    pub async fn second_instance(&self) -> String {
        let settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: self._db.dir.path().to_path_buf(),
            database_url: Some(self._db.url.clone()),
            spa_dir: PathBuf::from("/nonexistent-spa"),
            database_max_connections: 5,
            sandbox: true,
            // Only the first instance processes webhooks, so what the second
            // one's streams hear came across from the first.
            workers: false,
            ..Settings::default()
        };
        let app = Application::build(settings).await.expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// The application's data directory (SQLite file, master key).
    pub fn data_dir(&self) -> &std::path::Path {
        self._db.dir.path()
    }

    /// A second connection to the application's database.
    pub async fn store(&self) -> store::Store {
        store::Store::connect(&self._db.url, 2)
            .await
            .expect("store")
    }

    /// The tenant `token` belongs to.
    async fn tenant_of(&self, token: &str) -> domain::TenantId {
        let me = self.get("/api/v1/me", token).await;
        domain::TenantId(
            me.body["tenant"]["id"]
                .as_str()
                .expect("tenant")
                .parse()
                .expect("uuid"),
        )
    }

    /// Webhook events kept for a channel, read straight from the database.
    pub async fn webhook_event_count(&self, token: &str, channel_id: &str) -> u64 {
        let tenant = self.tenant_of(token).await;
        let id = domain::ChannelId(channel_id.parse().expect("channel id"));
        let store = store::Store::connect(&self._db.url, 1)
            .await
            .expect("connect");
        let count = store.count_webhook_events(tenant, id).await.expect("count");
        store.close().await.ok();
        count
    }

    /// Waits (15 s at most) until the channel keeps at least `at_least`
    /// webhook events and the worker has finished every one of them
    /// (processed or deferred: none pending or being processed), read
    /// straight from the database; answers how many are kept. Whatever the
    /// events were going to change has changed once this returns, so an
    /// assertion after it that "nothing changed" is exact.
    pub async fn wait_until_events_processed(
        &self,
        token: &str,
        channel_id: &str,
        at_least: u64,
    ) -> u64 {
        self.wait_until_events_processed_within(token, channel_id, at_least, 15)
            .await
    }

    /// [`TestApp::wait_until_events_processed`], waiting up to `secs`.
    pub async fn wait_until_events_processed_within(
        &self,
        token: &str,
        channel_id: &str,
        at_least: u64,
        secs: u64,
    ) -> u64 {
        let tenant = self.tenant_of(token).await;
        let id = domain::ChannelId(channel_id.parse().expect("channel id"));
        let store = store::Store::connect(&self._db.url, 1)
            .await
            .expect("connect");
        let mut states = Vec::new();
        for _ in 0..secs * 20 {
            states = store
                .webhook_event_states(tenant, id)
                .await
                .expect("event states");
            let kept: i64 = states.iter().map(|(_, n)| n).sum();
            let unfinished = states
                .iter()
                .any(|(state, n)| *n > 0 && state.is_unfinished());
            if !unfinished && u64::try_from(kept).expect("a count") >= at_least {
                store.close().await.ok();
                return u64::try_from(kept).expect("a count");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the channel's webhook events were never all processed (at least {at_least} expected): {states:?}");
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Answer::from(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Polls `GET path` until `ok` holds of its body (15 s at most).
    pub async fn wait_for(&self, token: &str, path: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..300 {
            last = self.get(path, token).await.body;
            if ok(&last) {
                return last;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{path} never got there: {last}");
    }

    /// A channel of the built-in sandbox provider; answers its id.
    pub async fn sandbox_channel(&self, token: &str) -> String {
        self.create_sandbox_channel(token).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A sandbox channel that has passed validation (as templates and
    /// gallery files need); answers its id and its WhatsApp Business
    /// Account id.
    pub async fn validated_sandbox_channel(&self, token: &str) -> (String, String) {
        let created = self.create_sandbox_channel(token).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let waba = created["fields"]["waba_id"].as_str().unwrap().to_owned();
        let checked = self
            .post(
                &format!("/api/v1/channels/{id}/validate"),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(checked.status, 200, "{}", checked.body);
        (id, waba)
    }

    /// Creates a sandbox channel; answers the created channel.
    async fn create_sandbox_channel(&self, token: &str) -> Value {
        let created = self
            .post(
                "/api/v1/channels",
                Some(token),
                json!({"name": "Demo", "provider": "sandbox"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        created.body
    }

    /// Runs first-run setup; answers the owner's session.
    pub async fn setup(&self, email: &str) -> Value {
        let answer = self
            .post(
                "/api/v1/setup",
                None,
                json!({
                    "tenant_name": "Acme Support",
                    "company_name": "Acme Ltd",
                    "time_zone": "Europe/London",
                    "default_country": "GB",
                    "owner_name": "Ana Owner",
                    "owner_email": email,
                    "owner_password": PASSWORD,
                }),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body["session"].clone()
    }

    /// The owner's access token after setup.
    pub async fn owner_token(&self) -> String {
        self.setup("ana@acme.example").await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// Signs in someone with exactly one tenant; answers the access token.
    pub async fn token_for(&self, email: &str) -> String {
        let answer = self.login(email, PASSWORD).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["session"]["access_token"]
            .as_str()
            .expect("session")
            .to_owned()
    }

    pub async fn role_id(&self, token: &str, builtin: &str) -> String {
        let roles = self.get("/api/v1/roles", token).await;
        assert_eq!(roles.status, 200, "{}", roles.body);
        roles.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["builtin"] == builtin)
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .expect("built-in role")
    }

    /// Invites a member and accepts for them with [`PASSWORD`] (a new
    /// account chooses it; an existing one signs in with it); answers their
    /// user id.
    pub async fn add_user(&self, token: &str, email: &str, builtin_role: &str) -> String {
        let role_id = self.role_id(token, builtin_role).await;
        self.add_user_with_role(token, email, &role_id).await
    }

    /// [`Self::add_user`] with a role id.
    pub async fn add_user_with_role(&self, token: &str, email: &str, role_id: &str) -> String {
        let answer = self
            .post(
                "/api/v1/users",
                Some(token),
                json!({"name": "Test Person", "email": email, "role_id": role_id}),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let url = answer.body["invite_url"].as_str().expect("invite_url");
        let accepted = self.accept_invite(url, PASSWORD).await;
        assert_eq!(accepted.status, 200, "{}", accepted.body);
        answer.body["user"]["id"].as_str().unwrap().to_owned()
    }

    /// Follows an invitation link: accepts with `password` (chosen for a
    /// new account, the account's own otherwise). Answers the session.
    pub async fn accept_invite(&self, invite_url: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": token_of(invite_url), "password": password}),
        )
        .await
    }
}

/// The token of an emailed or shown link (`...?token=...`).
pub fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .and_then(|rest| rest.split(['&', '\n', '\r', ' ']).next())
        .expect("a link with a token")
        .to_owned()
}
