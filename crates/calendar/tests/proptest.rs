//! Property tests of the working-day arithmetic on the embedded calendar.
#![allow(clippy::unwrap_used)]

use chengxin_calendar::{Calendar, CalendarError, NaiveDate};
use chrono::Datelike;
use proptest::prelude::*;

const FIRST: i32 = 2015;
const LAST: i32 = 2026;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST, 1, 1).unwrap()
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST, 12, 31).unwrap()
}

/// A date in 2015-01-01..=2026-12-31.
fn covered_date() -> impl Strategy<Value = NaiveDate> {
    let span = (last_day() - first_day()).num_days();
    (0..=span).prop_map(|k| first_day() + chrono::Duration::days(k))
}

/// Any date chrono can represent.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
        .prop_map(|k| NaiveDate::from_num_days_from_ce_opt(k).unwrap())
}

/// Dates near and across the edges of the covered range.
fn edge_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (-400i64..400).prop_map(|k| first_day() + chrono::Duration::days(k)),
        (-400i64..400).prop_map(|k| last_day() + chrono::Duration::days(k)),
    ]
}

fn not_covered(year: i32) -> CalendarError {
    CalendarError::YearNotCovered {
        year,
        first: FIRST,
        last: LAST,
    }
}

fn covered(date: NaiveDate) -> bool {
    (FIRST..=LAST).contains(&date.year())
}

/// Reference implementation: step one day at a time.
fn naive_add(cal: &Calendar, start: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if cal.is_working_day(day).ok()? {
            left -= 1;
        }
    }
    Some(day)
}

fn naive_between(cal: &Calendar, start: NaiveDate, end: NaiveDate) -> u32 {
    start
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= end)
        .filter(|d| cal.is_working_day(*d).unwrap())
        .count() as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn between_inverts_add(d in covered_date(), n in 0u32..200) {
        let cal = Calendar::china();
        match cal.add_working_days(d, n) {
            Ok(end) => {
                prop_assert!(end >= d);
                prop_assert_eq!(cal.working_days_between(d, end).unwrap(), n);
                if n > 0 {
                    prop_assert!(cal.is_working_day(end).unwrap());
                    prop_assert!(end > d);
                } else {
                    prop_assert_eq!(end, d);
                }
                prop_assert!(cal.within_working_days(d, end, n).unwrap());
            }
            Err(e) => {
                // Only possible when the n-th working day would be after 2026.
                prop_assert_eq!(e, not_covered(LAST + 1));
                prop_assert!(cal.working_days_between(d, last_day()).unwrap() < n);
            }
        }
    }

    #[test]
    fn add_matches_day_by_day_stepping(d in covered_date(), n in 0u32..200) {
        let cal = Calendar::china();
        let fast = cal.add_working_days(d, n).ok();
        let slow = naive_add(cal, d, n);
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn between_matches_day_by_day_counting(a in covered_date(), span in 0i64..400) {
        let cal = Calendar::china();
        let b = (a + chrono::Duration::days(span)).min(last_day());
        prop_assert_eq!(cal.working_days_between(a, b).unwrap(), naive_between(cal, a, b));
        prop_assert_eq!(cal.working_days_between(b, a).unwrap(), 0);
    }

    #[test]
    fn add_is_monotonic_in_n(d in covered_date(), n1 in 0u32..200, n2 in 0u32..200) {
        let cal = Calendar::china();
        let (lo, hi) = (n1.min(n2), n1.max(n2));
        if let (Ok(a), Ok(b)) = (cal.add_working_days(d, lo), cal.add_working_days(d, hi)) {
            prop_assert!(a <= b);
            if lo < hi {
                prop_assert!(a < b);
            }
        }
        // A larger n can only fail if a smaller one fails or also reaches 2027.
        if cal.add_working_days(d, hi).is_ok() {
            prop_assert!(cal.add_working_days(d, lo).is_ok());
        }
    }

    #[test]
    fn within_agrees_with_add(d in covered_date(), done in covered_date(), n in 0u32..200) {
        let cal = Calendar::china();
        let within = cal.within_working_days(d, done, n).unwrap();
        match cal.add_working_days(d, n) {
            Ok(deadline) => prop_assert_eq!(within, done <= deadline),
            // The deadline is after 2026-12-31 and done is not.
            Err(_) => prop_assert!(within),
        }
    }

    #[test]
    fn never_panics_and_rejects_uncovered_years(a in any_date(), b in any_date(), n in any::<u32>()) {
        check_any(a, b, n)?;
    }

    #[test]
    fn never_panics_near_the_edges(a in edge_date(), b in edge_date(), n in prop_oneof![0u32..500, any::<u32>()]) {
        check_any(a, b, n)?;
    }

    #[test]
    fn from_csv_never_panics(s in "\\PC*") {
        let _ = Calendar::from_csv(&s);
    }

    #[test]
    fn from_csv_never_panics_on_row_shaped_input(
        rows in proptest::collection::vec(
            ("[0-9]{4}-[0-9]{2}-[0-9]{2}", prop_oneof![Just("off"), Just("work"), Just("x")], "[a-z春节]{0,3}"),
            0..20,
        )
    ) {
        let mut text = String::from("date,kind,name\n");
        for (date, kind, name) in rows {
            text.push_str(&format!("{date},{kind},{name}\n"));
        }
        if let Ok(cal) = Calendar::from_csv(&text) {
            let years = cal.covered_years();
            let d = NaiveDate::from_ymd_opt(*years.start(), 1, 1).unwrap();
            prop_assert!(cal.is_working_day(d).is_ok());
        }
    }
}

fn check_any(a: NaiveDate, b: NaiveDate, n: u32) -> Result<(), TestCaseError> {
    let cal = Calendar::china();
    let expect_a = if covered(a) {
        None
    } else {
        Some(not_covered(a.year()))
    };
    let expect_b = if covered(b) {
        None
    } else {
        Some(not_covered(b.year()))
    };

    let r = cal.is_working_day(a);
    prop_assert_eq!(r.as_ref().err(), expect_a.as_ref());
    let r = cal.day_kind(a);
    prop_assert_eq!(r.as_ref().err(), expect_a.as_ref());

    match cal.add_working_days(a, n) {
        Ok(end) => prop_assert!(covered(a) && covered(end) && end >= a),
        Err(e) => match &expect_a {
            Some(want) => prop_assert_eq!(&e, want),
            None => prop_assert_eq!(e, not_covered(LAST + 1)),
        },
    }

    let between = cal.working_days_between(a, b);
    let within = cal.within_working_days(a, b, n);
    // A start before the data, `done` covered with more than n working days from the data's
    // first day: certainly late.
    let surely_late = a.year() < FIRST
        && covered(b)
        && cal.working_days_between(first_day(), b).unwrap_or(0)
            + u32::from(cal.is_working_day(first_day()).unwrap_or(false))
            > n;
    match expect_a.as_ref().or(expect_b.as_ref()) {
        Some(want) => {
            prop_assert_eq!(between.as_ref().err(), Some(want));
            if surely_late {
                prop_assert_eq!(within, Ok(false));
            } else {
                prop_assert_eq!(within.as_ref().err(), Some(want));
            }
        }
        None => {
            prop_assert!(between.is_ok());
            prop_assert!(within.is_ok());
        }
    }
    Ok(())
}
