//! Property: random sequences of operations over standards of every kind and several domains,
//! with random dates in 2026, never break the list invariants, and every refused operation leaves
//! the book byte-for-byte unchanged.

use chengxin_lists::*;
use chrono::NaiveDate;
use proptest::prelude::*;

const DEPT: &str = DEMO_DEPARTMENT;
const OTHER: &str = "11350100MB0000027P";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn standard(code: &str, kind: ListKind, domain: &str) -> Standard {
    Standard {
        code: code.to_owned(),
        version: 1,
        title: code.to_owned(),
        domain: domain.to_owned(),
        kind,
        legal_basis: vec!["发改财金规〔2017〕1798号".to_owned()],
        identifying_departments: vec![DEPT.to_owned()],
        criteria: "criteria".to_owned(),
        validity_months: Some(12),
        repair: RepairRule {
            allowed: kind != ListKind::Red,
            methods: vec![RepairMethod::FulfilObligation, RepairMethod::Commitment],
            earliest_months: 0,
            repeat_offender_barred: true,
            not_allowed_basis: None,
        },
        exit_conditions: vec!["exit".to_owned()],
        remedies: vec!["objection".to_owned()],
        watch_months_after_exit: (kind == ListKind::Serious).then_some(2),
        publicity_working_days: 7,
        notice_response_working_days: 5,
        notice_required: false,
        disclosure: Disclosure::Public,
        published_on: Some(d(2025, 12, 1)),
    }
}

/// Codes proposed by index.
const CODES: [&str; 13] = [
    "red-tax",
    "red-env",
    "serious-tax",
    "serious-court",
    "serious-short",
    "watch-tax",
    "watch-env",
    "watch-market",
    "watch-safety",
    "watch-short",
    "warning",
    "baseless",
    "draft",
];

fn standards() -> Standards {
    let mut s = Standards::new();
    let mut add = |st: Standard| s.insert(st).expect("unique");
    add(standard("red-tax", ListKind::Red, "税务"));
    let mut red_env = standard("red-env", ListKind::Red, "生态环境");
    red_env.publicity_working_days = 3;
    add(red_env);
    add(standard("serious-tax", ListKind::Serious, "税务"));
    add(standard("serious-court", ListKind::Serious, "司法"));
    let mut short = standard("serious-short", ListKind::Serious, "食品药品");
    short.validity_months = Some(2);
    short.watch_months_after_exit = Some(1);
    add(short);
    add(standard("watch-tax", ListKind::Watch, "税务"));
    add(standard("watch-env", ListKind::Watch, "生态环境"));
    let mut env2 = standard("watch-env", ListKind::Watch, "生态环境");
    env2.version = 2;
    env2.published_on = Some(d(2026, 7, 1));
    add(env2);
    add(standard("watch-market", ListKind::Watch, "市场监管"));
    add(standard("watch-safety", ListKind::Watch, "安全生产"));
    let mut wshort = standard("watch-short", ListKind::Watch, "交通");
    wshort.validity_months = Some(1);
    wshort.repair.earliest_months = 1;
    add(wshort);
    add(standard("warning", ListKind::Warning, "跨领域"));
    // Broken standards: nothing may ever be listed under them.
    let mut baseless = standard("baseless", ListKind::Serious, "税务");
    baseless.legal_basis.clear();
    add(baseless);
    let mut draft = standard("draft", ListKind::Watch, "税务");
    draft.published_on = None;
    add(draft);
    s
}

#[derive(Clone, Debug)]
enum Op {
    Propose {
        std: usize,
        dept_ok: bool,
        repeat: bool,
        watch: Option<u32>,
    },
    Notice {
        entry: usize,
    },
    Deliver {
        entry: usize,
        back: u64,
    },
    Publicity {
        entry: usize,
    },
    List {
        entry: usize,
        dept_ok: bool,
    },
    Exit {
        entry: usize,
        reason: usize,
    },
    Correct {
        entry: usize,
    },
    Object {
        entry: Option<usize>,
    },
    AcceptObjection {
        objection: usize,
        accept: bool,
    },
    DecideObjection {
        objection: usize,
        outcome: usize,
    },
    Repair {
        entry: Option<usize>,
        method: usize,
        min_shift: i64,
    },
    AcceptRepair {
        application: usize,
        accept: bool,
    },
    DecideRepair {
        application: usize,
        approve: bool,
        consent_ok: bool,
    },
    Expire,
    StandardChange {
        keep: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..6;
    prop_oneof![
        8 => (0..CODES.len(), prop::bool::weighted(0.9), any::<bool>(), prop::option::of(0u32..4))
            .prop_map(|(std, dept_ok, repeat, watch)| Op::Propose { std, dept_ok, repeat, watch }),
        5 => idx.clone().prop_map(|entry| Op::Notice { entry }),
        5 => (idx.clone(), 0u64..3).prop_map(|(entry, back)| Op::Deliver { entry, back }),
        4 => idx.clone().prop_map(|entry| Op::Publicity { entry }),
        12 => (idx.clone(), prop::bool::weighted(0.9)).prop_map(|(entry, dept_ok)| Op::List { entry, dept_ok }),
        1 => (idx.clone(), 0usize..4).prop_map(|(entry, reason)| Op::Exit { entry, reason }),
        1 => idx.clone().prop_map(|entry| Op::Correct { entry }),
        2 => prop::option::of(idx.clone()).prop_map(|entry| Op::Object { entry }),
        2 => (0usize..4, any::<bool>()).prop_map(|(objection, accept)| Op::AcceptObjection { objection, accept }),
        3 => (0usize..4, 0usize..3).prop_map(|(objection, outcome)| Op::DecideObjection { objection, outcome }),
        5 => (prop::option::weighted(0.8, idx.clone()), 0usize..5, -20i64..20)
            .prop_map(|(entry, method, min_shift)| Op::Repair { entry, method, min_shift }),
        4 => (0usize..4, prop::bool::weighted(0.8)).prop_map(|(application, accept)| Op::AcceptRepair { application, accept }),
        4 => (0usize..4, any::<bool>(), prop::bool::weighted(0.8))
            .prop_map(|(application, approve, consent_ok)| Op::DecideRepair { application, approve, consent_ok }),
        1 => Just(Op::Expire),
        1 => any::<bool>().prop_map(|keep| Op::StandardChange { keep }),
    ]
}

fn pick<T>(v: &[T], i: usize) -> Option<&T> {
    if v.is_empty() {
        None
    } else {
        v.get(i % v.len())
    }
}

fn entry_id(book: &Book, i: usize) -> String {
    pick(&book.entries, i).map_or_else(|| "missing".to_owned(), |e| e.id.clone())
}

fn apply(
    book: &mut Book,
    standards: &Standards,
    ids: &mut SequentialIds,
    on: NaiveDate,
    op: &Op,
) -> Result<Vec<Effect>, Refusal> {
    let cal = Calendar::china();
    let dept = |ok: bool| if ok { DEPT } else { OTHER }.to_owned();
    match op {
        Op::Propose {
            std,
            dept_ok,
            repeat,
            watch,
        } => propose(
            book,
            standards,
            ids,
            cal,
            &Propose {
                on,
                actor: "a".to_owned(),
                department: dept(*dept_ok),
                standard_code: CODES[*std % CODES.len()].to_owned(),
                standard_version: None,
                document: "doc".to_owned(),
                reason: "facts".to_owned(),
                watch_months: *watch,
                repeat_offender: *repeat,
            },
        ),
        Op::Notice { entry } => send_notice(
            book,
            standards,
            ids,
            cal,
            &SendNotice {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                entry: entry_id(book, *entry),
                document: "notice".to_owned(),
            },
        ),
        Op::Deliver { entry, back } => record_delivery(
            book,
            standards,
            ids,
            cal,
            &RecordDelivery {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                entry: entry_id(book, *entry),
                delivered_on: on - chrono::Days::new(*back),
            },
        ),
        Op::Publicity { entry } => start_publicity(
            book,
            standards,
            ids,
            cal,
            &StartPublicity {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                entry: entry_id(book, *entry),
            },
        ),
        Op::List { entry, dept_ok } => list(
            book,
            standards,
            ids,
            cal,
            &ListEntry {
                on,
                actor: "a".to_owned(),
                department: dept(*dept_ok),
                entry: entry_id(book, *entry),
                document: None,
            },
        ),
        Op::Exit { entry, reason } => exit(
            book,
            standards,
            ids,
            cal,
            &ExitEntry {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                entry: entry_id(book, *entry),
                reason: [
                    ExitReason::Withdrawn,
                    ExitReason::StandardChanged,
                    ExitReason::Repaired,
                    ExitReason::Expired,
                ][*reason % 4],
                document: None,
                note: "note".to_owned(),
            },
        ),
        Op::Correct { entry } => correct_error(
            book,
            standards,
            ids,
            cal,
            &CorrectError {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                entry: entry_id(book, *entry),
                document: None,
                reason: "error".to_owned(),
            },
        ),
        Op::Object { entry } => {
            let target = match entry {
                Some(i) => Target::Entry(entry_id(book, *i)),
                None => Target::Record(1),
            };
            submit_objection(
                book,
                standards,
                ids,
                cal,
                &ObjectionRules::default(),
                &SubmitObjection {
                    on,
                    applicant: "s".to_owned(),
                    target,
                    grounds: "wrong".to_owned(),
                    evidence: vec![],
                    record_department: Some(DEPT.to_owned()),
                },
            )
        }
        Op::AcceptObjection { objection, accept } => accept_objection(
            book,
            standards,
            ids,
            cal,
            &AcceptObjection {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                objection: pick(&book.objections, *objection)
                    .map_or_else(|| "missing".to_owned(), |o| o.id.clone()),
                accept: *accept,
                reason: "r".to_owned(),
            },
        ),
        Op::DecideObjection { objection, outcome } => decide_objection(
            book,
            standards,
            ids,
            cal,
            &DecideObjection {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                objection: pick(&book.objections, *objection)
                    .map_or_else(|| "missing".to_owned(), |o| o.id.clone()),
                outcome: [
                    ObjectionOutcome::Upheld,
                    ObjectionOutcome::PartlyUpheld,
                    ObjectionOutcome::Dismissed,
                ][*outcome % 3],
                reasons: "checked".to_owned(),
                action: String::new(),
                withdraw_record: true,
                document: None,
            },
        ),
        Op::Repair {
            entry,
            method,
            min_shift,
        } => {
            let target = match entry {
                Some(i) => Target::Entry(entry_id(book, *i)),
                None => Target::Record(2),
            };
            submit_repair(
                book,
                standards,
                ids,
                cal,
                &RepairRules::default(),
                &SubmitRepair {
                    on,
                    applicant: "s".to_owned(),
                    target,
                    method: RepairMethod::ALL[*method % RepairMethod::ALL.len()],
                    evidence: vec![],
                    record_minimum_until: on
                        .checked_add_signed(chrono::TimeDelta::days(*min_shift)),
                    record_department: Some(DEPT.to_owned()),
                },
            )
        }
        Op::AcceptRepair {
            application,
            accept,
        } => accept_repair(
            book,
            standards,
            ids,
            cal,
            &AcceptRepair {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                application: pick(&book.repairs, *application)
                    .map_or_else(|| "missing".to_owned(), |r| r.id.clone()),
                accept: *accept,
                reason: "r".to_owned(),
            },
        ),
        Op::DecideRepair {
            application,
            approve,
            consent_ok,
        } => decide_repair(
            book,
            standards,
            ids,
            cal,
            &DecideRepair {
                on,
                actor: "a".to_owned(),
                department: DEPT.to_owned(),
                application: pick(&book.repairs, *application)
                    .map_or_else(|| "missing".to_owned(), |r| r.id.clone()),
                approve: *approve,
                reason: "r".to_owned(),
                consenting_department: Some(dept(*consent_ok)),
                document: None,
            },
        ),
        Op::Expire => expire_due(book, standards, ids, cal, &ExpireDue { on }),
        Op::StandardChange { keep } => {
            let new = standards.get("watch-env", 2).expect("v2").clone();
            let keep = *keep;
            standard_changed(
                book,
                standards,
                ids,
                cal,
                &StandardChange {
                    on,
                    actor: "a".to_owned(),
                    document: None,
                },
                &new,
                move |_| keep,
            )
        }
    }
}

fn check_invariants(book: &Book, standards: &Standards, dates: &[NaiveDate]) {
    let erased: Vec<&str> = book
        .entries
        .iter()
        .filter(|e| e.state == EntryState::Erased)
        .map(|e| e.id.as_str())
        .chain(book.corrections.iter().map(|c| c.entry_id.as_str()))
        .collect();
    let mut all_dates: Vec<NaiveDate> = dates.to_vec();
    for e in &book.entries {
        all_dates.extend(e.listed_on);
        all_dates.extend(e.exit.as_ref().map(|x| x.on));
        all_dates.extend(e.expires_on);
    }
    all_dates.sort();
    all_dates.dedup();
    for &day in &all_dates {
        let lines = status_as_of(book, standards, day);
        let red = lines.iter().any(|l| l.kind == ListKind::Red);
        let serious = lines.iter().any(|l| l.kind == ListKind::Serious);
        assert!(
            !(red && serious),
            "red and serious at once on {day}: {lines:#?}"
        );
        for l in &lines {
            assert!(
                !erased.contains(&l.entry),
                "erased entry {} visible on {day}",
                l.entry
            );
            assert!(
                !l.legal_basis.is_empty(),
                "entry {} without legal basis",
                l.entry
            );
        }
    }
    for e in &book.entries {
        if e.state == EntryState::Listed || e.listed_on.is_some() {
            let st = standards
                .get(&e.standard_code, e.standard_version)
                .expect("standard of a listed entry exists");
            assert!(
                !st.legal_basis.is_empty() && st.is_published_by(e.proposed_on),
                "entry {} listed under {} without legal basis or publication",
                e.id,
                st.code
            );
        }
        if e.state == EntryState::Erased {
            assert!(e.history.is_empty() && e.document.is_empty() && e.reason.is_empty());
        }
    }
    if let Some(last) = book.last_date() {
        let active = |k: ListKind| {
            book.entries
                .iter()
                .any(|e| e.kind == k && e.is_active(last))
        };
        assert!(!(active(ListKind::Red) && active(ListKind::Serious)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_list_invariants(
        is_person in any::<bool>(),
        steps in prop::collection::vec((-3i64..15, op()), 1..60),
    ) {
        let standards = standards();
        let mut book = Book::new("subject-1", is_person);
        let mut ids = SequentialIds::default();
        let start = d(2026, 1, 5);
        let (lo, hi) = (d(2026, 1, 1), d(2026, 12, 31));
        let mut on = start;
        let mut dates = Vec::new();
        for (delta, op) in &steps {
            on = on
                .checked_add_signed(chrono::TimeDelta::days(*delta))
                .unwrap_or(on)
                .clamp(lo, hi);
            dates.push(on);
            let before = serde_json::to_string(&book).expect("json");
            let result = apply(&mut book, &standards, &mut ids, on, op);
            if let Err(refusal) = &result {
                let after = serde_json::to_string(&book).expect("json");
                prop_assert_eq!(&before, &after, "refused {:?} with {} changed the book", op, refusal);
                prop_assert!(!refusal.code().is_empty());
            }
            check_invariants(&book, &standards, &dates);
        }
    }
}

/// The generator is not vacuous: across many random sequences every kind of list is reached,
/// and so are erasure, the automatic watch and warning entries, repair approval and refusals.
#[test]
fn generator_reaches_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    use std::collections::BTreeMap;

    let standards = standards();
    // A fixed seed: this checks the generator's reach, which must not depend on the run (with a
    // random seed, 500 sequences missed the rare warning entry about one run in seven).
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(Config::default().rng_algorithm),
    );
    let strategy = (
        any::<bool>(),
        prop::collection::vec((-3i64..15, op()), 1..60),
    );
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut bump = |k: String| *seen.entry(k).or_default() += 1;
    for _ in 0..500 {
        let (is_person, steps) = strategy.new_tree(&mut runner).expect("generate").current();
        let mut book = Book::new("subject-1", is_person);
        let mut ids = SequentialIds::default();
        let mut on = d(2026, 1, 5);
        for (delta, op) in &steps {
            on = on
                .checked_add_signed(chrono::TimeDelta::days(*delta))
                .unwrap_or(on)
                .clamp(d(2026, 1, 1), d(2026, 12, 31));
            match apply(&mut book, &standards, &mut ids, on, op) {
                Ok(fx) => {
                    bump(format!(
                        "ok {}",
                        format!("{op:?}").split([' ', '{']).next().unwrap_or("")
                    ));
                    for f in fx {
                        match f {
                            Effect::Erased { .. } => bump("erased".to_owned()),
                            Effect::RecordRepaired { .. } => bump("record repaired".to_owned()),
                            Effect::Exited { reason, .. } => bump(format!("exit {reason}")),
                            _ => {}
                        }
                    }
                }
                Err(r) => bump(format!("refused {}", r.code())),
            }
        }
        for e in &book.entries {
            if e.listed_on.is_some() {
                bump(format!("listed {}", e.kind));
            }
            match e.origin {
                Origin::WatchAfterSeriousExit { .. } => bump("auto watch".to_owned()),
                Origin::WarningFromWatchDomains { .. } => bump("auto warning".to_owned()),
                _ => {}
            }
        }
    }
    for must in [
        "listed red",
        "listed serious",
        "listed watch",
        "listed warning",
        "auto watch",
        "auto warning",
        "erased",
        "exit repaired",
        "exit expired",
        "exit serious_listed",
        "ok DecideObjection",
        "refused red_candidate_on_serious_list",
        "refused notice_required",
        "refused date_before_last_step",
    ] {
        assert!(
            seen.contains_key(must),
            "never reached: {must}; seen {seen:#?}"
        );
    }
}
