//! 公民身份号码 — GB 11643-1999 (18 characters).

use std::fmt;

use chrono::{Datelike as _, NaiveDate};

use crate::tables::{mod11_2_check, parse_digits};
use crate::{CodeError, CodeKind, Rule, mask, normalize, region};

const KIND: CodeKind = CodeKind::CitizenId;

/// Earliest accepted birth year (the GB 11643 example `440524188001010014` is from 1880).
pub const MIN_BIRTH_YEAR: i32 = 1850;

/// A valid citizen identity number (公民身份号码), also used by the residence permits of
/// Hong Kong, Macao and Taiwan residents (prefixes 810000, 820000, 830000).
///
/// Deliberately **not** `Serialize` and with a masked `Debug`, so that it does not leak into
/// logs or public output by accident; use [`CitizenId::as_str`] where the full number is
/// needed and [`CitizenId::masked`] for display.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CitizenId {
    code: [u8; 18],
    birth: NaiveDate,
}

impl CitizenId {
    /// The full 18-character number (unmasked: handle with care).
    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.code).unwrap_or_default()
    }

    /// Positions 7–14: the date of birth.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// Position 17 (sequence code): odd = male, even = female (GB 11643-1999 §4.4).
    pub fn is_male(&self) -> bool {
        (self.code[16] - b'0') % 2 == 1
    }

    /// Positions 1–6: the address code (GB/T 2260) at first issue.
    pub fn region_code(&self) -> &str {
        self.as_str().get(..6).unwrap_or_default()
    }

    /// The region of positions 1–6 (for `830000`, [`region::TAIWAN_RESIDENCE_PERMIT`]).
    pub fn region(&self) -> Option<&'static region::Region> {
        let code = parse_digits(&self.code[..6])?;
        if code == region::TAIWAN_RESIDENCE_PERMIT.code {
            Some(&region::TAIWAN_RESIDENCE_PERMIT)
        } else {
            region::lookup_code(code)
        }
    }

    /// Whether this is a Hong Kong / Macao / Taiwan residents' residence permit number.
    pub fn is_residence_permit(&self) -> bool {
        matches!(&self.code[..6], b"810000" | b"820000" | b"830000")
    }

    /// Masked form for display (`1101**********002X`), see [`mask::citizen_id`].
    pub fn masked(&self) -> String {
        mask::citizen_id(self.as_str())
    }
}

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({:?})", self.masked())
    }
}

/// Whether 18 normal-form bytes look like a citizen ID (17 digits + digit/X, positions
/// 7–14 a calendar date from 1850 on), regardless of check character and region.
pub(crate) fn plausible_shape(b: &[u8]) -> bool {
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
        && birth_date(&b[6..14]).is_some_and(|d| d.year() >= MIN_BIRTH_YEAR)
}

fn birth_date(b: &[u8]) -> Option<NaiveDate> {
    let y = parse_digits(b.get(..4)?)?;
    let m = parse_digits(b.get(4..6)?)?;
    let d = parse_digits(b.get(6..8)?)?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Validate a citizen identity number (GB 11643-1999).
///
/// Rules, in order:
/// 1. `empty`, `length` (18 characters);
/// 2. `charset`: positions 1–17 digits, position 18 a digit or `X`;
/// 3. `check_character`: ISO 7064 MOD 11-2, weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2,
///    check table `1,0,X,9,8,7,6,5,4,3,2` (GB 11643-1999 表2);
/// 4. `region_code`: positions 1–6 a known GB/T 2260 code (current or retired), including
///    the residence-permit prefixes 810000/820000/830000;
/// 5. `birth_date`: positions 7–14 a real calendar date with year ≥ 1850;
/// 6. `future_birth_date`: not after `today`.
///
/// Not accepted: 15-digit first-generation numbers (GB 11643-1989) and the 2023 foreign
/// permanent-residence ID (prefix 9), whose first six digits are not a region code.
pub fn validate_citizen_id(input: &str, today: NaiveDate) -> Result<CitizenId, CodeError> {
    let s = normalize(input);
    let count = s.chars().count();
    if count == 0 {
        return Err(CodeError::empty(KIND));
    }
    if count != 18 {
        return Err(CodeError::length(KIND, "18 characters", count));
    }
    for (i, c) in s.chars().enumerate() {
        let (ok, what) = if i < 17 {
            (
                c.is_ascii_digit(),
                "is not a digit (positions 1-17 of a citizen ID are digits)",
            )
        } else {
            (
                c.is_ascii_digit() || c == 'X',
                "is not a valid check character (digit or X)",
            )
        };
        if !ok {
            return Err(CodeError::new(
                KIND,
                Rule::Charset,
                Some(i + 1),
                format!("position {}: {c:?} {what}", i + 1),
            ));
        }
    }
    let b = s.as_bytes();
    let mut digits = [0u8; 17];
    for (d, c) in digits.iter_mut().zip(b) {
        *d = c - b'0';
    }
    let expected = mod11_2_check(&digits);
    if expected != b[17] {
        return Err(CodeError::check_character(
            KIND,
            18,
            char::from(expected),
            char::from(b[17]),
        ));
    }
    let code = parse_digits(&b[..6]).unwrap_or(0);
    if code != region::TAIWAN_RESIDENCE_PERMIT.code && !region::is_known_code(code) {
        return Err(CodeError::region(KIND, 1, s.get(..6).unwrap_or_default()));
    }
    let raw_date = s.get(6..14).unwrap_or_default();
    let Some(birth) = birth_date(&b[6..14]) else {
        return Err(CodeError::new(
            KIND,
            Rule::BirthDate,
            Some(7),
            format!("positions 7-14: {raw_date} is not a valid calendar date (YYYYMMDD)"),
        ));
    };
    if birth.year() < MIN_BIRTH_YEAR {
        return Err(CodeError::new(
            KIND,
            Rule::BirthDate,
            Some(7),
            format!(
                "positions 7-14: birth year {} is before {MIN_BIRTH_YEAR}",
                birth.year()
            ),
        ));
    }
    if birth > today {
        return Err(CodeError::new(
            KIND,
            Rule::FutureBirthDate,
            Some(7),
            format!("positions 7-14: birth date {birth} is after the reference date {today}"),
        ));
    }
    let mut code = [0u8; 18];
    code.copy_from_slice(b);
    Ok(CitizenId { code, birth })
}
