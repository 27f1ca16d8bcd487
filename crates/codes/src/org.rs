//! 组织机构代码 — GB 11714-1997 全国组织机构代码编制规则.

use std::fmt;
use std::str::FromStr;

use crate::tables::{NONE, ORG_VALUE, org_check_char};
use crate::{CodeError, CodeKind, Rule, normalize};

const KIND: CodeKind = CodeKind::Org;

/// A valid organisation code (组织机构代码), 9 characters without the display hyphen.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgCode([u8; 9]);

impl OrgCode {
    pub(crate) fn from_valid_bytes(b: [u8; 9]) -> Self {
        OrgCode(b)
    }

    /// The 9-character machine form (`708461136`).
    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The display form with hyphen (`70846113-6`).
    pub fn display_form(&self) -> String {
        let s = self.as_str();
        format!(
            "{}-{}",
            s.get(..8).unwrap_or_default(),
            s.get(8..).unwrap_or_default()
        )
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgCode({:?})", self.as_str())
    }
}

impl AsRef<str> for OrgCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for OrgCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        validate_org_code(s)
    }
}

impl serde::Serialize for OrgCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for OrgCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        validate_org_code(&s).map_err(serde::de::Error::custom)
    }
}

/// Whether 9 normal-form bytes are a valid organisation code (charset + check + not
/// reserved).
pub(crate) fn is_valid_org_bytes(b: &[u8]) -> bool {
    b.len() == 9
        && b[..8].iter().all(|c| ORG_VALUE[usize::from(*c)] != NONE)
        && org_check_char(&b[..8]) == b[8]
        && b[..3] != *b"PDY"
}

/// Validate an organisation code (GB 11714-1997).
///
/// Accepts the display form `XXXXXXXX-X` (normalisation drops the hyphen). Rules, in order:
/// 1. `empty`, `length` (9 characters: 8 body + 1 check);
/// 2. `charset`: body characters are digits or upper-case letters (all 26, 附录A), the check
///    character is a digit or `X`;
/// 3. `check_character`: weights 3,7,9,10,5,8,4,2; C9 = 11 − (Σ mod 11), 10 → X, 11 → 0;
/// 4. `reserved_org_code`: `PDY00001`–`PDY99999` is the custom range (自定义区), reserved for
///    system-internal use and not valid for exchange between systems.
pub fn validate_org_code(input: &str) -> Result<OrgCode, CodeError> {
    let s = normalize(input);
    let count = s.chars().count();
    if count == 0 {
        return Err(CodeError::empty(KIND));
    }
    if count != 9 {
        return Err(CodeError::length(
            KIND,
            "9 characters (8 + check character; display form XXXXXXXX-X)",
            count,
        ));
    }
    for (i, c) in s.chars().enumerate() {
        let ok = if i < 8 {
            c.is_ascii_digit() || c.is_ascii_uppercase()
        } else {
            c.is_ascii_digit() || c == 'X'
        };
        if !ok {
            let what = if i < 8 {
                "is not a digit or upper-case letter (positions 1-8 of an organisation code)"
            } else {
                "is not a valid check character (digit or X)"
            };
            return Err(CodeError::new(
                KIND,
                Rule::Charset,
                Some(i + 1),
                format!("position {}: {c:?} {what}", i + 1),
            ));
        }
    }
    let b = s.as_bytes();
    let expected = org_check_char(&b[..8]);
    if expected != b[8] {
        return Err(CodeError::check_character(
            KIND,
            9,
            char::from(expected),
            char::from(b[8]),
        ));
    }
    if b[..3] == *b"PDY" {
        return Err(CodeError::new(
            KIND,
            Rule::ReservedOrgCode,
            Some(1),
            format!(
                "positions 1-8: {s} is in the GB 11714 custom range PDY00001-PDY99999, which \
                 is not valid for exchange"
            ),
        ));
    }
    let mut out = [0u8; 9];
    out.copy_from_slice(b);
    Ok(OrgCode(out))
}
