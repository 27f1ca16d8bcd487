//! Property tests for chengxin-codes.

#![allow(clippy::unwrap_used)] // unwrap is fine in tests

use chengxin_codes::generate::{self, Rng};
use chengxin_codes::{
    CodeKind, Rule, check, is_valid_uscc, mask, normalize, validate_citizen_id, validate_org_code,
    validate_reg_no, validate_uscc,
};
use chrono::NaiveDate;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Strings that are mostly code-like, to reach deep validator branches.
fn code_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9A-Za-z]{0,20}",
        "[0-9]{17}[0-9Xx]",
        "[0-9A-HJ-NPQRTUWXY]{18}",
        "[0-9 \\-－　０-９Ａ-Ｚａ-ｚ]{0,24}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_codes_validate(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let u = generate::uscc(&mut rng);
        prop_assert!(validate_uscc(&u).is_ok(), "{}", u);
        prop_assert!(is_valid_uscc(u.as_bytes()));
        prop_assert_eq!(check(&u, None, today()).kind, Some(CodeKind::Uscc));
        let o = generate::org_code(&mut rng);
        prop_assert!(validate_org_code(&o).is_ok(), "{}", o);
        let r = generate::reg_no(&mut rng);
        prop_assert!(validate_reg_no(&r).is_ok(), "{}", r);
        let c = generate::citizen_id(&mut rng, today());
        prop_assert!(validate_citizen_id(&c, today()).is_ok(), "{}", c);
        prop_assert!(check(&c, None, today()).valid);
        let m = generate::mobile(&mut rng);
        prop_assert_eq!(find_unmasked_or_none(&m), Some(m.clone()));
    }

    /// Every single substitution (to any other character of the 31-character set) and
    /// every adjacent transposition of two different characters inside the first 17
    /// characters of a valid USCC is rejected.
    #[test]
    fn uscc_detects_substitutions_and_transpositions(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let code = generate::uscc(&mut rng);
        let b = code.as_bytes();
        for i in 0..17 {
            for c in USCC_CHARS.bytes().filter(|&c| c != b[i]) {
                let mut m = b.to_vec();
                m[i] = c;
                prop_assert!(!is_valid_uscc(&m), "substitution {} at {}", String::from_utf8_lossy(&m), i + 1);
                let s = String::from_utf8(m).unwrap();
                prop_assert!(validate_uscc(&s).is_err(), "{}", s);
            }
        }
        for i in 0..16 {
            if b[i] == b[i + 1] {
                continue;
            }
            let mut m = b.to_vec();
            m.swap(i, i + 1);
            prop_assert!(!is_valid_uscc(&m), "transposition {} at {}", String::from_utf8_lossy(&m), i + 1);
            let s = String::from_utf8(m).unwrap();
            prop_assert!(validate_uscc(&s).is_err(), "{}", s);
        }
    }

    /// A substitution in positions 1-17 is caught by the check character when the result
    /// is still in the character set with digits in positions 3-8.
    #[test]
    fn uscc_substitution_reports_check_character(seed in any::<u64>(), pos in 0usize..17, k in 1usize..31) {
        let mut rng = Rng::new(seed);
        let code = generate::uscc(&mut rng);
        let mut m = code.into_bytes();
        let cur = USCC_CHARS.find(char::from(m[pos])).unwrap();
        m[pos] = USCC_CHARS.as_bytes()[(cur + k) % 31];
        let s = String::from_utf8(m).unwrap();
        let e = validate_uscc(&s).unwrap_err();
        if (2..8).contains(&pos) && !s.as_bytes()[pos].is_ascii_digit() {
            prop_assert_eq!(e.rule, Rule::Charset);
            prop_assert_eq!(e.position, Some(pos + 1));
        } else {
            prop_assert_eq!(e.rule, Rule::CheckCharacter);
            prop_assert_eq!(e.position, Some(18));
        }
    }

    #[test]
    fn org_and_citizen_detect_single_substitution(seed in any::<u64>(), pos in 0usize..8, d in 1u8..10) {
        let mut rng = Rng::new(seed);
        let o = generate::org_code(&mut rng);
        let mut m = o.into_bytes();
        if m[pos].is_ascii_digit() {
            m[pos] = b'0' + (m[pos] - b'0' + d) % 10;
            prop_assert!(validate_org_code(&String::from_utf8(m).unwrap()).is_err());
        }
        let c = generate::citizen_id(&mut rng, today());
        let mut m = c.into_bytes();
        let p = pos * 2; // 0..16
        m[p] = b'0' + (m[p] - b'0' + d) % 10;
        prop_assert!(validate_citizen_id(&String::from_utf8(m).unwrap(), today()).is_err());
        let r = generate::reg_no(&mut rng);
        let mut m = r.into_bytes();
        let p = pos + 6;
        m[p] = b'0' + (m[p] - b'0' + d) % 10;
        prop_assert!(validate_reg_no(&String::from_utf8(m).unwrap()).is_err());
    }

    #[test]
    fn nothing_panics(s in code_like(), kind in 0usize..5) {
        let _ = normalize(&s);
        let _ = validate_uscc(&s);
        let _ = is_valid_uscc(s.as_bytes());
        let _ = validate_org_code(&s);
        let _ = validate_reg_no(&s);
        let _ = validate_citizen_id(&s, today());
        let _ = validate_citizen_id(&s, NaiveDate::MIN);
        let _ = validate_citizen_id(&s, NaiveDate::MAX);
        let k = CodeKind::ALL.get(kind).copied();
        let out = check(&s, k, today());
        prop_assert_eq!(out.valid, out.error.is_none());
        let _ = serde_json::to_string(&out).unwrap();
        let _ = mask::citizen_id(&s);
        let _ = mask::phone(&s);
        let _ = mask::person_name(&s);
        let _ = mask::find_unmasked(&s);
        let _ = chengxin_codes::org_code_of_tax_no(&s);
        let _ = chengxin_codes::region::lookup(&s);
    }

    #[test]
    fn normalize_is_idempotent(s in code_like()) {
        let once = normalize(&s).into_owned();
        let twice = normalize(&once);
        prop_assert!(matches!(twice, std::borrow::Cow::Borrowed(_)));
        prop_assert_eq!(twice.as_ref(), once.as_str());
    }

    #[test]
    fn errors_point_inside_the_normalised_input(s in code_like()) {
        let n = normalize(&s).chars().count();
        for e in [
            validate_uscc(&s).err(),
            validate_org_code(&s).err(),
            validate_reg_no(&s).err(),
            validate_citizen_id(&s, today()).err(),
        ].into_iter().flatten() {
            if let Some(p) = e.position {
                prop_assert!(p >= 1 && p <= n, "{:?} for {:?}", e, s);
            }
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn redacted_text_has_no_unmasked_identifiers(seed in any::<u64>(), before in ".{0,12}", between in ".{0,12}") {
        let mut rng = Rng::new(seed);
        let id = generate::citizen_id(&mut rng, today());
        let m = generate::mobile(&mut rng);
        let text = format!("{before}{id}{between}联系电话{m}，{id}");
        let r = mask::redact(&text);
        prop_assert_eq!(find_unmasked_or_none(&r), None, "{}", r);
        prop_assert!(!r.contains(&id) && !r.contains(&m), "{}", r);
        // Text without identifiers is left alone.
        prop_assert_eq!(mask::redact(&before), before.clone());
    }

    /// The same ID written in groups, in its first-generation 15-digit form or with a wrong
    /// check character, and a landline, are masked too.
    #[test]
    fn redaction_covers_other_written_forms(seed in any::<u64>(), before in ".{0,12}", sep in "[ -]", cut in 1usize..17) {
        let mut rng = Rng::new(seed);
        let id = generate::citizen_id(&mut rng, today());
        let grouped = format!("{}{sep}{}", &id[..cut], &id[cut..]);
        let old = format!("{}{}", &id[..6], &id[8..17]);
        let wrong = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
        let landline = format!("0591-8{:06}", rng.below(1_000_000));
        let text = format!("{before}，{grouped}，{old}，{wrong}，{landline}。");
        let r = mask::redact(&text);
        prop_assert_eq!(find_unmasked_or_none(&r), None, "{}", r);
        for s in [&grouped, &old, &wrong, &landline] {
            prop_assert!(!r.contains(s.as_str()), "{} in {}", s, r);
        }
    }

    /// However the groups of an ID or a mobile number are separated (dots, slashes, spaces of
    /// any width, zero-width spaces, dashes, underscores), the number does not survive masking.
    #[test]
    fn redaction_covers_any_grouping(
        seed in any::<u64>(),
        before in "[\\x{4e00}-\\x{4e80}，。 ]{0,8}",
        s1 in "[ ./_\\x{3000}\\x{a0}\\x{200b}\\x{2013}\\x{2014}\\x{ff0d}-]{1,2}",
        s2 in "[ ./_\\x{3000}\\x{a0}\\x{200b}\\x{2013}\\x{2014}\\x{ff0d}-]{1,2}",
        a in 2usize..9,
        b in 9usize..16,
        cut in 3usize..8,
    ) {
        let mut rng = Rng::new(seed);
        let id = generate::citizen_id(&mut rng, today());
        let m = generate::mobile(&mut rng);
        let gid = format!("{}{s1}{}{s2}{}", &id[..a], &id[a..b], &id[b..]);
        let gm = format!("{}{s2}{}", &m[..cut], &m[cut..]);
        let text = format!("{before}身份证{gid}，电话{gm}。");
        let r = mask::redact(&text);
        let plain: String = r.chars().filter(char::is_ascii_alphanumeric).collect();
        prop_assert!(!plain.contains(&id) && !plain.contains(&m), "{} → {}", text, r);
        prop_assert_eq!(find_unmasked_or_none(&r), None, "{}", r);
    }

    #[test]
    fn masked_values_are_never_found(seed in any::<u64>(), s in code_like()) {
        let mut rng = Rng::new(seed);
        let id = generate::citizen_id(&mut rng, today());
        let m = generate::mobile(&mut rng);
        prop_assert!(find_unmasked_or_none(&id).is_some());
        prop_assert_eq!(find_unmasked_or_none(&mask::citizen_id(&id)), None);
        prop_assert_eq!(find_unmasked_or_none(&mask::phone(&m)), None);
        let text = format!("身份证 {} 电话 {}", mask::citizen_id(&id), mask::phone(&m));
        prop_assert_eq!(find_unmasked_or_none(&text), None);
        prop_assert_eq!(find_unmasked_or_none(&mask::citizen_id(&s)), None);
        prop_assert_eq!(find_unmasked_or_none(&mask::phone(&s)), None);
        prop_assert_ne!(mask::citizen_id(&id), id);
    }

    #[test]
    fn mask_never_returns_long_input_unchanged(s in "[0-9A-Za-z]{5,30}") {
        prop_assert_ne!(mask::citizen_id(&s), normalize(&s).into_owned());
    }
}

fn find_unmasked_or_none(s: &str) -> Option<String> {
    mask::find_unmasked(s)
}
