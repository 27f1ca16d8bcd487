use std::fmt;

use crate::CodeKind;

/// A validation failure: which kind was checked, which rule failed, where, and a specific
/// human-readable message (position, rule, expected value, found value).
///
/// Positions are 1-based character positions in the **normalised** input (see
/// [`crate::normalize`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{message}")]
pub struct CodeError {
    /// The kind the input was validated as.
    pub kind: CodeKind,
    /// The rule that failed.
    pub rule: Rule,
    /// 1-based position of the offending character (the first one of a field), if any.
    pub position: Option<usize>,
    /// Specific explanation, e.g. `position 18: expected check character 3, found Z`.
    pub message: String,
}

impl CodeError {
    pub(crate) fn new(
        kind: CodeKind,
        rule: Rule,
        position: Option<usize>,
        message: String,
    ) -> Self {
        CodeError {
            kind,
            rule,
            position,
            message,
        }
    }

    /// What is wrong, in Chinese: the kind, the rule and the position
    /// (`统一社会信用代码的校验码有误（第 18 位）`).
    pub fn message_zh(&self) -> String {
        let at = self
            .position
            .map(|p| format!("（第 {p} 位）"))
            .unwrap_or_default();
        format!("{}的{}有误{at}", self.kind.label_zh(), self.rule.label_zh())
    }

    pub(crate) fn empty(kind: CodeKind) -> Self {
        CodeError::new(
            kind,
            Rule::Empty,
            None,
            format!(
                "empty: no {} given (the input is empty after normalisation)",
                kind.label_en()
            ),
        )
    }

    pub(crate) fn length(kind: CodeKind, expected: &str, found: usize) -> Self {
        let article = match kind {
            CodeKind::Org => "an",
            _ => "a",
        };
        CodeError::new(
            kind,
            Rule::Length,
            None,
            format!(
                "length: {article} {} has {expected}, found {found}",
                kind.label_en()
            ),
        )
    }

    pub(crate) fn check_character(
        kind: CodeKind,
        position: usize,
        expected: char,
        found: char,
    ) -> Self {
        CodeError::new(
            kind,
            Rule::CheckCharacter,
            Some(position),
            format!("position {position}: expected check character {expected}, found {found}"),
        )
    }

    pub(crate) fn region(kind: CodeKind, first: usize, code: &str) -> Self {
        CodeError::new(
            kind,
            Rule::RegionCode,
            Some(first),
            format!(
                "positions {first}-{}: {code} is not a known GB/T 2260 region code",
                first + 5
            ),
        )
    }
}

/// Stable, machine-readable rule identifiers (serialised in `snake_case`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Nothing left after normalisation.
    Empty,
    /// Wrong number of characters.
    Length,
    /// A character outside the code's character set (or a letter where digits are required).
    Charset,
    /// The code's own check character does not match.
    CheckCharacter,
    /// USCC position 1 is not a 登记管理部门代码 of GB 32100-2015 第1号修改单.
    RegistrationAuthority,
    /// USCC position 2 is not a 机构类别代码 of the registration authority.
    InstitutionCategory,
    /// A region-code field is not a known GB/T 2260 code (current or retired).
    RegionCode,
    /// USCC positions 9–17 are not a valid GB 11714 organisation code.
    EmbeddedOrgCode,
    /// GB 11714 custom range (自定义区 `PDY00001`–`PDY99999`), not valid for exchange.
    ReservedOrgCode,
    /// Citizen ID positions 7–14 are not a real birth date (calendar date, year ≥ 1850).
    BirthDate,
    /// Citizen ID birth date is after the reference date.
    FutureBirthDate,
}

impl Rule {
    /// All rules, in declaration order.
    pub const ALL: [Rule; 11] = [
        Rule::Empty,
        Rule::Length,
        Rule::Charset,
        Rule::CheckCharacter,
        Rule::RegistrationAuthority,
        Rule::InstitutionCategory,
        Rule::RegionCode,
        Rule::EmbeddedOrgCode,
        Rule::ReservedOrgCode,
        Rule::BirthDate,
        Rule::FutureBirthDate,
    ];

    /// The stable id, same as the serde name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Rule::Empty => "empty",
            Rule::Length => "length",
            Rule::Charset => "charset",
            Rule::CheckCharacter => "check_character",
            Rule::RegistrationAuthority => "registration_authority",
            Rule::InstitutionCategory => "institution_category",
            Rule::RegionCode => "region_code",
            Rule::EmbeddedOrgCode => "embedded_org_code",
            Rule::ReservedOrgCode => "reserved_org_code",
            Rule::BirthDate => "birth_date",
            Rule::FutureBirthDate => "future_birth_date",
        }
    }

    /// A short Chinese name of the rule, for user interfaces.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Rule::Empty => "空值",
            Rule::Length => "长度",
            Rule::Charset => "字符集",
            Rule::CheckCharacter => "校验码",
            Rule::RegistrationAuthority => "登记管理部门代码",
            Rule::InstitutionCategory => "机构类别代码",
            Rule::RegionCode => "行政区划代码",
            Rule::EmbeddedOrgCode => "主体标识码（组织机构代码）",
            Rule::ReservedOrgCode => "组织机构代码自定义区",
            Rule::BirthDate => "出生日期",
            Rule::FutureBirthDate => "出生日期晚于当前日期",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown rule {s:?}"))
    }
}
