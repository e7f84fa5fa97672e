//! A message an action leaves for the page it redirects to ("Session
//! logged", or what was wrong with the form), carried by a short-lived
//! cookie so that no URL repeats it.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::session::{decode, encode};

const COOKIE: &str = "hf_flash";

/// How a message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// It worked.
    Notice,
    /// It did not; the message says why.
    Error,
}

/// A message for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// Good news or bad.
    pub tone: Tone,
    /// What to say.
    pub text: String,
}

impl Flash {
    /// Good news.
    pub fn notice(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Notice,
            text: text.into(),
        }
    }

    /// What went wrong.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Error,
            text: text.into(),
        }
    }

    /// Whether it is bad news, for the template.
    pub fn is_error(&self) -> bool {
        self.tone == Tone::Error
    }

    /// The message a request carries, if any.
    pub fn from_jar(jar: &CookieJar) -> Option<Self> {
        let raw = decode(jar.get(COOKIE)?.value())?;
        let (tone, text) = raw.split_once(':')?;
        let tone = match tone {
            "error" => Tone::Error,
            _ => Tone::Notice,
        };
        Some(Self {
            tone,
            text: text.chars().take(500).collect(),
        })
    }

    /// A jar that sets this message for the next request.
    pub fn into_cookie_jar(self) -> CookieJar {
        let tone = match self.tone {
            Tone::Notice => "notice",
            Tone::Error => "error",
        };
        let value = encode(&format!("{tone}:{}", self.text));
        CookieJar::new().add(
            Cookie::build((COOKIE, value))
                .path("/app/")
                .http_only(true)
                .same_site(SameSite::Strict)
                .max_age(time::Duration::seconds(60))
                .build(),
        )
    }

    /// The cookie that removes a message once shown.
    pub fn cleared() -> Cookie<'static> {
        Cookie::build((COOKIE, ""))
            .path("/app/")
            .max_age(time::Duration::ZERO)
            .build()
    }
}
