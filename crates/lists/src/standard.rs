//! Identification standards (认定标准) and their collection.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::names::{Disclosure, ListKind, RepairMethod};

/// Default red-list publicity period in working days.
///
/// 1798号 (八) requires publicity before a red listing (「筛查后的初步名单可通过…网站予以公示。经公示
/// 无异议的，认定为“红名单”」) but does **not** fix its length; 7 working days is a configurable
/// default (common local practice, （待核实）). Each standard sets its own
/// [`Standard::publicity_working_days`].
pub const DEFAULT_PUBLICITY_WORKING_DAYS: u32 = 7;

/// Default period, in working days after delivery, for the subject to respond to a prior notice
/// (告知) before listing.
///
/// 国办发〔2020〕49号 (八) requires the notice (「应当告知当事人作出决定的事由、依据和当事人依法享有的
/// 权利」) and 1798号 (七) requires prior notice for natural persons, but neither fixes a response
/// period. 5 working days is a **configurable default**, modelled on the 5-working-day 陈述申辩
/// period of sector rules such as 《市场监督管理严重违法失信名单管理办法》（国家市场监督管理总局令
/// 第44号）（条文待核实）. Each standard sets its own [`Standard::notice_response_working_days`].
pub const DEFAULT_NOTICE_RESPONSE_WORKING_DAYS: u32 = 5;

fn default_publicity() -> u32 {
    DEFAULT_PUBLICITY_WORKING_DAYS
}

fn default_notice_response() -> u32 {
    DEFAULT_NOTICE_RESPONSE_WORKING_DAYS
}

/// Whether and how entries under a standard may be repaired (信用修复).
///
/// 1798号 (十五) 「认定“黑名单”时，应结合失信行为的严重程度，明确相关主体能否修复信用以及信用修复的
/// 方式和期限」; 国办发〔2020〕49号 (十一) 「除法律、法规和党中央、国务院政策文件明确规定不可修复的
/// 失信信息外，失信主体按要求纠正失信行为、消除不良影响的，均可申请信用修复」.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairRule {
    /// Whether repair is possible at all.
    pub allowed: bool,
    /// The accepted methods (at least one when allowed).
    #[serde(default)]
    pub methods: Vec<RepairMethod>,
    /// Months after listing before an application is accepted (0 = at once).
    #[serde(default)]
    pub earliest_months: u32,
    /// Whether a repeat offender (屡禁不止、屡罚不改, 国办发〔2019〕35号 (十一)) may not apply.
    #[serde(default)]
    pub repeat_offender_barred: bool,
    /// For a dishonesty list that may not be repaired: the law or central policy that says so
    /// (49号 (十一) admits no other ground).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_allowed_basis: Option<String>,
}

/// An identification standard (认定标准) of one list in one domain, in one version.
///
/// A list entry exists only under a published standard with a legal basis (DESIGN.md principle
/// 1; 国办发〔2020〕49号 (六) 「设列严重失信主体名单的领域，必须以法律、法规或者党中央、国务院政策
/// 文件为依据」, (七) 「认定标准应当通过“信用中国”网站…公开。认定标准应当一并明确名单移出条件、程序
/// 以及救济措施」; 1798号 (三) 「出台的标准及其具体认定程序应通过“信用中国”网站…向社会公示、公开」).
/// Versions are immutable: a change is a new version (see `standard_changed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// Stable code, e.g. `tax-major-violation`.
    pub code: String,
    /// Version, from 1.
    pub version: u32,
    /// Title (标准名称).
    pub title: String,
    /// Domain (领域), e.g. `税务`. Watch entries in 3 or more distinct domains lead to the
    /// big-data warning list (1798号 (十七)).
    pub domain: String,
    /// Which list.
    pub kind: ListKind,
    /// Citations of the law, regulation or central policy the standard rests on.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Departments (USCCs) that may identify subjects under this standard (认定部门).
    #[serde(default)]
    pub identifying_departments: Vec<String>,
    /// The identification criteria (认定条件), as published.
    #[serde(default)]
    pub criteria: String,
    /// Validity of an entry in months from listing; `None` = until an exit condition is met.
    #[serde(default)]
    pub validity_months: Option<u32>,
    /// Repair rule.
    #[serde(default)]
    pub repair: RepairRule,
    /// Exit conditions and procedure (移出条件、程序, 49号 (七)).
    #[serde(default)]
    pub exit_conditions: Vec<String>,
    /// Remedies (救济措施, 49号 (七)): objection, administrative reconsideration, litigation.
    #[serde(default)]
    pub remedies: Vec<String>,
    /// Serious lists: months on the watch list after exit, unless the identifying department
    /// sets another period for the entry (1798号 (十八) 「“黑名单”主体退出名单后，应立即将其列入
    /// 重点关注名单（误列入“黑名单”的除外），有效期由之前将其列入“黑名单”的部门（单位）确定」).
    #[serde(default)]
    pub watch_months_after_exit: Option<u32>,
    /// Publicity period in working days before a red listing (1798号 (八)); see
    /// [`DEFAULT_PUBLICITY_WORKING_DAYS`].
    #[serde(default = "default_publicity")]
    pub publicity_working_days: u32,
    /// Working days after delivery of the prior notice before listing; see
    /// [`DEFAULT_NOTICE_RESPONSE_WORKING_DAYS`].
    #[serde(default = "default_notice_response")]
    pub notice_response_working_days: u32,
    /// Whether a prior notice is required for every subject (serious lists and natural persons
    /// always need one).
    #[serde(default)]
    pub notice_required: bool,
    /// Who may see the entries.
    pub disclosure: Disclosure,
    /// Publication date on 信用中国 / the platform; `None` = draft (not usable). In TOML a quoted
    /// string, `published_on = "2026-01-01"`.
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
}

impl Standard {
    /// Whether the standard is published on or before `on`.
    pub fn is_published_by(&self, on: NaiveDate) -> bool {
        self.published_on.is_some_and(|p| p <= on)
    }

    /// Whether a department (USCC) is named as an identifying department.
    pub fn names_department(&self, department: &str) -> bool {
        let d = department.trim();
        !d.is_empty() && self.identifying_departments.iter().any(|x| x.trim() == d)
    }

    /// Whether an entry for a subject needs a delivered prior notice before listing:
    /// serious lists (49号 (八)), natural persons on any list (1798号 (七) 「自然人被认定为失信联合
    /// 惩戒对象的，应实行事前告知」, extended here to every list a person is put on), and
    /// standards that ask for it.
    pub fn needs_notice(&self, subject_is_person: bool) -> bool {
        self.notice_required || subject_is_person || self.kind == ListKind::Serious
    }

    /// The rule that makes a prior notice necessary, for the texts that cite it: 国办发〔2020〕49号
    /// (八) for a serious list; 1798号 (七) 「自然人被认定为失信联合惩戒对象的，应实行事前告知」 for a
    /// natural person on another list (a watch list carries 失信联合惩戒 too, (十六)); otherwise the
    /// standard itself.
    pub fn notice_basis(&self, subject_is_person: bool) -> &'static str {
        match (self.kind, subject_is_person) {
            (ListKind::Serious, false) => {
                "国办发〔2020〕49号（八）：认定严重失信主体名单前告知事由、依据和权利；1798号（七）「可根据需要履行告知或公示程序」"
            }
            (ListKind::Serious, true) => {
                "国办发〔2020〕49号（八）：认定严重失信主体名单前告知事由、依据和权利；1798号（七）「自然人被认定为失信联合惩戒对象的，应实行事前告知」"
            }
            (_, true) => {
                "1798号（七）「自然人被认定为失信联合惩戒对象的，应实行事前告知」；（十六）重点关注名单主体依法实施相适应的失信联合惩戒"
            }
            (_, false) => "认定标准规定列入前事前告知",
        }
    }

    /// What the standard lacks before it may be used, each with the rule it breaks. Empty when
    /// complete. Publication is not a problem here (see [`Standard::is_published_by`]).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.code) {
            p.push("code: 缺少标准编码 / missing code".to_owned());
        } else if !self
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            // A code is named in commands, URLs and announcements (found by QA: "tax a grade").
            p.push(format!(
                "code: 标准编码 {:?} 只能由字母、数字、- 和 _ 组成 / the code may hold letters, digits, - and _ only",
                self.code
            ));
        }
        if self.version == 0 {
            p.push("version: 版本号从 1 开始 / versions start at 1".to_owned());
        }
        if blank(&self.title) {
            p.push("title: 缺少标准名称 / missing title".to_owned());
        }
        if blank(&self.domain) {
            p.push("domain: 缺少领域 / missing domain".to_owned());
        }
        if self.legal_basis.iter().all(|b| blank(b)) {
            p.push(
                "legal_basis: 缺少法律、法规或党中央、国务院政策文件依据（国办发〔2020〕49号（六））/ \
                 no legal basis"
                    .to_owned(),
            );
        }
        if self.identifying_departments.iter().all(|d| blank(d)) {
            p.push(
                "identifying_departments: 未明确认定部门（国办发〔2020〕49号（八））/ no identifying \
                 department named"
                    .to_owned(),
            );
        }
        if blank(&self.criteria) {
            p.push("criteria: 缺少认定条件 / missing criteria".to_owned());
        }
        if self.validity_months == Some(0) {
            p.push("validity_months: 有效期不能为 0 / validity of 0 months".to_owned());
        }
        if self.exit_conditions.iter().all(|c| blank(c)) {
            p.push(
                "exit_conditions: 未明确名单移出条件和程序（国办发〔2020〕49号（七）；1798号（十八）（十九））/ \
                 no exit conditions"
                    .to_owned(),
            );
        }
        if self.kind.is_negative() && self.remedies.iter().all(|r| blank(r)) {
            p.push("remedies: 未明确救济措施（国办发〔2020〕49号（七））/ no remedies".to_owned());
        }
        if self.kind == ListKind::Red && self.publicity_working_days == 0 {
            p.push(
                "publicity_working_days: 红名单须经公示（1798号（八））/ a red list needs a publicity \
                 period"
                    .to_owned(),
            );
        }
        if self.kind == ListKind::Serious {
            if self.watch_months_after_exit == Some(0) {
                p.push(
                    "watch_months_after_exit: 退出后列入重点关注名单的有效期不能为 0（1798号（十八））/ \
                     watch period of 0 months"
                        .to_owned(),
                );
            }
            if self.notice_response_working_days == 0 {
                p.push(
                    "notice_response_working_days: 告知后须留出陈述、异议时间（国办发〔2020〕49号（八））/ \
                     no time to respond to the notice"
                        .to_owned(),
                );
            }
        }
        if self.kind.is_negative() {
            if self.repair.allowed && self.repair.methods.is_empty() {
                p.push(
                    "repair.methods: 允许修复但未明确修复方式（1798号（十五））/ repair allowed but no \
                     method"
                        .to_owned(),
                );
            }
            if !self.repair.allowed && self.repair.not_allowed_basis.as_deref().is_none_or(blank) {
                p.push(
                    "repair.not_allowed_basis: 不可修复须有法律、法规或党中央、国务院政策文件明确规定\
                     （国办发〔2020〕49号（十一））/ repair refused without a cited basis"
                        .to_owned(),
                );
            }
        }
        p
    }
}

/// Errors reading a set of standards.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StandardsError {
    /// The text is not valid TOML or does not have the expected shape.
    #[error("认定标准文件格式错误 / standards file: {0}")]
    Syntax(String),
    /// Two standards with the same code and version.
    #[error("认定标准 {code} 第 {version} 版重复 / duplicate standard {code} version {version}")]
    Duplicate { code: String, version: u32 },
    /// A standard without a code or with version 0.
    #[error(
        "认定标准「{code}」第 {version} 版无效：{message} / invalid standard '{code}' v{version}: {message}"
    )]
    Invalid {
        code: String,
        version: u32,
        message: String,
    },
}

/// The TOML/JSON shape of a standards file: `[[standard]]` tables.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardsFile {
    #[serde(default)]
    standard: Vec<Standard>,
}

/// All standards, keyed by (code, version).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StandardsFile", into = "StandardsFile")]
pub struct Standards {
    by_code: BTreeMap<String, BTreeMap<u32, Standard>>,
}

impl TryFrom<StandardsFile> for Standards {
    type Error = StandardsError;

    fn try_from(f: StandardsFile) -> Result<Self, Self::Error> {
        let mut s = Standards::new();
        for st in f.standard {
            s.insert(st)?;
        }
        Ok(s)
    }
}

impl From<Standards> for StandardsFile {
    fn from(s: Standards) -> Self {
        StandardsFile {
            standard: s
                .by_code
                .into_values()
                .flat_map(|v| v.into_values())
                .collect(),
        }
    }
}

/// The default standards' source text (`data/default-standards.toml`): realistic standards drawn
/// from the seeds, with citations. Every identifying department in it is the demo department
/// `11350100MB0000019U`, a placeholder the deployment substitutes with its real departments.
pub const DEFAULT_STANDARDS_TOML: &str = include_str!("../data/default-standards.toml");

/// The placeholder identifying department used by [`DEFAULT_STANDARDS_TOML`].
pub const DEMO_DEPARTMENT: &str = "11350100MB0000019U";

impl Standards {
    /// An empty collection.
    pub fn new() -> Standards {
        Standards::default()
    }

    /// Read standards written as `[[standard]]` tables.
    pub fn from_toml(text: &str) -> Result<Standards, StandardsError> {
        let f: StandardsFile =
            toml::from_str(text).map_err(|e| StandardsError::Syntax(e.to_string()))?;
        Standards::try_from(f)
    }

    /// The embedded default standards ([`DEFAULT_STANDARDS_TOML`]).
    ///
    /// # Panics
    ///
    /// Never for the shipped file: a test parses it and checks every standard is complete.
    pub fn default_standards() -> Standards {
        match Standards::from_toml(DEFAULT_STANDARDS_TOML) {
            Ok(s) => s,
            Err(e) => panic!("the embedded default standards are invalid: {e}"),
        }
    }

    /// Refuses the first standard that could not be used, naming what it lacks (国办发〔2020〕
    /// 49号 (六)(七)(八); [`Standard::problems`]). Imports call it: a stored version is never
    /// replaced, so an incomplete one would only refuse every proposal made under it.
    pub fn check_complete(&self) -> Result<(), StandardsError> {
        match self.iter().find(|s| !s.problems().is_empty()) {
            Some(s) => Err(StandardsError::Invalid {
                code: s.code.clone(),
                version: s.version,
                message: s.problems().join("；"),
            }),
            None => Ok(()),
        }
    }

    /// Add a standard; refuses a duplicate (code, version), an empty code and version 0.
    pub fn insert(&mut self, standard: Standard) -> Result<(), StandardsError> {
        if standard.code.trim().is_empty() || standard.version == 0 {
            return Err(StandardsError::Invalid {
                code: standard.code.clone(),
                version: standard.version,
                message: "code must not be empty and versions start at 1".to_owned(),
            });
        }
        let versions = self.by_code.entry(standard.code.clone()).or_default();
        if versions.contains_key(&standard.version) {
            return Err(StandardsError::Duplicate {
                code: standard.code,
                version: standard.version,
            });
        }
        versions.insert(standard.version, standard);
        Ok(())
    }

    /// One version of a standard.
    pub fn get(&self, code: &str, version: u32) -> Option<&Standard> {
        self.by_code.get(code).and_then(|v| v.get(&version))
    }

    /// The highest version of a standard, published or not.
    pub fn latest(&self, code: &str) -> Option<&Standard> {
        self.by_code.get(code).and_then(|v| v.values().next_back())
    }

    /// The highest version of a standard published on or before `on`.
    pub fn latest_published(&self, code: &str, on: NaiveDate) -> Option<&Standard> {
        self.by_code
            .get(code)
            .and_then(|v| v.values().rev().find(|s| s.is_published_by(on)))
    }

    /// All standards, by code then version.
    pub fn iter(&self) -> impl Iterator<Item = &Standard> {
        self.by_code.values().flat_map(|v| v.values())
    }

    /// Number of (code, version) pairs.
    pub fn len(&self) -> usize {
        self.by_code.values().map(BTreeMap::len).sum()
    }

    /// Whether there are no standards.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}
