//! Identifier codes for the chengxin public credit information platform.
//!
//! Pure functions only: no I/O, no clock, no network. The region table is embedded at
//! compile time (`data/regions.tsv`, see `data/README.md`).
//!
//! | code | standard | entry point |
//! |---|---|---|
//! | 统一社会信用代码 (USCC, 18 chars) | **GB 32100-2015** 《法人和其他组织统一社会信用代码编码规则》 with **第1号修改单** (2016-04-18) | [`validate_uscc`], [`is_valid_uscc`] |
//! | 组织机构代码 (9 chars) | **GB 11714-1997** 《全国组织机构代码编制规则》 | [`validate_org_code`] |
//! | 工商注册号 (15 digits) | **GS 15-2006** 《工商行政管理市场主体注册号编制规则》, check per **ISO 7064 MOD 11,10** (GB/T 17710) | [`validate_reg_no`] |
//! | 公民身份号码 (18 chars) | **GB 11643-1999** 《公民身份号码》, check per **ISO 7064 MOD 11-2** | [`validate_citizen_id`] |
//! | 行政区划代码 (6 digits) | **GB/T 2260** (民政部 code lists, current and retired) | [`region`] |
//!
//! Every validator takes raw input, applies [`normalize`] and returns either the parsed
//! value or the *first* [`CodeError`], which names the rule ([`Rule`]), the 1-based position
//! in the normalised string and what was expected.
//!
//! [`check`] is the one-call entry point used by `chengxin codes check`: it auto-detects the
//! kind and returns a serialisable [`CheckOutcome`].
//!
//! ```
//! use chengxin_codes::{check, validate_uscc, CodeKind, Rule};
//! use chrono::NaiveDate;
//!
//! let u = validate_uscc("９１３５０１００ｍ０００１００ｙ４３").unwrap();
//! assert_eq!(u.as_str(), "91350100M000100Y43");
//! assert_eq!(u.registration_authority(), ('9', "工商"));
//! assert_eq!(u.institution_category(), "企业");
//!
//! let e = validate_uscc("91310115MA1G4L1WXK").unwrap_err();
//! assert_eq!((e.rule, e.position), (Rule::CheckCharacter, Some(18)));
//! assert_eq!(e.to_string(), "position 18: expected check character 7, found K");
//!
//! let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
//! let out = check("11010519491231002X", None, today);
//! assert_eq!((out.kind, out.valid), (Some(CodeKind::CitizenId), true));
//! ```
//!
//! [`mask`] masks personal identifiers for public output; [`generate`] (alias `r#gen`) generates valid codes
//! deterministically for demos and tests.

mod citizen;
mod error;
pub mod generate;
mod kind;
pub mod mask;
mod normalize;
mod org;
pub mod region;
mod regno;
mod tables;
mod uscc;

/// Alias of [`generate`] under the name `gen` (a reserved word in edition 2024, so it is
/// spelled `chengxin_codes::r#gen`).
pub use generate as r#gen;

use chrono::NaiveDate;
use serde::Serialize;

pub use citizen::{CitizenId, validate_citizen_id};
pub use error::{CodeError, Rule};
pub use kind::{CodeKind, ParseCodeKindError};
pub use normalize::normalize;
pub use org::{OrgCode, validate_org_code};
pub use regno::{RegNo, validate_reg_no};
pub use uscc::{Uscc, is_valid_uscc, validate_uscc};

/// Result of [`check`]: what `chengxin codes check` prints, one JSON object per line.
///
/// `input` and `normalized` are *not* masked: this is an operator tool. Mask citizen IDs
/// with [`mask::citizen_id`] before putting an outcome in any public output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CheckOutcome {
    /// The input exactly as given.
    pub input: String,
    /// The kind that was checked: the requested one, or the detected one. `None` only when
    /// auto-detection found no kind with the input's length (the error then has rule
    /// `length` or `empty`, reported against [`CodeKind::Uscc`]).
    pub kind: Option<CodeKind>,
    /// Whether the input is a valid code of `kind`.
    pub valid: bool,
    /// The normalised form of `input` (see [`normalize`]).
    pub normalized: String,
    /// The first rule violated, or `None` when valid.
    pub error: Option<CodeError>,
    /// When valid: the other kind the same 18 characters are also valid as. About 1 in 340
    /// citizen IDs also pass every USCC rule (`131101198001011253`); such a string may name a
    /// person, and is treated as personal data wherever that matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_valid_as: Option<CodeKind>,
}

/// Validate `input` as `kind`, or auto-detect the kind when `kind` is `None`.
///
/// Auto-detection works on the normalised length:
/// * 18 → USCC if it validates as one, else citizen ID if it validates as one; if it is
///   neither, a citizen ID is assumed when the shape fits (17 digits + digit/`X` and
///   positions 7–14 form a calendar date from 1850 on), otherwise a USCC, and that kind's
///   error is reported;
/// * 15 → registration number; 9 → organisation code;
/// * anything else → not detected (`kind: None`, error rule `length`, or `empty`).
///
/// `today` is only used for the citizen-ID "birth date not in the future" rule.
pub fn check(input: &str, kind: Option<CodeKind>, today: NaiveDate) -> CheckOutcome {
    let normalized = normalize(input);
    let (kind, error) = match kind {
        Some(k) => (Some(k), validate_as(k, input, today)),
        None => detect(&normalized, input, today),
    };
    let also_valid_as = match (kind, error.is_none()) {
        (Some(CodeKind::Uscc), true) if validate_citizen_id(input, today).is_ok() => {
            Some(CodeKind::CitizenId)
        }
        (Some(CodeKind::CitizenId), true) if validate_uscc(input).is_ok() => Some(CodeKind::Uscc),
        _ => None,
    };
    CheckOutcome {
        input: input.to_owned(),
        kind,
        valid: error.is_none(),
        normalized: normalized.into_owned(),
        error,
        also_valid_as,
    }
}

fn validate_as(kind: CodeKind, input: &str, today: NaiveDate) -> Option<CodeError> {
    match kind {
        CodeKind::Uscc => validate_uscc(input).err(),
        CodeKind::Org => validate_org_code(input).err(),
        CodeKind::Regno => validate_reg_no(input).err(),
        CodeKind::CitizenId => validate_citizen_id(input, today).err(),
    }
}

fn detect(
    normalized: &str,
    input: &str,
    today: NaiveDate,
) -> (Option<CodeKind>, Option<CodeError>) {
    match normalized.chars().count() {
        0 => (
            None,
            Some(CodeError::new(
                CodeKind::Uscc,
                Rule::Empty,
                None,
                "empty: no code given (the input is empty after normalisation)".to_owned(),
            )),
        ),
        18 => {
            let uscc_err = match validate_uscc(input) {
                Ok(_) => return (Some(CodeKind::Uscc), None),
                Err(e) => e,
            };
            let id_err = match validate_citizen_id(input, today) {
                Ok(_) => return (Some(CodeKind::CitizenId), None),
                Err(e) => e,
            };
            if citizen::plausible_shape(normalized.as_bytes()) {
                (Some(CodeKind::CitizenId), Some(id_err))
            } else {
                (Some(CodeKind::Uscc), Some(uscc_err))
            }
        }
        15 => (Some(CodeKind::Regno), validate_reg_no(input).err()),
        9 => (Some(CodeKind::Org), validate_org_code(input).err()),
        n => (
            None,
            Some(CodeError::new(
                CodeKind::Uscc,
                Rule::Length,
                None,
                format!(
                    "length: no known code kind has {n} characters (USCC and citizen ID 18, \
                     registration number 15, organisation code 9)"
                ),
            )),
        ),
    }
}

/// The organisation-code part of a tax registration number (税务登记号 / 纳税人识别号), if its
/// shape fits.
///
/// * 15 characters: the pre-2015 number = 6-digit region code + 9-character GB 11714
///   organisation code; returns characters 7–15 when those form a valid organisation code
///   (8 × `[0-9A-Z]` + check character that passes GB 11714).
/// * 18 characters: since 2015 the tax number *is* the USCC; returns positions 9–17 when it is
///   a valid USCC.
///
/// Returns `None` for anything else (including 20-character individual tax numbers). The
/// input is only trimmed, not normalised: pass it through [`normalize`] first if it may
/// contain lower case, full-width characters or separators.
///
/// Source: old tax number = region + org code (standards.md §2d, secondary); the org code is
/// kept as USCC positions 9–17 (GB 32100-2015 §4.2.4).
pub fn org_code_of_tax_no(tax_no: &str) -> Option<&str> {
    let s = tax_no.trim();
    let b = s.as_bytes();
    match b.len() {
        15 if b[..6].iter().all(u8::is_ascii_digit) && org::is_valid_org_bytes(&b[6..]) => {
            s.get(6..)
        }
        18 if is_valid_uscc(b) => s.get(8..17),
        _ => None,
    }
}

/// Whether a legacy identifier maps onto `uscc` by the GB 32100 rule "positions 9–17 are the
/// organisation code": `legacy` may be an organisation code (any form [`normalize`] accepts,
/// e.g. `70846113-6`) or a 15-character tax registration number. 15-digit registration
/// numbers (工商注册号) have no algorithmic mapping and always return `false`.
pub fn legacy_matches_uscc(legacy: &str, uscc: &Uscc) -> bool {
    let n = normalize(legacy);
    match n.len() {
        9 => org::is_valid_org_bytes(n.as_bytes()) && n.as_ref() == uscc.org_code(),
        15 => org_code_of_tax_no(&n) == Some(uscc.org_code()),
        _ => false,
    }
}

/// Whether `s` is 18 characters, 17 digits and then their ISO 7064 MOD 11-2 check character
/// (the check of GB 11643-1999, also used by numbers built like a citizen ID, such as the 2023
/// 外国人永久居留身份证). Nothing else about the number is checked.
pub fn has_mod11_2_check(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && tables::mod11_2_check(&b[..17].iter().map(|d| d - b'0').collect::<Vec<_>>()) == b[17]
}

#[cfg(test)]
mod tests;
