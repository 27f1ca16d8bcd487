//! Unit tests for the examples in standards.md §1–§3 and the public API contract.

#![allow(clippy::unwrap_used)] // unwrap is fine in tests

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn uscc_err(s: &str) -> CodeError {
    validate_uscc(s).expect_err(s)
}

// ---------------------------------------------------------------- USCC (GB 32100-2015)

const VALID_USCC: &[&str] = &[
    "91350100M000100Y43", // GB 32100 附录B
    "91110000600037341L", // python-stdnum doctest
    "91440300708461136T",
    "91110108551385082Q",
    "914403001922038216",
    "91330100716105852F",
    "91512081MA62K0260E", // 512081 简阳市: retired 2016, still valid
    "91430111MA4L41YT1U",
];

#[test]
fn uscc_known_valid_examples() {
    for s in VALID_USCC {
        let u = validate_uscc(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(u.as_str(), *s);
        assert!(is_valid_uscc(s.as_bytes()), "{s}");
    }
}

#[test]
fn uscc_accessors() {
    let u = validate_uscc("91350100M000100Y43").unwrap();
    assert_eq!(u.registration_authority(), ('9', "工商"));
    assert_eq!(u.institution_category(), "企业");
    assert_eq!(u.region_code(), "350100");
    assert_eq!(u.region().map(|r| r.name), Some("福州市"));
    assert_eq!(u.org_code(), "M000100Y4");
    assert_eq!(u.org().display_form(), "M000100Y-4");
    assert_eq!(u.check_character(), '3');
    assert_eq!(u.to_string(), "91350100M000100Y43");
    assert_eq!(format!("{u:?}"), "Uscc(\"91350100M000100Y43\")");
    assert_eq!(serde_json::to_string(&u).unwrap(), "\"91350100M000100Y43\"");
    let back: Uscc = serde_json::from_str("\"91350100m000100y43\"").unwrap();
    assert_eq!(back, u);
    assert!(serde_json::from_str::<Uscc>("\"91350100M000100Y44\"").is_err());
    assert_eq!("91350100M000100Y43".parse::<Uscc>(), Ok(u));
    // Uscc is Copy.
    let v = u;
    assert_eq!(u, v);
}

#[test]
fn uscc_counter_example_check_character() {
    let e = uscc_err("91310115MA1G4L1WXK");
    assert_eq!(e.kind, CodeKind::Uscc);
    assert_eq!(e.rule, Rule::CheckCharacter);
    assert_eq!(e.position, Some(18));
    assert_eq!(
        e.message,
        "position 18: expected check character 7, found K"
    );
}

#[test]
fn uscc_pilot_code_fails_check() {
    let e = uscc_err("91350100M0001TGQXM");
    assert_eq!(e.rule, Rule::CheckCharacter);
    assert_eq!(e.position, Some(18));
    assert!(
        e.message.contains("expected check character 1, found M"),
        "{e}"
    );
}

#[test]
fn uscc_length_and_charset() {
    let e = uscc_err("91350100M000100Y4");
    assert_eq!(e.rule, Rule::Length);
    assert_eq!(e.position, None);
    assert_eq!(e.message, "length: a USCC has 18 characters, found 17");
    assert_eq!(uscc_err("").rule, Rule::Empty);
    assert_eq!(uscc_err(" - ").rule, Rule::Empty);

    let e = uscc_err("9135I100M000100Y43");
    assert_eq!(e.rule, Rule::Charset);
    assert_eq!(e.position, Some(5));
    assert_eq!(
        e.message,
        "position 5: 'I' is not in the USCC character set (digits and upper-case letters \
         except I, O, Z, S, V)"
    );
    // Letters of the USCC set are still not allowed in positions 3-8.
    let e = uscc_err("9135A100M000100Y43");
    assert_eq!((e.rule, e.position), (Rule::Charset, Some(5)));
    assert!(e.message.contains("not a digit"), "{e}");
    // Non-ASCII characters are counted as characters, not bytes.
    let e = uscc_err("91350100M000100Y4字");
    assert_eq!((e.rule, e.position), (Rule::Charset, Some(18)));
    let e = uscc_err("91350100M000100Y字");
    assert_eq!(e.rule, Rule::Length);
    assert!(e.message.ends_with("found 17"), "{e}");
}

/// Make a code valid by fixing its check character.
fn fix_check(body17: &str) -> String {
    let c = tables::uscc_check_char(body17.as_bytes());
    format!("{body17}{}", char::from(c))
}

#[test]
fn uscc_structure_rules() {
    // Authority B does not exist (charset-valid, check fixed).
    let e = uscc_err(&fix_check("B1350100M000100Y4"));
    assert_eq!((e.rule, e.position), (Rule::RegistrationAuthority, Some(1)));
    // 9 has categories 1-3 only; Y has 1 only.
    let e = uscc_err(&fix_check("99350100M000100Y4"));
    assert_eq!((e.rule, e.position), (Rule::InstitutionCategory, Some(2)));
    assert!(e.message.contains("1 企业"), "{e}");
    assert_eq!(
        uscc_err(&fix_check("Y2350100M000100Y4")).rule,
        Rule::InstitutionCategory
    );
    // Every pair of the amendment table is accepted.
    for a in uscc::AUTHORITIES {
        for (c, _) in a.categories {
            let body = format!("{}{}350100M000100Y4", char::from(a.code), char::from(*c));
            let u = validate_uscc(&fix_check(&body)).unwrap();
            assert_eq!(u.registration_authority().1, a.name);
        }
    }
    // Unknown region.
    let e = uscc_err(&fix_check("91999999M000100Y4"));
    assert_eq!((e.rule, e.position), (Rule::RegionCode, Some(3)));
    assert_eq!(
        e.message,
        "positions 3-8: 999999 is not a known GB/T 2260 region code"
    );
    // Retired region 110103 崇文区, national 100000, province and city level codes.
    for region in ["110103", "100000", "110000", "350100"] {
        let u = validate_uscc(&fix_check(&format!("91{region}M000100Y4"))).unwrap();
        assert_eq!(u.region_code(), region);
        assert!(u.region().is_some());
    }
    assert_eq!(
        validate_uscc(&fix_check("91100000M000100Y4"))
            .unwrap()
            .region()
            .map(|r| r.code),
        Some(100000)
    );
    // Embedded organisation code with a wrong GB 11714 check.
    let e = uscc_err(&fix_check("91350100M000100Y5"));
    assert_eq!((e.rule, e.position), (Rule::EmbeddedOrgCode, Some(17)));
    assert!(
        e.message.contains("expected check character 4, found 5"),
        "{e}"
    );
    // Org-code check 10 is written X inside a USCC too.
    let body = (0..1000u32)
        .map(|n| format!("{n:08}"))
        .find(|b| tables::org_check_char(b.as_bytes()) == b'X')
        .expect("an org body with check X");
    validate_uscc(&fix_check(&format!("91350100{body}X"))).unwrap();
    let e = uscc_err(&fix_check(&format!("91350100{body}0")));
    assert!(
        e.message.contains("expected check character X, found 0"),
        "{e}"
    );
    // GB 11714 custom range.
    let pdy = format!(
        "PDY00001{}",
        char::from(tables::org_check_char(b"PDY00001"))
    );
    let e = uscc_err(&fix_check(&format!("91350100{pdy}")));
    assert_eq!((e.rule, e.position), (Rule::ReservedOrgCode, Some(9)));
}

#[test]
fn uscc_check_order_prefers_check_character() {
    // Bad authority AND bad check character: the check character is reported.
    let e = uscc_err("B1350100M000100Y43");
    assert_eq!(e.rule, Rule::CheckCharacter);
}

#[test]
fn uscc_normalisation() {
    for raw in [
        "９１３５０１００Ｍ０００１００Ｙ４３",
        "91350100m000100y43",
        "  9135 0100 M000 100Y 43\t",
        "91350100-M000100Y4-3",
        "91350100\u{3000}M000100Y43",
        "91350100\u{2014}M000100Y43",
    ] {
        assert_eq!(
            validate_uscc(raw).map(|u| u.to_string()).as_deref(),
            Ok("91350100M000100Y43"),
            "{raw:?}"
        );
    }
    // O is never turned into 0.
    let e = uscc_err("91350100MO00100Y43");
    assert_eq!((e.rule, e.position), (Rule::Charset, Some(10)));
    assert_eq!(normalize("91350100MO00100Y43"), "91350100MO00100Y43");
}

#[test]
fn is_valid_uscc_expects_normal_form() {
    assert!(!is_valid_uscc(b"91350100m000100y43"));
    assert!(!is_valid_uscc(b""));
    assert!(!is_valid_uscc(&[0xFF; 18]));
}

// ---------------------------------------------------------------- GB 11714

#[test]
fn org_code_examples() {
    for s in [
        "708461136",
        "70846113-6",
        "551385082",
        "M000100Y4",
        "MA62K0260",
        "600037341",
    ] {
        validate_org_code(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    let o = validate_org_code("70846113－6").unwrap();
    assert_eq!(o.as_str(), "708461136");
    assert_eq!(o.display_form(), "70846113-6");
    // Letters I, O, S, V, Z are allowed in a stand-alone organisation code.
    let body = "ZOSIV123";
    let code = format!(
        "{body}{}",
        char::from(tables::org_check_char(body.as_bytes()))
    );
    validate_org_code(&code).unwrap();
    // Wrong check.
    let e = validate_org_code("708461135").unwrap_err();
    assert_eq!(
        (e.kind, e.rule, e.position),
        (CodeKind::Org, Rule::CheckCharacter, Some(9))
    );
    assert_eq!(e.message, "position 9: expected check character 6, found 5");
    // Counter-example of a wrong implementation: 10 must be X, never A.
    let e = validate_org_code("MA1G4L1WA").unwrap_err();
    assert_eq!(e.rule, Rule::Charset);
    assert_eq!(
        validate_org_code("12345678").unwrap_err().rule,
        Rule::Length
    );
    assert_eq!(
        validate_org_code("1234567*9").unwrap_err().position,
        Some(8)
    );
    let pdy = format!(
        "PDY00001{}",
        char::from(tables::org_check_char(b"PDY00001"))
    );
    assert_eq!(
        validate_org_code(&pdy).unwrap_err().rule,
        Rule::ReservedOrgCode
    );
}

#[test]
fn org_check_value_mapping() {
    // C9 = 10 → X and C9 = 11 → 0 both occur.
    let mut seen_x = false;
    let mut seen_0 = false;
    for n in 0..2000u32 {
        let body = format!("{n:08}");
        let c = tables::org_check_char(body.as_bytes());
        seen_x |= c == b'X';
        seen_0 |= c == b'0';
        let code = format!("{body}{}", char::from(c));
        assert!(validate_org_code(&code).is_ok(), "{code}");
    }
    assert!(seen_x && seen_0);
}

// ---------------------------------------------------------------- 工商注册号

#[test]
fn reg_no_example() {
    let r = validate_reg_no("110108000000016").unwrap();
    assert_eq!(r.as_str(), "110108000000016");
    assert_eq!(r.region_code(), "110108");
    assert_eq!(r.region().map(|x| x.name), Some("海淀区"));
    assert_eq!(r.subject_type_zh(), "内资企业");
    let e = validate_reg_no("110108000000017").unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::CheckCharacter, Some(15)));
    assert_eq!(
        e.message,
        "position 15: expected check character 6, found 7"
    );
    assert_eq!(
        validate_reg_no("11010800000001").unwrap_err().rule,
        Rule::Length
    );
    assert_eq!(
        validate_reg_no("11010800000001A").unwrap_err().position,
        Some(15)
    );
}

#[test]
fn reg_no_region_rule() {
    let with_check = |body: &str| {
        let d: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        format!("{body}{}", tables::mod11_10_check(&d))
    };
    validate_reg_no(&with_check("10000000000001")).unwrap();
    validate_reg_no(&with_check("11010300000001")).unwrap(); // retired 崇文区
    let e = validate_reg_no(&with_check("99999900000001")).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::RegionCode, Some(1)));
    assert_eq!(
        e.message,
        "positions 1-6: 999999 is not a known GB/T 2260 region code"
    );
}

// ---------------------------------------------------------------- GB 11643

#[test]
fn citizen_id_examples() {
    let a = validate_citizen_id("11010519491231002X", today()).unwrap();
    assert_eq!(
        a.birth_date(),
        NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
    );
    assert!(!a.is_male());
    assert_eq!(a.region_code(), "110105");
    assert_eq!(a.region().map(|r| r.name), Some("朝阳区"));
    assert_eq!(format!("{a:?}"), "CitizenId(\"1101**********002X\")");
    let b = validate_citizen_id("440524188001010014", today()).unwrap();
    assert!(b.is_male());
    assert_eq!(b.birth_date(), NaiveDate::from_ymd_opt(1880, 1, 1).unwrap());
    assert!(!b.region().unwrap().current); // 潮阳县, retired 1993
    // Lower-case x.
    assert!(validate_citizen_id("11010519491231002x", today()).is_ok());
}

#[test]
fn citizen_id_rules() {
    let fix = |body: &str| {
        let d: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        format!("{body}{}", char::from(tables::mod11_2_check(&d)))
    };
    let e = validate_citizen_id("110105194912310021", today()).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::CheckCharacter, Some(18)));
    assert_eq!(
        e.message,
        "position 18: expected check character X, found 1"
    );
    let e = validate_citizen_id("1101051949123100AX", today()).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::Charset, Some(17)));
    let e = validate_citizen_id(&fix("99999919491231002"), today()).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::RegionCode, Some(1)));
    let e = validate_citizen_id(&fix("11010519491331002"), today()).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::BirthDate, Some(7)));
    assert!(e.message.contains("19491331"), "{e}");
    let e = validate_citizen_id(&fix("11010519000229002"), today()).unwrap_err();
    assert_eq!(e.rule, Rule::BirthDate); // 1900 is not a leap year
    validate_citizen_id(&fix("11010520000229002"), today()).unwrap();
    let e = validate_citizen_id(&fix("11010518491231002"), today()).unwrap_err();
    assert_eq!(e.rule, Rule::BirthDate);
    let e = validate_citizen_id(&fix("11010520301231002"), today()).unwrap_err();
    assert_eq!((e.rule, e.position), (Rule::FutureBirthDate, Some(7)));
    // Born today is fine.
    validate_citizen_id(&fix("11010520261123002"), today()).unwrap();
    // Retired region accepted.
    validate_citizen_id(&fix("11010319491231002"), today()).unwrap();
    // Residence permits of Hong Kong, Macao, Taiwan residents.
    for p in ["810000", "820000", "830000"] {
        let id = validate_citizen_id(&fix(&format!("{p}19800101001")), today()).unwrap();
        assert!(id.is_residence_permit());
        assert!(id.region().is_some());
    }
    assert_eq!(
        validate_citizen_id("1101051949123100", today())
            .unwrap_err()
            .rule,
        Rule::Length
    );
}

// ---------------------------------------------------------------- check()

#[test]
fn check_auto_detects() {
    let o = check("91350100M000100Y43", None, today());
    assert_eq!(
        (o.kind, o.valid, o.error.is_none()),
        (Some(CodeKind::Uscc), true, true)
    );
    let o = check("11010519491231002x", None, today());
    assert_eq!((o.kind, o.valid), (Some(CodeKind::CitizenId), true));
    assert_eq!(o.normalized, "11010519491231002X");
    let o = check("70846113-6", None, today());
    assert_eq!((o.kind, o.valid), (Some(CodeKind::Org), true));
    let o = check("110108000000016", None, today());
    assert_eq!((o.kind, o.valid), (Some(CodeKind::Regno), true));

    // Invalid 18-char: shape decides.
    let o = check("110105194912310021", None, today());
    assert_eq!(o.kind, Some(CodeKind::CitizenId));
    assert_eq!(o.error.as_ref().map(|e| e.rule), Some(Rule::CheckCharacter));
    let o = check("91310115MA1G4L1WXK", None, today());
    assert_eq!(o.kind, Some(CodeKind::Uscc));
    assert_eq!(o.error.as_ref().map(|e| e.position), Some(Some(18)));

    // Unknown length.
    let o = check("12345", None, today());
    assert_eq!(o.kind, None);
    assert!(!o.valid);
    let e = o.error.unwrap();
    assert_eq!((e.kind, e.rule), (CodeKind::Uscc, Rule::Length));
    assert!(
        e.message.contains("no known code kind has 5 characters"),
        "{e}"
    );
    assert_eq!(
        check("  ", None, today()).error.map(|e| e.rule),
        Some(Rule::Empty)
    );

    // Explicit kind.
    let o = check("91350100M000100Y43", Some(CodeKind::CitizenId), today());
    assert_eq!((o.kind, o.valid), (Some(CodeKind::CitizenId), false));
}

#[test]
fn check_outcome_json_shape() {
    let o = check("91310115MA1G4L1WXK", None, today());
    let v: serde_json::Value = serde_json::to_value(&o).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "input": "91310115MA1G4L1WXK",
            "kind": "uscc",
            "valid": false,
            "normalized": "91310115MA1G4L1WXK",
            "error": {
                "kind": "uscc",
                "rule": "check_character",
                "position": 18,
                "message": "position 18: expected check character 7, found K"
            }
        })
    );
    let ok = serde_json::to_value(check("11010519491231002X", None, today())).unwrap();
    assert_eq!(ok["kind"], "citizen-id");
    assert_eq!(ok["error"], serde_json::Value::Null);
}

#[test]
fn kinds_and_rules_round_trip() {
    for k in CodeKind::ALL {
        assert_eq!(k.as_str().parse::<CodeKind>(), Ok(k));
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        assert!(!k.label_zh().is_empty());
    }
    assert!("citizen_id".parse::<CodeKind>().is_err());
    for r in Rule::ALL {
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        assert_eq!(r.as_str().parse::<Rule>(), Ok(r));
    }
    assert_eq!(CodeKind::CitizenId.label_zh(), "公民身份号码");
}

// ---------------------------------------------------------------- legacy mapping

#[test]
fn legacy_mapping() {
    assert_eq!(org_code_of_tax_no("440300708461136"), Some("708461136"));
    assert_eq!(org_code_of_tax_no(" 440300708461136 "), Some("708461136"));
    assert_eq!(org_code_of_tax_no("440300708461135"), None); // org check fails
    assert_eq!(org_code_of_tax_no("44030070846113"), None);
    assert_eq!(org_code_of_tax_no("4403007084611３6"), None);
    assert_eq!(org_code_of_tax_no("91440300708461136T"), Some("708461136"));
    assert_eq!(org_code_of_tax_no("字字字字字字字字字字字字字字字"), None);
    let u = validate_uscc("91440300708461136T").unwrap();
    assert!(legacy_matches_uscc("70846113-6", &u));
    assert!(legacy_matches_uscc("440300708461136", &u));
    assert!(legacy_matches_uscc("110000708461136", &u)); // region part is not compared
    assert!(!legacy_matches_uscc("551385082", &u));
    assert!(!legacy_matches_uscc("440300000000016", &u));
}

// ---------------------------------------------------------------- generators

#[test]
fn generators_are_deterministic_and_valid() {
    let mut a = generate::Rng::new(7);
    let mut b = generate::Rng::new(7);
    assert_eq!(generate::uscc(&mut a), generate::uscc(&mut b));
    let mut rng = generate::Rng::new(1);
    for _ in 0..200 {
        validate_uscc(&generate::uscc(&mut rng)).unwrap();
        validate_org_code(&generate::org_code(&mut rng)).unwrap();
        validate_reg_no(&generate::reg_no(&mut rng)).unwrap();
        let id = generate::citizen_id(&mut rng, today());
        let id = validate_citizen_id(&id, today()).unwrap();
        assert!(id.birth_date() <= NaiveDate::from_ymd_opt(2008, 11, 23).unwrap());
        assert!(id.region().unwrap().current);
        let m = generate::mobile(&mut rng);
        assert_eq!(mask::find_unmasked(&m).as_deref(), Some(m.as_str()));
    }
    let u =
        generate::uscc_for_org(&mut rng, "70846113-6", Some("440300"), Some(('9', '1'))).unwrap();
    assert_eq!(u, "91440300708461136T");
    assert!(generate::uscc_for_org(&mut rng, "708461135", None, None).is_err());
    let e = generate::uscc_for_org(&mut rng, "708461136", Some("999999"), None).unwrap_err();
    assert_eq!(e.rule, Rule::RegionCode);
    let e = generate::uscc_for_org(&mut rng, "708461136", None, Some(('9', '9'))).unwrap_err();
    assert_eq!(e.rule, Rule::InstitutionCategory);
    // An org code with O cannot be carried into a USCC.
    let body = "O0000000";
    let org = format!(
        "{body}{}",
        char::from(tables::org_check_char(body.as_bytes()))
    );
    let e = generate::uscc_for_org(&mut rng, &org, None, None).unwrap_err();
    assert_eq!(
        (e.kind, e.rule, e.position),
        (CodeKind::Org, Rule::Charset, Some(1))
    );
    // The `gen` alias.
    let _ = r#gen::mobile(&mut rng);
    assert_eq!(rng.below(0), 0);
    assert!((0..1000).all(|_| rng.below(3) < 3));
}

#[test]
fn splitmix_reference_values() {
    // SplitMix64 with seed 1234567 (reference sequence of the algorithm).
    let mut r = generate::Rng::new(1234567);
    assert_eq!(r.next_u64(), 6457827717110365317);
    assert_eq!(r.next_u64(), 3203168211198807973);
    assert_eq!(r.next_u64(), 9817491932198370423);
}

// ---------------------------------------------------------------- masking

#[test]
fn find_unmasked_skips_valid_all_digit_uscc() {
    // Search a deterministic all-digit USCC that also passes MOD 11-2.
    let mut found = None;
    'outer: for n in 0..100_000u32 {
        let org_body = format!("{:08}", 10_000_000 + n);
        let org_c = tables::org_check_char(org_body.as_bytes());
        if org_c == b'X' {
            continue;
        }
        let body = format!("11110105{org_body}{}", char::from(org_c));
        let c = tables::uscc_check_char(body.as_bytes());
        if !c.is_ascii_digit() {
            continue;
        }
        let code = format!("{body}{}", char::from(c));
        let d: Vec<u8> = code.bytes().take(17).map(|b| b - b'0').collect();
        if tables::mod11_2_check(&d) == code.as_bytes()[17] {
            found = Some(code);
            break 'outer;
        }
    }
    let code = found.expect("some all-digit USCC passes MOD 11-2");
    assert!(is_valid_uscc(code.as_bytes()));
    assert_eq!(mask::find_unmasked(&format!("代码 {code}")), None);
}

/// A 证件号码 field is masked as the document it holds: a citizen ID as one, a passport or
/// permit as a document, so one number reads the same wherever it is shown.
#[test]
fn identity_numbers_are_masked_as_what_they_are() {
    use crate::mask::{citizen_id, document, identity_number};
    for id in [
        "11010519491231002X",
        "110105491231002",
        "11010519491231002x",
    ] {
        assert_eq!(identity_number(id), citizen_id(id), "{id}");
    }
    for doc in [
        "E12345678",
        "G98765432",
        "H12345678",
        "12345678",
        "MHA123456789012",
    ] {
        assert_eq!(identity_number(doc), document(doc), "{doc}");
    }
    assert_eq!(identity_number("G98765432"), "G******32");
}

/// About 1 in 340 citizen IDs also pass every USCC rule: `check` says so, and free text masks
/// such a number as an ID (a person's) rather than leave it as a USCC (an organisation's).
#[test]
fn a_number_valid_as_both_uscc_and_citizen_id() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let both = "131101198001011253";
    let out = check(both, None, today);
    assert!(out.valid);
    assert_eq!(out.kind, Some(CodeKind::Uscc));
    assert_eq!(out.also_valid_as, Some(CodeKind::CitizenId));
    let as_id = check(both, Some(CodeKind::CitizenId), today);
    assert_eq!(as_id.also_valid_as, Some(CodeKind::Uscc));
    let json = serde_json::to_string(&check("91350100M000100Y43", None, today)).expect("json");
    assert!(!json.contains("also_valid_as"), "{json}");
    let text = format!("当事人王某某（身份证号 {both}）");
    let masked = crate::mask::redact(&text);
    assert!(!masked.contains(both), "{masked}");
    // A USCC that is no citizen ID stays as it is.
    assert_eq!(
        crate::mask::redact("统一社会信用代码 91350100M000100Y43"),
        "统一社会信用代码 91350100M000100Y43"
    );
}
