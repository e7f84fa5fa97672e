//! The web app under `/app/`: server-rendered pages over the same store
//! and engine as the API, never HTTP to itself.
//!
//! Every page reads fine without JavaScript; `assets/app/app.js` adds the
//! ticking timer, the shortcuts and live updates, and htmx (`hx-boost`)
//! turns links and forms into requests that do not reload the page. The
//! policy allows scripts and styles from this server only: no inline
//! script, no `style=` attribute, no `on…=` handler anywhere.

use askama::Template;
use axum::{
    Router,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer};

use crate::{error::AppError, services::state::AppState};

mod account;
mod assets;
pub mod charts;
mod day;
mod fields;
mod flash;
pub mod form;
mod gap;
mod goals;
mod history;
mod live;
mod now;
mod panel;
mod period;
mod reports;
mod session;
mod settings;
mod time_input;
mod tokens;
mod upload;
mod webhooks;
pub mod words;

pub use flash::Flash;
pub use session::Visitor;

/// Scripts, styles, images and connections from this server only; forms
/// post here only; nothing may frame the pages.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The routes of the web app, with their own security policy and
/// compression.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(now::page))
        .route("/app/focus/start", post(now::start))
        .route("/app/focus/end", post(now::end))
        .route("/app/interrupt", post(now::interrupt))
        .route("/app/resume", post(now::resume))
        .route("/app/interrupt/drop", post(now::drop_interruption))
        .route("/app/note", post(now::note))
        .route("/app/reports", get(reports::page))
        .route("/app/history", get(history::page))
        .route("/app/history/log", post(history::log_session))
        .route("/app/sessions/{session_id}", post(history::save_session))
        .route(
            "/app/sessions/{session_id}/delete",
            post(history::delete_session),
        )
        .route(
            "/app/interruptions/{interruption_id}/close",
            post(history::close_interruption),
        )
        .route(
            "/app/interruptions/{interruption_id}/delete",
            post(history::delete_interruption),
        )
        .route("/app/settings", get(settings::page))
        .route(
            "/app/settings/profile",
            post(settings::profile).get(to_settings),
        )
        .route(
            "/app/settings/password",
            post(settings::password).get(to_settings),
        )
        .route("/app/settings/theme", post(settings::theme))
        .route(
            "/app/settings/tokens",
            post(tokens::create).get(to_settings),
        )
        .route(
            "/app/settings/tokens/{token_id}/revoke",
            post(tokens::revoke),
        )
        .route(
            "/app/settings/erase",
            post(settings::erase).get(to_settings),
        )
        .route("/app/export", get(settings::export))
        .route(
            "/app/settings/import",
            // The file, and a little for the form around it.
            post(upload::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::imports::MAX_IMPORT_BYTES + 64 * 1024,
            )),
        )
        .route("/app/webhooks", post(webhooks::create).get(to_settings))
        .route("/app/webhooks/{webhook_id}/test", post(webhooks::test))
        .route("/app/webhooks/{webhook_id}/rotate", post(webhooks::rotate))
        .route("/app/webhooks/{webhook_id}/toggle", post(webhooks::toggle))
        .route("/app/webhooks/{webhook_id}/delete", post(webhooks::delete))
        .route("/app/goals", post(goals::create).get(to_settings))
        .route("/app/goals/{goal_id}", post(goals::update).get(to_settings))
        .route("/app/goals/{goal_id}/delete", post(goals::delete))
        .route("/app/settings/calendar", post(settings::make_feed))
        .route("/app/settings/calendar/end", post(settings::end_feed))
        .route(
            "/app/signin",
            get(account::sign_in_page).post(account::sign_in),
        )
        .route(
            "/app/register",
            get(account::register_page).post(account::register),
        )
        .route("/app/signout", post(account::sign_out))
        .route("/app/signout/others", post(account::sign_out_others))
        .route("/app/events", get(live::events))
        .route("/app/assets/{name}", get(assets::serve))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(POLICY),
        ))
}

/// A form's address opened as a page (a reload, without JavaScript, of
/// the answer that showed a secret or a form's errors) lands on Settings.
async fn to_settings() -> Redirect {
    Redirect::to("/app/settings")
}

/// Which page a layout is for, to mark it in the navigation.
pub type PageName = &'static str;

/// What every page's frame shows.
pub struct Layout {
    /// The page's title.
    pub title: String,
    /// Which navigation entry is current (`now`, `reports`, …).
    pub page: PageName,
    /// The signed-in user's name; `None` before signing in.
    pub user: Option<String>,
    /// The CSRF token of every form on the page.
    pub csrf: String,
    /// `light`, `dark` or `system`.
    pub theme: String,
    /// The last action's message.
    pub flash: Option<Flash>,
    /// Whether the page follows the live event stream.
    pub live: bool,
    /// The server's clock (Unix seconds), for the timers.
    pub now: i64,
}

impl Layout {
    /// The frame of a signed-in page.
    pub fn signed_in(
        visitor: &Visitor,
        title: impl Into<String>,
        page: PageName,
        now: jiff::Timestamp,
    ) -> Self {
        Self {
            title: title.into(),
            page,
            user: Some(visitor.session.name.clone()),
            csrf: visitor.session.csrf.clone(),
            theme: visitor.theme.clone(),
            flash: visitor.flash.clone(),
            live: true,
            now: now.as_second(),
        }
    }

    /// The frame of a page before signing in.
    pub fn anonymous(
        title: impl Into<String>,
        theme: String,
        flash: Option<Flash>,
        now: jiff::Timestamp,
    ) -> Self {
        Self {
            title: title.into(),
            page: "",
            user: None,
            csrf: String::new(),
            theme,
            flash,
            live: false,
            now: now.as_second(),
        }
    }

    /// The versioned URL of an asset.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }
}

/// Room reserved for a page as it renders, in bytes: most pages fit.
const PAGE_CAPACITY: usize = 64 * 1024;

/// Renders a page; a message it showed is then removed.
pub fn render(template: &impl Template, shown_flash: bool) -> Response {
    render_sized(template, shown_flash, PAGE_CAPACITY)
}

/// [`render`] into room for `capacity` bytes: a page that knows it is large
/// (a year of reports) renders without a doubling series of copies.
pub fn render_sized(template: &impl Template, shown_flash: bool, capacity: usize) -> Response {
    let mut html = String::with_capacity(capacity);
    match template.render_into(&mut html) {
        Ok(()) => {
            let page = ([(header::CACHE_CONTROL, "no-store")], Html(html));
            if shown_flash {
                (CookieJar::new().add(Flash::cleared()), page).into_response()
            } else {
                page.into_response()
            }
        }
        Err(e) => WebError::App(AppError::Internal(anyhow::anyhow!("template failed: {e}")))
            .into_response(),
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in: to the sign-in page, then back to this path.
    SignIn(String),
    /// Signed in, but not allowed, or not from this site.
    Forbidden(&'static str),
    /// A form that no page of the app sends.
    BadForm(String),
    /// No such page or resource.
    NotFound,
    /// Anything the API could fail with.
    App(AppError),
}

impl WebError {
    /// Whether the person can do something about it (a rule they broke,
    /// something since deleted), rather than a page of its own.
    pub fn is_the_senders(&self) -> bool {
        match self {
            Self::App(error) => error.status().is_client_error(),
            Self::NotFound => true,
            _ => false,
        }
    }
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound(_) => Self::NotFound,
            other => Self::App(other),
        }
    }
}

impl From<crate::domain::FieldError> for WebError {
    fn from(error: crate::domain::FieldError) -> Self {
        AppError::from(error).into()
    }
}

impl From<crate::db::StoreError> for WebError {
    fn from(error: crate::db::StoreError) -> Self {
        AppError::from(error).into()
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    detail: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, detail) = match self {
            Self::SignIn(next) => {
                let target = format!("/app/signin?next={}", urlencode(&next));
                return Redirect::to(&target).into_response();
            }
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why.to_owned()),
            Self::BadForm(why) => (StatusCode::BAD_REQUEST, "That form could not be read", why),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it is not yours.".to_owned(),
            ),
            Self::App(error) => {
                let status = error.status();
                let detail = match &error {
                    AppError::Rule(_) => error.detail(),
                    other => words::refusal(other),
                };
                // Logged there once, answered here as a page.
                let _ = error.into_response();
                (status, "Something went wrong", detail)
            }
        };
        let page = ErrorPage {
            layout: Layout::anonymous(heading, "system".into(), None, jiff::Timestamp::now()),
            heading,
            detail,
        };
        let mut response = render(&page, false);
        *response.status_mut() = status;
        response
    }
}

/// Percent-encodes `text` for a query string.
pub fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The answer to a form in the person's words: back to `to` with
/// `notice`, or with what was wrong as `voice` says it (the web app's own
/// sentence, in the account's zone; never the API's detail). A fault of
/// the server is a page of its own.
pub fn tell(result: Result<String, WebError>, to: &str, voice: &words::Voice) -> Response {
    match result {
        Ok(notice) => session::back(to, Flash::notice(notice)),
        Err(error) if error.is_the_senders() => {
            session::back(to, Flash::error(voice.explain(&error).sentence()))
        }
        Err(other) => other.into_response(),
    }
}

/// How an interruption's type reads on a page.
pub fn kind_label(kind: crate::domain::interruption::InterruptionKind) -> &'static str {
    use crate::domain::interruption::InterruptionKind as Kind;
    match kind {
        Kind::Family => "Family",
        Kind::Phone => "Phone",
        Kind::Noise => "Noise",
        Kind::SelfInflicted => "Self-distraction",
        Kind::UrgentTask => "Urgent task",
        Kind::Unknown => "Unknown",
    }
}
