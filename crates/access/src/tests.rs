use super::*;
use chrono::TimeZone;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
        .single()
        .expect("time")
}

#[test]
fn policies_decide_by_role() {
    assert_eq!(Policy::Public.decide(Role::Public), Decision::Allow);
    assert_eq!(
        Policy::SignedIn.decide(Role::Public),
        Decision::Unauthenticated
    );
    assert_eq!(Policy::SignedIn.decide(Role::Enterprise), Decision::Allow);
    let auditors = Policy::Roles(&[Role::Auditor]);
    assert_eq!(auditors.decide(Role::Auditor), Decision::Allow);
    assert_eq!(auditors.decide(Role::Operator), Decision::Forbidden);
    assert_eq!(auditors.decide(Role::Public), Decision::Unauthenticated);
    assert!(!Policy::SignedIn.roles().contains(&Role::Public));
}

#[test]
fn roles_round_trip() {
    for r in Role::ALL {
        assert_eq!(Role::parse(r.as_str()), Some(r));
    }
    assert_eq!(Role::parse("root"), None);
}

#[test]
fn lockout_after_five_failures_for_fifteen_minutes() {
    assert_eq!(locked_until(4, Some(t(10, 0)), t(10, 1)), None);
    assert_eq!(locked_until(5, Some(t(10, 0)), t(10, 1)), Some(t(10, 15)));
    assert_eq!(
        locked_until(5, Some(t(10, 0)), t(10, 15)),
        None,
        "unlocked on time"
    );
    assert_eq!(locked_until(9, None, t(10, 1)), None);
}

#[test]
fn password_rules() {
    assert!(check_new_password("short", "u").is_err());
    assert!(check_new_password("aaaaaaaaaaaaaaa", "u").is_err());
    assert!(check_new_password("zhangsan-password", "zhangsan").is_err());
    assert!(check_new_password("correct horse battery", "zhangsan").is_ok());
}

/// A token written into pages holds no digit, whatever the bytes, and keeps every bit of them:
/// a form's CSRF token made of hex once read as a landline to the pages' privacy check.
#[test]
fn page_tokens_hold_no_digits_and_keep_every_bit() {
    let all: Vec<u8> = (0..=255).collect();
    let t = page_token(&all);
    assert_eq!(t.len(), 512);
    assert!(t.bytes().all(|b| b.is_ascii_uppercase()), "{t}");
    let mut seen = std::collections::HashSet::new();
    for b in 0..=255u8 {
        assert!(seen.insert(page_token(&[b])), "{b} collides");
    }
    assert_eq!(page_token(&[0x03, 0x92]), "BFMD");
}

#[test]
fn secrets_are_prefixed_and_hashed() {
    let s = format_secret("cxk_", &[0xab; 32]);
    assert!(s.starts_with("cxk_abab"));
    assert_eq!(s.len(), 68);
    assert_eq!(
        secret_hash("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

fn grant(id: i64, expires: DateTime<Utc>) -> Grant {
    Grant {
        id,
        account: "checker1".into(),
        subject_key: "CX0000000000000A".into(),
        fields: vec![PersonalField::CitizenId],
        purpose: "行政许可审查".into(),
        granted_by: "op".into(),
        granted_at: t(9, 0),
        expires_at: expires,
        revoked_at: None,
    }
}

#[test]
fn personal_reads_need_purpose_scope_and_unexpired_grant() {
    let grants = vec![grant(1, t(12, 0))];
    let ok = authorise_personal_read(
        &grants,
        "checker1",
        "CX0000000000000A",
        PersonalField::CitizenId,
        "行政许可审查",
        t(11, 0),
    );
    assert_eq!(ok.map(|g| g.id), Ok(1));
    // The grant is for its own purpose only.
    assert_eq!(
        authorise_personal_read(
            &grants,
            "checker1",
            "CX0000000000000A",
            PersonalField::CitizenId,
            "审查",
            t(11, 0)
        ),
        Err(GrantRefusal::OtherPurpose {
            id: 1,
            purpose: "行政许可审查".into()
        })
    );
    assert_eq!(
        authorise_personal_read(
            &grants,
            "checker1",
            "CX0000000000000A",
            PersonalField::CitizenId,
            " ",
            t(11, 0)
        ),
        Err(GrantRefusal::NoPurpose)
    );
    assert!(matches!(
        authorise_personal_read(
            &grants,
            "checker1",
            "CX0000000000000A",
            PersonalField::LegalRepId,
            "行政许可审查",
            t(11, 0)
        ),
        Err(GrantRefusal::NotCovered { .. })
    ));
    assert!(matches!(
        authorise_personal_read(
            &grants,
            "other",
            "CX0000000000000A",
            PersonalField::CitizenId,
            "行政许可审查",
            t(11, 0)
        ),
        Err(GrantRefusal::NotCovered { .. })
    ));
    assert!(matches!(
        authorise_personal_read(
            &grants,
            "checker1",
            "CX0000000000000A",
            PersonalField::CitizenId,
            "行政许可审查",
            t(12, 0)
        ),
        Err(GrantRefusal::Expired { id: 1, .. })
    ));
    let mut revoked = grant(2, t(23, 0));
    revoked.revoked_at = Some(t(10, 0));
    assert!(matches!(
        authorise_personal_read(
            &[revoked],
            "checker1",
            "CX0000000000000A",
            PersonalField::CitizenId,
            "行政许可审查",
            t(11, 0)
        ),
        Err(GrantRefusal::Revoked { id: 2 })
    ));
}

#[test]
fn no_lifetime_grants() {
    let now = t(9, 0);
    let f = [PersonalField::CitizenId];
    assert!(check_new_grant(&f, "行政许可审查", now + Duration::days(30), now).is_ok());
    assert!(check_new_grant(&f, "行政许可审查", now + Duration::days(91), now).is_err());
    assert!(check_new_grant(&f, "行政许可审查", now, now).is_err());
    assert!(check_new_grant(&[], "行政许可审查", now + Duration::days(1), now).is_err());
    assert!(check_new_grant(&f, "", now + Duration::days(1), now).is_err());
    // A purpose is a statement: 500 characters at most (found by QA: 20,000 were kept).
    let long = "审".repeat(MAX_PURPOSE_CHARS + 1);
    assert!(check_new_grant(&f, &long, now + Duration::days(1), now).is_err());
    let longest = "审".repeat(MAX_PURPOSE_CHARS);
    assert!(check_new_grant(&f, &longest, now + Duration::days(1), now).is_ok());
}
