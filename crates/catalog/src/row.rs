//! Validation of one reported row against a catalog item.

use crate::columns::Columns;
use crate::model::{CatalogItem, CodeField, Field, FieldType, Publication, Role, Severity};
use crate::values::{
    DECIMAL_INTEGER_DIGITS, DECIMAL_SCALE, DecimalError, excerpt, header_key, normalize_doc_no,
    parse_date, parse_decimal,
};
use crate::window::allowed_until;
use chengxin_codes::{self as codes, Rule};
use chengxin_registry::{Scheme, SubjectKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// One problem with one row. A row's errors are all collected, not just the first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The field code, or `""` for the whole row.
    pub field: String,
    /// Stable snake_case rule id: `required`, `too_long`, `control_char`, `date`, `future_date`,
    /// `validity_order`, `decimal`, `enum`, `uscc_check`, `code_conflict`, `uscc`, `org_code`, `reg_no`,
    /// `tax_no`, `citizen_id`, `code`, `category`, `category_codes`, `no_subject_code`,
    /// `person_id_type`, `person_doc`, `status`, `severity`, `publish_until`, `unmapped_cell`,
    /// `extra_cells`.
    pub rule: &'static str,
    /// What is wrong, naming the field (code and Chinese name), the value's shape and what was
    /// expected. Personal identifiers are not echoed.
    pub message: String,
    /// True only for a subject's USCC that failed its check character: the row goes to review as
    /// a wrong-code (重错码) case instead of being dropped.
    pub review: bool,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "[{}] {}", self.rule, self.message)
        } else {
            write!(f, "{} [{}] {}", self.field, self.rule, self.message)
        }
    }
}

impl RowError {
    fn new(field: &Field, rule: &'static str, message: impl Into<String>) -> Self {
        RowError {
            field: field.code.clone(),
            rule,
            message: message.into(),
            review: false,
        }
    }

    fn row(rule: &'static str, message: impl Into<String>) -> Self {
        RowError {
            field: String::new(),
            rule,
            message: message.into(),
            review: false,
        }
    }
}

/// The status of a record (当前状态).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// 有效 (正常)
    Valid,
    /// 撤销: the decision was revoked.
    Revoked,
    /// 无效
    Invalid,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 3] = [
        RecordStatus::Valid,
        RecordStatus::Revoked,
        RecordStatus::Invalid,
    ];

    /// `valid`, `revoked` or `invalid`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Valid => "valid",
            RecordStatus::Revoked => "revoked",
            RecordStatus::Invalid => "invalid",
        }
    }

    /// 有效, 撤销 or 无效.
    pub fn label_zh(self) -> &'static str {
        match self {
            RecordStatus::Valid => "有效",
            RecordStatus::Revoked => "撤销",
            RecordStatus::Invalid => "无效",
        }
    }
}

impl fmt::Display for RecordStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that is not a record status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a record status (expected 1/有效/正常, 2/无效, 3/撤销, or valid/invalid/revoked)"
)]
pub struct ParseStatusError(pub String);

/// Accepts `1`, `有效`, `正常`, `valid` → Valid; `2`, `无效`, `invalid` → Invalid; `3`, `撤销`,
/// `已撤销`, `revoked` → Revoked (standards.md §4a: sample value "1"; 1 = 有效, 2 = 无效 is
/// \[UNCERTAIN\] there, 3 = 撤销 is this platform's convention). Full-width digits and
/// surrounding white space are accepted. The empty string is not a status
/// ([`CatalogItem::validate`] reads an empty 当前状态 as Valid).
impl FromStr for RecordStatus {
    type Err = ParseStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = header_key(s);
        Ok(match k.as_str() {
            "1" | "01" | "有效" | "正常" | "valid" => RecordStatus::Valid,
            "2" | "02" | "无效" | "invalid" => RecordStatus::Invalid,
            "3" | "03" | "撤销" | "已撤销" | "revoked" => RecordStatus::Revoked,
            _ => return Err(ParseStatusError(s.to_owned())),
        })
    }
}

/// The subject a row is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRef {
    pub name: String,
    pub kind: SubjectKind,
    /// The scheme of `code`.
    pub scheme: Scheme,
    /// Normalised primary code: the USCC if given, else the registration number, organisation
    /// code, tax number (in that order); the citizen ID for natural persons.
    pub code: String,
    /// The row's other codes of the same organisation (a 工商注册号 given beside the USCC, say),
    /// each under its scheme; not those the primary code contains (a USCC's organisation code)
    /// or repeats (a tax number that is the USCC). Kept as the subject's identifiers, so that a
    /// later row giving only one of them finds the same subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<(Scheme, String)>,
}

/// A valid row, ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Normalised document number ([`crate::normalize_doc_no`]).
    pub doc_no: String,
    pub decision_date: NaiveDate,
    pub status: RecordStatus,
    pub subject: SubjectRef,
    /// Explicit severity column if given, else derived from 处罚类别 (see
    /// [`severity_of_penalty_kinds`]), else the item's default. `None` for items without a
    /// publication window.
    pub severity: Option<Severity>,
    /// 公示截止期, if given (already checked to lie inside the window).
    pub publish_until: Option<NaiveDate>,
    /// The end of validity (有效期至, the field with role `valid_to`), if given.
    pub valid_to: Option<NaiveDate>,
    /// `(field code, normalised value)` for every non-empty field, in catalog field order.
    pub fields: Vec<(String, String)>,
    /// How many optional fields that apply to the subject were filled
    /// ([`Field::counts_for_completeness`]).
    pub filled_optional: u16,
    /// How many optional fields apply to the subject: the row's completeness denominator.
    pub applicable_optional: u16,
    /// [`row_hash`] of `fields`: equal rows give equal hashes whatever the column order or
    /// header style.
    pub hash: [u8; 32],
}

impl Draft {
    /// The normalised value of field `code`, if filled.
    pub fn value(&self, code: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, v)| v.as_str())
    }

    /// The hash as 64 lower-case hex digits.
    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }
}

/// Lower-case hex digits of `bytes` (digests of rows and files).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// SHA-256 over the canonical encoding of `fields`: for each pair in order, the code's UTF-8
/// length as a big-endian u64, the code's bytes, the value's length as a big-endian u64, the
/// value's bytes. Length prefixes make the encoding injective (`("ab","c")` ≠ `("a","bc")`).
pub fn row_hash(fields: &[(String, String)]) -> [u8; 32] {
    let mut h = Sha256::new();
    for (code, value) in fields {
        h.update((code.len() as u64).to_be_bytes());
        h.update(code.as_bytes());
        h.update((value.len() as u64).to_be_bytes());
        h.update(value.as_bytes());
    }
    h.finalize().into()
}

/// The subject kind a 行政相对人类别 value names (standards.md §4a): 法人及非法人组织, 法人 →
/// legal person; 非法人组织 → unincorporated; 自然人 → natural person; 个体工商户 → individual
/// business; the codes 01 自然人, 02 法人, 03 非法人组织, 04 个体工商户; also 机关 and the
/// registry's English names (`legal_person` …). Full-width digits and white space are
/// tolerated.
pub fn subject_kind_of(category: &str) -> Option<SubjectKind> {
    parse_subject_category(category).map(|(k, _)| k)
}

/// How far the USCC may refine a stated category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refine {
    /// The category is specific.
    No,
    /// 法人: may be a 机关 (USCC `11…`).
    Government,
    /// 法人及非法人组织, or no category given: may be a 机关 or a 个体工商户 (USCC `92…`).
    Any,
}

/// `(kind, refine)`: how the USCC may refine the kind when the value does not tell 机关 or
/// 个体工商户 apart from other organisations.
pub(crate) fn parse_subject_category(v: &str) -> Option<(SubjectKind, Refine)> {
    let k = header_key(v);
    Some(match k.as_str() {
        "法人及非法人组织" | "法人和非法人组织" => {
            (SubjectKind::LegalPerson, Refine::Any)
        }
        "法人" | "02" => (SubjectKind::LegalPerson, Refine::Government),
        "非法人组织" | "03" => (SubjectKind::Unincorporated, Refine::No),
        "自然人" | "01" => (SubjectKind::NaturalPerson, Refine::No),
        "个体工商户" | "04" => (SubjectKind::IndividualBusiness, Refine::No),
        "机关" | "机关法人" => (SubjectKind::GovernmentBody, Refine::No),
        other => (SubjectKind::parse(other)?, Refine::No),
    })
}

/// Refine an organisation kind by the USCC's registration authority and institution category
/// (GB 32100-2015 第1号修改单: `11` 机构编制·机关, `92` 工商·个体工商户).
fn refine_kind(kind: SubjectKind, refine: Refine, uscc: Option<&str>) -> SubjectKind {
    match (refine, uscc.and_then(|u| u.get(..2))) {
        (Refine::Government | Refine::Any, Some("11")) => SubjectKind::GovernmentBody,
        (Refine::Any, Some("92")) => SubjectKind::IndividualBusiness,
        _ => kind,
    }
}

/// The severity class a 处罚类别 text implies (several kinds may be listed, separated by
/// `；;，,、/|` or white space; the most severe one counts, as a decision with several penalty
/// types takes the longest period — standards.md §5, Shenzhen practice under 58号令).
///
/// Per kind (国家发展改革委令第36号 examples, standards.md §5; 《行政处罚法》第九条 kinds):
/// * 警告, 通报批评 → Minor;
/// * a kind containing 吊销 (吊销许可证件, 吊销营业执照 …), 责令关闭, 限制从业, 停产停业
///   (责令停产停业) or 行政拘留 → Serious;
/// * the pre-2021 combined kind 暂扣或者吊销… → General (it does not say which was imposed; the
///   lesser reading is taken, 过惩相当);
/// * anything else (罚款, 没收…, 暂扣许可证件, 降低资质等级, 限制开展生产经营活动, 其他) → General.
///
/// `None` when the text names no kind.
pub fn severity_of_penalty_kinds(text: &str) -> Option<Severity> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ';' | '；' | ',' | '，' | '、' | '/' | '|' | '｜')
    })
    .filter(|p| !p.is_empty())
    .map(|p| {
        const SERIOUS: [&str; 5] = ["吊销", "责令关闭", "限制从业", "停产停业", "行政拘留"];
        if p.contains("暂扣或") {
            Severity::General
        } else if SERIOUS.iter().any(|s| p.contains(s)) {
            Severity::Serious
        } else if p == "警告" || p == "通报批评" {
            Severity::Minor
        } else {
            Severity::General
        }
    })
    .max()
}

/// 证件类型 values that mean a citizen ID (standards.md §4a: 身份证, code 01).
fn is_citizen_id_type(t: &str) -> bool {
    matches!(
        header_key(t).as_str(),
        "" | "身份证" | "居民身份证" | "公民身份号码" | "01"
    )
}

/// 证件类型 values whose numbers follow GB 11643's MOD 11-2 layout (港澳台居民居住证).
fn is_residence_permit_type(t: &str) -> bool {
    header_key(t).contains("居住证")
}

/// 17 digits and a digit or X: the shape of a citizen ID.
fn looks_like_citizen_id(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

fn label(f: &Field) -> String {
    format!("{} ({})", f.name, f.code)
}

fn label_zh(f: &Field) -> String {
    format!("{}（{}）", f.name, f.code)
}

/// A row's message: Chinese first, for the department's data officer who reads it on 数据报送 and
/// in the report, then the same in English after " / ".
fn zh_en(zh: impl fmt::Display, en: impl fmt::Display) -> String {
    format!("{zh}{ZH_EN}{en}")
}

const ZH_EN: &str = " / ";

/// A cell's value refused: the field, the value as given (shortened) and why, in Chinese and in
/// English (`处罚类别（CF_CFLB）："x" 不在代码表内… / 处罚类别 (CF_CFLB): "x" is not one of…`).
fn value_error(
    f: &Field,
    rule: &'static str,
    raw: &str,
    zh: impl fmt::Display,
    en: impl fmt::Display,
) -> RowError {
    let shown = excerpt(raw, 40);
    RowError::new(
        f,
        rule,
        zh_en(
            format!("{}：{shown:?} {zh}", label_zh(f)),
            format!("{}: {shown:?} {en}", label(f)),
        ),
    )
}

/// The Chinese part of a bilingual message (the whole message when it has no English part): what
/// comes before the first ` / `, or `）/ ` followed by English (`中文 / English`,
/// `中文（依据）/ English`). A message with no Chinese before such a slash is English only, and
/// whole.
pub fn message_zh(message: &str) -> &str {
    let mut from = 0;
    while let Some(at) = message
        .get(from..)
        .and_then(|m| m.find("/ "))
        .map(|i| from + i)
    {
        let before = message.get(..at).and_then(|b| b.chars().next_back());
        let after = message.get(at + 2..).and_then(|a| a.chars().next());
        let chinese = message
            .get(..at)
            .is_some_and(|b| b.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        // ` / ` always parts the two (the English may start with a field's Chinese name);
        // `）/ ` only before English.
        let parts = match before {
            Some(' ') => true,
            Some('）' | '」' | '。' | ')') => after.is_some_and(|c| c.is_ascii_alphanumeric()),
            _ => false,
        };
        if chinese && parts {
            return message.get(..at).map_or(message, str::trim_end);
        }
        from = at + 2;
    }
    message
}

/// A rejection rule's name in Chinese, for operators' pages (the rule ids stay the stable API):
/// the row rules of [`RowError::rule`], the batch's `duplicate_in_batch` and the reader's row
/// errors. An unknown id is `None`.
pub fn rule_label_zh(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "required" => "必填项缺失",
        "too_long" => "超出长度",
        "control_char" => "含控制字符",
        "date" => "日期格式错误",
        "future_date" => "决定日期晚于接收日",
        "validity_order" => "有效期先后颠倒",
        "decimal" => "数值格式错误",
        "enum" => "取值不在代码表内",
        "uscc_check" => "统一社会信用代码校验位错误",
        "uscc" => "统一社会信用代码错误",
        "org_code" => "组织机构代码错误",
        "reg_no" => "工商注册号错误",
        "tax_no" => "税务登记号错误",
        "citizen_id" => "身份证号码错误",
        "code" => "代码错误",
        "category" => "相对人类别错误",
        "category_codes" => "类别与代码不符",
        "code_conflict" => "代码相互矛盾",
        "no_subject_code" => "缺少主体代码",
        "person_id_type" => "证件类型不能识别主体",
        "person_doc" => "证件号码格式错误",
        "status" => "当前状态错误",
        "severity" => "严重程度错误",
        "publish_until" => "公示截止期不在期限内",
        "unmapped_cell" => "表头以外的单元格有值",
        "extra_cells" => "单元格多于表头",
        "duplicate_in_batch" => "同批次重复",
        "party_changed" => "同一决定改换了当事人",
        "earlier_version" => "与已被更正或撤销的旧版本相同",
        "name_mismatch" => "名称与登记的主体不符",
        "encoding" => "编码错误",
        "malformed" => "格式错误",
        "cell_too_large" => "单元格过大",
        "record_too_large" => "行过大",
        "unknown_key" => "未知字段",
        _ => return None,
    })
}

/// One parsed cell.
#[derive(Clone, Debug)]
struct Cell {
    value: String,
    date: Option<NaiveDate>,
}

impl CatalogItem {
    /// The completeness (完整率) of a row: how many of the optional fields that apply to its
    /// subject it fills, and how many apply. What applies (the 双公示 rule, standards.md §4:
    /// 自然人 fill 证件类型/证件号码, the others the codes and 法定代表人):
    /// - an organisation: its identifying codes (USCC, or the legacy and other codes it has
    ///   instead) count as one field, filled when any is; the legal representative's fields
    ///   count; a natural person's document does not;
    /// - a natural person: the document counts; organisation codes and representatives do not;
    /// - fields marked `completeness = false` (legacy-only) never count.
    ///
    /// `given` holds, per catalog field, whether the row fills it.
    pub fn completeness(&self, person: bool, given: &[bool]) -> (usize, usize) {
        let (mut filled, mut applicable) = (0usize, 0usize);
        let (mut codes, mut code_given) = (false, false);
        for (f, g) in self.fields.iter().zip(given) {
            if f.required || !f.completeness {
                continue;
            }
            if f.is_org_code() {
                codes = true;
                code_given |= *g;
                continue;
            }
            let applies = if person {
                !f.is_legal_rep()
            } else {
                !f.is_personal_document()
            };
            if applies {
                applicable += 1;
                filled += usize::from(*g);
            }
        }
        if codes && !person {
            applicable += 1;
            filled += usize::from(code_given);
        }
        (filled, applicable)
    }

    /// Number of fields that are not required (the denominator of completeness).
    pub fn optional_field_count(&self) -> usize {
        self.fields.iter().filter(|f| !f.required).count()
    }

    /// The field with code `code`.
    pub fn field(&self, code: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// The field a row's party name is checked against the registry by, if any: every item's
    /// name field but 登记注册基本信息's (全国公共信用信息基础目录 第1类), whose rows are where
    /// names change (a 变更登记 carries the new name).
    pub fn checked_name_field(&self) -> Option<&Field> {
        (!self.renames_subjects())
            .then(|| self.role_field(Role::SubjectName))
            .flatten()
    }

    /// Whether the item's rows give their subjects' names to the registry: 登记注册基本信息
    /// (全国公共信用信息基础目录 第1类), whose rows carry the names the registration authority
    /// approved (a 名称变更登记 renames the subject; its former name stays one it has held).
    pub fn renames_subjects(&self) -> bool {
        const REGISTRATION_CATEGORY: &str = "登记注册基本信息";
        self.category == REGISTRATION_CATEGORY && self.role_field(Role::SubjectName).is_some()
    }

    /// The (first) field with role `role`.
    pub fn role_field(&self, role: Role) -> Option<&Field> {
        self.fields.iter().find(|f| f.role == Some(role))
    }

    /// Validate one row. `row` holds the values in input-column order (as mapped by `cols`,
    /// which must come from this item's [`CatalogItem::columns`]); missing trailing cells are
    /// empty. `today` bounds decision dates and citizen IDs' birth dates.
    ///
    /// Every problem of the row is returned (see [`RowError::rule`] for the rule ids). Cells are
    /// trimmed; an empty cell is an empty field.
    pub fn validate(
        &self,
        cols: &Columns,
        row: &[&str],
        today: NaiveDate,
    ) -> Result<Draft, Vec<RowError>> {
        let mut errs = Vec::new();
        for (i, cell) in row.iter().enumerate() {
            if cols.field_of(i).is_none() && !cols.is_ignored(i) && !cell.trim().is_empty() {
                if i >= cols.len() {
                    errs.push(RowError::row(
                        "extra_cells",
                        zh_en(
                            format!("第 {} 列有值，但表头只有 {} 列", i + 1, cols.len()),
                            format!(
                                "column {} holds a value but the header row has only {} columns",
                                i + 1,
                                cols.len()
                            ),
                        ),
                    ));
                } else {
                    errs.push(RowError::row(
                        "unmapped_cell",
                        zh_en(
                            format!("第 {} 列没有表头，却有值", i + 1),
                            format!("column {} has no header but holds a value", i + 1),
                        ),
                    ));
                }
            }
        }

        // 1. Each field on its own.
        let mut cells: Vec<Option<Cell>> = vec![None; self.fields.len()];
        let mut given = vec![false; self.fields.len()];
        for (fi, f) in self.fields.iter().enumerate() {
            let raw = cols
                .column_of(fi)
                .and_then(|c| row.get(c))
                .copied()
                .unwrap_or("")
                .trim();
            // 「/」, 「无」 and the like say "nothing here" in a date or amount column; an
            // optional field so filled is empty, a required one is said to be empty.
            // 00000000000000000X in a USCC column is the 双公示 files' way of saying "this
            // individual business has no USCC" (its 工商注册号 is given): no USCC, not a wrong one.
            // (A convention of departments' files met in the issue #4 QA pass, not a standard:
            // GB 32100 has no all-zero code, so nothing valid is lost. Seed 000 asks to
            // 「进一步降低重错码率」; a placeholder is no wrong code to review.)
            let zero_uscc = matches!(f.ty, FieldType::Code(CodeField::Uscc))
                && raw.len() == 18
                && raw.bytes().take(17).all(|b| b == b'0')
                && matches!(raw.as_bytes().get(17), Some(b'0' | b'X' | b'x'));
            let raw = if zero_uscc
                || (matches!(f.ty, FieldType::Date | FieldType::Decimal)
                    && crate::values::is_placeholder(raw))
            {
                ""
            } else {
                raw
            };
            if raw.is_empty() {
                if f.required {
                    errs.push(RowError::new(
                        f,
                        "required",
                        zh_en(
                            format!("{}为必填项，不能为空", label_zh(f)),
                            format!("{} is required but empty", label(f)),
                        ),
                    ));
                }
                continue;
            }
            given[fi] = true;
            let n = raw.chars().count();
            if n > f.max_chars {
                errs.push(RowError::new(
                    f,
                    "too_long",
                    zh_en(
                        format!("{}有 {n} 个字符，最多 {} 个", label_zh(f), f.max_chars),
                        format!(
                            "{} has {n} characters, at most {} allowed",
                            label(f),
                            f.max_chars
                        ),
                    ),
                ));
                continue;
            }
            // Control characters (NUL, BEL, ESC …) are no part of any decision's text and would
            // be published as they are; tab and line breaks are. chengxin's own rule: no standard
            // names it; seed 000 asks to 「进一步提高"双公示"信息上报质量」.
            if let Some(c) = raw
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                errs.push(RowError::new(
                    f,
                    "control_char",
                    zh_en(
                        format!(
                            "{}含控制字符 U+{:04X}，请删除后重新报送",
                            label_zh(f),
                            u32::from(c)
                        ),
                        format!(
                            "{} contains the control character U+{:04X}: remove it and send the row again",
                            label(f),
                            u32::from(c)
                        ),
                    ),
                ));
                continue;
            }
            match parse_cell(f, raw, today) {
                Ok(c) => cells[fi] = Some(c),
                Err(e) => errs.push(e),
            }
        }

        // 2. Rules across fields.
        self.check_legal_rep_id(&mut cells, today, &mut errs);
        let get = |role: Role| -> Option<(usize, &Field)> {
            self.fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.role == Some(role))
        };
        let value =
            |role: Role| -> Option<&Cell> { get(role).and_then(|(i, _)| cells[i].as_ref()) };

        let doc_no = value(Role::DocNo).map(|c| c.value.clone());
        let decision_date = value(Role::DecisionDate).and_then(|c| c.date);
        if let (Some(d), Some((_, f))) = (decision_date, get(Role::DecisionDate))
            && d > today
        {
            errs.push(RowError::new(
                f,
                "future_date",
                zh_en(
                    format!("{} {d} 晚于今天（{today}）", label_zh(f)),
                    format!("{} {d} is after today ({today})", label(f)),
                ),
            ));
        }
        // Validity ends on or after it starts: at 有效期自 when the row gives it, else at the
        // decision (a penalty's 处罚有效期, or a licence whose 有效期自 is left empty, cannot end
        // before the decision was made).
        let valid_to = value(Role::ValidTo).and_then(|c| c.date);
        let start = value(Role::ValidFrom)
            .and_then(|c| c.date)
            .map(|d| (d, "有效期自", "the start of validity"))
            .or_else(|| decision_date.map(|d| (d, "决定日期", "the decision date")));
        if let (Some((from, what_zh, what)), Some(to), Some((_, f))) =
            (start, valid_to, get(Role::ValidTo))
            && to < from
        {
            errs.push(RowError::new(
                f,
                "validity_order",
                zh_en(
                    format!("{} {to} 早于{what_zh} {from}", label_zh(f)),
                    format!("{} {to} is before {what} {from}", label(f)),
                ),
            ));
        }

        let status = match (get(Role::Status), value(Role::Status)) {
            (Some((_, f)), Some(c)) => match c.value.parse::<RecordStatus>() {
                Ok(s) => Some(s),
                Err(_) => {
                    errs.push(value_error(
                        f,
                        "status",
                        &c.value,
                        "不是可识别的状态（应为 1/有效/正常、2/无效 或 3/撤销）",
                        "is not a status (expected 1/有效/正常, 2/无效 or 3/撤销)",
                    ));
                    None
                }
            },
            _ => Some(RecordStatus::Valid),
        };

        let subject = self.subject(&cells, &given, today, &mut errs);

        let severity = self.severity(&cells, &mut errs);
        let publish_until = value(Role::PublishUntil).and_then(|c| c.date);
        if let (Some(pu), Some(dd), Some((_, f))) =
            (publish_until, decision_date, get(Role::PublishUntil))
        {
            check_publish_until(self, f, pu, severity, dd, &mut errs);
        }

        if !errs.is_empty() {
            return Err(errs);
        }
        let (Some(doc_no), Some(decision_date), Some(status), Some(subject)) =
            (doc_no, decision_date, status, subject)
        else {
            // Unreachable for a validated catalog: the required roles exist and failed cells
            // produced errors above. Kept total for catalogs built in code.
            return Err(vec![RowError::row(
                "required",
                zh_en(
                    "本行缺少决定文书号、决定日期或主体",
                    "the row lacks a document number, decision date or subject",
                ),
            )]);
        };
        let fields: Vec<(String, String)> = self
            .fields
            .iter()
            .zip(cells)
            .filter_map(|(f, c)| c.map(|c| (f.code.clone(), c.value)))
            .collect();
        let (filled_optional, applicable_optional) =
            self.completeness(subject.kind.is_person(), &given);
        let hash = row_hash(&fields);
        Ok(Draft {
            doc_no,
            decision_date,
            status,
            subject,
            severity,
            publish_until,
            valid_to,
            fields,
            filled_optional: u16::try_from(filled_optional).unwrap_or(u16::MAX),
            applicable_optional: u16::try_from(applicable_optional).unwrap_or(u16::MAX),
            hash,
        })
    }

    /// Identify the subject: kind from 行政相对人类别 (or inferred), codes by kind.
    fn subject(
        &self,
        cells: &[Option<Cell>],
        given: &[bool],
        today: NaiveDate,
        errs: &mut Vec<RowError>,
    ) -> Option<SubjectRef> {
        let find = |role: Role| {
            self.fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.role == Some(role))
        };
        let val =
            |role: Role| find(role).and_then(|(i, _)| cells[i].as_ref().map(|c| c.value.as_str()));
        let name = val(Role::SubjectName).map(str::to_owned);
        let org_roles = [Role::Uscc, Role::RegNo, Role::OrgCode, Role::TaxNo];
        let org_given: Vec<&Field> = org_roles
            .iter()
            .filter_map(|r| find(*r))
            .filter(|(i, _)| given[*i])
            .map(|(_, f)| f)
            .collect();
        let person = find(Role::PersonId);
        let person_given = person.is_some_and(|(i, _)| given[i]);

        let stated = match (find(Role::SubjectCategory), val(Role::SubjectCategory)) {
            (Some((_, f)), Some(v)) => match parse_subject_category(v) {
                Some(k) => Some(k),
                None => {
                    errs.push(value_error(
                        f,
                        "category",
                        v,
                        "不是可识别的相对人类别（应为 法人及非法人组织、法人、非法人组织、自然人、\
                         个体工商户 或 01–04）",
                        "is not a subject category (expected 法人及非法人组织, 法人, 非法人组织, \
                         自然人, 个体工商户 or 01–04)",
                    ));
                    return None;
                }
            },
            (Some((i, _)), None) if given[i] => return None, // refused above
            _ => None,
        };
        let (kind, refine) = stated.unwrap_or(if person_given && org_given.is_empty() {
            (SubjectKind::NaturalPerson, Refine::No)
        } else {
            (SubjectKind::LegalPerson, Refine::Any)
        });

        if kind.is_person() {
            let mut ok = true;
            for f in &org_given {
                ok = false;
                errs.push(RowError::new(
                    f,
                    "category_codes",
                    zh_en(
                        format!(
                            "相对人为自然人，自然人没有组织代码，{}应为空；或更正行政相对人类别",
                            label_zh(f)
                        ),
                        format!(
                            "{} is filled but the subject is a natural person (自然人): natural \
                             persons have no organisation codes; leave it empty or correct \
                             行政相对人类别",
                            label(f)
                        ),
                    ),
                ));
            }
            let Some((pi, pf)) = person else {
                errs.push(RowError::row(
                    "no_subject_code",
                    zh_en(
                        "相对人为自然人，但本目录事项没有证件号码字段",
                        "the subject is a natural person (自然人) but this catalog item has no 证件号码 field",
                    ),
                ));
                return None;
            };
            let Some(id) = cells[pi].as_ref() else {
                if !given[pi] {
                    errs.push(RowError::new(
                        pf,
                        "required",
                        zh_en(
                            format!("相对人为自然人时，{}为必填项", label_zh(pf)),
                            format!(
                                "{} is required when the subject is a natural person (自然人)",
                                label(pf)
                            ),
                        ),
                    ));
                }
                return None;
            };
            // A 证件类型 that was given but refused (not in its list) is reported once, as
            // itself: the number is not then judged against a guessed type.
            if find(Role::PersonIdType).is_some_and(|(i, _)| given[i] && cells[i].is_none()) {
                return None;
            }
            let id_type = val(Role::PersonIdType).unwrap_or("");
            let citizen = matches!(pf.ty, FieldType::Code(CodeField::CitizenId))
                || is_citizen_id_type(id_type)
                || is_residence_permit_type(id_type);
            let (scheme, code) = if citizen {
                match codes::validate_citizen_id(&id.value, today) {
                    Ok(c) => (Scheme::CitizenId, c.as_str().to_owned()),
                    Err(e) => {
                        // Already reported when the field itself is typed citizen_id.
                        if !matches!(pf.ty, FieldType::Code(CodeField::CitizenId)) {
                            errs.push(citizen_id_error(pf, &id.value, &e));
                        }
                        return None;
                    }
                }
            } else {
                // A foreigner or a resident of Hong Kong, Macao or Taiwan: identified by the
                // document the 证件类型 names (standards.md §4, 证件类型 02–05).
                let Some(doc) = chengxin_registry::DocKind::from_type(id_type) else {
                    errs.push(RowError::new(
                        pf,
                        "person_id_type",
                        zh_en(
                            format!(
                                "{}：自然人以公民身份号码、护照、港澳居民来往内地通行证、台湾居民来往\
                                 大陆通行证或外国人永久居留身份证识别，{} 号码不能识别主体",
                                label_zh(pf),
                                excerpt(id_type, 20)
                            ),
                            format!(
                                "{}: a natural person is identified by a 公民身份号码 (GB \
                                 11643-1999), a 护照, a 港澳居民来往内地通行证, a \
                                 台湾居民来往大陆通行证 or a 外国人永久居留身份证; a {} number \
                                 cannot identify a subject",
                                label(pf),
                                excerpt(id_type, 20)
                            ),
                        ),
                    ));
                    return None;
                };
                match chengxin_registry::person_doc_code(doc, &id.value) {
                    Ok(code) => (Scheme::PersonDoc, code),
                    Err(e) => {
                        let detail = match e {
                            chengxin_registry::RegistryError::Field { message, .. } => message,
                            other => other.to_string(),
                        };
                        errs.push(RowError::new(
                            pf,
                            "person_doc",
                            zh_en(
                                format!("{}：证件号码格式有误", label_zh(pf)),
                                format!("{}: {detail}", label(pf)),
                            ),
                        ));
                        return None;
                    }
                }
            };
            if !ok {
                return None;
            }
            return Some(SubjectRef {
                name: name?,
                kind,
                scheme,
                code,
                also: Vec::new(),
            });
        }

        // Organisations.
        if let Some((_, pf)) = person
            && person_given
        {
            errs.push(RowError::new(
                pf,
                "category_codes",
                zh_en(
                    format!(
                        "{}只用于自然人，而相对人为{}：法定代表人的证件号码请填入法定代表人证件号码，\
                         或更正行政相对人类别",
                        label_zh(pf),
                        kind.label_zh()
                    ),
                    format!(
                        "{} is for natural persons (自然人) but the subject is {}: put the \
                         representative's number in 法定代表人证件号码 or correct 行政相对人类别",
                        label(pf),
                        kind.label_zh()
                    ),
                ),
            ));
        }
        if org_given.is_empty() {
            let (field, names) = match org_roles.iter().find_map(|r| find(*r)) {
                Some((_, f)) => (f.code.clone(), self.org_code_names()),
                None => (String::new(), String::from("(none in this catalog item)")),
            };
            errs.push(RowError {
                field,
                rule: "no_subject_code",
                message: zh_en(
                    format!("{}至少要有一个代码：{names}", kind.label_zh()),
                    format!(
                        "an organisation ({}) needs at least one code: {names}",
                        kind.label_zh()
                    ),
                ),
                review: false,
            });
            return None;
        }
        let code_of = |role: Role| val(role).map(str::to_owned);
        let uscc = code_of(Role::Uscc);
        // A USCC embeds its organisation code (characters 9–17, GB 32100-2015 §4): a row giving
        // both, disagreeing, names two subjects. Held for review as a possible wrong code (重错码)
        // rather than linked to either.
        // Both cells are already validated and normalised: the USCC's embedded code is its
        // characters 9–17, in the same 9-character form as the organisation code.
        if let (Some(u), Some(org), Some((_, of))) =
            (uscc.as_deref(), val(Role::OrgCode), find(Role::OrgCode))
            && let Some(embedded) = u.get(8..17)
            && embedded != org
        {
            errs.push(RowError {
                field: of.code.clone(),
                rule: "code_conflict",
                message: zh_en(
                    format!(
                        "{} {org} 与统一社会信用代码 {u} 内含的组织机构代码（{embedded}）不一致，\
                         作为疑似重错码待核",
                        label_zh(of)
                    ),
                    format!(
                        "{} {org} is not the organisation code inside the 统一社会信用代码 {u} \
                         ({embedded}); held for review as a possible wrong code (重错码)",
                        label(of)
                    ),
                ),
                review: true,
            });
            return None;
        }
        let kind = refine_kind(kind, refine, uscc.as_deref());
        let (scheme, code) = [
            (Role::Uscc, Scheme::Uscc),
            (Role::RegNo, Scheme::Regno),
            (Role::OrgCode, Scheme::Org),
            (Role::TaxNo, Scheme::TaxNo),
        ]
        .into_iter()
        .find_map(|(r, s)| code_of(r).map(|c| (s, c)))?;
        let embedded = (scheme == Scheme::Uscc).then(|| code.get(8..17)).flatten();
        let also = [
            (Role::RegNo, Scheme::Regno),
            (Role::OrgCode, Scheme::Org),
            (Role::TaxNo, Scheme::TaxNo),
        ]
        .into_iter()
        .filter(|(_, s)| *s != scheme)
        .filter_map(|(r, s)| code_of(r).map(|c| (s, c)))
        .filter(|(s, c)| *c != code && !(*s == Scheme::Org && Some(c.as_str()) == embedded))
        .collect();
        Some(SubjectRef {
            name: name?,
            kind,
            scheme,
            code,
            also,
        })
    }

    fn org_code_names(&self) -> String {
        self.fields
            .iter()
            .filter(|f| {
                matches!(
                    f.role,
                    Some(Role::Uscc | Role::RegNo | Role::OrgCode | Role::TaxNo)
                )
            })
            .map(label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// 法定代表人证件号码: a citizen ID when its 证件类型 says so, or when it has that shape and
    /// no type is given.
    fn check_legal_rep_id(
        &self,
        cells: &mut [Option<Cell>],
        today: NaiveDate,
        errs: &mut Vec<RowError>,
    ) {
        let Some((ri, rf)) = self
            .fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.role == Some(Role::LegalRepId))
        else {
            return;
        };
        if matches!(rf.ty, FieldType::Code(CodeField::CitizenId)) {
            return; // checked as a citizen ID already
        }
        let id_type = self
            .fields
            .iter()
            .position(|f| f.role == Some(Role::LegalRepIdType))
            .and_then(|i| cells[i].as_ref())
            .map(|c| c.value.clone())
            .unwrap_or_default();
        let Some(cell) = cells[ri].as_mut() else {
            return;
        };
        let typed = !id_type.is_empty() && is_citizen_id_type(&id_type);
        if typed || (id_type.is_empty() && looks_like_citizen_id(&cell.value)) {
            match codes::validate_citizen_id(&cell.value, today) {
                Ok(c) => cell.value = c.as_str().to_owned(),
                Err(e) => errs.push(citizen_id_error(rf, &cell.value, &e)),
            }
        }
    }

    /// Explicit severity, else derived from 处罚类别, else the default; `None` without a window.
    fn severity(&self, cells: &[Option<Cell>], errs: &mut Vec<RowError>) -> Option<Severity> {
        let Publication::Window {
            periods,
            default_severity,
        } = &self.publication
        else {
            return None;
        };
        let listed = |s: Severity| periods.iter().any(|p| p.severity == s);
        if let Some((f, c)) = self
            .fields
            .iter()
            .zip(cells)
            .find(|(f, _)| f.role == Some(Role::Severity))
            && let Some(c) = c
        {
            match c.value.parse::<Severity>() {
                Ok(s) if listed(s) => return Some(s),
                Ok(s) => {
                    errs.push(RowError::new(
                        f,
                        "severity",
                        zh_en(
                            format!("{}：本目录事项没有严重程度为{s}的公示期限", label_zh(f)),
                            format!(
                                "{}: severity {s} has no publication period in this catalog item",
                                label(f)
                            ),
                        ),
                    ));
                    return None;
                }
                Err(_) => {
                    errs.push(value_error(
                        f,
                        "severity",
                        &c.value,
                        "不是严重程度（应为 轻微、一般 或 严重）",
                        "is not a severity (expected 轻微, 一般 or 严重)",
                    ));
                    return None;
                }
            }
        }
        let derived = self
            .fields
            .iter()
            .zip(cells)
            .filter(|(f, _)| f.role == Some(Role::PenaltyKind))
            .filter_map(|(f, c)| Some((f, c.as_ref()?)))
            .filter_map(|(f, c)| Some((f, c, severity_of_penalty_kinds(&c.value)?)))
            .max_by_key(|(_, _, s)| *s);
        match derived {
            Some((_, _, s)) if listed(s) => Some(s),
            // The class 处罚类别 implies has no period here (a catalog stored before import
            // checked for all three): refused as an explicit one would be, never published for
            // another class's period (国家发展改革委令第36号 bounds each class).
            Some((f, c, s)) => {
                errs.push(RowError::new(
                    f,
                    "severity",
                    zh_en(
                        format!(
                            "{}「{}」属于{s}，本目录事项没有严重程度为{s}的公示期限",
                            label_zh(f),
                            c.value
                        ),
                        format!(
                            "{} {:?} is of severity {s}, which has no publication period in this \
                             catalog item",
                            label(f),
                            c.value
                        ),
                    ),
                ));
                None
            }
            None => Some(*default_severity),
        }
    }
}

fn check_publish_until(
    item: &CatalogItem,
    f: &Field,
    pu: NaiveDate,
    severity: Option<Severity>,
    decision: NaiveDate,
    errs: &mut Vec<RowError>,
) {
    match allowed_until(item, severity, decision) {
        None => errs.push(RowError::new(
            f,
            "publish_until",
            zh_en(
                format!(
                    "{} {pu} 已填写，但本事项{}的信息不公示",
                    label_zh(f),
                    severity
                        .map(|s| format!("严重程度为{s}"))
                        .unwrap_or_default()
                ),
                format!(
                    "{} {pu} is given but records of this item{} are not published",
                    label(f),
                    severity
                        .map(|s| format!(" with severity {s}"))
                        .unwrap_or_default()
                ),
            ),
        )),
        Some((lo, hi)) if pu < lo || hi.is_some_and(|h| pu > h) => {
            let (range, range_zh) = match hi {
                Some(h) => (format!("{lo} to {h}"), format!("{lo} 至 {h}")),
                None => (format!("{lo} or later"), format!("{lo} 或以后")),
            };
            errs.push(RowError::new(
                f,
                "publish_until",
                zh_en(
                    format!(
                        "{} {pu} {}{}公示期限（{range_zh}，自决定日期 {decision} 起算；\
                         国家发展改革委令第36号）",
                        label_zh(f),
                        // Before the window's start the period is too short, not exceeded.
                        if pu < lo { "短于" } else { "超出" },
                        severity
                            .map(|s| format!("严重程度为{s}的"))
                            .unwrap_or_default()
                    ),
                    format!(
                        "{} {pu} is outside the publication window{} ({range}, counted from the \
                         decision date {decision}; 国家发展改革委令第36号)",
                        label(f),
                        severity
                            .map(|s| format!(" for severity {s}"))
                            .unwrap_or_default()
                    ),
                ),
            ));
        }
        Some(_) => {}
    }
}

/// Parse one non-empty, trimmed cell by the field's type.
/// A citizen ID that failed its rules (the value is not echoed). 18 digits that a spreadsheet
/// held as a number keep only about 15 significant digits, so the check fails through no typing
/// of the sender's: the message then says how to fix the file.
fn citizen_id_error(f: &Field, raw: &str, e: &codes::CodeError) -> RowError {
    let t = raw.trim();
    let as_number = (t.len() >= 16 && t.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        || t.contains("E+")
        || t.contains("e+");
    let (hint, hint_zh) = if as_number {
        (
            "; if the file comes from a spreadsheet, the column may hold the ID as a number, which \
             keeps only 15 significant digits: format the column as text and enter the IDs again",
            "；如文件来自电子表格，该列可能以数字保存身份证号（只保留 15 位有效数字），请将该列设为\
             文本后重新录入",
        )
    } else {
        ("", "")
    };
    RowError::new(
        f,
        "citizen_id",
        zh_en(
            format!(
                "{}不是有效的公民身份号码（{}有误）{hint_zh}",
                label_zh(f),
                e.rule.label_zh()
            ),
            format!("{} is not a valid citizen ID: {e}{hint}", label(f)),
        ),
    )
}

fn parse_cell(f: &Field, raw: &str, today: NaiveDate) -> Result<Cell, RowError> {
    let text = |value: String| Ok(Cell { value, date: None });
    match &f.ty {
        FieldType::Text if f.role == Some(Role::DocNo) => text(normalize_doc_no(raw)),
        FieldType::Text => text(raw.to_owned()),
        // 有效期至 of a licence without end: 长期, 长期有效, 无固定期限, 永久 … (stored as 长期; the
        // record then stays on show until it is revoked, as with an empty 有效期至).
        FieldType::Date if f.role == Some(Role::ValidTo) && crate::values::is_open_ended(raw) => {
            text("长期".to_owned())
        }
        FieldType::Date => match parse_date(raw) {
            Some(d) => Ok(Cell {
                value: d.to_string(),
                date: Some(d),
            }),
            None => Err(value_error(
                f,
                "date",
                raw,
                "不是日期（应为 YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD 或 YYYY年M月D日，\
                 可带时间，或 Excel 日期单元格；1900 年及以后）",
                "is not a date (expected YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or \
                 YYYY年M月D日, a time of day after it allowed, or an Excel date cell; year 1900 \
                 or later)",
            )),
        },
        FieldType::Decimal => parse_decimal(raw, f.unit)
            .map(|v| Cell {
                value: v,
                date: None,
            })
            .map_err(|e| {
                let (in_unit_zh, in_unit) = f.unit.map_or((String::new(), String::new()), |u| {
                    (format!("（以{}计）", u.as_str()), format!(" in {}", u.as_str()))
                });
                let with_unit = f.unit.is_some();
                let (why_zh, why) = match e {
                    DecimalError::Negative => (
                        "为负数（金额不能为负）".to_owned(),
                        "is negative (amounts are non-negative)".to_owned(),
                    ),
                    DecimalError::Shape => (
                        format!(
                            "不是数值（数字，可带小数点和小数，千位可用逗号分隔{}；不带正负号或指数）",
                            if with_unit { "，可带单位 元、万元 或 ￥" } else { "" }
                        ),
                        format!(
                            "is not a decimal number (digits with an optional . and decimals, \
                             thousands separated by commas{}; no signs or exponents)",
                            if with_unit { ", and a unit 元, 万元 or ￥" } else { "" }
                        ),
                    ),
                    DecimalError::Scale => (
                        format!("小数超过 {DECIMAL_SCALE} 位{in_unit_zh}"),
                        format!("has more than {DECIMAL_SCALE} decimals{in_unit}"),
                    ),
                    DecimalError::Range => (
                        format!("整数部分超过 {DECIMAL_INTEGER_DIGITS} 位{in_unit_zh}"),
                        format!("has more than {DECIMAL_INTEGER_DIGITS} integer digits{in_unit}"),
                    ),
                    DecimalError::Unit => (
                        "写了单位，但目录没有为该字段规定单位：只填数字".to_owned(),
                        "names a unit, but the catalog gives this field none: write the number \
                         only"
                            .to_owned(),
                    ),
                };
                value_error(f, "decimal", raw, why_zh, why)
            }),
        FieldType::Enum { values } => {
            let k = header_key(raw);
            match values
                .iter()
                .find(|v| v.as_str() == raw || header_key(v) == k)
            {
                Some(v) => text(v.clone()),
                None => Err(value_error(
                    f,
                    "enum",
                    raw,
                    format!("不在代码表内（{}）", excerpt(&values.join("、"), 200)),
                    format!("is not one of: {}", excerpt(&values.join(" / "), 200)),
                )),
            }
        }
        FieldType::Code(kind) => {
            parse_code(f, *kind, raw, today).map(|value| Cell { value, date: None })
        }
    }
}

fn parse_code(f: &Field, kind: CodeField, raw: &str, today: NaiveDate) -> Result<String, RowError> {
    match kind {
        CodeField::Uscc => codes::validate_uscc(raw)
            .map(|u| u.as_str().to_owned())
            .map_err(|e| {
                if e.rule == Rule::CheckCharacter {
                    RowError {
                        review: f.role == Some(Role::Uscc),
                        ..value_error(
                            f,
                            "uscc_check",
                            raw,
                            "校验码不符（GB 32100），作为疑似重错码待核",
                            format!(
                                "fails the GB 32100 check character ({e}); held for review as a \
                                 possible wrong code (重错码)"
                            ),
                        )
                    }
                } else {
                    value_error(
                        f,
                        "uscc",
                        raw,
                        format!("不是统一社会信用代码（{}有误）", e.rule.label_zh()),
                        format!("is not a unified social credit code: {e}"),
                    )
                }
            }),
        CodeField::OrgCode => codes::validate_org_code(raw)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| {
                value_error(
                    f,
                    "org_code",
                    raw,
                    format!("不是组织机构代码（GB 11714；{}有误）", e.rule.label_zh()),
                    format!("is not an organisation code (GB 11714): {e}"),
                )
            }),
        CodeField::RegNo => codes::validate_reg_no(raw)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| {
                value_error(
                    f,
                    "reg_no",
                    raw,
                    format!("不是 15 位工商注册号（{}有误）", e.rule.label_zh()),
                    format!("is not a 15-digit registration number: {e}"),
                )
            }),
        CodeField::TaxNo => {
            let n = codes::normalize(raw);
            let shape_ok =
                (15..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric());
            if !shape_ok {
                return Err(value_error(
                    f,
                    "tax_no",
                    raw,
                    "不是税务登记号（15 至 20 位数字或大写字母）",
                    "is not a tax registration number (15 to 20 digits or upper-case letters)",
                ));
            }
            Ok(n.into_owned())
        }
        CodeField::CitizenId => codes::validate_citizen_id(raw, today)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| citizen_id_error(f, raw, &e)),
        CodeField::Any => {
            let n = codes::normalize(raw);
            if n.is_empty() {
                Err(value_error(
                    f,
                    "code",
                    raw,
                    "只有分隔符，没有代码",
                    "holds no characters but separators",
                ))
            } else {
                Ok(n.into_owned())
            }
        }
    }
}
