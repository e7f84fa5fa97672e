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

/// Lost time without colour: a shade of its own, so that the two parts of
/// a bar can be told apart in black and white.
const LOST_PLAIN: &str = "░";

/// `eighths` eighths of a cell as blocks: `█` for each eight, then the rest.
fn blocks(eighths: usize) -> String {
    let mut text = "█".repeat(eighths / 8);
    text.push_str(EIGHTHS[eighths % 8]);
    text
}

/// The legend of [`bars`].
pub fn legend(out: &Output) -> String {
    let lost = if out.color {
        out.red("█")
    } else {
        LOST_PLAIN.to_owned()
    };
    format!("{} effective  {lost} lost", out.green("█"))
}

/// The bars, `width` cells at the longest, labels padded to one column:
/// effective time in green, then lost time in red (`░` without colour).
/// A cell has one colour, so the lost part begins on a whole cell: the
/// effective part is rounded to cells when lost time follows it, and ends
/// in eighths when none does; any lost time shows at least an eighth.
pub fn bars(rows: &[Bar], width: usize, out: &Output) -> Vec<String> {
    layout(rows, width, |row, scale| {
        let good = scale(row.good);
        let total = scale(row.good.max(0) + row.bad.max(0)).max(good);
        if row.bad <= 0 {
            return (out.green(&blocks(good)), good.div_ceil(8));
        }
        let good_cells = (good + 4) / 8;
        let bad = total.saturating_sub(good_cells * 8).max(1);
        let (lost, lost_cells) = if out.color {
            (out.red(&blocks(bad)), bad.div_ceil(8))
        } else {
            let cells = bad.div_ceil(8);
            (LOST_PLAIN.repeat(cells), cells)
        };
        (
            format!("{}{lost}", out.green(&"█".repeat(good_cells))),
            good_cells + lost_cells,
        )
    })
}

/// Bars of lost time alone (by interruption type), in eighths, red.
pub fn lost_bars(rows: &[Bar], width: usize, out: &Output) -> Vec<String> {
    layout(rows, width, |row, scale| {
        let eighths = scale(row.bad);
        (out.red(&blocks(eighths)), eighths.div_ceil(8))
    })
}

/// Lines of `label  bar  tail`, the bars scaled so that the longest row
/// (effective plus lost) is `width` cells; `draw` gives a row's bar and
/// how many cells it takes.
fn layout(
    rows: &[Bar],
    width: usize,
    draw: impl Fn(&Bar, &dyn Fn(i64) -> usize) -> (String, usize),
) -> Vec<String> {
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
    let scale = |seconds: i64| {
        (seconds.max(0) as f64 / longest as f64 * (width * 8) as f64).round() as usize
    };
    rows.iter()
        .map(|row| {
            let (bar, cells) = draw(row, &scale);
            format!(
                "{:<label_width$}  {bar}{}  {}",
                row.label,
                " ".repeat(width.saturating_sub(cells)),
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

    const COLOUR: Output = Output {
        json: false,
        color: true,
    };

    fn bar(good: i64, bad: i64) -> Bar {
        Bar {
            label: "x".into(),
            good,
            bad,
            tail: String::new(),
        }
    }

    #[test]
    fn bars_scale_to_the_longest_in_eighths() {
        let rows = [
            Bar {
                label: "09".into(),
                good: 3600,
                bad: 0,
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
    fn the_effective_part_is_green_to_its_last_eighth_and_the_lost_part_red() {
        // 20 eighths effective, nothing lost: the half cell is green.
        let alone = bars(&[bar(900, 0), bar(3600, 0)], 10, &COLOUR);
        assert_eq!(alone[0], format!("x  \x1b[32m██▌\x1b[0m{}", " ".repeat(9)));
        // 19 eighths effective then 21 lost: the effective part rounds to
        // two cells, the lost part fills the rest to the 40th eighth.
        let both = bars(&[bar(855, 945), bar(3600, 0)], 10, &COLOUR);
        assert_eq!(
            both[0],
            format!("x  \x1b[32m██\x1b[0m\x1b[31m███\x1b[0m{}", " ".repeat(7))
        );
        // A sliver of lost time still shows.
        let sliver = bars(&[bar(3590, 10)], 10, &COLOUR);
        assert_eq!(sliver[0], "x  \x1b[32m██████████\x1b[0m\x1b[31m▏\x1b[0m  ");
    }

    #[test]
    fn without_colour_lost_time_is_a_lighter_shade() {
        let lines = bars(&[bar(1800, 1800)], 4, &PLAIN);
        assert_eq!(lines[0], "x  ██░░  ");
        assert_eq!(legend(&PLAIN), "█ effective  ░ lost");
    }

    #[test]
    fn lost_bars_are_red_in_eighths() {
        let lines = lost_bars(&[bar(0, 900), bar(0, 3600)], 4, &COLOUR);
        assert_eq!(lines[0], "x  \x1b[31m█\x1b[0m     ");
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
