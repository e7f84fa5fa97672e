//! Charts as SVG drawn on the server, from the report's figures.
//!
//! Written here rather than with a plotting crate: plotters and its peers
//! paint with colours and fonts of their own, while these charts take
//! theirs from the stylesheet's classes (so light and dark themes apply),
//! must carry a `<title>`, a `<desc>` and per-mark tooltips for screen
//! readers, and must never use a `style=` attribute (the pages' policy
//! forbids inline styles). What they draw is a few rectangles and labels.
//! Every chart has a data-table twin on its page.

use std::fmt::Write;

mod bars;
mod calendar;
mod heatmap;
mod timeline;

pub use bars::{Bar, bars};
pub use calendar::{CalendarDay, calendar};
pub use heatmap::heatmap;
pub use timeline::{Mark, timeline};

/// An accessible chart's frame: what it is and what it shows.
pub struct Frame<'a> {
    /// Unique on the page; prefixes the title's and description's ids.
    pub id: &'a str,
    /// A short name, e.g. "Effective focus by day".
    pub title: &'a str,
    /// One sentence on what it shows, read by screen readers.
    pub desc: &'a str,
}

/// Opens an `<svg>` of `width` × `height` with the frame's title and
/// description.
fn open(out: &mut String, frame: &Frame<'_>, width: u32, height: u32, role: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="{role}" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        id = escape(frame.id),
        title = escape(frame.title),
        desc = escape(frame.desc),
    );
}

/// Text made safe for SVG (XML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Which of five shades a value takes against the largest: 0 for nothing,
/// then quarters of the range.
pub fn level(value: i64, max: i64) -> u8 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let quarter = (value * 4 + max - 1) / max;
    quarter.clamp(1, 4) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn levels_split_the_range_in_quarters() {
        assert_eq!(
            [0, 1, 25, 26, 50, 75, 76, 100].map(|v| level(v, 100)),
            [0, 1, 1, 2, 2, 3, 4, 4]
        );
        assert_eq!(level(5, 0), 0);
    }
}
