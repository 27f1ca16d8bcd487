//! Deadlines counted in working days, honest about what cannot be computed yet.

use chengxin_calendar::{Calendar, CalendarError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A due date counted in working days (工作日).
///
/// Working days depend on the State Council's yearly holiday notice; the calendar crate covers
/// 2015–2026 only. A deadline that runs into a year whose holidays are not yet published is
/// **never guessed** with a weekends-only rule: it stays [`Deadline::Pending`] with an
/// explanation, and [`Deadline::resolve`] turns it into a date once the calendar covers it.
///
/// Counting follows `chengxin-calendar`: the day after `from` is day 1 (common administrative
/// practice; 《民法典》第二百零一条).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// The last day of the period (inclusive).
    Date(NaiveDate),
    /// `working_days` after `from`, not computable with the calendar data available.
    Pending {
        from: NaiveDate,
        working_days: u32,
        /// Why, in Chinese and English, for the applicant and the operator.
        explanation: String,
    },
    /// The period has not started (e.g. a response period that runs from delivery of a notice
    /// that has not been delivered yet).
    NotStarted {
        working_days: u32,
        /// What starts the period, in Chinese and English.
        explanation: String,
    },
}

impl Deadline {
    /// `n` working days after `from`, or [`Deadline::Pending`] when the calendar does not cover
    /// the period.
    pub fn working_days(cal: &Calendar, from: NaiveDate, n: u32) -> Deadline {
        match cal.add_working_days(from, n) {
            Ok(d) => Deadline::Date(d),
            Err(e) => Deadline::Pending {
                from,
                working_days: n,
                explanation: pending_explanation(from, n, &e),
            },
        }
    }

    /// A period of `n` working days that starts when `trigger` happens.
    pub fn not_started(n: u32, trigger: &str) -> Deadline {
        Deadline::NotStarted {
            working_days: n,
            explanation: format!(
                "{n} 个工作日，自{trigger}起算，尚未开始 / {n} working days from {trigger}, not started yet"
            ),
        }
    }

    /// The due date, if known.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Deadline::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// Whether the due date is not yet known.
    pub fn is_pending(&self) -> bool {
        !matches!(self, Deadline::Date(_))
    }

    /// A pending deadline recomputed with `cal` (a date if the calendar now covers it); other
    /// deadlines unchanged.
    pub fn resolve(&self, cal: &Calendar) -> Deadline {
        match self {
            Deadline::Pending {
                from, working_days, ..
            } => Deadline::working_days(cal, *from, *working_days),
            other => other.clone(),
        }
    }

    /// Human-readable description (Chinese / English).
    pub fn describe(&self) -> String {
        format!("{} / {}", self.describe_zh(), self.describe_en())
    }

    /// The description in Chinese only, for texts written in Chinese (announcements, the
    /// Chinese half of a step's reason).
    pub fn describe_zh(&self) -> String {
        match self {
            Deadline::Date(d) => format!("{d} 前"),
            Deadline::Pending { explanation, .. } | Deadline::NotStarted { explanation, .. } => {
                explanation
                    .split_once(" / ")
                    .map_or(explanation.as_str(), |(zh, _)| zh)
                    .to_owned()
            }
        }
    }

    /// The description in English only.
    pub fn describe_en(&self) -> String {
        match self {
            Deadline::Date(d) => format!("by {d}"),
            Deadline::Pending { explanation, .. } | Deadline::NotStarted { explanation, .. } => {
                explanation
                    .split_once(" / ")
                    .map_or(explanation.as_str(), |(_, en)| en)
                    .to_owned()
            }
        }
    }
}

fn pending_explanation(from: NaiveDate, n: u32, e: &CalendarError) -> String {
    match e {
        CalendarError::YearNotCovered { year, .. } => format!(
            "自 {from} 起 {n} 个工作日：{year} 年节假日安排（国务院办公厅年度通知）尚未纳入日历，期限暂无法计算，\
             日历更新后确定，不按周末推算 / {n} working days from {from}: the {year} holiday \
             arrangement is not in the calendar yet, so the due date cannot be computed; it will \
             be fixed once the calendar is updated (never guessed from weekends)"
        ),
        other => format!(
            "自 {from} 起 {n} 个工作日：期限暂无法计算（{other}） / {n} working days from {from}: \
             cannot be computed ({other})"
        ),
    }
}
