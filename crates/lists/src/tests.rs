//! Scenario tests, one per rule, named after the article they enforce.

use chrono::NaiveDate;

use crate::*;

const DEPT: &str = DEMO_DEPARTMENT;
const OTHER_DEPT: &str = "11350100MB0000027P";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// A complete, published standard of `kind` in `domain`.
fn standard(code: &str, kind: ListKind, domain: &str) -> Standard {
    Standard {
        code: code.to_owned(),
        version: 1,
        title: format!("{code} 认定标准"),
        domain: domain.to_owned(),
        kind,
        legal_basis: vec!["发改财金规〔2017〕1798号".to_owned()],
        identifying_departments: vec![DEPT.to_owned()],
        criteria: "test criteria".to_owned(),
        validity_months: Some(12),
        repair: RepairRule {
            allowed: kind != ListKind::Red,
            methods: vec![RepairMethod::FulfilObligation, RepairMethod::Commitment],
            earliest_months: 0,
            repeat_offender_barred: true,
            not_allowed_basis: None,
        },
        exit_conditions: vec!["有效期届满".to_owned()],
        remedies: vec!["异议".to_owned()],
        watch_months_after_exit: (kind == ListKind::Serious).then_some(6),
        publicity_working_days: DEFAULT_PUBLICITY_WORKING_DAYS,
        notice_response_working_days: DEFAULT_NOTICE_RESPONSE_WORKING_DAYS,
        notice_required: false,
        disclosure: if kind == ListKind::Watch {
            Disclosure::Authorised
        } else {
            Disclosure::Public
        },
        published_on: Some(d(2025, 1, 1)),
    }
}

fn base_standards() -> Standards {
    let mut s = Standards::new();
    for st in [
        standard("red-tax", ListKind::Red, "税务"),
        standard("serious-tax", ListKind::Serious, "税务"),
        standard("serious-court", ListKind::Serious, "司法"),
        standard("watch-tax", ListKind::Watch, "税务"),
        standard("watch-env", ListKind::Watch, "生态环境"),
        standard("watch-market", ListKind::Watch, "市场监管"),
        standard("watch-safety", ListKind::Watch, "安全生产"),
        standard("warning", ListKind::Warning, "跨领域"),
    ] {
        s.insert(st).expect("unique test standard");
    }
    s
}

struct Case {
    book: Book,
    standards: Standards,
    ids: SequentialIds,
    cal: &'static Calendar,
}

impl Case {
    fn new(is_person: bool) -> Case {
        Case::with(base_standards(), is_person)
    }

    fn with(standards: Standards, is_person: bool) -> Case {
        Case {
            book: Book::new(
                if is_person {
                    "person:350102199001011234"
                } else {
                    "91350100M000100Y43"
                },
                is_person,
            ),
            standards,
            ids: SequentialIds::default(),
            cal: Calendar::china(),
        }
    }

    fn propose_cmd(code: &str, on: NaiveDate) -> Propose {
        Propose {
            on,
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            standard_code: code.to_owned(),
            standard_version: None,
            document: format!("{code}〔2026〕1号"),
            reason: "test facts".to_owned(),
            watch_months: None,
            repeat_offender: false,
        }
    }

    fn try_propose(&mut self, cmd: &Propose) -> Result<Vec<Effect>, Refusal> {
        propose(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            cmd,
        )
    }

    fn propose(&mut self, code: &str, on: NaiveDate) -> String {
        let fx = self
            .try_propose(&Case::propose_cmd(code, on))
            .expect("proposal accepted");
        fx.iter()
            .find_map(|f| match f {
                Effect::Proposed { entry } => Some(entry.clone()),
                _ => None,
            })
            .expect("a Proposed effect")
    }

    fn notify(&mut self, entry: &str, sent: NaiveDate, delivered: NaiveDate) {
        send_notice(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &SendNotice {
                on: sent,
                actor: "officer-1".to_owned(),
                department: DEPT.to_owned(),
                entry: entry.to_owned(),
                document: "告知〔2026〕1号".to_owned(),
            },
        )
        .expect("notice sent");
        record_delivery(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &RecordDelivery {
                on: delivered,
                actor: "officer-1".to_owned(),
                department: DEPT.to_owned(),
                entry: entry.to_owned(),
                delivered_on: delivered,
            },
        )
        .expect("delivery recorded");
    }

    fn publicise(&mut self, entry: &str, on: NaiveDate) -> Result<Vec<Effect>, Refusal> {
        start_publicity(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &StartPublicity {
                on,
                actor: "officer-1".to_owned(),
                department: DEPT.to_owned(),
                entry: entry.to_owned(),
            },
        )
    }

    fn try_list_by(
        &mut self,
        entry: &str,
        on: NaiveDate,
        department: &str,
    ) -> Result<Vec<Effect>, Refusal> {
        list(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &ListEntry {
                on,
                actor: "officer-1".to_owned(),
                department: department.to_owned(),
                entry: entry.to_owned(),
                document: None,
            },
        )
    }

    fn try_list(&mut self, entry: &str, on: NaiveDate) -> Result<Vec<Effect>, Refusal> {
        self.try_list_by(entry, on, DEPT)
    }

    /// Propose and list at once (legal person, no notice needed: watch and red after publicity
    /// are handled by the callers).
    fn listed(&mut self, code: &str, on: NaiveDate) -> String {
        let id = self.propose(code, on);
        let kind = self.book.entry(&id).map(|e| e.kind);
        match kind {
            Some(ListKind::Serious) => {
                self.notify(&id, on, on);
                let later = self
                    .cal
                    .add_working_days(on, DEFAULT_NOTICE_RESPONSE_WORKING_DAYS + 1)
                    .expect("covered");
                self.try_list(&id, later).expect("listed");
            }
            Some(ListKind::Red) => {
                self.publicise(&id, on).expect("publicity");
                let later = self
                    .cal
                    .add_working_days(on, DEFAULT_PUBLICITY_WORKING_DAYS + 1)
                    .expect("covered");
                self.try_list(&id, later).expect("listed");
            }
            _ => {
                self.try_list(&id, on).expect("listed");
            }
        }
        id
    }

    fn object(&mut self, target: Target, on: NaiveDate) -> String {
        submit_objection(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &ObjectionRules::default(),
            &SubmitObjection {
                on,
                applicant: "subject".to_owned(),
                target,
                grounds: "认定事实有误".to_owned(),
                evidence: vec!["证明材料.pdf".to_owned()],
                record_department: Some(DEPT.to_owned()),
            },
        )
        .expect("objection submitted");
        self.book
            .objections
            .last()
            .map(|o| o.id.clone())
            .expect("objection")
    }

    fn accept_objection(&mut self, objection: &str, on: NaiveDate) {
        accept_objection(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &AcceptObjection {
                on,
                actor: "officer-2".to_owned(),
                department: DEPT.to_owned(),
                objection: objection.to_owned(),
                accept: true,
                reason: String::new(),
            },
        )
        .expect("accepted");
    }

    fn decide_objection(
        &mut self,
        objection: &str,
        on: NaiveDate,
        outcome: ObjectionOutcome,
    ) -> Vec<Effect> {
        decide_objection(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &DecideObjection {
                on,
                actor: "officer-2".to_owned(),
                department: DEPT.to_owned(),
                objection: objection.to_owned(),
                outcome,
                reasons: "经核实".to_owned(),
                action: "更正".to_owned(),
                withdraw_record: false,
                document: Some("异议处理〔2026〕1号".to_owned()),
            },
        )
        .expect("decided")
    }

    fn submit_repair(
        &mut self,
        target: Target,
        method: RepairMethod,
        on: NaiveDate,
        record_minimum_until: Option<NaiveDate>,
    ) -> Result<Vec<Effect>, Refusal> {
        submit_repair(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &RepairRules::default(),
            &SubmitRepair {
                on,
                applicant: "subject".to_owned(),
                target,
                method,
                evidence: vec!["完税证明.pdf".to_owned()],
                record_minimum_until,
                record_department: Some(DEPT.to_owned()),
            },
        )
    }

    fn accept_repair(&mut self, application: &str, on: NaiveDate) {
        accept_repair(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &AcceptRepair {
                on,
                actor: "officer-3".to_owned(),
                department: DEPT.to_owned(),
                application: application.to_owned(),
                accept: true,
                reason: String::new(),
            },
        )
        .expect("repair accepted");
    }

    fn decide_repair(
        &mut self,
        application: &str,
        on: NaiveDate,
        consenting: &str,
    ) -> Result<Vec<Effect>, Refusal> {
        decide_repair(
            &mut self.book,
            &self.standards,
            &mut self.ids,
            self.cal,
            &DecideRepair {
                on,
                actor: "officer-3".to_owned(),
                department: DEPT.to_owned(),
                application: application.to_owned(),
                approve: true,
                reason: "已履行义务".to_owned(),
                consenting_department: Some(consenting.to_owned()),
                document: Some("修复决定〔2026〕1号".to_owned()),
            },
        )
    }

    fn entry(&self, id: &str) -> &Entry {
        self.book.entry(id).expect("entry exists")
    }

    fn snapshot(&self) -> String {
        serde_json::to_string(&self.book).expect("book serialises")
    }

    fn kinds_on(&self, date: NaiveDate) -> Vec<ListKind> {
        status_as_of(&self.book, &self.standards, date)
            .iter()
            .map(|l| l.kind)
            .collect()
    }
}

fn refusal_code(r: Result<Vec<Effect>, Refusal>) -> &'static str {
    match r {
        Ok(fx) => panic!("expected a refusal, got {fx:?}"),
        Err(e) => e.code(),
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn art_1798_7_notice_before_listing_natural_person() {
    // A natural person needs a delivered notice and an elapsed response period even on a watch
    // list, where a legal person does not.
    let mut c = Case::new(true);
    let e = c.propose("watch-env", d(2026, 3, 2));
    let before = c.snapshot();
    assert_eq!(
        refusal_code(c.try_list(&e, d(2026, 3, 2))),
        "notice_required"
    );
    assert_eq!(
        c.snapshot(),
        before,
        "a refused operation leaves the book unchanged"
    );

    send_notice(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &SendNotice {
            on: d(2026, 3, 3),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: e.clone(),
            document: "告知〔2026〕7号".to_owned(),
        },
    )
    .expect("notice");
    assert_eq!(c.entry(&e).state, EntryState::Notified);
    assert_eq!(
        refusal_code(c.try_list(&e, d(2026, 3, 4))),
        "notice_not_delivered"
    );
    record_delivery(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &RecordDelivery {
            on: d(2026, 3, 5),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: e.clone(),
            delivered_on: d(2026, 3, 4),
        },
    )
    .expect("delivery");
    // Delivered Wednesday 3/4: 5 working days end Wednesday 3/11.
    let respond_by = c.entry(&e).notice.as_ref().map(|n| n.respond_by.clone());
    assert_eq!(respond_by, Some(Deadline::Date(d(2026, 3, 11))));
    let err = c.try_list(&e, d(2026, 3, 11)).expect_err("period not over");
    assert_eq!(err.code(), "response_period_not_over");
    assert!(err.to_string().contains("49号"));
    c.try_list(&e, d(2026, 3, 12))
        .expect("listed after the period");
    assert_eq!(c.entry(&e).state, EntryState::Listed);

    // The same standard lists a legal person without notice.
    let mut org = Case::new(false);
    let e2 = org.propose("watch-env", d(2026, 3, 2));
    org.try_list(&e2, d(2026, 3, 2)).expect("no notice needed");
}

#[test]
fn art_1798_7_notice_before_serious_listing() {
    let mut c = Case::new(false);
    let e = c.propose("serious-tax", d(2026, 5, 11));
    let before = c.snapshot();
    let err = c.try_list(&e, d(2026, 5, 11)).expect_err("no notice");
    assert_eq!(err.code(), "notice_required");
    assert!(err.to_string().contains("1798号（七）"));
    assert_eq!(c.snapshot(), before);
    c.notify(&e, d(2026, 5, 11), d(2026, 5, 12));
    // 5 working days after Tuesday 5/12: 5/19.
    assert_eq!(
        refusal_code(c.try_list(&e, d(2026, 5, 19))),
        "response_period_not_over"
    );
    let fx = c.try_list(&e, d(2026, 5, 20)).expect("listed");
    assert!(fx.contains(&Effect::Entered { entry: e.clone() }));
    assert!(fx.iter().any(|f| matches!(f, Effect::Announcement { .. })));
    assert_eq!(c.entry(&e).listed_on, Some(d(2026, 5, 20)));
    assert_eq!(c.entry(&e).expires_on, Some(d(2027, 5, 20)));
}

#[test]
fn art_1798_8_red_candidate_on_serious_list_refused() {
    let mut c = Case::new(false);
    let s = c.listed("serious-court", d(2026, 2, 2));
    let before = c.snapshot();
    let err = c
        .try_propose(&Case::propose_cmd("red-tax", d(2026, 4, 1)))
        .expect_err("refused");
    assert_eq!(
        err,
        Refusal::RedCandidateOnSeriousList {
            serious_entry: s.clone()
        }
    );
    assert!(err.to_string().contains("1798号（八）"));
    assert_eq!(c.snapshot(), before);

    // A red candidate proposed before the serious listing is closed by it and can no longer be
    // listed.
    let mut c = Case::new(false);
    let red = c.propose("red-tax", d(2026, 2, 2));
    c.publicise(&red, d(2026, 2, 2)).expect("publicity");
    let s = c.listed("serious-court", d(2026, 2, 3));
    let exit = c.entry(&red).exit.clone().expect("exited");
    assert_eq!(exit.reason, ExitReason::SeriousListed);
    assert_eq!(exit.caused_by.as_deref(), Some(s.as_str()));
    assert_eq!(refusal_code(c.try_list(&red, d(2026, 4, 1))), "wrong_state");
}

/// 1798号 (十九) 二: a watch listing removes a red entry, so a subject on a watch list is neither
/// proposed for the red list nor listed on it from a publicity that began before (found by QA:
/// the proposal went into public red-list publicity).
#[test]
fn art_1798_19_red_candidate_on_watch_list_refused() {
    let mut c = Case::new(false);
    let red = c.propose("red-tax", d(2026, 3, 2));
    c.publicise(&red, d(2026, 3, 2)).expect("publicity");
    let w = c.listed("watch-env", d(2026, 3, 3));
    let before = c.snapshot();
    let err = c
        .try_propose(&Case::propose_cmd("red-tax", d(2026, 4, 1)))
        .expect_err("refused");
    assert_eq!(err, Refusal::RedCandidateOnWatchList { entry: w.clone() });
    assert!(err.to_string().contains("1798号（十九）二"));
    assert_eq!(c.snapshot(), before);
    // The red proposal in publicity was closed by the watch listing (its publicity ends).
    let exit = c.entry(&red).exit.clone().expect("closed");
    assert_eq!(exit.reason, ExitReason::WatchListed);
    assert_eq!(refusal_code(c.try_list(&red, d(2026, 4, 1))), "wrong_state");
    // The warning list is the platform's: no department proposes an entry on it (1798号 (十七)).
    assert_eq!(
        refusal_code(c.try_propose(&Case::propose_cmd("warning", d(2026, 4, 1)))),
        "warning_list_is_automatic"
    );
}

#[test]
fn art_1798_8_red_publicity_period_seven_working_days() {
    let mut c = Case::new(false);
    let e = c.propose("red-tax", d(2026, 9, 24));
    assert_eq!(
        refusal_code(c.try_list(&e, d(2026, 9, 24))),
        "publicity_required"
    );
    // Publicity from Friday 9/25 (中秋): 9/28, 9/29, 9/30, (国庆 10/1–10/7), 10/8, 10/9,
    // 10/10 (Saturday, 调休 working day), 10/12. A weekends-only count would end on 10/6.
    let fx = c.publicise(&e, d(2026, 9, 25)).expect("publicity");
    assert!(fx.iter().any(|f| matches!(f, Effect::Announcement { .. })));
    let until = c.entry(&e).publicity.as_ref().map(|p| p.until.clone());
    assert_eq!(until, Some(Deadline::Date(d(2026, 10, 12))));
    let before = c.snapshot();
    let err = c
        .try_list(&e, d(2026, 10, 12))
        .expect_err("still in publicity");
    assert_eq!(
        err,
        Refusal::PublicityNotOver {
            entry: e.clone(),
            until: d(2026, 10, 12)
        }
    );
    assert_eq!(c.snapshot(), before);
    c.try_list(&e, d(2026, 10, 13))
        .expect("listed after publicity");
    assert_eq!(c.kinds_on(d(2026, 10, 13)), vec![ListKind::Red]);
}

#[test]
fn art_1798_8_objection_during_publicity_blocks_listing() {
    let mut c = Case::new(false);
    let e = c.propose("red-tax", d(2026, 3, 2));
    c.publicise(&e, d(2026, 3, 2)).expect("publicity");
    let o = c.object(Target::Entry(e.clone()), d(2026, 3, 4));
    let err = c
        .try_list(&e, d(2026, 3, 20))
        .expect_err("under verification");
    assert_eq!(err.code(), "under_verification");
    c.accept_objection(&o, d(2026, 3, 20));
    c.decide_objection(&o, d(2026, 3, 23), ObjectionOutcome::Dismissed);
    c.try_list(&e, d(2026, 3, 24))
        .expect("listed once verified");
}

#[test]
fn art_1798_17_three_watch_domains_enter_warning_list() {
    let mut c = Case::new(false);
    c.listed("watch-env", d(2026, 3, 2));
    let fx = {
        c.listed("watch-market", d(2026, 3, 3));
        c.book
            .entries
            .iter()
            .filter(|e| e.kind == ListKind::Warning)
            .count()
    };
    assert_eq!(fx, 0, "two domains are not enough");
    let third = c.propose("watch-safety", d(2026, 3, 4));
    let fx = c.try_list(&third, d(2026, 3, 4)).expect("listed");
    let warning = c
        .book
        .entries
        .iter()
        .find(|e| e.kind == ListKind::Warning)
        .expect("warning entry created")
        .clone();
    assert_eq!(warning.state, EntryState::Listed);
    assert_eq!(warning.listed_on, Some(d(2026, 3, 4)));
    assert_eq!(warning.standard_code, "warning");
    match &warning.origin {
        Origin::WarningFromWatchDomains { domains, entries } => {
            assert_eq!(domains.len(), 3);
            assert_eq!(entries.len(), 3);
        }
        other => panic!("unexpected origin {other:?}"),
    }
    assert!(fx.contains(&Effect::Entered {
        entry: warning.id.clone()
    }));
    // The warning is published (通过“信用中国”网站向社会公众发出预警).
    assert!(
        fx.iter()
            .any(|f| matches!(f, Effect::Announcement { entry, .. } if *entry == warning.id))
    );
    // A fourth domain does not create a second warning.
    c.listed("watch-tax", d(2026, 3, 5));
    assert_eq!(
        c.book
            .entries
            .iter()
            .filter(|e| e.kind == ListKind::Warning)
            .count(),
        1
    );

    // Without a published warning standard the store is told so.
    let mut only_draft = Standards::new();
    for st in base_standards()
        .iter()
        .filter(|st| st.kind != ListKind::Warning)
    {
        only_draft.insert(st.clone()).expect("insert");
    }
    let mut draft = standard("warning", ListKind::Warning, "跨领域");
    draft.published_on = None;
    only_draft.insert(draft).expect("insert draft");
    let mut c = Case::with(only_draft, false);
    c.listed("watch-env", d(2026, 3, 2));
    c.listed("watch-market", d(2026, 3, 2));
    let e = c.propose("watch-safety", d(2026, 3, 2));
    let fx = c.try_list(&e, d(2026, 3, 2)).expect("listed");
    assert!(
        fx.iter()
            .any(|f| matches!(f, Effect::WarningStandardMissing { domains } if domains.len() == 3))
    );
}

#[test]
fn art_1798_17_watch_entry_moves_to_serious_list() {
    let mut c = Case::new(false);
    let w = c.listed("watch-tax", d(2026, 2, 2));
    let other = c.listed("watch-env", d(2026, 2, 2));
    let s = c.listed("serious-tax", d(2026, 3, 2));
    let exit = c.entry(&w).exit.clone().expect("watch exited");
    assert_eq!(exit.reason, ExitReason::MovedToSerious);
    assert_eq!(
        c.entry(&s).origin,
        Origin::MovedFromWatch {
            from_entry: w.clone()
        }
    );
    assert_eq!(
        c.entry(&other).state,
        EntryState::Listed,
        "other domains stay"
    );
}

#[test]
fn art_1798_18_serious_exit_enters_watch_list() {
    let mut c = Case::new(false);
    let mut cmd = Case::propose_cmd("serious-tax", d(2026, 2, 2));
    cmd.watch_months = Some(9); // the department's choice overrides the standard's 6
    let fx = c.try_propose(&cmd).expect("proposed");
    let Some(Effect::Proposed { entry: s }) = fx.first().cloned() else {
        panic!("no entry");
    };
    c.notify(&s, d(2026, 2, 2), d(2026, 2, 3));
    c.try_list(&s, d(2026, 3, 2)).expect("listed");
    // An exit without its reason is refused naming the field as the API and CLI call it (found
    // by QA: it said `note`).
    let withdrawal = |note: &str| ExitEntry {
        on: d(2026, 6, 1),
        actor: "officer-1".to_owned(),
        department: DEPT.to_owned(),
        entry: s.clone(),
        reason: ExitReason::Withdrawn,
        document: Some("撤销决定〔2026〕3号".to_owned()),
        note: note.to_owned(),
    };
    let unexplained = exit(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &withdrawal(" "),
    )
    .expect_err("a reason is needed");
    assert!(
        unexplained.to_string().contains("reason（退出理由）"),
        "{unexplained}"
    );
    let fx = exit(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &withdrawal("撤销认定"),
    )
    .expect("exited");
    let watch = c
        .book
        .entries
        .iter()
        .find(|e| {
            e.origin
                == Origin::WatchAfterSeriousExit {
                    from_entry: s.clone(),
                }
        })
        .expect("watch entry")
        .clone();
    assert_eq!(watch.kind, ListKind::Watch);
    assert_eq!(watch.state, EntryState::Listed);
    assert_eq!(watch.listed_on, Some(d(2026, 6, 1)));
    assert_eq!(watch.expires_on, Some(d(2027, 3, 1)));
    assert_eq!(watch.department, DEPT);
    assert!(fx.contains(&Effect::Entered {
        entry: watch.id.clone()
    }));
    assert_eq!(c.kinds_on(d(2026, 6, 1)), vec![ListKind::Watch]);
    assert_eq!(c.kinds_on(d(2026, 5, 31)), vec![ListKind::Serious]);
    // The watch entry is shared, not published.
    let lines = status_as_of(&c.book, &c.standards, d(2026, 6, 1));
    assert!(!lines.iter().any(|l| l.public));
}

#[test]
fn art_1798_17_serious_act_during_watch_after_exit_relists() {
    let mut c = Case::new(false);
    let s = c.listed("serious-tax", d(2026, 2, 2));
    exit(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ExitEntry {
            on: d(2026, 4, 1),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: s.clone(),
            reason: ExitReason::Withdrawn,
            document: None,
            note: "撤回".to_owned(),
        },
    )
    .expect("exit");
    let watch = c
        .book
        .entries
        .iter()
        .find(|e| e.kind == ListKind::Watch)
        .map(|e| e.id.clone())
        .expect("watch after exit");
    // The watch entry carries the serious standard's code but does not block a new proposal.
    let again = c.listed("serious-tax", d(2026, 5, 4));
    assert_eq!(
        c.entry(&watch).exit.as_ref().map(|x| x.reason),
        Some(ExitReason::MovedToSerious)
    );
    assert_eq!(
        c.entry(&again).origin,
        Origin::MovedFromWatch { from_entry: watch }
    );
}

#[test]
fn art_1798_18_error_exit_erases_entry_keeps_correction() {
    let mut c = Case::new(false);
    let s = c.listed("serious-tax", d(2026, 2, 2));
    let o = c.object(Target::Entry(s.clone()), d(2026, 4, 1));
    c.accept_objection(&o, d(2026, 4, 2));
    let fx = c.decide_objection(&o, d(2026, 4, 10), ObjectionOutcome::Upheld);
    let e = c.entry(&s).clone();
    assert_eq!(e.state, EntryState::Erased);
    assert!(
        e.history.is_empty(),
        "history of the erased entry is cleared"
    );
    assert!(e.document.is_empty() && e.reason.is_empty());
    assert_eq!(e.exit.as_ref().map(|x| x.reason), Some(ExitReason::Error));
    assert_eq!(c.book.corrections.len(), 1);
    let corr = c.book.corrections[0].clone();
    assert_eq!(corr.entry_id, s);
    assert_eq!(corr.objection.as_deref(), Some(o.as_str()));
    assert!(fx.contains(&Effect::Erased {
        entry: s.clone(),
        correction: corr
    }));
    assert!(fx.iter().any(|f| matches!(f, Effect::Outbox(ev)
        if ev.kind == kinds::ENTRY_ERASED && ev.actions.contains(&actions::DELETE_RETAINED))));
    // No watch entry after an erroneous listing (1798号（十八）「误列入“黑名单”的除外」).
    assert!(!c.book.entries.iter().any(|e| e.kind == ListKind::Watch));
    // Never visible again, for any date.
    for day in [d(2026, 2, 20), d(2026, 4, 9), d(2026, 4, 10), d(2026, 8, 1)] {
        assert!(status_as_of(&c.book, &c.standards, day).is_empty());
    }

    // An error found after a normal exit erases the consequent watch entry as well.
    let mut c = Case::new(false);
    let s = c.listed("serious-court", d(2026, 2, 2));
    exit(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ExitEntry {
            on: d(2026, 3, 2),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: s.clone(),
            reason: ExitReason::Withdrawn,
            document: None,
            note: "撤回".to_owned(),
        },
    )
    .expect("exit");
    assert!(c.book.entries.iter().any(|e| e.kind == ListKind::Watch));
    correct_error(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &CorrectError {
            on: d(2026, 3, 10),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: s,
            document: None,
            reason: "主体认定有误".to_owned(),
        },
    )
    .expect("corrected");
    assert!(c.book.entries.iter().all(|e| e.state == EntryState::Erased));
    assert_eq!(c.book.corrections.len(), 2);
    assert!(status_as_of(&c.book, &c.standards, d(2026, 3, 5)).is_empty());
}

#[test]
fn art_1798_19_serious_listing_removes_red_entries() {
    let mut c = Case::new(false);
    let red = c.listed("red-tax", d(2026, 2, 2));
    assert_eq!(c.kinds_on(d(2026, 3, 1)), vec![ListKind::Red]);
    let s = c.listed("serious-court", d(2026, 3, 2));
    let listed_on = c.entry(&s).listed_on.expect("listed");
    let exit = c.entry(&red).exit.clone().expect("red exited");
    assert_eq!(exit.reason, ExitReason::SeriousListed);
    assert_eq!(exit.on, listed_on);
    assert_eq!(c.kinds_on(listed_on), vec![ListKind::Serious]);
    assert_eq!(
        c.kinds_on(listed_on.pred_opt().expect("date")),
        vec![ListKind::Red]
    );
}

#[test]
fn art_1798_19_watch_listing_removes_red_entries() {
    let mut c = Case::new(false);
    let red = c.listed("red-tax", d(2026, 2, 2));
    let watch = c.propose("watch-env", d(2026, 3, 2));
    let fx = c.try_list(&watch, d(2026, 3, 2)).expect("listed");
    assert_eq!(
        c.entry(&red).exit.as_ref().map(|x| x.reason),
        Some(ExitReason::WatchListed)
    );
    // The watch list is not public (1798号 (十六) 「有选择地对外公开」): the red list's public exit
    // notice does not say why the subject left it.
    let notices: Vec<&str> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::Announcement { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 1, "{fx:?}");
    assert!(notices[0].contains("退出红名单"), "{}", notices[0]);
    assert!(!notices[0].contains("重点关注"), "{}", notices[0]);
}

#[test]
fn art_49_6_entry_requires_published_standard_with_legal_basis() {
    let mut s = base_standards();
    let mut draft = standard("draft", ListKind::Serious, "税务");
    draft.published_on = None;
    let mut baseless = standard("baseless", ListKind::Serious, "税务");
    baseless.legal_basis.clear();
    let mut future = standard("future", ListKind::Watch, "税务");
    future.published_on = Some(d(2026, 7, 1));
    let mut incomplete = standard("incomplete", ListKind::Serious, "税务");
    incomplete.exit_conditions.clear();
    incomplete.remedies.clear();
    for st in [draft, baseless, future, incomplete] {
        s.insert(st).expect("insert");
    }
    let mut c = Case::with(s, false);
    let before = c.snapshot();
    let r = |c: &mut Case, code: &str, on| c.try_propose(&Case::propose_cmd(code, on));
    assert_eq!(
        refusal_code(r(&mut c, "draft", d(2026, 3, 2))),
        "standard_not_published"
    );
    let err = r(&mut c, "baseless", d(2026, 3, 2)).expect_err("no basis");
    assert_eq!(err.code(), "no_legal_basis");
    assert!(err.to_string().contains("49号（六）"));
    assert_eq!(
        refusal_code(r(&mut c, "future", d(2026, 3, 2))),
        "standard_not_published"
    );
    match r(&mut c, "incomplete", d(2026, 3, 2)) {
        Err(Refusal::StandardIncomplete { problems, .. }) => {
            assert!(problems.iter().any(|p| p.starts_with("exit_conditions")));
            assert!(problems.iter().any(|p| p.starts_with("remedies")));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        refusal_code(r(&mut c, "nonexistent", d(2026, 3, 2))),
        "standard_unknown"
    );
    assert_eq!(c.snapshot(), before);
    r(&mut c, "future", d(2026, 7, 1)).expect("published by then");
}

#[test]
fn art_49_7_only_named_department_may_identify() {
    let mut c = Case::new(false);
    let mut cmd = Case::propose_cmd("serious-tax", d(2026, 3, 2));
    cmd.department = OTHER_DEPT.to_owned();
    let err = c.try_propose(&cmd).expect_err("not named");
    assert_eq!(err.code(), "department_not_named");
    assert!(err.to_string().contains(OTHER_DEPT));
    let e = c.propose("watch-env", d(2026, 3, 2));
    assert_eq!(
        refusal_code(c.try_list_by(&e, d(2026, 3, 2), OTHER_DEPT)),
        "not_identifying_department"
    );
    let mut cmd = Case::propose_cmd("watch-tax", d(2026, 3, 2));
    cmd.document = "  ".to_owned();
    assert_eq!(refusal_code(c.try_propose(&cmd)), "missing_field");
}

#[test]
fn art_33_22_objection_suspends_entry() {
    let mut c = Case::new(false);
    let s = c.listed("serious-tax", d(2026, 2, 2));
    let target = Target::Entry(s.clone());
    assert!(!is_suspended(&c.book, &target, d(2026, 4, 1)));
    submit_objection(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ObjectionRules::default(),
        &SubmitObjection {
            on: d(2026, 4, 1),
            applicant: "subject".to_owned(),
            target: target.clone(),
            grounds: "税款已缴清，认定金额有误".to_owned(),
            evidence: vec![],
            record_department: Some(DEPT.to_owned()),
        },
    )
    .map(|fx| {
        assert!(fx.iter().any(|f| matches!(f, Effect::Suspended { .. })));
        assert!(fx.iter().any(|f| matches!(f, Effect::Outbox(ev)
            if ev.kind == kinds::TARGET_SUSPENDED && ev.actions == vec![actions::SUSPEND_MEASURES])));
    })
    .expect("submitted");
    let o = c.book.objections[0].id.clone();
    // Wednesday 4/1: 4/2, 4/3, (清明 4/4–4/6), 4/7 → accept by 4/7, the 3rd working day.
    assert_eq!(
        c.book.objections[0].accept_by,
        Deadline::Date(d(2026, 4, 7))
    );
    assert!(is_suspended(&c.book, &target, d(2026, 4, 1)));
    let line = status_as_of(&c.book, &c.standards, d(2026, 4, 2))
        .into_iter()
        .next()
        .expect("on the list");
    assert!(line.suspended);
    assert_eq!(line.suspension.map(|s| s.objection), Some(o.as_str()));
    assert!(line.suspension.is_some_and(|s| s.reason.contains("33号")));

    c.accept_objection(&o, d(2026, 4, 3));
    let fx = c.decide_objection(&o, d(2026, 4, 14), ObjectionOutcome::Dismissed);
    assert!(fx.iter().any(|f| matches!(f, Effect::Resumed { .. })));
    assert!(!is_suspended(&c.book, &target, d(2026, 4, 14)));
    // The past is answered as it was.
    assert!(is_suspended(&c.book, &target, d(2026, 4, 13)));
    assert!(!is_suspended(&c.book, &target, d(2026, 3, 31)));
    let hist: Vec<&str> = c.book.objections[0]
        .history
        .iter()
        .map(|s| s.action.as_str())
        .collect();
    assert_eq!(hist, vec!["submit", "accept", "decide"]);

    // Upheld on a record: the store is told to correct or withdraw it.
    let rec = c.object(Target::Record(42), d(2026, 4, 15));
    c.accept_objection(&rec, d(2026, 4, 15));
    let fx = c.decide_objection(&rec, d(2026, 4, 16), ObjectionOutcome::Upheld);
    assert!(fx.contains(&Effect::RecordCorrected {
        record: 42,
        withdraw: false
    }));
}

/// Only the identifying department handles applications about its entries (1798号 (二十二)
/// 「由认定部门（单位）核实」, (十八) 二 「经认定部门（单位）同意」): a handler of another
/// department may neither accept nor refuse an objection or a repair application, nor approve a
/// repair by naming the identifying department as consenting.
#[test]
fn art_1798_22_only_the_identifying_department_handles_applications() {
    let mut c = Case::new(false);
    let w = c.listed("watch-env", d(2026, 3, 2));
    let objection = c.object(Target::Entry(w.clone()), d(2026, 5, 4));
    let before = c.snapshot();
    for accept in [true, false] {
        let r = accept_objection(
            &mut c.book,
            &c.standards,
            &mut c.ids,
            c.cal,
            &AcceptObjection {
                on: d(2026, 5, 5),
                actor: "elsewhere".to_owned(),
                department: OTHER_DEPT.to_owned(),
                objection: objection.clone(),
                accept,
                reason: "不符合受理条件".to_owned(),
            },
        );
        assert_eq!(refusal_code(r), "not_identifying_department", "{accept}");
    }
    assert_eq!(c.snapshot(), before);
    c.accept_objection(&objection, d(2026, 5, 5));
    c.decide_objection(&objection, d(2026, 5, 6), ObjectionOutcome::Dismissed);

    c.submit_repair(
        Target::Entry(w.clone()),
        RepairMethod::Commitment,
        d(2026, 6, 8),
        None,
    )
    .expect("submitted");
    let app = c.book.repairs[0].id.clone();
    let accept_elsewhere = |c: &mut Case| {
        accept_repair(
            &mut c.book,
            &c.standards,
            &mut c.ids,
            c.cal,
            &AcceptRepair {
                on: d(2026, 6, 9),
                actor: "elsewhere".to_owned(),
                department: OTHER_DEPT.to_owned(),
                application: app.clone(),
                accept: true,
                reason: String::new(),
            },
        )
    };
    assert_eq!(
        refusal_code(accept_elsewhere(&mut c)),
        "not_identifying_department"
    );
    c.accept_repair(&app, d(2026, 6, 9));
    let before = c.snapshot();
    let r = decide_repair(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &DecideRepair {
            on: d(2026, 6, 10),
            actor: "elsewhere".to_owned(),
            department: OTHER_DEPT.to_owned(),
            application: app.clone(),
            approve: true,
            reason: "已承诺".to_owned(),
            consenting_department: Some(DEPT.to_owned()),
            document: None,
        },
    );
    assert_eq!(refusal_code(r), "not_identifying_department");
    assert_eq!(c.snapshot(), before);
    c.decide_repair(&app, d(2026, 6, 10), DEPT)
        .expect("approved by its department");
}

#[test]
fn order_36_repair_stops_publication_sharing_and_measures() {
    let mut c = Case::new(false);
    let w = c.listed("watch-env", d(2026, 3, 2));
    c.submit_repair(
        Target::Entry(w.clone()),
        RepairMethod::Commitment,
        d(2026, 5, 6),
        None,
    )
    .expect("submitted");
    let app = c.book.repairs[0].id.clone();
    c.accept_repair(&app, d(2026, 5, 7));
    let before = c.snapshot();
    assert_eq!(
        refusal_code(c.decide_repair(&app, d(2026, 5, 8), OTHER_DEPT)),
        "consent_required"
    );
    assert_eq!(c.snapshot(), before);
    let fx = c
        .decide_repair(&app, d(2026, 5, 8), DEPT)
        .expect("approved");
    let ev = fx
        .iter()
        .find_map(|f| match f {
            Effect::Outbox(ev) if ev.kind == kinds::REPAIR_APPROVED => Some(ev.clone()),
            _ => None,
        })
        .expect("repair.approved event");
    assert_eq!(
        ev.actions,
        vec!["stop_publication", "stop_sharing", "lift_measures"]
    );
    assert_eq!(ev.entry_or_record, Target::Entry(w.clone()));
    // Never deletion: the entry is retained with its history, and it was on the list before.
    let e = c.entry(&w);
    assert_eq!(e.state, EntryState::Exited);
    assert_eq!(
        e.exit.as_ref().map(|x| x.reason),
        Some(ExitReason::Repaired)
    );
    assert!(!e.history.is_empty() && !e.document.is_empty());
    assert_eq!(c.kinds_on(d(2026, 5, 7)), vec![ListKind::Watch]);
    assert!(c.kinds_on(d(2026, 5, 8)).is_empty());
    assert_eq!(c.book.repairs[0].state, RepairState::Approved);

    // A record (penalty under publicity): not before its minimum publication date.
    let min = d(2026, 6, 1);
    assert_eq!(
        refusal_code(c.submit_repair(
            Target::Record(7),
            RepairMethod::FulfilObligation,
            d(2026, 5, 20),
            Some(min)
        )),
        "repair_too_early"
    );
    assert_eq!(
        refusal_code(c.submit_repair(
            Target::Record(7),
            RepairMethod::FulfilObligation,
            d(2026, 6, 1),
            None
        )),
        "record_minimum_required"
    );
    c.submit_repair(
        Target::Record(7),
        RepairMethod::FulfilObligation,
        d(2026, 6, 1),
        Some(min),
    )
    .expect("submitted");
    let app = c.book.repairs[1].id.clone();
    c.accept_repair(&app, d(2026, 6, 2));
    let fx = c
        .decide_repair(&app, d(2026, 6, 3), DEPT)
        .expect("approved");
    assert!(fx.contains(&Effect::RecordRepaired { record: 7 }));
    assert!(fx.iter().any(|f| matches!(f, Effect::Outbox(ev)
        if ev.kind == kinds::REPAIR_APPROVED && ev.actions.contains(&actions::LIFT_MEASURES))));
}

#[test]
fn repair_deadlines_three_and_ten_working_days() {
    let mut c = Case::new(false);
    let w = c.listed("watch-env", d(2026, 3, 2));
    c.submit_repair(
        Target::Entry(w),
        RepairMethod::Commitment,
        d(2026, 9, 25),
        None,
    )
    .expect("submitted");
    let r = &c.book.repairs[0];
    // Submitted Friday 9/25 (中秋): 9/28, 9/29, 9/30 → accept by 9/30; then 国庆 10/1–10/7,
    // 10/8, 10/9, 10/10 (Saturday, 调休), 10/12, 10/13, 10/14, 10/15 → result by 10/15.
    assert_eq!(r.accept_by, Deadline::Date(d(2026, 9, 30)));
    assert_eq!(r.decide_by, Deadline::Date(d(2026, 10, 15)));
    assert!(r.history[0].reason.contains("免费"));
    assert_eq!(RepairRules::default().accept_working_days, 3);
    assert_eq!(RepairRules::default().decide_working_days, 10);
}

#[test]
fn repair_refused_for_repeat_offender() {
    let mut c = Case::new(false);
    let mut cmd = Case::propose_cmd("serious-tax", d(2026, 2, 2));
    cmd.repeat_offender = true;
    c.try_propose(&cmd).expect("proposed");
    let s = c.book.entries[0].id.clone();
    c.notify(&s, d(2026, 2, 2), d(2026, 2, 2));
    c.try_list(&s, d(2026, 3, 2)).expect("listed");
    let before = c.snapshot();
    let err = c
        .submit_repair(
            Target::Entry(s.clone()),
            RepairMethod::FulfilObligation,
            d(2026, 4, 1),
            None,
        )
        .expect_err("barred");
    assert_eq!(err, Refusal::RepeatOffenderBarred { entry: s.clone() });
    assert_eq!(c.snapshot(), before);
    // Other rules of the RepairRule: method and earliest date.
    assert_eq!(
        refusal_code(c.submit_repair(
            Target::Entry(s),
            RepairMethod::PublicService,
            d(2026, 4, 1),
            None
        )),
        "repair_method_not_allowed"
    );
    let mut s = base_standards();
    let mut late = standard("late", ListKind::Watch, "交通");
    late.repair.earliest_months = 3;
    s.insert(late).expect("insert");
    let mut c = Case::with(s, false);
    let w = c.listed("late", d(2026, 1, 15));
    let err = c
        .submit_repair(
            Target::Entry(w.clone()),
            RepairMethod::Commitment,
            d(2026, 4, 14),
            None,
        )
        .expect_err("too early");
    assert_eq!(
        err,
        Refusal::RepairTooEarly {
            earliest: d(2026, 4, 15)
        }
    );
    c.submit_repair(
        Target::Entry(w),
        RepairMethod::Commitment,
        d(2026, 4, 15),
        None,
    )
    .expect("allowed from the earliest date");
}

#[test]
fn validity_expires_on_the_day() {
    let mut s = base_standards();
    let mut short = standard("short", ListKind::Watch, "交通");
    short.validity_months = Some(3);
    s.insert(short).expect("insert");
    let mut c = Case::with(s, false);
    let w = c.listed("short", d(2026, 1, 15));
    assert_eq!(c.entry(&w).expires_on, Some(d(2026, 4, 15)));
    assert_eq!(c.kinds_on(d(2026, 4, 14)), vec![ListKind::Watch]);
    assert!(
        c.kinds_on(d(2026, 4, 15)).is_empty(),
        "off the list on expires_on"
    );
    let fx = expire_due(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ExpireDue { on: d(2026, 4, 14) },
    )
    .expect("nothing due");
    assert!(fx.is_empty());
    let fx = expire_due(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ExpireDue { on: d(2026, 4, 20) },
    )
    .expect("expired");
    assert!(fx.contains(&Effect::Exited {
        entry: w.clone(),
        reason: ExitReason::Expired
    }));
    let exit = c.entry(&w).exit.clone().expect("exit");
    assert_eq!(exit.on, d(2026, 4, 15), "exit dated on the expiry day");
    assert_eq!(exit.reason, ExitReason::Expired);

    // A serious entry that expires enters the watch list on its expiry day, even when the
    // expiry is only noticed by a later operation.
    let mut c = Case::new(false);
    let s = c.listed("serious-court", d(2025, 1, 6));
    let listed = c.entry(&s).listed_on.expect("listed");
    let expires = c.entry(&s).expires_on.expect("expires");
    assert_eq!(
        expires,
        listed
            .checked_add_months(chrono::Months::new(12))
            .expect("date")
    );
    c.listed("watch-env", d(2026, 3, 2));
    let watch = c
        .book
        .entries
        .iter()
        .find(|e| matches!(e.origin, Origin::WatchAfterSeriousExit { .. }))
        .expect("watch after expiry");
    assert_eq!(watch.listed_on, Some(expires));
    assert_eq!(
        c.entry(&s).exit.as_ref().map(|x| (x.on, x.reason)),
        Some((expires, ExitReason::Expired))
    );
}

#[test]
fn standard_change_exits_entries_no_longer_meeting_it() {
    let mut s = base_standards();
    let mut v2 = standard("watch-env", ListKind::Watch, "生态环境");
    v2.version = 2;
    v2.published_on = Some(d(2026, 6, 1));
    v2.criteria = "stricter".to_owned();
    s.insert(v2.clone()).expect("insert v2");
    let mut keep = Case::with(s.clone(), false);
    let mut drop = Case::with(s, false);
    let w_keep = keep.propose("watch-env", d(2026, 3, 2));
    // Proposed before v2 was published: identified under version 1.
    assert_eq!(keep.entry(&w_keep).standard_version, 1);
    keep.try_list(&w_keep, d(2026, 3, 2)).expect("listed");
    let w_drop = drop.listed("watch-env", d(2026, 3, 2));
    let cmd = StandardChange {
        on: d(2026, 6, 1),
        actor: "officer-1".to_owned(),
        document: Some("标准修订〔2026〕1号".to_owned()),
    };
    let mut unpublished = v2.clone();
    unpublished.published_on = None;
    let before = drop.snapshot();
    assert_eq!(
        refusal_code(standard_changed(
            &mut drop.book,
            &drop.standards,
            &mut drop.ids,
            drop.cal,
            &cmd,
            &unpublished,
            |_| false
        )),
        "standard_not_published"
    );
    assert_eq!(drop.snapshot(), before);
    standard_changed(
        &mut drop.book,
        &drop.standards,
        &mut drop.ids,
        drop.cal,
        &cmd,
        &v2,
        |_| false,
    )
    .expect("applied");
    assert_eq!(
        drop.entry(&w_drop).exit.as_ref().map(|x| x.reason),
        Some(ExitReason::StandardChanged)
    );
    standard_changed(
        &mut keep.book,
        &keep.standards,
        &mut keep.ids,
        keep.cal,
        &cmd,
        &v2,
        |e| e.reason == "test facts",
    )
    .expect("applied");
    let e = keep.entry(&w_keep);
    assert_eq!(e.state, EntryState::Listed);
    assert_eq!(
        e.history.last().map(|s| s.action.as_str()),
        Some("reassess")
    );
}

#[test]
fn status_as_of_past_date_shows_entry_then_exited() {
    let mut c = Case::new(false);
    let s = c.listed("serious-tax", d(2026, 2, 2));
    let listed = c.entry(&s).listed_on.expect("listed");
    exit(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &ExitEntry {
            on: d(2026, 7, 1),
            actor: "officer-1".to_owned(),
            department: DEPT.to_owned(),
            entry: s.clone(),
            reason: ExitReason::Withdrawn,
            document: None,
            note: "标准变更".to_owned(),
        },
    )
    .expect("exit");
    assert!(status_as_of(&c.book, &c.standards, listed.pred_opt().expect("d")).is_empty());
    let past = status_as_of(&c.book, &c.standards, d(2026, 6, 30));
    assert_eq!(past.len(), 1);
    let line = &past[0];
    assert_eq!(line.entry, s);
    assert_eq!(line.kind, ListKind::Serious);
    assert_eq!(line.kind_zh, "严重失信主体名单");
    assert_eq!(line.standard_code, "serious-tax");
    assert_eq!(line.standard_title, Some("serious-tax 认定标准"));
    assert_eq!(line.legal_basis, ["发改财金规〔2017〕1798号".to_owned()]);
    assert_eq!(line.document, "serious-tax〔2026〕1号");
    assert_eq!(line.department, DEPT);
    assert_eq!(line.listed_on, listed);
    assert!(line.public && !line.suspended);
    // From the exit day on: the watch list, not the serious list.
    assert_eq!(c.kinds_on(d(2026, 7, 1)), vec![ListKind::Watch]);
    let json = serde_json::to_string(&past).expect("status serialises");
    assert!(json.contains("\"kind\":\"serious\""));
}

#[test]
fn deadline_in_uncovered_year_is_pending_not_guessed() {
    let cal = Calendar::china();
    let d0 = d(2026, 12, 28);
    let pending = Deadline::working_days(cal, d0, 7);
    match &pending {
        Deadline::Pending {
            from,
            working_days,
            explanation,
        } => {
            assert_eq!((*from, *working_days), (d0, 7));
            assert!(explanation.contains("2027"));
            assert!(explanation.contains("不按周末推算"));
        }
        other => panic!("guessed a date: {other:?}"),
    }
    let mut c = Case::new(false);
    let e = c.propose("red-tax", d0);
    c.publicise(&e, d0).expect("publicity");
    let before = c.snapshot();
    let err = c.try_list(&e, d(2027, 2, 1)).expect_err("cannot tell");
    assert_eq!(err.code(), "deadline_not_computable");
    assert_eq!(c.snapshot(), before);
    assert!(!resolve_deadlines(&mut c.book, cal));

    // Once a calendar covers 2027 (hypothetical test data: one holiday row), it resolves.
    let extended = Calendar::from_csv(&format!(
        "{}2027-01-01,off,元旦\n",
        chengxin_calendar::CHINA_CSV
    ))
    .expect("extended calendar");
    assert!(resolve_deadlines(&mut c.book, &extended));
    // 12/29, 12/30, 12/31, (1/1 off), 1/4, 1/5, 1/6, 1/7.
    let until = c.entry(&e).publicity.as_ref().map(|p| p.until.clone());
    assert_eq!(until, Some(Deadline::Date(d(2027, 1, 7))));
}

#[test]
fn refused_operations_dated_before_the_last_step() {
    let mut c = Case::new(false);
    let e = c.propose("watch-env", d(2026, 3, 2));
    assert_eq!(
        refusal_code(c.try_list(&e, d(2026, 3, 1))),
        "date_before_last_step"
    );
}

#[test]
fn default_standards_are_complete_and_use_the_demo_department() {
    let s = Standards::default_standards();
    assert!(s.len() >= 5);
    for st in s.iter() {
        assert!(st.problems().is_empty(), "{}: {:?}", st.code, st.problems());
        assert_eq!(st.identifying_departments, vec![DEMO_DEPARTMENT.to_owned()]);
        assert!(st.is_published_by(d(2026, 1, 1)));
        assert!(!st.legal_basis.is_empty());
    }
    for kind in ListKind::ALL {
        assert!(s.iter().any(|st| st.kind == kind), "{kind} missing");
    }
    assert_eq!(s.latest("tax-major-violation").map(|x| x.version), Some(1));
    // Round trip through JSON (the store's form).
    let json = serde_json::to_string(&s).expect("json");
    assert_eq!(serde_json::from_str::<Standards>(&json).expect("json"), s);
    // The defaults drive a full scenario: three watch domains reach the warning list.
    let mut c = Case::with(s, false);
    for code in ["env-watch", "market-watch", "safety-watch"] {
        c.listed(code, d(2026, 3, 2));
    }
    assert!(c.kinds_on(d(2026, 3, 2)).contains(&ListKind::Warning));
}

#[test]
fn standards_file_errors() {
    assert!(matches!(
        Standards::from_toml("[[standard]]\ncode = 1"),
        Err(StandardsError::Syntax(_))
    ));
    let one = r#"
[[standard]]
code = "a"
version = 1
title = "A"
domain = "x"
kind = "watch"
disclosure = "authorised"
"#;
    let parsed = Standards::from_toml(one).expect("minimal standard parses");
    let a = parsed.get("a", 1).expect("present");
    assert_eq!(a.publicity_working_days, DEFAULT_PUBLICITY_WORKING_DAYS);
    assert!(a.published_on.is_none(), "no date = draft");
    assert!(!a.problems().is_empty(), "a bare standard is incomplete");
    let spaced = Standards::from_toml(&one.replace("code = \"a\"", "code = \"tax a grade\""))
        .expect("parses");
    let problems = spaced.get("tax a grade", 1).expect("present").problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("只能由字母、数字、- 和 _ 组成")),
        "{problems:?}"
    );
    assert!(
        !a.problems().iter().any(|p| p.starts_with("code:")),
        "a plain code is fine"
    );
    assert!(matches!(
        Standards::from_toml(&one.replace("disclosure", "disclosur")),
        Err(StandardsError::Syntax(_))
    ));
    let twice = format!("{one}\n{one}");
    assert!(matches!(
        Standards::from_toml(&twice),
        Err(StandardsError::Duplicate { .. })
    ));
}

#[test]
fn names_round_trip() {
    for k in ListKind::ALL {
        assert_eq!(k.as_str().parse::<ListKind>(), Ok(k));
        assert_eq!(k.label_zh().parse::<ListKind>(), Ok(k));
    }
    assert_eq!("黑名单".parse::<ListKind>(), Ok(ListKind::Serious));
    for m in RepairMethod::ALL {
        assert_eq!(m.as_str().parse::<RepairMethod>(), Ok(m));
        assert_eq!(m.label_zh().parse::<RepairMethod>(), Ok(m));
    }
    assert!("purple".parse::<ListKind>().is_err());
    assert_eq!(
        serde_json::to_string(&RepairMethod::PublicService).expect("json"),
        "\"public_service\""
    );
}

#[test]
fn book_round_trips_through_json() {
    let mut c = Case::new(true);
    let s = c.listed("serious-tax", d(2026, 2, 2));
    c.object(Target::Entry(s), d(2026, 3, 2));
    let json = c.snapshot();
    let back: Book = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, c.book);
}

#[test]
fn refusal_codes_are_stable_and_serialised() {
    let r = Refusal::RepairTooEarly {
        earliest: d(2026, 4, 15),
    };
    assert_eq!(r.code(), "repair_too_early");
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["refusal"], "repair_too_early");
    assert!(r.to_string().contains("36号"));
}

/// Applications about a record are handled by the department that sent it (国办发〔2025〕22号
/// 「谁认定、谁修复」): another department's handler may not accept, refuse or decide them, and an
/// application about a record must name that department.
#[test]
fn applications_about_a_record_are_handled_by_the_sending_department() {
    let mut c = Case::new(false);
    let objection = c.object(Target::Record(42), d(2026, 4, 15));
    assert_eq!(
        c.book.objections[0].handled_by.as_deref(),
        Some(DEPT),
        "kept with the objection"
    );
    let before = c.snapshot();
    let other = |accept| AcceptObjection {
        on: d(2026, 4, 16),
        actor: "elsewhere".to_owned(),
        department: OTHER_DEPT.to_owned(),
        objection: objection.clone(),
        accept,
        reason: "不属本部门".to_owned(),
    };
    for accept in [true, false] {
        let r = accept_objection(&mut c.book, &c.standards, &mut c.ids, c.cal, &other(accept));
        assert!(
            matches!(&r, Err(Refusal::NotSendingDepartment { record: 42, sending, .. }) if sending == DEPT),
            "{r:?}"
        );
        assert_eq!(refusal_code(r), "not_sending_department");
    }
    let json = serde_json::to_value(Refusal::NotSendingDepartment {
        record: 42,
        department: OTHER_DEPT.to_owned(),
        sending: DEPT.to_owned(),
    })
    .expect("json");
    assert_eq!(json["refusal"], "not_sending_department");
    assert_eq!(c.snapshot(), before, "a refused step changes nothing");
    c.accept_objection(&objection, d(2026, 4, 16));
    let r = decide_objection(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &DecideObjection {
            on: d(2026, 4, 17),
            actor: "elsewhere".to_owned(),
            department: OTHER_DEPT.to_owned(),
            objection: objection.clone(),
            outcome: ObjectionOutcome::Upheld,
            reasons: "经核实".to_owned(),
            action: "撤销".to_owned(),
            withdraw_record: true,
            document: None,
        },
    );
    assert_eq!(refusal_code(r), "not_sending_department");

    // A repair application: the same department decides; without it the application is refused.
    let repair = |department: Option<&str>| SubmitRepair {
        on: d(2026, 7, 1),
        applicant: "subject".to_owned(),
        target: Target::Record(7),
        method: RepairMethod::FulfilObligation,
        evidence: vec![],
        record_minimum_until: Some(d(2026, 6, 1)),
        record_department: department.map(str::to_owned),
    };
    for missing in [None, Some(" ")] {
        let r = submit_repair(
            &mut c.book,
            &c.standards,
            &mut c.ids,
            c.cal,
            &RepairRules::default(),
            &repair(missing),
        );
        assert_eq!(refusal_code(r), "missing_field");
    }
    submit_repair(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &RepairRules::default(),
        &repair(Some(DEPT)),
    )
    .expect("submitted");
    let app = c.book.repairs[0].id.clone();
    let r = accept_repair(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &AcceptRepair {
            on: d(2026, 7, 2),
            actor: "elsewhere".to_owned(),
            department: OTHER_DEPT.to_owned(),
            application: app.clone(),
            accept: true,
            reason: String::new(),
        },
    );
    assert_eq!(refusal_code(r), "not_sending_department");
    c.accept_repair(&app, d(2026, 7, 2));
    assert_eq!(c.book.repairs[0].state, RepairState::Accepted);
}

/// 1798号 (十六): the watch list is shared, not published. The public status names no watch
/// entry: neither the three behind a warning entry (only their domains, which the warning is
/// published for, 1798号 (十七)) nor the one a serious entry took over; staff see them all.
#[test]
fn art_1798_16_public_status_names_no_unpublished_entry() {
    let mut c = Case::new(false);
    let watches = [
        c.listed("watch-env", d(2026, 3, 2)),
        c.listed("watch-market", d(2026, 3, 2)),
        c.listed("watch-safety", d(2026, 3, 2)),
    ];
    let day = d(2026, 3, 3);
    let public = public_status_as_of(&c.book, &c.standards, day);
    assert_eq!(public.len(), 1, "only the warning entry is public");
    match public[0].origin.as_ref() {
        Origin::WarningFromWatchDomains { domains, entries } => {
            assert_eq!(domains.len(), 3);
            assert!(entries.is_empty(), "watch entries counted: {entries:?}");
        }
        other => panic!("unexpected origin {other:?}"),
    }
    let text = serde_json::to_string(&public).expect("json");
    for w in &watches {
        assert!(!text.contains(w.as_str()), "{text}");
        assert!(!is_public_entry(&c.book, &c.standards, w));
    }
    let all = status_as_of(&c.book, &c.standards, day);
    assert!(all.iter().any(|l| matches!(l.origin.as_ref(),
        Origin::WarningFromWatchDomains { entries, .. } if entries.len() == 3)));

    let mut c = Case::new(false);
    let w = c.listed("watch-tax", d(2026, 2, 2));
    let s = c.listed("serious-tax", d(2026, 3, 2));
    let day = d(2026, 3, 20);
    let public = public_status_as_of(&c.book, &c.standards, day);
    let line = public
        .iter()
        .find(|l| l.entry == s)
        .expect("serious public");
    assert_eq!(
        *line.origin,
        Origin::Identified,
        "the watch entry is not named"
    );
    let all = status_as_of(&c.book, &c.standards, day);
    let line = all.iter().find(|l| l.entry == s).expect("serious");
    assert_eq!(*line.origin, Origin::MovedFromWatch { from_entry: w });
}

/// An exit announcement gives no cause the public may not know: a red entry that left because a
/// non-public serious entry was listed says only that it no longer meets the red list.
#[test]
fn art_1798_11_exit_announcement_names_no_unpublished_cause() {
    let mut standards = base_standards();
    let mut hidden = standard("serious-hidden", ListKind::Serious, "税务");
    hidden.disclosure = Disclosure::Authorised;
    standards.insert(hidden).expect("insert");
    let mut c = Case::with(standards, false);
    c.listed("red-tax", d(2026, 2, 2));
    let s = c.propose("serious-hidden", d(2026, 4, 1));
    c.notify(&s, d(2026, 4, 1), d(2026, 4, 1));
    let fx = c.try_list(&s, d(2026, 4, 15)).expect("listed");
    let texts: Vec<&str> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::Announcement {
                text,
                kind: AnnouncementKind::Exit,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts.len(), 1, "{fx:?}");
    assert!(texts[0].contains("不再符合红名单条件"), "{}", texts[0]);
    assert!(!texts[0].contains("严重失信"), "{}", texts[0]);
}

fn announcement_texts(fx: &[Effect], of: AnnouncementKind) -> Vec<String> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Announcement { text, kind, .. } if *kind == of => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// A publicity cites the rule of its list: 1798号 (八) for the red list, (七) 「可根据需要履行告知
/// 或公示程序」 for a serious list (found by QA: a serious publicity cited (八)).
#[test]
fn art_1798_7_8_publicity_cites_the_rule_of_its_list() {
    let mut c = Case::new(false);
    let red = c.propose("red-tax", d(2026, 3, 2));
    let fx = c.publicise(&red, d(2026, 3, 2)).expect("red publicised");
    let red_text = &announcement_texts(&fx, AnnouncementKind::Publicity)[0];
    assert!(red_text.contains("1798号（八）"), "{red_text}");
    let serious = c.propose("serious-court", d(2026, 3, 2));
    let fx = c
        .publicise(&serious, d(2026, 3, 2))
        .expect("serious publicised");
    let text = &announcement_texts(&fx, AnnouncementKind::Publicity)[0];
    assert!(
        text.contains("1798号（七）") && !text.contains("（八）"),
        "{text}"
    );
}

/// A natural person's watch entry needs a prior notice under 1798号 (七), not under the serious
/// list's rule of 国办发〔2020〕49号 (八) (found by QA).
#[test]
fn art_1798_7_a_persons_watch_notice_cites_1798_7_not_49_8() {
    let mut c = Case::new(true);
    let e = c.propose("watch-env", d(2026, 3, 2));
    let message = c
        .try_list(&e, d(2026, 3, 2))
        .expect_err("notice needed")
        .to_string();
    assert!(message.contains("1798号（七）"), "{message}");
    assert!(!message.contains("49号"), "{message}");
    let serious = Case::new(false)
        .standards
        .get("serious-tax", 1)
        .map(|s| s.notice_basis(false))
        .expect("standard");
    assert!(serious.contains("49号（八）"), "{serious}");
}

/// The automatic 大数据警示名单 entry is announced for what it rests on — the watch lists of three
/// domains, 1798号 (十七) — with no empty document and no 「跨领域领域」 (found by QA); parties
/// are named when the store supplies their names.
#[test]
fn art_1798_17_warning_announcement_says_what_it_rests_on() {
    let mut c = Case::new(false);
    c.book.names = Names {
        subject: Some("福州某某科技有限公司".to_owned()),
        departments: [(DEPT.to_owned(), "福州市发展和改革委员会".to_owned())].into(),
    };
    c.listed("watch-env", d(2026, 3, 2));
    c.listed("watch-market", d(2026, 3, 2));
    let third = c.propose("watch-safety", d(2026, 3, 2));
    let fx = c.try_list(&third, d(2026, 3, 2)).expect("listed");
    let texts = announcement_texts(&fx, AnnouncementKind::Listing);
    assert_eq!(texts.len(), 1, "{fx:?}");
    let t = &texts[0];
    for want in [
        "福州某某科技有限公司（91350100M000100Y43）",
        "福州市发展和改革委员会（",
        "安全生产、市场监管、生态环境 3 个不同重点领域",
        "1798号（十七）",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    for wrong in ["领域领域", "认定文书 ，", "认定文书 ）", "事由"] {
        assert!(!t.contains(wrong), "{wrong}: {t}");
    }
}

/// Refusals speak in Display and Chinese labels, never in Rust's Debug output (found by QA:
/// 「版本 None」, 「版本 Some(9)」, 「[FulfilObligation, Commitment]」, 「状态为 accepted」); an
/// unknown standard on a store with none says how to import them.
#[test]
fn refusal_messages_use_labels_not_debug_output() {
    let debug = [
        "None",
        "Some(",
        "FulfilObligation",
        "Commitment,",
        "[",
        "\\\"",
    ];
    let clean = |m: &str| {
        for d in debug {
            assert!(!m.contains(d), "{d}: {m}");
        }
    };
    let mut c = Case::new(false);
    let mut cmd = Case::propose_cmd("no-such", d(2026, 3, 2));
    let m = c.try_propose(&cmd).expect_err("unknown").to_string();
    clean(&m);
    assert!(m.contains("认定标准 no-such 不存在"), "{m}");
    assert!(!m.contains("chengxin lists"), "standards are stored: {m}");
    cmd.standard_version = Some(9);
    let m = c.try_propose(&cmd).expect_err("unknown").to_string();
    clean(&m);
    assert!(m.contains("第 9 版"), "{m}");
    let mut empty = Case::with(Standards::new(), false);
    let m = empty.try_propose(&cmd).expect_err("unknown").to_string();
    assert!(
        m.contains("chengxin lists default > standards.toml")
            && m.contains("chengxin lists import standards.toml"),
        "{m}"
    );

    let s = c.listed("serious-tax", d(2026, 3, 2));
    let m = c
        .submit_repair(
            Target::Entry(s.clone()),
            RepairMethod::PublicService,
            d(2026, 5, 4),
            None,
        )
        .expect_err("method not allowed")
        .to_string();
    clean(&m);
    assert!(
        m.contains("「公益」") && m.contains("履行义务、信用承诺"),
        "{m}"
    );

    let o = c.object(Target::Entry(s), d(2026, 5, 4));
    c.accept_objection(&o, d(2026, 5, 5));
    let again = accept_objection(
        &mut c.book,
        &c.standards,
        &mut c.ids,
        c.cal,
        &AcceptObjection {
            on: d(2026, 5, 5),
            actor: "officer-2".to_owned(),
            department: DEPT.to_owned(),
            objection: o.clone(),
            accept: true,
            reason: String::new(),
        },
    )
    .expect_err("already accepted")
    .to_string();
    assert!(
        again.starts_with(&format!(
            "异议 {o}当前为「已受理」，此操作要求「已提交，待受理」"
        )),
        "{again}"
    );
    let m = "unknown"
        .parse::<RepairMethod>()
        .expect_err("unknown")
        .to_string();
    assert!(
        m.starts_with("未知的修复方式「unknown」，可选：履行义务、"),
        "{m}"
    );
}
