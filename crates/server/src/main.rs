//! `switchboard`: serve (default), migrate, openapi, create-owner.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::{demo, startup, telemetry, Application, Settings};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Self-hosted WhatsApp Business platform"
)]
struct Cli {
    /// Optional configuration file (TOML); environment variables override it.
    #[arg(
        long,
        env = "SWITCHBOARD_CONFIG",
        default_value = "switchboard.toml",
        global = true
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app, the API and the background workers (the default).
    Serve {
        /// Seed a demo tenant into an empty database and print its sign-in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations (or roll all back with --down).
    Migrate {
        #[arg(long)]
        down: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Create an owner: the first tenant on an empty instance, otherwise a
    /// new tenant (or, with --tenant, owner of an existing one).
    CreateOwner {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from SWITCHBOARD_OWNER_PASSWORD when not given.
        #[arg(long, env = "SWITCHBOARD_OWNER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "My tenant")]
        tenant_name: String,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        #[arg(long, default_value = "US")]
        country: String,
        /// Make the person an owner of this existing tenant instead.
        #[arg(long)]
        tenant: Option<uuid::Uuid>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(&cli.config).context("reading configuration")?;
    telemetry::init(&settings.log_format, &settings.log_level);
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate { down } => {
            let store = startup::connect_store(&settings).await?;
            if down {
                store.migrate_down_all().await?;
            } else {
                store.migrate().await?;
            }
            tracing::info!(down, "migrations applied");
            Ok(())
        }
        Command::Openapi => {
            let spec = api::openapi_spec().to_pretty_json()?;
            std::io::Write::write_all(&mut std::io::stdout(), format!("{spec}\n").as_bytes())?;
            Ok(())
        }
        Command::CreateOwner {
            email,
            name,
            password,
            tenant_name,
            time_zone,
            country,
            tenant,
        } => {
            let store = startup::connect_store(&settings).await?;
            store.migrate().await?;
            let owner = server::demo::create_owner(
                &store,
                &email,
                &name,
                &password,
                &tenant_name,
                &time_zone,
                &country,
                tenant,
            )
            .await?;
            tracing::info!(user = %owner.0, tenant = %owner.1, "owner ready");
            Ok(())
        }
    }
}

async fn serve(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    // The demo's channel is a sandbox channel.
    settings.sandbox |= demo;
    tracing::info!(?settings, "starting");
    let app = Application::build(settings).await?;
    let seeded = if demo {
        demo::seed(app.store()).await?
    } else {
        None
    };
    let state = app.state().clone();
    tracing::info!(url = %app.public_url(), "Switchboard is listening; Swagger UI at /api/docs/");
    let server = tokio::spawn(app.run_until_stopped());
    if let Some((tenant, channel)) = seeded {
        demo::connect_sandbox_channel(&state, tenant, channel).await?;
        tracing::info!(
            email = demo::DEMO_OWNER_EMAIL,
            password = demo::DEMO_PASSWORD,
            "demo tenant seeded; sign in with these"
        );
    }
    server.await??;
    Ok(())
}
