//! Publication windows (公示期): see [`Window`] for the counting rule.

use crate::model::{CatalogItem, Publication, Severity, SeverityPeriod};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// When a record is shown on the portal.
///
/// Counting rule. 国家发展改革委令第36号 and 国办发〔2025〕22号 (二) count the periods "from the
/// date of the decision" (自…决定之日起). Periods in months are counted as the Civil Code does
/// (《民法典》第二百零一条: the start day is not counted; 第二百零二条: a period in months ends on
/// the day of the final month that corresponds to the start day, or on that month's last day
/// when it has no such day). So a 1-year period from a decision of 2026-01-10 ends on
/// 2027-01-10, a 3-month period from 2026-11-30 ends on 2027-02-28.
///
/// * `until` is the **last day shown** (inclusive): decision date + `max_months`.
///   [`Window::is_public_on`] is true on it and false from the next day.
/// * `min_until` is the last day of the minimum period: decision date + `min_months` (`None`
///   when the minimum is 0). A subject may apply for early termination (信用修复) once it has
///   passed (36号令: "达到最短公示期限"); repair is the store's business, not this crate's.
/// * `from` is the decision date: the record may be shown from then on (it is shown once it
///   has been reported).
///
/// Example: a 一般 penalty decided on 2026-01-10 has `min_until` 2026-04-10 and `until`
/// 2027-01-10; it is public on 2027-01-10 and not on 2027-01-11.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Window {
    /// Never shown (item not published, or a severity whose maximum period is 0).
    NotPublished,
    /// Shown from `from` to `until` inclusive (`None`: no end).
    Published {
        from: NaiveDate,
        /// Last day of the minimum period (`None`: no minimum).
        min_until: Option<NaiveDate>,
        /// Last day shown (`None`: no end).
        until: Option<NaiveDate>,
    },
}

impl Window {
    /// Whether the record is shown on `day` (both ends inclusive).
    pub fn is_public_on(&self, day: NaiveDate) -> bool {
        match self {
            Window::NotPublished => false,
            Window::Published { from, until, .. } => *from <= day && until.is_none_or(|u| day <= u),
        }
    }

    /// First day shown, if published.
    pub fn publish_from(&self) -> Option<NaiveDate> {
        match self {
            Window::NotPublished => None,
            Window::Published { from, .. } => Some(*from),
        }
    }

    /// Last day of the minimum period, if any.
    pub fn min_until(&self) -> Option<NaiveDate> {
        match self {
            Window::NotPublished => None,
            Window::Published { min_until, .. } => *min_until,
        }
    }

    /// Last day shown, if published and bounded.
    pub fn until(&self) -> Option<NaiveDate> {
        match self {
            Window::NotPublished => None,
            Window::Published { until, .. } => *until,
        }
    }
}

/// `date` + `months` by the Civil Code rule (clamped to the month's last day); `None` past the
/// calendar's end.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// The range a 公示截止期 may take: `(earliest, latest)`, latest `None` for no end.
/// `None` when nothing is published.
pub(crate) fn allowed_until(
    item: &CatalogItem,
    severity: Option<Severity>,
    decision_date: NaiveDate,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    match item.publication_window(severity, decision_date, None) {
        Window::NotPublished => None,
        Window::Published {
            from,
            min_until,
            until,
        } => Some((min_until.unwrap_or(from), until)),
    }
}

impl CatalogItem {
    /// The severity period that applies: `severity` if the item lists it, else the item's
    /// default. `None` for items without a window.
    pub fn period(&self, severity: Option<Severity>) -> Option<SeverityPeriod> {
        let Publication::Window {
            periods,
            default_severity,
        } = &self.publication
        else {
            return None;
        };
        let find = |s: Severity| periods.iter().find(|p| p.severity == s).copied();
        severity.and_then(find).or_else(|| find(*default_severity))
    }

    /// When a validated row is shown: [`Self::publication_window`] of its severity, decision
    /// date and 公示截止期; for an item published while valid, ended at the row's end of
    /// validity (有效期至) when it has one — an expired licence is no longer valid and leaves the
    /// portal on its own, staying in history.
    ///
    /// Source: no national text sets when a licence leaves publicity (standards.md §4 has only
    /// the 7-working-day rule for putting it online, 国办发〔2015〕51号 (十八), 国发〔2016〕33号
    /// (十七)); this is chengxin's reading of its own catalog rule `while_valid`, the only one
    /// that gives the period an end.
    pub fn window_of(&self, d: &crate::row::Draft) -> Window {
        let w = self.publication_window(d.severity, d.decision_date, d.publish_until);
        match (&self.publication, w, d.valid_to) {
            (
                Publication::WhileValid,
                Window::Published {
                    from,
                    min_until,
                    until,
                },
                Some(v),
            ) => Window::Published {
                from,
                min_until,
                until: Some(until.map_or(v, |u| u.min(v))),
            },
            (_, w, _) => w,
        }
    }

    /// When a record decided on `decision_date` is shown.
    ///
    /// * [`Publication::None`] → [`Window::NotPublished`].
    /// * [`Publication::WhileValid`] → from the decision date, no minimum, no end (or
    ///   `publish_until` when given and not before the decision date).
    /// * [`Publication::Window`] → the period of `severity` (the item's default severity when
    ///   `None` or not listed): not published when its `max_months` is 0; otherwise from the
    ///   decision date, `min_until` = decision + `min_months` (`None` for 0), `until` =
    ///   decision + `max_months`. A `publish_until` inside `[min_until (or decision), until]` is
    ///   honoured as the last day; one outside is clamped into that range
    ///   ([`CatalogItem::validate`] refuses such rows with rule `publish_until`).
    ///
    /// See [`Window`] for the counting rule (《民法典》第二百零一条、第二百零二条).
    pub fn publication_window(
        &self,
        severity: Option<Severity>,
        decision_date: NaiveDate,
        publish_until: Option<NaiveDate>,
    ) -> Window {
        match &self.publication {
            Publication::None => Window::NotPublished,
            Publication::WhileValid => Window::Published {
                from: decision_date,
                min_until: None,
                until: publish_until.filter(|u| *u >= decision_date),
            },
            Publication::Window { .. } => {
                let Some(p) = self.period(severity) else {
                    return Window::NotPublished;
                };
                if p.max_months == 0 {
                    return Window::NotPublished;
                }
                // Past the calendar's end (impossible with MAX_PERIOD_MONTHS): no end.
                let max = add_months(decision_date, p.max_months);
                let min = match p.min_months {
                    0 => None,
                    m => add_months(decision_date, m),
                };
                let lo = min.unwrap_or(decision_date);
                let until = match (publish_until, max) {
                    (Some(u), Some(m)) => Some(u.clamp(lo, m)),
                    (Some(u), None) => Some(u.max(lo)),
                    (None, m) => m,
                };
                Window::Published {
                    from: decision_date,
                    min_until: min,
                    until,
                }
            }
        }
    }
}
