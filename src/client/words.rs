//! The client's own sentences for what a server refused. A problem's
//! `detail` is written for programs — UTC times, field names, paths, server
//! flags — so the client speaks from the problem's status, kind and fields
//! instead, in the account's zone and the words the rest of the terminal
//! uses (`explain` adds what it can learn around a refused change). Server
//! text is only ever shown after [`humanize`] has rewritten it.

use std::sync::LazyLock;

use jiff::{Timestamp, tz::TimeZone};
use regex::{Captures, Regex};

use super::http::{FieldProblem, Problem};

/// A time as the terminal writes it: "09:02" today, "Tue 1 Dec 09:02"
/// another day.
pub fn moment(at: Timestamp, zone: &TimeZone, now: Timestamp) -> String {
    let local = at.to_zoned_datetime(zone.clone());
    if local.date() == now.to_zoned_datetime(zone.clone()).date() {
        local.strftime("%H:%M").to_string()
    } else {
        local.strftime("%a %-d %b %H:%M").to_string()
    }
}

/// A problem in the person's words, from its status, kind and fields.
pub fn problem(problem: &Problem) -> String {
    let zone = problem.zone.clone().unwrap_or(TimeZone::UTC);
    let now = Timestamp::now();
    let say = |text: &str| humanize(text, &zone, now);
    let wait = || match problem.retry_after {
        Some(seconds) => format!("try again in {}", seconds_in_words(seconds)),
        None => "try again in a minute".to_owned(),
    };
    let (method, path) = (&problem.asked.0, problem.asked.1.as_str());
    match (problem.status, problem.slug()) {
        (401, _) if path == "/auth/login" => {
            "The email or password is not right; check both and try again.".to_owned()
        }
        (401, _) => "This device is no longer signed in: its token was revoked or has expired. Sign in again with `hyperfocus login`.".to_owned(),
        (403, _) => "That belongs to another account; this device can see and change only its own account's records.".to_owned(),
        (404, _) => not_found(path),
        (405, _) => format!("This server does not offer that ({method} is not allowed there); is it a HyperFocus server of this version?"),
        (413, _) => "That is more than the server takes in one request (1 MiB; 64 MiB for an import).".to_owned(),
        (429, "too-many-sign-ins") => format!(
            "Too many failed sign-ins for this account or from this computer; {}.",
            wait()
        ),
        (429, _) => format!("The server is getting more requests from this device than it takes; {}.", wait()),
        (422, _) if !problem.errors.is_empty() => fields(&problem.errors, &say),
        (500, _) => "The server failed on this request (a fault it has logged for its operator); try again, and tell the operator if it keeps happening.".to_owned(),
        (503, "timeout") => "The server took too long to answer; try again in a moment.".to_owned(),
        (503, _) => "The server cannot reach its database just now; try again in a moment.".to_owned(),
        (status, _) if problem.detail.is_empty() => format!(
            "The server answered {status} {} without saying why; is it a HyperFocus server?",
            problem.title
        ),
        _ => sentence(&say(&problem.detail)),
    }
}

/// "There is no session 41 in your account": the id is the one typed.
fn not_found(path: &str) -> String {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let named = |noun: &str, id: &str| format!("There is no {noun} {id} in your account.");
    match parts.as_slice() {
        ["sessions", id, ..] if id.parse::<i64>().is_ok() => {
            format!(
                "{} `hyperfocus sessions` lists yours.",
                named("session", id)
            )
        }
        ["interruptions", id, ..] if id.parse::<i64>().is_ok() => format!(
            "{} `hyperfocus sessions --interruptions` lists yours.",
            named("interruption", id)
        ),
        ["interruptions", "session", id] => {
            format!(
                "{} `hyperfocus sessions` lists yours.",
                named("session", id)
            )
        }
        ["users", _, "goals", id, ..] => {
            format!("{} `hyperfocus goals` lists yours.", named("goal", id))
        }
        ["users", _, "webhooks", id, "deliveries", delivery, ..] => format!(
            "There is no delivery {delivery} of webhook {id}; `hyperfocus webhooks deliveries {id}` lists them."
        ),
        ["users", _, "webhooks", id, ..] => {
            format!(
                "{} `hyperfocus webhooks` lists yours.",
                named("webhook", id)
            )
        }
        ["users", ..] => {
            "Your account is not on this server any more; sign in again with `hyperfocus login`."
                .to_owned()
        }
        _ => "The server has no such thing; is it a HyperFocus server of this version?".to_owned(),
    }
}

/// A 422's fields, each as a sentence of its own: "The end must be after
/// the start (09:02)."
fn fields(errors: &[FieldProblem], say: &dyn Fn(&str) -> String) -> String {
    errors
        .iter()
        .map(|error| {
            let message = say(&error.message);
            // "`session.began` is not an event" names itself.
            if message.starts_with('`') && QUOTED_IS.is_match(&message) {
                return sentence(&message);
            }
            sentence(&format!("{} {message}", field_words(&error.field)))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a person calls a field: `end_time` is "The end", `description`
/// "The note" (the client's word for it), an import's `line 3: start_time`
/// "Line 3, the start".
pub fn field_words(field: &str) -> String {
    if let Some((line, inner)) = field.split_once(": ") {
        return format!(
            "{}, {}",
            capitalised(line),
            lower_first(&field_words(inner))
        );
    }
    let words = match field {
        "start_time" => "The start",
        "end_time" => "The end",
        "description" | "note" => "The note",
        "type" => "The type",
        "session_id" => "The session",
        "user_id" => "The account",
        "timezone" | "tz" => "The time zone",
        "name" => "The name",
        "email" => "The email",
        "password" => "The password",
        "target" => "The target",
        "metric" => "The measure",
        "comparison" => "The comparison",
        "period" => "The period",
        "rest_days" => "The rest days",
        "count_empty_days" => "Counting empty days",
        "url" => "The address",
        "events" => "The events",
        "from" => "The start of the window (--from)",
        "to" => "The end of the window (--to)",
        "range" => "The range (--range)",
        "week_start" => "The first day of the week",
        "day_start" => "The start of the day",
        "body" => "What was sent",
        other => return capitalised(&other.replace('_', " ")),
    };
    words.to_owned()
}

static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
        .expect("a valid pattern")
});
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:with )?(?:GET|POST|PATCH|PUT|DELETE) ((?:…)?/[\w/{}.…-]*[\w}])")
        .expect("a valid pattern")
});
static QUOTED_IS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^`[^`]*` is ").expect("a valid pattern"));
static FLAG_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*\((?:see|was|several)[^)]*--[a-z][^)]*\)|\s*\(see the RateLimit-\* headers\)|\s*\(id \d+\)")
        .expect("a valid pattern")
});
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:(the |session's |its |this session's )?(start_time|end_time|session_id|user_id|description)|(focus_score|effective_seconds|worked_seconds|deep_work_blocks|urgent_task)|`(from|to)`)\b")
        .expect("a valid pattern")
});

/// Server text rewritten for people: UTC times in the account's zone,
/// endpoints as the commands that do the same, field and metric names as
/// words, notes about server flags and headers left out.
pub fn humanize(text: &str, zone: &TimeZone, now: Timestamp) -> String {
    let text = TIMESTAMP.replace_all(text, |found: &Captures<'_>| {
        found[0]
            .parse::<Timestamp>()
            .map(|at| moment(at, zone, now))
            .unwrap_or_else(|_| found[0].to_owned())
    });
    let text = ENDPOINT.replace_all(&text, |found: &Captures<'_>| {
        let path = &found[1];
        let command = if path.starts_with("/sessions/") && path.ends_with("/end") {
            "`hyperfocus end`"
        } else if path.starts_with("/interruptions/") && path.ends_with("/end") {
            "`hyperfocus resume`"
        } else if path.ends_with("rotate-secret") {
            "`hyperfocus webhooks rotate-secret`"
        } else {
            return String::new();
        };
        format!("with {command}")
    });
    let text = FLAG_NOTE.replace_all(&text, "");
    let text = FIELD.replace_all(&text, |found: &Captures<'_>| {
        if let Some(field) = found.get(2) {
            let noun = match field.as_str() {
                "start_time" => "start",
                "end_time" => "end",
                "session_id" => "session",
                "user_id" => "account",
                _ => "note",
            };
            return match found.get(1).map(|m| m.as_str()) {
                Some(owner @ ("session's " | "its " | "this session's ")) => {
                    format!("{owner}{noun}")
                }
                _ => format!("the {noun}"),
            };
        }
        if let Some(metric) = found.get(3) {
            return match metric.as_str() {
                "focus_score" => "focus score",
                "effective_seconds" => "effective focus",
                "worked_seconds" => "time worked",
                "deep_work_blocks" => "deep-work blocks",
                _ => "urgent task",
            }
            .to_owned();
        }
        format!("--{}", &found[4])
    });
    text.replace("  ", " ")
        .replace(" ;", ";")
        .replace(" .", ".")
}

/// `text` as a sentence: a capital first, a full stop last.
fn sentence(text: &str) -> String {
    let text = capitalised(text.trim());
    if text.ends_with(['.', '!', '?']) {
        text
    } else {
        format!("{text}.")
    }
}

fn capitalised(text: &str) -> String {
    let mut letters = text.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

fn lower_first(text: &str) -> String {
    let mut letters = text.chars();
    letters
        .next()
        .map(|first| first.to_lowercase().chain(letters).collect())
        .unwrap_or_default()
}

/// "40 s", "2 min", "1 h 5 min": a wait to read at a glance.
fn seconds_in_words(seconds: u64) -> String {
    match seconds {
        0..=89 => format!("{} s", seconds.max(1)),
        90..=5399 => format!("{} min", seconds.div_ceil(60)),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn madrid() -> TimeZone {
        TimeZone::get("Europe/Madrid").unwrap()
    }

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn problem_of(status: u16, kind: &str, detail: &str, errors: &[(&str, &str)]) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            status,
            title: String::new(),
            detail: detail.into(),
            errors: errors
                .iter()
                .map(|(field, message)| FieldProblem {
                    field: (*field).into(),
                    message: (*message).into(),
                })
                .collect(),
            asked: ("POST".into(), "/sessions/9/end".into()),
            retry_after: Some(42),
            zone: Some(madrid()),
        }
    }

    #[test]
    fn server_text_loses_utc_fields_paths_and_flags() {
        let now = at("2026-12-02T15:00:00Z");
        assert_eq!(
            humanize(
                "must be after the session's start_time (2026-12-02T08:02:00Z)",
                &madrid(),
                now
            ),
            "must be after the session's start (09:02)"
        );
        assert_eq!(
            humanize(
                "session 9 is still active; end it with POST /sessions/9/end, then correct its end_time",
                &madrid(),
                now
            ),
            "session 9 is still active; end it with `hyperfocus end`, then correct its end"
        );
        assert_eq!(
            humanize(
                "10.0.0.1 is a private address; webhooks go to public addresses only (see --webhook-allow-networks)",
                &madrid(),
                now
            ),
            "10.0.0.1 is a private address; webhooks go to public addresses only"
        );
        assert_eq!(
            humanize(
                "must be 0 to 100 for focus_score per day (got 101), from 2026-11-30T23:00:00Z",
                &madrid(),
                now
            ),
            "must be 0 to 100 for focus score per day (got 101), from Tue 1 Dec 00:00"
        );
    }

    #[test]
    fn each_field_is_a_sentence_in_the_persons_words() {
        let refused = problem_of(
            422,
            "validation-error",
            "2 fields are invalid; see errors",
            &[
                (
                    "end_time",
                    "must be after start_time (2026-12-02T08:02:00Z)",
                ),
                ("description", "is longer than 500 characters"),
            ],
        );
        let said = problem(&refused);
        assert!(!said.contains("Z)") && !said.contains("_time") && !said.contains("description"));
        assert!(
            said.starts_with("The end must be after the start ("),
            "{said}"
        );
        assert!(
            said.ends_with("\nThe note is longer than 500 characters."),
            "{said}"
        );
        assert_eq!(field_words("line 3: start_time"), "Line 3, the start");
    }

    #[test]
    fn statuses_say_what_to_do() {
        let limited = problem_of(
            429,
            "too-many-requests",
            "too many requests from this client; retry in 42 s (see the RateLimit-* headers)",
            &[],
        );
        assert_eq!(
            problem(&limited),
            "The server is getting more requests from this device than it takes; try again in 42 s."
        );
        let mut gone = problem_of(404, "not-found", "session 41 not found", &[]);
        gone.asked = ("GET".into(), "/sessions/41".into());
        assert_eq!(
            problem(&gone),
            "There is no session 41 in your account. `hyperfocus sessions` lists yours."
        );
        let revoked = problem_of(401, "unauthorized", "missing or invalid bearer token", &[]);
        assert!(problem(&revoked).ends_with("Sign in again with `hyperfocus login`."));
        let state = problem_of(
            400,
            "invalid-state",
            "interruption 7 already ended at 2026-12-02T08:02:00Z",
            &[],
        );
        assert!(!problem(&state).contains('Z'), "{}", problem(&state));
    }
}
