//! Chinese working-day calendar for counting due-process deadlines.
//!
//! Many time limits in the public credit system are counted in **working days**
//! (工作日), for example:
//!
//! - administrative licensing and penalty decisions are to be published within
//!   7 working days (国办发〔2015〕51号 (十八); 国发〔2016〕33号 (十七));
//! - objections and credit repair: 3 working days to accept an application,
//!   10 working days to decide (国办发〔2025〕22号; 国家发展改革委令第36号).
//!
//! A working day in mainland China is a Monday to Friday that is not a statutory
//! holiday, **plus** the Saturdays and Sundays that the State Council declares
//! working days to make up for a longer holiday block (调休上班).
//!
//! # Legal sources
//!
//! - 《全国年节及纪念日放假办法》 (the State Council's regulation on national
//!   holidays). Its amendment effective 2025-01-01 made 除夕 (Chinese New Year's
//!   Eve) and 5月2日 statutory holidays, so 2025 onwards has two more holidays.
//! - The yearly 国务院办公厅关于YYYY年部分节假日安排的通知 (State Council General
//!   Office notice on the next year's holiday arrangements, usually published in
//!   November), which fixes the exact rest days and make-up working days of each
//!   year; occasionally amended during the year (2019 劳动节; the 2020 春节
//!   extension for COVID-19 to 2 February).
//!
//! The embedded data (`data/cn_workdays.csv` in this crate) covers **2015–2026**.
//! It was generated from the PyPI package `chinese-calendar` 1.11.0 (MIT,
//! LKI/chinese-calendar) by `data/regenerate.py`; the file header lists each
//! year's notice with its publication date and gov.cn address. Any query that
//! touches a date outside the covered years fails with
//! [`CalendarError::YearNotCovered`]: this crate never falls back to a
//! weekends-only guess, because the next year's make-up working days are only
//! known once the State Council publishes them.
//!
//! # Counting convention
//!
//! "Within *n* working days of date *D*" is counted with **the day after *D* as
//! day 1**: [`Calendar::add_working_days`]`(D, n)` is the *n*-th working day
//! strictly after `D`, and [`Calendar::working_days_between`]`(D, E)` counts the
//! working days in `(D, E]`. This is the **common administrative practice** and
//! matches the general rule for periods counted in days (《民法典》 第二百零一条:
//! the starting day is not counted; counting starts the next day). The project's
//! reference (standards.md §10) records it as common practice that is still to be
//! confirmed per regulation, not as a rule stated by the credit regulations
//! themselves: a regulation that counts differently must adjust its inputs (e.g.
//! pass the day before the trigger date).
//!
//! # Example
//!
//! ```
//! use chengxin_calendar::{Calendar, NaiveDate};
//!
//! let cal = Calendar::china();
//! // A penalty decision made on Friday 2026-09-25 (中秋 holiday) must be
//! // published within 7 working days: 9/28, 9/29, 9/30, (国庆 10/1–10/7 off),
//! // 10/8, 10/9, 10/10 (Saturday, 调休 working day), 10/12.
//! let decided = NaiveDate::from_ymd_opt(2026, 9, 25).unwrap();
//! let deadline = cal.add_working_days(decided, 7).unwrap();
//! assert_eq!(deadline, NaiveDate::from_ymd_opt(2026, 10, 12).unwrap());
//! assert_eq!(cal.working_days_between(decided, deadline).unwrap(), 7);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{Datelike, Weekday};

pub use chrono::NaiveDate;

/// A date written exactly `YYYY-MM-DD` (four-digit year, two-digit month and day), the form
/// every date of the API, the portal and the CLI takes. chrono's own parsers also take a sign
/// and more year digits (`+10000-01-01`), which the stores would then compare differently
/// (as text on SQLite, as a date on PostgreSQL).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    parse_date(s.trim())
}

/// Why `s` is not a date [`parse_iso_date`] reads: not of the form, or of the form but no day
/// of the calendar (`2026-02-29`, `2026-13-01`).
pub fn iso_date_error(s: &str) -> String {
    let t = s.trim();
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if shaped {
        format!("{t:?} is no day of the calendar (month 01–12, and a day that month has)")
    } else {
        format!("{t:?} is not a date of the form YYYY-MM-DD")
    }
}

/// A time bound of a query: a date (`YYYY-MM-DD`, a day in China, UTC+8) or a time in
/// RFC 3339 with a four-digit year (`2026-11-30T08:00:00Z`). A date starts its day; with
/// `end_of_day` it ends it (the start of the next day). The CLI's `--from`/`--to` and the API's
/// `from`/`to` read times the same way.
pub fn parse_time_bound(
    s: &str,
    end_of_day: bool,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let t = s.trim();
    if let Some(d) = parse_iso_date(t) {
        let day = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        return chrono::FixedOffset::east_opt(8 * 3600)
            .and_then(|china| day.and_hms_opt(0, 0, 0)?.and_local_timezone(china).single())
            .map(|dt| dt.with_timezone(&chrono::Utc))
            .ok_or_else(|| format!("{t:?} is out of range"));
    }
    t.get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|_| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|dt| dt.with_timezone(&chrono::Utc))
        .ok_or_else(|| {
            format!("{t:?} is neither a date (YYYY-MM-DD) nor a time like 2026-11-30T08:00:00Z")
        })
}

/// The embedded calendar data (`data/cn_workdays.csv`): statutory holidays and
/// make-up working days for 2015–2026, in the format [`Calendar::from_csv`] reads.
///
/// An operator who needs a newer year before this crate is updated can append
/// that year's rows (from the State Council notice) to this text and load the
/// result with [`Calendar::from_csv`].
pub const CHINA_CSV: &str = include_str!("../data/cn_workdays.csv");

/// What to do about a year the calendar does not cover: a later year can be added once
/// announced; an earlier one is before the data the calendar is built on.
fn year_hint(year: i32, first: i32) -> String {
    if year < first {
        format!(
            "years before {first} are not covered: the built-in data starts with the State Council's notice for {first}"
        )
    } else {
        format!(
            "once the State Council has announced {year}'s holidays, put its days in a file (date,kind,name) and name it in CHENGXIN_CALENDAR"
        )
    }
}

/// Errors of calendar queries and of loading calendar data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The query touches a date in a year the calendar has no data for.
    #[error("no working-day data for year {year}: chengxin has data for {first}–{last}; {}", year_hint(*.year, *.first))]
    YearNotCovered { year: i32, first: i32, last: i32 },
    /// The calendar data is malformed; `line` is 1-based.
    #[error("calendar data line {line}: {message}")]
    Data { line: usize, message: String },
    /// Date arithmetic left the range of representable dates.
    #[error("date arithmetic overflow")]
    Overflow,
    /// Rows added to the built-in calendar ([`Calendar::china_with`]) cannot be used.
    #[error("{0}")]
    Added(String),
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// An ordinary Monday–Friday working day.
    Workday,
    /// An ordinary Saturday or Sunday rest day.
    Weekend,
    /// A rest day of a statutory holiday block listed in the data. `name` is the
    /// holiday's Chinese name as in the data, e.g. `春节`. A Saturday or Sunday
    /// inside a block is `Holiday` when the data lists it and `Weekend` when it
    /// does not (the source does not list every such day); both are rest days.
    Holiday { name: String },
    /// A Saturday or Sunday that is a working day to make up for the holiday
    /// `name` (调休上班).
    AdjustedWorkday { name: String },
}

impl DayKind {
    /// Whether this kind of day is a working day.
    pub fn is_working_day(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }
}

/// A data row that overrides the Monday–Friday rule (or names a holiday day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Special {
    /// Day index from the first covered day.
    day: u32,
    /// `true` for a `work` row, `false` for an `off` row.
    work: bool,
    /// Index into `Calendar::names`.
    name: u32,
}

/// An immutable working-day calendar over a contiguous range of years.
///
/// Internally a bitset with one bit per covered day (set = working day) and a
/// running count per 64-day word, so that every query is a few array lookups
/// and never allocates (except [`Calendar::day_kind`], which returns a name).
#[derive(Clone, PartialEq, Eq)]
pub struct Calendar {
    first_year: i32,
    last_year: i32,
    /// `num_days_from_ce` of `first_year-01-01`.
    base: i32,
    /// Number of covered days.
    len: u32,
    /// Bit `i % 64` of word `i / 64` is set iff day `base + i` is a working day.
    words: Box<[u64]>,
    /// `rank[w]` = number of working days in `words[..w]`; `words.len() + 1` entries.
    rank: Box<[u32]>,
    /// Data rows sorted by `day`.
    specials: Box<[Special]>,
    names: Box<[Box<str>]>,
    /// Set only for the fallback calendar returned by [`Calendar::china`] if the
    /// embedded data failed to load (the crate's tests rule that out).
    load_error: Option<CalendarError>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("covered_years", &self.covered_years())
            .field("rows", &self.specials.len())
            .field("working_days", &self.rank.last().copied().unwrap_or(0))
            .field("load_error", &self.load_error)
            .finish()
    }
}

const HEADER: [&str; 3] = ["date", "kind", "name"];

/// The calendar [`Calendar::china`] answers with.
static CHINA: OnceLock<Calendar> = OnceLock::new();

impl Calendar {
    /// The mainland China calendar from the embedded data ([`CHINA_CSV`]),
    /// parsed once on first use.
    ///
    /// The embedded data is checked by this crate's tests. Should it ever fail
    /// to load, this returns a calendar that covers no year and answers every
    /// query with the load error, rather than panicking.
    pub fn china() -> &'static Calendar {
        CHINA.get_or_init(|| Calendar::from_csv(CHINA_CSV).unwrap_or_else(Calendar::unusable))
    }

    /// The embedded mainland China data plus `added`: rows in the same format (a header line,
    /// then `date,kind,name`) for a year the State Council has announced since this build, e.g.
    /// the next year's holidays from its 国务院办公厅 notice. A problem in `added` is reported
    /// with its own line numbers; a day the embedded data already lists is an error, so the
    /// built-in years cannot be changed this way.
    pub fn china_with(added: &str) -> Result<Calendar, CalendarError> {
        parse_rows(added)?;
        // Only years after the built-in ones: a row inside them would change working-day
        // counts already made (a day the data does not list is an ordinary day by rule).
        let built_in = Calendar::from_csv(CHINA_CSV)?.covered_years();
        for (k, line) in added.lines().enumerate() {
            let date = line
                .trim()
                .trim_start_matches('\u{feff}')
                .split(',')
                .next()
                .and_then(parse_date);
            if let Some(date) = date.filter(|d| d.year() <= *built_in.end()) {
                return Err(data_error(
                    k + 1,
                    format!(
                        "{date} is in a year the built-in calendar already covers ({}–{}); only later years can be added",
                        built_in.start(),
                        built_in.end()
                    ),
                ));
            }
        }
        check_whole_years(added)?;
        let body: String = added
            .trim_start_matches('\u{feff}')
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1) // its header
            .collect::<Vec<_>>()
            .join("\n");
        Calendar::from_csv(&format!("{CHINA_CSV}\n{body}\n")).map_err(|e| match e {
            CalendarError::Data { message, .. } => CalendarError::Added(format!(
                "the added rows do not fit the built-in calendar: {message}"
            )),
            other => other,
        })
    }

    /// Makes `cal` what [`Calendar::china`] answers from now on in this process (the command
    /// line does this at start with the file named by `CHENGXIN_CALENDAR`). Fails, changing
    /// nothing, once the calendar has been used.
    pub fn install_china(cal: Calendar) -> Result<&'static Calendar, CalendarError> {
        CHINA.set(cal).map_err(|_| {
            CalendarError::Added(
                "the calendar is already in use; install it before the first query".into(),
            )
        })?;
        Ok(Calendar::china())
    }

    fn unusable(error: CalendarError) -> Calendar {
        Calendar {
            first_year: 1,
            last_year: 0,
            base: 0,
            len: 0,
            words: Box::new([]),
            rank: Box::new([0]),
            specials: Box::new([]),
            names: Box::new([]),
            load_error: Some(error),
        }
    }

    /// Parses calendar data.
    ///
    /// Format (UTF-8 text, one record per line):
    ///
    /// ```text
    /// # comment lines and blank lines are ignored
    /// date,kind,name
    /// 2026-01-01,off,元旦
    /// 2026-01-04,work,元旦
    /// ```
    ///
    /// - the first non-comment line must be the header `date,kind,name`;
    /// - `date` is `YYYY-MM-DD`, each date at most once;
    /// - `kind` is `off` (a rest day of a holiday block) or `work` (a Saturday or
    ///   Sunday that is a make-up working day; `work` on Monday–Friday is an error);
    /// - `name` is the holiday's name (non-empty, no comma).
    ///
    /// Days without a row follow the plain rule: Monday–Friday work, Saturday and
    /// Sunday rest. The covered years are those from the first to the last year
    /// having a row; every year in between must have at least one row.
    pub fn from_csv(data: &str) -> Result<Calendar, CalendarError> {
        let rows = parse_rows(data)?;
        build(rows)
    }

    /// The years this calendar has data for.
    pub fn covered_years(&self) -> RangeInclusive<i32> {
        self.first_year..=self.last_year
    }

    /// Classifies `date`.
    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        let i = self.index(date)?;
        let working = self.bit(i);
        let special = self
            .specials
            .binary_search_by_key(&i, |s| s.day)
            .ok()
            .and_then(|k| self.specials.get(k));
        let name = |s: &Special| {
            self.names
                .get(s.name as usize)
                .map(|n| n.to_string())
                .unwrap_or_default()
        };
        Ok(match (working, special) {
            (true, Some(s)) if s.work => DayKind::AdjustedWorkday { name: name(s) },
            (true, _) => DayKind::Workday,
            (false, Some(s)) if !s.work => DayKind::Holiday { name: name(s) },
            (false, _) => DayKind::Weekend,
        })
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(date)?;
        Ok(self.bit(i))
    }

    /// The date that is `n` working days after `start`: counting starts the day
    /// after `start`, so the result is the `n`-th working day strictly after
    /// `start` (always a working day when `n > 0`). `n = 0` returns `start`
    /// itself, whatever kind of day it is.
    ///
    /// A decision on Friday 2026-09-25 (中秋) plus 7 working days is Monday
    /// 2026-10-12: 9/28, 9/29, 9/30, then 国庆 10/1–10/7, then 10/8, 10/9,
    /// 10/10 (Saturday, 调休 working day) and 10/12.
    ///
    /// Fails with [`CalendarError::YearNotCovered`] if `start` is not covered,
    /// or if the result would fall after the last covered year (naming the
    /// first uncovered year).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(start)?;
        if n == 0 {
            return Ok(start);
        }
        let total = self.total();
        let target = u64::from(self.rank_inclusive(i)) + u64::from(n);
        if target > u64::from(total) {
            return Err(CalendarError::YearNotCovered {
                year: self
                    .last_year
                    .checked_add(1)
                    .ok_or(CalendarError::Overflow)?,
                first: self.first_year,
                last: self.last_year,
            });
        }
        // target <= total, so it fits in u32.
        let target = u32::try_from(target).map_err(|_| CalendarError::Overflow)?;
        // rank[0] = 0 < target <= rank[last]: the word holding the target-th
        // working day is the last one whose preceding count is below target.
        let w = self
            .rank
            .partition_point(|&r| r < target)
            .checked_sub(1)
            .ok_or(CalendarError::Overflow)?;
        let word = self.words.get(w).copied().ok_or(CalendarError::Overflow)?;
        let k = target - self.rank[w];
        let bit = select_bit(word, k).ok_or(CalendarError::Overflow)?;
        let index = u32::try_from(w * 64)
            .ok()
            .and_then(|x| x.checked_add(bit))
            .ok_or(CalendarError::Overflow)?;
        self.date_at(index)
    }

    /// Number of working days in `(start, end]`: after `start`, up to and
    /// including `end`. `0` if `end <= start`. Both dates must be covered.
    ///
    /// For every covered `d` and `n` where the result is covered,
    /// `working_days_between(d, add_working_days(d, n)?) == n`.
    pub fn working_days_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let i = self.index(start)?;
        let j = self.index(end)?;
        if j <= i {
            return Ok(0);
        }
        Ok(self.rank_inclusive(j) - self.rank_inclusive(i))
    }

    /// Whether `done` is within `n` working days after `start`, i.e.
    /// `done <= add_working_days(start, n)`.
    ///
    /// Both `start` and `done` must be covered. If they are, the answer is given
    /// even when the deadline itself would fall after the last covered year
    /// (then `done` is necessarily before it).
    pub fn within_working_days(
        &self,
        start: NaiveDate,
        done: NaiveDate,
        n: u32,
    ) -> Result<bool, CalendarError> {
        let i = match self.index(start) {
            Ok(i) => i,
            // A start before the first covered year, `done` covered: the working days after
            // `start` include every covered one up to `done`; more than `n` of those and the
            // deadline has certainly passed (a decision of 2010 reported today is late, not
            // left out of the 及时率). Otherwise the uncovered days would decide: unknown.
            Err(e) if start.year() < self.first_year => {
                return match self.index(done) {
                    Ok(j) if self.rank_inclusive(j) > n => Ok(false),
                    _ => Err(e),
                };
            }
            Err(e) => return Err(e),
        };
        let j = self.index(done)?;
        if j <= i {
            return Ok(true);
        }
        if n == 0 {
            return Ok(false);
        }
        let counted = self.rank_inclusive(j) - self.rank_inclusive(i);
        // The deadline is the first day whose count reaches n, a working day;
        // later days with the same count are rest days after the deadline.
        Ok(counted < n || (counted == n && self.bit(j)))
    }

    // ---- internals -------------------------------------------------------

    /// Day index of `date`, or the error for an uncovered date.
    fn index(&self, date: NaiveDate) -> Result<u32, CalendarError> {
        if let Some(error) = &self.load_error {
            return Err(error.clone());
        }
        let year = date.year();
        if year < self.first_year || year > self.last_year {
            return Err(CalendarError::YearNotCovered {
                year,
                first: self.first_year,
                last: self.last_year,
            });
        }
        let offset = date
            .num_days_from_ce()
            .checked_sub(self.base)
            .ok_or(CalendarError::Overflow)?;
        let index = u32::try_from(offset).map_err(|_| CalendarError::Overflow)?;
        if index >= self.len {
            return Err(CalendarError::Overflow);
        }
        Ok(index)
    }

    fn date_at(&self, index: u32) -> Result<NaiveDate, CalendarError> {
        let days = i32::try_from(index)
            .ok()
            .and_then(|i| self.base.checked_add(i))
            .ok_or(CalendarError::Overflow)?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or(CalendarError::Overflow)
    }

    /// Whether day `i` (< len) is a working day.
    fn bit(&self, i: u32) -> bool {
        self.words[(i / 64) as usize] >> (i % 64) & 1 == 1
    }

    /// Working days among days `0..=i` (i < len).
    fn rank_inclusive(&self, i: u32) -> u32 {
        let w = (i / 64) as usize;
        let mask = u64::MAX >> (63 - i % 64);
        self.rank[w] + (self.words[w] & mask).count_ones()
    }

    fn total(&self) -> u32 {
        self.rank.last().copied().unwrap_or(0)
    }
}

/// Position of the `k`-th (1-based) set bit of `word`, if it has that many.
fn select_bit(word: u64, k: u32) -> Option<u32> {
    if k == 0 || k > word.count_ones() {
        return None;
    }
    let mut x = word;
    for _ in 1..k {
        x &= x - 1;
    }
    Some(x.trailing_zeros())
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

struct Row {
    line: usize,
    work: bool,
    name: u32,
}

struct Rows {
    by_date: BTreeMap<NaiveDate, Row>,
    names: Vec<Box<str>>,
    lines: usize,
}

fn data_error(line: usize, message: impl Into<String>) -> CalendarError {
    CalendarError::Data {
        line,
        message: message.into(),
    }
}

/// The statutory holidays every year has (全国年节及纪念日放假办法), as the data names them. 中秋
/// is not among them: some years it falls inside the 国庆节 days (2020).
const EVERY_YEAR: [&str; 6] = ["元旦", "春节", "清明", "劳动节", "端午", "国庆节"];

/// Each year of `added` names every holiday of [`EVERY_YEAR`]: a year is added whole, from its
/// notice. A year with only some of them would count the others' days as working days, and
/// every deadline across them would come out early.
fn check_whole_years(added: &str) -> Result<(), CalendarError> {
    let mut named: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    for line in added.trim_start_matches('\u{feff}').lines().map(str::trim) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        // Every year a row names is checked, also one with only worked days.
        if let [date, kind, name] = fields[..]
            && let Some(d) = parse_date(date)
        {
            let names = named.entry(d.year()).or_default();
            if kind == "off" {
                names.push(name);
            }
        }
    }
    for (year, names) in named {
        let missing: Vec<&str> = EVERY_YEAR
            .into_iter()
            .filter(|h| !names.iter().any(|n| n.contains(h)))
            .collect();
        if !missing.is_empty() {
            return Err(CalendarError::Added(format!(
                "the added rows for {year} name no {} holiday: a year is added whole, with every \
                 holiday of its 国务院办公厅 notice (元旦, 春节, 清明, 劳动节, 端午, 中秋 unless it \
                 falls in 国庆节, 国庆节) and the weekend days worked instead",
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

fn parse_rows(data: &str) -> Result<Rows, CalendarError> {
    let mut by_date: BTreeMap<NaiveDate, Row> = BTreeMap::new();
    let mut names: Vec<Box<str>> = Vec::new();
    let mut name_ids: HashMap<String, u32> = HashMap::new();
    let mut seen_header = false;
    let mut lines = 0;

    for (k, raw) in data.lines().enumerate() {
        let line = k + 1;
        lines = line;
        let text = if k == 0 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        }
        .trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        if !seen_header {
            if fields != HEADER {
                return Err(data_error(
                    line,
                    format!("expected the header `date,kind,name`, found `{text}`"),
                ));
            }
            seen_header = true;
            continue;
        }
        let [date, kind, name] = fields[..] else {
            return Err(data_error(
                line,
                format!(
                    "expected 3 comma-separated fields `date,kind,name`, found {}",
                    fields.len()
                ),
            ));
        };
        let date = parse_date(date).ok_or_else(|| {
            data_error(line, format!("invalid date `{date}`: expected YYYY-MM-DD"))
        })?;
        let work = match kind {
            "work" => true,
            "off" => false,
            other => {
                return Err(data_error(
                    line,
                    format!("invalid kind `{other}`: expected `off` or `work`"),
                ));
            }
        };
        if name.is_empty() {
            return Err(data_error(line, "empty holiday name"));
        }
        if work && !is_weekend(date) {
            return Err(data_error(
                line,
                format!(
                    "{date} is a {:?}: a `work` row must be a Saturday or Sunday (weekdays are working days already)",
                    date.weekday()
                ),
            ));
        }
        if let Some(previous) = by_date.get(&date) {
            return Err(data_error(
                line,
                format!("{date} is already listed on line {}", previous.line),
            ));
        }
        let name_id = match name_ids.get(name) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(names.len()).map_err(|_| CalendarError::Overflow)?;
                names.push(name.into());
                name_ids.insert(name.to_string(), id);
                id
            }
        };
        by_date.insert(
            date,
            Row {
                line,
                work,
                name: name_id,
            },
        );
    }
    if !seen_header {
        return Err(data_error(
            lines.max(1),
            "no header `date,kind,name` and no data rows",
        ));
    }
    Ok(Rows {
        by_date,
        names,
        lines,
    })
}

/// Strict `YYYY-MM-DD` (four-digit year, two-digit month and day).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn build(rows: Rows) -> Result<Calendar, CalendarError> {
    let Rows {
        by_date,
        names,
        lines,
    } = rows;
    let (Some((first_date, _)), Some((last_date, _))) =
        (by_date.first_key_value(), by_date.last_key_value())
    else {
        return Err(data_error(lines.max(1), "no data rows"));
    };
    let first_year = first_date.year();
    let last_year = last_date.year();

    // Every year between the first and the last must have data.
    let mut expected = first_year;
    for (date, row) in &by_date {
        let year = date.year();
        if year > expected {
            return Err(data_error(
                row.line,
                format!(
                    "no rows for year {expected}: the covered years must be contiguous; add the State Council holiday notice for {expected}"
                ),
            ));
        }
        if year == expected {
            expected = expected.checked_add(1).ok_or(CalendarError::Overflow)?;
        }
    }

    let start = NaiveDate::from_ymd_opt(first_year, 1, 1).ok_or(CalendarError::Overflow)?;
    let end = NaiveDate::from_ymd_opt(last_year, 12, 31).ok_or(CalendarError::Overflow)?;
    let base = start.num_days_from_ce();
    let span = end
        .num_days_from_ce()
        .checked_sub(base)
        .and_then(|d| d.checked_add(1))
        .ok_or(CalendarError::Overflow)?;
    let len = u32::try_from(span).map_err(|_| CalendarError::Overflow)?;
    let word_count = len.div_ceil(64) as usize;

    let mut words = vec![0u64; word_count];
    // Plain rule: Monday–Friday are working days.
    let mut weekday = start.weekday().num_days_from_monday();
    for i in 0..len as usize {
        if weekday < 5 {
            words[i / 64] |= 1 << (i % 64);
        }
        weekday = (weekday + 1) % 7;
    }

    let mut specials = Vec::with_capacity(by_date.len());
    for (date, row) in &by_date {
        let day = date
            .num_days_from_ce()
            .checked_sub(base)
            .and_then(|d| u32::try_from(d).ok())
            .ok_or(CalendarError::Overflow)?;
        let (w, b) = ((day / 64) as usize, day % 64);
        if row.work {
            words[w] |= 1 << b;
        } else {
            words[w] &= !(1 << b);
        }
        specials.push(Special {
            day,
            work: row.work,
            name: row.name,
        });
    }

    let mut rank = Vec::with_capacity(word_count + 1);
    let mut running = 0u32;
    rank.push(running);
    for word in &words {
        running += word.count_ones();
        rank.push(running);
    }

    Ok(Calendar {
        first_year,
        last_year,
        base,
        len,
        words: words.into_boxed_slice(),
        rank: rank.into_boxed_slice(),
        specials: specials.into_boxed_slice(),
        names: names.into_boxed_slice(),
        load_error: None,
    })
}

#[cfg(test)]
mod tests;
