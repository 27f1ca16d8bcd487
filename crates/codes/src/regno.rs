//! 工商注册号 — GS 15-2006 工商行政管理市场主体注册号编制规则 (15 digits).

use std::fmt;
use std::str::FromStr;

use crate::tables::{mod11_10_check, parse_digits};
use crate::{CodeError, CodeKind, Rule, normalize, region};

const KIND: CodeKind = CodeKind::Regno;

/// A valid 15-digit registration number (工商注册号).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegNo([u8; 15]);

impl RegNo {
    /// The 15-digit number.
    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Positions 1–6: the first registration authority's code (GB/T 2260, or `100000` for
    /// the national authority).
    pub fn region_code(&self) -> &str {
        self.as_str().get(..6).unwrap_or_default()
    }

    /// The region of positions 1–6 ([`region::NATIONAL`] for `100000`).
    pub fn region(&self) -> Option<&'static region::Region> {
        let code = parse_digits(&self.0[..6])?;
        if code == region::NATIONAL.code {
            Some(&region::NATIONAL)
        } else {
            region::lookup_code(code)
        }
    }

    /// Position 7, the first digit of the sequence number: 0–3 domestic enterprise, 4–5
    /// foreign-invested, 6–9 individual business (GS 15-2006; standards.md §2b, secondary).
    pub fn subject_type_zh(&self) -> &'static str {
        match self.0[6] {
            b'0'..=b'3' => "内资企业",
            b'4' | b'5' => "外商投资企业",
            _ => "个体工商户",
        }
    }
}

impl fmt::Display for RegNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegNo({:?})", self.as_str())
    }
}

impl AsRef<str> for RegNo {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for RegNo {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        validate_reg_no(s)
    }
}

impl serde::Serialize for RegNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RegNo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        validate_reg_no(&s).map_err(serde::de::Error::custom)
    }
}

/// Validate a 15-digit registration number (工商注册号).
///
/// Rules, in order:
/// 1. `empty`, `length` (15 characters; 国发〔2015〕33号: 6 authority + 8 sequence + 1 check);
/// 2. `charset`: digits only;
/// 3. `check_character`: ISO 7064 MOD 11,10 (GB/T 17710) as used by GS 15-2006;
/// 4. `region_code`: positions 1–6 are a known GB/T 2260 code (current or retired) or
///    `100000` (national authority). Numbers issued by development-zone branches with
///    assigned non-GB/T 2260 codes are rejected by this rule.
pub fn validate_reg_no(input: &str) -> Result<RegNo, CodeError> {
    let s = normalize(input);
    let count = s.chars().count();
    if count == 0 {
        return Err(CodeError::empty(KIND));
    }
    if count != 15 {
        return Err(CodeError::length(KIND, "15 digits", count));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(CodeError::new(
            KIND,
            Rule::Charset,
            Some(i + 1),
            format!(
                "position {}: {c:?} is not a digit (a registration number has 15 digits)",
                i + 1
            ),
        ));
    }
    let b = s.as_bytes();
    let mut digits = [0u8; 15];
    for (d, c) in digits.iter_mut().zip(b) {
        *d = c - b'0';
    }
    let expected = mod11_10_check(&digits[..14]);
    if expected != digits[14] {
        return Err(CodeError::check_character(
            KIND,
            15,
            char::from(b'0' + expected),
            char::from(b[14]),
        ));
    }
    let code = parse_digits(&b[..6]).unwrap_or(0);
    if code != region::NATIONAL.code && !region::is_known_code(code) {
        return Err(CodeError::region(KIND, 1, s.get(..6).unwrap_or_default()));
    }
    let mut out = [0u8; 15];
    out.copy_from_slice(b);
    Ok(RegNo(out))
}
