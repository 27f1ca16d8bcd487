//! Unit tests on known facts. Expected values are typed in from the State Council
//! notices (2026: the table in standards.md §10) and counted by hand; they do not
//! come from the embedded data.
#![allow(clippy::unwrap_used)]

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::china()
}

fn holiday(name: &str) -> DayKind {
    DayKind::Holiday { name: name.into() }
}

fn adjusted(name: &str) -> DayKind {
    DayKind::AdjustedWorkday { name: name.into() }
}

fn not_covered(year: i32) -> CalendarError {
    CalendarError::YearNotCovered {
        year,
        first: 2015,
        last: 2026,
    }
}

// ---- the embedded data -----------------------------------------------------

#[test]
fn embedded_data_loads_and_covers_2015_to_2026() {
    let c = cal();
    assert_eq!(c.load_error, None);
    assert_eq!(c.covered_years(), 2015..=2026);
    assert_eq!(Calendar::from_csv(CHINA_CSV).unwrap(), *c);
}

#[test]
fn embedded_data_row_count() {
    // 336 `off` + 75 `work` rows for 2015–2026 (chinese-calendar 1.11.0).
    assert_eq!(cal().specials.len(), 411);
    assert_eq!(cal().specials.iter().filter(|s| s.work).count(), 75);
}

#[test]
fn whole_2026_matches_the_state_council_notice() {
    // 国务院办公厅关于2026年部分节假日安排的通知 (standards.md §10 table).
    let off: &[(&str, NaiveDate, NaiveDate)] = &[
        ("元旦", d(2026, 1, 1), d(2026, 1, 3)),
        ("春节", d(2026, 2, 15), d(2026, 2, 23)),
        ("清明", d(2026, 4, 4), d(2026, 4, 6)),
        ("劳动节", d(2026, 5, 1), d(2026, 5, 5)),
        ("端午", d(2026, 6, 19), d(2026, 6, 21)),
        ("中秋", d(2026, 9, 25), d(2026, 9, 27)),
        ("国庆节", d(2026, 10, 1), d(2026, 10, 7)),
    ];
    let work: &[(&str, NaiveDate)] = &[
        ("元旦", d(2026, 1, 4)),
        ("春节", d(2026, 2, 14)),
        ("春节", d(2026, 2, 28)),
        ("劳动节", d(2026, 5, 9)),
        ("国庆节", d(2026, 9, 20)),
        ("国庆节", d(2026, 10, 10)),
    ];
    let mut day = d(2026, 1, 1);
    let mut working = 0;
    while day.year() == 2026 {
        let in_off = off.iter().find(|(_, a, b)| (*a..=*b).contains(&day));
        let in_work = work.iter().find(|(_, w)| *w == day);
        let kind = cal().day_kind(day).unwrap();
        match (in_off, in_work) {
            (Some((name, _, _)), None) => {
                assert!(!cal().is_working_day(day).unwrap(), "{day}");
                // Weekend days inside a block may be listed or not.
                if !is_weekend(day) {
                    assert_eq!(kind, holiday(name), "{day}");
                }
            }
            (None, Some((name, _))) => assert_eq!(kind, adjusted(name), "{day}"),
            (None, None) if is_weekend(day) => assert_eq!(kind, DayKind::Weekend, "{day}"),
            (None, None) => assert_eq!(kind, DayKind::Workday, "{day}"),
            (Some(_), Some(_)) => unreachable!("bad expectation table"),
        }
        working += u32::from(kind.is_working_day());
        day = day.succ_opt().unwrap();
    }
    // 261 Monday–Fridays − 19 weekday holidays + 6 make-up days.
    assert_eq!(working, 248);
    assert_eq!(
        cal()
            .working_days_between(d(2025, 12, 31), d(2026, 12, 31))
            .unwrap(),
        248
    );
}

#[test]
fn day_kind_agrees_with_is_working_day_everywhere() {
    let mut day = d(2015, 1, 1);
    while day <= d(2026, 12, 31) {
        assert_eq!(
            cal().day_kind(day).unwrap().is_working_day(),
            cal().is_working_day(day).unwrap(),
            "{day}"
        );
        day = day.succ_opt().unwrap();
    }
}

// ---- known facts -------------------------------------------------------------

#[test]
fn known_2026_days() {
    let c = cal();
    assert_eq!(d(2026, 1, 4).weekday(), Weekday::Sun);
    assert!(c.is_working_day(d(2026, 1, 4)).unwrap());
    assert_eq!(c.day_kind(d(2026, 1, 4)).unwrap(), adjusted("元旦"));

    assert!(!c.is_working_day(d(2026, 2, 16)).unwrap());
    assert_eq!(c.day_kind(d(2026, 2, 16)).unwrap(), holiday("春节"));

    // 国庆 2026 is 10/1–10/7: 10/7 is the last rest day and Thursday 10/8 is an
    // ordinary working day (unlike 2025, when 国庆+中秋 ran 10/1–10/8).
    assert_eq!(c.day_kind(d(2026, 10, 7)).unwrap(), holiday("国庆节"));
    assert_eq!(c.day_kind(d(2026, 10, 8)).unwrap(), DayKind::Workday);
    assert!(c.is_working_day(d(2026, 10, 8)).unwrap());
    assert!(!c.is_working_day(d(2025, 10, 8)).unwrap());
    assert_eq!(d(2026, 10, 10).weekday(), Weekday::Sat);
    assert_eq!(c.day_kind(d(2026, 10, 10)).unwrap(), adjusted("国庆节"));
    assert!(c.is_working_day(d(2026, 10, 10)).unwrap());
}

#[test]
fn ordinary_weekdays_and_weekends() {
    let c = cal();
    assert_eq!(c.day_kind(d(2026, 3, 10)).unwrap(), DayKind::Workday); // Tuesday
    assert_eq!(c.day_kind(d(2026, 3, 14)).unwrap(), DayKind::Weekend); // Saturday
    assert_eq!(c.day_kind(d(2026, 3, 15)).unwrap(), DayKind::Weekend); // Sunday
    assert_eq!(c.day_kind(d(2015, 1, 5)).unwrap(), DayKind::Workday); // Monday
    assert!(!c.is_working_day(d(2018, 7, 7)).unwrap()); // Saturday
}

#[test]
fn the_2025_amendment_makes_chuxi_and_may_2_holidays() {
    let c = cal();
    // 2025-01-28 is 除夕: a statutory holiday from 2025 on.
    assert_eq!(c.day_kind(d(2025, 1, 28)).unwrap(), holiday("春节"));
    // 2025-05-02 (Friday) is a statutory holiday from 2025 on.
    assert_eq!(c.day_kind(d(2025, 5, 2)).unwrap(), holiday("劳动节"));
    // Before the amendment 除夕 2024-02-09 (Friday) was a working day: the 2024
    // notice only "encouraged" employers to give it off.
    assert_eq!(c.day_kind(d(2024, 2, 9)).unwrap(), DayKind::Workday);
    // 2025 春节 make-up days: Sunday 1/26 and Saturday 2/8.
    assert_eq!(c.day_kind(d(2025, 1, 26)).unwrap(), adjusted("春节"));
    assert_eq!(c.day_kind(d(2025, 2, 8)).unwrap(), adjusted("春节"));
    // 2025-01-27 (Monday, the day before 除夕) stayed a working day.
    assert_eq!(c.day_kind(d(2025, 1, 27)).unwrap(), DayKind::Workday);
}

#[test]
fn the_2024_spring_festival_make_up_sunday() {
    assert_eq!(d(2024, 2, 4).weekday(), Weekday::Sun);
    assert!(cal().is_working_day(d(2024, 2, 4)).unwrap());
    assert_eq!(cal().day_kind(d(2024, 2, 4)).unwrap(), adjusted("春节"));
}

#[test]
fn the_2020_spring_festival_with_the_covid_extension() {
    // 国务院办公厅关于2020年部分节假日安排的通知: 1/24–1/30 off, 1/19 (Sun) and
    // 2/1 (Sat) make-up days. 国务院办公厅关于延长2020年春节假期的通知
    // (2020-01-27) extended the holiday to 2/2 (Sunday), so 1/31 became a holiday
    // and the 2/1 make-up day was dropped. chinese-calendar 1.11.0 lists
    // 2020-01-24..=2020-02-02 as 春节 holidays and 1/19 only as a make-up day.
    let c = cal();
    let mut day = d(2020, 1, 24);
    while day <= d(2020, 2, 2) {
        assert_eq!(c.day_kind(day).unwrap(), holiday("春节"), "{day}");
        day = day.succ_opt().unwrap();
    }
    assert_eq!(c.day_kind(d(2020, 1, 19)).unwrap(), adjusted("春节"));
    assert_eq!(c.day_kind(d(2020, 2, 3)).unwrap(), DayKind::Workday);
    assert_eq!(c.day_kind(d(2020, 1, 23)).unwrap(), DayKind::Workday);
}

#[test]
fn the_2015_victory_day_holiday() {
    let name = "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日";
    let c = cal();
    assert_eq!(c.day_kind(d(2015, 9, 3)).unwrap(), holiday(name));
    assert_eq!(c.day_kind(d(2015, 9, 4)).unwrap(), holiday(name));
    assert_eq!(c.day_kind(d(2015, 9, 6)).unwrap(), adjusted(name));
}

#[test]
fn year_end_rows_from_the_next_years_notice() {
    // The 2019 notice: 2018-12-30..2019-01-01 off, Saturday 2018-12-29 worked.
    let c = cal();
    assert!(c.is_working_day(d(2018, 12, 29)).unwrap());
    assert!(!c.is_working_day(d(2018, 12, 31)).unwrap());
    assert!(!c.is_working_day(d(2019, 1, 1)).unwrap());
}

// ---- arithmetic --------------------------------------------------------------

#[test]
fn seven_days_after_mid_autumn_2026() {
    // Decision on Friday 2026-09-25 (中秋). Day 1 is the day after:
    // 9/26 Sat, 9/27 Sun: 中秋 rest days
    // 9/28 Mon (1), 9/29 Tue (2), 9/30 Wed (3)
    // 10/1–10/7: 国庆
    // 10/8 Thu (4), 10/9 Fri (5), 10/10 Sat 调休 (6), 10/11 Sun rest, 10/12 Mon (7)
    let c = cal();
    assert_eq!(
        c.add_working_days(d(2026, 9, 25), 7).unwrap(),
        d(2026, 10, 12)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 25), 1).unwrap(),
        d(2026, 9, 28)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 25), 3).unwrap(),
        d(2026, 9, 30)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 25), 4).unwrap(),
        d(2026, 10, 8)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 25), 6).unwrap(),
        d(2026, 10, 10)
    );
    assert_eq!(
        c.working_days_between(d(2026, 9, 25), d(2026, 10, 12))
            .unwrap(),
        7
    );
}

#[test]
fn across_national_day_2026() {
    let c = cal();
    // Wednesday 9/30: 10/1–10/7 off; 10/8 (1), 10/9 (2), 10/10 Sat (3), 10/12 (4).
    assert_eq!(
        c.add_working_days(d(2026, 9, 30), 1).unwrap(),
        d(2026, 10, 8)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 30), 3).unwrap(),
        d(2026, 10, 10)
    );
    assert_eq!(
        c.add_working_days(d(2026, 9, 30), 4).unwrap(),
        d(2026, 10, 12)
    );
    // Friday 9/18: 9/19 Sat rest, 9/20 Sun 调休 (1), 9/21 (2), 9/22 (3).
    assert_eq!(
        c.add_working_days(d(2026, 9, 18), 3).unwrap(),
        d(2026, 9, 22)
    );
    // Starting on a holiday (Saturday 10/3): the next working day is 10/8.
    assert_eq!(
        c.add_working_days(d(2026, 10, 3), 1).unwrap(),
        d(2026, 10, 8)
    );
}

#[test]
fn across_spring_festival_2026() {
    let c = cal();
    // Friday 2/13: 2/14 Sat 调休 (1); 2/15–2/23 off; 2/24 (2), 2/25 (3),
    // 2/26 (4), 2/27 (5), 2/28 Sat 调休 (6), 3/1 Sun rest, 3/2 (7), 3/3 (8),
    // 3/4 (9), 3/5 (10).
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 1).unwrap(),
        d(2026, 2, 14)
    );
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 2).unwrap(),
        d(2026, 2, 24)
    );
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 3).unwrap(),
        d(2026, 2, 25)
    );
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 6).unwrap(),
        d(2026, 2, 28)
    );
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 7).unwrap(),
        d(2026, 3, 2)
    );
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 10).unwrap(),
        d(2026, 3, 5)
    );
    assert_eq!(
        c.working_days_between(d(2026, 2, 13), d(2026, 3, 5))
            .unwrap(),
        10
    );
    // The whole block 2/14..=2/28 holds 6 working days (2/14 and 2/24–2/28).
    assert_eq!(
        c.working_days_between(d(2026, 2, 13), d(2026, 2, 28))
            .unwrap(),
        6
    );
}

#[test]
fn objection_limits_across_spring_festival_2025() {
    // Objection filed Monday 2025-01-27; 1/28–2/4 off.
    // Accept within 3: 2/5 (1), 2/6 (2), 2/7 (3).
    // Decide within 10: 2/8 Sat 调休 (4), 2/10 (5), 2/11 (6), 2/12 (7), 2/13 (8),
    // 2/14 (9), 2/17 Mon (10).
    let c = cal();
    assert_eq!(
        c.add_working_days(d(2025, 1, 27), 3).unwrap(),
        d(2025, 2, 7)
    );
    assert_eq!(
        c.add_working_days(d(2025, 1, 27), 10).unwrap(),
        d(2025, 2, 17)
    );
}

#[test]
fn zero_days_returns_start_and_across_new_year() {
    let c = cal();
    assert_eq!(
        c.add_working_days(d(2026, 3, 14), 0).unwrap(),
        d(2026, 3, 14)
    );
    assert_eq!(
        c.add_working_days(d(2026, 10, 1), 0).unwrap(),
        d(2026, 10, 1)
    );
    // Wednesday 2025-12-31: 2026-01-01..03 off, Sunday 1/4 调休 (1).
    assert_eq!(
        c.add_working_days(d(2025, 12, 31), 1).unwrap(),
        d(2026, 1, 4)
    );
    assert_eq!(c.add_working_days(d(2015, 1, 1), 1).unwrap(), d(2015, 1, 4));
}

#[test]
fn working_days_between_basics() {
    let c = cal();
    assert_eq!(
        c.working_days_between(d(2026, 3, 10), d(2026, 3, 10))
            .unwrap(),
        0
    );
    assert_eq!(
        c.working_days_between(d(2026, 3, 12), d(2026, 3, 10))
            .unwrap(),
        0
    );
    // Tue 3/10 → Tue 3/17: 3/11, 3/12, 3/13, 3/16, 3/17.
    assert_eq!(
        c.working_days_between(d(2026, 3, 10), d(2026, 3, 17))
            .unwrap(),
        5
    );
    // Friday to the following Sunday: none.
    assert_eq!(
        c.working_days_between(d(2026, 3, 13), d(2026, 3, 15))
            .unwrap(),
        0
    );
    // Whole covered range: 2015-01-01 (元旦) is not a working day, so counting
    // after it loses nothing.
    let all = c
        .working_days_between(d(2015, 1, 1), d(2026, 12, 31))
        .unwrap();
    assert_eq!(all, c.total());
    // 2024: 251, 2025: 248, 2026: 248 working days.
    assert_eq!(
        c.working_days_between(d(2023, 12, 31), d(2026, 12, 31))
            .unwrap(),
        251 + 248 + 248
    );
}

#[test]
fn working_days_between_inverts_add() {
    let c = cal();
    for start in [
        d(2026, 9, 25),
        d(2026, 2, 13),
        d(2020, 1, 20),
        d(2015, 1, 1),
    ] {
        for n in 0..60 {
            let end = c.add_working_days(start, n).unwrap();
            assert_eq!(
                c.working_days_between(start, end).unwrap(),
                n,
                "{start} + {n}"
            );
            assert!(c.within_working_days(start, end, n).unwrap());
            if n > 0 {
                assert!(c.is_working_day(end).unwrap());
                assert!(!c.within_working_days(start, end, n - 1).unwrap());
            }
        }
    }
}

#[test]
fn within_working_days_cases() {
    let c = cal();
    let decided = d(2026, 9, 25);
    assert!(c.within_working_days(decided, d(2026, 10, 12), 7).unwrap());
    assert!(c.within_working_days(decided, d(2026, 10, 11), 7).unwrap());
    assert!(c.within_working_days(decided, d(2026, 10, 1), 7).unwrap());
    assert!(!c.within_working_days(decided, d(2026, 10, 13), 7).unwrap());
    // Thursday 3/12 + 1 = Friday 3/13; Saturday 3/14 is already late.
    let start = d(2026, 3, 12);
    assert!(c.within_working_days(start, d(2026, 3, 13), 1).unwrap());
    assert!(!c.within_working_days(start, d(2026, 3, 14), 1).unwrap());
    assert!(!c.within_working_days(start, d(2026, 3, 16), 1).unwrap());
    // A decision from before the calendar's first year, reported now, is late (it used to be
    // unknown and left out of the 及时率; found by a QA pass). Only when the covered days up to
    // `done` are too few to tell does it stay unknown.
    assert_eq!(
        c.within_working_days(d(2010, 5, 4), d(2026, 11, 30), 7),
        Ok(false)
    );
    assert_eq!(
        c.within_working_days(d(2014, 12, 30), d(2015, 1, 20), 7),
        Ok(false)
    );
    assert!(
        c.within_working_days(d(2014, 12, 30), d(2015, 1, 5), 7)
            .is_err()
    );
    // n = 0: only start itself (or earlier).
    assert!(c.within_working_days(start, start, 0).unwrap());
    assert!(c.within_working_days(start, d(2026, 3, 1), 0).unwrap());
    assert!(!c.within_working_days(start, d(2026, 3, 13), 0).unwrap());
    // The deadline lies in 2027, but done is covered and therefore in time.
    assert!(c.add_working_days(d(2026, 12, 30), 30).is_err());
    assert!(
        c.within_working_days(d(2026, 12, 30), d(2026, 12, 31), 30)
            .unwrap()
    );
}

// ---- coverage errors -------------------------------------------------------------

#[test]
fn dates_outside_coverage_are_errors() {
    let c = cal();
    for (date, year) in [(d(2014, 12, 31), 2014), (d(2027, 1, 1), 2027)] {
        assert_eq!(c.is_working_day(date), Err(not_covered(year)));
        assert_eq!(c.day_kind(date), Err(not_covered(year)));
        assert_eq!(c.add_working_days(date, 0), Err(not_covered(year)));
        assert_eq!(c.add_working_days(date, 5), Err(not_covered(year)));
        assert_eq!(
            c.working_days_between(date, d(2026, 6, 1)),
            Err(not_covered(year))
        );
        assert_eq!(
            c.working_days_between(d(2026, 6, 1), date),
            Err(not_covered(year))
        );
        assert_eq!(
            c.within_working_days(d(2026, 6, 1), date, 3),
            Err(not_covered(year))
        );
        if year > 2026 {
            assert_eq!(
                c.within_working_days(date, d(2026, 6, 1), 3),
                Err(not_covered(year))
            );
        }
    }
    // A start before the data with `done` too close to the data's start to tell.
    assert_eq!(
        c.within_working_days(d(2014, 12, 31), d(2015, 1, 2), 3),
        Err(not_covered(2014))
    );
    let message = c.is_working_day(d(2027, 1, 1)).unwrap_err().to_string();
    assert_eq!(
        message,
        "no working-day data for year 2027: chengxin has data for 2015–2026; once the State Council has announced 2027's holidays, put its days in a file (date,kind,name) and name it in CHENGXIN_CALENDAR"
    );
    assert!(
        c.is_working_day(d(2014, 12, 31))
            .unwrap_err()
            .to_string()
            .contains("year 2014")
    );
}

#[test]
fn adding_past_the_last_covered_year_names_the_next_year() {
    let c = cal();
    // Wednesday 2026-12-30 + 1 = Thursday 12/31, the last covered working day.
    assert_eq!(
        c.add_working_days(d(2026, 12, 30), 1).unwrap(),
        d(2026, 12, 31)
    );
    assert_eq!(
        c.add_working_days(d(2026, 12, 31), 1),
        Err(not_covered(2027))
    );
    assert_eq!(
        c.add_working_days(d(2015, 1, 1), u32::MAX),
        Err(not_covered(2027))
    );
}

// ---- from_csv --------------------------------------------------------------------

fn data_err(data: &str) -> (usize, String) {
    match Calendar::from_csv(data) {
        Err(CalendarError::Data { line, message }) => (line, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn from_csv_small_calendar() {
    let c = Calendar::from_csv(
        "# a comment\r\n\r\ndate,kind,name\r\n2030-01-01,off,元旦\r\n2030-02-02,work,春节\r\n",
    )
    .unwrap();
    assert_eq!(c.covered_years(), 2030..=2030);
    assert_eq!(c.day_kind(d(2030, 1, 1)).unwrap(), holiday("元旦"));
    assert_eq!(c.day_kind(d(2030, 2, 2)).unwrap(), adjusted("春节")); // Saturday
    assert_eq!(c.day_kind(d(2030, 1, 2)).unwrap(), DayKind::Workday);
    assert_eq!(
        c.is_working_day(d(2031, 1, 1)),
        Err(CalendarError::YearNotCovered {
            year: 2031,
            first: 2030,
            last: 2030
        })
    );
    // Tolerates a byte-order mark and spaces around fields.
    let c2 = Calendar::from_csv(
        "\u{feff}date, kind, name\n2030-01-01 , off , 元旦\n2030-02-02,work,春节",
    )
    .unwrap();
    assert_eq!(c, c2);
}

#[test]
fn from_csv_errors_name_the_line() {
    let (line, msg) = data_err("2026-01-01,off,元旦\n");
    assert_eq!(line, 1);
    assert!(msg.contains("header"), "{msg}");

    let (line, msg) = data_err("date,kind,name\n2026-01-01,off,元旦\n2026-13-01,off,x\n");
    assert_eq!(line, 3);
    assert!(msg.contains("2026-13-01"), "{msg}");

    let (line, _) = data_err("date,kind,name\n2026-1-04,work,元旦\n");
    assert_eq!(line, 2);

    let (line, msg) = data_err("date,kind,name\n2026-01-01,holiday,元旦\n");
    assert_eq!(line, 2);
    assert!(msg.contains("holiday"), "{msg}");

    let (line, msg) = data_err("date,kind,name\n2026-01-01,off\n");
    assert_eq!(line, 2);
    assert!(msg.contains("3 comma-separated fields"), "{msg}");

    let (line, _) = data_err("date,kind,name\n2026-01-01,off,元旦,x\n");
    assert_eq!(line, 2);

    let (line, msg) = data_err("date,kind,name\n2026-01-01,off,\n");
    assert_eq!(line, 2);
    assert!(msg.contains("name"), "{msg}");

    // A `work` row on a Monday.
    let (line, msg) = data_err("date,kind,name\n2026-01-01,off,元旦\n2026-01-05,work,元旦\n");
    assert_eq!(line, 3);
    assert!(msg.contains("Saturday or Sunday"), "{msg}");

    // Duplicates point at both lines.
    let (line, msg) = data_err("# c\ndate,kind,name\n2026-01-01,off,元旦\n\n2026-01-01,off,元旦\n");
    assert_eq!(line, 5);
    assert!(msg.contains("line 3"), "{msg}");

    // Comments and blank lines count.
    let (line, _) = data_err("# one\n\n# three\ndate,kind,name\nnot a row\n");
    assert_eq!(line, 5);

    // A gap in the years.
    let (line, msg) = data_err("date,kind,name\n2024-01-01,off,元旦\n2026-01-01,off,元旦\n");
    assert_eq!(line, 3);
    assert!(msg.contains("2025"), "{msg}");

    // No rows at all.
    let (_, msg) = data_err("date,kind,name\n");
    assert!(msg.contains("no data rows"), "{msg}");
    let (line, _) = data_err("");
    assert_eq!(line, 1);

    let err = Calendar::from_csv("date,kind,name\n2026-01-01,off\n").unwrap_err();
    assert!(
        err.to_string().starts_with("calendar data line 2: "),
        "{err}"
    );
}

#[test]
fn a_calendar_that_failed_to_load_answers_with_the_error() {
    let error = CalendarError::Data {
        line: 7,
        message: "broken".into(),
    };
    let c = Calendar::unusable(error.clone());
    assert!(c.covered_years().is_empty());
    assert_eq!(c.is_working_day(d(2026, 1, 5)), Err(error.clone()));
    assert_eq!(c.add_working_days(d(2026, 1, 5), 3), Err(error.clone()));
    assert_eq!(
        c.working_days_between(d(2026, 1, 5), d(2026, 1, 9)),
        Err(error)
    );
}

#[test]
fn select_bit_picks_the_kth_set_bit() {
    assert_eq!(select_bit(0b1011_0100, 1), Some(2));
    assert_eq!(select_bit(0b1011_0100, 2), Some(4));
    assert_eq!(select_bit(0b1011_0100, 4), Some(7));
    assert_eq!(select_bit(0b1011_0100, 5), None);
    assert_eq!(select_bit(u64::MAX, 64), Some(63));
    assert_eq!(select_bit(0, 1), None);
    assert_eq!(select_bit(1, 0), None);
}

#[test]
fn iso_dates_are_exactly_yyyy_mm_dd() {
    assert_eq!(crate::parse_iso_date("2026-11-30"), Some(d(2026, 11, 30)));
    assert_eq!(crate::parse_iso_date(" 2026-11-30 "), Some(d(2026, 11, 30)));
    for bad in [
        "+10000-01-01",
        "+2026-11-30",
        "-2026-11-30",
        "10000-01-01",
        "2026-1-5",
        "2026-02-30",
        "2026/11/30",
        "２０２６-11-30",
        "",
    ] {
        assert_eq!(crate::parse_iso_date(bad), None, "{bad}");
    }
}

proptest::proptest! {
    #[test]
    fn every_day_reads_back_from_its_iso_form(days in 0i64..(200 * 366)) {
        let day = d(1900, 1, 1) + chrono::Duration::days(days);
        proptest::prop_assert_eq!(crate::parse_iso_date(&day.format("%Y-%m-%d").to_string()), Some(day));
    }
}

/// A year announced after the build is added from rows in the same format; its problems are
/// named by the added file's own lines, and the built-in years cannot be changed this way.
/// A whole made-up year (test data, not a real notice): every holiday named.
const YEAR_2027: &str = "2027-01-01,off,元旦\n2027-02-08,off,春节\n2027-02-09,off,春节\n\
    2027-04-05,off,清明\n2027-05-03,off,劳动节\n2027-06-09,off,端午\n2027-09-15,off,中秋\n\
    2027-10-01,off,国庆节\n2027-10-04,off,国庆节\n";

#[test]
fn a_later_year_can_be_added() {
    let added = format!("# 2027 (test data, not a real notice)\ndate,kind,name\n{YEAR_2027}");
    let cal = Calendar::china_with(&added).expect("added");
    assert_eq!(cal.covered_years(), 2015..=2027);
    assert_eq!(
        cal.day_kind(d(2027, 1, 1)),
        Ok(DayKind::Holiday {
            name: "元旦".into()
        })
    );
    // 2026-12-28 plus 5 working days crosses into 2027, skipping the added 元旦.
    assert_eq!(cal.add_working_days(d(2026, 12, 28), 5), Ok(d(2027, 1, 5)));
    assert!(
        Calendar::china()
            .add_working_days(d(2026, 12, 28), 5)
            .is_err()
    );
    match Calendar::china_with("date,kind,name\n2027-01-01,off,元旦\n2027-13-01,off,x\n") {
        Err(CalendarError::Data { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    // A year is added whole: one with only some of its holidays is refused, naming the others.
    match Calendar::china_with("date,kind,name\n2027-01-01,off,元旦\n") {
        Err(CalendarError::Added(m)) => {
            assert!(
                m.contains("2027") && m.contains("春节, 清明, 劳动节, 端午, 国庆节"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Every built-in year is whole by the same rule (中秋 may fall in 国庆节, as in 2020).
    crate::check_whole_years(crate::CHINA_CSV).expect("built-in years are whole");
    // No day of a built-in year, listed there or not, can be changed.
    for (row, line) in [
        ("2026-10-01,off,国庆节", 2),
        ("2026-12-31,off,x", 3),
        ("2020-06-10,off,x", 3),
    ] {
        let added = if line == 2 {
            format!("date,kind,name\n{row}\n")
        } else {
            format!("date,kind,name\n2027-01-01,off,元旦\n{row}\n")
        };
        match Calendar::china_with(&added) {
            Err(CalendarError::Data { line: l, message }) => {
                assert_eq!(l, line, "{row}");
                assert!(message.contains("already covers"), "{message}");
            }
            other => panic!("{row}: {other:?}"),
        }
    }
}
