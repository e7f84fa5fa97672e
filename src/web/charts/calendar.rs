//! A year of effective focus, GitHub style: a column a week, a row a
//! weekday; a day with focus opens that day's history.

use std::fmt::Write;

use jiff::civil::Date;

use super::{Frame, escape, level, open};
use crate::web::time_input::duration;

/// One day of the calendar.
pub struct CalendarDay {
    /// The local date.
    pub date: Date,
    /// Its effective focus.
    pub effective: i64,
}

const CELL: u32 = 13;
const LEFT: u32 = 30;
const TOP: u32 = 16;

/// `days`, oldest first, laid out by week (Monday first).
pub fn calendar(frame: &Frame<'_>, days: &[CalendarDay]) -> String {
    let Some(first) = days.first() else {
        let mut out = String::new();
        open(&mut out, frame, 100, 20, "group");
        out.push_str("</svg>");
        return out;
    };
    let lead = i64::from(first.date.weekday().to_monday_zero_offset());
    let weeks = (lead + days.len() as i64).div_euclid(7) + 1;
    let width = LEFT + weeks as u32 * CELL;
    let height = TOP + 7 * CELL;
    let mut out = String::with_capacity(days.len() * 200);
    open(&mut out, frame, width, height, "group");
    let max = days.iter().map(|d| d.effective).max().unwrap_or(0);
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri")] {
        let _ = write!(
            out,
            r#"<text x="0" y="{}">{name}</text>"#,
            TOP + row * CELL + 10
        );
    }
    let mut last_month = 0;
    for (i, day) in days.iter().enumerate() {
        let slot = lead + i as i64;
        let (week, row) = (slot / 7, slot % 7);
        let x = LEFT + week as u32 * CELL;
        let y = TOP + row as u32 * CELL;
        if day.date.month() != last_month && row == 0 {
            last_month = day.date.month();
            let _ = write!(
                out,
                r#"<text x="{x}" y="11">{}</text>"#,
                day.date.strftime("%b")
            );
        }
        let label = format!(
            "{}: {} effective",
            day.date.strftime("%a %-d %b %Y"),
            duration(day.effective)
        );
        let cell = format!(
            r#"<rect class="level-{}" x="{x}" y="{y}" width="{}" height="{}" rx="2"><title>{}</title></rect>"#,
            level(day.effective, max),
            CELL - 2,
            CELL - 2,
            escape(&label)
        );
        if day.effective > 0 {
            let _ = write!(
                out,
                r#"<a href="/app/history?day={}" aria-label="{}">{cell}</a>"#,
                day.date,
                escape(&label)
            );
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("</svg>");
    out
}
