//! Builds the application from settings: database, migrations, keys, state,
//! and the HTTP server bound to its port.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::HttpServer;
use anyhow::Context;
use api::client_ip::TrustedProxies;
use api::{ApiSettings, AppState, LoginLimits, MetricsAccess};
use app::{App, AppSettings, Mailer, SmtpSettings};
use store::Store;

use crate::config::{redact_url, Settings};
use crate::keys::MasterKey;

pub struct Application {
    port: u16,
    server: Server,
    /// The `metrics_bind` listener and its port.
    metrics: Option<(u16, Server)>,
    store: Store,
    public_url: String,
    state: AppState,
}

/// How this process reaches itself (the built-in sandbox and its webhooks).
fn local_url(listener: &TcpListener) -> anyhow::Result<String> {
    let addr = listener.local_addr()?;
    let host = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
        ip if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    Ok(format!("http://{host}:{}", addr.port()))
}

/// Connects to the configured database, creating the data directory for SQLite.
pub async fn connect_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    }
    Store::connect(&url, settings.database_max_connections)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&url)))
}

/// The application as the webhook event worker uses it: with its own
/// connections, whose commits may return before the disk flush when
/// `event_deferred_commits` is on. Everything the worker writes is redone
/// from the durable event queue if a power loss drops it.
async fn event_worker_app(
    settings: &Settings,
    app: &App,
    master: &MasterKey,
) -> anyhow::Result<App> {
    if !settings.event_deferred_commits {
        return Ok(app.clone());
    }
    let url = settings.database_url();
    let connections = u32::try_from(
        settings
            .event_parallel_groups
            .saturating_mul(settings.event_workers()),
    )
    .unwrap_or(u32::MAX)
    .saturating_add(2);
    let store = Store::connect_with(&url, connections, store::Durability::Deferred)
        .await
        .with_context(|| format!("connecting the event worker to {}", redact_url(&url)))?
        .with_secrets(&master.derive("switchboard/secrets/v1"));
    Ok(App {
        store,
        ..app.clone()
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let master = MasterKey::load_or_create(settings.master_key.as_deref(), &settings.data_dir)?;
        let store = connect_store(&settings)
            .await?
            .with_secrets(&master.derive("switchboard/secrets/v1"));
        if settings.migrate_on_start {
            store.migrate().await.context("applying migrations")?;
        }
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let metrics_bind = settings
            .metrics_bind
            .as_deref()
            .filter(|b| !b.trim().is_empty());
        let metrics_listener = match metrics_bind {
            Some(bind) => {
                Some(TcpListener::bind(bind).with_context(|| format!("binding metrics {bind}"))?)
            }
            None => None,
        };
        let public_url = settings.public_url(port);
        let smtp = settings.smtp.as_ref().map(|s| SmtpSettings {
            host: s.host.clone(),
            port: s.port,
            username: s.username.clone(),
            password: s.password.clone(),
            from: s.from.clone(),
            security: s.security.clone(),
        });
        let mailer = match (&smtp, &settings.mail_outbox) {
            (None, Some(dir)) => Mailer::outbox(dir),
            _ => Mailer::from_settings(smtp.as_ref()),
        }
        .map_err(anyhow::Error::msg)?;
        let app_settings = AppSettings {
            public_url: public_url.clone(),
            providers: providers::ProviderSettings {
                meta_base_url: settings.meta_base_url.clone(),
                graph_version: settings.graph_version.clone(),
                twilio_base_url: settings.twilio_base_url.clone(),
                twilio_content_base_url: settings.twilio_content_base_url.clone(),
                timeout: std::time::Duration::from_secs(settings.provider_timeout_secs.max(1)),
                allow_private_addresses: settings.outbound_allow_private,
                ..providers::ProviderSettings::default()
            },
            local_url: local_url(&listener)?,
            data_dir: settings.data_dir.clone(),
            imports: app::ImportLimits {
                max_bytes: settings.import_max_bytes,
                max_rows: settings.import_max_rows,
                max_columns: settings.import_max_columns,
                max_cell_bytes: settings.import_max_cell_bytes,
                max_unpacked_bytes: settings.import_max_unpacked_bytes,
            },
            media: settings.media_storage(),
            media_url_ttl: std::time::Duration::from_secs(settings.media_url_ttl_secs),
            sandbox: settings.sandbox,
        };
        let api_settings = ApiSettings {
            spa_dir: Some(settings.spa_dir.clone()),
            login_limits: LoginLimits {
                failures_before_delay: settings.login_failures_before_delay,
                per_ip_per_minute: settings.login_per_ip_per_minute,
            },
            trusted_proxies: TrustedProxies::parse(&settings.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?,
            metrics: MetricsAccess {
                token: settings.metrics_token.clone().filter(|t| !t.is_empty()),
                own_listener: metrics_bind.is_some(),
            },
            json_limit: settings.json_limit_bytes,
        };
        let token_key = master.derive("switchboard/jwt/v1");
        let sandbox = sandbox::SandboxState::new();
        let numbers = std::sync::Arc::new(api::SandboxRegister(sandbox.clone()));
        let app = App::new(store.clone(), &token_key, mailer, app_settings, numbers)?;
        let state = AppState::new(app, sandbox, &token_key, api_settings)?;
        if settings.sandbox {
            // Oldest first, so a number keeps calling back the channel that had it first.
            for channel in store.sandbox_channels().await? {
                app::channel_provider::register_sandbox_number(
                    &state,
                    &channel,
                    &channel.published,
                );
            }
        }
        if settings.workers {
            let events_app = event_worker_app(&settings, &state.app, &master).await?;
            for _ in 0..settings.event_workers() {
                tokio::spawn(crate::workers::run_webhook_processor(
                    events_app.clone(),
                    crate::workers::drain_settings(settings.event_parallel_groups),
                ));
            }
            tokio::spawn(crate::workers::run_import_processor(state.app.clone()));
            tokio::spawn(crate::workers::run_import_file_sweeper(
                store.clone(),
                settings.data_dir.join("imports"),
            ));
            tokio::spawn(crate::workers::run_session_behaviour(
                state.app.clone(),
                std::time::Duration::from_secs(settings.session_check_secs.max(1)),
            ));
            if settings.template_sync_minutes > 0 {
                tokio::spawn(crate::workers::run_template_sync(
                    state.app.clone(),
                    std::time::Duration::from_secs(settings.template_sync_minutes * 60),
                ));
            }
        }
        tokio::spawn(state.live.clone().relay_from_other_instances());
        let app_state = state.clone();
        let server = HttpServer::new(move || api::build_app(app_state.clone()))
            .listen(listener)?
            .shutdown_timeout(10)
            .run();
        let metrics = match metrics_listener {
            Some(listener) => {
                let metrics_port = listener.local_addr()?.port();
                let app_state = state.clone();
                let server = HttpServer::new(move || api::build_metrics_app(app_state.clone()))
                    .workers(1)
                    .listen(listener)?
                    .shutdown_timeout(1)
                    .run();
                Some((metrics_port, server))
            }
            None => None,
        };
        Ok(Self {
            port,
            server,
            metrics,
            store,
            public_url,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `metrics_bind` listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics {
            Some((_, metrics)) => {
                let metrics_handle = metrics.handle();
                tokio::spawn(async move {
                    if let Err(e) = metrics.await {
                        tracing::error!(error = %e, "the metrics listener stopped");
                    }
                });
                let served = self.server.await;
                // The main server stopped (a signal or an error): so do metrics.
                metrics_handle.stop(true).await;
                served
            }
            None => self.server.await,
        }
    }
}
