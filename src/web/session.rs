//! Who is signed in to the web app, and that a form really comes from it.
//!
//! A browser signs in with a password or a pasted token and gets a random
//! session id in an `HttpOnly; SameSite=Strict` cookie (`Secure` over TLS);
//! the database keeps its SHA-256 (`domain::browser`). No token ever
//! reaches the page. Every state-changing request must come from this site
//! (`Sec-Fetch-Site`, else `Origin`) and, once signed in, carry the
//! session's CSRF token as the form field `csrf`.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, Method, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::de::DeserializeOwned;

use super::{WebError, flash::Flash};
use crate::{
    domain::{
        browser::{BrowserSession, id_hash},
        days::DaySettings,
        time::TimeZoneName,
        token::Scope,
    },
    services::state::AppState,
};

/// The cookie of a signed-in browser.
pub const SESSION_COOKIE: &str = "hf_session";
/// The cookie of the chosen theme.
pub const THEME_COOKIE: &str = "hf_theme";
/// The header of a page's live refresh (`assets/app/app.js`).
pub const LIVE_REFRESH: &str = "hf-live";

/// A browser signed in, with what every page needs.
pub struct Visitor {
    /// The stored session.
    pub session: BrowserSession,
    /// Its id's hash, to sign it out.
    pub id_hash: [u8; 32],
    /// The message the last action left, if any.
    pub flash: Option<Flash>,
    /// `light`, `dark` or `system`.
    pub theme: String,
}

impl Visitor {
    /// The user's id.
    pub fn user_id(&self) -> i64 {
        self.session.user_id
    }

    /// The user's zone.
    pub fn zone(&self) -> TimeZoneName {
        TimeZoneName::from_stored(self.session.timezone.clone())
    }

    /// Where the user's weeks and days begin.
    pub fn days(&self) -> DaySettings {
        self.session.days
    }

    /// Fails unless the browser may change things (it may not when it
    /// signed in with a read-only token).
    pub fn require_write(&self) -> Result<(), WebError> {
        match self.session.scope {
            Scope::Write => Ok(()),
            Scope::Read => Err(WebError::Forbidden(
                "this browser signed in with a read-only token; sign in with a password or a write token to make changes",
            )),
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let sign_in = || WebError::SignIn(sign_in_target(parts));
        let cookie = jar.get(SESSION_COOKIE).ok_or_else(sign_in)?;
        let hash = id_hash(cookie.value());
        let session = state
            .store
            .browser_session(hash)
            .await
            .map_err(WebError::from)?
            .filter(|s| s.expires_at > state.clock.now())
            .ok_or_else(sign_in)?;
        // A page refreshing itself live never takes the message meant for
        // the tab that acted (the cookie is the browser's, not the tab's).
        let live = parts.headers.contains_key(LIVE_REFRESH);
        Ok(Self {
            session,
            id_hash: hash,
            flash: if live { None } else { Flash::from_jar(&jar) },
            theme: theme(&jar),
        })
    }
}

/// The theme a browser chose; `system` until it chooses.
pub fn theme(jar: &CookieJar) -> String {
    match jar.get(THEME_COOKIE).map(Cookie::value) {
        Some(chosen @ ("light" | "dark")) => chosen.to_owned(),
        _ => "system".to_owned(),
    }
}

/// Where to come back to after signing in: this page, if it is a page.
fn sign_in_target(parts: &Parts) -> String {
    let path = parts.uri.path_and_query().map_or("/app/", |p| p.as_str());
    match parts.method {
        Method::GET if path.starts_with("/app/") => path.to_owned(),
        _ => "/app/".to_owned(),
    }
}

/// A safe place to send a browser after signing in: a path of the app,
/// never another site (`//evil.example` included).
pub fn local_target(raw: Option<&str>) -> String {
    match raw {
        Some(path) if path.starts_with("/app/") && !path.contains("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/app/".to_owned(),
    }
}

/// The cookie that signs a browser in; `Secure` when the request came
/// over TLS (directly or, by `X-Forwarded-Proto`, through a proxy).
pub fn session_cookie(value: String, headers: &HeaderMap, days: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(over_tls(headers))
        .max_age(time::Duration::days(days))
        .build()
}

/// The cookie that signs a browser out.
pub fn cleared_session_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .max_age(time::Duration::ZERO)
        .build()
}

/// `https://host` (or `http://`) of this request, for addresses shown to
/// be pasted elsewhere; `None` when the `Host` header is not a plain host.
pub fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let scheme = if over_tls(headers) { "https" } else { "http" };
    plain.then(|| format!("{scheme}://{host}"))
}

fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// Refuses a state-changing request that another site made the browser
/// send: `Sec-Fetch-Site` must say this site (or the person themselves),
/// or, from browsers without it, `Origin` must be this host.
pub fn check_same_site(headers: &HeaderMap) -> Result<(), WebError> {
    let cross_site =
        || WebError::Forbidden("this form came from another site; open HyperFocus and try again");
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(cross_site()),
        };
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            if origin_host.eq_ignore_ascii_case(host) {
                Ok(())
            } else {
                Err(cross_site())
            }
        }
        // `Origin: null` or no Host: not this site.
        (Some(_), None) => Err(cross_site()),
        // A client that sends neither is no browser under attack.
        (None, _) => Ok(()),
    }
}

/// A form with a `csrf` field.
pub trait CsrfForm {
    /// The form's `csrf` field.
    fn csrf(&self) -> &str;
}

/// A form posted by a signed-in browser, from this site, with its CSRF
/// token: the only way a page changes data.
pub struct Posted<T> {
    /// Who posted it.
    pub visitor: Visitor,
    /// What they sent.
    pub form: T,
}

impl<T: DeserializeOwned + CsrfForm + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        check_same_site(request.headers())?;
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(|rejection| WebError::BadForm(rejection.body_text()))?;
        if !visitor.session.csrf_matches(form.csrf()) {
            return Err(WebError::Forbidden(
                "this form has expired or was not sent by HyperFocus; reload the page and try again",
            ));
        }
        Ok(Self { visitor, form })
    }
}

/// A form posted before signing in (sign-in, registration): from this
/// site only.
pub struct Anonymous<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Anonymous<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        check_same_site(request.headers())?;
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(|rejection| WebError::BadForm(rejection.body_text()))?;
        Ok(Self(form))
    }
}

/// A redirect after a form, with a message for the next page.
pub fn back(to: &str, flash: Flash) -> Response {
    (flash.into_cookie_jar(), Redirect::to(to)).into_response()
}

/// The URL-safe text of a cookie value.
pub fn encode(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text.as_bytes())
}

/// The text of a cookie value written by [`encode`].
pub fn decode(value: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(value).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_this_site_may_post() {
        assert!(check_same_site(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(check_same_site(&headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check_same_site(&headers(&[("sec-fetch-site", "same-site")])).is_err());
        let own = [
            ("origin", "http://127.0.0.1:8000"),
            ("host", "127.0.0.1:8000"),
        ];
        assert!(check_same_site(&headers(&own)).is_ok());
        let other = [
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8000"),
        ];
        assert!(check_same_site(&headers(&other)).is_err());
        assert!(check_same_site(&headers(&[("origin", "null")])).is_err());
        assert!(check_same_site(&headers(&[])).is_ok());
    }

    #[test]
    fn sign_in_sends_back_to_this_app_only() {
        assert_eq!(
            local_target(Some("/app/reports?period=week")),
            "/app/reports?period=week"
        );
        for outside in [
            Some("https://evil.example/"),
            Some("//evil.example"),
            Some("/app//x"),
            Some("/docs"),
            None,
        ] {
            assert_eq!(local_target(outside), "/app/");
        }
    }

    #[test]
    fn cookie_text_round_trips() {
        assert_eq!(
            decode(&encode("Saved; ok ✓")).as_deref(),
            Some("Saved; ok ✓")
        );
        assert_eq!(decode("%%"), None);
    }
}
