//! `login`, `logout`, `whoami`: a personal token per device, named after
//! the machine, so the web app's Settings shows where each one lives and
//! can revoke a lost laptop's alone.

use std::{io::IsTerminal, process::ExitCode};

use clap::Args;
use reqwest::Method;
use serde_json::json;

use super::output::say;
use super::{
    Context,
    http::{Api, ApiError},
    model::{LoginToken, User},
};

/// `hyperfocus login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your account's email; asked for when left out (the profile's is
    /// offered).
    #[arg(long)]
    pub email: Option<String>,
    /// What to call this device's token; default "hyperfocus on HOST".
    #[arg(long)]
    pub name: Option<String>,
    /// Set the account's time zone too: an IANA name, or `system` for this
    /// computer's. Without it, an account still on UTC is offered this
    /// computer's zone (asked on a terminal; a hint without one).
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
}

/// Signs in and stores the token in the profile.
pub async fn login(context: &mut Context, args: LoginArgs) -> anyhow::Result<ExitCode> {
    let server = context.profile.server.clone();
    // `--token` (or HYPERFOCUS_TOKEN): a token made in the web app.
    let token = match context.flag_token() {
        Some(token) => token,
        None => {
            let offered = context.profile.email.clone();
            password_login(&server, args.email, offered, args.name).await?
        }
    };
    context.api = Api::new(&server, Some(token.clone()))?;
    context.profile.token = Some(token);
    context.profile.user_id = None;
    let mut user: User = context.api.get("/users/me").await?;
    context.profile.user_id = Some(user.id);
    if let Some(zone) = zone_to_set(&user, args.timezone.as_deref())? {
        user = set_zone(context, user.id, &zone).await?;
    }
    context.profile.email = Some(user.email.clone());
    context.profile.timezone = Some(user.timezone.clone());
    context.save_profile()?;
    say!(
        "Signed in to {server} as {} ({}); profile {:?}.",
        user.email,
        user.timezone,
        context.profile_name
    );
    Ok(ExitCode::SUCCESS)
}

/// This computer's IANA zone, unless it is UTC (or unnamed).
pub fn system_zone() -> Option<String> {
    let name = jiff::tz::TimeZone::try_system()
        .ok()?
        .iana_name()?
        .to_owned();
    let utc = [
        "UTC",
        "Etc/UTC",
        "Etc/Universal",
        "Universal",
        "Zulu",
        "Etc/Zulu",
        "GMT",
        "Etc/GMT",
    ];
    (!utc.contains(&name.as_str())).then_some(name)
}

/// The zone a login sets: the one asked for, or — for an account still on
/// UTC, the default of accounts made without one — this computer's, when
/// the person agrees on a terminal (yes unless they say no). Without a
/// terminal nothing is changed unasked; a hint says how.
fn zone_to_set(user: &User, asked: Option<&str>) -> anyhow::Result<Option<String>> {
    if let Some(asked) = asked {
        let zone = zone_named(asked)?;
        return Ok((zone != user.timezone).then_some(zone));
    }
    let Some(system) = system_zone().filter(|_| user.timezone == "UTC") else {
        return Ok(None);
    };
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        eprintln!(
            "Your account's time zone is UTC, this computer's {system}: `hyperfocus timezone system` sets it (or the web app's Settings)."
        );
        return Ok(None);
    }
    eprint!("Your account's time zone is UTC; this computer's is {system}. Use {system}? [Y/n] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    let agreed = !matches!(answer.trim().to_ascii_lowercase().as_str(), "n" | "no");
    Ok(agreed.then_some(system))
}

/// An IANA zone by name, or this computer's for `system`.
fn zone_named(raw: &str) -> anyhow::Result<String> {
    if raw.trim().eq_ignore_ascii_case("system") {
        return jiff::tz::TimeZone::try_system()
            .ok()
            .and_then(|zone| zone.iana_name().map(str::to_owned))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "this computer's time zone has no IANA name; give one, such as Europe/Madrid"
                )
            });
    }
    match jiff::tz::TimeZone::get(raw.trim()) {
        Ok(_) => Ok(raw.trim().to_owned()),
        Err(_) => anyhow::bail!("{raw:?} is not an IANA time zone, such as Europe/Madrid"),
    }
}

/// Sets the account's zone; answers the user as it is now.
async fn set_zone(context: &mut Context, user: i64, zone: &str) -> anyhow::Result<User> {
    let body = json!({ "timezone": zone });
    let updated: User = context
        .api
        .json(Method::PATCH, &format!("/users/{user}"), Some(&body), None)
        .await?;
    context.remember(&updated)?;
    Ok(updated)
}

/// `hyperfocus timezone [ZONE]`: says the account's zone (and this
/// computer's), or sets it.
pub async fn timezone(context: &mut Context, zone: Option<String>) -> anyhow::Result<ExitCode> {
    let user = context.fetch_user().await?;
    let Some(wanted) = zone else {
        let here = jiff::tz::TimeZone::try_system()
            .ok()
            .and_then(|zone| zone.iana_name().map(str::to_owned));
        match here.filter(|here| *here != user.timezone) {
            Some(here) => say!(
                "Your account's time zone is {}; this computer's is {here} (`hyperfocus timezone system` uses it).",
                user.timezone
            ),
            None => say!("Your account's time zone is {}.", user.timezone),
        }
        return Ok(ExitCode::SUCCESS);
    };
    let wanted = zone_named(&wanted)?;
    if wanted == user.timezone {
        say!("Your account's time zone is already {wanted}.");
        return Ok(ExitCode::SUCCESS);
    }
    let updated = set_zone(context, user.id, &wanted).await?;
    say!(
        "Your account's time zone is now {} (it was {}); times are shown in it everywhere.",
        updated.timezone,
        user.timezone
    );
    Ok(ExitCode::SUCCESS)
}

async fn password_login(
    server: &str,
    email: Option<String>,
    offered: Option<String>,
    name: Option<String>,
) -> anyhow::Result<String> {
    let email = match (email, offered) {
        (Some(email), _) => email,
        (None, offered) => ask_email(offered)?,
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

/// Asks for the email, offering the one this profile signed in with last
/// (Enter takes it); without a terminal that one is taken, or --email is
/// needed.
fn ask_email(offered: Option<String>) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return offered.ok_or_else(|| {
            anyhow::anyhow!("give your email with --email (there is no terminal to ask on)")
        });
    }
    match &offered {
        Some(email) => eprint!("Email [{email}]: "),
        None => eprint!("Email: "),
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    match (line.trim(), offered) {
        ("", Some(email)) => Ok(email),
        ("", None) => anyhow::bail!("an email is needed to sign in"),
        (typed, _) => Ok(typed.to_owned()),
    }
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
        say!("Not signed in to {}.", context.profile.server);
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
    say!(
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
                say!(
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
                say!("{email} on {} (offline: {error})", context.api.server());
                Ok(ExitCode::SUCCESS)
            }
            _ => Err(error),
        },
    }
}
