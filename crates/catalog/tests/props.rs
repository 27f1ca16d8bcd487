//! Property tests: no input panics; column order and header style never change a row's hash;
//! windows are well-ordered and inclusive.

use chengxin_catalog::{Catalog, CatalogItem, Severity, Window, parse_date};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(Catalog::default_catalog)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

fn any_item() -> impl Strategy<Value = &'static CatalogItem> {
    (0..catalog().items.len()).prop_map(|i| &catalog().items[i])
}

/// Cells: mostly short arbitrary Unicode, sometimes code-like, sometimes long.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,12}",
        2 => any::<String>(),
        1 => "[0-9A-Za-z\\-/年月日 :.]{0,20}",
        1 => "[0-9X]{18}",
        1 => Just(String::new()),
        1 => "\\PC{0,10}".prop_map(|s| s.repeat(600)),
    ]
}

fn valid_penalty() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CF_XDR_MC", "福州某某贸易有限公司"),
        ("CF_XDR_LB", "法人及非法人组织"),
        ("CF_XDR_SHXYM", "91350100M000100Y43"),
        ("CF_XDR_ZZJG", "M000100Y4"),
        ("CF_FRDB", "张三"),
        ("CF_FR_ZJHM", "11010519491231002X"),
        ("CF_WSH", "榕市监罚〔2026〕12号"),
        ("CF_SY", "未按规定公示年度报告"),
        ("CF_YJ", "《企业信息公示暂行条例》第十八条"),
        ("CF_CFLB", "罚款"),
        ("CF_NR", "罚款0.5万元"),
        ("CF_NR_FK", "0.5"),
        ("CF_JDRQ", "2026-01-10"),
        ("CF_GSJZQ", "2026-12-31"),
        ("CF_CFJG", "福州市市场监督管理局"),
        ("BZ", ""),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary Unicode rows, of any length, under every field of any item: an answer, never a
    /// panic; every error names a rule and is a field code of the item or the whole row.
    #[test]
    fn arbitrary_rows_never_panic(item in any_item(), cells in prop::collection::vec(cell(), 0..40)) {
        let headers: Vec<&str> = item.fields.iter().map(|f| f.code.as_str()).collect();
        let cols = item.columns(&headers).expect("all codes");
        let row: Vec<&str> = cells.iter().map(String::as_str).collect();
        match item.validate(&cols, &row, today()) {
            Ok(d) => {
                prop_assert!(!d.doc_no.is_empty());
                prop_assert!(d.decision_date <= today());
            }
            Err(errs) => {
                prop_assert!(!errs.is_empty());
                for e in errs {
                    prop_assert!(!e.rule.is_empty());
                    prop_assert!(e.field.is_empty() || item.field(&e.field).is_some(), "{}", e.field);
                    prop_assert!(!e.review || e.rule == "uscc_check");
                    prop_assert!(e.message.chars().count() < 2000);
                }
            }
        }
    }

    /// A valid row with some cells replaced by arbitrary values (so that the cross-field rules run
    /// on odd data): never a panic; an accepted row's hash is the hash of its fields.
    #[test]
    fn valid_rows_with_odd_cells_never_panic(
        edits in prop::collection::vec((0..16usize, cell()), 1..4),
    ) {
        let item = catalog().item("penalty").expect("penalty");
        let base = valid_penalty();
        let h: Vec<&str> = base.iter().map(|p| p.0).collect();
        let mut v: Vec<String> = base.iter().map(|p| p.1.to_owned()).collect();
        for (i, c) in edits {
            v[i] = c;
        }
        let v: Vec<&str> = v.iter().map(String::as_str).collect();
        if let Ok(d) = item.validate(&item.columns(&h).expect("h"), &v, today()) {
            prop_assert_eq!(d.hash, chengxin_catalog::row_hash(&d.fields));
            let w = item.publication_window(d.severity, d.decision_date, d.publish_until);
            prop_assert_eq!(w.until(), d.publish_until.or(w.until()));
        }
    }

    /// Arbitrary headers: an answer, never a panic.
    #[test]
    fn arbitrary_headers_never_panic(item in any_item(), headers in prop::collection::vec(cell(), 0..20)) {
        let h: Vec<&str> = headers.iter().map(String::as_str).collect();
        let _ = item.columns(&h);
    }

    /// The same valid row, with columns in any order and each header as code, lower-case code
    /// or Chinese name, gives the same draft and hash.
    #[test]
    fn column_order_and_header_style_do_not_change_the_hash(
        order in Just((0..valid_penalty().len()).collect::<Vec<usize>>()).prop_shuffle(),
        styles in prop::collection::vec(0..3u8, 16),
    ) {
        let item = catalog().item("penalty").expect("penalty");
        let base = valid_penalty();
        let h0: Vec<&str> = base.iter().map(|p| p.0).collect();
        let v0: Vec<&str> = base.iter().map(|p| p.1).collect();
        let reference = item.validate(&item.columns(&h0).expect("h0"), &v0, today()).expect("valid");

        let names: Vec<String> = order
            .iter()
            .zip(&styles)
            .map(|(&i, s)| {
                let f = item.field(base[i].0).expect("field");
                match s {
                    0 => f.code.clone(),
                    1 => f.code.to_lowercase(),
                    _ => f.name.clone(),
                }
            })
            .collect();
        let h: Vec<&str> = names.iter().map(String::as_str).collect();
        let v: Vec<&str> = order.iter().map(|&i| base[i].1).collect();
        let d = item.validate(&item.columns(&h).expect("h"), &v, today()).expect("valid");
        prop_assert_eq!(d.hash, reference.hash);
        prop_assert_eq!(d, reference);
    }

    /// A date written in any accepted form parses to itself.
    #[test]
    fn dates_round_trip(days in 0u64..60_000, form in 0..5u8) {
        let date = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date") + Days::new(days);
        let s = match form {
            0 => date.format("%Y-%m-%d").to_string(),
            1 => date.format("%Y/%-m/%-d").to_string(),
            2 => date.format("%Y%m%d").to_string(),
            3 => date.format("%Y年%-m月%-d日").to_string(),
            _ => format!("{date} 08:30:00"),
        };
        prop_assert_eq!(parse_date(&s), Some(date), "{}", s);
    }

    /// parse_date is total.
    #[test]
    fn parse_date_never_panics(s in any::<String>()) {
        let _ = parse_date(&s);
    }

    /// Windows: from ≤ min_until ≤ until; public on `until`, not the day after nor the day
    /// before `from`; a given 公示截止期 inside the window is the last day.
    #[test]
    fn windows_are_ordered_and_inclusive(
        days in 0u64..40_000,
        sev in prop::option::of(prop_oneof![Just(Severity::Minor), Just(Severity::General), Just(Severity::Serious)]),
        extra in 0u64..2000,
    ) {
        let decision = NaiveDate::from_ymd_opt(1950, 1, 1).expect("date") + Days::new(days);
        for item in &catalog().items {
            let w = item.publication_window(sev, decision, None);
            match w {
                Window::NotPublished => {}
                Window::Published { from, min_until, until } => {
                    prop_assert_eq!(from, decision);
                    prop_assert!(w.is_public_on(from));
                    prop_assert!(!w.is_public_on(from - Days::new(1)));
                    if let Some(m) = min_until {
                        prop_assert!(from <= m);
                        prop_assert!(until.is_none_or(|u| m <= u));
                    }
                    if let Some(u) = until {
                        prop_assert!(w.is_public_on(u));
                        prop_assert!(!w.is_public_on(u + Days::new(1)));
                        let lo = min_until.unwrap_or(from);
                        let pick = lo + Days::new(extra % ((u - lo).num_days() as u64 + 1));
                        let w2 = item.publication_window(sev, decision, Some(pick));
                        prop_assert_eq!(w2.until(), Some(pick));
                    } else {
                        prop_assert!(w.is_public_on(from + Days::new(extra * 30)));
                    }
                }
            }
        }
    }
}
