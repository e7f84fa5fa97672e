//! Terminal charts drawn from report figures: horizontal bars in eighths
//! of a cell, and a weekday × hour heatmap. Pure: figures in, lines out.

use super::output::Output;

/// One bar: effective time then lost time, stacked.
pub struct Bar {
    /// What the bar is for ("09", "Tue 01 Dec").
    pub label: String,
    /// The first (green) part.
    pub good: i64,
    /// The second (red) part.
    pub bad: i64,
    /// Figures after the bar.
    pub tail: String,
}

const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// `cells` eighths of a cell as blocks: `█` for each eight, then the rest.
fn blocks(eighths: usize) -> String {
    let mut text = "█".repeat(eighths / 8);
    text.push_str(EIGHTHS[eighths % 8]);
    text
}

/// The bars, `width` cells at the longest, labels padded to one column.
pub fn bars(rows: &[Bar], width: usize, out: &Output) -> Vec<String> {
    let longest = rows
        .iter()
        .map(|r| r.good.max(0) + r.bad.max(0))
        .max()
        .unwrap_or(0)
        .max(1);
    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|row| {
            let scale = |seconds: i64| {
                (seconds.max(0) as f64 / longest as f64 * (width * 8) as f64).round() as usize
            };
            let good_cells = scale(row.good) / 8;
            let total = scale(row.good + row.bad.max(0)).max(good_cells * 8);
            let bad = blocks(total - good_cells * 8);
            let drawn = good_cells + bad.chars().count();
            format!(
                "{:<label_width$}  {}{}{}  {}",
                row.label,
                out.green(&"█".repeat(good_cells)),
                out.red(&bad),
                " ".repeat(width.saturating_sub(drawn)),
                row.tail
            )
        })
        .collect()
}

/// The weekday × hour grid: each cell a shade of the worked time in that
/// hour (colour on a colour terminal, `░▒▓█` otherwise).
pub fn heatmap(work: &[[i64; 24]; 7], labels: &[&str; 7], out: &Output) -> Vec<String> {
    const GREENS: [u8; 5] = [236, 22, 28, 34, 46];
    const SHADES: [&str; 5] = ["·", "░", "▒", "▓", "█"];
    let most = work.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut lines = vec![format!(
        "     {}",
        (0..24)
            .step_by(3)
            .map(|h| format!("{h:02}    "))
            .collect::<String>()
    )];
    for (label, hours) in labels.iter().zip(work) {
        let mut line = format!("{label:<4} ");
        for &seconds in hours {
            let level = if seconds <= 0 {
                0
            } else {
                1 + ((seconds as f64 / most as f64) * 3.999) as usize
            };
            let level = level.min(4);
            if out.color {
                line.push_str(&out.shade(GREENS[level], "██"));
            } else {
                line.push_str(&SHADES[level].repeat(2));
            }
        }
        lines.push(line);
    }
    lines.push(format!(
        "     less {} more",
        (0..5)
            .map(|level| if out.color {
                out.shade(GREENS[level], "██")
            } else {
                SHADES[level].repeat(2)
            })
            .collect::<String>()
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Output = Output {
        json: false,
        color: false,
    };

    #[test]
    fn bars_scale_to_the_longest_in_eighths() {
        let rows = [
            Bar {
                label: "09".into(),
                good: 3000,
                bad: 600,
                tail: "a".into(),
            },
            Bar {
                label: "10".into(),
                good: 900,
                bad: 0,
                tail: "b".into(),
            },
            Bar {
                label: "11".into(),
                good: 0,
                bad: 0,
                tail: "c".into(),
            },
        ];
        let lines = bars(&rows, 10, &PLAIN);
        assert_eq!(lines[0], "09  ██████████  a");
        // 900 / 3600 of 80 eighths = 20 eighths: two cells and a half.
        assert_eq!(lines[1], "10  ██▌         b");
        assert_eq!(lines[2], "11              c");
    }

    #[test]
    fn the_lost_part_follows_the_effective_part() {
        let rows = [Bar {
            label: "x".into(),
            good: 500,
            bad: 500,
            tail: String::new(),
        }];
        let coloured = bars(
            &rows,
            4,
            &Output {
                json: false,
                color: true,
            },
        );
        assert_eq!(coloured[0], "x  \x1b[32m██\x1b[0m\x1b[31m██\x1b[0m  ");
    }

    #[test]
    fn the_heatmap_shades_by_share_of_the_busiest_hour() {
        let mut work = [[0_i64; 24]; 7];
        work[0][9] = 3600;
        work[0][10] = 900;
        let lines = heatmap(
            &work,
            &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            &PLAIN,
        );
        assert_eq!(lines.len(), 9);
        let monday: Vec<char> = lines[1].chars().skip(5).collect();
        assert_eq!(monday[18..20].iter().collect::<String>(), "██");
        assert_eq!(monday[20..22].iter().collect::<String>(), "░░");
        assert_eq!(monday[0..2].iter().collect::<String>(), "··");
    }
}
