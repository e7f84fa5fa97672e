//! The figures of a report and the single pass that fills them.

use jiff::civil::Date;

use super::{
    DEEP_WORK_SECONDS, InterruptionSpan, Params, SessionSpan,
    calendar::{LocalClock, Slot, clip},
    percent,
};
use crate::domain::interruption::InterruptionKind;

/// Time and interruptions falling into one bucket (an hour, a weekday, a
/// heatmap cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Seconds of sessions.
    pub work: i64,
    /// Seconds of interruptions.
    pub lost: i64,
    /// Interruptions that started here.
    pub interruptions: i64,
}

impl Bucket {
    /// `work − lost`, never negative.
    pub fn effective(&self) -> i64 {
        (self.work - self.lost).max(0)
    }

    /// Adds `other`'s figures: a week's bucket is the sum of its days'.
    pub fn add(&mut self, other: &Bucket) {
        self.work += other.work;
        self.lost += other.lost;
        self.interruptions += other.interruptions;
    }
}

/// One local calendar day of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayStat {
    /// The local date.
    pub date: Date,
    /// Its figures (only the part inside the window).
    pub bucket: Bucket,
    /// Recovery time spent that day.
    pub recovery: i64,
    /// Deep-work blocks that began that day.
    pub deep_work_blocks: i64,
}

impl DayStat {
    /// The day's focus score.
    pub fn focus_score(&self) -> i64 {
        let focused = (self.bucket.effective() - self.recovery).max(0);
        percent(focused, self.bucket.work)
    }
}

/// The components of the focus score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Focus {
    /// `round(100 × focused / worked)`, half up; 0 when nothing was worked.
    pub score: i64,
    /// Worked seconds.
    pub worked: i64,
    /// Lost seconds.
    pub lost: i64,
    /// Recovery seconds after counted interruptions.
    pub recovery: i64,
    /// `max(0, worked − lost − recovery)`.
    pub focused: i64,
    /// The allowance `R` used.
    pub recovery_allowance: i64,
}

/// The headline figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Sessions overlapping the window.
    pub total_sessions: i64,
    /// Interruptions starting inside the window.
    pub total_interruptions: i64,
    /// Worked seconds.
    pub worked: i64,
    /// Lost seconds.
    pub lost: i64,
    /// `worked − lost`, never negative.
    pub effective: i64,
    /// Mean full duration of the counted interruptions; 0 when none.
    pub average_interruption_duration: f64,
    /// Counted interruptions per worked hour; 0 when nothing was worked.
    pub interruptions_per_hour: f64,
    /// The focus score and its parts.
    pub focus: Focus,
    /// The longest stretch of a session without an interruption.
    pub longest_focus_stretch: i64,
    /// Stretches of at least 25 minutes without an interruption.
    pub deep_work_blocks: i64,
}

/// The figures of one interruption type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeStat {
    /// The type.
    pub kind: InterruptionKind,
    /// Counted interruptions of this type.
    pub count: i64,
    /// Share of all counted interruptions, 0..1.
    pub proportion: f64,
    /// Lost seconds (clipped to the window).
    pub total_duration: i64,
    /// Share of all lost time, 0..1.
    pub time_share: f64,
    /// Mean full duration of the counted ones; 0 when none.
    pub average_duration: f64,
}

/// Count and lost time of a group of types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    /// Counted interruptions.
    pub count: i64,
    /// Lost seconds.
    pub lost: i64,
}

/// The hour with the most interruptions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peak {
    /// The local hour; `None` when nothing was counted.
    pub hour: Option<usize>,
    /// Interruptions that started in it.
    pub interruptions: i64,
    /// Seconds lost in it.
    pub lost: i64,
}

/// Every figure of a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Headline figures.
    pub summary: Summary,
    /// All six types, by count, then time, then name.
    pub types: Vec<TypeStat>,
    /// `self` against every other type (`unknown` included).
    pub self_share: Share,
    /// The other types together.
    pub external_share: Share,
    /// Local hours 0..23.
    pub hours: [Bucket; 24],
    /// Local weekdays, Monday first.
    pub weekdays: [Bucket; 7],
    /// Weekday × hour.
    pub heatmap: [[Bucket; 24]; 7],
    /// Every local day overlapping the window, oldest first.
    pub days: Vec<DayStat>,
}

impl Report {
    /// The hour with most interruptions; ties go to more time lost, then to
    /// the earlier hour.
    pub fn peak(&self) -> Peak {
        let best = (0..24).max_by_key(|&h| {
            let b = &self.hours[h];
            (b.interruptions, b.lost, std::cmp::Reverse(h))
        });
        match best {
            Some(hour) if self.hours[hour].interruptions > 0 => Peak {
                hour: Some(hour),
                interruptions: self.hours[hour].interruptions,
                lost: self.hours[hour].lost,
            },
            _ => Peak::default(),
        }
    }
}

#[derive(Default, Clone, Copy)]
struct KindTotals {
    count: i64,
    lost: i64,
    full_duration: i64,
}

/// Running totals while walking the spans.
struct Pass<'a> {
    params: &'a Params,
    clock: LocalClock,
    first_day: i64,
    hours: [Bucket; 24],
    weekdays: [Bucket; 7],
    heatmap: [[Bucket; 24]; 7],
    /// Each day's bucket, recovery and deep-work blocks.
    days: Vec<(Bucket, i64, i64)>,
    kinds: [KindTotals; 6],
    sessions: i64,
    recovery: i64,
    longest_stretch: i64,
    deep_blocks: i64,
}

impl<'a> Pass<'a> {
    fn new(params: &'a Params) -> Self {
        let clock = LocalClock::new(&params.zone, params.from, params.to, params.day_start);
        let (first_day, day_count) = if params.from < params.to {
            let first = clock.slot(params.from).day;
            (first, clock.slot(params.to - 1).day - first + 1)
        } else {
            (0, 0)
        };
        Self {
            params,
            clock,
            first_day,
            hours: [Bucket::default(); 24],
            weekdays: [Bucket::default(); 7],
            heatmap: [[Bucket::default(); 24]; 7],
            days: vec![(Bucket::default(), 0, 0); usize::try_from(day_count).unwrap_or(0)],
            kinds: [KindTotals::default(); 6],
            sessions: 0,
            recovery: 0,
            longest_stretch: 0,
            deep_blocks: 0,
        }
    }

    fn day(&mut self, slot: Slot) -> &mut (Bucket, i64, i64) {
        day_of(&mut self.days, self.first_day, slot)
    }

    /// Adds `[start, end)` (inside the window) to every bucket via `field`.
    fn spread(&mut self, start: i64, end: i64, field: fn(&mut Bucket) -> &mut i64) {
        let first_day = self.first_day;
        let (hours, weekdays, heatmap, days) = (
            &mut self.hours,
            &mut self.weekdays,
            &mut self.heatmap,
            &mut self.days,
        );
        self.clock.split(start, end, |slot, seconds| {
            *field(&mut hours[slot.hour]) += seconds;
            *field(&mut weekdays[slot.weekday]) += seconds;
            *field(&mut heatmap[slot.weekday][slot.hour]) += seconds;
            *field(&mut day_of(days, first_day, slot).0) += seconds;
        });
    }

    fn add_recovery(&mut self, start: i64, end: i64) {
        let first_day = self.first_day;
        let (recovery, days) = (&mut self.recovery, &mut self.days);
        self.clock.split(start, end, |slot, seconds| {
            *recovery += seconds;
            day_of(days, first_day, slot).1 += seconds;
        });
    }

    /// A stretch without interruption; a deep-work block counts for the
    /// day it began.
    fn add_stretch(&mut self, start: i64, end: i64) {
        let length = end - start;
        if length > 0 {
            self.longest_stretch = self.longest_stretch.max(length);
            if length >= DEEP_WORK_SECONDS {
                self.deep_blocks += 1;
                let slot = self.clock.slot(start);
                self.day(slot).2 += 1;
            }
        }
    }

    fn session(&mut self, session: &SessionSpan) {
        let Params { from, to, now, .. } = *self.params;
        let session_end = session.end.unwrap_or(now);
        let Some((start, end)) = clip(session.start, session_end, from, to) else {
            return;
        };
        self.sessions += 1;
        self.spread(start, end, |b| &mut b.work);
        let mut focus_from = start;
        for (index, interruption) in session.interruptions.iter().enumerate() {
            let until = interruption.end.unwrap_or(now).max(interruption.start);
            self.add_stretch(focus_from, interruption.start.min(end));
            focus_from = focus_from.max(until.min(end));
            if let Some((a, b)) = clip(interruption.start, until, from, to) {
                self.spread(a, b, |b| &mut b.lost);
                self.kinds[kind_index(interruption.kind)].lost += b - a;
            }
            if (from..to).contains(&interruption.start) {
                let next = session
                    .interruptions
                    .get(index + 1)
                    .map_or(session_end, |n| n.start);
                self.count(interruption, until, next);
            }
        }
        self.add_stretch(focus_from, end);
    }

    /// Counts an interruption that started in the window, with its recovery
    /// up to the next interruption or the session's end.
    fn count(&mut self, interruption: &InterruptionSpan, until: i64, next: i64) {
        let slot = self.clock.slot(interruption.start);
        self.hours[slot.hour].interruptions += 1;
        self.weekdays[slot.weekday].interruptions += 1;
        self.heatmap[slot.weekday][slot.hour].interruptions += 1;
        self.day(slot).0.interruptions += 1;
        let kind = &mut self.kinds[kind_index(interruption.kind)];
        kind.count += 1;
        kind.full_duration += until - interruption.start;
        let recovery = self.params.recovery_allowance.min((next - until).max(0));
        if let Some((a, b)) = clip(until, until + recovery, self.params.from, self.params.to) {
            self.add_recovery(a, b);
        }
    }

    fn finish(self) -> Report {
        let worked: i64 = self.hours.iter().map(|b| b.work).sum();
        let lost: i64 = self.hours.iter().map(|b| b.lost).sum();
        let counted: i64 = self.kinds.iter().map(|k| k.count).sum();
        let full: i64 = self.kinds.iter().map(|k| k.full_duration).sum();
        let effective = (worked - lost).max(0);
        let focused = (effective - self.recovery).max(0);
        let summary = Summary {
            total_sessions: self.sessions,
            total_interruptions: counted,
            worked,
            lost,
            effective,
            average_interruption_duration: ratio(full, counted),
            interruptions_per_hour: ratio(counted * 3600, worked),
            focus: Focus {
                score: percent(focused, worked),
                worked,
                lost,
                recovery: self.recovery,
                focused,
                recovery_allowance: self.params.recovery_allowance,
            },
            longest_focus_stretch: self.longest_stretch,
            deep_work_blocks: self.deep_blocks,
        };
        let mut types: Vec<TypeStat> = InterruptionKind::ALL
            .iter()
            .map(|&kind| {
                let k = self.kinds[kind_index(kind)];
                TypeStat {
                    kind,
                    count: k.count,
                    proportion: ratio(k.count, counted),
                    total_duration: k.lost,
                    time_share: ratio(k.lost, lost),
                    average_duration: ratio(k.full_duration, k.count),
                }
            })
            .collect();
        types.sort_by(|a, b| {
            (b.count, b.total_duration, a.kind.as_str()).cmp(&(
                a.count,
                a.total_duration,
                b.kind.as_str(),
            ))
        });
        let self_kind = self.kinds[kind_index(InterruptionKind::SelfInflicted)];
        let self_share = Share {
            count: self_kind.count,
            lost: self_kind.lost,
        };
        let first_day = self.first_day;
        Report {
            summary,
            types,
            self_share,
            external_share: Share {
                count: counted - self_share.count,
                lost: lost - self_share.lost,
            },
            hours: self.hours,
            weekdays: self.weekdays,
            heatmap: self.heatmap,
            days: self
                .days
                .into_iter()
                .zip(first_day..)
                .map(|((bucket, recovery, deep_work_blocks), day)| DayStat {
                    date: LocalClock::date_of_day(day),
                    bucket,
                    recovery,
                    deep_work_blocks,
                })
                .collect(),
        }
    }
}

/// Fills a report in one pass over the sessions.
pub fn build(sessions: &[SessionSpan], params: &Params) -> Report {
    let mut pass = Pass::new(params);
    for session in sessions {
        pass.session(session);
    }
    pass.finish()
}

/// The entry of `slot`'s day: slots lie inside the window, whose days `days`
/// holds from `first_day` on.
fn day_of(days: &mut [(Bucket, i64, i64)], first_day: i64, slot: Slot) -> &mut (Bucket, i64, i64) {
    let index = usize::try_from(slot.day - first_day).unwrap_or(0);
    let last = days.len().saturating_sub(1);
    &mut days[index.min(last)]
}

fn kind_index(kind: InterruptionKind) -> usize {
    InterruptionKind::ALL
        .iter()
        .position(|&k| k == kind)
        .unwrap_or(5)
}

/// `part / whole` as a float; 0 when `whole` is 0.
fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
