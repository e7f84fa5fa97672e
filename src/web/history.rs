//! The history page: sessions with their interruptions, newest first,
//! paged; every time and note can be corrected, and a forgotten session
//! logged.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use jiff::{Timestamp, civil::Date};
use serde::Deserialize;

use super::{
    Layout, Visitor, WebError,
    form::{Failed, Forms},
    gap::last_gap,
    kind_label,
    panel::{PanelForm, input_of},
    render,
    session::{CsrfForm, Posted, local_target},
    tell,
    time_input::{DayLabel, day_and_clock, duration, parse_local, to_input},
};
use crate::{
    db::{SessionCursor, SessionListQuery},
    domain::{
        events::EventKind,
        interruption::{Interruption, InterruptionKind},
        session::{NewSession, parse_note},
        time::{from_unix_seconds, parse_date},
    },
    error::AppError,
    services::state::AppState,
};

/// Sessions shown a page.
const PAGE: u32 = 20;

/// `?day=` and `?before=` of the page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryQuery {
    /// Only sessions overlapping this local day.
    day: Option<String>,
    /// Continue after this position: `<start seconds>.<id>`.
    before: Option<String>,
}

/// One of the six kinds, for a choice.
struct KindOption {
    value: &'static str,
    label: &'static str,
}

/// The inputs of one row of a panel, by id (each input's name is its id).
struct Inputs {
    kind: String,
    note: String,
    start: String,
    end: String,
}

impl Inputs {
    fn of(prefix: &str) -> Self {
        Self {
            kind: format!("{prefix}-type"),
            note: format!("{prefix}-note"),
            start: format!("{prefix}-start"),
            end: format!("{prefix}-end"),
        }
    }
}

struct InterruptionView {
    id: i64,
    label: &'static str,
    kind: &'static str,
    note: String,
    when: String,
    length: String,
    start: String,
    end: String,
    open: bool,
    inputs: Inputs,
}

struct SessionView {
    id: i64,
    /// The id of its panel (and of the form in it).
    panel: String,
    inputs: Inputs,
    add: Inputs,
    title: String,
    worked: String,
    lost: String,
    start: String,
    end: String,
    active: bool,
    note: String,
    interruptions: Vec<InterruptionView>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    heading: String,
    day: Option<String>,
    sessions: Vec<SessionView>,
    older: Option<String>,
    back: String,
    log_start: String,
    log_end: String,
    forms: Forms,
    kinds: Vec<KindOption>,
    picker: DayPicker,
}

/// The day picker: a day (today, on the page of all sessions), the day
/// before it and the day after (none after today).
struct DayPicker {
    /// The day shown, or today.
    value: String,
    /// The latest day that can be picked: today.
    max: String,
    /// The day before, to go to, and how it reads.
    previous: Option<(String, String)>,
    /// The day after, unless it is still to come.
    next: Option<(String, String)>,
}

impl DayPicker {
    fn new(day: Option<Date>, today: Date) -> Self {
        let link = |date: Date| {
            (
                date.to_string(),
                DayLabel {
                    date,
                    with_year: false,
                }
                .to_string(),
            )
        };
        let shown = day.unwrap_or(today);
        Self {
            value: shown.to_string(),
            max: today.to_string(),
            previous: shown.yesterday().ok().map(link),
            next: day
                .and_then(|d| d.tomorrow().ok())
                .filter(|d| *d <= today)
                .map(link),
        }
    }
}

/// The page.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, WebError> {
    show(&state, &visitor, query, Forms::default()).await
}

/// The page behind `back` (a History address) with `failed` sent back to
/// the person: open, as typed, with what was wrong by each field (422).
async fn refuse(state: &AppState, visitor: &Visitor, back: &str, failed: Failed) -> Response {
    let query = back
        .split_once('?')
        .and_then(|(_, query)| {
            let uri: axum::http::Uri = format!("/?{query}").parse().ok()?;
            Query::<HistoryQuery>::try_from_uri(&uri).ok()
        })
        .map(|Query(query)| query)
        .unwrap_or_default();
    let forms = Forms {
        failed: Some(failed),
    };
    match show(state, visitor, query, forms).await {
        Ok(mut page) => {
            *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            // htmx would show the form's address; the page's stays.
            if let Ok(value) = axum::http::HeaderValue::from_str(back) {
                page.headers_mut().insert("hx-replace-url", value);
            }
            page
        }
        Err(error) => axum::response::IntoResponse::into_response(error),
    }
}

/// The page for `query`, its forms as `forms` says.
async fn show(
    state: &AppState,
    visitor: &Visitor,
    query: HistoryQuery,
    forms: Forms,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let tz = visitor.zone().zone();
    let day = query
        .day
        .as_deref()
        .map(|raw| parse_date("day", raw))
        .transpose()
        .map_err(AppError::from)?;
    let after = query.before.as_deref().and_then(parse_position);
    let list = SessionListQuery {
        overlapping: day.map(|d| visitor.days().day_start.day(d, &tz)),
        after,
        limit: PAGE + 1,
    };
    let mut sessions = state
        .store
        .list_sessions(visitor.user_id(), list, now)
        .await?;
    let older = (sessions.len() > PAGE as usize).then(|| {
        sessions.truncate(PAGE as usize);
        let last = sessions
            .last()
            .map_or((0, 0), |s| (s.start.as_second(), s.id));
        let mut href = format!("/app/history?before={}.{}", last.0, last.1);
        if let Some(day) = &query.day {
            href.push_str(&format!("&day={day}"));
        }
        href
    });
    let ids = sessions.iter().map(|s| s.id).collect();
    let interruptions = state
        .store
        .interruptions_of_sessions(visitor.user_id(), ids)
        .await?;
    let views = sessions
        .iter()
        .map(|s| {
            let own: Vec<&Interruption> = interruptions
                .iter()
                .filter(|i| i.session_id == s.id)
                .collect();
            SessionView {
                id: s.id,
                panel: format!("s{}", s.id),
                inputs: Inputs::of(&format!("s{}", s.id)),
                add: Inputs::of(&format!("s{}-add", s.id)),
                title: match s.end {
                    Some(end) => format!(
                        "{} – {}",
                        day_and_clock(s.start, &tz),
                        super::time_input::clock(end, &tz)
                    ),
                    None => format!("{} – now", day_and_clock(s.start, &tz)),
                },
                worked: duration(s.end.unwrap_or(now).as_second() - s.start.as_second()),
                lost: duration(s.time_lost_seconds),
                start: to_input(s.start, &tz),
                end: s.end.map(|e| to_input(e, &tz)).unwrap_or_default(),
                active: s.end.is_none(),
                note: s.note.clone(),
                interruptions: own
                    .into_iter()
                    .map(|i| interruption_view(i, &tz, now))
                    .collect(),
            }
        })
        .collect();
    let heading = match day {
        Some(d) => format!("History of {}", d.strftime("%A %-d %B %Y")),
        None => "History".to_owned(),
    };
    let back = match (&query.day, &query.before) {
        (Some(day), _) => format!("/app/history?day={day}"),
        _ => "/app/history".to_owned(),
    };
    let (log_from, log_to) = offer(state, visitor, day, now).await?;
    let mut layout = Layout::signed_in(visitor, "History", "history", now);
    if forms.failed.is_some() {
        // The summary of what failed says it all.
        layout.flash = None;
    }
    let shown_flash = layout.flash.is_some();
    let page = HistoryPage {
        layout,
        heading,
        day: query.day.clone(),
        sessions: views,
        older,
        back,
        log_start: to_input(log_from, &tz),
        log_end: to_input(log_to, &tz),
        forms,
        kinds: InterruptionKind::ALL
            .iter()
            .map(|&k| KindOption {
                value: k.as_str(),
                label: kind_label(k),
            })
            .collect(),
        picker: DayPicker::new(day, visitor.days().day_start.date_of(now, &tz)),
    };
    Ok(render(&page, shown_flash))
}

/// The times "Log a forgotten session" offers: the last gap of the day
/// shown (or of the last day up to now), which can be saved as it is; an
/// hour up to now when there is none.
async fn offer(
    state: &AppState,
    visitor: &Visitor,
    day: Option<jiff::civil::Date>,
    now: Timestamp,
) -> Result<(Timestamp, Timestamp), WebError> {
    let (from, to) = match day {
        Some(day) => {
            let (from, to) = visitor.days().day_start.day(day, &visitor.zone().zone());
            (from, to.min(now))
        }
        None => (from_unix_seconds(now.as_second() - 86_400), now),
    };
    let list = SessionListQuery {
        overlapping: Some((from, to.max(from))),
        after: None,
        limit: 1000,
    };
    let taken: Vec<(Timestamp, Timestamp)> = state
        .store
        .list_sessions(visitor.user_id(), list, now)
        .await?
        .iter()
        .map(|s| (s.start, s.end.unwrap_or(now)))
        .collect();
    Ok(last_gap(&taken, from, to)
        .unwrap_or_else(|| (from_unix_seconds(now.as_second() - 3600), now)))
}

fn parse_position(raw: &str) -> Option<SessionCursor> {
    let (start, id) = raw.split_once('.')?;
    Some(SessionCursor {
        start: from_unix_seconds(start.parse().ok()?),
        id: id.parse().ok()?,
    })
}

fn interruption_view(
    i: &Interruption,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> InterruptionView {
    InterruptionView {
        id: i.id,
        label: kind_label(i.kind),
        kind: i.kind.as_str(),
        note: i.description.clone(),
        when: match i.end {
            Some(end) => format!(
                "{} – {}",
                super::time_input::clock(i.start, tz),
                super::time_input::clock(end, tz)
            ),
            None => format!("since {}", super::time_input::clock(i.start, tz)),
        },
        length: duration(i.end.unwrap_or(now).as_second() - i.start.as_second()),
        start: to_input(i.start, tz),
        end: i.end.map(|e| to_input(e, tz)).unwrap_or_default(),
        open: i.end.is_none(),
        inputs: Inputs::of(&format!("i{}", i.id)),
    }
}

/// The times of a session, as typed.
#[derive(Deserialize)]
pub struct TimesForm {
    #[serde(default)]
    csrf: String,
    start: String,
    end: Option<String>,
    note: Option<String>,
    back: Option<String>,
}

impl CsrfForm for TimesForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl TimesForm {
    fn times(&self, tz: &jiff::tz::TimeZone) -> Result<(Timestamp, Option<Timestamp>), AppError> {
        let start = parse_local("start_time", &self.start, tz)?;
        let end = match self.end.as_deref().map(str::trim) {
            Some(raw) if !raw.is_empty() => Some(parse_local("end_time", raw, tz)?),
            _ => None,
        };
        Ok((start, end))
    }

    /// The note as typed; `None` when the form has no note field.
    fn note(&self) -> Result<Option<String>, AppError> {
        match &self.note {
            Some(raw) => Ok(Some(parse_note(Some(raw.trim().to_owned()))?)),
            None => Ok(None),
        }
    }
}

/// Logs a forgotten session, start and end; a session that cannot be
/// logged comes back as typed, with the reason by its field.
pub async fn log_session(State(state): State<AppState>, posted: Posted<TimesForm>) -> Response {
    let Posted { visitor, form } = posted;
    let back = local_target(form.back.as_deref());
    let now = state.clock.now();
    let result = async {
        visitor.require_write()?;
        let (start, end) = form.times(&visitor.zone().zone())?;
        let end = end.ok_or_else(|| AppError::invalid("end_time", "Enter when it ended."))?;
        let new = NewSession {
            start: Some(start),
            end: Some(end),
            note: form.note()?.unwrap_or_default(),
        };
        let session = state
            .store
            .start_session(visitor.user_id(), new, now, None)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .session(EventKind::SessionStarted, &session, now)
            .await;
        Ok::<_, WebError>(format!(
            "Session logged: {}.",
            duration(end.as_second() - start.as_second())
        ))
    }
    .await;
    match result {
        Err(error) if error.is_the_senders() => {
            let typed = vec![
                ("start".to_owned(), form.start.clone()),
                ("end".to_owned(), form.end.clone().unwrap_or_default()),
                ("note".to_owned(), form.note.clone().unwrap_or_default()),
            ];
            let failed =
                Failed::new("log", typed).explained(visitor.voice(now).explain(&error), |field| {
                    let input = match field {
                        "start_time" => "log-start",
                        "end_time" => "log-end",
                        "note" => "log-note",
                        _ => return None,
                    };
                    Some(input.to_owned())
                });
            refuse(&state, &visitor, &back, failed).await
        }
        result => tell(result, &back, &visitor.voice(now)),
    }
}

/// Saves a session's panel: its times and note, its interruptions and one
/// to add, as one correction; a panel that cannot be saved comes back as
/// typed, each message by its field.
pub async fn save_session(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<PanelForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let back = local_target(form.back());
    let now = state.clock.now();
    let result = async {
        visitor.require_write()?;
        let correction = form
            .correction(id, &visitor.zone().zone())
            .map_err(AppError::from)?;
        let corrected = state
            .store
            .correct_session(visitor.user_id(), id, correction, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .session(EventKind::SessionUpdated, &corrected.session, now)
            .await;
        for changed in &corrected.changed {
            state
                .events
                .interruption(EventKind::InterruptionUpdated, changed, now)
                .await;
        }
        if let Some(added) = &corrected.added {
            state
                .events
                .interruption(EventKind::InterruptionCreated, added, now)
                .await;
        }
        Ok::<_, WebError>(saved(&corrected, &visitor.zone().zone()))
    }
    .await;
    match result {
        Err(error @ WebError::App(_)) if error.is_the_senders() => {
            let failed = Failed::new(format!("s{id}"), form.typed())
                .explained(visitor.voice(now).explain(&error), |field| {
                    input_of(id, field)
                });
            refuse(&state, &visitor, &back, failed).await
        }
        result => tell(result, &back, &visitor.voice(now)),
    }
}

/// What a save did, in a sentence.
fn saved(corrected: &crate::db::CorrectedSession, tz: &jiff::tz::TimeZone) -> String {
    let changed = corrected.changed.len();
    let mut said = "Session saved".to_owned();
    if changed > 0 {
        said.push_str(&format!(
            ", with {changed} interruption{} changed",
            if changed == 1 { "" } else { "s" }
        ));
    }
    if let Some(added) = &corrected.added {
        said.push_str(&format!(
            "{} the {} interruption at {} added",
            if changed > 0 { " and" } else { ", with" },
            kind_label(added.kind),
            super::time_input::clock(added.start, tz)
        ));
    }
    said.push('.');
    said
}

/// A form that carries its CSRF token and where to come back to.
#[derive(Deserialize)]
pub struct BackForm {
    #[serde(default)]
    csrf: String,
    back: Option<String>,
}

impl CsrfForm for BackForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Deletes a session with its interruptions.
pub async fn delete_session(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<BackForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let voice = visitor.voice(now);
        let session = state.store.get_session(visitor.user_id(), id, now).await?;
        state
            .store
            .delete_session(visitor.user_id(), id, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .deleted(EventKind::SessionDeleted, visitor.user_id(), id, now)
            .await;
        let when = match session.end {
            Some(end) => voice.from_to(session.start, end),
            None => format!("running since {}", voice.when(session.start)),
        };
        Ok(match session.interruption_count {
            0 => format!("The session {when} is deleted."),
            1 => format!("The session {when} is deleted, with its interruption."),
            n => format!("The session {when} is deleted, with its {n} interruptions."),
        })
    }
    .await;
    tell(
        result,
        &local_target(form.back.as_deref()),
        &visitor.voice(state.clock.now()),
    )
}

/// Closes an interruption still open, now.
pub async fn close_interruption(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<BackForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let closed = state
            .store
            .end_interruption(visitor.user_id(), id, None, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .interruption(EventKind::InterruptionEnded, &closed, now)
            .await;
        Ok("Interruption closed.".to_owned())
    }
    .await;
    tell(
        result,
        &local_target(form.back.as_deref()),
        &visitor.voice(state.clock.now()),
    )
}

/// Deletes an interruption.
pub async fn delete_interruption(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<BackForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let voice = visitor.voice(now);
        let gone = state.store.get_interruption(visitor.user_id(), id).await?;
        state
            .store
            .delete_interruption(visitor.user_id(), id, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .deleted(EventKind::InterruptionDeleted, visitor.user_id(), id, now)
            .await;
        let when = match gone.end {
            Some(end) => voice.from_to(gone.start, end),
            None => format!("open since {}", voice.when(gone.start)),
        };
        Ok(format!(
            "The {} interruption {when} is deleted.",
            kind_label(gone.kind)
        ))
    }
    .await;
    tell(
        result,
        &local_target(form.back.as_deref()),
        &visitor.voice(state.clock.now()),
    )
}
