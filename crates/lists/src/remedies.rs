//! Objections (异议) and credit repair (信用修复).

use chengxin_calendar::Calendar;
use chrono::NaiveDate;

use crate::deadline::Deadline;
use crate::effect::{Effect, actions, kinds};
use crate::model::{
    Book, EntryState, ExitReason, IdSource, Objection, ObjectionOutcome, ObjectionRules,
    ObjectionState, RepairApplication, RepairRules, RepairState, Step, Target,
};
use crate::names::{ListKind, RepairMethod};
use crate::ops::{ExitSpec, Work, add_months, record_department, require, run};
use crate::refusal::Refusal;
use crate::standard::Standards;

/// A step of an objection's or application's history.
pub(crate) fn step(
    on: NaiveDate,
    action: &str,
    actor: &str,
    document: Option<String>,
    reason: String,
) -> Step {
    Step {
        on,
        action: action.to_owned(),
        actor: actor.to_owned(),
        document,
        reason,
    }
}

impl Work<'_, '_> {
    fn objection_idx(&self, id: &str) -> Result<usize, Refusal> {
        self.book
            .objections
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| Refusal::ObjectionUnknown {
                objection: id.to_owned(),
            })
    }

    fn repair_idx(&self, id: &str) -> Result<usize, Refusal> {
        self.book
            .repairs
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| Refusal::RepairUnknown {
                application: id.to_owned(),
            })
    }

    /// Whether measures on the target are currently applied (a listed entry, or any record).
    fn has_measures(&self, target: &Target) -> bool {
        match target {
            Target::Entry(id) => self
                .book
                .entry(id)
                .is_some_and(|e| e.state == EntryState::Listed),
            Target::Record(_) => true,
        }
    }

    /// After an objection closed: resume the target unless another objection keeps it under
    /// verification.
    fn resume(&mut self, target: &Target, objection: &str, on: NaiveDate) {
        if self.open_objection(target).is_some() {
            return;
        }
        if let Target::Entry(id) = target
            && self
                .book
                .entry(id)
                .is_none_or(|e| e.state == EntryState::Erased)
        {
            return;
        }
        self.effects.push(Effect::Resumed {
            target: target.clone(),
            objection: objection.to_owned(),
        });
        if self.has_measures(target) {
            self.outbox(
                kinds::TARGET_RESUMED,
                target.clone(),
                on,
                vec![actions::RESUME_MEASURES],
            );
        }
    }

    fn entry_step(&mut self, target: &Target, s: Step) {
        if let Target::Entry(id) = target
            && let Some(e) = self.book.entries.iter_mut().find(|e| &e.id == id)
        {
            e.history.push(s);
        }
    }
}

/// Submit an objection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitObjection {
    pub on: NaiveDate,
    /// Who objects (the subject, or any organisation or person: 1798号 (二十一) (二十二)).
    pub applicant: String,
    pub target: Target,
    pub grounds: String,
    pub evidence: Vec<String>,
    /// Records only (required for them): the department that sent the record, which handles
    /// the objection (33号 (二十二) 「经核实有误的信息应及时更正或撤销」 by the source; 谁认定、谁负责).
    pub record_department: Option<String>,
}

/// Submit an objection (异议) to an entry (in any state but erased: during publicity, before
/// listing, on the list, or after exit, since an erroneous listing is erased even after it
/// ended) or to a record. The target is under verification at once and its measures are
/// suspended (国发〔2016〕33号 (二十二) 「联合惩戒措施在信息核实期间暂不执行」). Deadlines
/// ([`ObjectionRules`]) count from the day of submission.
pub fn submit_objection(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    rules: &ObjectionRules,
    cmd: &SubmitObjection,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("applicant", &cmd.applicant)?;
        require("grounds", &cmd.grounds)?;
        let handled_by = match &cmd.target {
            Target::Entry(id) => {
                w.live_idx(id)?;
                None
            }
            Target::Record(_) => Some(record_department(cmd.record_department.as_deref())?),
        };
        let already = w.open_objection(&cmd.target).is_some();
        let id = w.ids.next_id("objection");
        let accept_by = Deadline::working_days(w.cal, cmd.on, rules.accept_working_days);
        let decide_by = Deadline::working_days(w.cal, cmd.on, rules.decide_working_days);
        let reason = format!(
            "异议已提交，{} 核查中，相关措施暂停执行（国发〔2016〕33号（二十二））。是否受理：{}；核实处理结果：{} / \
             submitted; {} under verification; accept decision {}; result {}",
            cmd.target.label_zh(),
            accept_by.describe_zh(),
            decide_by.describe_zh(),
            cmd.target,
            accept_by.describe_en(),
            decide_by.describe_en()
        );
        w.book.objections.push(Objection {
            id: id.clone(),
            target: cmd.target.clone(),
            applicant: cmd.applicant.clone(),
            grounds: cmd.grounds.clone(),
            evidence: cmd.evidence.clone(),
            submitted_on: cmd.on,
            accept_by,
            decide_by,
            state: ObjectionState::Submitted,
            closed_on: None,
            history: vec![step(cmd.on, "submit", &cmd.applicant, None, reason)],
            handled_by,
        });
        w.entry_step(
            &cmd.target,
            step(
                cmd.on,
                "objection",
                &cmd.applicant,
                None,
                format!("异议 {id} 提交，核查中 / objection {id}: under verification"),
            ),
        );
        if !already {
            w.effects.push(Effect::Suspended {
                target: cmd.target.clone(),
                objection: id.clone(),
            });
            if w.has_measures(&cmd.target) {
                w.outbox(
                    kinds::TARGET_SUSPENDED,
                    cmd.target.clone(),
                    cmd.on,
                    vec![actions::SUSPEND_MEASURES],
                );
            }
        }
        Ok(())
    })
}

/// Decide whether to accept an objection (受理).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptObjection {
    pub on: NaiveDate,
    pub actor: String,
    /// The acting handler's department. For an objection to a list entry it must be the
    /// identifying department (1798号 (二十二) 「由认定部门（单位）核实」; 谁认定、谁负责).
    pub department: String,
    pub objection: String,
    pub accept: bool,
    /// Required when not accepting.
    pub reason: String,
}

/// Accept an objection or refuse to accept it (1798号 (二十二) 「及时反馈是否受理」). Not
/// accepting closes it and ends the suspension.
pub fn accept_objection(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &AcceptObjection,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("actor", &cmd.actor)?;
        let k = w.objection_idx(&cmd.objection)?;
        let o = &w.book.objections[k];
        if o.state != ObjectionState::Submitted {
            return Err(Refusal::WrongState {
                item: format!("objection {}", o.id),
                expected: "submitted".to_owned(),
                found: o.state.as_str().to_owned(),
            });
        }
        let (target, handled_by) = (o.target.clone(), o.handled_by.clone());
        w.entry_handled_by(&target, handled_by.as_deref(), &cmd.department)?;
        if cmd.accept {
            let o = &mut w.book.objections[k];
            o.state = ObjectionState::Accepted;
            let reason = format!(
                "已受理，核实处理结果：{} / accepted; result {}",
                o.decide_by.describe_zh(),
                o.decide_by.describe_en()
            );
            o.history
                .push(step(cmd.on, "accept", &cmd.actor, None, reason));
        } else {
            require("reason", &cmd.reason)?;
            let o = &mut w.book.objections[k];
            o.state = ObjectionState::NotAccepted {
                reason: cmd.reason.clone(),
            };
            o.closed_on = Some(cmd.on);
            o.history.push(step(
                cmd.on,
                "not_accept",
                &cmd.actor,
                None,
                cmd.reason.clone(),
            ));
            w.resume(&target, &cmd.objection, cmd.on);
        }
        Ok(())
    })
}

/// Decide an accepted objection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecideObjection {
    pub on: NaiveDate,
    pub actor: String,
    /// For entries: the identifying department (1798号 (二十二) 「由认定部门（单位）核实」).
    pub department: String,
    pub objection: String,
    pub outcome: ObjectionOutcome,
    pub reasons: String,
    /// What was done (e.g. which field was corrected); may be empty when dismissed.
    pub action: String,
    /// Records, when upheld: withdraw (撤销) rather than correct (更正).
    pub withdraw_record: bool,
    pub document: Option<String>,
}

/// Decide an accepted objection. `Upheld` on an entry: the listing was wrong, the entry is
/// erased and a [`crate::Correction`] kept (1798号 (十八) 一、(十九) 一、(二十)、(二十三)).
/// `Upheld`/`PartlyUpheld` on a record: [`Effect::RecordCorrected`] (33号 (二十二) 「经核实有误的
/// 信息应及时更正或撤销」). Otherwise the target resumes.
pub fn decide_objection(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &DecideObjection,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("actor", &cmd.actor)?;
        require("reasons", &cmd.reasons)?;
        let k = w.objection_idx(&cmd.objection)?;
        let o = &w.book.objections[k];
        if o.state != ObjectionState::Accepted {
            return Err(Refusal::WrongState {
                item: format!("objection {}", o.id),
                expected: "accepted".to_owned(),
                found: o.state.as_str().to_owned(),
            });
        }
        let (target, handled_by) = (o.target.clone(), o.handled_by.clone());
        let entry_idx = w.entry_handled_by(&target, handled_by.as_deref(), &cmd.department)?;
        {
            let o = &mut w.book.objections[k];
            o.state = ObjectionState::Decided {
                outcome: cmd.outcome,
                reasons: cmd.reasons.clone(),
                action: cmd.action.clone(),
            };
            o.closed_on = Some(cmd.on);
            let (zh, en) = match cmd.outcome {
                ObjectionOutcome::Upheld => ("异议成立", "upheld"),
                ObjectionOutcome::PartlyUpheld => ("异议部分成立", "partly upheld"),
                ObjectionOutcome::Dismissed => ("异议不成立", "dismissed"),
            };
            // Chinese first, whole, then the English: a page showing the Chinese part shows
            // the reasons and what was done.
            let done = if cmd.action.trim().is_empty() {
                String::new()
            } else {
                format!("；处理：{}", cmd.action)
            };
            o.history.push(step(
                cmd.on,
                "decide",
                &cmd.actor,
                cmd.document.clone(),
                format!("{zh}：{}{done} / {en}", cmd.reasons),
            ));
        }
        match (&target, cmd.outcome, entry_idx) {
            (Target::Entry(_), ObjectionOutcome::Upheld, Some(i)) => {
                w.erase_entry(
                    i,
                    cmd.on,
                    &cmd.reasons,
                    Some(cmd.objection.clone()),
                    &cmd.actor,
                    cmd.document.clone(),
                )?;
            }
            (Target::Entry(_), _, _) => {
                w.entry_step(
                    &target,
                    step(
                        cmd.on,
                        "objection_decided",
                        &cmd.actor,
                        cmd.document.clone(),
                        format!(
                            "异议 {} 处理完毕：{}；{}",
                            cmd.objection, cmd.reasons, cmd.action
                        ),
                    ),
                );
                w.resume(&target, &cmd.objection, cmd.on);
            }
            (Target::Record(r), outcome, _) => {
                let r = *r;
                if outcome != ObjectionOutcome::Dismissed {
                    let withdraw = outcome == ObjectionOutcome::Upheld && cmd.withdraw_record;
                    w.effects.push(Effect::RecordCorrected {
                        record: r,
                        withdraw,
                    });
                    w.outbox(
                        kinds::RECORD_CORRECTED,
                        target.clone(),
                        cmd.on,
                        vec![if withdraw {
                            actions::WITHDRAW_RECORD
                        } else {
                            actions::CORRECT_RECORD
                        }],
                    );
                }
                w.resume(&target, &cmd.objection, cmd.on);
            }
        }
        Ok(())
    })
}

/// Apply for credit repair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitRepair {
    pub on: NaiveDate,
    pub applicant: String,
    pub target: Target,
    pub method: RepairMethod,
    pub evidence: Vec<String>,
    /// Records only: the record's minimum publication date (e.g. the catalog window's
    /// `min_until`); applications dated before it are refused (36号令: 「达到最短公示期限」).
    pub record_minimum_until: Option<NaiveDate>,
    /// Records only (required for them): the department that sent the record, which decides the
    /// repair (国办发〔2025〕22号 「谁认定、谁修复」).
    pub record_department: Option<String>,
}

/// Apply for credit repair (国家发展改革委令第36号; 国办发〔2020〕49号 (十一)). Free of charge
/// (49号 (十二)). For an entry the standard's [`crate::RepairRule`] decides: repair allowed
/// (1798号 (十五)), the method among those allowed, not before `listed_on` + `earliest_months`,
/// not for a repeat offender when barred. For a record, not before its minimum publication date.
/// Deadlines ([`RepairRules`]) count from the day of submission.
pub fn submit_repair(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    rules: &RepairRules,
    cmd: &SubmitRepair,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("applicant", &cmd.applicant)?;
        if let Some(r) = w
            .book
            .repairs
            .iter()
            .find(|r| r.state.is_open() && r.target == cmd.target)
        {
            return Err(Refusal::RepairAlreadyOpen {
                application: r.id.clone(),
            });
        }
        let handled_by = match &cmd.target {
            Target::Entry(id) => {
                let i = w.live_idx(id)?;
                let std = w.std_of(i)?;
                let e = &w.book.entries[i];
                if !e.is_active(cmd.on) {
                    return Err(Refusal::NotOnList { entry: id.clone() });
                }
                if e.kind == ListKind::Red || !std.repair.allowed {
                    return Err(Refusal::RepairNotAllowed {
                        code: std.code.clone(),
                        version: std.version,
                    });
                }
                if !std.repair.methods.contains(&cmd.method) {
                    return Err(Refusal::RepairMethodNotAllowed {
                        method: cmd.method,
                        allowed: std.repair.methods.clone(),
                    });
                }
                if e.repeat_offender && std.repair.repeat_offender_barred {
                    return Err(Refusal::RepeatOffenderBarred { entry: id.clone() });
                }
                let listed = e
                    .listed_on
                    .ok_or_else(|| Refusal::NotOnList { entry: id.clone() })?;
                let earliest = add_months(listed, std.repair.earliest_months)?;
                if cmd.on < earliest {
                    return Err(Refusal::RepairTooEarly { earliest });
                }
                None
            }
            Target::Record(_) => {
                let department = record_department(cmd.record_department.as_deref())?;
                let Some(min) = cmd.record_minimum_until else {
                    return Err(Refusal::RecordMinimumRequired);
                };
                if cmd.on < min {
                    return Err(Refusal::RepairTooEarly { earliest: min });
                }
                Some(department)
            }
        };
        let id = w.ids.next_id("repair");
        let accept_by = Deadline::working_days(w.cal, cmd.on, rules.accept_working_days);
        let decide_by = Deadline::working_days(w.cal, cmd.on, rules.decide_working_days);
        let reason = format!(
            "信用修复申请（{}，免费办理）。是否受理：{}；修复结果：{} / repair application ({}), free of \
             charge; accept decision {}; result {}",
            cmd.method.label_zh(),
            accept_by.describe_zh(),
            decide_by.describe_zh(),
            cmd.method.as_str(),
            accept_by.describe_en(),
            decide_by.describe_en()
        );
        w.book.repairs.push(RepairApplication {
            id: id.clone(),
            target: cmd.target.clone(),
            method: cmd.method,
            applicant: cmd.applicant.clone(),
            evidence: cmd.evidence.clone(),
            submitted_on: cmd.on,
            accept_by,
            decide_by,
            state: RepairState::Submitted,
            closed_on: None,
            history: vec![step(cmd.on, "submit", &cmd.applicant, None, reason)],
            handled_by,
        });
        w.entry_step(
            &cmd.target,
            step(
                cmd.on,
                "repair_applied",
                &cmd.applicant,
                None,
                format!("信用修复申请 {id} / repair application {id}"),
            ),
        );
        Ok(())
    })
}

/// Decide whether to accept a repair application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptRepair {
    pub on: NaiveDate,
    pub actor: String,
    /// The acting handler's department. For a repair of a list entry it must be the identifying
    /// department (1798号 (十八) 二 「经认定部门（单位）同意」).
    pub department: String,
    pub application: String,
    pub accept: bool,
    /// Required when not accepting.
    pub reason: String,
}

/// Accept a repair application or refuse to accept it (within [`RepairRules::accept_working_days`]).
pub fn accept_repair(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &AcceptRepair,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("actor", &cmd.actor)?;
        let k = w.repair_idx(&cmd.application)?;
        let r = &w.book.repairs[k];
        if r.state != RepairState::Submitted {
            return Err(Refusal::WrongState {
                item: format!("repair application {}", r.id),
                expected: "submitted".to_owned(),
                found: r.state.as_str().to_owned(),
            });
        }
        let (target, handled_by) = (r.target.clone(), r.handled_by.clone());
        w.entry_handled_by(&target, handled_by.as_deref(), &cmd.department)?;
        if !cmd.accept {
            require("reason", &cmd.reason)?;
        }
        let r = &mut w.book.repairs[k];
        if cmd.accept {
            r.state = RepairState::Accepted;
            let reason = format!(
                "已受理，修复结果：{} / accepted; result {}",
                r.decide_by.describe_zh(),
                r.decide_by.describe_en()
            );
            r.history
                .push(step(cmd.on, "accept", &cmd.actor, None, reason));
        } else {
            r.state = RepairState::NotAccepted {
                reason: cmd.reason.clone(),
            };
            r.closed_on = Some(cmd.on);
            r.history.push(step(
                cmd.on,
                "not_accept",
                &cmd.actor,
                None,
                cmd.reason.clone(),
            ));
        }
        Ok(())
    })
}

/// Decide an accepted repair application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecideRepair {
    pub on: NaiveDate,
    pub actor: String,
    /// The acting handler's department: for a list entry, the identifying department, whose
    /// decision is its consent (1798号 (十八) 二).
    pub department: String,
    pub application: String,
    pub approve: bool,
    /// Required when refusing; recorded when approving.
    pub reason: String,
    /// Entries: the identifying department's consent (1798号 (十八) 二); must be the entry's
    /// department.
    pub consenting_department: Option<String>,
    pub document: Option<String>,
}

/// Approve or refuse a repair. Approval of an entry repair needs the identifying department's
/// consent; the entry exits `Repaired` (a serious entry then enters the watch list, 1798号
/// (十八)), with an outbox event `repair.approved` carrying `stop_publication`,
/// `stop_sharing`, `lift_measures` (国家发展改革委令第36号 第三条: 终止公示、停止共享和使用、同步
/// 解除失信惩戒措施 — never deletion). Approval of a record repair: [`Effect::RecordRepaired`] and
/// the same outbox event.
pub fn decide_repair(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &DecideRepair,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("actor", &cmd.actor)?;
        let k = w.repair_idx(&cmd.application)?;
        let r = &w.book.repairs[k];
        if r.state != RepairState::Accepted {
            return Err(Refusal::WrongState {
                item: format!("repair application {}", r.id),
                expected: "accepted".to_owned(),
                found: r.state.as_str().to_owned(),
            });
        }
        let (target, handled_by) = (r.target.clone(), r.handled_by.clone());
        let entry_idx = w.entry_handled_by(&target, handled_by.as_deref(), &cmd.department)?;
        if !cmd.approve {
            require("reason", &cmd.reason)?;
            let r = &mut w.book.repairs[k];
            r.state = RepairState::Refused {
                reason: cmd.reason.clone(),
            };
            r.closed_on = Some(cmd.on);
            r.history.push(step(
                cmd.on,
                "refuse",
                &cmd.actor,
                cmd.document.clone(),
                cmd.reason.clone(),
            ));
            return Ok(());
        }
        if let Some(i) = entry_idx {
            let e = &w.book.entries[i];
            let consent = cmd.consenting_department.as_deref().map(str::trim);
            if consent != Some(e.department.trim()) {
                return Err(Refusal::ConsentRequired {
                    entry: e.id.clone(),
                    department: e.department.clone(),
                });
            }
            if !e.is_active(cmd.on) {
                return Err(Refusal::NotOnList {
                    entry: e.id.clone(),
                });
            }
        }
        {
            let r = &mut w.book.repairs[k];
            r.state = RepairState::Approved;
            r.closed_on = Some(cmd.on);
            r.history.push(step(
                cmd.on,
                "approve",
                &cmd.actor,
                cmd.document.clone(),
                format!(
                    "准予修复：终止公示、停止共享和使用、同步解除失信惩戒措施（国家发展改革委令第36号）。{}",
                    cmd.reason
                ),
            ));
        }
        match (target, entry_idx) {
            (Target::Entry(_), Some(i)) => {
                let note = if cmd.reason.trim().is_empty() {
                    format!(
                        "信用修复申请 {} 经认定部门同意 / repair approved",
                        cmd.application
                    )
                } else {
                    format!(
                        "信用修复申请 {} 经认定部门同意：{}",
                        cmd.application, cmd.reason
                    )
                };
                w.exit_entry(
                    i,
                    ExitSpec {
                        on: cmd.on,
                        reason: ExitReason::Repaired,
                        document: cmd.document.clone(),
                        note,
                        caused_by: None,
                        actor: &cmd.actor,
                    },
                )?;
            }
            (t @ Target::Record(record), _) => {
                w.effects.push(Effect::RecordRepaired { record });
                w.outbox(
                    kinds::REPAIR_APPROVED,
                    t,
                    cmd.on,
                    vec![
                        actions::STOP_PUBLICATION,
                        actions::STOP_SHARING,
                        actions::LIFT_MEASURES,
                    ],
                );
            }
            (Target::Entry(_), None) => {}
        }
        Ok(())
    })
}
