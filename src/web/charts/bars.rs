//! Stacked vertical bars: worked time split into effective and lost, per
//! day, hour or weekday.

use std::fmt::Write;

use super::{Frame, Tenths, escape_into, open};

/// One bar: its axis label, its tooltip, and its two stacked parts.
pub struct Bar {
    /// Under the bar (only some are printed when bars are many).
    pub label: String,
    /// What a pointer or a screen reader learns of this bar.
    pub tooltip: String,
    /// The lower part, drawn as `work`.
    pub effective: i64,
    /// The upper part, drawn as `lost`.
    pub lost: i64,
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 160;
const LEFT: f64 = 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;

/// The bars as SVG; at most `labels` of their labels are printed, evenly.
pub fn bars(frame: &Frame<'_>, bars: &[Bar], labels: usize) -> String {
    let mut out = String::with_capacity(200 + bars.len() * 220);
    open(&mut out, frame, WIDTH, HEIGHT, "img", "bars");
    let plot_height = f64::from(HEIGHT) - TOP - BOTTOM;
    let slot = (f64::from(WIDTH) - 2.0 * LEFT) / bars.len().max(1) as f64;
    let width = (slot * 0.8).max(1.0);
    let max = bars
        .iter()
        .map(|b| b.effective + b.lost)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |seconds: i64| seconds as f64 / max as f64 * plot_height;
    let base = TOP + plot_height;
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/>"#,
        f64::from(WIDTH) - LEFT
    );
    let every = bars.len().div_ceil(labels.max(1)).max(1);
    for (i, bar) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
        let effective = scale(bar.effective);
        let lost = scale(bar.lost);
        out.push_str("<g><title>");
        escape_into(&mut out, &bar.tooltip);
        out.push_str("</title>");
        if bar.effective > 0 {
            let _ = write!(
                out,
                r#"<rect class="work" x="{}" y="{}" width="{}" height="{}"/>"#,
                Tenths(x),
                Tenths(base - effective),
                Tenths(width),
                Tenths(effective),
            );
        }
        if bar.lost > 0 {
            let _ = write!(
                out,
                r#"<rect class="lost" x="{}" y="{}" width="{}" height="{}"/>"#,
                Tenths(x),
                Tenths(base - effective - lost),
                Tenths(width),
                Tenths(lost),
            );
        }
        out.push_str("</g>");
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle">"#,
                Tenths(x + width / 2.0),
                HEIGHT - 6,
            );
            escape_into(&mut out, &bar.label);
            out.push_str("</text>");
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_effective_under_lost_and_carry_their_tooltips() {
        let frame = Frame {
            id: "days",
            title: "By day",
            desc: "Effective and lost time per day",
        };
        let svg = bars(
            &frame,
            &[
                Bar {
                    label: "Mon".into(),
                    tooltip: "Mon: 1 h".into(),
                    effective: 3000,
                    lost: 600,
                },
                Bar {
                    label: "Tue".into(),
                    tooltip: "Tue: nothing".into(),
                    effective: 0,
                    lost: 0,
                },
            ],
            7,
        );
        assert!(svg.starts_with(
            r#"<svg class="chart bars" viewBox="0 0 640 160" role="img" aria-labelledby="days-t days-d""#
        ));
        assert!(svg.contains("<title id=\"days-t\">By day</title>"));
        // The tallest bar fills the plot (130 px): 3000 s → 108.3, 600 s → 21.7.
        assert!(
            svg.contains(r#"<rect class="work" x="39.2" y="29.7" width="249.6" height="108.3"/>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<rect class="lost" x="39.2" y="8.0" width="249.6" height="21.7"/>"#),
            "{svg}"
        );
        assert!(svg.contains("<title>Tue: nothing</title></g>"));
        assert!(!svg.contains("style="));
    }
}
