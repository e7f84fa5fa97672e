//! The reports page's period: a day, a week (from the user's first day of
//! the week), a month, a
//! year, or custom dates, stepped back and forth, kept in the URL.

use jiff::{ToSpan, civil::Date};
use serde::Deserialize;

use crate::domain::{days::WeekStart, stats::window::MAX_RANGE_DAYS};

/// The query of `/app/reports`.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// `day`, `week`, `month` or `year`; default `week`.
    pub period: Option<String>,
    /// A date inside the period (`YYYY-MM-DD`); default today.
    pub date: Option<String>,
    /// First day of a custom period.
    pub from: Option<String>,
    /// Last day of a custom period, included.
    pub to: Option<String>,
}

/// Which calendar unit a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// One day.
    Day,
    /// Seven days from the user's first day of the week.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
    /// The dates asked for.
    Custom,
}

impl Unit {
    /// The name in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::Custom => "custom",
        }
    }
}

/// A resolved period: its first day and the day after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// What kind of period.
    pub unit: Unit,
    /// Its first day.
    pub start: Date,
    /// The day after its last.
    pub end: Date,
    /// Where weeks begin.
    pub week_start: WeekStart,
}

impl Period {
    /// The period a query asks for, with `today` in the user's zone; a
    /// query that does not parse falls back to this week, and says so.
    pub fn from_query(
        query: &PeriodQuery,
        today: Date,
        week_start: WeekStart,
    ) -> (Self, Option<String>) {
        let date = |raw: &Option<String>| raw.as_deref().and_then(|d| d.parse::<Date>().ok());
        if let (Some(from), Some(to)) = (date(&query.from), date(&query.to)) {
            return match Self::custom(from, to, week_start) {
                Some(period) => (period, None),
                None => (
                    Self::of(Unit::Week, today, week_start),
                    Some(format!(
                        "the dates must run forwards and span at most {MAX_RANGE_DAYS} days; showing this week"
                    )),
                ),
            };
        }
        let unit = match query.period.as_deref() {
            Some("day") => Unit::Day,
            Some("month") => Unit::Month,
            Some("year") => Unit::Year,
            _ => Unit::Week,
        };
        (
            Self::of(unit, date(&query.date).unwrap_or(today), week_start),
            None,
        )
    }

    /// The `unit` that holds `day`.
    pub fn of(unit: Unit, day: Date, week_start: WeekStart) -> Self {
        let start = match unit {
            Unit::Day | Unit::Custom => day,
            Unit::Week => week_start.week_of(day),
            Unit::Month => day.first_of_month(),
            Unit::Year => day.first_of_year(),
        };
        let end = match unit {
            Unit::Day | Unit::Custom => start + 1.day(),
            Unit::Week => start + 7.days(),
            Unit::Month => start + 1.month(),
            Unit::Year => start + 1.year(),
        };
        Self {
            unit,
            start,
            end,
            week_start,
        }
    }

    /// Custom dates, `to` included.
    fn custom(from: Date, to: Date, week_start: WeekStart) -> Option<Self> {
        let end = to.tomorrow().ok()?;
        let days = from.until(end).ok()?.get_days();
        (from < end && i64::from(days) <= MAX_RANGE_DAYS).then_some(Self {
            unit: Unit::Custom,
            start: from,
            end,
            week_start,
        })
    }

    /// The period just before, of the same length.
    pub fn previous(&self) -> Self {
        match self.unit {
            Unit::Custom => {
                let length = self.start.until(self.end).unwrap_or_default();
                Self {
                    unit: Unit::Custom,
                    start: self.start.checked_sub(length).unwrap_or(self.start),
                    end: self.start,
                    week_start: self.week_start,
                }
            }
            unit => Self::of(
                unit,
                self.start.yesterday().unwrap_or(self.start),
                self.week_start,
            ),
        }
    }

    /// The period just after.
    pub fn next(&self) -> Self {
        match self.unit {
            Unit::Custom => {
                let length = self.start.until(self.end).unwrap_or_default();
                Self {
                    unit: Unit::Custom,
                    start: self.end,
                    end: self.end.checked_add(length).unwrap_or(self.end),
                    week_start: self.week_start,
                }
            }
            unit => Self::of(unit, self.end, self.week_start),
        }
    }

    /// Whether `today` falls in it: a period in progress.
    pub fn holds(&self, today: Date) -> bool {
        (self.start..self.end).contains(&today)
    }

    /// Whether there is a period after this one worth showing: none once
    /// this one holds `today` (or lies after it).
    pub fn has_next(&self, today: Date) -> bool {
        self.end <= today
    }

    /// Where `now` (local, in this period) falls one period earlier: the
    /// end of the same part of the period before, for a fair comparison of
    /// a period in progress. A month's day past the previous month's end
    /// lands on that month's last day.
    pub fn same_point_before(&self, now: &jiff::ZonedDateTime) -> Option<jiff::ZonedDateTime> {
        let span = match self.unit {
            Unit::Day => 1.day(),
            Unit::Week => 7.days(),
            Unit::Month => 1.month(),
            Unit::Year => 1.year(),
            Unit::Custom => {
                let days = self.start.until(self.end).ok()?.get_days();
                i64::from(days).days()
            }
        };
        now.checked_sub(span).ok()
    }

    /// How a person names the period before: "yesterday", "last week", …
    pub fn before_name(&self) -> String {
        match self.unit {
            Unit::Day => "the day before".to_owned(),
            Unit::Week => "the week before".to_owned(),
            Unit::Month => "the month before".to_owned(),
            Unit::Year => "the year before".to_owned(),
            Unit::Custom => {
                let days = self.start.until(self.end).map_or(0, |s| s.get_days());
                format!("the {days} day{} before", if days == 1 { "" } else { "s" })
            }
        }
    }

    /// How a person names this period while it runs: "today", "this week".
    pub fn this_name(&self) -> &'static str {
        match self.unit {
            Unit::Day => "today",
            Unit::Week => "this week",
            Unit::Month => "this month",
            Unit::Year => "this year",
            Unit::Custom => "these dates",
        }
    }

    /// Its last day.
    pub fn last_day(&self) -> Date {
        self.end.yesterday().unwrap_or(self.start)
    }

    /// The query string that shows this period.
    pub fn query(&self) -> String {
        match self.unit {
            Unit::Custom => format!("from={}&to={}", self.start, self.last_day()),
            unit => format!("period={}&date={}", unit.name(), self.start),
        }
    }

    /// How a person reads it: "Tuesday 2 December 2026", "Week of 30 Nov
    /// 2026", "December 2026", "2026", "1 Nov – 15 Nov 2026".
    pub fn label(&self) -> String {
        match self.unit {
            Unit::Day => self.start.strftime("%A %-d %B %Y").to_string(),
            Unit::Week => format!(
                "{} – {}",
                self.start.strftime("%-d %b"),
                self.last_day().strftime("%-d %b %Y")
            ),
            Unit::Month => self.start.strftime("%B %Y").to_string(),
            Unit::Year => self.start.strftime("%Y").to_string(),
            Unit::Custom => format!(
                "{} – {}",
                self.start.strftime("%-d %b %Y"),
                self.last_day().strftime("%-d %b %Y")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn query(pairs: &[(&str, &str)]) -> PeriodQuery {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        };
        PeriodQuery {
            period: get("period"),
            date: get("date"),
            from: get("from"),
            to: get("to"),
        }
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_steps_by_seven_days() {
        let today = date(2026, 12, 2); // a Wednesday
        let (week, note) = Period::from_query(&query(&[]), today, WeekStart::default());
        assert_eq!(note, None);
        assert_eq!(
            (week.start, week.end),
            (date(2026, 11, 30), date(2026, 12, 7))
        );
        assert_eq!(week.label(), "30 Nov – 6 Dec 2026");
        assert_eq!(week.previous().start, date(2026, 11, 23));
        assert_eq!(week.next().start, date(2026, 12, 7));
        assert_eq!(week.query(), "period=week&date=2026-11-30");
        let sunday = WeekStart::parse("week_start", "sunday").unwrap();
        let (week, _) = Period::from_query(&query(&[]), today, sunday);
        assert_eq!(
            (week.start, week.end),
            (date(2026, 11, 29), date(2026, 12, 6))
        );
        assert_eq!(week.next().start, date(2026, 12, 6));
    }

    #[test]
    fn months_and_years_follow_the_calendar() {
        let (month, _) = Period::from_query(
            &query(&[("period", "month"), ("date", "2024-02-10")]),
            date(2026, 1, 1),
            WeekStart::default(),
        );
        assert_eq!(
            (month.start, month.end),
            (date(2024, 2, 1), date(2024, 3, 1))
        );
        assert_eq!(month.previous().start, date(2024, 1, 1));
        assert_eq!(month.label(), "February 2024");
        let (year, _) = Period::from_query(
            &query(&[("period", "year")]),
            date(2026, 12, 2),
            WeekStart::default(),
        );
        assert_eq!((year.start, year.end), (date(2026, 1, 1), date(2027, 1, 1)));
        let (day, _) = Period::from_query(
            &query(&[("period", "day")]),
            date(2026, 12, 2),
            WeekStart::default(),
        );
        assert_eq!(day.label(), "Wednesday 2 December 2026");
        assert_eq!(day.next().start, date(2026, 12, 3));
        assert!(day.holds(date(2026, 12, 2)) && !day.has_next(date(2026, 12, 2)));
        assert!(day.previous().has_next(date(2026, 12, 2)));
    }

    #[test]
    fn a_period_in_progress_is_compared_up_to_the_same_point_before() {
        let tz = jiff::tz::TimeZone::get("Europe/Madrid").unwrap();
        let now = date(2026, 3, 31)
            .at(14, 5, 0, 0)
            .to_zoned_datetime(tz)
            .unwrap();
        let point = |unit| {
            Period::of(unit, date(2026, 3, 31), WeekStart::default())
                .same_point_before(&now)
                .unwrap()
                .datetime()
        };
        assert_eq!(point(Unit::Day), date(2026, 3, 30).at(14, 5, 0, 0));
        assert_eq!(point(Unit::Week), date(2026, 3, 24).at(14, 5, 0, 0));
        // March's 31st has no twin in February: its last day stands in.
        assert_eq!(point(Unit::Month), date(2026, 2, 28).at(14, 5, 0, 0));
        assert_eq!(point(Unit::Year), date(2025, 3, 31).at(14, 5, 0, 0));
    }

    #[test]
    fn custom_dates_include_the_last_day_and_step_by_their_length() {
        let (custom, _) = Period::from_query(
            &query(&[("from", "2026-11-01"), ("to", "2026-11-15")]),
            date(2026, 12, 2),
            WeekStart::default(),
        );
        assert_eq!(
            (custom.start, custom.end),
            (date(2026, 11, 1), date(2026, 11, 16))
        );
        assert_eq!(custom.query(), "from=2026-11-01&to=2026-11-15");
        assert_eq!(custom.next().start, date(2026, 11, 16));
        assert_eq!(custom.previous().start, date(2026, 10, 17));
        let (fallback, note) = Period::from_query(
            &query(&[("from", "2026-11-15"), ("to", "2026-11-01")]),
            date(2026, 12, 2),
            WeekStart::default(),
        );
        assert_eq!(fallback.unit, Unit::Week);
        assert!(note.is_some());
    }
}
