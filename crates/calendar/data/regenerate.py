#!/usr/bin/env python3
"""Regenerate cn_workdays.csv, the embedded data of the chengxin-calendar crate.

Source: the PyPI package ``chinese-calendar`` 1.11.0 (MIT licence, LKI/chinese-calendar),
which covers 2004-2026. Install it with

    pip install chinese-calendar==1.11.0

then run, from anywhere:

    python3 crates/calendar/data/regenerate.py           # rewrite cn_workdays.csv
    python3 crates/calendar/data/regenerate.py --check   # exit 1 if the file is stale

The output has one row per day that differs from the plain Monday-Friday rule, or that
the package lists as part of a holiday block:

    date,kind,name
    2026-01-01,off,元旦      # statutory holiday / rest day of a holiday block
    2026-01-04,work,元旦     # adjusted working weekend day (调休上班)

``off`` rows are the package's ``holidays`` entries (some fall on a weekend inside a
holiday block; the package does not list every such weekend day, which does not change
whether a day is a working day). ``work`` rows are the package's ``workdays`` entries and
are always a Saturday or Sunday. Every other Monday-Friday is a working day and every other
Saturday/Sunday is a rest day.

To add a year: wait for the State Council General Office notice
(国务院办公厅关于YYYY年部分节假日安排的通知, usually published in November of the year
before), upgrade chinese-calendar to the release that contains it, add the notice to
NOTICES below, raise LAST_YEAR, add the expected table to EXPECTED (from the notice text),
rerun this script, and rerun oracle_check.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

try:
    import chinese_calendar
    from chinese_calendar.constants import Holiday, holidays, workdays
except ImportError:  # pragma: no cover - environment problem, not data problem
    sys.exit("chinese_calendar is not installed: pip install chinese-calendar==1.11.0")

PACKAGE = "chinese-calendar"
PACKAGE_VERSION = "1.11.0"
PACKAGE_LICENCE = "MIT"
PACKAGE_PROJECT = "LKI/chinese-calendar"

FIRST_YEAR = 2015
LAST_YEAR = 2026

OUT = Path(__file__).resolve().parent / "cn_workdays.csv"

# Per year: the State Council (General Office) notices that fix that year's holidays and
# 调休. Dates are the gov.cn policy-library publication dates read from the URL path (the
# signing date can be a day or so earlier); for 2024-2026 the URL path has only the
# month and the day comes from secondary sources, as does the 文号 shown there.
# URLs for 2015-2025 are the `papers` field of the holiday-cn data (NateScarlet/holiday-cn,
# MIT) as bundled in the crates.io package holiday-cn 0.2.20260915072418; that package has
# no 2026 data, so the 2026 URL is from secondary sources (not in any package data).
NOTICES: dict[int, list[tuple[str, str, str, str]]] = {
    # year: [(title, date, url, provenance)]
    2015: [
        (
            "国务院办公厅关于2015年部分节假日安排的通知",
            "2014-12-16",
            "http://www.gov.cn/zhengce/zhengceku/2014-12/16/content_9302.htm",
            "holiday-cn papers",
        ),
        (
            "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知"
            " (9/3-9/5 off, 9/6 work)",
            "2015-05-13",
            "http://www.gov.cn/zhengce/zhengceku/2015-05/13/content_9742.htm",
            "holiday-cn papers",
        ),
    ],
    2016: [
        (
            "国务院办公厅关于2016年部分节假日安排的通知",
            "2015-12-10",
            "http://www.gov.cn/zhengce/zhengceku/2015-12/10/content_10394.htm",
            "holiday-cn papers",
        )
    ],
    2017: [
        (
            "国务院办公厅关于2017年部分节假日安排的通知",
            "2016-12-01",
            "http://www.gov.cn/zhengce/zhengceku/2016-12/01/content_5141603.htm",
            "holiday-cn papers",
        )
    ],
    2018: [
        (
            "国务院办公厅关于2018年部分节假日安排的通知",
            "2017-11-30",
            "http://www.gov.cn/zhengce/zhengceku/2017-11/30/content_5243579.htm",
            "holiday-cn papers",
        )
    ],
    2019: [
        (
            "国务院办公厅关于2019年部分节假日安排的通知",
            "2018-12-06",
            "http://www.gov.cn/zhengce/zhengceku/2018-12/06/content_5346276.htm",
            "holiday-cn papers",
        ),
        (
            "国务院办公厅关于调整2019年劳动节假期安排的通知 (5/1-5/4 off, 4/28 and 5/5 work)",
            "2019-03-22",
            "http://www.gov.cn/zhengce/zhengceku/2019-03/22/content_5375877.htm",
            "holiday-cn papers",
        ),
    ],
    2020: [
        (
            "国务院办公厅关于2020年部分节假日安排的通知",
            "2019-11-21",
            "http://www.gov.cn/zhengce/zhengceku/2019-11/21/content_5454164.htm",
            "holiday-cn papers",
        ),
        (
            "国务院办公厅关于延长2020年春节假期的通知 (COVID-19: 春节 extended to 2/2;"
            " the 2/1 make-up working day was dropped)",
            "2020-01-27",
            "http://www.gov.cn/zhengce/zhengceku/2020-01/27/content_5472352.htm",
            "holiday-cn papers",
        ),
    ],
    2021: [
        (
            "国务院办公厅关于2021年部分节假日安排的通知",
            "2020-11-25",
            "http://www.gov.cn/zhengce/zhengceku/2020-11/25/content_5564127.htm",
            "holiday-cn papers",
        )
    ],
    2022: [
        (
            "国务院办公厅关于2022年部分节假日安排的通知",
            "2021-10-25",
            "http://www.gov.cn/zhengce/zhengceku/2021-10/25/content_5644835.htm",
            "holiday-cn papers",
        )
    ],
    2023: [
        (
            "国务院办公厅关于2023年部分节假日安排的通知",
            "2022-12-08",
            "http://www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm",
            "holiday-cn papers",
        )
    ],
    2024: [
        (
            "国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号 [secondary])",
            "2023-10-25 [day: secondary]",
            "https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm",
            "holiday-cn papers",
        )
    ],
    2025: [
        (
            "国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号 [secondary];"
            " first year under the amended 《全国年节及纪念日放假办法》: 除夕 and 5月2日 are"
            " statutory holidays from 2025-01-01)",
            "2024-11-12 [day: secondary]",
            "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm",
            "holiday-cn papers",
        )
    ],
    2026: [
        (
            "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号 [secondary])",
            "2025-11-04",
            "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
            "SECONDARY: not in package data (holiday-cn 2026 is empty)",
        )
    ],
}

# Independent expectations, typed in from the notices' tables (for 2026: the table in
# docs standards.md §10). Each entry: name -> (off ranges, make-up working days).
# The generator refuses to write a file whose rows for these years disagree.
EXPECTED: dict[int, dict[str, tuple[list[tuple[str, str]], list[str]]]] = {
    2026: {
        "元旦": ([("2026-01-01", "2026-01-03")], ["2026-01-04"]),
        "春节": ([("2026-02-15", "2026-02-23")], ["2026-02-14", "2026-02-28"]),
        "清明": ([("2026-04-04", "2026-04-06")], []),
        "劳动节": ([("2026-05-01", "2026-05-05")], ["2026-05-09"]),
        "端午": ([("2026-06-19", "2026-06-21")], []),
        "中秋": ([("2026-09-25", "2026-09-27")], []),
        "国庆节": ([("2026-10-01", "2026-10-07")], ["2026-09-20", "2026-10-10"]),
    },
}


def chinese_name(english: str) -> str:
    return Holiday(english).chinese


def rows() -> list[tuple[dt.date, str, str]]:
    out: list[tuple[dt.date, str, str]] = []
    for day, name in holidays.items():
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            out.append((day, "off", chinese_name(name)))
    for day, name in workdays.items():
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            out.append((day, "work", chinese_name(name)))
    out.sort()
    return out


def validate(data: list[tuple[dt.date, str, str]]) -> None:
    seen: set[dt.date] = set()
    for day, kind, _name in data:
        if day in seen:
            sys.exit(f"{day}: listed both as holiday and as working day in {PACKAGE}")
        seen.add(day)
        if kind == "work" and day.weekday() < 5:
            sys.exit(f"{day}: make-up working day that is not a Saturday or Sunday")
    years = {day.year for day, _, _ in data}
    missing = set(range(FIRST_YEAR, LAST_YEAR + 1)) - years
    if missing:
        sys.exit(f"no rows for years {sorted(missing)}")
    missing_notice = set(range(FIRST_YEAR, LAST_YEAR + 1)) - set(NOTICES)
    if missing_notice:
        sys.exit(f"no notice listed for years {sorted(missing_notice)}")

    by_date = {day: (kind, name) for day, kind, name in data}
    for year, table in EXPECTED.items():
        want_off: dict[dt.date, str] = {}
        want_work: dict[dt.date, str] = {}
        for name, (ranges, work) in table.items():
            for first, last in ranges:
                day = dt.date.fromisoformat(first)
                while day <= dt.date.fromisoformat(last):
                    want_off[day] = name
                    day += dt.timedelta(days=1)
            for w in work:
                want_work[dt.date.fromisoformat(w)] = name
        errors = []
        for day, name in want_off.items():
            if chinese_calendar.is_workday(day):
                errors.append(f"{day} ({name}) should be a rest day")
            kind, got = by_date.get(day, ("", ""))
            if day.weekday() < 5 and (kind, got) != ("off", name):
                errors.append(f"{day}: expected off/{name}, package says {kind or '-'}/{got or '-'}")
        for day, name in want_work.items():
            if by_date.get(day) != ("work", name):
                errors.append(f"{day}: expected work/{name}, package says {by_date.get(day)}")
        for day, (kind, name) in by_date.items():
            if day.year != year:
                continue
            if kind == "work" and day not in want_work:
                errors.append(f"{day}: unexpected make-up working day ({name})")
            if kind == "off" and day not in want_off:
                errors.append(f"{day}: unexpected holiday ({name})")
        if errors:
            sys.exit(f"{year} rows disagree with the notice table:\n  " + "\n  ".join(errors))


def render(data: list[tuple[dt.date, str, str]]) -> str:
    lines = [
        "# chengxin-calendar: Chinese statutory holidays and 调休 make-up working days,"
        f" {FIRST_YEAR}-{LAST_YEAR}.",
        "# GENERATED by regenerate.py (next to this file); do not edit by hand.",
        f"# Source package: PyPI {PACKAGE}=={PACKAGE_VERSION} ({PACKAGE_PROJECT}), licence"
        f" {PACKAGE_LICENCE}; Holiday names are the package's Chinese names.",
        "# Legal basis: 《全国年节及纪念日放假办法》 (amended with effect from 2025-01-01: 除夕"
        " and 5月2日 became statutory holidays) and the yearly notices below.",
        "# Format: date,kind,name. kind=off: rest day of a holiday block; kind=work: adjusted"
        " working Saturday/Sunday (调休上班).",
        "# Days not listed: Monday-Friday are working days, Saturday/Sunday are rest days.",
        "# Rows are by calendar date: a few late-December rows come from the next year's"
        " notice (e.g. 2018-12-29 work / 2018-12-31 off, 2019 元旦).",
        "# Notices (year | title | gov.cn publication date | URL | where the URL was found):",
    ]
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for title, date, url, provenance in NOTICES[year]:
            lines.append(f"# {year} | {title} | {date} | {url} | {provenance}")
    lines.append("date,kind,name")
    for day, kind, name in data:
        lines.append(f"{day.isoformat()},{kind},{name}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    if chinese_calendar.__version__ != PACKAGE_VERSION:
        print(
            f"warning: {PACKAGE} {chinese_calendar.__version__} installed,"
            f" this script is pinned to {PACKAGE_VERSION}",
            file=sys.stderr,
        )
    data = rows()
    validate(data)
    text = render(data)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: rerun regenerate.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(data)} rows)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(data)} rows, {FIRST_YEAR}-{LAST_YEAR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
