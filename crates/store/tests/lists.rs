//! Lists on SQLite and PostgreSQL: standards, one operation per transaction with its audit entry
//! (refusals too), the derived public rows, erasure of an entry listed in error, the outbox.

mod common;

use chengxin_lists::{
    AcceptObjection, Calendar, DecideObjection, ExitEntry, ExitReason, ListEntry, ObjectionOutcome,
    ObjectionRules, Propose, RecordDelivery, SendNotice, SubmitObjection, Target, status_as_of,
};
use chengxin_registry::{Provenance, SubjectData, SubjectKind};
use chengxin_store::{AuditFilter, ListError, Outcome, Store};
use chrono::NaiveDate;
use common::on_both;

const DEPT: &str = "11350100MB0000019U";
const U1: &str = "91350100M000100Y43";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

async fn company(s: &Store) {
    let data = SubjectData {
        uscc: Some(U1.into()),
        ..SubjectData::new(SubjectKind::LegalPerson, "福州某某科技有限公司")
    };
    let prov = Provenance {
        actor: "tester".into(),
        reason: "设立登记".into(),
        source: "test".into(),
        valid_from: d(2020, 1, 1),
    };
    s.register(data, prov, d(2026, 11, 1))
        .await
        .expect("registered");
}

fn propose(department: &str, on: NaiveDate) -> Propose {
    Propose {
        on,
        actor: "officer".into(),
        department: department.into(),
        standard_code: "tax-major-violation".into(),
        standard_version: None,
        document: "闽税稽罚〔2026〕8号".into(),
        reason: "虚开增值税专用发票".into(),
        watch_months: Some(12),
        repeat_offender: false,
    }
}

/// Proposes, notifies, records delivery and lists a serious-list entry; returns its id.
async fn listed_entry(s: &Store) -> String {
    let cal = Calendar::china();
    let out = s
        .list_operation(U1, "lists.propose", "officer", |b, st, ids| {
            chengxin_lists::propose(b, st, ids, cal, &propose(DEPT, d(2026, 11, 2)))
        })
        .await
        .expect("proposed");
    let id = out.book.entries[0].id.clone();
    for (action, step) in [
        ("lists.notice", 0),
        ("lists.delivery", 1),
        ("lists.list", 2),
    ] {
        let id = id.clone();
        s.list_operation(U1, action, "officer", |b, st, ids| match step {
            0 => chengxin_lists::send_notice(
                b,
                st,
                ids,
                cal,
                &SendNotice {
                    on: d(2026, 11, 2),
                    actor: "officer".into(),
                    department: DEPT.into(),
                    entry: id,
                    document: "闽税告〔2026〕8号".into(),
                },
            ),
            1 => chengxin_lists::record_delivery(
                b,
                st,
                ids,
                cal,
                &RecordDelivery {
                    on: d(2026, 11, 3),
                    actor: "officer".into(),
                    department: DEPT.into(),
                    entry: id,
                    delivered_on: d(2026, 11, 3),
                },
            ),
            _ => chengxin_lists::list(
                b,
                st,
                ids,
                cal,
                &ListEntry {
                    on: d(2026, 11, 16),
                    actor: "officer".into(),
                    department: DEPT.into(),
                    entry: id,
                    document: None,
                },
            ),
        })
        .await
        .unwrap_or_else(|e| panic!("{action}: {e}"));
    }
    id
}

#[tokio::test]
async fn standards_import_once_per_version() {
    on_both("lists_standards", |s| async move {
        let n = s
            .import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("imported");
        assert!(n >= 5, "default standards imported: {n}");
        let again = s
            .import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("re-imported");
        assert_eq!(again, 0, "a version is stored once");
        let standards = s.list_standards().await.expect("read");
        assert_eq!(standards.len(), n);
        assert!(standards.latest("tax-major-violation").is_some());
        let bad = s
            .import_list_standards("[[standard]]\ncode = 1", "operator")
            .await;
        assert!(matches!(bad, Err(ListError::Standards(_))), "{bad:?}");
        // A version that could not be used (no legal basis, a validity of 0 months) is refused
        // whole, naming what it lacks, and nothing of the file is stored.
        let text = chengxin_lists::DEFAULT_STANDARDS_TOML
            .replacen("version = 1", "version = 7", 1)
            .replacen("validity_months = ", "validity_months = 0 # was ", 1);
        let incomplete = s.import_list_standards(&text, "operator").await;
        let message = format!("{incomplete:?}");
        assert!(
            matches!(incomplete, Err(ListError::Standards(_))),
            "{message}"
        );
        assert!(message.contains("validity_months"), "{message}");
        assert_eq!(s.list_standards().await.expect("read").len(), n);
        // A stored version changed under its old number is refused, not silently kept as it was.
        let changed =
            chengxin_lists::DEFAULT_STANDARDS_TOML.replacen("title = \"", "title = \"修改后的", 1);
        let refused = s.import_list_standards(&changed, "operator").await;
        let message = format!("{refused:?}");
        assert!(
            message.contains("already stored with other content"),
            "{message}"
        );
        assert_eq!(s.list_standards().await.expect("read").len(), n);
    })
    .await;
}

#[tokio::test]
async fn an_entry_is_listed_published_and_explained_as_of_dates() {
    on_both("lists_lifecycle", |s| async move {
        s.import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("standards");
        company(&s).await;
        let id = listed_entry(&s).await;

        let public = s
            .public_list_entries(Some("serious"), d(2026, 11, 20), 50, 0)
            .await
            .expect("public");
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].entry_id, id);
        assert_eq!(public[0].subject_key, U1);
        assert_eq!(public[0].listed_on, d(2026, 11, 16));
        // Not on the list before it was listed.
        let before = s
            .public_list_entries(Some("serious"), d(2026, 11, 15), 50, 0)
            .await
            .expect("public");
        assert!(before.is_empty());

        let subject = s.find(U1).await.expect("find").expect("subject");
        let book = s
            .list_book(subject.id)
            .await
            .expect("book")
            .expect("has book");
        let standards = s.list_standards().await.expect("standards");
        let status = status_as_of(&book, &standards, d(2026, 11, 20));
        assert_eq!(status.len(), 1);
        assert!(!status[0].legal_basis.is_empty(), "status names its basis");
        assert!(status_as_of(&book, &standards, d(2026, 11, 10)).is_empty());
        assert!(
            s.list_announcements(10)
                .await
                .expect("announcements")
                .iter()
                .any(|a| a.entry_id == id && a.kind == "listing"),
            "listing announced"
        );
        assert!(
            s.pending_outbox(50)
                .await
                .expect("outbox")
                .iter()
                .any(|o| o.kind == "entry.listed" && o.target == format!("entry:{id}")),
            "listing sent to the outbox"
        );
        let audited = s
            .audit_entries(&AuditFilter {
                target: Some(U1.into()),
                action: Some("lists.list".into()),
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        assert_eq!(audited.len(), 1);
        assert_eq!(audited[0].entry.outcome, Outcome::Allowed);
    })
    .await;
}

/// 1798号 (十一): publication lasts as long as the entry. An entry that left its list is no
/// longer announced as listed; its exit announcement is (found by QA: a repaired entry's listing
/// announcement stayed on /lists).
#[tokio::test]
async fn an_exited_entry_is_no_longer_announced_as_listed() {
    on_both("lists_exit_announced", |s| async move {
        s.import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("standards");
        company(&s).await;
        let id = listed_entry(&s).await;
        let cal = Calendar::china();
        let entry = id.clone();
        s.list_operation(U1, "lists.exit", "officer", |b, st, ids| {
            chengxin_lists::exit(
                b,
                st,
                ids,
                cal,
                &ExitEntry {
                    on: d(2026, 11, 20),
                    actor: "officer".into(),
                    department: DEPT.into(),
                    entry,
                    reason: ExitReason::Withdrawn,
                    document: Some("闽税撤〔2026〕1号".into()),
                    note: "撤销认定".into(),
                },
            )
        })
        .await
        .expect("exited");
        let kinds: Vec<String> = s
            .list_announcements(50)
            .await
            .expect("announcements")
            .into_iter()
            .filter(|a| a.entry_id == id)
            .map(|a| a.kind)
            .collect();
        assert_eq!(kinds, ["exit"]);
    })
    .await;
}

#[tokio::test]
async fn a_refused_operation_changes_nothing_and_is_audited() {
    on_both("lists_refused", |s| async move {
        s.import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("standards");
        company(&s).await;
        let cal = Calendar::china();
        let err = s
            .list_operation(U1, "lists.propose", "officer", |b, st, ids| {
                chengxin_lists::propose(
                    b,
                    st,
                    ids,
                    cal,
                    &propose("12350100MB0000000X", d(2026, 11, 2)),
                )
            })
            .await
            .expect_err("a department the standard does not name is refused");
        let ListError::Refused(r) = err else {
            panic!("expected a refusal, got {err:?}")
        };
        assert_eq!(r.code(), "department_not_named");
        let subject = s.find(U1).await.expect("find").expect("subject");
        assert!(s.list_book(subject.id).await.expect("book").is_none());
        let audited = s
            .audit_entries(&AuditFilter {
                target: Some(U1.into()),
                action: Some("lists.propose".into()),
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        assert_eq!(audited.len(), 1);
        assert_eq!(audited[0].entry.outcome, Outcome::Refused);
        assert!(
            audited[0]
                .entry
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with("department_not_named")),
            "{:?}",
            audited[0].entry.detail
        );
        let unknown = s
            .list_operation(
                "91350100MA0000000X",
                "lists.propose",
                "officer",
                |b, st, ids| {
                    chengxin_lists::propose(b, st, ids, cal, &propose(DEPT, d(2026, 11, 2)))
                },
            )
            .await;
        assert!(
            matches!(unknown, Err(ListError::NoSubject(_))),
            "{unknown:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_upheld_objection_erases_the_entry_everywhere_but_the_correction() {
    on_both("lists_erase", |s| async move {
        s.import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("standards");
        company(&s).await;
        let id = listed_entry(&s).await;
        let cal = Calendar::china();
        let out = s
            .list_operation(U1, "lists.objection.submit", "public", |b, st, ids| {
                chengxin_lists::submit_objection(
                    b,
                    st,
                    ids,
                    cal,
                    &ObjectionRules::default(),
                    &SubmitObjection {
                        on: d(2026, 11, 17),
                        applicant: "福州某某科技有限公司".into(),
                        target: Target::Entry(id.clone()),
                        grounds: "发票系他人冒用本公司名义开具".into(),
                        evidence: vec!["公安机关立案回执".into()],
                        record_department: None,
                    },
                )
            })
            .await
            .expect("objection");
        let objection = out.book.objections[0].id.clone();
        // The public list marks the entry 核查中 while the objection is open (both stores).
        let public = s
            .public_list_entries(None, d(2026, 11, 17), 50, 0)
            .await
            .expect("public");
        assert!(
            public
                .iter()
                .any(|e| e.entry_id == id && e.under_verification),
            "{public:?}"
        );
        // Under verification: the status says so (33号 (二十二)).
        let standards = s.list_standards().await.expect("standards");
        assert!(status_as_of(&out.book, &standards, d(2026, 11, 17))[0].suspended);
        let o = objection.clone();
        s.list_operation(U1, "lists.objection.accept", "handler", |b, st, ids| {
            chengxin_lists::accept_objection(
                b,
                st,
                ids,
                cal,
                &AcceptObjection {
                    on: d(2026, 11, 18),
                    actor: "handler".into(),
                    department: DEPT.into(),
                    objection: o,
                    accept: true,
                    reason: "材料齐全".into(),
                },
            )
        })
        .await
        .expect("accepted");
        let out = s
            .list_operation(U1, "lists.objection.decide", "handler", |b, st, ids| {
                chengxin_lists::decide_objection(
                    b,
                    st,
                    ids,
                    cal,
                    &DecideObjection {
                        on: d(2026, 11, 20),
                        actor: "handler".into(),
                        department: DEPT.into(),
                        objection,
                        outcome: ObjectionOutcome::Upheld,
                        reasons: "经核查，认定主体有误".into(),
                        action: "撤销认定".into(),
                        withdraw_record: false,
                        document: Some("闽税更〔2026〕1号".into()),
                    },
                )
            })
            .await
            .expect("decided");
        assert_eq!(out.book.corrections.len(), 1, "a correction record remains");
        let public = s
            .public_list_entries(None, d(2026, 11, 18), 50, 0)
            .await
            .expect("public");
        assert!(
            public.is_empty(),
            "erased entries are on no list, on no date"
        );
        let announcements = s.list_announcements(50).await.expect("announcements");
        assert!(
            announcements
                .iter()
                .filter(|a| a.entry_id == id)
                .all(|a| a.kind == "correction"),
            "only the correction is left public: {announcements:?}"
        );
        let subject = s.find(U1).await.expect("find").expect("subject");
        let book = s.list_book(subject.id).await.expect("book").expect("book");
        assert!(status_as_of(&book, &standards, d(2026, 11, 17)).is_empty());
        let body = serde_json::to_string(&book).expect("json");
        assert!(
            !body.contains("虚开增值税专用发票"),
            "the erased entry's content is not kept"
        );
    })
    .await;
}

/// 1798号 (九)(十一): announcements name the subject and the identifying department, not only
/// their codes; a natural person's name is stored masked, as published (found by QA).
#[tokio::test]
async fn announcements_name_the_subject_and_the_department() {
    on_both("lists_announcement_names", |s| async move {
        s.import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "operator")
            .await
            .expect("standards");
        s.add_department(DEPT, "国家税务总局福州市税务局", "t", d(2026, 1, 1))
            .await
            .expect("department");
        company(&s).await;
        let id = listed_entry(&s).await;
        let texts: Vec<String> = s
            .list_announcements(50)
            .await
            .expect("announcements")
            .into_iter()
            .filter(|a| a.entry_id == id)
            .map(|a| a.text)
            .collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].contains("福州某某科技有限公司（91350100M000100Y43）")
                && texts[0].contains("国家税务总局福州市税务局（11350100MB0000019U）"),
            "{}",
            texts[0]
        );

        let person = s
            .register(
                SubjectData {
                    citizen_id: Some("440524188001010014".into()),
                    ..SubjectData::new(SubjectKind::NaturalPerson, "王小明")
                },
                Provenance {
                    actor: "t".into(),
                    reason: "t".into(),
                    source: "t".into(),
                    valid_from: d(2020, 1, 1),
                },
                d(2026, 11, 1),
            )
            .await
            .expect("person");
        let cal = Calendar::china();
        let out = s
            .list_operation(&person.key, "lists.propose", "officer", |b, st, ids| {
                chengxin_lists::propose(b, st, ids, cal, &propose(DEPT, d(2026, 11, 2)))
            })
            .await
            .expect("proposed");
        let entry = out.book.entries[0].id.clone();
        let e = entry.clone();
        s.list_operation(&person.key, "lists.publicity", "officer", |b, st, ids| {
            chengxin_lists::start_publicity(
                b,
                st,
                ids,
                cal,
                &chengxin_lists::StartPublicity {
                    on: d(2026, 11, 2),
                    actor: "officer".into(),
                    department: DEPT.into(),
                    entry: e,
                },
            )
        })
        .await
        .expect("publicised");
        let text = s
            .list_announcements(50)
            .await
            .expect("announcements")
            .into_iter()
            .find(|a| a.entry_id == entry)
            .map(|a| a.text)
            .expect("publicity announced");
        assert!(text.contains(&format!("王**（{}）", person.key)), "{text}");
        assert!(!text.contains("王小明"), "{text}");
    })
    .await;
}
