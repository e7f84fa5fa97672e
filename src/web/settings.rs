//! The settings page: name and time zone, theme, password, personal
//! tokens, other browsers, and erasing the account.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::{
    Flash, Layout, Visitor, WebError,
    account::Confirm,
    answer, render,
    session::{self, CsrfForm, Posted, THEME_COOKIE, cleared_session_cookie},
    time_input::day_and_clock,
};
use crate::{
    db::SameName,
    domain::{
        calendar_feed::NewFeed,
        days::{
            DAY_START_STEP, DayStart, EARLIEST_DAY_START, LATEST_DAY_START, WEEKDAY_NAMES,
            WeekStart,
        },
        export::ExportRequest,
        password::Password,
        time::known_zone_names,
        token::{self, Scope, TokenName},
        user::{RawUserPatch, UserPatch},
    },
    error::AppError,
    net::ClientAddress,
    services::accounts::{self, SignInAttempt},
    services::state::AppState,
};

struct TokenView {
    id: i64,
    name: String,
    scope: &'static str,
    created: String,
    last_used: String,
    expires: String,
}

/// One option of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The weekdays a week may begin on, `current` selected.
fn week_start_choices(current: WeekStart) -> Vec<Choice> {
    WEEKDAY_NAMES
        .iter()
        .map(|name| Choice {
            value: (*name).to_owned(),
            label: format!("{}{}", name[..1].to_uppercase(), &name[1..]),
            selected: *name == current.as_str(),
        })
        .collect()
}

/// Every day start, a quarter of an hour apart, said as a clock time.
fn day_start_choices(current: DayStart) -> Vec<Choice> {
    (EARLIEST_DAY_START..=LATEST_DAY_START)
        .step_by(DAY_START_STEP as usize)
        .map(|minutes| {
            let start = DayStart::from_minutes(i64::from(minutes));
            let clock = (minutes + 24 * 60) % (24 * 60);
            let time = format!("{:02}:{:02}", clock / 60, clock % 60);
            let label = match minutes {
                0 => "00:00, midnight".to_owned(),
                m if m < 0 => format!("{time} the evening before"),
                _ => time,
            };
            Choice {
                value: start.to_string(),
                label,
                selected: start == current,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    name: String,
    email: String,
    timezone: String,
    zones: Vec<String>,
    week_starts: Vec<Choice>,
    day_starts: Vec<Choice>,
    has_password: bool,
    goals: Vec<super::goals::GoalCard>,
    webhooks: Vec<super::webhooks::WebhookRow>,
    /// A webhook's new secret, shown this once.
    new_webhook_secret: Option<String>,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
    /// When the calendar feed's address was made, if there is one.
    feed_since: Option<String>,
    /// A calendar feed's new address, shown this once.
    new_feed: Option<String>,
}

/// Makes (or replaces) the calendar feed and shows its address once.
pub async fn make_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<Confirm>,
) -> Response {
    let Posted { visitor, .. } = posted;
    let made = async {
        visitor.require_write()?;
        let feed = NewFeed::generate().map_err(|e| AppError::Internal(e.into()))?;
        state
            .store
            .set_calendar_feed(visitor.user_id(), feed.hash, state.clock.now())
            .await?;
        let mut page = settings(&state, &visitor, None).await?;
        let path = format!("/calendar/{}", feed.file);
        page.new_feed = Some(session::origin(&headers).map_or_else(|| path.clone(), |o| o + &path));
        page.layout.flash = Some(Flash::notice(
            "New calendar address made; the old one, if any, no longer works. Copy it now: it is not shown again.",
        ));
        Ok::<_, WebError>(page)
    }
    .await;
    match made {
        Ok(page) => render(&page, visitor.flash.is_some()),
        Err(e) => e.into_response(),
    }
}

/// Ends the calendar feed.
pub async fn end_feed(State(state): State<AppState>, posted: Posted<Confirm>) -> Response {
    let Posted { visitor, .. } = posted;
    let ended = async {
        visitor.require_write()?;
        state.store.delete_calendar_feed(visitor.user_id()).await?;
        Ok("The calendar feed is ended; its address no longer works.".to_owned())
    }
    .await;
    answer(ended, "/app/settings")
}

/// The export's one parameter on the page.
#[derive(Deserialize)]
pub struct ExportChoice {
    format: Option<String>,
}

/// Downloads the whole history, as `GET /users/{id}/export` would.
pub async fn export(
    State(state): State<AppState>,
    visitor: Visitor,
    axum::extract::Query(choice): axum::extract::Query<ExportChoice>,
) -> Result<Response, WebError> {
    let zone = visitor.zone();
    let request = ExportRequest::parse(
        choice.format.as_deref(),
        None,
        None,
        None,
        (&zone, visitor.days().day_start),
    )
    .map_err(|e| WebError::from(AppError::Rule(e)))?;
    Ok(crate::services::exports::stream(&state, visitor.user_id(), &request).await?)
}

/// The page.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let page = settings(&state, &visitor, None).await?;
    Ok(render(&page, visitor.flash.is_some()))
}

async fn settings(
    state: &AppState,
    visitor: &Visitor,
    new_token: Option<String>,
) -> Result<SettingsPage, WebError> {
    let now = state.clock.now();
    let tz = visitor.zone().zone();
    let user = state.store.get_user(visitor.user_id()).await?;
    let has_password = state
        .store
        .password_hash(visitor.user_id())
        .await?
        .is_some();
    let tokens = state
        .store
        .list_tokens(visitor.user_id())
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            scope: t.scope.as_str(),
            created: day_and_clock(t.created_at, &tz),
            last_used: t
                .last_used_at
                .map_or_else(|| "never".to_owned(), |at| day_and_clock(at, &tz)),
            expires: t
                .expires_at
                .map_or_else(|| "never".to_owned(), |at| day_and_clock(at, &tz)),
        })
        .collect();
    let feed_since = state
        .store
        .calendar_feed_created(visitor.user_id())
        .await?
        .map(|at| day_and_clock(at, &tz));
    Ok(SettingsPage {
        feed_since,
        new_feed: None,
        layout: Layout::signed_in(visitor, "Settings", "settings", now),
        name: user.name,
        email: user.email,
        timezone: user.timezone,
        zones: known_zone_names(),
        week_starts: week_start_choices(user.days.week_start),
        day_starts: day_start_choices(user.days.day_start),
        has_password,
        goals: super::goals::cards(state, visitor).await?,
        webhooks: super::webhooks::rows(state, visitor).await?,
        new_webhook_secret: None,
        tokens,
        new_token,
    })
}

/// The page showing a webhook's new secret once, with `notice`.
pub async fn with_webhook_secret(
    state: &AppState,
    visitor: &Visitor,
    secret: String,
    notice: &str,
) -> Response {
    match settings(state, visitor, None).await {
        Ok(mut page) => {
            page.new_webhook_secret = Some(secret);
            page.layout.flash = Some(Flash::notice(notice));
            let mut response = render(&page, visitor.flash.is_some());
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(e) => e.into_response(),
    }
}

/// Name, time zone, and where weeks and days begin.
#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    name: String,
    timezone: String,
    week_start: Option<String>,
    day_start: Option<String>,
}

impl CsrfForm for ProfileForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Saves the name and time zone.
pub async fn profile(State(state): State<AppState>, posted: Posted<ProfileForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let patch = UserPatch::parse(RawUserPatch {
            name: Some(&form.name),
            timezone: Some(&form.timezone),
            week_start: form.week_start.as_deref(),
            day_start: form.day_start.as_deref(),
        })
        .map_err(AppError::from)?;
        state
            .store
            .update_user(visitor.user_id(), patch)
            .await
            .map_err(AppError::from)?;
        Ok("Profile saved.".to_owned())
    }
    .await;
    answer(result, "/app/settings")
}

/// The theme to use.
#[derive(Deserialize)]
pub struct ThemeForm {
    #[serde(default)]
    csrf: String,
    theme: String,
}

impl CsrfForm for ThemeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Remembers the theme in this browser.
pub async fn theme(posted: Posted<ThemeForm>) -> Response {
    let theme = match posted.form.theme.as_str() {
        "light" => "light",
        "dark" => "dark",
        _ => "system",
    };
    let cookie = Cookie::build((THEME_COOKIE, theme))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::days(365))
        .build();
    let flash = Flash::notice("Theme saved.").into_cookie_jar().add(cookie);
    (flash, Redirect::to("/app/settings")).into_response()
}

/// A new password, and the one now.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current_password: Option<String>,
    new_password: String,
}

impl CsrfForm for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Sets or changes the password; a wrong current one counts as a failed
/// sign-in, as on the API.
pub async fn password(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    posted: Posted<PasswordForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let new = Password::new_for_account("new_password", &form.new_password)?;
        if let Some(stored) = state.store.password_hash(visitor.user_id()).await? {
            let user = state.store.get_user(visitor.user_id()).await?;
            let current = Password::presented(
                "current_password",
                form.current_password.as_deref().unwrap_or_default(),
            )?;
            let attempt = SignInAttempt::new(&state, &user.email.to_lowercase(), address);
            attempt.admit().await?;
            if !state.passwords.verify(current, Some(stored)).await? {
                attempt.failed().await?;
                return Err(WebError::App(AppError::invalid(
                    "current_password",
                    "is not the password of this account",
                )));
            }
        }
        let hash = state.passwords.hash(new).await?;
        state.store.set_password(visitor.user_id(), hash).await?;
        Ok("Password saved.".to_owned())
    }
    .await;
    answer(result, "/app/settings")
}

/// A token to create.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    name: String,
    scope: String,
    expires_in_days: Option<String>,
}

impl CsrfForm for TokenForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Creates a personal token and shows its secret on this one answer.
pub async fn create_token(State(state): State<AppState>, posted: Posted<TokenForm>) -> Response {
    let Posted { visitor, form } = posted;
    let created = async {
        visitor.require_write()?;
        let name = TokenName::parse("name", &form.name)?;
        let scope = match form.scope.as_str() {
            "read" => Scope::Read,
            _ => Scope::Write,
        };
        let expires_at = match form.expires_in_days.as_deref().map(str::trim) {
            Some(days) if !days.is_empty() => {
                let days: i64 = days.parse().map_err(|_| {
                    AppError::invalid("expires_in_days", "is not a whole number of days")
                })?;
                Some(token::expiry(days, state.clock.now())?)
            }
            _ => None,
        };
        let issued = accounts::issue(
            &state,
            visitor.user_id(),
            name,
            scope,
            expires_at,
            SameName::Keep,
        )
        .await?;
        Ok::<_, WebError>(issued.api_token)
    }
    .await;
    match created {
        Ok(secret) => match settings(&state, &visitor, Some(secret)).await {
            Ok(mut page) => {
                page.layout.flash = Some(Flash::notice(
                    "Token created. Copy it now: it is not shown again.",
                ));
                let mut response = render(&page, visitor.flash.is_some());
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-store"),
                );
                response
            }
            Err(e) => e.into_response(),
        },
        Err(e) => answer(Err(e), "/app/settings"),
    }
}

/// A form that carries only its CSRF token.
#[derive(Deserialize)]
pub struct Plain {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm for Plain {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Revokes a personal token.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        state.store.delete_token(visitor.user_id(), id).await?;
        Ok("Token revoked.".to_owned())
    }
    .await;
    answer(result, "/app/settings")
}

/// The confirmation of an erasure: the account's email, typed.
#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf: String,
    email: String,
}

impl CsrfForm for EraseForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Erases the account and everything in it, once its email is typed.
pub async fn erase(State(state): State<AppState>, posted: Posted<EraseForm>) -> Response {
    let Posted { visitor, form } = posted;
    let erased = async {
        visitor.require_write()?;
        let user = state.store.get_user(visitor.user_id()).await?;
        if !form.email.trim().eq_ignore_ascii_case(&user.email) {
            return Err(WebError::App(AppError::invalid(
                "email",
                "is not this account's email; type it exactly to erase the account",
            )));
        }
        state.store.delete_user(visitor.user_id()).await?;
        Ok(())
    }
    .await;
    match erased {
        Ok(()) => {
            let jar = Flash::notice("Your account and everything in it have been erased.")
                .into_cookie_jar()
                .add(cleared_session_cookie());
            (jar, Redirect::to("/app/signin")).into_response()
        }
        Err(e) => answer(Err(e), "/app/settings"),
    }
}
