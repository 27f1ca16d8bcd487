//! Unit tests: the default catalog, header mapping, every row rule, windows, catalog refusals.

use crate::*;
use chengxin_registry::{Scheme, SubjectKind};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn today() -> NaiveDate {
    d(2026, 11, 23)
}

const USCC: &str = "91350100M000100Y43";
/// Fails only its check character (GB 32100: expected 7).
const USCC_BAD_CHECK: &str = "91310115MA1G4L1WXK";
const CITIZEN: &str = "11010519491231002X";
const REG_NO: &str = "110108000000016";

fn catalog() -> Catalog {
    Catalog::default_catalog()
}

fn item<'a>(c: &'a Catalog, code: &str) -> &'a CatalogItem {
    c.item(code).expect("default item")
}

/// A penalty row as (header code, value) pairs.
fn penalty_row() -> Vec<(&'static str, String)> {
    vec![
        ("CF_XDR_MC", "福州某某贸易有限公司".into()),
        ("CF_XDR_LB", "法人及非法人组织".into()),
        ("CF_XDR_SHXYM", USCC.into()),
        ("CF_FRDB", "张三".into()),
        ("CF_WSH", "榕市监罚〔2026〕12号".into()),
        ("CF_SY", "未按规定公示年度报告".into()),
        ("CF_YJ", "《企业信息公示暂行条例》第十八条".into()),
        ("CF_CFLB", "罚款".into()),
        ("CF_NR", "罚款0.5万元".into()),
        ("CF_NR_FK", "0.5".into()),
        ("CF_JDRQ", "2026-01-10".into()),
        ("CF_CFJG", "福州市市场监督管理局".into()),
    ]
}

/// Validate `(header, value)` pairs against item `code`.
fn run(code: &str, row: &[(&str, String)]) -> Result<Draft, Vec<RowError>> {
    let c = catalog();
    let it = item(&c, code);
    let headers: Vec<&str> = row.iter().map(|(h, _)| *h).collect();
    let values: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let cols = it.columns(&headers).expect("headers map");
    it.validate(&cols, &values, today())
}

fn with(
    mut row: Vec<(&'static str, String)>,
    h: &'static str,
    v: &str,
) -> Vec<(&'static str, String)> {
    match row.iter_mut().find(|(k, _)| *k == h) {
        Some(cell) => cell.1 = v.to_owned(),
        None => row.push((h, v.to_owned())),
    }
    row
}

fn without(row: Vec<(&'static str, String)>, h: &str) -> Vec<(&'static str, String)> {
    row.into_iter().filter(|(k, _)| *k != h).collect()
}

/// The errors of a row that must fail.
fn errors(code: &str, row: &[(&str, String)]) -> Vec<RowError> {
    match run(code, row) {
        Ok(d) => panic!("row should fail: {d:?}"),
        Err(e) => e,
    }
}

fn has(errs: &[RowError], field: &str, rule: &str) -> bool {
    errs.iter().any(|e| e.field == field && e.rule == rule)
}

fn assert_rule(errs: &[RowError], field: &str, rule: &str) {
    assert!(
        has(errs, field, rule),
        "expected {field}/{rule} in {errs:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Default catalog

#[test]
fn default_catalog_has_the_seven_items() {
    let c = catalog();
    assert_eq!(c.version, 1);
    let codes: Vec<&str> = c.items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "registration",
            "license",
            "penalty",
            "judgment_defaulter",
            "serious_dishonesty",
            "commitment",
            "honour"
        ]
    );
    let p = item(&c, "penalty");
    assert_eq!(p.nature, Nature::Negative);
    assert_eq!(p.disclosure, Disclosure::Public);
    assert_eq!(
        p.publication,
        Publication::Window {
            periods: vec![
                SeverityPeriod {
                    severity: Severity::Minor,
                    min_months: 0,
                    max_months: 3
                },
                SeverityPeriod {
                    severity: Severity::General,
                    min_months: 3,
                    max_months: 12
                },
                SeverityPeriod {
                    severity: Severity::Serious,
                    min_months: 12,
                    max_months: 36
                },
            ],
            default_severity: Severity::General,
        }
    );
    let l = item(&c, "license");
    assert_eq!(
        (l.nature, l.sharing, l.disclosure, &l.publication),
        (
            Nature::Basic,
            Sharing::Unconditional,
            Disclosure::Public,
            &Publication::WhileValid
        )
    );
    assert_eq!(item(&c, "honour").nature, Nature::Positive);
    assert_eq!(
        item(&c, "judgment_defaulter").category,
        "司法裁判及执行信息"
    );
    assert_eq!(item(&c, "license").category, "行政管理信息");
    assert!(
        l.legal_basis
            .iter()
            .any(|b| b.contains("国办发〔2015〕51号 (十八)"))
    );
    let sd = item(&c, "serious_dishonesty");
    assert_eq!(
        sd.publication,
        Publication::Window {
            periods: vec![SeverityPeriod {
                severity: Severity::Serious,
                min_months: 12,
                max_months: 36
            }],
            default_severity: Severity::Serious,
        }
    );
}

#[test]
fn default_catalog_has_the_full_double_publicity_field_sets() {
    let c = catalog();
    let xk = [
        "XK_XDR_MC",
        "XK_XDR_LB",
        "XK_XDR_SHXYM",
        "XK_XDR_GSZC",
        "XK_XDR_ZZJG",
        "XK_XDR_SWDJ",
        "XK_XDR_SYDW",
        "XK_XDR_SHZZ",
        "XK_FRDB",
        "XK_FR_ZJLX",
        "XK_FR_ZJHM",
        "XK_XDR_ZJLX",
        "XK_XDR_ZJHM",
        "XK_XKWS",
        "XK_WSH",
        "XK_XKLB",
        "XK_XKZS",
        "XK_XKBH",
        "XK_NR",
        "XK_JDRQ",
        "XK_YXQZ",
        "XK_YXQZI",
        "XK_XKJG",
        "XK_XKJGDM",
        "XK_ZT",
        "XK_LYDW",
        "XK_LYDWDM",
        "BZ",
    ];
    let cf = [
        "CF_XDR_MC",
        "CF_XDR_LB",
        "CF_XDR_SHXYM",
        "CF_XDR_GSZC",
        "CF_XDR_ZZJG",
        "CF_XDR_SWDJ",
        "CF_XDR_SYDW",
        "CF_XDR_SHZZ",
        "CF_FRDB",
        "CF_FR_ZJLX",
        "CF_FR_ZJHM",
        "CF_XDR_ZJLX",
        "CF_XDR_ZJHM",
        "CF_WSH",
        "CF_WFXW",
        "CF_SY",
        "CF_YJ",
        "CF_CFLB",
        "CF_NR",
        "CF_NR_FK",
        "CF_NR_WFFF",
        "CF_NR_ZKDX",
        "CF_JDRQ",
        "CF_YXQ",
        "CF_GSJZQ",
        "CF_CFJG",
        "CF_CFJGDM",
        "CF_SJLY",
        "CF_SJLYDM",
        "BZ",
    ];
    for (code, set) in [("license", &xk[..]), ("penalty", &cf[..])] {
        let it = item(&c, code);
        let got: Vec<&str> = it.fields.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            &got[..set.len()],
            set,
            "{code}: standard fields first, in order"
        );
    }
    let p = item(&c, "penalty");
    let sev = p.field("XY_YZCD").expect("severity extension");
    assert_eq!(sev.role, Some(Role::Severity));
    assert_eq!(
        sev.ty,
        FieldType::Enum {
            values: vec!["轻微".into(), "一般".into(), "严重".into()]
        }
    );
    assert_eq!(
        p.field("CF_NR_FK").map(|f| &f.ty),
        Some(&FieldType::Decimal)
    );
    assert_eq!(p.field("CF_SY").map(|f| f.max_chars), Some(4000));
}

#[test]
fn personal_ids_are_masked_and_names_are_not() {
    let c = catalog();
    for code in ["XK_XDR_ZJHM", "XK_FR_ZJHM"] {
        assert_eq!(
            item(&c, "license").field(code).map(|f| f.mask),
            Some(Mask::CitizenId)
        );
    }
    for code in ["CF_XDR_ZJHM", "CF_FR_ZJHM"] {
        assert_eq!(
            item(&c, "penalty").field(code).map(|f| f.mask),
            Some(Mask::CitizenId)
        );
    }
    for it in &c.items {
        for f in &it.fields {
            let personal = matches!(f.role, Some(Role::PersonId | Role::LegalRepId))
                || f.ty == FieldType::Code(CodeField::CitizenId);
            assert_eq!(
                personal,
                f.mask == Mask::CitizenId,
                "{} {}",
                it.code,
                f.code
            );
        }
        assert_eq!(
            it.role_field(Role::SubjectName).map(|f| f.mask),
            Some(Mask::None)
        );
        if let Some(rep) = it.role_field(Role::LegalRep) {
            assert_eq!(
                rep.mask,
                Mask::None,
                "{}: 法定代表人 is public in 双公示",
                it.code
            );
        }
    }
    assert_eq!(Mask::CitizenId.apply(CITIZEN), "1101**********002X");
    assert_eq!(Mask::None.apply("张三"), "张三");
}

#[test]
fn default_catalog_round_trips_through_json() {
    let c = Catalog::from_toml(DEFAULT_CATALOG_TOML).expect("toml");
    assert_eq!(c, catalog());
    let json = c.to_json();
    let back = Catalog::from_json(&json).expect("from_json");
    assert_eq!(back, c);
    assert_eq!(back.to_json(), json);
    // Field types are written in the catalog-file form.
    assert!(json.contains(r#""type": "uscc""#), "{}", &json[..400]);
    assert!(json.contains(r#""enum": ["#));
}

// ---------------------------------------------------------------------------------------------
// Headers

const CODES: [&str; 12] = [
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_WSH",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_CFJG",
];
const NAMES: [&str; 12] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "行政处罚决定书文号",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚机关",
];

#[test]
fn codes_names_and_mixed_case_map_to_the_same_columns() {
    let c = catalog();
    let p = item(&c, "penalty");
    let by_code = p.columns(&CODES).expect("codes");
    let by_name = p.columns(&NAMES).expect("names");
    let lower: Vec<String> = CODES.iter().map(|h| h.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let mixed = [
        "\u{FEFF}cf_xdr_mc",
        " Cf_Xdr_Lb ",
        "统一社会信用代码",
        "cf_frdb",
        "CF_wsh",
        "违法事实",
        "cf_yj",
        "处罚类别",
        "cF_nR",
        "罚款金额(万元)",
        "cf_jdrq\t",
        "　处罚机关　",
    ];
    assert_eq!(p.columns(&lower).expect("lower"), by_code);
    assert_eq!(by_name, by_code);
    assert_eq!(p.columns(&mixed).expect("mixed"), by_code);
    assert_eq!(by_code.len(), 12);
    assert_eq!(by_code.field_of(0), Some(0));
    assert_eq!(by_code.column_of(0), Some(0));
    let wsh = p
        .fields
        .iter()
        .position(|f| f.code == "CF_WSH")
        .expect("CF_WSH");
    assert_eq!(by_code.column_of(wsh), Some(4));
}

#[test]
fn legacy_headers_map_to_current_fields() {
    let c = catalog();
    let p = item(&c, "penalty");
    let legacy = [
        "CF_XDR",
        "CF_XDR_ZDM",
        "CF_XDR_GSDJ",
        "CF_FR",
        "CF_WSH",
        "处罚事由",
        "CF_YJ",
        "CF_CFLB1",
        "CF_JG",
        "CF_JDRQ",
        "CF_XZJG",
        "CF_ZT",
        "CF_FR_SFZH",
    ];
    let current = [
        "CF_XDR_MC",
        "CF_XDR_ZZJG",
        "CF_XDR_GSZC",
        "CF_FRDB",
        "CF_WSH",
        "CF_SY",
        "CF_YJ",
        "CF_CFLB",
        "CF_NR",
        "CF_JDRQ",
        "CF_CFJG",
        "CF_ZT",
        "CF_FR_ZJHM",
    ];
    assert_eq!(
        p.columns(&legacy).expect("legacy"),
        p.columns(&current).expect("current")
    );
    let l = item(&c, "license");
    let legacy = [
        "XK_XDR",
        "XK_XDR_SFZ",
        "XK_WSH",
        "XK_NR",
        "XK_JDRQ",
        "XK_JZQ",
        "XK_XZJG",
        "XK_SPLB",
    ];
    let current = [
        "XK_XDR_MC",
        "XK_XDR_ZJHM",
        "XK_WSH",
        "XK_NR",
        "XK_JDRQ",
        "XK_YXQZI",
        "XK_XKJG",
        "XK_XKLB",
    ];
    assert_eq!(
        l.columns(&legacy).expect("legacy"),
        l.columns(&current).expect("current")
    );
}

#[test]
fn header_errors() {
    let c = catalog();
    let p = item(&c, "penalty");
    let mut h = CODES.to_vec();
    h.insert(2, "电话");
    assert_eq!(
        p.columns(&h),
        Err(HeaderError::UnknownColumn {
            column: 3,
            header: "电话".into(),
            more: vec![]
        })
    );
    // Every unknown header is named at once.
    let mut h = CODES.to_vec();
    h.insert(2, "电话");
    h.push("经办人");
    h.push("数据更新时间戳");
    let e = p.columns(&h).expect_err("unknown");
    assert_eq!(
        e,
        HeaderError::UnknownColumn {
            column: 3,
            header: "电话".into(),
            more: vec![
                (h.len() - 1, "经办人".into()),
                (h.len(), "数据更新时间戳".into())
            ]
        }
    );
    assert!(e.to_string().contains("also unknown: column"), "{e}");
    // A 序号 column is read past, values and all; template marks on a name are no obstacle.
    let mut h: Vec<String> = CODES.iter().map(|c| (*c).to_string()).collect();
    h.insert(0, "序号".into());
    let names: Vec<&str> = h.iter().map(String::as_str).collect();
    let cols = p.columns(&names).expect("序号 read past");
    assert!(cols.is_ignored(0) && cols.field_of(0).is_none());
    let row = penalty_row();
    let mut headers: Vec<&str> = vec!["序号"];
    headers.extend(row.iter().map(|(h, _)| *h));
    let mut values: Vec<&str> = vec!["17"];
    values.extend(row.iter().map(|(_, v)| v.as_str()));
    let cols = p.columns(&headers).expect("columns");
    assert!(
        p.validate(&cols, &values, today()).is_ok(),
        "the row number is no value"
    );
    for marked in [
        "*CF_WSH",
        "CF_WSH*",
        "CF_WSH（必填）",
        "*行政处罚决定书文号（必填）",
    ] {
        let h: Vec<&str> = CODES
            .iter()
            .map(|c| if *c == "CF_WSH" { marked } else { c })
            .collect();
        assert!(p.columns(&h).is_ok(), "{marked}");
    }
    let mut h = CODES.to_vec();
    h.push("CF_XDR");
    assert_eq!(
        p.columns(&h),
        Err(HeaderError::DuplicateField {
            field: "CF_XDR_MC".into(),
            first: 1,
            second: 13
        })
    );
    let h: Vec<&str> = CODES.iter().copied().filter(|h| *h != "CF_WSH").collect();
    let e = p.columns(&h).expect_err("missing");
    assert_eq!(
        e,
        HeaderError::MissingRequired {
            field: "CF_WSH".into(),
            name: "行政处罚决定书文号".into()
        }
    );
    assert!(e.to_string().contains("CF_WSH"));
    assert_eq!(p.columns(&[]), Err(HeaderError::Empty));
    assert_eq!(p.columns(&["", " ", "\u{FEFF}"]), Err(HeaderError::Empty));
}

// ---------------------------------------------------------------------------------------------
// Rows: the happy path, normalisation, hash

#[test]
fn a_valid_penalty_row_becomes_a_draft() {
    let dr = run("penalty", &penalty_row()).expect("valid");
    assert_eq!(dr.doc_no, "榕市监罚〔2026〕12号");
    assert_eq!(dr.decision_date, d(2026, 1, 10));
    assert_eq!(dr.status, RecordStatus::Valid);
    assert_eq!(
        dr.subject,
        SubjectRef {
            name: "福州某某贸易有限公司".into(),
            kind: SubjectKind::LegalPerson,
            scheme: Scheme::Uscc,
            code: USCC.into(),
            also: Vec::new(),
        }
    );
    assert_eq!(dr.severity, Some(Severity::General));
    assert_eq!(dr.publish_until, None);
    assert_eq!(dr.value("CF_NR_FK"), Some("0.5"));
    assert_eq!(dr.fields.len(), 12);
    // Catalog order, not input order.
    assert_eq!(dr.fields[0].0, "CF_XDR_MC");
    assert_eq!(dr.fields[1].0, "CF_XDR_LB");
    assert_eq!(dr.filled_optional, 4); // LB, SHXYM, FRDB, NR_FK
    // Completeness counts the optional fields that apply to an organisation: its six codes as
    // one (it has a USCC or the older codes instead, not all), not a natural person's
    // 证件类型/证件号码, nor the legacy-only 处罚名称 and 处罚类别2 (26 - 2 - 6 + 1 - 2).
    assert_eq!(dr.applicable_optional, 17);
    let person = run("penalty", &person_row()).expect("valid");
    // A natural person has no organisation codes and no legal representative (26 - 2 - 6 - 3).
    assert_eq!(person.applicable_optional, 15);
    assert!(person.filled_optional <= person.applicable_optional);
    // Any one of the codes fills the organisation's slot.
    let legacy_only = with(
        with(
            without(penalty_row(), "CF_XDR_SHXYM"),
            "CF_XDR_SYDW",
            "12345678",
        ),
        "CF_XDR_LB",
        "法人及非法人组织",
    );
    let p = item(&catalog(), "penalty").clone();
    let given: Vec<bool> = p
        .fields
        .iter()
        .map(|f| {
            legacy_only
                .iter()
                .any(|(k, v)| *k == f.code && !v.is_empty())
        })
        .collect();
    let (filled, applicable) = p.completeness(false, &given);
    assert_eq!(applicable, 17);
    assert_eq!(filled, 4, "LB, the code slot (SYDW), FRDB, NR_FK");
    assert_eq!(dr.hash, row_hash(&dr.fields));
    assert_eq!(dr.hash_hex().len(), 64);
    let p = catalog();
    assert_eq!(item(&p, "penalty").optional_field_count(), 26);
}

#[test]
fn values_are_normalised() {
    let row = penalty_row();
    let row = with(
        row,
        "CF_XDR_SHXYM",
        " ９１３５０１００ｍ０００１００ｙ４３ ",
    );
    let row = with(row, "CF_WSH", "  榕市监罚〔２０２６〕１２号　");
    let row = with(row, "CF_JDRQ", "2026年1月10日");
    let row = with(row, "CF_NR_FK", "0.500000");
    let row = with(row, "CF_XDR_LB", " 法人及非法人组织 ");
    let a = run("penalty", &row).expect("valid");
    let b = run("penalty", &penalty_row()).expect("valid");
    assert_eq!(a.fields, b.fields);
    assert_eq!(a.hash, b.hash);
    assert_eq!(a, b);
}

#[test]
fn dates_in_every_form_give_the_same_row() {
    let base = run("penalty", &penalty_row()).expect("valid").hash;
    for s in [
        "2026/01/10",
        "2026/1/10",
        "20260110",
        "2026年1月10日",
        "2026-01-10 00:00:00",
        "2026-1-10",
    ] {
        let dr = run("penalty", &with(penalty_row(), "CF_JDRQ", s)).expect(s);
        assert_eq!(dr.decision_date, d(2026, 1, 10), "{s}");
        assert_eq!(dr.hash, base, "{s}");
    }
}

#[test]
fn same_row_in_another_column_order_or_header_style_has_the_same_hash() {
    let c = catalog();
    let p = item(&c, "penalty");
    let row = penalty_row();
    let h1: Vec<&str> = row.iter().map(|(h, _)| *h).collect();
    let v1: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let a = p
        .validate(&p.columns(&h1).expect("h1"), &v1, today())
        .expect("a");

    // Reversed, with Chinese names.
    let mut pairs: Vec<(&str, &str)> = NAMES.iter().copied().zip(v1.iter().copied()).collect();
    pairs.reverse();
    let h2: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    let v2: Vec<&str> = pairs.iter().map(|p| p.1).collect();
    let b = p
        .validate(&p.columns(&h2).expect("h2"), &v2, today())
        .expect("b");
    assert_eq!(a.hash, b.hash);
    assert_eq!(a, b);

    // A different value gives a different hash.
    let c2 = run("penalty", &with(penalty_row(), "CF_NR_FK", "0.6")).expect("c");
    assert_ne!(a.hash, c2.hash);
}

#[test]
fn row_hash_is_length_prefixed() {
    let a = row_hash(&[("ab".into(), "c".into())]);
    let b = row_hash(&[("a".into(), "bc".into())]);
    assert_ne!(a, b);
    assert_ne!(row_hash(&[]), a);
}

#[test]
fn missing_trailing_cells_are_empty_and_extra_cells_are_refused() {
    let c = catalog();
    let p = item(&c, "penalty");
    let mut h: Vec<&str> = penalty_row().iter().map(|(h, _)| *h).collect();
    h.push("BZ");
    let row = penalty_row();
    let v: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let cols = p.columns(&h).expect("cols");
    let dr = p.validate(&cols, &v, today()).expect("short row");
    assert_eq!(dr.value("BZ"), None);

    let mut long = v.clone();
    long.push("");
    long.push("  ");
    assert!(
        p.validate(&cols, &long, today()).is_ok(),
        "empty extra cells are fine"
    );
    long.push("多余");
    let e = p.validate(&cols, &long, today()).expect_err("extra");
    assert_rule(&e, "", "extra_cells");
}

#[test]
fn a_value_under_an_empty_header_is_refused() {
    let c = catalog();
    let p = item(&c, "penalty");
    let row = penalty_row();
    let mut h: Vec<&str> = row.iter().map(|(h, _)| *h).collect();
    h.insert(1, "");
    let mut v: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    v.insert(1, "");
    let cols = p.columns(&h).expect("empty header is allowed");
    assert_eq!(cols.field_of(1), None);
    assert!(p.validate(&cols, &v, today()).is_ok());
    v[1] = "something";
    let e = p.validate(&cols, &v, today()).expect_err("unmapped");
    assert_rule(&e, "", "unmapped_cell");
    assert!(e[0].message.contains("column 2"));
}

// ---------------------------------------------------------------------------------------------
// Rows: every rule

#[test]
fn rule_required() {
    let e = errors("penalty", &with(penalty_row(), "CF_WSH", "  "));
    assert_rule(&e, "CF_WSH", "required");
    assert!(e[0].message.contains("行政处罚决定书文号"));
    assert!(!e[0].review);
}

#[test]
fn rule_date_and_future_date() {
    let e = errors("penalty", &with(penalty_row(), "CF_JDRQ", "2026-02-30"));
    assert_rule(&e, "CF_JDRQ", "date");
    assert!(e[0].message.contains("2026-02-30") && e[0].message.contains("处罚决定日期"));
    let e = errors("penalty", &with(penalty_row(), "CF_JDRQ", "2026-11-24"));
    assert_rule(&e, "CF_JDRQ", "future_date");
    assert!(
        run("penalty", &with(penalty_row(), "CF_JDRQ", "2026-11-23")).is_ok(),
        "today is fine"
    );
}

fn license_row() -> Vec<(&'static str, String)> {
    vec![
        ("XK_XDR_MC", "福州某某贸易有限公司".into()),
        ("XK_XDR_SHXYM", USCC.into()),
        ("XK_WSH", "榕食药许〔2026〕3号".into()),
        ("XK_XKLB", "普通".into()),
        ("XK_NR", "食品经营许可".into()),
        ("XK_JDRQ", "2026-03-01".into()),
        ("XK_YXQZ", "2026-03-01".into()),
        ("XK_YXQZI", "2031-02-28".into()),
        ("XK_XKJG", "福州市市场监督管理局".into()),
        ("XK_ZT", "1".into()),
    ]
}

#[test]
fn rule_validity_order() {
    assert!(run("license", &license_row()).is_ok());
    let e = errors("license", &with(license_row(), "XK_YXQZI", "2026-02-28"));
    assert_rule(&e, "XK_YXQZI", "validity_order");
    assert!(e[0].message.contains("有效期至"));
    // A licence without 有效期自 may not expire before it was granted (2026-03-01).
    let no_start = with(license_row(), "XK_YXQZ", "");
    assert!(run("license", &with(no_start.clone(), "XK_YXQZI", "2026-03-01")).is_ok());
    let e = errors("license", &with(no_start, "XK_YXQZI", "2026-02-28"));
    assert_rule(&e, "XK_YXQZI", "validity_order");
    assert!(
        e[0].message.contains("the decision date"),
        "{}",
        e[0].message
    );
    // A penalty has no 有效期自: its 处罚有效期 may not end before the decision (2026-01-10).
    assert!(run("penalty", &with(penalty_row(), "CF_YXQ", "2026-01-10")).is_ok());
    let e = errors("penalty", &with(penalty_row(), "CF_YXQ", "2026-01-09"));
    assert_rule(&e, "CF_YXQ", "validity_order");
    assert!(
        e[0].message.contains("decision date 2026-01-10"),
        "{}",
        e[0].message
    );
}

/// A licence is published while valid: its 有效期至 ends its window, and one that has expired
/// is never on show (it stays in history).
#[test]
fn a_licence_leaves_the_portal_when_its_validity_ends() {
    let c = catalog();
    let l = item(&c, "license");
    let dr = run("license", &license_row()).expect("valid");
    let w = l.window_of(&dr);
    assert_eq!(w.until(), Some(d(2031, 2, 28)));
    assert!(w.is_public_on(d(2031, 2, 28)));
    assert!(!w.is_public_on(d(2031, 3, 1)));
    // Decided on 2026-03-01 for a validity that had already ended.
    let old = with(
        with(license_row(), "XK_YXQZ", "2020-01-01"),
        "XK_YXQZI",
        "2025-01-01",
    );
    let dr = run("license", &old).expect("valid");
    assert!(!l.window_of(&dr).is_public_on(d(2026, 3, 1)));
    // Without 有效期至 there is no end; a penalty's 处罚有效期 does not shorten its window.
    let dr = run("license", &without(license_row(), "XK_YXQZI")).expect("valid");
    assert_eq!(l.window_of(&dr).until(), None);
    let p = item(&c, "penalty");
    let dr = run("penalty", &with(penalty_row(), "CF_YXQ", "2026-02-01")).expect("valid");
    assert_eq!(
        p.window_of(&dr),
        p.publication_window(dr.severity, dr.decision_date, dr.publish_until)
    );
}

#[test]
fn rule_control_char() {
    for bad in ["在网店\u{0}发布", "响铃\u{7}", "转义\u{1b}[31m"] {
        let e = errors("penalty", &with(penalty_row(), "CF_SY", bad));
        assert_rule(&e, "CF_SY", "control_char");
        assert!(e[0].message.contains("U+00"), "{}", e[0].message);
    }
    // Tabs and line breaks inside a text are kept.
    let dr = run(
        "penalty",
        &with(penalty_row(), "CF_SY", "第一项；\n第二项\t（附表）"),
    )
    .expect("ok");
    assert_eq!(dr.value("CF_SY"), Some("第一项；\n第二项\t（附表）"));
}

#[test]
fn rule_too_long_on_a_huge_cell() {
    let huge = "违".repeat(10 * 1024 * 1024 / 3);
    let n = huge.chars().count();
    let e = errors("penalty", &with(penalty_row(), "CF_WSH", &huge));
    assert_rule(&e, "CF_WSH", "too_long");
    let msg = &e
        .iter()
        .find(|e| e.rule == "too_long")
        .expect("too_long")
        .message;
    assert!(msg.contains(&n.to_string()) && msg.contains("200"), "{msg}");
    assert!(msg.len() < 200, "the value is not echoed");
    let e = errors("penalty", &with(penalty_row(), "CF_SY", &"x".repeat(4001)));
    assert_rule(&e, "CF_SY", "too_long");
    assert!(run("penalty", &with(penalty_row(), "CF_SY", &"x".repeat(4000))).is_ok());
}

#[test]
fn rule_enum() {
    let e = errors("penalty", &with(penalty_row(), "CF_XDR_LB", "企业"));
    assert_rule(&e, "CF_XDR_LB", "enum");
    assert!(e[0].message.contains("法人及非法人组织"));
    let e = errors("license", &with(license_row(), "XK_XKLB", "许可"));
    assert_rule(&e, "XK_XKLB", "enum");
    // Full-width and case variants of a listed value are accepted and stored canonically.
    let dr = run("penalty", &with(penalty_row(), "CF_XDR_LB", "０２")).expect("02");
    assert_eq!(dr.value("CF_XDR_LB"), Some("02"));
}

#[test]
fn rule_decimal() {
    for (v, what) in [
        ("-1", "negative"),
        ("1.1234567", "6 decimals"),
        ("1e3", "not a decimal"),
        ("一万", "not a decimal"),
    ] {
        let e = errors("penalty", &with(penalty_row(), "CF_NR_FK", v));
        assert_rule(&e, "CF_NR_FK", "decimal");
        assert!(e[0].message.contains(what), "{v}: {}", e[0].message);
    }
    let dr = run("penalty", &with(penalty_row(), "CF_NR_FK", "12.345600")).expect("ok");
    assert_eq!(dr.value("CF_NR_FK"), Some("12.3456"));
}

/// A USCC and an organisation code that contradict each other name two subjects: the row is
/// held for review as a possible wrong code; the USCC's own organisation code is accepted.
#[test]
fn contradicting_codes_go_to_review() {
    let row = with(penalty_row(), "CF_XDR_ZZJG", "70846113-6");
    let e = errors("penalty", &row);
    let u = e.iter().find(|e| e.field == "CF_XDR_ZZJG").expect("error");
    assert_eq!((u.rule, u.review), ("code_conflict", true));
    assert!(
        u.message.contains("M000100Y4") && u.message.contains("重错码"),
        "{}",
        u.message
    );
    assert!(run("penalty", &with(penalty_row(), "CF_XDR_ZZJG", "M000100Y-4")).is_ok());
}

#[test]
fn rule_uscc_check_goes_to_review() {
    let e = errors(
        "penalty",
        &with(penalty_row(), "CF_XDR_SHXYM", USCC_BAD_CHECK),
    );
    let u = e.iter().find(|e| e.field == "CF_XDR_SHXYM").expect("error");
    assert_eq!((u.rule, u.review), ("uscc_check", true));
    assert!(u.message.contains("重错码") && u.message.contains(USCC_BAD_CHECK));
    // Any other USCC failure is a plain rejection.
    let e = errors(
        "penalty",
        &with(penalty_row(), "CF_XDR_SHXYM", "91350100M000100Y4"),
    );
    let u = e.iter().find(|e| e.field == "CF_XDR_SHXYM").expect("error");
    assert_eq!((u.rule, u.review), ("uscc", false));
    let e = errors(
        "penalty",
        &with(penalty_row(), "CF_XDR_SHXYM", "91350100M000100YI3"),
    );
    assert_rule(&e, "CF_XDR_SHXYM", "uscc");
    // An authority's USCC failing its check is refused, but is not a subject wrong-code case.
    let e = errors("penalty", &with(penalty_row(), "CF_CFJGDM", USCC_BAD_CHECK));
    let u = e.iter().find(|e| e.field == "CF_CFJGDM").expect("error");
    assert_eq!((u.rule, u.review), ("uscc_check", false));
}

#[test]
fn rules_org_code_reg_no_tax_no() {
    let e = errors("penalty", &with(penalty_row(), "CF_XDR_ZZJG", "M000100Y5"));
    assert_rule(&e, "CF_XDR_ZZJG", "org_code");
    let e = errors(
        "penalty",
        &with(penalty_row(), "CF_XDR_GSZC", "110108000000017"),
    );
    assert_rule(&e, "CF_XDR_GSZC", "reg_no");
    let e = errors("penalty", &with(penalty_row(), "CF_XDR_SWDJ", "12345"));
    assert_rule(&e, "CF_XDR_SWDJ", "tax_no");
    let ok = with(
        with(penalty_row(), "CF_XDR_ZZJG", "M000100Y-4"),
        "CF_XDR_GSZC",
        REG_NO,
    );
    let dr = run("penalty", &ok).expect("valid");
    assert_eq!(dr.value("CF_XDR_ZZJG"), Some("M000100Y4"));
}

fn person_row() -> Vec<(&'static str, String)> {
    let row = without(penalty_row(), "CF_XDR_SHXYM");
    let row = without(row, "CF_FRDB");
    let row = with(row, "CF_XDR_MC", "李四");
    let row = with(row, "CF_XDR_LB", "自然人");
    with(row, "CF_XDR_ZJHM", CITIZEN)
}

#[test]
fn natural_person_rows() {
    let dr = run("penalty", &person_row()).expect("valid");
    assert_eq!(
        dr.subject,
        SubjectRef {
            name: "李四".into(),
            kind: SubjectKind::NaturalPerson,
            scheme: Scheme::CitizenId,
            code: CITIZEN.into(),
            also: Vec::new(),
        }
    );
    // Lower-case x and the type 身份证 / 01.
    let dr = run(
        "penalty",
        &with(
            with(person_row(), "CF_XDR_ZJHM", "11010519491231002x"),
            "CF_XDR_ZJLX",
            "01",
        ),
    )
    .expect("valid");
    assert_eq!(dr.subject.code, CITIZEN);
    // Category code 01.
    let dr = run("penalty", &with(person_row(), "CF_XDR_LB", "01")).expect("valid");
    assert_eq!(dr.subject.kind, SubjectKind::NaturalPerson);
    // Inferred without a category.
    let dr = run("penalty", &without(person_row(), "CF_XDR_LB")).expect("valid");
    assert_eq!(dr.subject.kind, SubjectKind::NaturalPerson);
}

#[test]
fn rule_citizen_id() {
    let e = errors(
        "penalty",
        &with(person_row(), "CF_XDR_ZJHM", "110105194912310021"),
    );
    assert_rule(&e, "CF_XDR_ZJHM", "citizen_id");
    assert!(
        !e[0].message.contains("110105194912310021"),
        "personal IDs are not echoed"
    );
    // 18 digits that a spreadsheet held as a number: the message says how to fix the file.
    assert!(
        e[0].message.contains("format the column as text"),
        "{}",
        e[0].message
    );
    let e = errors(
        "penalty",
        &with(person_row(), "CF_XDR_ZJHM", "1.10105194912310E+17"),
    );
    assert!(e[0].message.contains("spreadsheet"), "{}", e[0].message);
    let e = errors("penalty", &with(person_row(), "CF_XDR_ZJHM", "11010519491"));
    assert!(!e[0].message.contains("spreadsheet"), "{}", e[0].message);
    let e = errors("penalty", &without(person_row(), "CF_XDR_ZJHM"));
    assert_rule(&e, "CF_XDR_ZJHM", "required");
    // A foreigner or a resident of Hong Kong, Macao or Taiwan: identified by the document the
    // 证件类型 names, by name or code; a document the registry cannot tell apart is refused.
    for (kind, number, code) in [
        ("护照", "e 1234-5678", "passport:E12345678"),
        ("03", "H12345678", "hk_macao_permit:H12345678"),
        (
            "台湾居民来往大陆通行证",
            "12345678",
            "taiwan_permit:12345678",
        ),
        (
            "05",
            "USA110090110050",
            "foreign_permanent_resident:USA110090110050",
        ),
    ] {
        let dr = run(
            "penalty",
            &with(
                with(person_row(), "CF_XDR_ZJHM", number),
                "CF_XDR_ZJLX",
                kind,
            ),
        )
        .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(
            (dr.subject.kind, dr.subject.scheme, dr.subject.code.as_str()),
            (SubjectKind::NaturalPerson, Scheme::PersonDoc, code),
            "{kind}"
        );
    }
    let e = errors(
        "penalty",
        &with(
            with(person_row(), "CF_XDR_ZJHM", "E1#"),
            "CF_XDR_ZJLX",
            "护照",
        ),
    );
    assert_rule(&e, "CF_XDR_ZJHM", "person_doc");
    let e = errors(
        "penalty",
        &with(
            with(person_row(), "CF_XDR_ZJHM", "E12345678"),
            "CF_XDR_ZJLX",
            "其他",
        ),
    );
    assert_rule(&e, "CF_XDR_ZJHM", "person_id_type");
    // A 证件类型 outside its list is the one error: the number is not judged as a citizen ID.
    let e = errors(
        "penalty",
        &with(
            with(person_row(), "CF_XDR_ZJHM", "E12345678"),
            "CF_XDR_ZJLX",
            "PASSPORT",
        ),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert_rule(&e, "CF_XDR_ZJLX", "enum");
    // The legal representative's ID: checked when typed 身份证, or shaped like one.
    let e = errors(
        "penalty",
        &with(
            with(penalty_row(), "CF_FR_ZJHM", "E12345678"),
            "CF_FR_ZJLX",
            "身份证",
        ),
    );
    assert_rule(&e, "CF_FR_ZJHM", "citizen_id");
    let e = errors(
        "penalty",
        &with(penalty_row(), "CF_FR_ZJHM", "110105194912310021"),
    );
    assert_rule(&e, "CF_FR_ZJHM", "citizen_id");
    let dr = run(
        "penalty",
        &with(
            with(penalty_row(), "CF_FR_ZJHM", "e 1234-5678"),
            "CF_FR_ZJLX",
            "护照",
        ),
    )
    .expect("passport");
    assert_eq!(dr.value("CF_FR_ZJHM"), Some("E12345678"));
    // The judgment-defaulter list types its ID field as a citizen ID outright.
    let jd = vec![
        ("SX_BZXRMC", "王五".to_owned()),
        ("SX_BZXRLB", "自然人".into()),
        ("SX_SFZHM", "110105194912310021".into()),
        ("SX_AH", "(2026)闽0102执1234号".into()),
        ("SX_FBSJ", "2026-05-06".into()),
        ("SX_ZXFY", "福州市鼓楼区人民法院".into()),
    ];
    let e = errors("judgment_defaulter", &jd);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_rule(&e, "SX_SFZHM", "citizen_id");
    let dr = run("judgment_defaulter", &with(jd, "SX_SFZHM", CITIZEN)).expect("valid");
    assert_eq!(dr.doc_no, "(2026)闽0102执1234号");
}

#[test]
fn rule_category_codes() {
    let e = errors("penalty", &with(person_row(), "CF_XDR_SHXYM", USCC));
    assert_rule(&e, "CF_XDR_SHXYM", "category_codes");
    let e = errors("penalty", &with(person_row(), "CF_XDR_ZZJG", "M000100Y4"));
    assert_rule(&e, "CF_XDR_ZZJG", "category_codes");
    // An organisation row carrying a natural person's ID number.
    let e = errors("penalty", &with(penalty_row(), "CF_XDR_ZJHM", CITIZEN));
    assert_rule(&e, "CF_XDR_ZJHM", "category_codes");
}

#[test]
fn rule_no_subject_code() {
    let e = errors("penalty", &without(penalty_row(), "CF_XDR_SHXYM"));
    assert_rule(&e, "CF_XDR_SHXYM", "no_subject_code");
    assert!(e[0].message.contains("CF_XDR_GSZC"));
    // 事业单位证书号 alone does not identify a subject in the registry.
    let e = errors(
        "penalty",
        &with(
            without(penalty_row(), "CF_XDR_SHXYM"),
            "CF_XDR_SYDW",
            "事证第123号",
        ),
    );
    assert_rule(&e, "CF_XDR_SHXYM", "no_subject_code");
}

#[test]
fn subject_kinds_and_primary_codes() {
    let kind = |lb: &str, uscc: &str| {
        run(
            "penalty",
            &with(with(penalty_row(), "CF_XDR_LB", lb), "CF_XDR_SHXYM", uscc),
        )
        .expect("valid")
        .subject
        .kind
    };
    assert_eq!(kind("法人及非法人组织", USCC), SubjectKind::LegalPerson);
    assert_eq!(kind("法人", USCC), SubjectKind::LegalPerson);
    assert_eq!(kind("02", USCC), SubjectKind::LegalPerson);
    assert_eq!(kind("非法人组织", USCC), SubjectKind::Unincorporated);
    assert_eq!(kind("03", USCC), SubjectKind::Unincorporated);
    assert_eq!(kind("个体工商户", USCC), SubjectKind::IndividualBusiness);
    assert_eq!(kind("04", USCC), SubjectKind::IndividualBusiness);
    // A generic category is refined by the USCC (11 机关, 92 个体工商户).
    let mut rng = chengxin_codes::generate::Rng::new(7);
    let (mut gov, mut ib) = (None, None);
    while gov.is_none() || ib.is_none() {
        let u = chengxin_codes::generate::uscc(&mut rng);
        if u.starts_with("11") {
            gov.get_or_insert(u);
        } else if u.starts_with("92") {
            ib.get_or_insert(u);
        }
    }
    let (gov, ib) = (gov.expect("11"), ib.expect("92"));
    assert_eq!(kind("法人及非法人组织", &gov), SubjectKind::GovernmentBody);
    assert_eq!(kind("法人", &gov), SubjectKind::GovernmentBody);
    assert_eq!(
        kind("法人及非法人组织", &ib),
        SubjectKind::IndividualBusiness
    );
    assert_eq!(kind("法人", &ib), SubjectKind::LegalPerson);
    assert_eq!(kind("非法人组织", &gov), SubjectKind::Unincorporated);

    // Primary code: USCC, else reg no, org code, tax no.
    let no_uscc = without(penalty_row(), "CF_XDR_SHXYM");
    let s = run(
        "penalty",
        &with(
            with(no_uscc.clone(), "CF_XDR_ZZJG", "M000100Y4"),
            "CF_XDR_GSZC",
            REG_NO,
        ),
    )
    .expect("valid")
    .subject;
    assert_eq!((s.scheme, s.code.as_str()), (Scheme::Regno, REG_NO));
    let s = run(
        "penalty",
        &with(
            with(no_uscc.clone(), "CF_XDR_ZZJG", "M000100Y4"),
            "CF_XDR_SWDJ",
            "350100M000100Y4",
        ),
    )
    .expect("valid")
    .subject;
    assert_eq!((s.scheme, s.code.as_str()), (Scheme::Org, "M000100Y4"));
    let s = run("penalty", &with(no_uscc, "CF_XDR_SWDJ", "350100m000100y4"))
        .expect("valid")
        .subject;
    assert_eq!(
        (s.scheme, s.code.as_str()),
        (Scheme::TaxNo, "350100M000100Y4")
    );
    assert_eq!(
        subject_kind_of("legal_person"),
        Some(SubjectKind::LegalPerson)
    );
    assert_eq!(subject_kind_of("企业"), None);
}

#[test]
fn rule_status() {
    let status = |v: &str| {
        run("license", &with(license_row(), "XK_ZT", v))
            .expect(v)
            .status
    };
    assert_eq!(status("1"), RecordStatus::Valid);
    assert_eq!(status("有效"), RecordStatus::Valid);
    assert_eq!(status("正常"), RecordStatus::Valid);
    assert_eq!(status("2"), RecordStatus::Invalid);
    assert_eq!(status("无效"), RecordStatus::Invalid);
    assert_eq!(status("3"), RecordStatus::Revoked);
    assert_eq!(status("撤销"), RecordStatus::Revoked);
    assert_eq!(status(""), RecordStatus::Valid);
    let e = errors("license", &with(license_row(), "XK_ZT", "9"));
    assert_rule(&e, "XK_ZT", "enum");
    assert_eq!("revoked".parse::<RecordStatus>(), Ok(RecordStatus::Revoked));
    assert_eq!(RecordStatus::Invalid.as_str(), "invalid");
    for s in RecordStatus::ALL {
        assert_eq!(s.as_str().parse::<RecordStatus>(), Ok(s));
        assert_eq!(s.label_zh().parse::<RecordStatus>(), Ok(s));
    }
    assert!("".parse::<RecordStatus>().is_err());
}

#[test]
fn severity_from_explicit_column_or_penalty_kind() {
    let sev = |row: Vec<(&'static str, String)>| run("penalty", &row).expect("valid").severity;
    let kind = |k: &str| sev(with(penalty_row(), "CF_CFLB", k));
    assert_eq!(kind("警告"), Some(Severity::Minor));
    assert_eq!(kind("通报批评"), Some(Severity::Minor));
    assert_eq!(kind("罚款"), Some(Severity::General));
    assert_eq!(kind("没收违法所得、没收非法财物"), Some(Severity::General));
    assert_eq!(kind("警告；罚款"), Some(Severity::General));
    for k in [
        "吊销许可证件",
        "责令关闭",
        "限制从业",
        "责令停产停业",
        "行政拘留",
        "罚款,吊销营业执照",
    ] {
        assert_eq!(kind(k), Some(Severity::Serious), "{k}");
    }
    assert_eq!(
        kind("暂扣或者吊销许可证、暂扣或者吊销执照"),
        Some(Severity::General)
    );
    // Legacy second category counts too.
    assert_eq!(
        sev(with(
            with(penalty_row(), "CF_CFLB", "警告"),
            "CF_CFLB2",
            "责令停产停业"
        )),
        Some(Severity::Serious)
    );
    // The explicit class wins.
    assert_eq!(
        sev(with(
            with(penalty_row(), "CF_CFLB", "吊销许可证件"),
            "XY_YZCD",
            "一般"
        )),
        Some(Severity::General)
    );
    assert_eq!(
        sev(with(penalty_row(), "XY_YZCD", "严重")),
        Some(Severity::Serious)
    );
    let e = errors("penalty", &with(penalty_row(), "XY_YZCD", "很严重"));
    assert_rule(&e, "XY_YZCD", "enum");
    // Items without a window have no severity.
    assert_eq!(
        run("license", &license_row()).expect("valid").severity,
        None
    );
    // serious_dishonesty: always Serious.
    assert_eq!(
        run("serious_dishonesty", &serious_row())
            .expect("valid")
            .severity,
        Some(Severity::Serious)
    );
}

fn serious_row() -> Vec<(&'static str, String)> {
    vec![
        ("YZ_MC", "福州某某贸易有限公司".into()),
        ("YZ_SHXYM", USCC.into()),
        ("YZ_MDMC", "严重违法失信名单".into()),
        ("YZ_RDWH", "榕市监严失〔2026〕1号".into()),
        ("YZ_SXSS", "提交虚假材料取得登记".into()),
        ("YZ_RDYJ", "《市场监督管理严重违法失信名单管理办法》".into()),
        ("YZ_RDRQ", "2026-02-01".into()),
        ("YZ_RDBM", "福州市市场监督管理局".into()),
    ]
}

#[test]
fn severity_parse_and_display() {
    assert_eq!(Severity::General.to_string(), "一般");
    for s in Severity::ALL {
        assert_eq!(s.to_string().parse::<Severity>(), Ok(s));
        assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        assert_eq!(s.as_str().to_uppercase().parse::<Severity>(), Ok(s));
    }
    assert_eq!("严重失信".parse::<Severity>(), Ok(Severity::Serious));
    assert!("critical".parse::<Severity>().is_err());
    assert!(Severity::Minor < Severity::General && Severity::General < Severity::Serious);
    assert_eq!(severity_of_penalty_kinds("  "), None);
}

#[test]
fn rule_publish_until() {
    // General, decided 2026-01-10: allowed 2026-04-10 ..= 2027-01-10.
    for ok in ["2026-04-10", "2026-10-01", "2027-01-10"] {
        let dr = run("penalty", &with(penalty_row(), "CF_GSJZQ", ok)).expect(ok);
        assert_eq!(dr.publish_until, Some(parse_date(ok).expect("date")));
        let c = catalog();
        let w =
            item(&c, "penalty").publication_window(dr.severity, dr.decision_date, dr.publish_until);
        assert_eq!(w.until(), dr.publish_until);
    }
    for bad in ["2026-04-09", "2027-01-11", "2025-12-31"] {
        let e = errors("penalty", &with(penalty_row(), "CF_GSJZQ", bad));
        assert_rule(&e, "CF_GSJZQ", "publish_until");
        assert!(
            e[0].message.contains("2026-04-10 to 2027-01-10"),
            "{}",
            e[0].message
        );
        // Before the minimum the period is too short; after the maximum it is exceeded.
        let word = if bad == "2027-01-11" {
            "超出"
        } else {
            "短于"
        };
        assert!(
            e[0].message
                .contains(&format!("{bad} {word}严重程度为一般的公示期限")),
            "{}",
            e[0].message
        );
    }
    // Minor (警告): no minimum, at most 3 months.
    let minor = with(penalty_row(), "CF_CFLB", "警告");
    assert!(run("penalty", &with(minor.clone(), "CF_GSJZQ", "2026-01-10")).is_ok());
    let e = errors("penalty", &with(minor, "CF_GSJZQ", "2026-04-11"));
    assert_rule(&e, "CF_GSJZQ", "publish_until");
}

#[test]
fn all_errors_of_a_row_are_collected() {
    let row = with(penalty_row(), "CF_JDRQ", "明天");
    let row = with(row, "CF_NR_FK", "-5");
    let row = with(row, "CF_XDR_SHXYM", USCC_BAD_CHECK);
    let row = with(row, "CF_WSH", "");
    let row = with(row, "CF_XDR_LB", "公司");
    let e = errors("penalty", &row);
    for (f, r) in [
        ("CF_JDRQ", "date"),
        ("CF_NR_FK", "decimal"),
        ("CF_XDR_SHXYM", "uscc_check"),
        ("CF_WSH", "required"),
        ("CF_XDR_LB", "enum"),
    ] {
        assert_rule(&e, f, r);
    }
    assert_eq!(e.iter().filter(|e| e.review).count(), 1);
    // Each error names its field.
    for err in &e {
        assert!(!err.field.is_empty());
        assert!(err.to_string().contains(&err.field));
    }
}

#[test]
fn other_items_accept_their_rows() {
    let reg = vec![
        ("DJ_ZTMC", "福州某某贸易有限公司".to_owned()),
        ("DJ_TYSHXYDM", USCC.into()),
        ("DJ_WSH", "（榕）登记内设字〔2020〕第1号".into()),
        ("DJ_HZRQ", "2020-05-06".into()),
        ("DJ_DJJG", "福州市市场监督管理局".into()),
        ("DJ_ZCZB", "100".into()),
    ];
    let dr = run("registration", &reg).expect("registration");
    assert_eq!(dr.doc_no, "(榕)登记内设字〔2020〕第1号");
    let e = errors("registration", &with(reg, "DJ_ZTLB", "自然人"));
    assert_rule(&e, "DJ_ZTLB", "enum");
    let cn = vec![
        ("CN_MC", "福州某某贸易有限公司".to_owned()),
        ("CN_SHXYM", USCC.into()),
        ("CN_CNSBH", "CN-2026-0001".into()),
        ("CN_CNSX", "食品经营许可告知承诺".into()),
        ("CN_CNRQ", "2026-03-01".into()),
        ("CN_SLDW", "福州市市场监督管理局".into()),
    ];
    assert!(run("commitment", &cn).is_ok());
    let ry = vec![
        ("RY_MC", "福州某某贸易有限公司".to_owned()),
        ("RY_SHXYM", USCC.into()),
        ("RY_BZWH", "榕政〔2026〕8号".into()),
        ("RY_RYMC", "守合同重信用企业".into()),
        ("RY_SYRQ", "2026-03-01".into()),
        ("RY_SYJG", "福州市人民政府".into()),
    ];
    assert!(run("honour", &ry).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Publication windows

#[test]
fn general_penalty_window() {
    let c = catalog();
    let p = item(&c, "penalty");
    let w = p.publication_window(Some(Severity::General), d(2026, 1, 10), None);
    assert_eq!(
        w,
        Window::Published {
            from: d(2026, 1, 10),
            min_until: Some(d(2026, 4, 10)),
            until: Some(d(2027, 1, 10)),
        }
    );
    // `until` is the last day shown (《民法典》第202条: the corresponding day of the final month).
    assert!(!w.is_public_on(d(2026, 1, 9)));
    assert!(w.is_public_on(d(2026, 1, 10)));
    assert!(w.is_public_on(d(2027, 1, 9)));
    assert!(w.is_public_on(d(2027, 1, 10)));
    assert!(!w.is_public_on(d(2027, 1, 11)));
    assert_eq!(
        p.publication_window(None, d(2026, 1, 10), None),
        w,
        "default severity is General"
    );
}

#[test]
fn minor_and_serious_windows() {
    let c = catalog();
    let p = item(&c, "penalty");
    assert_eq!(
        p.publication_window(Some(Severity::Minor), d(2026, 1, 10), None),
        Window::Published {
            from: d(2026, 1, 10),
            min_until: None,
            until: Some(d(2026, 4, 10))
        }
    );
    assert_eq!(
        p.publication_window(Some(Severity::Serious), d(2026, 1, 10), None),
        Window::Published {
            from: d(2026, 1, 10),
            min_until: Some(d(2027, 1, 10)),
            until: Some(d(2029, 1, 10)),
        }
    );
    // Month ends clamp (《民法典》第202条: no corresponding day → the month's last day).
    assert_eq!(
        p.publication_window(Some(Severity::Minor), d(2026, 11, 30), None)
            .until(),
        Some(d(2027, 2, 28))
    );
    // A severity the item does not list falls back to its default.
    let sd = item(&c, "serious_dishonesty");
    assert_eq!(
        sd.publication_window(Some(Severity::Minor), d(2026, 1, 10), None)
            .until(),
        Some(d(2029, 1, 10))
    );
}

#[test]
fn a_class_from_penalty_kind_without_a_period_is_refused_not_given_another() {
    // A catalog stored before imports checked for all three classes: 一般 only.
    let mut c = catalog();
    let p = c
        .items
        .iter_mut()
        .find(|i| i.code == "penalty")
        .expect("penalty");
    if let Publication::Window { periods, .. } = &mut p.publication {
        periods.retain(|p| p.severity == Severity::General);
    }
    let it = item(&c, "penalty");
    let row = with(penalty_row(), "CF_CFLB", "警告");
    let headers: Vec<&str> = row.iter().map(|(h, _)| *h).collect();
    let values: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let cols = it.columns(&headers).expect("headers map");
    let e = it
        .validate(&cols, &values, today())
        .expect_err("no period for 轻微");
    assert_rule(&e, "CF_CFLB", "severity");
    assert!(
        e.iter().any(|e| e.message.contains("「警告」属于轻微")),
        "{e:?}"
    );
    // 罚款 is 一般, which has its period.
    let row = penalty_row();
    let values: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let d = it
        .validate(&cols, &values, today())
        .expect("一般 has a period");
    assert_eq!(d.severity, Some(Severity::General));
}

#[test]
fn minor_not_published_when_max_is_zero() {
    let mut c = catalog();
    let p = c
        .items
        .iter_mut()
        .find(|i| i.code == "penalty")
        .expect("penalty");
    if let Publication::Window { periods, .. } = &mut p.publication {
        periods[0].max_months = 0;
    }
    let c = Catalog::from_json(&c.to_json()).expect("still valid");
    let p = item(&c, "penalty");
    let w = p.publication_window(Some(Severity::Minor), d(2026, 1, 10), None);
    assert_eq!(w, Window::NotPublished);
    assert!(!w.is_public_on(d(2026, 1, 10)));
    assert_eq!(w.until(), None);
    // A 公示截止期 on an unpublished record is refused.
    let headers = [
        "CF_XDR_MC",
        "CF_XDR_SHXYM",
        "CF_WSH",
        "CF_SY",
        "CF_YJ",
        "CF_CFLB",
        "CF_NR",
        "CF_JDRQ",
        "CF_CFJG",
        "CF_GSJZQ",
    ];
    let cols = p.columns(&headers).expect("cols");
    let row = [
        "某公司",
        USCC,
        "文号1",
        "事实",
        "依据",
        "警告",
        "警告",
        "2026-01-10",
        "机关",
        "2026-02-01",
    ];
    let e = p.validate(&cols, &row, today()).expect_err("not published");
    assert_rule(&e, "CF_GSJZQ", "publish_until");
}

#[test]
fn while_valid_and_unpublished_items() {
    let c = catalog();
    let l = item(&c, "license");
    let w = l.publication_window(None, d(2026, 3, 1), None);
    assert_eq!(
        w,
        Window::Published {
            from: d(2026, 3, 1),
            min_until: None,
            until: None
        }
    );
    assert!(w.is_public_on(d(2099, 1, 1)));
    assert!(!w.is_public_on(d(2026, 2, 28)));
    let mut shared_only = l.clone();
    shared_only.publication = Publication::None;
    assert_eq!(
        shared_only.publication_window(None, d(2026, 3, 1), None),
        Window::NotPublished
    );
    // Clamping outside the window (validate refuses such rows).
    let p = item(&c, "penalty");
    let w = p.publication_window(Some(Severity::General), d(2026, 1, 10), Some(d(2030, 1, 1)));
    assert_eq!(w.until(), Some(d(2027, 1, 10)));
    let w = p.publication_window(Some(Severity::General), d(2026, 1, 10), Some(d(2026, 1, 1)));
    assert_eq!(w.until(), Some(d(2026, 4, 10)));
    assert_eq!(w.min_until(), Some(d(2026, 4, 10)));
    assert_eq!(w.publish_from(), Some(d(2026, 1, 10)));
}

// ---------------------------------------------------------------------------------------------
// Catalog refusals

/// The default catalog's TOML with `from` replaced by `to` (exactly once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(DEFAULT_CATALOG_TOML.matches(from).count(), 1, "{from}");
    DEFAULT_CATALOG_TOML.replacen(from, to, 1)
}

fn refused(text: &str) -> CatalogError {
    Catalog::from_toml(text).expect_err("must be refused")
}

fn invalid(e: &CatalogError) -> (&str, Option<&str>, &str) {
    match e {
        CatalogError::Invalid {
            item,
            field,
            problem,
        } => (item, field.as_deref(), problem),
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn invalid_catalogs_are_refused_naming_item_and_field() {
    // Duplicate field code.
    let e = refused(&edited(r#"{ code = "CF_WFXW""#, r#"{ code = "CF_WSH""#));
    let (item, field, problem) = invalid(&e);
    assert_eq!((item, field), ("penalty", Some("CF_WSH")));
    assert!(problem.contains("duplicate field code"));
    assert!(
        e.to_string().contains("penalty") && e.to_string().contains("CF_WSH"),
        "{e}"
    );

    // Duplicate Chinese name.
    let e = refused(&edited(r#"name = "违法行为类型""#, r#"name = "违法事实""#));
    assert_eq!(invalid(&e).0, "penalty");
    assert!(invalid(&e).2.contains("duplicate field name"), "{e}");

    // An alias that is another field's code.
    let e = refused(&edited(
        r#"aliases = ["CF_CFLB1", "处罚类别1"]"#,
        r#"aliases = ["CF_CFLB1", "CF_YJ"]"#,
    ));
    assert_eq!(invalid(&e).1, Some("CF_CFLB"));

    // min > max.
    let e = refused(&edited(
        r#"{ severity = "general", min_months = 3, max_months = 12 }"#,
        r#"{ severity = "general", min_months = 13, max_months = 12 }"#,
    ));
    assert_eq!(invalid(&e).0, "penalty");
    assert!(
        invalid(&e)
            .2
            .contains("min_months 13 is greater than max_months 12"),
        "{e}"
    );

    // Periods outside what 36号令 allows for the class of a negative item.
    for (from, to, says) in [
        (
            r#"max_months = 12 }, { severity = "serious", min_months = 12, max_months = 36 }"#,
            r#"max_months = 12 }, { severity = "serious", min_months = 12, max_months = 60 }"#,
            "12–60 months is outside the 12–36 months",
        ),
        (
            r#"{ severity = "general", min_months = 3, max_months = 12 }"#,
            r#"{ severity = "general", min_months = 1, max_months = 12 }"#,
            "1–12 months is outside the 3–12 months",
        ),
        (
            r#"{ severity = "minor", min_months = 0, max_months = 3 }"#,
            r#"{ severity = "minor", min_months = 0, max_months = 6 }"#,
            "0–6 months is outside the 0–3 months",
        ),
    ] {
        let e = refused(&edited(from, to));
        assert_eq!(invalid(&e).0, "penalty", "{e}");
        assert!(invalid(&e).2.contains(says), "{e}");
        assert!(invalid(&e).2.contains("国家发展改革委令第36号"), "{e}");
    }
    // An item resting on 36号令 cannot leave its periods by another route.
    let e = refused(&edited(
        "nature = \"negative\"\nsharing = \"unconditional\"\ndisclosure = \"public\"\npublication = { kind = \"window\", default_severity = \"general\"",
        "nature = \"basic\"\nsharing = \"unconditional\"\ndisclosure = \"public\"\npublication = { kind = \"window\", default_severity = \"general\"",
    ));
    assert_eq!(invalid(&e).0, "penalty", "{e}");
    assert!(invalid(&e).2.contains("nature must be negative"), "{e}");
    let e = refused(&edited(
        r#"publication = { kind = "window", default_severity = "serious", periods = [{ severity = "serious", min_months = 12, max_months = 36 }] }"#,
        r#"publication = { kind = "while_valid" }"#,
    ));
    assert_eq!(invalid(&e).0, "serious_dishonesty", "{e}");
    assert!(invalid(&e).2.contains("not while_valid or none"), "{e}");
    // However the order is cited, and for 行政处罚信息 even without a citation.
    let order = "国家发展改革委令第36号 第四条 (严重失信主体名单为失信信息) 及公示期限规定";
    assert_eq!(DEFAULT_CATALOG_TOML.matches(order).count(), 1);
    for written in [
        "国家发展改革委令 第 36 号",
        "国家发展改革委令第３６号",
        "国家发展改革委令第三十六号",
        "国家发展改革委令第36\u{200b}号",
        "《信用修复管理办法》",
    ] {
        let text = DEFAULT_CATALOG_TOML.replacen(order, written, 1).replacen(
            r#"publication = { kind = "window", default_severity = "serious", periods = [{ severity = "serious", min_months = 12, max_months = 36 }] }"#,
            r#"publication = { kind = "while_valid" }"#,
            1,
        );
        let e = refused(&text);
        assert!(
            invalid(&e).2.contains("not while_valid or none"),
            "{written}: {e}"
        );
    }
    let penalty_order =
        "  \"国家发展改革委令第36号 第四条 (行政处罚信息为失信信息) 及公示期限规定\",\n";
    assert_eq!(DEFAULT_CATALOG_TOML.matches(penalty_order).count(), 1);
    let uncited = edited(
        "nature = \"negative\"\nsharing = \"unconditional\"\ndisclosure = \"public\"\npublication = { kind = \"window\", default_severity = \"general\"",
        "nature = \"basic\"\nsharing = \"unconditional\"\ndisclosure = \"public\"\npublication = { kind = \"window\", default_severity = \"general\"",
    )
    .replacen(penalty_order, "", 1);
    let e = refused(&uncited);
    assert_eq!(invalid(&e).0, "penalty", "{e}");
    assert!(invalid(&e).2.contains("行政处罚信息"), "{e}");
    // Inside the bounds a catalog may choose (a sector's longer minimum, 轻微 not published).
    let ok = edited(
        r#"max_months = 12 }, { severity = "serious", min_months = 12, max_months = 36 }"#,
        r#"max_months = 12 }, { severity = "serious", min_months = 24, max_months = 36 }"#,
    );
    let ok = ok.replace(
        r#"{ severity = "minor", min_months = 0, max_months = 3 }"#,
        r#"{ severity = "minor", min_months = 0, max_months = 0 }"#,
    );
    Catalog::from_toml(&ok).expect("within 36号令's bounds");
    // A graded item (a 处罚类别 or severity column) needs a period for each class: with only
    // 一般, a 警告 would be published for a year (found by a QA pass).
    let only_general = edited(
        r#"periods = [{ severity = "minor", min_months = 0, max_months = 3 }, { severity = "general", min_months = 3, max_months = 12 }, { severity = "serious", min_months = 12, max_months = 36 }]"#,
        r#"periods = [{ severity = "general", min_months = 3, max_months = 12 }]"#,
    );
    let e = refused(&only_general);
    assert_eq!(invalid(&e).0, "penalty", "{e}");
    assert!(
        invalid(&e).2.contains("severity minor (轻微) has none"),
        "{e}"
    );

    // No document-number field.
    let e = refused(&edited(
        r#"{ code = "XK_WSH", name = "行政许可决定文书号", aliases = ["行政许可决定书文号"], required = true, max_chars = 200, role = "doc_no" }"#,
        r#"{ code = "XK_WSH", name = "行政许可决定文书号", aliases = ["行政许可决定书文号"], required = true, max_chars = 200 }"#,
    ));
    assert_eq!(invalid(&e).0, "license");
    assert!(invalid(&e).2.contains("doc_no"), "{e}");

    // Two decision dates.
    let e = refused(&edited(
        r#"{ code = "XK_YXQZ", name = "有效期自", type = "date", max_chars = 40, role = "valid_from" }"#,
        r#"{ code = "XK_YXQZ", name = "有效期自", type = "date", max_chars = 40, role = "decision_date" }"#,
    ));
    assert_eq!(invalid(&e).1, Some("XK_YXQZ"));

    // A citizen ID shown unmasked.
    let e = refused(&edited(
        r#"{ code = "CF_XDR_ZJHM", name = "证件号码", aliases = ["CF_XDR_SFZ", "居民身份证号", "行政相对人代码_5（居民身份证号）"], type = "any_code", max_chars = 40, mask = "citizen_id", role = "person_id" }"#,
        r#"{ code = "CF_XDR_ZJHM", name = "证件号码", aliases = ["CF_XDR_SFZ", "居民身份证号", "行政相对人代码_5（居民身份证号）"], type = "any_code", max_chars = 40, role = "person_id" }"#,
    ));
    assert_eq!(
        (invalid(&e).0, invalid(&e).1),
        ("penalty", Some("CF_XDR_ZJHM"))
    );

    // A role on a field of the wrong type.
    let e = refused(&edited(
        r#"{ code = "CF_JDRQ", name = "处罚决定日期", type = "date","#,
        r#"{ code = "CF_JDRQ", name = "处罚决定日期", type = "text","#,
    ));
    assert_eq!(invalid(&e).1, Some("CF_JDRQ"));

    // Duplicate item code.
    let e = refused(&edited(r#"code = "honour""#, r#"code = "commitment""#));
    assert_eq!(invalid(&e).0, "commitment");

    // No legal basis.
    let e = refused(&edited(
        "legal_basis = [\n  \"全国公共信用信息基础目录 (2021年版) 第10类 诚实守信相关荣誉信息\",\n  \"国发〔2016〕33号 (守信联合激励)\",\n]",
        "legal_basis = []",
    ));
    assert_eq!(invalid(&e).0, "honour");
    assert!(invalid(&e).2.contains("legal_basis"), "{e}");
}

#[test]
fn malformed_catalogs_are_syntax_errors() {
    let e = refused(&edited(r#"title = "#, r#"titel = "#));
    assert!(
        matches!(e, CatalogError::Syntax { format: "TOML", .. }),
        "{e}"
    );
    let e = refused(&edited(
        r#"{ code = "DJ_ZCZB", name = "注册资本（万元）", aliases = ["注册资本"], type = "decimal""#,
        r#"{ code = "DJ_ZCZB", name = "注册资本（万元）", aliases = ["注册资本"], type = "money""#,
    ));
    let s = e.to_string();
    assert!(s.contains("unknown field type \"money\""), "{s}");
    let e = refused(&edited(
        r#"{ code = "CF_CFLB2", name = "处罚类别2", max_chars = 200, role = "penalty_kind", completeness = false }"#,
        r#"{ code = "CF_CFLB2", name = "处罚类别2", max_chars = 200, role = "penalty_kind", completeness = false, requierd = true }"#,
    ));
    assert!(e.to_string().contains("requierd"), "{e}");
    assert!(matches!(
        Catalog::from_json("{"),
        Err(CatalogError::Syntax { format: "JSON", .. })
    ));
    // A JSON catalog names where a wrong value is, as a path, besides its line.
    let mut json: serde_json::Value =
        serde_json::from_str(&Catalog::default_catalog().to_json()).expect("json");
    json["items"][1]["fields"][2]["max_chars"] = serde_json::json!("两百");
    let e = Catalog::from_json(&json.to_string()).expect_err("a text where a number goes");
    let s = e.to_string();
    assert!(
        s.contains("items[1].fields[2].max_chars: found string \"两百\", expected a whole number"),
        "{s}"
    );
    assert!(
        !s.contains("u32") && !s.contains("usize"),
        "no Rust types: {s}"
    );
    // Text after the catalog is refused too.
    let e = Catalog::from_json(&format!("{} x", Catalog::default_catalog().to_json()))
        .expect_err("trailing");
    assert!(e.to_string().contains("trailing"), "{e}");
    assert!(matches!(
        Catalog::from_toml(""),
        Err(CatalogError::Syntax { .. })
    ));
    let e = Catalog::from_toml("version = 1\ntitle = \"t\"\nitems = []\n").expect_err("no items");
    assert_eq!(e.to_string(), "catalog: no items");
}

/// Every rule a row can be refused for has a Chinese name for the operators' pages.
#[test]
fn every_rule_has_a_chinese_name() {
    for rule in [
        "required",
        "too_long",
        "control_char",
        "date",
        "future_date",
        "validity_order",
        "decimal",
        "enum",
        "uscc_check",
        "uscc",
        "org_code",
        "reg_no",
        "tax_no",
        "citizen_id",
        "code",
        "category",
        "category_codes",
        "code_conflict",
        "no_subject_code",
        "person_id_type",
        "person_doc",
        "status",
        "severity",
        "publish_until",
        "unmapped_cell",
        "extra_cells",
        "duplicate_in_batch",
        "encoding",
        "malformed",
        "cell_too_large",
        "record_too_large",
        "unknown_key",
    ] {
        let label = crate::rule_label_zh(rule).unwrap_or_else(|| panic!("{rule} has no name"));
        assert!(
            label.chars().all(|c| !c.is_ascii_lowercase()),
            "{rule}: {label}"
        );
    }
    assert_eq!(crate::rule_label_zh("no_such_rule"), None);
}

/// Providers: valid codes once each; matched in any case or width; none means anyone.
#[test]
fn providers_are_checked_and_matched_normalised() {
    let marker = "code = \"penalty\"\n";
    let with = |list: &str| {
        DEFAULT_CATALOG_TOML.replacen(marker, &format!("{marker}providers = {list}\n"), 1)
    };
    let c = Catalog::from_toml(&with(r#"["11350100MB0000019U"]"#)).expect("valid");
    let p = item(&c, "penalty");
    assert!(p.accepts_provider("11350100mb0000019u"));
    assert!(p.accepts_provider("１１350100MB0000019U"));
    assert!(!p.accepts_provider("11350100MB0000027N"));
    assert!(item(&c, "license").accepts_provider("11350100MB0000027N"));
    let e = refused(&with(r#"["11350100MB0000019X"]"#));
    assert!(
        invalid(&e).2.contains("not a valid 统一社会信用代码"),
        "{e}"
    );
    let e = refused(&with(r#"["11350100MB0000019U", "11350100mb0000019u"]"#));
    assert!(invalid(&e).2.contains("listed twice"), "{e}");
    // An enterprise's code is no department's (found by a QA pass).
    let e = refused(&with(r#"["91350100M000100Y43"]"#));
    assert!(invalid(&e).2.contains("not a department's code"), "{e}");
}

/// Messages about roles name them as catalog files write them.
#[test]
fn role_messages_use_the_file_spelling() {
    let text = DEFAULT_CATALOG_TOML.replacen(
        r#"aliases = ["XK_JZQ", "许可截止期"], type = "date""#,
        r#"aliases = ["XK_JZQ", "许可截止期"], type = "text""#,
        1,
    );
    assert!(
        text != DEFAULT_CATALOG_TOML,
        "the field is in the default catalog"
    );
    let e = refused(&text);
    assert!(
        invalid(&e).2.contains("role valid_to must have type date"),
        "{e}"
    );
}

/// Syntax errors speak of the file's values, not of the Rust types they are read into.
#[test]
fn catalog_syntax_errors_name_no_rust_types() {
    let e =
        Catalog::from_toml(&DEFAULT_CATALOG_TOML.replacen("min_months = 0", "min_months = -1", 1))
            .expect_err("negative");
    let msg = e.to_string();
    assert!(
        msg.contains("whole number from 0") && !msg.contains("u32"),
        "{msg}"
    );
    let e = Catalog::from_toml(&DEFAULT_CATALOG_TOML.replacen("type = \"date\"", "type = 5", 1))
        .expect_err("bad type");
    let msg = e.to_string();
    assert!(
        msg.contains("not a field type") && !msg.contains("FieldTypeRepr"),
        "{msg}"
    );
}

/// A licence valid without end says so in words (长期, 无固定期限 …): taken as 长期, no end of
/// publication; 「/」 or 「无」 in an optional date or amount is an empty cell, in a required one
/// an empty required field.
#[test]
fn open_ended_validity_and_placeholders() {
    for word in ["长期", "长期有效", "无固定期限", "永久", " 长期 "] {
        let d = run("license", &with(license_row(), "XK_YXQZI", word)).expect(word);
        assert_eq!(d.valid_to, None, "{word}");
        assert!(
            d.fields.iter().any(|(k, v)| k == "XK_YXQZI" && v == "长期"),
            "{word}: {:?}",
            d.fields
        );
    }
    // Only 有效期至 ends without a date.
    let e = errors("license", &with(license_row(), "XK_YXQZ", "长期"));
    assert_rule(&e, "XK_YXQZ", "date");
    for blank in ["/", "／", "无", "-", "N/A"] {
        let d = run("license", &with(license_row(), "XK_YXQZI", blank)).expect(blank);
        assert!(
            !d.fields.iter().any(|(k, _)| k == "XK_YXQZI"),
            "{blank}: {:?}",
            d.fields
        );
        assert!(
            run("penalty", &with(penalty_row(), "CF_NR_FK", blank)).is_ok(),
            "{blank}"
        );
        let e = errors("penalty", &with(penalty_row(), "CF_JDRQ", blank));
        assert_rule(&e, "CF_JDRQ", "required");
    }
}

/// Amounts as departments' spreadsheets write them: thousands separators, and in the default
/// catalog's 万元 fields a unit, converted exactly (standards.md §4b: decimal(18,6) in 万元).
#[test]
fn amounts_with_separators_and_units() {
    for (written, stored) in [
        ("5,000元", "0.5"),
        ("￥12,345.67", "1.234567"),
        ("0.5万元", "0.5"),
        ("3万", "3"),
        ("1,200", "1200"),
        ("２００元", "0.02"),
    ] {
        let d = run("penalty", &with(penalty_row(), "CF_NR_FK", written)).expect(written);
        assert_eq!(d.value("CF_NR_FK"), Some(stored), "{written}");
    }
    for (written, words) in [
        (
            "5.000,00",
            "thousands separated by commas, and a unit 元, 万元 or ￥",
        ),
        ("0.0001元", "more than 6 decimals in 万元"),
        ("五千元", "not a decimal number"),
    ] {
        let e = errors("penalty", &with(penalty_row(), "CF_NR_FK", written));
        assert_rule(&e, "CF_NR_FK", "decimal");
        assert!(
            e.iter().any(|e| e.message.contains(words)),
            "{written}: {e:?}"
        );
    }
    // A catalog whose field names no unit takes none.
    let mut catalog = Catalog::default_catalog();
    for item in &mut catalog.items {
        for f in &mut item.fields {
            f.unit = None;
        }
    }
    let it = item(&catalog, "penalty");
    let row = with(penalty_row(), "CF_NR_FK", "5000元");
    let headers: Vec<&str> = row.iter().map(|(h, _)| *h).collect();
    let values: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let cols = it.columns(&headers).expect("headers map");
    let e = it
        .validate(&cols, &values, today())
        .expect_err("a unit without one");
    assert!(
        e.iter()
            .any(|e| e.field == "CF_NR_FK" && e.message.contains("names a unit")),
        "{e:?}"
    );
}

/// 00000000000000000X in the USCC column says "no USCC" (an individual business known by its
/// 工商注册号): the row is taken by its other code, not refused as a wrong check character.
#[test]
fn an_all_zero_uscc_is_no_uscc() {
    for zero in [
        "00000000000000000X",
        "000000000000000000",
        "00000000000000000x",
    ] {
        let row = with(
            with(penalty_row(), "CF_XDR_SHXYM", zero),
            "CF_XDR_GSZC",
            REG_NO,
        );
        let row = without(row, "CF_XDR_ZZJG");
        let dr = run("penalty", &row).expect(zero);
        assert_eq!(dr.value("CF_XDR_SHXYM"), None, "{zero}");
        assert_eq!(dr.subject.code, REG_NO, "{zero}");
        let e = errors("penalty", &without(without(row, "CF_XDR_GSZC"), "CF_FRDB"));
        assert!(e.iter().all(|e| e.rule != "uscc_check"), "{zero}: {e:?}");
    }
}

/// What Rust's parsers say reaches API callers in their words: no "target type", no serde
/// "sequence" or "map", a missing field said as required.
#[test]
fn parser_messages_in_plain_words() {
    for (said, plain) in [
        ("invalid digit found in string", "not a whole number"),
        (
            "number too large to fit in target type",
            "a number too large",
        ),
        (
            "provided string was not `true` or `false`",
            "must be true or false",
        ),
        ("missing field `item`", "item is required"),
        ("duplicate field `q`", "q is given more than once"),
        (
            "missing field `name` at line 1 column 29",
            "name is required at line 1 column 29",
        ),
        (
            "invalid type: sequence, expected a JSON object",
            "found a list (JSON array), expected a JSON object",
        ),
        (
            "invalid type: integer `5`, expected a string",
            "found integer `5`, expected a string",
        ),
        (
            "key must be a string at line 1 column 2",
            "an object's keys must be \"quoted\" strings at line 1 column 2",
        ),
    ] {
        assert_eq!(crate::plain_serde_message(said), plain, "{said}");
    }
    // The catalog's JSON import: no `?:` before a message about the text's first character.
    let e = Catalog::from_json("{bad").expect_err("not JSON");
    let m = e.to_string();
    assert!(!m.contains("?:") && m.contains("quoted"), "{m}");
}

/// A row's other codes of the same organisation come with its subject: a 工商注册号 beside the
/// USCC is kept; the organisation code inside the USCC and a tax number equal to the USCC add
/// nothing.
#[test]
fn a_rows_other_codes_come_with_its_subject() {
    let mut row = penalty_row();
    row.push(("CF_XDR_GSZC", "350124391695053".into()));
    row.push(("CF_XDR_ZZJG", USCC[8..17].to_string()));
    row.push(("CF_XDR_SWDJ", USCC.into()));
    let dr = run("penalty", &row).expect("valid");
    assert_eq!(
        (dr.subject.scheme, dr.subject.code.as_str()),
        (Scheme::Uscc, USCC)
    );
    assert_eq!(
        dr.subject.also,
        vec![(Scheme::Regno, "350124391695053".to_string())]
    );
}

/// The Chinese part of a bilingual message: before the English, wherever the English starts.
#[test]
fn the_chinese_part_of_a_message() {
    for (message, zh) in [
        (
            "处罚决定日期（CF_JDRQ）晚于今天 / CF_JDRQ is after today",
            "处罚决定日期（CF_JDRQ）晚于今天",
        ),
        (
            "有效期届满自动退出（1798号（十八）三）/ validity ended",
            "有效期届满自动退出（1798号（十八）三）",
        ),
        (
            "异议成立：经核实；处理：更正 / upheld",
            "异议成立：经核实；处理：更正",
        ),
        (
            "状态应为 1/有效/正常 / expected 1/有效/正常",
            "状态应为 1/有效/正常",
        ),
        ("只有中文", "只有中文"),
        (
            "日期（CF_JDRQ） 晚于今天 / 日期 (CF_JDRQ) is after today",
            "日期（CF_JDRQ） 晚于今天",
        ),
        (
            "依据（十八）/ 依据 in Chinese",
            "依据（十八）/ 依据 in Chinese",
        ),
        ("English only / with a slash", "English only / with a slash"),
    ] {
        assert_eq!(crate::message_zh(message), zh, "{message}");
    }
}

/// Every item's name is checked against the registry but 登记注册's, whose rows rename.
#[test]
fn names_are_checked_for_every_item_but_registration() {
    let c = catalog();
    for i in &c.items {
        let checked = i.checked_name_field().map(|f| f.code.as_str());
        // Registration rows rename their subjects instead; no other item's do.
        assert_eq!(i.renames_subjects(), i.code == "registration", "{}", i.code);
        if i.code == "registration" {
            assert_eq!(checked, None);
        } else {
            assert_eq!(
                checked,
                i.role_field(Role::SubjectName).map(|f| f.code.as_str()),
                "{}",
                i.code
            );
        }
    }
}
