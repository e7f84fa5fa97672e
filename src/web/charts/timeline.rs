//! A day from midnight to midnight: sessions as bars, interruptions as
//! marks coloured by type, and a line at now.

use std::fmt::Write;

use super::{Frame, escape, open};

/// A span of the day, in seconds since its local midnight.
pub struct Mark {
    /// Where it starts.
    pub start: i64,
    /// Where it ends.
    pub end: i64,
    /// `session`, or the interruption's type (its colour class).
    pub class: &'static str,
    /// What a pointer or a screen reader learns of it.
    pub tooltip: String,
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 64;
const LEFT: f64 = 12.0;

/// The day's `sessions` and `interruptions` (seconds into the day), and
/// `now` when the day is today, on a line over whole hours from `view.0`
/// to `view.1` seconds into the day.
pub fn timeline(
    frame: &Frame<'_>,
    sessions: &[Mark],
    interruptions: &[Mark],
    now: Option<i64>,
    view: (i64, i64),
) -> String {
    let mut out = String::with_capacity(600 + (sessions.len() + interruptions.len()) * 160);
    open(&mut out, frame, WIDTH, HEIGHT, "img", "timeline");
    let span = f64::from(WIDTH) - 2.0 * LEFT;
    let (first, last) = (
        view.0.div_euclid(3600),
        (view.1 + 3599)
            .div_euclid(3600)
            .max(view.0.div_euclid(3600) + 1),
    );
    let (from, length) = ((first * 3600) as f64, ((last - first) * 3600) as f64);
    let x = |seconds: i64| LEFT + ((seconds as f64) - from).clamp(0.0, length) / length * span;
    let step = if last - first <= 8 { 1 } else { 3 };
    for hour in (first..=last).filter(|h| h % step == 0) {
        let at = x(hour * 3600);
        let _ = write!(
            out,
            r#"<line class="axis" x1="{at:.1}" y1="8" x2="{at:.1}" y2="44"/><text x="{at:.1}" y="60" text-anchor="middle">{:02}</text>"#,
            hour.rem_euclid(24)
        );
    }
    let mut draw = |mark: &Mark, y: u32, height: u32| {
        let start = x(mark.start);
        let width = (x(mark.end) - start).max(2.0);
        let _ = write!(
            out,
            r#"<rect class="{}" x="{start:.1}" y="{y}" width="{width:.1}" height="{height}" rx="2"><title>{}</title></rect>"#,
            mark.class,
            escape(&mark.tooltip)
        );
    };
    for session in sessions {
        draw(session, 16, 20);
    }
    for interruption in interruptions {
        draw(interruption, 10, 32);
    }
    if let Some(now) = now {
        let at = x(now);
        let _ = write!(
            out,
            r#"<line class="now" x1="{at:.1}" y1="4" x2="{at:.1}" y2="48"><title>now</title></line>"#
        );
    }
    out.push_str("</svg>");
    out
}
