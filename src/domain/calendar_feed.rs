//! The calendar feed: a secret address (`/calendar/hfcal_….ics`) that any
//! calendar app can subscribe to, serving the user's finished sessions as
//! iCalendar events (RFC 5545).
//!
//! Written here rather than with an iCalendar crate: the feed is one
//! calendar of plain events, and the crates in reach bring a second
//! date-time library for what is text folding and escaping.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jiff::{Timestamp, tz::TimeZone};
use sha2::{Digest, Sha256};

use super::{
    export::{ExportRow, RowEncoder},
    interruption::InterruptionKind,
    time::from_unix_seconds,
};

/// How far back a feed reaches: calendar apps poll often, and a year is
/// what they show.
pub const FEED_DAYS: i64 = 365;

const PREFIX: &str = "hfcal_";
const SUFFIX: &str = ".ics";

/// A new feed's secret: its address, for the user only, and its hash, for
/// the database.
pub struct NewFeed {
    /// The file part of the address, `hfcal_….ics`.
    pub file: String,
    /// What the database keeps.
    pub hash: [u8; 32],
}

impl NewFeed {
    /// 256 bits from the OS CSPRNG.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        Ok(Self {
            hash: hash(&secret),
            file: format!("{PREFIX}{secret}{SUFFIX}"),
        })
    }
}

/// The hash of the secret in `file` (`hfcal_….ics`), or `None` when it is
/// not a feed's address.
pub fn hash_of_file(file: &str) -> Option<[u8; 32]> {
    let secret = file.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let well_formed = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| hash(secret))
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Turns export rows into an iCalendar file: one event per finished
/// session, its interruptions in the description.
pub struct IcsEncoder {
    zone: TimeZone,
    current: Option<Event>,
    stamp: String,
    /// What follows the session's id in each UID: the user and the server.
    uid_tail: String,
}

/// Whose feed an encoder writes, on which server: what makes its event
/// UIDs unique beyond one server's ids.
#[derive(Debug, Clone, Copy)]
pub struct FeedOwner<'a> {
    /// The user's display name, for the calendar's name.
    pub name: &'a str,
    /// The user's id.
    pub user_id: i64,
    /// The server's own name ([`crate::db::Store::instance`]).
    pub instance: &'a str,
}

struct Event {
    id: i64,
    start: i64,
    end: Option<i64>,
    note: String,
    lines: Vec<String>,
    lost: i64,
}

impl IcsEncoder {
    /// An encoder writing local times in `zone` into descriptions, and the
    /// calendar's opening lines.
    ///
    /// Each event's UID is `session-<id>-user-<user id>@<instance>.hyperfocus`:
    /// session ids are never reused on a server, and the user and the
    /// server's own name keep two servers' events (or a history imported
    /// into another account) apart in a calendar that shows several feeds.
    pub fn start(owner: FeedOwner<'_>, zone: TimeZone, now: Timestamp) -> (Self, Vec<u8>) {
        let mut out = Vec::with_capacity(512);
        for line in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//HyperFocus//Focus sessions//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        ] {
            push_line(&mut out, line);
        }
        push_line(
            &mut out,
            &format!(
                "X-WR-CALNAME:{}",
                escape(&format!("HyperFocus: {}", owner.name))
            ),
        );
        let encoder = Self {
            zone,
            current: None,
            stamp: stamp(now.as_second()),
            uid_tail: format!("-user-{}@{}.hyperfocus", owner.user_id, owner.instance),
        };
        (encoder, out)
    }

    /// Appends what `row` completes to `out`.
    pub fn push(&mut self, row: &ExportRow, out: &mut Vec<u8>) {
        if self.current.as_ref().is_none_or(|e| e.id != row.session_id) {
            self.flush(out);
            self.current = Some(Event {
                id: row.session_id,
                start: row.session_start,
                end: row.session_end,
                note: row.session_note.clone(),
                lines: Vec::new(),
                lost: 0,
            });
        }
        let (Some(event), Some(i)) = (self.current.as_mut(), &row.interruption) else {
            return;
        };
        let Some(end) = i.end else {
            return;
        };
        event.lost += end - i.start;
        let clock = |at: i64| {
            from_unix_seconds(at)
                .to_zoned_datetime(self.zone.clone())
                .strftime("%H:%M")
                .to_string()
        };
        let mut line = format!("{}–{} {}", clock(i.start), clock(end), label(i.kind));
        if !i.description.is_empty() {
            line.push_str(": ");
            line.push_str(&i.description);
        }
        event.lines.push(line);
    }

    /// Appends the last event and the calendar's end.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.flush(out);
        push_line(out, "END:VCALENDAR");
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        let Some(event) = self.current.take() else {
            return;
        };
        // A running session is not an event yet.
        let Some(end) = event.end else {
            return;
        };
        let mut summary = match event.note.as_str() {
            "" => "Focus".to_owned(),
            note => format!("Focus: {note}"),
        };
        match event.lines.len() {
            0 => {}
            1 => summary.push_str(" · 1 interruption"),
            n => summary.push_str(&format!(" · {n} interruptions")),
        }
        let mut description = format!(
            "{} min of focus, {} min lost to interruptions.",
            (end - event.start - event.lost).max(0) / 60,
            event.lost / 60
        );
        for line in &event.lines {
            description.push('\n');
            description.push_str(line);
        }
        push_line(out, "BEGIN:VEVENT");
        push_line(out, &format!("UID:session-{}{}", event.id, self.uid_tail));
        push_line(out, &format!("DTSTAMP:{}", self.stamp));
        push_line(out, &format!("DTSTART:{}", stamp(event.start)));
        push_line(out, &format!("DTEND:{}", stamp(end)));
        push_line(out, &format!("SUMMARY:{}", escape(&summary)));
        push_line(out, &format!("DESCRIPTION:{}", escape(&description)));
        push_line(out, "TRANSP:TRANSPARENT");
        push_line(out, "END:VEVENT");
    }
}

impl RowEncoder for IcsEncoder {
    fn push(&mut self, row: &ExportRow, out: &mut Vec<u8>) {
        IcsEncoder::push(self, row, out);
    }

    fn finish(self, out: &mut Vec<u8>) {
        IcsEncoder::finish(self, out);
    }
}

fn label(kind: InterruptionKind) -> &'static str {
    match kind {
        InterruptionKind::Family => "family",
        InterruptionKind::Phone => "phone",
        InterruptionKind::Noise => "noise",
        InterruptionKind::SelfInflicted => "self-distraction",
        InterruptionKind::UrgentTask => "urgent task",
        InterruptionKind::Unknown => "unknown",
    }
}

/// `20251115T090000Z`.
fn stamp(seconds: i64) -> String {
    from_unix_seconds(seconds)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded at 75 octets without splitting a character
/// (RFC 5545 §3.1), ended by CRLF.
fn push_line(out: &mut Vec<u8>, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.extend_from_slice(b"\r\n ");
            width = 1;
        }
        let mut buffer = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
        width += size;
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::ExportInterruption;

    #[test]
    fn an_address_opens_only_its_own_feed() {
        let feed = NewFeed::generate().unwrap();
        assert!(feed.file.starts_with("hfcal_") && feed.file.ends_with(".ics"));
        assert_eq!(hash_of_file(&feed.file), Some(feed.hash));
        assert_eq!(hash_of_file(feed.file.trim_end_matches(".ics")), None);
        assert_eq!(hash_of_file("hfcal_short.ics"), None);
        assert_eq!(hash_of_file(&feed.file.replace("hfcal_", "hf_")), None);
    }

    #[test]
    fn finished_sessions_become_events_with_their_interruptions() {
        let zone = TimeZone::get("Europe/Madrid").unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let owner = FeedOwner {
            name: "Ana",
            user_id: 3,
            instance: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        };
        let (mut encoder, mut out) = IcsEncoder::start(owner, zone, at("2025-11-16T12:00:00Z"));
        let session = |id, start: &str, end: Option<&str>, interruption| ExportRow {
            session_id: id,
            session_start: at(start).as_second(),
            session_end: end.map(|e| at(e).as_second()),
            session_note: "quarterly report".into(),
            interruption,
        };
        let note =
            "call back, about the \"quote\"; urgent and this note is long enough to fold the line";
        for row in [
            session(
                7,
                "2025-11-15T09:00:00Z",
                Some("2025-11-15T10:00:00Z"),
                Some(ExportInterruption {
                    id: 1,
                    kind: InterruptionKind::Phone,
                    description: note.into(),
                    start: at("2025-11-15T09:10:00Z").as_second(),
                    end: Some(at("2025-11-15T09:15:00Z").as_second()),
                }),
            ),
            session(8, "2025-11-16T11:00:00Z", None, None),
        ] {
            encoder.push(&row, &mut out);
        }
        encoder.finish(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        let unfolded = text.replace("\r\n ", "");
        let lines: Vec<&str> = unfolded.split("\r\n").collect();
        assert_eq!(lines[0], "BEGIN:VCALENDAR");
        assert!(lines.contains(&"X-WR-CALNAME:HyperFocus: Ana"));
        let event: Vec<&str> = lines
            .iter()
            .skip_while(|l| **l != "BEGIN:VEVENT")
            .take_while(|l| **l != "END:VCALENDAR")
            .copied()
            .collect();
        assert_eq!(
            event,
            [
                "BEGIN:VEVENT",
                "UID:session-7-user-3@0f1e2d3c4b5a69788796a5b4c3d2e1f0.hyperfocus",
                "DTSTAMP:20251116T120000Z",
                "DTSTART:20251115T090000Z",
                "DTEND:20251115T100000Z",
                "SUMMARY:Focus: quarterly report · 1 interruption",
                "DESCRIPTION:55 min of focus\\, 5 min lost to interruptions.\\n10:10–10:15 phone: call back\\, about the \"quote\"\\; urgent and this note is long enough to fold the line",
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        );
        assert_eq!(
            text.matches("BEGIN:VEVENT").count(),
            1,
            "the running session is left out"
        );
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
