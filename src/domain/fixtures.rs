//! Shorthands for the domain's unit tests: instants and spans on 2025-11-15.

use jiff::Timestamp;

use super::session::Span;

/// `hms` on 2025-11-15, UTC.
pub fn at(hms: &str) -> Timestamp {
    format!("2025-11-15T{hms}Z")
        .parse()
        .expect("valid time of day")
}

/// A stored span from `start` to `end` (open if `None`) on 2025-11-15.
pub fn span(id: i64, start: &str, end: Option<&str>) -> Span {
    Span {
        id,
        start: at(start),
        end: end.map(at),
    }
}
