//! Typed, layered settings: built-in defaults < `switchboard.toml` (optional)
//! < `SWITCHBOARD_*` environment variables (nested keys with `__`, e.g.
//! `SWITCHBOARD_SMTP__HOST`).

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Where the embedded database, master key and files live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; defaults to SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub database_max_connections: u32,
    /// Apply pending migrations at start-up.
    pub migrate_on_start: bool,
    /// How people reach this instance (links in emails, webhook URLs).
    /// Defaults to `http://{bind}`.
    pub public_url: Option<String>,
    /// Base64 of 32 bytes. Without it, a key is generated into `data_dir/master.key`.
    pub master_key: Option<String>,
    /// The built single-page app.
    pub spa_dir: PathBuf,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `switchboard=debug,info`.
    pub log_level: String,
    pub json_limit_bytes: usize,
    /// Wrong passwords for one account from one address before each further
    /// attempt waits (1 s, doubling up to 15 minutes).
    pub login_failures_before_delay: u32,
    /// Sign-in, password-reset and setup requests per client address and minute.
    pub login_per_ip_per_minute: u32,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For`
    /// names the client; a list, or one string separated by commas.
    #[serde(deserialize_with = "list_or_string")]
    pub trusted_proxies: Vec<String>,
    /// Serve `/metrics` only on this address (e.g. `127.0.0.1:9100`), not
    /// on `bind`.
    pub metrics_bind: Option<String>,
    /// Require `Authorization: Bearer <token>` for `/metrics`.
    pub metrics_token: Option<String>,
    pub smtp: Option<Smtp>,
    /// Without SMTP: write emails as `.eml` files here instead of to the log.
    pub mail_outbox: Option<PathBuf>,
    /// Meta Graph API origin (tests point it at a fake).
    pub meta_base_url: String,
    /// Graph API version, e.g. `v25.0`.
    pub graph_version: String,
    pub twilio_base_url: String,
    pub twilio_content_base_url: String,
    /// Seconds before a provider call gives up.
    pub provider_timeout_secs: u64,
    /// Run the background workers in this process.
    pub workers: bool,
    /// Largest contacts file accepted, in bytes (default 50 MB).
    pub import_max_bytes: usize,
    pub import_max_rows: usize,
    pub import_max_columns: usize,
    pub import_max_cell_bytes: usize,
    /// What an uploaded `.xlsx` may unpack to, in bytes (default 1 GiB).
    pub import_max_unpacked_bytes: u64,
    /// Minutes between template syncs with Meta (0 turns the job off).
    pub template_sync_minutes: u64,
    /// Seconds between rounds of the session behaviour (asking quiet
    /// customers whether they still need help, closing conversations).
    pub session_check_secs: u64,
    /// Webhook event groups (one conversation each) applied at the same
    /// time by this process's event worker.
    pub event_parallel_groups: usize,
    /// Event workers in this process, each draining rounds of groups on
    /// its own (the group leases keep them apart, as across instances):
    /// one claims and records while another applies. 0 picks by database:
    /// 2 on PostgreSQL, 1 on SQLite (whose one writer a second worker
    /// only takes away from the webhook writer).
    pub event_workers: usize,
    /// The event worker's commits return before the disk flush (its own
    /// connections; see `store::Durability::Deferred`). A power loss can
    /// then drop the last applied events, which are applied again.
    pub event_deferred_commits: bool,
    /// Where media gallery files are kept on disk when no bucket is set
    /// (default `{data_dir}/media`).
    pub media_dir: Option<PathBuf>,
    /// Keep media gallery files in this S3-compatible bucket instead.
    pub media_s3_bucket: Option<String>,
    /// e.g. `http://127.0.0.1:9000` (MinIO); AWS when unset.
    pub media_s3_endpoint: Option<String>,
    pub media_s3_region: Option<String>,
    /// Without these, the usual `AWS_*` variables (or an instance role) apply.
    pub media_s3_access_key_id: Option<String>,
    pub media_s3_secret_access_key: Option<String>,
    /// Seconds a signed link to a gallery file works, at least (default 3600).
    pub media_url_ttl_secs: u64,
    /// Serve the built-in fake providers (`/sandbox`) and allow sandbox
    /// channels. Off unless set or started with `serve --demo`.
    pub sandbox: bool,
    /// Let fetches of customer- or provider-chosen URLs (media) reach
    /// loopback and private addresses. Off: only for single-host labs.
    pub outbound_allow_private: bool,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Smtp {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default = "default_smtp_security")]
    pub security: String,
}

/// A list, or one string of entries separated by commas or spaces (as an
/// environment variable gives it).
fn list_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        One(String),
    }
    Ok(match ListOrString::deserialize(d)? {
        ListOrString::List(list) => list,
        ListOrString::One(one) => one
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn default_smtp_port() -> u16 {
    587
}

fn default_smtp_security() -> String {
    "starttls".to_owned()
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets stay out of logs.
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.as_deref().map(redact_url))
            .field("public_url", &self.public_url)
            .field("spa_dir", &self.spa_dir)
            .field("log_format", &self.log_format)
            .field("smtp", &self.smtp.as_ref().map(|s| &s.host))
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_bind", &self.metrics_bind)
            .finish_non_exhaustive()
    }
}

/// A database URL with any password removed.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_max_connections: 10,
            migrate_on_start: true,
            public_url: None,
            master_key: None,
            spa_dir: PathBuf::from("frontend/dist"),
            log_format: "text".to_owned(),
            log_level: "info".to_owned(),
            json_limit_bytes: 1024 * 1024,
            login_failures_before_delay: 5,
            login_per_ip_per_minute: 30,
            trusted_proxies: Vec::new(),
            metrics_bind: None,
            metrics_token: None,
            smtp: None,
            mail_outbox: None,
            meta_base_url: "https://graph.facebook.com".to_owned(),
            graph_version: "v25.0".to_owned(),
            twilio_base_url: "https://api.twilio.com".to_owned(),
            twilio_content_base_url: "https://content.twilio.com".to_owned(),
            provider_timeout_secs: 15,
            workers: true,
            import_max_bytes: 50 * 1024 * 1024,
            import_max_rows: 1_000_000,
            import_max_columns: 100,
            import_max_cell_bytes: 4096,
            import_max_unpacked_bytes: 1024 * 1024 * 1024,
            template_sync_minutes: 15,
            session_check_secs: 15,
            event_parallel_groups: 8,
            event_deferred_commits: true,
            event_workers: 0,
            media_dir: None,
            media_s3_bucket: None,
            media_s3_endpoint: None,
            media_s3_region: None,
            media_s3_access_key_id: None,
            media_s3_secret_access_key: None,
            media_url_ttl_secs: 3600,
            sandbox: false,
            outbound_allow_private: false,
        }
    }
}

impl Settings {
    /// Event workers to run (`event_workers`, or the database's default).
    pub fn event_workers(&self) -> usize {
        match self.event_workers {
            0 if self.database_url().starts_with("postgres") => 2,
            0 => 1,
            n => n,
        }
    }

    /// Reads defaults, then `config_file` if it exists, then the environment.
    pub fn load(config_file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(config_file))
            .merge(
                Env::prefixed("SWITCHBOARD_")
                    .split("__")
                    .ignore(&["config"]),
            )
            .extract()
            .map_err(Box::new)
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}/switchboard.db?mode=rwc",
                self.data_dir.display()
            )
        })
    }

    /// Where media gallery files go: the bucket when one is set, else a
    /// directory on disk.
    pub fn media_storage(&self) -> app::MediaStorage {
        let set = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        match set(&self.media_s3_bucket) {
            Some(bucket) => app::MediaStorage::S3 {
                bucket,
                endpoint: set(&self.media_s3_endpoint),
                region: set(&self.media_s3_region),
                access_key_id: set(&self.media_s3_access_key_id),
                secret_access_key: set(&self.media_s3_secret_access_key),
            },
            None => app::MediaStorage::Local {
                dir: self
                    .media_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("media")),
            },
        }
    }

    pub fn public_url(&self, bound_port: u16) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let host = self
                    .bind
                    .rsplit_once(':')
                    .map(|(h, _)| h)
                    .unwrap_or("127.0.0.1");
                let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
                format!("http://{host}:{bound_port}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact_url("postgres://sb:secret@db:5432/sb"),
            "postgres://***@db:5432/sb"
        );
        assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let s = Settings::default();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url(), "sqlite://./data/switchboard.db?mode=rwc");
        assert_eq!(s.public_url(8080), "http://127.0.0.1:8080");
        assert!(matches!(
            s.media_storage(),
            app::MediaStorage::Local { dir } if dir == Path::new("./data/media")
        ));
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_one_string() {
        let from = |toml: &str| {
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::string(toml))
                .extract::<Settings>()
                .unwrap()
                .trusted_proxies
        };
        assert_eq!(
            from(r#"trusted_proxies = "10.0.0.0/8, 127.0.0.1""#),
            ["10.0.0.0/8", "127.0.0.1"]
        );
        assert_eq!(from(r#"trusted_proxies = ["::1"]"#), ["::1"]);
        assert!(from("").is_empty());
    }

    #[test]
    fn a_bucket_moves_media_to_s3() {
        let s = Settings {
            media_s3_bucket: Some("switchboard-media".into()),
            media_s3_endpoint: Some("http://127.0.0.1:9000".into()),
            media_s3_secret_access_key: Some("very-secret".into()),
            ..Settings::default()
        };
        let storage = s.media_storage();
        assert!(matches!(
            &storage,
            app::MediaStorage::S3 { bucket, endpoint: Some(_), .. } if bucket == "switchboard-media"
        ));
        assert!(!format!("{storage:?}").contains("very-secret"));
    }
}
