#!/usr/bin/env python3
"""Compare the Rust calendar with chinese_calendar.is_workday, day by day.

Not part of the Rust test suite (the Rust tests stand on their own); run it after
regenerating the data or changing the crate:

    pip install chinese-calendar==1.11.0
    cargo run -q -p chengxin-calendar --example dump_workdays > /tmp/workdays.txt
    python3 crates/calendar/data/oracle_check.py /tmp/workdays.txt

or let the script run cargo itself (from the workspace root):

    python3 crates/calendar/data/oracle_check.py

The dump has one line per date, `YYYY-MM-DD 0|1` (1 = working day), and must cover
every date from 2015-01-01 to 2026-12-31 exactly once, in order. Exits 0 when every
day agrees, 1 on any difference or malformed/missing line, 2 on usage errors.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

try:
    import chinese_calendar
except ImportError:
    sys.exit("chinese_calendar is not installed: pip install chinese-calendar==1.11.0")

FIRST = dt.date(2015, 1, 1)
LAST = dt.date(2026, 12, 31)
CRATE_DIR = Path(__file__).resolve().parent.parent


def dump_from_cargo() -> str:
    result = subprocess.run(
        ["cargo", "run", "-q", "-p", "chengxin-calendar", "--example", "dump_workdays"],
        cwd=CRATE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        sys.exit(f"cargo run --example dump_workdays failed with exit code {result.returncode}")
    return result.stdout


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    if len(argv) == 2:
        text = Path(argv[1]).read_text(encoding="utf-8")
    else:
        text = dump_from_cargo()

    print(f"oracle: chinese-calendar {chinese_calendar.__version__}")
    problems: list[str] = []
    expected_day = FIRST
    compared = 0
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) != 2 or parts[1] not in ("0", "1"):
            problems.append(f"line {number}: malformed `{line}`")
            continue
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            problems.append(f"line {number}: bad date `{parts[0]}`")
            continue
        if day != expected_day:
            problems.append(f"line {number}: expected {expected_day}, found {day}")
            break
        rust = parts[1] == "1"
        oracle = chinese_calendar.is_workday(day)
        if rust != oracle:
            detail = chinese_calendar.get_holiday_detail(day)
            problems.append(
                f"{day} ({day:%a}): rust says {'working' if rust else 'rest'},"
                f" chinese_calendar says {'working' if oracle else 'rest'} {detail}"
            )
        compared += 1
        expected_day += dt.timedelta(days=1)
    if expected_day != LAST + dt.timedelta(days=1) and not any("expected" in p for p in problems):
        problems.append(f"dump ends before {LAST}: next expected date {expected_day}")

    total = (LAST - FIRST).days + 1
    for problem in problems[:50]:
        print(problem)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    print(f"compared {compared} of {total} days ({FIRST}..{LAST}): {len(problems)} difference(s)")
    return 0 if not problems and compared == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
