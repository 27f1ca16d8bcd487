//! Explainable list status of a subject on a date.

use std::borrow::Cow;

use chengxin_calendar::Calendar;
use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Book, Entry, Origin, Target};
use crate::names::{Disclosure, ListKind};
use crate::standard::{Standard, Standards};

/// Why measures on an entry were suspended on the date asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Suspension<'a> {
    pub objection: &'a str,
    pub submitted_on: NaiveDate,
    /// The rule (Chinese / English).
    pub reason: &'static str,
}

/// The reason text of [`Suspension::reason`].
pub const SUSPENSION_REASON: &str = "异议核查中，联合惩戒措施在信息核实期间暂不执行（国发〔2016〕33号（二十二））/ \
     under verification after an objection: measures are suspended while it is checked";

/// One list the subject was on, with everything that grounds it. Borrowed from the book and the
/// standards: building it allocates only the result vector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusLine<'a> {
    pub entry: &'a str,
    pub kind: ListKind,
    pub kind_zh: &'static str,
    pub standard_code: &'a str,
    pub standard_version: u32,
    /// `None` if the standard is not in the collection given.
    pub standard_title: Option<&'a str>,
    pub legal_basis: &'a [String],
    pub domain: &'a str,
    pub document: &'a str,
    pub department: &'a str,
    pub reason: &'a str,
    pub listed_on: NaiveDate,
    /// First day off the list, if the validity is limited.
    pub expires_on: Option<NaiveDate>,
    /// How the entry came about. In [`public_status_as_of`], without the entries the public may
    /// not see ([`Origin::seen_by`]).
    pub origin: Cow<'a, Origin>,
    /// An objection was under verification on that date.
    pub suspended: bool,
    pub suspension: Option<Suspension<'a>>,
    /// Whether the entry is published on the portal.
    pub public: bool,
}

/// The disclosure of an entry: its standard's, except that a watch entry made automatically
/// after a serious exit is shared but not published (1798号 (十六) 「有选择地对外公开」), and an
/// entry whose standard is unknown is not published.
pub fn effective_disclosure(entry: &Entry, standard: Option<&Standard>) -> Disclosure {
    match (standard, &entry.origin) {
        (None, _) => Disclosure::None,
        (Some(s), Origin::WatchAfterSeriousExit { .. }) if s.disclosure == Disclosure::Public => {
            Disclosure::Authorised
        }
        (Some(s), _) => s.disclosure,
    }
}

/// Every list the subject was on at `date`: `listed_on <= date`, not exited on or before
/// `date`, not expired on or before `date` (expiry counts even if `expire_due` never ran).
/// Erased entries never appear. `suspended` is judged from objections' submission and closing
/// dates, so past dates get the answer they had then.
pub fn status_as_of<'a>(
    book: &'a Book,
    standards: &'a Standards,
    date: NaiveDate,
) -> Vec<StatusLine<'a>> {
    book.entries
        .iter()
        .filter(|e| e.is_on_list(date))
        .filter_map(|e| {
            let listed_on = e.listed_on?;
            let standard = standards.get(&e.standard_code, e.standard_version);
            let suspension = book
                .objections
                .iter()
                .find(|o| matches!(&o.target, Target::Entry(t) if *t == e.id) && o.open_on(date))
                .map(|o| Suspension {
                    objection: &o.id,
                    submitted_on: o.submitted_on,
                    reason: SUSPENSION_REASON,
                });
            Some(StatusLine {
                entry: &e.id,
                kind: e.kind,
                kind_zh: e.kind.label_zh(),
                standard_code: &e.standard_code,
                standard_version: e.standard_version,
                standard_title: standard.map(|s| s.title.as_str()),
                legal_basis: standard.map_or(&[][..], |s| s.legal_basis.as_slice()),
                domain: &e.domain,
                document: &e.document,
                department: &e.department,
                reason: &e.reason,
                listed_on,
                expires_on: e.expires_on,
                origin: Cow::Borrowed(&e.origin),
                suspended: suspension.is_some(),
                suspension,
                public: effective_disclosure(e, standard) == Disclosure::Public,
            })
        })
        .collect()
}

/// Whether the public may read entry `id` of `book`: it exists, is not erased and its disclosure
/// is public (1798号 (十一) publishes red and serious lists; (十六) the watch list only
/// 「有选择地对外公开」).
pub fn is_public_entry(book: &Book, standards: &Standards, id: &str) -> bool {
    book.entry(id).is_some_and(|e| {
        e.state != crate::model::EntryState::Erased
            && effective_disclosure(e, standards.get(&e.standard_code, e.standard_version))
                == Disclosure::Public
    })
}

/// [`status_as_of`] as the public (and any reader but staff and the subject itself) may read it:
/// publicly disclosed entries only, whose origins name no entry the public may not see — a
/// watch entry that was not published is neither named nor counted (国办发〔2020〕49号 (四);
/// 1798号 (十六)).
pub fn public_status_as_of<'a>(
    book: &'a Book,
    standards: &'a Standards,
    date: NaiveDate,
) -> Vec<StatusLine<'a>> {
    status_as_of(book, standards, date)
        .into_iter()
        .filter(|l| l.public)
        .map(|mut l| {
            let seen = l.origin.seen_by(|id| is_public_entry(book, standards, id));
            if seen != *l.origin {
                l.origin = Cow::Owned(seen);
            }
            l
        })
        .collect()
}

/// Whether `target` was under verification (an objection submitted and not yet closed) on
/// `date` (国发〔2016〕33号 (二十二)).
pub fn is_suspended(book: &Book, target: &Target, date: NaiveDate) -> bool {
    book.objections
        .iter()
        .any(|o| &o.target == target && o.open_on(date))
}

/// Recompute every pending deadline in the book with `cal` (after the calendar gained a year).
/// Returns whether anything changed. Not an operation: no history step is recorded.
pub fn resolve_deadlines(book: &mut Book, cal: &Calendar) -> bool {
    let mut changed = false;
    let mut fix = |d: &mut crate::Deadline| {
        if let crate::Deadline::Pending { .. } = d {
            let r = d.resolve(cal);
            if r != *d {
                *d = r;
                changed = true;
            }
        }
    };
    for e in &mut book.entries {
        if let Some(n) = e.notice.as_mut() {
            fix(&mut n.respond_by);
        }
        if let Some(p) = e.publicity.as_mut() {
            fix(&mut p.until);
        }
    }
    for o in &mut book.objections {
        fix(&mut o.accept_by);
        fix(&mut o.decide_by);
    }
    for r in &mut book.repairs {
        fix(&mut r.accept_by);
        fix(&mut r.decide_by);
    }
    changed
}
