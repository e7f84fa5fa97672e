//! JSON numbers as JSON Schema reads them: `385.0` and `3.85e2` are
//! integers there (a number with a zero fraction), while serde, reading
//! into an integer type, refuses anything written with a fraction or an
//! exponent. Every JSON body the server reads passes through
//! [`whole_numbers`] first, so the schema and the server agree without a
//! helper on every integer field.
//!
//! Written by hand: no crate rewrites number tokens in place, and going
//! through `serde_json::Value` instead would silently accept duplicate
//! keys, which the server refuses.

use std::borrow::Cow;

/// Integers above this many digits fit no integer field; they stay as
/// written, and the field refuses them.
const MAX_DIGITS: usize = 20;

/// `json` with every number that has a zero fraction (`385.0`, `-2.00`,
/// `1.5e2`, `4E0`) written as the integer it is (`385`, `-2`, `150`, `4`).
/// Strings, other numbers and anything that is not JSON are left exactly
/// as they are; without such a number, nothing is copied.
pub fn whole_numbers(json: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < json.len() {
        let byte = json[i];
        if in_string {
            match byte {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = json[i..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(json.len(), |n| i + n);
                if let Some(integer) = integer_of(&json[i..end]) {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
                    out.extend_from_slice(&json[copied..i]);
                    out.extend_from_slice(integer.as_bytes());
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    match out {
        None => Cow::Borrowed(json),
        Some(mut out) => {
            out.extend_from_slice(&json[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The integer a JSON number token with a fraction or an exponent stands
/// for, when it is one and fits 20 digits; `None` for a plain integer, a
/// true fraction, or a token that is not a JSON number.
fn integer_of(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    if fraction.is_none() && exponent.is_none() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(digits)
        && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !well_formed {
        return None;
    }
    let exponent: i64 = match exponent {
        Some(e) => e.strip_prefix('+').unwrap_or(e).parse().ok()?,
        None => 0,
    };
    // The number is `significand × 10^scale`, with no trailing zeros left
    // in the significand, so it is whole exactly when the scale is not
    // negative.
    let fraction = fraction.unwrap_or("");
    let mut significand = format!("{whole}{fraction}");
    let mut scale = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    while scale < 0 && significand.ends_with('0') {
        significand.pop();
        scale += 1;
    }
    let significand = significand.trim_start_matches('0');
    if scale < 0 && !significand.is_empty() {
        return None;
    }
    if significand.is_empty() {
        return Some("0".to_owned());
    }
    let zeros = usize::try_from(scale.max(0)).ok()?;
    if significand.len() + zeros > MAX_DIGITS {
        return None;
    }
    let sign = if negative { "-" } else { "" };
    Some(format!("{sign}{significand}{}", "0".repeat(zeros)))
}

/// A serde message about a number written with a fraction where a whole
/// number belongs (`invalid type: floating point `385.5`, expected i64`),
/// said plainly; other messages as they are.
pub fn explain(message: &str) -> String {
    match message
        .strip_prefix("invalid type: floating point `")
        .and_then(|rest| rest.split_once('`'))
    {
        Some((number, _)) => format!("must be a whole number; {number} has a fraction"),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(json: &str) -> String {
        String::from_utf8(whole_numbers(json.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn numbers_with_a_zero_fraction_become_integers() {
        assert_eq!(
            rewritten(r#"{"target": 385.0, "days": -2.00, "n": [1.5e2, 4E0, 0.0, -0.0e5]}"#),
            r#"{"target": 385, "days": -2, "n": [150, 4, 0, 0]}"#
        );
        assert_eq!(rewritten("1.2300e2"), "123");
        assert_eq!(rewritten("12345678901234567890.0"), "12345678901234567890");
    }

    #[test]
    fn everything_else_is_left_exactly_as_written() {
        for same in [
            r#"{"a": 385, "b": 385.5, "c": 1e-1, "d": 2.5e0, "e": 1e21, "f": 1e999999999999}"#,
            r#"{"note": "385.0 \"2.0\" \\", "n": "1e2"}"#,
            "[01.0, 1., .5, 1.0e, 1.0e+, --1.0, 1.0.0]",
            "",
            "{\"unterminated\": \"3.0",
        ] {
            assert_eq!(rewritten(same), same);
            assert!(matches!(whole_numbers(same.as_bytes()), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_fraction_is_refused_in_plain_words() {
        assert_eq!(
            explain("invalid type: floating point `385.5`, expected i64"),
            "must be a whole number; 385.5 has a fraction"
        );
        assert_eq!(explain("missing field `x`"), "missing field `x`");
    }
}
