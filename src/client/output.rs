//! How the client writes: plain sentences on a terminal (coloured when it
//! has colour), the server's JSON with `--json`, messages on stderr so
//! stdout stays what a script reads.

use std::io::IsTerminal;

use jiff::{Timestamp, tz::TimeZone};

/// The choices every command writes by.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Print the server's JSON instead of sentences.
    pub json: bool,
    /// Colour and bold on stdout.
    pub color: bool,
}

impl Output {
    /// Colour only on a terminal, and never under `--no-color`, `NO_COLOR`
    /// or `TERM=dumb`; `CLICOLOR_FORCE=1` forces it (a status bar, a pager).
    pub fn detect(json: bool, no_color: bool) -> Self {
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let dumb = std::env::var_os("TERM").is_some_and(|v| v == "dumb");
        let color = !json && !no_color && (forced || (std::io::stdout().is_terminal() && !dumb));
        Self { json, color }
    }

    /// `text` in bold.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// `text` dimmed.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Good news: focus, effective time.
    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Time lost.
    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    /// An interruption going on.
    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    /// `text` in the 256-colour palette's `code`, for the heatmap's shades.
    pub fn shade(&self, code: u8, text: &str) -> String {
        self.paint(&format!("38;5;{code}"), text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Prints `value` as pretty JSON.
    pub fn print_json(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }
}

/// `10:02` in `zone`.
pub fn clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%H:%M")
        .to_string()
}

/// `Tue 01 Dec 10:02` in `zone`, for times that may not be today.
pub fn day_and_clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%a %d %b %H:%M")
        .to_string()
}

/// `2026-12-01` in `zone`.
pub fn local_date(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).date().to_string()
}

/// `1 session`, `3 sessions`: a count with its noun.
pub fn count(n: impl Into<i64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
