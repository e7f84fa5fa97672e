//! People who log focus sessions.

use jiff::Timestamp;

use super::{
    FieldError, RuleViolation, Validator,
    days::{DaySettings, DayStart, WeekStart},
    quote,
    time::TimeZoneName,
};

/// Longest accepted name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest accepted email address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A display name: 1 to 100 characters once surrounding spaces are trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    /// Trims and checks the length.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(FieldError::new(
                "name",
                format!(
                    "must be 1 to {MAX_NAME_CHARS} characters after trimming spaces (got {chars})"
                ),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The trimmed name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address as the user wrote it, unique regardless of letter case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks the address's syntax (RFC 5322 addr-spec with a dotted domain).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let has_dotted_domain = trimmed
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if trimmed.chars().count() > MAX_EMAIL_CHARS
            || !has_dotted_domain
            || !email_address::EmailAddress::is_valid(trimmed)
        {
            return Err(FieldError::new(
                "email",
                format!(
                    "{} is not a valid email address, e.g. victor@example.com",
                    quote(raw)
                ),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that uniqueness is checked on: the lower-cased address.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// The conflict of a registration whose email is taken, the same on both
/// backends.
pub fn duplicate_email(email: &Email) -> RuleViolation {
    RuleViolation::Conflict(format!(
        "a user with the email {} already exists (emails are compared ignoring case)",
        email.as_str()
    ))
}

/// A registration that passed validation.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Display name.
    pub name: UserName,
    /// Contact and login address.
    pub email: Email,
    /// The zone that reports and day filters use by default.
    pub timezone: TimeZoneName,
}

impl NewUser {
    /// Validates every field at once, so a client sees all problems together.
    pub fn parse(name: &str, email: &str, timezone: Option<&str>) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let name = v.check(UserName::parse(name));
        let email = v.check(Email::parse(email));
        let timezone = match timezone {
            Some(raw) => v.check(TimeZoneName::parse("timezone", raw)),
            None => Some(TimeZoneName::default()),
        };
        v.finish()?;
        match (name, email, timezone) {
            (Some(name), Some(email), Some(timezone)) => Ok(Self {
                name,
                email,
                timezone,
            }),
            _ => unreachable!("the validator reports any missing field"),
        }
    }
}

/// The changes a user may make to their profile.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// A new display name.
    pub name: Option<UserName>,
    /// A new default time zone.
    pub timezone: Option<TimeZoneName>,
    /// A new first day of the week.
    pub week_start: Option<WeekStart>,
    /// A new start of the day.
    pub day_start: Option<DayStart>,
}

/// A profile change as sent, each field optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawUserPatch<'a> {
    /// Display name.
    pub name: Option<&'a str>,
    /// IANA zone.
    pub timezone: Option<&'a str>,
    /// Weekday name.
    pub week_start: Option<&'a str>,
    /// `HH:MM`.
    pub day_start: Option<&'a str>,
}

impl UserPatch {
    /// Validates whichever fields are present.
    pub fn parse(raw: RawUserPatch<'_>) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let name = raw.name.and_then(|r| v.check(UserName::parse(r)));
        let timezone = raw
            .timezone
            .and_then(|r| v.check(TimeZoneName::parse("timezone", r)));
        let week_start = raw
            .week_start
            .and_then(|r| v.check(WeekStart::parse("week_start", r)));
        let day_start = raw
            .day_start
            .and_then(|r| v.check(DayStart::parse("day_start", r)));
        v.finish()?;
        Ok(Self {
            name,
            timezone,
            week_start,
            day_start,
        })
    }
}

/// A stored user, without any credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Positive id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Address as written.
    pub email: String,
    /// IANA zone name.
    pub timezone: String,
    /// Where their weeks and days begin.
    pub days: DaySettings,
    /// When the account was made.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(UserName::parse("  Victor ").unwrap().as_str(), "Victor");
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse(&"é".repeat(100)).is_ok());
        assert!(UserName::parse(&"é".repeat(101)).is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse("Victor@Example.com").unwrap().key(),
            "victor@example.com"
        );
        for bad in [
            "victor",
            "victor@",
            "@example.com",
            "victor@example",
            "a b@example.com",
            "",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn registration_reports_every_bad_field() {
        let Err(RuleViolation::Invalid(errors)) = NewUser::parse("", "nope", Some("Nowhere/City"))
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "timezone"]);
    }

    #[test]
    fn the_timezone_defaults_to_utc() {
        let user = NewUser::parse("Ana", "ana@example.com", None).unwrap();
        assert_eq!(user.timezone.as_str(), "UTC");
    }
}
