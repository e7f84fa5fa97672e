//! The landing page: start and end focus, log an interruption as it
//! happens, and today at a glance.

use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use super::{
    Layout, Visitor, WebError,
    charts::Frame,
    day::{DayRow, Shown},
    kind_label, render,
    session::{CsrfForm, Posted},
    tell,
    time_input::{clock, duration, stopwatch},
};
use crate::{
    domain::{
        events::EventKind,
        interruption::{InterruptionKind, InterruptionPatch, NewInterruption, parse_description},
        session::{NewSession, parse_note},
        stats::window::Window,
    },
    error::AppError,
    services::state::AppState,
};

/// The running session, as the page shows it.
struct ActiveView {
    id: i64,
    note: String,
    since: i64,
    started: String,
    elapsed: String,
}

/// The interruption going on.
struct OpenView {
    id: i64,
    label: &'static str,
    since: i64,
    started: String,
    elapsed: String,
    note: String,
}

/// One interruption button.
struct KindButton {
    value: &'static str,
    label: &'static str,
    key: usize,
}

/// Today's headline figures, formatted.
struct TodayFigures {
    effective: String,
    worked: String,
    lost: String,
    /// "—" when nothing was worked: there is no score, not a score of 0.
    score: String,
}

#[derive(Template)]
#[template(path = "now.html")]
struct NowPage {
    layout: Layout,
    active: Option<ActiveView>,
    open: Option<OpenView>,
    kinds: Vec<KindButton>,
    today: TodayFigures,
    timeline: String,
    rows: Vec<DayRow>,
    goals: Vec<super::goals::GoalCard>,
}

/// The six interruption buttons, keys 1 to 6.
fn kind_buttons() -> Vec<KindButton> {
    InterruptionKind::ALL
        .iter()
        .enumerate()
        .map(|(i, &kind)| KindButton {
            value: kind.as_str(),
            label: kind_label(kind),
            key: i + 1,
        })
        .collect()
}

/// The page.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let now = state.clock.now();
    let zone = visitor.zone();
    let tz = zone.zone();
    let current = state.store.current_session(visitor.user_id(), now).await?;
    let days = visitor.days();
    let today = days.day_start.date_of(now, &tz);
    let (day_start, day_end) = days.day_start.day(today, &tz);
    let shown = Shown {
        frame: Frame {
            id: "today",
            title: "Today's timeline",
            desc: "Focus sessions as bars along the day's hours, interruptions as coloured marks on them",
        },
        least_hours: 4,
    };
    let (timeline, rows) = super::day::day(
        &state,
        visitor.user_id(),
        (day_start, day_end),
        (&tz, now),
        &shown,
    )
    .await?;
    let window = Window {
        from: day_start,
        to: day_end,
        zone: zone.clone(),
        days,
    };
    let report = crate::services::reports::run(
        state.store.as_ref(),
        visitor.user_id(),
        &window,
        crate::domain::stats::DEFAULT_RECOVERY_SECONDS,
        now,
    )
    .await?;
    let summary = &report.summary;
    let active = current.session.as_ref().map(|s| ActiveView {
        id: s.id,
        note: s.note.clone(),
        since: s.start.as_second(),
        started: clock(s.start, &tz),
        elapsed: stopwatch(now.as_second() - s.start.as_second()),
    });
    let open = current.open_interruption.as_ref().map(|i| OpenView {
        id: i.id,
        label: kind_label(i.kind),
        since: i.start.as_second(),
        started: clock(i.start, &tz),
        elapsed: stopwatch(now.as_second() - i.start.as_second()),
        note: i.description.clone(),
    });
    let page = NowPage {
        layout: Layout::signed_in(&visitor, "Now", "now", now),
        active,
        open,
        kinds: kind_buttons(),
        today: TodayFigures {
            effective: duration(summary.effective),
            worked: duration(summary.worked),
            lost: duration(summary.lost),
            score: if summary.worked > 0 {
                summary.focus.score.to_string()
            } else {
                "—".to_owned()
            },
        },
        timeline,
        rows,
        goals: super::goals::cards(&state, &visitor).await?,
    };
    Ok(render(&page, visitor.flash.is_some()))
}

/// The start form: what the person is about to work on.
#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

impl CsrfForm for StartForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Starts focusing now.
pub async fn start(State(state): State<AppState>, posted: Posted<StartForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let new = NewSession {
            start: None,
            end: None,
            note: parse_note(Some(form.note.trim().to_owned()))?,
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
        Ok("Focus started. Good luck!".to_owned())
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}

/// A form about one session.
#[derive(Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    csrf: String,
    session_id: i64,
}

impl CsrfForm for SessionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Ends the session now.
pub async fn end(State(state): State<AppState>, posted: Posted<SessionForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let ended = state
            .store
            .end_session(visitor.user_id(), form.session_id, None, now)
            .await
            .map_err(AppError::from)?;
        if let Some(closed) = &ended.closed {
            state
                .events
                .interruption(EventKind::InterruptionEnded, closed, now)
                .await;
        }
        state
            .events
            .session(EventKind::SessionEnded, &ended.session, now)
            .await;
        let worked = ended.session.duration_seconds().unwrap_or_default();
        Ok(format!(
            "Session ended: {} worked, {} lost.",
            duration(worked),
            duration(ended.session.time_lost_seconds)
        ))
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}

/// An interruption button, with the optional note.
#[derive(Deserialize)]
pub struct InterruptForm {
    #[serde(default)]
    csrf: String,
    session_id: i64,
    #[serde(rename = "type")]
    kind: String,
    note: Option<String>,
}

impl CsrfForm for InterruptForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Opens an interruption now: it goes on until "Back to focus".
pub async fn interrupt(State(state): State<AppState>, posted: Posted<InterruptForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let kind = InterruptionKind::from_name(&form.kind)
            .ok_or_else(|| AppError::invalid("type", "is not one of the six kinds"))?;
        let description = parse_description(form.note.filter(|n| !n.trim().is_empty()))
            .map_err(AppError::from)?;
        let now = state.clock.now();
        let new = NewInterruption {
            session_id: form.session_id,
            kind,
            description,
            start: None,
            end: None,
        };
        let logged = state
            .store
            .create_interruption(visitor.user_id(), new, now, None)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .interruption(EventKind::InterruptionCreated, &logged, now)
            .await;
        Ok(format!(
            "{} interruption started; press Back to focus when it is over.",
            kind_label(kind)
        ))
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}

/// A form about one interruption.
#[derive(Deserialize)]
pub struct InterruptionForm {
    #[serde(default)]
    csrf: String,
    interruption_id: i64,
    note: Option<String>,
}

impl CsrfForm for InterruptionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Closes the open interruption now.
pub async fn resume(State(state): State<AppState>, posted: Posted<InterruptionForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let closed = state
            .store
            .end_interruption(visitor.user_id(), form.interruption_id, None, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .interruption(EventKind::InterruptionEnded, &closed, now)
            .await;
        Ok(format!(
            "Back to focus after {}.",
            duration(closed.duration_seconds().unwrap_or_default())
        ))
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}

/// Deletes the open interruption: a mistaken tap, not an interruption.
pub async fn drop_interruption(
    State(state): State<AppState>,
    posted: Posted<InterruptionForm>,
) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let open = state
            .store
            .get_interruption(visitor.user_id(), form.interruption_id)
            .await?;
        if open.end.is_some() {
            // Closed meanwhile (another tab pressed Back to focus): it
            // happened, and stays; History can still delete it.
            return Ok("That interruption had already ended; it is kept in History.".to_owned());
        }
        state
            .store
            .delete_interruption(visitor.user_id(), open.id, now)
            .await?;
        state
            .events
            .deleted(
                EventKind::InterruptionDeleted,
                visitor.user_id(),
                open.id,
                now,
            )
            .await;
        Ok(format!(
            "Not an interruption: the {} interruption is gone, and you are still focusing.",
            kind_label(open.kind)
        ))
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}

/// Sets the note of the open interruption.
pub async fn note(State(state): State<AppState>, posted: Posted<InterruptionForm>) -> Response {
    let Posted { visitor, form } = posted;
    let result = async {
        visitor.require_write()?;
        let now = state.clock.now();
        let patch = InterruptionPatch {
            description: Some(parse_description(form.note).map_err(AppError::from)?),
            ..InterruptionPatch::default()
        };
        let updated = state
            .store
            .update_interruption(visitor.user_id(), form.interruption_id, patch, now)
            .await
            .map_err(AppError::from)?;
        state
            .events
            .interruption(EventKind::InterruptionUpdated, &updated, now)
            .await;
        Ok("Note saved.".to_owned())
    }
    .await;
    tell(result, "/app/", &visitor.voice(state.clock.now()))
}
