//! What each fuzz target checks, as plain functions of the input bytes. The
//! targets in `fuzz_targets/` call them under libFuzzer; `tests/fuzz_corpus.rs`
//! replays every committed input through them on each `cargo test`, so an
//! input that once broke something stays a regression test.

use arbitrary::{Arbitrary, Unstructured};
use hyperfocus::domain::{
    days::{DaySettings, DayStart},
    export::{Encoder, ExportFormat, ExportHeader, ExportInterruption, ExportRow, ExportUser},
    idempotency,
    import::{self, ImportFormat, ImportSession},
    interruption::InterruptionKind,
    stats::{
        self, InterruptionSpan, Params, SessionSpan, invariants,
        window::{RawQuery, WindowSpec},
    },
    time::{TimeZoneName, parse_date, parse_timestamp},
    token::PresentedToken,
};
use jiff::Timestamp;

/// 2000-01-01T00:00:00Z: "now" and stored history lie in the 136 years
/// after it, as they do on any real server.
const EPOCH_2000: i64 = 946_684_800;

/// A stats query and the other text a client sends, as libFuzzer mutates it.
#[derive(Debug, Arbitrary)]
struct ClientInput<'a> {
    range: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    tz: Option<&'a str>,
    recovery: Option<&'a str>,
    user_zone: &'a str,
    token: &'a str,
    idempotency_key: &'a str,
    now_offset: u32,
    first_activity_before_now: Option<u32>,
}

/// Every parser of client text answers a value or a field error, never a
/// panic; what parses prints back to itself; a window that resolves is
/// ordered and at most the longest range, and so is the window before it.
pub fn client_input(data: &[u8]) {
    let Ok(input) = ClientInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    for text in [input.from, input.to, Some(input.user_zone)]
        .into_iter()
        .flatten()
    {
        if let Ok(instant) = parse_timestamp("t", text) {
            assert_eq!(
                parse_timestamp("t", &instant.to_string()),
                Ok(instant),
                "{text}"
            );
        }
        if let Ok(date) = parse_date("d", text) {
            assert_eq!(parse_date("d", &date.to_string()), Ok(date), "{text}");
        }
    }
    let _ = PresentedToken::parse(input.token);
    if let Ok(key) = idempotency::parse_key(input.idempotency_key) {
        assert_eq!(key, input.idempotency_key);
    }
    let user_zone = TimeZoneName::parse("timezone", input.user_zone).unwrap_or_default();
    let raw = RawQuery {
        range: input.range,
        from: input.from,
        to: input.to,
        tz: input.tz,
        recovery: input.recovery,
        // The same bytes once more: one parse, many meanings.
        week_start: input.tz,
        day_start: input.recovery,
    };
    let Ok(spec) = WindowSpec::parse(&raw, &user_zone, DaySettings::default()) else {
        return;
    };
    let now = EPOCH_2000 + i64::from(input.now_offset);
    let first = input
        .first_activity_before_now
        .map(|before| at(now - i64::from(before)));
    let Ok(window) = spec.resolve(at(now), first) else {
        return;
    };
    let longest = stats::window::MAX_RANGE_DAYS * 86_400;
    for w in [&window, &window.previous()] {
        let length = w.to.as_second() - w.from.as_second();
        assert!((0..=longest).contains(&length), "{w:?} from {raw:?}");
    }
}

/// A history as the database holds it: sessions that do not overlap, each
/// with interruptions inside it that do not overlap.
#[derive(Debug, Arbitrary)]
struct History {
    sessions: Vec<RawSession>,
    zone: u8,
    window_start: u32,
    window_length: u32,
    now_after_last_end: u16,
    recovery: u16,
}

#[derive(Debug, Arbitrary)]
struct RawSession {
    gap: u32,
    length: u32,
    active: bool,
    interruptions: Vec<(u16, u16, u8, bool)>,
}

const ZONES: [&str; 6] = [
    "UTC",
    "America/New_York",
    "Europe/Madrid",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
];

/// Any valid history, window and zone give a report whose every breakdown
/// adds up (see `domain::stats::invariants`).
pub fn engine(data: &[u8]) {
    let Ok(history) = History::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let (sessions, last_end) = build(&history);
    let from = EPOCH_2000 + i64::from(history.window_start);
    let params = Params {
        from,
        to: from + 1 + i64::from(history.window_length % (3660 * 86_400)),
        zone: TimeZoneName::parse("tz", ZONES[usize::from(history.zone) % ZONES.len()])
            .expect("a known zone")
            .zone(),
        now: last_end + i64::from(history.now_after_last_end),
        recovery_allowance: i64::from(history.recovery % 3601),
        // Every day start from -06:00 to 12:00, from the same bytes.
        day_start: DayStart::from_minutes((i64::from(history.recovery) % 73 - 24) * 15),
    };
    let report = stats::report(&sessions, &params);
    if let Err(broken) = invariants::check(&report) {
        panic!("{broken}\nparams: {params:?}\nsessions: {sessions:?}");
    }
}

/// Lays the raw sessions end to end from 2000; only the last may be active,
/// and only its last interruption may be open. Returns the spans and the
/// latest end.
fn build(history: &History) -> (Vec<SessionSpan>, i64) {
    let mut cursor = EPOCH_2000;
    let mut sessions = Vec::new();
    for (n, raw) in history.sessions.iter().enumerate() {
        let start = cursor + i64::from(raw.gap % (400 * 86_400));
        let end = start + 1 + i64::from(raw.length % (3 * 86_400));
        let last = n + 1 == history.sessions.len();
        let mut interruptions = Vec::new();
        let mut at = start;
        for &(pause, length, kind, open) in &raw.interruptions {
            let begin = at + i64::from(pause);
            let finish = (begin + 1 + i64::from(length)).min(end);
            if begin >= end {
                break;
            }
            let kind = InterruptionKind::ALL[usize::from(kind) % InterruptionKind::ALL.len()];
            let still_open = last && raw.active && open;
            interruptions.push(InterruptionSpan {
                kind,
                start: begin,
                end: (!still_open).then_some(finish),
            });
            at = finish;
            if still_open {
                break;
            }
        }
        sessions.push(SessionSpan {
            start,
            end: (!(last && raw.active)).then_some(end),
            interruptions,
        });
        cursor = end;
    }
    (sessions, cursor)
}

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).expect("within 2000..2136")
}

/// Any file given to `POST …/import` is read into sessions or refused with
/// field errors, never a panic; what is read keeps every rule (ordered, not
/// overlapping, interruptions closed and inside their session), can be
/// placed, and comes back the same through an NDJSON export.
pub fn import(data: &[u8]) {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let format = [
        ImportFormat::Ndjson,
        ImportFormat::Json,
        ImportFormat::Csv,
        ImportFormat::Toggl,
        ImportFormat::Timewarrior,
    ][usize::from(choice) % 5];
    let zone = jiff::tz::TimeZone::get("America/New_York").expect("a bundled zone");
    // A file with errors is placed too (to list every error at once), so
    // placing must hold up whatever was read.
    let file = import::read(format, body, &zone);
    let _ = import::place(&file, &[], Timestamp::MAX);
    let _ = import::place(&file, &[], at(EPOCH_2000));
    let Ok(sessions) = file.into_sessions() else {
        return;
    };
    for pair in sessions.windows(2) {
        let end = pair[0].end.expect("only the last session may run");
        assert!(end <= pair[1].start, "sessions overlap: {pair:?}");
    }
    for session in &sessions {
        for i in &session.interruptions {
            assert!(i.start < i.end && i.start >= session.start, "{session:?}");
            assert!(session.end.is_none_or(|end| i.end <= end), "{session:?}");
        }
        for pair in session.interruptions.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "interruptions overlap: {session:?}"
            );
        }
    }
    let again = import::parse(ImportFormat::Ndjson, &exported(&sessions), &zone)
        .expect("an export of what was read reads back");
    let plain = |list: &[ImportSession]| -> Vec<_> {
        list.iter()
            .map(|s| {
                let inner: Vec<_> = s
                    .interruptions
                    .iter()
                    .map(|i| (i.kind, i.description.clone(), i.start, i.end))
                    .collect();
                (s.start, s.end, inner)
            })
            .collect()
    };
    assert_eq!(plain(&again), plain(&sessions));
}

/// `sessions` as `GET …/export` would write them.
fn exported(sessions: &[ImportSession]) -> Vec<u8> {
    let header = ExportHeader {
        exported_at: Timestamp::UNIX_EPOCH,
        user: ExportUser {
            id: 1,
            name: "Fuzz".into(),
            email: "fuzz@example.com".into(),
        },
        timezone: "UTC".into(),
        from: None,
        to: None,
    };
    let (mut encoder, mut out) =
        Encoder::start(ExportFormat::Ndjson, &header, jiff::tz::TimeZone::UTC);
    for (n, session) in sessions.iter().enumerate() {
        let row = |interruption| ExportRow {
            session_id: n as i64 + 1,
            session_start: session.start.as_second(),
            session_end: session.end.map(|e| e.as_second()),
            session_note: session.note.clone(),
            interruption,
        };
        if session.interruptions.is_empty() {
            encoder.push(&row(None), &mut out);
        }
        for (k, i) in session.interruptions.iter().enumerate() {
            encoder.push(
                &row(Some(ExportInterruption {
                    id: k as i64 + 1,
                    kind: i.kind,
                    description: i.description.clone(),
                    start: i.start.as_second(),
                    end: Some(i.end.as_second()),
                })),
                &mut out,
            );
        }
    }
    encoder.finish(&mut out);
    out
}
