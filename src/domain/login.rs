//! Throttling of password guesses: failed sign-ins are counted per account
//! and per client address over a sliding window, and past a limit further
//! attempts are refused without even checking the password.
//!
//! Counting by account stops a guesser aimed at one person from any number
//! of addresses; counting by address stops one host from trying many
//! accounts. Accounts are counted by the lower-cased email whether or not it
//! has an account, so that being throttled reveals nothing.
//!
//! Registrations are throttled the same way, by address: a registration
//! refused because the email already has an account tells the asker that
//! it does (the contract fixes that 409), so past a few such refusals an
//! address may not register for a while, whichever email it sends next.

use jiff::Timestamp;

/// How far back failures count.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures one account may see in the window; the next attempt is refused.
pub const ACCOUNT_LIMIT: u32 = 5;
/// Failures one address may cause in the window; the next attempt is refused.
pub const ADDRESS_LIMIT: u32 = 20;

/// Registrations refused because the email was taken that one address may
/// cause in the window; its next registration is refused, whatever the
/// email. A person mistyping or forgetting they signed up meets one or two;
/// a list of emails probed for accounts meets this after ten.
pub const REGISTRATION_LIMIT: u32 = 10;

/// Failed sign-ins in the window, of an account or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// How many.
    pub count: u32,
    /// When the oldest of them happened.
    pub oldest: Option<Timestamp>,
}

/// The start of the window that counts at `now`.
pub fn window_start(now: Timestamp) -> Timestamp {
    Timestamp::from_second(now.as_second() - WINDOW_SECONDS).unwrap_or(Timestamp::MIN)
}

/// Seconds from `now` until the oldest of `failures` leaves the window (at
/// least 1).
fn wait(failures: Failures, now: Timestamp) -> u64 {
    let oldest = failures.oldest.map_or(now.as_second(), |t| t.as_second());
    u64::try_from(oldest + WINDOW_SECONDS - now.as_second())
        .unwrap_or(0)
        .max(1)
}

/// `Ok` when an address that saw `refusals` may register at `now`;
/// otherwise the seconds to wait until the oldest leaves the window.
pub fn admit_registration(refusals: Failures, now: Timestamp) -> Result<(), u64> {
    if refusals.count >= REGISTRATION_LIMIT {
        return Err(wait(refusals, now));
    }
    Ok(())
}

/// `Ok` when a sign-in may be tried at `now`; otherwise the seconds to wait
/// until the oldest counted failure leaves the window (at least 1).
pub fn admit(account: Failures, address: Failures, now: Timestamp) -> Result<(), u64> {
    let wait = |failures: Failures| wait(failures, now);
    let mut retry_after = None;
    if account.count >= ACCOUNT_LIMIT {
        retry_after = Some(wait(account));
    }
    if address.count >= ADDRESS_LIMIT {
        retry_after = Some(retry_after.unwrap_or(0).max(wait(address)));
    }
    retry_after.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    fn failures(count: u32, oldest: i64) -> Failures {
        Failures {
            count,
            oldest: Some(at(oldest)),
        }
    }

    #[test]
    fn five_failures_of_one_account_refuse_the_sixth_attempt() {
        let now = at(10_000);
        assert_eq!(admit(failures(4, 9_500), Failures::default(), now), Ok(()));
        // The oldest failure leaves the window 900 s after it happened.
        assert_eq!(
            admit(failures(5, 9_500), Failures::default(), now),
            Err(400)
        );
        assert_eq!(admit(failures(5, 9_100), Failures::default(), now), Err(1));
    }

    #[test]
    fn twenty_failures_from_one_address_refuse_the_next() {
        let now = at(10_000);
        assert_eq!(admit(Failures::default(), failures(19, 9_000), now), Ok(()));
        assert_eq!(
            admit(Failures::default(), failures(20, 9_800), now),
            Err(700)
        );
        // Both: the longer wait.
        assert_eq!(
            admit(failures(5, 9_200), failures(20, 9_800), now),
            Err(700)
        );
        assert_eq!(
            admit(failures(5, 9_900), failures(20, 9_800), now),
            Err(800)
        );
    }

    #[test]
    fn ten_refused_registrations_from_one_address_refuse_the_next() {
        let now = at(10_000);
        assert_eq!(admit_registration(failures(9, 9_500), now), Ok(()));
        assert_eq!(admit_registration(failures(10, 9_500), now), Err(400));
        assert_eq!(admit_registration(Failures::default(), now), Ok(()));
    }

    #[test]
    fn the_window_is_fifteen_minutes() {
        assert_eq!(window_start(at(10_000)), at(9_100));
    }
}
