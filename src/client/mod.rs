//! The command-line client: `hyperfocus start`, `interrupt`, `status`,
//! `report` and the rest, talking to any HyperFocus server through its
//! public HTTP API only (never the database), so it works the same against
//! a laptop's SQLite server and a PostgreSQL deployment.

mod account;
mod change;
mod chart;
mod config;
mod context;
mod data;
mod explain;
mod focus;
mod goals;
mod http;
mod known;
mod model;
mod output;
mod queue;
mod reading;
mod records;
mod report;
mod status;
mod undo;
mod watch;
mod webhooks;
mod when;
mod words;

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

pub use context::Context;

/// Options every client command takes, also from the environment.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Client options")]
pub struct Global {
    /// The server, such as https://focus.example.com; default the
    /// profile's, else http://127.0.0.1:8000.
    #[arg(long, global = true, env = "HYPERFOCUS_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// A personal token to act with instead of the profile's.
    #[arg(long, global = true, env = "HYPERFOCUS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Which stored login to use (`hyperfocus --profile work login`);
    /// default "default".
    #[arg(long, global = true, env = "HYPERFOCUS_PROFILE")]
    pub profile: Option<String>,
    /// The IANA zone to read and show times in; default your account's.
    #[arg(long, global = true, env = "HYPERFOCUS_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
    /// Print the server's JSON instead of sentences and charts.
    #[arg(long, global = true, env = "HYPERFOCUS_JSON",
          value_parser = clap::builder::FalseyValueParser::new())]
    pub json: bool,
    /// No colour, even on a terminal; so does `NO_COLOR` set to anything
    /// but the empty string (no-color.org).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// The client's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to a server and remember it (a personal token named after
    /// this machine, stored readable by you alone).
    ///
    /// Examples:
    ///   hyperfocus login --server https://focus.example.com --email ana@example.com
    ///   hyperfocus login --token hf_12_…       (a token made in the web app)
    #[command(verbatim_doc_comment)]
    #[command(about = "Sign in to a server and remember it on this device")]
    Login(account::LoginArgs),
    /// Revoke this device's token and forget it.
    Logout,
    /// Who the token acts for, on which server.
    Whoami,
    /// Your account's time zone (and this computer's); with ZONE, set it.
    ///
    /// Examples: hyperfocus timezone · hyperfocus timezone Europe/Madrid ·
    /// hyperfocus timezone system   (this computer's)
    #[command(verbatim_doc_comment)]
    #[command(about = "Your account's time zone; with ZONE, set it")]
    Timezone {
        /// An IANA zone, such as Europe/Madrid, or `system`.
        zone: Option<String>,
    },
    /// Start focusing.
    ///
    /// Examples: hyperfocus start · hyperfocus start --at 09:15 · hyperfocus start --at -10m ·
    /// hyperfocus start --note "chapter 3"
    #[command(verbatim_doc_comment)]
    #[command(about = "Start focusing")]
    Start {
        /// When focus began: 14:30, -10m, 10m ago, yesterday 09:00, RFC 3339.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
        /// What you are working on (at most 500 characters).
        #[arg(long, short)]
        note: Option<String>,
    },
    /// End the running session.
    #[command(visible_alias = "stop")]
    End {
        /// When it ended; default now.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
    },
    /// Delete the running session, as if it had not started.
    Cancel {
        /// Do not ask first.
        #[arg(long, short)]
        yes: bool,
    },
    /// Log an interruption in the running session; without --for or
    /// --until it stays open until `hyperfocus resume`.
    ///
    /// TYPE is family, phone, noise, self, urgent_task or unknown, or any
    /// unique start of one. Examples:
    ///   hyperfocus i ph "WhatsApp"          (opens a phone interruption now)
    ///   hyperfocus i fam --at -5m --for 3m  (logs one that is over)
    #[command(visible_alias = "i")]
    #[command(verbatim_doc_comment)]
    #[command(about = "Log an interruption: open until `resume`, or over with --for")]
    Interrupt(focus::InterruptArgs),
    /// Close the open interruption and say how long it took.
    Resume {
        /// When focus came back; default now.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
    },
    /// Log a session you forgot to start.
    ///
    /// Example: hyperfocus log --start "yesterday 09:00" --end "yesterday 11:15"
    #[command(verbatim_doc_comment)]
    #[command(about = "Log a session you forgot to start")]
    Log(focus::LogArgs),
    /// Whether you are focusing: exit status 0 while focusing, 1 when not.
    ///
    /// Examples:
    ///   hyperfocus status
    ///   hyperfocus status --format '{state} {elapsed}'   (a prompt or a bar)
    ///   hyperfocus status --watch --format '{icon} {elapsed}'  (i3blocks, tmux)
    #[command(verbatim_doc_comment)]
    #[command(
        about = "Whether you are focusing (exit status 0) or not (1), for a look, a prompt or a bar"
    )]
    Status(status::StatusArgs),
    /// Charts of where your time went.
    ///
    /// Examples: hyperfocus report · hyperfocus report --range 30d --by hour ·
    /// hyperfocus report --from 2026-11-01 --to 2026-12-01 --by heatmap
    #[command(verbatim_doc_comment)]
    #[command(about = "Charts of where your time went, this week by default")]
    Report(report::ReportArgs),
    /// Your sessions as a table, newest first.
    Sessions(reading::SessionsArgs),
    /// Your goals: today's (or this week's) progress and your streaks;
    /// `goals add` sets one, `goals edit ID` changes it, `goals delete ID`
    /// removes it.
    ///
    /// Examples: hyperfocus goals · hyperfocus goals add effective 2h --rest sat,sun ·
    /// hyperfocus goals add interruptions 20 --per week --at-most · hyperfocus goals edit 3 --target 90m
    #[command(verbatim_doc_comment)]
    #[command(about = "Your goals, their progress and streaks; add, edit or delete one")]
    Goals(goals::GoalsArgs),
    /// Endpoints told of your changes: list them, `webhooks add URL`,
    /// `webhooks test ID` (a signed ping), `webhooks rotate-secret ID`,
    /// `webhooks delete ID`, `webhooks deliveries ID`, `webhooks retry ID
    /// DELIVERY`.
    #[command(
        about = "Endpoints told of your changes: add, test, rotate-secret, delete, deliveries, retry"
    )]
    Webhooks(webhooks::WebhooksArgs),
    /// Correct a session's times or note, or an interruption.
    ///
    /// Examples:
    ///   hyperfocus edit --start 08:50            (the latest session)
    ///   hyperfocus edit 41 --end "yesterday 18:00" --note "tax return"
    ///   hyperfocus edit --interruption 7 --type noise --note "drilling"
    #[command(verbatim_doc_comment)]
    #[command(about = "Correct a session's times or note, or an interruption")]
    Edit(records::EditArgs),
    /// Delete a session (with its interruptions) or an interruption.
    Delete(records::DeleteArgs),
    /// Revert the last change this client made, and say what it was.
    Undo,
    /// Send the changes queued while the server was out of reach.
    Sync,
    /// Download everything (or a window) as a file.
    ///
    /// Examples: hyperfocus export -o focus.ndjson · hyperfocus export --format csv > focus.csv
    #[command(verbatim_doc_comment)]
    #[command(about = "Download everything (or a window) as a file")]
    Export(data::ExportArgs),
    /// Bring sessions in from a file (ours, Toggl, Clockify or Timewarrior).
    ///
    /// Examples: hyperfocus import focus.ndjson · hyperfocus import --dry-run toggl.csv
    #[command(verbatim_doc_comment)]
    #[command(about = "Bring sessions in from a file (ours, Toggl, Clockify or Timewarrior)")]
    Import(data::ImportArgs),
    /// Print a shell completion script.
    ///
    /// Examples:
    ///   hyperfocus completions bash > ~/.local/share/bash-completion/completions/hyperfocus
    ///   hyperfocus completions zsh > "${fpath[1]}/_hyperfocus"
    ///   hyperfocus completions fish > ~/.config/fish/completions/hyperfocus.fish
    #[command(verbatim_doc_comment)]
    #[command(about = "Print a shell completion script")]
    Completions {
        /// The shell.
        shell: Shell,
    },
}

/// The shells completions are written for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// Runs a client command; the exit status is the command's answer
/// (`status` says 1 when idle), and an error is printed as a sentence.
pub async fn run(global: Global, command: Command, cli: clap::Command) -> ExitCode {
    if let Command::Completions { shell } = command {
        return completions(shell, cli);
    }
    let makes_profile = matches!(command, Command::Login(_));
    let result = async {
        let mut context = Context::open(&global, makes_profile).await?;
        dispatch(&mut context, command).await
    }
    .await;
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("hyperfocus: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(context: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    if !matches!(command, Command::Login(_) | Command::Logout | Command::Sync) {
        context.send_queue().await?;
    }
    match command {
        Command::Login(args) => account::login(context, args).await,
        Command::Logout => account::logout(context).await,
        Command::Whoami => account::whoami(context).await,
        Command::Timezone { zone } => account::timezone(context, zone).await,
        Command::Start { at, note } => focus::start(context, at, note).await,
        Command::End { at } => focus::end(context, at).await,
        Command::Cancel { yes } => records::cancel(context, yes).await,
        Command::Interrupt(args) => focus::interrupt(context, args).await,
        Command::Resume { at } => focus::resume(context, at).await,
        Command::Log(args) => focus::log(context, args).await,
        Command::Status(args) => status::status(context, args).await,
        Command::Report(args) => report::report(context, args).await,
        Command::Sessions(args) => reading::sessions(context, args).await,
        Command::Goals(args) => goals::goals(context, args).await,
        Command::Webhooks(args) => webhooks::webhooks(context, args).await,
        Command::Edit(args) => records::edit(context, args).await,
        Command::Delete(args) => records::delete(context, args).await,
        Command::Undo => undo::undo(context).await,
        Command::Sync => focus::sync(context).await,
        Command::Export(args) => data::export(context, args).await,
        Command::Import(args) => data::import(context, args).await,
        Command::Completions { .. } => Ok(ExitCode::SUCCESS),
    }
}

fn completions(shell: Shell, mut cli: clap::Command) -> ExitCode {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cli, "hyperfocus", &mut std::io::stdout());
    ExitCode::SUCCESS
}
