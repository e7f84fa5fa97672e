//! The settings page: name and time zone, theme, goals, webhooks,
//! password, personal tokens, other browsers, data, and erasing the
//! account.
//!
//! Every form's result is shown by that form: a message in its section
//! (`?at=` names it after the redirect), a secret shown once beside it
//! (answered directly, never stored by a cache), or the form again with
//! what was typed and each field's own message, plus a summary above it.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::{
    Flash, Layout, Visitor, WebError,
    account::Confirm,
    fields::FormErrors,
    render,
    session::{self, CsrfForm, Posted, THEME_COOKIE, cleared_session_cookie},
    tell,
    time_input::day_and_clock,
};
use crate::{
    domain::{
        FieldError, RuleViolation,
        calendar_feed::NewFeed,
        days::{
            DAY_START_STEP, DayStart, EARLIEST_DAY_START, LATEST_DAY_START, WEEKDAY_NAMES,
            WeekStart,
        },
        export::ExportRequest,
        password::Password,
        time::chooseable_zone_names,
        user::{RawUserPatch, UserPatch},
    },
    error::AppError,
    net::ClientAddress,
    services::accounts::SignInAttempt,
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

/// The sections of the page a form's result is shown in, by their ids:
/// the result of an action appears by the form that made it.
pub const SECTIONS: [&str; 10] = [
    "profile", "theme", "goals", "webhooks", "password", "tokens", "browsers", "import", "feed",
    "erase",
];

/// Back to Settings with what a form did, shown in its `section`; what
/// went wrong in the visitor's words.
pub fn answer_in(
    state: &AppState,
    visitor: &Visitor,
    section: &'static str,
    result: Result<String, WebError>,
) -> Response {
    tell(
        result,
        &format!("/app/settings?at={section}"),
        &visitor.voice(state.clock.now()),
    )
}

/// The last action's message, in the section of the form that made it.
pub struct Placed {
    /// Which section (one of [`SECTIONS`]).
    pub section: &'static str,
    /// What to say.
    pub flash: Flash,
}

/// Something shown once (a token, a secret, an address), by its form.
pub struct ShownOnce {
    /// Which section it belongs to.
    pub section: &'static str,
    /// The webhook it belongs to, shown under that webhook's row.
    pub webhook: Option<i64>,
    /// What was done, and that it is not shown again.
    pub lead: String,
    /// The secret itself.
    pub value: String,
}

impl ShownOnce {
    /// Whether it is shown in `section`, outside any webhook's row.
    pub fn is_in(&self, section: &str) -> bool {
        self.section == section && self.webhook.is_none()
    }

    /// Whether it is shown under the row of webhook `id`.
    pub fn is_for_webhook(&self, id: &i64) -> bool {
        self.webhook == Some(*id)
    }
}

/// What the forms show: what was typed into the one that failed, else the
/// defaults.
pub struct Typed {
    /// The token form's name.
    pub token_name: String,
    /// `write` or `read`.
    pub token_scope: String,
    /// Days until the token expires, as typed.
    pub token_days: String,
    /// The webhook form's address.
    pub webhook_url: String,
    /// The webhook form's description.
    pub webhook_description: String,
    /// The events ticked on the webhook form.
    pub webhook_events: Vec<String>,
    /// The goal form as typed.
    pub goal: super::goals::GoalValues,
}

impl Default for Typed {
    fn default() -> Self {
        Self {
            token_name: String::new(),
            token_scope: "write".into(),
            token_days: String::new(),
            webhook_url: String::new(),
            webhook_description: String::new(),
            webhook_events: vec!["session.started".into(), "session.ended".into()],
            goal: super::goals::GoalValues::default(),
        }
    }
}

impl Typed {
    /// Whether the webhook form has `event` ticked.
    pub fn ticks(&self, event: &&str) -> bool {
        self.webhook_events.iter().any(|e| e == event)
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    layout: Layout,
    /// The name field's value.
    pub name: String,
    email: String,
    /// The time zone field's value.
    pub timezone: String,
    zones: Vec<&'static str>,
    week_starts: Vec<Choice>,
    day_starts: Vec<Choice>,
    has_password: bool,
    /// The goals, each with its edit form's values.
    pub goals: Vec<super::goals::GoalCard>,
    webhooks: Vec<super::webhooks::WebhookRow>,
    tokens: Vec<TokenView>,
    /// When the calendar feed's address was made, if there is one.
    feed_since: Option<String>,
    /// The last action's message, in its section.
    pub placed: Option<Placed>,
    /// A token, secret or address shown this once.
    pub shown: Option<ShownOnce>,
    /// What was wrong with the form that was sent, by field.
    pub errors: FormErrors,
    /// Which section's form `errors` are about.
    pub errors_in: &'static str,
    /// What the forms show.
    pub typed: Typed,
    /// Why the file just uploaded was not imported.
    pub import_refused: Option<super::upload::ImportRefusal>,
    /// The events a webhook may take, in words.
    event_choices: &'static [(&'static str, &'static str)],
    /// What a goal may count, in words.
    metrics: &'static [(&'static str, &'static str)],
    /// The days a goal may rest on, in words.
    weekdays: [(&'static str, &'static str); 7],
}

impl SettingsPage {
    /// Whether the form of `section` failed.
    fn failed(&self, section: &str) -> bool {
        !self.errors.is_empty() && self.errors_in == section
    }

    /// The message placed in `section`, if any.
    fn placed_in(&self, section: &str) -> Option<&Flash> {
        self.placed
            .as_ref()
            .filter(|p| p.section == section)
            .map(|p| &p.flash)
    }
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
        let mut page = settings(&state, &visitor).await?;
        let path = format!("/calendar/{}", feed.file);
        page.shown = Some(ShownOnce {
            section: "feed",
            webhook: None,
            lead: "New calendar address made; the old one, if any, no longer works. Copy it now: it is not shown again.".into(),
            value: session::origin(&headers).map_or_else(|| path.clone(), |o| o + &path),
        });
        Ok::<_, WebError>(page)
    }
    .await;
    match made {
        Ok(page) => shown_here(&page, &visitor),
        Err(e) => answer_in(&state, &visitor, "feed", Err(e)),
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
    answer_in(&state, &visitor, "feed", ended)
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

/// `?at=` of the page: the section the last action's message belongs in.
#[derive(Deserialize)]
pub struct At {
    at: Option<String>,
}

/// The page; the last action's message in the section named by `?at=`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    axum::extract::Query(at): axum::extract::Query<At>,
) -> Result<Response, WebError> {
    let mut page = settings(&state, &visitor).await?;
    let section = SECTIONS
        .iter()
        .find(|s| at.at.as_deref() == Some(**s))
        .copied();
    if let (Some(section), Some(flash)) = (section, page.layout.flash.take()) {
        page.placed = Some(Placed { section, flash });
    }
    Ok(render(&page, visitor.flash.is_some()))
}

/// The page as it is now, with no result shown.
pub async fn settings(state: &AppState, visitor: &Visitor) -> Result<SettingsPage, WebError> {
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
    let mut layout = Layout::signed_in(visitor, "Settings", "settings", now);
    // Nothing here follows the day's sessions; a refresh would only wipe
    // what was typed or shown once.
    layout.live = false;
    Ok(SettingsPage {
        feed_since,
        layout,
        name: user.name,
        email: user.email,
        timezone: user.timezone,
        zones: chooseable_zone_names(),
        week_starts: week_start_choices(user.days.week_start),
        day_starts: day_start_choices(user.days.day_start),
        has_password,
        goals: super::goals::cards(state, visitor).await?,
        webhooks: super::webhooks::rows(state, visitor).await?,
        tokens,
        placed: None,
        shown: None,
        errors: FormErrors::default(),
        errors_in: "",
        typed: Typed::default(),
        import_refused: None,
        event_choices: &super::webhooks::EVENT_CHOICES,
        metrics: &super::goals::METRICS,
        weekdays: [
            ("monday", "Monday"),
            ("tuesday", "Tuesday"),
            ("wednesday", "Wednesday"),
            ("thursday", "Thursday"),
            ("friday", "Friday"),
            ("saturday", "Saturday"),
            ("sunday", "Sunday"),
        ],
    })
}

/// The page answering a form: it shows a result by that form, so the
/// browser's address stays `/app/settings` (htmx is told not to record the
/// form's own address), and nothing of it is stored by any cache.
pub fn shown_here(page: &SettingsPage, visitor: &Visitor) -> Response {
    let mut response = render(page, visitor.flash.is_some());
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("hx-push-url", HeaderValue::from_static("false"));
    response
}

/// Settings again with what was typed into the form of `section` and
/// what was wrong with it, answered 422.
pub async fn form_failed(
    state: &AppState,
    visitor: &Visitor,
    section: &'static str,
    errors: FormErrors,
    typed: impl FnOnce(&mut SettingsPage),
) -> Response {
    match settings(state, visitor).await {
        Ok(mut page) => {
            page.errors = errors;
            page.errors_in = section;
            typed(&mut page);
            let mut response = shown_here(&page, visitor);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
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

/// Saves the name, time zone and where weeks and days begin.
pub async fn profile(State(state): State<AppState>, posted: Posted<ProfileForm>) -> Response {
    let Posted { visitor, form } = posted;
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    let patch = UserPatch::parse(RawUserPatch {
        name: Some(&form.name),
        timezone: Some(&form.timezone),
        week_start: form.week_start.as_deref(),
        day_start: form.day_start.as_deref(),
    });
    let patch = match patch {
        Ok(patch) => patch,
        Err(RuleViolation::Invalid(errors)) => {
            let said = profile_errors(&errors, &form);
            return form_failed(&state, &visitor, "profile", said, |page| {
                page.name = form.name.clone();
                page.timezone = form.timezone.clone();
            })
            .await;
        }
        Err(other) => {
            return answer_in(
                &state,
                &visitor,
                "profile",
                Err(AppError::from(other).into()),
            );
        }
    };
    let saved = state
        .store
        .update_user(visitor.user_id(), patch)
        .await
        .map(|_| "Profile saved.".to_owned())
        .map_err(WebError::from);
    answer_in(&state, &visitor, "profile", saved)
}

/// The profile form's errors in the person's words.
fn profile_errors(errors: &[FieldError], form: &ProfileForm) -> FormErrors {
    let mut said = FormErrors::default();
    for error in errors {
        match error.field.as_str() {
            "name" if form.name.trim().is_empty() => said.add("name", "Enter your name."),
            "name" => said.add("name", "Your name must be 100 characters or fewer."),
            "timezone" => said.add("timezone", unknown_zone(&form.timezone)),
            "week_start" => said.add("week-start", "Choose the day your weeks begin on."),
            _ => said.add("day-start", "Choose the time your days begin at."),
        }
    }
    said
}

/// What to say of a time zone name that is not one.
pub fn unknown_zone(typed: &str) -> String {
    if typed.trim().is_empty() {
        "Choose your time zone, such as Europe/Madrid.".to_owned()
    } else {
        format!(
            "There is no time zone called “{}”. Choose one from the list, such as Europe/Madrid or America/New_York.",
            typed.trim().chars().take(64).collect::<String>()
        )
    }
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

/// Remembers the theme in this browser; the page it goes back to carries
/// it, and takes it on at once.
pub async fn theme(posted: Posted<ThemeForm>) -> Response {
    let (theme, said) = match posted.form.theme.as_str() {
        "light" => ("light", "Theme saved: light."),
        "dark" => ("dark", "Theme saved: dark."),
        _ => ("system", "Theme saved: the same as your system's."),
    };
    let cookie = Cookie::build((THEME_COOKIE, theme))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::days(365))
        .build();
    let flash = Flash::notice(said).into_cookie_jar().add(cookie);
    (flash, Redirect::to("/app/settings?at=theme")).into_response()
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
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    match change_password(&state, &visitor, &form, address).await {
        Ok(()) => answer_in(
            &state,
            &visitor,
            "password",
            Ok("Password saved.".to_owned()),
        ),
        Err(PasswordRefused::Said(said)) => {
            form_failed(&state, &visitor, "password", said, |_| {}).await
        }
        Err(PasswordRefused::Failed(e)) => answer_in(&state, &visitor, "password", Err(e)),
    }
}

/// Why a password was not saved.
enum PasswordRefused {
    /// Something to put right in the form.
    Said(FormErrors),
    /// Anything else.
    Failed(WebError),
}

impl<E: Into<WebError>> From<E> for PasswordRefused {
    fn from(error: E) -> Self {
        Self::Failed(error.into())
    }
}

fn one(id: &str, text: impl Into<String>) -> FormErrors {
    let mut said = FormErrors::default();
    said.add(id, text);
    said
}

async fn change_password(
    state: &AppState,
    visitor: &Visitor,
    form: &PasswordForm,
    address: Option<std::net::IpAddr>,
) -> Result<(), PasswordRefused> {
    let new = Password::new_for_account("new_password", &form.new_password).map_err(|_| {
        PasswordRefused::Said(one(
            "new_password",
            if form.new_password.is_empty() {
                "Enter a new password."
            } else {
                "The new password must be 8 to 128 characters; a few words make a good one."
            },
        ))
    })?;
    if let Some(stored) = state.store.password_hash(visitor.user_id()).await? {
        let user = state.store.get_user(visitor.user_id()).await?;
        let typed = form.current_password.as_deref().unwrap_or_default();
        let current = Password::presented("current_password", typed).map_err(|_| {
            PasswordRefused::Said(one("current_password", "Enter your current password."))
        })?;
        let attempt = SignInAttempt::new(state, &user.email.to_lowercase(), address);
        match attempt.admit().await {
            Err(AppError::TooManySignIns(seconds)) => {
                return Err(PasswordRefused::Said(one(
                    "current_password",
                    format!(
                        "Too many wrong passwords for this account: try again in {}.",
                        super::fields::wait(seconds)
                    ),
                )));
            }
            other => other?,
        }
        if !state.passwords.verify(current, Some(stored)).await? {
            attempt.failed().await?;
            return Err(PasswordRefused::Said(one(
                "current_password",
                "That is not the password of this account.",
            )));
        }
    }
    let hash = state.passwords.hash(new).await?;
    state.store.set_password(visitor.user_id(), hash).await?;
    Ok(())
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
            return Ok(false);
        }
        state.store.delete_user(visitor.user_id()).await?;
        Ok::<_, WebError>(true)
    }
    .await;
    match erased {
        Ok(true) => {
            let jar = Flash::notice("Your account and everything in it have been erased.")
                .into_cookie_jar()
                .add(cleared_session_cookie());
            (jar, Redirect::to("/app/signin")).into_response()
        }
        Ok(false) => {
            let said = one(
                "erase-email",
                "Type this account’s email address exactly, to show that you mean to erase it.",
            );
            form_failed(&state, &visitor, "erase", said, |_| {}).await
        }
        Err(e) => answer_in(&state, &visitor, "erase", Err(e)),
    }
}
