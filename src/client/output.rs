//! How the client writes: plain sentences on a terminal (coloured when it
//! has colour), the server's JSON with `--json`, messages on stderr so
//! stdout stays what a script reads. A reader that goes away (`| head -1`)
//! ends the program quietly: every line for people goes through [`say!`].

use std::{
    fmt,
    io::{IsTerminal, Write},
};

use jiff::{Timestamp, tz::TimeZone};

/// Prints a line on stdout, like `println!`, except that a closed pipe
/// ends the program quietly instead of with a panic.
macro_rules! say {
    () => {
        $crate::client::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::client::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use say;

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
    /// set to anything but the empty string (no-color.org: "0" too) or
    /// `TERM=dumb`; `CLICOLOR_FORCE=1` forces it (a status bar, a pager),
    /// though not past `NO_COLOR`.
    pub fn detect(json: bool, no_color: bool) -> Self {
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let refused = no_color || set("NO_COLOR").is_some();
        let forced = set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let dumb = std::env::var_os("TERM").is_some_and(|v| v == "dumb");
        let color = !json && !refused && (forced || (std::io::stdout().is_terminal() && !dumb));
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

    /// A time lost, as a duration: red when something was lost, plain
    /// when nothing was (a red "0s" reads as an alarm about nothing).
    pub fn lost(&self, seconds: i64) -> String {
        let text = super::when::human_duration(seconds);
        if seconds > 0 { self.red(&text) } else { text }
    }

    /// An interruption going on.
    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    /// A limit running out: amber (the 256-colour palette's orange).
    pub fn amber(&self, text: &str) -> String {
        self.paint("38;5;214", text)
    }

    /// `text` in the 256-colour palette's `code`, for the heatmap's shades.
    pub fn shade(&self, code: u8, text: &str) -> String {
        self.paint(&format!("38;5;{code}"), text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Prints `value` as pretty JSON.
    pub fn print_json(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        say!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }
}

/// Writes a line to stdout and flushes it (a status bar reads line by
/// line). When the reader has gone (`| head -1`, a bar that quit), there
/// is nobody left to tell: the program ends at once, with success, as
/// `cat` and `grep` do. Any other failure to write ends it with 2.
pub fn write_line(line: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(format_args!("{line}\n"))
        .and_then(|()| stdout.flush());
    if let Err(error) = written {
        end_on_write_error(&error);
    }
}

/// Ends the program after stdout failed: quietly for a closed pipe.
pub fn end_on_write_error(error: &std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    let _ = writeln!(
        std::io::stderr(),
        "hyperfocus: cannot write the output: {error}"
    );
    std::process::exit(2);
}

/// `10:02` in `zone`.
pub fn clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%H:%M")
        .to_string()
}

/// `Tue 1 Dec 10:02` in `zone`, for times that may not be today.
pub fn day_and_clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%a %-d %b %H:%M")
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
