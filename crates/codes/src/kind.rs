use std::fmt;
use std::str::FromStr;

/// The kinds of identifier this crate validates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeKind {
    /// 统一社会信用代码 (GB 32100-2015).
    Uscc,
    /// 组织机构代码 (GB 11714-1997).
    Org,
    /// 工商注册号 (GS 15-2006).
    Regno,
    /// 公民身份号码 (GB 11643-1999).
    CitizenId,
}

impl CodeKind {
    /// All kinds, in declaration order.
    pub const ALL: [CodeKind; 4] = [
        CodeKind::Uscc,
        CodeKind::Org,
        CodeKind::Regno,
        CodeKind::CitizenId,
    ];

    /// The stable machine name: `uscc`, `org`, `regno`, `citizen-id` (same as serde).
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeKind::Uscc => "uscc",
            CodeKind::Org => "org",
            CodeKind::Regno => "regno",
            CodeKind::CitizenId => "citizen-id",
        }
    }

    /// The Chinese name of the code.
    pub fn label_zh(&self) -> &'static str {
        match self {
            CodeKind::Uscc => "统一社会信用代码",
            CodeKind::Org => "组织机构代码",
            CodeKind::Regno => "工商注册号",
            CodeKind::CitizenId => "公民身份号码",
        }
    }

    /// The English name used in messages.
    pub(crate) fn label_en(&self) -> &'static str {
        match self {
            CodeKind::Uscc => "USCC",
            CodeKind::Org => "organisation code",
            CodeKind::Regno => "registration number",
            CodeKind::CitizenId => "citizen ID",
        }
    }
}

impl fmt::Display for CodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned by `CodeKind::from_str` for an unknown name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code kind {0:?} (expected uscc, org, regno or citizen-id)")]
pub struct ParseCodeKindError(pub String);

impl FromStr for CodeKind {
    type Err = ParseCodeKindError;

    /// Accepts exactly the serialised names: `uscc`, `org`, `regno`, `citizen-id`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseCodeKindError(s.to_owned()))
    }
}
