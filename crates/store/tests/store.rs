//! Store behaviour, run on SQLite and on PostgreSQL (a real server: `CHENGXIN_TEST_PG`, default
//! postgres://postgres@127.0.0.1:5432/test). Each PostgreSQL test gets its own schema.
//! Set CHENGXIN_SKIP_PG=1 to run only the SQLite half (never in CI).

use chengxin_registry::{CaseKind, Provenance, SubjectData, SubjectKind};
mod common;

use chengxin_store::{
    CaseStatus, ConnectOptions, SearchQuery, Store, StoreError, is_opaque_key, new_key,
};
use chrono::NaiveDate;
use common::{on_both, pg_url};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn today() -> NaiveDate {
    d(2026, 11, 23)
}

fn prov(valid_from: NaiveDate, reason: &str) -> Provenance {
    Provenance {
        actor: "tester".into(),
        reason: reason.into(),
        source: "test".into(),
        valid_from,
    }
}

const U1: &str = "91350100M000100Y43";
const U2: &str = "91110000600037341L";
const U3: &str = "91440300708461136T";

fn company(name: &str, uscc: &str) -> SubjectData {
    SubjectData {
        uscc: Some(uscc.into()),
        legal_rep_name: Some("张三".into()),
        legal_rep_id: Some("11010519491231002X".into()),
        ..SubjectData::new(SubjectKind::LegalPerson, name)
    }
}

#[tokio::test]
async fn a_live_store_answers_the_health_check() {
    // `/healthz` rests on this: it once decoded PostgreSQL's INT4 as an i64 and failed on
    // every healthy PostgreSQL store (found by a QA pass).
    on_both("ping", |s| async move {
        s.ping().await.expect("a live store answers");
    })
    .await;
}

#[tokio::test]
async fn register_then_find_by_every_code() {
    on_both("find", |s| async move {
        let data = SubjectData {
            reg_no: Some("110108000000016".into()),
            tax_no: Some("350100M000100Y4".into()),
            ..company("福州某某科技有限公司", U1)
        };
        let reg = s
            .register(data, prov(d(2020, 1, 1), "设立登记"), today())
            .await
            .expect("registered");
        assert_eq!(reg.key, U1);
        for code in [
            U1,
            "91350100m000100y43",
            "９１３５０１００Ｍ０００１００Ｙ４３",
            "M000100Y4",
            "M000100Y-4",
            "110108000000016",
            "350100M000100Y4",
        ] {
            let found = s
                .find(code)
                .await
                .expect("query")
                .unwrap_or_else(|| panic!("{code} found"));
            assert_eq!(found.id, reg.id, "{code}");
        }
        assert!(s.find("91110000600037341L").await.expect("query").is_none());
    })
    .await;
}

#[tokio::test]
async fn versions_answer_as_of_questions() {
    on_both("asof", |s| async move {
        let reg = s
            .register(
                company("甲科技有限公司", U1),
                prov(d(2020, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect("registered");
        let renamed = s
            .update(
                U1,
                company("乙科技有限公司", U1),
                prov(d(2023, 6, 1), "名称变更"),
                today(),
            )
            .await
            .expect("updated");
        assert_eq!(renamed.current.version, 2);
        assert_eq!(renamed.current.data.name, "乙科技有限公司");
        let then = s
            .subject_as_of(reg.id, d(2021, 5, 5))
            .await
            .expect("q")
            .expect("existed");
        assert_eq!(then.current.data.name, "甲科技有限公司");
        let on_day = s
            .subject_as_of(reg.id, d(2023, 6, 1))
            .await
            .expect("q")
            .expect("existed");
        assert_eq!(on_day.current.data.name, "乙科技有限公司");
        assert!(
            s.subject_as_of(reg.id, d(2019, 12, 31))
                .await
                .expect("q")
                .is_none()
        );
        let history = s.history(reg.id).await.expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(
            history[0].data.name, "甲科技有限公司",
            "old version kept as it was"
        );
        assert_eq!(history[1].reason, "名称变更");
        assert_eq!(
            chengxin_registry::former_names(&history, "乙科技有限公司"),
            vec!["甲科技有限公司".to_string()]
        );
        // A back-dated correction is a new version; the later version stays current.
        let after = s
            .update(
                U1,
                company("甲科技有限责任公司", U1),
                prov(d(2020, 1, 1), "更正"),
                today(),
            )
            .await
            .expect("corrected");
        assert_eq!(
            after.current.version, 2,
            "current is still the 2023 version"
        );
        let then = s
            .subject_as_of(reg.id, d(2021, 5, 5))
            .await
            .expect("q")
            .expect("existed");
        assert_eq!(then.current.data.name, "甲科技有限责任公司");
        assert_eq!(s.history(reg.id).await.expect("h").len(), 3);
        let current = s.subject_by_key(U1).await.expect("q").expect("exists");
        assert_eq!(current.current.data.name, "乙科技有限公司");
    })
    .await;
}

#[tokio::test]
async fn future_version_is_refused() {
    on_both("future", |s| async move {
        let err = s
            .register(company("甲", U1), prov(d(2027, 1, 1), "x"), today())
            .await
            .expect_err("future");
        assert!(err.to_string().contains("after today"), "{err}");
        assert_eq!(s.count_subjects().await.expect("count"), 0);
    })
    .await;
}

#[tokio::test]
async fn duplicate_code_opens_a_case_and_never_merges() {
    on_both("dup", |s| async move {
        let a = s
            .register(
                company("甲公司", U1),
                prov(d(2020, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect("registered");
        let err = s
            .register(
                company("另一家公司", U1),
                prov(d(2021, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect_err("duplicate");
        let StoreError::CodeCases(cases) = &err else {
            panic!("expected a code case, got {err}");
        };
        assert_eq!(
            cases.len(),
            2,
            "the USCC and the derived organisation code: {cases:?}"
        );
        assert!(cases.iter().all(|c| c.kind == CaseKind::DuplicateCode));
        assert!(cases.iter().all(|c| c.other_subject_id == Some(a.id)));
        assert!(err.to_string().contains("重码"), "{err}");
        assert_eq!(
            s.count_subjects().await.expect("count"),
            1,
            "nothing merged or added"
        );
        let unchanged = s.subject_by_key(U1).await.expect("q").expect("exists");
        assert_eq!(unchanged.current.data.name, "甲公司");

        let open = s
            .code_cases(Some(CaseStatus::Open), 10)
            .await
            .expect("cases");
        assert_eq!(open.len(), 2);
        assert!(
            open[0].payload.contains("另一家公司"),
            "the refused data is kept for review"
        );
        let counts = s.case_counts().await.expect("counts");
        assert_eq!((counts.total, counts.open, counts.corrected), (2, 2, 0));
        assert_eq!(counts.correction_rate(), Some(0.0));

        let closed = s
            .close_case(
                open[0].id,
                CaseStatus::Corrected,
                "来源部门更正了代码",
                "reviewer",
            )
            .await
            .expect("closed");
        assert_eq!(closed.status, CaseStatus::Corrected);
        assert_eq!(closed.closed_by.as_deref(), Some("reviewer"));
        s.close_case(
            open[1].id,
            CaseStatus::Dismissed,
            "同一主体重复报送",
            "reviewer",
        )
        .await
        .expect("closed");
        let counts = s.case_counts().await.expect("counts");
        assert_eq!((counts.open, counts.corrected, counts.dismissed), (0, 1, 1));
        assert_eq!(counts.correction_rate(), Some(1.0));
        assert!(matches!(
            s.close_case(open[0].id, CaseStatus::Dismissed, "again", "r")
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(
            s.close_case(open[0].id, CaseStatus::Corrected, "  ", "r")
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn legacy_code_pointing_at_two_usccs_is_a_case() {
    on_both("legacy", |s| async move {
        s.register(
            SubjectData {
                reg_no: Some("110108000000016".into()),
                ..company("甲公司", U1)
            },
            prov(d(2020, 1, 1), "设立登记"),
            today(),
        )
        .await
        .expect("registered");
        let err = s
            .register(
                SubjectData {
                    reg_no: Some("110108000000016".into()),
                    ..company("乙公司", U2)
                },
                prov(d(2020, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect_err("conflict");
        let StoreError::CodeCases(cases) = err else {
            panic!("expected a case")
        };
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].kind, CaseKind::LegacyConflict);
        assert_eq!(cases[0].code, "110108000000016");
        assert_eq!(s.count_subjects().await.expect("count"), 1);
    })
    .await;
}

#[tokio::test]
async fn legacy_code_contradicting_own_uscc_is_a_case() {
    on_both("mismatch", |s| async move {
        let err = s
            .register(
                SubjectData {
                    org_code: Some("600037341".into()),
                    ..company("甲公司", U1)
                },
                prov(d(2020, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect_err("mismatch");
        let StoreError::CodeCases(cases) = err else {
            panic!("expected a case")
        };
        assert_eq!(cases[0].kind, CaseKind::LegacyMismatch);
        assert_eq!(s.count_subjects().await.expect("count"), 0);
        assert_eq!(s.case_counts().await.expect("c").open, 1);
    })
    .await;
}

#[tokio::test]
async fn invalid_data_names_field_and_rule_and_writes_nothing() {
    on_both("invalid", |s| async move {
        let err = s
            .register(
                company("甲公司", "91350100M000100Y44"),
                prov(d(2020, 1, 1), "x"),
                today(),
            )
            .await
            .expect_err("invalid");
        let StoreError::Invalid(e) = &err else {
            panic!("expected invalid, got {err}")
        };
        assert_eq!((e.field_name(), e.rule()), ("uscc", "check_character"));
        assert_eq!(s.count_subjects().await.expect("count"), 0);
        assert_eq!(s.case_counts().await.expect("c").total, 0);
    })
    .await;
}

#[tokio::test]
async fn update_rules() {
    on_both("update", |s| async move {
        let missing = s
            .update(U1, company("甲", U1), prov(d(2020, 1, 1), "x"), today())
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));
        s.register(company("甲", U1), prov(d(2020, 1, 1), "x"), today())
            .await
            .expect("registered");
        s.register(company("乙", U2), prov(d(2020, 1, 1), "x"), today())
            .await
            .expect("registered");
        let kind_change = SubjectData {
            kind: SubjectKind::Unincorporated,
            ..company("甲", U1)
        };
        assert!(matches!(
            s.update(U1, kind_change, prov(d(2021, 1, 1), "x"), today())
                .await,
            Err(StoreError::Conflict(_))
        ));
        // Taking another subject's code in an update is a case too.
        let err = s
            .update(U1, company("甲", U2), prov(d(2021, 1, 1), "x"), today())
            .await
            .expect_err("duplicate");
        assert!(matches!(err, StoreError::CodeCases(_)), "{err}");
        assert_eq!(
            s.history(1).await.expect("h").len(),
            1,
            "no version written"
        );
    })
    .await;
}

#[tokio::test]
async fn natural_persons_get_an_opaque_key() {
    on_both("person", |s| async move {
        let p = s
            .register(
                SubjectData {
                    citizen_id: Some("11010519491231002X".into()),
                    ..SubjectData::new(SubjectKind::NaturalPerson, "王小明")
                },
                prov(d(2020, 1, 1), "x"),
                today(),
            )
            .await
            .expect("registered");
        assert!(is_opaque_key(&p.key), "{}", p.key);
        assert!(!p.key.contains("110105"), "no part of the ID in the key");
        let by_key = s.find(&p.key).await.expect("q").expect("found");
        assert_eq!(by_key.id, p.id);
        let by_id = s
            .find("11010519491231002x")
            .await
            .expect("q")
            .expect("found");
        assert_eq!(by_id.id, p.id);
    })
    .await;
}

/// A natural person without a citizen ID (a foreigner, a resident of Hong Kong, Macao or
/// Taiwan) is identified by another document, kept in every version.
#[tokio::test]
async fn natural_persons_may_be_identified_by_another_document() {
    on_both("person_doc", |s| async move {
        let p = s
            .register(
                SubjectData {
                    person_doc: Some("passport:e1234-5678".into()),
                    ..SubjectData::new(SubjectKind::NaturalPerson, "John Smith")
                },
                prov(d(2020, 1, 1), "x"),
                today(),
            )
            .await
            .expect("registered");
        assert!(is_opaque_key(&p.key), "{}", p.key);
        let found = s.subject_by_key(&p.key).await.expect("q").expect("found");
        assert_eq!(
            found.data().person_doc.as_deref(),
            Some("passport:E12345678")
        );
        let history = s.history(p.id).await.expect("history");
        assert_eq!(
            history[0].data.person_doc.as_deref(),
            Some("passport:E12345678")
        );
        // Only a natural person, and only a known kind of document.
        let e = s
            .register(
                SubjectData {
                    uscc: Some("91350100M000100Y43".into()),
                    person_doc: Some("passport:E12345678".into()),
                    ..SubjectData::new(SubjectKind::LegalPerson, "某公司")
                },
                prov(d(2020, 1, 1), "x"),
                today(),
            )
            .await
            .expect_err("an organisation");
        assert!(e.to_string().contains("person_doc"), "{e}");
        let e = s
            .register(
                SubjectData {
                    person_doc: Some("library_card:123456".into()),
                    ..SubjectData::new(SubjectKind::NaturalPerson, "某人")
                },
                prov(d(2020, 1, 1), "x"),
                today(),
            )
            .await
            .expect_err("unknown kind");
        assert!(e.to_string().contains("KIND:NUMBER"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn search_by_current_and_former_name() {
    on_both("search", |s| async move {
        s.register(
            company("福州恒信科技有限公司", U1),
            prov(d(2020, 1, 1), "x"),
            today(),
        )
        .await
        .expect("r");
        s.register(
            company("福州恒信100%贸易有限公司", U2),
            prov(d(2020, 1, 1), "x"),
            today(),
        )
        .await
        .expect("r");
        s.register(
            company("厦门某某有限公司", U3),
            prov(d(2020, 1, 1), "x"),
            today(),
        )
        .await
        .expect("r");
        s.update(
            U3,
            company("厦门新名有限公司", U3),
            prov(d(2022, 1, 1), "更名"),
            today(),
        )
        .await
        .expect("u");
        s.register(
            SubjectData {
                citizen_id: Some("11010519491231002X".into()),
                ..SubjectData::new(SubjectKind::NaturalPerson, "恒信")
            },
            prov(d(2020, 1, 1), "x"),
            today(),
        )
        .await
        .expect("r");
        let q = |text: &str, include_persons: bool| SearchQuery {
            text: text.into(),
            include_persons,
            limit: 10,
            offset: 0,
        };
        let hits = s.search(&q("恒信", false)).await.expect("search");
        assert_eq!(
            hits.total, 2,
            "natural persons are not in public name search"
        );
        assert_eq!(
            hits.items[0].current.data.name, "福州恒信科技有限公司",
            "shorter name first"
        );
        assert_eq!(s.search(&q("恒信", true)).await.expect("s").total, 3);
        let former = s.search(&q("某某", false)).await.expect("search");
        assert_eq!(former.total, 1, "found by former name");
        assert_eq!(former.items[0].current.data.name, "厦门新名有限公司");
        let pct = s.search(&q("100%", false)).await.expect("search");
        assert_eq!(pct.total, 1, "% is matched literally");
        assert_eq!(s.search(&q("%", false)).await.expect("s").total, 1);
        assert_eq!(s.search(&q("_", false)).await.expect("s").total, 0);
        let page2 = s
            .search(&SearchQuery {
                offset: 1,
                ..q("公司", false)
            })
            .await
            .expect("s");
        assert_eq!((page2.total, page2.items.len()), (3, 2));
        // Latin letters match in either ASCII case on both stores, and only ASCII letters fold
        // (SQLite's LIKE; PostgreSQL's ILIKE under the "C" collation).
        s.update(
            U2,
            company("Ärzte Abc GmbH（福州）有限公司", U2),
            prov(d(2023, 1, 1), "更名"),
            today(),
        )
        .await
        .expect("u");
        for persons in [false, true] {
            for (text, n) in [
                ("abc", 1),
                ("ABC", 1),
                ("gmbh", 1),
                ("Ärzte", 1),
                ("ärzte", 0),
                ("ÄRZTE", 1),
                // Brackets and spaces of either width stand for each other (found by a QA
                // pass: 「(福州)」 did not find 「（福州）」).
                ("gmbh(福州)", 1),
                ("GmbH（福州）有限", 1),
                ("Abc　GmbH", 1),
                ("GmbH[福州]", 1),
                ("GmbH福州", 0),
            ] {
                assert_eq!(
                    s.search(&q(text, persons)).await.expect("s").total,
                    n,
                    "{text} (persons: {persons})"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn bulk_load_is_all_or_nothing() {
    on_both("bulk", |s| async move {
        let ok = vec![
            (company("甲", U1), prov(d(2020, 1, 1), "x")),
            (company("乙", U2), prov(d(2020, 1, 1), "x")),
        ];
        assert_eq!(s.bulk_register(ok, today()).await.expect("loaded"), 2);
        // A later single registration still gets a fresh id after explicit ids.
        let c = s
            .register(company("丙", U3), prov(d(2020, 1, 1), "x"), today())
            .await
            .expect("registered");
        assert_eq!(c.id, 3);

        let repeated_inside = vec![
            (
                company("丁", "91330100716105852F"),
                prov(d(2020, 1, 1), "x"),
            ),
            (
                company("戊", "91330100716105852F"),
                prov(d(2020, 1, 1), "x"),
            ),
        ];
        let e = s
            .bulk_register(repeated_inside, today())
            .await
            .expect_err("dup");
        assert!(e.to_string().contains("record 2"), "{e}");

        let clashes_with_stored = vec![
            (
                company("丁", "91330100716105852F"),
                prov(d(2020, 1, 1), "x"),
            ),
            (company("戊", U1), prov(d(2020, 1, 1), "x")),
        ];
        let e = s
            .bulk_register(clashes_with_stored, today())
            .await
            .expect_err("clash");
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");

        let invalid = vec![
            (
                company("丁", "91330100716105852F"),
                prov(d(2020, 1, 1), "x"),
            ),
            (
                company("戊", "91330100716105852X"),
                prov(d(2020, 1, 1), "x"),
            ),
        ];
        let e = s
            .bulk_register(invalid, today())
            .await
            .expect_err("invalid");
        assert!(
            e.to_string().contains("record 2") && e.to_string().contains("uscc"),
            "{e}"
        );
        assert_eq!(
            s.count_subjects().await.expect("count"),
            3,
            "failed loads wrote nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn migrations_are_versioned_and_idempotent() {
    on_both("migr", |s| async move {
        let applied = s.applied_migrations().await.expect("applied");
        let known: Vec<i64> = s.known_migrations().into_iter().map(|(v, _)| v).collect();
        assert_eq!(applied, known);
        assert!(!applied.is_empty());
        s.migrate().await.expect("second run is a no-op");
        assert_eq!(s.applied_migrations().await.expect("applied"), known);
    })
    .await;
}

/// The two migration folders must describe the same tables and columns.
#[tokio::test]
async fn both_backends_have_the_same_schema() {
    if std::env::var("CHENGXIN_SKIP_PG").is_ok_and(|v| v == "1") {
        eprintln!("skipped: CHENGXIN_SKIP_PG=1");
        return;
    }
    let sqlite = Store::connect("sqlite::memory:").await.expect("sqlite");
    let schema = format!("t_parity_{}", std::process::id());
    let mut opts = ConnectOptions::new(pg_url());
    opts.schema = Some(schema.clone());
    let pg = Store::connect_with(opts).await.expect("postgres");
    let a = sqlite.schema_columns().await.expect("sqlite columns");
    let b = pg.schema_columns().await.expect("pg columns");
    pg.drop_schema(&schema).await.expect("drop");
    assert!(!a.is_empty());
    assert_eq!(a, b);
    let ma: Vec<_> = sqlite.known_migrations();
    let mb: Vec<_> = pg.known_migrations();
    assert_eq!(ma, mb, "same migration versions and names on both backends");
}

#[tokio::test]
async fn unsupported_urls_are_refused_clearly() {
    let e = Store::connect("mysql://x").await.expect_err("unsupported");
    assert!(e.to_string().contains("sqlite://"), "{e}");
    let mut o = ConnectOptions::new(pg_url());
    o.schema = Some("x; drop table y".into());
    assert!(matches!(
        Store::connect_with(o).await,
        Err(StoreError::InvalidSchema(_))
    ));
}

/// Opaque keys go into public URLs, so none may ever read as a personal number (the demo crawl
/// once found a hex key holding `19123087127`, which has a mobile number's shape) or as any code.
#[test]
fn opaque_keys_never_look_like_personal_numbers_or_codes() {
    let today = today();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200_000 {
        let k = new_key();
        assert!(is_opaque_key(&k), "{k}");
        assert_eq!(chengxin_codes::mask::find_unmasked(&k), None, "{k}");
        assert!(!chengxin_codes::check(&k, None, today).valid, "{k}");
        assert!(seen.insert(k.clone()), "repeated key {k}");
    }
    // The old hex shape is no longer a key.
    assert!(!is_opaque_key("CX19123087127E45"));
}

/// Issue #4: "Every command creates and migrates the database it is pointed at when it does not
/// exist yet" — on PostgreSQL too. A server that does not answer is named as such at once,
/// not reported as a pool timeout.
#[tokio::test]
async fn a_missing_postgres_database_is_created_and_a_dead_server_is_named() {
    let e = Store::connect("postgres://postgres@127.0.0.1:1/nothing")
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(e, StoreError::Unreachable { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("cannot reach PostgreSQL at 127.0.0.1:1"),
        "{msg}"
    );
    assert!(!msg.contains("pool timed out"), "{msg}");

    // An SQLite file in a directory that does not exist yet: both are created.
    let dir = std::env::temp_dir().join(format!("chengxin-newdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("a").join("b.db");
    let sqlite = Store::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("created with its directory");
    sqlite.close().await;
    assert!(file.exists());
    let _ = std::fs::remove_dir_all(&dir);

    if std::env::var("CHENGXIN_SKIP_PG").is_ok_and(|v| v == "1") {
        eprintln!("PostgreSQL half skipped (CHENGXIN_SKIP_PG=1)");
        return;
    }
    let url = pg_url();
    let (server, _) = url.rsplit_once('/').expect("a database URL ends in /NAME");
    // A server that refuses the role says so in its own words (no position in its source).
    if let Some((scheme, host)) = server.split_once("://")
        && let Some((_, host)) = host.rsplit_once('@').or(Some(("", host)))
    {
        let e = Store::connect(&format!("{scheme}://chengxin_no_such_role@{host}/test"))
            .await
            .expect_err("no such role");
        let msg = e.to_string();
        assert!(matches!(e, StoreError::ConnectRefused { .. }), "{e:?}");
        assert!(
            msg.contains("chengxin_no_such_role") && !msg.contains(" at line "),
            "{msg}"
        );
    }
    let name = format!("chengxin_new_{}", std::process::id());
    let store = Store::connect(&format!("{server}/{name}"))
        .await
        .expect("the database is created");
    assert_eq!(
        store.applied_migrations().await.expect("applied"),
        store
            .known_migrations()
            .into_iter()
            .map(|(v, _)| v)
            .collect::<Vec<_>>(),
        "and migrated"
    );
    store.close().await;
    // A second command finds it there.
    let again = Store::connect(&format!("{server}/{name}"))
        .await
        .expect("opens the existing database");
    again.close().await;
    use sqlx::Connection as _;
    let mut admin = sqlx::PgConnection::connect(&url).await.expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .expect("drop the test database");
}

/// A USCC no subject holds finds the subject known only by the organisation code inside it (the
/// subject a batch files that USCC's decisions under), so a link by that USCC is never dead.
#[tokio::test]
async fn a_uscc_finds_the_legacy_subject_of_its_organisation_code() {
    on_both("uscc_finds_legacy", |s| async move {
        let mut rng = chengxin_codes::generate::Rng::new(4242);
        let uscc = chengxin_codes::generate::uscc(&mut rng);
        let org = uscc[8..17].to_string();
        let legacy = s
            .register(
                SubjectData {
                    org_code: Some(org.clone()),
                    ..SubjectData::new(SubjectKind::LegalPerson, "福州旧码贸易公司")
                },
                prov(d(2010, 1, 1), "x"),
                today(),
            )
            .await
            .expect("legacy");
        let found = s.find(&uscc).await.expect("q").expect("found");
        assert_eq!(found.key, legacy.key);
        let other = chengxin_codes::generate::uscc(&mut rng);
        assert!(s.find(&other).await.expect("q").is_none());
    })
    .await;
}

/// Disabling an account ends its sessions: enabling it again does not bring an old (possibly
/// stolen) cookie back. Grants: never to oneself, never to a role that cannot read personal
/// information, and revocable, with the revocation kept.
#[tokio::test]
async fn disabled_accounts_lose_their_sessions_and_grants_are_revocable() {
    use chengxin_access::{PersonalField, Role};
    use chengxin_store::NewAccount;
    on_both("sessions_grants", |s| async move {
        let account = |username: &str, role: Role| NewAccount {
            username: username.into(),
            display_name: username.into(),
            role,
            department_code: None,
            subject_key: None,
            password: Some("Correct-Horse-Battery-9".into()),
        };
        s.create_account(account("operator1", Role::Operator), "t")
            .await
            .expect("operator1");
        s.create_account(account("reader", Role::Operator), "t")
            .await
            .expect("reader");
        s.create_account(account("auditor1", Role::Auditor), "t")
            .await
            .expect("auditor1");
        // Only an enterprise account acts for a subject, and a key says what it is for (found by
        // QA: both were taken and kept).
        let bound = s
            .create_account(
                NewAccount {
                    subject_key: Some("CXVBKBLFQJXDGGBP".into()),
                    ..account("op-with-subject", Role::Operator)
                },
                "t",
            )
            .await;
        assert!(
            format!("{bound:?}").contains("only an enterprise account"),
            "{bound:?}"
        );
        let unnamed = s
            .create_api_key(
                "operator1",
                "  ",
                chrono::Utc::now() + chrono::Duration::days(7),
                "t",
            )
            .await;
        assert!(
            format!("{unnamed:?}").contains("needs a name"),
            "{unnamed:?}"
        );
        let session = s
            .login("reader", "Correct-Horse-Battery-9")
            .await
            .expect("login");
        assert!(s.session(&session.token).await.expect("q").is_some());
        s.set_account_disabled("reader", true, "operator1")
            .await
            .expect("disable");
        s.set_account_disabled("reader", false, "operator1")
            .await
            .expect("enable");
        assert!(
            s.session(&session.token).await.expect("q").is_none(),
            "a session from before the account was disabled stays ended"
        );

        let subject = s
            .register(
                company("甲公司", U1),
                prov(d(2020, 1, 1), "设立登记"),
                today(),
            )
            .await
            .expect("subject");
        let until = chrono::Utc::now() + chrono::Duration::days(7);
        let fields = [PersonalField::LegalRepId];
        let own = s
            .grant(
                "operator1",
                &subject.key,
                &fields,
                "信贷审批核查",
                until,
                "operator1",
            )
            .await;
        assert!(
            matches!(&own, Err(StoreError::Conflict(m)) if m.contains("授权与使用分离")),
            "{own:?}"
        );
        let auditor = s
            .grant(
                "auditor1",
                &subject.key,
                &fields,
                "信贷审批核查",
                until,
                "operator1",
            )
            .await;
        assert!(
            matches!(auditor, Err(StoreError::Conflict(_))),
            "{auditor:?}"
        );
        let twice = s
            .grant(
                "reader",
                &subject.key,
                &[PersonalField::LegalRepId, PersonalField::LegalRepId],
                "信贷审批核查",
                until,
                "operator1",
            )
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        let g = s
            .grant(
                "reader",
                &subject.key,
                &fields,
                "信贷审批核查",
                until,
                "operator1",
            )
            .await
            .expect("grant");
        let revoked = s.revoke_grant(g.id, "operator1").await.expect("revoke");
        assert_eq!(revoked.id, g.id);
        let held = s.grants_for("reader", &subject.key).await.expect("grants");
        assert!(held[0].revoked_at.is_some(), "{held:?}");
        let again = s.revoke_grant(g.id, "operator1").await;
        assert!(
            matches!(&again, Err(StoreError::Conflict(m)) if m.contains("already revoked")),
            "{again:?}"
        );
        assert!(matches!(
            s.revoke_grant(g.id + 100, "operator1").await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

/// One name whatever its case (`Alice` is `alice`), and the lock-out after five failures reads the
/// same for a name without an account as for one with: the lock does not tell which names exist.
#[tokio::test]
async fn user_names_ignore_case_and_the_lock_out_does_not_tell_who_exists() {
    use chengxin_access::Role;
    use chengxin_store::{LoginError, NewAccount};
    on_both("login_names", |s| async move {
        let account = |username: &str| NewAccount {
            username: username.into(),
            display_name: username.into(),
            role: Role::Operator,
            department_code: None,
            subject_key: None,
            password: Some("Correct-Horse-Battery-9".into()),
        };
        let a = s
            .create_account(account("Alice"), "t")
            .await
            .expect("Alice");
        assert_eq!(a.username, "alice");
        let again = s.create_account(account("ALICE"), "t").await;
        assert!(
            again
                .as_ref()
                .is_err_and(|e| e.to_string().contains("taken")),
            "{again:?}"
        );
        s.login("aLiCe", "Correct-Horse-Battery-9")
            .await
            .expect("any case signs in");
        for name in ["alice", "nobody-here"] {
            for _ in 0..5 {
                let e = s
                    .login(name, "wrong-password-here")
                    .await
                    .expect_err("wrong");
                assert!(matches!(e, LoginError::Invalid), "{name}: {e}");
            }
            let e = s
                .login(name, "wrong-password-here")
                .await
                .expect_err("locked");
            assert!(matches!(e, LoginError::Locked(_)), "{name}: {e}");
        }
        // The unknown name's count is its own: another unknown name is not locked.
        let e = s.login("somebody-else", "x").await.expect_err("wrong");
        assert!(matches!(e, LoginError::Invalid), "{e}");
    })
    .await;
}
