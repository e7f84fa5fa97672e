//! Settings → Personal tokens: made (the secret shown once, by the form)
//! and revoked.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    WebError,
    fields::FormErrors,
    session::{CsrfForm, Posted},
    settings::{Plain, ShownOnce, answer_in, form_failed, settings, shown_here},
};
use crate::{
    db::SameName,
    domain::token::{self, MAX_EXPIRY_DAYS, Scope, TokenName},
    services::{accounts, state::AppState},
};

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

/// Why a token was not made.
enum Refused {
    /// Something to put right in the form.
    Said(FormErrors),
    /// Anything else.
    Failed(WebError),
}

impl<E: Into<WebError>> From<E> for Refused {
    fn from(error: E) -> Self {
        Self::Failed(error.into())
    }
}

/// Creates a personal token and shows its secret on this one answer,
/// beside the form.
pub async fn create(State(state): State<AppState>, posted: Posted<TokenForm>) -> Response {
    let Posted { visitor, form } = posted;
    if let Err(e) = visitor.require_write() {
        return e.into_response();
    }
    match issue(&state, visitor.user_id(), &form).await {
        Ok(secret) => match settings(&state, &visitor).await {
            Ok(mut page) => {
                page.shown = Some(ShownOnce {
                    section: "tokens",
                    webhook: None,
                    lead: format!(
                        "Token “{}” created. Copy it now: it is not shown again.",
                        form.name.trim()
                    ),
                    value: secret,
                });
                shown_here(&page, &visitor)
            }
            Err(e) => e.into_response(),
        },
        Err(Refused::Said(said)) => {
            form_failed(&state, &visitor, "tokens", said, |page| {
                page.typed.token_name = form.name.clone();
                page.typed.token_scope = form.scope.clone();
                page.typed.token_days = form.expires_in_days.clone().unwrap_or_default();
            })
            .await
        }
        Err(Refused::Failed(e)) => answer_in(&state, &visitor, "tokens", Err(e)),
    }
}

/// Checks the form, then makes the token: its secret.
async fn issue(state: &AppState, user_id: i64, form: &TokenForm) -> Result<String, Refused> {
    let mut said = FormErrors::default();
    let name = TokenName::parse("name", &form.name);
    if name.is_err() {
        said.add(
            "token-name",
            if form.name.trim().is_empty() {
                "Enter a name for the token, such as the device it is for.".to_owned()
            } else {
                format!(
                    "The name must be {} characters or fewer.",
                    token::MAX_NAME_CHARS
                )
            },
        );
    }
    let days_wrong = format!(
        "Enter the days as a whole number from 1 to {MAX_EXPIRY_DAYS}, or leave it empty for a token that does not expire."
    );
    let expires_at = match form.expires_in_days.as_deref().map(str::trim) {
        Some(days) if !days.is_empty() => match days.parse::<i64>() {
            Ok(days) => match token::expiry(days, state.clock.now()) {
                Ok(at) => Some(at),
                Err(_) => {
                    said.add("token-days", &days_wrong);
                    None
                }
            },
            Err(_) => {
                said.add("token-days", &days_wrong);
                None
            }
        },
        _ => None,
    };
    let Ok(name) = name else {
        return Err(Refused::Said(said));
    };
    if !said.is_empty() {
        return Err(Refused::Said(said));
    }
    let scope = match form.scope.as_str() {
        "read" => Scope::Read,
        _ => Scope::Write,
    };
    let issued = accounts::issue(state, user_id, name, scope, expires_at, SameName::Keep).await?;
    Ok(issued.api_token)
}

/// Revokes a personal token.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Plain>,
) -> Response {
    let visitor = posted.visitor;
    let result = async {
        visitor.require_write()?;
        state.store.delete_token(visitor.user_id(), id).await?;
        Ok("Token revoked: it no longer works.".to_owned())
    }
    .await;
    answer_in(&state, &visitor, "tokens", result)
}
