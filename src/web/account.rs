//! Signing in (password or token), creating an account, signing out.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    Flash, Layout, WebError,
    fields::FormErrors,
    render,
    session::{
        self, Anonymous, CsrfForm, Posted, cleared_session_cookie, local_target, session_cookie,
    },
    settings::unknown_zone,
};
use crate::{
    db::Registration,
    domain::{
        RuleViolation,
        browser::{self, LIFETIME_DAYS, NewBrowserSession, NewSecrets},
        password::Password,
        time::chooseable_zone_names,
        token::{NewToken, PresentedToken, Scope, TokenName},
        user::{Email, NewUser},
    },
    error::AppError,
    net::ClientAddress,
    services::accounts::{self, NewAccount, SignInAttempt, new_secret},
    services::state::AppState,
};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    layout: Layout,
    next: String,
    email: String,
}

/// `?next=` of the sign-in page.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The sign-in page.
pub async fn sign_in_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(next): Query<Next>,
) -> Response {
    let flash = Flash::from_jar(&jar);
    let shown = flash.is_some();
    let page = SignInPage {
        layout: Layout::anonymous("Sign in", session::theme(&jar), flash, state.clock.now()),
        next: local_target(next.next.as_deref()),
        email: String::new(),
    };
    render(&page, shown)
}

/// The sign-in forms: email and password, or a personal token.
#[derive(Deserialize)]
pub struct SignInForm {
    email: Option<String>,
    password: Option<String>,
    token: Option<String>,
    next: Option<String>,
}

/// Signs the browser in, throttled like `POST /auth/login`.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Anonymous(form): Anonymous<SignInForm>,
) -> Response {
    let next = local_target(form.next.as_deref());
    let email = form.email.clone().unwrap_or_default();
    let signed_in = match form.token.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(token) => user_of_token(&state, token.trim()).await,
        None => check_password(&state, &form, address).await,
    };
    match signed_in {
        Ok((user_id, scope)) => match start_session(&state, &headers, user_id, scope).await {
            Ok(cookie) => (CookieJar::new().add(cookie), Redirect::to(&next)).into_response(),
            Err(e) => e.into_response(),
        },
        Err(SignInFailure::Refused(why)) => {
            let page = SignInPage {
                layout: Layout::anonymous(
                    "Sign in",
                    session::theme(&jar),
                    Some(Flash::error(why)),
                    state.clock.now(),
                ),
                next,
                email,
            };
            let mut response = render(&page, false);
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
        Err(SignInFailure::Failed(e)) => e.into_response(),
    }
}

enum SignInFailure {
    /// Wrong credentials, or too many tries: shown on the form.
    Refused(String),
    /// Anything else.
    Failed(WebError),
}

impl From<AppError> for SignInFailure {
    fn from(error: AppError) -> Self {
        match error {
            AppError::TooManySignIns(seconds) => Self::Refused(format!(
                "Too many wrong sign-ins for this account or from this network. Try again in {}.",
                super::fields::wait(seconds)
            )),
            AppError::Unauthorized(_) | AppError::Rule(_) => Self::Refused(WRONG.into()),
            other => Self::Failed(other.into()),
        }
    }
}

/// What a wrong email or password is told, the same for both so that the
/// page does not say which emails have accounts.
const WRONG: &str = "The email or the password is wrong.";

async fn check_password(
    state: &AppState,
    form: &SignInForm,
    address: Option<std::net::IpAddr>,
) -> Result<(i64, Scope), SignInFailure> {
    let email = Email::parse(form.email.as_deref().unwrap_or_default()).map_err(|_| {
        SignInFailure::Refused(
            "Enter your email address, such as name@example.com, and your password.".into(),
        )
    })?;
    let password = Password::presented("password", form.password.as_deref().unwrap_or_default())
        .map_err(|_| SignInFailure::Refused("Enter your password.".into()))?;
    let attempt = SignInAttempt::new(state, &email.key(), address);
    attempt.admit().await?;
    let account = state
        .store
        .login_account(&email.key())
        .await
        .map_err(AppError::from)?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = state.passwords.verify(password, stored).await?;
    match account.filter(|_| verified) {
        Some(account) => {
            state
                .store
                .clear_login_failures(&email.key())
                .await
                .map_err(AppError::from)?;
            Ok((account.user_id, Scope::Write))
        }
        None => {
            attempt.failed().await?;
            Err(SignInFailure::Refused(WRONG.into()))
        }
    }
}

/// The user and scope of a valid personal token; the token itself is not
/// kept.
async fn user_of_token(state: &AppState, raw: &str) -> Result<(i64, Scope), SignInFailure> {
    let refused = || {
        SignInFailure::Refused(
            "That token does not work: it is mistyped, revoked or expired. Make a new one in Settings on a signed-in device.".into(),
        )
    };
    let token = PresentedToken::parse(raw).ok_or_else(refused)?;
    let credentials = state
        .store
        .token_credentials(token.token_id)
        .await
        .map_err(AppError::from)?
        .filter(|c| token.matches(&c.secret_hash))
        .filter(|c| c.expires_at.is_none_or(|at| at > state.clock.now()))
        .ok_or_else(refused)?;
    Ok((credentials.user_id, credentials.scope))
}

/// Stores a browser session and returns its cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    scope: Scope,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, WebError> {
    let secrets = NewSecrets::generate()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let now = state.clock.now();
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_hours(LIFETIME_DAYS * 24))
        .map_err(|e| AppError::Internal(e.into()))?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let new = NewBrowserSession {
        id_hash: secrets.id_hash,
        user_id,
        scope,
        csrf: secrets.csrf,
        user_agent: browser::user_agent(user_agent),
        expires_at,
    };
    state.store.create_browser_session(new, now).await?;
    Ok(session_cookie(secrets.cookie, headers, LIFETIME_DAYS))
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    name: String,
    email: String,
    timezone: String,
    zones: Vec<&'static str>,
    /// Whether the zone is still the server's default, for the browser's
    /// own to replace (`app.js` reads it from `Intl`).
    zone_is_default: bool,
    errors: FormErrors,
    /// Whether the email belongs to an account already.
    email_taken: bool,
}

/// The zone of an account made without naming one.
const DEFAULT_ZONE: &str = "UTC";

/// The registration page.
pub async fn register_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let page = RegisterPage {
        layout: Layout::anonymous(
            "Create an account",
            session::theme(&jar),
            None,
            state.clock.now(),
        ),
        name: String::new(),
        email: String::new(),
        timezone: DEFAULT_ZONE.into(),
        zones: chooseable_zone_names(),
        zone_is_default: true,
        errors: FormErrors::default(),
        email_taken: false,
    };
    render(&page, false)
}

/// The registration form.
#[derive(Deserialize)]
pub struct RegisterForm {
    name: String,
    email: String,
    password: String,
    timezone: Option<String>,
}

/// Creates the account with a password and signs this browser in; a form
/// with mistakes comes back as typed (but for the password), each field
/// with its own message and a summary at the top.
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Anonymous(form): Anonymous<RegisterForm>,
) -> Response {
    match create_account(&state, address, &form).await {
        Ok(user_id) => match start_session(&state, &headers, user_id, Scope::Write).await {
            Ok(cookie) => (CookieJar::new().add(cookie), Redirect::to("/app/")).into_response(),
            Err(e) => e.into_response(),
        },
        Err(Registering::Said(status, errors)) => {
            let page = RegisterPage {
                layout: Layout::anonymous(
                    "Create an account",
                    session::theme(&jar),
                    None,
                    state.clock.now(),
                ),
                name: form.name,
                email: form.email,
                timezone: form.timezone.unwrap_or_else(|| DEFAULT_ZONE.into()),
                zones: chooseable_zone_names(),
                zone_is_default: false,
                errors,
                email_taken: status == StatusCode::CONFLICT,
            };
            let mut response = render(&page, false);
            *response.status_mut() = status;
            response
        }
        Err(Registering::Failed(other)) => other.into_response(),
    }
}

/// Why no account was made.
enum Registering {
    /// Mistakes in the form, by field, and the status to answer with.
    Said(StatusCode, FormErrors),
    /// Anything else.
    Failed(WebError),
}

impl<E: Into<WebError>> From<E> for Registering {
    fn from(error: E) -> Self {
        Self::Failed(error.into())
    }
}

/// Registers through the same service as `POST /users/`, so the page is
/// throttled like the API when an address keeps trying taken emails.
async fn create_account(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    form: &RegisterForm,
) -> Result<i64, Registering> {
    let zone = form
        .timezone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty());
    let new = NewUser::parse(&form.name, &form.email, zone);
    let password = Password::new_for_account("password", &form.password);
    let mut said = FormErrors::default();
    if let Err(RuleViolation::Invalid(errors)) = &new {
        for error in errors {
            match error.field.as_str() {
                "name" if form.name.trim().is_empty() => said.add("name", "Enter your name."),
                "name" => said.add("name", "Your name must be 100 characters or fewer."),
                "email" if form.email.trim().is_empty() => {
                    said.add("email", "Enter your email address.");
                }
                "email" => said.add(
                    "email",
                    "Enter an email address in the right form, such as name@example.com.",
                ),
                _ => said.add("timezone", unknown_zone(zone.unwrap_or_default())),
            }
        }
    }
    if password.is_err() {
        let chars = form.password.chars().count();
        said.add(
            "password",
            match chars {
                0 => "Enter a password.",
                1..8 => "The password must be 8 characters or more; a few words make a good one.",
                _ => "The password must be 128 characters or fewer.",
            },
        );
    }
    if !said.is_empty() {
        return Err(Registering::Said(StatusCode::UNPROCESSABLE_ENTITY, said));
    }
    let (Ok(new), Ok(password)) = (new, password) else {
        return Err(AppError::Internal(anyhow::anyhow!("a checked form failed")).into());
    };
    let account = NewAccount {
        new,
        password: Some(password),
        token: NewToken {
            name: TokenName::registration(),
            scope: Scope::Write,
            expires_at: None,
            hash: new_secret()?.hash,
        },
        key: None,
    };
    let mut said = FormErrors::default();
    match accounts::register(state, address, account).await {
        Ok(Registration::Created { user, .. } | Registration::Replayed { user, .. }) => Ok(user.id),
        Err(AppError::Rule(RuleViolation::Conflict(_))) => {
            said.add("email", EMAIL_TAKEN);
            Err(Registering::Said(StatusCode::CONFLICT, said))
        }
        Err(AppError::TooManyRegistrations(seconds)) => {
            said.add(
                "email",
                format!(
                    "Too many accounts were tried from this network with addresses that already have one. Try again in {}.",
                    super::fields::wait(seconds)
                ),
            );
            Err(Registering::Said(StatusCode::TOO_MANY_REQUESTS, said))
        }
        Err(other) => Err(other.into()),
    }
}

/// What the page says of an email address an account already has.
const EMAIL_TAKEN: &str = "This email address cannot be used for a new account. If it is yours, sign in with it instead, or use another address.";

/// A form that only carries its CSRF token.
#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm for Confirm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Signs this browser out.
pub async fn sign_out(State(state): State<AppState>, posted: Posted<Confirm>) -> Response {
    if let Err(e) = state
        .store
        .delete_browser_session(posted.visitor.id_hash)
        .await
    {
        return WebError::from(e).into_response();
    }
    (
        CookieJar::new().add(cleared_session_cookie()),
        Redirect::to("/app/signin"),
    )
        .into_response()
}

/// Signs every other browser of this user out.
pub async fn sign_out_others(State(state): State<AppState>, posted: Posted<Confirm>) -> Response {
    let visitor = posted.visitor;
    match state
        .store
        .delete_other_browser_sessions(visitor.user_id(), visitor.id_hash)
        .await
    {
        Ok(count) => session::back(
            "/app/settings",
            Flash::notice(match count {
                0 => "No other browser was signed in.".to_owned(),
                1 => "One other browser was signed out.".to_owned(),
                n => format!("{n} other browsers were signed out."),
            }),
        ),
        Err(e) => WebError::from(e).into_response(),
    }
}
