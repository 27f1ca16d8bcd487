//! Subject registry rules (主体登记), free of I/O.
//!
//! What this crate decides, and where the rule comes from:
//! - A subject is one of the five kinds of DESIGN.md (法人, 非法人组织, 个体工商户, 机关, 自然人).
//! - Organisations are keyed by the unified social credit code (统一社会信用代码, GB 32100-2015);
//!   legacy codes (组织机构代码 GB 11714, 15-digit 工商注册号, old 税务登记号) are mapped onto it
//!   (国发〔2015〕33号 总体方案: 存量代码转换; GB 32100 §4.2.4: positions 9–17 carry the old
//!   organisation code). Natural persons are keyed by the citizen ID (GB 11643-1999).
//! - History is never overwritten (DESIGN.md principle 4): every change is a new [`Version`] with
//!   who, when, why and from which source; `as_of` questions are answered from the versions.
//! - A code already held by another subject, a legacy code pointing at a different USCC, or a
//!   legacy code that contradicts the subject's own USCC is a duplicate/wrong-code case
//!   (重错码, counted by the city credit monitoring indicators 重错码率/纠正率, seed 001) for a
//!   person to review — never a silent merge (DESIGN.md principle 5).
//! - Personal identifiers are stored whole and shown masked in every public view
//!   (DESIGN.md principle 3; 国办发〔2020〕49号 (十三)(十四)).

use chengxin_codes as codes;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

mod public;
pub use public::PublicSubject;

/// The kind of subject (主体类型).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 法人 (enterprises, institutions, social organisations)
    LegalPerson,
    /// 非法人组织 (partnerships, sole-proprietorship enterprises, branches)
    Unincorporated,
    /// 个体工商户
    IndividualBusiness,
    /// 机关 (government bodies, including the departments that use the platform)
    GovernmentBody,
    /// 自然人
    NaturalPerson,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 5] = [
        SubjectKind::LegalPerson,
        SubjectKind::Unincorporated,
        SubjectKind::IndividualBusiness,
        SubjectKind::GovernmentBody,
        SubjectKind::NaturalPerson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "legal_person",
            SubjectKind::Unincorporated => "unincorporated",
            SubjectKind::IndividualBusiness => "individual_business",
            SubjectKind::GovernmentBody => "government_body",
            SubjectKind::NaturalPerson => "natural_person",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "法人",
            SubjectKind::Unincorporated => "非法人组织",
            SubjectKind::IndividualBusiness => "个体工商户",
            SubjectKind::GovernmentBody => "机关",
            SubjectKind::NaturalPerson => "自然人",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_person(self) -> bool {
        self == SubjectKind::NaturalPerson
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Registration status (登记状态).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectStatus {
    /// 存续 / 在业
    Active,
    /// 待核实: created from a record whose subject was not yet registered (issue 4 collection).
    Pending,
    /// 注销
    Deregistered,
    /// 吊销
    Revoked,
}

impl SubjectStatus {
    pub const ALL: [SubjectStatus; 4] = [
        SubjectStatus::Active,
        SubjectStatus::Pending,
        SubjectStatus::Deregistered,
        SubjectStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectStatus::Active => "active",
            SubjectStatus::Pending => "pending",
            SubjectStatus::Deregistered => "deregistered",
            SubjectStatus::Revoked => "revoked",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SubjectStatus::Active => "存续",
            SubjectStatus::Pending => "待核实",
            SubjectStatus::Deregistered => "注销",
            SubjectStatus::Revoked => "吊销",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for SubjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identifier scheme under which a subject can be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// 统一社会信用代码
    Uscc,
    /// 组织机构代码 (legacy)
    Org,
    /// 工商注册号 (legacy)
    Regno,
    /// 税务登记号 (legacy, 15 characters: region code + organisation code)
    TaxNo,
    /// 公民身份号码 (natural persons; never shown unmasked in public output)
    CitizenId,
    /// Another identity document of a natural person without a 公民身份号码 (passport, 港澳/台湾
    /// permits, 外国人永久居留身份证), as `KIND:NUMBER` (see [`DocKind`]); never shown unmasked.
    PersonDoc,
}

impl Scheme {
    pub const ALL: [Scheme; 6] = [
        Scheme::Uscc,
        Scheme::Org,
        Scheme::Regno,
        Scheme::TaxNo,
        Scheme::CitizenId,
        Scheme::PersonDoc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Uscc => "uscc",
            Scheme::Org => "org",
            Scheme::Regno => "regno",
            Scheme::TaxNo => "tax_no",
            Scheme::CitizenId => "citizen_id",
            Scheme::PersonDoc => "person_doc",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Scheme::Uscc => "统一社会信用代码",
            Scheme::Org => "组织机构代码",
            Scheme::Regno => "工商注册号",
            Scheme::TaxNo => "税务登记号",
            Scheme::CitizenId => "公民身份号码",
            Scheme::PersonDoc => "其他身份证件号码",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Legacy schemes map onto a USCC; the others identify a subject on their own.
    pub fn is_legacy(self) -> bool {
        matches!(self, Scheme::Org | Scheme::Regno | Scheme::TaxNo)
    }
}

/// The registered facts about a subject at one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectData {
    pub kind: SubjectKind,
    pub name: String,
    pub status: SubjectStatus,
    pub uscc: Option<String>,
    pub org_code: Option<String>,
    pub reg_no: Option<String>,
    pub tax_no: Option<String>,
    /// Natural persons only. Stored whole; shown masked.
    pub citizen_id: Option<String>,
    /// Natural persons identified by another document (`KIND:NUMBER`, see [`DocKind`]). Stored
    /// whole; shown masked.
    #[serde(default)]
    pub person_doc: Option<String>,
    /// 法定代表人 / 负责人 / 经营者.
    pub legal_rep_name: Option<String>,
    /// The representative's document number. Stored whole; shown masked.
    pub legal_rep_id: Option<String>,
    /// GB/T 2260 region code of the registering authority or residence.
    pub region_code: Option<String>,
    /// 登记机关 (registration authority), free text.
    pub registration_authority: Option<String>,
    /// 成立日期 (date of establishment or registration).
    pub established: Option<NaiveDate>,
}

/// [`SubjectData::shown_as_person`] as SQL over the columns of `subjects` (prefix them with an
/// alias by [`shown_as_person_sql`]).
pub const SHOWN_AS_PERSON_SQL: &str = "(kind = 'natural_person' OR (kind = 'individual_business' \
    AND uscc IS NULL AND reg_no IS NULL AND org_code IS NULL))";

/// [`SHOWN_AS_PERSON_SQL`] with the columns of `subjects` under `alias` (`s` → `s.kind`, …).
pub fn shown_as_person_sql(alias: &str) -> String {
    SHOWN_AS_PERSON_SQL
        .replace("kind =", &format!("{alias}.kind ="))
        .replace("uscc IS", &format!("{alias}.uscc IS"))
        .replace("reg_no IS", &format!("{alias}.reg_no IS"))
        .replace("org_code IS", &format!("{alias}.org_code IS"))
}

impl SubjectData {
    /// Whether the public sees the subject as a person: a natural person, or an individual
    /// business (个体工商户) known by no organisation's code (no USCC, 注册号 or 组织机构代码),
    /// only by its operator's ID or tax number. Such a business often bears its operator's name
    /// (个体工商户可以不使用名称) or holds it inside a shop name, and is found by the operator's
    /// document: its name is shown masked and is not found by public search, on the subject page
    /// as on the 双公示 columns (国办发〔2020〕49号 (十四): personal information under
    /// 「必要、最小化原则」). An individual business with a USCC is shown as its registration.
    pub fn shown_as_person(&self) -> bool {
        self.kind == SubjectKind::NaturalPerson
            || (self.kind == SubjectKind::IndividualBusiness
                && self.uscc.is_none()
                && self.reg_no.is_none()
                && self.org_code.is_none())
    }

    /// A blank record of the given kind and name; fill the rest with struct update syntax.
    pub fn new(kind: SubjectKind, name: impl Into<String>) -> Self {
        SubjectData {
            kind,
            name: name.into(),
            status: SubjectStatus::Active,
            uscc: None,
            org_code: None,
            reg_no: None,
            tax_no: None,
            citizen_id: None,
            person_doc: None,
            legal_rep_name: None,
            legal_rep_id: None,
            region_code: None,
            registration_authority: None,
            established: None,
        }
    }

    /// The identifiers under which this subject can be found, normalised.
    /// The organisation code is derived from USCC positions 9–17 when not given
    /// (GB 32100-2015 §4.1: 主体标识码 = 组织机构代码).
    pub fn identifiers(&self) -> Vec<(Scheme, String)> {
        let mut out = Vec::with_capacity(3);
        if let Some(u) = &self.uscc {
            out.push((Scheme::Uscc, u.clone()));
        }
        match (&self.org_code, &self.uscc) {
            (Some(o), _) => out.push((Scheme::Org, o.clone())),
            (None, Some(u)) if u.len() == 18 => out.push((Scheme::Org, u[8..17].to_string())),
            _ => {}
        }
        if let Some(r) = &self.reg_no {
            out.push((Scheme::Regno, r.clone()));
        }
        if let Some(t) = &self.tax_no {
            out.push((Scheme::TaxNo, t.clone()));
        }
        if let Some(c) = &self.citizen_id {
            out.push((Scheme::CitizenId, c.clone()));
        }
        if let Some(d) = &self.person_doc {
            out.push((Scheme::PersonDoc, d.clone()));
        }
        out
    }

    /// The main identifier of the subject: its USCC, else its citizen ID, else its first legacy code.
    pub fn primary_identifier(&self) -> Option<(Scheme, &str)> {
        if let Some(u) = &self.uscc {
            return Some((Scheme::Uscc, u));
        }
        if let Some(c) = &self.citizen_id {
            return Some((Scheme::CitizenId, c));
        }
        if let Some(d) = &self.person_doc {
            return Some((Scheme::PersonDoc, d));
        }
        if let Some(o) = &self.org_code {
            return Some((Scheme::Org, o));
        }
        if let Some(r) = &self.reg_no {
            return Some((Scheme::Regno, r));
        }
        self.tax_no.as_deref().map(|t| (Scheme::TaxNo, t))
    }

    /// Checks every field against its rule and returns the normalised data together with
    /// the wrong-code cases found inside the record itself (legacy codes that contradict the USCC).
    ///
    /// `today` bounds birth dates and establishment dates (no future dates).
    pub fn validate(mut self, today: NaiveDate) -> Result<Validated, RegistryError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(RegistryError::field(
                "name",
                "empty",
                "a subject needs a name",
            ));
        }
        if self.name.chars().count() > 200 {
            return Err(RegistryError::field(
                "name",
                "too_long",
                "a subject name has at most 200 characters",
            ));
        }
        self.uscc = normalise_with(self.uscc, "uscc", |s| {
            codes::validate_uscc(s).map(|c| c.as_str().to_string())
        })?;
        self.org_code = normalise_with(self.org_code, "org_code", |s| {
            codes::validate_org_code(s).map(|c| c.as_str().to_string())
        })?;
        self.reg_no = normalise_with(self.reg_no, "reg_no", |s| {
            codes::validate_reg_no(s).map(|c| c.as_str().to_string())
        })?;
        self.tax_no = match self.tax_no.take() {
            None => None,
            Some(t) => Some(validate_tax_no(&t)?),
        };
        self.citizen_id = normalise_with(self.citizen_id, "citizen_id", |s| {
            codes::validate_citizen_id(s, today).map(|c| c.as_str().to_string())
        })?;
        self.person_doc = match trim_opt(self.person_doc) {
            None => None,
            Some(d) => Some(validate_person_doc(&d)?),
        };
        self.legal_rep_name = trim_opt(self.legal_rep_name);
        self.legal_rep_id = match trim_opt(self.legal_rep_id) {
            None => None,
            Some(id) => Some(validate_document_number(&id, today)?),
        };
        self.registration_authority = trim_opt(self.registration_authority);
        self.region_code = match trim_opt(self.region_code) {
            Some(r) if !codes::region::is_known(&r) => {
                return Err(RegistryError::field(
                    "region_code",
                    "region_code",
                    format!("{r} is not a known GB/T 2260 region code"),
                ));
            }
            Some(r) => Some(r),
            None => self
                .uscc
                .as_ref()
                .map(|u| u[2..8].to_string())
                .or_else(|| self.citizen_id.as_ref().map(|c| c[0..6].to_string())),
        };
        if let Some(d) = self.established
            && d > today
        {
            return Err(RegistryError::field(
                "established",
                "future_date",
                format!("date of establishment {d} is after today {today}"),
            ));
        }

        // Kind-specific identifier rules.
        if self.kind.is_person() {
            if self.citizen_id.is_none() && self.person_doc.is_none() {
                return Err(RegistryError::field(
                    "citizen_id",
                    "required",
                    "a natural person is identified by a citizen ID number (GB 11643-1999) or, \
                     without one, by another identity document (person_doc)",
                ));
            }
            if self.uscc.is_some() || self.org_code.is_some() || self.reg_no.is_some() {
                return Err(RegistryError::field(
                    "uscc",
                    "not_allowed",
                    "a natural person has no organisation codes; register the business as an individual business",
                ));
            }
        } else {
            if self.person_doc.is_some() {
                return Err(RegistryError::field(
                    "person_doc",
                    "not_allowed",
                    "only natural persons are identified by an identity document",
                ));
            }
            if self.citizen_id.is_some() {
                return Err(RegistryError::field(
                    "citizen_id",
                    "not_allowed",
                    "only natural persons are identified by a citizen ID; put the representative's ID in legal_rep_id",
                ));
            }
            if self.uscc.is_none()
                && self.org_code.is_none()
                && self.reg_no.is_none()
                && self.tax_no.is_none()
            {
                return Err(RegistryError::field(
                    "uscc",
                    "required",
                    "an organisation needs a unified social credit code or at least one legacy code",
                ));
            }
        }

        let cases = self.internal_mismatches();
        Ok(Validated { data: self, cases })
    }

    /// Legacy codes that contradict the subject's own USCC (GB 32100 §4.2.4: positions 9–17 of a
    /// converted entity's USCC are its old organisation code; an old tax number is the 6-digit
    /// region code followed by the organisation code).
    fn internal_mismatches(&self) -> Vec<CaseDraft> {
        let Some(uscc) = &self.uscc else {
            return Vec::new();
        };
        let embedded = &uscc[8..17];
        let mut out = Vec::new();
        if let Some(org) = &self.org_code
            && org != embedded
        {
            out.push(CaseDraft {
                kind: CaseKind::LegacyMismatch,
                scheme: Scheme::Org,
                code: org.clone(),
                other_subject_id: None,
                detail: format!(
                    "organisation code {org} differs from positions 9-17 of USCC {uscc} ({embedded})"
                ),
            });
        }
        if let Some(tax) = &self.tax_no
            && let Some(org_part) = codes::org_code_of_tax_no(tax)
            && org_part != embedded
        {
            out.push(CaseDraft {
                kind: CaseKind::LegacyMismatch,
                scheme: Scheme::TaxNo,
                code: tax.clone(),
                other_subject_id: None,
                detail: format!(
                    "tax number {tax} carries organisation code {org_part}, but USCC {uscc} carries {embedded}"
                ),
            });
        }
        out
    }
}

/// An identity document other than a 公民身份号码, by which a natural person without one (a
/// foreigner, a resident of Hong Kong, Macao or Taiwan) is identified: the 双公示 证件类型 values
/// (standards.md §4: 护照 / 港澳居民来往内地通行证 / 台湾居民来往大陆通行证 /
/// 外国人永久居留身份证, coded 02–05 by one implementation). 港澳台居民居住证 carry a citizen-ID
/// style number and are checked as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    Passport,
    HkMacaoPermit,
    TaiwanPermit,
    ForeignPermanentResident,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [
        DocKind::Passport,
        DocKind::HkMacaoPermit,
        DocKind::TaiwanPermit,
        DocKind::ForeignPermanentResident,
    ];

    /// The prefix of a [`Scheme::PersonDoc`] code.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Passport => "passport",
            DocKind::HkMacaoPermit => "hk_macao_permit",
            DocKind::TaiwanPermit => "taiwan_permit",
            DocKind::ForeignPermanentResident => "foreign_permanent_resident",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DocKind::Passport => "护照",
            DocKind::HkMacaoPermit => "港澳居民来往内地通行证",
            DocKind::TaiwanPermit => "台湾居民来往大陆通行证",
            DocKind::ForeignPermanentResident => "外国人永久居留身份证",
        }
    }

    /// A 证件类型 as a 双公示 file writes it: the Chinese name or its code 02–05.
    pub fn from_type(t: &str) -> Option<DocKind> {
        match t.trim() {
            "护照" | "02" => Some(DocKind::Passport),
            "港澳居民来往内地通行证" | "03" => Some(DocKind::HkMacaoPermit),
            "台湾居民来往大陆通行证" | "04" => Some(DocKind::TaiwanPermit),
            "外国人永久居留身份证" | "05" => Some(DocKind::ForeignPermanentResident),
            _ => None,
        }
    }

    fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The [`Scheme::PersonDoc`] code of a document: `KIND:NUMBER`, the number in upper case without
/// spaces or hyphens, 5 to 20 letters and digits.
pub fn person_doc_code(kind: DocKind, number: &str) -> Result<String, RegistryError> {
    // Upper case, half-width, without the spaces and hyphens people write in numbers.
    let n = codes::normalize(number);
    let b = n.as_bytes();
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    // The shapes the documents are issued in (chengxin's reading; no national text at hand
    // states them): 港澳居民来往内地通行证 H or M and 8 digits (10 on later issues); 台湾居民来往
    // 大陆通行证 8 digits (10 on later issues); 外国人永久居留身份证 3 letters and 12 digits, or,
    // since 2023, 18 characters beginning with 9 with a GB 11643 check character. A passport's
    // number depends on its country: 5 to 20 letters and digits.
    let (ok, shape) = match kind {
        DocKind::Passport => (
            (5..=20).contains(&b.len()) && b.iter().all(u8::is_ascii_alphanumeric),
            "5 to 20 letters and digits",
        ),
        DocKind::HkMacaoPermit => (
            matches!(b.len(), 9 | 11) && matches!(b[0], b'H' | b'M') && digits(&b[1..]),
            "H or M followed by 8 (or 10) digits",
        ),
        DocKind::TaiwanPermit => (matches!(b.len(), 8 | 10) && digits(b), "8 (or 10) digits"),
        DocKind::ForeignPermanentResident => (
            (b.len() == 15 && b[..3].iter().all(u8::is_ascii_uppercase) && digits(&b[3..]))
                || (n.starts_with('9') && codes::has_mod11_2_check(&n)),
            "3 letters and 12 digits, or 18 characters beginning with 9 whose last is the \
             check character",
        ),
    };
    if !ok {
        return Err(RegistryError::field(
            "person_doc",
            "person_doc",
            format!("a {} number is {shape}", kind.label_zh()),
        ));
    }
    Ok(format!("{}:{n}", kind.as_str()))
}

fn validate_person_doc(raw: &str) -> Result<String, RegistryError> {
    let (kind, number) = raw
        .split_once(':')
        .and_then(|(k, n)| DocKind::parse(k.trim()).map(|k| (k, n)))
        .ok_or_else(|| {
            RegistryError::field(
                "person_doc",
                "person_doc",
                "an identity document is written KIND:NUMBER, KIND one of passport, \
                 hk_macao_permit, taiwan_permit, foreign_permanent_resident",
            )
        })?;
    person_doc_code(kind, number)
}

/// Whether `code` is a [`Scheme::PersonDoc`] code (`KIND:NUMBER` of a known kind).
pub fn is_person_doc_code(code: &str) -> bool {
    code.split_once(':')
        .is_some_and(|(k, _)| DocKind::parse(k).is_some())
}

/// How the public sees an identifier of a natural person: the document's kind and a masked
/// number (`护照 E******78`); a citizen ID masked as everywhere.
pub fn masked_person_identifier(code: &str) -> String {
    match code
        .split_once(':')
        .and_then(|(k, n)| DocKind::parse(k).map(|k| (k, n)))
    {
        Some((kind, number)) => format!("{} {}", kind.label_zh(), codes::mask::document(number)),
        None => codes::mask::citizen_id(code),
    }
}

/// A natural person's identifying number as written in documents about them (without the
/// `KIND:` of a [`Scheme::PersonDoc`] code), and how the public sees it.
pub fn person_number(code: &str) -> (&str, String) {
    match code
        .split_once(':')
        .filter(|(k, _)| DocKind::parse(k).is_some())
    {
        Some((_, number)) => (number, codes::mask::document(number)),
        None => (code, codes::mask::citizen_id(code)),
    }
}

fn trim_opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn normalise_with(
    value: Option<String>,
    field: &'static str,
    f: impl Fn(&str) -> Result<String, codes::CodeError>,
) -> Result<Option<String>, RegistryError> {
    match trim_opt(value) {
        None => Ok(None),
        Some(v) => f(&v).map(Some).map_err(|e| RegistryError::Code {
            field,
            error: Box::new(e),
        }),
    }
}

/// An old 15-character tax registration number: 6-digit region code + 9-character organisation
/// code whose GB 11714 check must hold. Some tax numbers were issued on citizen IDs (individual
/// businesses); those are 15/18/20 characters and are kept as given after normalisation.
fn validate_tax_no(raw: &str) -> Result<String, RegistryError> {
    let n = codes::normalize(raw).into_owned();
    if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(RegistryError::field(
            "tax_no",
            "charset",
            format!("tax number {raw:?} must be 15 to 20 digits or upper-case letters"),
        ));
    }
    if n.len() == 15
        && let Some(org) = codes::org_code_of_tax_no(&n)
    {
        codes::validate_org_code(org).map_err(|e| RegistryError::Code {
            field: "tax_no",
            error: Box::new(e),
        })?;
    }
    Ok(n)
}

/// A representative's document number: a citizen ID when it has that shape (then it must be
/// valid), otherwise another document (passport, permit) kept as given.
fn validate_document_number(raw: &str, today: NaiveDate) -> Result<String, RegistryError> {
    let n = codes::normalize(raw).into_owned();
    let b = n.as_bytes();
    let looks_like_citizen_id = b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X');
    if looks_like_citizen_id {
        codes::validate_citizen_id(&n, today)
            .map(|c| c.as_str().to_string())
            .map_err(|e| RegistryError::Code {
                field: "legal_rep_id",
                error: Box::new(e),
            })
    } else if n.is_empty() || n.chars().count() > 40 {
        Err(RegistryError::field(
            "legal_rep_id",
            "length",
            "a document number has 1 to 40 characters",
        ))
    } else {
        Ok(n)
    }
}

/// Data that passed [`SubjectData::validate`], with the wrong-code cases found inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated {
    pub data: SubjectData,
    pub cases: Vec<CaseDraft>,
}

/// Who made a change, why, from which source, and from which date it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Account, department or system that made the change.
    pub actor: String,
    /// Why: e.g. "initial registration", "name change per 变更登记 2024-03-02".
    pub reason: String,
    /// Where the data came from: a batch id, a file, "registry api", "demo".
    pub source: String,
    /// The date from which this version describes the subject (as-of queries use it).
    pub valid_from: NaiveDate,
}

/// One version of a subject, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub version: i64,
    pub data: SubjectData,
    pub valid_from: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub reason: String,
    pub source: String,
}

/// A subject with its current (or as-of) version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: i64,
    /// The subject's stable public key: its USCC, or an opaque key for subjects without one
    /// (so that no citizen ID ever appears in a URL).
    pub key: String,
    pub current: Version,
}

impl Subject {
    pub fn data(&self) -> &SubjectData {
        &self.current.data
    }
}

/// Former names: the distinct names of earlier versions, oldest first, excluding the current name.
pub fn former_names<'a>(
    history: impl IntoIterator<Item = &'a Version>,
    current_name: &str,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in history {
        if v.data.name != current_name && !out.contains(&v.data.name) {
            out.push(v.data.name.clone());
        }
    }
    out
}

/// Kinds of duplicate/wrong-code case (重错码).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 重码: the code is already held by a different subject.
    DuplicateCode,
    /// A legacy code already maps to a subject with a different USCC.
    LegacyConflict,
    /// A legacy code that contradicts the subject's own USCC.
    LegacyMismatch,
    /// 错码: a USCC that fails its check (quarantined, not dropped; issue 4 collection).
    InvalidCheck,
    /// A decision names a subject by its code under a name the subject never held: the code
    /// or the name is wrong (held for review, not published on that subject's page).
    NameMismatch,
}

impl CaseKind {
    pub const ALL: [CaseKind; 5] = [
        CaseKind::DuplicateCode,
        CaseKind::LegacyConflict,
        CaseKind::LegacyMismatch,
        CaseKind::InvalidCheck,
        CaseKind::NameMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::DuplicateCode => "duplicate_code",
            CaseKind::LegacyConflict => "legacy_conflict",
            CaseKind::LegacyMismatch => "legacy_mismatch",
            CaseKind::InvalidCheck => "invalid_check",
            CaseKind::NameMismatch => "name_mismatch",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseKind::DuplicateCode => "重码",
            CaseKind::LegacyConflict => "新旧代码冲突",
            CaseKind::LegacyMismatch => "新旧代码不一致",
            CaseKind::InvalidCheck => "错码",
            CaseKind::NameMismatch => "名称与代码不符",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A case to open for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDraft {
    pub kind: CaseKind,
    pub scheme: Scheme,
    pub code: String,
    /// The other subject that already holds the code, when there is one.
    pub other_subject_id: Option<i64>,
    pub detail: String,
}

/// A subject already holding one of a candidate's identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub scheme: Scheme,
    pub value: String,
    pub subject_id: i64,
    pub subject_uscc: Option<String>,
}

/// Cases raised by identifiers that other subjects already hold.
///
/// `me` is the subject being changed (None for a new registration); identifiers it holds itself
/// are not conflicts.
pub fn conflicts(candidate: &SubjectData, me: Option<i64>, holders: &[Holder]) -> Vec<CaseDraft> {
    holders
        .iter()
        .filter(|h| Some(h.subject_id) != me)
        .map(|h| {
            let legacy_conflict = h.scheme.is_legacy()
                && matches!((&candidate.uscc, &h.subject_uscc), (Some(a), Some(b)) if a != b);
            if legacy_conflict {
                CaseDraft {
                    kind: CaseKind::LegacyConflict,
                    scheme: h.scheme,
                    code: h.value.clone(),
                    other_subject_id: Some(h.subject_id),
                    detail: format!(
                        "{} {} already maps to USCC {}, not {}",
                        h.scheme.label_zh(),
                        h.value,
                        h.subject_uscc.as_deref().unwrap_or("-"),
                        candidate.uscc.as_deref().unwrap_or("-"),
                    ),
                }
            } else {
                CaseDraft {
                    kind: CaseKind::DuplicateCode,
                    scheme: h.scheme,
                    code: h.value.clone(),
                    other_subject_id: Some(h.subject_id),
                    detail: format!(
                        "{} {} is already held by subject #{}",
                        h.scheme.label_zh(),
                        h.value,
                        h.subject_id
                    ),
                }
            }
        })
        .collect()
}

/// Errors of the registry rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("{field}: {error}")]
    Code {
        field: &'static str,
        error: Box<codes::CodeError>,
    },
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        rule: &'static str,
        message: String,
    },
}

impl RegistryError {
    fn field(field: &'static str, rule: &'static str, message: impl Into<String>) -> Self {
        RegistryError::Field {
            field,
            rule,
            message: message.into(),
        }
    }

    /// What is wrong, without the field's name in front (for an answer that names it apart).
    pub fn detail(&self) -> String {
        match self {
            RegistryError::Code { error, .. } => error.to_string(),
            RegistryError::Field { message, .. } => message.clone(),
        }
    }

    /// The field the error is about.
    pub fn field_name(&self) -> &'static str {
        match self {
            RegistryError::Code { field, .. } | RegistryError::Field { field, .. } => field,
        }
    }

    /// The stable rule id the error is about.
    pub fn rule(&self) -> &'static str {
        match self {
            RegistryError::Code { error, .. } => error.rule.as_str(),
            RegistryError::Field { rule, .. } => rule,
        }
    }
}

#[cfg(test)]
mod tests;
