//! The catalog's data types: what a catalog file (TOML or JSON) holds.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A versioned catalog (公共信用信息目录): the only way information enters the platform
/// (DESIGN.md principle 1; 国办发〔2020〕49号 (一) 「纳入公共信用信息的具体范围以目录为准」).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Version number, from 1. The store keeps every version; records name the version they
    /// entered under.
    pub version: u32,
    pub title: String,
    pub items: Vec<CatalogItem>,
}

/// One catalog item (目录项): a kind of information, its legal basis, its sharing and
/// disclosure scope, how long it is published and the fields a department reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogItem {
    /// Stable machine code, `[a-z0-9_]+`, e.g. `license`, `penalty`.
    pub code: String,
    /// 信息名称, e.g. 行政许可信息.
    pub name: String,
    /// The catalog category (信息类别) of the 全国公共信用信息基础目录 (standards.md §6),
    /// e.g. 行政管理信息.
    pub category: String,
    /// 纳入依据: citations, e.g. `国办发〔2015〕51号 (十八)`. At least one.
    pub legal_basis: Vec<String>,
    pub nature: Nature,
    pub sharing: Sharing,
    pub disclosure: Disclosure,
    pub publication: Publication,
    /// 信息提供单位: the departments (by USCC) that may report this item, as the entries of the
    /// 全国公共信用信息基础目录 name theirs (standards.md §6). Empty: any registered department.
    /// A batch from any other department is refused whole: information enters as 「行政机关…
    /// 掌握的特定行为信息」 under catalog management (国办发〔2020〕49号 (一)), so a body reports
    /// only what its catalog entry says it holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<String>,
    pub fields: Vec<Field>,
}

impl CatalogItem {
    /// Whether `department` (a USCC, in any case or width) may report this item. Providers are
    /// stored normalised (`Catalog::from_toml` / `from_json`).
    pub fn accepts_provider(&self, department: &str) -> bool {
        let d = chengxin_codes::normalize(department);
        self.providers.is_empty() || self.providers.iter().any(|p| *p == d)
    }
}

/// Whether the information is basic, positive (守信) or negative (失信).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// 基础信息
    Basic,
    /// 守信激励 / 正面信息
    Positive,
    /// 失信信息 (国家发展改革委令第36号 第四条)
    Negative,
}

/// Sharing scope (共享属性) on the 全国信用信息共享平台.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// 无条件共享
    Unconditional,
    /// 有条件共享
    Conditional,
    /// 不予共享
    None,
}

/// Disclosure scope (公开属性).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// 社会公开 (on the portal, inside the publication window)
    Public,
    /// 授权查询 (only with the subject's authorisation or a recorded purpose)
    Authorised,
    /// 不予公开
    None,
}

/// How long records of an item are shown on the portal.
///
/// In a catalog file: `publication = { kind = "while_valid" }`, `{ kind = "none" }` or
/// `{ kind = "window", default_severity = "general", periods = [ { severity = "minor",
/// min_months = 0, max_months = 3 }, … ] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Publication {
    /// Published from the decision date while the record is valid (licences: the 7-working-day
    /// rule of 国办发〔2015〕51号 (十八) applies to reporting; there is no end date).
    WhileValid,
    /// Published inside a window set by the severity class (penalties: 国家发展改革委令第36号,
    /// 国办发〔2025〕22号 (二)).
    Window {
        periods: Vec<SeverityPeriod>,
        default_severity: Severity,
    },
    /// Not published on the portal (shared only).
    None,
}

/// The minimum and maximum publication period of one severity class, in months counted from
/// the decision date. `max_months == 0` means "not published".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPeriod {
    pub severity: Severity,
    pub min_months: u32,
    pub max_months: u32,
}

/// Severity class of a negative record (失信信息分类): 轻微 / 一般 / 严重
/// (国办发〔2025〕22号 (二); 国家发展改革委令第36号). Ordered: `Minor < General < Serious`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 轻微: not published, or at most 3 months.
    Minor,
    /// 一般: 3 months to 1 year.
    General,
    /// 严重: 1 to 3 years.
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::General, Severity::Serious];

    /// `minor`, `general` or `serious`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::General => "general",
            Severity::Serious => "serious",
        }
    }

    /// The shortest and longest publication period, in months from the decision date, that
    /// 国家发展改革委令第36号 and 国办发〔2025〕22号 (二) allow for 失信信息 of this class:
    /// 轻微 at most 3 months (or not published: 0), 一般 3 months to 1 year, 严重 1 to 3 years.
    pub fn period_bounds_months(self) -> (u32, u32) {
        match self {
            Severity::Minor => (0, 3),
            Severity::General => (3, 12),
            Severity::Serious => (12, 36),
        }
    }

    /// 轻微, 一般 or 严重.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Minor => "轻微",
            Severity::General => "一般",
            Severity::Serious => "严重",
        }
    }
}

/// Shows the Chinese label (轻微 / 一般 / 严重).
impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// A value that is not a severity class.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a severity (expected 轻微/一般/严重 or minor/general/serious)")]
pub struct ParseSeverityError(pub String);

/// Accepts the Chinese labels (轻微, 一般, 严重, also 轻微失信/一般失信/严重失信) and the English
/// snake_case names (`minor`, `general`, `serious`, any ASCII case), surrounding white space
/// ignored.
impl FromStr for Severity {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_suffix("失信").unwrap_or(t);
        Severity::ALL
            .into_iter()
            .find(|v| t == v.label_zh() || t.eq_ignore_ascii_case(v.as_str()))
            .ok_or_else(|| ParseSeverityError(s.to_owned()))
    }
}

/// One reported field (数据项).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Field code, e.g. `CF_WSH`; matched case-insensitively against headers.
    pub code: String,
    /// 数据项 name, e.g. 行政处罚决定书文号; also accepted as a header.
    pub name: String,
    /// Other accepted headers: legacy (2016-era, standards.md §4c) names and codes, variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The value type; `type` in catalog files, default `text`.
    #[serde(rename = "type", default)]
    pub ty: FieldType,
    /// Whether the header must be present and every row must fill it.
    #[serde(default)]
    pub required: bool,
    /// Maximum length in characters (Unicode scalar values), default 500.
    #[serde(default = "default_max_chars")]
    pub max_chars: usize,
    /// How public output shows the value.
    #[serde(default)]
    pub mask: Mask,
    /// What the field means to the platform, if anything beyond being shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Whether the field, when optional, counts in the completeness rate (完整率). Fields kept
    /// only to read legacy headers say `completeness = false`. Default true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub completeness: bool,
    /// The unit a decimal amount is stored in (`unit = "万元"` for the 双公示 amounts,
    /// standards.md §4b `decimal(18,6)` in 万元). With a unit, a cell that names one (`5000元`,
    /// `0.5万元`, `￥5,000.00`) is read and converted exactly; without one, a unit is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

/// The unit of a decimal amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// 元 (yuan).
    #[serde(rename = "元")]
    Yuan,
    /// 万元 (ten thousand yuan), the unit of the national 双公示 amounts.
    #[serde(rename = "万元")]
    WanYuan,
}

impl Unit {
    /// The unit as written in Chinese.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::WanYuan => "万元",
        }
    }

    /// Powers of ten from this unit to yuan (元: 0, 万元: 4).
    pub(crate) fn exponent(self) -> usize {
        match self {
            Unit::Yuan => 0,
            Unit::WanYuan => 4,
        }
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Field {
    /// Whether the field is one of the codes an organisation is identified by.
    pub fn is_org_code(&self) -> bool {
        matches!(
            self.role,
            Some(Role::Uscc | Role::RegNo | Role::OrgCode | Role::TaxNo | Role::OtherOrgCode)
        )
    }

    /// Whether the field is about a legal representative.
    pub fn is_legal_rep(&self) -> bool {
        matches!(
            self.role,
            Some(Role::LegalRep | Role::LegalRepId | Role::LegalRepIdType)
        )
    }

    /// Whether the field is a natural person's identity document.
    pub fn is_personal_document(&self) -> bool {
        matches!(self.role, Some(Role::PersonId | Role::PersonIdType))
    }

    /// Every header the field is accepted under: its code, its name, then its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.code.as_str(), self.name.as_str()]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
    }
}

pub(crate) fn default_max_chars() -> usize {
    500
}

/// The type of a field's values.
///
/// In a catalog file `type` is one of `"text"`, `"date"`, `"decimal"`, a code type
/// (`"uscc"`, `"org_code"`, `"reg_no"`, `"tax_no"`, `"citizen_id"`, `"any_code"`) or
/// `{ enum = ["值1", "值2"] }`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "FieldTypeRepr", into = "FieldTypeRepr")]
pub enum FieldType {
    /// Free text, trimmed.
    #[default]
    Text,
    /// A calendar date; see [`crate::parse_date`] for the accepted forms.
    Date,
    /// A non-negative decimal with at most 6 decimals and 12 integer digits (`decimal(18,6)`,
    /// standards.md §4b: amounts in 万元).
    Decimal,
    /// An identifier code checked by `chengxin-codes`.
    Code(CodeField),
    /// One of a fixed list of values.
    Enum { values: Vec<String> },
}

/// Which identifier a [`FieldType::Code`] field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeField {
    /// 统一社会信用代码 (GB 32100-2015)
    Uscc,
    /// 组织机构代码 (GB 11714-1997)
    OrgCode,
    /// 15-digit 工商注册号 (GS 15-2006)
    RegNo,
    /// 税务登记号: 15 to 20 characters; a 15-character number must embed a valid
    /// organisation code after its 6-digit region code when it has that shape.
    TaxNo,
    /// 公民身份号码 (GB 11643-1999)
    CitizenId,
    /// Any document number (passport, permit, certificate): normalised, not check-summed,
    /// except that a natural person's or representative's number is checked as a citizen ID
    /// when its 证件类型 says 身份证 (see [`Role::PersonIdType`]).
    Any,
}

impl CodeField {
    pub const ALL: [CodeField; 6] = [
        CodeField::Uscc,
        CodeField::OrgCode,
        CodeField::RegNo,
        CodeField::TaxNo,
        CodeField::CitizenId,
        CodeField::Any,
    ];

    /// The name used as `type` in catalog files.
    pub fn type_name(self) -> &'static str {
        match self {
            CodeField::Uscc => "uscc",
            CodeField::OrgCode => "org_code",
            CodeField::RegNo => "reg_no",
            CodeField::TaxNo => "tax_no",
            CodeField::CitizenId => "citizen_id",
            CodeField::Any => "any_code",
        }
    }
}

/// The serialised form of [`FieldType`].
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum FieldTypeRepr {
    Name(String),
    Enum {
        #[serde(rename = "enum")]
        values: Vec<String>,
    },
}

impl TryFrom<FieldTypeRepr> for FieldType {
    type Error = String;

    fn try_from(r: FieldTypeRepr) -> Result<Self, Self::Error> {
        match r {
            FieldTypeRepr::Enum { values } => Ok(FieldType::Enum { values }),
            FieldTypeRepr::Name(n) => match n.as_str() {
                "text" => Ok(FieldType::Text),
                "date" => Ok(FieldType::Date),
                "decimal" => Ok(FieldType::Decimal),
                other => CodeField::ALL
                    .into_iter()
                    .find(|c| c.type_name() == other)
                    .map(FieldType::Code)
                    .ok_or_else(|| {
                        format!(
                            "unknown field type {other:?} (expected text, date, decimal, uscc, \
                             org_code, reg_no, tax_no, citizen_id, any_code or {{ enum = [...] }})"
                        )
                    }),
            },
        }
    }
}

impl From<FieldType> for FieldTypeRepr {
    fn from(t: FieldType) -> Self {
        match t {
            FieldType::Text => FieldTypeRepr::Name("text".to_owned()),
            FieldType::Date => FieldTypeRepr::Name("date".to_owned()),
            FieldType::Decimal => FieldTypeRepr::Name("decimal".to_owned()),
            FieldType::Code(c) => FieldTypeRepr::Name(c.type_name().to_owned()),
            FieldType::Enum { values } => FieldTypeRepr::Enum { values },
        }
    }
}

/// How public output shows a field (DESIGN.md principle 3: personal identifiers are masked in
/// every public output; 国办发〔2020〕49号 (十四)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mask {
    /// Shown as stored.
    #[default]
    None,
    /// `1101**********002X`, or `E******78` for a passport or permit number
    /// ([`chengxin_codes::mask::identity_number`]).
    CitizenId,
    /// `138****1234` ([`chengxin_codes::mask::phone`]).
    Phone,
    /// Surname only ([`chengxin_codes::mask::person_name`]).
    PersonName,
}

impl Mask {
    /// The value as public output shows it.
    pub fn apply(self, value: &str) -> String {
        match self {
            Mask::None => value.to_owned(),
            Mask::CitizenId => chengxin_codes::mask::identity_number(value),
            Mask::Phone => chengxin_codes::mask::phone(value),
            Mask::PersonName => chengxin_codes::mask::person_name(value),
        }
    }
}

/// What a field means to the platform. Every role except [`Role::PenaltyKind`] and
/// [`Role::OtherOrgCode`] appears at most once in an item; [`Role::DocNo`], [`Role::DecisionDate`] and [`Role::SubjectName`] exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 行政相对人名称 / 主体名称
    SubjectName,
    /// 行政相对人类别 (法人及非法人组织 / 法人 / 非法人组织 / 自然人 / 个体工商户, or 01–04)
    SubjectCategory,
    /// The subject's 统一社会信用代码
    Uscc,
    /// The subject's 工商注册号
    RegNo,
    /// The subject's 组织机构代码
    OrgCode,
    /// The subject's 税务登记号
    TaxNo,
    /// Another code an organisation may be identified by: 事业单位证书号, 社会组织登记证号
    /// (行政相对人代码_5/_6). May appear more than once.
    OtherOrgCode,
    /// 法定代表人 (name)
    LegalRep,
    /// 法定代表人证件号码
    LegalRepId,
    /// 法定代表人证件类型 (added to the brief's list: decides whether [`Role::LegalRepId`] must be
    /// a citizen ID)
    LegalRepIdType,
    /// A natural person's 证件号码
    PersonId,
    /// A natural person's 证件类型 (added to the brief's list: decides whether
    /// [`Role::PersonId`] must be a citizen ID)
    PersonIdType,
    /// 决定文书号 / 案号: with the department and item, the idempotency key of a record.
    DocNo,
    /// 决定日期: the publication and 7-working-day clocks start here.
    DecisionDate,
    /// 有效期自
    ValidFrom,
    /// 有效期至
    ValidTo,
    /// 当前状态 (1 有效 / 2 无效 / 3 撤销)
    Status,
    /// An explicit severity class (轻微 / 一般 / 严重)
    Severity,
    /// 处罚类别: the severity is derived from it when no explicit severity is given.
    PenaltyKind,
    /// 公示截止期: an explicit end of publication inside the window.
    PublishUntil,
    /// 决定机关 (许可机关, 处罚机关, 执行法院 …)
    Authority,
    /// 决定机关统一社会信用代码
    AuthorityCode,
    /// 数据来源单位
    SourceDepartment,
    /// 数据来源单位统一社会信用代码
    SourceDepartmentCode,
}

/// As a catalog file writes it (`valid_to`), for messages about catalog files.
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => f.write_str(&s),
            _ => write!(f, "{self:?}"),
        }
    }
}

impl Role {
    /// Roles that identify the subject (at least one per item).
    pub fn is_subject_code(self) -> bool {
        matches!(
            self,
            Role::Uscc | Role::RegNo | Role::OrgCode | Role::TaxNo | Role::PersonId
        )
    }
}
