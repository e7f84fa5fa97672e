//! The weekday × hour heatmap of effective focus.

use std::fmt::Write;

use super::{Frame, level, open};
use crate::web::time_input::Length;

const CELL: u32 = 24;
const LEFT: u32 = 36;
const TOP: u32 = 16;

/// 7 rows (the week's first day first, each with its short name) of 24
/// hours: effective seconds and interruptions of each cell.
pub fn heatmap(frame: &Frame<'_>, cells: &[(&str, [(i64, i64); 24]); 7]) -> String {
    let width = LEFT + 24 * CELL;
    let height = TOP + 7 * CELL;
    let mut out = String::with_capacity(168 * 150);
    open(&mut out, frame, width, height, "img", "heatmap");
    let max = cells
        .iter()
        .flat_map(|(_, hours)| hours)
        .map(|c| c.0)
        .max()
        .unwrap_or(0);
    for hour in (0..24).step_by(3) {
        let _ = write!(
            out,
            r#"<text x="{}" y="12" text-anchor="middle">{hour:02}</text>"#,
            LEFT + hour * CELL + CELL / 2
        );
    }
    for (row, (name, day)) in cells.iter().enumerate() {
        let y = TOP + row as u32 * CELL;
        let _ = write!(out, r#"<text x="0" y="{}">{name}</text>"#, y + CELL / 2 + 4,);
        for (hour, &(effective, interruptions)) in day.iter().enumerate() {
            // Nothing here needs escaping: weekday names and numbers.
            let _ = write!(
                out,
                r#"<rect class="level-{}" x="{}" y="{y}" width="{side}" height="{side}" rx="3"><title>{} {hour:02}:00: {} effective, {interruptions} interruption{}</title></rect>"#,
                level(effective, max),
                LEFT + hour as u32 * CELL + 1,
                name,
                Length(effective),
                if interruptions == 1 { "" } else { "s" },
                side = CELL - 2,
            );
        }
    }
    out.push_str("</svg>");
    out
}
