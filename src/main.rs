//! The `hyperfocus` command: a thin shim over the library.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use hyperfocus::{
    config::{Backend, DatabaseConfig, ServeConfig},
    db::sqlite::SqliteStore,
    domain::token::Scope,
    services::state::AppState,
};

/// HyperFocus: focus sessions, interruptions and what they cost, over HTTP.
///
/// Every flag can also be set by the environment variable named in its help.
#[derive(Parser)]
#[command(
    version,
    about,
    long_about = None,
    // A person typing `hyperfocus` alone wants to know what it does;
    // serving is a command of its own (`hyperfocus serve`).
    arg_required_else_help = true,
    after_help = "Serving is `hyperfocus serve` (its settings: `hyperfocus serve --help`).\n\
                  `hyperfocus help COMMAND` shows a command's examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    client: hyperfocus::client::Global,
}

/// The client's commands first (what a person runs every day), then the
/// server's.
#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Client(hyperfocus::client::Command),
    /// Run the HTTP server.
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseConfig),
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Let a locked-out person back in, against the configured database.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Create an account with a believable history, to try the web app and
    /// the reports on.
    ///
    /// Prints the account's email, password and token. Example:
    ///   hyperfocus demo --days 90, then open http://127.0.0.1:8000/app/
    Demo {
        /// How many days of history, up to today (at most 3660).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3660))]
        days: u32,
        /// The account's email.
        #[arg(long, default_value = "demo@example.com")]
        email: String,
        /// The account's IANA time zone.
        #[arg(long, default_value = "Europe/Madrid")]
        timezone: String,
        /// The same seed gives the same history.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

/// What an operator can do for a user.
#[derive(Subcommand)]
enum AdminCommand {
    /// Print a new personal token for the user with this email.
    ///
    /// Example: hyperfocus admin token --email ana@example.com --name "recovery"
    Token {
        /// The user's email (any letter case).
        #[arg(long)]
        email: String,
        /// What to call the token, such as the device it is for.
        #[arg(long)]
        name: String,
        /// What the token may do.
        #[arg(long, value_enum, default_value_t = ScopeArg::Write)]
        scope: ScopeArg,
        /// Days until the token expires (1 to 3650); default never.
        #[arg(long)]
        expires_in_days: Option<i64>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Set the password of the user with this email, read from standard
    /// input (one line), or asked for when it is a terminal.
    ///
    /// Example: echo 'a long passphrase' | hyperfocus admin password --email ana@example.com
    Password {
        /// The user's email (any letter case).
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

/// `--scope` of `admin token`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    /// Reads only.
    Read,
    /// Everything.
    Write,
}

fn main() -> ExitCode {
    let mut command = cli_command();
    if std::env::args_os().len() <= 1 {
        // `hyperfocus` alone is a person asking what it does, not a
        // mistake: the help on standard output, and success.
        return match command.print_help() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // A client command makes a request or two: one thread starts faster
    // than a pool, and a prompt runs it on every line.
    let runtime = match &cli.command {
        Command::Client(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli.client, cli.command))
}

/// The command line, with the client's options kept out of the help of
/// the server's commands: being global they are accepted there too, so each
/// server command gets a hidden copy, which clap then does not propagate.
fn cli_command() -> clap::Command {
    let command = Cli::command();
    let client_options: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .map(|arg| arg.clone().hide(true))
        .collect();
    ["serve", "migrate", "openapi", "admin", "demo"]
        .into_iter()
        .fold(command, |command, server| {
            command.mut_subcommand(server, |sub| sub.args(client_options.clone()))
        })
}

async fn run(client: hyperfocus::client::Global, command: Command) -> ExitCode {
    if let Command::Client(command) = command {
        return hyperfocus::client::run(client, command, cli_command()).await;
    }
    match operate(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

/// The server's own commands.
async fn operate(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Client(_) => Ok(()),
        Command::Serve(config) => serve(config).await,
        Command::Migrate(config) => migrate(&config).await,
        Command::Openapi => {
            println!("{}", hyperfocus::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Admin(command) => admin(command).await,
        Command::Demo {
            days,
            email,
            timezone,
            seed,
            database,
        } => {
            let demo = hyperfocus::demo::create(&database, &email, &timezone, days, seed).await?;
            println!(
                "email:    {}\npassword: {}\ntoken:    {}\n{} sessions and {} interruptions over {days} days",
                demo.email,
                demo.password,
                demo.token,
                demo.counts.sessions_added,
                demo.counts.interruptions_added,
            );
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    hyperfocus::telemetry::init_logging(&config.log, config.log_format)?;
    // First, so that a server missing its key stops before touching anything.
    let webhooks =
        hyperfocus::services::webhooks::Webhooks::load(&config.webhooks, &config.database)?;
    let store = hyperfocus::open_store(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        database = %hyperfocus::config::redact(&config.database.database_url),
        "HyperFocus listening; docs at /docs"
    );
    let state = AppState::with_http(store, config.http).with_webhooks(webhooks);
    hyperfocus::serve(listener, state, hyperfocus::shutdown_signal()).await
}

async fn admin(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Token {
            email,
            name,
            scope,
            expires_in_days,
            database,
        } => {
            let scope = match scope {
                ScopeArg::Read => Scope::Read,
                ScopeArg::Write => Scope::Write,
            };
            let token =
                hyperfocus::admin::issue_token(&database, &email, &name, scope, expires_in_days)
                    .await?;
            println!("{token}");
        }
        AdminCommand::Password { email, database } => {
            hyperfocus::admin::set_password(&database, &email).await?;
            eprintln!("the password of {email} is set");
        }
    }
    Ok(())
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
