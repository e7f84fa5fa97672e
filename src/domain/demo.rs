//! A believable history for a new account, so that the web app and the
//! reports have something to show before a person has recorded a week:
//! more focus on weekdays than at weekends, mornings longer than
//! afternoons, and interruptions whose types follow the hours (the phone
//! around midday, family early and late, self-distraction after lunch,
//! urgent tasks in the morning). The same seed gives the same history.

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};

use super::{
    import::{ImportInterruption, ImportSession},
    interruption::InterruptionKind,
};

/// The longest history `hyperfocus demo` writes.
pub const MAX_DAYS: u32 = 3660;

/// `days` days of sessions ending before `now`, in `zone`.
pub fn history(days: u32, zone: &TimeZone, now: Timestamp, seed: u64) -> Vec<ImportSession> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let today = now.to_zoned_datetime(zone.clone()).date();
    let mut sessions = Vec::new();
    for back in (1..=i64::from(days.min(MAX_DAYS))).rev() {
        let Ok(date) = today.checked_sub(SignedDuration::from_hours(24 * back)) else {
            continue;
        };
        day(&mut rng, date, zone, now, &mut sessions);
    }
    sessions
}

/// The sessions of one day, from a start time that moves a little.
fn day(
    rng: &mut fastrand::Rng,
    date: Date,
    zone: &TimeZone,
    now: Timestamp,
    out: &mut Vec<ImportSession>,
) {
    let weekend = date.weekday().to_monday_zero_offset() >= 5;
    let count = if weekend {
        rng.u32(0..=2)
    } else {
        rng.u32(2..=5)
    };
    // Minutes after local midnight.
    let mut minute = if weekend {
        rng.u32(9 * 60..11 * 60)
    } else {
        rng.u32(8 * 60..9 * 60 + 30)
    };
    for _ in 0..count {
        let length = if minute < 12 * 60 {
            rng.u32(45..=110)
        } else {
            rng.u32(25..=75)
        };
        let Some(start) = local(date, minute, zone) else {
            break;
        };
        let end = start + SignedDuration::from_mins(i64::from(length));
        if end > now || minute + length > 21 * 60 {
            break;
        }
        out.push(ImportSession {
            at: format!("demo {date}"),
            start,
            end: Some(end),
            note: note_for(date, out.len()).to_owned(),
            interruptions: interruptions(rng, start, length, minute, weekend),
        });
        minute += length + rng.u32(10..=60);
    }
}

/// What a session of the history was for: picked by day and position,
/// not drawn, so that the history's times stay those of its seed.
fn note_for(date: Date, position: usize) -> &'static str {
    const NOTES: [&str; 7] = [
        "chapter 3 draft",
        "",
        "quarterly report",
        "code review",
        "",
        "exam revision",
        "inbox zero",
    ];
    NOTES[(usize::from(date.day().unsigned_abs()) + position) % NOTES.len()]
}

fn interruptions(
    rng: &mut fastrand::Rng,
    start: Timestamp,
    length: u32,
    minute: u32,
    weekend: bool,
) -> Vec<ImportInterruption> {
    let mut list = Vec::new();
    // Offsets in minutes from the session's start; the first after 5 min.
    let mut at = rng.u32(5..=20);
    while at + 2 < length && list.len() < 5 {
        let kind = kind_at(rng, minute + at, weekend);
        let lasts = match kind {
            InterruptionKind::Phone | InterruptionKind::SelfInflicted => rng.u32(1..=6),
            InterruptionKind::UrgentTask => rng.u32(5..=20),
            _ => rng.u32(1..=10),
        }
        .min(length - at - 1);
        list.push(ImportInterruption {
            at: "demo".to_owned(),
            kind,
            description: String::new(),
            start: start + SignedDuration::from_mins(i64::from(at)),
            end: start + SignedDuration::from_mins(i64::from(at + lasts)),
        });
        at += lasts + rng.u32(8..=45);
    }
    list
}

/// Which kind of interruption is likely at `minute` past midnight.
fn kind_at(rng: &mut fastrand::Rng, minute: u32, weekend: bool) -> InterruptionKind {
    use InterruptionKind::*;
    let hour = minute / 60;
    let weights: [(InterruptionKind, u32); 6] = match (hour, weekend) {
        (_, true) => [
            (Family, 5),
            (Phone, 3),
            (Noise, 2),
            (SelfInflicted, 2),
            (UrgentTask, 0),
            (Unknown, 1),
        ],
        (..=10, _) => [
            (Family, 2),
            (Phone, 2),
            (Noise, 1),
            (SelfInflicted, 1),
            (UrgentTask, 4),
            (Unknown, 1),
        ],
        (11..=13, _) => [
            (Family, 1),
            (Phone, 5),
            (Noise, 1),
            (SelfInflicted, 2),
            (UrgentTask, 2),
            (Unknown, 1),
        ],
        (14..=16, _) => [
            (Family, 1),
            (Phone, 2),
            (Noise, 3),
            (SelfInflicted, 4),
            (UrgentTask, 1),
            (Unknown, 1),
        ],
        _ => [
            (Family, 4),
            (Phone, 2),
            (Noise, 1),
            (SelfInflicted, 2),
            (UrgentTask, 1),
            (Unknown, 1),
        ],
    };
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let mut pick = rng.u32(0..total);
    for (kind, weight) in weights {
        if pick < weight {
            return kind;
        }
        pick -= weight;
    }
    Unknown
}

fn local(date: Date, minute: u32, zone: &TimeZone) -> Option<Timestamp> {
    let time = jiff::civil::time(
        i8::try_from(minute / 60).ok()?,
        i8::try_from(minute % 60).ok()?,
        0,
        0,
    );
    zone.to_ambiguous_zoned_datetime(date.to_datetime(time))
        .compatible()
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{ImportFile, StoredSession, place};

    #[test]
    fn a_demo_history_keeps_every_rule_and_is_the_same_for_a_seed() {
        let zone = TimeZone::get("Europe/Madrid").unwrap();
        let now: Timestamp = "2025-11-16T12:00:00Z".parse().unwrap();
        let sessions = history(90, &zone, now, 7);
        assert_eq!(sessions, history(90, &zone, now, 7));
        assert_ne!(sessions, history(90, &zone, now, 8));
        assert!(
            sessions.len() > 90 * 5 / 7 * 2,
            "weekdays have at least two sessions"
        );
        let file = ImportFile::from_sessions(sessions.clone());
        assert!(file.is_valid());
        let (added, matched) = place(&file, &[] as &[StoredSession], now).unwrap();
        assert_eq!((added.len(), matched), (sessions.len(), 0));
        // Every rule an import checks holds: the same file parses back.
        for pair in sessions.windows(2) {
            assert!(pair[0].end.unwrap() < pair[1].start);
        }
        for s in &sessions {
            for i in &s.interruptions {
                assert!(s.start < i.start && i.end < s.end.unwrap() && i.start < i.end);
            }
            for pair in s.interruptions.windows(2) {
                assert!(pair[0].end < pair[1].start);
            }
        }
        let kinds: std::collections::HashSet<_> = sessions
            .iter()
            .flat_map(|s| s.interruptions.iter().map(|i| i.kind))
            .collect();
        assert_eq!(kinds.len(), 6, "every type turns up");
    }
}
