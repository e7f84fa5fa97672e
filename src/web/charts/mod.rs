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
/// description; `kind` (bars, heatmap, …) lets the stylesheet size each
/// kind for phones.
fn open(out: &mut String, frame: &Frame<'_>, width: u32, height: u32, role: &str, kind: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {kind}" viewBox="0 0 {width} {height}" role="{role}" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        id = escape(frame.id),
        title = escape(frame.title),
        desc = escape(frame.desc),
    );
}

/// Text made safe for SVG (XML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appended to `out`: charts escape thousands of labels, so
/// without a string each.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// A coordinate to one decimal, as `{:.1}` writes it but without the
/// float formatter, which dominates drawing a chart of many bars.
#[derive(Debug, Clone, Copy)]
pub struct Tenths(pub f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        if tenths < 0 {
            f.write_str("-")?;
        }
        let tenths = tenths.unsigned_abs();
        let mut number = itoa::Buffer::new();
        f.write_str(number.format(tenths / 10))?;
        f.write_str(".")?;
        f.write_str(number.format(tenths % 10))
    }
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
    fn tenths_round_like_the_float_formatter() {
        for value in [
            0.0, 0.04, 0.05, 0.96, 1.25, 29.666, 108.33, 249.6, -3.16, 640.0,
        ] {
            assert_eq!(
                Tenths(value).to_string(),
                format!("{:.1}", (value * 10.0_f64).round() / 10.0)
            );
        }
        assert_eq!(Tenths(29.666).to_string(), "29.7");
        assert_eq!(Tenths(-0.25).to_string(), "-0.3");
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
