//! The `hyperfocus` command: a thin shim over the library.

use clap::{Parser, Subcommand};
use hyperfocus::{
    config::{Backend, DatabaseConfig, ServeConfig},
    db::sqlite::SqliteStore,
    state::AppState,
};

/// HyperFocus: focus sessions, interruptions and what they cost, over HTTP.
///
/// Every flag can also be set by the environment variable named in its help.
#[derive(Parser)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// With no subcommand, `hyperfocus` serves with these settings.
    #[command(flatten)]
    serve: ServeConfig,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseConfig),
    /// Print the OpenAPI document as JSON.
    Openapi,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    match command {
        Command::Serve(config) => serve(config).await,
        Command::Migrate(config) => migrate(&config).await,
        Command::Openapi => {
            println!("{}", hyperfocus::openapi().to_pretty_json()?);
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    hyperfocus::telemetry::init_logging(&config.log, config.log_format)?;
    let store = hyperfocus::open_store(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        database = %hyperfocus::config::redact(&config.database.database_url),
        "HyperFocus listening; docs at /docs"
    );
    let mut state = AppState::new(store);
    state.http = std::sync::Arc::new(config.http);
    hyperfocus::serve(listener, state, hyperfocus::shutdown_signal()).await
}

async fn migrate(config: &DatabaseConfig) -> anyhow::Result<()> {
    match config.backend()? {
        Backend::Sqlite(path) => {
            let ran = SqliteStore::migrate(&path)?;
            println!("applied {ran} migration(s) to {}", path.display());
        }
        // Opening a PostgreSQL store applies what is pending.
        Backend::Postgres(_) => {
            hyperfocus::open_store(config).await?;
            println!("the PostgreSQL schema is up to date");
        }
    }
    Ok(())
}
