//! The sums every report must satisfy. Property tests and the fuzz target
//! hold every report they make to this one list, so the two cannot drift
//! apart.

use super::{Bucket, Report};

/// Checks a report computed from a valid history (sessions that do not
/// overlap, interruptions inside their session that do not overlap): every
/// breakdown adds up to the summary, shares cover every interruption, the
/// score is a percentage and the peak is the busiest hour. The error names
/// the first rule broken and the figures that broke it.
pub fn check(report: &Report) -> Result<(), String> {
    let s = &report.summary;
    let total = (s.worked, s.lost, s.total_interruptions);
    let days: Vec<Bucket> = report.days.iter().map(|day| day.bucket).collect();
    let breakdowns = [
        ("hours", totals(&report.hours)),
        ("weekdays", totals(&report.weekdays)),
        ("heatmap", totals(&report.heatmap.concat())),
        ("days", totals(&days)),
    ];
    for (name, sums) in breakdowns {
        same(
            &format!("{name} (worked, lost, interruptions)"),
            sums,
            total,
        )?;
    }
    let day_recovery: i64 = report.days.iter().map(|day| day.recovery).sum();
    same("recovery by day", day_recovery, s.focus.recovery)?;
    let day_blocks: i64 = report.days.iter().map(|day| day.deep_work_blocks).sum();
    same("deep-work blocks by day", day_blocks, s.deep_work_blocks)?;
    let type_counts: i64 = report.types.iter().map(|t| t.count).sum();
    same("interruptions by type", type_counts, s.total_interruptions)?;
    let type_lost: i64 = report.types.iter().map(|t| t.total_duration).sum();
    same("lost time by type", type_lost, s.lost)?;
    let (own, external) = (report.self_share, report.external_share);
    same(
        "self + external count",
        own.count + external.count,
        s.total_interruptions,
    )?;
    same("self + external lost", own.lost + external.lost, s.lost)?;
    same("effective", s.effective, s.worked - s.lost)?;
    let buckets = report.hours.iter().chain(&report.weekdays);
    if let Some(bad) = buckets.into_iter().find(|b| b.lost > b.work) {
        return Err(format!("a bucket loses more than it works: {bad:?}"));
    }
    if !(0..=100).contains(&s.focus.score) {
        return Err(format!("focus score {} is outside 0..=100", s.focus.score));
    }
    check_peak(report)
}

fn check_peak(report: &Report) -> Result<(), String> {
    let peak = report.peak();
    let Some(hour) = peak.hour else {
        return same(
            "interruptions without a peak hour",
            report.summary.total_interruptions,
            0,
        );
    };
    same(
        "peak hour's count",
        report.hours[hour].interruptions,
        peak.interruptions,
    )?;
    match report
        .hours
        .iter()
        .position(|b| (b.interruptions, b.lost) > (peak.interruptions, peak.lost))
    {
        Some(busier) => Err(format!("hour {busier} is busier than the peak hour {hour}")),
        None => Ok(()),
    }
}

fn totals(buckets: &[Bucket]) -> (i64, i64, i64) {
    buckets.iter().fold((0, 0, 0), |(work, lost, count), b| {
        (work + b.work, lost + b.lost, count + b.interruptions)
    })
}

fn same<T: PartialEq + std::fmt::Debug>(what: &str, got: T, expected: T) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: {got:?}, expected {expected:?}"))
    }
}
