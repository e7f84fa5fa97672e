//! `login`, `logout`, `whoami`: a personal token per device, named after
//! the machine, so the web app's Settings shows where each one lives and
//! can revoke a lost laptop's alone.

use std::{io::IsTerminal, process::ExitCode};

use clap::Args;
use reqwest::Method;
use serde_json::json;

use super::{
    Context,
    http::{Api, ApiError},
    model::{LoginToken, User},
};

/// `hyperfocus login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your account's email; asked for when left out.
    #[arg(long)]
    pub email: Option<String>,
    /// What to call this device's token; default "hyperfocus on HOST".
    #[arg(long)]
    pub name: Option<String>,
}

/// Signs in and stores the token in the profile.
pub async fn login(context: &mut Context, args: LoginArgs) -> anyhow::Result<ExitCode> {
    let server = context.profile.server.clone();
    // `--token` (or HYPERFOCUS_TOKEN): a token made in the web app.
    let token = match context.flag_token() {
        Some(token) => token,
        None => password_login(&server, args.email, args.name).await?,
    };
    context.api = Api::new(&server, Some(token.clone()))?;
    context.profile.token = Some(token);
    context.profile.user_id = None;
    let user: User = context.api.get("/users/me").await?;
    context.profile.user_id = Some(user.id);
    context.profile.email = Some(user.email.clone());
    context.profile.timezone = Some(user.timezone.clone());
    context.save_profile()?;
    println!(
        "Signed in to {server} as {} ({}); profile {:?}.",
        user.email, user.timezone, context.profile_name
    );
    Ok(ExitCode::SUCCESS)
}

async fn password_login(
    server: &str,
    email: Option<String>,
    name: Option<String>,
) -> anyhow::Result<String> {
    let email = match email {
        Some(email) => email,
        None => ask("Email: ")?,
    };
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        // A script pipes the password in: `… | hyperfocus login --email …`.
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    let token_name = name.unwrap_or_else(|| format!("hyperfocus on {}", host_name()));
    let body = json!({"email": email.trim(), "password": password, "token_name": token_name});
    let api = Api::new(server, None)?;
    let made: LoginToken = api
        .json(Method::POST, "/auth/login", Some(&body), None)
        .await?;
    let _ = made.id;
    Ok(made.api_token)
}

fn ask(question: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("give your email with --email (there is no terminal to ask on)");
    }
    eprint!("{question}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// This machine's name, for the token's.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "this computer".into())
}

/// Revokes the profile's token on the server and forgets it.
pub async fn logout(context: &mut Context) -> anyhow::Result<ExitCode> {
    let Some(token) = context.profile.token.clone() else {
        println!("Not signed in to {}.", context.profile.server);
        return Ok(ExitCode::SUCCESS);
    };
    let token_id = token
        .split('_')
        .nth(1)
        .and_then(|id| id.parse::<i64>().ok());
    let revoked = match token_id {
        Some(id) => context.api.delete(&format!("/users/me/tokens/{id}")).await,
        None => Ok(()),
    };
    match revoked {
        Ok(()) => {}
        // Already revoked (or expired): forgetting it is all that is left.
        Err(ApiError::Problem(problem)) if problem.status == 401 => {}
        Err(error) => return Err(error.into()),
    }
    context.profile.token = None;
    context.profile.user_id = None;
    context.save_profile()?;
    println!(
        "Signed out of {}; this device's token is revoked.",
        context.profile.server
    );
    Ok(ExitCode::SUCCESS)
}

/// Says who the token acts for; offline, who it acted for last.
pub async fn whoami(context: &mut Context) -> anyhow::Result<ExitCode> {
    context.require_login()?;
    match context.fetch_user().await {
        Ok(user) => {
            if context.out.json {
                context.out.print_json(&user)?;
            } else {
                println!(
                    "{} ({}, {}) on {}",
                    user.email,
                    user.name,
                    user.timezone,
                    context.api.server()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => match (error.downcast_ref::<ApiError>(), &context.profile.email) {
            (Some(ApiError::Unreachable { .. }), Some(email)) => {
                println!("{email} on {} (offline: {error})", context.api.server());
                Ok(ExitCode::SUCCESS)
            }
            _ => Err(error),
        },
    }
}
