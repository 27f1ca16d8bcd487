//! Prints every date of the embedded calendar's covered years (2015-01-01..=
//! 2026-12-31) as `YYYY-MM-DD <0|1>` (1 = working day), for `data/oracle_check.py`.
//!
//! ```text
//! cargo run -q -p chengxin-calendar --example dump_workdays > /tmp/workdays.txt
//! ```

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use chengxin_calendar::{Calendar, NaiveDate};

fn main() -> ExitCode {
    match dump() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dump_workdays: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dump() -> Result<(), Box<dyn std::error::Error>> {
    let cal = Calendar::china();
    let years = cal.covered_years();
    let first = NaiveDate::from_ymd_opt(*years.start(), 1, 1).ok_or("bad first year")?;
    let last = NaiveDate::from_ymd_opt(*years.end(), 12, 31).ok_or("bad last year")?;
    let mut out = BufWriter::new(io::stdout().lock());
    for day in first.iter_days().take_while(|d| *d <= last) {
        let working = cal.is_working_day(day)?;
        writeln!(out, "{day} {}", u8::from(working))?;
    }
    out.flush()?;
    Ok(())
}
