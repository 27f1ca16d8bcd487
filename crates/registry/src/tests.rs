use super::*;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

fn company() -> SubjectData {
    SubjectData {
        uscc: Some("91350100M000100Y43".into()),
        legal_rep_name: Some("张三".into()),
        legal_rep_id: Some("11010519491231002X".into()),
        ..SubjectData::new(SubjectKind::LegalPerson, " 福州某某科技有限公司 ")
    }
}

#[test]
fn validate_normalises_codes_and_derives_region() {
    let d = SubjectData {
        uscc: Some(" 91350100m000100y43 ".into()),
        ..company()
    };
    let v = d.validate(today()).expect("valid");
    assert_eq!(v.data.uscc.as_deref(), Some("91350100M000100Y43"));
    assert_eq!(v.data.name, "福州某某科技有限公司");
    assert_eq!(v.data.region_code.as_deref(), Some("350100"));
    assert!(v.cases.is_empty());
}

#[test]
fn invalid_uscc_names_field_and_rule() {
    let d = SubjectData {
        uscc: Some("91350100M000100Y44".into()),
        ..company()
    };
    let err = d.validate(today()).expect_err("bad check character");
    assert_eq!(err.field_name(), "uscc");
    assert_eq!(err.rule(), "check_character");
    assert!(err.to_string().contains("position 18"), "{err}");
}

#[test]
fn natural_person_needs_citizen_id_and_no_org_codes() {
    let p = SubjectData::new(SubjectKind::NaturalPerson, "李四");
    assert_eq!(
        p.clone().validate(today()).expect_err("no id").rule(),
        "required"
    );
    let p = SubjectData {
        citizen_id: Some("11010519491231002X".into()),
        uscc: Some("91350100M000100Y43".into()),
        ..p
    };
    assert_eq!(p.validate(today()).expect_err("uscc").rule(), "not_allowed");
}

#[test]
fn organisation_needs_some_code() {
    let d = SubjectData::new(SubjectKind::LegalPerson, "无码公司");
    let e = d.validate(today()).expect_err("no code");
    assert_eq!((e.field_name(), e.rule()), ("uscc", "required"));
}

#[test]
fn legal_rep_id_with_citizen_shape_must_be_valid() {
    let d = SubjectData {
        legal_rep_id: Some("110105194912310021".into()),
        ..company()
    };
    let e = d.validate(today()).expect_err("bad id");
    assert_eq!(e.field_name(), "legal_rep_id");
    let d = SubjectData {
        legal_rep_id: Some("E12345678".into()),
        ..company()
    };
    assert!(d.validate(today()).is_ok(), "passport numbers are accepted");
}

#[test]
fn future_establishment_is_refused() {
    let d = SubjectData {
        established: NaiveDate::from_ymd_opt(2027, 1, 1),
        ..company()
    };
    assert_eq!(
        d.validate(today()).expect_err("future").rule(),
        "future_date"
    );
}

#[test]
fn org_code_contradicting_uscc_is_a_mismatch_case() {
    // 91350100M000100Y43 carries M000100Y4; 000000019 is another valid organisation code.
    let org = chengxin_codes::generate::org_code(&mut chengxin_codes::generate::Rng::new(7));
    let d = SubjectData {
        org_code: Some(org.clone()),
        ..company()
    };
    let v = d.validate(today()).expect("valid codes");
    assert_eq!(v.cases.len(), 1);
    assert_eq!(v.cases[0].kind, CaseKind::LegacyMismatch);
    assert_eq!(v.cases[0].code, org);
}

#[test]
fn derived_org_code_is_an_identifier() {
    let v = company().validate(today()).expect("valid");
    let ids = v.data.identifiers();
    assert!(ids.contains(&(Scheme::Uscc, "91350100M000100Y43".into())));
    assert!(ids.contains(&(Scheme::Org, "M000100Y4".into())));
}

#[test]
fn conflicts_distinguish_duplicate_and_legacy_conflict() {
    let me = company().validate(today()).expect("valid").data;
    let holders = vec![
        Holder {
            scheme: Scheme::Uscc,
            value: "91350100M000100Y43".into(),
            subject_id: 2,
            subject_uscc: Some("91350100M000100Y43".into()),
        },
        Holder {
            scheme: Scheme::Org,
            value: "M000100Y4".into(),
            subject_id: 3,
            subject_uscc: Some("91110000600037341L".into()),
        },
        Holder {
            scheme: Scheme::Org,
            value: "M000100Y4".into(),
            subject_id: 1,
            subject_uscc: Some("91350100M000100Y43".into()),
        },
    ];
    let cases = conflicts(&me, Some(1), &holders);
    assert_eq!(cases.len(), 2, "own identifiers are not conflicts");
    assert_eq!(cases[0].kind, CaseKind::DuplicateCode);
    assert_eq!(cases[0].other_subject_id, Some(2));
    assert_eq!(cases[1].kind, CaseKind::LegacyConflict);
}

fn version(n: i64, name: &str) -> Version {
    Version {
        version: n,
        data: SubjectData {
            name: name.into(),
            ..company()
        },
        valid_from: today(),
        recorded_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        recorded_by: "t".into(),
        reason: "t".into(),
        source: "t".into(),
    }
}

#[test]
fn former_names_are_distinct_and_ordered() {
    let h = [
        version(1, "甲公司"),
        version(2, "乙公司"),
        version(3, "甲公司"),
        version(4, "丙公司"),
    ];
    assert_eq!(former_names(&h, "丙公司"), vec!["甲公司", "乙公司"]);
}

#[test]
fn public_view_masks_personal_identifiers() {
    let person = SubjectData {
        citizen_id: Some("11010519491231002X".into()),
        region_code: Some("110105".into()),
        ..SubjectData::new(SubjectKind::NaturalPerson, "王小明")
    }
    .validate(today())
    .expect("valid");
    let s = Subject {
        id: 1,
        key: "Nabc".into(),
        current: Version {
            data: person.data,
            ..version(1, "x")
        },
    };
    let view = PublicSubject::from_subject(&s, vec![]);
    let json = serde_json_like(&view);
    assert!(json.contains("1101**********002X"), "{json}");
    assert!(!json.contains("11010519491231002X"), "{json}");
    assert_eq!(view.name, "王**");
    // The region would add the ID's digits 5–6 to the four shown.
    assert_eq!(
        (view.region_code.as_deref(), view.region_name.as_deref()),
        (None, None)
    );

    let c = company().validate(today()).expect("valid").data;
    let s = Subject {
        id: 2,
        key: "91350100M000100Y43".into(),
        current: Version {
            data: c,
            ..version(1, "x")
        },
    };
    let view = PublicSubject::from_subject(&s, vec![]);
    assert_eq!(
        view.legal_rep_id_masked.as_deref(),
        Some("1101**********002X")
    );
    assert_eq!(view.name, "福州某某科技有限公司");

    // An individual business known only by its operator's tax number (an ID with a suffix) is
    // shown as a person: its name masked, its number too; with a USCC, as registered.
    let shop = SubjectData {
        tax_no: Some("11010519491231002X01".into()),
        ..SubjectData::new(SubjectKind::IndividualBusiness, "朝阳区孙八小吃店")
    };
    assert!(shop.shown_as_person());
    let s = Subject {
        id: 3,
        key: "Nshop".into(),
        current: Version {
            data: shop.clone(),
            ..version(1, "x")
        },
    };
    let view = PublicSubject::from_subject(&s, vec!["孙八小吃店".into()]);
    assert_eq!(view.name, "朝*******");
    assert!(view.former_names.is_empty(), "{view:?}");
    assert!(!serde_json_like(&view).contains("11010519491231002X"));
    let registered = SubjectData {
        uscc: Some("92350100MA2Y0XXXXX".into()),
        ..shop
    };
    assert!(!registered.shown_as_person());
}

fn serde_json_like(v: &PublicSubject) -> String {
    format!("{v:?}")
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any generated valid organisation validates and keeps its code.
        #[test]
        fn generated_companies_validate(seed in any::<u64>()) {
            let mut rng = chengxin_codes::generate::Rng::new(seed);
            let uscc = chengxin_codes::generate::uscc(&mut rng);
            let d = SubjectData { uscc: Some(uscc.clone()), ..SubjectData::new(SubjectKind::LegalPerson, "某公司") };
            let v = d.validate(today()).expect("valid");
            prop_assert_eq!(v.data.uscc, Some(uscc));
            prop_assert!(v.cases.is_empty());
        }

        /// Arbitrary text in any field never panics validation.
        #[test]
        fn arbitrary_fields_never_panic(name in ".*", uscc in ".*", org in ".*", tax in ".*", rep in ".*", region in ".*") {
            let d = SubjectData {
                uscc: Some(uscc), org_code: Some(org), tax_no: Some(tax), legal_rep_id: Some(rep), region_code: Some(region),
                ..SubjectData::new(SubjectKind::LegalPerson, name)
            };
            let _ = d.validate(today());
        }
    }
}

#[test]
fn other_identity_documents_of_natural_persons() {
    assert_eq!(
        crate::person_doc_code(crate::DocKind::HkMacaoPermit, "h 1234 5678"),
        Ok("hk_macao_permit:H12345678".to_string())
    );
    assert!(crate::person_doc_code(crate::DocKind::Passport, "E1").is_err());
    // Each kind has its own shape: a typo does not become a second person.
    use crate::DocKind::*;
    for (kind, good, bad) in [
        (HkMacaoPermit, "M1234567890", "X12345678"),
        (TaiwanPermit, "12345678", "ABCDEFGH"),
        (ForeignPermanentResident, "USA310075123456", "ABCDE"),
    ] {
        assert!(crate::person_doc_code(kind, good).is_ok(), "{good}");
        let e = crate::person_doc_code(kind, bad).expect_err(bad);
        assert!(e.to_string().contains(kind.label_zh()), "{e}");
    }
    // The 2023 card: 18 characters from 9, with the GB 11643 check character.
    let body = "93302019900101123";
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    let good = format!("{body}{check}");
    assert!(crate::person_doc_code(ForeignPermanentResident, &good).is_ok());
    let wrong = if check == '0' { '1' } else { '0' };
    assert!(crate::person_doc_code(ForeignPermanentResident, &format!("{body}{wrong}")).is_err());
    assert!(crate::is_person_doc_code("passport:E12345678"));
    assert!(!crate::is_person_doc_code("91350100M000100Y43"));
    assert!(!crate::is_person_doc_code("library:123456"));
    assert_eq!(
        crate::masked_person_identifier("passport:E12345678"),
        "护照 E******78"
    );
    assert_eq!(
        crate::masked_person_identifier("11010519491231002X"),
        "1101**********002X"
    );
    assert_eq!(
        crate::person_number("taiwan_permit:12345678"),
        ("12345678", "1*****78".to_string())
    );
    for kind in crate::DocKind::ALL {
        assert_eq!(crate::DocKind::from_type(kind.label_zh()), Some(kind));
    }
    assert_eq!(crate::DocKind::from_type("其他"), None);
}
