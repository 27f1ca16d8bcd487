//! Validation of a catalog as a whole: what `Catalog::from_toml` / `from_json` refuse.

use crate::model::{
    Catalog, CatalogItem, CodeField, Field, FieldType, Mask, Nature, Publication, Role, Severity,
};
use crate::row::{RecordStatus, parse_subject_category};
use crate::values::header_key;
use std::collections::{HashMap, HashSet};

/// The longest publication period a catalog may declare (keeps date arithmetic in range).
pub const MAX_PERIOD_MONTHS: u32 = 1200;

/// A catalog file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The text is not well-formed TOML/JSON or does not have the catalog's shape (unknown key,
    /// wrong type, missing key). The message carries the parser's position.
    #[error("catalog {format} cannot be read: {message}")]
    Syntax {
        format: &'static str,
        message: String,
    },
    /// The catalog is well-formed but breaks a rule. `item` is the item code (empty for the
    /// catalog itself), `field` the field code when the problem is in one field.
    #[error("{}", describe(item, field.as_deref(), problem))]
    Invalid {
        item: String,
        field: Option<String>,
        problem: String,
    },
}

fn describe(item: &str, field: Option<&str>, problem: &str) -> String {
    match (item.is_empty(), field) {
        (true, _) => format!("catalog: {problem}"),
        (false, None) => format!("catalog item `{item}`: {problem}"),
        (false, Some(f)) => format!("catalog item `{item}`, field `{f}`: {problem}"),
    }
}

fn catalog_err(problem: impl Into<String>) -> CatalogError {
    CatalogError::Invalid {
        item: String::new(),
        field: None,
        problem: problem.into(),
    }
}

fn item_err(item: &CatalogItem, problem: impl Into<String>) -> CatalogError {
    CatalogError::Invalid {
        item: item.code.clone(),
        field: None,
        problem: problem.into(),
    }
}

fn field_err(item: &CatalogItem, field: &Field, problem: impl Into<String>) -> CatalogError {
    CatalogError::Invalid {
        item: item.code.clone(),
        field: Some(field.code.clone()),
        problem: problem.into(),
    }
}

/// Check every rule of a catalog; the first broken one is returned.
pub(crate) fn check_catalog(c: &Catalog) -> Result<(), CatalogError> {
    if c.version == 0 {
        return Err(catalog_err("version must be 1 or more"));
    }
    if c.title.trim().is_empty() {
        return Err(catalog_err("title is empty"));
    }
    if c.items.is_empty() {
        return Err(catalog_err("no items"));
    }
    let mut codes = HashSet::new();
    for item in &c.items {
        if item.code.is_empty()
            || !item
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(item_err(
                item,
                "item code must be non-empty and use only a-z, 0-9 and _",
            ));
        }
        if !codes.insert(item.code.as_str()) {
            return Err(item_err(item, "duplicate item code"));
        }
        check_item(item)?;
    }
    Ok(())
}

fn check_item(item: &CatalogItem) -> Result<(), CatalogError> {
    if item.name.trim().is_empty() {
        return Err(item_err(item, "name is empty"));
    }
    if item.category.trim().is_empty() {
        return Err(item_err(
            item,
            "category is empty (a category of the 全国公共信用信息基础目录 is required)",
        ));
    }
    if item.legal_basis.is_empty() || item.legal_basis.iter().any(|b| b.trim().is_empty()) {
        return Err(item_err(
            item,
            "legal_basis must cite at least one document and no citation may be empty \
             (国办发〔2020〕49号: information enters only through a catalog item with its legal basis)",
        ));
    }
    let mut providers = HashSet::new();
    for p in &item.providers {
        if let Err(e) = chengxin_codes::validate_uscc(p) {
            return Err(item_err(
                item,
                format!("provider {p:?} is not a valid 统一社会信用代码: {e}"),
            ));
        }
        // A provider (信息提供单位) is a government department: a code registered by 机构编制
        // (GB 32100's registration authority 1), as `chengxin departments add` requires.
        if !chengxin_codes::normalize(p).starts_with('1') {
            return Err(item_err(
                item,
                format!(
                    "provider {p} is not a department's code: 信息提供单位 are government \
                     departments, whose 统一社会信用代码 starts with 1 (机构编制)"
                ),
            ));
        }
        if !providers.insert(chengxin_codes::normalize(p).into_owned()) {
            return Err(item_err(item, format!("provider {p} is listed twice")));
        }
    }
    check_publication(item)?;
    if item.fields.is_empty() {
        return Err(item_err(item, "no fields"));
    }

    // Headers must be unambiguous: every code, name and alias of every field has its own key.
    let mut keys: HashMap<String, &str> = HashMap::new();
    let mut field_codes = HashSet::new();
    for f in &item.fields {
        if f.code.trim().is_empty() || f.code.chars().any(char::is_whitespace) {
            return Err(field_err(
                item,
                f,
                "field code must be non-empty and contain no white space",
            ));
        }
        if !field_codes.insert(f.code.as_str()) {
            return Err(field_err(item, f, "duplicate field code"));
        }
        if f.name.trim().is_empty() {
            return Err(field_err(item, f, "name is empty"));
        }
        if f.max_chars == 0 {
            return Err(field_err(item, f, "max_chars must be 1 or more"));
        }
        let mut own = HashSet::new();
        for (what, h) in std::iter::once(("code", &f.code))
            .chain(std::iter::once(("name", &f.name)))
            .chain(f.aliases.iter().map(|a| ("alias", a)))
        {
            let k = header_key(h);
            if k.is_empty() {
                return Err(field_err(item, f, format!("{what} {h:?} is blank")));
            }
            if !own.insert(k.clone()) {
                if what == "alias" {
                    return Err(field_err(
                        item,
                        f,
                        format!("alias {h:?} repeats the field's own code, name or alias"),
                    ));
                }
                // A name equal to the code (after normalisation) is harmless.
                continue;
            }
            if let Some(other) = keys.insert(k, f.code.as_str()) {
                return Err(field_err(
                    item,
                    f,
                    format!(
                        "{what} {h:?} is also a code, name or alias of field `{other}` \
                         (duplicate field name: headers would be ambiguous)"
                    ),
                ));
            }
        }
        check_field_type(item, f)?;
    }
    check_roles(item)
}

/// Whether 国家发展改革委令第36号 (《信用修复管理办法》) governs the item's publication: its
/// legal basis cites the order (however the number is written: spaces, full-width or Chinese
/// digits, or by the order's title), or the item is 行政处罚信息 (a field with role
/// `penalty_kind`), which the order's Art. 4 names as 失信信息 whatever the citations say.
fn governed_by_order_36(item: &CatalogItem) -> bool {
    if item
        .fields
        .iter()
        .any(|f| f.role == Some(Role::PenaltyKind))
    {
        return true;
    }
    item.legal_basis.iter().any(|b| {
        // Width and spaces as codes are normalised; zero-width characters and Chinese
        // numerals besides.
        let b = chengxin_codes::normalize(b)
            .replace(
                ['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}'],
                "",
            )
            .replace("三十六", "36");
        b.contains("第36号") || b.contains("36号令") || b.contains("信用修复管理办法")
    })
}

fn check_publication(item: &CatalogItem) -> Result<(), CatalogError> {
    // An item that rests on 36号令 is 失信信息 (its Art. 4) and is published for the periods it
    // sets: neither relabelling it nor publishing it "while valid" may step outside them.
    if governed_by_order_36(item) {
        if item.nature != Nature::Negative {
            return Err(item_err(
                item,
                "国家发展改革委令第36号 governs this item (cited in its legal basis, or it is \
                 行政处罚信息), and that order is about 失信信息: nature must be negative",
            ));
        }
        if !matches!(item.publication, Publication::Window { .. }) {
            return Err(item_err(
                item,
                "国家发展改革委令第36号 governs this item (cited in its legal basis, or it is \
                 行政处罚信息): publication must be a window of severity periods within that \
                 order's bounds, not while_valid or none",
            ));
        }
    }
    let Publication::Window {
        periods,
        default_severity,
    } = &item.publication
    else {
        return Ok(());
    };
    if periods.is_empty() {
        return Err(item_err(item, "publication window has no severity periods"));
    }
    let mut seen = HashSet::new();
    for p in periods {
        if !seen.insert(p.severity) {
            return Err(item_err(
                item,
                format!(
                    "publication window lists severity {} twice",
                    p.severity.as_str()
                ),
            ));
        }
        if p.min_months > p.max_months {
            return Err(item_err(
                item,
                format!(
                    "publication period for severity {}: min_months {} is greater than max_months {}",
                    p.severity.as_str(),
                    p.min_months,
                    p.max_months
                ),
            ));
        }
        if p.max_months > MAX_PERIOD_MONTHS {
            return Err(item_err(
                item,
                format!(
                    "publication period for severity {}: max_months {} exceeds {MAX_PERIOD_MONTHS}",
                    p.severity.as_str(),
                    p.max_months
                ),
            ));
        }
    }
    if item.nature == Nature::Negative {
        for p in periods {
            let (lo, hi) = p.severity.period_bounds_months();
            let inside = |m: u32| (lo..=hi).contains(&m);
            if !inside(p.min_months) || !inside(p.max_months) {
                return Err(item_err(
                    item,
                    format!(
                        "publication period for severity {} ({}): {}–{} months is outside the \
                         {lo}–{hi} months that 国家发展改革委令第36号 (in force since 2026-04-01) \
                         and 国办发〔2025〕22号 (二) allow for {} 失信信息",
                        p.severity.as_str(),
                        p.severity.label_zh(),
                        p.min_months,
                        p.max_months,
                        p.severity.label_zh(),
                    ),
                ));
            }
        }
    }
    // A row's class can be any of the three when the item has a severity or 处罚类别 field, and
    // 36号令 sets a period for each (轻微 at most 3 months or not published, which is
    // max_months 0): an item without one of them would have no lawful period for such a row.
    let graded = item
        .fields
        .iter()
        .any(|f| matches!(f.role, Some(Role::Severity | Role::PenaltyKind)));
    if graded && governed_by_order_36(item) {
        for s in [Severity::Minor, Severity::General, Severity::Serious] {
            if !seen.contains(&s) {
                return Err(item_err(
                    item,
                    format!(
                        "publication periods: severity {} ({}) has none, but a row's severity \
                         (or its 处罚类别) can be {}: 国家发展改革委令第36号 sets a period for \
                         each of 轻微, 一般 and 严重; give all three (轻微 with max_months 0 is \
                         not published)",
                        s.as_str(),
                        s.label_zh(),
                        s.label_zh()
                    ),
                ));
            }
        }
    }
    if !seen.contains(default_severity) {
        return Err(item_err(
            item,
            format!(
                "default_severity {} has no publication period",
                default_severity.as_str()
            ),
        ));
    }
    Ok(())
}

fn check_field_type(item: &CatalogItem, f: &Field) -> Result<(), CatalogError> {
    if let FieldType::Enum { values } = &f.ty {
        if values.is_empty() {
            return Err(field_err(item, f, "enum has no values"));
        }
        let mut seen = HashSet::new();
        for v in values {
            if v.trim().is_empty() || v.trim() != v {
                return Err(field_err(
                    item,
                    f,
                    format!("enum value {v:?} is blank or has surrounding white space"),
                ));
            }
            if v.chars().count() > f.max_chars {
                return Err(field_err(
                    item,
                    f,
                    format!("enum value {v:?} is longer than max_chars {}", f.max_chars),
                ));
            }
            if !seen.insert(header_key(v)) {
                return Err(field_err(
                    item,
                    f,
                    format!("enum value {v:?} is listed twice"),
                ));
            }
        }
    }
    if f.unit.is_some() && f.ty != FieldType::Decimal {
        return Err(field_err(
            item,
            f,
            "unit is for decimal fields only (type = \"decimal\")",
        ));
    }
    // Personal identifiers are never shown unmasked (DESIGN.md principle 3).
    let personal = matches!(f.ty, FieldType::Code(CodeField::CitizenId))
        || matches!(f.role, Some(Role::PersonId | Role::LegalRepId));
    if personal && f.mask != Mask::CitizenId {
        return Err(field_err(
            item,
            f,
            "a citizen-ID or personal document-number field must have mask = \"citizen_id\"",
        ));
    }
    Ok(())
}

fn check_roles(item: &CatalogItem) -> Result<(), CatalogError> {
    let mut by_role: HashMap<Role, Vec<&Field>> = HashMap::new();
    for f in &item.fields {
        if let Some(r) = f.role {
            by_role.entry(r).or_default().push(f);
        }
    }
    for (role, what) in [
        (Role::DocNo, "document number (role doc_no)"),
        (Role::DecisionDate, "decision date (role decision_date)"),
        (Role::SubjectName, "subject name (role subject_name)"),
    ] {
        match by_role.get(&role).map(Vec::as_slice) {
            None | Some([]) => {
                return Err(item_err(
                    item,
                    format!("needs exactly one field with the {what}; found none"),
                ));
            }
            Some([f]) if !f.required => {
                return Err(field_err(
                    item,
                    f,
                    format!("the {what} field must be required"),
                ));
            }
            _ => {}
        }
    }
    for (role, fields) in &by_role {
        if !matches!(role, Role::PenaltyKind | Role::OtherOrgCode)
            && let [_, second, ..] = fields.as_slice()
        {
            return Err(field_err(
                item,
                second,
                format!(
                    "role {role} is already held by field `{}`; a role appears at most once",
                    fields[0].code
                ),
            ));
        }
    }
    if !item
        .fields
        .iter()
        .any(|f| f.role.is_some_and(Role::is_subject_code))
    {
        return Err(item_err(
            item,
            "needs at least one subject-code field (role uscc, reg_no, org_code, tax_no or person_id)",
        ));
    }
    for f in &item.fields {
        let Some(role) = f.role else { continue };
        check_role_type(item, f, role)?;
    }
    Ok(())
}

fn check_role_type(item: &CatalogItem, f: &Field, role: Role) -> Result<(), CatalogError> {
    let want = |ok: bool, expected: &str| {
        if ok {
            Ok(())
        } else {
            Err(field_err(
                item,
                f,
                format!("a field with role {role} must have type {expected}"),
            ))
        }
    };
    match role {
        Role::DecisionDate | Role::ValidFrom | Role::ValidTo | Role::PublishUntil => {
            want(f.ty == FieldType::Date, "date")
        }
        Role::Uscc => want(f.ty == FieldType::Code(CodeField::Uscc), "uscc"),
        Role::OrgCode => want(f.ty == FieldType::Code(CodeField::OrgCode), "org_code"),
        Role::RegNo => want(f.ty == FieldType::Code(CodeField::RegNo), "reg_no"),
        Role::TaxNo => want(f.ty == FieldType::Code(CodeField::TaxNo), "tax_no"),
        Role::PersonId | Role::LegalRepId => want(
            matches!(f.ty, FieldType::Code(CodeField::CitizenId | CodeField::Any)),
            "citizen_id or any_code",
        ),
        Role::AuthorityCode | Role::SourceDepartmentCode | Role::OtherOrgCode => want(
            matches!(f.ty, FieldType::Code(_)),
            "a code type (uscc, org_code, any_code …)",
        ),
        Role::DocNo
        | Role::SubjectName
        | Role::LegalRep
        | Role::Authority
        | Role::SourceDepartment => want(f.ty == FieldType::Text, "text"),
        Role::PenaltyKind | Role::PersonIdType | Role::LegalRepIdType => want(
            matches!(f.ty, FieldType::Text | FieldType::Enum { .. }),
            "text or enum",
        ),
        Role::SubjectCategory => {
            enum_values_parse(item, f, role, |v| parse_subject_category(v).is_some())
        }
        Role::Status => enum_values_parse(item, f, role, |v| v.parse::<RecordStatus>().is_ok()),
        Role::Severity => {
            if !matches!(item.publication, Publication::Window { .. }) {
                return Err(field_err(
                    item,
                    f,
                    "role Severity needs an item whose publication is a window",
                ));
            }
            enum_values_parse(item, f, role, |v| v.parse::<Severity>().is_ok())
        }
    }
}

/// A field with `role` must be `text` or an enum whose every value `ok` accepts.
fn enum_values_parse(
    item: &CatalogItem,
    f: &Field,
    role: Role,
    ok: impl Fn(&str) -> bool,
) -> Result<(), CatalogError> {
    match &f.ty {
        FieldType::Text => Ok(()),
        FieldType::Enum { values } => match values.iter().find(|v| !ok(v)) {
            Some(v) => Err(field_err(
                item,
                f,
                format!("enum value {v:?} has no meaning for role {role}"),
            )),
            None => Ok(()),
        },
        _ => Err(field_err(
            item,
            f,
            format!("a field with role {role} must have type text or enum"),
        )),
    }
}
