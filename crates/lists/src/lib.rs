//! Red, serious-dishonesty, watch and big-data warning lists of chengxin, free of I/O.
//!
//! 红名单 / 严重失信主体名单 / 重点关注名单 / 大数据警示名单 ([`ListKind`]): their identification
//! standards ([`Standard`], [`Standards`]), the lifecycle of an entry ([`Entry`]: propose →
//! notify → publicise → list → exit), objections ([`Objection`], 异议) and credit repair
//! ([`RepairApplication`], 信用修复), and an explainable status on any date
//! ([`status_as_of`]).
//!
//! # How it is used
//!
//! The store loads a subject's [`Book`], calls one operation with the [`Standards`], an
//! [`IdSource`], the working-day [`Calendar`] and a command, saves the book and acts on the
//! returned [`Effect`]s (outbox events, announcements, notices). An operation either succeeds
//! or returns a [`Refusal`] (stable [`Refusal::code`], Chinese + English message naming the
//! article) and leaves the book unchanged. Before any operation, entries whose validity has
//! ended by the operation's date are exited ([`expire_due`]). Operations dated before the last
//! date recorded in the book are refused (history is recorded in date order).
//!
//! # Sources
//!
//! * 发改财金规〔2017〕1798号 《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》
//!   (seed 002): standards (三), identification (六)(七)(八), publication (十)(十一), repair (十四)
//!   (十五), watch and warning lists (十六)(十七), exit (十八)(十九)(二十), objections and
//!   corrections (二十一)(二十二)(二十三).
//! * 国发〔2016〕33号 (二十一) repair, (二十二) objections suspend measures during verification.
//! * 国办发〔2019〕35号 (八) serious and watch lists, (九) rectification, (十三) repair methods.
//! * 国办发〔2020〕49号 (六)(七)(八) standards and procedure of serious lists, (十一)(十二) repair,
//!   free of charge.
//! * 国家发展改革委令第36号 《信用修复管理办法》 (standards.md §5): repair = stop publication + stop
//!   sharing + lift measures, never deletion.
//!
//! Numbers the texts do not fix are configurable defaults, marked as such: red publicity 7
//! working days ([`DEFAULT_PUBLICITY_WORKING_DAYS`]), notice response 5 working days
//! ([`DEFAULT_NOTICE_RESPONSE_WORKING_DAYS`]), objection and repair 3 / 10 working days
//! ([`ObjectionRules`], [`RepairRules`]).
//!
//! # Dates
//!
//! * Working-day periods count from the day after the trigger (`chengxin-calendar`). A period
//!   reaching a year the calendar does not cover is a [`Deadline::Pending`], never a guess.
//! * `expires_on` = `listed_on` + validity months; the entry is **off** the list on that day
//!   ([`Entry::is_on_list`]), and `expire_due` records the exit on that day.
//! * A publicity or response period ending on day D allows listing from D + 1.

//! # Example
//!
//! ```
//! use chengxin_lists::*;
//! use chrono::NaiveDate;
//!
//! let standards = Standards::default_standards();
//! let cal = Calendar::china();
//! let mut ids = SequentialIds::default();
//! let mut book = Book::new("91350100M000100Y43", false);
//! let on = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
//! let effects = propose(&mut book, &standards, &mut ids, cal, &Propose {
//!     on,
//!     actor: "officer-1".into(),
//!     department: DEMO_DEPARTMENT.into(),
//!     standard_code: "env-watch".into(),
//!     standard_version: None,
//!     document: "榕环罚〔2026〕8号".into(),
//!     reason: "一年内两次超标排放".into(),
//!     watch_months: None,
//!     repeat_offender: false,
//! })?;
//! let Some(Effect::Proposed { entry }) = effects.first() else { unreachable!() };
//! // A legal person on a watch list needs no prior notice (a natural person would).
//! list(&mut book, &standards, &mut ids, cal, &ListEntry {
//!     on,
//!     actor: "officer-1".into(),
//!     department: DEMO_DEPARTMENT.into(),
//!     entry: entry.clone(),
//!     document: None,
//! })?;
//! let status = status_as_of(&book, &standards, on);
//! assert_eq!(status[0].kind, ListKind::Watch);
//! assert_eq!(status[0].expires_on, NaiveDate::from_ymd_opt(2027, 3, 2));
//! assert!(!status[0].public); // watch lists are shared, not published (1798号（十六）)
//! # Ok::<(), Refusal>(())
//! ```

mod deadline;
mod effect;
mod model;
mod names;
mod ops;
mod refusal;
mod remedies;
mod standard;
mod status;

pub use chengxin_calendar::Calendar;
pub use deadline::Deadline;
pub use effect::{AnnouncementKind, Effect, OutboxEvent, actions, kinds};
pub use model::{
    Book, Correction, Entry, EntryState, Exit, ExitReason, IdSource, Names, Notice, Objection,
    ObjectionOutcome, ObjectionRules, ObjectionState, Origin, Publicity, RepairApplication,
    RepairRules, RepairState, SequentialIds, Step, Target,
};
pub use names::{Disclosure, ListKind, RepairMethod, UnknownName};
pub use ops::{
    CorrectError, ExitEntry, ExpireDue, ListEntry, Propose, RecordDelivery, SYSTEM_ACTOR,
    SendNotice, StandardChange, StartPublicity, correct_error, exit, expire_due, list, propose,
    record_delivery, send_notice, standard_changed, start_publicity,
};
pub use refusal::Refusal;
pub use remedies::{
    AcceptObjection, AcceptRepair, DecideObjection, DecideRepair, SubmitObjection, SubmitRepair,
    accept_objection, accept_repair, decide_objection, decide_repair, submit_objection,
    submit_repair,
};
pub use standard::{
    DEFAULT_NOTICE_RESPONSE_WORKING_DAYS, DEFAULT_PUBLICITY_WORKING_DAYS, DEFAULT_STANDARDS_TOML,
    DEMO_DEPARTMENT, RepairRule, Standard, Standards, StandardsError,
};
pub use status::{
    SUSPENSION_REASON, StatusLine, Suspension, effective_disclosure, is_public_entry, is_suspended,
    public_status_as_of, resolve_deadlines, status_as_of,
};

/// The glossary name of [`Standard`] (DESIGN.md: 认定标准 = `ListStandard`).
pub type ListStandard = Standard;

#[cfg(test)]
mod tests;
