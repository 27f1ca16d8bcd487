//! The list lifecycle: propose, notify, publicise, list, exit, erase, expire, standard change.
//!
//! Every operation works on a copy of the book and replaces the caller's book only when it
//! succeeds, so a refused operation leaves the book exactly as it was. Before the operation
//! itself, entries whose validity ended on or before the operation's date are exited (the same
//! catch-up [`expire_due`] does), so every rule is judged on the state of that day.

use chengxin_calendar::Calendar;
use chrono::{Months, NaiveDate};

use crate::deadline::Deadline;
use crate::effect::{AnnouncementKind, Effect, OutboxEvent, actions, kinds};
use crate::model::{
    Book, Correction, Entry, EntryState, Exit, ExitReason, IdSource, Notice, ObjectionState,
    Origin, Publicity, RepairState, Step, Target,
};
use crate::names::{Disclosure, ListKind};
use crate::refusal::Refusal;
use crate::remedies::step;
use crate::standard::{Standard, Standards};
use crate::status::{effective_disclosure, is_public_entry};

/// Actor name of steps the rules take by themselves (expiry, cross-checks, automatic entries).
pub const SYSTEM_ACTOR: &str = "system";

/// Working state of one operation.
pub(crate) struct Work<'s, 'i> {
    pub(crate) book: Book,
    pub(crate) standards: &'s Standards,
    pub(crate) ids: &'i mut dyn IdSource,
    pub(crate) cal: &'s Calendar,
    pub(crate) effects: Vec<Effect>,
}

/// Run `f` on a copy of `book` brought up to date as of `on`; commit only on success.
pub(crate) fn run<F>(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    on: NaiveDate,
    f: F,
) -> Result<Vec<Effect>, Refusal>
where
    F: FnOnce(&mut Work<'_, '_>) -> Result<(), Refusal>,
{
    if let Some(last) = book.last_date()
        && on < last
    {
        return Err(Refusal::DateBeforeLastStep { on, last });
    }
    let mut w = Work {
        book: book.clone(),
        standards,
        ids,
        cal,
        effects: Vec::new(),
    };
    w.catch_up(on)?;
    f(&mut w)?;
    *book = w.book;
    Ok(w.effects)
}

pub(crate) fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

pub(crate) fn require(field: &str, value: &str) -> Result<(), Refusal> {
    if blank(value) {
        Err(Refusal::MissingField {
            field: field.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// The sending department an application about a record must name (trimmed, not blank).
pub(crate) fn record_department(department: Option<&str>) -> Result<String, Refusal> {
    let d = department.map(str::trim).unwrap_or_default();
    require("record_department", d)?;
    Ok(d.to_owned())
}

pub(crate) fn add_months(d: NaiveDate, months: u32) -> Result<NaiveDate, Refusal> {
    d.checked_add_months(Months::new(months))
        .ok_or(Refusal::DateOverflow)
}

/// How an entry leaves its list.
pub(crate) struct ExitSpec<'a> {
    pub(crate) on: NaiveDate,
    pub(crate) reason: ExitReason,
    pub(crate) document: Option<String>,
    pub(crate) note: String,
    pub(crate) caused_by: Option<String>,
    pub(crate) actor: &'a str,
}

impl<'s> Work<'s, '_> {
    pub(crate) fn idx(&self, id: &str) -> Result<usize, Refusal> {
        self.book
            .entries
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(|| Refusal::EntryUnknown {
                entry: id.to_owned(),
            })
    }

    /// Index of an entry that is not erased.
    pub(crate) fn live_idx(&self, id: &str) -> Result<usize, Refusal> {
        let i = self.idx(id)?;
        if self.book.entries[i].state == EntryState::Erased {
            return Err(Refusal::TargetErased {
                entry: id.to_owned(),
            });
        }
        Ok(i)
    }

    pub(crate) fn std_of(&self, i: usize) -> Result<&'s Standard, Refusal> {
        let e = &self.book.entries[i];
        self.standards
            .get(&e.standard_code, e.standard_version)
            .ok_or_else(|| Refusal::StandardUnknown {
                code: e.standard_code.clone(),
                version: Some(e.standard_version),
                none_stored: self.standards.is_empty(),
            })
    }

    pub(crate) fn check_department(&self, i: usize, department: &str) -> Result<(), Refusal> {
        let e = &self.book.entries[i];
        if e.department.trim() != department.trim() || blank(department) {
            return Err(Refusal::NotIdentifyingDepartment {
                entry: e.id.clone(),
                department: department.to_owned(),
                identifying: e.department.clone(),
            });
        }
        Ok(())
    }

    /// Checks that `department` may handle an application about `target`, and gives the entry's
    /// index for an entry (谁认定、谁负责: 1798号 (二十二) 「由认定部门（单位）核实」, (十八) 二
    /// 「经认定部门（单位）同意」). For a record the application's `handled_by` (the department that
    /// sent it, 国办发〔2025〕22号 「谁认定、谁修复」) must be `department`; an application filed
    /// before that was kept names none and is not scoped.
    pub(crate) fn entry_handled_by(
        &self,
        target: &Target,
        handled_by: Option<&str>,
        department: &str,
    ) -> Result<Option<usize>, Refusal> {
        match target {
            Target::Entry(id) => {
                let i = self.live_idx(id)?;
                self.check_department(i, department)?;
                Ok(Some(i))
            }
            Target::Record(record) => match handled_by {
                Some(sending) if sending.trim() != department.trim() || blank(department) => {
                    Err(Refusal::NotSendingDepartment {
                        record: *record,
                        department: department.to_owned(),
                        sending: sending.to_owned(),
                    })
                }
                _ => Ok(None),
            },
        }
    }

    pub(crate) fn step(
        &mut self,
        i: usize,
        on: NaiveDate,
        action: &str,
        actor: &str,
        document: Option<String>,
        reason: String,
    ) {
        self.book.entries[i].history.push(Step {
            on,
            action: action.to_owned(),
            actor: actor.to_owned(),
            document,
            reason,
        });
    }

    pub(crate) fn outbox(
        &mut self,
        kind: &'static str,
        target: Target,
        on: NaiveDate,
        acts: Vec<&'static str>,
    ) {
        self.effects.push(Effect::Outbox(OutboxEvent {
            kind,
            subject: self.book.subject.clone(),
            entry_or_record: target,
            on,
            actions: acts,
        }));
    }

    /// The first open objection on `target`, if any.
    pub(crate) fn open_objection(&self, target: &Target) -> Option<&str> {
        self.book
            .objections
            .iter()
            .find(|o| o.state.is_open() && &o.target == target)
            .map(|o| o.id.as_str())
    }

    fn active_serious(&self, on: NaiveDate) -> Option<&str> {
        self.book
            .entries
            .iter()
            .find(|e| e.kind == ListKind::Serious && e.is_active(on))
            .map(|e| e.id.as_str())
    }

    /// Why the subject cannot enter a red list on `on`, if it cannot: an active serious entry
    /// (1798号 (八) 「确保已被列入“黑名单”的主体不被列入“红名单”」), or an active 重点关注名单 or
    /// 大数据警示名单 entry, whose listing removes a red entry (1798号 (十九) 二). Checked when a
    /// red entry is proposed and again when it is listed.
    fn red_refusal(&self, on: NaiveDate) -> Option<Refusal> {
        if let Some(s) = self.active_serious(on) {
            return Some(Refusal::RedCandidateOnSeriousList {
                serious_entry: s.to_owned(),
            });
        }
        self.book
            .entries
            .iter()
            .find(|e| matches!(e.kind, ListKind::Watch | ListKind::Warning) && e.is_active(on))
            .map(|e| Refusal::RedCandidateOnWatchList {
                entry: e.id.clone(),
            })
    }

    fn disclosure_of(&self, i: usize) -> Disclosure {
        let e = &self.book.entries[i];
        effective_disclosure(e, self.standards.get(&e.standard_code, e.standard_version))
    }

    /// Exit every entry whose validity ended on or before `on`, in date order, with the
    /// consequences of each exit (1798号 (十八) 三、(十九) 三 「有效期届满自动退出」).
    pub(crate) fn catch_up(&mut self, on: NaiveDate) -> Result<(), Refusal> {
        loop {
            let day = self
                .book
                .entries
                .iter()
                .filter(|e| e.state == EntryState::Listed)
                .filter_map(|e| e.expires_on)
                .filter(|d| *d <= on)
                .min();
            let Some(day) = day else {
                return Ok(());
            };
            let due: Vec<usize> = self
                .book
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.state == EntryState::Listed && e.expires_on == Some(day))
                .map(|(i, _)| i)
                .collect();
            for i in due {
                if self.book.entries[i].state == EntryState::Listed {
                    self.exit_entry(
                        i,
                        ExitSpec {
                            on: day,
                            reason: ExitReason::Expired,
                            document: None,
                            note:
                                "有效期届满自动退出（1798号（十八）三、（十九）三）/ validity ended"
                                    .to_owned(),
                            caused_by: None,
                            actor: SYSTEM_ACTOR,
                        },
                    )?;
                }
            }
        }
    }

    /// Close open repair applications on an entry that left its list another way.
    fn close_repairs(&mut self, entry: &str, on: NaiveDate, why: &str) {
        for r in &mut self.book.repairs {
            if r.state.is_open() && matches!(&r.target, Target::Entry(t) if t == entry) {
                r.state = RepairState::Closed {
                    reason: why.to_owned(),
                };
                r.closed_on = Some(on);
                r.history
                    .push(step(on, "close", SYSTEM_ACTOR, None, why.to_owned()));
            }
        }
    }

    /// Close open objections on an erased entry (nothing left to verify).
    fn close_objections(&mut self, entry: &str, on: NaiveDate, why: &str) {
        for o in &mut self.book.objections {
            if o.state.is_open() && matches!(&o.target, Target::Entry(t) if t == entry) {
                o.state = ObjectionState::Closed {
                    reason: why.to_owned(),
                };
                o.closed_on = Some(on);
                o.history
                    .push(step(on, "close", SYSTEM_ACTOR, None, why.to_owned()));
            }
        }
    }

    /// An entry leaves its list (or a proposal is closed), with every consequence: exit
    /// announcement and outbox (1798号 (二十)), closing open repairs, and for a serious entry that
    /// was listed, immediate entry on the watch list (1798号 (十八)).
    pub(crate) fn exit_entry(&mut self, i: usize, x: ExitSpec<'_>) -> Result<(), Refusal> {
        let was_listed = self.book.entries[i].state == EntryState::Listed;
        let public = self.disclosure_of(i) == Disclosure::Public;
        let (id, kind) = {
            let e = &mut self.book.entries[i];
            e.state = EntryState::Exited;
            e.exit = Some(Exit {
                on: x.on,
                reason: x.reason,
                document: x.document.clone(),
                note: x.note.clone(),
                caused_by: x.caused_by.clone(),
            });
            (e.id.clone(), e.kind)
        };
        self.step(
            i,
            x.on,
            "exit",
            x.actor,
            x.document.clone(),
            format!("{}：{}", x.reason.label_zh(), x.note),
        );
        self.close_repairs(
            &id,
            x.on,
            "名单条目已退出，申请终结 / the entry left its list",
        );
        self.effects.push(Effect::Exited {
            entry: id.clone(),
            reason: x.reason,
        });
        if !was_listed {
            return Ok(());
        }
        let outbox_kind = if x.reason == ExitReason::Repaired {
            kinds::REPAIR_APPROVED
        } else {
            kinds::ENTRY_EXITED
        };
        let acts = if kind.is_negative() {
            vec![
                actions::STOP_PUBLICATION,
                actions::STOP_SHARING,
                actions::LIFT_MEASURES,
            ]
        } else {
            vec![
                actions::STOP_PUBLICATION,
                actions::STOP_SHARING,
                actions::END_REWARDS,
            ]
        };
        self.outbox(outbox_kind, Target::Entry(id.clone()), x.on, acts);
        if public {
            // The public is told why only as far as it may know the cause: an exit caused by an
            // entry that is not published (a watch listing, 1798号 (十六)) names no such entry.
            let cause_public = x
                .caused_by
                .as_deref()
                .is_none_or(|c| is_public_entry(&self.book, self.standards, c));
            let why = match (cause_public, kind) {
                (true, _) => x.reason.public_label_zh(),
                (false, ListKind::Red) => ExitReason::WatchListed.public_label_zh(),
                (false, _) => "不再符合本名单条件",
            };
            let e = &self.book.entries[i];
            self.effects.push(Effect::Announcement {
                entry: id.clone(),
                kind: AnnouncementKind::Exit,
                text: format!(
                    "名单退出公告：{}于 {} 退出{}（{}，认定部门 {}{}）。依据发改财金规〔2017〕1798号（二十），\
                     有关部门停止对其实施联合奖惩。",
                    self.book.names.subject_label(&e.subject),
                    x.on,
                    kind.label_zh(),
                    why,
                    self.book.names.department_label(&e.department),
                    document_zh("原认定文书", &e.document)
                ),
            });
        }
        if kind == ListKind::Serious && x.reason != ExitReason::Error {
            self.enter_watch_after_serious(i, x.on)?;
        }
        Ok(())
    }

    /// 1798号 (十八): 「“黑名单”主体退出名单后，应立即将其列入重点关注名单（误列入“黑名单”的除外），
    /// 有效期由之前将其列入“黑名单”的部门（单位）确定」.
    fn enter_watch_after_serious(&mut self, i: usize, on: NaiveDate) -> Result<(), Refusal> {
        let std_months = self.std_of(i).ok().and_then(|s| s.watch_months_after_exit);
        let serious = &self.book.entries[i];
        let Some(months) = serious.watch_months.or(std_months) else {
            return Err(Refusal::WatchPeriodMissing {
                code: serious.standard_code.clone(),
            });
        };
        if months == 0 {
            return Ok(());
        }
        let expires = add_months(on, months)?;
        let reason = format!(
            "严重失信主体名单条目 {} 退出后立即列入重点关注名单，有效期 {} 个月（1798号（十八））：{}",
            serious.id, months, serious.reason
        );
        let entry = Entry {
            id: self.ids.next_id("entry"),
            subject: serious.subject.clone(),
            subject_is_person: serious.subject_is_person,
            standard_code: serious.standard_code.clone(),
            standard_version: serious.standard_version,
            kind: ListKind::Watch,
            domain: serious.domain.clone(),
            department: serious.department.clone(),
            document: serious.document.clone(),
            reason: reason.clone(),
            state: EntryState::Listed,
            proposed_on: on,
            notice: None,
            publicity: None,
            listed_on: Some(on),
            expires_on: Some(expires),
            exit: None,
            origin: Origin::WatchAfterSeriousExit {
                from_entry: serious.id.clone(),
            },
            watch_months: None,
            repeat_offender: serious.repeat_offender,
            history: vec![Step {
                on,
                action: "list".to_owned(),
                actor: SYSTEM_ACTOR.to_owned(),
                document: None,
                reason,
            }],
        };
        self.book.entries.push(entry);
        let idx = self.book.entries.len() - 1;
        self.after_listing(idx, on)
    }

    /// Consequences of an entry being listed on `on`: effects, and the cross-checks of 1798号
    /// (七) (十七) (十九).
    pub(crate) fn after_listing(&mut self, i: usize, on: NaiveDate) -> Result<(), Refusal> {
        let disclosure = self.disclosure_of(i);
        let (id, kind, domain) = {
            let e = &self.book.entries[i];
            (e.id.clone(), e.kind, e.domain.clone())
        };
        self.effects.push(Effect::Entered { entry: id.clone() });
        let mut acts = Vec::new();
        if disclosure == Disclosure::Public {
            acts.push(actions::PUBLISH);
        }
        if disclosure != Disclosure::None {
            acts.push(actions::SHARE);
        }
        acts.push(if kind.is_negative() {
            actions::APPLY_MEASURES
        } else {
            actions::GRANT_REWARDS
        });
        self.outbox(kinds::ENTRY_LISTED, Target::Entry(id.clone()), on, acts);
        if disclosure == Disclosure::Public {
            let e = &self.book.entries[i];
            let until = e.expires_on.map_or_else(
                || "至满足移出条件".to_owned(),
                |d| format!("至 {d}（不含）"),
            );
            let names = &self.book.names;
            let text = match &e.origin {
                // An automatic entry has no document of its own: it rests on the watch lists
                // of three or more domains (1798号 (十七)).
                Origin::WarningFromWatchDomains { domains, .. } => format!(
                    "{}公告：{}在{} {} 个不同重点领域被列入重点关注名单，经全国信用信息共享平台大数据\
                     分析，自 {} 转入{}（认定部门 {}），有效期{}。依据发改财金规〔2017〕1798号（十七）\
                     向社会公众发出预警。",
                    kind.label_zh(),
                    names.subject_label(&e.subject),
                    domains.join("、"),
                    domains.len(),
                    on,
                    kind.label_zh(),
                    names.department_label(&e.department),
                    until
                ),
                _ => format!(
                    "{}公告：{}自 {} 列入{}（{}，认定部门 {}{}，事由：{}），有效期{}。\
                     依据发改财金规〔2017〕1798号（十一）发布。",
                    kind.label_zh(),
                    names.subject_label(&e.subject),
                    on,
                    kind.label_zh(),
                    domain_zh(&e.domain),
                    names.department_label(&e.department),
                    document_zh("认定文书", &e.document),
                    e.reason,
                    until
                ),
            };
            self.effects.push(Effect::Announcement {
                entry: id.clone(),
                kind: AnnouncementKind::Listing,
                text,
            });
        }
        match kind {
            ListKind::Serious => {
                // 1798号 (七) 「“黑名单”形成后，应与…“红名单”进行交叉比对，如“黑名单”主体之前已被列入
                // “红名单”，应将其从相关“红名单”中删除」; (十九) 二.
                let reds: Vec<usize> = self
                    .book
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(j, e)| *j != i && e.kind == ListKind::Red && e.state.is_open())
                    .map(|(j, _)| j)
                    .collect();
                for r in reds {
                    self.exit_entry(
                        r,
                        ExitSpec {
                            on,
                            reason: ExitReason::SeriousListed,
                            document: None,
                            note: format!(
                                "主体列入严重失信主体名单（条目 {id}），从红名单中删除（1798号（七）（十九））"
                            ),
                            caused_by: Some(id.clone()),
                            actor: SYSTEM_ACTOR,
                        },
                    )?;
                }
                // 1798号 (十七): a watch entry of the same domain moves to the serious list.
                let watches: Vec<usize> = self
                    .book
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(j, e)| {
                        *j != i
                            && e.kind == ListKind::Watch
                            && e.domain == domain
                            && e.is_active(on)
                    })
                    .map(|(j, _)| j)
                    .collect();
                let mut first = None;
                for wi in watches {
                    let wid = self.book.entries[wi].id.clone();
                    self.exit_entry(
                        wi,
                        ExitSpec {
                            on,
                            reason: ExitReason::MovedToSerious,
                            document: None,
                            note: format!(
                                "重点关注名单主体发生严重失信行为，转入严重失信主体名单（条目 {id}，1798号（十七））"
                            ),
                            caused_by: Some(id.clone()),
                            actor: SYSTEM_ACTOR,
                        },
                    )?;
                    first.get_or_insert(wid);
                }
                if let Some(from_entry) = first {
                    let e = &mut self.book.entries[i];
                    if e.origin == Origin::Identified {
                        e.origin = Origin::MovedFromWatch { from_entry };
                    }
                }
            }
            ListKind::Watch => {
                // 1798号 (十九) 二: a red entry leaves when the subject enters a watch list, and a
                // red proposal (in publicity) is closed with it, as a serious listing closes it: it
                // could never be listed now (found by QA: its publicity stayed announced).
                let reds: Vec<usize> = self
                    .book
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.kind == ListKind::Red && e.state.is_open())
                    .map(|(j, _)| j)
                    .collect();
                for r in reds {
                    self.exit_entry(
                        r,
                        ExitSpec {
                            on,
                            reason: ExitReason::WatchListed,
                            document: None,
                            note: format!(
                                "主体列入重点关注名单（条目 {id}），从红名单中删除（1798号（十九）二）"
                            ),
                            caused_by: Some(id.clone()),
                            actor: SYSTEM_ACTOR,
                        },
                    )?;
                }
                let e = &self.book.entries[i];
                let until = e.expires_on.map_or_else(
                    || "至满足移出条件".to_owned(),
                    |d| format!("至 {d}（不含）"),
                );
                self.effects.push(Effect::NotifySubject {
                    entry: id.clone(),
                    text: format!(
                        "警示：您已被列入{}重点关注名单（认定部门 {}），重点关注有效期{}（1798号（十七））。",
                        domain_zh(&e.domain),
                        self.book.names.department_label(&e.department),
                        until
                    ),
                });
                self.maybe_warning(on)?;
            }
            ListKind::Warning | ListKind::Red => {}
        }
        Ok(())
    }

    /// 1798号 (十七): 「将在3个以上不同的重点领域被列入重点关注名单的主体转入“大数据警示名单”，通过
    /// “信用中国”网站向社会公众发出预警」.
    fn maybe_warning(&mut self, on: NaiveDate) -> Result<(), Refusal> {
        if self
            .book
            .entries
            .iter()
            .any(|e| e.kind == ListKind::Warning && e.is_active(on))
        {
            return Ok(());
        }
        let mut domains: Vec<String> = Vec::new();
        let mut counted: Vec<String> = Vec::new();
        for e in &self.book.entries {
            if e.kind == ListKind::Watch && e.is_active(on) {
                counted.push(e.id.clone());
                if !domains.contains(&e.domain) {
                    domains.push(e.domain.clone());
                }
            }
        }
        if domains.len() < 3 {
            return Ok(());
        }
        domains.sort();
        let Some(std) = self.warning_standard(on) else {
            self.effects
                .push(Effect::WarningStandardMissing { domains });
            return Ok(());
        };
        let department = std
            .identifying_departments
            .first()
            .cloned()
            .unwrap_or_default();
        let expires = std.validity_months.map(|m| add_months(on, m)).transpose()?;
        let reason = format!(
            "在{} {} 个不同重点领域被列入重点关注名单，转入大数据警示名单（1798号（十七））",
            domains.join("、"),
            domains.len()
        );
        let entry = Entry {
            id: self.ids.next_id("entry"),
            subject: self.book.subject.clone(),
            subject_is_person: self.book.subject_is_person,
            standard_code: std.code.clone(),
            standard_version: std.version,
            kind: ListKind::Warning,
            domain: std.domain.clone(),
            department,
            document: String::new(),
            reason: reason.clone(),
            state: EntryState::Listed,
            proposed_on: on,
            notice: None,
            publicity: None,
            listed_on: Some(on),
            expires_on: expires,
            exit: None,
            origin: Origin::WarningFromWatchDomains {
                domains,
                entries: counted,
            },
            watch_months: None,
            repeat_offender: false,
            history: vec![Step {
                on,
                action: "list".to_owned(),
                actor: SYSTEM_ACTOR.to_owned(),
                document: None,
                reason,
            }],
        };
        self.book.entries.push(entry);
        let idx = self.book.entries.len() - 1;
        self.after_listing(idx, on)
    }

    /// The big-data warning standard: the latest published, complete version of the first code
    /// (in code order) whose kind is `Warning`.
    fn warning_standard(&self, on: NaiveDate) -> Option<&'s Standard> {
        let standards = self.standards;
        let mut codes: Vec<&str> = standards
            .iter()
            .filter(|s| s.kind == ListKind::Warning)
            .map(|s| s.code.as_str())
            .collect();
        codes.dedup();
        codes
            .into_iter()
            .filter_map(|c| standards.latest_published(c, on))
            .find(|s| s.kind == ListKind::Warning && s.problems().is_empty())
    }

    /// Erase an entry listed in error (1798号 (十八) 一、(十九) 一、(二十) 「对于因主体认定有误而列入
    /// 名单的，相关信息不予保存」、(二十三)). Keeps a tombstone (id, subject, kind, standard,
    /// department, state, exit) and a [`Correction`]; the store deletes the rest. Entries that
    /// exist only because of it (the watch entry after its exit; a warning entry that no longer
    /// has 3 domains without it) are erased too; entries that left because of it are flagged for
    /// review.
    pub(crate) fn erase_entry(
        &mut self,
        i: usize,
        on: NaiveDate,
        reason: &str,
        objection: Option<String>,
        actor: &str,
        document: Option<String>,
    ) -> Result<(), Refusal> {
        let public = self.disclosure_of(i) == Disclosure::Public;
        let (id, kind, was_published, was_listed) = {
            let e = &self.book.entries[i];
            (
                e.id.clone(),
                e.kind,
                e.listed_on.is_some() || e.publicity.is_some(),
                e.listed_on.is_some(),
            )
        };
        let correction = Correction {
            id: self.ids.next_id("correction"),
            entry_id: id.clone(),
            subject: self.book.subject.clone(),
            on,
            reason: reason.to_owned(),
            objection: objection.clone(),
        };
        {
            let e = &mut self.book.entries[i];
            e.state = EntryState::Erased;
            e.document = String::new();
            e.reason = String::new();
            e.notice = None;
            e.publicity = None;
            e.listed_on = None;
            e.expires_on = None;
            e.watch_months = None;
            e.repeat_offender = false;
            e.origin = Origin::Identified;
            e.history.clear();
            e.exit = Some(Exit {
                on,
                reason: ExitReason::Error,
                document,
                note: format!("认定有误，已删除，见更正记录 {}（{actor}）", correction.id),
                caused_by: None,
            });
        }
        self.book.corrections.push(correction.clone());
        let why = "名单条目因认定有误已删除 / the entry was erased as listed in error";
        self.close_repairs(&id, on, why);
        self.close_objections(&id, on, why);
        self.effects.push(Effect::Erased {
            entry: id.clone(),
            correction,
        });
        let acts = match (was_published, kind.is_negative()) {
            (false, _) => vec![actions::DELETE_RETAINED],
            (true, true) => vec![
                actions::STOP_PUBLICATION,
                actions::STOP_SHARING,
                actions::LIFT_MEASURES,
                actions::RESTORE_REPUTATION,
                actions::DELETE_RETAINED,
            ],
            (true, false) => vec![
                actions::STOP_PUBLICATION,
                actions::STOP_SHARING,
                actions::REVOKE_REWARDS,
                actions::DELETE_RETAINED,
            ],
        };
        self.outbox(kinds::ENTRY_ERASED, Target::Entry(id.clone()), on, acts);
        if was_published && public {
            self.effects.push(Effect::Announcement {
                entry: id.clone(),
                kind: AnnouncementKind::Correction,
                text: format!(
                    "更正说明：经核实，{}{}{}系认定有误，已予更正，相关信息不予保存（发改财金规〔2017〕1798号（二十）（二十三））。",
                    self.book.names.subject_label(&self.book.subject),
                    // A proposal only publicised was never listed (found by QA).
                    if was_listed { "被列入" } else { "拟列入" },
                    kind.label_zh()
                ),
            });
        }
        if was_published && kind.is_negative() {
            self.effects.push(Effect::NotifySubject {
                entry: id.clone(),
                text: format!(
                    "经核实，将您列入{}系认定有误，认定部门已更正您的诚信记录，并应书面道歉、进行澄清、恢复名誉\
                     （1798号（二十三））。",
                    kind.label_zh()
                ),
            });
        }
        // Entries that exist only because of the erased one.
        let derived: Vec<usize> = self
            .book
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.state != EntryState::Erased
                    && matches!(&e.origin, Origin::WatchAfterSeriousExit { from_entry } if *from_entry == id)
            })
            .map(|(j, _)| j)
            .collect();
        for d in derived {
            self.erase_entry(
                d,
                on,
                &format!("源自被更正删除的条目 {id}（1798号（十八）「误列入“黑名单”的除外」）"),
                objection.clone(),
                SYSTEM_ACTOR,
                None,
            )?;
        }
        let warnings: Vec<usize> = self
            .book
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.state != EntryState::Erased
                    && matches!(&e.origin, Origin::WarningFromWatchDomains { entries, .. } if entries.contains(&id))
            })
            .map(|(j, _)| j)
            .collect();
        for wi in warnings {
            let remaining = match &self.book.entries[wi].origin {
                Origin::WarningFromWatchDomains { entries, .. } => {
                    let mut ds: Vec<&str> = entries
                        .iter()
                        .filter_map(|x| self.book.entry(x))
                        .filter(|e| e.state != EntryState::Erased)
                        .map(|e| e.domain.as_str())
                        .collect();
                    ds.sort_unstable();
                    ds.dedup();
                    ds.len()
                }
                _ => 3,
            };
            if remaining < 3 && self.book.entries[wi].state != EntryState::Erased {
                self.erase_entry(
                    wi,
                    on,
                    &format!(
                        "转入依据（条目 {id}）认定有误，不足 3 个领域（1798号（十七）（二十））"
                    ),
                    objection.clone(),
                    SYSTEM_ACTOR,
                    None,
                )?;
            }
        }
        let caused: Vec<String> = self
            .book
            .entries
            .iter()
            .filter(|e| {
                e.state == EntryState::Exited
                    && e.exit
                        .as_ref()
                        .is_some_and(|x| x.caused_by.as_deref() == Some(id.as_str()))
            })
            .map(|e| e.id.clone())
            .collect();
        for c in caused {
            self.effects.push(Effect::Review {
                entry: c,
                text: format!(
                    "该条目因条目 {id} 的列入而退出，而条目 {id} 已因认定有误被删除；请认定部门复核是否重新认定\
                     （1798号（二十三）「恢复其名誉」）。"
                ),
            });
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Commands and operations.

/// Propose a subject for a list under a standard (生成初步名单; 1798号 (七) (八)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Propose {
    pub on: NaiveDate,
    pub actor: String,
    /// Identifying department (USCC); must be named by the standard.
    pub department: String,
    pub standard_code: String,
    /// `None`: the latest version published on `on`.
    pub standard_version: Option<u32>,
    /// Identification document number (认定文书号; 国办发〔2020〕49号 (八)).
    pub document: String,
    /// Facts (事由).
    pub reason: String,
    /// Serious lists: watch period after exit (months), else the standard's.
    pub watch_months: Option<u32>,
    /// 屡禁不止、屡罚不改, as found by the department.
    pub repeat_offender: bool,
}

/// Propose an entry. Checks, in order: the standard exists and is published (49号 (七);
/// 1798号 (三)), has a legal basis (49号 (六)) and is complete (49号 (七)); the department is
/// named by it (49号 (八); 1798号 (六)); document and reason are given (49号 (八)); a red
/// candidate is not on a serious list (1798号 (八)); no open entry of the same kind under the
/// same standard (the watch entry that follows a serious exit carries the serious standard's
/// code but does not block a new serious proposal: 1798号 (十七)); a serious entry has a watch
/// period after exit (1798号 (十八)).
pub fn propose(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &Propose,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let on = cmd.on;
        let std = match cmd.standard_version {
            Some(v) => w.standards.get(&cmd.standard_code, v),
            None => w
                .standards
                .latest_published(&cmd.standard_code, on)
                .or_else(|| w.standards.latest(&cmd.standard_code)),
        }
        .ok_or_else(|| Refusal::StandardUnknown {
            code: cmd.standard_code.clone(),
            version: cmd.standard_version,
            none_stored: w.standards.is_empty(),
        })?;
        if !std.is_published_by(on) {
            return Err(Refusal::StandardNotPublished {
                code: std.code.clone(),
                version: std.version,
            });
        }
        if std.legal_basis.iter().all(|b| blank(b)) {
            return Err(Refusal::NoLegalBasis {
                code: std.code.clone(),
                version: std.version,
            });
        }
        // 1798号 (十七): the platform moves subjects on watch lists in three or more domains to
        // the 大数据警示名单 by its own analysis; no department proposes an entry on it.
        if std.kind == ListKind::Warning {
            return Err(Refusal::WarningListIsAutomatic {
                code: std.code.clone(),
            });
        }
        let problems = std.problems();
        if !problems.is_empty() {
            return Err(Refusal::StandardIncomplete {
                code: std.code.clone(),
                version: std.version,
                problems,
            });
        }
        if !std.names_department(&cmd.department) {
            return Err(Refusal::DepartmentNotNamed {
                department: cmd.department.clone(),
                code: std.code.clone(),
                version: std.version,
            });
        }
        require("actor", &cmd.actor)?;
        // 国办发〔2020〕49号 (八): 认定须依托行政决定文书，载明事由、依据.
        require(
            "document（认定文书号；国办发〔2020〕49号（八）：认定须依托行政决定文书）",
            &cmd.document,
        )?;
        require(
            "reason（列入事由；国办发〔2020〕49号（八）：载明事由、依据）",
            &cmd.reason,
        )?;
        if std.kind == ListKind::Red
            && let Some(refusal) = w.red_refusal(on)
        {
            return Err(refusal);
        }
        if let Some(e) = w
            .book
            .entries
            .iter()
            .find(|e| e.standard_code == std.code && e.kind == std.kind && e.state.is_open())
        {
            return Err(Refusal::AlreadyListed {
                entry: e.id.clone(),
            });
        }
        let watch_months = if std.kind == ListKind::Serious {
            match cmd.watch_months.or(std.watch_months_after_exit) {
                Some(m) if m > 0 => cmd.watch_months,
                _ => {
                    return Err(Refusal::WatchPeriodMissing {
                        code: std.code.clone(),
                    });
                }
            }
        } else {
            None
        };
        let entry = Entry {
            id: w.ids.next_id("entry"),
            subject: w.book.subject.clone(),
            subject_is_person: w.book.subject_is_person,
            standard_code: std.code.clone(),
            standard_version: std.version,
            kind: std.kind,
            domain: std.domain.clone(),
            department: cmd.department.trim().to_owned(),
            document: cmd.document.trim().to_owned(),
            reason: cmd.reason.clone(),
            state: EntryState::Proposed,
            proposed_on: on,
            notice: None,
            publicity: None,
            listed_on: None,
            expires_on: None,
            exit: None,
            origin: Origin::Identified,
            watch_months,
            repeat_offender: cmd.repeat_offender,
            history: vec![Step {
                on,
                action: "propose".to_owned(),
                actor: cmd.actor.clone(),
                document: Some(cmd.document.trim().to_owned()),
                reason: cmd.reason.clone(),
            }],
        };
        let id = entry.id.clone();
        w.book.entries.push(entry);
        w.effects.push(Effect::Proposed { entry: id });
        Ok(())
    })
}

/// Send the prior notice (事前告知书).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendNotice {
    pub on: NaiveDate,
    pub actor: String,
    pub department: String,
    pub entry: String,
    /// Notice document number.
    pub document: String,
}

/// Send the prior notice of a proposed (or publicised) entry: 国办发〔2020〕49号 (八) 「行政机关在
/// 作出认定严重失信主体名单决定前，应当告知当事人作出决定的事由、依据和当事人依法享有的权利」; 1798号
/// (七) 「自然人被认定为失信联合惩戒对象的，应实行事前告知」. The response period starts at delivery
/// ([`record_delivery`]).
pub fn send_notice(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &SendNotice,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        let e = &w.book.entries[i];
        if !matches!(e.state, EntryState::Proposed | EntryState::InPublicity) {
            return Err(wrong_entry_state(e, "proposed | in_publicity"));
        }
        if e.notice.is_some() {
            return Err(Refusal::NoticeAlreadySent {
                entry: e.id.clone(),
            });
        }
        require("actor", &cmd.actor)?;
        require("document（告知书文号）", &cmd.document)?;
        let std = w.std_of(i)?;
        let n = std.notice_response_working_days;
        let text = format!(
            "事前告知：拟将您列入{}（{}，认定标准《{}》第 {} 版）。事由：{}。依据：{}。您可自告知书送达之日起 {} 个工作日内\
             陈述、申辩或提出异议；救济途径：{}（{}）。",
            e.kind.label_zh(),
            domain_zh(&e.domain),
            std.title,
            std.version,
            e.reason,
            std.legal_basis.join("；"),
            n,
            std.remedies.join("；"),
            std.notice_basis(e.subject_is_person)
        );
        let id = e.id.clone();
        {
            let e = &mut w.book.entries[i];
            e.notice = Some(Notice {
                document: cmd.document.trim().to_owned(),
                sent_on: cmd.on,
                delivered_on: None,
                respond_by: Deadline::not_started(n, "告知书送达之日 / delivery of the notice"),
            });
            if e.state == EntryState::Proposed {
                e.state = EntryState::Notified;
            }
        }
        w.step(
            i,
            cmd.on,
            "send_notice",
            &cmd.actor,
            Some(cmd.document.trim().to_owned()),
            "发出事前告知书 / prior notice sent".to_owned(),
        );
        w.effects.push(Effect::NotifySubject { entry: id, text });
        Ok(())
    })
}

/// Record delivery of the prior notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDelivery {
    pub on: NaiveDate,
    pub actor: String,
    pub department: String,
    pub entry: String,
    /// Date of delivery (送达), between sending and `on`.
    pub delivered_on: NaiveDate,
}

/// Record that the notice was delivered; the response deadline becomes
/// `delivered_on` + the standard's `notice_response_working_days` (or pending, if the calendar
/// does not cover it yet).
pub fn record_delivery(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &RecordDelivery,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        require("actor", &cmd.actor)?;
        let e = &w.book.entries[i];
        if !e.state.is_pending() {
            return Err(wrong_entry_state(e, "proposed | notified | in_publicity"));
        }
        let Some(notice) = &e.notice else {
            let basis = w
                .std_of(i)
                .map_or("1798号（七）", |s| s.notice_basis(e.subject_is_person));
            return Err(Refusal::NoticeRequired {
                entry: e.id.clone(),
                basis: basis.to_owned(),
            });
        };
        if notice.delivered_on.is_some() {
            return Err(Refusal::WrongState {
                item: format!("notice of entry {}", e.id),
                expected: "sent, not delivered".to_owned(),
                found: "delivered".to_owned(),
            });
        }
        if cmd.delivered_on < notice.sent_on || cmd.delivered_on > cmd.on {
            return Err(Refusal::InvalidDeliveryDate {
                delivered_on: cmd.delivered_on,
                sent_on: notice.sent_on,
                on: cmd.on,
            });
        }
        let n = w.std_of(i)?.notice_response_working_days;
        let respond_by = Deadline::working_days(w.cal, cmd.delivered_on, n);
        let reason = format!(
            "告知书于 {} 送达；陈述、异议期：{} / notice delivered; respond {}",
            cmd.delivered_on,
            respond_by.describe_zh(),
            respond_by.describe_en()
        );
        if let Some(notice) = w.book.entries[i].notice.as_mut() {
            notice.delivered_on = Some(cmd.delivered_on);
            notice.respond_by = respond_by;
        }
        w.step(i, cmd.on, "record_delivery", &cmd.actor, None, reason);
        Ok(())
    })
}

/// Start publicity of a proposed entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartPublicity {
    pub on: NaiveDate,
    pub actor: String,
    pub department: String,
    pub entry: String,
}

/// Publicise a proposed entry (1798号 (八) for red lists, required; (七) 「可根据需要履行告知或
/// 公示程序」 for others). Publicity runs until `on` + the standard's `publicity_working_days`.
/// Objections during publicity are ordinary objections against the entry
/// ([`crate::submit_objection`]).
pub fn start_publicity(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &StartPublicity,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        require("actor", &cmd.actor)?;
        let e = &w.book.entries[i];
        if e.publicity.is_some() {
            return Err(Refusal::PublicityAlreadyStarted {
                entry: e.id.clone(),
            });
        }
        if !matches!(e.state, EntryState::Proposed | EntryState::Notified) {
            return Err(wrong_entry_state(e, "proposed | notified"));
        }
        let std = w.std_of(i)?;
        let until = Deadline::working_days(w.cal, cmd.on, std.publicity_working_days);
        let text = format!(
            "{}公示：{}拟列入{}（{}，认定部门 {}{}，事由：{}）。公示期 {} 个工作日，{}；\
             有异议的可向认定部门提出（{}）。",
            e.kind.label_zh(),
            w.book.names.subject_label(&e.subject),
            e.kind.label_zh(),
            domain_zh(&e.domain),
            w.book.names.department_label(&e.department),
            document_zh("认定文书", &e.document),
            e.reason,
            std.publicity_working_days,
            until.describe_zh(),
            publicity_basis(e.kind)
        );
        let id = e.id.clone();
        {
            let e = &mut w.book.entries[i];
            e.publicity = Some(Publicity {
                from: cmd.on,
                until: until.clone(),
            });
            e.state = EntryState::InPublicity;
        }
        w.step(
            i,
            cmd.on,
            "start_publicity",
            &cmd.actor,
            None,
            format!(
                "公示至 {} / publicity {}",
                until.describe_zh(),
                until.describe_en()
            ),
        );
        w.effects.push(Effect::Announcement {
            entry: id,
            kind: AnnouncementKind::Publicity,
            text,
        });
        Ok(())
    })
}

/// Put a proposed entry on its list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    pub on: NaiveDate,
    pub actor: String,
    pub department: String,
    pub entry: String,
    /// A separate listing decision document, if one is made (49号 (八) 「必要时也可由认定部门单独
    /// 制作认定严重失信主体名单的决定文书」).
    pub document: Option<String>,
}

/// List an entry. Refused while an objection on it is under verification (1798号 (八);
/// 33号 (二十二)); without a delivered notice and an elapsed response period where one is needed
/// (1798号 (七); 49号 (八)); before publicity is over (1798号 (八)); for a red candidate on a
/// serious list (1798号 (八)). On success: `expires_on` = `on` + validity; a serious listing
/// removes red entries (1798号 (七) (十九)) and takes over same-domain watch entries (1798号
/// (十七)); a watch listing removes red entries (1798号 (十九) 二) and, with watch entries in 3 or
/// more domains, enters the big-data warning list (1798号 (十七)).
pub fn list(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &ListEntry,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let on = cmd.on;
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        require("actor", &cmd.actor)?;
        let std = w.std_of(i)?;
        let e = &w.book.entries[i];
        if !e.state.is_pending() {
            return Err(wrong_entry_state(e, "proposed | notified | in_publicity"));
        }
        if !std.is_published_by(on) {
            return Err(Refusal::StandardNotPublished {
                code: std.code.clone(),
                version: std.version,
            });
        }
        if std.legal_basis.iter().all(|b| blank(b)) {
            return Err(Refusal::NoLegalBasis {
                code: std.code.clone(),
                version: std.version,
            });
        }
        if let Some(o) = w.open_objection(&Target::Entry(e.id.clone())) {
            return Err(Refusal::UnderVerification {
                target: format!("entry {}", e.id),
                objection: o.to_owned(),
            });
        }
        let mut respond_by = None;
        if std.needs_notice(e.subject_is_person) {
            let basis = std.notice_basis(e.subject_is_person).to_owned();
            let Some(notice) = &e.notice else {
                return Err(Refusal::NoticeRequired {
                    entry: e.id.clone(),
                    basis,
                });
            };
            if notice.delivered_on.is_none() {
                return Err(Refusal::NoticeNotDelivered {
                    entry: e.id.clone(),
                    basis,
                });
            }
            let d = notice.respond_by.resolve(w.cal);
            match d.date() {
                Some(by) if on <= by => {
                    return Err(Refusal::ResponsePeriodNotOver {
                        entry: e.id.clone(),
                        respond_by: by,
                    });
                }
                Some(_) => respond_by = Some(d),
                None => return Err(Refusal::not_computable(&d)),
            }
        }
        if e.kind == ListKind::Red && e.publicity.is_none() {
            return Err(Refusal::PublicityRequired {
                entry: e.id.clone(),
            });
        }
        let mut publicity_until = None;
        if let Some(p) = &e.publicity {
            let d = p.until.resolve(w.cal);
            match d.date() {
                Some(until) if on <= until => {
                    return Err(Refusal::PublicityNotOver {
                        entry: e.id.clone(),
                        until,
                    });
                }
                Some(_) => publicity_until = Some(d),
                None => return Err(Refusal::not_computable(&d)),
            }
        }
        if e.kind == ListKind::Red
            && let Some(refusal) = w.red_refusal(on)
        {
            return Err(refusal);
        }
        let expires = std.validity_months.map(|m| add_months(on, m)).transpose()?;
        {
            let e = &mut w.book.entries[i];
            if let (Some(d), Some(n)) = (respond_by, e.notice.as_mut()) {
                n.respond_by = d;
            }
            if let (Some(d), Some(p)) = (publicity_until, e.publicity.as_mut()) {
                p.until = d;
            }
            e.state = EntryState::Listed;
            e.listed_on = Some(on);
            e.expires_on = expires;
        }
        let note = match expires {
            Some(x) => format!(
                "列入{}，有效期至 {x}（不含）/ listed until {x}",
                std.kind.label_zh()
            ),
            None => format!(
                "列入{}，至满足移出条件 / listed until an exit condition is met",
                std.kind.label_zh()
            ),
        };
        w.step(i, on, "list", &cmd.actor, cmd.document.clone(), note);
        w.after_listing(i, on)
    })
}

/// Take an entry off its list by decision of the identifying department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitEntry {
    pub on: NaiveDate,
    pub actor: String,
    /// Must be the identifying department.
    pub department: String,
    pub entry: String,
    /// `Withdrawn` or `StandardChanged`.
    pub reason: ExitReason,
    pub document: Option<String>,
    pub note: String,
}

/// Manual exit: `Withdrawn` (any open entry) or `StandardChanged` (listed entries, once a newer
/// version of their standard is published: 1798号 (十八) 四、(十九) 四 「认定标准发生改变」).
/// Repair is not a manual exit: it is the subject's application, accepted and decided under the
/// standard's repair rules ([`crate::submit_repair`], [`crate::decide_repair`]; 国家发展改革委令
/// 第36号). Other reasons come from their own operations. A serious entry that was listed enters
/// the watch list (1798号 (十八)).
pub fn exit(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &ExitEntry,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        if !matches!(
            cmd.reason,
            ExitReason::Withdrawn | ExitReason::StandardChanged
        ) {
            return Err(Refusal::ExitReasonNotManual { reason: cmd.reason });
        }
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        require("actor", &cmd.actor)?;
        // The API's and CLI's `reason` (退出理由).
        require("reason（退出理由）", &cmd.note)?;
        let e = &w.book.entries[i];
        match cmd.reason {
            ExitReason::Withdrawn if !e.state.is_open() => {
                return Err(wrong_entry_state(
                    e,
                    "proposed | notified | in_publicity | listed",
                ));
            }
            ExitReason::StandardChanged if e.state != EntryState::Listed => {
                return Err(wrong_entry_state(e, "listed"));
            }
            _ => {}
        }
        if cmd.reason == ExitReason::StandardChanged {
            let newer = w
                .standards
                .latest_published(&e.standard_code, cmd.on)
                .is_some_and(|s| s.version > e.standard_version);
            if !newer {
                return Err(Refusal::StandardUnchanged {
                    code: e.standard_code.clone(),
                    version: e.standard_version,
                });
            }
        }
        w.exit_entry(
            i,
            ExitSpec {
                on: cmd.on,
                reason: cmd.reason,
                document: cmd.document.clone(),
                note: cmd.note.clone(),
                caused_by: None,
                actor: &cmd.actor,
            },
        )
    })
}

/// The identifying department corrects its own error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectError {
    pub on: NaiveDate,
    pub actor: String,
    pub department: String,
    pub entry: String,
    pub document: Option<String>,
    pub reason: String,
}

/// Erase an entry the identifying department found to be listed in error without an objection
/// (1798号 (二十三) 「主动发现…名单信息不准确的…认定部门（单位）应及时核实并反馈。因工作失误导致…
/// 误列入“黑名单”的，认定部门（单位）应及时更正」). Same effects as an upheld objection.
pub fn correct_error(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &CorrectError,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        let i = w.live_idx(&cmd.entry)?;
        w.check_department(i, &cmd.department)?;
        require("actor", &cmd.actor)?;
        require("reason", &cmd.reason)?;
        w.erase_entry(
            i,
            cmd.on,
            &cmd.reason,
            None,
            &cmd.actor,
            cmd.document.clone(),
        )
    })
}

/// Exit every listed entry whose validity has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpireDue {
    /// Today.
    pub on: NaiveDate,
}

/// Exit every listed entry whose `expires_on` is on or before `cmd.on`, with reason `Expired`,
/// dated `expires_on` (the day it left the list; 1798号 (十八) 三、(十九) 三 「待…有效期届满自动
/// 退出」), with the consequences (watch entry after a serious exit). Every other operation does
/// the same catch-up first. Never refused for its date: an earlier date finds nothing new.
pub fn expire_due(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &ExpireDue,
) -> Result<Vec<Effect>, Refusal> {
    let mut w = Work {
        book: book.clone(),
        standards,
        ids,
        cal,
        effects: Vec::new(),
    };
    w.catch_up(cmd.on)?;
    *book = w.book;
    Ok(w.effects)
}

/// A new version of a standard has been published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardChange {
    pub on: NaiveDate,
    pub actor: String,
    pub document: Option<String>,
}

/// Re-assess open entries under older versions of `new.code` against the new version:
/// entries for which `still_meets` is false leave with `StandardChanged` (1798号 (十八) 四、
/// (十九) 四 「认定标准发生改变，对于不符合新认定标准的主体，将其从…名单中删除」); the others
/// keep the version they were identified under, with a step recording the re-assessment.
pub fn standard_changed(
    book: &mut Book,
    standards: &Standards,
    ids: &mut dyn IdSource,
    cal: &Calendar,
    cmd: &StandardChange,
    new: &Standard,
    still_meets: impl Fn(&Entry) -> bool,
) -> Result<Vec<Effect>, Refusal> {
    run(book, standards, ids, cal, cmd.on, |w| {
        require("actor", &cmd.actor)?;
        if !new.is_published_by(cmd.on) {
            return Err(Refusal::StandardNotPublished {
                code: new.code.clone(),
                version: new.version,
            });
        }
        if new.legal_basis.iter().all(|b| blank(b)) {
            return Err(Refusal::NoLegalBasis {
                code: new.code.clone(),
                version: new.version,
            });
        }
        let decisions: Vec<(usize, bool)> = w
            .book
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.state.is_open()
                    && e.standard_code == new.code
                    && e.standard_version < new.version
                    && matches!(e.origin, Origin::Identified | Origin::MovedFromWatch { .. })
            })
            .map(|(i, e)| (i, still_meets(e)))
            .collect();
        for (i, meets) in decisions {
            if w.book.entries[i].state.is_open() {
                if meets {
                    w.step(
                        i,
                        cmd.on,
                        "reassess",
                        &cmd.actor,
                        cmd.document.clone(),
                        format!(
                            "认定标准 {} 第 {} 版公布，经复核仍符合 / still meets version {}",
                            new.code, new.version, new.version
                        ),
                    );
                } else {
                    w.exit_entry(
                        i,
                        ExitSpec {
                            on: cmd.on,
                            reason: ExitReason::StandardChanged,
                            document: cmd.document.clone(),
                            note: format!(
                                "不符合认定标准 {} 第 {} 版（1798号（十八）四、（十九）四）",
                                new.code, new.version
                            ),
                            caused_by: None,
                            actor: &cmd.actor,
                        },
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// A domain as texts name it: `税务领域`, and `跨领域` as it is (not 「跨领域领域」).
fn domain_zh(domain: &str) -> String {
    let d = domain.trim();
    if d.ends_with("领域") {
        d.to_owned()
    } else {
        format!("{d}领域")
    }
}

/// `，认定文书 …` for a text's list of particulars, or nothing when the entry has no document of
/// its own (an automatic entry).
fn document_zh(label: &str, document: &str) -> String {
    if blank(document) {
        String::new()
    } else {
        format!("，{label} {}", document.trim())
    }
}

/// The rule a publicity cites: 1798号 (八) for the red list, where publicity is the procedure;
/// (七) 「可根据需要履行告知或公示程序。有异议的，由认定部门（单位）核实」 for the others.
fn publicity_basis(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Red => {
            "1798号（八）「经公示无异议的，认定为“红名单”；有异议的，由认定部门（单位）核实」"
        }
        ListKind::Serious | ListKind::Watch | ListKind::Warning => {
            "1798号（七）「可根据需要履行告知或公示程序。有异议的，由认定部门（单位）核实」"
        }
    }
}

pub(crate) fn wrong_entry_state(e: &Entry, expected: &str) -> Refusal {
    Refusal::WrongState {
        item: format!("entry {}", e.id),
        expected: expected.to_owned(),
        found: e.state.as_str().to_owned(),
    }
}
