//! The analytics engine alone, on synthetic histories:
//! `cargo bench --bench engine`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hyperfocus::domain::{
    days::DayStart,
    stats::{self, Params},
    time::TimeZoneName,
};

mod common;
use common as history;

fn engine(c: &mut Criterion) {
    let zone = TimeZoneName::parse("tz", "Europe/Madrid").unwrap().zone();
    let mut group = c.benchmark_group("engine");
    // A year: 2,500 sessions with 25,000 interruptions; ten years: ten times that.
    for (name, days) in [("one_year", 365), ("ten_years", 3650)] {
        let sessions = history::history(days, 7, 10);
        let params = Params {
            from: history::END - days * 86_400,
            to: history::END,
            zone: zone.clone(),
            now: history::END,
            recovery_allowance: 600,
            day_start: DayStart::MIDNIGHT,
        };
        group.bench_with_input(
            BenchmarkId::new("report", name),
            &sessions,
            |b, sessions| b.iter(|| stats::report(std::hint::black_box(sessions), &params)),
        );
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
