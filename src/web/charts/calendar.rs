//! A year of effective focus, GitHub style: a column a week, a row a
//! weekday; a day with focus opens that day's history.

use std::fmt::Write;

use jiff::civil::Date;

use super::{Frame, level, open};
use crate::web::time_input::{DayLabel, Length, month_name};

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
        open(&mut out, frame, 100, 20, "group", "calendar");
        out.push_str("</svg>");
        return out;
    };
    let lead = i64::from(first.date.weekday().to_monday_zero_offset());
    let weeks = (lead + days.len() as i64).div_euclid(7) + 1;
    let width = LEFT + weeks as u32 * CELL;
    let height = TOP + 7 * CELL;
    let mut out = String::with_capacity(days.len() * 200);
    open(&mut out, frame, width, height, "group", "calendar");
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
                month_name(day.date)
            );
        }
        // Day and month names and digits only: nothing to escape.
        let label = DayLabel {
            date: day.date,
            with_year: true,
        };
        let effective = Length(day.effective);
        let side = CELL - 2;
        let shade = level(day.effective, max);
        // A day with focus is a link, named by its title.
        let _ = if day.effective > 0 {
            write!(
                out,
                r#"<a href="/app/history?day={}"><title>{label}: {effective} effective</title><rect class="level-{shade}" x="{x}" y="{y}" width="{side}" height="{side}" rx="2"/></a>"#,
                day.date
            )
        } else {
            write!(
                out,
                r#"<rect class="level-{shade}" x="{x}" y="{y}" width="{side}" height="{side}" rx="2"><title>{label}: {effective} effective</title></rect>"#
            )
        };
    }
    out.push_str("</svg>");
    out
}
